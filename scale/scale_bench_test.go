package scale_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"itbot/bot"
	"itbot/bot/export"
	"itbot/bot/slaclock"
	"itbot/bot/slareport"
	"itbot/scale"
)

// sizes are the data file sizes benchmarked: ITBOT_SCALE_SIZES (commas),
// 10,000 by default. The files are built once through the router and kept
// in the temporary directory (itbot-scale-N.db) for later runs.
func sizes(b *testing.B) []int {
	v := os.Getenv("ITBOT_SCALE_SIZES")
	if v == "" {
		v = "10000"
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("ITBOT_SCALE_SIZES: %q", v)
		}
		out = append(out, n)
	}
	return out
}

func dataFile(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("itbot-scale-%d.db", n))
	e, err := scale.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	if _, err := scale.Fill(context.Background(), e, n, 0.13, 32, io.Discard); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkScale measures what an operator and an employee meet on data
// files of each size: the queue's first and a later page, an employee's
// open requests (the heavy requester has N/10 behind her), a /metrics
// scrape's counters; and reports the bytes a request takes on disk.
func BenchmarkScale(b *testing.B) {
	ctx := context.Background()
	for _, n := range sizes(b) {
		path := dataFile(b, n)
		e, err := scale.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		first, err := e.Store.RequestPage(ctx, bot.PageQuery{Filter: bot.RequestFilter{OpenOnly: true}, Order: bot.OrderDue, Size: 20})
		if err != nil || !first.More {
			b.Fatalf("first page: %v (more %v)", err, first.More)
		}
		after := first.Requests[len(first.Requests)-1].ID
		say := func(b *testing.B, who, text, want string) {
			for b.Loop() {
				reps, err := e.Say(ctx, who, text)
				if err != nil || len(reps) != 1 || !strings.Contains(reps[0].Text, want) {
					b.Fatalf("%q: %v %+v", text, err, reps)
				}
			}
		}
		b.Run(fmt.Sprintf("queue-first-page/%d", n), func(b *testing.B) {
			say(b, scale.Operator, "/it queue", bot.Tr(bot.LV, "button.next_page", nil)[:5])
		})
		b.Run(fmt.Sprintf("queue-next-page/%d", n), func(b *testing.B) {
			say(b, scale.Operator, "/it queue after="+after, "IT-")
		})
		b.Run(fmt.Sprintf("employee-requests/%d", n), func(b *testing.B) {
			say(b, scale.Heavy, "/it requests", "IT-")
		})
		b.Run(fmt.Sprintf("approvals/%d", n), func(b *testing.B) {
			say(b, scale.ITContact, "/it approvals", "IT-")
		})
		b.Run(fmt.Sprintf("metrics-scrape/%d", n), func(b *testing.B) {
			for b.Loop() {
				oc, err := e.Store.OpenCounts(ctx)
				if err != nil || oc.Total == 0 {
					b.Fatal(err, oc.Total)
				}
			}
		})
		var size int64
		e.Store.DB().View(func(tx *bolt.Tx) error { size = tx.Size(); return nil })
		b.Run(fmt.Sprintf("bytes-per-request/%d", n), func(b *testing.B) {
			for b.Loop() {
			}
			b.ReportMetric(float64(size)/float64(n), "B/request")
		})
		e.Close()
	}
}

// BenchmarkRetime measures re-timing every open request after an SLA
// configuration change (pause_for_approval toggled: every waiting
// request's due time moves), on a copy of each data file.
func BenchmarkRetime(b *testing.B) {
	ctx := context.Background()
	for _, n := range sizes(b) {
		src := dataFile(b, n)
		b.Run(fmt.Sprintf("retime/%d", n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "copy.db")
			raw, err := os.ReadFile(src)
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(path, raw, 0o600); err != nil {
				b.Fatal(err)
			}
			e, err := scale.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			pause := false
			changed := 0
			for b.Loop() {
				clock, err := slaclock.New(slaclock.Config{PauseForApproval: &pause})
				if err != nil {
					b.Fatal(err)
				}
				k, err := slaclock.NewScheduler(e.Bot, clock).Retime(ctx, time.Now())
				if err != nil {
					b.Fatal(err)
				}
				changed += k
				pause = !pause
			}
			b.ReportMetric(float64(changed)/float64(b.N), "requests/op")
		})
	}
}

// peakHeap samples the bytes of live and not yet swept heap objects
// (runtime/metrics, no stop-the-world) every 2 ms until stop is called,
// which returns the highest sample.
func peakHeap() (stop func() uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	done := make(chan struct{})
	out := make(chan uint64)
	go func() {
		var peak uint64
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-done:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); return <-out }
}

// BenchmarkExport streams every request of each data file with its whole
// history as JSON Lines (`itbot export`, to io.Discard), and reports the
// rate and the peak heap while it runs.
func BenchmarkExport(b *testing.B) {
	ctx := context.Background()
	for _, n := range sizes(b) {
		e, err := scale.Open(dataFile(b, n))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("export/%d", n), func(b *testing.B) {
			runtime.GC()
			stop := peakHeap()
			b.ReportAllocs()
			for b.Loop() {
				if k, err := export.Write(ctx, e.Store, bot.ExportFilter{}, io.Discard); err != nil || k != n {
					b.Fatalf("%d of %d: %v", k, n, err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "requests/s")
			b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
		})
		e.Close()
	}
}

// BenchmarkSLAReport builds the SLA report of the month the newest request
// of each data file was received in (Fill makes them all in the month it
// ran: the month holds the whole file).
func BenchmarkSLAReport(b *testing.B) {
	ctx := context.Background()
	for _, n := range sizes(b) {
		e, err := scale.Open(dataFile(b, n))
		if err != nil {
			b.Fatal(err)
		}
		pg, err := e.Store.RequestPage(ctx, bot.PageQuery{Size: 1})
		if err != nil || len(pg.Requests) == 0 {
			b.Fatal(err)
		}
		month := pg.Requests[0].CreatedAt
		clock := e.Bot.SLA.(*slaclock.Clock)
		b.Run(fmt.Sprintf("sla-report/%d", n), func(b *testing.B) {
			runtime.GC()
			stop := peakHeap()
			b.ReportAllocs()
			received := 0
			for b.Loop() {
				rep, err := slareport.Build(ctx, e.Store, clock, month, "", month.AddDate(0, 1, 0))
				if err != nil {
					b.Fatal(err)
				}
				received = rep.Total.Received + rep.Total.Cancelled
			}
			b.ReportMetric(float64(received), "requests")
			b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
		})
		e.Close()
	}
}
