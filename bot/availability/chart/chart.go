// Package chart draws a month's availability as a PNG with
// gonum.org/v1/plot: one panel per service with the month's timeline (a
// band of up, down and not-measured minutes along the bottom), each outage
// shaded and marked, the availability since the start of the month as a
// line, and the target as a dashed line — because people read a picture
// of an outage faster than a table.
//
// It is its own package so that only the code that draws imports the
// plotting library.
package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"itbot/bot"
	"itbot/bot/availability"
)

func init() {
	bot.RegisterTexts(
		bot.T("chart.title", "{{.Name}} — {{.Month}}: {{.Avail}} % (mērķis {{.Goal}} %)", "{{.Name}} — {{.Month}}: {{.Avail}} % (target {{.Goal}} %)"),
		bot.T("chart.x", "mēneša diena", "day of the month"),
		bot.T("chart.y", "pieejamība, %", "availability, %"),
		bot.T("chart.line", "pieejamība kopš mēneša sākuma", "availability since the start of the month"),
		bot.T("chart.target", "mērķis", "target"),
		bot.T("chart.outage", "dīkstāve", "outage"),
		bot.T("chart.unknown", "nav mērīts", "not measured"),
		bot.T("chart.up", "darbojas", "up"),
	)
}

// Size of the picture: width, and height per service, in pixels at DPI.
const (
	Width    = 1100
	PerPanel = 280
	DPI      = 96
)

var (
	colUp      = color.NRGBA{R: 46, G: 160, B: 67, A: 255}
	colDown    = color.NRGBA{R: 214, G: 39, B: 40, A: 255}
	colDownBg  = color.NRGBA{R: 214, G: 39, B: 40, A: 70}
	colUnknown = color.NRGBA{R: 150, G: 150, B: 150, A: 255}
	colUnkBg   = color.NRGBA{R: 150, G: 150, B: 150, A: 45}
	colLine    = color.NRGBA{R: 31, G: 95, B: 180, A: 255}
	colTarget  = color.NRGBA{R: 230, G: 120, B: 0, A: 255}
)

// LegendHeight is the height of the legend row under the panels, in
// pixels at DPI.
const LegendHeight = 34

// PNG draws the reports (one per service, same month) in language l: a
// panel per service, and under them one legend row for all — outside the
// plots, so it never covers the data.
func PNG(rs []*availability.Report, l bot.Lang) ([]byte, error) {
	if len(rs) == 0 {
		return nil, fmt.Errorf("chart: no reports")
	}
	plots := make([][]*plot.Plot, len(rs))
	var keys []legendEntry
	for i, r := range rs {
		p, entries, err := panel(r, l)
		if err != nil {
			return nil, err
		}
		plots[i] = []*plot.Plot{p}
		if i == 0 {
			keys = entries
		}
	}
	px := func(n int) vg.Length { return vg.Length(n) * vg.Inch / DPI }
	w, h := px(Width), px(PerPanel*len(rs)+LegendHeight)
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	legendArea, panels := dc, dc
	legendArea.Max.Y = dc.Min.Y + px(LegendHeight)
	panels.Min.Y = legendArea.Max.Y
	tiles := draw.Tiles{Rows: len(rs), Cols: 1, PadTop: 6, PadBottom: 4, PadLeft: 6, PadRight: 14, PadY: 14}
	canvases := plot.Align(plots, tiles, panels)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	legendRow(legendArea, keys)
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: png: %w", err)
	}
	return buf.Bytes(), nil
}

// legendEntry is one key of the legend row.
type legendEntry struct {
	text  string
	thumb plot.Thumbnailer
}

