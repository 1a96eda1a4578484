package sla

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"itbot/bot/calendar"
)

func TestParsePolicy(t *testing.T) {
	for in, want := range map[string]Policy{
		"1d":     {Days: 1},
		" 2d ":   {Days: 2},
		"4h":     {Business: 4 * time.Hour},
		"30m":    {Business: 30 * time.Minute},
		"1d4h":   {Days: 1, Business: 4 * time.Hour},
		"1h30m":  {Business: 90 * time.Minute},
		"0d2h":   {Business: 2 * time.Hour},
		"10d":    {Days: 10},
		"1d0h":   {Days: 1},
		"2d1h1m": {Days: 2, Business: time.Hour + time.Minute},
	} {
		got, err := ParsePolicy(in)
		if err != nil || got != want {
			t.Errorf("ParsePolicy(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if back, err := ParsePolicy(got.String()); err != nil || back != got {
			t.Errorf("ParsePolicy(%q.String() = %q) = %+v, %v", in, got.String(), back, err)
		}
	}
	for _, in := range []string{"", "0d", "0h", "d", "1", "-1d", "1d-2h", "x1d", "1w", "4 hours", "1.5d", "d4h", "99999d"} {
		if p, err := ParsePolicy(in); err == nil {
			t.Errorf("ParsePolicy(%q) = %+v, want an error", in, p)
		}
	}
	if DefaultPolicy.String() != "1d" {
		t.Errorf("DefaultPolicy = %s", DefaultPolicy)
	}
}

func TestParsePolicies(t *testing.T) {
	ps, err := ParsePolicies(map[string]string{"incident": "4h", "licence_purchase": "2d"})
	if err != nil {
		t.Fatal(err)
	}
	if ps.For("incident") != (Policy{Business: 4 * time.Hour}) || ps.For("licence_purchase") != (Policy{Days: 2}) {
		t.Errorf("policies: %+v", ps)
	}
	if ps.For("mailbox_create") != DefaultPolicy {
		t.Errorf("default = %s", ps.For("mailbox_create"))
	}
	ps, err = ParsePolicies(map[string]string{"default": "2d"})
	if err != nil || ps.For("anything") != (Policy{Days: 2}) {
		t.Errorf("default override: %+v %v", ps, err)
	}
	if (Policies{}).For("x") != DefaultPolicy {
		t.Error("zero Policies has no default")
	}
	if _, err := ParsePolicies(map[string]string{"incident": "soon"}); err == nil || !strings.Contains(err.Error(), "incident") {
		t.Errorf("bad policy error = %v", err)
	}
}

func TestParseTimeAndPause(t *testing.T) {
	riga := calendar.Location()
	want := time.Date(2026, 12, 23, 16, 30, 0, 0, riga)
	for _, in := range []string{"2026-12-23T16:30", "2026-12-23T16:30:00", "2026-12-23 16:30", "2026-12-23T16:30:00+02:00",
		"2026-12-23T14:30:00Z", "2026-12-23T16:30+02:00", "2026-12-23T15:30:00.000+01:00"} {
		got, err := ParseTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %s, %v", in, got, err)
		}
		if got.Location() != riga {
			t.Errorf("ParseTime(%q) in %s, want Europe/Riga", in, got.Location())
		}
	}
	// Summer time: no offset means Riga's summer offset.
	if got, _ := ParseTime("2026-06-19T12:00"); got.Format(time.RFC3339) != "2026-06-19T12:00:00+03:00" {
		t.Errorf("summer ParseTime = %s", got.Format(time.RFC3339))
	}
	for _, in := range []string{"", "2026-12-23", "23.12.2026 16:30", "2026-12-23T25:00", "tomorrow"} {
		if _, err := ParseTime(in); err == nil {
			t.Errorf("ParseTime(%q) accepted", in)
		}
	}

	p, err := ParsePause("2026-11-23T14:00/2026-11-25T09:00")
	if err != nil || !p.From.Equal(time.Date(2026, 11, 23, 14, 0, 0, 0, riga)) || !p.To.Equal(time.Date(2026, 11, 25, 9, 0, 0, 0, riga)) {
		t.Errorf("ParsePause = %+v, %v", p, err)
	}
	if p, err := ParsePause("2026-11-23T14:00/"); err != nil || !p.Open() {
		t.Errorf("open ParsePause = %+v, %v", p, err)
	}
	for _, in := range []string{"2026-11-23T14:00", "2026-11-25T09:00/2026-11-23T14:00", "2026-11-23T14:00/2026-11-23T14:00", "/2026-11-23T14:00", "x/y"} {
		if _, err := ParsePause(in); err == nil {
			t.Errorf("ParsePause(%q) accepted", in)
		}
	}
}

