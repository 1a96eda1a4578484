package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"itbot/bot"
	"itbot/bot/availability"
	"itbot/commands"
)

// QueuePage is how many requests a queue page shows.
const QueuePage = 50

// row is one request in a list.
type row struct {
	ID, Type, Target, Institution, State, Assignee, Due, Requester string
	Created                                                        string
	Share                                                          int    // percent of the SLA budget used; -1 none
	Health                                                         string // ok, half, late (80 %), breached, paused, closed
	Priority                                                       bool
	Req                                                            *bot.Request
}

func (s *Server) rows(rs []*bot.Request, l bot.Lang) []row {
	now := s.d.Bot.Now()
	out := make([]row, 0, len(rs))
	for _, r := range rs {
		w := row{ID: r.ID, Type: r.Type.Label(l), Target: bot.LookupType(r.Type).TargetOf(r.Params), Institution: r.Institution,
			State: r.State.Label(l), Assignee: r.Assignee, Requester: r.Requester, Created: bot.FormatTime(r.CreatedAt),
			Share: -1, Priority: r.Priority == bot.PriorityHigh, Req: r}
		if r.State.Open() && !r.SLA.DueAt.IsZero() {
			w.Due = bot.FormatTime(r.SLA.DueAt)
		}
		w.Health = health(r, s.d.Used, now, &w.Share)
		out = append(out, w)
	}
	return out
}

// health classes a request by its SLA: closed, paused, breached, late
// (80 % used), half (50 % used) or ok; share gets the percent used.
func health(r *bot.Request, used func(*bot.Request, time.Time) (float64, bool), now time.Time, share *int) string {
	switch {
	case !r.State.Open():
		return "closed"
	case r.State.Paused() || r.SLA.DueAt.IsZero():
		return "paused"
	}
	u, ok := 0.0, false
	if used != nil {
		u, ok = used(r, now)
	}
	if ok {
		*share = int(u * 100)
		if *share < 0 {
			*share = 0
		}
	}
	switch {
	case r.SLA.Breached || !now.Before(r.SLA.DueAt):
		return "breached"
	case ok && u >= 0.8:
		return "late"
	case ok && u >= 0.5:
		return "half"
	}
	return "ok"
}