// legendRow draws the entries side by side, centred in c.
func legendRow(c draw.Canvas, entries []legendEntry) {
	sty := draw.TextStyle{Color: color.Black, Font: font.From(plot.DefaultFont, vg.Points(9)),
		YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
	thumbW, thumbH, pad, gap := vg.Points(20), vg.Points(8), vg.Points(4), vg.Points(16)
	var total vg.Length
	for _, e := range entries {
		total += thumbW + pad + sty.Width(e.text) + gap
	}
	total -= gap
	x := c.Min.X + (c.Max.X-c.Min.X-total)/2
	y := (c.Min.Y + c.Max.Y) / 2
	for _, e := range entries {
		tc := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: x, Y: y - thumbH/2}, Max: vg.Point{X: x + thumbW, Y: y + thumbH/2}}}
		e.thumb.Thumbnail(&tc)
		c.FillText(sty, vg.Point{X: x + thumbW + pad, Y: y}, e.text)
		x += thumbW + pad + sty.Width(e.text) + gap
	}
}

// panel draws one service's month and returns the legend's entries.
func panel(r *availability.Report, l bot.Lang) (*plot.Plot, []legendEntry, error) {
	p := plot.New()
	days := r.To.In(bot.TimeZone).AddDate(0, 0, -1).Day()
	x := func(t time.Time) float64 { return 1 + t.Sub(r.From).Hours()/24 }
	cum := r.CumulativeByDay()

	lo := r.Goal - 2*(100-r.Goal)
	for _, v := range cum {
		if !math.IsNaN(v) && v < lo+0.05*(100-lo) {
			lo = math.Floor(v*10)/10 - 0.1
		}
	}
	lo = max(lo, 0)
	span := 100 - lo
	hi := 100 + span*0.12 // room for the outage marks over the 100 % line
	band := span * 0.09
	p.X.Min, p.X.Max = 1, float64(days+1)
	p.Y.Min, p.Y.Max = lo-band, hi

	p.Title.Text = bot.Tr(l, "chart.title", bot.Args{"Name": r.Name, "Month": availability.MonthName(r.From, l),
		"Avail": availability.Percent(r.Availability(), l), "Goal": availability.Goal(r.Goal, l)})
	if !r.HasVerdict() {
		// Too little measured for the figure to mean much: say so.
		p.Title.Text += " · " + bot.Tr(l, "avail.measured", bot.Args{"Share": availability.Percent(100*r.MeasuredShare(), l)})
	}
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.X.Label.Text = bot.Tr(l, "chart.x", nil)
	p.Y.Label.Text = bot.Tr(l, "chart.y", nil)
	p.X.Tick.Marker = dayTicks(days)
	p.Y.Tick.Marker = percentTicks{lo: lo, l: l}
	p.Add(plotter.NewGrid())

	// Shading: outages and not-measured time, full height.
	var shade, strip []rect
	for _, sp := range r.Timeline.Spans(r.From, r.To) {
		if !sp.Start.Before(r.Now) {
			break
		}
		end := sp.End
		if end.After(r.Now) {
			end = r.Now
		}
		x0, x1 := x(sp.Start), x(end)
		switch sp.State {
		case availability.Down:
			shade = append(shade, rect{x0, x1, lo - band, hi, colDownBg})
			strip = append(strip, rect{x0, x1, lo - band, lo - band*0.15, colDown})
		case availability.Unknown:
			shade = append(shade, rect{x0, x1, lo - band, hi, colUnkBg})
			strip = append(strip, rect{x0, x1, lo - band, lo - band*0.15, colUnknown})
		default:
			strip = append(strip, rect{x0, x1, lo - band, lo - band*0.15, colUp})
		}
	}
	p.Add(rects(shade), rects(strip))

	target, err := plotter.NewLine(plotter.XYs{{X: 1, Y: r.Goal}, {X: float64(days + 1), Y: r.Goal}})
	if err != nil {
		return nil, nil, err
	}
	target.Color = colTarget
	target.Width = vg.Points(1.5)
	target.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
	p.Add(target)

	var pts plotter.XYs
	for i, v := range cum {
		if math.IsNaN(v) {
			continue
		}
		xe := float64(i + 2)
		if now := x(r.Now); now < xe {
			xe = now
		}
		pts = append(pts, plotter.XY{X: xe, Y: v})
	}
	// The line with a dot at each day's end, so a month with one day of
	// data (one point) still shows where availability stands.
	line := &plotter.Line{LineStyle: draw.LineStyle{Color: colLine, Width: vg.Points(2.5)}}
	if len(pts) > 0 {
		l, dots, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, nil, err
		}
		l.LineStyle = line.LineStyle
		dots.GlyphStyle = draw.GlyphStyle{Color: colLine, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		p.Add(l, dots)
	}

	// Outage marks: a triangle at the top over each outage's start, so a
	// one-minute outage is seen too.
	var marks plotter.XYs
	for _, o := range r.Outages {
		marks = append(marks, plotter.XY{X: x(o.Start), Y: 100 + span*0.04})
	}
	if len(marks) > 0 {
		sc, err := plotter.NewScatter(marks)
		if err != nil {
			return nil, nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: colDown, Radius: vg.Points(3.5), Shape: invertedTriangle{}}
		p.Add(sc)
	}

	entries := []legendEntry{
		{bot.Tr(l, "chart.line", nil), line},
		{bot.Tr(l, "chart.target", nil), target},
		{bot.Tr(l, "chart.outage", nil), swatch{colDown}},
		{bot.Tr(l, "chart.unknown", nil), swatch{colUnknown}},
		{bot.Tr(l, "chart.up", nil), swatch{colUp}},
	}
	return p, entries, nil
}

