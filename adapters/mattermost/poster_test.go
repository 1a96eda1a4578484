package mattermost

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/adapters/mattermost/mmtest"
	"itbot/bot"
)

// ilzeRequest creates a pre-approved manual request by Ilze from the
// requests channel (its card opens a thread there).
func (h *harness) ilzeRequest() *bot.Request {
	h.t.Helper()
	h.slash("ilze.liepa", h.town.Id, "dvs customize Pievienot lauku Projekts")
	rs := h.requests()
	if len(rs) == 0 {
		h.t.Fatal("no request")
	}
	return rs[0]
}

// A secret goes to the person's direct channel with the bot, never to the
// channel the request was asked in; without a known account it is
// withheld.
func TestPrivateNoticeGoesToDirectChannel(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	r := h.ilzeRequest()
	before := len(h.mm.Posts(h.town.Id))
	secret := bot.Reply{Kind: bot.KindText, Private: true, Ephemeral: true, Text: "Pagaidu parole: Xk29!pq"}
	to := bot.Address{Platform: Platform, Channel: h.town.Id, Thread: "", User: h.id("ilze.liepa")}
	if err := h.a.Post(ctx, bot.Notice{To: to, Lang: bot.LV, Reply: secret, Request: r}); err != nil {
		t.Fatal(err)
	}
	h.a.Drain()
	for _, p := range h.mm.Posts(h.town.Id)[before:] {
		if strings.Contains(p.Message, "Xk29") {
			t.Fatal("the secret was posted in the channel")
		}
	}
	dm := h.mm.DirectChannel(h.bot.Id, h.id("ilze.liepa"))
	got := h.botPosts(dm)
	if len(got) == 0 || !strings.Contains(got[len(got)-1].Message, "Xk29!pq") {
		t.Fatalf("direct channel:\n%s", texts(got))
	}

	// Nobody to send it to: withheld, and said so in the log.
	r2 := *r
	r2.Requester = "janis.ozols@lgia.gov.lv" // never used Mattermost
	if err := h.a.Post(ctx, bot.Notice{To: bot.Address{Platform: Platform, Channel: h.town.Id}, Lang: bot.LV, Reply: secret, Request: &r2}); err != nil {
		t.Fatal(err)
	}
	h.a.Drain()
	if n := len(h.mm.Posts(h.town.Id)); n != before {
		t.Errorf("%d new posts in the channel", n-before)
	}
	if !strings.Contains(h.logs.String(), "private notice withheld") {
		t.Error("withholding was not logged")
	}
}

// Progress notices replace each other: one post in the thread, edited.
func TestProgressEditsOnePost(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	r := h.ilzeRequest()
	_, root, _ := h.env.Bot.Cards.Thread(ctx, Platform, r.ID, h.town.Id)
	if root == "" {
		t.Fatal("no thread")
	}
	before := len(h.mm.Thread(root))
	to := bot.Address{Platform: Platform, Channel: h.town.Id}
	for _, done := range []int{3, 7, 10} {
		rep := bot.Reply{Kind: bot.KindUpdate, Progress: true, Request: r, Title: r.ID,
			Text: bot.ProgressBar(done, 10, 20) + " " + string(rune('0'+done%10))}
		if err := h.a.Post(ctx, bot.Notice{To: to, Lang: bot.LV, Reply: rep, Request: r}); err != nil {
			t.Fatal(err)
		}
	}
	h.a.Drain()
	thread := h.mm.Thread(root)
	if len(thread) != before+1 {
		t.Fatalf("thread has %d new posts, want 1:\n%s", len(thread)-before, texts(thread))
	}
	p := thread[len(thread)-1]
	if !strings.Contains(p.Message, bot.ProgressBar(10, 10, 20)) || p.EditAt == 0 {
		t.Errorf("progress post = %q (edited %d)", p.Message, p.EditAt)
	}
}

