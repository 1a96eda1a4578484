package availability

import (
	"context"
	"flag"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"itbot/bot"
	"itbot/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "itbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func riga(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, bot.TimeZone)
}

var (
	dvsTarget = Target{Service: "dvs", Name: "DVS", Goal: 99.5}
	exoTarget = Target{Service: "exchange", Name: "Exchange Online", Goal: 99.9}
)

func TestBitmapRecordAndRead(t *testing.T) {
	ctx := t.Context()
	s := NewStore(openStore(t))
	// Across the UTC day boundary (02:00 in Riga in winter).
	from, to := riga(2026, 11, 10, 1, 55), riga(2026, 11, 10, 2, 5)
	if err := s.Fill(ctx, "dvs", from, to, Up); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, "dvs", riga(2026, 11, 10, 1, 58).Add(30*time.Second), Down); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, "dvs", riga(2026, 11, 10, 1, 58), Up); err != nil { // Down is kept
		t.Fatal(err)
	}
	tl, err := s.Timeline(ctx, "dvs", from.Add(-2*time.Minute), to.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for _, st := range tl.States {
		got.WriteString(map[State]string{Unknown: "?", Up: "+", Down: "-"}[st])
	}
	if want := "??+++-++++++??"; got.String() != want {
		t.Fatalf("timeline %s, want %s", got.String(), want)
	}
	// A fresh store (no cache) reads the same.
	tl2, err := NewStore(s.kv).Timeline(ctx, "dvs", from, to)
	if err != nil {
		t.Fatal(err)
	}
	if string(stateBytes(tl2.States)) != string(stateBytes(tl.States[2:12])) {
		t.Fatalf("reread %v", tl2.States)
	}
	if err := s.Record(ctx, "bad/name", from, Up); err == nil {
		t.Error("bad service name accepted")
	}
}

func stateBytes(ss []State) []byte {
	b := make([]byte, len(ss))
	for i, s := range ss {
		b[i] = byte(s)
	}
	return b
}

// fill is one span of a scenario: [from, to) in a state.
type fill struct {
	from, to time.Time
	st       State
}

