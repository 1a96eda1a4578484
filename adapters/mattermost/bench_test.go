package mattermost

import (
	"context"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// Rendering a request card with its fields and three signed buttons.
func BenchmarkRenderCard(b *testing.B) {
	rd := goldenRenderer()
	card := bot.New(nil, nil).Card(goldenRequest(), nil, bot.LV)
	b.ReportAllocs()
	for b.Loop() {
		rd.Post(card, renderOpts{})
	}
}

// Checking a button's signature.
func BenchmarkVerifyContext(b *testing.B) {
	s := fuzzSigner()
	ctx := s.Context("/it approve IT-2026-000042")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Verify(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// A whole slash command on loopback: the person's client asks the server,
// the server calls itbot, itbot resolves the person (cached), answers at
// once, routes "/it kas es" and posts the answer to the response URL.
func BenchmarkSlashCommandRoundTrip(b *testing.B) {
	h := newHarness(b)
	c := h.client("anna.berzina")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.ExecuteCommand(ctx, h.town.Id, "/it kas es"); err != nil {
			b.Fatal(err)
		}
		h.a.Drain()
	}
}

// One update notice into a request's thread: a reply post through the
// API (the card is already current).
func BenchmarkNoticeInThread(b *testing.B) {
	h := newHarness(b)
	h.slash("ilze.liepa", h.town.Id, "dvs customize Pievienot lauku")
	r := h.requests()[0]
	n := bot.Notice{To: bot.Address{Platform: Platform, Channel: h.town.Id}, Lang: bot.LV, Request: r,
		Reply: bot.Reply{Kind: bot.KindUpdate, Title: r.ID, Text: "Komentārs", Request: r}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := h.a.deliver(ctx, n); err != nil {
			b.Fatal(err)
		}
	}
}

// Editing a request's cards in place after a change (two cards: the
// channel's and the operators').
func BenchmarkCardRefresh(b *testing.B) {
	h := newHarness(b)
	h.slash("ilze.liepa", h.town.Id, "dvs customize Pievienot lauku")
	r := h.requests()[0]
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r.UpdatedAt = r.UpdatedAt.Add(time.Millisecond) // a new version each round
		if err := h.env.Bot.Cards.Deliver(ctx, h.a, bot.Notice{To: bot.Address{Platform: Platform}, Request: r, Refresh: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// A post seen again (live and in the catch-up): recognised as handled by
// its de-duplication mark, nothing else happens.
func BenchmarkDuplicatePost(b *testing.B) {
	h := newHarness(b)
	ctx := context.Background()
	dm := h.dm("anna.berzina")
	p := h.say("anna.berzina", dm, "", "Labdien")
	h.a.consider(ctx, p, string(model.ChannelTypeDirect), false)
	h.a.Drain()
	b.ReportAllocs()
	for b.Loop() {
		h.a.consider(ctx, p, string(model.ChannelTypeDirect), false)
		h.a.Drain()
	}
	if n := len(h.botPosts(dm)); n != 1 {
		b.Fatalf("%d answers, want 1", n)
	}
}

// Finding the person behind a Mattermost user whose account is cached.
func BenchmarkResolveCached(b *testing.B) {
	h := newHarness(b)
	ctx := context.Background()
	id := h.id("anna.berzina")
	h.a.Resolve(ctx, id)
	b.ReportAllocs()
	for b.Loop() {
		if p, problem := h.a.Resolve(ctx, id); p == nil {
			b.Fatal(problem)
		}
	}
}
