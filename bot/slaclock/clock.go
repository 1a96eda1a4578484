// Package slaclock puts the SLA arithmetic of package sla to work in the
// bot: Clock implements bot.SLAClock on the Latvian business calendar, and
// Scheduler posts the reminders, breach alerts and escalations.
//
// # The clock
//
// Clock.Apply derives a request's SLA fields from its creation time and its
// audit history, the history being the truth: the policy comes from the
// configuration by request type (one working day by default), the pauses
// are the spans the history shows in awaiting_info or awaiting_procurement,
// and the due time is sla.Clock.Due of those. Nothing is kept as a running
// counter, so a changed policy or calendar re-times a request the next time
// it is applied (Scheduler.Retime does that once at start for every open
// request when the configuration changed).
//
// # Checks
//
// A request's notices are checks, each at a point of consumed business
// time x (business time since the start, outside pauses), in this order:
//
//	share:50, share:80   x = 50 %, 80 % of the budget (Reminders.Shares)
//	lead                 x = budget − Reminders.Lead (1 business hour)
//	breach               x = budget: the due time
//	escalation           x = budget + Escalation.After (2 business hours)
//
// Because they are points of consumed business time, a pause moves every
// check still ahead by exactly the business time it stood still, and
// none ever falls outside service hours; one that falls exactly on a
// closing time (a breach at Friday 17:00) is due at the next opening. So
// notices are never posted outside service hours: they wait for the opening.
//
// SLA.NextCheck is the instant of the earliest check that was not sent and
// is not superseded (a check at or before the last one sent is), and zero
// while paused or closed. The store keeps an index on it; the scheduler
// reads the index, never the whole list of open requests.
//
// # Exactly once, across restarts
//
// The scheduler records a check as sent in SLA.Sent, with an audit event of
// kind reminder, in one store transaction, and only then posts the notice
// (record, then post). A key in SLA.Sent is never posted again, whatever
// restarts or races happen: a second scheduler's transaction sees it. The
// window between the commit and the post is a crash window: a crash there
// loses that one notice (at most once) rather than posting it twice (at
// least once). We chose that side because a duplicate cannot be taken
// back, while a lost reminder is followed by the next check (breach,
// escalation), is visible in the audit trail (`/it show`, `/it sla`), and
// the window is the time to call an adapter's in-memory Post. All checks
// due at once (after downtime, or waiting for the opening) are recorded
// together and posted as one message per request: the most severe one,
// naming how many were combined.
package slaclock

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"itbot/bot"
	"itbot/bot/calendar"
	"itbot/bot/sla"
)

// The keys of the checks, as recorded in SLA.Sent. Share keys are
// ShareKey(percent).
const (
	KeyLead       = "lead"
	KeyBreach     = "breach"
	KeyEscalation = "escalation"
)

// ShareKey is the key of the reminder after pct percent of the business
// time: "share:50".
func ShareKey(pct int) string { return "share:" + strconv.Itoa(pct) }

// Clock is the business-calendar SLA clock. It implements bot.SLAClock and
// is safe for concurrent use.
type Clock struct {
	k   *sla.Clock
	cal *calendar.Calendar
	cfg Config
	st  settings
	fp  string
}

var _ bot.SLAClock = (*Clock)(nil)

// New returns the clock configured by cfg; it reports an invalid
// configuration (a bad policy, share or duration, an unknown request type,
// a calendar that contradicts itself) with the setting to fix.
func New(cfg Config) (*Clock, error) {
	st, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	cal, err := calendar.New(cfg.Calendar)
	if err != nil {
		return nil, err
	}
	return &Clock{k: sla.NewClock(cal), cal: cal, cfg: cfg, st: st, fp: cfg.fingerprint()}, nil
}

// Calendar reports the clock's business calendar.
func (c *Clock) Calendar() *calendar.Calendar { return c.cal }

// Business reports the clock's business-time arithmetic.
func (c *Clock) Business() *sla.Clock { return c.k }

// Config reports the configuration the clock was made with.
func (c *Clock) Config() Config { return c.cfg }

