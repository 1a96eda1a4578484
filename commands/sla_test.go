package commands_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"itbot/adapters/console"
	"itbot/bot"
	"itbot/bot/slaclock"
	"itbot/bot/slareport"
	"itbot/bottest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const (
	anna     = "anna.berzina@lgia.gov.lv"
	admin    = "admin@vraa.gov.lv" // speaks English
	operator = "kristaps.lapsa@vraa.gov.lv"
	laura    = "laura.koka@vid.gov.lv"
)

func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./commands -run SLA -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func slaEnv(t *testing.T) (*bottest.Env, *slaclock.Scheduler) {
	e := bottest.New(t)
	k, err := slaclock.New(slaclock.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e.Bot.SLA = k
	return e, slaclock.NewScheduler(e.Bot, k)
}

func at(e *bottest.Env, y int, m time.Month, d, h, min int) time.Time {
	t := bottest.Riga(y, m, d, h, min)
	e.Clock.Set(t)
	return t
}

func sayOK(t *testing.T, e *bottest.Env, who, text string) []bot.Reply {
	t.Helper()
	reps := e.Say(who, text)
	if len(reps) != 1 || reps[0].Kind == bot.KindError {
		t.Fatalf("%s %q: %+v", who, text, reps)
	}
	return reps
}

func slaText(t *testing.T, e *bottest.Env, who, id string) string {
	t.Helper()
	return console.Render(sayOK(t, e, who, "/it sla "+id)[0], "")
}

// /it sla through a request's life, in Latvian (the requester) and English
// (an admin): running after a pause with a reminder sent, paused, overdue,
// closed late.
func TestSLACommandGolden(t *testing.T) {
	e, s := slaEnv(t)
	at(e, 2026, 11, 23, 10, 0)
	id := sayOK(t, e, anna, "/it konsultācija Kā pievienot kopīgo kalendāru?")[0].Request.ID
	at(e, 2026, 11, 23, 14, 0)
	sayOK(t, e, operator, "/it wait "+id+" info kuru kalendāru?")
	at(e, 2026, 11, 24, 11, 0)
	paused := slaText(t, e, anna, id)
	at(e, 2026, 11, 25, 9, 0)
	sayOK(t, e, operator, "/it resume "+id)
	// 4 h used before the pause: the 50 % reminder is due Wed 10:00.
	if res, err := s.Tick(context.Background(), at(e, 2026, 11, 25, 10, 0)); err != nil || res.Keys != 1 {
		t.Fatalf("tick: %+v %v", res, err)
	}
	at(e, 2026, 11, 25, 10, 30)
	running := slaText(t, e, anna, id)
	runningEN := slaText(t, e, admin, id)
	// Due Wed 15:00: the scheduler combines 80 %, the lead reminder and
	// the breach it finds due Thu 09:15.
	if res, err := s.Tick(context.Background(), at(e, 2026, 11, 26, 9, 15)); err != nil || res.Keys != 3 {
		t.Fatalf("tick: %+v %v", res, err)
	}
	overdue := slaText(t, e, admin, id)
	at(e, 2026, 11, 26, 9, 30)
	sayOK(t, e, operator, "/it done "+id+" atbildēts")
	closed := slaText(t, e, anna, id)

	for name, got := range map[string]string{
		"sla_running_lv.golden": running, "sla_running_en.golden": runningEN,
		"sla_paused_lv.golden": paused, "sla_overdue_en.golden": overdue, "sla_closed_lv.golden": closed,
	} {
		goldenFile(t, name, got)
	}
}

func TestSLACommandErrors(t *testing.T) {
	e, _ := slaEnv(t)
	id := sayOK(t, e, anna, "/it consult jautājums")[0].Request.ID
	tests := []struct {
		who, text, want string
	}{
		{anna, "/it sla", "sla ID"},
		{anna, "/it sla IT-2026", "nav pieteikuma numurs"},
		{anna, "/it sla IT-2026-000999", "nav atrasts"},
		{laura, "/it sla " + id, "nav atrasts"}, // another institution's request is not revealed
		{admin, "/it sla nope", "is not a request id"},
	}
	for _, tt := range tests {
		reps := e.Say(tt.who, tt.text)
		if len(reps) != 1 || reps[0].Kind != bot.KindError || !strings.Contains(reps[0].Text, tt.want) {
			t.Errorf("%s %q: %+v, want an error with %q", tt.who, tt.text, reps, tt.want)
		}
	}
}

// With the wall-clock SLA (no business calendar configured) /it sla still
// shows the stored due time and the pauses.
func TestSLACommandWallClock(t *testing.T) {
	e := bottest.New(t)
	id := sayOK(t, e, anna, "/it consult jautājums")[0].Request.ID
	sayOK(t, e, operator, "/it wait "+id+" info kas?")
	got := slaText(t, e, anna, id)
	if !strings.Contains(got, "gaida informāciju") || !strings.Contains(got, "IT-2026-000001 · SLA") {
		t.Errorf("wall clock /it sla:\n%s", got)
	}
}

// "/it sla pārskats": an IT contact gets her institution's month as text
// and a CSV file, not another institution's; an employee may not ask.
func TestSLAReportCommand(t *testing.T) {
	e := bottest.New(t)
	clock, err := slaclock.New(slaclock.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e.Bot.SLA = clock
	charted := 0
	e.Deps.SLAChart = func(rep *slareport.Report, l bot.Lang) ([]byte, error) { charted++; return []byte("png"), nil }
	e.Say("ilze.liepa@lgia.gov.lv", "/it konsultācija Kā kopīgot kalendāru?")
	e.Say("maris.egle@vvd.gov.lv", "/it konsultācija Kā pagarināt līgumu?")
	rs := e.Say("ilze.liepa@lgia.gov.lv", "/it sla pārskats 2026-11")
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "SLA izpilde 2026-11 — LGIA") || strings.Contains(rs[0].Text, "VVD") ||
		len(rs[0].Files) != 2 || rs[0].Files[0].Name != "sla-2026-11-lgia.csv" || rs[0].Files[1].Name != "sla-2026-11-lgia.png" || charted != 1 {
		t.Fatalf("IT contact: %+v (charted %d)", rs, charted)
	}
	if rs := e.Say("ilze.liepa@lgia.gov.lv", "/it sla pārskats iestāde=VVD"); len(rs) != 1 || rs[0].Kind != bot.KindError {
		t.Errorf("another institution: %+v", rs)
	}
	if rs := e.Say("dace.avotina@vraa.gov.lv", "/it sla report"); len(rs) != 1 || !strings.Contains(rs[0].Text, "VVD") || !strings.Contains(rs[0].Text, "LGIA") {
		t.Errorf("agency: %+v", rs)
	}
	if rs := e.Say("anna.berzina@lgia.gov.lv", "/it sla pārskats"); len(rs) != 1 || rs[0].Kind != bot.KindError {
		t.Errorf("employee: %+v", rs)
	}
}
