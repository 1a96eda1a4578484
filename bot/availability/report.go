package availability

import (
	"fmt"
	"math"
	"time"

	"itbot/bot"
)

// Timeline is a service's states, one per minute from Start.
type Timeline struct {
	Start  time.Time // a minute, UTC
	States []State
}

// End returns the end of the last minute.
func (t *Timeline) End() time.Time { return t.Start.Add(time.Duration(len(t.States)) * time.Minute) }

// At returns the state of the minute containing x (Unknown outside).
func (t *Timeline) At(x time.Time) State {
	i := int(x.Sub(t.Start) / time.Minute)
	if x.Before(t.Start) || i >= len(t.States) {
		return Unknown
	}
	return t.States[i]
}

// Span is a run of minutes in one state: [Start, End).
type Span struct {
	State      State
	Start, End time.Time
}

// Duration returns the span's length.
func (s Span) Duration() time.Duration { return s.End.Sub(s.Start) }

// Spans returns the runs of equal states in [from, to), clipped to the
// timeline.
func (t *Timeline) Spans(from, to time.Time) []Span {
	i0 := max(0, int(Minute(from).Sub(t.Start)/time.Minute))
	i1 := min(len(t.States), int(Minute(to).Sub(t.Start)/time.Minute))
	var out []Span
	for i := i0; i < i1; {
		j := i + 1
		for j < i1 && t.States[j] == t.States[i] {
			j++
		}
		out = append(out, Span{State: t.States[i], Start: t.Start.Add(time.Duration(i) * time.Minute), End: t.Start.Add(time.Duration(j) * time.Minute)})
		i = j
	}
	return out
}

// Outage is a run of Down minutes. In a report it is clipped to the
// period: Before is set when it began before the period, After when it
// went on past its end; Ongoing when it lasts until now.
type Outage struct {
	Start, End time.Time
	Before     bool
	After      bool
	Ongoing    bool
}

// Duration returns the outage's length (inside the period).
func (o Outage) Duration() time.Duration { return o.End.Sub(o.Start) }

// Minutes returns the duration in whole minutes.
func (o Outage) Minutes() int { return int(o.Duration() / time.Minute) }

// Target is a monitored service and its monthly promise.
type Target struct {
	// Service is the id used in storage and config ("dvs", "exchange").
	Service string
	// Name is what people read ("DVS", "Exchange Online").
	Name string
	// Goal is the promised availability in percent (99.5).
	Goal float64
}

// Report is a service's availability over a period (a month), measured
// up to Now.
type Report struct {
	Target
	// From and To bound the period: [From, To).
	From, To time.Time
	// Now is when the report was made; minutes from Now on are Future.
	Now time.Time
	// Minutes is the period's length; Up, Down, Unknown and Future split
	// it.
	Minutes, Up, Down, Unknown, Future int
	Outages                            []Outage
	// Gaps are the runs of Unknown minutes (itbot was not running).
	Gaps []Span
	// Timeline holds the period's minutes.
	Timeline *Timeline
	// Current is the service's state now as the monitor last saw it, with
	// its health and since when; zero when there is no recent probe.
	Current State
	Since   time.Time
	Health  *bot.Health
	// MinMeasured is the share (0–1) of the period so far that must be
	// measured for a verdict on the target: below it the availability is
	// shown with how little it rests on, and neither met nor missed.
	MinMeasured float64
}

// DefaultMinMeasured is the share of a period that must be measured for a
// verdict unless configured otherwise.
const DefaultMinMeasured = 0.5

// Elapsed returns the minutes of the period up to now.
func (r *Report) Elapsed() int { return r.Minutes - r.Future }

// MeasuredShare returns the share (0–1) of the period so far with a known
// state; NaN before the period began.
func (r *Report) MeasuredShare() float64 {
	if r.Elapsed() <= 0 {
		return math.NaN()
	}
	return float64(r.Measured()) / float64(r.Elapsed())
}

// HasVerdict reports whether enough of the period so far was measured to
// say whether the target is met.
func (r *Report) HasVerdict() bool {
	share := r.MeasuredShare()
	return r.Measured() > 0 && !math.IsNaN(share) && share >= r.MinMeasured
}

// Month returns the Riga calendar month containing t: [first day 00:00,
// next month's first day 00:00), as instants.
func Month(t time.Time) (from, to time.Time) {
	r := t.In(bot.TimeZone)
	from = time.Date(r.Year(), r.Month(), 1, 0, 0, 0, 0, bot.TimeZone)
	return from, from.AddDate(0, 1, 0)
}