// home sends a person to the page they work from.
func (s *Server) home(w http.ResponseWriter, r *http.Request, _ *session, p *bot.Person) {
	switch {
	case p.HasAny(bot.RoleOperator, bot.RoleApprover, bot.RoleAdmin):
		http.Redirect(w, r, "/queue", http.StatusSeeOther)
	case p.HasAny(bot.RoleITContact, bot.RoleExpertGroup):
		http.Redirect(w, r, "/approvals", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/my", http.StatusSeeOther)
	}
}

// queue is the operators' queue: open requests by due time, filtered.
func (s *Server) queue(w http.ResponseWriter, r *http.Request, se *session, p *bot.Person) {
	l := s.pageLang(r, se)
	if !p.IsAgency() {
		s.fail(w, r, se, http.StatusForbidden, bot.UserMessage(bot.Errorf(bot.EFORBIDDEN, "router.role_required", "Command", "queue",
			"RolesLV", bot.RoleLabels([]bot.Role{bot.RoleOperator, bot.RoleApprover, bot.RoleAdmin}, bot.LV),
			"RolesEN", bot.RoleLabels([]bot.Role{bot.RoleOperator, bot.RoleApprover, bot.RoleAdmin}, bot.EN)), l))
		return
	}
	q := r.URL.Query()
	f := bot.RequestFilter{OpenOnly: true, Institution: strings.ToUpper(strings.TrimSpace(q.Get("inst")))}
	if t := q.Get("type"); t != "" {
		f.Type = bot.Type(t)
		if !f.Type.Valid() {
			s.fail(w, r, se, http.StatusBadRequest, bot.UserMessage(bot.Errorf(bot.EINVALID, "params.bad_type", "Type", t), l))
			return
		}
	}
	if st := q.Get("state"); st != "" {
		v, ok := bot.ParseState(st)
		if !ok || !v.Open() {
			s.fail(w, r, se, http.StatusBadRequest, bot.Tr(l, "web.bad_state", bot.Args{"State": st}))
			return
		}
		f.States = []bot.State{v}
	}
	switch a := strings.TrimSpace(q.Get("assignee")); a {
	case "":
	case "me":
		f.Assignee = p.Email
	default:
		addr, err := bot.NormalizeAddress(a)
		if err != nil {
			s.fail(w, r, se, http.StatusBadRequest, bot.UserMessage(err, l))
			return
		}
		f.Assignee = addr
	}
	after, ok := s.after(w, r, se, l)
	if !ok {
		return
	}
	pg, err := s.d.Bot.Store.RequestPage(r.Context(), bot.PageQuery{Filter: f, Order: bot.OrderDue, After: after, Size: QueuePage})
	if err != nil {
		s.internal(w, r, se, err)
		return
	}
	data, err := s.queueData(r.Context(), l, pg)
	if err != nil {
		s.internal(w, r, se, err)
		return
	}
	data["Filter"] = map[string]string{"inst": f.Institution, "type": string(f.Type), "state": q.Get("state"), "assignee": q.Get("assignee")}
	if pg.More {
		nq := r.URL.Query()
		nq.Set("after", pg.Requests[len(pg.Requests)-1].ID)
		data["Next"] = "/queue?" + nq.Encode()
	}
	s.render(w, r, se, "queue", l, data)
}

// queueData is the queue page's data besides its filter: rows, counts and
// the filters' choices.
func (s *Server) queueData(ctx context.Context, l bot.Lang, pg bot.Page) (map[string]any, error) {
	counts, err := s.d.Bot.Store.OpenCounts(ctx)
	if err != nil {
		return nil, err
	}
	insts, err := s.d.Bot.Store.Institutions(ctx)
	if err != nil {
		return nil, err
	}
	var types []option
	for _, t := range bot.TypeSpecs() {
		types = append(types, option{Value: string(t.Type), Label: t.Type.Label(l)})
	}
	var states []option
	for _, st := range bot.AllStates {
		if st.Open() {
			states = append(states, option{Value: string(st), Label: st.Label(l)})
		}
	}
	var instOpts []option
	for _, i := range insts {
		instOpts = append(instOpts, option{Value: i.Code, Label: i.Code + " — " + i.Name(l)})
	}
	return map[string]any{"Rows": s.rows(pg.Requests, l), "Total": pg.Total, "Open": counts.Total, "Types": types, "States": states,
		"Institutions": instOpts, "Live": "queue"}, nil
}

// after reads a list page's "after" parameter (the last id of the page
// before); a malformed one is answered, and ok is false.
func (s *Server) after(w http.ResponseWriter, r *http.Request, se *session, l bot.Lang) (id string, ok bool) {
	a := r.URL.Query().Get("after")
	if a == "" {
		return "", true
	}
	id, err := bot.ParseID(a)
	if err != nil {
		s.fail(w, r, se, http.StatusBadRequest, bot.UserMessage(err, l))
		return "", false
	}
	return id, true
}

// option is one choice of a select.
type option struct{ Value, Label string }

// approvals lists what waits for the person's decision.
func (s *Server) approvals(w http.ResponseWriter, r *http.Request, se *session, p *bot.Person) {
	l := s.pageLang(r, se)
	after, ok := s.after(w, r, se, l)
	if !ok {
		return
	}
	rs, total, more, err := commands.Approvals(r.Context(), s.d.Bot, p, after, QueuePage)
	if err != nil {
		if bot.ErrorCode(err) == bot.EFORBIDDEN {
			s.fail(w, r, se, http.StatusForbidden, bot.UserMessage(err, l))
			return
		}
		s.internal(w, r, se, err)
		return
	}
	data := map[string]any{"Rows": s.rows(rs, l), "Total": total, "Live": "approvals"}
	if more {
		data["Next"] = "/approvals?after=" + rs[len(rs)-1].ID
	}
	s.render(w, r, se, "approvals", l, data)
}

// mine lists the person's own requests: open ones, or all.
func (s *Server) mine(w http.ResponseWriter, r *http.Request, se *session, p *bot.Person) {
	l := s.pageLang(r, se)
	all := r.URL.Query().Get("all") == "1"
	f := bot.RequestFilter{Requester: p.Email, OpenOnly: !all}
	after, ok := s.after(w, r, se, l)
	if !ok {
		return
	}
	pg, err := s.d.Bot.Store.RequestPage(r.Context(), bot.PageQuery{Filter: f, Order: bot.OrderNewest, After: after, Size: QueuePage})
	if err != nil {
		s.internal(w, r, se, err)
		return
	}
	data := map[string]any{"Rows": s.rows(pg.Requests, l), "All": all, "Live": "mine"}
	if pg.More {
		next := "/my?after=" + pg.Requests[len(pg.Requests)-1].ID
		if all {
			next += "&all=1"
		}
		data["Next"] = next
	}
	s.render(w, r, se, "mine", l, data)
}

// formField is one input of the new-request form.
type formField struct {
	Name, Label, Kind, Value, Error, Placeholder string
	Required                                     bool
	Choices                                      []option
}

// newForm shows the request types, or the form of one type.
func (s *Server) newForm(w http.ResponseWriter, r *http.Request, se *session, p *bot.Person) {
	l := s.pageLang(r, se)
	t := r.URL.Query().Get("type")
	if t == "" {
		s.render(w, r, se, "new", l, map[string]any{"Types": s.formTypes(l)})
		return
	}
	spec := formType(t)
	if spec == nil {
		s.fail(w, r, se, http.StatusNotFound, bot.UserMessage(bot.Errorf(bot.EINVALID, "params.bad_type", "Type", t), l))
		return
	}
	s.renderForm(w, r, se, p, l, spec, nil, nil, "", http.StatusOK)
}

// formTypes lists the types the form offers.
func (s *Server) formTypes(l bot.Lang) []option {
	var out []option
	for _, sp := range bot.FormTypes() {
		if m, ok := s.d.Router.Match(bot.Prefix + " " + sp.Names[0]); !ok || !m.Is(sp.Names[0]) {
			continue // a family not installed here
		}
		out = append(out, option{Value: string(sp.Type), Label: sp.Type.Label(l)})
	}
	return out
}

func formType(t string) *bot.TypeSpec {
	for _, sp := range bot.FormTypes() {
		if string(sp.Type) == t {
			return sp
		}
	}
	return nil
}

// renderForm shows type spec's form with the values typed and the errors
// next to their fields.
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, se *session, p *bot.Person, l bot.Lang, spec *bot.TypeSpec, values, errs map[string]string, general string, status int) {
	example := "vards.uzvards@iestade.gov.lv"
	if l == bot.EN {
		example = "name.surname@institution.gov.lv"
	}
	if inst, err := s.d.Bot.InstitutionOf(r.Context(), p); err == nil && len(inst.Domains) > 0 {
		example = strings.Split(example, "@")[0] + "@" + inst.Domains[0]
	}
	var fields []formField
	for _, ps := range bot.FormParams(spec) {
		f := formField{Name: ps.Name, Label: bot.Tr(l, ps.Label, nil), Kind: string(ps.Kind), Value: values[ps.Name], Error: errs[ps.Name],
			Required: ps.Required && ps.Default == ""}
		if ps.Label == "" {
			f.Label = ps.Name
		}
		switch ps.Kind {
		case bot.ParamAddress:
			f.Placeholder = example
		case bot.ParamDate:
			f.Placeholder = "2026-12-31"
		}
		for _, c := range ps.Choices {
			lbl := c
			if ps.Show != nil {
				lbl = ps.Show(c, l)
			}
			f.Choices = append(f.Choices, option{Value: c, Label: lbl})
		}
		fields = append(fields, f)
	}
	delivery := values["delivery"]
	if delivery == "" {
		delivery = randomToken(16)
	}
	s.renderStatus(w, r, se, "form", l, status, map[string]any{"Type": string(spec.Type), "TypeLabel": spec.Type.Label(l), "Fields": fields,
		"General": general, "Delivery": delivery})
}

