package sla

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"itbot/bot/calendar"
)

var propertyPolicies = []string{"1d", "2d", "4h", "30m", "1d4h", "10h"}

// randomStart draws an instant in 2024–2028 with second and nanosecond noise.
func randomStart(r *rand.Rand) time.Time {
	lo := time.Date(2024, 1, 1, 0, 0, 0, 0, calendar.Location()).UnixNano()
	hi := time.Date(2029, 1, 1, 0, 0, 0, 0, calendar.Location()).UnixNano()
	ns := lo + r.Int64N(hi-lo)
	if r.IntN(3) == 0 { // often exactly on a minute, to hit openings and closings
		ns -= ns % int64(time.Minute)
	}
	return time.Unix(0, ns)
}

// inService reports whether t is inside service hours or exactly a closing
// time (and not an opening time).
func inService(cal *calendar.Calendar, t time.Time) bool {
	o, c, ok := cal.Hours(t)
	return ok && t.After(o) && !t.After(c)
}

func TestPropertiesDue(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 11))
	for _, transfers := range []bool{true, false} {
		k := newClock(t, transfers)
		for _, ps := range propertyPolicies {
			p := mustPolicy(t, ps)
			for range 3000 {
				start := randomStart(r)
				due := k.Due(start, p, nil)
				if !inService(k.Calendar(), due) {
					t.Fatalf("%s Due(%s) = %s is not inside service hours", ps, start, due)
				}
				if !due.After(start) {
					t.Fatalf("%s Due(%s) = %s is not after the start", ps, start, due)
				}
				// The nominal rule and the budget model agree.
				if alt := k.Add(start, k.Budget(start, p)); !alt.Equal(due) {
					t.Fatalf("%s start %s: Due %s != Add(start, Budget) %s", ps, start, due, alt)
				}
				// Remaining is zero at the due time and the budget at the start.
				if rem := k.Remaining(due, start, p, nil); rem != 0 {
					t.Fatalf("%s start %s: Remaining at due = %s", ps, start, rem)
				}
				// A pause that covers no service time does not move the due time.
				_, c := k.Calendar().Interval(start)
				o2, _ := k.Calendar().Interval(c)
				for _, night := range []Pause{{From: c, To: o2}, {From: c.Add(time.Minute), To: o2.Add(-time.Minute)}} {
					if got := k.Due(start, p, []Pause{night}); !got.Equal(due) {
						t.Fatalf("%s start %s: off-hours pause %v moved due %s to %s", ps, start, night, due, got)
					}
				}
			}
		}
	}
}

// TestPropertyMonotonic sweeps 2024–2028 in 11-minute steps (plus random
// points): the due time never decreases as the start increases.
func TestPropertyMonotonic(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, transfers := range []bool{true, false} {
		k := newClock(t, transfers)
		for _, ps := range []string{"1d", "2d", "4h", "1d4h"} {
			p := mustPolicy(t, ps)
			starts := make([]time.Time, 0, 40000)
			for s := time.Date(2024, 1, 1, 0, 0, 0, 0, calendar.Location()); s.Year() < 2029; s = s.Add(11 * time.Minute) {
				if ps != "1d" && r.IntN(8) != 0 {
					continue // full sweep for 1d, a sample for the others
				}
				starts = append(starts, s)
			}
			for range 2000 {
				starts = append(starts, randomStart(r))
			}
			slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
			var prev, prevStart time.Time
			for _, s := range starts {
				due := k.Due(s, p, nil)
				if due.Before(prev) {
					t.Fatalf("%s transfers=%v: Due(%s) = %s < Due(%s) = %s", ps, transfers, s, due, prevStart, prev)
				}
				prev, prevStart = due, s
			}
		}
	}
}

// TestPropertyPauses: with random closed pauses the due time is inside
// service hours, not before start+budget without pauses, and exactly the
// instant at which Remaining reaches zero; hour policies are monotonic in the
// start for fixed pauses.
func TestPropertyPauses(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 14))
	k := newClock(t, true)
	for _, ps := range propertyPolicies {
		p := mustPolicy(t, ps)
		for range 2000 {
			start := randomStart(r)
			var pauses []Pause
			for range r.IntN(4) {
				from := start.Add(time.Duration(r.Int64N(int64(120 * time.Hour))))
				pauses = append(pauses, Pause{From: from, To: from.Add(time.Duration(r.Int64N(int64(72 * time.Hour))))})
			}
			due := k.Due(start, p, pauses)
			if !inService(k.Calendar(), due) {
				t.Fatalf("%s Due(%s, %v) = %s outside service hours", ps, start, pauses, due)
			}
			if nominal := k.Due(start, p, nil); due.Before(nominal) {
				t.Fatalf("%s: pauses made the due earlier: %s < %s", ps, due, nominal)
			}
			if rem := k.Remaining(due, start, p, pauses); rem != 0 {
				t.Fatalf("%s start %s pauses %v: Remaining at due %s = %s", ps, start, pauses, due, rem)
			}
			if p.Days == 0 {
				later := start.Add(time.Duration(r.Int64N(int64(48 * time.Hour))))
				if d2 := k.Due(later, p, pauses); d2.Before(due) {
					t.Fatalf("%s: Due(%s) = %s < Due(%s) = %s with pauses %v", ps, later, d2, start, due, pauses)
				}
			}
		}
	}
}
