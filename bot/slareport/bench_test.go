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

// BenchmarkMonthReport builds November's report over a file of
// SLAREPORT_N requests (default 10,000; the figure in docs/BENCHMARKS.md
// was taken with 100,000), a third of them resolved, each with its
// history.
func BenchmarkMonthReport(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("SLAREPORT_N")); err == nil && v > 0 {
		n = v
	}
	st, err := store.Open(filepath.Join(b.TempDir(), "itbot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	start := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			at := start.Add(time.Duration(i%40000) * time.Minute)
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
	clock, err := slaclock.New(slaclock.Config{})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 12, 15, 8, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := slareport.Build(ctx, st, clock, start, "", now)
		if err != nil || rep.Total.Received == 0 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "requests")
}
