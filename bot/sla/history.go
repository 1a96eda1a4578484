package sla

import "time"

// The request states that stop the SLA clock.
const (
	StateAwaitingInfo        = "awaiting_info"
	StateAwaitingProcurement = "awaiting_procurement"
)

// IsPausing reports whether a request in state stops the SLA clock.
func IsPausing(state string) bool {
	return state == StateAwaitingInfo || state == StateAwaitingProcurement
}

// StateChange is one entry of a request's state history: the request entered
// State at At.
type StateChange struct {
	At    time.Time
	State string
}

// PausesFromHistory derives the clock pauses from a request's state history,
// given in chronological order. A pause starts when the request enters a
// pausing state (IsPausing) from a non-pausing one and ends when it leaves
// for a non-pausing one; moving from awaiting_info to awaiting_procurement
// continues the same pause. If the last state is a pausing one, the last
// pause is open (zero To).
func PausesFromHistory(changes []StateChange) []Pause {
	var out []Pause
	paused := false
	for _, ch := range changes {
		switch p := IsPausing(ch.State); {
		case p && !paused:
			out = append(out, Pause{From: ch.At})
			paused = true
		case !p && paused:
			out[len(out)-1].To = ch.At
			paused = false
		}
	}
	return out
}
