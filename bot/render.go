package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TimeZone is where people read times: Europe/Riga.
var TimeZone = loadRiga()

func loadRiga() *time.Location {
	loc, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		return time.FixedZone("EET", 2*3600)
	}
	return loc
}

// FormatTime renders t for people, in Riga time.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(TimeZone).Format("2006-01-02 15:04")
}

func originAddress(r *Request) Address {
	return Address{Platform: r.Origin.Platform, Channel: r.Origin.Channel, Thread: r.Origin.Thread, User: r.Origin.UserID}
}

// Describe renders what a request asks for, in one line: the type, its
// target and, in brackets, the parameters its spec marks Brief.
func Describe(r *Request, l Lang) string {
	s := LookupType(r.Type)
	t := s.TargetOf(r.Params)
	extra := ""
	if s != nil {
		for _, ps := range s.Params {
			if !ps.Brief {
				continue
			}
			if v := r.Params.Get(ps.Name); v != "" {
				if ps.Show != nil {
					v = ps.Show(v, l)
				}
				extra += " (" + v + ")"
			}
		}
	}
	if t == "" {
		return r.Type.Label(l)
	}
	return r.Type.Label(l) + ": " + t + extra
}

// CardFields returns a request's main facts as fields.
func CardFields(r *Request, l Lang) []Field {
	fs := []Field{
		{Label: Tr(l, "field.type", nil), Value: r.Type.Label(l), Short: true},
		{Label: Tr(l, "field.state", nil), Value: r.State.Label(l), Short: true},
	}
	if t := LookupType(r.Type).TargetOf(r.Params); t != "" {
		fs = append(fs, Field{Label: Tr(l, "field.target", nil), Value: t, Short: true})
	}
	fs = append(fs, Field{Label: Tr(l, "field.requester", nil), Value: r.Requester, Short: true})
	if r.Priority == PriorityHigh {
		fs = append(fs, Field{Label: Tr(l, "field.priority", nil), Value: "⚠ " + Tr(l, "priority.high", nil), Short: true})
	}
	if r.State.Open() {
		fs = append(fs, healthFields(r, l)...)
	}
	if !r.SLA.DueAt.IsZero() && r.State.Open() {
		fs = append(fs, Field{Label: Tr(l, "field.due", nil), Value: FormatTime(r.SLA.DueAt), Short: true})
	}
	if r.Assignee != "" {
		fs = append(fs, Field{Label: Tr(l, "field.assignee", nil), Value: r.Assignee, Short: true})
	}
	if r.Outcome != nil && !r.Outcome.Summary.IsZero() {
		fs = append(fs, Field{Label: Tr(l, "field.outcome", nil), Value: r.Outcome.Summary.Render(l)})
	}
	if r.LastError != nil && (r.State == StateFailed || r.State == StateAwaitingProcurement) {
		fs = append(fs, Field{Label: Tr(l, "field.error", nil), Value: r.LastError.Render(l)})
	}
	return fs
}

// Buttons returns the actions a viewer may take on a request now. Each
// carries the command string that typing would run.
func (b *Bot) Buttons(r *Request, viewer *Person, l Lang) []Button {
	var bs []Button
	cmd := func(verb string) string { return Prefix + " " + verb + " " + r.ID }
	canApprove := viewer == nil || b.Policy.CanApprove(viewer, r) == nil
	switch r.State {
	case StateAwaitingApproval:
		if canApprove {
			bs = append(bs, Button{Label: Tr(l, "button.approve", nil), Command: cmd("approve"), Style: StylePrimary},
				Button{Label: Tr(l, "button.reject", nil), Command: cmd("reject"), Style: StyleDanger})
		}
	case StateApproved:
		if viewer == nil || viewer.HasAny(RoleOperator) {
			if b.Executable(r.Type) {
				bs = append(bs, Button{Label: Tr(l, "button.execute", nil), Command: cmd("execute"), Style: StylePrimary})
			} else {
				bs = append(bs, Button{Label: Tr(l, "button.take", nil), Command: cmd("take"), Style: StylePrimary})
			}
		}
	case StateFailed:
		if viewer == nil || viewer.HasAny(RoleOperator) {
			bs = append(bs, Button{Label: Tr(l, "button.retry", nil), Command: cmd("retry"), Style: StylePrimary})
		}
	case StateAwaitingInfo, StateAwaitingProcurement:
		if viewer == nil || viewer.HasAny(RoleOperator) {
			bs = append(bs, Button{Label: Tr(l, "button.resume", nil), Command: cmd("resume")})
		}
	}
	if r.State.Open() {
		bs = append(bs, Button{Label: Tr(l, "button.show", nil), Command: cmd("show")})
	}
	return bs
}

