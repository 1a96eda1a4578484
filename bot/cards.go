package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"sync"
)

// MessageRef names a message the bot posted on a platform: its channel and
// the platform's id for it (Slack's ts, Mattermost's post id).
type MessageRef struct {
	Channel string `json:"channel"`
	ID      string `json:"id"`
}

// Surface is the outgoing half of a chat adapter as the bot's cards use it:
// it posts, edits, opens direct messages and uploads, and decides nothing.
// Which cards a request has, where, in whose view and language, and when
// they are edited is the bot's (Cards).
type Surface interface {
	// Platform names the adapter ("slack", "mattermost" …).
	Platform() string
	// OpsChannel is the operators' channel on this platform, "" for none.
	OpsChannel() string
	// DirectChannel returns the channel of direct messages between the bot
	// and a platform user.
	DirectChannel(ctx context.Context, user string) (string, error)
	// Send posts rep in channel, as a reply in thread when thread is set.
	// An error that wraps ErrUnreachable says the bot may not post there.
	Send(ctx context.Context, channel, thread string, rep Reply) (MessageRef, error)
	// Edit replaces a posted message with rep. An error that wraps
	// ErrMessageGone says the message no longer exists.
	Edit(ctx context.Context, ref MessageRef, rep Reply) error
	// Upload shares files in channel (in thread when set), with a caption.
	Upload(ctx context.Context, channel, thread, caption string, files []File) error
}

// EphemeralSurface is a Surface that can also show a message to one person
// inside a channel (Slack's chat.postEphemeral): the fallback for a secret
// whose direct message failed.
type EphemeralSurface interface {
	Surface
	Ephemeral(ctx context.Context, channel, user, thread string, rep Reply) error
}

// Errors a Surface wraps so the bot can decide what to do next.
var (
	// ErrUnreachable: the bot may not post in that channel (not a member,
	// archived, someone else's direct messages).
	ErrUnreachable = errors.New("the bot may not post there")
	// ErrMessageGone: the message to edit was deleted.
	ErrMessageGone = errors.New("the message no longer exists")
)

// bucketCards holds, per request and platform, the cards and threads the
// bot keeps there (key "<request id>/<platform>", value a cardSet).
const bucketCards = "cards"

// Card is one posted card of a request: a message that shows the request
// and is edited in place on every change, and whose thread holds the
// request's updates.
type Card struct {
	// Key is the address the card answers: the channel as addressed (a
	// person's direct channel for a direct message).
	Key    string     `json:"key"`
	Ref    MessageRef `json:"ref"`    // the card message
	Thread string     `json:"thread"` // the thread root updates go to
	// Viewer is whose buttons the card shows (an e-mail); "" the
	// operators' view, every button.
	Viewer string `json:"viewer,omitempty"`
	Lang   Lang   `json:"lang"`
	// Lead is a line shown above the card's description ("… asks you to
	// approve", "new request from …"), kept on every edit.
	Lead string `json:"lead,omitempty"`
	// Progress is the progress message in the thread, edited in place.
	Progress string `json:"progress,omitempty"`
}

// cardSet is what the bot keeps about one request on one platform.
type cardSet struct {
	Cards []Card `json:"cards"`
	// Shown is the version of the request the cards show.
	Shown uint64 `json:"shown,omitempty"`
	// Files lists the channels where the request's files were shared.
	Files []string `json:"files,omitempty"`
	// Moved maps an address the bot may not post to onto the direct
	// channel the request's thread moved to.
	Moved map[string]string `json:"moved,omitempty"`
}

func (s *cardSet) card(key string) *Card {
	for i := range s.Cards {
		if s.Cards[i].Key == key {
			return &s.Cards[i]
		}
	}
	return nil
}

// Cards decides, for every request, which cards exist on which platform —
// in the thread it was asked in, in each operators' channel, in the
// approvers' direct messages — and edits all of them on every change. The
// records live in the store (bucket "cards") next to the requests, so a
// restart edits the cards posted before it. Adapters deliver notices
// through Deliver with their Surface, one request's notices in order.
type Cards struct {
	b     *Bot
	locks keyedMutex
}

// version fingerprints a stored request, so its cards are edited once per
// change.
func version(r *Request) uint64 {
	raw, _ := json.Marshal(r)
	h := fnv.New64a()
	h.Write(raw)
	return h.Sum64()
}

func cardsKey(requestID, platform string) string { return requestID + "/" + platform }

