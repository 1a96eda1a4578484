package slack

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"itbot/adapters/slack/slacktest"
	"itbot/bot"
)

var genCorpus = flag.Bool("gencorpus", false, "write the fuzz seed corpus to testdata/fuzz from the payload builders")

// seeds are real-shaped Slack payloads for each fuzz target.
func seeds() map[string][][]byte {
	now := time.Unix(1790000000, 0)
	ev := func(id string, inner map[string]any) []byte {
		return slacktest.MustJSON(slacktest.EventCallback(id, now, inner))
	}
	return map[string][][]byte{
		"FuzzEvents": {
			slacktest.MustJSON(slacktest.URLVerification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")),
			ev("Ev0F1", slacktest.MessageEvent{UserID: uJanis, Channel: "D" + uJanis, Text: "/it help", TS: "1790000000.000001"}.Event()),
			ev("Ev0F2", slacktest.Mention{UserID: uAnna, Channel: chLGIA, Text: "<@UBOT000001> /it consult <mailto:a@lgia.gov.lv|a@lgia.gov.lv> &amp;", TS: "1790000000.000002"}.Event()),
			ev("Ev0F3", slacktest.MessageEvent{UserID: uOtherBot, Channel: "D" + uJanis, Text: "x", TS: "1790000000.000003", BotID: "B1"}.Event()),
			ev("Ev0F4", map[string]any{"type": "reaction_added", "user": uAnna, "reaction": "thumbsup", "item": map[string]any{"type": "message", "channel": chLGIA, "ts": "1.2"}}),
			[]byte(`{"type":"event_callback","event_id":"Ev0F5","event_time":1,"event":null}`),
			[]byte(`{"type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820,"api_app_id":"A1"}`),
			[]byte(`{"type":"event_callback","event":{"type":"message","channel_type":"im","text":17}}`),
			[]byte(`{`),
		},
		"FuzzInteractions": {
			slacktest.BlockActions{UserID: uIlze, ChannelID: "D" + uIlze, MessageTS: "1790000000.000001", ResponseURL: "http://127.0.0.1:1/response/R1",
				Button: slacktest.Button{ActionID: ActionPrefix + "0", BlockID: "itbot.actions", Value: "/it approve IT-2026-000001", Text: "Approve"}}.Payload(),
			slacktest.BlockActions{UserID: uIlze, ChannelID: chLGIA, MessageTS: "1790000000.000002", Ephemeral: true,
				Button: slacktest.Button{ActionID: ActionPrefix + "1", Value: "/it reject IT-2026-000001"}}.Payload(),
			slacktest.MustJSON(slacktest.ViewSubmission{UserID: uAnna, CallbackID: CallbackNew, PrivateMetadata: `{"c":"C0LGIA0001"}`,
				Values: map[string]map[string]any{BlockType: {BlockType: slacktest.Select("consult")}, BlockComment: {BlockComment: slacktest.Input("Jautājums")}}}.Payload()),
			slacktest.MustJSON(slacktest.ViewSubmission{UserID: uIlze, CallbackID: CallbackReject, PrivateMetadata: `{"id":"IT-2026-000001"}`,
				Values: map[string]map[string]any{BlockReason: {BlockReason: slacktest.Input(`"unclosed`)}}}.Payload()),
			[]byte(`{"type":"view_closed","user":{"id":"U1"},"view":{"callback_id":"itbot.new"}}`),
			[]byte(`{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"x","value":7}]}`),
			[]byte(`{"type":"shortcut","user":{"id":"U1"},"callback_id":"itbot"}`),
			[]byte(`null`),
		},
		"FuzzCommands": {
			slacktest.SlashCommand{UserID: uAnna, ChannelID: chLGIA, Text: "help", ResponseURL: "http://127.0.0.1:1/response/R1"}.Body(),
			slacktest.SlashCommand{UserID: uAnna, ChannelID: "D" + uAnna, Text: "licence assign <mailto:x@lgia.gov.lv|x@lgia.gov.lv> E3"}.Body(),
			slacktest.SlashCommand{UserID: uNoMail, ChannelID: chLGIA, Text: "jauns", TriggerID: "1.2.3"}.Body(),
			[]byte("user_id=&text=%ZZ"),
			[]byte("text=" + strings.Repeat("a", 100)),
		},
		"FuzzPlain": {
			[]byte("<mailto:a@b.lv|a@b.lv> &amp; <@U1> <#C1|x> <!here> <https://x|y>"),
			[]byte("<<>><|>&&amp;<!date^1^{date}|d>"),
			[]byte("\xff<\xfe|>"),
		},
	}
}

// TestGenCorpus writes the seeds as committed corpus files (run with
// -gencorpus after changing seeds).
func TestGenCorpus(t *testing.T) {
	if !*genCorpus {
		t.Skip("run with -gencorpus to rewrite testdata/fuzz")
	}
	for target, list := range seeds() {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, b := range list {
			arg := "[]byte(" + strconv.Quote(string(b)) + ")"
			if target == "FuzzPlain" {
				arg = "string(" + strconv.Quote(string(b)) + ")"
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte("go test fuzz v1\n"+arg+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fuzzEnv is one adapter shared by a fuzz target's inputs. It is not
// running: each input's queued work is run inline by serve, so a panic in
// it reaches the fuzzer and the queue never fills.
func fuzzEnv(f *testing.F) *env {
	return newEnvRun(f, false)
}

// serve sends a correctly signed body to an endpoint, in process, and runs
// the work it queued.
func serve(e *env, h http.HandlerFunc, contentType string, body []byte) *httptest.ResponseRecorder {
	req, _ := slacktest.SignedRequest(context.Background(), "http://itbot.test/x", slacktest.SigningSecret, contentType, body, time.Now())
	rec := httptest.NewRecorder()
	h(rec, req)
	e.runQueued()
	return rec
}

func okStatus(code int) bool {
	return code == http.StatusOK || code == http.StatusBadRequest || code == http.StatusServiceUnavailable
}

// FuzzEvents sends arbitrary signed bodies to /slack/events: the endpoint
// answers 200, 400 or 503, never fails or panics, and answers a
// url_verification with its challenge.
func FuzzEvents(f *testing.F) {
	for _, s := range seeds()["FuzzEvents"] {
		f.Add(s)
	}
	e := fuzzEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := serve(e, e.ad.ServeEvents, slacktest.JSON, body)
		if !okStatus(rec.Code) {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		var v struct{ Type, Challenge string }
		if json.Unmarshal(body, &v) == nil && v.Type == "url_verification" && v.Challenge != "" && rec.Code == 200 && rec.Body.String() != v.Challenge {
			t.Fatalf("challenge %q answered %q", v.Challenge, rec.Body.String())
		}
	})
}

// FuzzInteractions sends arbitrary signed payloads to /slack/interactions.
func FuzzInteractions(f *testing.F) {
	for _, s := range seeds()["FuzzInteractions"] {
		f.Add(s)
	}
	e := fuzzEnv(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		body := []byte(url.Values{"payload": {string(payload)}}.Encode())
		rec := serve(e, e.ad.ServeInteractions, slacktest.Form, body)
		if !okStatus(rec.Code) {
			t.Fatalf("status %d for %q", rec.Code, payload)
		}
		if rec.Code == 200 && rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("answer is not JSON: %q", rec.Body.String())
		}
	})
}

// FuzzCommands sends arbitrary signed form bodies to /slack/commands.
func FuzzCommands(f *testing.F) {
	for _, s := range seeds()["FuzzCommands"] {
		f.Add(s)
	}
	e := fuzzEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := serve(e, e.ad.ServeCommands, slacktest.Form, body)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
	})
}

// mrkdwnWithMarkup returns a mrkdwn text in v that holds < or >, or "".
func mrkdwnWithMarkup(v any) string {
	switch x := v.(type) {
	case map[string]any:
		if x["type"] == "mrkdwn" {
			if s, _ := x["text"].(string); strings.ContainsAny(s, "<>") {
				return s
			}
		}
		for _, y := range x {
			if s := mrkdwnWithMarkup(y); s != "" {
				return s
			}
		}
	case []any:
		for _, y := range x {
			if s := mrkdwnWithMarkup(y); s != "" {
				return s
			}
		}
	}
	return ""
}

// FuzzPlain: unformatting never grows the text, keeps valid UTF-8 valid
// and leaves text without markup alone.
func FuzzPlain(f *testing.F) {
	for _, s := range seeds()["FuzzPlain"] {
		f.Add(string(s))
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := Plain(s)
		if len(p) > len(s) {
			t.Fatalf("Plain(%q) = %q grew", s, p)
		}
		if utf8.ValidString(s) && !utf8.ValidString(p) {
			t.Fatalf("Plain(%q) = %q is not UTF-8", s, p)
		}
		if !strings.ContainsAny(s, "<&") && p != s {
			t.Fatalf("Plain(%q) = %q changed plain text", s, p)
		}
		m := Render(bot.Reply{Kind: bot.KindCard, Title: s, Text: s, Fields: []bot.Field{{Label: s, Value: s, Short: true}}})
		raw, err := json.Marshal(m.Blocks)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		json.Unmarshal(raw, &v)
		if bad := mrkdwnWithMarkup(v); bad != "" {
			t.Fatalf("render of %q left markup in mrkdwn: %q", s, bad)
		}
	})
}
