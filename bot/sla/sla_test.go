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

func TestDueOtherCases(t *testing.T) {
	on := newClock(t, true)
	tests := []struct {
		name, policy, start, want string
	}{
		{"1d at opening is the same day's close", "1d", "2026-11-23 08:00", "2026-11-23 18:00"},
		{"1d one minute after opening", "1d", "2026-11-23 08:01", "2026-11-24 08:01"},
		{"1d at closing counts from the next opening", "1d", "2026-11-23 18:00", "2026-11-24 18:00"},
		{"1d before opening", "1d", "2026-11-23 06:30", "2026-11-23 18:00"},
		{"1d Friday after hours", "1d", "2026-11-27 17:00", "2026-11-30 18:00"},
		{"1d Sunday before Friday close", "1d", "2026-11-26 19:00", "2026-11-27 17:00"},
		{"1d across summer time", "1d", "2026-03-27 12:00", "2026-03-30 12:00"},
		{"1d across winter time", "1d", "2026-10-23 16:59", "2026-10-26 16:59"},
		{"1d observed Song Festival", "1d", "2028-07-07 10:00", "2028-07-11 10:00"},
		{"1d observed 18 Nov", "1d", "2028-11-17 15:30", "2028-11-21 15:30"},
		{"1d to working Saturday before Mother's Day", "1d", "2025-05-09 16:30", "2025-05-10 16:00"},
		{"1d from working Saturday", "1d", "2026-06-27 12:00", "2026-06-29 12:00"},
		{"1d across the year", "1d", "2026-12-30 16:00", "2027-01-04 16:00"},
		{"2d", "2d", "2026-11-23 10:00", "2026-11-25 10:00"},
		{"2d clamps only once", "2d", "2026-11-26 17:30", "2026-11-30 17:30"},
		{"2d at opening", "2d", "2026-11-23 08:00", "2026-11-24 18:00"},
		{"4h", "4h", "2026-11-23 10:00", "2026-11-23 14:00"},
		{"4h over the night", "4h", "2026-11-23 16:00", "2026-11-24 10:00"},
		{"4h ending at close", "4h", "2026-11-23 14:00", "2026-11-23 18:00"},
		{"4h from weekend", "4h", "2026-11-28 12:00", "2026-11-30 12:00"},
		{"30m", "30m", "2026-12-23 16:45", "2026-12-28 08:15"},
		{"10h is one full day, not the next opening", "10h", "2026-11-23 08:00", "2026-11-23 18:00"},
		{"1d4h", "1d4h", "2026-11-23 10:00", "2026-11-24 14:00"},
		{"1d4h over the night", "1d4h", "2026-11-23 16:00", "2026-11-25 10:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := on.Due(at(t, tt.start), mustPolicy(t, tt.policy), nil)
			if want := at(t, tt.want); !got.Equal(want) {
				t.Errorf("Due(%s, %s) = %s, want %s", tt.start, tt.policy, got, want)
			}
			if got.Location() != calendar.Location() {
				t.Errorf("Due in %s, want Europe/Riga", got.Location())
			}
		})
	}
}

