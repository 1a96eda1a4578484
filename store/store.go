// Package store keeps itbot's data in a bbolt file: requests with their
// audit trail and indexes, institutions, people, chat identities, per-year
// id sequences and small keyed buckets for adapters. It implements
// bot.Store.
//
// Layout (bucket -> key -> value):
//
//	meta          "schema" -> version (uint64, big-endian)
//	requests      id -> JSON bot.Request
//	events        id "\x00" seq(uint32 BE) -> JSON bot.Event
//	seq           year (4 digits) -> last number (uint64 BE)
//	idx_state     state "\x00" id -> ""
//	idx_inst      institution "\x00" id -> ""
//	idx_requester email "\x00" id -> ""
//	idx_check     unix nanos (uint64 BE) id -> ""   (open requests' SLA.NextCheck)
//	idx_due, idx_mine, idx_action, counters        (paging: see pages.go)
//	idx_received                                   (requests by the month received: received.go)
//	institutions  code -> JSON bot.Institution
//	domains       domain -> code
//	people        email -> JSON bot.Person
//	identities    platform "\x00" user id -> email
//	kv/NAME       key -> value (KVStore buckets)
//
// Invariant: every index entry has a request behind it and every request
// has exactly its entries; both change in the same transaction.
package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"itbot/bot"
)

// SchemaVersion is the layout version this code writes.
const SchemaVersion = 6

var (
	bMeta         = []byte("meta")
	bRequests     = []byte("requests")
	bEvents       = []byte("events")
	bSeq          = []byte("seq")
	bIdxState     = []byte("idx_state")
	bIdxInst      = []byte("idx_inst")
	bIdxRequester = []byte("idx_requester")
	bIdxCheck     = []byte("idx_check")
	bInstitutions = []byte("institutions")
	bDomains      = []byte("domains")
	bPeople       = []byte("people")
	bIdentities   = []byte("identities")
	kvPrefix      = "kv/"

	allBuckets = [][]byte{bMeta, bRequests, bEvents, bSeq, bIdxState, bIdxInst, bIdxRequester, bIdxCheck,
		bInstitutions, bDomains, bPeople, bIdentities, bJournal, bJournalKeys, bIdxDelivery, bOutbox}
)

// ErrNewerSchema is returned when the file was written by a newer itbot.
var ErrNewerSchema = errors.New("store: the data file was written by a newer itbot")

// migrations[v] upgrades a file from schema v to v+1.
var migrations = map[uint64]func(tx *bolt.Tx) error{
	0: func(tx *bolt.Tx) error { return nil }, // a new file: buckets are created below
}

// Store is the bbolt implementation of bot.Store.
type Store struct {
	db *bolt.DB
	// announced are notice marks to remove, written together (outbox.go).
	annMu     sync.Mutex
	announced [][]byte
}

var _ bot.Store = (*Store)(nil)

// Open opens (creating if needed) the data file at path, creates missing
// buckets and runs migrations.
func Open(path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// Batch groups concurrent writers into one fsync (group commit).
	db.MaxBatchDelay = 2 * time.Millisecond
	db.MaxBatchSize = 256
	s := &Store{db: db}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.rebuildPaging(); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: rebuild the paging indexes: %w", err)
	}
	return s, nil
}

func (s *Store) migrate() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bMeta)
		if err != nil {
			return err
		}
		v := uint64(0)
		if b := meta.Get([]byte("schema")); len(b) == 8 {
			v = binary.BigEndian.Uint64(b)
		}
		if v > SchemaVersion {
			return ErrNewerSchema
		}
		for ; v < SchemaVersion; v++ {
			if m := migrations[v]; m != nil {
				if err := m(tx); err != nil {
					return fmt.Errorf("store: migrate %d->%d: %w", v, v+1, err)
				}
			}
		}
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return meta.Put([]byte("schema"), u64(SchemaVersion))
	})
}

// Close closes the file.
func (s *Store) Close() error {
	s.flushAnnounced()
	return s.db.Close()
}

// DB exposes the bbolt handle, for benchmarks and tools.
func (s *Store) DB() *bolt.DB { return s.db }

