package slacktest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// SigningSecret is the signing secret tests use.
const SigningSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// Sign returns Slack's v0 signature of body sent at ts with secret:
// "v0=" + hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body)).
func Sign(secret string, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%d:", ts.Unix())
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// SignedRequest builds the POST Slack would send to an app endpoint: the
// body, its content type, X-Slack-Request-Timestamp set to at and
// X-Slack-Signature signed with secret.
func SignedRequest(ctx context.Context, target, secret, contentType string, body []byte, at time.Time) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("X-Slack-Signature", Sign(secret, at, body))
	return req, nil
}

// Form is the content type of slash commands and interactions.
const Form = "application/x-www-form-urlencoded"

// JSON is the content type of Events API callbacks.
const JSON = "application/json"

var triggerSeq atomic.Int64

// TriggerID returns a fresh trigger id.
func TriggerID() string {
	return fmt.Sprintf("%d.%s.%016x", 1790000000+triggerSeq.Add(1), TeamID, triggerSeq.Load()*7919)
}

// SlashCommand is what Slack posts for "/it TEXT".
type SlashCommand struct {
	UserID, UserName     string
	ChannelID, Channel   string
	Command              string // default "/it"
	Text                 string
	ResponseURL          string
	TriggerID            string // default: a fresh one
	TeamDomain, APIAppID string
	// TeamID is the workspace it comes from (default TeamID).
	TeamID string
}

// Body returns the form-encoded body, with every field Slack sends.
func (c SlashCommand) Body() []byte {
	if c.Command == "" {
		c.Command = "/it"
	}
	if c.TriggerID == "" {
		c.TriggerID = TriggerID()
	}
	if c.Channel == "" {
		c.Channel = "it-pieteikumi"
	}
	if c.TeamID == "" {
		c.TeamID = TeamID
	}
	if c.APIAppID == "" {
		c.APIAppID = AppID
	}
	v := url.Values{
		"token": {"gIkuvaNzQIHg97ATvDxqgjtO"}, "team_id": {c.TeamID}, "team_domain": {"varam-it"},
		"channel_id": {c.ChannelID}, "channel_name": {c.Channel}, "user_id": {c.UserID}, "user_name": {c.UserName},
		"command": {c.Command}, "text": {c.Text}, "api_app_id": {c.APIAppID}, "is_enterprise_install": {"false"},
		"response_url": {c.ResponseURL}, "trigger_id": {c.TriggerID},
	}
	return []byte(v.Encode())
}

// Payload returns the JSON payload Socket Mode's "slash_commands"
// envelope carries: the same fields, as strings.
func (c SlashCommand) Payload() map[string]any {
	v, _ := url.ParseQuery(string(c.Body()))
	out := map[string]any{}
	for k := range v {
		out[k] = v.Get(k)
	}
	return out
}

// Button is a button as it appears in a posted message's blocks.
type Button struct {
	ActionID, BlockID, Value, Text, Style string
}

// BlockActions is the interaction payload of a button click on a message.
type BlockActions struct {
	UserID, UserName string
	ChannelID        string
	MessageTS        string
	ThreadTS         string
	Ephemeral        bool
	ResponseURL      string
	TriggerID        string
	Button           Button
	// TeamID and AppID are the workspace and app it names (defaults
	// TeamID, AppID).
	TeamID, AppID string
}

// Body returns the form body "payload=<json>".
func (b BlockActions) Body() []byte {
	if b.TriggerID == "" {
		b.TriggerID = TriggerID()
	}
	if b.TeamID == "" {
		b.TeamID = TeamID
	}
	if b.AppID == "" {
		b.AppID = AppID
	}
	msg := map[string]any{"type": "message", "user": BotUserID, "bot_id": BotID, "ts": b.MessageTS, "text": "", "team": TeamID}
	if b.ThreadTS != "" {
		msg["thread_ts"] = b.ThreadTS
	}
	container := map[string]any{"type": "message", "message_ts": b.MessageTS, "channel_id": b.ChannelID, "is_ephemeral": b.Ephemeral}
	if b.ThreadTS != "" {
		container["thread_ts"] = b.ThreadTS
	}
	p := map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": b.UserID, "username": b.UserName, "name": b.UserName, "team_id": b.TeamID},
		"api_app_id": b.AppID, "token": "gIkuvaNzQIHg97ATvDxqgjtO",
		"container":  container,
		"trigger_id": b.TriggerID,
		"team":       map[string]any{"id": b.TeamID, "domain": "varam-it"},
		"enterprise": nil, "is_enterprise_install": false,
		"channel":      map[string]any{"id": b.ChannelID, "name": "it-pieteikumi"},
		"message":      msg,
		"state":        map[string]any{"values": map[string]any{}},
		"response_url": b.ResponseURL,
		"actions": []any{map[string]any{
			"action_id": b.Button.ActionID, "block_id": b.Button.BlockID, "value": b.Button.Value, "type": "button",
			"style": b.Button.Style, "action_ts": fmt.Sprintf("%d.%06d", time.Now().Unix(), 1),
			"text": map[string]any{"type": "plain_text", "text": b.Button.Text, "emoji": true}}},
	}
	if b.Ephemeral {
		p["message"] = nil
	}
	return payloadForm(p)
}