func TestCompute(t *testing.T) {
	novFrom, novTo := riga(2026, 11, 1, 0, 0), riga(2026, 12, 1, 0, 0)
	octFrom, octTo := riga(2026, 10, 1, 0, 0), riga(2026, 11, 1, 0, 0)
	type want struct {
		up, down, unknown, future int
		outages                   []Outage
		gaps                      int
	}
	tests := []struct {
		name     string
		fills    []fill
		from, to time.Time
		now      time.Time
		want     want
	}{
		{
			name: "outage across Riga midnight is one outage",
			fills: []fill{
				{novFrom, novTo, Up},
				{riga(2026, 11, 10, 23, 50), riga(2026, 11, 11, 0, 10), Down},
			},
			from: novFrom, to: novTo, now: novTo.Add(time.Hour),
			want: want{up: 43200 - 20, down: 20, outages: []Outage{{Start: riga(2026, 11, 10, 23, 50), End: riga(2026, 11, 11, 0, 10)}}},
		},
		{
			name: "outage across UTC midnight (the storage day) is one outage",
			fills: []fill{
				{novFrom, novTo, Up},
				{riga(2026, 11, 12, 1, 45), riga(2026, 11, 12, 2, 20), Down},
			},
			from: novFrom, to: novTo, now: novTo,
			want: want{up: 43200 - 35, down: 35, outages: []Outage{{Start: riga(2026, 11, 12, 1, 45), End: riga(2026, 11, 12, 2, 20)}}},
		},
		{
			name: "outage across the month boundary: October's part",
			fills: []fill{
				{octFrom, novTo, Up},
				{riga(2026, 10, 31, 23, 50), riga(2026, 11, 1, 0, 20), Down},
			},
			from: octFrom, to: octTo, now: novTo,
			// October 2026 has 31 days and the hour summer time gives back.
			want: want{up: 31*1440 + 60 - 10, down: 10, outages: []Outage{{Start: riga(2026, 10, 31, 23, 50), End: octTo, After: true}}},
		},
		{
			name: "outage across the month boundary: November's part",
			fills: []fill{
				{octFrom, novTo, Up},
				{riga(2026, 10, 31, 23, 50), riga(2026, 11, 1, 0, 20), Down},
			},
			from: novFrom, to: novTo, now: novTo,
			want: want{up: 43200 - 20, down: 20, outages: []Outage{{Start: novFrom, End: riga(2026, 11, 1, 0, 20), Before: true}}},
		},
		{
			name: "itbot not running: the gap is unknown, neither up nor down",
			fills: []fill{
				{novFrom, riga(2026, 11, 5, 9, 0), Up},
				// 09:00–12:00 nobody probed.
				{riga(2026, 11, 5, 12, 0), novTo, Up},
				{riga(2026, 11, 5, 12, 0), riga(2026, 11, 5, 12, 7), Down},
			},
			from: novFrom, to: novTo, now: novTo,
			want: want{up: 43200 - 180 - 7, down: 7, unknown: 180, gaps: 1,
				outages: []Outage{{Start: riga(2026, 11, 5, 12, 0), End: riga(2026, 11, 5, 12, 7)}}},
		},
		{
			name: "month under way: the rest is future; an outage reaching now is ongoing",
			fills: []fill{
				{novFrom, riga(2026, 11, 23, 9, 50), Up},
				{riga(2026, 11, 23, 9, 50), riga(2026, 11, 23, 10, 1), Down},
			},
			from: novFrom, to: novTo, now: riga(2026, 11, 23, 10, 0).Add(30 * time.Second),
			want: want{up: 22*1440 + 9*60 + 50, down: 11, future: 43200 - (22*1440 + 10*60 + 1),
				outages: []Outage{{Start: riga(2026, 11, 23, 9, 50), End: riga(2026, 11, 23, 10, 1), Ongoing: true}}},
		},
		{
			name: "nothing measured",
			from: novFrom, to: novTo, now: novTo,
			want:  want{unknown: 43200, gaps: 1},
			fills: nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			s := NewStore(openStore(t))
			for _, f := range tc.fills {
				if err := s.Fill(ctx, "dvs", f.from, f.to, f.st); err != nil {
					t.Fatal(err)
				}
			}
			tl, err := s.Timeline(ctx, "dvs", tc.from.Add(-time.Minute), tc.to.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			r := Compute(tl, dvsTarget, tc.from, tc.to, tc.now)
			if r.Up != tc.want.up || r.Down != tc.want.down || r.Unknown != tc.want.unknown || r.Future != tc.want.future {
				t.Errorf("up/down/unknown/future = %d/%d/%d/%d, want %d/%d/%d/%d", r.Up, r.Down, r.Unknown, r.Future,
					tc.want.up, tc.want.down, tc.want.unknown, tc.want.future)
			}
			if r.Up+r.Down+r.Unknown+r.Future != r.Minutes {
				t.Errorf("minutes do not add up: %+v", r)
			}
			if len(r.Gaps) != tc.want.gaps {
				t.Errorf("gaps %v", r.Gaps)
			}
			if len(r.Outages) != len(tc.want.outages) {
				t.Fatalf("outages %+v, want %+v", r.Outages, tc.want.outages)
			}
			for i, o := range r.Outages {
				w := tc.want.outages[i]
				if !o.Start.Equal(w.Start) || !o.End.Equal(w.End) || o.Before != w.Before || o.After != w.After || o.Ongoing != w.Ongoing {
					t.Errorf("outage %d = %+v, want %+v", i, o, w)
				}
			}
		})
	}
}

