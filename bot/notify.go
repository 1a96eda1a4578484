package bot

import (
	"context"
	"log/slog"
	"sync"
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

// Post sends one notice through its platform's poster; errors are logged,
// never returned: a failed notification must not undo a stored change.
func (n *Notifier) Post(ctx context.Context, no Notice) {
	p := n.Poster(no.To.Platform)
	if p == nil {
		return
	}
	if err := p.Post(ctx, no); err != nil {
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