func TestDuePauses(t *testing.T) {
	k := newClock(t, true)
	type pz = [2]string // To "" = still paused
	tests := []struct {
		name   string
		policy string
		start  string
		pauses []pz
		want   string // "" = undefined (zero)
	}{
		{"brief example", "1d", "2026-11-23 10:00", []pz{{"2026-11-23 14:00", "2026-11-25 09:00"}}, "2026-11-25 15:00"},
		{"still paused", "1d", "2026-11-23 10:00", []pz{{"2026-11-23 14:00", ""}}, ""},
		{"paused after the due", "1d", "2026-11-23 10:00", []pz{{"2026-11-24 11:00", ""}}, "2026-11-24 10:00"},
		{"paused exactly at the due", "1d", "2026-11-23 10:00", []pz{{"2026-11-24 10:00", "2026-11-30 10:00"}}, "2026-11-24 10:00"},
		{"pause outside service hours changes nothing", "1d", "2026-11-23 10:00", []pz{{"2026-11-23 18:30", "2026-11-24 07:00"}}, "2026-11-24 10:00"},
		{"pause before the start", "1d", "2026-11-23 10:00", []pz{{"2026-11-20 10:00", "2026-11-23 12:00"}}, "2026-11-24 12:00"},
		{"paused before the start and still", "1d", "2026-11-23 10:00", []pz{{"2026-11-20 10:00", ""}}, ""},
		{"two pauses, unsorted", "1d", "2026-11-23 10:00", []pz{
			{"2026-11-24 09:00", "2026-11-24 11:00"}, {"2026-11-23 12:00", "2026-11-23 13:00"}}, "2026-11-24 13:00"},
		{"overlapping pauses", "1d", "2026-11-23 10:00", []pz{
			{"2026-11-23 12:00", "2026-11-23 15:00"}, {"2026-11-23 13:00", "2026-11-23 14:00"}}, "2026-11-24 13:00"},
		{"empty pause ignored", "1d", "2026-11-23 10:00", []pz{{"2026-11-23 12:00", "2026-11-23 12:00"}}, "2026-11-24 10:00"},
		{"resume into Friday", "1d", "2026-11-23 10:00", []pz{{"2026-11-23 14:00", "2026-11-27 16:00"}}, "2026-11-30 13:00"},
		{"resume over Christmas", "1d", "2026-12-22 17:00", []pz{{"2026-12-23 09:00", "2026-12-23 16:00"}}, "2026-12-28 15:00"},
		{"4h with pause", "4h", "2026-11-23 10:00", []pz{{"2026-11-23 11:00", "2026-11-23 15:00"}}, "2026-11-23 18:00"},
		{"4h with pause into the next day", "4h", "2026-11-23 10:00", []pz{{"2026-11-23 11:00", "2026-11-23 16:00"}}, "2026-11-24 09:00"},
		{"start outside hours, paused before opening", "1d", "2026-11-28 12:00", []pz{{"2026-11-29 12:00", "2026-11-30 12:00"}}, "2026-12-01 12:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ps []Pause
			for _, p := range tt.pauses {
				pp := Pause{From: at(t, p[0])}
				if p[1] != "" {
					pp.To = at(t, p[1])
				}
				ps = append(ps, pp)
			}
			orig := append([]Pause(nil), ps...)
			got := k.Due(at(t, tt.start), mustPolicy(t, tt.policy), ps)
			if tt.want == "" {
				if !got.IsZero() {
					t.Errorf("Due = %s, want zero (still paused)", got)
				}
			} else if want := at(t, tt.want); !got.Equal(want) {
				t.Errorf("Due = %s, want %s", got, want)
			}
			for i := range ps {
				if ps[i] != orig[i] {
					t.Fatal("Due reordered the caller's pauses")
				}
			}
		})
	}
}

