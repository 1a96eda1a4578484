package store_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"itbot/bot"
	"itbot/store"
)

// fill creates n requests: every third closed (done), the others open
// with due times in a shuffled order; requesters alternate between two
// people and institutions between LGIA and VVD.
func fill(t *testing.T, s *store.Store, n int) []*bot.Request {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var out []*bot.Request
	for i := 0; i < n; i++ {
		who, inst := "anna.berzina@lgia.gov.lv", "LGIA"
		if i%2 == 1 {
			who, inst = "janis.ozols@vvd.gov.lv", "VVD"
		}
		r := newRequest(at, inst, who)
		r.State = bot.StateInProgress
		r.SLA.DueAt = at.Add(time.Duration((i*7919)%n) * time.Minute)
		if i%5 == 4 {
			r.SLA.DueAt = time.Time{} // no due time: last in the queue
		}
		if i%3 == 2 {
			r.State = bot.StateDone
		}
		if err := s.CreateRequest(ctx, r, created(at)); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func walkPages(t *testing.T, s *store.Store, q bot.PageQuery) (ids []string, pages int, total int) {
	t.Helper()
	total = -2
	for {
		pg, err := s.RequestPage(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if total == -2 {
			total = pg.Total
		}
		pages++
		for _, r := range pg.Requests {
			ids = append(ids, r.ID)
		}
		if !pg.More {
			return ids, pages, total
		}
		if len(pg.Requests) != q.Size {
			t.Fatalf("a page with more to come has %d requests, want %d", len(pg.Requests), q.Size)
		}
		q.After = pg.Requests[len(pg.Requests)-1].ID
	}
}

// The queue pages through the open requests by due time, those without
// one last, each exactly once; the counters give the total without
// reading the requests.
func TestQueuePages(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "itbot.db"))
	defer s.Close()
	all := fill(t, s, 103)
	var want []*bot.Request
	for _, r := range all {
		if r.State.Open() {
			want = append(want, r)
		}
	}
	slices.SortStableFunc(want, func(a, b *bot.Request) int {
		switch {
		case a.SLA.DueAt.IsZero() != b.SLA.DueAt.IsZero():
			if a.SLA.DueAt.IsZero() {
				return 1
			}
			return -1
		case !a.SLA.DueAt.Equal(b.SLA.DueAt):
			return a.SLA.DueAt.Compare(b.SLA.DueAt)
		}
		return 0
	})
	var wantIDs []string
	for _, r := range want {
		wantIDs = append(wantIDs, r.ID)
	}
	ids, pages, total := walkPages(t, s, bot.PageQuery{Filter: bot.RequestFilter{OpenOnly: true}, Order: bot.OrderDue, Size: 10})
	if fmt.Sprint(ids) != fmt.Sprint(wantIDs) {
		t.Errorf("queue order:\n got %v\nwant %v", ids, wantIDs)
	}
	if total != len(want) || pages != (len(want)+9)/10 {
		t.Errorf("total %d in %d pages, want %d in %d", total, pages, len(want), (len(want)+9)/10)
	}
	// One institution's queue: its counter, its requests only.
	ids, _, total = walkPages(t, s, bot.PageQuery{Filter: bot.RequestFilter{OpenOnly: true, Institution: "VVD"}, Order: bot.OrderDue, Size: 7})
	n := 0
	for _, r := range want {
		if r.Institution == "VVD" {
			n++
		}
	}
	if len(ids) != n || total != n {
		t.Errorf("VVD's queue: %d requests, total %d, want %d", len(ids), total, n)
	}
}

// An employee's open requests come from their own index, newest first,
// and closing one takes it off the list and out of the counters.
func TestMyOpenRequestsAndCounters(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "itbot.db"))
	defer s.Close()
	all := fill(t, s, 40)
	anna := "anna.berzina@lgia.gov.lv"
	var want []string
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Requester == anna && all[i].State.Open() {
			want = append(want, all[i].ID)
		}
	}
	ids, _, total := walkPages(t, s, bot.PageQuery{Filter: bot.RequestFilter{Requester: anna, OpenOnly: true}, Order: bot.OrderNewest, Size: 4})
	if fmt.Sprint(ids) != fmt.Sprint(want) || total != len(want) {
		t.Fatalf("Anna's open requests %v (total %d), want %v", ids, total, want)
	}
	before, err := s.OpenCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateRequest(ctx, want[0], func(r *bot.Request, _ []bot.Event) ([]bot.Event, error) {
		r.State = bot.StateCancelled
		return []bot.Event{{Kind: bot.EventTransition, From: bot.StateInProgress, To: bot.StateCancelled}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	after, _ := s.OpenCounts(ctx)
	if after.Total != before.Total-1 || after.ByInstitution["LGIA"] != before.ByInstitution["LGIA"]-1 ||
		after.ByState[bot.StateInProgress] != before.ByState[bot.StateInProgress]-1 || after.ByState[bot.StateCancelled] != 0 {
		t.Errorf("counters before %+v, after %+v", before, after)
	}
	pg, _ := s.RequestPage(ctx, bot.PageQuery{Filter: bot.RequestFilter{Requester: anna, OpenOnly: true}, Order: bot.OrderNewest, Size: 100})
	if len(pg.Requests) != len(want)-1 || pg.Requests[0].ID == want[0] {
		t.Errorf("after a cancel: %d requests, first %s", len(pg.Requests), pg.Requests[0].ID)
	}
	// The counters agree with the requests themselves.
	rs, _ := s.Requests(ctx, bot.RequestFilter{OpenOnly: true})
	if after.Total != len(rs) {
		t.Errorf("counter %d, open requests %d", after.Total, len(rs))
	}
}

// Past 999,999 requests in a year the number widens; nothing is refused
// and the queue still orders them.
func TestIDsPastAMillion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "itbot.db")
	s := open(t, path)
	s.DB().Update(func(tx *bolt.Tx) error {
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, 999998)
		return tx.Bucket([]byte("seq")).Put([]byte("2026"), v)
	})
	fill(t, s, 3)
	rs, err := s.Requests(ctx, bot.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	if want := "[IT-2026-1000001 IT-2026-1000000 IT-2026-999999]"; fmt.Sprint(ids) != want {
		t.Errorf("newest first: %v, want %s", ids, want)
	}
	if r, err := s.Request(ctx, "IT-2026-1000001"); err != nil || r.ID != "IT-2026-1000001" {
		t.Errorf("the widened id: %v %v", r, err)
	}
	pg, _ := s.RequestPage(ctx, bot.PageQuery{Filter: bot.RequestFilter{OpenOnly: true}, Order: bot.OrderDue, Size: 10})
	if len(pg.Requests) != 2 {
		t.Errorf("queue: %d open requests, want 2", len(pg.Requests))
	}
	s.Close()
}