// newSubmit checks the form like the command and routes the command line
// it makes, as typing it would: the bot creates the request. The form's
// delivery token makes a second submission of the same form the same
// request.
func (s *Server) newSubmit(w http.ResponseWriter, r *http.Request, se *session, p *bot.Person) {
	l := s.pageLang(r, se)
	spec := formType(r.PostFormValue("type"))
	if spec == nil {
		s.fail(w, r, se, http.StatusBadRequest, bot.UserMessage(bot.Errorf(bot.EINVALID, "params.bad_type", "Type", r.PostFormValue("type")), l))
		return
	}
	values := map[string]string{"delivery": r.PostFormValue("delivery")}
	for _, ps := range bot.FormParams(spec) {
		values[ps.Name] = bot.StripControl(r.PostFormValue(ps.Name))
	}
	cmd, errs, general := s.d.Bot.Door(s.d.Router).FormCommand(r.Context(), p, spec, values)
	if cmd == "" {
		s.renderForm(w, r, se, p, l, spec, values, errs, general, http.StatusUnprocessableEntity)
		return
	}
	delivery := values["delivery"]
	if len(delivery) != 32 {
		delivery = randomToken(16)
	}
	reps, id := s.route(r.Context(), p, cmd, "form-"+p.Email+"-"+delivery)
	s.addFlash(r.Context(), se, reps...)
	if id != "" {
		http.Redirect(w, r, "/r/"+id, http.StatusSeeOther)
		return
	}
	if len(reps) > 0 && reps[0].Kind == "error" {
		s.renderForm(w, r, se, p, l, spec, values, nil, reps[0].Text, http.StatusUnprocessableEntity)
		return
	}
	http.Redirect(w, r, "/my", http.StatusSeeOther)
}

