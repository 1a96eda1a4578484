package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"math"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"itbot/bot"
)

// Paging indexes and counters (schema 2; the action index schema 3):
//
//	idx_due    due (unix nanos BE; none: max) idkey -> ""     open requests, queue order
//	idx_mine   requester "\x00" open ("1"|"0") "\x00" idkey -> ""
//	counters   "open" | "s\x00"state | "i\x00"institution | "t\x00"type | "si\x00"state"\x00"institution -> int64 BE
//	idx_action bot.ActionKey "\x00" idkey -> ""                open requests, by what they ask
//	counters_requester  email -> int64 BE                     open requests per requester
//	idx_received  month idkey -> ""                           every request, by the month received (schema 6: received.go)
//
// idkey is the year (uint16 BE) and number (uint64 BE) of an id, so keys
// sort by number past IT-YYYY-999999.
var (
	bIdxDue    = []byte("idx_due")
	bIdxMine   = []byte("idx_mine")
	bCounters  = []byte("counters")
	bIdxAction = []byte("idx_action")
	bIdxRole   = []byte("idx_role")           // role "\x00" institution "\x00" email -> "" (directory.go)
	bCountMine = []byte("counters_requester") // email -> open requests (int64 BE)
)

func init() {
	allBuckets = append(allBuckets, bIdxDue, bIdxMine, bCounters, bIdxAction, bIdxRole, bCountMine, bIdxReceived)
	// Schemas 2-4 added paging indexes and counters: the migration empties
	// them and marks them for a rebuild, which Open then does in chunks
	// (one huge transaction is quadratic in bbolt: nodes split only at
	// commit).
	migrations[1] = markPagingRebuild
	migrations[2] = func(tx *bolt.Tx) error {
		if err := markPagingRebuild(tx); err != nil {
			return err
		}
		return rebuildRoles(tx)
	}
	migrations[3] = markPagingRebuild
	// Schema 6 added the received-month index (received.go). The rebuild
	// also gives a file of schema 4 the state-and-institution counters
	// schema 5 added.
	migrations[5] = markPagingRebuild
}

// appendFill is the fill factor of the buckets whose keys grow with the
// request number (or with time), so new keys land at the end: bbolt's
// default 50 % would leave every page half empty for good. The buckets
// keyed by a hash or a person keep the default.
const appendFill = 0.95

// tune sets the fill factors for one write transaction.
func tune(tx *bolt.Tx) {
	for _, name := range [][]byte{bRequests, bEvents, bIdxState, bIdxInst, bIdxCheck, bIdxDue, bIdxDelivery, bOutbox, bIdxReceived} {
		if b := tx.Bucket(name); b != nil {
			b.FillPercent = appendFill
		}
	}
}

// idKey encodes an id so keys sort by year and number.
func idKey(id string) []byte {
	y, n, ok := bot.SplitID(id)
	if !ok {
		return append([]byte{0xff, 0xff}, id...) // malformed: after the rest
	}
	k := make([]byte, 10)
	binary.BigEndian.PutUint16(k, uint16(y))
	binary.BigEndian.PutUint64(k[2:], n)
	return k
}

// idFromKey decodes idKey.
func idFromKey(k []byte) string {
	if len(k) >= 2 && k[0] == 0xff && k[1] == 0xff {
		return string(k[2:])
	}
	if len(k) != 10 {
		return ""
	}
	return bot.FormatID(int(binary.BigEndian.Uint16(k)), binary.BigEndian.Uint64(k[2:]))
}

func dueKey(r *bot.Request) []byte {
	due := uint64(math.MaxUint64)
	if !r.SLA.DueAt.IsZero() {
		due = uint64(r.SLA.DueAt.UnixNano())
	}
	k := binary.BigEndian.AppendUint64(make([]byte, 0, 18), due)
	return append(k, idKey(r.ID)...)
}

func mineKey(r *bot.Request) []byte {
	open := "0"
	if r.State.Open() {
		open = "1"
	}
	return append(join(r.Requester, open, ""), idKey(r.ID)...)
}

func actionKey(r *bot.Request) []byte {
	return append(join(bot.ActionKey(r.Institution, r.Type, r.Params), ""), idKey(r.ID)...)
}

