package sla

import (
	"testing"
	"time"

	"itbot/bot/calendar"
)

func newClock(t testing.TB, transfers bool) *Clock {
	t.Helper()
	cal, err := calendar.New(calendar.Config{}.WithTransfers(transfers))
	if err != nil {
		t.Fatal(err)
	}
	return NewClock(cal)
}

// at parses a Riga local time "2006-01-02 15:04".
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Location())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustPolicy(t testing.TB, s string) Policy {
	t.Helper()
	p, err := ParsePolicy(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDueWorkedExamples(t *testing.T) {
	on, off := newClock(t, true), newClock(t, false)
	tests := []struct {
		name   string
		clock  *Clock
		start  string
		pauses [][2]string
		want   string
	}{
		{name: "weekday in hours", clock: on, start: "2026-11-23 10:00", want: "2026-11-24 10:00"},
		{name: "Friday closes at 17:00", clock: on, start: "2026-11-26 17:30", want: "2026-11-27 17:00"},
		{name: "Saturday", clock: on, start: "2026-11-28 12:00", want: "2026-11-30 18:00"},
		{name: "shortened day before Christmas", clock: on, start: "2026-12-23 16:30", want: "2026-12-28 16:30"},
		{name: "shortened before New Year's Eve", clock: on, start: "2026-12-29 17:45", want: "2026-12-30 17:00"},
		{name: "Midsummer with transfer", clock: on, start: "2026-06-19 12:00", want: "2026-06-25 12:00"},
		{name: "Midsummer without transfer", clock: off, start: "2026-06-19 12:00", want: "2026-06-22 12:00"},
		{name: "working Saturday", clock: on, start: "2026-01-16 16:30", want: "2026-01-17 16:30"},
		{name: "pause and resume", clock: on, start: "2026-11-23 10:00",
			pauses: [][2]string{{"2026-11-23 14:00", "2026-11-25 09:00"}}, want: "2026-11-25 15:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ps []Pause
			for _, p := range tt.pauses {
				ps = append(ps, Pause{From: at(t, p[0]), To: at(t, p[1])})
			}
			got := tt.clock.Due(at(t, tt.start), DefaultPolicy, ps)
			if want := at(t, tt.want); !got.Equal(want) {
				t.Errorf("Due(%s) = %s, want %s", tt.start, got, want)
			}
		})
	}
}
