package dvs

import (
	"log/slog"
	"testing"
	"time"

	"itbot/adapters/dvs/dvstest"
)

// BenchmarkGrantRole is one grant through the client: JSON over HTTP on
// loopback to the simulator and back, the outcome phrased.
func BenchmarkGrantRole(b *testing.B) {
	sim, hs := dvstest.NewHTTPTest(dvstest.Options{})
	defer hs.Close()
	c, _ := New(Config{BaseURL: hs.URL + dvstest.Prefix, Token: sim.Token(), Log: slog.New(slog.DiscardHandler)})
	inst := inst(b, "LGIA")
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GrantRole(ctx, inst, "anna.berzina@lgia.gov.lv", "lasitajs"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHealth is one availability probe.
func BenchmarkHealth(b *testing.B) {
	sim, hs := dvstest.NewHTTPTest(dvstest.Options{})
	defer hs.Close()
	c, _ := New(Config{BaseURL: hs.URL + dvstest.Prefix, Token: sim.Token(), Log: slog.New(slog.DiscardHandler)})
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Health(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExportMonth is a month's export (LGIA, October 2026: ~1 000
// documents) with no wait between polls: start, five polls, the result.
func BenchmarkExportMonth(b *testing.B) {
	sim, hs := dvstest.NewHTTPTest(dvstest.Options{})
	defer hs.Close()
	sl := &sleeps{}
	c, _ := New(Config{BaseURL: hs.URL + dvstest.Prefix, Token: sim.Token(), Sleep: sl.sleep, Log: slog.New(slog.DiscardHandler)})
	inst := inst(b, "LGIA")
	ctx := b.Context()
	from, to := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Export(ctx, inst, from, to, nil); err != nil {
			b.Fatal(err)
		}
	}
}
