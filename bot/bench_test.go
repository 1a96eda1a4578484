package bot_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"itbot/bot"
	"itbot/bottest"
	"itbot/store"
)

// BenchmarkCreateRequest measures creating a request through the router
// and the store (one bbolt transaction with its audit events), with
// parallel writers sharing fsyncs through bbolt's Batch.
func BenchmarkCreateRequest(b *testing.B) {
	e := bottest.New(b)
	e.Bot.Now = time.Now
	p := e.Person("anna.berzina@lgia.gov.lv")
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rec := &bot.Recorder{}
		m := &bot.Message{Platform: "bench", Channel: "c", UserID: p.Email, Person: p,
			Text: "/it konsultācija Kā iestatīt automātisko atbildi programmā Outlook?", Source: bot.SourceTyped}
		for pb.Next() {
			rec.Replies = rec.Replies[:0]
			if err := e.Router.Route(ctx, rec, m); err != nil {
				b.Fatal(err)
			}
			if len(rec.Replies) != 1 || !strings.Contains(rec.Replies[0].Text, "IT-") {
				b.Fatalf("unexpected reply %+v", rec.Replies)
			}
		}
	})
	b.StopTimer()
	reportRate(b)
}

// BenchmarkRawBatch is the yardstick: a bare bbolt Batch loop writing a
// request record, two audit events and three index entries of the same
// size as BenchmarkCreateRequest does, with the same parallelism.
func BenchmarkRawBatch(b *testing.B) {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.MaxBatchDelay = 2 * time.Millisecond
	db.MaxBatchSize = 256
	db.Update(func(tx *bolt.Tx) error {
		for _, n := range []string{"requests", "events", "idx", "seq"} {
			tx.CreateBucketIfNotExists([]byte(n))
		}
		return nil
	})
	now := time.Now()
	req, _ := json.Marshal(&bot.Request{ID: "IT-2026-000001", Type: bot.TypeConsult, Params: bot.Params{Text: "Kā iestatīt automātisko atbildi programmā Outlook?"},
		Requester: "anna.berzina@lgia.gov.lv", Institution: "LGIA", Origin: bot.Origin{Platform: "bench", Channel: "c", UserID: "anna.berzina@lgia.gov.lv"},
		State: bot.StateApproved, CreatedAt: now, UpdatedAt: now, SLA: bot.SLA{DueAt: now}})
	ev, _ := json.Marshal(&bot.Event{Seq: 1, RequestID: "IT-2026-000001", At: now, Actor: "anna.berzina@lgia.gov.lv", Platform: "bench", Kind: bot.EventCreated, To: bot.StateNew, Phrase: bot.P("event.created")})
	var n atomic.Uint64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			err := db.Batch(func(tx *bolt.Tx) error {
				k := make([]byte, 8)
				binary.BigEndian.PutUint64(k, i)
				tx.Bucket([]byte("seq")).Put([]byte("2026"), k)
				id := append([]byte("IT-2026-"), k...)
				tx.Bucket([]byte("requests")).Put(id, req)
				tx.Bucket([]byte("events")).Put(append(append([]byte{}, id...), 0, 1), ev)
				tx.Bucket([]byte("events")).Put(append(append([]byte{}, id...), 0, 2), ev)
				for _, p := range []string{"state", "inst", "req"} {
					tx.Bucket([]byte("idx")).Put(append([]byte(p), id...), nil)
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.StopTimer()
	reportRate(b)
}

func reportRate(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "req/s")
	}
}

var _ = store.Open
