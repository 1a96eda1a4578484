package bot

import "time"

// SLAClock computes a request's SLA fields (due time, next check) from its
// creation time and audit history. The history is the truth: pauses are
// read from the transitions into and out of the waiting states.
type SLAClock interface {
	// Apply sets r.SLA from r and history (which includes the events about
	// to be stored) at time now.
	Apply(r *Request, history []Event, now time.Time)
}

// Pause is a span during which a request's SLA clock stood still. To is
// zero while the pause goes on.
type Pause struct {
	From, To time.Time
}

// Pauses reads the pauses of a request from its history.
func Pauses(history []Event) []Pause {
	var ps []Pause
	paused := false
	for _, ev := range history {
		if ev.To == "" {
			continue
		}
		switch {
		case ev.To.Paused() && !paused:
			ps = append(ps, Pause{From: ev.At})
			paused = true
		case !ev.To.Paused() && paused:
			ps[len(ps)-1].To = ev.At
			paused = false
		}
	}
	return ps
}

// WallClockSLA is the simplest clock: a fixed budget of wall time, paused
// while the request waits. The business-calendar clock replaces it in
// production; it serves tests and setups without a calendar.
type WallClockSLA struct {
	Budget time.Duration
}

// Apply sets the due time; it is zero while paused or once closed.
func (w WallClockSLA) Apply(r *Request, history []Event, now time.Time) {
	if !r.State.Open() {
		r.SLA.NextCheck = time.Time{}
		return
	}
	if r.SLA.Policy == "" {
		r.SLA.Policy = w.Budget.String()
	}
	due := r.CreatedAt.Add(w.Budget)
	for _, p := range Pauses(history) {
		if p.To.IsZero() {
			r.SLA.DueAt = time.Time{}
			r.SLA.NextCheck = time.Time{}
			return
		}
		due = due.Add(p.To.Sub(p.From))
	}
	r.SLA.DueAt = due
	r.SLA.NextCheck = time.Time{}
}