func TestBudgetAndRemaining(t *testing.T) {
	k := newClock(t, true)
	start := at(t, "2026-11-23 10:00")
	if b := k.Budget(start, DefaultPolicy); b != 10*time.Hour {
		t.Errorf("Budget = %s, want 10h", b)
	}
	if b := k.Budget(at(t, "2026-11-26 17:30"), DefaultPolicy); b != 9*time.Hour+30*time.Minute {
		t.Errorf("Budget Thu 17:30 = %s, want 9h30m", b)
	}
	ps := []Pause{{From: at(t, "2026-11-23 14:00"), To: at(t, "2026-11-25 09:00")}}
	for _, tt := range []struct {
		now  string
		want time.Duration
	}{
		{"2026-11-23 09:00", 10 * time.Hour},                  // before the start
		{"2026-11-23 13:00", 7 * time.Hour},                   // running
		{"2026-11-24 12:00", 6 * time.Hour},                   // paused: frozen
		{"2026-11-25 09:00", 6 * time.Hour},                   // resumed
		{"2026-11-25 15:00", 0},                               // at the due
		{"2026-11-25 16:30", -90 * time.Minute},               // overdue
		{"2026-11-26 09:00", -(3*time.Hour + 60*time.Minute)}, // overdue over the night
		{"2026-11-28 09:00", -(3*time.Hour + 19*time.Hour)},   // weekend: Thu 10h + Fri 9h
		{"2026-11-23 14:00", 6 * time.Hour},                   // at the pause
		{"2026-11-23 13:59", 6*time.Hour + time.Minute},       // just before it
		{"2026-11-25 08:00", 6 * time.Hour},                   // paused still
		{"2026-11-25 10:00", 5 * time.Hour},                   // resumed, 1 h used
		{"2026-11-25 18:00", -3 * time.Hour},                  // closing time
		{"2026-11-26 08:00", -3 * time.Hour},                  // next opening
		{"2026-11-26 08:30", -(3*time.Hour + 30*time.Minute)}, // overdue
		{"2026-11-27 17:00", -(3*time.Hour + 19*time.Hour)},   // Friday close
		{"2026-11-30 08:00", -(3*time.Hour + 19*time.Hour)},   // Monday opening
		{"2026-11-30 09:00", -(3*time.Hour + 20*time.Hour)},   // Monday
		{"2026-11-24 18:00", 6 * time.Hour},                   // paused
		{"2026-11-23 18:00", 6 * time.Hour},                   // paused
		{"2026-11-23 10:00", 10 * time.Hour},                  // at the start
		{"2026-11-23 11:00", 9 * time.Hour},                   // running
		{"2026-11-25 14:59", time.Minute},                     // almost due
		{"2026-11-25 15:01", -time.Minute},                    // just overdue
		{"2026-11-25 17:59", -(2*time.Hour + 59*time.Minute)}, // late
		{"2026-11-26 17:59", -(3*time.Hour + 9*time.Hour + 59*time.Minute)},
	} {
		if got := k.Remaining(at(t, tt.now), start, DefaultPolicy, ps); got != tt.want {
			t.Errorf("Remaining(%s) = %s, want %s", tt.now, got, tt.want)
		}
	}
	open := []Pause{{From: at(t, "2026-11-23 14:00")}}
	if got := k.Remaining(at(t, "2026-12-30 12:00"), start, DefaultPolicy, open); got != 6*time.Hour {
		t.Errorf("Remaining while still paused = %s, want 6h", got)
	}
}

func TestAddAndBusinessBetween(t *testing.T) {
	k := newClock(t, true)
	for _, tt := range []struct {
		from string
		d    time.Duration
		want string
	}{
		{"2026-11-23 10:00", 0, "2026-11-23 10:00"},
		{"2026-11-28 10:00", 0, "2026-11-28 10:00"}, // zero leaves t alone
		{"2026-11-23 10:00", 8 * time.Hour, "2026-11-23 18:00"},
		{"2026-11-27 08:00", 9 * time.Hour, "2026-11-27 17:00"},
		{"2026-11-27 08:00", 19 * time.Hour, "2026-11-30 18:00"},
		{"2026-12-23 16:00", 2 * time.Hour, "2026-12-28 09:00"},
		{"2026-11-23 10:00", 100 * time.Hour, "2026-12-07 12:00"}, // 8+4*10+9 +4*10+9 = 96 h by Fri 4 Dec
	} {
		got := k.Add(at(t, tt.from), tt.d)
		if want := at(t, tt.want); !got.Equal(want) {
			t.Errorf("Add(%s, %s) = %s, want %s", tt.from, tt.d, got, want)
		}
		if bb := k.BusinessBetween(at(t, tt.from), got); bb != tt.d {
			t.Errorf("BusinessBetween(%s, Add(...)) = %s, want %s", tt.from, bb, tt.d)
		}
	}
	// A nanosecond more than the rest of the day goes to the next opening.
	if got := k.Add(at(t, "2026-11-23 10:00"), 8*time.Hour+1); !got.Equal(at(t, "2026-11-24 08:00").Add(1)) {
		t.Errorf("Add(+1ns) = %s", got)
	}
	if got := k.BusinessBetween(at(t, "2026-11-24 10:00"), at(t, "2026-11-23 10:00")); got != 0 {
		t.Errorf("reversed BusinessBetween = %s", got)
	}
	// A whole year: 2026 has 250 working days under the default calendar;
	// its service time is at least 250*8 h and at most 250*10 h.
	y := k.BusinessBetween(at(t, "2026-01-01 00:00"), at(t, "2027-01-01 00:00"))
	if y < 250*8*time.Hour || y > 252*10*time.Hour {
		t.Errorf("business time in 2026 = %s", y)
	}
}
