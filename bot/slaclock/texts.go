package slaclock

import (
	"time"

	"itbot/bot"
	"itbot/bot/sla"
)

// FormatBusiness renders an amount of business time for people: "2 st.
// 30 min" / "2 h 30 min", rounded down to the minute; a negative amount is
// rendered by its size.
func FormatBusiness(l bot.Lang, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	m := int(d / time.Minute)
	h, m := m/60, m%60
	switch {
	case h > 0 && m > 0:
		return bot.Tr(l, "sla.dur_hm", bot.Args{"H": h, "M": m})
	case h > 0:
		return bot.Tr(l, "sla.dur_h", bot.Args{"H": h})
	}
	return bot.Tr(l, "sla.dur_m", bot.Args{"M": m})
}

// FormatPolicy renders a policy for people: "1 darba diena" / "1 working
// day", "4 st." / "4 h", "1 darba diena un 4 st." / "1 working day and 4 h".
func FormatPolicy(l bot.Lang, p sla.Policy) string {
	switch {
	case p.Days > 0 && p.Business > 0:
		return bot.Tr(l, "sla.policy_and", bot.Args{"Days": bot.TrN(l, "sla.policy_days", p.Days, nil), "Time": FormatBusiness(l, p.Business)})
	case p.Days > 0:
		return bot.TrN(l, "sla.policy_days", p.Days, nil)
	}
	return FormatBusiness(l, p.Business)
}

// KeyLabel names a check key for people: "50 %", "1 st. pirms termiņa" …
func (c *Clock) KeyLabel(l bot.Lang, key string) string {
	switch key {
	case KeyLead:
		return bot.Tr(l, "sla.key_lead", bot.Args{"Lead": FormatBusiness(l, c.st.lead)})
	case KeyBreach:
		return bot.Tr(l, "sla.key_breach", nil)
	case KeyEscalation:
		return bot.Tr(l, "sla.key_escalation", bot.Args{"After": FormatBusiness(l, c.st.after)})
	}
	if n := shareOf(key); n > 0 {
		return bot.Tr(l, "sla.key_share", bot.Args{"Share": n})
	}
	return key
}