// route runs a command line as p through the bot's router, like a chat
// message, and returns what it answered as page messages and the request
// a card was about.
func (s *Server) route(ctx context.Context, p *bot.Person, cmd, delivery string) ([]flash, string) {
	var out []flash
	id := ""
	for _, rep := range s.run(ctx, p, cmd, delivery) {
		kind := "ok"
		if rep.Kind == bot.KindError {
			kind = "error"
		}
		text := rep.Text
		if rep.Request != nil {
			if id == "" {
				id = rep.Request.ID
			}
			if text == "" {
				text = bot.Describe(rep.Request, p.Language())
			}
		}
		out = append(out, flash{Kind: kind, Title: rep.Title, Text: text})
	}
	return out, id
}

// run routes a command line as p, from the web, and returns the replies.
func (s *Server) run(ctx context.Context, p *bot.Person, cmd, delivery string) []bot.Reply {
	var rec bot.Recorder
	m := &bot.Message{Platform: Platform, Channel: Platform, UserID: p.Email, Person: p, Text: cmd, Source: bot.SourceButton,
		MessageID: randomToken(8), Delivery: delivery, Direct: true}
	if err := s.d.Router.Route(ctx, &rec, m); err != nil {
		s.log.Error("web route", "err", err)
	}
	return rec.Replies
}

// event is one audit event as the page shows it.
type event struct {
	At, Actor, Channel, Text string
}

// action is one thing the signed-in person may do to a request.
type action struct {
	Do, Label, Style string
	Reason           bool // asks for a reason or a note
	Required         bool
	Assign           []option
	Wait             bool
}

// request shows one request: its facts, state, due time, audit trail,
// comments, files and what the person may do.
func (s *Server) request(w http.ResponseWriter, r *http.Request, se *session, p *bot.Person) {
	l := s.pageLang(r, se)
	req, err := s.d.Bot.Get(r.Context(), bot.Actor{Person: p, Platform: Platform}, r.PathValue("id"))
	if err != nil {
		code := http.StatusInternalServerError
		switch bot.ErrorCode(err) {
		case bot.ENOTFOUND:
			code = http.StatusNotFound
		case bot.EINVALID:
			code = http.StatusBadRequest
		}
		if code == http.StatusInternalServerError {
			s.internal(w, r, se, err)
			return
		}
		s.log.Info("web: request refused", "person", p.Email, "id", r.PathValue("id"), "err", err)
		s.fail(w, r, se, code, bot.UserMessage(err, l))
		return
	}
	history, err := s.d.Bot.Store.Events(r.Context(), req.ID)
	if err != nil {
		s.internal(w, r, se, err)
		return
	}
	var trail []event
	for _, ev := range history {
		trail = append(trail, event{At: bot.FormatTime(ev.At), Actor: ev.Actor, Channel: channelLabel(ev.Platform, l), Text: bot.EventText(ev, l)})
	}
	var share int
	h := health(req, s.d.Used, s.d.Bot.Now(), &share)
	if h == "closed" || h == "paused" {
		share = -1
	}
	var files []string
	if req.Outcome != nil && req.Requester == p.Email {
		for _, f := range req.Outcome.Files {
			files = append(files, f.Name)
		}
	}
	acts, err := s.actions(r.Context(), req, p, l)
	if err != nil {
		s.internal(w, r, se, err)
		return
	}
	s.render(w, r, se, "request", l, map[string]any{"Req": req, "Describe": bot.Describe(req, l), "Fields": bot.CardFields(req, l),
		"Trail": trail, "Health": h, "Share": share, "Files": files, "Actions": acts, "Live": "request:" + req.ID})
}

