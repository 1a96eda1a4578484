package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"net/http"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// maxFilesPerPost is Mattermost's limit of files on one post.
const maxFilesPerPost = 10

// cardRecord remembers a posted request card, so every change of the
// request edits it in place, as its viewer sees it.
type cardRecord struct {
	Channel string   `json:"channel"`
	Viewer  string   `json:"viewer,omitempty"` // e-mail; "" for the operators' view
	Lang    bot.Lang `json:"lang"`
	Lead    string   `json:"lead,omitempty"` // the line above the card's description
}

// noticeKey orders notices: those of one request one after another.
func noticeKey(n bot.Notice) string {
	if n.Request != nil {
		return "req:" + n.Request.ID
	}
	return "to:" + n.To.Channel + "/" + n.To.User
}

// Post implements bot.Poster. It queues the notice and returns at once, so
// a slow Mattermost never holds up the bot; the notices of one request are
// delivered in order. A request's first notice in a channel opens its
// thread with the request card; later notices are replies in that thread
// and every card of the request is edited in place; progress notices
// replace the previous progress post; the request's files (a report) are
// attached in the thread once. Private notices (secrets) go only to a
// direct channel with the person, never to a channel.
func (a *Adapter) Post(_ context.Context, n bot.Notice) error {
	if n.Request != nil {
		r := *n.Request // the caller may go on with its copy
		n.Request = &r
		if n.Reply.Request != nil {
			n.Reply.Request = &r
		}
	}
	a.spawnOrdered(a.outSem, noticeKey(n), func(ctx context.Context) {
		err := a.deliver(ctx, n)
		if n.Done != nil && ctx.Err() == nil {
			n.Done() // delivered, or given up on; a stop leaves it for the next start
		}
		if err != nil {
			id := ""
			if n.Request != nil {
				id = n.Request.ID
			}
			a.log.Warn("notice not delivered", "request", id, "channel", n.To.Channel, "user", n.To.User, "err", err)
		}
	})
	return nil
}

// ConfirmsDelivery implements bot.Confirmer: Post queues, and a notice's
// Done is called once Mattermost took it (or the adapter gave up).
func (a *Adapter) ConfirmsDelivery() bool { return true }

// deliver posts one notice (see Post).
func (a *Adapter) deliver(ctx context.Context, n bot.Notice) error {
	if n.Reply.Private {
		return a.postPrivate(ctx, n)
	}
	ch, err := a.channelFor(ctx, n.To)
	if err != nil {
		return err
	}
	if n.Request == nil {
		p := a.render.Post(n.Reply, renderOpts{})
		p.ChannelId, p.RootId = ch, n.To.Thread
		if _, err := a.createPost(ctx, p); err != nil {
			return err
		}
		return a.postFiles(ctx, ch, n.To.Thread, "", n.Reply.Files)
	}
	r := n.Request
	defer a.lock(r.ID)()
	if moved := a.kvGet(ctx, bucketRedirects, threadKey(r.ID, ch)); moved != "" {
		ch, n.To = moved, bot.Address{Platform: Platform, Channel: moved, User: n.To.User}
	}
	root := a.kvGet(ctx, bucketThreads, threadKey(r.ID, ch))
	if root == "" {
		return a.openThread(ctx, n, ch)
	}
	return a.inThread(ctx, n, ch, root)
}

// inThread posts a notice into a request's existing thread.
func (a *Adapter) inThread(ctx context.Context, n bot.Notice, ch, root string) error {
	r := n.Request
	if n.Reply.Progress {
		return a.progress(ctx, n, ch, root)
	}
	p := a.render.Post(n.Reply, renderOpts{noButtons: true})
	p.ChannelId, p.RootId = ch, root
	if _, err := a.createPost(ctx, p); err != nil {
		return err
	}
	a.refreshCards(ctx, r)
	if len(n.Reply.Files) > 0 {
		return a.postRequestFiles(ctx, n, ch, root)
	}
	return nil
}

