package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"itbot/bot"
)

// Brief reading (bot.ExportFilter.Brief): a report needs a few fields of a
// request and of its events, and decoding whole documents with
// encoding/json was most of a month's report. These readers walk the
// top-level members of the stored JSON object and decode only the fields
// asked for. Whatever they do not expect — an escaped or differently
// cased key, an escaped or non-ASCII string, a value of another type, a
// document they cannot walk — sends the whole document to encoding/json
// instead, so the fields read are what json.Unmarshal gives
// (TestBriefEqualsFull checks it on random documents). The documents are
// json.Marshal's: the walk does not validate the members it skips.

// interner shares the strings of a few distinct values (states, kinds,
// types, institutions) across a walk, so they are allocated once.
type interner map[string]string

func (in interner) str(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// briefRequest decodes into r from v what a brief walk gives of a
// request: ID, Type, Requester, Institution, State, CreatedAt, UpdatedAt
// and ClosedAt.
func briefRequest(v []byte, in interner, r *bot.Request) error {
	*r = bot.Request{}
	ok := members(v, requestFields, func(key, val []byte) bool {
		switch string(key) {
		case "id":
			return strField(val, &r.ID, nil)
		case "type":
			return strField(val, (*string)(&r.Type), in)
		case "requester":
			return strField(val, &r.Requester, nil)
		case "institution":
			return strField(val, &r.Institution, in)
		case "state":
			return strField(val, (*string)(&r.State), in)
		case "created_at":
			return timeField(val, &r.CreatedAt)
		case "updated_at":
			return timeField(val, &r.UpdatedAt)
		case "closed_at":
			return timeField(val, &r.ClosedAt)
		}
		return true
	})
	if ok {
		return nil
	}
	var full bot.Request
	if err := json.Unmarshal(v, &full); err != nil {
		return err
	}
	*r = bot.Request{ID: full.ID, Type: full.Type, Requester: full.Requester, Institution: full.Institution, State: full.State,
		CreatedAt: full.CreatedAt, UpdatedAt: full.UpdatedAt, ClosedAt: full.ClosedAt}
	return nil
}

var requestFields = []string{"id", "type", "requester", "institution", "state", "created_at", "updated_at", "closed_at"}

// briefEvent decodes from v what a brief walk gives of an event: Seq, At,
// Kind, From and To (RequestID is set by the caller).
func briefEvent(v []byte, in interner, ev *bot.Event) error {
	*ev = bot.Event{}
	ok := members(v, eventFields, func(key, val []byte) bool {
		switch string(key) {
		case "seq":
			return intField(val, &ev.Seq)
		case "at":
			return timeField(val, &ev.At)
		case "kind":
			return strField(val, (*string)(&ev.Kind), in)
		case "from":
			return strField(val, (*string)(&ev.From), in)
		case "to":
			return strField(val, (*string)(&ev.To), in)
		}
		return true
	})
	if ok {
		return nil
	}
	var full bot.Event
	if err := json.Unmarshal(v, &full); err != nil {
		return err
	}
	*ev = bot.Event{Seq: full.Seq, At: full.At, Kind: full.Kind, From: full.From, To: full.To}
	return nil
}

var eventFields = []string{"seq", "at", "kind", "from", "to"}

// eventReader reads the events of requests visited in id order with one
// cursor: the events of the next request usually follow those of the
// last, so a seek is only needed when they do not. The histories it
// returns are cut from shared slabs (capacity = length, so an append
// copies), a few allocations a page instead of one or more a request.
type eventReader struct {
	c      *bolt.Cursor
	k, v   []byte // where the cursor stands (nil: nowhere yet)
	in     interner
	prefix []byte
	slab   []bot.Event
}

// requestReader gets requests by id with one cursor: the next one asked
// is usually the next key.
type requestReader struct {
	c *bolt.Cursor
	k []byte
}

func (rr *requestReader) begin(tx *bolt.Tx) { rr.c, rr.k = tx.Bucket(bRequests).Cursor(), nil }

// get returns the stored value of request id, nil if there is none.
func (rr *requestReader) get(id []byte) []byte {
	var k, v []byte
	if rr.k != nil {
		k, v = rr.c.Next()
	}
	if !bytes.Equal(k, id) {
		k, v = rr.c.Seek(id)
	}
	rr.k = k
	if !bytes.Equal(k, id) {
		return nil
	}
	return v
}

// eventSlab is how many events a slab holds.
const eventSlab = 1024

// begin starts reading in transaction tx (the slab goes on: what was
// handed out stays as it was).
func (er *eventReader) begin(tx *bolt.Tx) {
	er.c, er.k, er.v = tx.Bucket(bEvents).Cursor(), nil, nil
}

// read returns the events of request id, read briefly (nil if none).
func (er *eventReader) read(id string) ([]bot.Event, error) {
	er.prefix = append(append(er.prefix[:0], id...), 0)
	if er.k == nil || !bytes.HasPrefix(er.k, er.prefix) {
		er.k, er.v = er.c.Seek(er.prefix)
	}
	start := len(er.slab)
	for ; er.k != nil && bytes.HasPrefix(er.k, er.prefix); er.k, er.v = er.c.Next() {
		if len(er.slab) == cap(er.slab) { // a new slab, this request's events so far moved to it
			n := make([]bot.Event, len(er.slab)-start, max(eventSlab, 2*(len(er.slab)-start)))
			copy(n, er.slab[start:])
			er.slab, start = n, 0
		}
		er.slab = append(er.slab, bot.Event{})
		ev := &er.slab[len(er.slab)-1]
		if err := briefEvent(er.v, er.in, ev); err != nil {
			return nil, fmt.Errorf("store: event %x: %w", er.k, err)
		}
		ev.RequestID = id
	}
	if len(er.slab) == start {
		return nil, nil
	}
	return er.slab[start:len(er.slab):len(er.slab)], nil
}

// members calls fn with the key and raw value of each member of the JSON
// object data, in order, and reports whether the whole object was walked
// with fn content. It reports false (the caller falls back to
// encoding/json) for what it does not expect: data not an object, an
// escaped key, a key that only case-insensitively equals one of fields
// (encoding/json would take it), or fn returning false.
func members(data []byte, fields []string, fn func(key, val []byte) bool) bool {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return skipSpace(data, i+1) == len(data)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return false
		}
		end := skipString(data, i)
		if end < 0 {
			return false
		}
		key := data[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 || foldsToField(key, fields) {
			return false
		}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return false
		}
		i = skipSpace(data, i+1)
		end = skipValue(data, i)
		if end < 0 || !fn(key, data[i:end]) {
			return false
		}
		i = skipSpace(data, end)
		if i >= len(data) {
			return false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return skipSpace(data, i+1) == len(data)
		default:
			return false
		}
	}
}

