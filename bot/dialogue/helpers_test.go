package dialogue_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"itbot/adapters/console"
	"itbot/adapters/sandbox"
	"itbot/bot"
	"itbot/bot/dialogue"
	"itbot/bottest"
	"itbot/commands"
	"itbot/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

// tokens numbers confirmation tokens so transcripts are stable.
type tokens struct{ n atomic.Int64 }

func (tk *tokens) next() string { return fmt.Sprintf("tok%d", tk.n.Add(1)) }

// env is a whole bot with the dialogue installed.
type env struct {
	*bottest.Env
	D   *dialogue.Dialogue
	tok *tokens
}

func options(tk *tokens) dialogue.Options {
	return dialogue.Options{Help: commands.HelpText, Ack: commands.Ack, Token: tk.next}
}

// newEnv builds a bottest environment with the sandbox services and the
// dialogue.
func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, nil)
}

// newEnvWith is newEnv with the dialogue options changed by set.
func newEnvWith(t testing.TB, set func(*dialogue.Options)) *env {
	t.Helper()
	e := bottest.New(t)
	e.Sandbox()
	tk := &tokens{}
	o := options(tk)
	if set != nil {
		set(&o)
	}
	d := dialogue.New(e.Bot, o)
	d.Install(e.Router)
	return &env{Env: e, D: d, tok: tk}
}

// reopen closes e's store and builds a new bot, router and dialogue on the
// same file, as a restarted process would; the clock and the token counter
// carry over.
func (e *env) reopen(t testing.TB) *env {
	t.Helper()
	if err := e.Store.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(e.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.DiscardHandler)
	b := bot.New(st, log)
	b.Now = e.Clock.Now
	b.Sandbox = true
	r := bot.NewRouter(log)
	deps := &commands.Deps{Bot: b}
	commands.Register(r, deps)
	ne := &bottest.Env{T: t, Path: e.Path, Store: st, Bot: b, Router: r, Deps: deps, Clock: e.Clock, Test: &bottest.Poster{Name: "test", Ops: "ops"}}
	b.Notify.Add(ne.Test)
	tn := sandbox.NewTenant()
	if err := sandbox.SeedTenant(tn); err != nil {
		t.Fatal(err)
	}
	ds := sandbox.NewDVSState()
	if err := sandbox.SeedDVS(ds); err != nil {
		t.Fatal(err)
	}
	b.Exchange, b.DVS = sandbox.NewExchange(tn), sandbox.NewDVS(ds)
	d := dialogue.New(b, options(e.tok))
	d.Install(r)
	return &env{Env: ne, D: d, tok: e.tok}
}

// say routes text from a person on the "test" platform, in channel ch.
func (e *env) say(t testing.TB, email, ch, text string) []bot.Reply {
	t.Helper()
	rec := &bot.Recorder{}
	m := &bot.Message{Platform: "test", Channel: ch, MessageID: fmt.Sprintf("m-%d", msgSeq.Add(1)), UserID: email, Person: e.Person(email), Text: text, Source: bot.SourceTyped, Direct: true}
	if err := e.Router.Route(context.Background(), rec, m); err != nil {
		t.Fatalf("route %q: %v", text, err)
	}
	if len(rec.Replies) == 0 {
		t.Fatalf("%q: no reply", text)
	}
	return rec.Replies
}

// all joins every reply's title, text, fields and buttons, for asserting.
func all(rs []bot.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(console.Render(r, ""))
	}
	return b.String()
}

// button returns the command of the reply's button whose command starts
// with prefix.
func button(t testing.TB, rs []bot.Reply, prefix string) string {
	t.Helper()
	for _, r := range rs {
		for _, b := range r.Buttons {
			if strings.HasPrefix(b.Command, prefix) {
				return b.Command
			}
		}
	}
	t.Fatalf("no %q button in:\n%s", prefix, all(rs))
	return ""
}

func requests(t testing.TB, e *env) []*bot.Request {
	t.Helper()
	rs, err := e.Store.Requests(context.Background(), bot.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// dialogues counts the open dialogue records in the store.
func dialogues(t testing.TB, e *env) int {
	t.Helper()
	n := 0
	err := e.Store.Scan(context.Background(), dialogue.Bucket, "", "", func(k string, _ []byte) error {
		if strings.HasPrefix(k, "c") {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func contains(t testing.TB, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Fatalf("missing %q in:\n%s", w, got)
		}
	}
}

// transcript runs a console session: each line is echoed as "> line" and
// the console's output (replies and thread notices) follows.
func transcript(t testing.TB, e *env, as string, script string) []byte {
	t.Helper()
	var out bytes.Buffer
	c := console.New(e.Router, e.Store, &out, e.Person(as))
	c.Sandbox = true
	e.Bot.Notify.Add(c)
	for _, line := range strings.Split(strings.TrimSpace(script), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "!advance "); ok {
			e.Clock.Advance(mustDuration(t, rest))
			fmt.Fprintf(&out, "\n[%s vēlāk / later]\n", rest)
			continue
		}
		fmt.Fprintf(&out, "\n> %s\n", line)
		if err := c.Handle(context.Background(), line); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
	}
	return out.Bytes()
}

var msgSeq atomic.Int64

func mustDuration(t testing.TB, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", name, got)
	}
}
