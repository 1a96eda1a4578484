package sandbox

import (
	"context"
	"strings"
	"time"

	"itbot/bot"
)

// DVS is bot.DVS on an emulated DVS. The institution's organisation is its
// DVSOrgID (its code when that is empty); accounts must be in the
// institution's domains.
type DVS struct {
	st *DVSState
}

var _ bot.DVS = (*DVS)(nil)

// NewDVS returns a DVS working on st.
func NewDVS(st *DVSState) *DVS { return &DVS{st: st} }

// State returns the state the DVS works on.
func (d *DVS) State() *DVSState { return d.st }

func (d *DVS) begin(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return bot.Wrap(err, bot.EUNAVAILABLE, "sbx.cancelled")
	}
	return d.st.Fault(op)
}

// OrgID returns the DVS organisation of an institution: its DVSOrgID, or
// its code.
func OrgID(inst *bot.Institution) (string, error) {
	if err := needInstitution(inst); err != nil {
		return "", err
	}
	if inst.DVSOrgID != "" {
		return inst.DVSOrgID, nil
	}
	return inst.Code, nil
}

func (d *DVS) user(inst *bot.Institution, raw string) (string, error) {
	a, err := bot.NormalizeAddress(raw)
	if err != nil {
		return "", err
	}
	return a, inScope(inst, a)
}

func roleArgs(r string) []any {
	return []any{"RoleLV", bot.Tr(bot.LV, "sbx.role."+r, nil), "RoleEN", bot.Tr(bot.EN, "sbx.role."+r, nil)}
}

func rolesArgs(rs []string) []any {
	if len(rs) == 0 {
		return []any{"RolesLV", "—", "RolesEN", "—"}
	}
	lv, en := make([]string, len(rs)), make([]string, len(rs))
	for i, r := range rs {
		lv[i], en[i] = bot.Tr(bot.LV, "sbx.role."+r, nil), bot.Tr(bot.EN, "sbx.role."+r, nil)
	}
	return []any{"RolesLV", strings.Join(lv, ", "), "RolesEN", strings.Join(en, ", ")}
}

// GrantRole gives a user of the institution a DVS role, provisioning the
// account from the directory when the DVS does not know it yet. Holding the
// role is success; an unknown role fails with EINVALID.
func (d *DVS) GrantRole(ctx context.Context, inst *bot.Institution, user, role string) (*bot.Outcome, error) {
	if err := d.begin(ctx, "GrantRole"); err != nil {
		return nil, err
	}
	org, err := OrgID(inst)
	if err != nil {
		return nil, err
	}
	a, err := d.user(inst, user)
	if err != nil {
		return nil, err
	}
	ch, err := d.st.GrantRole(org, a, role)
	if err != nil {
		return nil, err
	}
	id := "sbx.dvs_role_granted"
	if !ch.Changed {
		id = "sbx.dvs_role_already"
	}
	out := &bot.Outcome{Summary: bot.P(id, append([]any{"User", a}, roleArgs(ch.Role)...)...)}
	if ch.Created {
		out.Details = append(out.Details, bot.P("sbx.dvs_user_created", "User", a))
	}
	out.Details = append(out.Details, bot.P("sbx.dvs_roles_now", rolesArgs(ch.Roles)...))
	return out, nil
}

// RevokeRole takes a DVS role (empty: every role) from a user of the
// institution. Not holding it is success; an unknown user fails with
// ENOTFOUND.
func (d *DVS) RevokeRole(ctx context.Context, inst *bot.Institution, user, role string) (*bot.Outcome, error) {
	if err := d.begin(ctx, "RevokeRole"); err != nil {
		return nil, err
	}
	org, err := OrgID(inst)
	if err != nil {
		return nil, err
	}
	a, err := d.user(inst, user)
	if err != nil {
		return nil, err
	}
	ch, err := d.st.RevokeRole(org, a, role)
	if err != nil {
		return nil, err
	}
	var sum bot.Phrase
	switch {
	case ch.Role == "" && ch.Changed:
		sum = bot.P("sbx.dvs_roles_revoked_all", append([]any{"User", a}, rolesArgs(ch.Revoked)...)...)
	case ch.Role == "":
		return &bot.Outcome{Summary: bot.P("sbx.dvs_no_roles", "User", a)}, nil
	case ch.Changed:
		sum = bot.P("sbx.dvs_role_revoked", append([]any{"User", a}, roleArgs(ch.Role)...)...)
	default:
		sum = bot.P("sbx.dvs_role_not_held", append([]any{"User", a}, roleArgs(ch.Role)...)...)
	}
	return &bot.Outcome{Summary: sum, Details: []bot.Phrase{bot.P("sbx.dvs_roles_now", rolesArgs(ch.Roles)...)}}, nil
}

// Users lists the institution's DVS users with their roles.
// Roles implements bot.DVS: the sandbox DVS's roles.
func (d *DVS) Roles(ctx context.Context) ([]string, error) {
	if err := d.begin(ctx, "Roles"); err != nil {
		return nil, err
	}
	return DVSRoles(), nil
}

