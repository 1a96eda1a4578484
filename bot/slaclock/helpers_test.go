package slaclock_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"itbot/bot"
	"itbot/bot/slaclock"
	"itbot/bottest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var riga = bottest.Riga

// env is a whole bot with the business SLA clock and a scheduler.
type env struct {
	*bottest.Env
	clock *slaclock.Clock
	sched *slaclock.Scheduler
}

// newEnv builds a bot on a fresh bbolt file with clock configured by cfg,
// and the scheduler hooked to the bot's changes.
func newEnv(t testing.TB, cfg slaclock.Config) *env {
	t.Helper()
	e := bottest.New(t)
	k, err := slaclock.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.Bot.SLA = k
	s := slaclock.NewScheduler(e.Bot, k)
	e.Bot.OnChange = s.Changed
	return &env{Env: e, clock: k, sched: s}
}

// at sets the fake clock to a Riga wall time.
func (e *env) at(y int, m time.Month, d, h, min int) time.Time {
	t := riga(y, m, d, h, min)
	e.Clock.Set(t)
	return t
}

// submit creates a consultation as email through the router at the
// clock's time and returns its id.
func (e *env) submit(email, text string) string {
	e.T.Helper()
	reps := e.Say(email, "/it consult "+text)
	if len(reps) == 0 || reps[0].Request == nil {
		e.T.Fatalf("consult: no request in %+v", reps)
	}
	return reps[0].Request.ID
}

// say runs a command and fails on an error reply.
func (e *env) say(email, text string) []bot.Reply {
	e.T.Helper()
	reps := e.Say(email, text)
	for _, r := range reps {
		if r.Kind == bot.KindError {
			e.T.Fatalf("%s: %q: %s", email, text, r.Text)
		}
	}
	return reps
}

// tick runs the scheduler at t.
func (e *env) tick(t time.Time) slaclock.Result {
	e.T.Helper()
	e.Clock.Set(t)
	res, err := e.sched.Tick(context.Background(), t)
	if err != nil {
		e.T.Fatalf("tick %s: %v", t, err)
	}
	return res
}

// reminders returns the audit events of kind reminder of a request.
func reminders(t testing.TB, st bot.Store, id string) []bot.Event {
	t.Helper()
	evs, err := st.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []bot.Event
	for _, ev := range evs {
		if ev.Kind == bot.EventReminder {
			out = append(out, ev)
		}
	}
	return out
}

// notices returns the notices of a poster since index from, about id,
// grouped by address ("thread" for the origin, else the channel or user).
func since(p *bottest.Poster, from int) []bot.Notice {
	return p.Notices()[from:]
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot/slaclock -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func joinLines(ss ...string) string { return strings.Join(ss, "\n") + "\n" }
