package bot

import (
	"context"
	"time"
)

// Door is what a chat adapter needs from the bot: the router for what
// people say, the store for its journal and small state, the cards it
// delivers notices through, the notifier for operator alerts, and a
// person's scoped view of requests and institutions. Adapters take a Door,
// not the *Bot: they post, edit and upload; what to show is the bot's.
type Door struct {
	Router *Router
	Store  Store
	Cards  *Cards
	Notify *Notifier
	// Requests reads requests and institutions as a person may see them.
	Requests Requests
	// Now is the bot's clock.
	Now func() time.Time
}

// Requests is a person's scoped view of requests and institutions.
type Requests interface {
	// Get returns a request the actor may see.
	Get(ctx context.Context, a Actor, id string) (*Request, error)
	// InstitutionOf returns the person's institution.
	InstitutionOf(ctx context.Context, p *Person) (*Institution, error)
}

// Door returns the bot's door for adapters, with r as its router.
func (b *Bot) Door(r *Router) Door {
	return Door{Router: r, Store: b.Store, Cards: b.Cards, Notify: b.Notify, Requests: b, Now: b.Now}
}
