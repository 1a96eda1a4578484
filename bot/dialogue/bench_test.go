package dialogue_test

import (
	"context"
	"strconv"
	"testing"

	"itbot/bot"
)

// benchTurns routes the given messages once per iteration, each iteration
// in its own conversation, through the whole path: router, dialogue, nlu,
// the bbolt store, the bot and its notifier. It reports messages per
// second.
func benchTurns(b *testing.B, texts ...string) {
	e := newEnv(b)
	who := e.Person(anna)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ch := "bench-" + strconv.Itoa(i)
		for _, text := range texts {
			rec := &bot.Recorder{}
			m := &bot.Message{Platform: "test", Channel: ch, UserID: anna, Person: who, Text: text, Source: bot.SourceTyped}
			if err := e.Router.Route(ctx, rec, m); err != nil || len(rec.Replies) == 0 {
				b.Fatalf("%q: %v", text, err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkUnknown: unrecognised text, answered with the closest commands
// (one store read: no dialogue open).
func BenchmarkUnknown(b *testing.B) { benchTurns(b, "printeris trešajā stāvā atkal nestrādā") }

// BenchmarkQuestion: a request with a missing slot is asked for, then
// cancelled (two messages, two store writes).
func BenchmarkQuestion(b *testing.B) { benchTurns(b, "Lūdzu piešķiriet licenci", "atcelt") }

// BenchmarkFullDialogue: question, answer, restatement, "jā" — a request
// is created (three messages ending in a tracked request).
func BenchmarkFullDialogue(b *testing.B) {
	benchTurns(b, "Lūdzu piešķiriet licenci", "janis.ozols@lgia.gov.lv", "jā")
}

// BenchmarkConsult: a question filed and answered with a pointer (one
// message, one request created).
func BenchmarkConsult(b *testing.B) {
	benchTurns(b, "Kā iestatīt automātisko atbildi programmā Outlook?")
}
