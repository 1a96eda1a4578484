// Package bot is itbot's domain: requests and their lifecycle,
// institutions, people and roles, the policies, the command router shared by
// every adapter, approvals, the executor and the notifier. It declares the
// interfaces it needs from the outside world (Store, Exchange, DVS, Poster)
// and imports none of the packages that implement them.
package bot

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Actor is who does something: a person on a platform, or the bot itself
// (Person nil).
type Actor struct {
	Person   *Person
	Platform string
}

// System is the bot acting on its own (the scheduler, the executor).
var System = Actor{Platform: SystemActor}

// Email returns the actor's identity for the audit trail.
func (a Actor) Email() string {
	if a.Person == nil {
		return SystemActor
	}
	return a.Person.Email
}

// Bot is the service at the centre: adapters hand it commands through the
// Router; it keeps requests in the Store, runs approved actions through
// Exchange and DVS, and tells people through the Notifier.
type Bot struct {
	Store    Store
	Exchange Exchange
	DVS      DVS
	Notify   *Notifier
	// Cards keeps every request's cards and threads on the chat platforms.
	Cards  *Cards
	Policy *Policy
	SLA    SLAClock
	Now    func() time.Time
	Log    *slog.Logger
	// Sandbox is true when the bot runs against emulated services.
	Sandbox bool
	// OnChange, when set, is called after every stored change of a request
	// (created or updated through the Bot), with the stored request. The
	// SLA scheduler uses it to wake early; it must return quickly.
	OnChange func(r *Request)

	running sync.Map // request id -> struct{}: the executor's in-flight set
}

// New returns a Bot with the default policy, a wall-clock SLA and a
// notifier with no adapters; callers set the services.
func New(st Store, log *slog.Logger) *Bot {
	if log == nil {
		log = slog.Default()
	}
	b := &Bot{Store: st, Policy: DefaultPolicy(), SLA: WallClockSLA{Budget: 24 * time.Hour}, Now: time.Now, Log: log, Notify: NewNotifier(log)}
	b.Cards = &Cards{b: b}
	return b
}

func (b *Bot) now() time.Time { return b.Now().UTC().Truncate(time.Millisecond) }

// NewRequest is what a person asks for.
type NewRequest struct {
	Type     Type
	Params   Params
	Origin   Origin
	Priority string
}

// InstitutionOf returns the person's institution.
func (b *Bot) InstitutionOf(ctx context.Context, p *Person) (*Institution, error) {
	inst, err := b.Store.Institution(ctx, p.Institution)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return nil, Errorf(EFORBIDDEN, "policy.unknown_institution", "Code", p.Institution)
		}
		return nil, err
	}
	return inst, nil
}