func TestBudgetArithmetic(t *testing.T) {
	from, to := ParseMonth2(t, "2026-11")
	r := &Report{Target: dvsTarget, From: from, To: to, Minutes: int(to.Sub(from) / time.Minute), Up: 40000, Down: 108}
	if r.Minutes != 43200 || r.Budget() != 216 || r.BudgetLeft() != 108 || r.BudgetUsed() != 0.5 {
		t.Errorf("DVS: minutes %d budget %v left %v used %v", r.Minutes, r.Budget(), r.BudgetLeft(), r.BudgetUsed())
	}
	x := &Report{Target: exoTarget, Minutes: 43200, Up: 43000, Down: 50}
	if math.Abs(x.Budget()-43.2) > 1e-9 || x.BudgetLeft() >= 0 || x.Met() {
		t.Errorf("Exchange: budget %v left %v met %v", x.Budget(), x.BudgetLeft(), x.Met())
	}
	empty := &Report{Target: dvsTarget, Minutes: 43200}
	if !math.IsNaN(empty.Availability()) || !empty.Met() {
		t.Errorf("empty report %v %v", empty.Availability(), empty.Met())
	}
	tests := []struct {
		v      float64
		lv, en string
	}{
		{99.899, "99,89", "99.89"}, {100, "100,00", "100.00"}, {99.5, "99,50", "99.50"}, {math.NaN(), "—", "—"},
	}
	for _, tc := range tests {
		if lv, en := Percent(tc.v, bot.LV), Percent(tc.v, bot.EN); lv != tc.lv || en != tc.en {
			t.Errorf("Percent(%v) = %q %q", tc.v, lv, en)
		}
	}
	if Minutes(43.2, bot.LV) != "43,2" || Minutes(216, bot.EN) != "216" || Goal(99.9, bot.LV) != "99,9" {
		t.Error("minute/goal formatting")
	}
}

func ParseMonth2(t *testing.T, s string) (time.Time, time.Time) {
	t.Helper()
	from, to, err := ParseMonth(s)
	if err != nil {
		t.Fatal(err)
	}
	return from, to
}

func TestParseMonth(t *testing.T) {
	from, to := ParseMonth2(t, "2026-03")
	if !from.Equal(riga(2026, 3, 1, 0, 0)) || !to.Equal(riga(2026, 4, 1, 0, 0)) || to.Sub(from) != 31*24*time.Hour-time.Hour {
		t.Errorf("March 2026: %v – %v", from, to)
	}
	for _, bad := range []string{"2026-13", "11.2026", "", "2026"} {
		if _, _, err := ParseMonth(bad); err == nil {
			t.Errorf("ParseMonth(%q) accepted", bad)
		}
	}
}

func TestCumulativeByDay(t *testing.T) {
	ctx := t.Context()
	s := NewStore(openStore(t))
	from, to := ParseMonth2(t, "2026-11")
	now := riga(2026, 11, 3, 12, 0)
	s.Fill(ctx, "dvs", from, now, Up)
	s.Fill(ctx, "dvs", riga(2026, 11, 2, 10, 0), riga(2026, 11, 2, 11, 12), Down)
	tl, _ := s.Timeline(ctx, "dvs", from.Add(-time.Minute), to.Add(time.Minute))
	c := Compute(tl, dvsTarget, from, to, now).CumulativeByDay()
	if len(c) != 3 || c[0] != 100 || math.Abs(c[1]-100*(2880-72)/2880.0) > 1e-9 || c[2] <= c[1] {
		t.Errorf("cumulative %v", c)
	}
}

// clock is a settable clock for monitor tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// scripted probes answer from a script the test changes.
type scripted struct {
	up      bool
	unknown bool
	detail  string
	err     error
	calls   int
}

func (p *scripted) probe(ctx context.Context) (bot.Health, error) {
	p.calls++
	if p.err != nil {
		return bot.Health{}, p.err
	}
	st := "operational"
	if !p.up {
		st = "unavailable"
	}
	if p.unknown {
		return bot.Health{Status: "someNewStatus", Unknown: true}, nil
	}
	return bot.Health{Up: p.up, Status: st, Detail: p.detail}, nil
}

// recorder is an ops channel.
type recorder struct{ got []bot.Notice }

