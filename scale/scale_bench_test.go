package scale_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"itbot/bot"
	"itbot/bot/slaclock"
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
