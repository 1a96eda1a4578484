package slaclock

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"itbot/bot"
	"itbot/bot/calendar"
	"itbot/bot/sla"
)

func mustClock(t testing.TB, cfg Config) *Clock {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// reach(budget) is the due time sla.Clock.Due computes, with and without
// pauses: the breach check and DueAt are the same instant.
func TestReachIsDue(t *testing.T) {
	c := mustClock(t, Config{})
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, calendar.Location())
	span := time.Date(2028, 12, 1, 0, 0, 0, 0, calendar.Location()).Sub(base)
	pols := []sla.Policy{{Days: 1}, {Days: 2}, {Business: 4 * time.Hour}, {Days: 1, Business: 30 * time.Minute}}
	for i := range 20000 {
		start := base.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Minute)
		if i%3 == 0 { // openings and closings exactly
			start = start.Truncate(time.Hour)
		}
		p := pols[i%len(pols)]
		var ps []sla.Pause
		t0 := start
		for range rng.IntN(3) {
			from := t0.Add(time.Duration(rng.Int64N(int64(48 * time.Hour)))).Truncate(time.Minute)
			to := from.Add(time.Duration(1 + rng.Int64N(int64(72*time.Hour)))).Truncate(time.Minute)
			if !to.After(from) {
				continue
			}
			ps = append(ps, sla.Pause{From: from, To: to})
			t0 = to
		}
		want := c.k.Due(start, p, ps)
		got := c.reach(start, ps, c.k.Budget(start, p))
		if !got.Equal(want) {
			t.Fatalf("start %s policy %s pauses %v: reach %s, Due %s", start, p, ps, got, want)
		}
	}
}

func TestChecksOrder(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		budget time.Duration
		want   string
	}{
		{"defaults", Config{}, 10 * time.Hour, "share:50 share:80 lead breach"},
		{"escalation", Config{Escalation: Escalation{Person: "a@vraa.gov.lv"}}, 10 * time.Hour, "share:50 share:80 lead breach escalation"},
		{"lead before 80 %", Config{}, 2 * time.Hour, "share:50 lead share:80 breach"},
		{"lead not shorter than the budget", Config{}, time.Hour, "share:50 share:80 breach"},
		{"no shares, no lead", Config{Reminders: Reminders{Shares: []int{}, Lead: "0"}}, 10 * time.Hour, "breach"},
		{"unsorted shares", Config{Reminders: Reminders{Shares: []int{90, 25, 25}}}, 10 * time.Hour, "share:25 share:90 lead breach"},
		{"disabled", Config{Reminders: Reminders{Enabled: new(bool)}}, 10 * time.Hour, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var keys []string
			for _, ch := range mustClock(t, tt.cfg).checks(tt.budget) {
				keys = append(keys, ch.key)
			}
			if got := strings.Join(keys, " "); got != tt.want {
				t.Errorf("checks %q, want %q", got, tt.want)
			}
		})
	}
}

// A check at or before one already sent is superseded: a share added to
// the configuration later does not post a stale reminder.
func TestSupersededChecks(t *testing.T) {
	c := mustClock(t, Config{Reminders: Reminders{Shares: []int{30, 50, 80}}})
	r := &bot.Request{Type: bot.TypeConsult, State: bot.StateApproved, CreatedAt: time.Date(2026, 11, 23, 10, 0, 0, 0, calendar.Location())}
	r.SLA.Sent = []string{"share:50"}
	tm := c.timing(r, nil)
	var keys []string
	for _, ch := range c.candidates(r, tm) {
		keys = append(keys, ch.key)
	}
	if got := strings.Join(keys, " "); got != "share:80 lead breach" {
		t.Errorf("candidates %q", got)
	}
}

func TestConfigYAML(t *testing.T) {
	tests := []struct {
		name, yaml string
		err        string // substring; "" for valid
	}{
		{"empty", ``, ""},
		{"full", `
calendar: {transfers: false, extra_days_off: [{date: 2027-12-27, name_lv: "Brīvdiena", name_en: "Day off"}]}
policies: {default: 2d, dvs.incident: 4h, consult: 1d4h}
reminders: {shares: [25, 75], lead: 30m}
escalation: {after: 1h, channels: {slack: C0SUP}, person: Dace.Avotina@vraa.gov.lv}`, ""},
		{"bad policy", `policies: {consult: "one day"}`, `invalid policy "one day"`},
		{"unknown type", `policies: {licence.asign: 1d}`, `unknown request type "licence.asign"`},
		{"share 100", `reminders: {shares: [50, 100]}`, "share 100%"},
		{"share 0", `reminders: {shares: [0]}`, "share 0%"},
		{"bad lead", `reminders: {lead: soon}`, `lead "soon"`},
		{"negative after", `escalation: {after: -1h, person: a@vraa.gov.lv}`, `after "-1h"`},
		{"bad person", `escalation: {person: dace}`, `person "dace"`},
		{"empty channel", `escalation: {channels: {slack: ""}}`, "channels"},
		{"calendar transfer on a Tuesday", `calendar: {extra_transfers: [{dayoff: 2027-05-03, workday: 2027-05-04}]}`, "calendar"},
		{"unknown key", `reminder: {lead: 1h}`, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg Config
			dec := yaml.NewDecoder(strings.NewReader(tt.yaml))
			dec.KnownFields(true)
			err := dec.Decode(&cfg)
			if err == nil || err.Error() == "EOF" {
				_, err = New(cfg)
			}
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("error %v, want one containing %q", err, tt.err)
			}
		})
	}
}

