package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"itbot/adapters/slack/slacktest"
	"itbot/bot"
	"itbot/bottest"
)

// The sandbox people as Slack users.
const (
	uAnna     = "U0ANNA0001" // anna.berzina@lgia.gov.lv, employee, LV
	uJanis    = "U0JANIS001" // janis.ozols@lgia.gov.lv, employee, EN
	uIlze     = "U0ILZE0001" // ilze.liepa@lgia.gov.lv, IT contact, LV
	uPeteris  = "U0PETERIS1" // peteris.kalnins@lgia.gov.lv, expert group
	uKristaps = "U0KRISTAP1" // kristaps.lapsa@vraa.gov.lv, operator
	uNoMail   = "U0NOMAIL01" // a profile without e-mail
	uStranger = "U0STRANGE1" // an e-mail itbot does not know
	uOtherBot = "U0OTHERBOT" // another app's bot user

	chLGIA = "C0LGIA0001" // LGIA's channel
	chOps  = "C0OPS00001" // the operators' channel
	chPriv = "G0PRIVATE1" // a private channel the bot is not in
)

type syncBuffer = bottest.LogBuffer

// env is a whole bot with the Slack adapter, a local Slack and the
// adapter's endpoints on a loopback HTTP server.
type env struct {
	*bottest.Env
	t     testing.TB
	slack *slacktest.Server
	ad    *Adapter
	srv   *httptest.Server
	logs  *syncBuffer
}

func newEnv(t testing.TB, tune ...func(*Config, *slacktest.Server)) *env {
	t.Helper()
	return newEnvRun(t, true, tune...)
}

// newEnvRun builds the env; without run the adapter's Run is not started:
// queued work waits for the test to run it (runQueued), and notices are
// delivered inline.
func newEnvRun(t testing.TB, run bool, tune ...func(*Config, *slacktest.Server)) *env {
	t.Helper()
	return newEnvAt(t, "", run, tune...)
}

// newEnvAt is newEnvRun on the data file at path ("" for a new one).
func newEnvAt(t testing.TB, path string, run bool, tune ...func(*Config, *slacktest.Server)) *env {
	t.Helper()
	be := bottest.New
	if path != "" {
		be = func(t testing.TB) *bottest.Env { return bottest.NewAt(t, path) }
	}
	e := &env{Env: be(t), t: t, logs: &syncBuffer{}}
	e.slack = newSlack(t)
	cfg := Config{SigningSecret: slacktest.SigningSecret, BotToken: slacktest.BotToken, APIURL: e.slack.APIURL(),
		OpsChannel: chOps, Workers: 4, Lanes: 4, DrainTimeout: 5 * time.Second,
		TeamIDs: []string{slacktest.TeamID}, AppID: slacktest.AppID}
	for _, f := range tune {
		f(&cfg, e.slack)
	}
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ad, err := New(cfg, e.Bot.Door(e.Router), log)
	if err != nil {
		t.Fatal(err)
	}
	return e.start(ad, run)
}

// newSlack starts a local Slack with the sandbox people as users.
func newSlack(t testing.TB) *slacktest.Server {
	sl := slacktest.New()
	t.Cleanup(sl.Close)
	for _, u := range []slacktest.User{
		{ID: uAnna, Name: "anna", RealName: "Anna Bērziņa", Email: "Anna.Berzina@lgia.gov.lv"},
		{ID: uJanis, Name: "janis", RealName: "Jānis Ozols", Email: "janis.ozols@lgia.gov.lv"},
		{ID: uIlze, Name: "ilze", RealName: "Ilze Liepa", Email: "ilze.liepa@lgia.gov.lv"},
		{ID: uPeteris, Name: "peteris", RealName: "Pēteris Kalniņš", Email: "peteris.kalnins@lgia.gov.lv"},
		{ID: uKristaps, Name: "kristaps", RealName: "Kristaps Lapsa", Email: "kristaps.lapsa@vraa.gov.lv"},
		{ID: uNoMail, Name: "nomail", RealName: "Bez Pasta"},
		{ID: uStranger, Name: "svesais", RealName: "Svešais", Email: "svesais@lgia.gov.lv"},
		{ID: uOtherBot, Name: "otherbot", RealName: "Other bot", IsBot: true},
	} {
		sl.AddUser(u)
	}
	sl.CloseChannel(chPriv)
	return sl
}

// start wires ad into the env and, with run, runs it.
func (e *env) start(ad *Adapter, run bool) *env {
	t := e.t
	ad.backoff = 5 * time.Millisecond
	e.ad = ad
	e.Bot.Notify.Add(ad)
	mux := http.NewServeMux()
	ad.Mount(mux)
	e.srv = httptest.NewServer(mux)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	if run {
		go func() { defer close(done); ad.Run(ctx) }()
	} else {
		close(done)
	}
	t.Cleanup(func() {
		cancel()
		<-done
		e.srv.Close()
		logs := e.logs.String()
		for _, secret := range []string{slacktest.SigningSecret, slacktest.BotToken, slacktest.AppToken} {
			if strings.Contains(logs, secret) {
				t.Errorf("a secret was logged: %q", secret)
			}
		}
	})
	return e
}

