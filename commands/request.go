package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"itbot/bot"
)

// The request family: the commands every request shares (list, show,
// status, comment, cancel, approve, the operators' lifecycle) and the two
// free-text types, consultations and information requests.
func init() {
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeConsult, Order: 200,
		LV: "Konsultācija", EN: "Consultation",
		Names: []string{"consult", "konsultācija", "konsultacija", "jautājums", "jautajums", "question"},
		Help:  "help.consult", UsageLV: "konsultācija JAUTĀJUMS", UsageEN: "consult QUESTION",
		Params: []bot.ParamSpec{pText}, Approval: bot.ApprovalNone, Prospective: true})
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeInfoRequest, Order: 210,
		LV: "Informācijas pieprasījums", EN: "Information request",
		Names: []string{"info", "informācija", "informacija"},
		Help:  "help.info", UsageLV: "informācija KAS VAJADZĪGS", UsageEN: "info WHAT YOU NEED",
		Params: []bot.ParamSpec{pText}, Approval: bot.ApprovalNone})
	register(10, registerRequests)
}

func registerRequests(r *bot.Router, d *Deps) {
	h := func(f func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error) bot.Handler {
		return bot.HandlerFunc(f)
	}
	agency := []bot.Role{bot.RoleOperator, bot.RoleApprover, bot.RoleAdmin}
	r.Handle(&bot.Spec{Names: []string{"new", "jauns", "jauns pieteikums"}, Help: "help.new", UsageLV: "jauns", UsageEN: "new",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			return say(ctx, w, NewMenu(c.Lang))
		})})
	r.Handle(&bot.Spec{Names: []string{"requests", "pieteikumi", "mani pieteikumi", "my requests"}, Help: "help.requests",
		UsageLV: "pieteikumi [visi|STĀVOKLIS]", UsageEN: "requests [all|STATE]",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			f := bot.RequestFilter{Requester: c.Person.Email, OpenOnly: true, Limit: 50}
			arg := strings.Join(c.Args, " ")
			switch a := bot.Fold(arg); {
			case a == "":
			case a == "all" || a == "visi":
				f.OpenOnly = false
			default:
				st, ok := bot.ParseState(a)
				if !ok {
					return badState(arg)
				}
				f.OpenOnly, f.States = false, []bot.State{st}
			}
			if f.OpenOnly {
				// The person's open requests, newest first, from their
				// own index: a page, whatever their history.
				pg, err := d.Bot.Store.RequestPage(ctx, bot.PageQuery{Filter: f, Order: bot.OrderNewest, Size: f.Limit})
				if err != nil {
					return err
				}
				return say(ctx, w, PageReply(pg, c.Lang, "cmd.requests_title", "cmd.requests_none", ""))
			}
			rs, err := d.Bot.Store.Requests(ctx, f)
			if err != nil {
				return err
			}
			return say(ctx, w, ListReply(rs, c.Lang, "cmd.requests_title", "cmd.requests_none"))
		})})
	r.Handle(&bot.Spec{Names: []string{"search", "meklēt", "meklet", "atrast"}, Help: "help.search", MinArgs: 1,
		UsageLV: "meklēt TEKSTS", UsageEN: "search TEXT",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			rs, err := Search(ctx, d.Bot, c.Person, c.Rest(0), 20)
			if err != nil {
				return err
			}
			return say(ctx, w, ListReply(rs, c.Lang, "cmd.search_title", "cmd.search_none"))
		})})
	r.Handle(&bot.Spec{Names: []string{"approvals", "apstiprināšanai", "apstiprinasanai", "jāapstiprina", "jaapstiprina", "gaida mani"}, Help: "help.approvals", Roles: []bot.Role{bot.RoleITContact, bot.RoleExpertGroup, bot.RoleOperator, bot.RoleApprover},
		UsageLV: "apstiprināšanai [pēc=ID]", UsageEN: "approvals [after=ID]",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			_, o := flags(c.Args)
			after := ""
			for k, v := range o {
				if k != "after" && k != "pec" {
					return c.Usage()
				}
				id, err := bot.ParseID(v)
				if err != nil {
					return err
				}
				after = id
			}
			rs, total, more, err := Approvals(ctx, d.Bot, c.Person, after, QueuePage)
			if err != nil {
				return err
			}
			next := ""
			if more {
				name, word := "approvals", "after"
				if c.Lang == bot.LV {
					name, word = "apstiprināšanai", "pēc"
				}
				next = bot.Prefix + " " + name + " " + word + "=" + rs[len(rs)-1].ID
			}
			if !more && after == "" {
				total = len(rs) // the whole list is here: its own count
			}
			rep := PageReply(bot.Page{Requests: rs, More: more, Total: total}, c.Lang, "cmd.approvals_title", "cmd.approvals_none", next)
			for i, r := range rs {
				if i == 5 {
					break
				}
				rep.Buttons = append(rep.Buttons, bot.Button{Label: bot.Tr(c.Lang, "button.approve", nil) + " " + r.ID, Command: bot.Prefix + " approve " + r.ID, Style: bot.StylePrimary})
			}
			return say(ctx, w, rep)
		})})
	r.Handle(&bot.Spec{Names: []string{"show", "skatīt", "skatit", "parādīt", "paradit"}, Help: "help.show", MinArgs: 1,
		UsageLV: "skatīt ID", UsageEN: "show ID",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			req, err := d.Bot.Get(ctx, actor(c), c.Arg(0))
			if err != nil {
				return err
			}
			evs, err := d.Bot.Store.Events(ctx, req.ID)
			if err != nil {
				return err
			}
			card := d.Bot.Card(req, c.Person, c.Lang)
			card.Text += "\n\n" + bot.Tr(c.Lang, "cmd.history", nil) + "\n" + strings.Join(bot.History(evs, c.Lang), "\n")
			return say(ctx, w, card)
		})})
	r.Handle(&bot.Spec{Names: []string{"status", "statuss", "stāvoklis", "stavoklis"}, Help: "help.status",
		UsageLV: "statuss ID", UsageEN: "status ID",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			if len(c.Args) == 0 || strings.HasPrefix(c.Arg(0), "--") {
				if d.ServiceStatus != nil {
					return d.ServiceStatus(ctx, w, c)
				}
				return c.Usage()
			}
			req, err := d.Bot.Get(ctx, actor(c), c.Arg(0))
			if err != nil {
				return err
			}
			s := bot.Tr(c.Lang, "cmd.status_line", bot.Args{"ID": req.ID, "What": bot.Describe(req, c.Lang), "State": req.State.Label(c.Lang)})
			if req.State.Open() && !req.SLA.DueAt.IsZero() {
				s += " · " + bot.Tr(c.Lang, "field.due", nil) + " " + bot.FormatTime(req.SLA.DueAt)
			}
			return text(ctx, w, s)
		})})
	r.Handle(&bot.Spec{Names: []string{"comment", "komentārs", "komentars", "komentēt", "komentet"}, Help: "help.comment", MinArgs: 2,
		UsageLV: "komentārs ID TEKSTS", UsageEN: "comment ID TEXT",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			req, err := d.Bot.Comment(ctx, actor(c), c.Arg(0), c.Rest(1))
			if err != nil {
				return err
			}
			return text(ctx, w, bot.Tr(c.Lang, "cmd.commented", bot.Args{"ID": req.ID}))
		})})
	r.Handle(&bot.Spec{Names: []string{"cancel", "atcelt"}, Help: "help.cancel", MinArgs: 1,
		UsageLV: "atcelt ID [IEMESLS]", UsageEN: "cancel ID [REASON]",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			req, err := d.Bot.Cancel(ctx, actor(c), c.Arg(0), c.Rest(1))
			if err != nil {
				return err
			}
			return say(ctx, w, stateReply(d, c, req))
		})})
	requestCommand(r, d, bot.TypeConsult, nil)
	requestCommand(r, d, bot.TypeInfoRequest, nil)

	// Approvers.
	r.Handle(&bot.Spec{Names: []string{"approve", "apstiprināt", "apstiprinat", "apstiprinu"}, Help: "help.approve", MinArgs: 1,
		UsageLV: "apstiprināt ID", UsageEN: "approve ID",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			req, err := d.Bot.Approve(ctx, actor(c), c.Arg(0))
			if err != nil {
				return err
			}
			return say(ctx, w, stateReply(d, c, req))
		})})
	r.Handle(&bot.Spec{Names: []string{"reject", "noraidīt", "noraidit", "noraidu"}, Help: "help.reject", MinArgs: 2,
		UsageLV: "noraidīt ID IEMESLS", UsageEN: "reject ID REASON",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			req, err := d.Bot.Reject(ctx, actor(c), c.Arg(0), c.Rest(1))
			if err != nil {
				return err
			}
			return say(ctx, w, stateReply(d, c, req))
		})})

	// Operators.
	r.Handle(&bot.Spec{Names: []string{"queue", "rinda"}, Help: "help.queue", Roles: agency,
		UsageLV: "rinda [iestāde=KODS] [veids=VEIDS] [stāvoklis=STĀVOKLIS]", UsageEN: "queue [institution=CODE] [type=TYPE] [state=STATE]",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			_, o := flags(c.Args)
			f := bot.RequestFilter{OpenOnly: true}
			after := ""
			var kept []string // the filters, for the next page's command
			for k, v := range o {
				switch k {
				case "institution", "iestade", "inst":
					f.Institution = strings.ToUpper(v)
				case "type", "veids":
					f.Type = bot.Type(v)
					if !f.Type.Valid() {
						return bot.Errorf(bot.EINVALID, "params.bad_type", "Type", v)
					}
				case "state", "stavoklis":
					st, ok := bot.ParseState(v)
					if !ok {
						return badState(v)
					}
					f.States = []bot.State{st}
					f.OpenOnly = st.Open()
				case "after", "pec":
					id, err := bot.ParseID(v)
					if err != nil {
						return err
					}
					after = id
					continue
				default:
					return c.Usage()
				}
				kept = append(kept, k+"="+v)
			}
			slices.Sort(kept)
			pg, err := d.Bot.Store.RequestPage(ctx, bot.PageQuery{Filter: f, Order: bot.OrderDue, After: after, Size: QueuePage})
			if err != nil {
				return err
			}
			next := ""
			if pg.More {
				name, word := "queue", "after"
				if c.Lang == bot.LV {
					name, word = "rinda", "pēc"
				}
				next = strings.Join(append([]string{bot.Prefix, name}, kept...), " ") + " " + word + "=" + pg.Requests[len(pg.Requests)-1].ID
			}
			return say(ctx, w, PageReply(pg, c.Lang, "cmd.queue_title", "cmd.queue_none", next))
		})})
	simple := func(name []string, help, lv, en string, min int, op func(ctx context.Context, c *bot.Command) (*bot.Request, error)) {
		r.Handle(&bot.Spec{Names: name, Help: help, Roles: agency, MinArgs: min, UsageLV: lv, UsageEN: en,
			Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				req, err := op(ctx, c)
				if err != nil {
					return err
				}
				return say(ctx, w, stateReply(d, c, req))
			})})
	}
	simple([]string{"take", "ņemt", "nemt", "paņemt", "panemt"}, "help.take", "ņemt ID", "take ID", 1,
		func(ctx context.Context, c *bot.Command) (*bot.Request, error) {
			return d.Bot.Take(ctx, actor(c), c.Arg(0))
		})
	simple([]string{"assign", "nodot"}, "help.assign", "nodot ID E-PASTS", "assign ID EMAIL", 2,
		func(ctx context.Context, c *bot.Command) (*bot.Request, error) {
			addr, err := bot.NormalizeAddress(c.Arg(1))
			if err != nil {
				return nil, err
			}
			p, err := d.Bot.Store.Person(ctx, addr)
			if err != nil {
				return nil, bot.Errorf(bot.ENOTFOUND, "cmd.unknown_person", "Email", addr)
			}
			return d.Bot.Assign(ctx, actor(c), c.Arg(0), p)
		})
	simple([]string{"wait", "gaidīt", "gaidit"}, "help.wait", "gaidīt ID info|iepirkums IEMESLS", "wait ID info|procurement REASON", 2,
		func(ctx context.Context, c *bot.Command) (*bot.Request, error) {
			return d.Bot.Wait(ctx, actor(c), c.Arg(0), c.Arg(1), c.Rest(2))
		})
	simple([]string{"resume", "atsākt", "atsakt"}, "help.resume", "atsākt ID", "resume ID", 1,
		func(ctx context.Context, c *bot.Command) (*bot.Request, error) {
			return d.Bot.Resume(ctx, actor(c), c.Arg(0))
		})
	simple([]string{"done", "pabeigt", "gatavs"}, "help.done", "pabeigt ID PIEZĪME", "done ID NOTE", 2,
		func(ctx context.Context, c *bot.Command) (*bot.Request, error) {
			return d.Bot.Done(ctx, actor(c), c.Arg(0), c.Rest(1))
		})
	r.Handle(&bot.Spec{Names: []string{"fix", "labot", "izlabot"}, Help: "help.fix", MinArgs: 2,
		UsageLV: "labot ID nosaukums=vērtība …", UsageEN: "fix ID name=value …",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			changes := map[string]string{}
			for _, a := range c.Args[1:] {
				k, v, ok := strings.Cut(a, "=")
				if !ok || k == "" {
					return c.Usage()
				}
				changes[strings.ToLower(k)] = v
			}
			req, err := d.Bot.Fix(ctx, actor(c), c.Arg(0), changes)
			if err != nil {
				return err
			}
			return say(ctx, w, stateReply(d, c, req))
		})})
	simple([]string{"retry", "atkārtot", "atkartot"}, "help.retry", "atkārtot ID", "retry ID", 1,
		func(ctx context.Context, c *bot.Command) (*bot.Request, error) {
			return d.Bot.Retry(ctx, actor(c), c.Arg(0))
		})
	simple([]string{"execute", "izpildīt", "izpildit"}, "help.execute", "izpildīt ID", "execute ID", 1,
		func(ctx context.Context, c *bot.Command) (*bot.Request, error) {
			r, err := d.Bot.Get(ctx, actor(c), c.Arg(0))
			if err != nil {
				return nil, err
			}
			return d.Bot.Execute(ctx, actor(c), r.ID)
		})
}