// Backup writes a consistent copy of the whole file to w while the bot keeps
// running (a read transaction's WriteTo).
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// BackupFile writes a hot copy to path (via a temporary file and rename).
func (s *Store) BackupFile(path string) (int64, error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := s.Backup(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return 0, err
	}
	return n, os.Rename(tmp, path)
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func join(parts ...string) []byte {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(p)
	}
	return b.Bytes()
}

func notFound(what, key string) error {
	return bot.Wrap(fmt.Errorf("%s %q not found", what, key), bot.ENOTFOUND, "store.not_found", "What", what, "Key", key)
}

func init() {
	bot.RegisterTexts(bot.T("store.not_found", "Nav atrasts: {{.Key}}.", "Not found: {{.Key}}."))
}

// ---- requests ----

func checkKey(r *bot.Request) []byte {
	if r.SLA.NextCheck.IsZero() || !r.State.Open() {
		return nil
	}
	k := make([]byte, 8, 8+len(r.ID))
	binary.BigEndian.PutUint64(k, uint64(r.SLA.NextCheck.UnixNano()))
	return append(k, r.ID...)
}

// index adds (add=true) or removes r's index entries.
func index(tx *bolt.Tx, r *bot.Request, add bool) error {
	entries := []struct {
		b []byte
		k []byte
	}{
		{bIdxState, join(string(r.State), r.ID)},
		{bIdxInst, join(r.Institution, r.ID)},
		{bIdxRequester, join(r.Requester, r.ID)},
	}
	if ck := checkKey(r); ck != nil {
		entries = append(entries, struct {
			b []byte
			k []byte
		}{bIdxCheck, ck})
	}
	if err := pagingIndex(tx, r, add); err != nil {
		return err
	}
	for _, e := range entries {
		var err error
		if add {
			err = tx.Bucket(e.b).Put(e.k, nil)
		} else {
			err = tx.Bucket(e.b).Delete(e.k)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func putEvents(tx *bolt.Tx, id string, first int, evs []bot.Event) error {
	eb := tx.Bucket(bEvents)
	for i := range evs {
		evs[i].Seq = first + i
		evs[i].RequestID = id
		v, err := json.Marshal(evs[i])
		if err != nil {
			return err
		}
		k := make([]byte, 0, len(id)+5)
		k = append(append(k, id...), 0)
		k = binary.BigEndian.AppendUint32(k, uint32(evs[i].Seq))
		if err := eb.Put(k, v); err != nil {
			return err
		}
	}
	return nil
}

func getEvents(tx *bolt.Tx, id string) ([]bot.Event, error) {
	prefix := append([]byte(id), 0)
	var evs []bot.Event
	c := tx.Bucket(bEvents).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var ev bot.Event
		if err := json.Unmarshal(v, &ev); err != nil {
			return nil, fmt.Errorf("store: event %x: %w", k, err)
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

func getRequest(tx *bolt.Tx, id string) (*bot.Request, error) {
	v := tx.Bucket(bRequests).Get([]byte(id))
	if v == nil {
		return nil, notFound("request", id)
	}
	var r bot.Request
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("store: request %s: %w", id, err)
	}
	return &r, nil
}

func putRequest(tx *bolt.Tx, r *bot.Request) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Bucket(bRequests).Put([]byte(r.ID), v)
}

// CreateRequest implements bot.RequestStore.
func (s *Store) CreateRequest(ctx context.Context, r *bot.Request, events ...bot.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	year := r.CreatedAt.In(bot.TimeZone).Year()
	var id string
	err := s.db.Batch(func(tx *bolt.Tx) error {
		tune(tx)
		dk := deliveryKey(r.Origin)
		if dk != nil {
			if old := tx.Bucket(bIdxDelivery).Get(dk); old != nil {
				return &bot.DuplicateError{ID: string(old)}
			}
		}
		sb := tx.Bucket(bSeq)
		yk := []byte(strconv.Itoa(year))
		n := uint64(0)
		if v := sb.Get(yk); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		n++
		if err := sb.Put(yk, u64(n)); err != nil {
			return err
		}
		id = bot.FormatID(year, n)
		cp := *r
		cp.ID = id
		evs := append([]bot.Event(nil), events...)
		if err := putRequest(tx, &cp); err != nil {
			return err
		}
		if err := putEvents(tx, id, 1, evs); err != nil {
			return err
		}
		if len(evs) > 0 {
			if err := markChange(tx, id, 1, len(evs)); err != nil {
				return err
			}
		}
		if dk != nil {
			if err := tx.Bucket(bIdxDelivery).Put(dk, []byte(id)); err != nil {
				return err
			}
		}
		return index(tx, &cp, true)
	})
	if err != nil {
		return err
	}
	r.ID = id
	return nil
}

// Request implements bot.RequestStore.
func (s *Store) Request(ctx context.Context, id string) (*bot.Request, error) {
	var r *bot.Request
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		r, err = getRequest(tx, id)
		return err
	})
	return r, err
}

// UpdateRequest implements bot.RequestStore.
func (s *Store) UpdateRequest(ctx context.Context, id string, fn bot.UpdateFunc) (*bot.Request, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *bot.Request
	err := s.db.Batch(func(tx *bolt.Tx) error {
		tune(tx)
		var err error
		out, _, err = change(tx, id, fn, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// change runs fn on request id in tx and stores the result with the events
// fn returns (none: the request is left untouched), its indexes and, with
// mark, the change's notice mark. It returns the request as fn left it and
// whether anything was stored.
func change(tx *bolt.Tx, id string, fn bot.UpdateFunc, mark bool) (*bot.Request, bool, error) {
	old, err := getRequest(tx, id)
	if err != nil {
		return nil, false, err
	}
	hist, err := getEvents(tx, id)
	if err != nil {
		return nil, false, err
	}
	r, _ := getRequest(tx, id)
	evs, err := fn(r, hist)
	if err != nil || len(evs) == 0 {
		return r, false, err
	}
	r.ID = id
	if err := index(tx, old, false); err != nil {
		return nil, false, err
	}
	if err := putRequest(tx, r); err != nil {
		return nil, false, err
	}
	if err := putEvents(tx, id, len(hist)+1, evs); err != nil {
		return nil, false, err
	}
	if mark {
		if err := markChange(tx, id, len(hist)+1, len(hist)+len(evs)); err != nil {
			return nil, false, err
		}
	}
	return r, true, index(tx, r, true)
}

// Requests implements bot.RequestStore. It walks the narrowest index the
// filter allows.
func (s *Store) Requests(ctx context.Context, f bot.RequestFilter) ([]*bot.Request, error) {
	var out []*bot.Request
	err := s.db.View(func(tx *bolt.Tx) error {
		ids := idsFor(tx, f)
		sortNewestFirst(ids)
		for _, id := range ids {
			r, err := getRequest(tx, id)
			if err != nil {
				return err
			}
			if !f.Match(r) {
				continue
			}
			out = append(out, r)
			if f.Limit > 0 && len(out) >= f.Limit {
				break
			}
		}
		return nil
	})
	return out, err
}

// Events implements bot.RequestStore.
func (s *Store) Events(ctx context.Context, id string) ([]bot.Event, error) {
	var evs []bot.Event
	err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bRequests).Get([]byte(id)) == nil {
			return notFound("request", id)
		}
		var err error
		evs, err = getEvents(tx, id)
		return err
	})
	return evs, err
}

// DueChecks implements bot.RequestStore.
func (s *Store) DueChecks(ctx context.Context, t time.Time, limit int) ([]*bot.Request, error) {
	var out []*bot.Request
	end := uint64(t.UnixNano())
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bIdxCheck).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if binary.BigEndian.Uint64(k[:8]) > end || (limit > 0 && len(out) >= limit) {
				break
			}
			r, err := getRequest(tx, string(k[8:]))
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// NextCheck implements bot.RequestStore.
func (s *Store) NextCheck(ctx context.Context) (time.Time, bool, error) {
	var at time.Time
	ok := false
	err := s.db.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bIdxCheck).Cursor().First()
		if k != nil {
			at = time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))).UTC()
			ok = true
		}
		return nil
	})
	return at, ok, err
}

// Ping checks that the file answers a read transaction.
func (s *Store) Ping() error {
	return s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bMeta) == nil {
			return errors.New("store: meta bucket missing")
		}
		return nil
	})
}
