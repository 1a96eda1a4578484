// Package slareport computes how the service kept its SLA promise in a
// month, per institution and request type, from the requests' audit
// histories (the history is the truth), with the business calendar and
// the pauses exactly as the SLA clock uses them; and renders it as text
// (Latvian or English), CSV for Latvian Excel, or JSON.
package slareport

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"itbot/bot"
	"itbot/bot/slaclock"
)

// Row is one institution and request type (Type "" is the institution's
// total, Institution "" the month's).
type Row struct {
	Institution string `json:"institution"`
	Type        string `json:"type"`
	// Received in the month (cancelled ones not counted here).
	Received int `json:"received"`
	// Resolved: done or rejected. WithinSLA: resolved no later than due.
	Resolved  int `json:"resolved"`
	WithinSLA int `json:"within_sla"`
	// Breached: resolved late, or still open past its due time.
	Breached int `json:"breached"`
	// Paused: open and waiting (for information or procurement) now.
	Paused int `json:"paused"`
	// Open: neither resolved nor cancelled.
	Open int `json:"open"`
	// Cancelled in their own column only.
	Cancelled int `json:"cancelled"`
	// Median and P90 of the business time from receipt to resolution
	// (pauses excluded), over the resolved.
	Median time.Duration `json:"median_ns"`
	P90    time.Duration `json:"p90_ns"`
	times  []time.Duration
}

// Share is the percentage of the judged requests (resolved, or open past
// due) kept within the SLA; -1 when none was judged.
func (r Row) Share() float64 {
	judged := r.WithinSLA + r.Breached
	if judged == 0 {
		return -1
	}
	return 100 * float64(r.WithinSLA) / float64(judged)
}

// Report is a month's SLA compliance.
type Report struct {
	Month       string   `json:"month"` // 2026-11
	Institution string   `json:"institution,omitempty"`
	At          string   `json:"computed_at"`
	Rows        []Row    `json:"rows"`     // per institution and type, then the institution's total
	Total       Row      `json:"total"`    // the month's
	Breaches    []string `json:"breaches"` // request ids, in order
}

