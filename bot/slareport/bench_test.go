package slareport_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"itbot/bot"
	"itbot/bot/slaclock"
	"itbot/bot/slareport"
	"itbot/store"
)

// benchN is SLAREPORT_N, the requests in the benchmarks' data file
// (default 10,000; docs/BENCHMARKS.md gives 10,000 and 100,000).
func benchN() int {
	if v, err := strconv.Atoi(os.Getenv("SLAREPORT_N")); err == nil && v > 0 {
		return v
	}
	return 10000
}

// benchStore fills a data file with n consultations, request i received
// at(i), from three institutions; a third resolved within 0–29 hours,
// each with its history.
func benchStore(b *testing.B, n int, at func(i int) time.Time) *store.Store {
	st, err := store.Open(filepath.Join(b.TempDir(), "itbot.db"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			at := at(i)
			r := &bot.Request{Type: bot.TypeConsult, Params: bot.Params{Text: "?"}, Requester: "a@lgia.gov.lv",
				Institution: []string{"LGIA", "VVD", "VRAA"}[i%3], State: bot.StateApproved, CreatedAt: at, UpdatedAt: at}
			evs := []bot.Event{{At: at, Actor: "a@lgia.gov.lv", Kind: bot.EventCreated, To: bot.StateNew},
				{At: at, Actor: bot.SystemActor, Kind: bot.EventTransition, From: bot.StateNew, To: bot.StateApproved}}
			if i%3 == 0 {
				done := at.Add(time.Duration(i%30) * time.Hour)
				r.State, r.ClosedAt = bot.StateDone, done
				evs = append(evs, bot.Event{At: done, Actor: "op@vraa.gov.lv", Kind: bot.EventTransition, From: bot.StateApproved, To: bot.StateDone})
			}
			if err := st.CreateRequest(ctx, r, evs...); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
	return st
}

func benchReport(b *testing.B, st *store.Store, month time.Time, want int) {
	clock, err := slaclock.New(slaclock.Config{})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 12, 15, 8, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := slareport.Build(context.Background(), st, clock, month, "", now)
		if err != nil || rep.Total.Received+rep.Total.Cancelled != want {
			b.Fatalf("%d requests in the report, want %d: %v", rep.Total.Received+rep.Total.Cancelled, want, err)
		}
	}
}

// BenchmarkMonthReport builds November's report over a file of
// SLAREPORT_N requests, all received in November: the month holds every
// request of the file.
func BenchmarkMonthReport(b *testing.B) {
	n := benchN()
	start := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	st := benchStore(b, n, func(i int) time.Time { return start.Add(time.Duration(i%40000) * time.Minute) })
	defer st.Close()
	benchReport(b, st, start, n)
	b.ReportMetric(float64(n), "requests")
}

// BenchmarkMonthReportOfYear builds November's report over a file of
// SLAREPORT_N requests received evenly through 2026: the report reads
// the month's twelfth.
func BenchmarkMonthReportOfYear(b *testing.B) {
	n := benchN()
	st := benchStore(b, n, func(i int) time.Time {
		return time.Date(2026, time.Month(1+i%12), 2, 8, 0, 0, 0, time.UTC).Add(time.Duration(i/12%40000) * time.Minute)
	})
	defer st.Close()
	inNov := 0
	for i := range n {
		if i%12 == 10 {
			inNov++
		}
	}
	benchReport(b, st, time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC), inNov)
	b.ReportMetric(float64(n), "requests")
}
