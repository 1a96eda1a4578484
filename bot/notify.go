package bot

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
)

// Address is where a notice goes: a thread in a channel, or a person
// directly (User set, Channel empty).
type Address struct {
	Platform string
	Channel  string
	Thread   string
	User     string // platform user id, for direct messages
}

// Notice is one message the bot posts on its own initiative: an update in a
// request's thread, an alert in the operators' channel, a DM to an approver.
type Notice struct {
	To      Address
	Lang    Lang
	Reply   Reply
	Request *Request
	// Refresh, when set, asks the platform only to edit the request's
	// cards to show it as it is now (To names the platform only).
	Refresh bool
	// Done, when set, is called once: when the notice was delivered, or
	// given up on. A Confirmer calls it itself after delivering; for other
	// posters the notifier calls it when Post returns.
	Done func()
}

// Confirmer is a Poster that delivers later (it queues) and calls a
// notice's Done itself once the platform took it, or it gave up.
type Confirmer interface {
	ConfirmsDelivery() bool
}

// Poster is the outgoing half of an adapter.
type Poster interface {
	// Platform names the adapter ("console", "slack" …).
	Platform() string
	// OpsChannel is the operators' channel on this platform, "" for none.
	OpsChannel() string
	// Post delivers a notice. It should not block for long; an adapter that
	// talks to a slow service queues.
	Post(ctx context.Context, n Notice) error
}

// Notifier posts every change of a request to the thread it was asked in
// and to the operators' channel of each adapter, in each reader's language.
type Notifier struct {
	mu      sync.RWMutex
	posters map[string]Poster
	// OpsLang is the language of the operators' channels.
	OpsLang Lang
	log     *slog.Logger
}

// NewNotifier returns a notifier with no adapters.
func NewNotifier(log *slog.Logger) *Notifier {
	if log == nil {
		log = slog.Default()
	}
	return &Notifier{posters: map[string]Poster{}, OpsLang: LV, log: log}
}

// Add registers an adapter's poster.
func (n *Notifier) Add(p Poster) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.posters[p.Platform()] = p
}

// Poster returns the poster of a platform, or nil.
func (n *Notifier) Poster(platform string) Poster {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.posters[platform]
}

// Platforms returns the platforms with a poster, and those of them that
// have an operators' channel.
func (n *Notifier) Platforms() (all, withOps []string) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	for name, p := range n.posters {
		all = append(all, name)
		if p.OpsChannel() != "" {
			withOps = append(withOps, name)
		}
	}
	return all, withOps
}

// Post sends one notice through its platform's poster; errors are logged,
// never returned: a failed notification must not undo a stored change.
func (n *Notifier) Post(ctx context.Context, no Notice) {
	if g := groupOf(ctx); g != nil && no.Done == nil {
		no.Done = g.add()
	}
	p := n.Poster(no.To.Platform)
	if p == nil {
		if no.Done != nil {
			no.Done()
		}
		return
	}
	confirms := false
	if c, ok := p.(Confirmer); ok {
		confirms = c.ConfirmsDelivery()
	}
	err := p.Post(ctx, no)
	if no.Done != nil && (err != nil || !confirms) {
		no.Done()
	}
	if err != nil {
		id := ""
		if no.Request != nil {
			id = no.Request.ID
		}
		n.log.Warn("notify failed", "platform", no.To.Platform, "request", id, "err", err)
	}
}

// ToOps posts a notice, rendered by render in the operators' language, to
// every adapter's operators' channel, except skip (the channel the notice
// already went to).
func (n *Notifier) ToOps(ctx context.Context, r *Request, skip Address, render func(Lang) Reply) {
	n.mu.RLock()
	ps := make([]Poster, 0, len(n.posters))
	for _, p := range n.posters {
		ps = append(ps, p)
	}
	n.mu.RUnlock()
	for _, p := range ps {
		ch := p.OpsChannel()
		if ch == "" || (p.Platform() == skip.Platform && ch == skip.Channel) {
			continue
		}
		n.Post(ctx, Notice{To: Address{Platform: p.Platform(), Channel: ch}, Lang: n.OpsLang, Reply: render(n.OpsLang), Request: r})
	}
}

// noticeGroup counts the notices of one stored change; when the last is
// delivered the change's mark is removed from the store (NoticeStore).
type noticeGroup struct {
	left   atomic.Int64
	finish func()
}

type groupKey struct{}

func groupOf(ctx context.Context) *noticeGroup {
	g, _ := ctx.Value(groupKey{}).(*noticeGroup)
	return g
}

// add counts one more notice and returns its Done.
func (g *noticeGroup) add() func() {
	g.left.Add(1)
	var once sync.Once
	return func() { once.Do(g.done) }
}

func (g *noticeGroup) done() {
	if g.left.Add(-1) == 0 {
		g.finish()
	}
}

// Track returns a context whose notices count towards change c, and the
// func to call once every notice of c was handed to the notifier: the mark
// the store keeps for c (NoticeStore) goes when the last of them is
// delivered. Code that stores a change through Store.UpdateRequest itself
// (the SLA scheduler) posts its notices with it, or calls
// Store.Announced when it posts none.
func (b *Bot) Track(ctx context.Context, c Change) (context.Context, func()) {
	g := &noticeGroup{}
	g.left.Store(1) // the announcing itself
	g.finish = func() {
		if err := b.Store.Announced(context.WithoutCancel(ctx), c); err != nil {
			b.Log.Warn("notices: clear the mark", "id", c.RequestID, "err", err)
		}
	}
	return context.WithValue(ctx, groupKey{}, g), g.done
}

// Reannounce posts the notices of the changes whose delivery a stop cut
// short (their marks are still in the store), and reports how many
// changes it announced again. A notice that had been delivered just before
// the stop is posted twice; none is lost.
func (b *Bot) Reannounce(ctx context.Context) (int, error) {
	cs, err := b.Store.Unannounced(ctx, 0)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cs {
		r, err := b.Store.Request(ctx, c.RequestID)
		if err != nil {
			b.Log.Warn("notices: request of a mark", "id", c.RequestID, "err", err)
			continue
		}
		all, err := b.Store.Events(ctx, c.RequestID)
		if err != nil {
			return n, err
		}
		var evs []Event
		for _, ev := range all {
			if ev.Seq >= c.First && ev.Seq <= c.Last {
				evs = append(evs, ev)
			}
		}
		gctx, finish := b.Track(ctx, c)
		b.announce(gctx, r, evs)
		if len(evs) > 0 && evs[0].Kind == EventCreated && r.State == StateAwaitingApproval {
			b.askApprovers(gctx, r)
		}
		finish()
		n++
	}
	if n > 0 {
		b.Log.Warn("notices of changes a stop cut short posted again", "changes", n)
	}
	return n, nil
}
