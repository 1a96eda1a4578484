package commands

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"itbot/bot"
)

// The DVS family: rights, incidents, document copies, customisation,
// estimates and backups.
func init() {
	role := func(required bool, empty string) bot.ParamSpec {
		return bot.ParamSpec{Name: "role", Kind: bot.ParamWord, Required: required, Fold: true, Label: "param.role", Empty: empty,
			Brief: true, Slot: "role", Form: bot.FormOption, Show: dvsRoleName}
	}
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeDVSRightsGrant, Order: 110,
		LV: "DVS tiesību piešķiršana", EN: "DVS rights grant",
		Names: []string{"dvs rights grant", "dvs grant", "dvs tiesības piešķirt", "dvs tiesibas pieskirt"},
		Help:  "help.dvs_grant", UsageLV: "dvs tiesības piešķirt LIETOTĀJS LOMA", UsageEN: "dvs rights grant USER ROLE",
		Params: []bot.ParamSpec{pUser, role(true, "")}, Service: bot.ServiceDVS,
		// A role the DVS does not know is refused when asked, with its roles.
		Preflight: dvsRoleKnown,
		Run: func(ctx context.Context, x *bot.Exec) (*bot.Outcome, error) {
			return x.DVS.GrantRole(ctx, x.Institution, x.Params.User, x.Params.Role)
		}})
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeDVSRightsRevoke, Order: 120,
		LV: "DVS tiesību atņemšana", EN: "DVS rights revocation",
		Names: []string{"dvs rights revoke", "dvs revoke", "dvs tiesības atņemt", "dvs tiesibas atnemt"},
		Help:  "help.dvs_revoke", UsageLV: "dvs tiesības atņemt LIETOTĀJS [LOMA]", UsageEN: "dvs rights revoke USER [ROLE]",
		Params: []bot.ParamSpec{pUser, role(false, "param.role_all")}, Service: bot.ServiceDVS,
		Run: func(ctx context.Context, x *bot.Exec) (*bot.Outcome, error) {
			return x.DVS.RevokeRole(ctx, x.Institution, x.Params.User, x.Params.Role)
		}})
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeDVSIncident, Order: 130,
		LV: "DVS incidents", EN: "DVS incident",
		Names: []string{"dvs incident", "dvs incidents", "dvs incidenti"},
		Help:  "help.dvs_incident", UsageLV: "dvs incidents APRAKSTS", UsageEN: "dvs incident TEXT",
		Params: []bot.ParamSpec{pText}, Approval: bot.ApprovalNone, Triage: bot.TriageDVSHealth})
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeDVSCopy, Order: 140, NoForm: true,
		LV: "DVS dokumentu kopijas", EN: "DVS document copies",
		Names: []string{"dvs copy", "dvs kopija", "dvs kopijas"},
		Help:  "help.dvs_copy", UsageLV: "dvs kopija NO LĪDZ (GGGG-MM-DD)", UsageEN: "dvs copy FROM TO (YYYY-MM-DD)",
		Params: []bot.ParamSpec{pPeriodFrom(true), pPeriodTo(true)},
		Check: func(p *bot.Params, _ string) error {
			_, _, err := period(p.From, p.To)
			return err
		},
		Service: bot.ServiceDVS,
		Run: func(ctx context.Context, x *bot.Exec) (*bot.Outcome, error) {
			from, to, err := period(x.Params.From, x.Params.To)
			if err != nil {
				return nil, err
			}
			return x.DVS.Export(ctx, x.Institution, from, to, x.Progress)
		}})
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeDVSCustomize, Order: 150,
		LV: "DVS pielāgošana", EN: "DVS customisation",
		Names: []string{"dvs customize", "dvs customise", "dvs pielāgot", "dvs pielagot"},
		Help:  "help.dvs_customize", UsageLV: "dvs pielāgot APRAKSTS", UsageEN: "dvs customize TEXT",
		Params: []bot.ParamSpec{pText}})
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeDVSBackupStatus, Order: 160, NoForm: true,
		LV: "DVS rezerves kopijas", EN: "DVS backups",
		Names: []string{"dvs backup", "dvs backups", "dvs rezerves", "dvs rezerves kopijas"},
		Help:  "help.dvs_backup", UsageLV: "dvs rezerves", UsageEN: "dvs backup",
		Approval: bot.ApprovalNone, Service: bot.ServiceDVS,
		Run: func(ctx context.Context, x *bot.Exec) (*bot.Outcome, error) {
			bs, err := x.DVS.Backups(ctx, x.Institution)
			if err != nil {
				return nil, err
			}
			return bot.BackupOutcome(bs), nil
		}})
	register(70, func(r *bot.Router, d *Deps) {
		requestCommand(r, d, bot.TypeDVSRightsGrant, nil)
		requestCommand(r, d, bot.TypeDVSRightsRevoke, nil)
		requestCommand(r, d, bot.TypeDVSIncident, incidentAck)
		requestCommand(r, d, bot.TypeDVSCopy, nil)
		requestCommand(r, d, bot.TypeDVSCustomize, func(_ context.Context, _ *Deps, c *bot.Command, r *bot.Request, rep *bot.Reply) error {
			rep.Text += "\n" + bot.Tr(c.Lang, "dvscmd.customize_next", bot.Args{"ID": r.ID})
			return nil
		})
		r.Handle(&bot.Spec{Names: []string{"dvs estimate", "dvs novērtējums", "dvs novertejums", "dvs novērtēt", "dvs novertet"},
			Help: "help.dvs_estimate", MinArgs: 2, Roles: []bot.Role{bot.RoleOperator, bot.RoleApprover, bot.RoleAdmin},
			UsageLV: "dvs novērtējums ID STUNDAS [FINANSĒJUMS]", UsageEN: "dvs estimate ID HOURS [FUNDING NOTE]",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return dvsEstimate(ctx, w, c, d)
			})})
		requestCommand(r, d, bot.TypeDVSBackupStatus, backupAck)
	})
	bot.RegisterTexts(
		bot.T("help.dvs_estimate", "DVS pielāgošanas darba novērtējums (stundas, finansējums)", "estimate a DVS customisation (hours, funding)"),
		bot.T("dvscmd.unknown_role", "DVS nav lomas „{{.Role}}”. Lomas: {{.Known}}.", "The DVS has no role \"{{.Role}}\". Its roles: {{.Known}}."),
		bot.T("dvscmd.incident_high", "DVS šobrīd nedarbojas, tāpēc incidentam ir augsta prioritāte; operatori to redz rindas sākumā.", "The DVS is down right now, so the incident has high priority; the operators see it at the top of the queue."),
		bot.T("dvscmd.customize_next", "IT dienests novērtēs darba apjomu stundās un norādīs, vai tas ietilpst pakalpojuma līgumā vai vajadzīgs papildu finansējums (/it skatīt {{.ID}}).", "The IT service desk will estimate the work in hours and say whether the service contract covers it or extra funding is needed (/it show {{.ID}})."),
		bot.T("dvscmd.not_customize", "{{.ID}} nav DVS pielāgošanas pieteikums; novērtēt var tikai tādu.", "{{.ID}} is not a DVS customisation request; only those are estimated."),
		bot.T("dvscmd.bad_hours", "„{{.Value}}” nav stundu skaits. Ierakstiet, piemēram, 16 vai 2,5.", "\"{{.Value}}\" is not a number of hours. Write e.g. 16 or 2.5."),
		bot.T("dvscmd.estimated", "Darba novērtējums: {{.Hours}} h{{if .Funding}}; finansējums: {{.Funding}}{{end}} ({{.Actor}})", "Work estimate: {{.Hours}} h{{if .Funding}}; funding: {{.Funding}}{{end}} ({{.Actor}})"),
		bot.T("dvscmd.estimate_saved", "{{.ID}}: novērtējums saglabāts un nosūtīts pieteicējam.", "{{.ID}}: estimate saved and sent to the requester."),
		bot.T("dvscmd.backups_title", "Pēdējās DVS rezerves kopijas ({{.Institution}}):", "Latest DVS backups ({{.Institution}}):"),
		bot.T("dvscmd.backups_none", "DVS nav ziņojusi nevienu rezerves kopiju.", "The DVS reported no backups."),
		bot.T("dvscmd.backup_line", "{{.Started}} · {{.Status}} · {{.Verified}} · {{.Size}}", "{{.Started}} · {{.Status}} · {{.Verified}} · {{.Size}}"),
		bot.T("dvscmd.backup_more", "… un vēl {{.Count}}", "… and {{.Count}} more"),
		bot.T("dvscmd.backup_ok", "✓ Pēdējā pārbaudītā rezerves kopija: {{.At}} (pirms {{.Hours}} h; robeža {{.Limit}} h).", "✓ Last verified backup: {{.At}} ({{.Hours}} h ago; limit {{.Limit}} h)."),
		bot.T("dvscmd.backup_old", "⚠ Pēdējā pārbaudītā rezerves kopija ir {{.At}} — pirms {{.Hours}} h, vecāka par {{.Limit}} h robežu. IT dienestam jāpārbauda rezerves kopēšana.", "⚠ The last verified backup is from {{.At}} — {{.Hours}} h ago, older than the {{.Limit}} h limit. The IT service desk must check the backups."),
		bot.T("dvscmd.backup_never", "⚠ Nav nevienas pārbaudītas rezerves kopijas. IT dienestam jāpārbauda rezerves kopēšana.", "⚠ There is no verified backup. The IT service desk must check the backups."),
		bot.T("dvscmd.bs.running", "notiek", "running"),
		bot.T("dvscmd.bs.succeeded", "izdevusies", "succeeded"),
		bot.T("dvscmd.bs.failed", "neizdevās", "failed"),
		bot.T("dvscmd.bv.verified", "pārbaudīta ✓", "verified ✓"),
		bot.T("dvscmd.bv.pending", "gaida pārbaudi", "verification pending"),
		bot.T("dvscmd.bv.failed", "pārbaude neizdevās ✗", "verification failed ✗"),
		bot.T("dvscmd.bv.none", "nav pārbaudīta", "not verified"),
	)
}