// badState is the error for a word that names no state, listing the
// states in each language.
func badState(v string) error {
	names := func(l bot.Lang) string {
		var out []string
		for _, st := range bot.AllStates {
			out = append(out, st.Label(l))
		}
		return strings.Join(out, ", ")
	}
	return bot.Errorf(bot.EINVALID, "cmd.bad_state", "Value", v, "KnownLV", names(bot.LV), "KnownEN", names(bot.EN))
}

// Search returns the newest requests p may see (their own; an IT
// contact's or expert group member's institution's; every one for agency
// staff) whose id, type, target, parameters or text contain every word of
// text, case and diacritics folded; at most limit.
func Search(ctx context.Context, b *bot.Bot, p *bot.Person, text string, limit int) ([]*bot.Request, error) {
	words := strings.Fields(bot.Fold(text))
	if len(words) == 0 {
		return nil, bot.Errorf(bot.EINVALID, "params.missing_text")
	}
	f := bot.RequestFilter{Requester: p.Email}
	switch {
	case p.IsAgency():
		f = bot.RequestFilter{}
	case p.HasAny(bot.RoleITContact, bot.RoleExpertGroup):
		f = bot.RequestFilter{Institution: p.Institution}
	}
	// Newest first, a page at a time: a search that finds its matches
	// among recent requests reads only those pages.
	var out []*bot.Request
	q := bot.PageQuery{Filter: f, Order: bot.OrderNewest, Size: 200}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pg, err := b.Store.RequestPage(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, r := range pg.Requests {
			hay := bot.Fold(strings.Join([]string{r.ID, r.Requester, r.Institution, bot.Describe(r, bot.LV), bot.Describe(r, bot.EN),
				r.Params.Text, r.Params.DisplayName, r.Params.SKU, r.Params.Role}, " "))
			match := true
			for _, w := range words {
				if !strings.Contains(hay, w) {
					match = false
					break
				}
			}
			if match {
				out = append(out, r)
				if len(out) == limit {
					return out, nil
				}
			}
		}
		if !pg.More {
			return out, nil
		}
		q.After = pg.Requests[len(pg.Requests)-1].ID
	}
}

