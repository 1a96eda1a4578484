package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"itbot/adapters/slack/slacktest"
)

// TestSocketMode drives the adapter over a Socket Mode websocket: the
// connection is opened with apps.connections.open and the app token, slash
// commands, events and modal submissions arrive as envelopes and are
// acknowledged (a modal's field errors in the acknowledgement), and a
// dropped connection or a "disconnect" request is followed by a new
// connection.
func TestSocketMode(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *slacktest.Server) {
		c.Mode, c.AppToken, c.SigningSecret = ModeSocket, slacktest.AppToken, ""
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.slack.WaitSocket(ctx, 1); err != nil {
		t.Fatal("no socket mode connection:", err)
	}
	if calls := e.slack.Calls("apps.connections.open"); len(calls) == 0 || calls[0].Error != "" {
		t.Fatalf("apps.connections.open: %+v", calls)
	}

	command := func(text string) (string, string) {
		rurl := e.slack.ResponseURL()
		sc := slacktest.SlashCommand{UserID: uIlze, UserName: "ilze", ChannelID: chLGIA, Text: text, ResponseURL: rurl}
		id, err := e.slack.SendEnvelope("slash_commands", sc.Payload())
		if err != nil {
			t.Fatal(err)
		}
		ack, err := e.slack.WaitAck(ctx, id)
		if err != nil {
			t.Fatalf("no ack for %s: %v", id, err)
		}
		return string(ack), rurl
	}
	ack, rurl := command("consult Kā pievienot koplietojamo kalendāru?")
	if ack != "null" {
		t.Errorf("ack payload: %s", ack)
	}
	if ans := e.responseTo(rurl); !strings.Contains(ans.Text, "IT-2026-000001") {
		t.Fatalf("answer: %+v", ans)
	}
	e.wait("the card", func() bool { return len(e.top(chLGIA)) == 1 })

	// A dropped connection is opened again, and work goes on.
	e.slack.DropSockets()
	if err := e.slack.WaitSocket(ctx, 2); err != nil {
		t.Fatal("no reconnection after a drop:", err)
	}
	_, rurl = command("consult Otrais jautājums")
	e.responseTo(rurl)
	// So after Slack asks for it.
	e.slack.SendDisconnect()
	if err := e.slack.WaitSocket(ctx, 3); err != nil {
		t.Fatal("no reconnection after disconnect:", err)
	}

	// A direct message as an events_api envelope.
	ev := slacktest.EventCallback("Ev0SOCKET01", time.Now(), slacktest.MessageEvent{UserID: uJanis, Channel: "D" + uJanis, Text: "hi", TS: "1790000005.000100"}.Event())
	id, err := e.slack.SendEnvelope("events_api", ev)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.slack.WaitAck(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.wait("the DM answer", func() bool { return len(e.top("D"+uJanis)) == 1 })

	// A modal submission with an error: the errors come back in the ack.
	vs := slacktest.ViewSubmission{UserID: uIlze, UserName: "ilze", CallbackID: CallbackNew, PrivateMetadata: `{"c":"` + chLGIA + `"}`,
		Values: map[string]map[string]any{BlockType: {BlockType: slacktest.Select("licence.assign")}, BlockTarget: {BlockTarget: slacktest.Input("nav-adrese")}}}
	id, err = e.slack.SendEnvelope("interactive", vs.Payload())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := e.slack.WaitAck(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	json.Unmarshal(raw, &resp)
	if resp.ResponseAction != "errors" || !strings.Contains(resp.Errors[BlockTarget], "nav derīga e-pasta adrese") {
		t.Errorf("modal ack: %s", raw)
	}
	if n := len(e.requests()); n != 2 {
		t.Errorf("requests: %d", n)
	}
}

// TestSocketModeRestartsAfterFailure: when slack-go gives up (here the
// app token is refused once), the adapter starts it again after a
// back-off.
func TestSocketModeRestartsAfterFailure(t *testing.T) {
	old := SocketBackoff
	SocketBackoff.Min, SocketBackoff.Max = 20*time.Millisecond, 40*time.Millisecond
	t.Cleanup(func() { SocketBackoff = old })
	e := newEnv(t, func(c *Config, s *slacktest.Server) {
		c.Mode, c.AppToken, c.SigningSecret = ModeSocket, slacktest.AppToken, ""
		s.Inject("apps.connections.open", slacktest.Fault{Error: "invalid_auth"})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.slack.WaitSocket(ctx, 1); err != nil {
		t.Fatal("never connected:", err)
	}
	calls := e.slack.Calls("apps.connections.open")
	if len(calls) < 2 || calls[0].Error != "invalid_auth" || calls[len(calls)-1].Error != "" {
		t.Fatalf("calls: %+v", calls)
	}
	if !strings.Contains(e.logs.String(), "socket mode stopped; reconnecting") {
		t.Error("the restart was not logged")
	}
}
