package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// seenKeep is how long handled post ids are remembered.
const seenKeep = 7 * 24 * time.Hour

// Run first runs the slash commands and clicks an earlier run journaled and
// did not finish (Resume), then listens on the websocket for direct
// messages and mentions until ctx ends. A dropped connection is reopened with exponential back-off and
// jitter; after every (re)connect the posts missed meanwhile are fetched
// from each channel the bot is in and handled, each post once.
func (a *Adapter) Run(ctx context.Context) error {
	if _, err := a.Resume(ctx); err != nil {
		a.log.Error("journal: resume", "err", err)
	}
	if !a.cfg.WebsocketOn() {
		<-ctx.Done()
		return nil
	}
	wait := a.cfg.ReconnectMin
	for {
		start := time.Now()
		err := a.listen(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(start) > a.cfg.ReconnectMax {
			wait = a.cfg.ReconnectMin // a long healthy session: start over
		}
		d := wait/2 + rand.N(wait/2+1)
		a.log.Warn("websocket disconnected; reconnecting", "err", err, "in", d)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(wait*2, a.cfg.ReconnectMax)
	}
}

// wsURL is the websocket address of the server.
func (a *Adapter) wsURL() string {
	switch {
	case strings.HasPrefix(a.cfg.URL, "https://"):
		return "wss://" + strings.TrimPrefix(a.cfg.URL, "https://")
	case strings.HasPrefix(a.cfg.URL, "http://"):
		return "ws://" + strings.TrimPrefix(a.cfg.URL, "http://")
	}
	return a.cfg.URL
}

// listen runs one websocket session until it drops or ctx ends.
func (a *Adapter) listen(ctx context.Context) error {
	if _, err := a.self(ctx); err != nil {
		return err
	}
	dialer := &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 30 * time.Second}
	ws, err := model.NewWebSocketClient4WithDialer(dialer, a.wsURL(), a.cfg.Token)
	if err != nil {
		return err
	}
	ws.Listen()
	defer ws.Close()
	done := make(chan struct{})
	defer func() { <-done }()
	catchUp := make(chan struct{}, 1)
	go func() {
		defer close(done)
		for range catchUp {
			a.catchUp(ctx)
		}
	}()
	defer close(catchUp)
	events, responses := ws.EventChannel, ws.ResponseChannel
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				if ws.ListenError != nil {
					return ws.ListenError
				}
				return errors.New("websocket closed")
			}
			if ev.EventType() == model.WebsocketEventHello {
				a.log.Info("websocket connected")
				select {
				case catchUp <- struct{}{}:
				default:
				}
				continue
			}
			a.event(ctx, ev)
		case _, ok := <-responses:
			if !ok {
				responses = nil
			}
		case <-ws.PingTimeoutChannel:
			return errors.New("websocket ping timeout")
		}
	}
}

// event handles one websocket event: only new posts matter.
func (a *Adapter) event(ctx context.Context, ev *model.WebSocketEvent) {
	if ev.EventType() != model.WebsocketEventPosted {
		return
	}
	data := ev.GetData()
	raw, _ := data["post"].(string)
	var p model.Post
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		a.log.Warn("posted event without a readable post", "err", err)
		return
	}
	a.noteCursor(ctx, p.CreateAt)
	chType, _ := data["channel_type"].(string)
	mentioned := false
	if s, ok := data["mentions"].(string); ok {
		var ids []string
		if json.Unmarshal([]byte(s), &ids) == nil {
			me := a.botID(ctx)
			for _, id := range ids {
				mentioned = mentioned || id == me
			}
		}
	}
	a.consider(ctx, &p, chType, mentioned)
}

