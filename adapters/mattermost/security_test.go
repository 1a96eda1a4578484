package mattermost

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// askReport makes Anna ask for the account report with Ilze linked, and
// returns the request and Ilze's approval card.
func (h *harness) askReport() (*bot.Request, *model.Post) {
	h.t.Helper()
	h.slash("ilze.liepa", h.town.Id, "whoami")
	h.slash("anna.berzina", h.town.Id, "report accounts")
	rs := h.requests()
	if len(rs) != 1 {
		h.t.Fatalf("%d requests", len(rs))
	}
	dm := h.mm.DirectChannel(h.bot.Id, h.id("ilze.liepa"))
	ps := h.botPosts(dm)
	if len(ps) != 1 {
		h.t.Fatalf("Ilze's direct messages:\n%s", texts(ps))
	}
	return rs[0], ps[0]
}

// postJSON posts v to the adapter as the Mattermost server would.
func (h *harness) postJSON(path string, v any) (*http.Response, []byte) {
	h.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		h.t.Fatal(err)
	}
	resp, err := http.Post(h.web.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	h.a.Drain()
	return resp, buf.Bytes()
}

// A click whose context was not signed by this itbot is refused and
// changes nothing; a correctly signed context runs as the person who
// clicked, so Anna cannot approve with Ilze's button either.
func TestForgedActionContext(t *testing.T) {
	h := newHarness(t)
	r, ask := h.askReport()
	approve := ask.Attachments()[0].Actions[0]
	real := approve.Integration.Context
	if real[ctxCommand] != "/it approve "+r.ID {
		t.Fatalf("approve button context = %v", real)
	}
	other := &signer{key: []byte(strings.Repeat("x", 40)), maxAge: time.Hour, now: time.Now}
	copyCtx := func(edit func(map[string]any)) map[string]any {
		c := map[string]any{}
		for k, v := range real {
			c[k] = v
		}
		edit(c)
		return c
	}
	for _, tc := range []struct {
		name string
		ctx  map[string]any
	}{
		{"no context", nil},
		{"bogus signature", copyCtx(func(c map[string]any) { c[ctxSignature] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })},
		{"command changed", copyCtx(func(c map[string]any) { c[ctxCommand] = "/it reject " + r.ID + " viltots" })},
		{"timestamp changed", copyCtx(func(c map[string]any) { c[ctxTimestamp] = "9999999999" })},
		{"signature missing", copyCtx(func(c map[string]any) { delete(c, ctxSignature) })},
		{"signature not a string", copyCtx(func(c map[string]any) { c[ctxSignature] = 42 })},
		{"signed with another secret", other.Context("/it approve " + r.ID)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := model.PostActionIntegrationRequest{UserId: h.id("ilze.liepa"), ChannelId: ask.ChannelId, PostId: ask.Id,
				TriggerId: model.NewId(), Type: "button", Context: tc.ctx}
			resp, body := h.postJSON("/mattermost/actions", req)
			// 200 with the reason: Mattermost shows the body of a 200 only.
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200 with the reason: %s", resp.StatusCode, body)
			}
			var out model.PostActionIntegrationResponse
			if err := json.Unmarshal(body, &out); err != nil || !strings.Contains(out.EphemeralText, "parakstu") || !strings.Contains(out.EphemeralText, "signature") {
				t.Errorf("answer %s", body)
			}
			if got := h.env.Request(r.ID).State; got != bot.StateAwaitingApproval {
				t.Fatalf("state = %s after a forged click", got)
			}
		})
	}
	if !strings.Contains(h.logs.String(), "forged button click refused") {
		t.Error("forged clicks were not logged")
	}

	// A genuine context, but clicked by Anna: it runs as Anna, who may
	// not approve her own request.
	req := model.PostActionIntegrationRequest{UserId: h.id("anna.berzina"), ChannelId: h.town.Id, TriggerId: model.NewId(), Context: real}
	resp, body := h.postJSON("/mattermost/actions", req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if got := h.env.Request(r.ID).State; got != bot.StateAwaitingApproval {
		t.Fatalf("Anna approved her own request with Ilze's button: %s", got)
	}
	// The answer comes back in the 200 (ephemeral_text): a Member bot may
	// not post ephemerals through the API.
	var ans model.PostActionIntegrationResponse
	if json.Unmarshal(body, &ans) != nil || !strings.Contains(ans.EphemeralText, bot.Tr(bot.LV, "policy.own_request", nil)) {
		t.Errorf("Anna's answer = %s", body)
	}

	// An old, genuinely signed button has expired: it says what to type.
	old := &signer{key: h.a.sign.key, maxAge: time.Hour, now: func() time.Time { return time.Now().Add(-31 * 24 * time.Hour) }}
	req = model.PostActionIntegrationRequest{UserId: h.id("ilze.liepa"), ChannelId: ask.ChannelId, Context: old.Context("/it approve " + r.ID)}
	resp, body = h.postJSON("/mattermost/actions", req)
	var out model.PostActionIntegrationResponse
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil || !strings.Contains(out.EphemeralText, "/it approve "+r.ID) {
		t.Errorf("expired click: %d %s", resp.StatusCode, body)
	}
	if got := h.env.Request(r.ID).State; got != bot.StateAwaitingApproval {
		t.Fatalf("an expired button ran: %s", got)
	}

	// Malformed payloads are refused before anything else.
	for _, body := range []string{`{`, `{"user_id":"x","channel_id":"y"}`, `[]`} {
		resp, err := http.Post(h.web.URL+"/mattermost/actions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", body, resp.StatusCode)
		}
	}
}