// incidentAck adds to the answer to an incident its priority; the bot's
// triage attached the DVS's health to it and made it high priority when
// the DVS is down.
func incidentAck(_ context.Context, _ *Deps, c *bot.Command, r *bot.Request, rep *bot.Reply) error {
	if r.Priority != bot.PriorityHigh { // the card shows a high priority itself
		rep.Fields = append(rep.Fields, bot.Field{Label: bot.Tr(c.Lang, "field.priority", nil), Value: bot.Tr(c.Lang, "priority."+r.Priority, nil), Short: true})
	} else {
		rep.Text += "\n" + bot.Tr(c.Lang, "dvscmd.incident_high", nil)
	}
	return nil
}

// period reads a DVS copy's dates: ISO dates, in order.
func period(from, to string) (time.Time, time.Time, error) {
	f, err1 := time.Parse("2006-01-02", from)
	t, err2 := time.Parse("2006-01-02", to)
	if err1 != nil || err2 != nil {
		return f, t, bot.Errorf(bot.EINVALID, "params.bad_dates", "From", from, "To", to)
	}
	if t.Before(f) {
		return f, t, bot.Errorf(bot.EINVALID, "params.dates_order", "From", from, "To", to)
	}
	return f, t, nil
}

// parseHours reads a positive number of hours: 16, 2,5, 2.5h, 8 h.
func parseHours(s string) (float64, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(strings.ToLower(s)), "h")
	s = strings.Replace(strings.TrimSpace(s), ",", ".", 1)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || v > 10000 || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// dvsEstimate records an operator's estimate of a customisation request
