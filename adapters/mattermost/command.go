package mattermost

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// maxBody bounds every inbound payload the adapter reads.
const maxBody = 64 << 10

// SlashCommand is what Mattermost posts (form-encoded) when someone runs
// the custom slash command.
type SlashCommand struct {
	Token       string
	TeamID      string
	TeamDomain  string
	ChannelID   string
	ChannelName string
	UserID      string
	UserName    string
	Command     string // the trigger, e.g. "/it"
	Text        string // what follows the trigger
	TriggerID   string
	ResponseURL string
}

// ParseSlashCommand reads a slash command request body. It checks the
// shape (ids, sizes), not the token.
func ParseSlashCommand(body []byte) (*SlashCommand, error) {
	if len(body) > maxBody {
		return nil, errors.New("slash command: body too large")
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("slash command: %w", err)
	}
	sc := &SlashCommand{
		Token: v.Get("token"), TeamID: v.Get("team_id"), TeamDomain: v.Get("team_domain"),
		ChannelID: v.Get("channel_id"), ChannelName: v.Get("channel_name"),
		UserID: v.Get("user_id"), UserName: v.Get("user_name"),
		Command: v.Get("command"), Text: strings.TrimSpace(v.Get("text")),
		TriggerID: v.Get("trigger_id"), ResponseURL: v.Get("response_url"),
	}
	switch {
	case !model.IsValidId(sc.UserID):
		return nil, errors.New("slash command: user_id missing or malformed")
	case !model.IsValidId(sc.ChannelID):
		return nil, errors.New("slash command: channel_id missing or malformed")
	case len(sc.Text) > bot.MaxMessageBytes:
		// The router answers too-long text itself; this bounds the form.
		sc.Text = sc.Text[:bot.MaxMessageBytes+1]
	}
	return sc, nil
}

// tokenOK checks a slash command token against every configured one in
// constant time.
func (a *Adapter) tokenOK(tok string) bool {
	ok := 0
	for _, t := range a.cfg.CommandTokens {
		ok |= subtle.ConstantTimeCompare([]byte(tok), []byte(t))
	}
	return ok == 1 && tok != ""
}

// isNew reports whether a command asks for the new-request form.
func isNew(text string) bool {
	t := strings.Join(strings.Fields(bot.Fold(strings.TrimPrefix(strings.TrimSpace(text), bot.Prefix))), " ")
	return t == "new" || t == "jauns" || t == "jauns pieteikums"
}

// serveCommand is POST {prefix}/command. It checks the token, resolves the
// person and runs the command; the answers ready within CommandWait come
// back in the HTTP response (only the person sees them), later ones follow
// through the response URL or the API, after a "working on it" note.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	sc, err := ParseSlashCommand(body)
	if err != nil {
		a.log.Info("malformed slash command refused", "err", err, "remote", r.RemoteAddr)
		http.Error(w, "malformed slash command", http.StatusBadRequest)
		return
	}
	tok := sc.Token
	if tok == "" {
		tok = strings.TrimSpace(strings.TrimPrefix(r.Header.Get("Authorization"), "Token "))
	}
	if !a.tokenOK(tok) {
		a.log.Warn("slash command with a wrong token refused", "user", sc.UserID, "team", sc.TeamDomain, "remote", r.RemoteAddr)
		http.Error(w, "invalid slash command token", http.StatusUnauthorized)
		return
	}
	ctx := r.Context()
	p, problem := a.Resolve(ctx, sc.UserID)
	if problem != "" {
		writeJSON(w, http.StatusOK, &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: problem})
		return
	}
	if isNew(sc.Text) && sc.TriggerID != "" {
		err := a.openDialog(ctx, sc.TriggerID, p, sc.UserID, sc.ChannelID)
		if err == nil {
			writeJSON(w, http.StatusOK, &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral})
			return
		}
		a.log.Warn("dialog could not be opened; answering with the menu", "user", sc.UserID, "err", err)
	}
	journaled := *sc
	journaled.Token = "" // the command's token is not kept
	in, dup, ok := a.journal(ctx, kindCommand, keyOf("cmd", sc.TriggerID, body), &journaled)
	switch {
	case !ok:
		writeJSON(w, http.StatusOK, &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: both("mm.unstored", nil)})
		return
	case dup:
		writeJSON(w, http.StatusOK, &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral})
		return
	}
	text := strings.TrimSpace(bot.Prefix + " " + sc.Text)
	rw, done := a.runCommand(ctx, sc, p, in, true)
	finished := a.awaitAnswer(ctx, done)
	writeJSON(w, http.StatusOK, commandResponse(rw.release(), finished, bot.Tr(p.Language(), "mm.working", bot.Args{"Command": text})))
}

// awaitAnswer waits up to CommandWait for done (the command or click
// finished), so its answers can go back in the HTTP response; it reports
// whether it finished in time.
func (a *Adapter) awaitAnswer(ctx context.Context, done <-chan struct{}) bool {
	if a.cfg.CommandWait <= 0 {
		return false
	}
	t := time.NewTimer(a.cfg.CommandWait)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// runCommand runs a journaled slash command in the background and closes
// done when it finished; with holding, the answers ready within
// CommandWait are kept for the HTTP response (rw.release).
func (a *Adapter) runCommand(ctx context.Context, sc *SlashCommand, p *bot.Person, in *bot.Inbound, holding bool) (*replyWriter, chan struct{}) {
	text := strings.TrimSpace(bot.Prefix + " " + sc.Text)
	direct := a.isDirectWithBot(ctx, sc.ChannelName)
	m := &bot.Message{Platform: Platform, Channel: sc.ChannelID, MessageID: newMessageID("cmd"), UserID: sc.UserID,
		Person: p, Text: text, Source: bot.SourceTyped, Direct: direct, Delivery: in.Key}
	rw := &replyWriter{a: a, user: sc.UserID, channel: sc.ChannelID, msgID: m.MessageID, direct: direct, ephemeral: !direct,
		responseURL: sc.ResponseURL, holding: holding && !direct && a.cfg.CommandWait > 0}
	done := make(chan struct{})
	a.spawn(func(ctx context.Context) {
		defer close(done)
		a.route(ctx, rw, m)
		a.done(in)
	})
	return rw, done
}

// commandResponse is a slash command's HTTP answer: the answers ready in
// time (the first as the response, the others as extra responses), or a
// note that the answer follows when none is ready yet.
func commandResponse(held []*model.Post, finished bool, working string) *model.CommandResponse {
	if len(held) == 0 {
		cr := &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral}
		if !finished {
			cr.Text = working
		}
		return cr
	}
	out := make([]*model.CommandResponse, len(held))
	for i, p := range held {
		out[i] = &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: p.Message, Attachments: p.Attachments()}
	}
	out[0].ExtraResponses = out[1:]
	return out[0]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing to do
}