// channelLabel names where an audit event's actor acted from.
func channelLabel(platform string, l bot.Lang) string {
	switch platform {
	case "", bot.SystemActor:
		return bot.Tr(l, "web.channel.system", nil)
	case Platform, "console", "slack", "mattermost", "mailbox", "teams":
		return bot.Tr(l, "web.channel."+platform, nil)
	}
	return platform
}

// actions lists what p may do to req now. The page offers them; the bot
// decides again when one is done.
func (s *Server) actions(ctx context.Context, req *bot.Request, p *bot.Person, l bot.Lang) ([]action, error) {
	var out []action
	add := func(do, style string) *action {
		out = append(out, action{Do: do, Label: bot.Tr(l, "web.do."+do, nil), Style: style})
		return &out[len(out)-1]
	}
	op := p.Has(bot.RoleOperator)
	switch req.State {
	case bot.StateAwaitingApproval:
		if s.d.Bot.Policy.CanApprove(p, req) == nil {
			add("approve", "primary")
			a := add("reject", "danger")
			a.Reason, a.Required = true, true
		}
	case bot.StateApproved:
		if op {
			if s.d.Bot.Executable(req.Type) {
				add("execute", "primary")
			} else {
				add("take", "primary")
			}
		}
	case bot.StateInProgress:
		if op {
			a := add("done", "primary")
			a.Reason, a.Required = true, true
			w := add("wait", "")
			w.Reason, w.Required, w.Wait = true, true, true
		}
	case bot.StateFailed:
		if op {
			add("retry", "primary")
			a := add("done", "")
			a.Reason, a.Required = true, true
		}
	case bot.StateAwaitingInfo, bot.StateAwaitingProcurement:
		if op {
			add("resume", "primary")
		}
	}
	if req.State.Open() && op {
		ops, err := s.d.Bot.Store.PeopleWithRoles(ctx, "", bot.RoleOperator)
		if err != nil {
			return nil, err
		}
		a := add("assign", "")
		for _, o := range ops {
			a.Assign = append(a.Assign, option{Value: o.Email, Label: o.Name + " <" + o.Email + ">"})
		}
		if req.Assignee != p.Email && req.State != bot.StateApproved {
			add("take", "")
		}
	}
	if req.State.Open() && (req.Requester == p.Email || op) {
		a := add("cancel", "danger")
		a.Reason = true
	}
	if req.State.Open() {
		a := add("comment", "")
		a.Reason, a.Required = true, true
	}
	// One of each, in the order added.
	seen := map[string]bool{}
	out = slices.DeleteFunc(out, func(a action) bool { d := seen[a.Do]; seen[a.Do] = true; return d })
	return out, nil
}

