package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"itbot/adapters/slack/slacktest"
	"itbot/bot"
)

// TestSlashCommandCreatesRequest: an employee types a licence request; the
// endpoint acknowledges with an empty 200, the request is stored with its
// Slack origin, its card starts a thread in the channel, the operators'
// channel gets its own card, the approvers who use Slack get a direct
// message with Approve/Reject, and the answer reaches the employee
// through the response_url.
func TestSlashCommandCreatesRequest(t *testing.T) {
	e := newEnv(t)
	// Ilze (the IT contact) has used the bot before, so her Slack account
	// is linked and approval requests reach her.
	res, rurl := e.command(uIlze, chLGIA, "kas es")
	if res.StatusCode != http.StatusOK || body(res) != "" {
		t.Fatalf("ack: %d %q", res.StatusCode, body(res))
	}
	if got := e.responseTo(rurl); !strings.Contains(got.Text, "Ilze Liepa") || got.ResponseType != "ephemeral" {
		t.Fatalf("whoami answer: %+v", got)
	}
	if p := e.Person("ilze.liepa@lgia.gov.lv"); p.Identities[Platform] != uIlze {
		t.Fatalf("ilze not linked: %v", p.Identities)
	}

	res, rurl = e.command(uAnna, chLGIA, "licence piešķirt janis.ozols@lgia.gov.lv E3")
	if res.StatusCode != http.StatusOK || body(res) != "" {
		t.Fatalf("ack: %d %q", res.StatusCode, body(res))
	}
	ans := e.responseTo(rurl)
	if !strings.Contains(ans.Text, "IT-2026-000001") || ans.ResponseType != "ephemeral" {
		t.Fatalf("answer: %+v", ans)
	}
	rs := e.requests()
	if len(rs) != 1 {
		t.Fatalf("requests: %d", len(rs))
	}
	r := rs[0]
	if r.State != bot.StateAwaitingApproval || r.Requester != "anna.berzina@lgia.gov.lv" ||
		r.Origin != (bot.Origin{Platform: Platform, Channel: chLGIA, MessageID: r.Origin.MessageID, UserID: uAnna, Delivery: "cmd/" + r.Origin.MessageID}) {
		t.Fatalf("request: %+v origin %+v", r, r.Origin)
	}
	e.wait("the card in the channel, the ops card and the approver's DM", func() bool {
		return len(e.top(chLGIA)) == 1 && len(e.top(chOps)) == 1 && len(e.top("D"+uIlze)) == 1
	})
	card := e.top(chLGIA)[0]
	txt := blocksText(card.Blocks)
	for _, want := range []string{"IT-2026-000001 · Licences piešķiršana", "janis.ozols@lgia.gov.lv", "gaida apstiprinājumu", "Termiņš"} {
		if !strings.Contains(txt, want) {
			t.Errorf("card lacks %q:\n%s", want, txt)
		}
	}
	if bs := buttons(card.Blocks); bs["/it approve IT-2026-000001"] != "" {
		t.Errorf("the requester's card offers approval: %v", bs)
	}
	dm := e.top("D" + uIlze)[0]
	bs := buttons(dm.Blocks)
	if bs["/it approve IT-2026-000001"] == "" || bs["/it reject IT-2026-000001"] == "" {
		t.Fatalf("approver DM buttons: %v", bs)
	}
	if !strings.Contains(blocksText(dm.Blocks), "anna.berzina@lgia.gov.lv lūdz apstiprināt") {
		t.Errorf("approver DM text: %s", blocksText(dm.Blocks))
	}
	if ops := blocksText(e.top(chOps)[0].Blocks); !strings.Contains(ops, "Jauns pieteikums no LGIA") {
		t.Errorf("ops card: %s", ops)
	}
	if p := e.Person("anna.berzina@lgia.gov.lv"); p.Identities[Platform] != uAnna {
		t.Errorf("anna not linked: %v", p.Identities)
	}
}

