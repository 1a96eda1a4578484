package availability

import (
	"context"
	"testing"
	"time"

	"itbot/bot"
)

// BenchmarkRecord is one probe's sample going into bbolt: the day's bitmap
// updated (from the cache) and written back in one transaction, fsync
// included.
func BenchmarkRecord(b *testing.B) {
	s := NewStore(openStore(b))
	ctx := context.Background()
	t := riga(2026, 11, 1, 0, 0)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Record(ctx, "dvs", t, Up); err != nil {
			b.Fatal(err)
		}
		t = t.Add(time.Minute)
	}
}

// BenchmarkRecordSameMinute is a sample that changes nothing (a second
// probe in a minute): no write at all.
func BenchmarkRecordSameMinute(b *testing.B) {
	s := NewStore(openStore(b))
	ctx := context.Background()
	t := riga(2026, 11, 1, 0, 0)
	s.Record(ctx, "dvs", t, Up)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Record(ctx, "dvs", t, Up); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBitmapSet is the encoding alone: a minute's state into the
// day bitmap.
func BenchmarkBitmapSet(b *testing.B) {
	bm := make([]byte, bitmapLen)
	bm[0] = version
	t := riga(2026, 11, 1, 0, 0)
	i := 0
	for b.Loop() {
		m, _ := minuteOf(t.Add(time.Duration(i%dayMinutes) * time.Minute))
		setBit(bm, m, State(1+i%2))
		i++
	}
}

// monthStore fills November 2026 for one service: up, with outages and a
// gap, as a month of probing leaves it.
func monthStore(b *testing.B) *Store {
	s := NewStore(openStore(b))
	ctx := context.Background()
	from, to, _ := ParseMonth("2026-11")
	s.Fill(ctx, "dvs", from, to, Up)
	for d := 1; d <= 30; d += 3 {
		s.Fill(ctx, "dvs", riga(2026, 11, d, 13, 0), riga(2026, 11, d, 13, 7+d), Down)
	}
	return s
}

// BenchmarkMonthReport is "/it statuss" for one service: a month's 30
// day keys read from bbolt (44 640 minutes decoded) and the report
// computed (counts, outages, gaps).
func BenchmarkMonthReport(b *testing.B) {
	s := monthStore(b)
	ctx := context.Background()
	from, to, _ := ParseMonth("2026-11")
	now := to.Add(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		tl, err := s.Timeline(ctx, "dvs", from.Add(-time.Minute), to.Add(time.Minute))
		if err != nil {
			b.Fatal(err)
		}
		if r := Compute(tl, dvsTarget, from, to, now); r.Down == 0 {
			b.Fatal("no outages")
		}
	}
}

// BenchmarkCompute is the arithmetic alone, on a month's timeline in
// memory.
func BenchmarkCompute(b *testing.B) {
	s := monthStore(b)
	from, to, _ := ParseMonth("2026-11")
	tl, _ := s.Timeline(context.Background(), "dvs", from.Add(-time.Minute), to.Add(time.Minute))
	now := to.Add(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		Compute(tl, dvsTarget, from, to, now)
	}
}

// BenchmarkProbeRound is one monitor round for two services that answer
// at once: probes, samples and status, no alerts.
func BenchmarkProbeRound(b *testing.B) {
	kv := openStore(b)
	clk := &clock{riga(2026, 11, 1, 0, 0)}
	up := func(context.Context) (bot.Health, error) { return bot.Health{Up: true, Status: "operational"}, nil }
	m := NewMonitor(kv, nil, Service{Target: dvsTarget, Probe: up}, Service{Target: exoTarget, Probe: up})
	m.Now = clk.now
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := m.ProbeOnce(ctx); err != nil {
			b.Fatal(err)
		}
		clk.t = clk.t.Add(time.Minute)
	}
}