// A slash command with a wrong token is refused with 401 and does
// nothing; the token is compared in constant time against every
// configured token, and may also come in the Authorization header.
func TestWrongCommandToken(t *testing.T) {
	h := newHarness(t)
	form := func(token string) url.Values {
		return url.Values{"token": {token}, "team_id": {h.team.Id}, "team_domain": {"varam"}, "channel_id": {h.town.Id},
			"channel_name": {"it-pieteikumi"}, "user_id": {h.id("anna.berzina")}, "user_name": {"anna.berzina"},
			"command": {"/it"}, "text": {"report accounts"}, "trigger_id": {model.NewId()}}
	}
	post := func(v url.Values, header string) int {
		req, _ := http.NewRequest(http.MethodPost, h.web.URL+"/mattermost/command", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h.a.Drain()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		name, token, header string
		want                int
	}{
		{"wrong token", "wrongtoken0123456789abcdef", "", http.StatusUnauthorized},
		{"empty token", "", "", http.StatusUnauthorized},
		{"prefix of the token", commandToken[:10], "", http.StatusUnauthorized},
		{"token plus a suffix", commandToken + "x", "", http.StatusUnauthorized},
		{"wrong token in the header", "", "Token nottherighttoken", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := post(form(tc.token), tc.header); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
			if rs := h.requests(); len(rs) != 0 {
				t.Fatalf("%d requests created with a wrong token", len(rs))
			}
		})
	}
	if !strings.Contains(h.logs.String(), "slash command with a wrong token refused") || strings.Contains(h.logs.String(), "wrongtoken0123456789abcdef") {
		t.Error("wrong tokens must be logged as refusals, without the token")
	}

	// Through a Mattermost server that holds a stale token for the command.
	h.mm.AddCommand(h.team.Id, "itold", h.web.URL+"/mattermost/command", "staletoken0123456789abcdef")
	if _, _, err := h.client("anna.berzina").ExecuteCommand(context.Background(), h.town.Id, "/itold report accounts"); err == nil {
		t.Error("the server reported success for a refused command")
	}
	h.a.Drain()
	if rs := h.requests(); len(rs) != 0 {
		t.Fatalf("%d requests created with a stale token", len(rs))
	}

	// The right token in the Authorization header only, and the second
	// configured token, both pass.
	if got := post(form(""), "Token "+commandToken); got != http.StatusOK {
		t.Errorf("token in the header: status %d", got)
	}
	second := form("othertoken0123456789abcdef")
	second.Set("text", "consult Vai strādā?") // not the same request again: that would be a duplicate
	if got := post(second, ""); got != http.StatusOK {
		t.Errorf("second token: status %d", got)
	}
	if rs := h.requests(); len(rs) != 2 {
		t.Errorf("%d requests, want 2", len(rs))
	}
	// A malformed form is a 400.
	if got := post(url.Values{"token": {commandToken}, "user_id": {"nobody"}}, ""); got != http.StatusBadRequest {
		t.Errorf("malformed form: status %d", got)
	}
}