// ViewSubmission is the interaction payload of a modal's submit button.
type ViewSubmission struct {
	UserID, UserName string
	ViewID           string
	CallbackID       string
	PrivateMetadata  string
	// Values maps block id -> action id -> the element's state, e.g.
	// {"type":"plain_text_input","value":"…"} or {"type":"static_select",
	// "selected_option":{"value":"…"}}; see Input and Select.
	Values map[string]map[string]any
}

// Input is the state of a plain_text_input.
func Input(v string) map[string]any { return map[string]any{"type": "plain_text_input", "value": v} }

// Select is the state of a static_select with value chosen ("" for none).
func Select(v string) map[string]any {
	if v == "" {
		return map[string]any{"type": "static_select", "selected_option": nil}
	}
	return map[string]any{"type": "static_select", "selected_option": map[string]any{
		"text": map[string]any{"type": "plain_text", "text": v, "emoji": true}, "value": v}}
}

// Payload returns the JSON payload (for Socket Mode's "interactive"
// envelope).
func (v ViewSubmission) Payload() map[string]any {
	if v.ViewID == "" {
		v.ViewID = "V000001"
	}
	values := map[string]any{}
	for b, m := range v.Values {
		values[b] = m
	}
	return map[string]any{
		"type": "view_submission", "team": map[string]any{"id": TeamID, "domain": "varam-it"},
		"user":       map[string]any{"id": v.UserID, "username": v.UserName, "name": v.UserName, "team_id": TeamID},
		"api_app_id": AppID, "token": "gIkuvaNzQIHg97ATvDxqgjtO", "trigger_id": TriggerID(),
		"view": map[string]any{"id": v.ViewID, "team_id": TeamID, "type": "modal", "blocks": []any{},
			"private_metadata": v.PrivateMetadata, "callback_id": v.CallbackID,
			"state": map[string]any{"values": values}, "hash": "1790000000.abcdef",
			"title": map[string]any{"type": "plain_text", "text": "itbot"}, "app_id": AppID, "bot_id": BotID},
		"response_urls": []any{}, "is_enterprise_install": false, "enterprise": nil,
	}
}

// Body returns the form body "payload=<json>".
func (v ViewSubmission) Body() []byte { return payloadForm(v.Payload()) }

// Payload returns b's JSON payload (for Socket Mode's "interactive"
// envelope).
func (b BlockActions) Payload() json.RawMessage {
	v, _ := url.ParseQuery(string(b.Body()))
	return json.RawMessage(v.Get("payload"))
}

func payloadForm(p any) []byte {
	raw, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	return []byte(url.Values{"payload": {string(raw)}}.Encode())
}

// Message is a message event: "message.im" when Channel starts with D,
// else a channel message.
type MessageEvent struct {
	UserID, Channel, Text, TS, ThreadTS string
	BotID, SubType                      string
}

// Event returns the inner event.
func (m MessageEvent) Event() map[string]any {
	ct := "channel"
	if len(m.Channel) > 0 && m.Channel[0] == 'D' {
		ct = "im"
	}
	e := map[string]any{"type": "message", "channel": m.Channel, "user": m.UserID, "text": m.Text,
		"ts": m.TS, "event_ts": m.TS, "channel_type": ct, "client_msg_id": "9f1c2b1e-0d59-4a5c-9d43-" + m.TS[len(m.TS)-6:] + "000000"}
	if m.ThreadTS != "" {
		e["thread_ts"] = m.ThreadTS
	}
	if m.BotID != "" {
		e["bot_id"] = m.BotID
		delete(e, "client_msg_id")
	}
	if m.SubType != "" {
		e["subtype"] = m.SubType
	}
	return e
}

// Mention is an app_mention event.
type Mention struct {
	UserID, Channel, Text, TS, ThreadTS string
}

// Event returns the inner event.
func (m Mention) Event() map[string]any {
	e := map[string]any{"type": "app_mention", "user": m.UserID, "text": m.Text, "ts": m.TS, "channel": m.Channel, "event_ts": m.TS}
	if m.ThreadTS != "" {
		e["thread_ts"] = m.ThreadTS
	}
	return e
}

// EventCallback wraps an inner event in the Events API envelope.
func EventCallback(eventID string, eventTime time.Time, inner map[string]any) map[string]any {
	return map[string]any{
		"token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": TeamID, "api_app_id": AppID, "event": inner,
		"type": "event_callback", "event_id": eventID, "event_time": eventTime.Unix(),
		"authorizations":        []any{map[string]any{"enterprise_id": nil, "team_id": TeamID, "user_id": BotUserID, "is_bot": true, "is_enterprise_install": false}},
		"is_ext_shared_channel": false, "event_context": "4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMFZBUkFNMDEifQ",
	}
}

// URLVerification is the challenge Slack sends when the events URL is set.
func URLVerification(challenge string) map[string]any {
	return map[string]any{"token": "gIkuvaNzQIHg97ATvDxqgjtO", "challenge": challenge, "type": "url_verification"}
}

// MustJSON marshals v or panics.
func MustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
