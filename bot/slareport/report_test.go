package slareport_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"itbot/bot"
	"itbot/bot/export"
	"itbot/bot/slaclock"
	"itbot/bot/slareport"
	"itbot/bottest"
)

const (
	ilze  = "ilze.liepa@lgia.gov.lv"
	oper  = "kristaps.lapsa@vraa.gov.lv"
	maris = "maris.egle@vvd.gov.lv"
)

// TestMonthReport: consultations received in November 2026 (one resolved
// in time, one resolved late, one left open past due, one waiting for
// information, one cancelled; one from VVD), one received in December:
// the report's figures equal those worked out from the exported history
// by the SLA clock's own rules (one working day, the pause not counted).
func TestMonthReport(t *testing.T) {
	e := bottest.New(t) // Mon 2026-11-23 10:00 Riga
	clock, err := slaclock.New(slaclock.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e.Bot.SLA = clock
	id := func(rs []bot.Reply) string {
		for _, r := range rs {
			if i := strings.Index(r.Text, "IT-2026-"); i >= 0 {
				return r.Text[i : i+14]
			}
		}
		t.Fatalf("no id in %+v", rs)
		return ""
	}
	inTime := id(e.Say(ilze, "/it konsultācija Pirmais"))
	late := id(e.Say(ilze, "/it konsultācija Otrais"))
	open := id(e.Say(ilze, "/it konsultācija Trešais"))
	paused := id(e.Say(ilze, "/it konsultācija Ceturtais"))
	cancelled := id(e.Say(ilze, "/it konsultācija Piektais"))
	vvd := id(e.Say(maris, "/it konsultācija Sestais"))
	e.Clock.Advance(2 * time.Hour) // 12:00, same day
	e.Say(oper, "/it done "+inTime+" atbildēts")
	e.Say(oper, "/it wait "+paused+" info vajag precizēt")
	e.Say(ilze, "/it cancel "+cancelled)
	e.Clock.Advance(48 * time.Hour) // Wed 12:00: a working day is long over
	e.Say(oper, "/it done "+late+" atbildēts ar nokavēšanos")
	e.Say(oper, "/it done "+vvd+" atbildēts")
	e.Clock.Set(bottest.Riga(2026, time.December, 1, 10, 0))
	e.Say(ilze, "/it konsultācija Decembrī")
	now := bottest.Riga(2026, time.December, 2, 9, 0)

	rep, err := slareport.Build(context.Background(), e.Store, clock, bottest.Riga(2026, time.November, 15, 0, 0), "", now)
	if err != nil {
		t.Fatal(err)
	}
	tot := rep.Total
	if tot.Received != 5 || tot.Cancelled != 1 || tot.Resolved != 3 || tot.WithinSLA != 1 || tot.Breached != 3 || tot.Paused != 1 || tot.Open != 2 {
		t.Errorf("month total %+v", tot)
	}
	wantBreaches := []string{late, open, vvd}
	if !slices.Equal(rep.Breaches, wantBreaches) {
		t.Errorf("breaches %v, want %v", rep.Breaches, wantBreaches)
	}
	// Business time to resolution: 2 h for the one in time, far more for
	// the two resolved on Wednesday; the median is one of those.
	if tot.Median <= 2*time.Hour || tot.P90 < tot.Median {
		t.Errorf("median %v, p90 %v", tot.Median, tot.P90)
	}
	var lgia *slareport.Row
	for i, r := range rep.Rows {
		if r.Institution == "LGIA" && r.Type == "" {
			lgia = &rep.Rows[i]
		}
	}
	if lgia == nil || lgia.Received != 4 || lgia.WithinSLA != 1 || lgia.Breached != 2 {
		t.Errorf("LGIA %+v", lgia)
	}
	if s := lgia.Share(); s < 33.3 || s > 33.4 {
		t.Errorf("LGIA share %.2f, want 33.3", s)
	}
	lv, en := rep.Text(bot.LV), rep.Text(bot.EN)
	if !strings.Contains(lv, "Kavēti 3 pieteikumi") || !strings.Contains(en, "3 breaches") || !strings.Contains(lv, "33,3 %") {
		t.Errorf("text:\n%s\n%s", lv, en)
	}
	csv := string(rep.CSV(bot.LV))
	if !strings.HasPrefix(csv, "\ufeffMēnesis;Iestāde;") || !strings.Contains(csv, "2026-11;LGIA;;4;2;1;2;1;2;1;33,3;") {
		t.Errorf("csv:\n%s", csv)
	}
	// One institution; another month.
	if rep, _ := slareport.Build(context.Background(), e.Store, clock, now, "LGIA", now); rep.Total.Received != 1 {
		t.Errorf("December: %+v", rep.Total)
	}
}

// TestMonthReportEqualsHistory: six weeks of requests made through the
// commands with a fake clock — across October, November (its holiday on
// the 18th) and December, around Riga's midnight at a month's end, paused
// for information and procurement, waiting for approval, resolved in time
// and late, rejected, cancelled — then every month's report (all
// institutions and one) equals what this test works out on its own from
// the exported JSON Lines: each line's request and history through the
// SLA clock's Status, counted by the rules.
func TestMonthReportEqualsHistory(t *testing.T) {
	e := bottest.New(t)
	clock, err := slaclock.New(slaclock.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e.Bot.SLA = clock
	rng := rand.New(rand.NewPCG(21, 2026))
	requesters := []string{ilze, maris, "anna.berzina@lgia.gov.lv", "janis.ozols@lgia.gov.lv", "laura.koka@vid.gov.lv"}
	var ids, licences []string
	created := func(rs []bot.Reply) string {
		for _, r := range rs {
			if r.Request != nil && !slices.Contains(ids, r.Request.ID) {
				ids = append(ids, r.Request.ID)
				return r.Request.ID
			}
		}
		return ""
	}
	recent := func(ids []string) string { return ids[len(ids)-1-rng.IntN(min(len(ids), 12))] }
	pick := func() string { return recent(ids) } // mostly the recent ones
	act := func() {
		switch n := rng.IntN(20); {
		case n < 7 || len(ids) == 0:
			created(e.Say(requesters[rng.IntN(len(requesters))], "/it konsultācija Jautājums "+strconv.Itoa(len(ids))))
		case n < 9:
			user := []string{"janis.ozols", "anna.berzina", "peteris.kalnins"}[rng.IntN(3)]
			if id := created(e.Say("anna.berzina@lgia.gov.lv", "/it licence assign "+user+"@lgia.gov.lv "+[]string{"E3", "E5", "F3"}[rng.IntN(3)])); id != "" {
				licences = append(licences, id)
			}
		case n < 10 && len(licences) > 0:
			e.Say(ilze, "/it apstiprināt "+recent(licences))
		case n < 11 && len(licences) > 0:
			e.Say(ilze, "/it noraidīt "+recent(licences)+" nevajag")
		case n < 14:
			e.Say(oper, "/it done "+pick()+" atbildēts")
		case n < 15:
			e.Say(oper, "/it wait "+pick()+" info kas tieši?")
		case n < 16:
			e.Say(oper, "/it wait "+pick()+" iepirkums licences")
		case n < 19:
			e.Say(oper, "/it resume "+pick())
		default:
			id := pick()
			if r := e.Request(id); r != nil {
				e.Say(r.Requester, "/it cancel "+id)
			}
		}
	}
	e.Clock.Set(bottest.Riga(2026, time.October, 26, 8, 0))
	end := bottest.Riga(2026, time.December, 4, 12, 0)
	for e.Clock.Now().Before(end) {
		act()
		e.Clock.Advance(time.Duration(5+rng.IntN(150)) * time.Minute)
		if h := e.Clock.Now().In(bot.TimeZone).Hour(); h < 7 || h > 19 {
			e.Clock.Advance(time.Duration(6+rng.IntN(6)) * time.Hour) // less at night
		}
	}
	// Received either side of Riga's midnight at November's end (22:50 and
	// 23:10 UTC on the 30th: November and December in Riga).
	for _, at := range []time.Time{bottest.Riga(2026, time.November, 30, 23, 50), bottest.Riga(2026, time.December, 1, 0, 10)} {
		e.Clock.Set(at)
		created(e.Say(maris, "/it konsultācija Pusnaktī"))
	}
	now := bottest.Riga(2026, time.December, 4, 15, 0)
	e.Clock.Set(now)

	// The history, as the export gives it.
	var buf bytes.Buffer
	if _, err := export.Write(context.Background(), e.Store, bot.ExportFilter{}, &buf); err != nil {
		t.Fatal(err)
	}
	var lines []export.Line
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l export.Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if len(lines) != len(ids) {
		t.Fatalf("%d lines exported, %d requests made", len(lines), len(ids))
	}
	seen := map[string]int{}
	for _, month := range []time.Month{time.October, time.November, time.December} {
		for _, inst := range []string{"", "LGIA", "VID"} {
			rep, err := slareport.Build(context.Background(), e.Store, clock, bottest.Riga(2026, month, 10, 12, 0), inst, now)
			if err != nil {
				t.Fatal(err)
			}
			want := recompute(clock, lines, 2026, month, inst, now)
			name := fmt.Sprintf("%s %q", month, inst)
			if !reflect.DeepEqual(rep.Total, want.Total) {
				t.Errorf("%s: total\n got %+v\nwant %+v", name, rep.Total, want.Total)
			}
			if !reflect.DeepEqual(rep.Rows, want.Rows) {
				t.Errorf("%s: rows\n got %+v\nwant %+v", name, rep.Rows, want.Rows)
			}
			if !slices.Equal(rep.Breaches, want.Breaches) {
				t.Errorf("%s: breaches\n got %v\nwant %v", name, rep.Breaches, want.Breaches)
			}
			if inst == "" {
				seen["received"] += rep.Total.Received
				seen["cancelled"] += rep.Total.Cancelled
				seen["within"] += rep.Total.WithinSLA
				seen["breached"] += rep.Total.Breached
				seen["paused"] += rep.Total.Paused
				seen["open"] += rep.Total.Open
				seen["rejected"] += want.rejected
			}
		}
	}
	t.Logf("%d requests: %v", len(lines), seen)
	for _, k := range []string{"received", "cancelled", "within", "breached", "paused", "open", "rejected"} {
		if seen[k] == 0 {
			t.Errorf("the scenario has no %s request: %v", k, seen)
		}
	}
	if seen["received"]+seen["cancelled"] != len(lines) {
		t.Errorf("the months count %d requests, %d were made", seen["received"]+seen["cancelled"], len(lines))
	}
}

type recomputed struct {
	Total    slareport.Row
	Rows     []slareport.Row
	Breaches []string
	rejected int
}

// recompute works a month's report out from exported lines: the request
// and its history rebuilt from each line, the SLA clock's Status at now,
// counted as the issue says (a request belongs to the month it was
// received, Riga time; a cancelled one counts only as cancelled; resolved
// is done or rejected; breached is resolved late or open past due).
func recompute(clock *slaclock.Clock, lines []export.Line, year int, month time.Month, inst string, now time.Time) recomputed {
	type acc struct {
		row   slareport.Row
		times []time.Duration
	}
	accs := map[[2]string]*acc{}
	get := func(i, typ string) *acc {
		k := [2]string{i, typ}
		if accs[k] == nil {
			accs[k] = &acc{row: slareport.Row{Institution: i, Type: typ}}
		}
		return accs[k]
	}
	var out recomputed
	for _, l := range lines {
		rc := l.CreatedAt.In(bot.TimeZone)
		if rc.Year() != year || rc.Month() != month || inst != "" && l.Institution != inst {
			continue
		}
		r := &bot.Request{ID: l.ID, Type: bot.Type(l.Type), Institution: l.Institution, Requester: l.Requester, State: bot.State(l.State), CreatedAt: l.CreatedAt}
		if l.ClosedAt != nil {
			r.ClosedAt = *l.ClosedAt
		}
		var history []bot.Event
		for _, ev := range l.Events {
			history = append(history, bot.Event{Seq: ev.Seq, At: ev.At, Actor: ev.Actor, Kind: bot.EventKind(ev.Kind), From: bot.State(ev.From), To: bot.State(ev.To)})
		}
		st := clock.Status(r, history, now)
		late := st.Left < 0
		for _, a := range []*acc{get(l.Institution, l.Type), get(l.Institution, ""), get("", "")} {
			x := &a.row
			switch l.State {
			case "cancelled":
				x.Cancelled++
			case "done", "rejected":
				x.Received++
				x.Resolved++
				if late {
					x.Breached++
				} else {
					x.WithinSLA++
				}
				a.times = append(a.times, st.Budget-st.Left)
			default:
				x.Received++
				x.Open++
				if st.Paused {
					x.Paused++
				}
				if late {
					x.Breached++
				}
			}
		}
		if l.State == "rejected" {
			out.rejected++
		}
		if l.State != "cancelled" && late {
			out.Breaches = append(out.Breaches, l.ID)
		}
	}
	nearest := func(ds []time.Duration, q float64) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[int(math.Ceil(q*float64(len(s))))-1]
	}
	for k, a := range accs {
		a.row.Median, a.row.P90 = nearest(a.times, 0.5), nearest(a.times, 0.9)
		if k[0] == "" {
			out.Total = a.row
			continue
		}
		out.Rows = append(out.Rows, a.row)
	}
	slices.SortFunc(out.Rows, func(a, b slareport.Row) int {
		if a.Institution != b.Institution {
			return strings.Compare(a.Institution, b.Institution)
		}
		switch {
		case a.Type == b.Type:
			return 0
		case a.Type == "": // the institution's total after its types
			return 1
		case b.Type == "":
			return -1
		}
		return strings.Compare(a.Type, b.Type)
	})
	return out
}
