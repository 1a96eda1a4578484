package commands

import (
	"context"
	"strings"
	"time"

	"itbot/bot"
	"itbot/bot/slaclock"
	"itbot/bot/slareport"
)

func init() {
	register(15, registerSLA)
}

// registerSLA installs "/it sla ID": a request's due time, the business
// time left and its pauses.
func registerSLA(r *bot.Router, d *Deps) {
	r.Handle(&bot.Spec{Names: []string{"sla report", "sla pārskats", "sla parskats", "sla atskaite"}, Help: "help.sla_report",
		Roles:   []bot.Role{bot.RoleITContact, bot.RoleExpertGroup, bot.RoleOperator, bot.RoleApprover, bot.RoleAdmin},
		UsageLV: "sla pārskats [GGGG-MM] [iestāde=KODS]", UsageEN: "sla report [YYYY-MM] [institution=CODE]",
		Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			return slaReport(ctx, w, c, d)
		})})
	r.Handle(&bot.Spec{Names: []string{"sla", "sla termiņš", "sla termins"}, Help: "help.sla", MinArgs: 1,
		UsageLV: "sla ID", UsageEN: "sla ID",
		Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			req, err := d.Bot.Get(ctx, actor(c), c.Arg(0))
			if err != nil {
				return err
			}
			evs, err := d.Bot.Store.Events(ctx, req.ID)
			if err != nil {
				return err
			}
			return say(ctx, w, SLAReply(d.Bot, req, evs, c.Person, c.Lang))
		})})
}

// SLAReply renders a request's SLA for a viewer in language l: policy,
// start of the clock, due time, business time left (or overdue, or frozen
// while paused), the pauses, the notices sent and the next one. With a
// clock other than the business-calendar one it shows the stored due time
// and the pauses only.
func SLAReply(b *bot.Bot, r *bot.Request, evs []bot.Event, viewer *bot.Person, l bot.Lang) bot.Reply {
	tr := func(id string, a bot.Args) string { return bot.Tr(l, id, a) }
	field := func(id, v string) bot.Field { return bot.Field{Label: tr(id, nil), Value: v, Short: true} }
	rep := bot.Reply{Kind: bot.KindCard, Title: r.ID + " · SLA", Request: r, Buttons: b.Buttons(r, viewer, l)}
	lines := []string{bot.Describe(r, l)}
	k, ok := b.SLA.(*slaclock.Clock)
	if !ok {
		rep.Fields = []bot.Field{field("field.state", r.State.Label(l)), field("field.due", bot.FormatTime(r.SLA.DueAt))}
		for _, p := range slaclock.Pauses(evs) {
			lines = append(lines, "  • "+bot.FormatTime(p.From)+" – "+bot.FormatTime(p.To)+" · "+p.State.Label(l))
		}
		rep.Text = strings.Join(lines, "\n")
		return rep
	}
	st := k.Status(r, evs, b.Now())
	due := bot.FormatTime(st.Due)
	var left string
	switch {
	case st.Closed && st.Breached:
		left = tr("cmdsla.closed_late", bot.Args{"Over": slaclock.FormatBusiness(l, st.Left)})
	case st.Closed:
		left = tr("cmdsla.closed_in_time", bot.Args{"Left": slaclock.FormatBusiness(l, st.Left)})
	case st.Paused && st.Left < 0:
		left = tr("cmdsla.paused_over", bot.Args{"Over": slaclock.FormatBusiness(l, st.Left)})
	case st.Paused:
		left = tr("cmdsla.paused_left", bot.Args{"Left": slaclock.FormatBusiness(l, st.Left)})
		due = tr("cmdsla.due_paused", nil)
	case st.Left <= 0:
		left = tr("cmdsla.over", bot.Args{"Over": slaclock.FormatBusiness(l, st.Left)})
	default:
		left = tr("cmdsla.left", bot.Args{"Left": slaclock.FormatBusiness(l, st.Left), "Budget": slaclock.FormatBusiness(l, st.Budget)})
	}
	rep.Fields = []bot.Field{
		field("field.state", r.State.Label(l)),
		field("cmdsla.policy", slaclock.FormatPolicy(l, st.Policy)),
		field("cmdsla.start", bot.FormatTime(st.Start)),
		field("field.due", due),
		field("cmdsla.left_label", left),
	}
	sent := make([]string, 0, len(st.Sent))
	for _, key := range st.Sent {
		sent = append(sent, k.KeyLabel(l, key))
	}
	if len(sent) == 0 {
		sent = append(sent, tr("cmd.none", nil))
	}
	rep.Fields = append(rep.Fields, field("cmdsla.sent", strings.Join(sent, ", ")))
	if st.NextKey != "" {
		rep.Fields = append(rep.Fields, field("cmdsla.next", bot.FormatTime(st.Next)+" · "+k.KeyLabel(l, st.NextKey)))
	}
	if len(st.Pauses) == 0 {
		lines = append(lines, tr("cmdsla.no_pauses", nil))
	} else {
		lines = append(lines, bot.TrN(l, "cmdsla.pauses", len(st.Pauses), nil))
		for _, p := range st.Pauses {
			if p.To.IsZero() {
				lines = append(lines, "  • "+tr("cmdsla.pause_open", bot.Args{"From": bot.FormatTime(p.From), "State": p.State.Label(l)}))
				continue
			}
			lines = append(lines, "  • "+tr("cmdsla.pause", bot.Args{"From": bot.FormatTime(p.From), "To": bot.FormatTime(p.To),
				"State": p.State.Label(l), "Business": slaclock.FormatBusiness(l, k.Business().BusinessBetween(p.From, p.To))}))
		}
	}
	rep.Text = strings.Join(lines, "\n")
	return rep
}