// Fingerprint identifies the configuration (and the derivation rules): two
// clocks with the same fingerprint compute the same SLA fields.
func (c *Clock) Fingerprint() string { return c.fp }

// Policy reports the SLA policy of a request type.
func (c *Clock) Policy(t bot.Type) sla.Policy { return c.st.policies.For(string(t)) }

// InService reports whether t is inside service hours (a closing instant is
// not).
func (c *Clock) InService(t time.Time) bool {
	o, cl := c.cal.Interval(t)
	return !cl.IsZero() && !o.After(t)
}

// NextOpening reports t if it is inside service hours, else the next
// opening time.
func (c *Clock) NextOpening(t time.Time) time.Time {
	o, cl := c.cal.Interval(t)
	if cl.IsZero() {
		return time.Time{}
	}
	if o.After(t) {
		return o
	}
	return t
}

// Pause is one span during which a request's clock stood still, with the
// waiting state it began with. To is zero while it goes on.
type Pause struct {
	From, To time.Time
	State    bot.State
}

// Pauses reads the pauses from a request's history, oldest first: a pause
// begins when the request enters awaiting_info or awaiting_procurement from
// another state and ends when it leaves them (moving from one waiting state
// to the other continues the same pause), as bot.Pauses does.
func Pauses(history []bot.Event) []Pause { return pausesWhere(history, bot.State.Paused) }

// pausesWhere reads the spans spent in the states stop picks.
func pausesWhere(history []bot.Event, stop func(bot.State) bool) []Pause {
	var ps []Pause
	paused := false
	for _, ev := range history {
		if ev.To == "" {
			continue
		}
		switch {
		case stop(ev.To) && !paused:
			ps = append(ps, Pause{From: ev.At, State: ev.To})
			paused = true
		case !stop(ev.To) && paused:
			ps[len(ps)-1].To = ev.At
			paused = false
		}
	}
	return ps
}

// pauses reads r's pauses as this clock counts them: the waiting states,
// and, with PauseForApproval, the wait for the institution's own approver.
func (c *Clock) pauses(r *bot.Request, history []bot.Event) []Pause {
	if !c.cfg.pauseForApproval() {
		return Pauses(history)
	}
	if s := bot.LookupType(r.Type); s != nil && s.Approval == bot.ApprovalAgency {
		return Pauses(history)
	}
	return pausesWhere(history, func(st bot.State) bool { return st.Paused() || st == bot.StateAwaitingApproval })
}

func slaPauses(ps []Pause) []sla.Pause {
	if len(ps) == 0 {
		return nil
	}
	out := make([]sla.Pause, len(ps))
	for i, p := range ps {
		out[i] = sla.Pause{From: p.From, To: p.To}
	}
	return out
}

// check is one notice of a request: its key and the consumed business time
// x at which it is due.
type check struct {
	key string
	x   time.Duration
}

// checks lists the checks for a budget, ordered by x (ties: shares, lead,
// breach, escalation: the order of severity).
func (c *Clock) checks(budget time.Duration) []check {
	if !c.st.enabled {
		return nil
	}
	cs := make([]check, 0, len(c.st.shares)+3)
	for _, s := range c.st.shares {
		cs = append(cs, check{ShareKey(s), budget * time.Duration(s) / 100})
	}
	if c.st.lead > 0 && c.st.lead < budget {
		cs = append(cs, check{KeyLead, budget - c.st.lead})
	}
	cs = append(cs, check{KeyBreach, budget})
	if c.st.escalates {
		cs = append(cs, check{KeyEscalation, budget + c.st.after})
	}
	slices.SortStableFunc(cs, func(a, b check) int {
		switch {
		case a.x < b.x:
			return -1
		case a.x > b.x:
			return 1
		}
		return 0
	})
	return cs
}

