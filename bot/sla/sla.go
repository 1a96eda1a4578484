// Package sla computes SLA due times on the Latvian business calendar of
// package calendar. It is pure arithmetic: no clocks, no goroutines, no
// knowledge of the bot's request type. The scheduler and the request
// lifecycle build on it with plain inputs: a start instant, a Policy and the
// pauses of the clock.
//
// # Business time
//
// Business time runs only inside service hours (calendar.Interval). Clock.Add
// adds business time; a result that would fall exactly on an opening instant
// is reported as the previous working day's closing instant, which is the
// same point of business time (so Add never returns an opening time).
// Clock.BusinessBetween measures business time between two instants.
//
// # Policies
//
// A Policy is "Nd" working days plus a business duration: "1d" (the default),
// "2d", "4h", "30m", "1d4h". The day part follows the agency's rule for
// "processed within one working day":
//
//   - Let S be the start, moved to the next opening if it is outside service
//     hours (a closing instant is outside).
//   - The nominal due D0 is S's clock time on the N-th next working day, but
//     no later than that day's closing time. If it is at (or before) that
//     day's opening, it is reported as the previous working day's closing
//     time. So a request received at 08:00, on a weekend or after hours is due
//     at the close of the working day on which its clock starts.
//   - The hour part is then added in business time from D0.
//
// # Pauses: the budget model
//
// While a request is awaiting_info or awaiting_procurement its clock stops.
// The policy is turned into a business-time budget B = BusinessBetween(S, D0)
// plus the hour part (for "Mon 10:00 + 1d": Mon 10–18 and Tue 08–10 = 10 h).
// The clock consumes business time from the start except during pauses; the
// due time is the instant at which the consumed business time reaches B.
// Without pauses that instant is exactly D0 (plus the hour part). With a pause,
// the business time left when the pause began is added, in business time,
// from the moment the request resumes: Mon 10:00 start, paused Mon 14:00
// (4 h used, 6 h left), resumed Wed 09:00 → due Wed 15:00.
//
// While the clock is still stopped (a Pause with a zero To) and the budget
// was not used up before the pause began, the due time is undefined and Due
// returns the zero time; Remaining still reports the frozen business time
// left. The due time is non-decreasing in the start when there are no pauses;
// with pauses the budget is frozen at the start (a request paused at once
// keeps its full working day).
package sla

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"itbot/bot/calendar"
)

// Policy is an SLA policy: Days working days (see the package comment) and
// then Business more business time.
type Policy struct {
	Days     int
	Business time.Duration
}

// DefaultPolicy is "1d", one working day.
var DefaultPolicy = Policy{Days: 1}

// ParsePolicy parses a policy such as "1d", "2d", "4h", "30m" or "1d4h".
// The day part must come first; the rest is a Go duration. The policy must
// be positive.
func ParsePolicy(s string) (Policy, error) {
	in := strings.TrimSpace(s)
	var p Policy
	rest := in
	if i := strings.IndexByte(rest, 'd'); i >= 0 {
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n < 0 || n > 3660 {
			return Policy{}, fmt.Errorf("sla: invalid policy %q: want e.g. 1d, 2d, 4h, 30m, 1d4h", s)
		}
		p.Days, rest = n, rest[i+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return Policy{}, fmt.Errorf("sla: invalid policy %q: want e.g. 1d, 2d, 4h, 30m, 1d4h", s)
		}
		p.Business = d
	}
	if p.Days == 0 && p.Business <= 0 {
		return Policy{}, fmt.Errorf("sla: invalid policy %q: must be longer than zero", s)
	}
	return p, nil
}

// String formats p in the syntax ParsePolicy accepts ("1d", "4h0m0s", "1d30m0s").
func (p Policy) String() string {
	var sb strings.Builder
	if p.Days > 0 {
		sb.WriteString(strconv.Itoa(p.Days) + "d")
	}
	if p.Business > 0 || p.Days == 0 {
		sb.WriteString(p.Business.String())
	}
	return sb.String()
}

// Policies maps request types to policies.
type Policies struct {
	// Default applies to request types not in ByType.
	Default Policy
	// ByType holds the policy of each configured request type.
	ByType map[string]Policy
}

// ParsePolicies parses the configured type→policy map. The key "default"
// sets the default policy, which is otherwise DefaultPolicy ("1d").
func ParsePolicies(m map[string]string) (Policies, error) {
	ps := Policies{Default: DefaultPolicy, ByType: make(map[string]Policy, len(m))}
	for typ, s := range m {
		p, err := ParsePolicy(s)
		if err != nil {
			return Policies{}, fmt.Errorf("sla: request type %q: %w", typ, err)
		}
		if typ == "default" {
			ps.Default = p
		} else {
			ps.ByType[typ] = p
		}
	}
	return ps, nil
}

// For reports the policy of a request type.
func (ps Policies) For(requestType string) Policy {
	if p, ok := ps.ByType[requestType]; ok {
		return p
	}
	if ps.Default == (Policy{}) {
		return DefaultPolicy
	}
	return ps.Default
}

// Pause is an interval during which the SLA clock is stopped. A zero To
// means the clock is still stopped. Pauses may overlap and come in any
// order; a pause with To not after From is ignored.
type Pause struct {
	From, To time.Time
}

