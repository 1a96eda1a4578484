package mattermost

import (
	"context"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// Anna (an LGIA employee) asks for the account report with the slash
// command in the requests channel; Ilze, LGIA's IT contact, approves it
// with the button in her direct message; the sandbox Exchange builds the
// report and it lands in the request's thread as a file. Every update is
// a reply in the thread; every card of the request is edited in place.
func TestSlashCommandApprovalByButton(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()

	// Ilze has used the bot once, so her Mattermost account is linked.
	h.slash("ilze.liepa", h.town.Id, "kas es")
	if p := h.env.Person("ilze.liepa@lgia.gov.lv"); p.Identities[Platform] != h.id("ilze.liepa") {
		t.Fatalf("Ilze's account not linked: %v", p.Identities)
	}

	cr := h.slash("anna.berzina", h.town.Id, "pārskats konti")
	rs := h.requests()
	if len(rs) != 1 {
		t.Fatalf("%d requests, want 1", len(rs))
	}
	r := rs[0]
	if r.State != bot.StateAwaitingApproval || r.Type != bot.TypeReportAccounts || r.Origin.Platform != Platform ||
		r.Origin.Channel != h.town.Id || r.Origin.UserID != h.id("anna.berzina") {
		t.Fatalf("request = %+v", r)
	}

	// The card opens the request's thread in the channel.
	posts := h.botPosts(h.town.Id)
	if len(posts) != 1 {
		t.Fatalf("bot posts in the channel:\n%s", texts(posts))
	}
	card := posts[0]
	att := attachment(t, card)
	if card.RootId != "" || !strings.HasPrefix(att.Title, r.ID) || field(att, bot.Tr(bot.LV, "field.requester", nil)) != "anna.berzina@lgia.gov.lv" {
		t.Fatalf("card = %+v", att)
	}
	if bs := buttons(card); len(bs) != 1 || bs[0] != bot.Tr(bot.LV, "button.show", nil) {
		t.Errorf("Anna's card buttons = %v, want only Show (she cannot approve)", bs)
	}
	// Anna's own answer came back in the command's response, only to her,
	// and does not repeat the card right above it.
	if cr.ResponseType != model.CommandResponseTypeEphemeral || !strings.Contains(cr.Text, r.ID) || len(cr.Attachments) != 0 {
		t.Errorf("immediate answer = %+v, want a compact note with the id", cr)
	}
	eph := h.mm.Ephemerals(h.id("anna.berzina"))
	if last := eph[len(eph)-1]; last.Message != cr.Text {
		t.Errorf("Anna was shown %q", last.Message)
	}

	// Ilze got the card with Approve and Reject in her direct channel.
	dm := h.mm.DirectChannel(h.bot.Id, h.id("ilze.liepa"))
	if dm == "" {
		t.Fatal("no direct channel with Ilze")
	}
	dmPosts := h.botPosts(dm)
	if len(dmPosts) != 1 {
		t.Fatalf("Ilze's direct messages:\n%s", texts(dmPosts))
	}
	ask := dmPosts[0]
	if bs := buttons(ask); len(bs) < 2 || bs[0] != bot.Tr(bot.LV, "button.approve", nil) || bs[1] != bot.Tr(bot.LV, "button.reject", nil) {
		t.Fatalf("Ilze's buttons = %v", bs)
	}
	if !strings.Contains(attachment(t, ask).Text, "anna.berzina@lgia.gov.lv") {
		t.Errorf("approval card does not say who asks: %q", attachment(t, ask).Text)
	}

	// Anna may not approve by calling the button's command herself.
	h.slash("anna.berzina", h.town.Id, "apstiprināt "+r.ID)
	if got := h.env.Request(r.ID).State; got != bot.StateAwaitingApproval {
		t.Fatalf("state after Anna's own approval = %s", got)
	}

	// Ilze clicks Approve.
	h.click("ilze.liepa", ask, bot.Tr(bot.LV, "button.approve", nil))
	r = h.env.Request(r.ID)
	if r.State != bot.StateDone || r.ApprovedBy != "ilze.liepa@lgia.gov.lv" {
		t.Fatalf("after the click: state %s approved by %q", r.State, r.ApprovedBy)
	}
	evs, err := h.env.Store.Events(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	approved := false
	for _, ev := range evs {
		approved = approved || (ev.To == bot.StateApproved && ev.Actor == "ilze.liepa@lgia.gov.lv" && ev.Platform == Platform)
	}
	if !approved {
		t.Errorf("no approval by Ilze on mattermost in the audit trail: %+v", evs)
	}

	// The thread holds the updates and the report, all replies to the card.
	thread := h.mm.Thread(card.Id)
	if len(thread) < 3 {
		t.Fatalf("thread:\n%s", texts(thread))
	}
	var file *model.Post
	for _, p := range thread {
		if p.UserId != h.bot.Id || p.ChannelId != h.town.Id {
			t.Errorf("thread post by %s in %s", p.UserId, p.ChannelId)
		}
		if len(p.FileIds) > 0 {
			file = p
		}
		if len(buttons(p)) > 0 {
			t.Errorf("thread update carries buttons %v; only the card should", buttons(p))
		}
	}
	// The report holds LGIA's data: it goes to Anna's direct channel,
	// never into the shared channel; the thread says where it went.
	if file != nil {
		t.Fatalf("the report file was put in the shared channel's thread:\n%s", texts(thread))
	}
	if !strings.Contains(texts(thread), "personīgā ziņā") {
		t.Errorf("the thread does not say where the file went:\n%s", texts(thread))
	}
	for _, p := range h.botPosts(h.mm.DirectChannel(h.bot.Id, h.id("anna.berzina"))) {
		if len(p.FileIds) > 0 {
			file = p
		}
	}
	if file == nil {
		t.Fatal("no report file in Anna's direct channel")
	}
	info, data, ok := h.mm.File(file.FileIds[0])
	if !ok || !strings.HasSuffix(info.Name, ".csv") || !strings.Contains(string(data), "anna.berzina@lgia.gov.lv") {
		t.Errorf("report file %+v: %.80q", info, data)
	}

	// The cards were edited in place: done, no approval buttons any more.
	done := bot.StateDone.Label(bot.LV)
	card = h.mm.Post(card.Id)
	if got := field(attachment(t, card), bot.Tr(bot.LV, "field.state", nil)); got != done || card.EditAt == 0 {
		t.Errorf("channel card state = %q (edited %d), want %q", got, card.EditAt, done)
	}
	ask = h.mm.Post(ask.Id)
	if got := field(attachment(t, ask), bot.Tr(bot.LV, "field.state", nil)); got != done {
		t.Errorf("Ilze's card state = %q, want %q", got, done)
	}
	if bs := buttons(ask); len(bs) != 0 {
		t.Errorf("Ilze's card still has buttons %v", bs)
	}
	if !strings.Contains(attachment(t, ask).Text, "anna.berzina@lgia.gov.lv") {
		t.Errorf("the edited approval card lost its lead line: %q", attachment(t, ask).Text)
	}
	if att := attachment(t, card); att.Color != colorDone {
		t.Errorf("card colour %s, want %s", att.Color, colorDone)
	}
	// The bot keeps the request's cards (the channel's, the operators', the
	// approver's direct message), so a later notice edits them again.
	if cards, err := h.env.Bot.Cards.List(ctx, Platform, r.ID); err != nil || len(cards) != 3 {
		t.Errorf("cards the bot keeps: %+v, %v; want 3", cards, err)
	}

	// Ilze's answer went to her direct channel, in the card's thread,
	// without repeating the card.
	replies := h.mm.Thread(ask.Id)
	if len(replies) != 1 || len(replies[0].Attachments()) != 0 || !strings.Contains(replies[0].Message, r.ID) {
		t.Errorf("Ilze's answer:\n%s", texts(replies))
	}

	// The operators saw the request and its progress.
	ops := h.botPosts(h.ops.Id)
	if len(ops) < 2 || !strings.Contains(attachment(t, ops[0]).Text, "LGIA") {
		t.Fatalf("operators' channel:\n%s", texts(ops))
	}
	if bs := buttons(ops[0]); len(bs) != 0 {
		t.Errorf("operators' card of a done request still has buttons %v", bs)
	}
}

// A request asked by mentioning the bot in a channel gets its card inside
// the mention's thread, and the updates follow there.
func TestMentionThread(t *testing.T) {
	h := newHarness(t)
	h.run()
	root := h.say("janis.ozols", h.town.Id, "", "@itbot /it consult Kā iestatīt automātisko atbildi?")
	h.waitHandled(root.Id)
	rs := h.requests()
	if len(rs) != 1 || rs[0].Type != bot.TypeConsult || rs[0].Origin.Thread != root.Id || rs[0].Params.Text != "Kā iestatīt automātisko atbildi?" {
		t.Fatalf("requests = %+v", rs)
	}
	thread := h.mm.Thread(root.Id)
	if len(thread) < 2 {
		t.Fatalf("thread:\n%s", texts(thread))
	}
	if a := thread[0].Attachments(); len(a) != 1 || !strings.HasPrefix(a[0].Title, rs[0].ID) {
		t.Fatalf("first reply is not the card:\n%s", texts(thread))
	}
	// A later comment by an operator goes to the same thread.
	if _, err := h.env.Bot.Comment(context.Background(), bot.Actor{Person: h.env.Person("kristaps.lapsa@vraa.gov.lv"), Platform: "test"},
		rs[0].ID, "Skatiet Outlook iestatījumus"); err != nil {
		t.Fatal(err)
	}
	h.a.Drain()
	thread = h.mm.Thread(root.Id)
	lastPost := thread[len(thread)-1]
	if !strings.Contains(attachment(t, lastPost).Text, "Skatiet Outlook iestatījumus") {
		t.Errorf("comment not in the thread:\n%s", texts(thread))
	}
	for _, p := range h.botPosts(h.town.Id) {
		if p.RootId != root.Id {
			t.Errorf("bot post outside the thread: %q", p.Message)
		}
	}
}

// waitHandled waits until a post received over the websocket has been
// handled.
func (h *harness) waitHandled(postID string) {
	h.t.Helper()
	ctx := context.Background()
	for i := 0; i < 2000; i++ {
		v, err := h.env.Store.Get(ctx, bucketSeen, postID)
		if err != nil {
			h.t.Fatal(err)
		}
		if v != nil {
			h.a.Drain()
			return
		}
		sleepBriefly()
	}
	h.t.Fatalf("post %s never handled", postID)
}