// Build computes the report of month (any time in it, Riga time) for one
// institution ("" for all) as of now.
func Build(ctx context.Context, ex bot.Exporter, clock *slaclock.Clock, month time.Time, inst string, now time.Time) (*Report, error) {
	m := month.In(bot.TimeZone)
	from := time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, bot.TimeZone)
	to := from.AddDate(0, 1, 0)
	rows := map[[2]string]*Row{}
	row := func(i, t string) *Row {
		k := [2]string{i, t}
		if rows[k] == nil {
			rows[k] = &Row{Institution: i, Type: t}
		}
		return rows[k]
	}
	rep := &Report{Month: from.Format("2006-01"), Institution: inst, At: now.UTC().Format(time.RFC3339)}
	err := ex.EachRequest(ctx, bot.ExportFilter{From: from, To: to, Institution: inst, Brief: true}, func(r *bot.Request, history []bot.Event) error {
		st := clock.Outcome(r, history, now) // Status's figures, without what the report does not show
		targets := []*Row{row(r.Institution, string(r.Type)), row(r.Institution, ""), row("", "")}
		for _, x := range targets {
			switch {
			case r.State == bot.StateCancelled:
				x.Cancelled++
				continue
			case r.State == bot.StateDone || r.State == bot.StateRejected:
				x.Received++
				x.Resolved++
				if st.Left >= 0 {
					x.WithinSLA++
				} else {
					x.Breached++
				}
				x.times = append(x.times, st.Budget-st.Left)
			default:
				x.Received++
				x.Open++
				if st.Paused {
					x.Paused++
				}
				if st.Left < 0 {
					x.Breached++
				}
			}
		}
		if r.State != bot.StateCancelled && st.Left < 0 {
			rep.Breaches = append(rep.Breaches, r.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, x := range rows {
		x.Median, x.P90 = quantile(x.times, 0.5), quantile(x.times, 0.9)
		x.times = nil
		if x.Institution == "" {
			rep.Total = *x
			continue
		}
		rep.Rows = append(rep.Rows, *x)
	}
	if rep.Total.Institution == "" && rows[[2]string{"", ""}] == nil {
		rep.Total = Row{}
	}
	sort.Slice(rep.Rows, func(i, j int) bool {
		a, b := rep.Rows[i], rep.Rows[j]
		if a.Institution != b.Institution {
			return a.Institution < b.Institution
		}
		return a.Type != "" && (b.Type == "" || a.Type < b.Type) // the total after its types
	})
	return rep, nil
}

// quantile is the q-quantile (nearest rank) of ds; 0 for none.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(q*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Text renders the report for people in language l.
func (rep *Report) Text(l bot.Lang) string {
	var b strings.Builder
	scope := rep.Institution
	if scope == "" {
		scope = bot.Tr(l, "slarep.all", nil)
	}
	b.WriteString(bot.Tr(l, "slarep.title", bot.Args{"Month": rep.Month, "Scope": scope}) + "\n")
	if rep.Total.Received+rep.Total.Cancelled == 0 {
		b.WriteString(bot.Tr(l, "slarep.none", nil))
		return b.String()
	}
	line := func(name string, x Row) {
		share := "—"
		if s := x.Share(); s >= 0 {
			share = percent(s, l)
		}
		fmt.Fprintf(&b, "%-36s %s\n", name, bot.Tr(l, "slarep.row", bot.Args{"Received": x.Received, "Resolved": x.Resolved,
			"Within": x.WithinSLA, "Breached": x.Breached, "Paused": x.Paused, "Open": x.Open, "Cancelled": x.Cancelled,
			"Share": share, "Median": slaclock.FormatBusiness(l, x.Median), "P90": slaclock.FormatBusiness(l, x.P90)}))
	}
	for _, x := range rep.Rows {
		if x.Type == "" {
			line(x.Institution+" — "+bot.Tr(l, "slarep.total", nil), x)
			continue
		}
		line(x.Institution+" · "+bot.Type(x.Type).Label(l), x)
	}
	line(bot.Tr(l, "slarep.month_total", nil), rep.Total)
	if len(rep.Breaches) > 0 {
		b.WriteString(bot.TrN(l, "slarep.breaches", len(rep.Breaches), bot.Args{"IDs": strings.Join(rep.Breaches, ", ")}))
	}
	return strings.TrimRight(b.String(), "\n")
}

func percent(v float64, l bot.Lang) string {
	s := strconv.FormatFloat(v, 'f', 1, 64) + " %"
	if l == bot.LV {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// CSV renders the report for Latvian Excel: UTF-8 with a byte-order mark,
// semicolons, decimal commas, hours of business time.
func (rep *Report) CSV(l bot.Lang) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.Write(strings.Split(bot.Tr(l, "slarep.csv_header", nil), ";"))
	hours := func(d time.Duration) string {
		s := strconv.FormatFloat(d.Hours(), 'f', 2, 64)
		if l == bot.LV {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	}
	rec := func(x Row) {
		share := ""
		if s := x.Share(); s >= 0 {
			share = strings.TrimSuffix(percent(s, l), " %")
		}
		typ := ""
		if x.Type != "" {
			typ = bot.Type(x.Type).Label(l)
		}
		w.Write([]string{rep.Month, x.Institution, typ, strconv.Itoa(x.Received), strconv.Itoa(x.Resolved), strconv.Itoa(x.WithinSLA),
			strconv.Itoa(x.Breached), strconv.Itoa(x.Paused), strconv.Itoa(x.Open), strconv.Itoa(x.Cancelled), share, hours(x.Median), hours(x.P90)})
	}
	for _, x := range rep.Rows {
		rec(x)
	}
	rec(rep.Total)
	w.Flush()
	return buf.Bytes()
}

// JSON renders the report as one JSON document.
func (rep *Report) JSON() ([]byte, error) { return json.MarshalIndent(rep, "", "  ") }

func init() {
	pl := func(id, lv0, lv1, lvN, en1, enN string) bot.Text {
		return bot.Text{ID: id, LV: bot.Forms{Zero: lv0, One: lv1, Other: lvN}, EN: bot.Forms{One: en1, Other: enN}}
	}
	bot.RegisterTexts(
		bot.T("slarep.title", "SLA izpilde {{.Month}} — {{.Scope}} (pieteikumi pēc saņemšanas mēneša):", "SLA compliance {{.Month}} — {{.Scope}} (requests by the month received):"),
		bot.T("slarep.all", "visas iestādes", "all institutions"),
		bot.T("slarep.none", "Šajā mēnesī pieteikumu nav.", "No requests were received that month."),
		bot.T("slarep.total", "kopā", "total"),
		bot.T("slarep.month_total", "Mēnesī kopā", "Month total"),
		bot.T("slarep.row", "saņemti {{.Received}}, atrisināti {{.Resolved}}, termiņā {{.Within}}, kavēti {{.Breached}}, apturēti {{.Paused}}, atvērti {{.Open}}, atcelti {{.Cancelled}} · termiņā {{.Share}} · mediāna {{.Median}}, 90 % {{.P90}}",
			"received {{.Received}}, resolved {{.Resolved}}, within SLA {{.Within}}, breached {{.Breached}}, paused {{.Paused}}, open {{.Open}}, cancelled {{.Cancelled}} · within SLA {{.Share}} · median {{.Median}}, 90th percentile {{.P90}}"),
		pl("slarep.breaches", "Kavēto nav: {{.IDs}}\n", "Kavēts {{.Count}} pieteikums: {{.IDs}}\n", "Kavēti {{.Count}} pieteikumi: {{.IDs}}\n", "{{.Count}} breach: {{.IDs}}\n", "{{.Count}} breaches: {{.IDs}}\n"),
		bot.T("slarep.csv_header", "Mēnesis;Iestāde;Pieteikuma veids;Saņemti;Atrisināti;Termiņā;Kavēti;Apturēti;Atvērti;Atcelti;Termiņā %;Mediāna, darba h;90. procentile, darba h",
			"Month;Institution;Request type;Received;Resolved;Within SLA;Breached;Paused;Open;Cancelled;Within SLA %;Median, business h;90th percentile, business h"),
	)
}
