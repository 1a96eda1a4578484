package slack

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// MaxBody is the largest request body the endpoints read.
const MaxBody = 1 << 20

// Endpoint paths on the app's HTTP server.
const (
	PathCommands     = "/slack/commands"
	PathInteractions = "/slack/interactions"
	PathEvents       = "/slack/events"
)

// Mount registers the three endpoints on mux.
func (a *Adapter) Mount(mux *http.ServeMux) {
	mux.HandleFunc("POST "+PathCommands, a.ServeCommands)
	mux.HandleFunc("POST "+PathInteractions, a.ServeInteractions)
	mux.HandleFunc("POST "+PathEvents, a.ServeEvents)
}

// verify reads the body and checks Slack's signature over it with the
// signing secret (HMAC-SHA256, compared in constant time) and that the
// timestamp is within five minutes. It answers 401 and returns false for
// a request that fails.
func (a *Adapter) verify(w http.ResponseWriter, r *http.Request, endpoint string) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		status := http.StatusBadRequest
		if errors.As(err, &tooBig) {
			status = http.StatusRequestEntityTooLarge
		}
		a.metrics.acks.WithLabelValues(endpoint, "bad_body").Inc()
		http.Error(w, http.StatusText(status), status)
		return nil, false
	}
	sv, err := slackgo.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
	if err == nil {
		sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		reason := "bad_signature"
		if errors.Is(err, slackgo.ErrExpiredTimestamp) {
			reason = "stale_timestamp"
		} else if errors.Is(err, slackgo.ErrMissingHeaders) {
			reason = "unsigned"
		}
		a.metrics.acks.WithLabelValues(endpoint, reason).Inc()
		a.log.Warn("slack: request refused", "endpoint", endpoint, "reason", reason, "remote", r.RemoteAddr,
			"timestamp", r.Header.Get("X-Slack-Request-Timestamp"))
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// SlashCommand reads a slash command from its form body.
func SlashCommand(form url.Values) slackgo.SlashCommand {
	return slackgo.SlashCommand{
		Token: form.Get("token"), TeamID: form.Get("team_id"), TeamDomain: form.Get("team_domain"),
		EnterpriseID: form.Get("enterprise_id"), ChannelID: form.Get("channel_id"), ChannelName: form.Get("channel_name"),
		UserID: form.Get("user_id"), UserName: form.Get("user_name"), Command: form.Get("command"), Text: form.Get("text"),
		ResponseURL: form.Get("response_url"), TriggerID: form.Get("trigger_id"), APIAppID: form.Get("api_app_id"),
	}
}

// ServeCommands is POST /slack/commands: it verifies the request,
// acknowledges at once with an empty 200 and runs the command in the
// background; the answer follows through the response_url.
func (a *Adapter) ServeCommands(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verify(w, r, "commands")
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("user_id") == "" {
		a.metrics.acks.WithLabelValues("commands", "malformed").Inc()
		http.Error(w, "malformed slash command", http.StatusBadRequest)
		return
	}
	if resp := a.acceptCommand(r.Context(), SlashCommand(form)); resp != nil {
		writeJSON(w, resp)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// ParseInteraction reads an interaction payload from its form body.
func ParseInteraction(body []byte) (slackgo.InteractionCallback, error) {
	var cb slackgo.InteractionCallback
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return cb, err
	}
	p := form.Get("payload")
	if p == "" {
		return cb, errors.New("no payload")
	}
	if err := json.Unmarshal([]byte(p), &cb); err != nil {
		return cb, err
	}
	if cb.Type == "" || cb.User.ID == "" {
		return cb, errors.New("payload without a type or a user")
	}
	return cb, nil
}

// ServeInteractions is POST /slack/interactions: button clicks are
// acknowledged at once and run in the background; a modal submission is
// answered with its field errors, or closes the modal and runs.
func (a *Adapter) ServeInteractions(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verify(w, r, "interactions")
	if !ok {
		return
	}
	cb, err := ParseInteraction(body)
	if err != nil {
		a.metrics.acks.WithLabelValues("interactions", "malformed").Inc()
		a.log.Warn("slack: malformed interaction", "err", err)
		http.Error(w, "malformed interaction payload", http.StatusBadRequest)
		return
	}
	resp, taken := a.acceptInteraction(r.Context(), cb)
	if !taken {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	if resp != nil {
		writeJSON(w, resp)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// ParseEvent reads an Events API request body. ok is false for a body
// that is not a well-formed Events API envelope.
func ParseEvent(body []byte) (ev slackevents.EventsAPIEvent, ok bool, err error) {
	ev, err = slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err == nil {
		if ev.Type == "" { // null, {}: no envelope at all
			return ev, false, errors.New("no event type")
		}
		return ev, true, nil
	}
	// A well-formed callback with an inner event type slack-go does not
	// know is no error of the sender: it is acknowledged and ignored.
	var outer struct {
		Type    string          `json:"type"`
		EventID string          `json:"event_id"`
		Event   json.RawMessage `json:"event"`
	}
	if json.Unmarshal(body, &outer) == nil && outer.Type == slackevents.CallbackEvent && outer.EventID != "" && len(outer.Event) > 0 {
		return slackevents.EventsAPIEvent{Type: "ignored"}, true, err
	}
	return ev, false, err
}

// ServeEvents is POST /slack/events: it answers the url_verification
// challenge and queues event callbacks (direct messages, mentions),
// acknowledging at once. A callback it cannot queue gets 503, so Slack
// delivers it again; retries and replays (same event id) are handled once.
func (a *Adapter) ServeEvents(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verify(w, r, "events")
	if !ok {
		return
	}
	ev, wellFormed, err := ParseEvent(body)
	if !wellFormed {
		a.metrics.acks.WithLabelValues("events", "malformed").Inc()
		a.log.Warn("slack: malformed event", "err", err)
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	switch ev.Type {
	case slackevents.URLVerification:
		v, _ := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if v == nil || v.Challenge == "" {
			http.Error(w, "no challenge", http.StatusBadRequest)
			return
		}
		a.metrics.acks.WithLabelValues("events", "url_verification").Inc()
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, v.Challenge)
		return
	case slackevents.CallbackEvent:
		if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
			a.log.Info("slack: event retry", "attempt", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
		}
		if !a.acceptEvent(r.Context(), ev, body) {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
	case slackevents.AppRateLimited:
		a.log.Warn("slack: Slack is rate limiting this app's events")
	default:
		a.metrics.acks.WithLabelValues("events", "ignored").Inc()
	}
	w.WriteHeader(http.StatusOK)
}
