package store

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"itbot/bot"
)

// exportPage is how many requests one read transaction reads for
// EachRequest.
const exportPage = 500

// EachRequest implements bot.Exporter: requests in id order, each with its
// audit trail, read exportPage at a time in short read transactions; fn is
// called outside them. A period (From or To) is read from the
// received-month index, so its cost follows the months it covers, not the
// file; without one every request is read. f.Brief decodes only what a
// report needs (brief.go).
func (s *Store) EachRequest(ctx context.Context, f bot.ExportFilter, fn func(*bot.Request, []bot.Event) error) error {
	type item struct {
		r   *bot.Request
		evs []bot.Event
	}
	var prefixes [][]byte // the months of the period; nil: all requests
	if !f.From.IsZero() || !f.To.IsZero() {
		if err := s.db.View(func(tx *bolt.Tx) error {
			prefixes = receivedMonths(tx, f)
			return nil
		}); err != nil {
			return err
		}
		if len(prefixes) == 0 {
			return nil
		}
	}
	var (
		page     []item
		in       = interner{}
		events   eventReader   // brief: one cursor a page, histories cut from slabs
		requests requestReader // the index's requests, one cursor a page
		slab     []bot.Request // brief: requests cut from slabs
	)
	events.in = in
	// take reads request id (its stored value v) into page if f selects
	// it.
	take := func(tx *bolt.Tx, id []byte, v []byte) error {
		var r *bot.Request
		if f.Brief {
			if len(slab) == cap(slab) {
				slab = make([]bot.Request, 0, exportPage)
			}
			slab = append(slab, bot.Request{})
			r = &slab[len(slab)-1]
			if err := briefRequest(v, in, r); err != nil {
				return fmt.Errorf("store: request %s: %w", id, err)
			}
		} else {
			r = &bot.Request{}
			if err := json.Unmarshal(v, r); err != nil {
				return fmt.Errorf("store: request %s: %w", id, err)
			}
		}
		switch {
		case f.Institution != "" && r.Institution != f.Institution,
			!f.From.IsZero() && r.CreatedAt.Before(f.From),
			!f.To.IsZero() && !r.CreatedAt.Before(f.To):
			if f.Brief {
				slab = slab[:len(slab)-1] // the slot is taken again
			}
			return nil
		}
		var evs []bot.Event
		var err error
		if f.Brief {
			evs, err = events.read(r.ID)
		} else {
			evs, err = getEvents(tx, r.ID)
		}
		if err != nil {
			return err
		}
		page = append(page, item{r, evs})
		return nil
	}
	var after, id []byte
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page = page[:0]
		done := false
		err := s.db.View(func(tx *bolt.Tx) error {
			events.begin(tx)
			if prefixes != nil {
				requests.begin(tx)
				var err error
				var last []byte
				last, done = receivedIDs(tx, prefixes, after, func(idkey []byte) bool {
					id = appendIDOfKey(id[:0], idkey)
					v := requests.get(id)
					if v == nil {
						err = fmt.Errorf("store: the received index names %s, which is not stored", id)
						return false
					}
					if err = take(tx, id, v); err != nil {
						return false
					}
					return len(page) < exportPage
				})
				after = append(after[:0], last...)
				return err
			}
			c := tx.Bucket(bRequests).Cursor()
			k, v := c.First()
			if after != nil {
				k, v = c.Seek(after)
				if k != nil && string(k) == string(after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && len(page) < exportPage; k, v = c.Next() {
				after = append(after[:0], k...)
				if err := take(tx, k, v); err != nil {
					return err
				}
			}
			done = k == nil
			return nil
		})
		if err != nil {
			return err
		}
		for _, it := range page {
			if err := fn(it.r, it.evs); err != nil {
				return err
			}
		}
		if done {
			return nil
		}
	}
}