func (r *recorder) Platform() string   { return "test" }
func (r *recorder) OpsChannel() string { return "ops" }
func (r *recorder) Post(_ context.Context, n bot.Notice) error {
	r.got = append(r.got, n)
	return nil
}

func (r *recorder) titles() []string {
	var out []string
	for _, n := range r.got {
		out = append(out, n.Reply.Title)
	}
	return out
}

type monEnv struct {
	kv       *store.Store
	mon      *Monitor
	dvs, exo *scripted
	ops      *recorder
	clk      *clock
}

func newMon(t *testing.T, kv *store.Store, start time.Time) *monEnv {
	e := &monEnv{kv: kv, dvs: &scripted{up: true}, exo: &scripted{up: true}, ops: &recorder{}, clk: &clock{start}}
	n := bot.NewNotifier(nil)
	n.OpsLang = bot.EN
	n.Add(e.ops)
	e.mon = NewMonitor(kv, n, Service{Target: dvsTarget, Probe: e.dvs.probe}, Service{Target: exoTarget, Probe: e.exo.probe})
	e.mon.Now = e.clk.now
	e.mon.Log = slog.New(slog.DiscardHandler)
	return e
}

// minutes runs n probe rounds a minute apart.
func (e *monEnv) minutes(t *testing.T, n int) {
	t.Helper()
	for range n {
		if err := e.mon.ProbeOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		e.clk.t = e.clk.t.Add(time.Minute)
	}
}

func TestMonitorOutageAndAlerts(t *testing.T) {
	e := newMon(t, openStore(t), riga(2026, 11, 23, 9, 0).Add(10*time.Second))
	e.minutes(t, 10)
	e.dvs.up, e.dvs.detail = false, "datu bāzes serveris nestrādā"
	e.minutes(t, 1)
	if len(e.ops.got) != 0 {
		t.Fatalf("alert after one failed probe: %v", e.ops.titles())
	}
	e.minutes(t, 4)
	e.dvs.up, e.dvs.detail = true, ""
	e.minutes(t, 5)
	if got := e.ops.titles(); len(got) != 2 || got[0] != "🔴 DVS is down" || got[1] != "🟢 DVS is back up" {
		t.Fatalf("alerts %q", got)
	}
	if s := e.ops.got[0].Reply.Text; !strings.Contains(s, "since 2026-11-23 09:10") || !strings.Contains(s, "datu bāzes serveris nestrādā") {
		t.Errorf("down alert %q", s)
	}
	if s := e.ops.got[1].Reply.Text; !strings.Contains(s, "~5 min") || !strings.Contains(s, "211 min") {
		t.Errorf("up alert %q", s)
	}
	r, err := e.mon.Report(t.Context(), dvsTarget, e.clk.t)
	if err != nil {
		t.Fatal(err)
	}
	if r.Down != 5 || len(r.Outages) != 1 || r.Outages[0].Minutes() != 5 || r.Current != Up {
		t.Errorf("report: down %d outages %+v current %v", r.Down, r.Outages, r.Current)
	}
	x, _ := e.mon.Report(t.Context(), exoTarget, e.clk.t)
	if x.Up != 20 || x.Down != 0 {
		t.Errorf("exchange up %d down %d", x.Up, x.Down)
	}
}

func TestMonitorFlapIsRecordedNotAlerted(t *testing.T) {
	e := newMon(t, openStore(t), riga(2026, 11, 23, 9, 0))
	e.minutes(t, 3)
	e.exo.err = context.DeadlineExceeded
	e.minutes(t, 1)
	e.exo.err = nil
	e.minutes(t, 3)
	if len(e.ops.got) != 0 {
		t.Fatalf("alerts %q", e.ops.titles())
	}
	r, _ := e.mon.Report(t.Context(), exoTarget, e.clk.t)
	if r.Down != 1 {
		t.Errorf("down minutes %d, want 1", r.Down)
	}
}

