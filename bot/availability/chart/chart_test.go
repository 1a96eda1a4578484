package chart

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"itbot/bot"
	"itbot/bot/availability"
	"itbot/store"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs")

func riga(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, bot.TimeZone)
}

// reports builds November 2026 as of the 23rd 10:00: the DVS with an
// outage carried over from October, a 91-minute outage, three hours not
// measured and an outage going on now; Exchange Online with one 12-minute
// outage.
func reports(t testing.TB) []*availability.Report {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "itbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := t.Context()
	s := availability.NewStore(st)
	from, now := riga(2026, 11, 1, 0, 0), riga(2026, 11, 23, 10, 0)
	for _, f := range []struct {
		svc      string
		from, to time.Time
		st       availability.State
	}{
		{"dvs", from, riga(2026, 11, 9, 2, 0), availability.Up},
		{"dvs", riga(2026, 11, 9, 5, 0), now, availability.Up},
		{"dvs", riga(2026, 10, 31, 23, 48), riga(2026, 11, 1, 0, 14), availability.Down},
		{"dvs", riga(2026, 11, 17, 13, 2), riga(2026, 11, 17, 14, 33), availability.Down},
		{"dvs", riga(2026, 11, 23, 9, 41), now, availability.Down},
		{"exchange", from, now, availability.Up},
		{"exchange", riga(2026, 11, 20, 16, 5), riga(2026, 11, 20, 16, 17), availability.Down},
	} {
		if err := s.Fill(ctx, f.svc, f.from, f.to, f.st); err != nil {
			t.Fatal(err)
		}
	}
	var out []*availability.Report
	for _, tg := range []availability.Target{{Service: "dvs", Name: "DVS", Goal: 99.5}, {Service: "exchange", Name: "Exchange Online", Goal: 99.9}} {
		f, to := availability.Month(now)
		tl, err := s.Timeline(ctx, tg.Service, f.Add(-time.Minute), to.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, availability.Compute(tl, tg, f, to, now))
	}
	return out
}

func TestPNGGolden(t *testing.T) {
	rs := reports(t)
	for _, l := range []bot.Lang{bot.LV, bot.EN} {
		b, err := PNG(rs, l)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: not a PNG: %v", l, err)
		}
		if sz := img.Bounds().Size(); sz.X != Width || sz.Y != PerPanel*len(rs)+LegendHeight {
			t.Errorf("%s: %v px, want %dx%d", l, sz, Width, PerPanel*len(rs)+LegendHeight)
		}
		if n := len(b); n < 20<<10 || n > 400<<10 {
			t.Errorf("%s: %d bytes, outside 20 KB … 400 KB", l, n)
		}
		path := filepath.Join("testdata", "november."+string(l)+".golden.png")
		if *update {
			os.MkdirAll("testdata", 0o755)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		g, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		gi, err := png.Decode(bytes.NewReader(g))
		if err != nil {
			t.Fatalf("golden %s: %v", path, err)
		}
		if gi.Bounds() != img.Bounds() {
			t.Errorf("%s: size %v, golden %v", l, img.Bounds(), gi.Bounds())
		}
		// Same picture within a margin: font rasterisation may differ a
		// little between platforms, a different chart differs a lot.
		if d := float64(len(b)) / float64(len(g)); d < 0.8 || d > 1.25 {
			t.Errorf("%s: %d bytes, golden %d", l, len(b), len(g))
		}
	}
}

func TestPNGNothingMeasured(t *testing.T) {
	from, to := availability.Month(riga(2026, 12, 5, 0, 0))
	tl := &availability.Timeline{Start: from.Add(-time.Minute), States: make([]availability.State, int(to.Sub(from)/time.Minute)+2)}
	r := availability.Compute(tl, availability.Target{Service: "dvs", Name: "DVS", Goal: 99.5}, from, to, riga(2026, 12, 5, 0, 0))
	b, err := PNG([]*availability.Report{r}, bot.EN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	if _, err := PNG(nil, bot.LV); err == nil {
		t.Error("no reports: no error")
	}
}

func BenchmarkPNG(b *testing.B) {
	rs := reports(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PNG(rs, bot.LV); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPNGLittleData: a month with a few minutes measured still draws (the
// point of availability is seen) and its title says how little is
// measured.
func TestPNGLittleData(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "itbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := availability.NewStore(st)
	now := riga(2026, 11, 23, 10, 0)
	if err := s.Fill(t.Context(), "dvs", now.Add(-2*time.Minute), now, availability.Up); err != nil {
		t.Fatal(err)
	}
	f, to := availability.Month(now)
	tl, err := s.Timeline(t.Context(), "dvs", f.Add(-time.Minute), to.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	r := availability.Compute(tl, availability.Target{Service: "dvs", Name: "DVS", Goal: 99.5}, f, to, now)
	r.MinMeasured = availability.DefaultMinMeasured
	b, err := PNG([]*availability.Report{r}, bot.LV)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("ITBOT_CHART_OUT") != "" {
		os.WriteFile(os.Getenv("ITBOT_CHART_OUT"), b, 0o600)
	}
}
