package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// ParseAction reads the JSON Mattermost posts when someone clicks an
// interactive button. It checks the shape, not the signature.
func ParseAction(body []byte) (*model.PostActionIntegrationRequest, error) {
	if len(body) > maxBody {
		return nil, errors.New("action: body too large")
	}
	var req model.PostActionIntegrationRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("action: %w", err)
	}
	switch {
	case !model.IsValidId(req.UserId):
		return nil, errors.New("action: user_id missing or malformed")
	case !model.IsValidId(req.ChannelId):
		return nil, errors.New("action: channel_id missing or malformed")
	case req.PostId != "" && !model.IsValidId(req.PostId):
		return nil, errors.New("action: post_id malformed")
	}
	return &req, nil
}

// serveAction is POST {prefix}/actions: a button click. The context must
// carry a valid signature, so a forged click is refused; the click then
// runs the button's command string as the clicking person, exactly as if
// they had typed it.
func (a *Adapter) serveAction(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	req, err := ParseAction(body)
	if err != nil {
		a.log.Info("malformed button click refused", "err", err, "remote", r.RemoteAddr)
		http.Error(w, "malformed action", http.StatusBadRequest)
		return
	}
	cmd, err := a.sign.Verify(req.Context)
	switch {
	case errors.Is(err, ErrForged):
		// 200 with the reason: Mattermost drops the body of any other
		// status and shows only "Action integration error." (inferred from
		// the server's DoPostActionWithCookie, which reads the body only
		// of a 200).
		a.log.Warn("forged button click refused", "user", req.UserId, "post", req.PostId, "remote", r.RemoteAddr)
		writeJSON(w, http.StatusOK, &model.PostActionIntegrationResponse{EphemeralText: both("mm.forged", nil)})
		return
	case errors.Is(err, ErrExpired):
		a.log.Info("expired button click", "user", req.UserId, "post", req.PostId)
		writeJSON(w, http.StatusOK, &model.PostActionIntegrationResponse{EphemeralText: both("mm.expired", bot.Args{"Command": cmd})})
		return
	}
	ctx := r.Context()
	p, problem := a.Resolve(ctx, req.UserId)
	if problem != "" {
		writeJSON(w, http.StatusOK, &model.PostActionIntegrationResponse{EphemeralText: problem})
		return
	}
	if id, ok := a.needsReason(cmd); ok && req.TriggerId != "" {
		// Reject needs a reason: a form asks for it (the command then runs
		// from its submission).
		err := a.openRejectDialog(ctx, req.TriggerId, p, id, req.UserId, req.ChannelId)
		if err == nil {
			writeJSON(w, http.StatusOK, &model.PostActionIntegrationResponse{})
			return
		}
		a.log.Warn("the reason form could not be opened; running the command", "user", req.UserId, "err", err)
	}
	if isNew(cmd) && req.TriggerId != "" {
		err := a.openDialog(ctx, req.TriggerId, p, req.UserId, req.ChannelId)
		if err == nil {
			writeJSON(w, http.StatusOK, &model.PostActionIntegrationResponse{})
			return
		}
		a.log.Warn("dialog could not be opened; answering with the menu", "user", req.UserId, "err", err)
	}
	in, dup, ok := a.journal(ctx, kindAction, keyOf("act", req.TriggerId, body), &journaledAction{Request: req, Command: cmd})
	switch {
	case !ok:
		writeJSON(w, http.StatusOK, &model.PostActionIntegrationResponse{EphemeralText: both("mm.unstored", nil)})
		return
	case dup:
		writeJSON(w, http.StatusOK, &model.PostActionIntegrationResponse{})
		return
	}
	// The answer goes back in the 200 as ephemeral_text while the click
	// waits (CommandWait): a bot with the Member role may not make
	// ephemeral posts through the API (403), and this reaches the person
	// where they clicked.
	rw, done := a.runClick(ctx, req, cmd, p, in)
	finished := a.awaitAnswer(ctx, done)
	held := rw.release()
	var text []string
	for _, hp := range held {
		text = append(text, postText(hp))
	}
	if len(held) == 0 && !finished && rw.ephemeral {
		text = append(text, bot.Tr(p.Language(), "mm.working", bot.Args{"Command": cmd}))
	}
	out := &model.PostActionIntegrationResponse{EphemeralText: strings.Join(text, "\n\n")}
	if m, _ := a.router.Match(cmd); m.Is("confirm") || m.Is("discard") {
		// A yes/no question is answered: its buttons go (the tokens they
		// carry are used up), its text stays with the answer under it.
		out.Update = a.answered(ctx, req.PostId, p.Language(), m.Is("confirm"))
	}
	writeJSON(w, http.StatusOK, out)
}

// answered is the clicked question post without its buttons, with the
// answer under its text.
func (a *Adapter) answered(ctx context.Context, postID string, l bot.Lang, yes bool) *model.Post {
	key := "mm.answered_no"
	if yes {
		key = "mm.answered_yes"
	}
	msg := bot.Tr(l, key, nil)
	if postID != "" {
		if orig, err := a.getPost(ctx, postID); err == nil {
			if t := postText(orig); t != "" {
				msg = t + "\n\n" + msg
			}
		}
	}
	p := &model.Post{Message: msg}
	p.AddProp(model.PostPropsFromBot, "true") // a patch's props replace the post's
	return p
}

// postText renders a post as plain text for an ephemeral_text answer: its
// message, then each attachment's title, text and fields.
func postText(p *model.Post) string {
	var b strings.Builder
	b.WriteString(p.Message)
	for _, at := range p.Attachments() {
		for _, s := range []string{at.Pretext, at.Title, at.Text} {
			if s != "" {
				if b.Len() > 0 {
					b.WriteString("\n")
				}
				b.WriteString(s)
			}
		}
		for _, f := range at.Fields {
			fmt.Fprintf(&b, "\n%s: %v", f.Title, f.Value)
		}
	}
	return b.String()
}

// runClick runs a journaled button click's command in the background, in
// the clicked post's thread.
func (a *Adapter) runClick(ctx context.Context, req *model.PostActionIntegrationRequest, cmd string, p *bot.Person, in *bot.Inbound) (*replyWriter, chan struct{}) {
	direct := a.isDirectWithBot(ctx, req.ChannelName)
	msgID := newMessageID("click")
	rw := &replyWriter{a: a, user: req.UserId, channel: req.ChannelId, msgID: msgID, direct: direct, ephemeral: !direct,
		holding: !direct && a.cfg.CommandWait > 0}
	done := make(chan struct{})
	a.spawn(func(ctx context.Context) {
		defer close(done)
		root := ""
		if req.PostId != "" {
			if post, err := a.getPost(ctx, req.PostId); err == nil {
				root = post.RootId
				if root == "" {
					root = post.Id
				}
			} else if statusOf(err) == http.StatusNotFound {
				// An ephemeral card (an answer shown to one person) is not
				// stored by the server: nothing is wrong.
				a.log.Debug("clicked post not stored (ephemeral); answering outside its thread", "post", req.PostId)
			} else {
				a.log.Warn("clicked post not found; answering outside its thread", "post", req.PostId, "err", err)
			}
		}
		m := &bot.Message{Platform: Platform, Channel: req.ChannelId, Thread: root, MessageID: msgID, UserID: req.UserId,
			Person: p, Text: cmd, Source: bot.SourceButton, Direct: direct, Delivery: in.Key}
		rw.setRoot(root)
		a.route(ctx, rw, m)
		a.done(in)
	})
	return rw, done
}
