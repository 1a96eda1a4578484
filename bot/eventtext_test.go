package bot_test

import (
	"testing"

	"itbot/bot"
)

// An event that sets a state without a previous one (the first event of a
// request stored by an importer or a test) reads as the state, never as a
// raw catalogue key.
func TestEventTextWithoutFrom(t *testing.T) {
	for _, tc := range []struct {
		ev   bot.Event
		l    bot.Lang
		want string
	}{
		{bot.Event{To: bot.StateAwaitingApproval}, bot.LV, "Stāvoklis: gaida apstiprinājumu"},
		{bot.Event{To: bot.StateAwaitingApproval}, bot.EN, "State: awaiting approval"},
		{bot.Event{From: bot.StateApproved, To: bot.StateInProgress}, bot.EN, "State: approved → in progress"},
	} {
		if got := bot.EventText(tc.ev, tc.l); got != tc.want {
			t.Errorf("%+v %s: %q, want %q", tc.ev, tc.l, got, tc.want)
		}
	}
}
