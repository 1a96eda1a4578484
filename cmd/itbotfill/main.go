// Command itbotfill fills an itbot data file with requests created through
// the real router, for the scale benchmarks (docs/BENCHMARKS.md):
//
//	go run ./cmd/itbotfill -n 100000 -o /tmp/itbot-100k.db
//
// An existing file is topped up to -n requests.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"time"

	"itbot/scale"
)

func main() {
	n := flag.Int("n", 10000, "requests the file should hold")
	out := flag.String("o", "itbot-scale.db", "data file")
	closed := flag.Float64("closed", 0.13, "share of the requests cancelled right after creation")
	workers := flag.Int("workers", 32, "requests routed at once")
	cpu := flag.String("cpuprofile", "", "write a CPU profile here")
	flag.Parse()
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e, err := scale.Open(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "itbotfill:", err)
		os.Exit(1)
	}
	start := time.Now()
	have, err := scale.Fill(ctx, e, *n, *closed, *workers, os.Stderr)
	if cerr := e.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "itbotfill:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	size := scale.FileSize(*out)
	fmt.Printf("%s: %d requests in %.1fs, %d bytes (%.0f bytes a request)\n", *out, have, time.Since(start).Seconds(), size, float64(size)/float64(max(have, 1)))
}
