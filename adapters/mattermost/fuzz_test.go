package mattermost

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"
)

func fuzzSigner() *signer {
	return &signer{key: []byte("fuzz-secret-fuzz-secret-fuzz-0123"), maxAge: time.Hour, now: func() time.Time { return goldenTime }}
}

// Slash command payloads from the network: parsing never panics and only
// well-formed commands pass. The seed corpus is in
// testdata/fuzz/FuzzParseSlashCommand.
func FuzzParseSlashCommand(f *testing.F) {
	f.Add([]byte("token=t&team_id=" + model.NewId() + "&channel_id=" + model.NewId() + "&user_id=" + model.NewId() + "&command=%2Fit&text=licence+assign+a%40b.lv+E3"))
	f.Fuzz(func(t *testing.T, body []byte) {
		sc, err := ParseSlashCommand(body)
		if err != nil {
			return
		}
		if !model.IsValidId(sc.UserID) || !model.IsValidId(sc.ChannelID) {
			t.Fatalf("malformed ids passed: %+v", sc)
		}
		if len(sc.Text) > maxBody {
			t.Fatalf("text of %d bytes passed", len(sc.Text))
		}
		_ = isNew(sc.Text)
	})
}

// Button clicks from the network: parsing and verification never panic,
// and no context verifies unless it carries this itbot's signature of its
// own command and time.
func FuzzParseAction(f *testing.F) {
	s := fuzzSigner()
	good, _ := json.Marshal(model.PostActionIntegrationRequest{UserId: model.NewId(), ChannelId: model.NewId(), PostId: model.NewId(),
		Context: s.Context("/it approve IT-2026-000001")})
	f.Add(good)
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := ParseAction(body)
		if err != nil {
			return
		}
		cmd, err := s.Verify(req.Context)
		if err != nil {
			return
		}
		ts, _ := req.Context[ctxTimestamp].(string)
		sig, _ := req.Context[ctxSignature].(string)
		if sig != s.mac("itbot.action.v1", ts, cmd) {
			t.Fatalf("context verified without its signature: %v", req.Context)
		}
	})
}

// Dialog submissions from the network: parsing never panics; a state
// verifies only for the user and channel it was signed for.
func FuzzParseDialog(f *testing.F) {
	s := fuzzSigner()
	u, c := model.NewId(), model.NewId()
	good, _ := json.Marshal(model.SubmitDialogRequest{UserId: u, ChannelId: c, State: s.State(u, c),
		Submission: map[string]any{"type": "licence.assign", "target": "janis.ozols@lgia.gov.lv"}})
	f.Add(good)
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := ParseDialog(body)
		if err != nil {
			return
		}
		if s.VerifyState(req.State, req.UserId, req.ChannelId) == nil && req.State != s.State(req.UserId, req.ChannelId) {
			// Only the exact state this signer makes for the pair (at
			// its clock) may verify.
			t.Fatalf("foreign state verified: %q", req.State)
		}
	})
}

// Text from people is rendered without panics, code fences stay balanced
// and broadcast mentions never survive.
func FuzzMarkdown(f *testing.F) {
	f.Add("Sveiki @channel!\n  IT-2026-000001  jauns\n```x```")
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		out := markdown(s)
		fences := 0
		for _, l := range strings.Split(out, "\n") {
			if l == "```" {
				fences++
			}
		}
		if fences%2 != 0 {
			t.Fatalf("unbalanced fences in %q", out)
		}
		if m := broadcast.FindString(out); m != "" {
			t.Fatalf("broadcast mention %q survived in %q", m, out)
		}
	})
}
