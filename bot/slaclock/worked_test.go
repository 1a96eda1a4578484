package slaclock_test

import (
	"testing"
	"time"

	"itbot/bot"
	"itbot/bot/calendar"
	"itbot/bot/slaclock"
)

// The worked examples of issue 3, each through a real request: created
// through the router at the time, its DueAt read back from the store.
func TestWorkedExamplesThroughRequests(t *testing.T) {
	off := calendar.Config{}.WithTransfers(false)
	tests := []struct {
		name    string
		created time.Time
		cal     calendar.Config
		want    time.Time
	}{
		{"inside hours", riga(2026, 11, 23, 10, 0), calendar.Config{}, riga(2026, 11, 24, 10, 0)},
		{"Friday closes at 17:00", riga(2026, 11, 26, 17, 30), calendar.Config{}, riga(2026, 11, 27, 17, 0)},
		{"Saturday: the clock starts Monday", riga(2026, 11, 28, 12, 0), calendar.Config{}, riga(2026, 11, 30, 18, 0)},
		{"shortened day before Christmas Eve", riga(2026, 12, 23, 16, 30), calendar.Config{}, riga(2026, 12, 28, 16, 30)},
		{"shortened before 31 Dec", riga(2026, 12, 29, 17, 45), calendar.Config{}, riga(2026, 12, 30, 17, 0)},
		{"22 Jun transferred, 23-24 Jun holidays", riga(2026, 6, 19, 12, 0), calendar.Config{}, riga(2026, 6, 25, 12, 0)},
		{"transfers off", riga(2026, 6, 19, 12, 0), off, riga(2026, 6, 22, 12, 0)},
		{"working Saturday with Friday's hours", riga(2026, 1, 16, 16, 30), calendar.Config{}, riga(2026, 1, 17, 16, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, slaclock.Config{Calendar: tt.cal})
			e.Clock.Set(tt.created)
			id := e.submit("anna.berzina@lgia.gov.lv", "Kā iestatīt automātisko atbildi?")
			r := e.Request(id)
			if !r.SLA.DueAt.Equal(tt.want) {
				t.Errorf("created %s: due %s, want %s", tt.created.Format(time.DateTime), bot.FormatTime(r.SLA.DueAt), bot.FormatTime(tt.want))
			}
			if r.SLA.Policy != "1d" {
				t.Errorf("policy %q, want 1d", r.SLA.Policy)
			}
			if r.SLA.NextCheck.IsZero() || !e.clock.InService(r.SLA.NextCheck) {
				t.Errorf("next check %s: want one inside service hours", r.SLA.NextCheck)
			}
		})
	}
}

// Mon 2026-11-23 10:00, paused Mon 14:00, resumed Wed 2026-11-25 09:00 ->
// Wed 2026-11-25 15:00; through /it wait and /it resume.
func TestWorkedExamplePauseThroughCommands(t *testing.T) {
	e := newEnv(t, slaclock.Config{})
	e.at(2026, 11, 23, 10, 0)
	id := e.submit("anna.berzina@lgia.gov.lv", "Vajag jaunu parakstu")
	if got := e.Request(id).SLA.DueAt; !got.Equal(riga(2026, 11, 24, 10, 0)) {
		t.Fatalf("due %s, want 2026-11-24 10:00", bot.FormatTime(got))
	}
	e.at(2026, 11, 23, 14, 0)
	e.say("kristaps.lapsa@vraa.gov.lv", "/it wait "+id+" info kurš paraksts?")
	r := e.Request(id)
	if !r.SLA.DueAt.IsZero() || !r.SLA.NextCheck.IsZero() {
		t.Fatalf("paused: due %s next %s, want both zero", r.SLA.DueAt, r.SLA.NextCheck)
	}
	e.at(2026, 11, 25, 9, 0)
	e.say("kristaps.lapsa@vraa.gov.lv", "/it resume "+id)
	r = e.Request(id)
	if want := riga(2026, 11, 25, 15, 0); !r.SLA.DueAt.Equal(want) {
		t.Errorf("resumed: due %s, want %s", bot.FormatTime(r.SLA.DueAt), bot.FormatTime(want))
	}
	if r.State != bot.StateApproved {
		t.Errorf("state %s, want approved", r.State)
	}
}

// A policy per request type comes from the configuration.
func TestPolicyPerType(t *testing.T) {
	e := newEnv(t, slaclock.Config{Policies: map[string]string{"consult": "4h", "default": "2d"}})
	e.at(2026, 11, 23, 10, 0)
	id := e.submit("anna.berzina@lgia.gov.lv", "jautājums")
	r := e.Request(id)
	if r.SLA.Policy != "4h0m0s" || !r.SLA.DueAt.Equal(riga(2026, 11, 23, 14, 0)) {
		t.Errorf("consult: policy %q due %s, want 4h and 2026-11-23 14:00", r.SLA.Policy, bot.FormatTime(r.SLA.DueAt))
	}
	if p := e.clock.Policy(bot.TypeLicenceAssign); p.String() != "2d" {
		t.Errorf("licence.assign policy %s, want the default 2d", p)
	}
}