// TestApprovalByButton: the IT contact clicks Approve in her direct
// message; the click runs "/it approve ID" as her, the update is posted
// in the request's thread, and every card of the request is edited in
// place (chat.update) to the new state.
func TestApprovalByButton(t *testing.T) {
	e := newEnv(t)
	e.Bot.Policy.Manual = append(e.Bot.Policy.Manual, bot.TypeLicenceAssign) // worked by hand: approval ends in "approved"
	_, rurl := e.command(uIlze, chLGIA, "whoami")
	e.responseTo(rurl)
	_, rurl = e.command(uAnna, chLGIA, "licence assign janis.ozols@lgia.gov.lv E3")
	e.responseTo(rurl)
	e.wait("cards", func() bool { return len(e.top(chLGIA)) == 1 && len(e.top("D"+uIlze)) == 1 && len(e.top(chOps)) == 1 })
	card, dm := e.top(chLGIA)[0], e.top("D" + uIlze)[0]
	const approve = "/it approve IT-2026-000001"

	rurl = e.slack.ResponseURL()
	click := slacktest.BlockActions{UserID: uIlze, UserName: "ilze", ChannelID: "D" + uIlze, MessageTS: dm.TS, ResponseURL: rurl,
		Button: slacktest.Button{ActionID: buttons(dm.Blocks)[approve], BlockID: "itbot.actions", Value: approve, Text: "Apstiprināt", Style: "primary"}}
	res := e.post(PathInteractions, slacktest.Form, click.Body(), time.Now(), slacktest.SigningSecret, nil)
	if res.StatusCode != http.StatusOK || body(res) != "" {
		t.Fatalf("ack: %d %q", res.StatusCode, body(res))
	}
	if ans := e.responseTo(rurl); !strings.Contains(ans.Text, "IT-2026-000001") || ans.ResponseType != "ephemeral" {
		t.Fatalf("answer to the click: %+v", ans)
	}
	r := e.Request("IT-2026-000001")
	if r.State != bot.StateApproved || r.ApprovedBy != "ilze.liepa@lgia.gov.lv" {
		t.Fatalf("state %s approved by %q", r.State, r.ApprovedBy)
	}
	evs, _ := e.Store.Events(context.Background(), r.ID)
	if last := evs[len(evs)-1]; last.Actor != "ilze.liepa@lgia.gov.lv" || last.Platform != Platform {
		t.Errorf("audit: %+v", last)
	}
	e.wait("the update in the thread and the edited cards", func() bool {
		c, _ := e.slack.Message(chLGIA, card.TS)
		d, _ := e.slack.Message("D"+uIlze, dm.TS)
		return len(e.replies(chLGIA, card.TS)) == 1 && len(c.Edits) == 1 && len(d.Edits) == 1
	})
	upd := e.replies(chLGIA, card.TS)[0]
	if txt := blocksText(upd.Blocks); !strings.Contains(txt, "Apstiprināja ilze.liepa@lgia.gov.lv") {
		t.Errorf("thread update: %s", txt)
	}
	c, _ := e.slack.Message(chLGIA, card.TS)
	if txt := blocksText(c.Edits[0]); !strings.Contains(txt, "apstiprināts") || strings.Contains(txt, "gaida apstiprinājumu") {
		t.Errorf("edited card: %s", txt)
	}
	d, _ := e.slack.Message("D"+uIlze, dm.TS)
	if bs := buttons(d.Edits[0]); bs[approve] != "" {
		t.Errorf("the approver's card still offers Approve: %v", bs)
	}
	ops := e.top(chOps)[0]
	e.wait("the ops thread update", func() bool { return len(e.replies(chOps, ops.TS)) == 1 })

	// A second click on the stale button is refused with a clear answer
	// and changes nothing.
	rurl = e.slack.ResponseURL()
	click.ResponseURL = rurl
	e.post(PathInteractions, slacktest.Form, click.Body(), time.Now(), slacktest.SigningSecret, nil)
	if ans := e.responseTo(rurl); !strings.Contains(ans.Text, "nevar pārvietot") {
		t.Errorf("second click: %q", ans.Text)
	}
}

// TestRejectAsksForReason: Reject opens a modal; an empty reason is shown
// as an error on the field; a reason rejects the request and is posted in
// its thread.
func TestRejectAsksForReason(t *testing.T) {
	e := newEnv(t)
	_, rurl := e.command(uIlze, chLGIA, "whoami")
	e.responseTo(rurl)
	_, rurl = e.command(uAnna, chLGIA, "licence assign janis.ozols@lgia.gov.lv")
	e.responseTo(rurl)
	e.wait("cards", func() bool { return len(e.top(chLGIA)) == 1 && len(e.top("D"+uIlze)) == 1 })
	card, dm := e.top(chLGIA)[0], e.top("D" + uIlze)[0]
	const reject = "/it reject IT-2026-000001"
	click := slacktest.BlockActions{UserID: uIlze, UserName: "ilze", ChannelID: "D" + uIlze, MessageTS: dm.TS, ResponseURL: e.slack.ResponseURL(),
		Button: slacktest.Button{ActionID: buttons(dm.Blocks)[reject], BlockID: "itbot.actions", Value: reject, Text: "Noraidīt", Style: "danger"}}
	if res := e.post(PathInteractions, slacktest.Form, click.Body(), time.Now(), slacktest.SigningSecret, nil); res.StatusCode != 200 {
		t.Fatalf("click: %d", res.StatusCode)
	}
	e.wait("the reason modal", func() bool { return len(e.slack.Views()) == 1 })
	var view struct {
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
	}
	json.Unmarshal(e.slack.Views()[0], &view)
	if view.CallbackID != CallbackReject || !strings.Contains(view.PrivateMetadata, "IT-2026-000001") {
		t.Fatalf("view: %+v", view)
	}
	submit := func(reason string) *http.Response {
		vs := slacktest.ViewSubmission{UserID: uIlze, UserName: "ilze", CallbackID: view.CallbackID, PrivateMetadata: view.PrivateMetadata,
			Values: map[string]map[string]any{BlockReason: {BlockReason: slacktest.Input(reason)}}}
		return e.post(PathInteractions, slacktest.Form, vs.Body(), time.Now(), slacktest.SigningSecret, nil)
	}
	res := submit("   ")
	var errs struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	json.Unmarshal([]byte(body(res)), &errs)
	if res.StatusCode != 200 || errs.ResponseAction != "errors" || errs.Errors[BlockReason] != "Uzrakstiet noraidīšanas iemeslu." {
		t.Fatalf("empty reason: %d %s", res.StatusCode, body(res))
	}
	if r := e.Request("IT-2026-000001"); r.State != bot.StateAwaitingApproval {
		t.Fatalf("changed by an invalid form: %s", r.State)
	}
	res = submit("Licence E3 nav vajadzīga; pietiek ar E1.")
	if res.StatusCode != 200 || body(res) != "" {
		t.Fatalf("valid reason: %d %q", res.StatusCode, body(res))
	}
	e.wait("rejected, with the reason in the thread", func() bool {
		for _, m := range e.replies(chLGIA, card.TS) {
			if strings.Contains(blocksText(m.Blocks), "pietiek ar E1") {
				return true
			}
		}
		return false
	})
	if r := e.Request("IT-2026-000001"); r.State != bot.StateRejected {
		t.Fatalf("state: %s", r.State)
	}
}