// act does one action to a request: it becomes the command line typing
// would run and goes through the router; the answer is shown on the
// request's page.
func (s *Server) act(w http.ResponseWriter, r *http.Request, se *session, p *bot.Person) {
	l := s.pageLang(r, se)
	id, err := bot.ParseID(r.PathValue("id"))
	if err != nil {
		s.fail(w, r, se, http.StatusBadRequest, bot.UserMessage(err, l))
		return
	}
	text := strings.TrimSpace(bot.StripControl(r.PostFormValue("text")))
	var cmd string
	switch do := r.PostFormValue("do"); do {
	case "approve", "take", "execute", "retry", "resume":
		cmd = do + " " + id
	case "reject", "done", "comment":
		if text == "" {
			s.addFlash(r.Context(), se, flash{Kind: "error", Text: bot.Tr(l, "web.reason_required", nil)})
			http.Redirect(w, r, "/r/"+id, http.StatusSeeOther)
			return
		}
		cmd = do + " " + id + " " + text
	case "cancel":
		cmd = strings.TrimSpace("cancel " + id + " " + text)
	case "wait":
		what := r.PostFormValue("what")
		if what != "info" && what != "procurement" {
			what = "info"
		}
		if text == "" {
			s.addFlash(r.Context(), se, flash{Kind: "error", Text: bot.Tr(l, "web.reason_required", nil)})
			http.Redirect(w, r, "/r/"+id, http.StatusSeeOther)
			return
		}
		cmd = "wait " + id + " " + what + " " + text
	case "assign":
		cmd = "assign " + id + " " + bot.QuoteArg(r.PostFormValue("to"))
	default:
		s.fail(w, r, se, http.StatusBadRequest, bot.Tr(l, "web.bad_action", bot.Args{"Action": do}))
		return
	}
	reps, _ := s.route(r.Context(), p, bot.Prefix+" "+cmd, "")
	s.addFlash(r.Context(), se, reps...)
	http.Redirect(w, r, "/r/"+id, http.StatusSeeOther)
}

// file sends one of a request's files, to its requester only (files carry
// the institution's data: the same rule as chat, where they go only to the
// requester's direct conversation).
func (s *Server) file(w http.ResponseWriter, r *http.Request, se *session, p *bot.Person) {
	l := s.pageLang(r, se)
	req, err := s.d.Bot.Get(r.Context(), bot.Actor{Person: p, Platform: Platform}, r.PathValue("id"))
	n, nerr := strconv.Atoi(r.PathValue("n"))
	if err != nil || nerr != nil || req.Outcome == nil || n < 0 || n >= len(req.Outcome.Files) || req.Requester != p.Email {
		s.fail(w, r, se, http.StatusNotFound, bot.Tr(l, "web.no_file", nil))
		return
	}
	f := req.Outcome.Files[n]
	ct := f.Mime
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", "attachment; filename=\""+strings.NewReplacer("\"", "", "\\", "", "\r", "", "\n", "").Replace(f.Name)+"\"")
	w.Write(f.Data)
}

// month reads a page's month= parameter (YYYY-MM; this month when
// absent); a malformed one is answered, and ok is false.
func (s *Server) month(w http.ResponseWriter, r *http.Request, se *session, l bot.Lang) (time.Time, bool) {
	m := r.URL.Query().Get("month")
	if m == "" {
		return s.d.Bot.Now(), true
	}
	from, _, err := availability.ParseMonth(m)
	if err != nil {
		s.fail(w, r, se, http.StatusBadRequest, bot.Tr(l, "web.bad_month", bot.Args{"Month": m}))
		return time.Time{}, false
	}
	return from, true
}

// availability shows a month's availability of both services.
func (s *Server) availability(w http.ResponseWriter, r *http.Request, se *session, p *bot.Person) {
	l := s.pageLang(r, se)
	month, ok := s.month(w, r, se, l)
	if !ok {
		return
	}
	from, _ := availability.Month(month)
	data := map[string]any{"Month": from.Format("2006-01"), "MonthName": availability.MonthName(from, l)}
	if s.d.Availability != nil {
		rs, err := s.d.Availability(r.Context(), from)
		if err != nil {
			s.internal(w, r, se, err)
			return
		}
		type svc struct {
			Name, Goal, Availability, Measured, Down string
			Verdict                                  string // met, missed, none
			Outages                                  []string
		}
		var out []svc
		for _, rep := range rs {
			v := svc{Name: rep.Name, Goal: availability.Goal(rep.Goal, l) + " %", Availability: availability.Percent(rep.Availability(), l),
				Measured: availability.Percent(rep.MeasuredShare()*100, l), Down: availability.Minutes(float64(rep.Down), l), Verdict: "none"}
			if rep.HasVerdict() {
				v.Verdict = "missed"
				if rep.Met() {
					v.Verdict = "met"
				}
			}
			for _, o := range rep.Outages {
				v.Outages = append(v.Outages, bot.FormatTime(o.Start)+" – "+bot.FormatTime(o.End)+" ("+availability.Minutes(o.Duration().Minutes(), l)+")")
			}
			out = append(out, v)
		}
		data["Services"] = out
		data["Text"] = availability.Render(rs, l)
		data["Chart"] = s.d.AvailabilityChart != nil
	}
	if p.HasAny(slaRoles...) {
		rep := s.slaReport(r.Context(), p, from, strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("inst"))))
		data["SLA"] = rep.Text
		data["SLAError"] = rep.Kind == bot.KindError
		q := url.Values{"month": {from.Format("2006-01")}}
		if inst := r.URL.Query().Get("inst"); inst != "" {
			q.Set("inst", inst)
		}
		for _, f := range rep.Files {
			switch {
			case strings.HasPrefix(f.Mime, "text/csv"):
				data["SLACSV"] = "/availability/sla.csv?" + q.Encode()
			case f.Mime == "image/png":
				data["SLAChart"] = "/availability/sla.png?" + q.Encode()
			}
		}
	}
	s.render(w, r, se, "availability", l, data)
}