// Submit creates a request for actor: it checks the parameters, the
// institution's eligibility and the scope, routes the request to approval
// or approves it at once, stores it with its audit events in one
// transaction, notifies, and executes it if it needs no one else.
func (b *Bot) Submit(ctx context.Context, a Actor, nr NewRequest) (*Request, error) {
	p := a.Person
	if !nr.Type.Valid() {
		return nil, Errorf(EINVALID, "params.bad_type", "Type", string(nr.Type))
	}
	if err := ValidateParamsFor(nr.Type, &nr.Params, p.Email); err != nil {
		return nil, err
	}
	inst, err := b.InstitutionOf(ctx, p)
	if err != nil {
		return nil, err
	}
	now := b.now()
	if err := inst.EligibleFor(nr.Type, now); err != nil {
		return nil, err
	}
	if err := Scope(inst, nr.Type, nr.Params); err != nil {
		return nil, err
	}
	if dup, err := b.openDuplicate(ctx, inst.Code, nr); err != nil {
		return nil, err
	} else if dup != nil {
		if nr.Origin.Delivery != "" && dup.Origin.Delivery == nr.Origin.Delivery && dup.Origin.Platform == nr.Origin.Platform {
			return dup, nil // the same delivery handled again
		}
		return nil, Errorf(ECONFLICT, "request.duplicate", "ID", dup.ID, "StateLV", dup.State.Label(LV), "StateEN", dup.State.Label(EN))
	}
	if s := LookupType(nr.Type); s != nil && s.Preflight != nil {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := s.Preflight(pctx, &Exec{Request: &Request{Type: nr.Type, Params: nr.Params, Requester: p.Email, Institution: inst.Code},
			Params: nr.Params, Institution: inst, Exchange: b.Exchange, DVS: b.DVS, Bot: b})
		cancel()
		if err != nil {
			return nil, err
		}
	}
	r := &Request{
		Type: nr.Type, Params: nr.Params, Requester: p.Email, Institution: inst.Code,
		Origin: nr.Origin, State: StateNew, Priority: nr.Priority, CreatedAt: now, UpdatedAt: now,
	}
	if r.Priority == "" {
		r.Priority = PriorityNormal
	}
	evs := []Event{{At: now, Actor: p.Email, Platform: a.Platform, Kind: EventCreated, To: StateNew, Phrase: P("event.created")}}
	next := StateApproved
	top := topRole(p)
	phrase := P("event.preapproved", "Role", top, "RoleLV", Role(top).Label(LV), "RoleEN", Role(top).Label(EN))
	if b.Policy.NeedsApproval(p, nr.Type) {
		next, phrase = StateAwaitingApproval, P("event.awaiting_approval")
	} else if slices.Contains(b.Policy.NoApproval, nr.Type) {
		phrase = P("event.no_approval_needed")
	}
	evs = append(evs, Event{At: now, Actor: SystemActor, Platform: a.Platform, Kind: EventTransition, From: StateNew, To: next, Phrase: phrase})
	evs = append(evs, b.triage(ctx, r, a.Platform)...)
	r.State = next
	if next == StateApproved {
		r.ApprovedBy = SystemActor
	}
	b.SLA.Apply(r, evs, now)
	if err := b.Store.CreateRequest(ctx, r, evs...); err != nil {
		var dup *DuplicateError
		if errors.As(err, &dup) {
			// The same delivery handled again (after a crash, a platform's
			// retry): the request it created is the answer.
			b.Log.Info("request already created by this delivery", "id", dup.ID, "platform", r.Origin.Platform, "delivery", r.Origin.Delivery)
			return b.Store.Request(ctx, dup.ID)
		}
		return nil, err
	}
	b.Log.Info("request created", "id", r.ID, "type", r.Type, "requester", r.Requester, "institution", r.Institution, "state", r.State, "platform", a.Platform)
	b.changed(r)
	gctx, finish := b.Track(ctx, Change{RequestID: r.ID, First: 1, Last: len(evs)})
	b.announce(gctx, r, evs)
	if r.State == StateAwaitingApproval {
		b.askApprovers(gctx, r)
	}
	finish()
	if r.State == StateApproved && b.Executable(r.Type) {
		if done, err := b.Execute(ctx, System, r.ID); err == nil {
			r = done
		} else if ErrorCode(err) != ECONFLICT {
			b.Log.Warn("execute after submit", "id", r.ID, "err", err)
		}
		if fresh, err := b.Store.Request(ctx, r.ID); err == nil {
			r = fresh
		}
	}
	return r, nil
}

// illegal is the error for a move the lifecycle does not allow now, with
// the states in each language's words.
func illegal(r *Request, to State) error {
	if to == "" {
		return Errorf(ECONFLICT, "lifecycle.not_now", "ID", r.ID, "StateLV", r.State.Label(LV), "StateEN", r.State.Label(EN))
	}
	return Errorf(ECONFLICT, "lifecycle.illegal", "ID", r.ID, "FromLV", r.State.Label(LV), "FromEN", r.State.Label(EN),
		"ToLV", to.Label(LV), "ToEN", to.Label(EN))
}

// closed is the error for acting on a closed request.
func closed(r *Request) error {
	return Errorf(ECONFLICT, "lifecycle.closed", "ID", r.ID, "StateLV", r.State.Label(LV), "StateEN", r.State.Label(EN))
}

// openDuplicate returns an open request of the institution that asks for
// exactly the same action (type and parameters), or nil: it is shown
// instead of creating a second one. Free-text types are never duplicates.
func (b *Bot) openDuplicate(ctx context.Context, inst string, nr NewRequest) (*Request, error) {
	if s := LookupType(nr.Type); s == nil || s.FreeText() {
		return nil, nil // a question or an incident in words: each is its own
	}
	rs, err := b.Store.OpenSameAction(ctx, ActionKey(inst, nr.Type, nr.Params))
	if err != nil {
		return nil, err
	}
	for _, r := range rs { // (a hash collision is told apart here)
		if r.Institution == inst && r.Type == nr.Type && reflect.DeepEqual(normalExtra(r.Params), normalExtra(nr.Params)) {
			return r, nil
		}
	}
	return nil, nil
}