// foldsToField reports whether key is not one of fields but equals one
// when case is ignored.
func foldsToField(key []byte, fields []string) bool {
	for _, f := range fields {
		if len(f) == len(key) && string(key) != f && bytes.EqualFold(key, []byte(f)) {
			return true
		}
	}
	return false
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string that starts at data[i]
// (a quote), or -1.
func skipString(data []byte, i int) int {
	j := i + 1
	for {
		q := bytes.IndexByte(data[j:], '"')
		if q < 0 {
			return -1
		}
		j += q
		bs := 0
		for k := j - 1; k > i && data[k] == '\\'; k-- {
			bs++
		}
		if bs%2 == 0 {
			return j + 1
		}
		j++
	}
}

// skipValue returns the index after the value that starts at data[i], or
// -1. Nested values are skipped by their brackets, not validated: the
// fields read are checked where they are decoded.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				e := skipString(data, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(data) {
		switch data[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if j == i {
				return -1
			}
			return j
		}
		j++
	}
	return -1
}

var null = []byte("null")

// strField decodes a JSON string into *dst as encoding/json would (null
// leaves it); plain ASCII without escapes directly, anything else through
// encoding/json. False if it is not a string.
func strField(val []byte, dst *string, in interner) bool {
	if bytes.Equal(val, null) {
		return true
	}
	if len(val) < 2 || val[0] != '"' || val[len(val)-1] != '"' {
		return false
	}
	s := val[1 : len(val)-1]
	for _, c := range s {
		if c < 0x20 || c >= 0x80 || c == '\\' || c == '"' {
			return json.Unmarshal(val, dst) == nil
		}
	}
	if in != nil {
		*dst = in.str(s)
	} else {
		*dst = string(s)
	}
	return true
}

// timeField decodes a JSON time as time.Time's UnmarshalJSON does (which
// encoding/json calls, null included).
func timeField(val []byte, dst *time.Time) bool {
	return dst.UnmarshalJSON(val) == nil
}

// intField decodes a JSON integer; plain digits directly, anything else
// through encoding/json.
func intField(val []byte, dst *int) bool {
	if bytes.Equal(val, null) {
		return true
	}
	plain := len(val) > 0 && len(val) < 19 && (val[0] != '0' || len(val) == 1)
	for _, c := range val {
		if c < '0' || c > '9' {
			plain = false
			break
		}
	}
	if plain {
		n, err := strconv.Atoi(string(val))
		if err == nil {
			*dst = n
			return true
		}
	}
	return json.Unmarshal(val, dst) == nil
}
