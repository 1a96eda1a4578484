package store_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"itbot/bot"
	"itbot/bot/seed"
	"itbot/store"
)

func open(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newRequest(at time.Time, inst, requester string) *bot.Request {
	return &bot.Request{Type: bot.TypeLicenceAssign, Params: bot.Params{User: requester, SKU: "E3"}, Requester: requester,
		Institution: inst, State: bot.StateNew, CreatedAt: at, UpdatedAt: at, Origin: bot.Origin{Platform: "test"}}
}

func created(at time.Time) bot.Event {
	return bot.Event{At: at, Actor: "x", Kind: bot.EventCreated, To: bot.StateNew}
}

func TestSequencePerYearAndDurability(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "itbot.db")
	s := open(t, path)
	jan := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i := 0; i < 3; i++ {
		r := newRequest(jan, "LGIA", "anna.berzina@lgia.gov.lv")
		if err := s.CreateRequest(ctx, r, created(jan)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	r := newRequest(time.Date(2027, 1, 2, 9, 0, 0, 0, time.UTC), "LGIA", "anna.berzina@lgia.gov.lv")
	if err := s.CreateRequest(ctx, r, created(r.CreatedAt)); err != nil {
		t.Fatal(err)
	}
	ids = append(ids, r.ID)
	want := []string{"IT-2026-000001", "IT-2026-000002", "IT-2026-000003", "IT-2027-000001"}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Fatalf("ids %v, want %v", ids, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopen: the data is there and the sequence goes on, never repeating.
	s = open(t, path)
	defer s.Close()
	got, err := s.Request(ctx, "IT-2026-000002")
	if err != nil || got.Requester != "anna.berzina@lgia.gov.lv" || got.Params.SKU != "E3" {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	r = newRequest(jan, "LGIA", "anna.berzina@lgia.gov.lv")
	if err := s.CreateRequest(ctx, r, created(jan)); err != nil {
		t.Fatal(err)
	}
	if r.ID != "IT-2026-000004" {
		t.Fatalf("next id %s", r.ID)
	}
	evs, err := s.Events(ctx, r.ID)
	if err != nil || len(evs) != 1 || evs[0].Seq != 1 || evs[0].RequestID != r.ID {
		t.Fatalf("events %+v %v", evs, err)
	}
}

func TestUpdateKeepsIndexesAndTrail(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "itbot.db"))
	defer s.Close()
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	a := newRequest(at, "LGIA", "anna.berzina@lgia.gov.lv")
	b := newRequest(at, "VVD", "maris.egle@vvd.gov.lv")
	for _, r := range []*bot.Request{a, b} {
		if err := s.CreateRequest(ctx, r, created(at)); err != nil {
			t.Fatal(err)
		}
	}
	check := at.Add(time.Hour)
	_, err := s.UpdateRequest(ctx, a.ID, func(r *bot.Request, h []bot.Event) ([]bot.Event, error) {
		if len(h) != 1 {
			t.Errorf("history %d", len(h))
		}
		r.State = bot.StateAwaitingApproval
		r.SLA.NextCheck = check
		return []bot.Event{{At: at, Kind: bot.EventTransition, From: bot.StateNew, To: bot.StateAwaitingApproval}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A refused update changes nothing.
	_, err = s.UpdateRequest(ctx, a.ID, func(r *bot.Request, h []bot.Event) ([]bot.Event, error) {
		r.State = bot.StateDone
		return nil, bot.Errorf(bot.ECONFLICT, "lifecycle.illegal")
	})
	if bot.ErrorCode(err) != bot.ECONFLICT {
		t.Fatalf("want conflict, got %v", err)
	}
	tests := []struct {
		name string
		f    bot.RequestFilter
		want []string
	}{
		{"by state new", bot.RequestFilter{States: []bot.State{bot.StateNew}}, []string{b.ID}},
		{"by state awaiting", bot.RequestFilter{States: []bot.State{bot.StateAwaitingApproval}}, []string{a.ID}},
		{"by institution", bot.RequestFilter{Institution: "LGIA"}, []string{a.ID}},
		{"by requester", bot.RequestFilter{Requester: "maris.egle@vvd.gov.lv"}, []string{b.ID}},
		{"open, newest first", bot.RequestFilter{OpenOnly: true}, []string{b.ID, a.ID}},
		{"all with limit", bot.RequestFilter{Limit: 1}, []string{b.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := s.Requests(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range rs {
				ids = append(ids, r.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
				t.Fatalf("got %v want %v", ids, tc.want)
			}
		})
	}
	evs, _ := s.Events(ctx, a.ID)
	if len(evs) != 2 || evs[1].Seq != 2 || evs[1].To != bot.StateAwaitingApproval {
		t.Fatalf("trail %+v", evs)
	}
	next, ok, err := s.NextCheck(ctx)
	if err != nil || !ok || !next.Equal(check) {
		t.Fatalf("next check %v %v %v", next, ok, err)
	}
	due, _ := s.DueChecks(ctx, check, 10)
	if len(due) != 1 || due[0].ID != a.ID {
		t.Fatalf("due checks %v", due)
	}
	if due, _ := s.DueChecks(ctx, check.Add(-time.Second), 10); len(due) != 0 {
		t.Fatalf("early due checks %v", due)
	}
	// Closing the request drops it from the check index.
	s.UpdateRequest(ctx, a.ID, func(r *bot.Request, h []bot.Event) ([]bot.Event, error) {
		r.State = bot.StateCancelled
		return []bot.Event{{Kind: bot.EventTransition, To: bot.StateCancelled}}, nil
	})
	if _, ok, _ := s.NextCheck(ctx); ok {
		t.Fatal("closed request still in the check index")
	}
	if _, err := s.Request(ctx, "IT-2026-999999"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("missing request: %v", err)
	}
}

func TestConcurrentCreatesNeverRepeatIDs(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "itbot.db"))
	defer s.Close()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				r := newRequest(at, "LGIA", "anna.berzina@lgia.gov.lv")
				if err := s.CreateRequest(ctx, r, created(at)); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[r.ID] {
					t.Errorf("id %s twice", r.ID)
				}
				seen[r.ID] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 200 {
		t.Fatalf("%d ids", len(seen))
	}
}

func TestDirectory(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "itbot.db"))
	defer s.Close()
	if err := seed.Directory(ctx, s); err != nil {
		t.Fatal(err)
	}
	i, err := s.InstitutionByDomain(ctx, "Anna.Berzina@LGIA.gov.lv")
	if err != nil || i.Code != "LGIA" {
		t.Fatalf("by domain: %v %v", i, err)
	}
	// A domain belongs to one institution only.
	err = s.PutInstitution(ctx, &bot.Institution{Code: "X", Domains: []string{"lgia.gov.lv"}})
	if bot.ErrorCode(err) != bot.ECONFLICT {
		t.Fatalf("domain taken: %v", err)
	}
	// A person must be in a domain of their institution.
	err = s.PutPerson(ctx, &bot.Person{Email: "x@vid.gov.lv", Institution: "LGIA"})
	if bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("foreign domain person: %v", err)
	}
	p, _ := s.Person(ctx, "ilze.liepa@lgia.gov.lv")
	p.Identities = map[string]string{"slack": "U1"}
	if err := s.PutPerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.PersonByIdentity(ctx, "slack", "U1")
	if err != nil || got.Email != p.Email {
		t.Fatalf("by identity: %v %v", got, err)
	}
	// Another person cannot take the same chat account.
	q, _ := s.Person(ctx, "anna.berzina@lgia.gov.lv")
	q.Identities = map[string]string{"slack": "U1"}
	if err := s.PutPerson(ctx, q); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Fatalf("identity taken: %v", err)
	}
	// Re-linking drops the old identity.
	p.Identities = map[string]string{"slack": "U2"}
	s.PutPerson(ctx, p)
	if _, err := s.PersonByIdentity(ctx, "slack", "U1"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("stale identity: %v", err)
	}
	people, _ := s.People(ctx, "LGIA")
	if len(people) != 4 {
		t.Fatalf("LGIA people %d", len(people))
	}
}

func TestKV(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "itbot.db"))
	defer s.Close()
	if v, err := s.Get(ctx, "b", "missing"); v != nil || err != nil {
		t.Fatalf("missing: %q %v", v, err)
	}
	ok, _ := s.PutIfAbsent(ctx, "dedup", "ev1", []byte("1"))
	again, _ := s.PutIfAbsent(ctx, "dedup", "ev1", []byte("2"))
	if !ok || again {
		t.Fatalf("PutIfAbsent %v %v", ok, again)
	}
	for _, k := range []string{"2026-11-01", "2026-11-15", "2026-12-01"} {
		s.Put(ctx, "samples", k, []byte(k))
	}
	var keys []string
	s.Scan(ctx, "samples", "2026-11", "2026-12", func(k string, v []byte) error { keys = append(keys, k); return nil })
	if fmt.Sprint(keys) != "[2026-11-01 2026-11-15]" {
		t.Fatalf("scan %v", keys)
	}
	s.Delete(ctx, "samples", "2026-11-01")
	if v, _ := s.Get(ctx, "samples", "2026-11-01"); v != nil {
		t.Fatal("not deleted")
	}
}

func TestBackupWhileRunning(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, filepath.Join(dir, "itbot.db"))
	defer s.Close()
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 20; i++ {
		s.CreateRequest(ctx, newRequest(at, "LGIA", "anna.berzina@lgia.gov.lv"), created(at))
	}
	// Writers keep going while the copy is taken.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			s.CreateRequest(ctx, newRequest(at, "LGIA", "anna.berzina@lgia.gov.lv"), created(at))
		}
	}()
	bpath := filepath.Join(dir, "backup.db")
	if _, err := s.BackupFile(bpath); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	b := open(t, bpath)
	defer b.Close()
	rs, err := b.Requests(ctx, bot.RequestFilter{})
	if err != nil || len(rs) < 20 {
		t.Fatalf("backup holds %d requests: %v", len(rs), err)
	}
	for _, r := range rs {
		orig, err := s.Request(ctx, r.ID)
		if err != nil || orig.Requester != r.Requester {
			t.Fatalf("backup request %s differs", r.ID)
		}
	}
	var buf bytes.Buffer
	if n, err := s.Backup(&buf); err != nil || n == 0 {
		t.Fatalf("backup to writer: %d %v", n, err)
	}
}
