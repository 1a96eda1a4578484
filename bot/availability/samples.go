// Package availability measures whether the outside services itbot
// depends on (the DVS, Exchange Online) are up, against the service's
// monthly promise (DVS 99.5 %, Exchange Online 99.9 %).
//
// A Monitor probes each service's health every minute and records one
// state per minute in the bot's KVStore: Up, Down, or — for minutes nobody
// probed because itbot itself was not running — Unknown. Unknown minutes
// count neither for nor against the target; they are reported as "not
// measured". From the minutes the package derives outages (runs of Down
// minutes with start, end and duration), the month's availability
// (up / (up + down)), and the downtime budget ((100 % − target) of the
// month's minutes) and how much of it is left. The monitor alerts the
// operators' channels when a service goes down or recovers and when half,
// then all, of a month's budget is used.
//
// Storage is compact: one key per service per UTC day holding a bitmap of
// two bits per minute (361 bytes a day). Months are Riga calendar months.
//
// The package is pure computation plus the monitor loop over interfaces;
// the PNG chart is in the sub-package chart, so only the code that draws
// imports the plotting library.
package availability

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"itbot/bot"
)

// State is a service's state in one minute.
type State uint8

// The states. The order is severity: recording a state never lowers a
// minute's state (a minute with one failed probe is Down).
const (
	Unknown State = iota // nobody probed
	Up
	Down
)

// String names the state.
func (s State) String() string {
	switch s {
	case Up:
		return "up"
	case Down:
		return "down"
	}
	return "unknown"
}

// Bucket is the KVStore bucket the package keeps its data in.
const Bucket = "availability"

const (
	dayMinutes = 24 * 60
	bitmapLen  = 1 + dayMinutes/4 // version byte + 2 bits per minute
	version    = 1
)

// dayKey is the key of a service's day (UTC).
func dayKey(service string, day time.Time) string {
	return "s/" + service + "/" + day.UTC().Format(time.DateOnly)
}

// minuteOf returns t's minute of its UTC day and the day.
func minuteOf(t time.Time) (int, time.Time) {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return int(t.Sub(day) / time.Minute), day
}

// Minute truncates t to its minute, in UTC.
func Minute(t time.Time) time.Time { return t.UTC().Truncate(time.Minute) }

func getBit(bm []byte, m int) State { return State(bm[1+m/4] >> (uint(m%4) * 2) & 3) }

func setBit(bm []byte, m int, s State) bool {
	if old := getBit(bm, m); s <= old {
		return false
	}
	i, sh := 1+m/4, uint(m%4)*2
	bm[i] = bm[i]&^(3<<sh) | byte(s)<<sh
	return true
}

// Store keeps the per-minute states in a KVStore. It is safe for
// concurrent use; one writer (the monitor) is expected.
type Store struct {
	kv bot.KVStore
	mu sync.Mutex
	// last caches the day bitmap written last per service, so a probe a
	// minute costs one write and no read.
	last map[string]cached
}

type cached struct {
	key string
	bm  []byte
}

// NewStore returns a store over kv.
func NewStore(kv bot.KVStore) *Store { return &Store{kv: kv, last: map[string]cached{}} }

func validService(s string) error {
	if s == "" || strings.ContainsAny(s, "/ ") {
		return fmt.Errorf("availability: bad service name %q", s)
	}
	return nil
}

// Record marks the minute containing at with st (a minute's state only
// rises: Unknown < Up < Down).
func (s *Store) Record(ctx context.Context, service string, at time.Time, st State) error {
	m := Minute(at)
	return s.Fill(ctx, service, m, m.Add(time.Minute), st)
}

// Fill marks every minute that starts in [from, to) with st, as Record.
func (s *Store) Fill(ctx context.Context, service string, from, to time.Time, st State) error {
	if err := validService(service); err != nil {
		return err
	}
	if st == Unknown {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := Minute(from)
	if m.Before(from) {
		m = m.Add(time.Minute)
	}
	for m.Before(to) {
		first, day := minuteOf(m)
		key := dayKey(service, day)
		bm, err := s.load(ctx, service, key)
		if err != nil {
			return err
		}
		changed := false
		for i := first; i < dayMinutes && m.Before(to); i++ {
			if setBit(bm, i, st) {
				changed = true
			}
			m = m.Add(time.Minute)
		}
		if changed {
			if err := s.kv.Put(ctx, Bucket, key, bm); err != nil {
				return fmt.Errorf("availability: store %s: %w", key, err)
			}
		}
		s.last[service] = cached{key: key, bm: bm}
	}
	return nil
}

// load returns the bitmap of a day, from the cache or the store (a new
// one if absent). The caller holds s.mu.
func (s *Store) load(ctx context.Context, service, key string) ([]byte, error) {
	if c, ok := s.last[service]; ok && c.key == key {
		return c.bm, nil
	}
	v, err := s.kv.Get(ctx, Bucket, key)
	if err != nil {
		return nil, fmt.Errorf("availability: read %s: %w", key, err)
	}
	if len(v) != bitmapLen || v[0] != version {
		v = make([]byte, bitmapLen)
		v[0] = version
	}
	return v, nil
}

// Timeline returns the states of the minutes in [from, to) (truncated to
// minutes).
func (s *Store) Timeline(ctx context.Context, service string, from, to time.Time) (*Timeline, error) {
	if err := validService(service); err != nil {
		return nil, err
	}
	from, to = Minute(from), Minute(to)
	n := int(to.Sub(from) / time.Minute)
	if n < 0 {
		n = 0
	}
	tl := &Timeline{Start: from, States: make([]State, n)}
	if n == 0 {
		return tl, nil
	}
	_, d0 := minuteOf(from)
	_, d1 := minuteOf(to.Add(-time.Minute))
	lo, hi := dayKey(service, d0), dayKey(service, d1.AddDate(0, 0, 1))
	err := s.kv.Scan(ctx, Bucket, lo, hi, func(key string, v []byte) error {
		if len(v) != bitmapLen || v[0] != version {
			return nil // unknown format: not measured
		}
		day, err := time.Parse(time.DateOnly, key[strings.LastIndexByte(key, '/')+1:])
		if err != nil {
			return nil
		}
		// Minutes of this day inside [from, to).
		start := max(0, int(from.Sub(day)/time.Minute))
		end := min(dayMinutes, int(to.Sub(day)/time.Minute))
		off := int(day.Sub(from) / time.Minute)
		for m := start; m < end; m++ {
			tl.States[off+m] = getBit(v, m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("availability: read %s: %w", service, err)
	}
	return tl, nil
}