// Open reports whether the pause has not ended.
func (p Pause) Open() bool { return p.To.IsZero() }

// Clock does business-time arithmetic on a calendar. It is safe for
// concurrent use.
type Clock struct {
	cal *calendar.Calendar
}

// NewClock returns a Clock on cal.
func NewClock(cal *calendar.Calendar) *Clock { return &Clock{cal: cal} }

// Calendar reports the calendar of k.
func (k *Clock) Calendar() *calendar.Calendar { return k.cal }

// Add reports the instant at which d of business time has passed after t.
// For d <= 0 it reports t. The result is inside service hours or exactly a
// closing time, never an opening time.
func (k *Clock) Add(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	for {
		o, c := k.cal.Interval(t)
		if c.IsZero() {
			return time.Time{}
		}
		if o.After(t) {
			t = o
		}
		avail := c.Sub(t)
		if d <= avail {
			return t.Add(d).In(calendar.Location())
		}
		d -= avail
		t = c
	}
}

// BusinessBetween reports the business time between a and b (zero if b is
// not after a).
func (k *Clock) BusinessBetween(a, b time.Time) time.Duration {
	var sum time.Duration
	t := a
	for t.Before(b) {
		o, c := k.cal.Interval(t)
		if c.IsZero() || !o.Before(b) {
			break
		}
		if o.After(t) {
			t = o
		}
		if c.After(b) {
			c = b
		}
		sum += c.Sub(t)
		t = c
	}
	return sum
}

// nominal reports the due time of p from start without pauses, and the
// start moved to the next opening if it was outside service hours.
func (k *Clock) nominal(start time.Time, p Policy) (due, s time.Time) {
	o, c := k.cal.Interval(start)
	if c.IsZero() {
		return time.Time{}, time.Time{}
	}
	s = start
	if o.After(s) {
		s = o
	}
	if p.Days == 0 {
		return k.Add(s, p.Business), s
	}
	prevClose := c
	for range p.Days {
		prevClose = c
		o, c = k.cal.Interval(c)
		if c.IsZero() {
			return time.Time{}, s
		}
	}
	ls := s.In(calendar.Location())
	y, m, d := o.Date()
	due = time.Date(y, m, d, ls.Hour(), ls.Minute(), ls.Second(), ls.Nanosecond(), calendar.Location())
	if due.After(c) {
		due = c
	}
	if !due.After(o) {
		due = prevClose
	}
	return k.Add(due, p.Business), s
}

// Budget reports the business time that policy p allows for a request
// started at start (see the package comment).
func (k *Clock) Budget(start time.Time, p Policy) time.Duration {
	due, s := k.nominal(start, p)
	return k.BusinessBetween(s, due)
}

// Due reports the due time of a request started at start under policy p,
// with the clock stopped during pauses (see the package comment). It reports
// the zero time if the clock is still stopped (an open pause) before the
// budget was used up, or for an impossible calendar. The result is in
// Europe/Riga.
func (k *Clock) Due(start time.Time, p Policy, pauses []Pause) time.Time {
	if len(pauses) == 0 {
		due, _ := k.nominal(start, p)
		return due
	}
	rem := k.Budget(start, p)
	t := start
	for _, pz := range sortPauses(pauses) {
		if !pz.Open() && !pz.To.After(pz.From) {
			continue
		}
		if pz.From.After(t) {
			seg := k.BusinessBetween(t, pz.From)
			if seg >= rem {
				return k.Add(t, rem)
			}
			rem -= seg
		}
		if pz.Open() {
			return time.Time{}
		}
		if pz.To.After(t) {
			t = pz.To
		}
	}
	return k.Add(t, rem)
}

// Remaining reports the business time left at now for a request started at
// start under policy p with the given pauses: the budget minus the business
// time consumed between start and now outside pauses. It is negative once
// the due time has passed (the business time overdue) and frozen while the
// clock is stopped.
func (k *Clock) Remaining(now, start time.Time, p Policy, pauses []Pause) time.Duration {
	return k.Budget(start, p) - k.consumed(start, now, pauses)
}

// Consumed reports the business time between start and now outside
// pauses: Remaining is the budget minus it (a caller that has the budget
// already saves computing it again).
func (k *Clock) Consumed(start, now time.Time, pauses []Pause) time.Duration {
	return k.consumed(start, now, pauses)
}

// consumed reports the business time between start and now outside pauses.
func (k *Clock) consumed(start, now time.Time, pauses []Pause) time.Duration {
	var sum time.Duration
	t := start
	for _, pz := range sortPauses(pauses) {
		if !pz.Open() && !pz.To.After(pz.From) {
			continue
		}
		if !pz.From.Before(now) {
			break
		}
		if pz.From.After(t) {
			sum += k.BusinessBetween(t, pz.From)
		}
		if pz.Open() || !pz.To.Before(now) {
			return sum
		}
		if pz.To.After(t) {
			t = pz.To
		}
	}
	return sum + k.BusinessBetween(t, now)
}

// sortPauses returns pauses sorted by From, copying only if needed.
func sortPauses(pauses []Pause) []Pause {
	less := func(a, b Pause) int { return a.From.Compare(b.From) }
	if slices.IsSortedFunc(pauses, less) {
		return pauses
	}
	ps := slices.Clone(pauses)
	slices.SortStableFunc(ps, less)
	return ps
}