func init() {
	bot.RegisterTexts(
		bot.T("help.sla_report", "mēneša SLA izpilde pa iestādēm un pieteikumu veidiem (teksts un CSV)", "a month's SLA compliance by institution and request type (text and CSV)"),
		bot.T("cmdsla.no_calendar", "SLA pārskatam vajadzīgs darba dienu kalendārs (sla sadaļa konfigurācijā).", "The SLA report needs the business calendar (the sla section of the configuration)."),
		bot.T("policy.other_institution_report", "Var skatīt tikai savas iestādes SLA pārskatu.", "You may only see your own institution's SLA report."),
		bot.T("help.sla", "pieteikuma SLA: termiņš, atlikušais darba laiks, pauzes", "a request's SLA: due time, business time left, pauses"),
		bot.T("cmdsla.policy", "Politika", "Policy"),
		bot.T("cmdsla.start", "Laiks sāk skaitīties", "Clock started"),
		bot.T("cmdsla.left_label", "Atlikušais laiks", "Time left"),
		bot.T("cmdsla.left", "{{.Left}} darba laika (no {{.Budget}})", "{{.Left}} of business time (of {{.Budget}})"),
		bot.T("cmdsla.over", "termiņš nokavēts par {{.Over}} darba laika", "overdue by {{.Over}} of business time"),
		bot.T("cmdsla.paused_left", "apturēts; atlicis {{.Left}} darba laika", "paused; {{.Left}} of business time left"),
		bot.T("cmdsla.paused_over", "apturēts; nokavēts par {{.Over}} darba laika", "paused; overdue by {{.Over}} of business time"),
		bot.T("cmdsla.due_paused", "— (pulkstenis apturēts)", "— (clock paused)"),
		bot.T("cmdsla.closed_in_time", "slēgts laikā; palika {{.Left}} darba laika", "closed in time with {{.Left}} of business time to spare"),
		bot.T("cmdsla.closed_late", "slēgts ar nokavējumu {{.Over}} darba laika", "closed {{.Over}} of business time late"),
		bot.T("cmdsla.sent", "Paziņojumi nosūtīti", "Notices sent"),
		bot.T("cmdsla.next", "Nākamais paziņojums", "Next notice"),
		bot.T("cmdsla.no_pauses", "Pauzes: nav.", "Pauses: none."),
		bot.Text{ID: "cmdsla.pauses",
			LV: bot.Forms{Zero: "Pauzes ({{.Count}}):", One: "Pauze ({{.Count}}):", Other: "Pauzes ({{.Count}}):"},
			EN: bot.Forms{One: "Pause ({{.Count}}):", Other: "Pauses ({{.Count}}):"}},
		bot.T("cmdsla.pause", "{{.From}} – {{.To}} · {{.State}} ({{.Business}} darba laika)", "{{.From}} – {{.To}} · {{.State}} ({{.Business}} of business time)"),
		bot.T("cmdsla.pause_open", "kopš {{.From}} · {{.State}} (turpinās)", "since {{.From}} · {{.State}} (ongoing)"),
	)
}

// slaReport answers "/it sla pārskats [MONTH] [institution=CODE]": the
// month's SLA compliance, as a text and a CSV file. Agency staff see
// every institution (or one), an IT contact or expert group member their
// own.
func slaReport(ctx context.Context, w bot.ResponseWriter, c *bot.Command, d *Deps) error {
	k, ok := d.Bot.SLA.(*slaclock.Clock)
	if !ok {
		return bot.Errorf(bot.EUNAVAILABLE, "cmdsla.no_calendar")
	}
	pos, opts := flags(c.Args)
	month := d.Bot.Now()
	if len(pos) > 0 {
		m, err := time.ParseInLocation("2006-01", pos[0], bot.TimeZone)
		if err != nil {
			return c.Usage()
		}
		month = m
	}
	inst := ""
	for key, v := range opts {
		switch key {
		case "institution", "iestade", "inst":
			inst = strings.ToUpper(v)
		default:
			return c.Usage()
		}
	}
	if !c.Person.IsAgency() {
		if inst != "" && inst != c.Person.Institution {
			return bot.Errorf(bot.EFORBIDDEN, "policy.other_institution_report")
		}
		inst = c.Person.Institution
	}
	rep, err := slareport.Build(ctx, d.Bot.Store, k, month, inst, d.Bot.Now())
	if err != nil {
		return err
	}
	name := "sla-" + rep.Month
	if inst != "" {
		name += "-" + strings.ToLower(inst)
	}
	out := bot.Reply{Kind: bot.KindText, Text: rep.Text(c.Lang),
		Files: []bot.File{{Name: name + ".csv", Mime: "text/csv; charset=utf-8", Data: rep.CSV(c.Lang)}}}
	if d.SLAChart != nil && len(rep.Rows) > 0 {
		if png, err := d.SLAChart(rep, c.Lang); err == nil {
			out.Files = append(out.Files, bot.File{Name: name + ".png", Mime: "image/png", Data: png})
		} else {
			d.Bot.Log.Warn("sla chart", "err", err)
		}
	}
	return say(ctx, w, out)
}
