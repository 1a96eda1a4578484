package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"itbot/bot"
)

// KV buckets the adapter keeps its state in.
const (
	bucketThreads = "slack.threads" // request id -> threadRec
)

// cardRef is one card of a request: a message that shows the request and
// is edited in place on every change, and whose thread holds the updates.
type cardRef struct {
	// Key is the address the card answers: the channel as addressed, or
	// "@"+user for a direct message.
	Key      string   `json:"key"`
	Channel  string   `json:"channel"`            // where the card is
	TS       string   `json:"ts"`                 // the card message
	Thread   string   `json:"thread"`             // the thread root updates go to
	Viewer   string   `json:"viewer,omitempty"`   // whose buttons it shows ("" all)
	Lang     bot.Lang `json:"lang"`               // its language
	Approval bool     `json:"approval,omitempty"` // an approver's direct message
	Progress string   `json:"progress,omitempty"` // the progress message, edited in place
}

// threadRec is the adapter's record of a request on Slack.
type threadRec struct {
	Cards []cardRef `json:"cards"`
	// Rendered is the version of the request the cards show.
	Rendered string `json:"rendered,omitempty"`
}

func (t *threadRec) card(key string) *cardRef {
	for i := range t.Cards {
		if t.Cards[i].Key == key {
			return &t.Cards[i]
		}
	}
	return nil
}

func version(r *bot.Request) string {
	return r.UpdatedAt.UTC().Format(time.RFC3339Nano) + "|" + string(r.State)
}

// threadStore keeps the thread records: in memory for the running
// adapter, written behind to the KV store by a flusher that issues the
// pending writes together (so they share one bbolt commit) instead of one
// commit per post. A request's notices go through one lane, so its record
// is never written by two goroutines at once.
type threadStore struct {
	mu    sync.Mutex
	cache map[string][]byte // request id -> record JSON (newest)
	dirty map[string][]byte // not yet in the KV store
	kick  chan struct{}
}

func newThreadStore() *threadStore {
	return &threadStore{cache: map[string][]byte{}, dirty: map[string][]byte{}, kick: make(chan struct{}, 1)}
}

func (a *Adapter) loadThread(ctx context.Context, id string) (*threadRec, error) {
	a.threads.mu.Lock()
	raw, ok := a.threads.cache[id]
	a.threads.mu.Unlock()
	if !ok {
		var err error
		if raw, err = a.store.Get(ctx, bucketThreads, id); err != nil {
			return nil, err
		}
	}
	t := &threadRec{}
	if raw != nil {
		if err := json.Unmarshal(raw, t); err != nil {
			return nil, fmt.Errorf("thread record %s: %w", id, err)
		}
	}
	return t, nil
}

func (a *Adapter) saveThread(ctx context.Context, id string, t *threadRec) error {
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	if !a.running.Load() {
		a.threads.mu.Lock()
		delete(a.threads.cache, id)
		a.threads.mu.Unlock()
		return a.store.Put(ctx, bucketThreads, id, raw)
	}
	ts := a.threads
	ts.mu.Lock()
	if len(ts.cache) > 50_000 {
		for k := range ts.cache { // bounded: forget what is already stored
			if _, d := ts.dirty[k]; !d {
				delete(ts.cache, k)
			}
		}
	}
	ts.cache[id] = raw
	ts.dirty[id] = raw
	ts.mu.Unlock()
	select {
	case ts.kick <- struct{}{}:
	default:
	}
	return nil
}

// flushLoop writes dirty thread records until stop, then a last time.
func (a *Adapter) flushLoop() {
	defer a.wg.Done()
	for {
		select {
		case <-a.threads.kick:
		case <-a.stop:
			a.flushThreads(context.Background())
			return
		}
		// Let a few more records gather, then write them together.
		t := time.NewTimer(10 * time.Millisecond)
		select {
		case <-t.C:
		case <-a.stop:
			t.Stop()
		}
		a.flushThreads(a.workCtx)
	}
}

