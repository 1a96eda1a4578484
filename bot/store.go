package bot

import (
	"context"
	"time"
)

// RequestFilter selects requests. Zero fields do not filter.
type RequestFilter struct {
	States      []State
	OpenOnly    bool
	Institution string
	Requester   string
	Assignee    string
	Type        Type
	Limit       int
}

// Match reports whether r passes the filter.
func (f RequestFilter) Match(r *Request) bool {
	if len(f.States) > 0 {
		ok := false
		for _, s := range f.States {
			if r.State == s {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	switch {
	case f.OpenOnly && !r.State.Open(),
		f.Institution != "" && r.Institution != f.Institution,
		f.Requester != "" && r.Requester != f.Requester,
		f.Assignee != "" && r.Assignee != f.Assignee,
		f.Type != "" && r.Type != f.Type:
		return false
	}
	return true
}

// PageOrder is the order a page of requests is listed in.
type PageOrder int

// Page orders.
const (
	// OrderNewest lists the newest request first.
	OrderNewest PageOrder = iota
	// OrderDue lists open requests by due time, the earliest first, those
	// without a due time last (the operators' queue).
	OrderDue
	// OrderOldest lists the oldest request first (what waits longest).
	OrderOldest
)

// PageQuery asks for one page of requests.
type PageQuery struct {
	Filter RequestFilter // its Limit is ignored: Size is the page's
	Order  PageOrder
	// After is the id of the last request of the previous page ("" for
	// the first page).
	After string
	Size  int
}

// Page is one page of requests.
type Page struct {
	Requests []*Request
	// More reports that requests follow this page (ask again with After
	// set to the last one's id).
	More bool
	// Total is how many requests match in all, or -1 when counting them
	// would cost more than the page.
	Total int
}

// OpenCounts are the numbers of open requests, kept by the store in the
// same transaction as every change, so reading them costs nothing.
type OpenCounts struct {
	Total         int
	ByState       map[State]int
	ByInstitution map[string]int
	ByType        map[Type]int
}

// RequestPager lists requests a page at a time in index order, at a cost
// that grows with the page, not with the requests stored.
type RequestPager interface {
	RequestPage(ctx context.Context, q PageQuery) (Page, error)
	// OpenSameAction returns the open requests whose ActionKey is key (the
	// same action asked twice), from an index: no scan.
	OpenSameAction(ctx context.Context, key string) ([]*Request, error)
	// OpenCounts returns the open requests' counters.
	OpenCounts(ctx context.Context) (OpenCounts, error)
	// OpenIDs streams the ids of the open requests, a chunk at a time
	// (without reading the requests), until fn returns an error.
	OpenIDs(ctx context.Context, chunk int, fn func(ids []string) error) error
	// BulkUpdate runs fn on each request of ids and stores the results in
	// one transaction (UpdateRequest's contract, without notice marks: a
	// bulk change posts nothing) and returns how many fn changed.
	BulkUpdate(ctx context.Context, ids []string, fn UpdateFunc) (int, error)
}

// UpdateFunc changes a request inside a store transaction. It gets the
// current request and its audit history and returns the audit events that
// describe the change (the store numbers them), or none to leave the
// request untouched. Returning an error aborts the transaction. It may be
// called more than once (bbolt's Batch retries), so it must not have side
// effects outside r.
type UpdateFunc func(r *Request, history []Event) ([]Event, error)

// RequestStore keeps requests and their audit trail.
type RequestStore interface {
	// CreateRequest assigns r.ID from the per-year sequence of r.CreatedAt
	// (ids never repeat), stores r and its first audit events, in one
	// transaction. A request whose Origin.Delivery already created one is
	// not stored again: the error is a *DuplicateError naming it.
	CreateRequest(ctx context.Context, r *Request, events ...Event) error
	// Request returns one request; ENOTFOUND if there is none.
	Request(ctx context.Context, id string) (*Request, error)
	// UpdateRequest runs fn on the request and stores the result and the
	// events fn returns, in one transaction. It returns the stored request.
	UpdateRequest(ctx context.Context, id string, fn UpdateFunc) (*Request, error)
	// Requests lists requests matching f, newest first.
	Requests(ctx context.Context, f RequestFilter) ([]*Request, error)
	// Events returns a request's audit trail, oldest first.
	Events(ctx context.Context, id string) ([]Event, error)
	// DueChecks returns open requests whose SLA.NextCheck is at or before
	// t, earliest first, at most limit.
	DueChecks(ctx context.Context, t time.Time, limit int) ([]*Request, error)
	// NextCheck returns the earliest SLA.NextCheck of any request.
	NextCheck(ctx context.Context) (time.Time, bool, error)
}

// DirectoryStore keeps institutions and people.
type DirectoryStore interface {
	PutInstitution(ctx context.Context, i *Institution) error
	// Institution returns one institution by code; ENOTFOUND if none.
	Institution(ctx context.Context, code string) (*Institution, error)
	// InstitutionByDomain finds the institution owning an e-mail domain.
	InstitutionByDomain(ctx context.Context, domain string) (*Institution, error)
	Institutions(ctx context.Context) ([]*Institution, error)
	PutPerson(ctx context.Context, p *Person) error
	// Person returns one person by e-mail; ENOTFOUND if none.
	Person(ctx context.Context, email string) (*Person, error)
	// PersonByIdentity finds the person linked to a chat account.
	PersonByIdentity(ctx context.Context, platform, id string) (*Person, error)
	// PeopleWithRoles lists the people who hold any of roles, of one
	// institution when code is not empty, from an index.
	PeopleWithRoles(ctx context.Context, code string, roles ...Role) ([]*Person, error)
	// People lists people, of one institution when code is not empty.
	People(ctx context.Context, code string) ([]*Person, error)
}

// KVStore is small keyed storage for adapters and services: dialogue
// state, delta links, de-duplication marks, availability samples. Buckets
// are created on first use; keys are ordered bytewise.
type KVStore interface {
	// Put stores val under key in bucket.
	Put(ctx context.Context, bucket, key string, val []byte) error
	// Get returns the value, or nil and no error when absent.
	Get(ctx context.Context, bucket, key string) ([]byte, error)
	// Delete removes key; absent keys are no error.
	Delete(ctx context.Context, bucket, key string) error
	// PutIfAbsent stores val only if key is absent and reports whether it
	// did: the primitive for "handle once" de-duplication.
	PutIfAbsent(ctx context.Context, bucket, key string, val []byte) (bool, error)
	// Scan calls fn for keys in [from, to) in order ("" to: no upper
	// bound). fn returning an error stops the scan with that error.
	Scan(ctx context.Context, bucket, from, to string, fn func(key string, val []byte) error) error
}

// DuplicateError says a delivery already created a request.
type DuplicateError struct{ ID string }

func (e *DuplicateError) Error() string { return "store: the delivery already created " + e.ID }

// Inbound is one delivery a door received (a slash command, a click, an
// event), kept in the journal from before it is acknowledged until it is
// handled.
type Inbound struct {
	Seq      uint64    `json:"seq"`
	Platform string    `json:"platform"`
	Key      string    `json:"key"`  // the platform's de-duplication key
	Kind     string    `json:"kind"` // the door's word for it: command, interaction, event
	Body     []byte    `json:"body"` // what was received (verified), to handle it again
	At       time.Time `json:"at"`
	Attempts int       `json:"attempts,omitempty"`
	Error    string    `json:"error,omitempty"` // the last failure
	Dead     bool      `json:"dead,omitempty"`  // failed too often: waits for an operator
}

// JournalStore is the inbound journal: every door writes what it received
// before it acknowledges, workers mark it handled, and at start what was
// journaled and not finished is resumed. Keys are remembered after the
// entry is handled, so a platform's retry or replay is recognised.
type JournalStore interface {
	// Journal stores in (assigning Seq) unless its platform and key were
	// journaled before; dup is then true and nothing is stored. Concurrent
	// calls share one commit.
	Journal(ctx context.Context, in *Inbound) (dup bool, err error)
	// JournalPending returns a platform's unfinished entries that are not
	// dead, oldest first, at most limit.
	JournalPending(ctx context.Context, platform string, limit int) ([]*Inbound, error)
	// JournalDone marks an entry handled: its body goes, its key stays.
	JournalDone(ctx context.Context, platform string, seq uint64) error
	// JournalFailed records a failed attempt with its error; dead sets the
	// entry aside for an operator (JournalDead, JournalRetry, JournalDrop).
	JournalFailed(ctx context.Context, platform string, seq uint64, reason string, dead bool) error
	// JournalDead lists the entries set aside, of every platform when
	// platform is "".
	JournalDead(ctx context.Context, platform string) ([]*Inbound, error)
	// JournalRetry puts a dead entry back to be handled; JournalDrop
	// forgets it (its key stays remembered).
	JournalRetry(ctx context.Context, platform string, seq uint64) error
	JournalDrop(ctx context.Context, platform string, seq uint64) error
	// JournalPrune forgets the keys of handled entries journaled before
	// before, and reports how many.
	JournalPrune(ctx context.Context, before time.Time) (int, error)
}

// Change names one stored change of a request: its audit events First
// through Last.
type Change struct {
	RequestID   string
	First, Last int
}

// NoticeStore keeps, for every stored change, a mark until its notices
// were delivered: CreateRequest and UpdateRequest leave it in the change's
// own transaction, so a crash between the commit and the posts loses no
// notice.
type NoticeStore interface {
	// Unannounced returns the changes whose notices are not all delivered,
	// at most limit (0: all).
	Unannounced(ctx context.Context, limit int) ([]Change, error)
	// Announced removes a change's mark.
	Announced(ctx context.Context, c Change) error
}

// ExportFilter selects the requests an export streams: received in
// [From, To) (a zero bound is open), of one institution ("" for all).
type ExportFilter struct {
	From, To    time.Time
	Institution string
	// Brief asks only for what a report reads, which is much cheaper:
	// the request's ID, Type, Requester, Institution, State, CreatedAt,
	// UpdatedAt and ClosedAt, and each event's Seq, RequestID, At, Kind,
	// From and To. The other fields are left zero.
	Brief bool
}

// Exporter streams requests with their audit trails, in id order, a few
// hundred at a time, so an export never holds the whole store.
type Exporter interface {
	EachRequest(ctx context.Context, f ExportFilter, fn func(r *Request, history []Event) error) error
}

// Store is everything the bot keeps. The store package implements it on
// bbolt.
type Store interface {
	RequestStore
	DirectoryStore
	KVStore
	JournalStore
	NoticeStore
	Exporter
	RequestPager
	Close() error
}