// consider handles a post addressed to the bot (a direct message or a
// mention) once, whether it came live or through catch-up. The bot's own
// posts, other bots', webhooks' and system messages are ignored.
func (a *Adapter) consider(ctx context.Context, p *model.Post, chType string, mentioned bool) {
	me, err := a.self(ctx)
	if err != nil || p.UserId == "" || p.UserId == me.Id || p.Type != "" || p.DeleteAt != 0 {
		return
	}
	if propTrue(p, model.PostPropsFromBot) || propTrue(p, model.PostPropsFromWebhook) {
		return
	}
	direct := chType == string(model.ChannelTypeDirect)
	if !direct && !mentioned {
		return
	}
	a.advanceCursor(ctx, p.CreateAt)
	a.spawnOrdered(a.sem, "chan:"+p.ChannelId, func(ctx context.Context) {
		// A cheap read first: catch-up sees mostly posts already handled.
		if seen, err := a.store.Get(ctx, bucketSeen, p.Id); err == nil && seen != nil {
			return
		}
		first, err := a.store.PutIfAbsent(ctx, bucketSeen, p.Id, []byte(strconv.FormatInt(p.CreateAt, 10)))
		if err != nil {
			a.log.Error("de-duplication mark failed; post not handled", "post", p.Id, "err", err)
			return
		}
		if first {
			a.handlePost(ctx, p, direct, me.Username)
		}
	})
}

func propTrue(p *model.Post, key string) bool {
	switch v := p.GetProp(key).(type) {
	case string:
		return v == "true"
	case bool:
		return v
	}
	return false
}

// handlePost routes a direct message or a mention as conversation text.
func (a *Adapter) handlePost(ctx context.Context, p *model.Post, direct bool, botName string) {
	if u, err := a.user(ctx, p.UserId); err == nil && u.IsBot {
		return
	}
	thread := p.RootId
	if !direct && thread == "" {
		thread = p.Id
	}
	rw := &replyWriter{a: a, user: p.UserId, channel: p.ChannelId, root: thread, msgID: p.Id, direct: direct}
	person, problem := a.Resolve(ctx, p.UserId)
	if problem != "" {
		if err := rw.Write(ctx, bot.Reply{Kind: bot.KindError, Text: problem, Ephemeral: true}); err != nil {
			a.log.Warn("reply failed", "user", p.UserId, "err", err)
		}
		return
	}
	m := &bot.Message{Platform: Platform, Channel: p.ChannelId, Thread: thread, MessageID: p.Id, UserID: p.UserId,
		Person: person, Text: stripMention(p.Message, botName), Source: bot.SourceTyped, Direct: direct}
	a.route(ctx, rw, m)
}

// mentionsUser reports whether text @-mentions username.
func mentionsUser(text, username string) bool {
	return mentionAt(strings.ToLower(text), "@"+strings.ToLower(username)) >= 0
}

// mentionAt returns where name ("@user", lower case) is mentioned in t.
func mentionAt(t, name string) int {
	for i := 0; ; {
		j := strings.Index(t[i:], name)
		if j < 0 {
			return -1
		}
		j += i
		end := j + len(name)
		before := j == 0 || !nameChar(t[j-1])
		after := end == len(t) || !nameChar(t[end]) || t[end] == '.' && (end+1 == len(t) || !nameChar(t[end+1]))
		if before && after {
			return j
		}
		i = end
	}
}

func nameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// stripMention removes the bot's @-mentions from a message.
func stripMention(text, username string) string {
	name := "@" + strings.ToLower(username)
	for {
		j := mentionAt(strings.ToLower(text), name)
		if j < 0 {
			break
		}
		text = text[:j] + text[j+len(name):]
	}
	text = strings.TrimSpace(text)
	return strings.TrimSpace(strings.TrimLeft(text, ",:"))
}

// ---- catch-up ----

func (a *Adapter) loadCursor(ctx context.Context) int64 {
	a.cursorMu.Lock()
	defer a.cursorMu.Unlock()
	if a.cursor == 0 {
		a.cursor, _ = strconv.ParseInt(a.kvGet(ctx, bucketState, "cursor"), 10, 64)
		a.saved = a.cursor
	}
	return a.cursor
}

// advanceCursor records the newest post addressed to the bot, at once.
func (a *Adapter) advanceCursor(ctx context.Context, at int64) {
	a.cursorMu.Lock()
	defer a.cursorMu.Unlock()
	if at <= a.cursor {
		return
	}
	a.cursor = at
	a.saved = at
	a.kvPut(ctx, bucketState, "cursor", strconv.FormatInt(at, 10))
}

