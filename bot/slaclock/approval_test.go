package slaclock_test

import (
	"testing"
	"time"

	"itbot/bot"
	"itbot/bot/slaclock"
	_ "itbot/commands" // the request-type table
)

// TestPauseForApproval: the wait for the institution's own approver does
// not count (by default), does with pause_for_approval: false, and always
// does for a type the agency approves.
func TestPauseForApproval(t *testing.T) {
	riga := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, bot.TimeZone) }
	created, approved := riga(23, 10), riga(24, 10) // Mon 10:00, approved Tue 10:00
	history := []bot.Event{
		{Seq: 1, At: created, Kind: bot.EventCreated, To: bot.StateNew},
		{Seq: 2, At: created, Kind: bot.EventTransition, From: bot.StateNew, To: bot.StateAwaitingApproval},
		{Seq: 3, At: approved, Kind: bot.EventTransition, From: bot.StateAwaitingApproval, To: bot.StateApproved},
	}
	off := false
	for _, tc := range []struct {
		name string
		typ  bot.Type
		cfg  slaclock.Config
		due  time.Time
	}{
		{"default: the approval wait does not count", bot.TypeLicenceAssign, slaclock.Config{}, riga(25, 10)},
		{"pause_for_approval: false", bot.TypeLicenceAssign, slaclock.Config{PauseForApproval: &off}, riga(24, 10)},
		{"the agency approves: its own time", "dvs.restore", slaclock.Config{}, riga(24, 10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := slaclock.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			r := &bot.Request{ID: "IT-2026-000001", Type: tc.typ, State: bot.StateApproved, CreatedAt: created}
			c.Apply(r, history, approved)
			if !r.SLA.DueAt.Equal(tc.due) {
				t.Errorf("due %s, want %s", bot.FormatTime(r.SLA.DueAt), bot.FormatTime(tc.due))
			}
			// While it waits, no due time (the clock stands) — by default.
			w := &bot.Request{ID: "IT-2026-000002", Type: tc.typ, State: bot.StateAwaitingApproval, CreatedAt: created}
			c.Apply(w, history[:2], created.Add(time.Hour))
			if stands := w.SLA.DueAt.IsZero(); stands != tc.due.Equal(riga(25, 10)) {
				t.Errorf("while waiting: due %v", w.SLA.DueAt)
			}
		})
	}
}
