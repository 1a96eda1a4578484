package slaclock_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"itbot/bot"
	"itbot/bot/slaclock"
	_ "itbot/commands" // the request-type table
)

// Outcome gives what Status does of the budget, the time left and the
// pause, on random histories (pauses for information, procurement and
// approval, open and closed, closed without a closing time) under several
// configurations, across months and holidays.
func TestOutcomeIsStatus(t *testing.T) {
	off := false
	cfgs := []slaclock.Config{{}, {PauseForApproval: &off}, {Policies: map[string]string{"consult": "4h", "default": "2d"}}}
	types := []bot.Type{bot.TypeConsult, bot.TypeLicenceAssign, "dvs.restore", "no.such.type"}
	rng := rand.New(rand.NewPCG(21, 100))
	base := time.Date(2026, 10, 25, 0, 0, 0, 0, bot.TimeZone)
	for ci, cfg := range cfgs {
		c, err := slaclock.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5000 {
			created := base.Add(time.Duration(rng.Int64N(int64(60 * 24 * time.Hour)))).Truncate(time.Minute)
			if i%4 == 0 {
				created = created.Truncate(time.Hour)
			}
			r := &bot.Request{ID: "IT-2026-000001", Type: types[rng.IntN(len(types))], CreatedAt: created}
			history := []bot.Event{{Seq: 1, At: created, Kind: bot.EventCreated, To: bot.StateNew}}
			at, st := created, bot.StateNew
			for range rng.IntN(6) {
				at = at.Add(time.Duration(rng.Int64N(int64(50 * time.Hour)))).Truncate(time.Minute)
				next := bot.AllStates[rng.IntN(len(bot.AllStates))]
				history = append(history, bot.Event{Seq: len(history) + 1, At: at, Kind: bot.EventTransition, From: st, To: next})
				if rng.IntN(4) == 0 {
					history = append(history, bot.Event{Seq: len(history) + 1, At: at, Kind: bot.EventComment})
				}
				st = next
			}
			r.State = st
			if !st.Open() && rng.IntN(5) > 0 {
				r.ClosedAt = at
			}
			now := at.Add(time.Duration(rng.Int64N(int64(20 * 24 * time.Hour))))
			s := c.Status(r, history, now)
			o := c.Outcome(r, history, now)
			if o.Budget != s.Budget || o.Left != s.Left || o.Paused != s.Paused {
				t.Fatalf("config %d, %s %s created %s, %d events, state %s, now %s: Outcome %+v, Status budget %v left %v paused %v",
					ci, r.Type, r.ID, created, len(history), r.State, now, o, s.Budget, s.Left, s.Paused)
			}
		}
	}
}