// ActionKey names what a request asks for — institution, type and
// parameters — so the store can index open requests by it and a second
// ask for the same action is found without a scan.
func ActionKey(inst string, t Type, p Params) string {
	raw, _ := json.Marshal(normalExtra(p))
	h := fnv.New64a()
	h.Write(raw)
	return inst + "\x00" + string(t) + "\x00" + strconv.FormatUint(h.Sum64(), 36)
}

// normalExtra makes an empty Extra map equal to none.
func normalExtra(p Params) Params {
	if len(p.Extra) == 0 {
		p.Extra = nil
	}
	return p
}

func topRole(p *Person) string {
	for i := len(AllRoles) - 1; i >= 0; i-- {
		if p.Has(AllRoles[i]) {
			return string(AllRoles[i])
		}
	}
	return string(RoleEmployee)
}

// Executable reports whether the bot executes requests of type t itself.
func (b *Bot) Executable(t Type) bool { return !b.Policy.IsManual(t) }

// Get returns a request a may see; ENOTFOUND otherwise (a request of
// another institution does not reveal that it exists).
func (b *Bot) Get(ctx context.Context, a Actor, id string) (*Request, error) {
	id, err := ParseIDIn(id, b.Now().In(TimeZone).Year())
	if err != nil {
		return nil, err
	}
	r, err := b.Store.Request(ctx, id)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return nil, Errorf(ENOTFOUND, "request.not_found", "ID", id)
		}
		return nil, err
	}
	if a.Person != nil && !b.Policy.CanSee(a.Person, r) {
		return nil, Errorf(ENOTFOUND, "request.not_found", "ID", id)
	}
	return r, nil
}

// change is one lifecycle step, done in one store transaction.
type change struct {
	to     State // target state; "" for no state change
	kind   EventKind
	note   string
	phrase Phrase
	from   []State               // allowed current states; nil: the lifecycle decides
	check  func(*Request) error  // extra rule, run inside the transaction
	apply  func(*Request, Event) // extra edits, run inside the transaction
	events func(*Request) []Event
}

// update applies c to request id as actor a, stores it with its audit
// event, recomputes the SLA fields and notifies.
func (b *Bot) update(ctx context.Context, a Actor, id string, c change) (*Request, error) {
	var stored []Event
	r, err := b.Store.UpdateRequest(ctx, id, func(r *Request, history []Event) ([]Event, error) {
		now := b.now()
		if c.from != nil && !slices.Contains(c.from, r.State) {
			return nil, illegal(r, c.to)
		}
		if c.to != "" && c.to != r.State && !CanTransition(r.State, c.to) {
			return nil, illegal(r, c.to)
		}
		if c.check != nil {
			if err := c.check(r); err != nil {
				return nil, err
			}
		}
		kind := c.kind
		if kind == "" {
			kind = EventTransition
		}
		ev := Event{At: now, Actor: a.Email(), Platform: a.Platform, Kind: kind, Note: c.note, Phrase: c.phrase}
		if c.to != "" && c.to != r.State {
			ev.From, ev.To = r.State, c.to
			r.State = c.to
			if c.to.Terminal() {
				r.ClosedAt = now
			}
		}
		r.UpdatedAt = now
		if c.apply != nil {
			c.apply(r, ev)
		}
		evs := []Event{ev}
		b.SLA.Apply(r, append(history, evs...), now)
		stored = evs
		return evs, nil
	})
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return nil, Errorf(ENOTFOUND, "request.not_found", "ID", id)
		}
		return nil, err
	}
	if len(stored) == 0 {
		return r, nil
	}
	b.changed(r)
	gctx, finish := b.Track(ctx, Change{RequestID: r.ID, First: stored[0].Seq, Last: stored[len(stored)-1].Seq})
	b.announce(gctx, r, stored)
	finish()
	return r, nil
}

// changed calls the OnChange hook, if any.
func (b *Bot) changed(r *Request) {
	if b.OnChange != nil {
		b.OnChange(r)
	}
}