// reach reports the instant at which the business time consumed since
// start, outside pauses, reaches x; zero if an open pause stops the clock
// first. It is sla.Clock.Due with x for the budget.
func (c *Clock) reach(start time.Time, pauses []sla.Pause, x time.Duration) time.Time {
	rem := x
	t := start
	for _, pz := range pauses {
		if !pz.Open() && !pz.To.After(pz.From) {
			continue
		}
		if pz.From.After(t) {
			seg := c.k.BusinessBetween(t, pz.From)
			if seg >= rem {
				return c.k.Add(t, rem)
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
	return c.k.Add(t, rem)
}

// timing is what Apply and Status share.
type timing struct {
	policy sla.Policy
	pauses []Pause
	sp     []sla.Pause
	paused bool
	budget time.Duration
	due    time.Time // as sla.Clock.Due: zero if paused before the budget ran out
}

func (c *Clock) timing(r *bot.Request, history []bot.Event) timing {
	var tm timing
	tm.policy = c.Policy(r.Type)
	tm.pauses = c.pauses(r, history)
	tm.sp = slaPauses(tm.pauses)
	tm.paused = len(tm.pauses) > 0 && tm.pauses[len(tm.pauses)-1].To.IsZero()
	tm.budget = c.k.Budget(r.CreatedAt, tm.policy)
	// The instant the budget is used up is sla.Clock.Due (TestReachIsDue
	// checks that on random starts, policies and pauses); computing it
	// from the budget saves Due computing the budget again.
	tm.due = c.reach(r.CreatedAt, tm.sp, tm.budget)
	return tm
}

// breached reports whether the due time has passed: for an open request at
// now (reaching the due time is a breach), for a closed one at its closing
// (closing at the due time is in time).
func breached(r *bot.Request, due, now time.Time) bool {
	if due.IsZero() {
		return false
	}
	if !r.State.Open() {
		end := r.ClosedAt
		if end.IsZero() {
			end = now
		}
		return end.After(due)
	}
	return !now.Before(due)
}

// Apply implements bot.SLAClock: it sets r.SLA.Policy, DueAt (zero while
// paused), Breached and NextCheck (zero while paused or closed) from r's
// creation time and history at now.
func (c *Clock) Apply(r *bot.Request, history []bot.Event, now time.Time) {
	tm := c.timing(r, history)
	r.SLA.Policy = tm.policy.String()
	r.SLA.Breached = breached(r, tm.due, now)
	switch {
	case !r.State.Open():
		r.SLA.DueAt = tm.due
		r.SLA.NextCheck = time.Time{}
	case tm.paused:
		r.SLA.DueAt = time.Time{}
		r.SLA.NextCheck = time.Time{}
	default:
		r.SLA.DueAt = tm.due
		r.SLA.NextCheck = c.next(r, tm).at
	}
}

// pending is a check with the instant it may be posted.
type pending struct {
	check
	at time.Time
}

// candidates reports the checks of r that are neither sent nor superseded
// (at or before a sent one), in order.
func (c *Clock) candidates(r *bot.Request, tm timing) []check {
	cs := c.checks(tm.budget)
	last := time.Duration(-1)
	for _, ch := range cs {
		if slices.Contains(r.SLA.Sent, ch.key) && ch.x > last {
			last = ch.x
		}
	}
	out := cs[:0]
	for _, ch := range cs {
		if ch.x > last && !slices.Contains(r.SLA.Sent, ch.key) {
			out = append(out, ch)
		}
	}
	return out
}

// at reports when check ch of a running request may be posted: the instant
// its business time is reached, moved to the next opening if that is a
// closing time.
func (c *Clock) at(r *bot.Request, tm timing, ch check) time.Time {
	var t time.Time
	if ch.key == KeyBreach {
		t = tm.due
	} else {
		t = c.reach(r.CreatedAt, tm.sp, ch.x)
	}
	if t.IsZero() {
		return t
	}
	return c.NextOpening(t)
}

// next reports the first pending check of a running request.
func (c *Clock) next(r *bot.Request, tm timing) pending {
	cs := c.candidates(r, tm)
	if len(cs) == 0 {
		return pending{}
	}
	return pending{cs[0], c.at(r, tm, cs[0])}
}

// dueKeys reports the keys of the checks of r that may be posted at now,
// in order of severity (the last is the most severe).
func (c *Clock) dueKeys(r *bot.Request, history []bot.Event, now time.Time) []string {
	if !r.State.Open() {
		return nil
	}
	tm := c.timing(r, history)
	if tm.paused {
		return nil
	}
	var keys []string
	for _, ch := range c.candidates(r, tm) {
		at := c.at(r, tm, ch)
		if at.IsZero() || at.After(now) {
			break
		}
		keys = append(keys, ch.key)
	}
	return keys
}

// Status is a request's SLA, computed for people: `/it sla` and the
// scheduler's notices show it.
type Status struct {
	Policy sla.Policy
	// Start is when the clock started: the creation time, moved to the next
	// opening if it was outside service hours.
	Start time.Time
	// Budget is the business time the policy allows.
	Budget time.Duration
	// Due is the due time; zero while paused before the budget ran out.
	Due time.Time
	// Left is the business time left at the time asked: negative when
	// overdue, frozen while paused, at the closing for a closed request.
	Left     time.Duration
	Paused   bool
	Pauses   []Pause
	Breached bool
	Closed   bool
	// NextKey and Next are the next notice and when it is due; empty and
	// zero if none.
	NextKey string
	Next    time.Time
	// Sent are the notices already posted.
	Sent []string
}

// Status computes r's SLA status from its history at now.
func (c *Clock) Status(r *bot.Request, history []bot.Event, now time.Time) Status {
	tm := c.timing(r, history)
	s := Status{Policy: tm.policy, Budget: tm.budget, Due: tm.due, Paused: tm.paused && r.State.Open(),
		Pauses: tm.pauses, Closed: !r.State.Open(), Sent: slices.Clone(r.SLA.Sent)}
	s.Start = c.NextOpening(r.CreatedAt)
	at := now
	if s.Closed && !r.ClosedAt.IsZero() {
		at = r.ClosedAt
	}
	s.Left = c.k.Remaining(at, r.CreatedAt, tm.policy, tm.sp)
	s.Breached = breached(r, tm.due, now)
	if !s.Closed && !s.Paused {
		p := c.next(r, tm)
		s.NextKey, s.Next = p.key, p.at
	}
	return s
}

// Outcome is what a compliance report reads of a request's SLA; each
// field is the Status field of the same name.
type Outcome struct {
	Budget, Left time.Duration
	Paused       bool
}

// Outcome computes what Status does of r's budget, the business time left
// and whether it is paused, and nothing else (no due time, no next
// notice): a month's report asks it of every request.
func (c *Clock) Outcome(r *bot.Request, history []bot.Event, now time.Time) Outcome {
	p := c.Policy(r.Type)
	ps := c.pauses(r, history)
	o := Outcome{Budget: c.k.Budget(r.CreatedAt, p), Paused: len(ps) > 0 && ps[len(ps)-1].To.IsZero() && r.State.Open()}
	at := now
	if !r.State.Open() && !r.ClosedAt.IsZero() {
		at = r.ClosedAt
	}
	o.Left = o.Budget - c.k.Consumed(r.CreatedAt, at, slaPauses(ps))
	return o
}

// shareOf reports the percentage of a share key, or 0.
func shareOf(key string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(key, "share:"))
	if err != nil || !strings.HasPrefix(key, "share:") {
		return 0
	}
	return n
}

// Used reports the share of r's SLA budget used at now, from its stored
// due time alone (no history: cheap enough for every row of a queue page):
// 0.5 is half the business time gone, 1 or more is the due time reached.
// ok is false when there is nothing to measure: a closed request, or one
// whose clock is stopped (no due time while it waits).
func (c *Clock) Used(r *bot.Request, now time.Time) (used float64, ok bool) {
	if !r.State.Open() || r.SLA.DueAt.IsZero() {
		return 0, false
	}
	budget := c.k.Budget(r.CreatedAt, c.Policy(r.Type))
	if budget <= 0 {
		return 0, false
	}
	due := r.SLA.DueAt
	var left time.Duration
	if now.Before(due) {
		left = c.k.BusinessBetween(now, due)
	} else {
		left = -c.k.BusinessBetween(due, now)
	}
	return 1 - float64(left)/float64(budget), true
}