// cursorSaveEvery is how far the cursor may run ahead of the stored one
// through posts not addressed to the bot (less than CatchUpMargin's
// default, so a restart misses nothing).
const cursorSaveEvery = 30 * time.Second

// noteCursor records the newest post seen in any channel the bot is in:
// in memory always, in the store when it moved on by cursorSaveEvery. So
// a catch-up after a quiet month does not re-read the whole month.
func (a *Adapter) noteCursor(ctx context.Context, at int64) {
	a.cursorMu.Lock()
	defer a.cursorMu.Unlock()
	if at <= a.cursor {
		return
	}
	a.cursor = at
	if at-a.saved >= cursorSaveEvery.Milliseconds() {
		a.saved = at
		a.kvPut(ctx, bucketState, "cursor", strconv.FormatInt(at, 10))
	}
}

// catchUp handles the posts addressed to the bot since the newest post it
// saw (less a margin), in each channel it is a member of, oldest first.
// The de-duplication marks make a post seen live and again here count
// once.
func (a *Adapter) catchUp(ctx context.Context) {
	if a.onCatchUp != nil {
		defer a.onCatchUp()
	}
	since := a.loadCursor(ctx)
	if since == 0 {
		// A first start: nothing was missed; start from now.
		a.advanceCursor(ctx, time.Now().UnixMilli())
		return
	}
	since -= a.cfg.CatchUpMargin.Milliseconds()
	me, err := a.self(ctx)
	if err != nil {
		return
	}
	var chans []*model.Channel
	err = a.call(ctx, "list channels", func(ctx context.Context) (r *model.Response, err error) {
		if team := a.teamID(ctx); team != "" {
			chans, r, err = a.api.GetChannelsForTeamForUser(ctx, team, me.Id, false, "")
		} else {
			chans, r, err = a.api.GetChannelsForUserWithLastDeleteAt(ctx, me.Id, 0)
		}
		return r, err
	})
	if err != nil {
		a.log.Warn("catch-up: channels not listed; missed posts are not handled", "err", err)
		return
	}
	n := 0
	for _, ch := range chans {
		if ch.LastPostAt != 0 && ch.LastPostAt < since {
			continue
		}
		var list *model.PostList
		err := a.call(ctx, "posts since", func(ctx context.Context) (r *model.Response, err error) {
			list, r, err = a.api.GetPostsSince(ctx, ch.Id, since, false)
			return r, err
		})
		if err != nil {
			a.log.Warn("catch-up: posts not fetched", "channel", ch.Id, "err", err)
			continue
		}
		posts := make([]*model.Post, 0, len(list.Posts))
		for _, p := range list.Posts {
			if p.CreateAt >= since {
				posts = append(posts, p)
			}
		}
		sort.Slice(posts, func(i, j int) bool { return posts[i].CreateAt < posts[j].CreateAt })
		for _, p := range posts {
			a.noteCursor(ctx, p.CreateAt)
			direct := ch.Type == model.ChannelTypeDirect
			if p.UserId != me.Id && (direct || mentionsUser(p.Message, me.Username)) {
				n++ // (the bot's own posts are not addressed to it)
			}
			a.consider(ctx, p, string(ch.Type), mentionsUser(p.Message, me.Username))
		}
	}
	a.log.Info("catch-up done", "channels", len(chans), "addressed", n)
	a.pruneSeen(ctx, since-seenKeep.Milliseconds())
}

// pruneSeen forgets de-duplication marks of posts older than before.
func (a *Adapter) pruneSeen(ctx context.Context, before int64) {
	var old []string
	err := a.store.Scan(ctx, bucketSeen, "", "", func(k string, v []byte) error {
		if at, err := strconv.ParseInt(string(v), 10, 64); err == nil && at < before {
			old = append(old, k)
		}
		return nil
	})
	if err != nil {
		a.log.Warn("pruning de-duplication marks failed", "err", err)
		return
	}
	for _, k := range old {
		if err := a.store.Delete(ctx, bucketSeen, k); err != nil {
			a.log.Warn("pruning de-duplication marks failed", "err", err)
			return
		}
	}
}
