// Package chart draws a month's SLA compliance as a PNG with
// gonum.org/v1/plot: one horizontal bar per institution, the share of its
// requests kept within the SLA, against the promise (every request within
// its SLA: 100 %) — the picture the agency sends with the monthly report.
//
// It is its own package so that only the code that draws imports the
// plotting library.
package chart

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"itbot/bot"
	"itbot/bot/availability"
	"itbot/bot/slareport"
)

func init() {
	bot.RegisterTexts(
		bot.T("slachart.title", "SLA izpilde — {{.Month}}: termiņā {{.Share}} % no {{.Judged}}", "SLA compliance — {{.Month}}: {{.Share}} % of {{.Judged}} within the SLA"),
		bot.T("slachart.x", "termiņā izpildīto daļa, %", "share kept within the SLA, %"),
		bot.T("slachart.bar", "{{.Code}} ({{.Judged}})", "{{.Code}} ({{.Judged}})"),
		bot.T("slachart.none", "{{.Code}} (nav vērtējamu)", "{{.Code}} (none judged)"),
	)
}

// Size of the picture, in pixels at DPI: the width, and the height per
// institution (plus the title and axis).
const (
	Width  = 900
	PerRow = 34
	Base   = 150
	DPI    = 96
)

var (
	colGood    = color.NRGBA{R: 46, G: 160, B: 67, A: 255}
	colShort   = color.NRGBA{R: 230, G: 120, B: 0, A: 255}
	colPromise = color.NRGBA{R: 31, G: 95, B: 180, A: 255}
)

// PNG draws the report's institutions (their total rows) in language l.
func PNG(rep *slareport.Report, l bot.Lang) ([]byte, error) {
	var rows []slareport.Row
	for _, r := range rep.Rows {
		if r.Type == "" {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("slachart: no institution in the report")
	}
	p := plot.New()
	from, _, err := availability.ParseMonth(rep.Month)
	if err != nil {
		return nil, fmt.Errorf("slachart: %w", err)
	}
	share := rep.Total.Share()
	shareText := "—"
	if share >= 0 {
		shareText = availability.Goal(float64(int(share*10))/10, l)
	}
	p.Title.Text = bot.Tr(l, "slachart.title", bot.Args{"Month": availability.MonthName(from, l), "Share": shareText,
		"Judged": rep.Total.WithinSLA + rep.Total.Breached})
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.X.Label.Text = bot.Tr(l, "slachart.x", nil)
	p.X.Min, p.X.Max = 0, 100
	p.Add(plotter.NewGrid())

	// One bar per institution, top to bottom in the report's order; a bar
	// short of the promise is drawn in orange.
	n := len(rows)
	var good, short plotter.Values
	var names []string
	for i := range rows {
		r := rows[n-1-i] // the first institution on top
		v := r.Share()
		judged := r.WithinSLA + r.Breached
		g, s := 0.0, 0.0
		switch {
		case v < 0:
			names = append(names, bot.Tr(l, "slachart.none", bot.Args{"Code": r.Institution}))
		case v >= 100:
			g = v
			names = append(names, bot.Tr(l, "slachart.bar", bot.Args{"Code": r.Institution, "Judged": judged}))
		default:
			s = v
			names = append(names, bot.Tr(l, "slachart.bar", bot.Args{"Code": r.Institution, "Judged": judged}))
		}
		good, short = append(good, g), append(short, s)
	}
	w := vg.Points(16)
	for _, b := range []struct {
		v plotter.Values
		c color.Color
	}{{good, colGood}, {short, colShort}} {
		bars, err := plotter.NewBarChart(b.v, w)
		if err != nil {
			return nil, err
		}
		bars.Horizontal = true
		bars.Color = b.c
		bars.LineStyle.Width = 0
		p.Add(bars)
	}
	p.NominalY(names...)

	// The promise: every request within its SLA.
	promise, err := plotter.NewLine(plotter.XYs{{X: 100, Y: -0.5}, {X: 100, Y: float64(n) - 0.5}})
	if err != nil {
		return nil, err
	}
	promise.Color, promise.Width, promise.Dashes = colPromise, vg.Points(1.5), []vg.Length{vg.Points(6), vg.Points(4)}
	p.Add(promise)

	// Each bar's figure at its end, so the picture reads without the axis.
	var labels plotter.XYLabels
	for i := range good {
		v := max(good[i], short[i])
		txt := availability.Goal(float64(int(v*10))/10, l) + " %"
		if good[i] == 0 && short[i] == 0 && rows[n-1-i].Share() < 0 {
			txt = ""
		}
		labels.XYs = append(labels.XYs, plotter.XY{X: min(v+1, 92), Y: float64(i)})
		labels.Labels = append(labels.Labels, txt)
	}
	ls, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, err
	}
	for i := range ls.TextStyle {
		ls.TextStyle[i].YAlign = draw.YCenter
		ls.TextStyle[i].Font.Size = vg.Points(9)
	}
	p.Add(ls)

	px := func(k int) vg.Length { return vg.Length(k) * vg.Inch / DPI }
	img := vgimg.NewWith(vgimg.UseWH(px(Width), px(Base+PerRow*n)), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(img))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("slachart: png: %w", err)
	}
	return buf.Bytes(), nil
}

// Height is the picture's height in pixels for n institutions.
func Height(n int) int { return Base + PerRow*n }
