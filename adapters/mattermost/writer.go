package mattermost

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// noticeWait bounds how long an answer waits for its request's notices.
const noticeWait = 10 * time.Second

// replyWriter answers one inbound message (a slash command, a click, a
// dialog, a direct message or a mention): in a direct channel with the bot
// as ordinary posts; elsewhere only to the person (ephemeral) for commands,
// clicks and dialogs, and in the mention's thread for mentions. A reply
// about a request whose card sits right above (just posted, or the
// thread's root) is posted without repeating the card.
type replyWriter struct {
	a         *Adapter
	user      string
	channel   string
	root      string // thread to answer in
	msgID     string
	direct    bool // the bot's direct channel with the user
	ephemeral bool // answer only to the user

	mu          sync.Mutex
	responseURL string // a slash command's response URL, usable 5 times
	hookUses    int
	holding     bool          // the slash command's HTTP request still waits: keep answers for it
	held        []*model.Post // answers kept for the HTTP response
}

// setRoot sets the thread answers go to.
func (w *replyWriter) setRoot(root string) {
	w.mu.Lock()
	w.root = root
	w.mu.Unlock()
}

// hold keeps an answer for the slash command's HTTP response while the
// request still waits; it reports whether it did.
func (w *replyWriter) hold(p *model.Post) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.holding {
		return false
	}
	w.held = append(w.held, p)
	return true
}

// release stops holding and returns the answers held.
func (w *replyWriter) release() []*model.Post {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.holding = false
	held := w.held
	w.held = nil
	return held
}

// Write implements bot.ResponseWriter.
func (w *replyWriter) Write(ctx context.Context, r bot.Reply) error {
	a := w.a
	if r.Private {
		ch, err := a.directChannel(ctx, w.user)
		if err != nil {
			return err
		}
		p := a.render.Post(r, renderOpts{})
		p.ChannelId = ch
		_, err = a.createPost(ctx, p)
		return err
	}
	compact := false
	thread := ""
	if r.Request != nil {
		// The request's notices (its card first) are posted before the
		// answer, so the answer can refer to them.
		a.waitQueue(ctx, "req:"+r.Request.ID, noticeWait)
		rq := r.Request
		if ch, t, ok := a.door.Cards.Thread(ctx, Platform, rq.ID, w.channel); ok && ch == w.channel {
			thread = t // (a thread that moved elsewhere is not this channel's)
		}
		// The card was just posted for this very message: the answer is a
		// short line in its thread, not the card again.
		fresh := thread != "" && w.msgID != "" && rq.Origin.Platform == Platform && rq.Origin.MessageID == w.msgID && rq.Origin.Channel == w.channel
		compact = fresh || (w.root != "" && thread == w.root)
	}
	p := a.render.Post(r, renderOpts{compact: compact})
	if w.direct || (!r.Ephemeral && !w.ephemeral) {
		root := w.root
		if compact && thread != "" {
			root = thread
		}
		p.ChannelId, p.RootId = w.channel, root
		if _, err := a.createPost(ctx, p); err != nil {
			return err
		}
		return a.postFiles(ctx, w.channel, root, "", r.Files)
	}
	p.ChannelId, p.RootId = w.channel, w.root
	full := func() *model.Post { return a.render.Post(r, renderOpts{}) }
	if !w.hold(p) {
		if err := w.showEphemeral(ctx, p, full); err != nil {
			return err
		}
	}
	if len(r.Files) > 0 {
		ch, err := a.directChannel(ctx, w.user)
		if err != nil {
			return err
		}
		// The files with a line saying what they are (the answer itself
		// was shown where the person asked).
		caption := r.Title
		if caption == "" {
			caption, _, _ = strings.Cut(r.Text, "\n")
		}
		if caption != "" {
			caption = "📎 " + caption
		}
		return a.postFiles(ctx, ch, "", caption, r.Files)
	}
	return nil
}

// showEphemeral shows a post to the user alone: through the slash
// command's response URL while it lasts, else as an ephemeral post (which
// Mattermost allows only bots with the system admin role), else in the
// user's direct channel with the bot, in full (away from the request's
// card).
func (w *replyWriter) showEphemeral(ctx context.Context, p *model.Post, full func() *model.Post) error {
	a := w.a
	if w.useHook() {
		err := a.respond(ctx, w.responseURL, &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral,
			Text: p.Message, Attachments: p.Attachments()})
		if err == nil {
			return nil
		}
		a.log.Info("response URL failed; posting through the API", "err", err)
	}
	if !a.noEphemeral.Load() {
		err := a.ephemeralPost(ctx, w.user, p)
		if err == nil {
			return nil
		}
		if statusOf(err) != http.StatusForbidden {
			return err
		}
		if a.noEphemeral.CompareAndSwap(false, true) {
			a.log.Warn("the bot may not post ephemeral messages (Mattermost allows that to system admins only); private answers go to direct messages instead", "err", err)
		}
	}
	ch, err := a.directChannel(ctx, w.user)
	if err != nil {
		return err
	}
	p = full()
	p.ChannelId = ch
	_, err = a.createPost(ctx, p)
	return err
}

// useHook takes one use of the response URL, if any is left.
func (w *replyWriter) useHook() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.responseURL == "" || w.hookUses >= 5 {
		return false
	}
	w.hookUses++
	return true
}

// respond posts a delayed slash command answer to its response URL, which
// must be on the configured Mattermost server.
func (a *Adapter) respond(ctx context.Context, responseURL string, cr *model.CommandResponse) error {
	u, err := url.Parse(responseURL)
	base, _ := url.Parse(a.cfg.URL)
	if err != nil || base == nil || u.Scheme != base.Scheme || u.Host != base.Host || !strings.HasPrefix(u.Path, strings.TrimRight(base.Path, "/")+"/hooks/commands/") {
		// The URL itself is a capability: it is never logged.
		return fmt.Errorf("the response URL is not on %s", a.cfg.URL)
	}
	body, err := json.Marshal(cr)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.api.HTTPClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL
		}
		return fmt.Errorf("response URL: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("response URL answered %s", resp.Status)
	}
	return nil
}

// route hands one message to the router and logs what could not be
// answered.
func (a *Adapter) route(ctx context.Context, w *replyWriter, m *bot.Message) {
	if err := a.router.Route(ctx, w, m); err != nil {
		a.log.Warn("reply failed", "user", m.UserID, "channel", m.Channel, "err", err)
	}
}