// Card renders a request as a card for a viewer.
func (b *Bot) Card(r *Request, viewer *Person, l Lang) Reply {
	return Reply{Kind: KindCard, Title: r.ID + " · " + r.Type.Label(l), Text: Describe(r, l),
		Fields: CardFields(r, l), Buttons: b.Buttons(r, viewer, l), Request: r}
}

// EventText renders one audit event for people.
func EventText(ev Event, l Lang) string {
	var s string
	switch {
	case !ev.Phrase.IsZero():
		s = ev.Phrase.Render(l)
	case ev.To != "" && ev.From == "":
		s = Tr(l, "event.state_set", Args{"To": ev.To.Label(l)})
	case ev.To != "":
		s = Tr(l, "event.state_changed", Args{"From": ev.From.Label(l), "To": ev.To.Label(l)})
	default:
		s = string(ev.Kind)
	}
	if ev.Note != "" {
		s += ": " + ev.Note
	}
	return s
}

// updateReply renders the events of one change for a thread.
func (b *Bot) updateReply(r *Request, evs []Event, viewer *Person, l Lang) Reply {
	lines := make([]string, 0, len(evs))
	for _, ev := range evs {
		if ev.Kind == EventCreated {
			continue
		}
		lines = append(lines, EventText(ev, l))
	}
	var files []File
	for _, ev := range evs {
		if (ev.To == StateDone || ev.Kind == EventExecuted) && r.Outcome != nil {
			for _, d := range r.Outcome.Details {
				lines = append(lines, "• "+d.Render(l))
			}
			files = r.Outcome.Files
		}
	}
	text := strings.Join(lines, "\n")
	state := r.State.Label(l)
	if r.State.Open() && !r.SLA.DueAt.IsZero() {
		state += " · " + Tr(l, "field.due", nil) + " " + FormatTime(r.SLA.DueAt)
	}
	return Reply{Kind: KindUpdate, Title: r.ID + " · " + state, Text: text, Request: r, Buttons: b.Buttons(r, viewer, l), Files: files}
}

// announce tells the request's thread and the operators about a change.
func (b *Bot) announce(ctx context.Context, r *Request, evs []Event) {
	if b.Notify == nil || len(evs) == 0 {
		return
	}
	requester, _ := b.Store.Person(ctx, r.Requester)
	lang := requester.Language()
	created := evs[0].Kind == EventCreated
	origin := originAddress(r)
	if created {
		b.Notify.Post(ctx, Notice{To: origin, Lang: lang, Request: r, Reply: b.Card(r, requester, lang)})
	} else {
		b.Notify.Post(ctx, Notice{To: origin, Lang: lang, Request: r, Reply: b.updateReply(r, evs, requester, lang)})
	}
	b.Notify.ToOps(ctx, r, origin, func(l Lang) Reply {
		if created {
			c := b.Card(r, nil, l)
			c.Text = Tr(l, "ops.new_request", Args{"Institution": r.Institution, "Requester": r.Requester}) + "\n" + c.Text
			return c
		}
		return b.updateReply(r, evs, nil, l)
	})
	if b.Cards != nil {
		_, withOps := b.Notify.Platforms()
		b.Cards.refreshElsewhere(ctx, r, append(withOps, origin.Platform))
	}
}

// askApprovers sends the request card with Approve/Reject buttons to the
// institution's IT contacts and expert group members, on each platform
// where they have an account.
func (b *Bot) askApprovers(ctx context.Context, r *Request) {
	// The institution's IT contacts and expert group decide, unless the
	// type is the agency's to approve: then its approvers do.
	inst, roles := r.Institution, []Role{RoleITContact, RoleExpertGroup}
	if slices.Contains(b.Policy.AgencyApproval, r.Type) {
		inst, roles = "", []Role{RoleApprover}
	}
	people, err := b.Store.PeopleWithRoles(ctx, inst, roles...)
	if err != nil {
		b.Log.Warn("approvers", "id", r.ID, "err", err)
		return
	}
	for _, p := range people {
		if p.Email == r.Requester || !p.HasAny(roles...) {
			continue
		}
		l := p.Language()
		card := b.Card(r, p, l)
		card.Text = Tr(l, "approval.asked", Args{"Requester": r.Requester}) + "\n" + card.Text
		for platform, uid := range p.Identities {
			b.Notify.Post(ctx, Notice{To: Address{Platform: platform, User: uid}, Lang: l, Request: r, Reply: card})
		}
	}
}

// History renders a request's audit trail as lines.
func History(evs []Event, l Lang) []string {
	out := make([]string, 0, len(evs))
	for _, ev := range evs {
		out = append(out, fmt.Sprintf("%s  %-24s %s", FormatTime(ev.At), ev.Actor, EventText(ev, l)))
	}
	return out
}