// Approvals returns a page of the requests waiting for p's approval,
// oldest first, after the request after ("" for the first page): an
// institution's IT contact or expert group sees their institution's,
// agency staff every institution's; requests p asked, and those p may not
// decide (agency approval), are left out. It reads the waiting requests a
// page at a time from the state index, so its cost grows with the page,
// not with all that wait; total is how many wait in p's scope (-1 when
// unknown), more whether a next page has any.
func Approvals(ctx context.Context, b *bot.Bot, p *bot.Person, after string, size int) (rs []*bot.Request, total int, more bool, err error) {
	if !p.HasAny(bot.RoleITContact, bot.RoleExpertGroup, bot.RoleOperator, bot.RoleApprover) {
		return nil, 0, false, bot.Errorf(bot.EFORBIDDEN, "policy.cannot_approve")
	}
	f := bot.RequestFilter{States: []bot.State{bot.StateAwaitingApproval}}
	if !p.IsAgency() {
		f.Institution = p.Institution
	}
	total = -1
	q := bot.PageQuery{Filter: f, Order: bot.OrderOldest, After: after, Size: size}
	for {
		pg, err := b.Store.RequestPage(ctx, q)
		if err != nil {
			return nil, 0, false, err
		}
		if total < 0 {
			total = pg.Total
		}
		for _, r := range pg.Requests {
			if b.Policy.CanApprove(p, r) != nil {
				continue
			}
			if len(rs) == size {
				return rs, total, true, nil
			}
			rs = append(rs, r)
		}
		if !pg.More {
			return rs, total, false, nil
		}
		q.After = pg.Requests[len(pg.Requests)-1].ID
	}
}

