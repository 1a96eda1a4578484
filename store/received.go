package store

import (
	"bytes"
	"container/heap"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"

	"itbot/bot"
)

// The received-month index (schema 6):
//
//	idx_received  year (uint16 BE) month (1 byte) idkey -> ""   every request, by the Riga month of CreatedAt
//
// An export or a report of a period reads the months it covers instead of
// every request in the file. The entry never changes while CreatedAt does
// not; pagingIndex keeps it with the other indexes (it is rebuilt with
// them by rebuildPaging).
var bIdxReceived = []byte("idx_received")

// monthKey is the 3-byte prefix of the Riga month that holds t.
func monthKey(t time.Time) []byte {
	lt := t.In(bot.TimeZone)
	k := make([]byte, 3, 3+10)
	binary.BigEndian.PutUint16(k, uint16(lt.Year()))
	k[2] = byte(lt.Month())
	return k
}

func receivedKey(r *bot.Request) []byte { return append(monthKey(r.CreatedAt), idKey(r.ID)...) }

// months lists the month prefixes from the one holding from to the one
// holding to, both included.
func months(from, to time.Time) [][]byte {
	a, b := from.In(bot.TimeZone), to.In(bot.TimeZone)
	m := time.Date(a.Year(), a.Month(), 1, 12, 0, 0, 0, bot.TimeZone)
	end := time.Date(b.Year(), b.Month(), 1, 12, 0, 0, 0, bot.TimeZone)
	var out [][]byte
	for ; !m.After(end); m = m.AddDate(0, 1, 0) {
		out = append(out, monthKey(m))
	}
	return out
}

// monthTime is the middle of the first day of the month of a key prefix.
func monthTime(k []byte) time.Time {
	return time.Date(int(binary.BigEndian.Uint16(k)), time.Month(k[2]), 1, 12, 0, 0, 0, bot.TimeZone)
}

// receivedMonths lists the month prefixes a filter's period covers; with a
// bound left open, up to the oldest or newest month in the index. None if
// the index is empty or the period is.
func receivedMonths(tx *bolt.Tx, f bot.ExportFilter) [][]byte {
	c := tx.Bucket(bIdxReceived).Cursor()
	first, _ := c.First()
	last, _ := c.Last()
	if len(first) < 3 || len(last) < 3 {
		return nil
	}
	// The months from the later of From and the oldest in the index to
	// the earlier of To and the newest (a month is compared by its
	// prefix: monthTime is midday of its first day).
	from, to := first[:3], last[:3]
	if !f.From.IsZero() {
		if k := monthKey(f.From); bytes.Compare(k, from) > 0 {
			from = k
		}
	}
	if !f.To.IsZero() {
		if k := monthKey(f.To.Add(-time.Nanosecond)); bytes.Compare(k, to) < 0 { // To is excluded
			to = k
		}
	}
	if bytes.Compare(to, from) < 0 {
		return nil
	}
	return months(monthTime(from), monthTime(to))
}

// monthCursor walks one month's entries of idx_received.
type monthCursor struct {
	c      *bolt.Cursor
	prefix []byte
	k      []byte // the current key; nil when done
}

func (m *monthCursor) id() []byte { return m.k[len(m.prefix):] }

// cursorHeap orders the months' cursors by the idkey they stand at, so
// their merge gives requests in id order even where creation times and ids
// cross a month's end.
type cursorHeap []*monthCursor

func (h cursorHeap) Len() int           { return len(h) }
func (h cursorHeap) Less(i, j int) bool { return bytes.Compare(h[i].id(), h[j].id()) < 0 }
func (h cursorHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)        { *h = append(*h, x.(*monthCursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// appendIDOfKey appends the id an idkey encodes (idFromKey) to b.
func appendIDOfKey(b, k []byte) []byte {
	if len(k) >= 2 && k[0] == 0xff && k[1] == 0xff {
		return append(b, k[2:]...)
	}
	if len(k) != 10 {
		return b
	}
	return bot.AppendID(b, int(binary.BigEndian.Uint16(k)), binary.BigEndian.Uint64(k[2:]))
}

// receivedIDs calls fn with the idkey of every request received in the
// months of prefixes whose idkey is after after (nil: from the first), in
// idkey order, until fn returns false. It returns the idkey fn last got
// (after if none) and whether no entry follows it. The idkey fn gets is
// valid during the call only.
func receivedIDs(tx *bolt.Tx, prefixes [][]byte, after []byte, fn func(idkey []byte) bool) (last []byte, done bool) {
	b := tx.Bucket(bIdxReceived)
	h := make(cursorHeap, 0, len(prefixes))
	for _, p := range prefixes {
		m := &monthCursor{c: b.Cursor(), prefix: p}
		start := append(append(make([]byte, 0, len(p)+len(after)), p...), after...)
		k, _ := m.c.Seek(start)
		if after != nil && bytes.Equal(k, start) {
			k, _ = m.c.Next()
		}
		if k != nil && bytes.HasPrefix(k, p) {
			m.k = k
			h = append(h, m)
		}
	}
	heap.Init(&h)
	last = after
	var buf []byte
	for len(h) > 0 {
		m := h[0]
		buf = append(buf[:0], m.id()...)
		last = buf
		more := fn(m.id())
		if k, _ := m.c.Next(); k != nil && bytes.HasPrefix(k, m.prefix) {
			m.k = k
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
		if !more {
			break
		}
	}
	return last, len(h) == 0
}
