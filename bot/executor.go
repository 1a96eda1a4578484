package bot

import (
	"context"
	"fmt"
	"strings"
)

// Execute runs an approved (or failed, or procurement-waiting) request's
// action through Exchange or the DVS and records the outcome. The same
// request never runs twice at once: a second call gets ECONFLICT.
func (b *Bot) Execute(ctx context.Context, a Actor, id string) (*Request, error) {
	if _, busy := b.running.LoadOrStore(id, struct{}{}); busy {
		return nil, Errorf(ECONFLICT, "executor.busy", "ID", id)
	}
	defer b.running.Delete(id)
	r, err := b.Store.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	if !b.Executable(r.Type) {
		return nil, Errorf(ECONFLICT, "executor.manual", "ID", id)
	}
	if a.Person != nil && !a.Person.HasAny(RoleOperator, RoleApprover, RoleAdmin) && r.ApprovedBy == "" {
		return nil, Errorf(EFORBIDDEN, "policy.cannot_execute")
	}
	r, err = b.update(ctx, a, id, change{to: StateInProgress,
		from:   []State{StateApproved, StateFailed, StateAwaitingProcurement, StateInProgress},
		phrase: P("event.executing"),
		check: func(r *Request) error {
			if r.State == StateInProgress && !r.NeedsAttention {
				return Errorf(ECONFLICT, "executor.busy", "ID", r.ID)
			}
			return nil
		},
		apply: func(r *Request, _ Event) { r.Attempts++; r.LastError = nil; r.NeedsAttention = false }})
	if err != nil {
		return nil, err
	}
	inst, err := b.Store.Institution(ctx, r.Institution)
	if err != nil {
		return nil, err
	}
	out, aerr := b.run(ctx, r, inst)
	return b.finish(ctx, r, out, aerr)
}

// finish records an action's result.
func (b *Bot) finish(ctx context.Context, r *Request, out *Outcome, aerr error) (*Request, error) {
	switch code := ErrorCode(aerr); {
	case aerr == nil && out != nil && out.Pending:
		secret := out.Secret
		out.Secret = "" // shown once, privately; never kept
		r2, err := b.update(ctx, System, r.ID, change{kind: EventExecuted, from: []State{StateInProgress}, phrase: out.Summary,
			apply: func(r *Request, _ Event) { r.Outcome = out }})
		if err == nil && secret != "" {
			b.sendSecret(ctx, r2, secret)
		}
		return r2, err
	case aerr == nil:
		if out == nil {
			out = &Outcome{Summary: P("outcome.done")}
		}
		secret := out.Secret
		out.Secret = ""
		r2, err := b.update(ctx, System, r.ID, change{to: StateDone, from: []State{StateInProgress}, phrase: out.Summary,
			apply: func(r *Request, _ Event) { r.Outcome = out }})
		if err == nil && secret != "" {
			b.sendSecret(ctx, r2, secret)
		}
		b.Log.Info("request executed", "id", r.ID, "type", r.Type)
		return r2, err
	case code == ENOLICENCE:
		ph := ErrorPhrase(aerr)
		b.Log.Info("no free licence: waiting for procurement", "id", r.ID, "err", aerr)
		return b.update(ctx, System, r.ID, change{to: StateAwaitingProcurement, from: []State{StateInProgress}, phrase: ph,
			apply: func(r *Request, _ Event) { r.LastError = &ph }})
	default:
		ph := ErrorPhrase(aerr)
		if code == EINTERNAL {
			ph = P("executor.failed_internal")
		}
		b.Log.Warn("action failed", "id", r.ID, "type", r.Type, "code", code, "err", aerr)
		r2, err := b.update(ctx, System, r.ID, change{to: StateFailed, from: []State{StateInProgress}, phrase: ph,
			apply: func(r *Request, _ Event) { r.LastError = &ph }})
		if err != nil {
			return nil, err
		}
		return r2, nil
	}
}

// sendSecret shows a secret (a temporary password) to the requester
// privately, once. It is never stored, logged or audited.
func (b *Bot) sendSecret(ctx context.Context, r *Request, secret string) {
	p, err := b.Store.Person(ctx, r.Requester)
	lang := LV
	if err == nil {
		lang = p.Language()
	}
	b.Notify.Post(ctx, Notice{
		To:      Address{Platform: r.Origin.Platform, Channel: r.Origin.Channel, Thread: r.Origin.Thread, User: r.Origin.UserID},
		Lang:    lang,
		Request: r,
		Reply: Reply{Kind: KindText, Private: true, Ephemeral: true,
			Text: Tr(lang, "outcome.secret", Args{"ID": r.ID, "User": r.Params.User, "Secret": secret})},
	})
}

// run calls the action of the request's type, through the service the
// type names.
func (b *Bot) run(ctx context.Context, r *Request, inst *Institution) (*Outcome, error) {
	s := LookupType(r.Type)
	if s == nil || s.Run == nil {
		return nil, Errorf(ECONFLICT, "executor.manual", "ID", r.ID)
	}
	switch {
	case s.Service == ServiceExchange && b.Exchange == nil:
		return nil, Errorf(EUNAVAILABLE, "executor.no_exchange")
	case s.Service == ServiceDVS && b.DVS == nil:
		return nil, Errorf(EUNAVAILABLE, "executor.no_dvs")
	}
	return s.Run(ctx, b.exec(ctx, r, inst))
}

// exec is what a type's action or hook runs with.
func (b *Bot) exec(ctx context.Context, r *Request, inst *Institution) *Exec {
	return &Exec{Request: r, Params: r.Params, Institution: inst, Exchange: b.Exchange, DVS: b.DVS,
		Progress: b.progress(ctx, r), Bot: b}
}

