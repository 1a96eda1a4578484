package calendar

import (
	"math/rand/v2"
	"testing"
	"time"
)

func benchTimes(n int) []time.Time {
	r := rand.New(rand.NewPCG(1, 2))
	lo := time.Date(2024, 1, 1, 0, 0, 0, 0, riga).Unix()
	out := make([]time.Time, n)
	for i := range out {
		out[i] = time.Unix(lo+r.Int64N(5*366*86400), 0)
	}
	return out
}

// BenchmarkHours measures Hours of random instants in 2024–2028 (tables warm).
func BenchmarkHours(b *testing.B) {
	c, _ := New(Config{})
	ts := benchTimes(4096)
	for _, t := range ts {
		c.Hours(t)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		c.Hours(ts[i&4095])
		i++
	}
}

// BenchmarkInterval measures Interval, the SLA clock's primitive.
func BenchmarkInterval(b *testing.B) {
	c, _ := New(Config{})
	ts := benchTimes(4096)
	for _, t := range ts {
		c.Interval(t)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		c.Interval(ts[i&4095])
		i++
	}
}

// BenchmarkBuildYear measures computing one year's table (first use of a year).
func BenchmarkBuildYear(b *testing.B) {
	c, _ := New(Config{})
	b.ReportAllocs()
	for b.Loop() {
		c.build(2026)
	}
}

// BenchmarkNew measures creating a Calendar.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(Config{}); err != nil {
			b.Fatal(err)
		}
	}
}