// slaRoles may read the SLA compliance report (the command's roles; the
// command decides again).
var slaRoles = []bot.Role{bot.RoleITContact, bot.RoleExpertGroup, bot.RoleOperator, bot.RoleApprover, bot.RoleAdmin}

// slaReport runs "/it sla report MONTH [institution=CODE]" as p — the
// chat command, with its rules (an IT contact gets their own institution
// only) — and returns its answer.
func (s *Server) slaReport(ctx context.Context, p *bot.Person, month time.Time, inst string) bot.Reply {
	cmd := bot.Prefix + " sla report " + month.Format("2006-01")
	if inst != "" {
		cmd += " institution=" + bot.QuoteArg(inst)
	}
	reps := s.run(ctx, p, cmd, "")
	if len(reps) == 0 {
		return bot.Reply{Kind: bot.KindError, Text: bot.Tr(p.Language(), "web.internal", nil)}
	}
	return reps[0]
}

// slaFile sends the SLA report's CSV (for Latvian Excel) or chart.
func (s *Server) slaFile(w http.ResponseWriter, r *http.Request, se *session, p *bot.Person) {
	l := s.pageLang(r, se)
	month, ok := s.month(w, r, se, l)
	if !ok {
		return
	}
	rep := s.slaReport(r.Context(), p, month, strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("inst"))))
	if rep.Kind == bot.KindError {
		s.fail(w, r, se, http.StatusForbidden, rep.Text)
		return
	}
	want := "text/csv"
	if strings.HasSuffix(r.URL.Path, ".png") {
		want = "image/png"
	}
	for _, f := range rep.Files {
		if strings.HasPrefix(f.Mime, want) {
			w.Header().Set("Content-Type", f.Mime)
			if want == "text/csv" {
				w.Header().Set("Content-Disposition", "attachment; filename=\""+f.Name+"\"")
			}
			w.Write(f.Data)
			return
		}
	}
	s.fail(w, r, se, http.StatusNotFound, bot.Tr(l, "web.no_file", nil))
}