// (hours and a funding note), tells the requester in the request's thread
// and the operators.
func dvsEstimate(ctx context.Context, w bot.ResponseWriter, c *bot.Command, d *Deps) error {
	req, err := d.Bot.Get(ctx, actor(c), c.Arg(0))
	if err != nil {
		return err
	}
	if req.Type != bot.TypeDVSCustomize {
		return bot.Errorf(bot.EINVALID, "dvscmd.not_customize", "ID", req.ID)
	}
	hours, ok := parseHours(c.Arg(1))
	if !ok {
		return bot.Errorf(bot.EINVALID, "dvscmd.bad_hours", "Value", c.Arg(1))
	}
	funding := c.Rest(2)
	hs := strconv.FormatFloat(hours, 'f', -1, 64)
	r, err := d.Bot.Annotate(ctx, actor(c), req.ID, bot.P("dvscmd.estimated", "Hours", hs, "Funding", funding, "Actor", c.Person.Email),
		map[string]string{"dvs.estimate_hours": hs, "dvs.funding": funding})
	if err != nil {
		return err
	}
	d.Bot.Log.Info("dvs customisation estimated", "id", r.ID, "hours", hs, "by", c.Person.Email)
	return text(ctx, w, bot.Tr(c.Lang, "dvscmd.estimate_saved", bot.Args{"ID": r.ID}))
}

// backupAck adds to the answer to the backup look-up (a tracked request
// the bot runs at once, its outcome kept in the trail) the backups and a
// warning when the last verified one is older than Deps.BackupMaxAge. The
// view reads the list from the DVS itself rather than from the stored
// outcome's phrases, whose wording belongs to the bot package.
func backupAck(ctx context.Context, d *Deps, c *bot.Command, r *bot.Request, rep *bot.Reply) error {
	if r.State != bot.StateDone || d.Bot.DVS == nil {
		return nil
	}
	limit := d.BackupMaxAge
	if limit <= 0 {
		limit = 24 * time.Hour
	}
	inst, err := d.Bot.InstitutionOf(ctx, c.Person)
	if err != nil {
		return err
	}
	bs, err := d.Bot.DVS.Backups(ctx, inst)
	if err != nil {
		rep.Text += "\n\n" + bot.UserMessage(err, c.Lang)
	} else {
		rep.Text += "\n\n" + backupView(inst.Code, bs, d.Bot.Now(), limit, c.Lang)
	}
	return nil
}