// openThread posts a request's card in a channel (inside the thread the
// request was asked in, if any) and remembers it as the request's thread
// there. A first notice that is not a card is preceded by one.
func (a *Adapter) openThread(ctx context.Context, n bot.Notice, ch string) error {
	r := n.Request
	viewerEmail, viewer := a.viewerFor(ctx, n, ch)
	card := n.Reply
	var rest *bot.Reply
	if card.Kind != bot.KindCard {
		rest = &n.Reply
		card = a.bot.Card(r, viewer, n.Lang)
	}
	p := a.render.Post(card, renderOpts{})
	p.ChannelId, p.RootId = ch, n.To.Thread
	created, err := a.createPost(ctx, p)
	if statusOf(err) == http.StatusForbidden && n.To.User != "" {
		// The bot may not post where the request was asked (a channel it
		// is not in, someone else's direct channel): the thread moves to
		// the requester's direct channel with the bot.
		dm, derr := a.directChannel(ctx, n.To.User)
		if derr == nil && dm != ch {
			a.log.Warn("the bot may not post in the request's channel; its thread moves to the requester's direct messages",
				"request", r.ID, "channel", ch, "err", err)
			a.kvPut(ctx, bucketRedirects, threadKey(r.ID, ch), dm)
			return a.openThread(ctx, bot.Notice{To: bot.Address{Platform: Platform, Channel: dm, User: n.To.User}, Lang: n.Lang, Reply: n.Reply, Request: r}, dm)
		}
	}
	if err != nil {
		return err
	}
	root := n.To.Thread
	if root == "" {
		root = created.Id
	}
	a.kvPut(ctx, bucketThreads, threadKey(r.ID, ch), root)
	rec := cardRecord{Channel: ch, Viewer: viewerEmail, Lang: n.Lang}
	if desc := bot.Describe(r, n.Lang); rest == nil && strings.HasSuffix(card.Text, desc) && card.Text != desc {
		rec.Lead = strings.TrimSuffix(strings.TrimSuffix(card.Text, desc), "\n")
	}
	if b, err := json.Marshal(rec); err == nil {
		a.kvPut(ctx, bucketCards, r.ID+"/"+created.Id, string(b))
	}
	a.refreshed.Store(r.ID, version(r))
	if r.Origin.Platform == Platform && r.Origin.Channel == ch {
		a.markFresh(r.Origin.MessageID, r.ID, ch)
	}
	if rest != nil {
		return a.inThread(ctx, bot.Notice{To: n.To, Lang: n.Lang, Reply: *rest, Request: r}, ch, root)
	}
	return nil
}

// viewerFor returns whose view a card in ch shows: nobody's (every
// button) in the operators' channel, the approver's in a direct message,
// the requester's elsewhere.
func (a *Adapter) viewerFor(ctx context.Context, n bot.Notice, ch string) (string, *bot.Person) {
	if ops := a.OpsChannel(); ops != "" && ch == ops {
		return "", nil
	}
	if n.To.Channel == "" && n.To.User != "" {
		if p, err := a.store.PersonByIdentity(ctx, Platform, n.To.User); err == nil {
			return p.Email, p
		}
	}
	if p, err := a.store.Person(ctx, n.Request.Requester); err == nil {
		return p.Email, p
	}
	return "", nil
}