// OpenSameAction implements bot.RequestPager.
func (s *Store) OpenSameAction(ctx context.Context, key string) ([]*bot.Request, error) {
	var out []*bot.Request
	prefix := join(key, "")
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bIdxAction).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			r, err := getRequest(tx, idFromKey(k[len(prefix):]))
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// pagingIndex adds (add=true) or removes r's paging index entries and
// counts it in or out of the counters.
func pagingIndex(tx *bolt.Tx, r *bot.Request, add bool) error {
	mb, rb := tx.Bucket(bIdxMine), tx.Bucket(bIdxReceived)
	var err error
	if add {
		if err = rb.Put(receivedKey(r), nil); err == nil {
			err = mb.Put(mineKey(r), nil)
		}
	} else {
		if err = rb.Delete(receivedKey(r)); err == nil {
			err = mb.Delete(mineKey(r))
		}
	}
	if err != nil || !r.State.Open() {
		return err
	}
	for _, e := range []struct{ b, k []byte }{{bIdxDue, dueKey(r)}, {bIdxAction, actionKey(r)}} {
		if add {
			err = tx.Bucket(e.b).Put(e.k, nil)
		} else {
			err = tx.Bucket(e.b).Delete(e.k)
		}
		if err != nil {
			return err
		}
	}
	d := int64(1)
	if !add {
		d = -1
	}
	for _, c := range []struct {
		b *bolt.Bucket
		k []byte
	}{
		{tx.Bucket(bCounters), []byte("open")}, {tx.Bucket(bCounters), join("s", string(r.State))},
		{tx.Bucket(bCounters), join("si", string(r.State), r.Institution)},
		{tx.Bucket(bCounters), join("i", r.Institution)}, {tx.Bucket(bCounters), join("t", string(r.Type))},
		{tx.Bucket(bCountMine), []byte(r.Requester)},
	} {
		cb, k := c.b, c.k
		var n int64
		if v := cb.Get(k); len(v) == 8 {
			n = int64(binary.BigEndian.Uint64(v))
		}
		n += d
		if n <= 0 {
			err = cb.Delete(k)
		} else {
			err = cb.Put(k, u64(uint64(n)))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// pagingBuckets are the buckets rebuilt from the requests.
var pagingBuckets = [][]byte{bIdxDue, bIdxMine, bCounters, bIdxAction, bCountMine, bIdxReceived}

// markPagingRebuild empties the paging buckets and marks them for
// rebuildPaging; a crash before the rebuild ends starts it again.
func markPagingRebuild(tx *bolt.Tx) error {
	for _, name := range pagingBuckets {
		if tx.Bucket(name) != nil {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		if _, err := tx.CreateBucket(name); err != nil {
			return err
		}
	}
	if tx.Bucket(bRequests) == nil || tx.Bucket(bRequests).Stats().KeyN == 0 {
		return nil // a new file: nothing to rebuild
	}
	return tx.Bucket(bMeta).Put([]byte("rebuild_paging"), []byte("1"))
}

// rebuildPaging builds the paging indexes and counters from the stored
// requests, 5,000 a transaction, when a migration marked them; the mark
// goes with the last chunk.
func (s *Store) rebuildPaging() error {
	pending := false
	s.db.View(func(tx *bolt.Tx) error {
		pending = tx.Bucket(bMeta).Get([]byte("rebuild_paging")) != nil
		return nil
	})
	if !pending {
		return nil
	}
	if err := s.db.Update(markPagingRebuild); err != nil { // a rebuild cut short starts again
		return err
	}
	var after []byte
	for {
		done := false
		err := s.db.Update(func(tx *bolt.Tx) error {
			c := tx.Bucket(bRequests).Cursor()
			k, _ := c.First()
			if after != nil {
				k, _ = c.Seek(after)
				if bytes.Equal(k, after) {
					k, _ = c.Next()
				}
			}
			for n := 0; k != nil && n < 5000; n++ {
				r, err := getRequest(tx, string(k))
				if err != nil {
					return err
				}
				if err := pagingIndex(tx, r, true); err != nil {
					return err
				}
				after = append(after[:0], k...)
				k, _ = c.Next()
			}
			if k == nil {
				done = true
				return tx.Bucket(bMeta).Delete([]byte("rebuild_paging"))
			}
			return nil
		})
		if err != nil || done {
			return err
		}
	}
}

// OpenCounts implements bot.RequestPager.
func (s *Store) OpenCounts(ctx context.Context) (bot.OpenCounts, error) {
	oc := bot.OpenCounts{ByState: map[bot.State]int{}, ByInstitution: map[string]int{}, ByType: map[bot.Type]int{}}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bCounters).ForEach(func(k, v []byte) error {
			if len(v) != 8 {
				return nil
			}
			n := int(binary.BigEndian.Uint64(v))
			kind, name, _ := bytes.Cut(k, []byte{0})
			switch string(kind) {
			case "open":
				oc.Total = n
			case "s":
				oc.ByState[bot.State(name)] = n
			case "i":
				oc.ByInstitution[string(name)] = n
			case "t":
				oc.ByType[bot.Type(name)] = n
			}
			return nil
		})
	})
	return oc, err
}

// counter reads one counter in tx.
func counter(tx *bolt.Tx, k []byte) int {
	if v := tx.Bucket(bCounters).Get(k); len(v) == 8 {
		return int(binary.BigEndian.Uint64(v))
	}
	return 0
}

// RequestPage implements bot.RequestPager. The queue (OrderDue) walks the
// due-time index of the open requests; "my open requests" (OrderNewest
// with Requester and OpenOnly) walks the requester's index backwards;
// other queries walk the narrowest older index. Each stops one match
// after the page.
func (s *Store) RequestPage(ctx context.Context, q bot.PageQuery) (bot.Page, error) {
	if q.Size <= 0 {
		q.Size = 20
	}
	f := q.Filter
	f.Limit = 0
	page := bot.Page{Total: -1}
	err := s.db.View(func(tx *bolt.Tx) error {
		take := func(r *bot.Request) bool { // false: stop
			if !f.Match(r) {
				return true
			}
			if len(page.Requests) == q.Size {
				page.More = true
				return false
			}
			page.Requests = append(page.Requests, r)
			return true
		}
		walk := func(c *bolt.Cursor, start []byte, forward bool, prefix []byte, id func(k []byte) string) error {
			var k []byte
			switch {
			case forward && start != nil:
				k, _ = c.Seek(start)
				if bytes.Equal(k, start) {
					k, _ = c.Next()
				}
			case forward:
				k, _ = c.Seek(prefix)
			default:
				if start == nil {
					start = append(append([]byte(nil), prefix...), 0xff, 0xff, 0xff)
				}
				k, _ = c.Seek(start)
				if k == nil {
					k, _ = c.Last()
				}
				for k != nil && bytes.Compare(k, start) >= 0 {
					k, _ = c.Prev()
				}
			}
			for n := 0; k != nil && bytes.HasPrefix(k, prefix); n++ {
				if n%256 == 255 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
				r, err := getRequest(tx, id(k))
				if err != nil {
					return err
				}
				if !take(r) {
					return nil
				}
				if forward {
					k, _ = c.Next()
				} else {
					k, _ = c.Prev()
				}
			}
			return nil
		}
		var after *bot.Request
		if q.After != "" {
			a, err := getRequest(tx, q.After)
			if err != nil {
				return err
			}
			after = a
		}
		switch {
		case q.Order == bot.OrderDue && (f.OpenOnly || allOpen(f.States)):
			page.Total = openTotal(tx, f)
			var start []byte
			if after != nil {
				start = dueKey(after) // (closed since: its due time still places it)
			}
			return walk(tx.Bucket(bIdxDue).Cursor(), start, true, nil, func(k []byte) string { return idFromKey(k[8:]) })
		case q.Order == bot.OrderNewest && f.Requester != "" && (f.OpenOnly || allOpen(f.States)):
			prefix := join(f.Requester, "1", "")
			var start []byte
			if after != nil {
				start = append(append([]byte(nil), prefix...), idKey(after.ID)...)
			}
			if len(f.States) == 0 && f.Institution == "" && f.Type == "" {
				if v := tx.Bucket(bCountMine).Get([]byte(f.Requester)); len(v) == 8 {
					page.Total = int(binary.BigEndian.Uint64(v))
				} else {
					page.Total = 0
				}
			}
			return walk(tx.Bucket(bIdxMine).Cursor(), start, false, prefix, func(k []byte) string { return idFromKey(k[len(prefix):]) })
		}
		// Any other query: the narrowest older index, newest first (keys
		// end in the id). Several states at once are merged in memory.
		var b, prefix []byte
		switch {
		case len(f.States) == 1:
			b, prefix = bIdxState, join(string(f.States[0]), "")
		case len(f.States) > 1 || (f.OpenOnly && f.Requester == "" && f.Institution == ""):
			ids := idsFor(tx, f)
			sortNewestFirst(ids)
			for _, id := range ids {
				if after != nil && !bot.IDLess(id, after.ID) {
					continue
				}
				r, err := getRequest(tx, id)
				if err != nil {
					return err
				}
				if !take(r) {
					break
				}
			}
			return nil
		case f.Requester != "":
			b, prefix = bIdxRequester, join(f.Requester, "")
		case f.Institution != "":
			b, prefix = bIdxInst, join(f.Institution, "")
		default:
			b = bRequests
		}
		var start []byte
		if after != nil {
			start = append(append([]byte(nil), prefix...), after.ID...)
		}
		if allOpen(f.States) {
			page.Total = openTotal(tx, f)
		}
		return walk(tx.Bucket(b).Cursor(), start, q.Order == bot.OrderOldest, prefix, func(k []byte) string { return string(k[len(prefix):]) })
	})
	return page, err
}

func allOpen(states []bot.State) bool {
	if len(states) == 0 {
		return false
	}
	for _, st := range states {
		if !st.Open() {
			return false
		}
	}
	return true
}

// openTotal is the number of open requests matching f from the counters,
// or -1 when f combines what they do not.
func openTotal(tx *bolt.Tx, f bot.RequestFilter) int {
	dims := 0
	var k []byte
	if len(f.States) > 0 {
		if len(f.States) > 1 {
			return -1
		}
		dims++
		k = join("s", string(f.States[0]))
	}
	if f.Institution != "" {
		dims++
		k = join("i", f.Institution)
	}
	if f.Type != "" {
		dims++
		k = join("t", string(f.Type))
	}
	switch {
	case len(f.States) == 1 && f.Institution != "" && f.Type == "" && f.Requester == "" && f.Assignee == "":
		return counter(tx, join("si", string(f.States[0]), f.Institution))
	case f.Requester != "" || f.Assignee != "" || dims > 1:
		return -1
	case dims == 0:
		return counter(tx, []byte("open"))
	}
	return counter(tx, k)
}

// OpenIDs implements bot.RequestPager: the due index holds exactly the
// open requests.
func (s *Store) OpenIDs(ctx context.Context, chunk int, fn func(ids []string) error) error {
	if chunk <= 0 {
		chunk = 2000
	}
	var after []byte
	for {
		var ids []string
		err := s.db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bIdxDue).Cursor()
			var k []byte
			if after == nil {
				k, _ = c.First()
			} else {
				k, _ = c.Seek(after)
				if bytes.Equal(k, after) {
					k, _ = c.Next()
				}
			}
			for ; k != nil && len(ids) < chunk; k, _ = c.Next() {
				ids = append(ids, idFromKey(k[8:]))
				after = append(after[:0], k...)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(ids); err != nil {
			return err
		}
		if len(ids) < chunk {
			return nil
		}
	}
}

// BulkUpdate implements bot.RequestPager: one transaction (one fsync) for
// all of ids.
func (s *Store) BulkUpdate(ctx context.Context, ids []string, fn bot.UpdateFunc) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	changed := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		tune(tx)
		changed = 0
		for _, id := range ids {
			_, did, err := change(tx, id, fn, false) // a bulk change posts nothing: no notice mark
			switch {
			case bot.ErrorCode(err) == bot.ENOTFOUND:
				continue
			case err != nil:
				return err
			case did:
				changed++
			}
		}
		return nil
	})
	return changed, err
}