func TestPausesFromHistory(t *testing.T) {
	h := func(s string) time.Time { return at(t, s) }
	changes := []StateChange{
		{h("2026-11-23 10:00"), "new"},
		{h("2026-11-23 10:05"), "in_progress"},
		{h("2026-11-23 14:00"), StateAwaitingInfo},
		{h("2026-11-24 09:00"), StateAwaitingProcurement}, // same pause continues
		{h("2026-11-25 09:00"), "in_progress"},
		{h("2026-11-26 11:00"), "awaiting_info"},
	}
	got := PausesFromHistory(changes)
	want := []Pause{{From: h("2026-11-23 14:00"), To: h("2026-11-25 09:00")}, {From: h("2026-11-26 11:00")}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("PausesFromHistory = %+v, want %+v", got, want)
	}
	k := newClock(t, true)
	if due := k.Due(h("2026-11-23 10:00"), DefaultPolicy, got[:1]); !due.Equal(h("2026-11-25 15:00")) {
		t.Errorf("due from history = %s", due)
	}
	if len(PausesFromHistory(nil)) != 0 || !IsPausing("awaiting_procurement") || IsPausing("done") {
		t.Error("IsPausing / empty history")
	}
}

func TestRunDueCLI(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--at", "2026-11-23T10:00"}, "2026-11-24T10:00:00+02:00\n"},
		{[]string{"--at", "2026-11-26T17:30", "--policy", "1d"}, "2026-11-27T17:00:00+02:00\n"},
		{[]string{"--at", "2026-11-28T12:00"}, "2026-11-30T18:00:00+02:00\n"},
		{[]string{"--at", "2026-12-23T16:30"}, "2026-12-28T16:30:00+02:00\n"},
		{[]string{"--at", "2026-12-29T17:45"}, "2026-12-30T17:00:00+02:00\n"},
		{[]string{"--at", "2026-06-19T12:00"}, "2026-06-25T12:00:00+03:00\n"},
		{[]string{"--at", "2026-06-19T12:00", "--no-transfers"}, "2026-06-22T12:00:00+03:00\n"},
		{[]string{"--at", "2026-01-16T16:30"}, "2026-01-17T16:30:00+02:00\n"},
		{[]string{"--at", "2026-11-23T10:00", "--pause", "2026-11-23T14:00/2026-11-25T09:00"}, "2026-11-25T15:00:00+02:00\n"},
		{[]string{"--at", "2026-11-23T08:00:00Z", "--policy", "4h"}, "2026-11-23T14:00:00+02:00\n"},
		{[]string{"--at", "2026-11-23T10:00", "--pause", "2026-11-23T12:00/2026-11-23T13:00", "--pause", "2026-11-24T09:00/2026-11-24T11:00"},
			"2026-11-24T13:00:00+02:00\n"},
		{[]string{"--at", "2026-11-23T10:00", "--pause", "2026-11-23T14:00/"}, "paused (6h0m0s of business time left)\n"},
	} {
		var out bytes.Buffer
		if err := RunDueCLI(tt.args, &out); err != nil {
			t.Errorf("RunDueCLI(%q): %v", tt.args, err)
			continue
		}
		if out.String() != tt.want {
			t.Errorf("RunDueCLI(%q) = %q, want %q", tt.args, out.String(), tt.want)
		}
	}
	for _, args := range [][]string{
		nil,
		{"--at", "yesterday"},
		{"--at", "2026-11-23T10:00", "--policy", "soon"},
		{"--at", "2026-11-23T10:00", "--pause", "2026-11-23T14:00"},
		{"--at", "2026-11-23T10:00", "extra"},
		{"--bogus"},
	} {
		if err := RunDueCLI(args, &bytes.Buffer{}); err == nil {
			t.Errorf("RunDueCLI(%q) accepted", args)
		}
	}
	var help bytes.Buffer
	if err := RunDueCLI([]string{"-h"}, &help); !errors.Is(err, flag.ErrHelp) || !strings.Contains(help.String(), "usage: itbot sla due") {
		t.Errorf("-h: %v %q", err, help.String())
	}
	// A configured calendar is honoured.
	cfg := calendar.Config{ExtraDaysOff: []calendar.DayOff{{Date: calendar.Date{Year: 2026, Month: 11, Day: 24}}}}
	var out bytes.Buffer
	if err := RunDueCLIConfig(cfg, []string{"--at", "2026-11-23T10:00"}, &out); err != nil || out.String() != "2026-11-25T10:00:00+02:00\n" {
		t.Errorf("RunDueCLIConfig = %q, %v", out.String(), err)
	}
}