// Approve approves a request waiting for approval and, if the bot executes
// its type, executes it.
func (b *Bot) Approve(ctx context.Context, a Actor, id string) (*Request, error) {
	r, err := b.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := b.Policy.CanApprove(a.Person, r); err != nil {
		return nil, err
	}
	r, err = b.update(ctx, a, r.ID, change{to: StateApproved, from: []State{StateAwaitingApproval, StateNew},
		phrase: P("event.approved", "Actor", a.Email()),
		apply:  func(r *Request, _ Event) { r.ApprovedBy = a.Email() }})
	if err != nil {
		return nil, err
	}
	if b.Executable(r.Type) {
		return b.Execute(ctx, a, r.ID)
	}
	return r, nil
}

// Reject ends a request waiting for approval, with a reason.
func (b *Bot) Reject(ctx context.Context, a Actor, id, reason string) (*Request, error) {
	r, err := b.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := b.Policy.CanApprove(a.Person, r); err != nil {
		return nil, err
	}
	return b.update(ctx, a, r.ID, change{to: StateRejected, from: []State{StateAwaitingApproval, StateNew}, note: reason,
		phrase: P("event.rejected", "Actor", a.Email())})
}

// Cancel ends a request; the requester, their IT contact or an operator may.
func (b *Bot) Cancel(ctx context.Context, a Actor, id, reason string) (*Request, error) {
	r, err := b.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if r.Requester != a.Email() && !a.Person.HasAny(RoleOperator, RoleITContact, RoleExpertGroup, RoleAdmin) {
		return nil, Errorf(EFORBIDDEN, "policy.cannot_cancel")
	}
	if r.State == StateCancelled {
		return nil, Errorf(ECONFLICT, "lifecycle.already", "ID", r.ID, "StateLV", r.State.Label(LV), "StateEN", r.State.Label(EN))
	}
	if _, busy := b.running.Load(r.ID); busy {
		return nil, Errorf(ECONFLICT, "executor.busy", "ID", r.ID)
	}
	return b.update(ctx, a, r.ID, change{to: StateCancelled, note: reason, phrase: P("event.cancelled", "Actor", a.Email())})
}

// Comment adds a note to a request's trail and thread.
func (b *Bot) Comment(ctx context.Context, a Actor, id, text string) (*Request, error) {
	if len(text) == 0 {
		return nil, Errorf(EINVALID, "params.missing_text")
	}
	r, err := b.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	r, err = b.update(ctx, a, r.ID, change{kind: EventComment, note: text, phrase: P("event.comment", "Actor", a.Email())})
	if err != nil {
		return nil, err
	}
	// The requester's answer to a request waiting for information resumes
	// it, and its SLA clock.
	if r.State == StateAwaitingInfo && r.Requester == a.Email() {
		if resumed, rerr := b.Resume(ctx, a, r.ID); rerr == nil {
			return resumed, nil
		} else {
			b.Log.Warn("resume after the requester's answer", "id", r.ID, "err", rerr)
		}
	}
	return r, nil
}

// Annotate records facts on an open request without changing its state
// (an operator's estimate, say): the values go into Request.Meta, phrase
// into the audit trail, and the thread and the operators are told, as for
// any change.
func (b *Bot) Annotate(ctx context.Context, a Actor, id string, phrase Phrase, meta map[string]string) (*Request, error) {
	r, err := b.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return b.update(ctx, a, r.ID, change{kind: EventUpdated, phrase: phrase,
		check: func(r *Request) error {
			if r.State.Terminal() {
				return closed(r)
			}
			return nil
		},
		apply: func(r *Request, _ Event) {
			if r.Meta == nil {
				r.Meta = map[string]string{}
			}
			for k, v := range meta {
				r.Meta[k] = v
			}
		}})
}

// Take assigns a request to the operator a; an approved manual request
// moves to in_progress.
func (b *Bot) Take(ctx context.Context, a Actor, id string) (*Request, error) {
	return b.Assign(ctx, a, id, a.Person)
}