// Rate limiting (429 with Retry-After) and server errors (5xx) are
// retried; other errors are not.
func TestAPIRetries(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	to := bot.Address{Platform: Platform, Channel: h.town.Id}
	note := bot.Notice{To: to, Lang: bot.LV, Reply: bot.Reply{Kind: bot.KindText, Text: "Plānota apkope sestdien."}}
	calls := func() int { return h.mm.Calls(http.MethodPost, "/api/v4/posts") }

	start := calls()
	h.mm.Fail(mmtest.Fault{Method: http.MethodPost, Path: "/api/v4/posts", Status: http.StatusTooManyRequests, RetryAfter: "1"})
	h.mm.Fail(mmtest.Fault{Method: http.MethodPost, Path: "/api/v4/posts", Status: http.StatusServiceUnavailable, Times: 2})
	if err := h.a.deliver(ctx, note); err != nil {
		t.Fatalf("post after 429 and 503s: %v", err)
	}
	if n := calls() - start; n != 4 {
		t.Errorf("%d calls, want 4 (429, 503, 503, ok)", n)
	}
	ps := h.botPosts(h.town.Id)
	if len(ps) != 1 || ps[0].Message != "Plānota apkope sestdien." {
		t.Fatalf("channel:\n%s", texts(ps))
	}
	if !strings.Contains(h.logs.String(), "retrying API call") {
		t.Error("retries were not logged")
	}

	// Too many failures: the error comes back, typed.
	start = calls()
	h.mm.Fail(mmtest.Fault{Method: http.MethodPost, Path: "/api/v4/posts", Status: http.StatusBadGateway, Times: 10})
	err := h.a.deliver(ctx, note)
	if statusOf(err) != http.StatusBadGateway {
		t.Errorf("err = %v, want a 502 APIError", err)
	}
	if n := calls() - start; n != h.a.cfg.Retries+1 {
		t.Errorf("%d calls, want %d", n, h.a.cfg.Retries+1)
	}
	h.mm.ClearFaults()

	// A client error is final at once.
	start = calls()
	bad := note
	bad.To.Channel = model.NewId() // no such channel
	if err := h.a.deliver(ctx, bad); statusOf(err) != http.StatusBadRequest {
		t.Errorf("err = %v, want a 400 APIError", err)
	}
	if n := calls() - start; n != 1 {
		t.Errorf("%d calls for a 400, want 1", n)
	}

	// Through Post the notice is queued; a failure is logged, not returned.
	if err := h.a.Post(ctx, bad); err != nil {
		t.Errorf("Post returned %v", err)
	}
	h.a.Drain()
	if !strings.Contains(h.logs.String(), "notice not delivered") {
		t.Error("the failed notice was not logged")
	}
}

// A bot without the system admin role may not post ephemeral messages:
// answers meant for one person then go to their direct channel, never to
// the channel. Slash command answers use the command's response URL and
// need no role at all.
func TestEphemeralFallback(t *testing.T) {
	h := newHarness(t)
	h.mm.EphemeralAdminOnly = true
	r := h.ilzeRequest()
	if n := h.mm.Calls(http.MethodPost, "/api/v4/posts/ephemeral"); n != 0 {
		t.Errorf("slash command answers used the ephemeral API %d times; want the response URL", n)
	}
	eph := h.mm.Ephemerals(h.id("ilze.liepa"))
	if len(eph) < 1 || !strings.Contains(eph[len(eph)-1].Message, r.ID) {
		t.Fatalf("Ilze's ephemeral answers:\n%s", texts(eph))
	}

	// A click has no response URL: its answer comes back in the click's
	// 200 (ephemeral_text), which the server shows her where she clicked
	// — no ephemeral API call (403 for a Member bot), no direct message,
	// nothing in the channel.
	card := h.botPosts(h.town.Id)[0]
	before := len(h.mm.Posts(h.town.Id))
	dm := h.mm.DirectChannel(h.bot.Id, h.id("ilze.liepa"))
	dmBefore := len(h.botPosts(dm))
	h.click("ilze.liepa", card, bot.Tr(bot.LV, "button.show", nil))
	h.click("ilze.liepa", card, bot.Tr(bot.LV, "button.show", nil))
	if n := len(h.mm.Posts(h.town.Id)); n != before {
		t.Errorf("%d answers posted in the channel", n-before)
	}
	if got := h.botPosts(dm); len(got) != dmBefore {
		t.Errorf("answers went to the direct channel:\n%s", texts(got))
	}
	if n := h.mm.Calls(http.MethodPost, "/api/v4/posts/ephemeral"); n != 0 {
		t.Errorf("ephemeral API tried %d times, want none", n)
	}
	eph = h.mm.Ephemerals(h.id("ilze.liepa"))
	if last := eph[len(eph)-1]; !strings.Contains(last.Message, bot.Tr(bot.LV, "cmd.history", nil)) {
		t.Errorf("Ilze's answer to the click:\n%s", texts(eph))
	}
}

// A DVS document copy reports its progress as it goes: one progress post
// in the request's thread, edited up to 100 %, then the result.
func TestDVSCopyProgress(t *testing.T) {
	h := newHarness(t)
	h.slash("ilze.liepa", h.town.Id, "dvs kopija 2026-01-05 2026-01-09")
	rs := h.requests()
	if len(rs) != 1 || rs[0].State != bot.StateDone {
		t.Fatalf("requests = %+v", rs)
	}
	_, root, _ := h.env.Bot.Cards.Thread(context.Background(), Platform, rs[0].ID, h.town.Id)
	var bars []*model.Post
	for _, p := range h.mm.Thread(root) {
		if strings.Contains(p.Message, "█") || strings.Contains(p.Message, "░") {
			bars = append(bars, p)
		}
	}
	if len(bars) != 1 {
		t.Fatalf("%d progress posts, want 1:\n%s", len(bars), texts(h.mm.Thread(root)))
	}
	if !strings.Contains(bars[0].Message, bot.ProgressBar(1, 1, 20)) || bars[0].EditAt == 0 {
		t.Errorf("progress post = %q (edited %d)", bars[0].Message, bars[0].EditAt)
	}
}