// TestNewRequestForm: "/it new" opens the form; invalid input is answered
// with errors on the fields; valid input creates the request and adds the
// comment.
func TestNewRequestForm(t *testing.T) {
	e := newEnv(t)
	res, _ := e.command(uAnna, chLGIA, "jauns")
	if res.StatusCode != 200 {
		t.Fatalf("ack %d", res.StatusCode)
	}
	e.wait("the form", func() bool { return len(e.slack.Views()) == 1 })
	var view struct {
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
		Title           struct{ Text string }
	}
	json.Unmarshal(e.slack.Views()[0], &view)
	if view.CallbackID != CallbackNew || view.Title.Text != "Jauns pieteikums" {
		t.Fatalf("view: %+v", view)
	}
	submit := func(typ, target, licence, comment string) (int, map[string]string, string) {
		vs := slacktest.ViewSubmission{UserID: uAnna, UserName: "anna", CallbackID: CallbackNew, PrivateMetadata: view.PrivateMetadata,
			Values: map[string]map[string]any{
				BlockType: {BlockType: slacktest.Select(typ)}, BlockTarget: {BlockTarget: slacktest.Input(target)},
				BlockLicence: {BlockLicence: slacktest.Select(licence)}, BlockComment: {BlockComment: slacktest.Input(comment)}}}
		res := e.post(PathInteractions, slacktest.Form, vs.Body(), time.Now(), slacktest.SigningSecret, nil)
		var r struct {
			ResponseAction string            `json:"response_action"`
			Errors         map[string]string `json:"errors"`
		}
		b := body(res)
		json.Unmarshal([]byte(b), &r)
		return res.StatusCode, r.Errors, b
	}
	cases := []struct {
		name, typ, target, comment string
		field, want                string
	}{
		{"no target", "licence.assign", "", "", BlockTarget, "norādiet lietotāja e-pastu, piemēram vards.uzvards@lgia.gov.lv"},
		{"not an address", "licence.assign", "janis ozols", "", BlockTarget, "nav derīga e-pasta adrese"},
		{"other institution", "licence.assign", "laura.koka@vid.gov.lv", "", BlockTarget, "nav jūsu iestādes"},
		{"question without text", "consult", "", "  ", BlockComment, "Uzrakstiet arī tekstu"},
		{"unclosed quote", "consult", "", `Kā iestatīt "automātisko atbildi?`, BlockComment, "Pēdiņas nav aizvērtas"},
	}
	for _, c := range cases {
		status, errs, raw := submit(c.typ, c.target, "", c.comment)
		if status != 200 || !strings.Contains(errs[c.field], c.want) {
			t.Errorf("%s: %d %s", c.name, status, raw)
		}
	}
	if n := len(e.requests()); n != 0 {
		t.Fatalf("invalid forms created %d requests", n)
	}
	status, errs, raw := submit("licence.assign", "Janis.Ozols@lgia.gov.lv", "E3", "Jaunam projektam")
	if status != 200 || errs != nil || raw != "" {
		t.Fatalf("valid form: %d %s", status, raw)
	}
	e.wait("the request and its comment", func() bool {
		rs := e.requests()
		if len(rs) != 1 {
			return false
		}
		evs, _ := e.Store.Events(context.Background(), rs[0].ID)
		return len(evs) > 0 && evs[len(evs)-1].Kind == bot.EventComment
	})
	r := e.requests()[0]
	if r.Type != bot.TypeLicenceAssign || r.Params.User != "janis.ozols@lgia.gov.lv" || r.Params.SKU != "E3" || r.Origin.Channel != chLGIA {
		t.Fatalf("request: %+v", r)
	}
	evs, _ := e.Store.Events(context.Background(), r.ID)
	if evs[len(evs)-1].Note != "Jaunam projektam" {
		t.Errorf("comment: %+v", evs[len(evs)-1])
	}
}