func init() {
	days := bot.Text{ID: "sla.policy_days",
		LV: bot.Forms{Zero: "{{.Count}} darba dienu", One: "{{.Count}} darba diena", Other: "{{.Count}} darba dienas"},
		EN: bot.Forms{One: "{{.Count}} working day", Other: "{{.Count}} working days"}}
	collapsed := bot.Text{ID: "sla.notice.collapsed",
		LV: bot.Forms{Zero: "({{.Count}} paziņojumu apvienoti vienā.)", One: "({{.Count}} paziņojums apvienots vienā.)", Other: "({{.Count}} paziņojumi apvienoti vienā.)"},
		EN: bot.Forms{One: "({{.Count}} notice combined into one.)", Other: "({{.Count}} notices combined into one.)"}}
	bot.RegisterTexts(
		days, collapsed,
		bot.T("sla.dur_hm", "{{.H}} st. {{.M}} min", "{{.H}} h {{.M}} min"),
		bot.T("sla.dur_h", "{{.H}} st.", "{{.H}} h"),
		bot.T("sla.dur_m", "{{.M}} min", "{{.M}} min"),
		bot.T("sla.policy_and", "{{.Days}} un {{.Time}}", "{{.Days}} and {{.Time}}"),

		bot.T("sla.key_share", "{{.Share}} % laika", "{{.Share}} % of the time"),
		bot.T("sla.key_lead", "{{.Lead}} pirms termiņa", "{{.Lead}} before due"),
		bot.T("sla.key_breach", "termiņš nokavēts", "due time passed"),
		bot.T("sla.key_escalation", "eskalācija ({{.After}} pēc termiņa)", "escalation ({{.After}} after due)"),

		bot.T("sla.title.reminder", "SLA atgādinājums", "SLA reminder"),
		bot.T("sla.title.breach", "SLA termiņš nokavēts", "SLA breached"),
		bot.T("sla.title.escalation", "SLA eskalācija", "SLA escalation"),
		bot.T("sla.notice.share", "⏰ Izlietoti {{.Share}} % SLA laika: atlicis {{.Left}} darba laika, termiņš {{.Due}}.", "⏰ {{.Share}} % of the SLA time is used: {{.Left}} of business time left, due {{.Due}}."),
		bot.T("sla.notice.lead", "⏰ Līdz SLA termiņam atlicis {{.Left}} darba laika: termiņš {{.Due}}.", "⏰ {{.Left}} of business time left until the SLA due time {{.Due}}."),
		bot.T("sla.notice.breach", "⚠ SLA termiņš {{.Due}} ir nokavēts.", "⚠ The SLA due time {{.Due}} has passed."),
		bot.T("sla.notice.overdue", "Nokavēts par {{.Over}} darba laika.", "Overdue by {{.Over}} of business time."),
		bot.T("sla.notice.escalation", "🔺 SLA termiņš {{.Due}} nokavēts par {{.Over}} darba laika; pieteikums eskalēts vadītājiem.", "🔺 The SLA due time {{.Due}} passed {{.Over}} of business time ago; the request is escalated to the supervisors."),
		bot.T("sla.notice.request", "Pieteikums: {{.What}}", "Request: {{.What}}"),
		bot.T("sla.notice.waiting", "Gaida: {{.On}}", "Waiting for: {{.On}}"),
		bot.T("sla.notice.assignee", "{{.On}} (atbildīgais: {{.Assignee}})", "{{.On}} (assignee: {{.Assignee}})"),

		bot.T("sla.waiting_on.new", "reģistrēšanu", "registration"),
		bot.T("sla.waiting_on.awaiting_approval", "iestādes IT kontaktpersonas apstiprinājumu", "approval by the institution's IT contact"),
		bot.T("sla.waiting_on.approved", "IT dienesta izpildi", "the IT service desk to carry it out"),
		bot.T("sla.waiting_on.in_progress", "darba pabeigšanu", "the work to be finished"),
		bot.T("sla.waiting_on.failed", "neizdevušās darbības atkārtošanu", "a retry of the failed action"),
		bot.T("sla.waiting_on.awaiting_info", "informāciju no pieteicēja", "information from the requester"),
		bot.T("sla.waiting_on.awaiting_procurement", "licenču iegādi", "licence procurement"),

		bot.T("sla.event.share", "SLA atgādinājums: izlietoti {{.Share}} % laika (termiņš {{.Due}}){{if .More}}; apvienoti {{.More}} vēl{{end}}", "SLA reminder: {{.Share}} % of the time used (due {{.Due}}){{if .More}}; {{.More}} more combined{{end}}"),
		bot.T("sla.event.lead", "SLA atgādinājums: tuvojas termiņš {{.Due}}{{if .More}}; apvienoti {{.More}} vēl{{end}}", "SLA reminder: due soon ({{.Due}}){{if .More}}; {{.More}} more combined{{end}}"),
		bot.T("sla.event.breach", "SLA termiņš {{.Due}} nokavēts{{if .More}}; apvienoti {{.More}} vēl{{end}}", "SLA due time {{.Due}} passed{{if .More}}; {{.More}} more combined{{end}}"),
		bot.T("sla.event.escalation", "SLA nokavējums eskalēts vadītājiem (termiņš {{.Due}}){{if .More}}; apvienoti {{.More}} vēl{{end}}", "SLA breach escalated to the supervisors (due {{.Due}}){{if .More}}; {{.More}} more combined{{end}}"),
		bot.T("sla.event.retimed", "SLA termiņš pārrēķināts pēc konfigurācijas maiņas (politika {{.Policy}}): {{.Due}}", "SLA due time recomputed after a configuration change (policy {{.Policy}}): {{.Due}}"),
	)
}
