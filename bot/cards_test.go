package bot_test

import (
	"context"
	"strings"
	"testing"

	"itbot/bot"
	"itbot/bottest"
)

const (
	annaEmail = "anna.berzina@lgia.gov.lv"
	ilzeEmail = "ilze.liepa@lgia.gov.lv"
)

// cardsEnv is a bot with two chat platforms: "alpha" (operators' channel
// OPS) where Anna asks, and "beta" (no operators' channel) where Ilze,
// LGIA's IT contact, has her only account.
type cardsEnv struct {
	*bottest.Env
	alpha, beta *bottest.Chat
}

func newCardsEnv(t *testing.T, path string) *cardsEnv {
	t.Helper()
	var e *bottest.Env
	if path == "" {
		e = bottest.New(t)
	} else {
		e = bottest.NewAt(t, path)
	}
	e.Sandbox()
	ce := &cardsEnv{Env: e, alpha: bottest.NewChat("alpha", "OPS", e.Bot.Cards), beta: bottest.NewChat("beta", "", e.Bot.Cards)}
	e.Bot.Notify.Add(ce.alpha)
	e.Bot.Notify.Add(ce.beta)
	ctx := context.Background()
	for email, ids := range map[string]map[string]string{annaEmail: {"alpha": "UA"}, ilzeEmail: {"beta": "UI"}} {
		p := e.Person(email)
		if p.Identities == nil {
			p.Identities = map[string]string{}
		}
		for k, v := range ids {
			p.Identities[k] = v
		}
		if err := e.Store.PutPerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return ce
}

// ask routes text from Anna on alpha in channel ch and returns the new
// request.
func (ce *cardsEnv) ask(t *testing.T, ch, text string) *bot.Request {
	t.Helper()
	m := &bot.Message{Platform: "alpha", Channel: ch, UserID: "UA", MessageID: "msg-" + text, Person: ce.Person(annaEmail), Text: text, Source: bot.SourceTyped}
	rec := &bot.Recorder{}
	if err := ce.Router.Route(context.Background(), rec, m); err != nil {
		t.Fatal(err)
	}
	if len(rec.Replies) == 0 || rec.Replies[0].Request == nil {
		t.Fatalf("no request from %q: %+v", text, rec.Replies)
	}
	return rec.Replies[0].Request
}

func hasButton(rep bot.Reply, value string) bool {
	for _, b := range rep.Buttons {
		if strings.HasPrefix(b.Command, value) {
			return true
		}
	}
	return false
}

// An approver's card in a direct message on a platform that gets no other
// notice of the request (not asked there, no operators' channel) is still
// edited on every change: the bot owns the cards, not the adapters.
func TestCardsEditedOnEveryPlatform(t *testing.T) {
	ce := newCardsEnv(t, "")
	r := ce.ask(t, "C1", "/it licence assign peteris.kalnins@lgia.gov.lv E5")
	if r.State != bot.StateAwaitingApproval {
		t.Fatalf("state %s", r.State)
	}
	ask := ce.beta.In("D-UI")
	if len(ask) != 1 || !hasButton(ask[0].Reply, "/it approve") {
		t.Fatalf("Ilze's direct messages: %+v", ask)
	}
	if _, err := ce.Bot.Approve(context.Background(), bot.Actor{Person: ce.Person(ilzeEmail), Platform: "beta"}, r.ID); err != nil {
		t.Fatal(err)
	}
	got := ce.beta.Msg(ask[0].ID)
	if got.Edits == 0 || hasButton(got.Reply, "/it approve") {
		t.Fatalf("Ilze's card after the approval: %d edits, buttons %+v", got.Edits, got.Reply.Buttons)
	}
	now := ce.Request(r.ID)
	if !strings.Contains(fieldsText(got.Reply), now.State.Label(bot.LV)) {
		t.Errorf("Ilze's card does not show %s: %+v", now.State.Label(bot.LV), got.Reply.Fields)
	}
	if !strings.Contains(got.Reply.Text, annaEmail) {
		t.Errorf("the card lost its lead line: %q", got.Reply.Text)
	}
	if n := len(ce.beta.In("D-UI")); n != 1 {
		t.Errorf("%d cards in Ilze's direct messages, want 1", n)
	}
	// On alpha: the card where Anna asked and the operators' card, each
	// once, edited; the updates in their threads.
	for _, ch := range []string{"C1", "OPS"} {
		cards := ce.alpha.In(ch)
		if len(cards) != 1 || cards[0].Edits == 0 {
			t.Fatalf("%s: %+v", ch, cards)
		}
		if th := ce.alpha.Thread(cards[0].ID); len(th) == 0 {
			t.Errorf("%s: no updates in the card's thread", ch)
		}
		for _, m := range ce.alpha.Thread(cards[0].ID) {
			if len(m.Reply.Buttons) > 0 {
				t.Errorf("%s: a thread reply carries buttons (only the card does): %+v", ch, m.Reply)
			}
		}
	}
}

func fieldsText(rep bot.Reply) string {
	var b strings.Builder
	for _, f := range rep.Fields {
		b.WriteString(f.Label + "=" + f.Value + "\n")
	}
	return b.String()
}

// What a stop makes the bot post again, and the same direct channel
// addressed by the person or by its id, give one card, not two.
func TestCardsNotPostedTwice(t *testing.T) {
	ce := newCardsEnv(t, "")
	r := ce.ask(t, "D-UA", "/it licence assign peteris.kalnins@lgia.gov.lv E5")
	ctx := context.Background()
	if _, err := ce.Bot.Reannounce(ctx); err != nil {
		t.Fatal(err)
	}
	card := ce.Bot.Card(r, ce.Person(annaEmail), bot.LV)
	for _, to := range []bot.Address{{Platform: "alpha", Channel: "D-UA"}, {Platform: "alpha", User: "UA"}} {
		if err := ce.alpha.Post(ctx, bot.Notice{To: to, Lang: bot.LV, Request: r, Reply: card}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(ce.alpha.In("D-UA")); n != 1 {
		t.Errorf("%d cards in Anna's direct messages, want 1: %+v", n, ce.alpha.In("D-UA"))
	}
	if n := len(ce.beta.In("D-UI")); n != 1 {
		t.Errorf("%d cards in Ilze's direct messages, want 1", n)
	}
}

// A channel the bot may not post in moves the request's thread to the
// requester's direct messages; every later notice follows it there.
func TestCardsThreadMovesToDirectMessage(t *testing.T) {
	ce := newCardsEnv(t, "")
	ce.alpha.Closed["PRIV"] = true
	r := ce.ask(t, "PRIV", "/it licence assign peteris.kalnins@lgia.gov.lv E5")
	ctx := context.Background()
	ch, thread, ok := ce.Bot.Cards.Thread(ctx, "alpha", r.ID, "PRIV")
	if !ok || ch != "D-UA" {
		t.Fatalf("thread of PRIV: %q %q %v", ch, thread, ok)
	}
	if _, err := ce.Bot.Comment(ctx, bot.Actor{Person: ce.Person(annaEmail), Platform: "alpha"}, r.ID, "steidzami"); err != nil {
		t.Fatal(err)
	}
	if th := ce.alpha.Thread(thread); len(th) != 1 || !strings.Contains(th[0].Reply.Text, "steidzami") {
		t.Errorf("thread in the direct messages: %+v", th)
	}
	if n := len(ce.alpha.In("D-UA")); n != 1 {
		t.Errorf("%d cards in the direct messages", n)
	}
}

// Progress replaces the previous progress message; one deleted by a person
// is posted anew. The request's files are shared once per channel.
func TestCardsProgressAndFiles(t *testing.T) {
	ce := newCardsEnv(t, "")
	r := ce.ask(t, "C1", "/it licence assign peteris.kalnins@lgia.gov.lv E5")
	ctx := context.Background()
	to := bot.Address{Platform: "alpha", Channel: "C1"}
	progress := func(text string) {
		t.Helper()
		if err := ce.alpha.Post(ctx, bot.Notice{To: to, Lang: bot.LV, Request: r, Reply: bot.Reply{Kind: bot.KindText, Text: text, Progress: true}}); err != nil {
			t.Fatal(err)
		}
	}
	progress("1/3")
	progress("2/3")
	card := ce.alpha.In("C1")[0]
	th := ce.alpha.Thread(card.ID)
	if len(th) != 1 || th[0].Reply.Text != "2/3" || th[0].Edits != 1 {
		t.Fatalf("progress: %+v", th)
	}
	ce.alpha.Delete(th[0].ID)
	progress("3/3")
	if th := ce.alpha.Thread(card.ID); len(th) != 1 || th[0].Reply.Text != "3/3" {
		t.Fatalf("progress after a deletion: %+v", th)
	}
	files := bot.Reply{Kind: bot.KindUpdate, Text: "gatavs", Files: []bot.File{{Name: "report.csv", Data: []byte("a,b\n")}}}
	for range 2 {
		if err := ce.alpha.Post(ctx, bot.Notice{To: to, Lang: bot.LV, Request: r, Reply: files}); err != nil {
			t.Fatal(err)
		}
	}
	// The files hold the institution's data: they go once to Anna's
	// direct messages, never into the shared channel, whose thread says
	// where they went (once).
	n, notes := 0, 0
	for _, m := range ce.alpha.Thread(card.ID) {
		n += len(m.Files)
		if strings.Contains(m.Reply.Text, "personīgā ziņā") {
			notes++
		}
	}
	for _, m := range ce.alpha.In("D-UA") {
		if len(m.Files) > 0 && m.Files[0] != "report.csv" {
			t.Errorf("files %v", m.Files)
		}
	}
	dmFiles := 0
	for _, m := range ce.alpha.In("D-UA") {
		dmFiles += len(m.Files)
	}
	if n != 0 || dmFiles != 1 || notes != 1 {
		t.Errorf("files in the channel's thread %d (want 0), in Anna's direct messages %d (want 1), notes %d (want 1)", n, dmFiles, notes)
	}
}

// The cards are in the store: after a restart the bot edits the cards it
// posted before, it does not post new ones.
func TestCardsSurviveRestart(t *testing.T) {
	ce := newCardsEnv(t, "")
	r := ce.ask(t, "C1", "/it licence assign peteris.kalnins@lgia.gov.lv E5")
	before := ce.alpha.In("C1")[0]
	if err := ce.Store.Close(); err != nil {
		t.Fatal(err)
	}
	again := newCardsEnv(t, ce.Path)
	again.alpha, again.beta = ce.alpha, ce.beta // the same chat platforms
	ce.alpha.Cards, ce.beta.Cards = again.Bot.Cards, again.Bot.Cards
	again.Bot.Notify.Add(ce.alpha)
	again.Bot.Notify.Add(ce.beta)
	if _, err := again.Bot.Approve(context.Background(), bot.Actor{Person: again.Person(ilzeEmail), Platform: "beta"}, r.ID); err != nil {
		t.Fatal(err)
	}
	if cards := ce.alpha.In("C1"); len(cards) != 1 || ce.alpha.Msg(before.ID).Edits == 0 {
		t.Errorf("after a restart: %d cards in C1, the first edited %d times", len(cards), ce.alpha.Msg(before.ID).Edits)
	}
	if d := ce.beta.In("D-UI"); len(d) != 1 || d[0].Edits == 0 {
		t.Errorf("Ilze's card after a restart: %+v", d)
	}
}