// backupView renders backups (newest first) with the age of the last
// verified one against limit.
func backupView(inst string, bs []bot.Backup, now time.Time, limit time.Duration, l bot.Lang) string {
	var b strings.Builder
	if len(bs) == 0 {
		b.WriteString(bot.Tr(l, "dvscmd.backups_none", nil))
	} else {
		b.WriteString(bot.Tr(l, "dvscmd.backups_title", bot.Args{"Institution": inst}))
		for i, x := range bs {
			if i == 7 {
				b.WriteString("\n  " + bot.Tr(l, "dvscmd.backup_more", bot.Args{"Count": len(bs) - i}))
				break
			}
			v := x.Verified
			if v == "" {
				v = "none"
			}
			b.WriteString("\n  " + bot.Tr(l, "dvscmd.backup_line", bot.Args{
				"Started": bot.FormatTime(x.StartedAt), "Status": bot.Tr(l, "dvscmd.bs."+x.Status, nil),
				"Verified": bot.Tr(l, "dvscmd.bv."+v, nil), "Size": humanSize(x.SizeBytes, l)}))
		}
	}
	var last time.Time
	for _, x := range bs {
		if x.Status == "succeeded" && x.Verified == "verified" && x.StartedAt.After(last) {
			last = x.StartedAt
		}
	}
	b.WriteString("\n")
	lim := strconv.FormatFloat(limit.Hours(), 'f', -1, 64)
	switch age := now.Sub(last); {
	case last.IsZero():
		b.WriteString(bot.Tr(l, "dvscmd.backup_never", nil))
	case age > limit:
		b.WriteString(bot.Tr(l, "dvscmd.backup_old", bot.Args{"At": bot.FormatTime(last), "Hours": int(age.Hours()), "Limit": lim}))
	default:
		b.WriteString(bot.Tr(l, "dvscmd.backup_ok", bot.Args{"At": bot.FormatTime(last), "Hours": int(age.Hours()), "Limit": lim}))
	}
	return b.String()
}

// humanSize renders bytes for people (18,4 GB).
func humanSize(n int64, l bot.Lang) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	s := fmt.Sprintf("%.1f", f)
	if i == 0 {
		s = strconv.FormatInt(n, 10)
	}
	if l == bot.LV {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " " + units[i]
}

// dvsRoleNames are the DVS roles' names for people: the DVS's own role ids
// are written without diacritics.
var dvsRoleNames = map[string][2]string{
	"lietvedis":      {"lietvedis", "records clerk"},
	"vaditajs":       {"vadītājs", "manager"},
	"lasitajs":       {"lasītājs", "reader"},
	"administrators": {"administrators", "DVS administrator"},
	"arhivars":       {"arhivārs", "archivist"},
}

// dvsRoleName shows a DVS role id in Latvian with its diacritics, or in
// English with the Latvian name the DVS shows in brackets; an unknown id
// as it is.
func dvsRoleName(v string, l bot.Lang) string {
	n, ok := dvsRoleNames[bot.Fold(v)]
	switch {
	case !ok:
		return v
	case l == bot.EN:
		return n[1] + " (" + n[0] + ")"
	}
	return n[0]
}

// dvsRoleKnown refuses a role that is none of the DVS's (GET /roles), in
// any of its written forms (vadītājs, vadītāja, vaditajs, manager …: the
// first letters decide, the DVS reads the rest); when the DVS does not
// answer the request goes on.
func dvsRoleKnown(ctx context.Context, x *bot.Exec) error {
	if x.DVS == nil || x.Params.Role == "" {
		return nil
	}
	stem := func(s string) string {
		s = strings.ReplaceAll(bot.Fold(s), " ", "")
		if r := []rune(s); len(r) > 5 {
			return string(r[:5])
		}
		return s
	}
	want := stem(x.Params.Role)
	for id, n := range dvsRoleNames { // the DVS's usual roles: no need to ask
		if stem(id) == want || stem(n[0]) == want || stem(n[1]) == want {
			return nil
		}
	}
	ids, err := x.DVS.Roles(ctx)
	if err != nil || len(ids) == 0 {
		return nil
	}
	var names []string
	for _, id := range ids {
		forms := []string{id}
		if n, ok := dvsRoleNames[bot.Fold(id)]; ok {
			forms = append(forms, n[0], n[1])
		}
		for _, f := range forms {
			if stem(f) == want {
				return nil
			}
		}
		names = append(names, dvsRoleName(id, bot.LV))
	}
	return bot.Errorf(bot.EINVALID, "dvscmd.unknown_role", "Role", x.Params.Role, "Known", strings.Join(names, ", "))
}
