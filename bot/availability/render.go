package availability

import (
	"math"
	"strconv"
	"strings"
	"time"

	"itbot/bot"
)

func init() {
	bot.RegisterTexts(
		bot.T("avail.title", "Pakalpojumu pieejamība — {{.Month}}", "Service availability — {{.Month}}"),
		bot.T("avail.as_of", "(stāvoklis {{.Now}})", "(as of {{.Now}})"),
		bot.T("avail.now_up", "{{.Name}}: ✅ darbojas{{if .Since}} (kopš {{.Since}}){{end}}", "{{.Name}}: ✅ up{{if .Since}} (since {{.Since}}){{end}}"),
		bot.T("avail.now_down", "{{.Name}}: ❌ nedarbojas{{if .Since}} kopš {{.Since}}{{end}}{{if .Detail}} — {{.Detail}}{{end}}", "{{.Name}}: ❌ down{{if .Since}} since {{.Since}}{{end}}{{if .Detail}} — {{.Detail}}{{end}}"),
		bot.T("avail.now_unknown", "{{.Name}}: ❔ stāvoklis nav zināms (nav svaigu mērījumu)", "{{.Name}}: ❔ state unknown (no recent probe)"),
		bot.T("avail.name_only", "{{.Name}}:", "{{.Name}}:"),
		bot.T("avail.availability", "Pieejamība: {{.Avail}} % (mērķis {{.Goal}} %) {{.Mark}}", "Availability: {{.Avail}} % (target {{.Goal}} %) {{.Mark}}"),
		bot.T("avail.measured", "izmērīti {{.Share}} % no perioda līdz šim", "{{.Share}} % of the period so far measured"),
		bot.T("avail.no_verdict", "Pieejamība: {{.Avail}} % — vērtējuma pret mērķi {{.Goal}} % nav: izmērīti tikai {{.Share}} % no perioda līdz šim (vajag vismaz {{.Min}} %)", "Availability: {{.Avail}} % — no verdict against the {{.Goal}} % target: only {{.Share}} % of the period so far was measured (at least {{.Min}} % needed)"),
		bot.T("avail.availability_none", "Pieejamība: nav mērījumu (mērķis {{.Goal}} %)", "Availability: not measured (target {{.Goal}} %)"),
		bot.T("avail.budget", "Dīkstāves budžets: {{.Budget}} min mēnesī; izlietotas {{.Down}} min, atlikušas {{.Left}} min", "Downtime budget: {{.Budget}} min a month; {{.Down}} min used, {{.Left}} min left"),
		bot.T("avail.budget_over", "Dīkstāves budžets: {{.Budget}} min mēnesī; izlietotas {{.Down}} min — pārsniegts par {{.Over}} min", "Downtime budget: {{.Budget}} min a month; {{.Down}} min used — overspent by {{.Over}} min"),
		bot.T("avail.outages", "Dīkstāves ({{.Count}}):", "Outages ({{.Count}}):"),
		bot.T("avail.no_outages", "Dīkstāvju nav", "No outages"),
		bot.T("avail.outage", "{{.Start}} – {{.End}} · {{.Minutes}} min", "{{.Start}} – {{.End}} · {{.Minutes}} min"),
		bot.T("avail.outage_ongoing", "{{.Start}} – turpinās · {{.Minutes}} min līdz šim", "{{.Start}} – ongoing · {{.Minutes}} min so far"),
		bot.T("avail.outage_before", "sākās iepriekšējā mēnesī", "began the month before"),
		bot.T("avail.outage_after", "turpinājās nākamajā mēnesī", "went on into the next month"),
		bot.T("avail.unknown", "Nav mērīts (itbot nedarbojās): {{.Minutes}} min{{if .Spans}} — {{.Spans}}{{end}}", "Not measured (itbot was not running): {{.Minutes}} min{{if .Spans}} — {{.Spans}}{{end}}"),

		bot.T("avail.alert_down_title", "🔴 {{.Name}} nedarbojas", "🔴 {{.Name}} is down"),
		bot.T("avail.alert_down", "{{.Name}} nedarbojas kopš {{.Since}}{{if .Detail}}: {{.Detail}}{{end}}. Šomēnes dīkstāve līdz šim: {{.Down}} min no {{.Budget}} min budžeta.", "{{.Name}} has been down since {{.Since}}{{if .Detail}}: {{.Detail}}{{end}}. Downtime this month so far: {{.Down}} min of a {{.Budget}} min budget."),
		bot.T("avail.alert_up_title", "🟢 {{.Name}} atkal darbojas", "🟢 {{.Name}} is back up"),
		bot.T("avail.alert_up", "{{.Name}} atkal darbojas kopš {{.At}}; dīkstāve sākās {{.Since}} (~{{.Minutes}} min). Budžeta atlikums šomēnes: {{.Left}} min.", "{{.Name}} is up again since {{.At}}; the outage began {{.Since}} (~{{.Minutes}} min). Budget left this month: {{.Left}} min."),
		bot.T("avail.alert_half_title", "⚠ {{.Name}}: izlietota puse dīkstāves budžeta", "⚠ {{.Name}}: half the downtime budget used"),
		bot.T("avail.alert_half", "{{.Name}} šomēnes dīkstāvē pavadījis {{.Down}} min no {{.Budget}} min budžeta (mērķis {{.Goal}} %); atlikušas {{.Left}} min. Pieejamība līdz šim: {{.Avail}} %.", "{{.Name}} has been down {{.Down}} min this month of a {{.Budget}} min budget (target {{.Goal}} %); {{.Left}} min left. Availability so far: {{.Avail}} %."),
		bot.T("avail.alert_full_title", "⛔ {{.Name}}: dīkstāves budžets izlietots", "⛔ {{.Name}}: downtime budget used up"),
		bot.T("avail.alert_full", "{{.Name}} šomēnes dīkstāvē pavadījis {{.Down}} min — viss mēneša budžets ({{.Budget}} min) ir izlietots, mērķis {{.Goal}} % šomēnes netiks sasniegts. Pieejamība līdz šim: {{.Avail}} %.", "{{.Name}} has been down {{.Down}} min this month — the whole month's budget ({{.Budget}} min) is used; the {{.Goal}} % target will not be met this month. Availability so far: {{.Avail}} %."),

		bot.T("avail.month_1", "janvāris", "January"), bot.T("avail.month_2", "februāris", "February"),
		bot.T("avail.month_3", "marts", "March"), bot.T("avail.month_4", "aprīlis", "April"),
		bot.T("avail.month_5", "maijs", "May"), bot.T("avail.month_6", "jūnijs", "June"),
		bot.T("avail.month_7", "jūlijs", "July"), bot.T("avail.month_8", "augusts", "August"),
		bot.T("avail.month_9", "septembris", "September"), bot.T("avail.month_10", "oktobris", "October"),
		bot.T("avail.month_11", "novembris", "November"), bot.T("avail.month_12", "decembris", "December"),
		bot.T("avail.month", "{{.Year}}. gada {{.Name}}", "{{.Name}} {{.Year}}"),
	)
}