func TestEmptySharesMeansNone(t *testing.T) {
	var cfg Config
	if err := yaml.Unmarshal([]byte("reminders: {shares: []}"), &cfg); err != nil {
		t.Fatal(err)
	}
	if c := mustClock(t, cfg); len(c.st.shares) != 0 {
		t.Errorf("shares %v, want none", c.st.shares)
	}
	if c := mustClock(t, Config{}); len(c.st.shares) != 2 {
		t.Errorf("default shares %v", c.st.shares)
	}
}

// Changed wakes Run only for a check earlier than its planned wake-up, or
// when Run is not sleeping on a timer.
func TestChangedWakesOnlyForEarlierChecks(t *testing.T) {
	s := NewScheduler(bot.New(nil, nil), mustClock(t, Config{}))
	at := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	r := func(next time.Time) *bot.Request { return &bot.Request{SLA: bot.SLA{NextCheck: next}} }
	drain := func() bool {
		select {
		case <-s.wake:
			return true
		default:
			return false
		}
	}
	s.planned = at
	s.Changed(r(time.Time{}))
	s.Changed(r(at))
	s.Changed(r(at.Add(time.Hour)))
	if drain() {
		t.Error("woken by a check at or after the planned wake-up")
	}
	s.Changed(r(at.Add(-time.Minute)))
	if !drain() {
		t.Error("not woken by an earlier check")
	}
	s.planned = time.Time{}
	s.Changed(r(at.Add(time.Hour)))
	s.Changed(r(at.Add(time.Hour))) // never blocks
	if !drain() {
		t.Error("not woken while working")
	}
}

func TestFormatBusiness(t *testing.T) {
	tests := []struct {
		d      time.Duration
		lv, en string
	}{
		{0, "0 min", "0 min"},
		{30 * time.Minute, "30 min", "30 min"},
		{2 * time.Hour, "2 st.", "2 h"},
		{-(2*time.Hour + 30*time.Minute + 59*time.Second), "2 st. 30 min", "2 h 30 min"},
		{26 * time.Hour, "26 st.", "26 h"},
	}
	for _, tt := range tests {
		if got := FormatBusiness(bot.LV, tt.d); got != tt.lv {
			t.Errorf("lv %s: %q, want %q", tt.d, got, tt.lv)
		}
		if got := FormatBusiness(bot.EN, tt.d); got != tt.en {
			t.Errorf("en %s: %q, want %q", tt.d, got, tt.en)
		}
	}
	pols := []struct {
		p      sla.Policy
		lv, en string
	}{
		{sla.Policy{Days: 1}, "1 darba diena", "1 working day"},
		{sla.Policy{Days: 2}, "2 darba dienas", "2 working days"},
		{sla.Policy{Days: 10}, "10 darba dienu", "10 working days"},
		{sla.Policy{Business: 4 * time.Hour}, "4 st.", "4 h"},
		{sla.Policy{Days: 1, Business: 4 * time.Hour}, "1 darba diena un 4 st.", "1 working day and 4 h"},
	}
	for _, tt := range pols {
		if got := FormatPolicy(bot.LV, tt.p); got != tt.lv {
			t.Errorf("lv %s: %q, want %q", tt.p, got, tt.lv)
		}
		if got := FormatPolicy(bot.EN, tt.p); got != tt.en {
			t.Errorf("en %s: %q, want %q", tt.p, got, tt.en)
		}
	}
}

// Every notice and due time the clock produces is inside service hours
// (or at the opening that follows a closing time).
func TestNextCheckInsideServiceHours(t *testing.T) {
	c := mustClock(t, Config{Escalation: Escalation{Person: "a@vraa.gov.lv"}})
	rng := rand.New(rand.NewPCG(3, 4))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, calendar.Location())
	for range 3000 {
		r := &bot.Request{Type: bot.TypeConsult, State: bot.StateApproved, CreatedAt: base.Add(time.Duration(rng.Int64N(int64(5 * 365 * 24 * time.Hour)))).Truncate(time.Minute)}
		for {
			c.Apply(r, nil, r.CreatedAt)
			if r.SLA.NextCheck.IsZero() {
				break
			}
			if !c.InService(r.SLA.NextCheck) {
				t.Fatalf("created %s: check %v at %s, outside service hours", r.CreatedAt, r.SLA.Sent, r.SLA.NextCheck)
			}
			if r.SLA.NextCheck.Before(r.CreatedAt) {
				t.Fatalf("created %s: check before the start: %s", r.CreatedAt, r.SLA.NextCheck)
			}
			keys := c.dueKeys(r, nil, r.SLA.NextCheck)
			if len(keys) == 0 {
				t.Fatalf("created %s: nothing due at the next check %s", r.CreatedAt, r.SLA.NextCheck)
			}
			r.SLA.Sent = append(r.SLA.Sent, keys...)
		}
		if len(r.SLA.Sent) < 2 || r.SLA.Sent[len(r.SLA.Sent)-1] != KeyEscalation {
			t.Fatalf("created %s: sent %v, want everything up to the escalation", r.CreatedAt, r.SLA.Sent)
		}
	}
}
