package store_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"itbot/bot"
	"itbot/store"
)

// receivedEntries lists idx_received's keys as "YYYY-MM id", and what they
// should be from the stored requests (the Riga month of CreatedAt).
func receivedEntries(t *testing.T, s *store.Store) (got, want []string) {
	t.Helper()
	err := s.DB().View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("idx_received"))
		if b == nil {
			return fmt.Errorf("no idx_received bucket")
		}
		if err := b.ForEach(func(k, _ []byte) error {
			if len(k) != 13 {
				return fmt.Errorf("key %x", k)
			}
			id := bot.FormatID(int(binary.BigEndian.Uint16(k[3:])), binary.BigEndian.Uint64(k[5:]))
			got = append(got, fmt.Sprintf("%04d-%02d %s", binary.BigEndian.Uint16(k), k[2], id))
			return nil
		}); err != nil {
			return err
		}
		return tx.Bucket([]byte("requests")).ForEach(func(k, v []byte) error {
			var r bot.Request
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			want = append(want, r.CreatedAt.In(bot.TimeZone).Format("2006-01")+" "+r.ID)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	return got, want
}

func checkReceived(t *testing.T, s *store.Store, when string) {
	t.Helper()
	got, want := receivedEntries(t, s)
	if !slices.Equal(got, want) {
		t.Fatalf("%s: idx_received holds %d entries, %d requests are stored\n got %v\nwant %v", when, len(got), len(want), got, want)
	}
}

// walk lists what EachRequest gives for f: "id institution created" per
// request, with its events' sequence numbers and states.
func walk(t *testing.T, s *store.Store, f bot.ExportFilter) []string {
	t.Helper()
	var out []string
	err := s.EachRequest(context.Background(), f, func(r *bot.Request, evs []bot.Event) error {
		line := fmt.Sprintf("%s %s %s %s %s:", r.ID, r.Institution, r.Type, r.State, r.CreatedAt.UTC().Format(time.RFC3339Nano))
		for _, ev := range evs {
			if ev.RequestID != r.ID {
				t.Errorf("%s: an event of %s", r.ID, ev.RequestID)
			}
			line += fmt.Sprintf(" %d>%s@%s", ev.Seq, ev.To, ev.At.UTC().Format(time.RFC3339))
		}
		out = append(out, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// receivedFill creates n requests concurrently (ids do not follow the
// creation times) received from August 2026 to March 2027, some exactly
// at a Riga month's first instant and just before it, with one to three
// events each.
func receivedFill(t *testing.T, s *store.Store, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(21, 6))
	start := time.Date(2026, 8, 1, 0, 0, 0, 0, bot.TimeZone)
	span := time.Date(2027, 3, 31, 0, 0, 0, 0, bot.TimeZone).Sub(start)
	ats := make([]time.Time, n)
	for i := range ats {
		ats[i] = start.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Second)
		switch i % 50 {
		case 0: // a Riga month's first instant: 22:00 or 21:00 UTC the day before
			m := ats[i].In(bot.TimeZone)
			ats[i] = time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, bot.TimeZone).UTC()
		case 1: // its last nanosecond
			m := ats[i].In(bot.TimeZone)
			ats[i] = time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, bot.TimeZone).Add(-time.Nanosecond)
		}
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i, at := range ats {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			inst := []string{"LGIA", "VVD", "VID"}[i%3]
			r := newRequest(at, inst, "anna.berzina@lgia.gov.lv")
			evs := []bot.Event{created(at)}
			for j := range i % 3 {
				evs = append(evs, bot.Event{At: at.Add(time.Duration(j+1) * time.Hour), Actor: "x", Kind: bot.EventTransition, To: bot.StateAwaitingInfo})
			}
			if err := s.CreateRequest(ctx, r, evs...); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// The received-month index holds exactly one entry a request, in the Riga
// month of its creation, through creation (ids out of time order, years
// and month ends crossed), updates that leave CreatedAt and ones that
// move it, and bulk updates; a period's walk through it gives what a walk
// through every request filtered by hand gives, in id order, in full and
// brief.
func TestReceivedIndex(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "itbot.db"))
	defer s.Close()
	receivedFill(t, s, 1500)
	checkReceived(t, s, "after creating")
	checkPeriods(t, s)

	// An update that keeps CreatedAt, one that moves it to another month,
	// and a bulk update of both kinds.
	if _, err := s.UpdateRequest(ctx, "IT-2026-000010", func(r *bot.Request, _ []bot.Event) ([]bot.Event, error) {
		r.State = bot.StateDone
		return []bot.Event{{At: r.CreatedAt, Kind: bot.EventTransition, To: bot.StateDone}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	moved := time.Date(2027, 1, 1, 0, 0, 0, 0, bot.TimeZone)
	if _, err := s.UpdateRequest(ctx, "IT-2026-000011", func(r *bot.Request, _ []bot.Event) ([]bot.Event, error) {
		r.CreatedAt = moved
		return []bot.Event{{At: moved, Kind: bot.EventUpdated}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	checkReceived(t, s, "after updates")
	var ids []string
	for i := 20; i < 120; i++ {
		ids = append(ids, bot.FormatID(2026, uint64(i)))
	}
	if n, err := s.BulkUpdate(ctx, ids, func(r *bot.Request, _ []bot.Event) ([]bot.Event, error) {
		if r.ID < "IT-2026-000070" {
			r.CreatedAt = r.CreatedAt.AddDate(0, 1, 0)
		}
		return []bot.Event{{At: r.CreatedAt, Kind: bot.EventUpdated}}, nil
	}); err != nil || n != len(ids) {
		t.Fatalf("BulkUpdate: %d, %v", n, err)
	}
	checkReceived(t, s, "after a bulk update")
	jan := walk(t, s, bot.ExportFilter{From: moved, To: moved.AddDate(0, 1, 0)})
	if len(jan) == 0 || !bytes.Contains([]byte(fmt.Sprint(jan)), []byte("IT-2026-000011 ")) {
		t.Errorf("January 2027 lacks the request moved into it: %v", jan)
	}
	checkPeriods(t, s)
}

// checkPeriods compares walks of periods through the index with a walk of
// every request filtered here.
func checkPeriods(t *testing.T, s *store.Store) {
	t.Helper()
	riga := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, bot.TimeZone) }
	var all []string
	var reqs []*bot.Request
	if err := s.EachRequest(context.Background(), bot.ExportFilter{}, func(r *bot.Request, evs []bot.Event) error {
		reqs = append(reqs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	all = walk(t, s, bot.ExportFilter{})
	if len(all) != len(reqs) {
		t.Fatalf("%d and %d", len(all), len(reqs))
	}
	periods := []bot.ExportFilter{
		{From: riga(2026, 11, 1), To: riga(2026, 12, 1)},
		{From: riga(2026, 11, 1), To: riga(2026, 12, 1), Institution: "VVD"},
		{From: riga(2026, 10, 15), To: riga(2027, 2, 3)}, // several months, more than a page
		{From: riga(2026, 12, 31).Add(23 * time.Hour), To: riga(2027, 1, 1).Add(time.Hour)},
		{From: riga(2026, 11, 1).UTC()}, // a bound in another zone
		{To: riga(2026, 9, 1).Add(time.Nanosecond)},
		{From: riga(2027, 2, 1), To: riga(2026, 2, 1)}, // empty
		{From: riga(2030, 1, 1)},
		{To: riga(2020, 1, 1)},
		{From: riga(1900, 1, 1), To: riga(2100, 1, 1)}, // everything: the months the index holds
	}
	for _, f := range periods {
		var want []string
		for i, r := range reqs {
			if (f.Institution == "" || r.Institution == f.Institution) && (f.From.IsZero() || !r.CreatedAt.Before(f.From)) && (f.To.IsZero() || r.CreatedAt.Before(f.To)) {
				want = append(want, all[i])
			}
		}
		if got := walk(t, s, f); !slices.Equal(got, want) {
			t.Errorf("%v – %v %q: %d requests, want %d\n got %.300v\nwant %.300v", f.From, f.To, f.Institution, len(got), len(want), got, want)
		}
		f.Brief = true
		if got := walk(t, s, f); !slices.Equal(got, want) {
			t.Errorf("brief %v – %v %q: %d requests, want %d\n got %.300v\nwant %.300v", f.From, f.To, f.Institution, len(got), len(want), got, want)
		}
	}
}

// A file of schema 5 (no received index) gets it built at open.
func TestMigrationBuildsReceivedIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "itbot.db")
	s := open(t, path)
	receivedFill(t, s, 300)
	if err := s.DB().Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("idx_received")); err != nil {
			return err
		}
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, 5)
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), v)
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path)
	defer s.Close()
	checkReceived(t, s, "after the migration")
	if err := s.DB().View(func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema")); binary.BigEndian.Uint64(v) != store.SchemaVersion {
			t.Errorf("schema %x", v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	checkPeriods(t, s)
}