// MonthName renders the Riga month starting at from ("2026. gada
// novembris", "November 2026").
func MonthName(from time.Time, l bot.Lang) string {
	r := from.In(bot.TimeZone)
	return bot.Tr(l, "avail.month", bot.Args{"Year": r.Year(), "Name": bot.Tr(l, "avail.month_"+strconv.Itoa(int(r.Month())), nil)})
}

// Percent renders an availability for people: two decimals, truncated
// (so 99.899 never reads as meeting 99.9), the language's decimal
// separator; "—" for NaN.
func Percent(v float64, l bot.Lang) string {
	if math.IsNaN(v) {
		return "—"
	}
	return decimal(strconv.FormatFloat(math.Floor(v*100)/100, 'f', 2, 64), l)
}

// Goal renders a target percentage (99.5).
func Goal(v float64, l bot.Lang) string { return decimal(strconv.FormatFloat(v, 'f', -1, 64), l) }

// Minutes renders a minute count with at most one decimal (43,2).
func Minutes(v float64, l bot.Lang) string {
	v = math.Round(v*10) / 10
	return decimal(strconv.FormatFloat(v, 'f', -1, 64), l)
}

func decimal(s string, l bot.Lang) string {
	if l == bot.LV {
		return strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Render renders reports (one per service, same period) as text for chat
// and the command line.
func Render(rs []*Report, l bot.Lang) string {
	if len(rs) == 0 {
		return ""
	}
	var b strings.Builder
	line := func(indent, s string) { b.WriteString(indent + s + "\n") }
	first := rs[0]
	line("", bot.Tr(l, "avail.title", bot.Args{"Month": MonthName(first.From, l)})+" "+
		bot.Tr(l, "avail.as_of", bot.Args{"Now": bot.FormatTime(earlier(first.Now, first.To))}))
	for _, r := range rs {
		b.WriteString("\n")
		live := !r.Now.Before(r.From) && r.Now.Before(r.To)
		args := bot.Args{"Name": r.Name}
		if !r.Since.IsZero() {
			args["Since"] = bot.FormatTime(r.Since)
		}
		switch {
		case !live:
			line("", bot.Tr(l, "avail.name_only", args))
		case r.Current == Up:
			line("", bot.Tr(l, "avail.now_up", args))
		case r.Current == Down:
			if r.Health != nil {
				args["Detail"] = r.Health.Detail
			}
			line("", bot.Tr(l, "avail.now_down", args))
		default:
			line("", bot.Tr(l, "avail.now_unknown", args))
		}
		in := "  "
		share := Percent(100*r.MeasuredShare(), l)
		switch {
		case r.Measured() == 0:
			line(in, bot.Tr(l, "avail.availability_none", bot.Args{"Goal": Goal(r.Goal, l)}))
		case !r.HasVerdict():
			line(in, bot.Tr(l, "avail.no_verdict", bot.Args{"Avail": Percent(r.Availability(), l), "Goal": Goal(r.Goal, l),
				"Share": share, "Min": Goal(100*r.MinMeasured, l)}))
		default:
			mark := "✓"
			if !r.Met() {
				mark = "✗"
			}
			line(in, bot.Tr(l, "avail.availability", bot.Args{"Avail": Percent(r.Availability(), l), "Goal": Goal(r.Goal, l), "Mark": mark})+
				" · "+bot.Tr(l, "avail.measured", bot.Args{"Share": share}))
		}
		ba := bot.Args{"Budget": Minutes(r.Budget(), l), "Down": r.Down, "Left": Minutes(r.BudgetLeft(), l), "Over": Minutes(-r.BudgetLeft(), l)}
		if r.BudgetLeft() < 0 {
			line(in, bot.Tr(l, "avail.budget_over", ba))
		} else {
			line(in, bot.Tr(l, "avail.budget", ba))
		}
		if len(r.Outages) == 0 {
			line(in, bot.Tr(l, "avail.no_outages", nil))
		} else {
			line(in, bot.Tr(l, "avail.outages", bot.Args{"Count": len(r.Outages)}))
			for _, o := range r.Outages {
				oa := bot.Args{"Start": bot.FormatTime(o.Start), "End": endTime(o.Start, o.End), "Minutes": o.Minutes()}
				s := bot.Tr(l, "avail.outage", oa)
				if o.Ongoing {
					s = bot.Tr(l, "avail.outage_ongoing", oa)
				}
				if o.Before {
					s += " · " + bot.Tr(l, "avail.outage_before", nil)
				}
				if o.After {
					s += " · " + bot.Tr(l, "avail.outage_after", nil)
				}
				line(in+"  ", s)
			}
		}
		if r.Unknown > 0 {
			var spans []string
			for i, g := range r.Gaps {
				if i == 3 {
					spans = append(spans, "…")
					break
				}
				spans = append(spans, bot.FormatTime(g.Start)+" – "+endTime(g.Start, g.End))
			}
			line(in, bot.Tr(l, "avail.unknown", bot.Args{"Minutes": r.Unknown, "Spans": strings.Join(spans, "; ")}))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// endTime renders the end of a span: the time only when it is the same
// Riga day as the start.
func endTime(start, end time.Time) string {
	s, e := start.In(bot.TimeZone), end.In(bot.TimeZone)
	if s.Year() == e.Year() && s.YearDay() == e.YearDay() {
		return e.Format("15:04")
	}
	return bot.FormatTime(end)
}