func TestMonitorGaps(t *testing.T) {
	e := newMon(t, openStore(t), riga(2026, 11, 23, 9, 0))
	e.minutes(t, 5)
	e.clk.t = e.clk.t.Add(2 * time.Minute) // a late tick: filled in
	e.minutes(t, 5)
	e.clk.t = e.clk.t.Add(40 * time.Minute) // itbot was not running
	e.minutes(t, 5)
	r, _ := e.mon.Report(t.Context(), dvsTarget, e.clk.t)
	start := riga(2026, 11, 23, 9, 0)
	if r.Up != 5+2+5+5 {
		t.Errorf("up %d, want 17", r.Up)
	}
	var inDay []Span
	for _, g := range r.Gaps {
		if !g.End.Before(start) && g.Start.After(start) {
			inDay = append(inDay, g)
		}
	}
	if len(inDay) != 1 || inDay[0].Duration() != 40*time.Minute || !inDay[0].Start.Equal(start.Add(12*time.Minute)) {
		t.Errorf("gaps after the start %+v", inDay)
	}
	if r.Down != 0 || !r.Met() {
		t.Errorf("a gap counted as down: %+v", r)
	}
}

func TestMonitorBudgetAlertsOnce(t *testing.T) {
	e := newMon(t, openStore(t), riga(2026, 11, 2, 8, 0))
	e.minutes(t, 2)
	e.exo.up = false
	e.minutes(t, 50) // Exchange's November budget is 43.2 min
	got := e.ops.titles()
	want := []string{"🔴 Exchange Online is down", "⚠ Exchange Online: half the downtime budget used", "⛔ Exchange Online: downtime budget used up"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("alerts %q, want %q", got, want)
	}
	if s := e.ops.got[1].Reply.Text; !strings.Contains(s, "down 22 min this month of a 43.2 min budget") {
		t.Errorf("half alert %q", s)
	}
	// A restart (a new monitor on the same data) neither repeats the down
	// alert nor the budget alerts, and still sends the recovery.
	e2 := newMon(t, e.kv, e.clk.t)
	e2.exo.up = false
	e2.minutes(t, 3)
	e2.exo.up = true
	e2.minutes(t, 1)
	if got := e2.ops.titles(); len(got) != 1 || got[0] != "🟢 Exchange Online is back up" {
		t.Fatalf("after restart: %q", got)
	}
	// Next month the budget alerts come again.
	e3 := newMon(t, e.kv, riga(2026, 12, 1, 0, 0))
	e3.exo.up = false
	e3.minutes(t, 23)
	if got := e3.ops.titles(); len(got) != 2 || !strings.Contains(got[1], "half") {
		t.Fatalf("december: %q", got)
	}
}

// An answer the adapter cannot read as up or down (an unknown status) is
// not an outage: no down minutes, no alert, the state is unknown.
func TestMonitorUnknownStateIsNotDown(t *testing.T) {
	e := newMon(t, openStore(t), riga(2026, 11, 23, 9, 0))
	e.minutes(t, 3)
	e.exo.unknown = true
	e.minutes(t, 5)
	if len(e.ops.got) != 0 {
		t.Fatalf("alerts %q", e.ops.titles())
	}
	st, err := e.mon.Status(t.Context(), "exchange")
	if err != nil || st.State != Unknown {
		t.Fatalf("status %+v %v", st, err)
	}
	e.exo.unknown = false
	e.minutes(t, 2)
	r, _ := e.mon.Report(t.Context(), exoTarget, e.clk.t)
	if r.Down != 0 || r.Up != 5 {
		t.Errorf("up %d down %d, want 5 and 0 (the unknown minutes are not measured)", r.Up, r.Down)
	}
}