// TestSignatures: a forged signature, a stale timestamp and a missing
// signature are refused with 401, and nothing runs.
func TestSignatures(t *testing.T) {
	e := newEnv(t)
	sc := slacktest.SlashCommand{UserID: uAnna, ChannelID: chLGIA, Text: "consult Vai strādā?", ResponseURL: e.slack.ResponseURL()}
	cases := []struct {
		name   string
		at     time.Time
		secret string
		strip  bool
	}{
		{"forged signature", time.Now(), "not-the-signing-secret", false},
		{"stale timestamp", time.Now().Add(-6 * time.Minute), slacktest.SigningSecret, false},
		{"timestamp from the future", time.Now().Add(6 * time.Minute), slacktest.SigningSecret, false},
		{"no signature", time.Now(), slacktest.SigningSecret, true},
	}
	for _, c := range cases {
		for _, path := range []string{PathCommands, PathInteractions, PathEvents} {
			req, _ := slacktest.SignedRequest(context.Background(), e.srv.URL+path, c.secret, slacktest.Form, sc.Body(), c.at)
			if c.strip {
				req.Header.Del("X-Slack-Signature")
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s on %s: %d", c.name, path, res.StatusCode)
			}
		}
	}
	// A body altered after signing fails too.
	req, _ := slacktest.SignedRequest(context.Background(), e.srv.URL+PathCommands, slacktest.SigningSecret, slacktest.Form, sc.Body(), time.Now())
	tampered := strings.Replace(string(sc.Body()), "consult", "licence+assign+janis.ozols%40lgia.gov.lv", 1)
	req2, _ := http.NewRequest(http.MethodPost, req.URL.String(), strings.NewReader(tampered))
	req2.Header = req.Header
	res, _ := http.DefaultClient.Do(req2)
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("tampered body: %d", res.StatusCode)
	}
	// The genuine request still works, after all that.
	ok := e.post(PathCommands, slacktest.Form, sc.Body(), time.Now(), slacktest.SigningSecret, nil)
	if ok.StatusCode != 200 {
		t.Fatalf("genuine: %d", ok.StatusCode)
	}
	e.responseTo(sc.ResponseURL)
	if n := len(e.requests()); n != 1 {
		t.Fatalf("requests: %d", n)
	}
	if n := testutil.ToFloat64(e.ad.metrics.acks.WithLabelValues("commands", "stale_timestamp")); n != 2 {
		t.Errorf("stale timestamps counted: %v", n)
	}
}

// TestURLVerification answers the challenge Slack sends when the events
// URL is saved.
func TestURLVerification(t *testing.T) {
	e := newEnv(t)
	res := e.post(PathEvents, slacktest.JSON, slacktest.MustJSON(slacktest.URLVerification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")),
		time.Now(), slacktest.SigningSecret, nil)
	if res.StatusCode != 200 || body(res) != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("%d %q", res.StatusCode, body(res))
	}
}

// TestReplayedEvent: Slack retries an event (X-Slack-Retry-Num) and an
// attacker replays it: it is handled once.
func TestReplayedEvent(t *testing.T) {
	e := newEnv(t)
	ev := slacktest.MessageEvent{UserID: uJanis, Channel: "D" + uJanis, Text: "/it consult How do I share a calendar?", TS: "1790000000.100001"}.Event()
	for i, h := range []http.Header{nil, {"X-Slack-Retry-Num": {"1"}, "X-Slack-Retry-Reason": {"http_timeout"}}, nil} {
		if res := e.event("Ev0REPLAY01", ev, h); res.StatusCode != 200 {
			t.Fatalf("delivery %d: %d", i, res.StatusCode)
		}
	}
	e.wait("all three deliveries handled", func() bool {
		return testutil.ToFloat64(e.ad.metrics.acks.WithLabelValues("events", "duplicate")) == 2
	})
	e.ad.waitIdle(t)
	if n := len(e.requests()); n != 1 {
		t.Fatalf("requests: %d", n)
	}
	// One card (the thread root) and, in its thread, one answer.
	cards := e.top("D" + uJanis)
	if len(cards) != 1 || !strings.Contains(blocksText(cards[0].Blocks), "IT-2026-000001 · Consultation") {
		t.Fatalf("cards: %+v", cards)
	}
	answers := e.replies("D"+uJanis, cards[0].TS)
	if len(answers) != 1 || !strings.Contains(blocksText(answers[0].Blocks), "Request IT-2026-000001 created") {
		t.Errorf("answers: %+v", answers)
	}
}

