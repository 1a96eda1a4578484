package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

func TestParseSubcommand(t *testing.T) {
	got := run(t, "parse", "-now", "2026-04-15", "Lūdzu izveidojiet kopīgo pastkasti lietvediba@vid.gov.lv")
	want := `{"intent":"shared.create","slots":{"mailbox":"lietvediba@vid.gov.lv"},"missing":[],"lang":"lv"}` + "\n"
	if got != want {
		t.Fatalf("parse: %q, want %q", got, want)
	}
	got = run(t, "parse", "Lūdzu", "piešķiriet", "licenci")
	if !strings.Contains(got, `"missing":["user"]`) || strings.Count(got, "\n") != 1 {
		t.Fatalf("parse of split words: %q", got)
	}
	var out, errb bytes.Buffer
	if err := runMain(context.Background(), []string{"parse"}, strings.NewReader(""), &out, &errb); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("parse without text: %v", err)
	}
}

// TestDialogueAcrossRuns continues one conversation over three separate
// processes on the same data file (each `itbot run` opens and closes it).
func TestDialogueAcrossRuns(t *testing.T) {
	cfg, _ := writeConfig(t)
	appendFile(t, cfg, "dialogue:\n  expiry: 10m\n")
	out := run(t, "--config", cfg, "run", "--as", "anna.berzina@lgia.gov.lv", "Lūdzu piešķiriet licenci")
	if !strings.Contains(out, "Kuram lietotājam piešķirt licenci?") {
		t.Fatalf("question: %s", out)
	}
	out = run(t, "--config", cfg, "run", "--as", "anna.berzina@lgia.gov.lv", "janis.ozols")
	if !strings.Contains(out, "janis.ozols@lgia.gov.lv") || !strings.Contains(out, "/it confirm ") {
		t.Fatalf("restatement: %s", out)
	}
	out = run(t, "--config", cfg, "run", "--as", "anna.berzina@lgia.gov.lv", "jā")
	if !strings.Contains(out, "IT-2026-") || !strings.Contains(out, "gaida apstiprinājumu") {
		t.Fatalf("created: %s", out)
	}
}

func TestDialogueConfig(t *testing.T) {
	for _, bad := range []string{"expiry: 10s", "expiry: -5m", "expiry: soon", "expiri: 5m"} {
		cfg, _ := writeConfig(t)
		appendFile(t, cfg, "dialogue:\n  "+bad+"\n")
		var out, errb bytes.Buffer
		err := runMain(context.Background(), []string{"--config", cfg, "run", "--as", "anna.berzina@lgia.gov.lv", "/it whoami"}, strings.NewReader(""), &out, &errb)
		if err == nil || !strings.Contains(err.Error(), "dialogue") {
			t.Fatalf("%q accepted: %v", bad, err)
		}
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}