// Assign gives a request to an operator.
func (b *Bot) Assign(ctx context.Context, a Actor, id string, to *Person) (*Request, error) {
	if !to.HasAny(RoleOperator, RoleApprover, RoleAdmin) {
		return nil, Errorf(EINVALID, "policy.assignee_not_operator", "Person", to.Email)
	}
	r, err := b.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if r.State.Terminal() {
		return nil, closed(r)
	}
	if r.Assignee == to.Email {
		return nil, Errorf(ECONFLICT, "lifecycle.already_assigned", "ID", r.ID, "Assignee", to.Email)
	}
	next := State("")
	if r.State == StateApproved && !b.Executable(r.Type) {
		next = StateInProgress
	}
	phrase := P("event.assigned", "Actor", a.Email(), "Assignee", to.Email)
	if to.Email == a.Email() {
		phrase = P("event.taken", "Actor", a.Email())
	}
	return b.update(ctx, a, r.ID, change{to: next, kind: EventAssigned, phrase: phrase,
		apply: func(r *Request, _ Event) { r.Assignee = to.Email }})
}

// Wait pauses a request's SLA clock: for the requester's information
// ("info") or for licence procurement ("procurement").
func (b *Bot) Wait(ctx context.Context, a Actor, id, what, reason string) (*Request, error) {
	var to State
	switch Fold(what) {
	case "info", "informacija", "informaciju":
		to = StateAwaitingInfo
	case "procurement", "iepirkums", "iepirkumu", "licence", "licences":
		to = StateAwaitingProcurement
	default:
		return nil, Errorf(EINVALID, "params.bad_wait", "Value", what)
	}
	r, err := b.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return b.update(ctx, a, r.ID, change{to: to, note: reason, phrase: P("event.waiting_"+string(to), "Actor", a.Email())})
}

