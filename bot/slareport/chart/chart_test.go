package chart

import (
	"bytes"
	"image/png"
	"os"
	"testing"

	"itbot/bot"
	"itbot/bot/slareport"
)

// The month's chart: a bar per institution (the per-type rows are not
// drawn), sized for their number, in both languages.
func TestPNG(t *testing.T) {
	rep := &slareport.Report{Month: "2026-11",
		Rows: []slareport.Row{
			{Institution: "LGIA", Type: "licence.assign", WithinSLA: 10, Breached: 2},
			{Institution: "LGIA", WithinSLA: 18, Breached: 2},
			{Institution: "VRAA", WithinSLA: 7},
			{Institution: "VVD"},
		},
		Total: slareport.Row{WithinSLA: 25, Breached: 2}}
	for _, l := range []bot.Lang{bot.LV, bot.EN} {
		b, err := PNG(rep, l)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: not a PNG: %v", l, err)
		}
		if sz := img.Bounds().Size(); sz.X != Width || sz.Y != Height(3) {
			t.Errorf("%s: %v, want %dx%d (three institutions)", l, sz, Width, Height(3))
		}
		if out := os.Getenv("ITBOT_SLACHART_OUT"); out != "" {
			os.WriteFile(out+"."+string(l)+".png", b, 0o600)
		}
	}
	if _, err := PNG(&slareport.Report{Month: "2026-11"}, bot.LV); err == nil {
		t.Error("a chart of no institution")
	}
}