// TestUnknownPeople: a profile without e-mail and an e-mail itbot does not
// know get a clear answer in Latvian and English; nothing is created.
func TestUnknownPeople(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		user string
		want []string
	}{
		{uNoMail, []string{"Jūsu Slack profilā nav redzama e-pasta adrese", "Your Slack profile shows no e-mail address", "slack " + uNoMail}},
		{uStranger, []string{"svesais@lgia.gov.lv nav itbot lietotāju vidū", "Ask your institution's IT contact to add you"}},
	}
	for _, c := range cases {
		_, rurl := e.command(c.user, chLGIA, "licence assign janis.ozols@lgia.gov.lv E3")
		ans := e.responseTo(rurl)
		for _, w := range c.want {
			if !strings.Contains(blocksText(ans.Blocks), w) {
				t.Errorf("%s: answer lacks %q:\n%s", c.user, w, blocksText(ans.Blocks))
			}
		}
		if ans.ResponseType != "ephemeral" {
			t.Errorf("%s: answer is %q", c.user, ans.ResponseType)
		}
	}
	if n := len(e.requests()); n != 0 {
		t.Fatalf("requests created: %d", n)
	}
	if n := len(e.slack.Messages(chLGIA)); n != 0 {
		t.Fatalf("posted in the channel: %d", n)
	}
	// A bot's slash command (a workflow) is ignored, without an answer.
	_, rurl := e.command(uOtherBot, chLGIA, "help")
	e.wait("the bot's command handled", func() bool { return e.slack.Count("users.info") == 3 })
	for _, r := range e.slack.Responses() {
		if strings.HasSuffix(rurl, r.ID) {
			t.Errorf("a bot got an answer: %q", r.Text)
		}
	}
}

// TestRateLimited: chat.postMessage answers 429 with Retry-After; the
// card waits as long as asked and is posted then: nothing is dropped.
func TestRateLimited(t *testing.T) {
	e := newEnv(t)
	e.slack.Inject("chat.postMessage", slacktest.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second})
	_, rurl := e.command(uIlze, chLGIA, "consult Kā pievienot kalendāru?")
	e.responseTo(rurl)
	e.wait("the card, after the limit", func() bool { return len(e.top(chLGIA)) == 1 })
	var calls []slacktest.Call
	for _, c := range e.slack.Calls("chat.postMessage") {
		if c.Form.Get("channel") == chLGIA {
			calls = append(calls, c)
		}
	}
	if len(calls) < 2 || calls[0].Status != http.StatusTooManyRequests || calls[1].Status != 200 {
		t.Fatalf("calls: %+v", calls)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("retried %v after a 429 that asked for 1s", gap)
	}
	if n := testutil.ToFloat64(e.ad.metrics.rateLimited.WithLabelValues("chat.postMessage")); n != 1 {
		t.Errorf("rate limits counted: %v", n)
	}
}

// TestServerErrorsRetried: 5xx answers are retried with back-off.
func TestServerErrorsRetried(t *testing.T) {
	e := newEnv(t)
	e.slack.Inject("chat.postMessage", slacktest.Fault{Status: 500}, slacktest.Fault{Status: 503})
	_, rurl := e.command(uIlze, chLGIA, "consult Vai DVS strādā?")
	e.responseTo(rurl)
	e.wait("the card, after two failures", func() bool { return len(e.top(chLGIA)) == 1 })
}

// TestPrivateChannelFallsBackToDM: a command typed where the bot cannot
// post starts the request's thread in a direct message instead.
func TestPrivateChannelFallsBackToDM(t *testing.T) {
	e := newEnv(t)
	_, rurl := e.command(uIlze, chPriv, "consult Kā pievienot kalendāru?")
	e.responseTo(rurl)
	e.wait("the card by DM", func() bool {
		_, _, ok := e.Bot.Cards.Thread(context.Background(), Platform, "IT-2026-000001", chPriv)
		return ok
	})
	ch, ts, ok := e.Bot.Cards.Thread(context.Background(), Platform, "IT-2026-000001", chPriv)
	if !ok || ch != "D"+uIlze || len(e.top("D"+uIlze)) != 1 || ts != e.top("D" + uIlze)[0].TS {
		t.Fatalf("thread: %s %s %v", ch, ts, ok)
	}
	// Later updates follow the card there.
	if _, err := e.Bot.Comment(context.Background(), bot.Actor{Person: e.Person("kristaps.lapsa@vraa.gov.lv"), Platform: "test"}, "IT-2026-000001", "Skatāmies."); err != nil {
		t.Fatal(err)
	}
	e.wait("the comment in the DM thread", func() bool { return len(e.replies("D"+uIlze, ts)) == 1 })
}