func (c *Cards) load(ctx context.Context, platform, id string) (*cardSet, error) {
	raw, err := c.b.Store.Get(ctx, bucketCards, cardsKey(id, platform))
	if err != nil {
		return nil, err
	}
	s := &cardSet{}
	if raw != nil {
		if err := json.Unmarshal(raw, s); err != nil {
			return nil, fmt.Errorf("cards of %s on %s: %w", id, platform, err)
		}
	}
	return s, nil
}

func (c *Cards) save(ctx context.Context, platform, id string, s *cardSet) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return c.b.Store.Put(context.WithoutCancel(ctx), bucketCards, cardsKey(id, platform), raw)
}

// Thread returns where the request's updates go on platform for the
// channel it was addressed to: the card's channel and thread root.
func (c *Cards) Thread(ctx context.Context, platform, requestID, channel string) (ch, thread string, ok bool) {
	s, err := c.load(ctx, platform, requestID)
	if err != nil {
		return "", "", false
	}
	if moved := s.Moved[channel]; moved != "" {
		channel = moved
	}
	if k := s.card(channel); k != nil {
		return k.Ref.Channel, k.Thread, true
	}
	return "", "", false
}

// List returns the cards a request has on platform.
func (c *Cards) List(ctx context.Context, platform, requestID string) ([]Card, error) {
	s, err := c.load(ctx, platform, requestID)
	if err != nil {
		return nil, err
	}
	return s.Cards, nil
}

// platforms returns the platforms where a request has cards.
func (c *Cards) platforms(ctx context.Context, requestID string) []string {
	var out []string
	prefix := requestID + "/"
	_ = c.b.Store.Scan(ctx, bucketCards, prefix, requestID+"0", func(key string, _ []byte) error {
		out = append(out, key[len(prefix):])
		return nil
	})
	return out
}

// Deliver posts one notice through s: the request's first notice for an
// address posts its card there (which starts its thread); later notices
// are replies in that thread, progress notices replace the previous one,
// the request's files are shared once per channel, and every card of the
// request on this platform is edited to show its new state. A secret
// (Reply.Private) goes only to the person's direct channel. One request's
// notices must be delivered one after another (the adapters' lanes).
func (c *Cards) Deliver(ctx context.Context, s Surface, n Notice) error {
	if n.Reply.Lang == "" {
		n.Reply.Lang = n.Lang
	}
	switch {
	case n.Reply.Private:
		return c.private(ctx, s, n)
	case n.Request == nil:
		ch, err := c.channel(ctx, s, n.To)
		if err != nil {
			return err
		}
		rep := n.Reply
		rep.Files = nil
		if _, err := s.Send(ctx, ch, n.To.Thread, rep); err != nil {
			return err
		}
		if len(n.Reply.Files) > 0 {
			return s.Upload(ctx, ch, n.To.Thread, "", n.Reply.Files)
		}
		return nil
	}
	r := n.Request
	platform := s.Platform()
	defer c.locks.lock(cardsKey(r.ID, platform))()
	set, err := c.load(ctx, platform, r.ID)
	if err != nil {
		return err
	}
	if n.Refresh {
		if c.refresh(ctx, s, set, r) {
			return c.save(ctx, platform, r.ID, set)
		}
		return nil
	}
	ch, err := c.channel(ctx, s, n.To)
	if err != nil {
		return err
	}
	if moved := set.Moved[ch]; moved != "" {
		ch = moved
		n.To = Address{Platform: n.To.Platform, Channel: moved, User: n.To.User}
	}
	k := set.card(ch)
	if k == nil {
		if k, err = c.open(ctx, s, set, n, ch); err != nil {
			return err
		}
		if n.Reply.Kind == KindCard {
			if len(set.Cards) == 1 {
				set.Shown = version(r)
			}
			return c.save(ctx, platform, r.ID, set)
		}
	}
	switch {
	case n.Reply.Progress:
		rep := n.Reply
		rep.Buttons = nil
		if k.Progress != "" {
			err := s.Edit(ctx, MessageRef{Channel: k.Ref.Channel, ID: k.Progress}, rep)
			if err == nil || !errors.Is(err, ErrMessageGone) {
				return err
			}
		}
		ref, err := s.Send(ctx, k.Ref.Channel, k.Thread, rep)
		if err != nil {
			return err
		}
		k.Progress = ref.ID
		return c.save(ctx, platform, r.ID, set)
	case n.Reply.Kind == KindCard:
		// The address has the card already (a notice posted again after a
		// stop): it is edited below, not posted twice.
	default:
		rep := n.Reply
		rep.Buttons, rep.Files = nil, nil // the card carries the buttons
		if _, err := s.Send(ctx, k.Ref.Channel, k.Thread, rep); err != nil {
			return err
		}
		if len(n.Reply.Files) > 0 {
			if err := c.shareFiles(ctx, s, set, k, r, n); err != nil {
				return err
			}
		}
	}
	c.refresh(ctx, s, set, r)
	return c.save(ctx, platform, r.ID, set)
}