// stateReply answers a lifecycle command with the request's new state.
func stateReply(d *Deps, c *bot.Command, r *bot.Request) bot.Reply {
	card := d.Bot.Card(r, c.Person, c.Lang)
	card.Text = bot.Tr(c.Lang, "cmd.status_line", bot.Args{"ID": r.ID, "What": bot.Describe(r, c.Lang), "State": r.State.Label(c.Lang)})
	return card
}

// SortByDue orders requests by due time, those without one last.
func SortByDue(rs []*bot.Request) {
	less := func(a, b *bot.Request) bool {
		switch {
		case a.SLA.DueAt.IsZero() != b.SLA.DueAt.IsZero():
			return !a.SLA.DueAt.IsZero()
		case !a.SLA.DueAt.Equal(b.SLA.DueAt):
			return a.SLA.DueAt.Before(b.SLA.DueAt)
		}
		return a.ID < b.ID
	}
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && less(rs[j], rs[j-1]); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// ListReply renders requests as one line each.
func ListReply(rs []*bot.Request, l bot.Lang, title, none string) bot.Reply {
	if len(rs) == 0 {
		return bot.Reply{Kind: bot.KindList, Text: bot.Tr(l, none, nil)}
	}
	var b strings.Builder
	b.WriteString(bot.TrN(l, title, len(rs), nil))
	writeRows(&b, rs, l)
	return bot.Reply{Kind: bot.KindList, Text: b.String()}
}

// QueuePage is how many requests one page of the queue shows: a page fits
// every platform's message limits (Slack 50 blocks and 3,000 characters a
// section, Mattermost 16,383 characters a post, a Teams card, an e-mail).
const QueuePage = 20

// maxRowDescription bounds one row's description, so a page stays within
// the platforms' limits whatever the requests say.
const maxRowDescription = 160

// PageReply renders one page of requests: the title counts them all (when
// the store knows how many), each row as in ListReply, and, when more
// follow, where the page ends and the command (and button) for the next.
func PageReply(pg bot.Page, l bot.Lang, title, none, next string) bot.Reply {
	if len(pg.Requests) == 0 {
		return bot.Reply{Kind: bot.KindList, Text: bot.Tr(l, none, nil)}
	}
	total := pg.Total
	if total < len(pg.Requests) {
		total = len(pg.Requests)
	}
	var b strings.Builder
	b.WriteString(bot.TrN(l, title, total, nil))
	writeRows(&b, pg.Requests, l)
	rep := bot.Reply{Kind: bot.KindList}
	if pg.More {
		args := bot.Args{"Shown": len(pg.Requests), "Next": next}
		key := "cmd.page_more"
		if pg.Total > 0 {
			args["Total"] = pg.Total
			key = "cmd.page_more_of"
		}
		b.WriteString("\n" + bot.TrN(l, key, len(pg.Requests), args))
		if next != "" {
			b.WriteString(" " + bot.Tr(l, "cmd.page_next", args))
			rep.Buttons = []bot.Button{{Label: bot.Tr(l, "button.next_page", nil), Command: next}}
		}
	}
	rep.Text = b.String()
	return rep
}

func writeRows(b *strings.Builder, rs []*bot.Request, l bot.Lang) {
	for _, r := range rs {
		due := ""
		if r.State.Open() && !r.SLA.DueAt.IsZero() {
			due = " · " + bot.FormatTime(r.SLA.DueAt)
		}
		flag := ""
		if r.NeedsAttention {
			flag = " ⚠"
		}
		desc := bot.Describe(r, l)
		if rs := []rune(desc); len(rs) > maxRowDescription {
			desc = string(rs[:maxRowDescription-1]) + "…"
		}
		fmt.Fprintf(b, "\n  %s  %-20s %s%s%s", r.ID, r.State.Label(l), desc, due, flag)
	}
}

// NewMenu is the guided start: one button for each family of request
// types (the first word of their command, in the table's order), labelled
// with the family's first type, that shows how to ask for it.
func NewMenu(l bot.Lang) bot.Reply {
	rep := bot.Reply{Kind: bot.KindHelp, Text: bot.Tr(l, "cmd.new_menu", nil)}
	seen := map[string]bool{}
	for _, s := range bot.FormTypes() {
		family := strings.Fields(s.Names[0])[0]
		if seen[family] {
			continue
		}
		seen[family] = true
		rep.Buttons = append(rep.Buttons, bot.Button{Label: s.Type.Label(l), Command: bot.Prefix + " help " + family})
	}
	return rep
}