// version fingerprints a stored request, so its cards are edited once per
// change.
func version(r *bot.Request) uint64 {
	b, _ := json.Marshal(r)
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

// refreshCards edits every card of a request in place, once per stored
// version of the request.
func (a *Adapter) refreshCards(ctx context.Context, r *bot.Request) {
	v := version(r)
	if old, ok := a.refreshed.Load(r.ID); ok && old.(uint64) == v {
		return
	}
	a.refreshed.Store(r.ID, v)
	type card struct {
		post string
		rec  cardRecord
	}
	var cards []card
	err := a.store.Scan(ctx, bucketCards, r.ID+"/", r.ID+"0", func(key string, val []byte) error {
		var rec cardRecord
		if json.Unmarshal(val, &rec) == nil {
			cards = append(cards, card{post: strings.TrimPrefix(key, r.ID+"/"), rec: rec})
		}
		return nil
	})
	if err != nil {
		a.log.Warn("cards scan failed", "request", r.ID, "err", err)
		return
	}
	for _, c := range cards {
		var viewer *bot.Person
		if c.rec.Viewer != "" {
			p, err := a.store.Person(ctx, c.rec.Viewer)
			if err != nil {
				a.log.Warn("card viewer unknown; card left as it was", "request", r.ID, "viewer", c.rec.Viewer, "err", err)
				continue
			}
			viewer = p
		}
		rep := a.bot.Card(r, viewer, c.rec.Lang)
		if c.rec.Lead != "" {
			rep.Text = c.rec.Lead + "\n" + rep.Text
		}
		if err := a.patchPost(ctx, c.post, a.render.Post(rep, renderOpts{})); err != nil {
			a.log.Warn("card edit failed", "request", r.ID, "post", c.post, "err", err)
			continue
		}
		if r.State.Terminal() {
			// Closed for good: the card shows its last state; forget it.
			if err := a.store.Delete(ctx, bucketCards, r.ID+"/"+c.post); err != nil {
				a.log.Warn("state write failed", "bucket", bucketCards, "err", err)
			}
		}
	}
}

// progress replaces the request's previous progress post in the thread.
func (a *Adapter) progress(ctx context.Context, n bot.Notice, ch, root string) error {
	key := threadKey(n.Request.ID, ch)
	p := a.render.Post(n.Reply, renderOpts{})
	if id := a.kvGet(ctx, bucketProgress, key); id != "" {
		err := a.patchPost(ctx, id, p)
		if err == nil {
			return nil
		}
		a.log.Warn("progress edit failed; posting anew", "request", n.Request.ID, "post", id, "err", err)
	}
	p.ChannelId, p.RootId = ch, root
	created, err := a.createPost(ctx, p)
	if err != nil {
		return err
	}
	a.kvPut(ctx, bucketProgress, key, created.Id)
	return nil
}

// postRequestFiles attaches a request's files (a report) in its thread,
// once per channel.
func (a *Adapter) postRequestFiles(ctx context.Context, n bot.Notice, ch, root string) error {
	r := n.Request
	key := threadKey(r.ID, ch)
	stored, err := a.store.PutIfAbsent(ctx, bucketFiles, key, []byte("1"))
	if err != nil || !stored {
		return err
	}
	msg := bot.Tr(n.Lang, "mm.report_attached", bot.Args{"ID": r.ID})
	if err := a.postFiles(ctx, ch, root, msg, n.Reply.Files); err != nil {
		if derr := a.store.Delete(ctx, bucketFiles, key); derr != nil {
			a.log.Warn("state write failed", "bucket", bucketFiles, "key", key, "err", derr)
		}
		return err
	}
	return nil
}

// postFiles uploads files to a channel and posts them, ten a post.
func (a *Adapter) postFiles(ctx context.Context, ch, root, msg string, files []bot.File) error {
	for len(files) > 0 {
		n := min(len(files), maxFilesPerPost)
		var ids []string
		for _, f := range files[:n] {
			id, err := a.uploadFile(ctx, ch, f.Name, f.Data)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		files = files[n:]
		if _, err := a.createPost(ctx, &model.Post{ChannelId: ch, RootId: root, Message: msg, FileIds: ids}); err != nil {
			return err
		}
		msg = ""
	}
	return nil
}

// postPrivate delivers a secret to the person alone, in their direct
// channel with the bot. Without a known Mattermost account it is
// withheld, never posted to a channel.
func (a *Adapter) postPrivate(ctx context.Context, n bot.Notice) error {
	uid := n.To.User
	if uid == "" && n.Request != nil {
		if p, err := a.store.Person(ctx, n.Request.Requester); err == nil {
			uid = p.Identities[Platform]
		}
	}
	if uid == "" {
		id := ""
		if n.Request != nil {
			id = n.Request.ID
		}
		a.log.Warn("private notice withheld: no Mattermost account to send it to", "request", id)
		return nil
	}
	ch, err := a.directChannel(ctx, uid)
	if err != nil {
		return err
	}
	p := a.render.Post(n.Reply, renderOpts{})
	p.ChannelId = ch
	_, err = a.createPost(ctx, p)
	return err
}

// channelFor returns the channel of an address: its channel, or the
// direct channel with its user.
func (a *Adapter) channelFor(ctx context.Context, to bot.Address) (string, error) {
	switch {
	case to.Channel != "":
		return to.Channel, nil
	case to.User != "":
		return a.directChannel(ctx, to.User)
	}
	return "", errors.New("mattermost: notice without a channel or a user")
}