// A request asked where the bot may not post (a channel it is not in)
// keeps its thread in the requester's direct channel with the bot: the
// card, every update and the report go there, nothing is lost.
func TestThreadMovesWhenBotMayNotPost(t *testing.T) {
	h := newHarness(t)
	private := h.mm.AddChannel(h.team.Id, "lgia-it", model.ChannelTypePrivate, h.id("anna.berzina"), h.id("janis.ozols"))
	h.slash("ilze.liepa", h.town.Id, "whoami")
	h.slash("anna.berzina", private.Id, "report accounts")
	rs := h.requests()
	if len(rs) != 1 || rs[0].Origin.Channel != private.Id {
		t.Fatalf("requests = %+v", rs)
	}
	dm := h.mm.DirectChannel(h.bot.Id, h.id("anna.berzina"))
	posts := h.botPosts(dm)
	if len(posts) != 1 || !strings.HasPrefix(attachment(t, posts[0]).Title, rs[0].ID) {
		t.Fatalf("Anna's direct channel:\n%s", texts(posts))
	}
	// Anna's own answer shows the whole card: she cannot see it where she asked.
	eph := h.mm.Ephemerals(h.id("anna.berzina"))
	if last := eph[len(eph)-1]; len(last.Attachments()) != 1 {
		t.Errorf("Anna's answer:\n%s", texts(eph))
	}
	ask := h.botPosts(h.mm.DirectChannel(h.bot.Id, h.id("ilze.liepa")))[0]
	h.click("ilze.liepa", ask, bot.Tr(bot.LV, "button.approve", nil))
	thread := h.mm.Thread(posts[0].Id)
	files := 0
	for _, p := range thread {
		files += len(p.FileIds)
	}
	if len(thread) < 2 || files != 1 {
		t.Fatalf("thread in the direct channel (%d files):\n%s", files, texts(thread))
	}
	if got := field(attachment(t, h.mm.Post(posts[0].Id)), bot.Tr(bot.LV, "field.state", nil)); got != bot.StateDone.Label(bot.LV) {
		t.Errorf("card state %q", got)
	}
	if n := len(h.mm.Posts(private.Id)); n != 0 {
		t.Errorf("%d posts in the channel the bot is not in", n)
	}
	if !strings.Contains(h.logs.String(), "its thread moves to the requester's direct messages") {
		t.Error("the move was not logged")
	}
}

// When the slash command's response URL fails, the answer still reaches
// the person (through the API), and the URL is never logged.
func TestResponseURLFailure(t *testing.T) {
	h := newHarnessWith(t, func(c *Config) { c.CommandWait = -1 }) // answers always come later
	h.mm.EphemeralAdminOnly = false                                // a bot with the system admin role may post ephemerals
	h.mm.Fail(mmtest.Fault{Method: http.MethodPost, Path: "/hooks/commands/*", Status: http.StatusInternalServerError, Times: 100})
	cr := h.slash("anna.berzina", h.town.Id, "pieteikumi")
	if !strings.Contains(cr.Text, "/it pieteikumi") {
		t.Errorf("immediate answer %q, want the working note", cr.Text)
	}
	eph := h.mm.Ephemerals(h.id("anna.berzina"))
	answered := false
	for _, p := range eph {
		answered = answered || strings.Contains(p.Message, bot.Tr(bot.LV, "cmd.requests_none", nil))
	}
	if len(eph) != 2 || !answered {
		t.Fatalf("Anna's answers:\n%s", texts(eph))
	}
	if h.mm.Calls(http.MethodPost, "/api/v4/posts/ephemeral") != 1 {
		t.Error("the answer did not take the API")
	}
	if logs := h.logs.String(); !strings.Contains(logs, "response URL failed") || strings.Contains(logs, "/hooks/commands/") {
		t.Errorf("log:\n%s", logs)
	}
}

// A patch replaces a post's props whole (the server keeps nothing): the
// bot's edited cards must still say they are the bot's.
func TestEditedCardsKeepFromBot(t *testing.T) {
	h := newHarness(t)
	_, ask := h.askReport()
	card := h.botPosts(h.town.Id)[0]
	h.click("ilze.liepa", ask, bot.Tr(bot.LV, "button.approve", nil))
	got := h.mm.Post(card.Id)
	if got.EditAt == 0 {
		t.Fatal("the card was not edited")
	}
	if v, _ := got.GetProp(model.PostPropsFromBot).(string); v != "true" {
		t.Errorf("the edited card lost from_bot: props %v", got.GetProps())
	}
}
