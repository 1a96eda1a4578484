package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"itbot/bot"
	"itbot/store"
)

// `itbot journal` lists the deliveries set aside, retries and drops them.
func TestJournalCLI(t *testing.T) {
	cfg, data := writeConfig(t)
	if out := run(t, "--config", cfg, "journal", "list"); !strings.Contains(out, "no deliveries set aside") {
		t.Fatalf("empty list: %s", out)
	}
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	in := &bot.Inbound{Platform: "slack", Key: "cmd/T9", Kind: "command", Body: []byte("{}")}
	if _, err := st.Journal(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := st.JournalFailed(ctx, "slack", in.Seq, "panic: boom", true); err != nil {
		t.Fatal(err)
	}
	st.Close()
	seq := strconv.FormatUint(in.Seq, 10)
	if out := run(t, "--config", cfg, "journal", "list"); !strings.Contains(out, "slack") || !strings.Contains(out, "panic: boom") {
		t.Fatalf("list: %s", out)
	}
	if out := run(t, "--config", cfg, "journal", "retry", "slack", seq); !strings.Contains(out, "next sweep") {
		t.Fatalf("retry: %s", out)
	}
	if out := run(t, "--config", cfg, "journal", "list"); !strings.Contains(out, "no deliveries set aside") {
		t.Fatalf("after retry: %s", out)
	}
	if out := run(t, "--config", cfg, "journal", "drop", "slack", seq); !strings.Contains(out, "dropped") {
		t.Fatalf("drop: %s", out)
	}
	var out, errb strings.Builder
	if err := runMain(ctx, []string{"--config", cfg, "journal", "drop", "slack", seq}, strings.NewReader(""), &out, &errb); err == nil {
		t.Error("dropping twice succeeded")
	}
}