// A data file of schema 1 gets its paging indexes and counters built at
// open.
func TestMigrationBuildsPagingIndexes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "itbot.db")
	s := open(t, path)
	fill(t, s, 30)
	want, _ := s.OpenCounts(ctx)
	// Make it a schema-1 file: no paging buckets.
	if err := s.DB().Update(func(tx *bolt.Tx) error {
		for _, b := range []string{"idx_due", "idx_mine", "counters"} {
			if err := tx.DeleteBucket([]byte(b)); err != nil {
				return err
			}
		}
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, 1)
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), v)
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path)
	defer s.Close()
	got, err := s.OpenCounts(ctx)
	if err != nil || got.Total != want.Total || got.Total == 0 || fmt.Sprint(got.ByState) != fmt.Sprint(want.ByState) {
		t.Errorf("after the migration: %+v (%v), want %+v", got, err, want)
	}
	ids, _, _ := walkPages(t, s, bot.PageQuery{Filter: bot.RequestFilter{OpenOnly: true}, Order: bot.OrderDue, Size: 8})
	if len(ids) != want.Total {
		t.Errorf("queue after the migration: %d, want %d", len(ids), want.Total)
	}
}

// BulkUpdate changes many requests in one transaction and keeps the
// indexes and counters right; OpenIDs streams exactly the open ones.
func TestBulkUpdateAndOpenIDs(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "itbot.db"))
	defer s.Close()
	fill(t, s, 50)
	var ids []string
	if err := s.OpenIDs(ctx, 7, func(chunk []string) error {
		if len(chunk) > 7 {
			t.Errorf("chunk of %d", len(chunk))
		}
		ids = append(ids, chunk...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	oc, _ := s.OpenCounts(ctx)
	if len(ids) != oc.Total {
		t.Fatalf("OpenIDs gave %d, counters say %d", len(ids), oc.Total)
	}
	due := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	n, err := s.BulkUpdate(ctx, ids, func(r *bot.Request, _ []bot.Event) ([]bot.Event, error) {
		r.SLA.DueAt = due
		return []bot.Event{{Kind: bot.EventUpdated}}, nil
	})
	if err != nil || n != len(ids) {
		t.Fatalf("BulkUpdate: %d, %v", n, err)
	}
	pg, _ := s.RequestPage(ctx, bot.PageQuery{Filter: bot.RequestFilter{OpenOnly: true}, Order: bot.OrderDue, Size: 1000})
	for _, r := range pg.Requests {
		if !r.SLA.DueAt.Equal(due) {
			t.Fatalf("%s due %v", r.ID, r.SLA.DueAt)
		}
	}
	if len(pg.Requests) != len(ids) {
		t.Errorf("queue after: %d, want %d", len(pg.Requests), len(ids))
	}
	if evs, _ := s.Events(ctx, ids[0]); len(evs) != 2 {
		t.Errorf("%d events", len(evs))
	}
	if cs, _ := s.Unannounced(ctx, 0); len(cs) != 50 { // only the creates' marks
		t.Errorf("%d notice marks, want 50 (a bulk change posts nothing)", len(cs))
	}
}