// idsFor lists the ids the narrowest older index gives for f.
func idsFor(tx *bolt.Tx, f bot.RequestFilter) []string {
	var ids []string
	scan := func(b []byte, prefix string) {
		p := append([]byte(prefix), 0)
		c := tx.Bucket(b).Cursor()
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			ids = append(ids, string(k[len(p):]))
		}
	}
	switch {
	case len(f.States) > 0:
		for _, st := range f.States {
			scan(bIdxState, string(st))
		}
	case f.Requester != "":
		scan(bIdxRequester, f.Requester)
	case f.Institution != "":
		scan(bIdxInst, f.Institution)
	case f.OpenOnly:
		for _, st := range bot.AllStates {
			if st.Open() {
				scan(bIdxState, string(st))
			}
		}
	default:
		c := tx.Bucket(bRequests).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			ids = append(ids, string(k))
		}
	}
	return ids
}

// sortNewestFirst orders ids by year and number, the newest first.
func sortNewestFirst(ids []string) {
	keys := make(map[string]uint64, len(ids))
	for _, id := range ids {
		y, n, _ := bot.SplitID(id)
		keys[id] = uint64(y)<<48 | n
	}
	slices.SortFunc(ids, func(a, b string) int {
		switch {
		case keys[a] != keys[b]:
			return cmp.Compare(keys[b], keys[a])
		}
		return strings.Compare(b, a)
	})
}
