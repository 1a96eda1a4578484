package sla

import (
	"math/rand/v2"
	"testing"
	"time"
)

func benchStarts(n int) []time.Time {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]time.Time, n)
	for i := range out {
		out[i] = randomStart(r)
	}
	return out
}

// BenchmarkDue measures the 1d due time of random starts in 2024–2028
// (calendar tables warm).
func BenchmarkDue(b *testing.B) {
	k := newClock(b, true)
	starts := benchStarts(4096)
	for _, s := range starts {
		k.Due(s, DefaultPolicy, nil) // warm the year tables
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		k.Due(starts[i&4095], DefaultPolicy, nil)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "dues/s")
}

// BenchmarkDuePaused measures a 1d due time with two pauses (budget model).
func BenchmarkDuePaused(b *testing.B) {
	k := newClock(b, true)
	starts := benchStarts(4096)
	pauses := make([][]Pause, len(starts))
	for i, s := range starts {
		pauses[i] = []Pause{{From: s.Add(time.Hour), To: s.Add(20 * time.Hour)}, {From: s.Add(30 * time.Hour), To: s.Add(50 * time.Hour)}}
		k.Due(s, DefaultPolicy, pauses[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		k.Due(starts[i&4095], DefaultPolicy, pauses[i&4095])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "dues/s")
}

// BenchmarkRemaining measures Remaining for a running 1d request.
func BenchmarkRemaining(b *testing.B) {
	k := newClock(b, true)
	starts := benchStarts(4096)
	for _, s := range starts {
		k.Remaining(s.Add(5*time.Hour), s, DefaultPolicy, nil)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		s := starts[i&4095]
		k.Remaining(s.Add(5*time.Hour), s, DefaultPolicy, nil)
		i++
	}
}