// Resume ends a pause and returns the request to the state it was paused
// from, as the audit history tells.
func (b *Bot) Resume(ctx context.Context, a Actor, id string) (*Request, error) {
	r, err := b.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !r.State.Paused() {
		return nil, Errorf(ECONFLICT, "lifecycle.not_paused", "ID", r.ID, "StateLV", r.State.Label(LV), "StateEN", r.State.Label(EN))
	}
	hist, err := b.Store.Events(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	back := PausedFrom(hist, r.State)
	if back == StateInProgress || back == StateFailed {
		back = StateApproved
	}
	r, err = b.update(ctx, a, r.ID, change{to: back, from: []State{r.State}, phrase: P("event.resumed", "Actor", a.Email())})
	if err != nil {
		return nil, err
	}
	if r.State == StateApproved && b.Executable(r.Type) {
		return b.Execute(ctx, a, r.ID)
	}
	return r, nil
}

// PausedFrom returns the state a request was in before it entered the
// paused state cur, from its history (StateApproved if unknown).
func PausedFrom(hist []Event, cur State) State {
	for i := len(hist) - 1; i >= 0; i-- {
		if hist[i].To == cur && hist[i].From != "" && !hist[i].From.Paused() {
			return hist[i].From
		}
	}
	return StateApproved
}

// Done closes a request an operator worked by hand, with a note.
func (b *Bot) Done(ctx context.Context, a Actor, id, note string) (*Request, error) {
	r, err := b.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	// A failed request may be closed by hand too (the operator did it
	// another way).
	if r.State == StateApproved || r.State == StateFailed {
		if r, err = b.update(ctx, a, r.ID, change{to: StateInProgress, phrase: P("event.started", "Actor", a.Email())}); err != nil {
			return nil, err
		}
	}
	return b.update(ctx, a, r.ID, change{to: StateDone, from: []State{StateInProgress}, note: note, phrase: P("event.done_by", "Actor", a.Email()),
		apply: func(r *Request, _ Event) {
			r.NeedsAttention = false
			if r.Outcome == nil {
				r.Outcome = &Outcome{Summary: P("outcome.manual_done")}
				if note != "" { // the operator's note is the answer
					r.Outcome.Summary = P("outcome.answer", "Text", note)
				}
			}
		}})
}

// Retry runs a failed request's action again.
func (b *Bot) Retry(ctx context.Context, a Actor, id string) (*Request, error) {
	r, err := b.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if r.State != StateFailed && !(r.State == StateInProgress && r.NeedsAttention) {
		return nil, Errorf(ECONFLICT, "executor.not_failed", "ID", r.ID, "StateLV", r.State.Label(LV), "StateEN", r.State.Label(EN))
	}
	return b.Execute(ctx, a, r.ID)
}

// Fix corrects parameters of an open request (name=value, names as the
// request-type table gives them), checked as at creation. Agency staff
// may fix any open request that is not running; the requester and their
// institution's IT contact or expert group one that waits for approval or
// information. A failed request fixed by agency staff runs again.
func (b *Bot) Fix(ctx context.Context, a Actor, id string, changes map[string]string) (*Request, error) {
	r, err := b.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	agency := a.Person.HasAny(RoleOperator, RoleApprover)
	own := r.Requester == a.Email() || (a.Person.Institution == r.Institution && a.Person.HasAny(RoleITContact, RoleExpertGroup))
	switch {
	case r.State.Terminal() || r.State == StateInProgress:
		return nil, Errorf(ECONFLICT, "lifecycle.not_now", "ID", r.ID, "StateLV", r.State.Label(LV), "StateEN", r.State.Label(EN))
	case agency:
	case own && (r.State == StateNew || r.State == StateAwaitingApproval || r.State == StateAwaitingInfo):
	default:
		return nil, Errorf(EFORBIDDEN, "policy.cannot_fix")
	}
	spec := LookupType(r.Type)
	if spec == nil || len(changes) == 0 {
		return nil, Errorf(EINVALID, "params.nothing_to_fix")
	}
	p := r.Params
	p.Extra = maps.Clone(p.Extra)
	var said []string
	for name, v := range changes {
		ps := spec.Param(name)
		if ps == nil || ps.Internal {
			var names []string
			for _, x := range spec.Params {
				if !x.Internal {
					names = append(names, x.Name)
				}
			}
			return nil, Errorf(EINVALID, "params.unknown", "Name", name, "Names", strings.Join(names, ", "))
		}
		said = append(said, name+": "+p.Get(name)+" → "+v)
		p.Set(name, v)
	}
	sort.Strings(said)
	if err := ValidateParamsFor(r.Type, &p, r.Requester); err != nil {
		return nil, err
	}
	inst, err := b.InstitutionOf(ctx, &Person{Email: r.Requester, Institution: r.Institution})
	if err != nil {
		return nil, err
	}
	if err := Scope(inst, r.Type, p); err != nil {
		return nil, err
	}
	r, err = b.update(ctx, a, r.ID, change{kind: EventUpdated, phrase: P("event.fixed", "Actor", a.Email(), "Changes", strings.Join(said, "; ")),
		check: func(cur *Request) error {
			if cur.State.Terminal() || cur.State == StateInProgress {
				return Errorf(ECONFLICT, "lifecycle.not_now", "ID", cur.ID, "StateLV", cur.State.Label(LV), "StateEN", cur.State.Label(EN))
			}
			return nil
		},
		apply: func(cur *Request, _ Event) { cur.Params = p }})
	if err != nil {
		return nil, err
	}
	if r.State == StateFailed && agency {
		return b.Execute(ctx, a, r.ID)
	}
	return r, nil
}

// actionWasRunning reports whether a request's history ends with the bot
// starting its action (comments and reminders after it aside): the action
// started and its result was never stored.
func actionWasRunning(evs []Event) bool {
	for i := len(evs) - 1; i >= 0; i-- {
		switch evs[i].Kind {
		case EventComment, EventReminder, EventUpdated, EventAssigned, EventAttention:
			continue
		}
		return evs[i].Phrase.ID == "event.executing"
	}
	return false
}

// Recover runs at start: a request whose automatic action was running when
// the process stopped is flagged as needing attention (the action may or
// may not have run) and the operators are told. A request an operator
// took and works on by hand is in progress too, but nothing of the bot's
// was running: it is left alone. It returns how many it flagged.
func (b *Bot) Recover(ctx context.Context) (int, error) {
	rs, err := b.Store.Requests(ctx, RequestFilter{States: []State{StateInProgress}})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rs {
		if _, busy := b.running.Load(r.ID); busy || r.NeedsAttention || r.Outcome != nil && r.Outcome.Pending {
			continue
		}
		evs, err := b.Store.Events(ctx, r.ID)
		if err != nil {
			return n, err
		}
		if !actionWasRunning(evs) {
			continue
		}
		_, err = b.update(ctx, System, r.ID, change{kind: EventAttention, from: []State{StateInProgress}, phrase: P("event.attention"),
			apply: func(r *Request, _ Event) { r.NeedsAttention = true }})
		if err != nil {
			return n, err
		}
		b.Log.Warn("request left in progress by a crash: needs attention", "id", r.ID)
		n++
	}
	return n, nil
}
