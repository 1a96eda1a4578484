package dialogue_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"itbot/bot"
	"itbot/bot/nlu"
)

// FuzzConversation sends two arbitrary messages into a fresh conversation:
// the bot never panics, always answers, and never creates a change request
// unless the second message was a "yes" to a restatement.
func FuzzConversation(f *testing.F) {
	for _, s := range [][2]string{
		{"Lūdzu piešķiriet licenci", "janis.ozols"},
		{"Lūdzu piešķiriet licenci janis.ozols@lgia.gov.lv", "jā"},
		{"please whitelist partner-firma.lv", "yes"},
		{"Vajag DVS dokumentu kopijas", "no 2024. gada 1. janvāra līdz 30. jūnijam"},
		{"Noraidu IT-2026-000001", "nav vajadzības"},
		{"Kāds ir statuss?", "IT-2026-1"},
		{"Kā pieslēgt kopīgo pastkasti telefonā?", "atcelt"},
		{"Izveidojiet kopīgo pastkasti", "/it confirm x"},
		{"", "\x00\xff"},
		{"asdf", "👍"},
	} {
		f.Add(s[0], s[1])
	}
	e := newEnv(f)
	who := e.Person(anna)
	n := 0
	f.Fuzz(func(t *testing.T, a, b string) {
		n++
		ch := fmt.Sprintf("fuzz-%d", n)
		before := len(requests(t, e))
		restated := false
		for i, text := range []string{a, b} {
			rec := &bot.Recorder{}
			m := &bot.Message{Platform: "test", Channel: ch, UserID: anna, Person: who, Text: text, Source: bot.SourceTyped}
			if err := e.Router.Route(context.Background(), rec, m); err != nil {
				t.Fatalf("route %q: %v", text, err)
			}
			out := all(rec.Replies)
			if strings.TrimSpace(out) == "" {
				t.Fatalf("%q: no answer", text)
			}
			if !utf8.ValidString(out) && utf8.ValidString(text) {
				t.Fatalf("%q: invalid UTF-8 in the answer", text)
			}
			if i == 0 {
				restated = strings.Contains(out, "/it confirm ")
			}
		}
		rs := requests(t, e)
		yes, _ := nlu.ParseYesNo(b)
		for _, r := range rs[:len(rs)-before] {
			if r.Type == bot.TypeConsult || r.Type == bot.TypeDVSBackupStatus {
				continue
			}
			if !(restated && (yes || strings.HasPrefix(strings.TrimSpace(b), "/it confirm"))) {
				t.Fatalf("%q then %q created %s without a confirmation", a, b, r.Type)
			}
		}
	})
}
