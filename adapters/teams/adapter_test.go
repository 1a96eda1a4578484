package teams_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"itbot/adapters/teams"
	"itbot/adapters/teams/teamstest"
	"itbot/bot"
	"itbot/bot/dialogue"
	"itbot/bot/slaclock"
	"itbot/bottest"
	"itbot/commands"
)

type door struct {
	e   *bottest.Env
	em  *teamstest.Server
	a   *teams.Adapter
	srv *httptest.Server
}

func newDoor(t *testing.T) *door {
	t.Helper()
	e := bottest.New(t)
	e.Sandbox()
	clock, err := slaclock.New(slaclock.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e.Bot.SLA = clock
	dialogue.New(e.Bot, dialogue.Options{Help: commands.HelpText, Ack: commands.Ack}).Install(e.Router)
	em := teamstest.New()
	t.Cleanup(em.Close)
	a, err := teams.New(teams.Config{AppID: teamstest.AppID, Secret: teamstest.Secret, TenantID: teamstest.TenantID,
		TokenURL: em.TokenURL(), MetadataURL: em.MetadataURL(), OpsChannel: opsChannel}, e.Bot.Door(e.Router),
		teams.Options{Log: slog.New(slog.DiscardHandler), Sleep: func(_ context.Context, d time.Duration) error { em.Advance(d); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	e.Bot.Notify.Add(a)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go a.Run(ctx)
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	em.AddMember("29:anna", "aad-anna", "Anna.Berzina@lgia.gov.lv", "Anna Bērziņa")
	em.AddMember("29:ilze", "aad-ilze", "ilze.liepa@lgia.gov.lv", "Ilze Liepa")
	em.AddMember("29:stranger", "aad-x", "svesais@lgia.gov.lv", "Svešais")
	return &door{e: e, em: em, a: a, srv: srv}
}

// say delivers a signed message and waits for it to be handled.
func (d *door) say(t *testing.T, m teamstest.Message) int {
	t.Helper()
	code := d.em.Deliver(d.srv.URL, d.em.Activity(m), d.em.Sign(d.em.URL(), teamstest.Token{}))
	d.a.Wait()
	return code
}

func TestPersonalChatLicenceRequest(t *testing.T) {
	d := newDoor(t)
	m := teamstest.Message{ID: "act-1", Conversation: "a:anna-personal", From: "29:anna", FromAAD: "aad-anna",
		Text: "/it licence assign janis.ozols@lgia.gov.lv E3"}
	if code := d.say(t, m); code != http.StatusOK {
		t.Fatalf("activity answered %d", code)
	}
	rs, _ := d.e.Store.Requests(context.Background(), bot.RequestFilter{})
	if len(rs) != 1 || rs[0].Requester != "anna.berzina@lgia.gov.lv" || rs[0].Origin.Platform != teams.Platform || rs[0].State != bot.StateAwaitingApproval {
		t.Fatalf("requests %+v", rs)
	}
	var answered bool
	for _, p := range d.em.Posted() {
		if p.Conversation == m.Conversation && p.ReplyTo == "act-1" && strings.Contains(p.All(), rs[0].ID) {
			answered = true
		}
	}
	if !answered {
		t.Errorf("no answer in the reply chain: %+v", d.em.Posted())
	}
	// The Connector sends the same activity again (a retry): one request.
	d.say(t, m)
	if rs, _ := d.e.Store.Requests(context.Background(), bot.RequestFilter{}); len(rs) != 1 {
		t.Errorf("a replayed activity made %d requests", len(rs))
	}
	// A mention in a channel is stripped before routing.
	d.say(t, teamstest.Message{ID: "act-2", Conversation: "19:kanals@thread.tacv2", ConversationType: "channel", From: "29:anna", FromAAD: "aad-anna",
		Text: "<at>itbot</at> /it requests"})
	var listed bool
	for _, p := range d.em.Posted() {
		if p.ReplyTo == "act-2" && strings.Contains(p.All(), rs[0].ID) {
			listed = true
		}
	}
	if !listed {
		t.Errorf("the mentioned command was not understood: %+v", d.em.Posted())
	}
}

func TestUnknownPersonAnswered(t *testing.T) {
	d := newDoor(t)
	d.say(t, teamstest.Message{ID: "x-1", Conversation: "a:x", From: "29:stranger", FromAAD: "aad-x", Text: "/it licence assign a@lgia.gov.lv E3"})
	ps := d.em.Posted()
	if len(ps) != 1 || !strings.Contains(ps[0].All(), bot.Tr(bot.LV, "router.unknown_person", nil)) {
		t.Errorf("answer %+v", ps)
	}
	if rs, _ := d.e.Store.Requests(context.Background(), bot.RequestFilter{}); len(rs) != 0 {
		t.Errorf("an unknown person made a request")
	}
}

// Forged activities are refused before anything is stored or done.
func TestForgedActivityNotActedOn(t *testing.T) {
	d := newDoor(t)
	body := d.em.Activity(teamstest.Message{ID: "f-1", Conversation: "a:anna-personal", From: "29:anna", FromAAD: "aad-anna", Text: "/it licence assign janis.ozols@lgia.gov.lv E3"})
	for name, auth := range map[string]string{
		"unsigned":       "",
		"wrong audience": d.em.Sign(d.em.URL(), teamstest.Token{Audience: "someone-else"}),
		"other service":  d.em.Sign("https://evil.example/", teamstest.Token{}),
	} {
		if code := d.em.Deliver(d.srv.URL, body, auth); code != http.StatusUnauthorized {
			t.Errorf("%s: %d", name, code)
		}
	}
	other := d.em.Activity(teamstest.Message{ID: "f-2", Conversation: "a:y", From: "29:anna", FromAAD: "aad-anna", Text: "/it requests", Tenant: "00000000-0000-0000-0000-000000000000"})
	if code := d.em.Deliver(d.srv.URL, other, d.em.Sign(d.em.URL(), teamstest.Token{})); code != http.StatusForbidden {
		t.Errorf("another tenant: %d", code)
	}
	d.a.Wait()
	if rs, _ := d.e.Store.Requests(context.Background(), bot.RequestFilter{}); len(rs) != 0 || len(d.em.Posted()) != 0 {
		t.Errorf("a forged activity was acted on: %d requests, %d posts", len(rs), len(d.em.Posted()))
	}
}

// The IT contact's approval, typed in her chat, updates Anna's card in
// place and the bot's cards stay one per conversation.
func TestApprovalUpdatesTheCard(t *testing.T) {
	d := newDoor(t)
	d.say(t, teamstest.Message{ID: "a-1", Conversation: "a:anna-personal", From: "29:anna", FromAAD: "aad-anna", Text: "/it licence assign janis.ozols@lgia.gov.lv E3"})
	rs, _ := d.e.Store.Requests(context.Background(), bot.RequestFilter{})
	if len(rs) != 1 {
		t.Fatalf("%d requests", len(rs))
	}
	d.say(t, teamstest.Message{ID: "i-1", Conversation: "a:ilze-personal", From: "29:ilze", FromAAD: "aad-ilze", Text: "/it approve " + rs[0].ID})
	if st := d.e.Request(rs[0].ID).State; st != bot.StateDone {
		t.Fatalf("after approval: %s", st)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var updated bool
		for _, p := range d.em.Posted() {
			if p.Conversation == "a:anna-personal" && p.Updated > 0 {
				updated = true
			}
		}
		if updated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Anna's card was not updated in place: %+v", d.em.Posted())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Approve and Reject on the card (Action.Execute): the click runs as the
// person who clicked; the invoke response is the answer as a card; Reject
// needs the reason from the card's input.
func TestCardActions(t *testing.T) {
	d := newDoor(t)
	d.say(t, teamstest.Message{ID: "c-1", Conversation: "a:anna-personal", From: "29:anna", FromAAD: "aad-anna", Text: "/it licence assign janis.ozols@lgia.gov.lv E3"})
	d.say(t, teamstest.Message{ID: "c-2", Conversation: "a:anna-personal", From: "29:anna", FromAAD: "aad-anna", Text: "/it licence assign peteris.kalnins@lgia.gov.lv E3"})
	rs, _ := d.e.Store.Requests(context.Background(), bot.RequestFilter{})
	if len(rs) != 2 {
		t.Fatalf("%d requests", len(rs))
	}
	first, second := rs[1].ID, rs[0].ID // newest first
	// The requester's own click on Approve is refused by the bot's rule.
	code, res := d.em.DeliverInvoke(d.srv.URL, d.em.Invoke(teamstest.Message{ID: "k-1", Conversation: "a:anna-personal", From: "29:anna", FromAAD: "aad-anna"}, "/it approve "+first, ""))
	if code != http.StatusOK || res["statusCode"] != float64(200) {
		t.Fatalf("invoke answered %d %v", code, res)
	}
	if st := d.e.Request(first).State; st != bot.StateAwaitingApproval {
		t.Fatalf("the requester approved her own request: %s", st)
	}
	ilzeConv := teamstest.Message{ID: "k-2", Conversation: "a:ilze-personal", From: "29:ilze", FromAAD: "aad-ilze"}
	_, res = d.em.DeliverInvoke(d.srv.URL, d.em.Invoke(ilzeConv, "/it approve "+first, ""))
	if res["type"] != teams.CardContentType {
		t.Errorf("the approval's answer is not a card: %v", res)
	}
	if st := d.e.Request(first).State; st != bot.StateDone {
		t.Fatalf("after Ilze's click: %s", st)
	}
	// The same invoke again (a retry) runs once.
	d.em.DeliverInvoke(d.srv.URL, d.em.Invoke(ilzeConv, "/it approve "+first, ""))
	// Reject without a reason: asked for it, nothing changes.
	ilzeConv.ID = "k-3"
	_, res = d.em.DeliverInvoke(d.srv.URL, d.em.Invoke(ilzeConv, "/it reject "+second, ""))
	if v, _ := res["value"].(string); !strings.Contains(v, "iemeslu") {
		t.Errorf("reject without a reason: %v", res)
	}
	if st := d.e.Request(second).State; st != bot.StateAwaitingApproval {
		t.Fatalf("rejected without a reason: %s", st)
	}
	ilzeConv.ID = "k-4"
	d.em.DeliverInvoke(d.srv.URL, d.em.Invoke(ilzeConv, "/it reject "+second, "nav budžeta"))
	if st := d.e.Request(second).State; st != bot.StateRejected {
		t.Fatalf("reject with a reason: %s", st)
	}
}

// A request in plain Latvian: restated, confirmed with "jā", created.
func TestLatvianConversation(t *testing.T) {
	d := newDoor(t)
	conv := teamstest.Message{Conversation: "a:anna-personal", From: "29:anna", FromAAD: "aad-anna"}
	conv.ID, conv.Text = "l-1", "Lūdzu piešķiriet E3 licenci janis.ozols@lgia.gov.lv"
	d.say(t, conv)
	ps := d.em.Posted()
	if len(ps) == 0 || !strings.Contains(ps[len(ps)-1].All(), "janis.ozols@lgia.gov.lv") {
		t.Fatalf("not restated: %+v", ps)
	}
	if rs, _ := d.e.Store.Requests(context.Background(), bot.RequestFilter{}); len(rs) != 0 {
		t.Fatalf("created before the yes")
	}
	conv.ID, conv.Text = "l-2", "jā"
	d.say(t, conv)
	rs, _ := d.e.Store.Requests(context.Background(), bot.RequestFilter{})
	if len(rs) != 1 || rs[0].Type != bot.TypeLicenceAssign || rs[0].Params.User != "janis.ozols@lgia.gov.lv" {
		t.Fatalf("after jā: %+v", rs)
	}
}

// An SLA reminder reaches the request's Teams conversation on the bot's
// own initiative (a proactive post from the stored conversation
// reference).
func TestSLAReminderPostedProactively(t *testing.T) {
	d := newDoor(t)
	d.say(t, teamstest.Message{ID: "s-1", Conversation: "a:anna-personal", From: "29:anna", FromAAD: "aad-anna", Text: "/it dvs incident DVS neatver dokumentus"})
	rs, _ := d.e.Store.Requests(context.Background(), bot.RequestFilter{})
	if len(rs) != 1 || rs[0].SLA.DueAt.IsZero() {
		t.Fatalf("requests %+v", rs)
	}
	before := len(d.em.Posted())
	s := slaclock.NewScheduler(d.e.Bot, d.e.Bot.SLA.(*slaclock.Clock))
	d.e.Clock.Advance(6 * time.Hour) // past half the business day's budget
	res, err := s.Tick(context.Background(), d.e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var reminded bool
		for _, p := range d.em.Posted()[before:] {
			if p.Conversation == "a:anna-personal" && strings.Contains(p.All(), rs[0].ID) {
				reminded = true
			}
		}
		if reminded {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reminder in Teams (tick %+v): %+v", res, d.em.Posted()[before:])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkInboundAck measures the messaging endpoint up to its 200:
// reading the activity, the JWT check and the journal's commit (handling
// runs after the answer).
func BenchmarkInboundAck(b *testing.B) {
	e := bottest.New(b)
	em := teamstest.New()
	defer em.Close()
	a, err := teams.New(teams.Config{AppID: teamstest.AppID, Secret: teamstest.Secret, TenantID: teamstest.TenantID,
		TokenURL: em.TokenURL(), MetadataURL: em.MetadataURL()}, e.Bot.Door(e.Router), teams.Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	em.AddMember("29:anna", "aad-anna", "anna.berzina@lgia.gov.lv", "Anna")
	auth := em.Sign(em.URL(), teamstest.Token{})
	var n atomic.Int64
	post := func() {
		body := em.Activity(teamstest.Message{ID: "b-" + strconv.FormatInt(n.Add(1), 10), Conversation: "a:anna", From: "29:anna", FromAAD: "aad-anna", Text: "/it whoami"})
		req := httptest.NewRequest(http.MethodPost, "/teams/messages", bytes.NewReader(body))
		req.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		a.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Errorf("%d", w.Code)
		}
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			post()
		}
	})
	// 32 activities in flight share the journal's commits (group commit).
	b.Run("parallel32", func(b *testing.B) {
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				post()
			}
		})
	})
	b.StopTimer()
	a.Wait()
}

// Once the IT contact has spoken to the bot in Teams she is linked, and a
// new request of her institution reaches her as a card in her 1:1 chat.
func TestApproverGetsTheCardInTeams(t *testing.T) {
	d := newDoor(t)
	d.say(t, teamstest.Message{ID: "h-1", Conversation: "a:ilze-personal", From: "29:ilze", FromAAD: "aad-ilze", Text: "/it whoami"})
	if p := d.e.Person("ilze.liepa@lgia.gov.lv"); p.Identities[teams.Platform] != "29:ilze" {
		t.Fatalf("not linked: %+v", p.Identities)
	}
	d.say(t, teamstest.Message{ID: "h-2", Conversation: "a:anna-personal", From: "29:anna", FromAAD: "aad-anna", Text: "/it licence assign janis.ozols@lgia.gov.lv E3"})
	deadline := time.Now().Add(5 * time.Second)
	for {
		var carded bool
		for _, p := range d.em.Posted() {
			if p.Conversation == "a:personal-29:ilze" && strings.Contains(p.Card, "/it approve IT-") {
				carded = true
			}
		}
		if carded {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no approval card in Ilze's chat: %+v", d.em.Posted())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A burst of answers to one conversation meets Teams' per-conversation
// rate limit: the 429s are waited out (Retry-After) and nothing is lost.
func TestRateLimitWaitedOut(t *testing.T) {
	d := newDoor(t)
	for i := range 12 {
		d.say(t, teamstest.Message{ID: "r-" + strconv.Itoa(i), Conversation: "a:anna-personal", From: "29:anna", FromAAD: "aad-anna", Text: "/it whoami"})
	}
	if d.em.Limited() == 0 {
		t.Fatalf("the burst never met the rate limit (%d posts)", len(d.em.Posted()))
	}
	answered := map[string]bool{}
	for _, p := range d.em.Posted() {
		answered[p.ReplyTo] = true
	}
	for i := range 12 {
		if !answered["r-"+strconv.Itoa(i)] {
			t.Errorf("r-%d was not answered", i)
		}
	}
}

// A report's file reaches its requester by a file consent card in the
// personal chat; accepted, it is uploaded to her OneDrive and a file card
// follows. The file never goes into a shared conversation.
func TestFileByConsentCard(t *testing.T) {
	d := newDoor(t)
	m := teamstest.Message{ID: "f-1", Conversation: "a:ilze-personal", From: "29:ilze", FromAAD: "aad-ilze", Text: "/it report accounts"}
	d.say(t, m)
	var consent teamstest.Posted
	deadline := time.Now().Add(5 * time.Second)
	for consent.Consent == "" {
		for _, p := range d.em.Posted() {
			if p.Consent != "" {
				consent = p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no file consent card: %+v", d.em.Posted())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.HasPrefix(consent.Conversation, "a:") || !strings.HasSuffix(consent.ConsentFile, ".csv") {
		t.Fatalf("consent card %+v", consent)
	}
	m.ID = "f-2"
	if code := d.em.Deliver(d.srv.URL, d.em.AcceptFile(m, consent), d.em.Sign(d.em.URL(), teamstest.Token{})); code != http.StatusOK {
		t.Fatalf("accept answered %d", code)
	}
	if b := d.em.Uploaded(consent.Consent); !strings.Contains(string(b), "lgia.gov.lv") {
		t.Errorf("uploaded %d bytes: %.80q", len(b), b)
	}
	var info bool
	for _, p := range d.em.Posted() {
		if p.FileInfo == consent.ConsentFile {
			info = true
		}
	}
	if !info {
		t.Errorf("no file info card after the upload")
	}
}

// opsChannel is the operators' Teams channel in the tests.
const opsChannel = "19:it-operatori@thread.tacv2"

// A new request is announced in the operators' Teams channel, and its
// card there is edited as the request changes.
func TestOperatorsChannel(t *testing.T) {
	d := newDoor(t)
	d.say(t, teamstest.Message{ID: "o-1", Conversation: "a:anna-personal", From: "29:anna", FromAAD: "aad-anna", Text: "/it dvs incident DVS neatver dokumentus"})
	deadline := time.Now().Add(5 * time.Second)
	for {
		var announced bool
		for _, p := range d.em.Posted() {
			if p.Conversation == opsChannel && strings.Contains(p.All(), "IT-2026-") {
				announced = true
			}
		}
		if announced {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing in the operators' channel: %+v", d.em.Posted())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
