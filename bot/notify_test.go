package bot_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"itbot/bot"
	"itbot/bottest"
)

// stuckPoster takes notices like a queueing adapter and never delivers
// them: the process "dies" with them in its queue.
type stuckPoster struct {
	mu  sync.Mutex
	got []bot.Notice
}

func (p *stuckPoster) Platform() string       { return "test" }
func (p *stuckPoster) OpsChannel() string     { return "ops" }
func (p *stuckPoster) ConfirmsDelivery() bool { return true }
func (p *stuckPoster) Post(_ context.Context, n bot.Notice) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got = append(p.got, n)
	return nil
}

// TestNoticesSurviveAStop: the notices of a stored change that were not
// delivered when the process stopped are posted at the next start; those
// delivered leave no mark, so a start posts nothing twice.
func TestNoticesSurviveAStop(t *testing.T) {
	e := bottest.New(t)
	ctx := context.Background()
	e.Say("ilze.liepa@lgia.gov.lv", "/it konsultācija Kā iestatīt pārsūtīšanu?")
	if cs, err := e.Store.Unannounced(ctx, 0); err != nil || len(cs) != 0 {
		t.Fatalf("delivered notices left marks: %v %v", cs, err)
	}

	// A bot whose adapter queues and then dies.
	stuck := &stuckPoster{}
	b := bot.New(e.Store, slog.New(slog.DiscardHandler))
	b.Now = e.Clock.Now
	b.Notify.Add(stuck)
	r, err := b.Submit(ctx, bot.Actor{Person: e.Person("anna.berzina@lgia.gov.lv"), Platform: "test"},
		bot.NewRequest{Type: bot.TypeLicenceAssign, Params: bot.Params{User: "janis.ozols@lgia.gov.lv"}, Origin: bot.Origin{Platform: "test", Channel: "chan-anna"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(stuck.got) == 0 {
		t.Fatal("nothing was handed to the adapter")
	}
	cs, _ := e.Store.Unannounced(ctx, 0)
	if len(cs) != 1 || cs[0].RequestID != r.ID || cs[0].First != 1 {
		t.Fatalf("marks %+v", cs)
	}

	// The next start: the notices of the cut-short change are posted again.
	before := len(e.Test.Notices())
	n, err := e.Bot.Reannounce(ctx)
	if err != nil || n != 1 {
		t.Fatalf("reannounced %d: %v", n, err)
	}
	card := false
	for _, no := range e.Test.Notices()[before:] {
		if no.Request != nil && no.Request.ID == r.ID && no.To.Channel == "chan-anna" && strings.Contains(no.Reply.Title+no.Reply.Text, r.ID) {
			card = true
		}
	}
	if !card {
		t.Errorf("the request's card was not posted again: %+v", e.Test.Notices()[before:])
	}
	if cs, _ := e.Store.Unannounced(ctx, 0); len(cs) != 0 {
		t.Errorf("marks after reannouncing: %+v", cs)
	}
	if n, _ := e.Bot.Reannounce(ctx); n != 0 {
		t.Errorf("a second start announced %d again", n)
	}
}