func (d *DVS) Users(ctx context.Context, inst *bot.Institution) ([]bot.DVSUser, error) {
	if err := d.begin(ctx, "Users"); err != nil {
		return nil, err
	}
	org, err := OrgID(inst)
	if err != nil {
		return nil, err
	}
	return d.st.Users(org)
}

// Backups lists the institution's DVS backups, newest first.
func (d *DVS) Backups(ctx context.Context, inst *bot.Institution) ([]bot.Backup, error) {
	if err := d.begin(ctx, "Backups"); err != nil {
		return nil, err
	}
	org, err := OrgID(inst)
	if err != nil {
		return nil, err
	}
	return d.st.Backups(org)
}

// Export copies the institution's documents registered from day from
// through day to. It reports progress (0 of total first, total of total
// last; progress may be nil), stops when ctx ends (the error wraps
// ctx.Err()), and returns the archive's location and SHA-256.
func (d *DVS) Export(ctx context.Context, inst *bot.Institution, from, to time.Time, progress bot.Progress) (*bot.Outcome, error) {
	if err := d.begin(ctx, "Export"); err != nil {
		return nil, err
	}
	org, err := OrgID(inst)
	if err != nil {
		return nil, err
	}
	fromS, toS := from.Format("2006-01-02"), to.Format("2006-01-02")
	if from.IsZero() || to.IsZero() {
		return nil, bot.Errorf(bot.EINVALID, "sbx.dvs_no_period")
	}
	if day(to).Before(day(from)) {
		return nil, bot.Errorf(bot.EINVALID, "sbx.dvs_bad_period", "From", fromS, "To", toS)
	}
	total, err := d.st.Documents(org, from, to)
	if err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	steps := d.st.ExportSteps
	if steps <= 0 {
		steps = 20
	}
	step := max(1, (total+steps-1)/steps)
	progress(0, total)
	for done := 0; done < total; {
		if err := d.wait(ctx); err != nil {
			return nil, err
		}
		done = min(done+step, total)
		progress(done, total)
	}
	if err := ctx.Err(); err != nil {
		return nil, bot.Wrap(err, bot.EUNAVAILABLE, "sbx.cancelled")
	}
	kv := []any{"Institution", inst.Code, "From", fromS, "To", toS, "Count", total}
	if total == 0 {
		return &bot.Outcome{Summary: bot.P("sbx.dvs_export_empty", kv...)}, nil
	}
	e, err := d.st.RecordExport(org, from, to, total)
	if err != nil {
		return nil, err
	}
	return &bot.Outcome{
		Summary: bot.P("sbx.dvs_export_done", kv...),
		Details: []bot.Phrase{
			bot.P("sbx.dvs_export_location", "Location", e.Location),
			bot.P("sbx.dvs_export_sha", "SHA256", e.SHA256),
			bot.P("sbx.dvs_export_size", "MB", roundMB(e.SizeBytes)),
		},
	}, nil
}

// Restore puts the institution's documents back as they were in one of its
// nightly backups, reporting progress in the export's steps.
func (d *DVS) Restore(ctx context.Context, inst *bot.Institution, backup string, progress bot.Progress) (*bot.Outcome, error) {
	if err := d.begin(ctx, "Restore"); err != nil {
		return nil, err
	}
	org, err := OrgID(inst)
	if err != nil {
		return nil, err
	}
	b, err := d.st.Restorable(org, backup)
	if err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	steps := d.st.ExportSteps
	if steps <= 0 {
		steps = 20
	}
	progress(0, steps)
	for done := 1; done <= steps; done++ {
		if err := d.wait(ctx); err != nil {
			return nil, err
		}
		progress(done, steps)
	}
	r, err := d.st.RecordRestore(org, backup, b.StartedAt)
	if err != nil {
		return nil, err
	}
	return &bot.Outcome{Summary: bot.P("sbx.dvs_restore_done", "Institution", inst.Code, "Backup", backup,
		"Taken", bot.FormatTime(b.StartedAt), "Count", r.Documents),
		Details: []bot.Phrase{bot.P("sbx.dvs_restore_id", "ID", r.ID)}}, nil
}

// wait takes one export step's time, or returns when ctx ends.
func (d *DVS) wait(ctx context.Context) error {
	if delay := d.st.ExportStepDelay; delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	if err := ctx.Err(); err != nil {
		return bot.Wrap(err, bot.EUNAVAILABLE, "sbx.cancelled")
	}
	return nil
}

// Health returns the DVS state; it answers while the DVS is down too.
func (d *DVS) Health(ctx context.Context) (bot.Health, error) {
	if err := ctx.Err(); err != nil {
		return bot.Health{}, bot.Wrap(err, bot.EUNAVAILABLE, "sbx.cancelled")
	}
	if err := d.st.faults.take("Health"); err != nil {
		return bot.Health{}, err
	}
	return d.st.Health(), nil
}