// TestMentionAndDM: an @mention in a channel and a direct message reach the
// router; a request made by mention has its card in the mention's thread;
// bots' messages are ignored.
func TestMentionAndDM(t *testing.T) {
	e := newEnv(t)
	e.event("Ev0MENTION1", slacktest.Mention{UserID: uIlze, Channel: chLGIA,
		Text: "<@" + slacktest.BotUserID + "> /it consult Kā iestatīt &lt;automātisko&gt; atbildi?", TS: "1790000001.000100"}.Event(), nil)
	e.wait("the card in the mention's thread", func() bool { return len(e.replies(chLGIA, "1790000001.000100")) >= 1 })
	r := e.Request("IT-2026-000001")
	if r.Params.Text != "Kā iestatīt <automātisko> atbildi?" || r.Origin.Thread != "1790000001.000100" {
		t.Fatalf("request: %q origin %+v", r.Params.Text, r.Origin)
	}
	if txt := blocksText(e.replies(chLGIA, "1790000001.000100")[0].Blocks); !strings.Contains(txt, "&lt;automātisko&gt;") {
		t.Errorf("typed text not escaped in the card: %s", txt)
	}

	e.event("Ev0DM000001", slacktest.MessageEvent{UserID: uJanis, Channel: "D" + uJanis,
		Text: "hello, can you help?", TS: "1790000002.000100"}.Event(), nil)
	e.wait("the conversational answer", func() bool { return len(e.top("D"+uJanis)) == 1 })
	if txt := blocksText(e.top("D" + uJanis)[0].Blocks); !strings.Contains(txt, "I understand commands that start with /it") {
		t.Errorf("answer: %s", txt)
	}

	ignored := []map[string]any{
		slacktest.MessageEvent{UserID: uOtherBot, Channel: "D" + uJanis, Text: "/it help", TS: "1790000003.000100", BotID: "B0OTHER"}.Event(),
		slacktest.MessageEvent{UserID: uJanis, Channel: "D" + uJanis, Text: "/it help", TS: "1790000003.000200", SubType: "message_changed"}.Event(),
		slacktest.MessageEvent{UserID: slacktest.BotUserID, Channel: "D" + uJanis, Text: "/it help", TS: "1790000003.000300", BotID: slacktest.BotID}.Event(),
		slacktest.MessageEvent{UserID: uJanis, Channel: chLGIA, Text: "/it help", TS: "1790000003.000400"}.Event(),
	}
	for i, ev := range ignored {
		if res := e.event("Ev0IGNORE0"+string(rune('0'+i)), ev, nil); res.StatusCode != 200 {
			t.Fatalf("ignored event %d: %d", i, res.StatusCode)
		}
	}
	e.wait("ignored events handled", func() bool { return testutil.ToFloat64(e.ad.metrics.acks.WithLabelValues("events", "journaled")) == 6 })
	e.ad.waitIdle(t)
	if n := len(e.top("D" + uJanis)); n != 1 {
		t.Errorf("messages to janis: %d", n)
	}
	if n := len(e.top(chLGIA)); n != 0 {
		t.Errorf("channel messages: %d", n)
	}
}