// runQueued runs the queued inbound work inline (adapter not running).
func (e *env) runQueued() {
	for {
		e.ad.sweep(context.Background())
		select {
		case in := <-e.ad.inbound:
			e.ad.handle(in)
			e.ad.pending.Add(-1)
		default:
			return
		}
	}
}

// post sends a request signed at at to an endpoint.
func (e *env) post(path, contentType string, body []byte, at time.Time, secret string, header http.Header) *http.Response {
	e.t.Helper()
	req, err := slacktest.SignedRequest(context.Background(), e.srv.URL+path, secret, contentType, body, at)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(b))
	return res
}

func body(res *http.Response) string {
	b, _ := io.ReadAll(res.Body)
	res.Body = io.NopCloser(bytes.NewReader(b))
	return string(b)
}

// command types "/it TEXT" as user in channel and returns the HTTP
// response and the response_url it carried.
func (e *env) command(user, channel, text string) (*http.Response, string) {
	e.t.Helper()
	rurl := e.slack.ResponseURL()
	sc := slacktest.SlashCommand{UserID: user, UserName: strings.ToLower(user), ChannelID: channel, Text: text, ResponseURL: rurl}
	return e.post(PathCommands, slacktest.Form, sc.Body(), time.Now(), slacktest.SigningSecret, nil), rurl
}

// wait waits (bounded) for cond; the deadline is generous, the assertion
// is on cond, not on time.
func (e *env) wait(what string, cond func() bool) {
	e.t.Helper()
	if !e.slack.WaitFor(10*time.Second, cond) {
		e.t.Fatalf("never happened: %s", what)
	}
}

// responseTo waits for the answer posted to a response_url.
func (e *env) responseTo(rurl string) slacktest.Response {
	e.t.Helper()
	id := rurl[strings.LastIndex(rurl, "/")+1:]
	var got slacktest.Response
	e.wait("an answer on "+id, func() bool {
		for _, r := range e.slack.Responses() {
			if r.ID == id {
				got = r
				return true
			}
		}
		return false
	})
	return got
}

// requests returns every stored request, newest first.
func (e *env) requests() []*bot.Request {
	rs, err := e.Store.Requests(context.Background(), bot.RequestFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return rs
}

// blocksText flattens a message's blocks to their texts and button
// values, for assertions.
func blocksText(raw json.RawMessage) string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range []string{"text", "value"} {
				if s, ok := x[k].(string); ok {
					out = append(out, s)
				}
			}
			for k, y := range x {
				if k != "text" && k != "value" {
					walk(y)
				} else if _, ok := y.(string); !ok {
					walk(y)
				}
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	var v any
	json.Unmarshal(raw, &v)
	walk(v)
	return strings.Join(out, "\n")
}

// buttons returns the buttons (value -> action id) of a message's blocks.
func buttons(raw json.RawMessage) map[string]string {
	var bs []struct {
		Type     string `json:"type"`
		Elements []struct {
			Type     string `json:"type"`
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	json.Unmarshal(raw, &bs)
	out := map[string]string{}
	for _, b := range bs {
		for _, el := range b.Elements {
			if el.Type == "button" {
				out[el.Value] = el.ActionID
			}
		}
	}
	return out
}

// event delivers an Events API callback, as Slack would: a person's
// message is in the channel before the event about it arrives.
func (e *env) event(id string, inner map[string]any, header http.Header) *http.Response {
	e.t.Helper()
	if inner["bot_id"] == nil && inner["subtype"] == nil {
		e.slack.AddMessage(inner["channel"].(string), inner["ts"].(string), inner["user"].(string), inner["text"].(string))
	}
	raw := slacktest.MustJSON(slacktest.EventCallback(id, time.Now(), inner))
	return e.post(PathEvents, slacktest.JSON, raw, time.Now(), slacktest.SigningSecret, header)
}

// top returns the top-level messages the app posted in a channel (not
// threaded, not ephemeral).
func (e *env) top(channel string) []slacktest.Message {
	var out []slacktest.Message
	for _, m := range e.slack.Messages(channel) {
		if m.ThreadTS == "" && !m.Ephemeral && !m.Human {
			out = append(out, m)
		}
	}
	return out
}

// replies returns the thread replies under ts in channel.
func (e *env) replies(channel, ts string) []slacktest.Message {
	var out []slacktest.Message
	for _, m := range e.slack.Messages(channel) {
		if m.ThreadTS == ts {
			out = append(out, m)
		}
	}
	return out
}
