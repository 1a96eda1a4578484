package web

import (
	"html/template"
	"io/fs"
	"path"
	"strings"
	"sync"

	"itbot/bot"
)

var (
	templatesOnce sync.Once
	templates     map[string]*template.Template // "lv/queue" -> layout + page
	templatesErr  error
)

// parseTemplates parses every page with the layout, once per language:
// "t" translates a catalogue id in the page's language.
func parseTemplates() (map[string]*template.Template, error) {
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, l := range []bot.Lang{bot.LV, bot.EN} {
		funcs := template.FuncMap{
			"t": func(id string, kv ...any) string {
				var args bot.Args
				if len(kv) > 1 {
					args = bot.Args{}
					for i := 0; i+1 < len(kv); i += 2 {
						k, _ := kv[i].(string)
						args[k] = kv[i+1]
					}
				}
				return bot.Tr(l, id, args)
			},
			"lines": func(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") },
		}
		for _, p := range pages {
			name := strings.TrimSuffix(path.Base(p), ".html")
			if name == "layout" {
				continue
			}
			t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", p)
			if err != nil {
				return nil, err
			}
			out[string(l)+"/"+name] = t
		}
	}
	return out, nil
}

// contractText renders an institution's contract: its number and period.
func contractText(i *bot.Institution, l bot.Lang) string {
	c := i.Contract
	if c.Number == "" {
		return bot.Tr(l, "web.no_contract", nil)
	}
	s := c.Number
	if !c.ValidFrom.IsZero() {
		s += ", " + c.ValidFrom.In(bot.TimeZone).Format("2006-01-02")
	}
	if !c.ValidTo.IsZero() {
		s += " – " + c.ValidTo.In(bot.TimeZone).Format("2006-01-02")
	} else {
		s += " – " + bot.Tr(l, "web.open_ended", nil)
	}
	return s
}

func init() {
	bot.RegisterTexts(
		bot.T("web.console_at", "Tīmekļa konsole: {{.URL}}{{if .Sandbox}} (smilšu kastē piesakieties, izvēloties cilvēku){{end}}", "Web console: {{.URL}}{{if .Sandbox}} (in the sandbox, sign in by choosing a person){{end}}"),
		bot.T("web.title.signin", "Pieteikšanās", "Sign in"),
		bot.T("web.title.queue", "Rinda", "Queue"),
		bot.T("web.title.approvals", "Jāapstiprina", "Approvals"),
		bot.T("web.title.my", "Mani pieteikumi", "My requests"),
		bot.T("web.title.mine", "Mani pieteikumi", "My requests"),
		bot.T("web.title.new", "Jauns pieteikums", "New request"),
		bot.T("web.title.form", "Jauns pieteikums", "New request"),
		bot.T("web.title.request", "Pieteikums", "Request"),
		bot.T("web.title.availability", "Pieejamība", "Availability"),
		bot.T("web.title.calendar", "Darba dienu kalendārs", "Business calendar"),
		bot.T("web.title.admin", "Iestādes un cilvēki", "Institutions and people"),
		bot.T("web.title.error", "Neizdevās", "Something went wrong"),

		bot.T("web.sandbox_banner", "SMILŠU KASTE — izmēģinājuma režīms: nekas īsts netiek mainīts.", "SANDBOX — trial mode: nothing real is changed."),
		bot.T("web.signin_oidc", "Pieteikties ar Microsoft (Entra ID)", "Sign in with Microsoft (Entra ID)"),
		bot.T("web.signin_sandbox", "Smilšu kastes pieteikšanās: izvēlieties, kā vārdā strādāt", "Sandbox sign-in: choose who to be"),
		bot.T("web.signin_as", "Pieteikties", "Sign in"),
		bot.T("web.signout", "Iziet", "Sign out"),
		bot.T("web.skip", "Pāriet uz saturu", "Skip to content"),
		bot.T("web.lang_switch", "English", "Latviski"),
		bot.T("web.oidc_off", "Pieteikšanās ar Entra ID nav iestatīta. Administrators to iestata sadaļā web.oidc.", "Sign-in with Entra ID is not set up. An administrator sets it in the web.oidc section."),
		bot.T("web.oidc_down", "Microsoft pieteikšanās pakalpojums šobrīd neatbild. Mēģiniet pēc brīža.", "Microsoft's sign-in service does not answer right now. Try again in a moment."),
		bot.T("web.signin_stale", "Pieteikšanās ir novecojusi vai sākta citā pārlūkā. Sāciet no jauna.", "The sign-in expired or was started in another browser. Start again."),
		bot.T("web.signin_failed", "Pieteikšanās neizdevās. Sāciet no jauna; ja atkārtojas, sazinieties ar IT dienestu.", "Sign-in failed. Start again; if it happens again, contact the IT service desk."),
		bot.T("web.provider_refused", "Microsoft atteica pieteikšanos ({{.Error}}).", "Microsoft refused the sign-in ({{.Error}})."),
		bot.T("web.other_tenant", "Šis konts pieder citai organizācijai (Entra nomniekam). Piesakieties ar savas iestādes darba kontu.", "This account belongs to another organisation (Entra tenant). Sign in with your institution's work account."),
		bot.T("web.no_address", "Pierakstīšanās marķierī nav e-pasta adreses. Administrators var pievienot pretenziju email vai upn.", "The sign-in token carries no e-mail address. An administrator can add the email or upn claim."),
		bot.T("web.unknown_person", "{{.Email}} nav itbot sarakstā. Lūdziet savas iestādes IT kontaktpersonu jūs pievienot.", "{{.Email}} is not in itbot's directory. Ask your institution's IT contact to add you."),
		bot.T("web.sandbox_only", "Šī pieteikšanās ir tikai smilšu kastes režīmā.", "This sign-in exists only in sandbox mode."),
		bot.T("web.csrf", "Veidlapa ir novecojusi vai nav no šīs lapas. Atveriet lapu no jauna un mēģiniet vēlreiz.", "The form expired or did not come from this page. Open the page again and retry."),
		bot.T("web.signin_again", "Jūsu sesija ir beigusies. Piesakieties no jauna.", "Your session ended. Sign in again."),
		bot.T("web.internal", "Radās iekšēja kļūda; tā ir reģistrēta. Mēģiniet vēlreiz pēc brīža.", "An internal error occurred; it was logged. Try again in a moment."),
		bot.T("web.bad_state", "Nezināms vai slēgts stāvoklis “{{.State}}”. Izvēlieties no saraksta.", "Unknown or closed state “{{.State}}”. Choose one from the list."),
		bot.T("web.bad_action", "Nezināma darbība “{{.Action}}”.", "Unknown action “{{.Action}}”."),
		bot.T("web.bad_month", "Mēnesis “{{.Month}}” jāraksta kā GGGG-MM, piem. 2026-11.", "Write the month “{{.Month}}” as YYYY-MM, e.g. 2026-11."),
		bot.T("web.bad_year", "Gads “{{.Year}}” nav derīgs.", "The year “{{.Year}}” is not valid."),
		bot.T("web.reason_required", "Ierakstiet iemeslu vai piezīmi.", "Write a reason or a note."),
		bot.T("web.no_file", "Šāda faila nav vai tas nav jums. Faili ar iestādes datiem ir redzami tikai pieteicējam.", "No such file, or it is not yours. Files with an institution's data are shown to the requester only."),
		bot.T("web.no_contract", "nav līguma", "no contract"),
		bot.T("web.open_ended", "beztermiņa", "open-ended"),
		bot.T("web.contract_ok", "derīgs", "valid"),

		bot.T("web.col.id", "Nr.", "No."),
		bot.T("web.col.type", "Veids", "Type"),
		bot.T("web.col.target", "Par ko", "About"),
		bot.T("web.col.institution", "Iestāde", "Institution"),
		bot.T("web.col.state", "Stāvoklis", "State"),
		bot.T("web.col.assignee", "Izpildītājs", "Assignee"),
		bot.T("web.col.due", "Termiņš", "Due"),
		bot.T("web.col.sla", "SLA izlietots", "SLA used"),
		bot.T("web.col.requester", "Pieteicējs", "Requester"),
		bot.T("web.col.created", "Saņemts", "Received"),
		bot.T("web.col.name", "Nosaukums", "Name"),
		bot.T("web.col.domains", "Domēni", "Domains"),
		bot.T("web.col.contract", "Līgums", "Contract"),
		bot.T("web.col.status", "Statuss", "Status"),
		bot.T("web.col.email", "E-pasts", "E-mail"),
		bot.T("web.col.roles", "Lomas", "Roles"),
		bot.T("web.col.lang", "Valoda", "Language"),
		bot.T("web.col.date", "Datums", "Date"),
		bot.T("web.col.day", "Diena", "Day"),
		bot.T("web.col.hours", "Darba laiks", "Hours"),
		bot.T("web.col.when", "Kad", "When"),
		bot.T("web.col.who", "Kas", "Who"),
		bot.T("web.col.channel", "Kanāls", "Channel"),
		bot.T("web.col.what", "Kas notika", "What happened"),

		bot.T("web.health.ok", "laikā", "on time"),
		bot.T("web.health.half", "izlietota puse", "half used"),
		bot.T("web.health.late", "izlietoti 80 %", "80 % used"),
		bot.T("web.health.breached", "termiņš pārsniegts", "breached"),
		bot.T("web.health.paused", "pulkstenis apturēts", "clock stopped"),
		bot.T("web.health.closed", "slēgts", "closed"),

		bot.T("web.filter", "Atlasīt", "Filter"),
		bot.T("web.filter_all", "visi", "all"),
		bot.T("web.assignee_me", "man", "me"),
		bot.T("web.next_page", "Nākamā lapa", "Next page"),
		bot.T("web.none", "Nav neviena pieteikuma.", "No requests."),
		bot.T("web.live", "Lapa atjaunojas pati, kad pieteikumi mainās.", "The page updates itself when requests change."),
		bot.T("web.open_count", "Atvērti kopā: {{.Open}}", "Open in all: {{.Open}}"),
		bot.T("web.match_count", "Atbilst: {{.Total}}", "Matching: {{.Total}}"),
		bot.T("web.show_all", "Rādīt arī slēgtos", "Show closed ones too"),
		bot.T("web.show_open", "Rādīt tikai atvērtos", "Show open ones only"),
		bot.T("web.choose_type", "Izvēlieties, ko vēlaties pieteikt:", "Choose what to ask for:"),
		bot.T("web.submit", "Iesniegt", "Submit"),
		bot.T("web.required_mark", "obligāts", "required"),
		bot.T("web.form_errors", "Pārbaudiet atzīmētos laukus.", "Check the marked fields."),
		bot.T("web.trail", "Vēsture", "History"),
		bot.T("web.files", "Faili", "Files"),
		bot.T("web.actions", "Darbības", "Actions"),
		bot.T("web.reason", "Iemesls vai piezīme", "Reason or note"),
		bot.T("web.wait_what", "Ko gaida", "Waiting for"),
		bot.T("web.wait_info", "informāciju", "information"),
		bot.T("web.wait_procurement", "iepirkumu", "procurement"),
		bot.T("web.assign_to", "Kam nodot", "Assign to"),
		bot.T("web.secret_once", "Parādīts vienreiz — pierakstiet to droši:", "Shown once — write it down safely:"),
		bot.T("web.due_share", "SLA: {{.Share}} % izlietoti", "SLA: {{.Share}} % used"),
		bot.T("web.month", "Mēnesis", "Month"),
		bot.T("web.show", "Rādīt", "Show"),
		bot.T("web.goal", "Mērķis", "Goal"),
		bot.T("web.avail", "Pieejamība", "Availability"),
		bot.T("web.measured", "Izmērīts", "Measured"),
		bot.T("web.downtime", "Dīkstāve", "Downtime"),
		bot.T("web.verdict", "Vērtējums", "Verdict"),
		bot.T("web.verdict.met", "izpildīts", "met"),
		bot.T("web.verdict.missed", "neizpildīts", "missed"),
		bot.T("web.verdict.none", "par maz mērījumu", "too little measured"),
		bot.T("web.outages", "Pārtraukumi", "Outages"),
		bot.T("web.no_outages", "nav", "none"),
		bot.T("web.chart_alt", "Pieejamības grafiks pa dienām", "Availability chart by day"),
		bot.T("web.no_availability", "Pieejamības mērījumi šajā instalācijā nav ieslēgti.", "Availability is not measured in this installation."),
		bot.T("web.sla_title", "SLA izpilde mēnesī", "SLA compliance in the month"),
		bot.T("web.sla_csv", "Lejupielādēt CSV (Excel)", "Download CSV (Excel)"),
		bot.T("web.sla_chart_alt", "SLA izpilde pa iestādēm pret solīto", "SLA compliance by institution against the promise"),
		bot.T("web.contract_form", "Līgums", "Contract"),
		bot.T("web.contract_number", "Numurs", "Number"),
		bot.T("web.valid_from", "Derīgs no", "Valid from"),
		bot.T("web.valid_to", "Derīgs līdz (tukšs: beztermiņa)", "Valid to (empty: open-ended)"),
		bot.T("web.person_form", "Pievienot vai labot cilvēku", "Add or change a person"),
		bot.T("web.role_form", "Loma", "Role"),
		bot.T("web.role_change", "Darbība", "Change"),
		bot.T("web.role_add", "piešķirt", "grant"),
		bot.T("web.role_remove", "atņemt", "remove"),
		bot.T("web.role", "Loma", "Role"),
		bot.T("web.save", "Saglabāt", "Save"),
		bot.T("web.prev_year", "Iepriekšējais gads", "Previous year"),
		bot.T("web.next_year", "Nākamais gads", "Next year"),
		bot.T("web.institutions", "Iestādes", "Institutions"),
		bot.T("web.people", "Cilvēki", "People"),
		bot.T("web.back", "Atpakaļ", "Back"),

		bot.T("web.do.approve", "Apstiprināt", "Approve"),
		bot.T("web.do.reject", "Noraidīt", "Reject"),
		bot.T("web.do.take", "Ņemt darbā", "Take"),
		bot.T("web.do.execute", "Izpildīt", "Execute"),
		bot.T("web.do.done", "Pabeigt", "Done"),
		bot.T("web.do.wait", "Gaidīt", "Wait"),
		bot.T("web.do.resume", "Atsākt", "Resume"),
		bot.T("web.do.retry", "Atkārtot", "Retry"),
		bot.T("web.do.assign", "Nodot", "Assign"),
		bot.T("web.do.cancel", "Atcelt", "Cancel"),
		bot.T("web.do.comment", "Komentēt", "Comment"),

		bot.T("web.channel.system", "itbot", "itbot"),
		bot.T("web.channel.web", "tīmekļa konsole", "web console"),
		bot.T("web.channel.console", "termināļa konsole", "terminal console"),
		bot.T("web.channel.slack", "Slack", "Slack"),
		bot.T("web.channel.mattermost", "Mattermost", "Mattermost"),
		bot.T("web.channel.mailbox", "e-pasts", "e-mail"),
		bot.T("web.channel.teams", "Teams", "Teams"),

		bot.T("web.day.holiday", "svētku diena", "public holiday"),
		bot.T("web.day.observed_holiday", "pārceltā svētku brīvdiena", "observed holiday"),
		bot.T("web.day.dayoff", "papildu brīvdiena", "extra day off"),
		bot.T("web.day.transferred_dayoff", "pārcelta brīvdiena", "transferred day off"),
		bot.T("web.day.transferred_workday", "pārcelta darba diena", "transferred workday"),
		bot.T("web.day.preholiday_short", "pirmssvētku diena (stundu īsāka)", "day before a holiday (one hour shorter)"),
	)
}