// rect is a filled rectangle in data coordinates.
type rect struct {
	x0, x1, y0, y1 float64
	c              color.Color
}

// rects draws rectangles, each at least a little wider than a pixel so a
// one-minute outage in a month stays visible.
type rects []rect

// Plot implements plot.Plotter.
func (rs rects) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	minW := vg.Points(1.2)
	for _, r := range rs {
		x0, x1 := tx(r.x0), tx(r.x1)
		if x1-x0 < minW {
			mid := (x0 + x1) / 2
			x0, x1 = mid-minW/2, mid+minW/2
		}
		y0, y1 := ty(r.y0), ty(r.y1)
		pts := c.ClipPolygonXY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
		if len(pts) > 0 {
			c.FillPolygon(r.c, pts)
		}
	}
}

// swatch is a legend entry of one colour.
type swatch struct{ c color.Color }

// Thumbnail implements plot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(s.c, pts)
}

// invertedTriangle is a glyph pointing down at the outage.
type invertedTriangle struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (invertedTriangle) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	c.FillPolygon(sty.Color, []vg.Point{{X: pt.X - r, Y: pt.Y + r}, {X: pt.X + r, Y: pt.Y + r}, {X: pt.X, Y: pt.Y - r}})
}

// dayTicks labels days 1, 5, 10 … at their start, with a minor tick each
// day.
func dayTicks(days int) plot.ConstantTicks {
	var ts plot.ConstantTicks
	for d := 1; d <= days+1; d++ {
		label := ""
		if d <= days && (d == 1 || d%5 == 0) {
			label = strconv.Itoa(d)
		}
		ts = append(ts, plot.Tick{Value: float64(d), Label: label})
	}
	return ts
}

// percentTicks labels the availability axis from lo to 100, in the
// language's decimal format.
type percentTicks struct {
	lo float64
	l  bot.Lang
}

// Ticks implements plot.Ticker.
func (t percentTicks) Ticks(_, _ float64) []plot.Tick {
	step := 0.1
	for (100-t.lo)/step > 6 {
		switch {
		case step < 0.2:
			step = 0.25
		case step < 0.5:
			step = 0.5
		default:
			step *= 2
		}
	}
	var ts []plot.Tick
	for v := 100.0; v >= t.lo-1e-9; v -= step {
		s := strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
		if t.l == bot.LV {
			s = commaDecimal(s)
		}
		ts = append(ts, plot.Tick{Value: v, Label: s})
	}
	return ts
}

func commaDecimal(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '.' {
			b[i] = ','
		}
	}
	return string(b)
}