// availabilityChart draws the month's chart.
func (s *Server) availabilityChart(w http.ResponseWriter, r *http.Request, se *session, _ *bot.Person) {
	l := s.pageLang(r, se)
	if s.d.Availability == nil || s.d.AvailabilityChart == nil {
		http.NotFound(w, r)
		return
	}
	month, ok := s.month(w, r, se, l)
	if !ok {
		return
	}
	rs, err := s.d.Availability(r.Context(), month)
	if err != nil {
		s.internal(w, r, se, err)
		return
	}
	png, err := s.d.AvailabilityChart(rs, l)
	if err != nil {
		s.internal(w, r, se, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
}

// calendar shows a year's notable days of the business calendar.
func (s *Server) calendar(w http.ResponseWriter, r *http.Request, se *session, _ *bot.Person) {
	l := s.pageLang(r, se)
	year := s.d.Bot.Now().In(bot.TimeZone).Year()
	if y := r.URL.Query().Get("year"); y != "" {
		v, err := strconv.Atoi(y)
		if err != nil || v < 2000 || v > 2100 {
			s.fail(w, r, se, http.StatusBadRequest, bot.Tr(l, "web.bad_year", bot.Args{"Year": y}))
			return
		}
		year = v
	}
	type day struct{ Date, Kind, Name, Hours string }
	var days []day
	if s.d.Calendar != nil {
		for _, f := range s.d.Calendar.Facts(year) {
			name := f.NameLV
			if l == bot.EN && f.NameEN != "" {
				name = f.NameEN
			}
			days = append(days, day{Date: f.Date.String(), Kind: bot.Tr(l, "web.day."+string(f.Kind), nil), Name: name, Hours: f.HoursString()})
		}
	}
	s.render(w, r, se, "calendar", l, map[string]any{"Year": year, "Prev": year - 1, "Next": year + 1, "Days": days})
}

// admin lists institutions with their contracts, and people with roles.
func (s *Server) admin(w http.ResponseWriter, r *http.Request, se *session, p *bot.Person) {
	l := s.pageLang(r, se)
	if !p.Has(bot.RoleAdmin) {
		s.fail(w, r, se, http.StatusForbidden, bot.UserMessage(bot.Errorf(bot.EFORBIDDEN, "router.role_required", "Command", "admin",
			"RolesLV", bot.RoleAdmin.Label(bot.LV), "RolesEN", bot.RoleAdmin.Label(bot.EN)), l))
		return
	}
	insts, err := s.d.Bot.Store.Institutions(r.Context())
	if err != nil {
		s.internal(w, r, se, err)
		return
	}
	people, err := s.d.Bot.Store.People(r.Context(), "")
	if err != nil {
		s.internal(w, r, se, err)
		return
	}
	now := s.d.Bot.Now()
	type inst struct {
		Code, Name, Domains, Contract, Status string
		OK                                    bool
	}
	var is []inst
	for _, i := range insts {
		v := inst{Code: i.Code, Name: i.Name(l), Domains: strings.Join(i.Domains, ", "), Contract: contractText(i, l), OK: true,
			Status: bot.Tr(l, "web.contract_ok", nil)}
		if err := i.Eligible(now); err != nil {
			v.OK, v.Status = false, bot.UserMessage(err, l)
		}
		is = append(is, v)
	}
	type person struct{ Email, Name, Institution, Roles, Lang string }
	var ps []person
	for _, x := range people {
		ps = append(ps, person{Email: x.Email, Name: x.Name, Institution: x.Institution, Roles: bot.RoleLabels(x.Roles, l), Lang: string(x.Language())})
	}
	var roles []option
	for _, r := range bot.AllRoles {
		roles = append(roles, option{Value: string(r), Label: r.Label(l)})
	}
	s.render(w, r, se, "admin", l, map[string]any{"Institutions": is, "People": ps, "Roles": roles})
}

// adminDo changes the directory: each form is the admin command typing
// would run (a contract, a person, a role), so the command's checks and
// its audit line are the same.
func (s *Server) adminDo(w http.ResponseWriter, r *http.Request, se *session, p *bot.Person) {
	l := s.pageLang(r, se)
	v := func(k string) string { return strings.TrimSpace(bot.StripControl(r.PostFormValue(k))) }
	q := bot.QuoteArg
	var cmd string
	switch r.PostFormValue("do") {
	case "contract":
		cmd = strings.TrimSpace("institution contract " + q(v("code")) + " " + q(v("number")) + " " + q(v("from")) + " " + q(v("to")))
	case "person":
		cmd = "person add " + q(v("email"))
		for _, role := range r.PostForm["role"] {
			if _, ok := bot.ParseRole(role); ok {
				cmd += " " + role
			}
		}
		if n := v("name"); n != "" {
			cmd += " --name " + q(n)
		}
		if lang, ok := bot.ParseLang(v("lang")); ok {
			cmd += " --lang " + string(lang)
		}
	case "role":
		sign := "+"
		if v("change") == "remove" {
			sign = "-"
		}
		cmd = "person role " + q(v("email")) + " " + sign + q(v("role"))
	default:
		s.fail(w, r, se, http.StatusBadRequest, bot.Tr(l, "web.bad_action", bot.Args{"Action": r.PostFormValue("do")}))
		return
	}
	reps, _ := s.route(r.Context(), p, bot.Prefix+" "+cmd, "")
	s.addFlash(r.Context(), se, reps...)
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}
