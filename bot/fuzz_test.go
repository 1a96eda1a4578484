package bot_test

import (
	"context"
	"testing"
	"unicode/utf8"

	"itbot/bot"
	"itbot/bottest"
)

// FuzzRoute: whatever is typed, the router never panics, always answers,
// and creates a request only for a command that succeeds.
func FuzzRoute(f *testing.F) {
	for _, s := range []string{
		"/it licence assign anna.berzina@lgia.gov.lv E3",
		"/it licence piešķirt \"a b\" E3",
		"/it mailbox create technical skeneris@lgia.gov.lv „Skeneris 2”",
		"/it comment IT-2026-000001 labi",
		"/it queue state=done",
		"/it \"unclosed",
		"/it",
		"/help",
		"Lūdzu piešķiriet licenci",
		"/it dvs copy 2025-01-01 2024-01-01",
		"/it spam allow -bad-.lv",
		"/it show IT-2026-0000001",
	} {
		f.Add(s)
	}
	e := bottest.New(f)
	e.Sandbox()
	p := e.Person("ilze.liepa@lgia.gov.lv")
	f.Fuzz(func(t *testing.T, text string) {
		rec := &bot.Recorder{}
		m := &bot.Message{Platform: "fuzz", Channel: "c", UserID: p.Email, Person: p, Text: text, Source: bot.SourceTyped}
		if err := e.Router.Route(context.Background(), rec, m); err != nil {
			t.Fatalf("route %q: %v", text, err)
		}
		if len(rec.Replies) == 0 {
			t.Fatalf("no answer to %q", text)
		}
		for _, r := range rec.Replies {
			if r.Text == "" && r.Title == "" {
				t.Fatalf("empty answer to %q", text)
			}
			if !utf8.ValidString(r.Text) && utf8.ValidString(text) {
				t.Fatalf("invalid UTF-8 answer to %q", text)
			}
		}
	})
}
