package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
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

// run calls the service for the request's type.
func (b *Bot) run(ctx context.Context, r *Request, inst *Institution) (*Outcome, error) {
	p := r.Params
	needEx := func() error {
		if b.Exchange == nil {
			return Errorf(EUNAVAILABLE, "executor.no_exchange")
		}
		return nil
	}
	needDVS := func() error {
		if b.DVS == nil {
			return Errorf(EUNAVAILABLE, "executor.no_dvs")
		}
		return nil
	}
	switch r.Type {
	case TypeLicenceAssign, TypeLicenceRevoke, TypeMailboxCreate, TypeSharedCreate, TypeSharedMemberAdd,
		TypeSharedMemberRemove, TypeSpamAllow, TypeSpamBlock, TypeReportAccounts:
		if err := needEx(); err != nil {
			return nil, err
		}
	case TypeDVSRightsGrant, TypeDVSRightsRevoke, TypeDVSCopy, TypeDVSBackupStatus:
		if err := needDVS(); err != nil {
			return nil, err
		}
	}
	switch r.Type {
	case TypeLicenceAssign:
		return b.Exchange.AssignLicence(ctx, inst, p.User, p.SKU)
	case TypeLicenceRevoke:
		return b.Exchange.RevokeLicence(ctx, inst, p.User, p.SKU)
	case TypeMailboxCreate:
		return b.Exchange.CreateMailbox(ctx, inst, MailboxSpec{Address: p.User, DisplayName: p.DisplayName, Kind: p.Kind, Owner: p.Owner, SKU: p.SKU, RequestID: r.ID})
	case TypeSharedCreate:
		return b.Exchange.CreateSharedMailbox(ctx, inst, p.Mailbox, p.DisplayName)
	case TypeSharedMemberAdd:
		return b.Exchange.AddSharedMember(ctx, inst, p.Mailbox, p.User, p.Permission)
	case TypeSharedMemberRemove:
		return b.Exchange.RemoveSharedMember(ctx, inst, p.Mailbox, p.User, p.Permission)
	case TypeSpamAllow:
		return b.Exchange.AllowSender(ctx, inst, p.Sender)
	case TypeSpamBlock:
		return b.Exchange.BlockSender(ctx, inst, p.Sender)
	case TypeReportAccounts:
		return b.Exchange.AccountReport(ctx, inst)
	case TypeDVSRightsGrant:
		return b.DVS.GrantRole(ctx, inst, p.User, p.Role)
	case TypeDVSRightsRevoke:
		return b.DVS.RevokeRole(ctx, inst, p.User, p.Role)
	case TypeDVSCopy:
		from, _ := time.Parse("2006-01-02", p.From)
		to, _ := time.Parse("2006-01-02", p.To)
		return b.DVS.Export(ctx, inst, from, to, b.progress(ctx, r))
	case TypeDVSBackupStatus:
		bs, err := b.DVS.Backups(ctx, inst)
		if err != nil {
			return nil, err
		}
		return BackupOutcome(bs), nil
	}
	return nil, Errorf(ECONFLICT, "executor.manual", "ID", r.ID)
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
		if r.Type != TypeLicenceAssign && r.Type != TypeMailboxCreate {
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
	if b.Exchange == nil {
		return 0, nil
	}
	rs, err := b.Store.Requests(ctx, RequestFilter{States: []State{StateInProgress}})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rs {
		if r.Outcome == nil || !r.Outcome.Pending || r.Type != TypeMailboxCreate {
			continue
		}
		inst, err := b.Store.Institution(ctx, r.Institution)
		if err != nil {
			continue
		}
		ready, err := b.Exchange.MailboxReady(ctx, inst, r.Params.User)
		if err != nil || !ready {
			continue
		}
		out := *r.Outcome
		out.Pending = false
		out.Summary = P("outcome.mailbox_ready", "User", r.Params.User)
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