// ParseMonth reads "2026-11" as that Riga month.
func ParseMonth(s string) (from, to time.Time, err error) {
	t, err := time.ParseInLocation("2006-01", s, bot.TimeZone)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("month %q: want YYYY-MM, e.g. 2026-11", s)
	}
	from, to = Month(t)
	return from, to, nil
}

// Compute makes the report of target over [from, to) at now from tl, which
// must cover the period and, to tell whether an outage began before the
// period or went on after it, one minute either side.
func Compute(tl *Timeline, target Target, from, to, now time.Time) *Report {
	from, to = Minute(from), Minute(to)
	r := &Report{Target: target, From: from, To: to, Now: now, Minutes: int(to.Sub(from) / time.Minute)}
	// Measured up to the last whole minute, and the current one once it
	// has a sample.
	end := to
	if n := Minute(now); n.Before(end) {
		end = n
		if tl.At(n) != Unknown {
			end = n.Add(time.Minute)
		}
	}
	if end.Before(from) {
		end = from
	}
	r.Future = int(to.Sub(end) / time.Minute)
	for _, sp := range tl.Spans(from, end) {
		n := int(sp.Duration() / time.Minute)
		switch sp.State {
		case Up:
			r.Up += n
		case Down:
			r.Down += n
			o := Outage{Start: sp.Start, End: sp.End}
			if sp.Start.Equal(from) && tl.At(from.Add(-time.Minute)) == Down {
				o.Before = true
			}
			if sp.End.Equal(end) {
				if end.Equal(to) {
					o.After = tl.At(to) == Down
				} else {
					o.Ongoing = true
				}
			}
			r.Outages = append(r.Outages, o)
		default:
			r.Unknown += n
			r.Gaps = append(r.Gaps, sp)
		}
	}
	r.Timeline = &Timeline{Start: from, States: tl.States[max(0, int(from.Sub(tl.Start)/time.Minute)):min(len(tl.States), int(to.Sub(tl.Start)/time.Minute))]}
	return r
}

// Measured returns the minutes with a known state.
func (r *Report) Measured() int { return r.Up + r.Down }

// Availability returns up / (up + down) in percent; NaN when nothing was
// measured.
func (r *Report) Availability() float64 {
	if r.Measured() == 0 {
		return math.NaN()
	}
	return 100 * float64(r.Up) / float64(r.Measured())
}

// Budget returns the period's downtime budget in minutes: (100 − Goal) %
// of the whole period.
func (r *Report) Budget() float64 {
	return math.Round((100-r.Goal)*float64(r.Minutes)*1e4) / 1e6 // rounded off the float noise of 100 − 99.9
}

// BudgetLeft returns the budget minus the downtime so far (negative when
// overspent).
func (r *Report) BudgetLeft() float64 { return r.Budget() - float64(r.Down) }

// BudgetUsed returns the share of the budget used (1 = all of it).
func (r *Report) BudgetUsed() float64 {
	if b := r.Budget(); b > 0 {
		return float64(r.Down) / b
	}
	if r.Down > 0 {
		return math.Inf(1)
	}
	return 0
}

// Met reports whether the availability so far meets the goal (true when
// nothing was measured).
func (r *Report) Met() bool {
	a := r.Availability()
	return math.IsNaN(a) || a >= r.Goal
}

// CumulativeByDay returns, for each day of the period (Riga days) that has
// begun by Now, the availability in percent from the period's start to
// that day's end (NaN before anything was measured); for charts.
func (r *Report) CumulativeByDay() []float64 {
	var out []float64
	up, down := 0, 0
	day := r.From
	for day.Before(r.To) && day.Before(r.Now) {
		next := nextDay(day)
		for _, sp := range r.Timeline.Spans(day, next) {
			n := int(sp.Duration() / time.Minute)
			switch sp.State {
			case Up:
				up += n
			case Down:
				down += n
			}
		}
		if up+down == 0 {
			out = append(out, math.NaN())
		} else {
			out = append(out, 100*float64(up)/float64(up+down))
		}
		day = next
	}
	return out
}

func nextDay(t time.Time) time.Time {
	r := t.In(bot.TimeZone)
	return time.Date(r.Year(), r.Month(), r.Day()+1, 0, 0, 0, 0, bot.TimeZone)
}