// shareFiles shares a request's files (an institution's data: an account
// report) only where every reader belongs to the institution: the
// requester's direct channel with the bot. A card elsewhere (a channel,
// the operators') gets a line saying where they went. Each place once.
func (c *Cards) shareFiles(ctx context.Context, s Surface, set *cardSet, k *Card, r *Request, n Notice) error {
	dm := ""
	if p, err := c.b.Store.Person(ctx, r.Requester); err == nil && p.Identities[s.Platform()] != "" {
		var err error
		if dm, err = s.DirectChannel(ctx, p.Identities[s.Platform()]); err != nil {
			return err
		}
	}
	caption := Tr(n.Lang, "cards.files", Args{"ID": r.ID})
	switch {
	case dm != "" && k.Ref.Channel == dm:
		if slices.Contains(set.Files, dm) {
			return nil
		}
		if err := s.Upload(ctx, k.Ref.Channel, k.Thread, caption, n.Reply.Files); err != nil {
			return err
		}
		set.Files = append(set.Files, dm)
		return nil
	case dm != "" && !slices.Contains(set.Files, dm):
		if err := s.Upload(ctx, dm, "", caption, n.Reply.Files); err != nil {
			return err
		}
		set.Files = append(set.Files, dm)
	}
	if slices.Contains(set.Files, "note:"+k.Ref.Channel) {
		return nil
	}
	set.Files = append(set.Files, "note:"+k.Ref.Channel)
	_, err := s.Send(ctx, k.Ref.Channel, k.Thread, Reply{Kind: KindText, Lang: n.Lang,
		Text: Tr(n.Lang, "cards.files_private", Args{"ID": r.ID, "Requester": r.Requester})})
	return err
}

// channel returns the channel of an address: its channel, or the direct
// channel with its user.
func (c *Cards) channel(ctx context.Context, s Surface, to Address) (string, error) {
	switch {
	case to.Channel != "":
		return to.Channel, nil
	case to.User != "":
		return s.DirectChannel(ctx, to.User)
	}
	return "", errors.New("notice without a channel and a user")
}

// open posts the request's card for channel ch and records it. A channel
// the bot may not post to moves the request's thread to the direct
// channel of the person the notice is for.
func (c *Cards) open(ctx context.Context, s Surface, set *cardSet, n Notice, ch string) (*Card, error) {
	r := n.Request
	viewer := c.viewer(ctx, s, n, ch)
	rep := n.Reply
	if rep.Kind != KindCard {
		var vp *Person
		if viewer != "" {
			vp, _ = c.b.Store.Person(ctx, viewer)
		}
		rep = c.b.Card(r, vp, n.Lang)
		rep.Lang = n.Lang
	}
	lead := ""
	if desc := Describe(r, n.Lang); n.Reply.Kind == KindCard && len(rep.Text) > len(desc) && rep.Text[len(rep.Text)-len(desc):] == desc {
		lead = rep.Text[:len(rep.Text)-len(desc)]
		for len(lead) > 0 && lead[len(lead)-1] == '\n' {
			lead = lead[:len(lead)-1]
		}
	}
	thread := ""
	if ch == n.To.Channel {
		thread = n.To.Thread
	}
	ref, err := s.Send(ctx, ch, thread, rep)
	if err != nil && errors.Is(err, ErrUnreachable) && n.To.User != "" {
		dm, derr := s.DirectChannel(ctx, n.To.User)
		if derr == nil && dm != ch {
			c.log(s).Warn("the bot may not post in the request's channel; its thread moves to the requester's direct messages",
				"platform", s.Platform(), "request", r.ID, "channel", ch, "err", err)
			if set.Moved == nil {
				set.Moved = map[string]string{}
			}
			set.Moved[ch] = dm
			if k := set.card(dm); k != nil {
				return k, nil
			}
			ch, thread = dm, ""
			ref, err = s.Send(ctx, ch, "", rep)
		}
	}
	if err != nil {
		return nil, err
	}
	if thread == "" {
		thread = ref.ID
	}
	set.Cards = append(set.Cards, Card{Key: ch, Ref: ref, Thread: thread, Viewer: viewer, Lang: n.Lang, Lead: lead})
	return &set.Cards[len(set.Cards)-1], nil
}