func TestMonitorProbeErrorsCountAsDown(t *testing.T) {
	e := newMon(t, openStore(t), riga(2026, 11, 23, 9, 0))
	e.dvs.err = bot.Errorf(bot.EUNAVAILABLE, "executor.no_dvs")
	e.mon.Services = append(e.mon.Services, Service{Target: Target{Service: "none", Name: "None", Goal: 99}})
	e.minutes(t, 2)
	st, err := e.mon.Status(t.Context(), "dvs")
	if err != nil || st.State != Down || st.Health.Detail != "The DVS connection is not configured." {
		t.Fatalf("status %+v %v", st, err)
	}
	if st, _ := e.mon.Status(t.Context(), "none"); st == nil || st.State != Down {
		t.Errorf("a service without a probe: %+v", st)
	}
}

func TestRenderGolden(t *testing.T) {
	ctx := t.Context()
	kv := openStore(t)
	e := newMon(t, kv, riga(2026, 11, 1, 0, 0))
	s := e.mon.Store
	from := riga(2026, 11, 1, 0, 0)
	now := riga(2026, 11, 23, 10, 0)
	s.Fill(ctx, "dvs", from, riga(2026, 11, 9, 2, 0), Up)
	s.Fill(ctx, "dvs", riga(2026, 11, 9, 5, 0), now, Up)
	s.Fill(ctx, "dvs", riga(2026, 10, 31, 23, 48), riga(2026, 11, 1, 0, 14), Down)
	s.Fill(ctx, "dvs", riga(2026, 11, 17, 13, 2), riga(2026, 11, 17, 14, 33), Down)
	s.Fill(ctx, "dvs", riga(2026, 11, 23, 9, 41), now.Add(time.Minute), Down)
	s.Fill(ctx, "exchange", from, now.Add(time.Minute), Up)
	s.Fill(ctx, "exchange", riga(2026, 11, 20, 16, 5), riga(2026, 11, 20, 16, 17), Down)
	e.clk.t = now.Add(-time.Minute)
	e.dvs.up, e.dvs.detail = false, "HTTP 503: plānota apkope"
	e.minutes(t, 1)
	e.clk.t = now
	rs, err := e.mon.Reports(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []bot.Lang{bot.LV, bot.EN} {
		got := Render(rs, l) + "\n"
		path := filepath.Join("testdata", "status."+string(l)+".golden")
		if *update {
			os.MkdirAll("testdata", 0o755)
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if got != string(want) {
			t.Errorf("%s render differs from %s:\n%s", l, path, got)
		}
	}
	// A past month: no current state line.
	past, _ := e.mon.Reports(ctx, riga(2026, 10, 15, 0, 0))
	if out := Render(past, bot.EN); !strings.Contains(out, "October 2026") || strings.Contains(out, "✅") || !strings.Contains(out, "went on into the next month") {
		t.Errorf("October:\n%s", out)
	}
}

// TestNoVerdictOnLittleData: a few minutes measured in a month give the
// figure with how little it rests on, not a "met" mark; enough measured
// gives the verdict and the share.
func TestNoVerdictOnLittleData(t *testing.T) {
	e := newMon(t, openStore(t), riga(2026, 11, 23, 9, 0).Add(10*time.Second))
	e.minutes(t, 2)
	r, err := e.mon.Report(t.Context(), dvsTarget, e.clk.t)
	if err != nil {
		t.Fatal(err)
	}
	if r.HasVerdict() || r.MeasuredShare() > 0.001 {
		t.Fatalf("verdict on %d measured minutes (share %v)", r.Measured(), r.MeasuredShare())
	}
	for _, l := range []bot.Lang{bot.LV, bot.EN} {
		out := Render([]*Report{r}, l)
		if strings.Contains(out, "✓") || strings.Contains(out, "✗") || !strings.Contains(out, bot.Tr(l, "avail.no_verdict", bot.Args{})[:12]) {
			t.Errorf("%s:\n%s", l, out)
		}
	}
	e.mon.MinMeasured = 0.00001
	r, _ = e.mon.Report(t.Context(), dvsTarget, e.clk.t)
	if !r.HasVerdict() || !strings.Contains(Render([]*Report{r}, bot.EN), "✓") {
		t.Errorf("a lower min_measured gives the verdict:\n%s", Render([]*Report{r}, bot.EN))
	}
}