// flushThreads writes the dirty records, concurrently so they share
// commits; a failed write stays dirty for the next round.
func (a *Adapter) flushThreads(ctx context.Context) {
	ts := a.threads
	ts.mu.Lock()
	batch := ts.dirty
	ts.dirty = map[string][]byte{}
	ts.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	for id, raw := range batch {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := a.store.Put(ctx, bucketThreads, id, raw); err != nil {
				a.log.Error("slack: thread record not saved; retrying", "request", id, "err", err)
				ts.mu.Lock()
				if _, newer := ts.dirty[id]; !newer {
					ts.dirty[id] = raw
				}
				ts.mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// Thread returns the channel and thread timestamp where the request's
// updates go for address key (a channel id, or "@"+user), if its card was
// posted.
func (a *Adapter) Thread(ctx context.Context, requestID, key string) (channel, ts string, ok bool) {
	t, err := a.loadThread(ctx, requestID)
	if err != nil {
		return "", "", false
	}
	c := t.card(key)
	if c == nil {
		return "", "", false
	}
	return c.Channel, c.Thread, true
}

// deliver posts one notice now.
func (a *Adapter) deliver(ctx context.Context, n bot.Notice) error {
	switch {
	case n.Reply.Private:
		return a.deliverPrivate(ctx, n)
	case n.Request != nil && (n.To.Channel != "" || n.Reply.Kind == bot.KindCard):
		return a.deliverThread(ctx, n)
	case n.To.Channel != "":
		_, _, err := a.postMsg(ctx, n.To.Channel, n.To.Thread, Render(n.Reply))
		if err == nil {
			a.uploadAll(ctx, n.To.Channel, n.To.Thread, n.Reply.Files, "")
		}
		return err
	case n.To.User != "":
		ch, err := a.dmChannel(ctx, n.To.User)
		if err != nil {
			return err
		}
		_, _, err = a.postMsg(ctx, ch, "", Render(n.Reply))
		if err == nil {
			a.uploadAll(ctx, ch, "", n.Reply.Files, "")
		}
		return err
	}
	return errors.New("notice has no channel and no user")
}

// deliverPrivate sends a secret only to the requester: by direct message,
// or, if that fails, as an ephemeral message in the channel they asked
// in. Never to a channel.
func (a *Adapter) deliverPrivate(ctx context.Context, n bot.Notice) error {
	if n.To.User == "" {
		return errors.New("private notice without a user: not posted anywhere")
	}
	m := Render(n.Reply)
	m.Blocks = append(m.Blocks, slackgo.NewContextBlock("", mrkdwn(bot.Tr(n.Lang, "slack.private_note", nil))))
	ch, err := a.dmChannel(ctx, n.To.User)
	if err == nil {
		if _, _, err = a.postMsg(ctx, ch, "", m); err == nil {
			return nil
		}
	}
	if n.To.Channel == "" {
		return err
	}
	a.log.Warn("slack: direct message failed; sending the private notice ephemerally", "user", n.To.User, "err", err)
	return a.postEphemeral(ctx, n.To.Channel, n.To.User, n.To.Thread, m)
}

// viewerOf returns whose view a card at address key shows: the
// operators' channel shows every action, the request's own channel the
// requester's.
func (a *Adapter) viewerOf(n bot.Notice) string {
	r := n.Request
	switch {
	case n.To.Channel == "" && n.To.User != "":
		return "" // resolved from the user by the caller
	case r.Origin.Platform == Platform && n.To.Channel == r.Origin.Channel:
		return r.Requester
	case n.To.Channel == a.cfg.OpsChannel:
		return ""
	}
	return r.Requester
}

// deliverThread posts a notice about a request: the first one for an
// address posts the request's card (which starts its thread); later ones
// go into that thread, and every card of the request is edited to show
// its new state.
func (a *Adapter) deliverThread(ctx context.Context, n bot.Notice) error {
	r := n.Request
	t, err := a.loadThread(ctx, r.ID)
	if err != nil {
		return err
	}
	key := n.To.Channel
	if key == "" {
		key = "@" + n.To.User
	}
	c := t.card(key)
	if c == nil {
		nc, err := a.postCard(ctx, n, key)
		if err != nil {
			return err
		}
		t.Cards = append(t.Cards, nc)
		if len(t.Cards) == 1 {
			t.Rendered = version(r) // the only card shows the request as it is
		}
		if n.Reply.Kind == bot.KindCard {
			return a.saveThread(ctx, r.ID, t)
		}
		c = &t.Cards[len(t.Cards)-1]
	}
	switch {
	case n.Reply.Progress:
		m := Render(n.Reply)
		if c.Progress != "" {
			err := a.updateMsg(ctx, c.Channel, c.Progress, m)
			if err == nil || slackError(err) != "message_not_found" {
				return err
			}
		}
		_, ts, err := a.postMsg(ctx, c.Channel, c.Thread, m)
		if err != nil {
			return err
		}
		c.Progress = ts
		return a.saveThread(ctx, r.ID, t)
	case n.Reply.Kind == bot.KindCard:
		// A card for an address that has one: show it in the thread.
		if _, _, err := a.postMsg(ctx, c.Channel, c.Thread, Render(n.Reply)); err != nil {
			return err
		}
	default:
		if _, _, err := a.postMsg(ctx, c.Channel, c.Thread, Render(n.Reply)); err != nil {
			return err
		}
		a.uploadAll(ctx, c.Channel, c.Thread, n.Reply.Files, r.ID)
	}
	a.refreshCards(ctx, t, r)
	return a.saveThread(ctx, r.ID, t)
}

// postCard posts the request's card for address key and returns its
// record. A channel the bot cannot post to (a private channel it is not
// in, another pair's direct messages) falls back to a direct message to
// the person the notice is for.
func (a *Adapter) postCard(ctx context.Context, n bot.Notice, key string) (cardRef, error) {
	r := n.Request
	rep := n.Reply
	viewer := a.viewerOf(n)
	approval := false
	if n.To.Channel == "" {
		if p, err := a.store.PersonByIdentity(ctx, Platform, n.To.User); err == nil {
			viewer = p.Email
		}
		approval = r.State == bot.StateAwaitingApproval && rep.Kind == bot.KindCard
	}
	if rep.Kind != bot.KindCard {
		var vp *bot.Person
		if viewer != "" {
			vp, _ = a.store.Person(ctx, viewer)
		}
		rep = a.bot.Card(r, vp, n.Lang)
	}
	m := Render(rep)
	var ch, thread, ts string
	var err error
	if n.To.Channel != "" {
		ch, thread = n.To.Channel, n.To.Thread
		_, ts, err = a.postMsg(ctx, ch, thread, m)
		if err != nil && unreachable(err) && n.To.User != "" {
			a.log.Info("slack: cannot post in the channel; sending the card by direct message", "channel", ch, "request", r.ID, "err", err)
			ch, thread, err = "", "", nil
		}
		if err != nil {
			return cardRef{}, err
		}
	}
	if ch == "" {
		if ch, err = a.dmChannel(ctx, n.To.User); err != nil {
			return cardRef{}, err
		}
		if _, ts, err = a.postMsg(ctx, ch, "", m); err != nil {
			return cardRef{}, err
		}
	}
	if thread == "" {
		thread = ts
	}
	return cardRef{Key: key, Channel: ch, TS: ts, Thread: thread, Viewer: viewer, Lang: n.Lang, Approval: approval}, nil
}

// unreachable reports a channel the bot may not post to.
func unreachable(err error) bool {
	switch slackError(err) {
	case "not_in_channel", "channel_not_found", "is_archived", "restricted_action", "cannot_dm_bot":
		return true
	}
	return false
}

// refreshCards edits every card of the request to show its current state,
// once per version of the request.
func (a *Adapter) refreshCards(ctx context.Context, t *threadRec, r *bot.Request) {
	v := version(r)
	if t.Rendered == v {
		return
	}
	for _, c := range t.Cards {
		var vp *bot.Person
		if c.Viewer != "" {
			vp, _ = a.store.Person(ctx, c.Viewer)
		}
		rep := a.bot.Card(r, vp, c.Lang)
		if c.Approval && r.State == bot.StateAwaitingApproval {
			rep.Text = bot.Tr(c.Lang, "approval.asked", bot.Args{"Requester": r.Requester}) + "\n" + rep.Text
		}
		if err := a.updateMsg(ctx, c.Channel, c.TS, Render(rep)); err != nil {
			a.log.Warn("slack: card not updated", "request", r.ID, "channel", c.Channel, "err", err)
		}
	}
	t.Rendered = v
}

// uploadAll uploads files into a channel's thread; failures are logged.
func (a *Adapter) uploadAll(ctx context.Context, channel, thread string, files []bot.File, requestID string) {
	for _, f := range files {
		if err := a.upload(ctx, channel, thread, f, requestID); err != nil {
			a.log.Error("slack: file not uploaded", "file", f.Name, "request", requestID, "channel", channel, "err", err)
		}
	}
}

// upload shares one file in a channel (thread) with the current upload
// API: files.getUploadURLExternal, the upload, files.completeUploadExternal.
func (a *Adapter) upload(ctx context.Context, channel, thread string, f bot.File, requestID string) error {
	if len(f.Data) == 0 {
		return errors.New("empty file")
	}
	return a.call(ctx, "files.upload", func(ctx context.Context) error {
		_, err := a.api.UploadFileContext(ctx, slackgo.UploadFileParameters{
			Reader: bytes.NewReader(f.Data), FileSize: len(f.Data), Filename: f.Name, Title: f.Name,
			Channel: channel, ThreadTimestamp: thread,
		})
		return err
	})
}

// dmChannel opens (or finds) the direct message channel with a user.
func (a *Adapter) dmChannel(ctx context.Context, user string) (string, error) {
	if ch, ok := a.dms.Load(user); ok {
		return ch.(string), nil
	}
	var ch *slackgo.Channel
	err := a.call(ctx, "conversations.open", func(ctx context.Context) error {
		var err error
		ch, _, _, err = a.api.OpenConversationContext(ctx, &slackgo.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("open a direct message with %s: %w", user, err)
	}
	a.dms.Store(user, ch.ID)
	return ch.ID, nil
}

// postMsg posts m in channel (in thread when set) and returns the channel
// and the new message's ts.
func (a *Adapter) postMsg(ctx context.Context, channel, thread string, m Msg) (string, string, error) {
	opts := m.options()
	if thread != "" {
		opts = append(opts, slackgo.MsgOptionTS(thread))
	}
	var ch, ts string
	err := a.call(ctx, "chat.postMessage", func(ctx context.Context) error {
		var err error
		ch, ts, err = a.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ch, ts, err
}

// updateMsg replaces the message at channel/ts with m.
func (a *Adapter) updateMsg(ctx context.Context, channel, ts string, m Msg) error {
	return a.call(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, channel, ts, m.options()...)
		return err
	})
}

// postEphemeral shows m to user only, in channel (thread).
func (a *Adapter) postEphemeral(ctx context.Context, channel, user, thread string, m Msg) error {
	opts := m.options()
	if thread != "" {
		opts = append(opts, slackgo.MsgOptionTS(thread))
	}
	return a.call(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := a.api.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	})
}

// respond posts m to a response_url, visible to the person only. Only
// Slack's own response URLs are used (and the API host set by api_url).
func (a *Adapter) respond(ctx context.Context, responseURL string, m Msg) error {
	if !a.responseURLAllowed(responseURL) {
		return fmt.Errorf("response_url outside Slack refused: %.60s", responseURL)
	}
	opts := append(m.options(), slackgo.MsgOptionResponseURL(responseURL, slackgo.ResponseTypeEphemeral))
	return a.call(ctx, "response_url", func(ctx context.Context) error {
		_, _, _, err := a.api.SendMessageContext(ctx, "", opts...)
		return err
	})
}

// responseURLAllowed reports whether u is one of Slack's response URLs
// (or, with api_url set for tests, on that host).
func (a *Adapter) responseURLAllowed(u string) bool {
	for _, p := range []string{"https://hooks.slack.com/", "https://hooks.slack-gov.com/"} {
		if strings.HasPrefix(u, p) {
			return true
		}
	}
	if a.cfg.APIURL == "" {
		return false
	}
	api, err := url.Parse(a.cfg.APIURL)
	if err != nil {
		return false
	}
	return strings.HasPrefix(u, api.Scheme+"://"+api.Host+"/")
}

// isDM reports whether a channel id is a direct message.
func isDM(channel string) bool { return strings.HasPrefix(channel, "D") }
