package slaclock_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"itbot/bot"
	"itbot/bot/slaclock"
	"itbot/store"
)

// benchRequests returns n approved consultations created at random
// instants in 2024-2028, with their creation history.
func benchRequests(n int) ([]*bot.Request, [][]bot.Event) {
	rng := rand.New(rand.NewPCG(7, 8))
	base := riga(2024, 1, 1, 0, 0)
	span := riga(2028, 12, 1, 0, 0).Sub(base)
	rs := make([]*bot.Request, n)
	hs := make([][]bot.Event, n)
	for i := range rs {
		at := base.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Minute).UTC()
		rs[i] = &bot.Request{Type: bot.TypeConsult, State: bot.StateApproved, CreatedAt: at, Requester: anna, Institution: "LGIA"}
		hs[i] = []bot.Event{
			{At: at, Kind: bot.EventCreated, To: bot.StateNew},
			{At: at, Kind: bot.EventTransition, From: bot.StateNew, To: bot.StateApproved},
		}
	}
	return rs, hs
}

func benchClock(b *testing.B) *slaclock.Clock {
	k, err := slaclock.New(slaclock.Config{Escalation: slaclock.Escalation{Person: "admin@vraa.gov.lv"}})
	if err != nil {
		b.Fatal(err)
	}
	return k
}

// BenchmarkApply: the due-time computation the bot runs in every stored
// change (policy, pauses from the history, due time, next check).
func BenchmarkApply(b *testing.B) {
	k := benchClock(b)
	rs, hs := benchRequests(4096)
	for i := range rs { // warm the calendar's year tables
		k.Apply(rs[i], hs[i], rs[i].CreatedAt)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		j := i % len(rs)
		k.Apply(rs[j], hs[j], rs[j].CreatedAt)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "applies/s")
}

// BenchmarkApplyResumed: the same with a finished pause in the history and
// two checks already sent.
func BenchmarkApplyResumed(b *testing.B) {
	k := benchClock(b)
	rs, hs := benchRequests(4096)
	for i := range rs {
		at := rs[i].CreatedAt
		hs[i] = append(hs[i],
			bot.Event{At: at.Add(3 * time.Hour), Kind: bot.EventTransition, From: bot.StateApproved, To: bot.StateAwaitingInfo},
			bot.Event{At: at.Add(30 * time.Hour), Kind: bot.EventTransition, From: bot.StateAwaitingInfo, To: bot.StateApproved})
		rs[i].SLA.Sent = []string{"share:50", "share:80"}
		k.Apply(rs[i], hs[i], at)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		j := i % len(rs)
		k.Apply(rs[j], hs[j], rs[j].CreatedAt)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "applies/s")
}

// The 100,000-request store is built once per test binary run.
var big struct {
	once sync.Once
	dir  string
	path string
	err  error
}

const bigN = 100_000

// bigStore returns the path of a bbolt file with bigN open requests whose
// checks lie between 2026-12-01 and 2027-06-01.
func bigStore(b *testing.B) string {
	big.once.Do(func() {
		big.dir, big.err = os.MkdirTemp("", "slaclock-bench-")
		if big.err != nil {
			return
		}
		big.path = filepath.Join(big.dir, "itbot.db")
		st, err := store.Open(big.path)
		if err != nil {
			big.err = err
			return
		}
		defer st.Close()
		st.DB().NoSync = true // bulk load; the benchmarks read
		k, err := slaclock.New(slaclock.Config{})
		if err != nil {
			big.err = err
			return
		}
		rng := rand.New(rand.NewPCG(9, 10))
		base := riga(2026, 12, 1, 0, 0)
		span := riga(2027, 6, 1, 0, 0).Sub(base)
		work := make(chan *bot.Request)
		errs := make(chan error, 64)
		var wg sync.WaitGroup
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range work {
					evs := []bot.Event{
						{At: r.CreatedAt, Actor: anna, Kind: bot.EventCreated, To: bot.StateNew},
						{At: r.CreatedAt, Actor: bot.SystemActor, Kind: bot.EventTransition, From: bot.StateNew, To: bot.StateApproved},
					}
					k.Apply(r, evs, r.CreatedAt)
					if err := st.CreateRequest(context.Background(), r, evs...); err != nil {
						select {
						case errs <- err:
						default:
						}
					}
				}
			}()
		}
		for i := range bigN {
			at := base.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Minute).UTC()
			work <- &bot.Request{Type: bot.TypeConsult, State: bot.StateApproved, CreatedAt: at, UpdatedAt: at,
				Requester: anna, Institution: "LGIA", Priority: "normal", Params: bot.Params{Text: fmt.Sprint("question ", i)},
				Origin: bot.Origin{Platform: "slack", Channel: "C0123", Thread: "1700000000.000100", UserID: "U0ANNA"}}
		}
		close(work)
		wg.Wait()
		select {
		case big.err = <-errs:
		default:
		}
	})
	if big.err != nil {
		b.Fatal(big.err)
	}
	return big.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if big.dir != "" {
		os.RemoveAll(big.dir)
	}
	os.Exit(code)
}

func openBig(b *testing.B) *store.Store {
	st, err := store.Open(bigStore(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkNextCheck100k: the scheduler's question "when is the next
// check?" with 100,000 open requests.
func BenchmarkNextCheck100k(b *testing.B) {
	st := openBig(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := st.NextCheck(ctx); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkDueChecksNone100k: "which checks are due now?" when none is.
func BenchmarkDueChecksNone100k(b *testing.B) {
	st := openBig(b)
	ctx := context.Background()
	now := riga(2026, 11, 30, 10, 0)
	b.ReportAllocs()
	for b.Loop() {
		if rs, err := st.DueChecks(ctx, now, 256); err != nil || len(rs) != 0 {
			b.Fatal(len(rs), err)
		}
	}
}

// BenchmarkDueChecksBatch100k: a full batch of 256 due requests read
// (and decoded) from the 100,000.
func BenchmarkDueChecksBatch100k(b *testing.B) {
	st := openBig(b)
	ctx := context.Background()
	now := riga(2027, 3, 1, 10, 0)
	b.ReportAllocs()
	for b.Loop() {
		if rs, err := st.DueChecks(ctx, now, 256); err != nil || len(rs) != 256 {
			b.Fatal(len(rs), err)
		}
	}
}

// BenchmarkIdleTick100k: a whole scheduler round when nothing is due
// (service-hours check, DueChecks, NextCheck) with 100,000 open requests:
// the cost of one wake-up.
func BenchmarkIdleTick100k(b *testing.B) {
	st := openBig(b)
	k, err := slaclock.New(slaclock.Config{})
	if err != nil {
		b.Fatal(err)
	}
	bt := bot.New(st, slog.New(slog.DiscardHandler))
	s := slaclock.NewScheduler(bt, k)
	ctx := context.Background()
	now := riga(2026, 11, 30, 10, 0)
	b.ReportAllocs()
	for b.Loop() {
		res, err := s.Tick(ctx, now)
		if err != nil || res.Keys != 0 || res.Next.IsZero() {
			b.Fatal(res, err)
		}
	}
}
