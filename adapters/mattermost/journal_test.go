package mattermost

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// The same slash-command body posted twice (a double submit, a replay)
// runs once: one request.
func TestSlashReplayRunsOnce(t *testing.T) {
	h := newHarness(t)
	form := url.Values{"token": {commandToken}, "team_id": {h.team.Id}, "team_domain": {"varam"}, "channel_id": {h.town.Id},
		"channel_name": {"town-square"}, "user_id": {h.id("ilze.liepa")}, "user_name": {"ilze.liepa"}, "command": {"/it"},
		"text": {"consult Vai strādā?"}, "trigger_id": {"trig0123456789"}}
	for i := 0; i < 3; i++ {
		res, err := http.Post(h.web.URL+"/mattermost/command", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("send %d: %d", i, res.StatusCode)
		}
		h.a.Drain()
	}
	if rs := h.requests(); len(rs) != 1 {
		t.Fatalf("%d requests from one command sent three times", len(rs))
	}
	if ps, _ := h.a.store.JournalPending(context.Background(), Platform, 0); len(ps) != 0 {
		t.Errorf("journal left unfinished: %d", len(ps))
	}
}

// A command journaled by a run that stopped before it ran is run by the
// next one's Resume, once.
func TestResumeRunsWhatAStopLeft(t *testing.T) {
	h := newHarness(t)
	sc := &SlashCommand{TeamID: h.team.Id, ChannelID: h.town.Id, ChannelName: "town-square", UserID: h.id("ilze.liepa"),
		UserName: "ilze.liepa", Command: "/it", Text: "consult Vai atjaunoja?", TriggerID: "trigLEFT0001"}
	ctx := context.Background()
	if _, dup, ok := h.a.journal(ctx, kindCommand, keyOf("cmd", sc.TriggerID, nil), sc); !ok || dup {
		t.Fatalf("journal: ok %v dup %v", ok, dup)
	}
	n, err := h.a.Resume(ctx)
	h.a.Drain()
	if err != nil || n != 1 {
		t.Fatalf("resumed %d: %v", n, err)
	}
	rs := h.requests()
	if len(rs) != 1 || rs[0].Params.Text != "Vai atjaunoja?" || rs[0].Origin.Delivery != "cmd/trigLEFT0001" {
		t.Fatalf("requests %+v", rs)
	}
	if n, _ := h.a.Resume(ctx); n != 0 {
		t.Errorf("resumed again: %d", n)
	}
	if rs := h.requests(); len(rs) != 1 || rs[0].Type != bot.TypeConsult {
		t.Errorf("requests after a second resume: %d", len(rs))
	}
}

// The same form posted twice (a double click on Submit, a retried POST)
// creates one request.
func TestDialogDoubleSubmitRunsOnce(t *testing.T) {
	h := newHarness(t)
	user, channel := h.id("ilze.liepa"), h.town.Id
	body, err := json.Marshal(model.SubmitDialogRequest{UserId: user, ChannelId: channel, TeamId: h.team.Id, CallbackId: "itbot.new",
		State: h.a.sign.State(user, channel), Submission: map[string]any{"type": "consult", "text": "Kā kopīgot kalendāru?"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		res, err := http.Post(h.web.URL+"/mattermost/dialog", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("submit %d: %d", i, res.StatusCode)
		}
		h.a.Drain()
	}
	if rs := h.requests(); len(rs) != 1 {
		t.Fatalf("%d requests from one form posted twice", len(rs))
	}
}