// BackupOutcome summarises a list of backups.
func BackupOutcome(bs []Backup) *Outcome {
	out := &Outcome{Summary: P("outcome.backups", "Count", len(bs))}
	for _, x := range bs {
		out.Details = append(out.Details, P("outcome.backup_line", "Started", FormatTime(x.StartedAt), "Status", x.Status, "Verified", x.Verified, "Size", x.SizeBytes))
	}
	return out
}

// progress returns a Progress that posts a text progress bar to the
// request's thread, replacing the previous one.
func (b *Bot) progress(ctx context.Context, r *Request) Progress {
	lang := LV
	if p, err := b.Store.Person(ctx, r.Requester); err == nil {
		lang = p.Language()
	}
	last := -1
	return func(done, total int) {
		pct := 0
		if total > 0 {
			pct = done * 100 / total
		}
		if pct == last {
			return
		}
		last = pct
		b.Notify.Post(ctx, Notice{To: originAddress(r), Lang: lang, Request: r,
			Reply: Reply{Kind: KindUpdate, Progress: true, Request: r, Title: r.ID,
				Text: Tr(lang, "progress.line", Args{"Bar": ProgressBar(done, total, 20), "Done": done, "Total": total, "Pct": pct})}})
	}
}

// ProgressBar draws a text progress bar of width cells.
func ProgressBar(done, total, width int) string {
	if total <= 0 {
		return "[" + strings.Repeat("░", width) + "]"
	}
	if done > total {
		done = total
	}
	full := done * width / total
	return "[" + strings.Repeat("█", full) + strings.Repeat("░", width-full) + "]"
}

// CheckProcurement looks at requests waiting for licences and executes
// those whose licence has free units again. It returns how many it ran.
func (b *Bot) CheckProcurement(ctx context.Context) (int, error) {
	if b.Exchange == nil {
		return 0, nil
	}
	rs, err := b.Store.Requests(ctx, RequestFilter{States: []State{StateAwaitingProcurement}})
	if err != nil {
		return 0, err
	}
	n := 0
	for i := len(rs) - 1; i >= 0; i-- { // oldest first
		r := rs[i]
		if s := LookupType(r.Type); s == nil || !s.Procurement {
			continue
		}
		sku := r.Params.SKU
		if r.LastError != nil { // the licence that ran out, as the service named it
			if s, ok := r.LastError.Args["SKU"].(string); ok && s != "" {
				sku = s
			}
		}
		free, err := b.Exchange.FreeLicences(ctx, sku)
		if err != nil {
			b.Log.Warn("procurement check", "id", r.ID, "err", err)
			continue
		}
		if free <= 0 {
			continue
		}
		if _, err := b.Execute(ctx, System, r.ID); err != nil {
			b.Log.Warn("procurement execute", "id", r.ID, "err", err)
			continue
		}
		n++
	}
	return n, nil
}

// CheckPending looks at requests whose action was accepted but is still
// being prepared (a new mailbox) and closes those that are ready.
func (b *Bot) CheckPending(ctx context.Context) (int, error) {
	rs, err := b.Store.Requests(ctx, RequestFilter{States: []State{StateInProgress}})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rs {
		s := LookupType(r.Type)
		if r.Outcome == nil || !r.Outcome.Pending || s == nil || s.Ready == nil {
			continue
		}
		if (s.Service == ServiceExchange && b.Exchange == nil) || (s.Service == ServiceDVS && b.DVS == nil) {
			continue
		}
		inst, err := b.Store.Institution(ctx, r.Institution)
		if err != nil {
			continue
		}
		summary, ready, err := s.Ready(ctx, b.exec(ctx, r, inst))
		if err != nil || !ready {
			continue
		}
		out := *r.Outcome
		out.Pending = false
		out.Summary = summary
		if _, err := b.update(ctx, System, r.ID, change{to: StateDone, from: []State{StateInProgress}, phrase: out.Summary,
			apply: func(r *Request, _ Event) { r.Outcome = &out }}); err != nil {
			return n, fmt.Errorf("close pending %s: %w", r.ID, err)
		}
		n++
	}
	return n, nil
}

// IsTemporary reports whether err is worth retrying later.
func IsTemporary(err error) bool { return ErrorCode(err) == EUNAVAILABLE }

// Replay runs again, silently, the actions of the done requests whose
// type's service redo says to (oldest first), and reports how many ran.
// The sandbox uses it at start to rebuild its emulated tenant and DVS —
// which start afresh — from the data file, so a shared mailbox created in
// an earlier run exists again. Nothing is stored, posted or told: an
// action that fails (already there, no longer valid) is skipped; secrets
// an action makes are dropped.
func (b *Bot) Replay(ctx context.Context, redo func(Service) bool) (int, error) {
	rs, err := b.Store.Requests(ctx, RequestFilter{States: []State{StateDone}})
	if err != nil {
		return 0, err
	}
	n := 0
	for i := len(rs) - 1; i >= 0; i-- { // the store lists newest first
		if err := ctx.Err(); err != nil {
			return n, err
		}
		r := rs[i]
		s := LookupType(r.Type)
		if s == nil || s.Run == nil || s.Service == ServiceNone || !redo(s.Service) {
			continue
		}
		inst, err := b.Store.Institution(ctx, r.Institution)
		if err != nil {
			continue
		}
		x := &Exec{Request: r, Params: r.Params, Institution: inst, Exchange: b.Exchange, DVS: b.DVS,
			Progress: func(int, int) {}, Bot: b}
		if _, err := s.Run(ctx, x); err != nil {
			b.Log.Debug("replay: action not run again", "id", r.ID, "err", err)
			continue
		}
		n++
	}
	return n, nil
}