// TestPosterPrivateFilesProgress: a secret goes only by direct message; a
// report is uploaded into the request's thread; progress notices edit one
// message in place.
func TestPosterPrivateFilesProgress(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, rurl := e.command(uIlze, chLGIA, "consult Pārskats, lūdzu")
	e.responseTo(rurl)
	e.wait("card", func() bool { return len(e.top(chLGIA)) == 1 })
	card := e.top(chLGIA)[0]
	r := e.Request("IT-2026-000001")
	to := bot.Address{Platform: Platform, Channel: chLGIA, User: uIlze}

	e.Bot.Notify.Post(ctx, bot.Notice{To: to, Lang: bot.LV, Request: r, Reply: bot.Reply{Kind: bot.KindText, Private: true,
		Text: "IT-2026-000001: konta x@lgia.gov.lv pagaidu parole ir S3cr3t-Pa55 — to redzat tikai jūs."}})
	progress := func(i int) {
		e.Bot.Notify.Post(ctx, bot.Notice{To: to, Lang: bot.LV, Request: r, Reply: bot.Reply{Kind: bot.KindUpdate, Progress: true, Request: r,
			Title: r.ID, Text: bot.ProgressBar(i, 3, 10)}})
	}
	progress(1)
	e.ad.waitIdle(t)
	progress(2) // superseded by 3 if both wait in the queue
	progress(3)
	r2, err := e.Store.UpdateRequest(ctx, r.ID, func(r *bot.Request, _ []bot.Event) ([]bot.Event, error) {
		r.Outcome = &bot.Outcome{Summary: bot.P("outcome.done"), Files: []bot.File{{Name: "konti-LGIA.csv", Mime: "text/csv", Data: []byte("user,size\nanna,1\n")}}}
		r.UpdatedAt = r.UpdatedAt.Add(time.Second)
		return []bot.Event{{At: r.UpdatedAt, Actor: "itbot", Kind: bot.EventExecuted, Phrase: bot.P("outcome.done")}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The update about the executed action carries the report (as the
	// bot's update does); a later update does not upload it again.
	e.Bot.Notify.Post(ctx, bot.Notice{To: to, Lang: bot.LV, Request: r2, Reply: bot.Reply{Kind: bot.KindUpdate, Request: r2, Title: r2.ID, Text: "Izpildīts", Files: r2.Outcome.Files}})
	e.Bot.Notify.Post(ctx, bot.Notice{To: to, Lang: bot.LV, Request: r2, Reply: bot.Reply{Kind: bot.KindUpdate, Request: r2, Title: r2.ID, Text: "Komentārs"}})
	e.ad.waitIdle(t)

	for _, m := range e.slack.Messages("") {
		if strings.Contains(blocksText(m.Blocks)+m.Text, "S3cr3t-Pa55") && m.Channel != "D"+uIlze {
			t.Errorf("the secret reached %s", m.Channel)
		}
	}
	found := false
	for _, m := range e.slack.Messages("D" + uIlze) {
		if strings.Contains(blocksText(m.Blocks), "S3cr3t-Pa55") && strings.Contains(blocksText(m.Blocks), "Redzams tikai jums") {
			found = true
		}
	}
	if !found {
		t.Error("the secret did not reach the requester's DM")
	}
	var bars []slacktest.Message
	for _, m := range e.replies(chLGIA, card.TS) {
		if strings.Contains(blocksText(m.Blocks), "░") {
			bars = append(bars, m)
		}
	}
	if len(bars) != 1 {
		t.Fatalf("progress messages: %d", len(bars))
	}
	if p, _ := e.slack.Message(chLGIA, bars[0].TS); len(p.Edits) == 0 || len(p.Edits) > 2 || !strings.Contains(blocksText(p.Edits[len(p.Edits)-1]), "██████████") {
		t.Errorf("progress not edited in place to the end: %d edits", len(p.Edits))
	}
	ups := e.slack.Uploads()
	// The report holds LGIA's data: only the requester's direct messages
	// get it, never the shared channel; the thread says where it went.
	if len(ups) != 1 || !ups[0].Complete || ups[0].Channel != "D"+uIlze ||
		ups[0].Name != "konti-LGIA.csv" || string(ups[0].Data) != "user,size\nanna,1\n" {
		t.Fatalf("uploads: %+v", ups)
	}
	note := false
	for _, m := range e.replies(chLGIA, card.TS) {
		if strings.Contains(blocksText(m.Blocks), "personīgā ziņā") {
			note = true
		}
	}
	if !note {
		t.Error("the thread does not say where the file went")
	}
}

// waitIdle waits until the adapter's queues are empty so the test can
// look at everything that was sent.
func (a *Adapter) waitIdle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !a.Idle() {
		if time.Now().After(deadline) {
			t.Fatal("adapter never idle")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestFullQueueLosesNothing: with the workers' queue full, a slash
// command, an event and a click are journaled and acknowledged (200, no
// busy answer) and run once there is room; a redelivered event (Slack's
// retry, with another event_time) is acknowledged and not run again.
func TestFullQueueLosesNothing(t *testing.T) {
	e := newEnvRun(t, false, func(c *Config, _ *slacktest.Server) { c.Queue = 1 })
	for _, text := range []string{"consult Pirmais", "consult Otrais"} {
		if res, _ := e.command(uIlze, chLGIA, text); res.StatusCode != 200 || body(res) != "" {
			t.Fatalf("%s: %d %q", text, res.StatusCode, body(res))
		}
	}
	ev := slacktest.MessageEvent{UserID: uJanis, Channel: "D" + uJanis, Text: "/it help", TS: "1790000009.000100"}.Event()
	if res := e.event("Ev0BUSY0001", ev, nil); res.StatusCode != 200 {
		t.Fatalf("event while the queue is full: %d", res.StatusCode)
	}
	click := slacktest.BlockActions{UserID: uIlze, ChannelID: chLGIA, MessageTS: "1.2", ResponseURL: e.slack.ResponseURL(),
		Button: slacktest.Button{ActionID: ActionPrefix + "0", Value: "/it help"}}
	if res := e.post(PathInteractions, slacktest.Form, click.Body(), time.Now(), slacktest.SigningSecret, nil); res.StatusCode != 200 {
		t.Fatalf("click while the queue is full: %d", res.StatusCode)
	}
	if n := len(e.requests()); n != 0 {
		t.Fatalf("ran before a worker was free: %d requests", n)
	}
	e.runQueued()
	if n := len(e.requests()); n != 2 {
		t.Errorf("requests: %d, want 2", n)
	}
	raw := slacktest.MustJSON(slacktest.EventCallback("Ev0BUSY0001", time.Now().Add(time.Minute), ev))
	if res := e.post(PathEvents, slacktest.JSON, raw, time.Now(), slacktest.SigningSecret, http.Header{"X-Slack-Retry-Num": {"1"}}); res.StatusCode != 200 {
		t.Fatalf("redelivery: %d", res.StatusCode)
	}
	e.runQueued()
	if n := len(e.top("D" + uJanis)); n != 1 {
		t.Errorf("answers to the event: %d, want 1", n)
	}
	if ps, _ := e.Store.JournalPending(context.Background(), Platform, 0); len(ps) != 0 {
		t.Errorf("journal left unfinished: %+v", ps)
	}
	if cs, _ := e.Store.Unannounced(context.Background(), 0); len(cs) != 0 {
		t.Errorf("delivered notices left marks: %+v", cs)
	}
}

// TestReplaysHandledOnce: the same signed slash-command body twice (a
// double submit, a replay inside the five-minute window) creates one
// request; the same click twice runs once.
func TestReplaysHandledOnce(t *testing.T) {
	e := newEnvRun(t, false)
	sc := slacktest.SlashCommand{UserID: uIlze, UserName: "ilze", ChannelID: chLGIA, Text: "consult Vai strādā?", ResponseURL: e.slack.ResponseURL()}
	b := sc.Body()
	for i := 0; i < 3; i++ {
		if res := e.post(PathCommands, slacktest.Form, b, time.Now(), slacktest.SigningSecret, nil); res.StatusCode != 200 {
			t.Fatalf("send %d: %d", i, res.StatusCode)
		}
		e.runQueued()
	}
	if n := len(e.requests()); n != 1 {
		t.Fatalf("requests from one command sent three times: %d", n)
	}
	id := e.requests()[0].ID
	click := slacktest.BlockActions{UserID: uIlze, ChannelID: chLGIA, MessageTS: "1.2", ResponseURL: e.slack.ResponseURL(),
		Button: slacktest.Button{ActionID: ActionPrefix + "0", Value: "/it comment " + id + " papildinājums"}}
	cb := click.Body()
	for i := 0; i < 2; i++ {
		if res := e.post(PathInteractions, slacktest.Form, cb, time.Now(), slacktest.SigningSecret, nil); res.StatusCode != 200 {
			t.Fatalf("click %d: %d", i, res.StatusCode)
		}
		e.runQueued()
	}
	evs, _ := e.Store.Events(context.Background(), id)
	n := 0
	for _, ev := range evs {
		if ev.Kind == bot.EventComment {
			n++
		}
	}
	if n != 1 {
		t.Errorf("comments from one click sent twice: %d", n)
	}
}

// TestNewRequestFormOffersTheTable: the modal offers the request-type
// table's form types, and a type the adapter has no code for (dvs restore,
// its backup in the option input) becomes a request through it; a type
// needing a shared mailbox says so on that input.
func TestNewRequestFormOffersTheTable(t *testing.T) {
	e := newEnv(t)
	e.command(uIlze, chLGIA, "new")
	e.wait("the form", func() bool { return len(e.slack.Views()) == 1 })
	var view struct {
		PrivateMetadata string `json:"private_metadata"`
		Blocks          []struct {
			BlockID string `json:"block_id"`
			Element struct {
				Options []struct{ Value string } `json:"options"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(e.slack.Views()[0], &view); err != nil {
		t.Fatal(err)
	}
	var offered, want []string
	for _, o := range view.Blocks[0].Element.Options {
		offered = append(offered, o.Value)
	}
	for _, s := range bot.FormTypes() {
		want = append(want, string(s.Type))
	}
	if view.Blocks[0].BlockID != BlockType || strings.Join(offered, ",") != strings.Join(want, ",") {
		t.Fatalf("offered %v, want %v", offered, want)
	}
	submit := func(values map[string]string) map[string]string {
		t.Helper()
		vs := slacktest.ViewSubmission{UserID: uIlze, UserName: "ilze", CallbackID: CallbackNew, PrivateMetadata: view.PrivateMetadata,
			Values: map[string]map[string]any{BlockType: {BlockType: slacktest.Select(values[BlockType])}}}
		for _, b := range []string{BlockTarget, BlockMailbox, BlockOption, BlockComment} {
			vs.Values[b] = map[string]any{b: slacktest.Input(values[b])}
		}
		res := e.post(PathInteractions, slacktest.Form, vs.Body(), time.Now(), slacktest.SigningSecret, nil)
		var r struct {
			Errors map[string]string `json:"errors"`
		}
		json.Unmarshal([]byte(body(res)), &r)
		return r.Errors
	}
	if errs := submit(map[string]string{BlockType: "shared.member.add", BlockTarget: "janis.ozols@lgia.gov.lv"}); errs[BlockMailbox] == "" {
		t.Errorf("no error on the shared mailbox: %v", errs)
	}
	if errs := submit(map[string]string{BlockType: "shared.member.add", BlockTarget: "janis.ozols@lgia.gov.lv", BlockMailbox: "info@lgia.gov.lv", BlockOption: "visas"}); !strings.Contains(errs[BlockOption], "visas") {
		t.Errorf("bad permission not on the option: %v", errs)
	}
	if errs := submit(map[string]string{BlockType: "dvs.restore", BlockOption: "lgia-20261120"}); errs != nil {
		t.Fatalf("restore refused: %v", errs)
	}
	e.wait("the restore request", func() bool { return len(e.requests()) == 1 })
	r := e.requests()[0]
	if r.Type != "dvs.restore" || r.Params.Get("backup") != "lgia-20261120" || r.State != bot.StateAwaitingApproval {
		t.Fatalf("request %+v", r)
	}
}