// viewer returns whose view a card in ch shows: nobody's (every button)
// in the operators' channel, the person's in a direct message addressed
// to them (an approver), the requester's elsewhere.
func (c *Cards) viewer(ctx context.Context, s Surface, n Notice, ch string) string {
	if ops := s.OpsChannel(); ops != "" && ch == ops {
		return ""
	}
	if n.To.Channel == "" && n.To.User != "" {
		if p, err := c.b.Store.PersonByIdentity(ctx, s.Platform(), n.To.User); err == nil {
			return p.Email
		}
	}
	return n.Request.Requester
}

// refresh edits every card of the request to show its current state,
// once per version of the request, and reports whether it did.
func (c *Cards) refresh(ctx context.Context, s Surface, set *cardSet, r *Request) bool {
	v := version(r)
	if set.Shown == v {
		return false
	}
	for _, k := range set.Cards {
		var vp *Person
		if k.Viewer != "" {
			p, err := c.b.Store.Person(ctx, k.Viewer)
			if err != nil {
				c.log(s).Warn("cards: viewer unknown; card left as it was", "request", r.ID, "viewer", k.Viewer, "err", err)
				continue
			}
			vp = p
		}
		rep := c.b.Card(r, vp, k.Lang)
		rep.Lang = k.Lang
		if k.Lead != "" {
			rep.Text = k.Lead + "\n" + rep.Text
		}
		if err := s.Edit(ctx, k.Ref, rep); err != nil {
			c.log(s).Warn("cards: card not edited", "platform", s.Platform(), "request", r.ID, "channel", k.Ref.Channel, "err", err)
		}
	}
	set.Shown = v
	return true
}

// private delivers a secret to the person alone: in their direct channel
// with the bot, or, where the platform can and that failed, shown to them
// alone in the channel they asked in. Never to a channel. Without an
// account on the platform it is withheld.
func (c *Cards) private(ctx context.Context, s Surface, n Notice) error {
	user := n.To.User
	if user == "" && n.Request != nil {
		if p, err := c.b.Store.Person(ctx, n.Request.Requester); err == nil {
			user = p.Identities[s.Platform()]
		}
	}
	if user == "" {
		id := ""
		if n.Request != nil {
			id = n.Request.ID
		}
		c.log(s).Warn("private notice withheld: no account to send it to", "platform", s.Platform(), "request", id)
		return nil
	}
	rep := n.Reply
	dm, err := s.DirectChannel(ctx, user)
	if err == nil {
		if _, err = s.Send(ctx, dm, "", rep); err == nil {
			return nil
		}
	}
	es, ok := s.(EphemeralSurface)
	if !ok || n.To.Channel == "" {
		return err
	}
	c.log(s).Warn("cards: direct message failed; the private notice is shown to the person alone in the channel",
		"platform", s.Platform(), "err", err)
	return es.Ephemeral(ctx, n.To.Channel, user, n.To.Thread, rep)
}

// refreshElsewhere asks every platform that has cards of r and got no
// notice of this change to edit them (an approver's direct message on a
// platform the request was not asked on).
func (c *Cards) refreshElsewhere(ctx context.Context, r *Request, notified []string) {
	for _, p := range c.platforms(ctx, r.ID) {
		if slices.Contains(notified, p) {
			continue
		}
		c.b.Notify.Post(ctx, Notice{To: Address{Platform: p}, Request: r, Refresh: true})
	}
}

// Logger is a Surface with a log of its own, where the cards log what
// they did on it.
type Logger interface {
	Log() *slog.Logger
}

func (c *Cards) log(s Surface) *slog.Logger {
	if l, ok := s.(Logger); ok && l.Log() != nil {
		return l.Log()
	}
	return c.b.Log
}

// keyedMutex serialises work per key.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	mu   sync.Mutex
	refs int
}

func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyedEntry{}
	}
	e := k.m[key]
	if e == nil {
		e = &keyedEntry{}
		k.m[key] = e
	}
	e.refs++
	k.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		k.mu.Lock()
		if e.refs--; e.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}
