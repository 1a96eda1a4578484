package sandbox

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"itbot/bot"
)

// Exchange is bot.Exchange on an emulated tenant. It scopes every account
// to the institution passed (a nil institution means the whole tenant, as
// an agency operator sees it) and phrases every outcome for people.
type Exchange struct {
	t *Tenant
}

var _ bot.Exchange = (*Exchange)(nil)

// NewExchange returns an Exchange working on tenant t.
func NewExchange(t *Tenant) *Exchange { return &Exchange{t: t} }

// Tenant returns the tenant the Exchange works on.
func (x *Exchange) Tenant() *Tenant { return x.t }

// begin checks the context and the injected failures before an operation.
func (x *Exchange) begin(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return bot.Wrap(err, bot.EUNAVAILABLE, "sbx.cancelled")
	}
	return x.t.Fault(op)
}

// account normalises an address, checks its domain is the tenant's and that
// it belongs to the institution.
func (x *Exchange) account(inst *bot.Institution, raw string) (string, error) {
	a, err := x.t.CheckAddress(raw)
	if err != nil {
		return "", err
	}
	return a, inScope(inst, a)
}

func inScope(inst *bot.Institution, addr string) error {
	if inst == nil || inst.Owns(addr) {
		return nil
	}
	ds := make([]string, len(inst.Domains))
	for i, d := range inst.Domains {
		ds[i] = "@" + d
	}
	return bot.Errorf(bot.EFORBIDDEN, "sbx.out_of_scope", "Address", addr, "Institution", inst.Code, "Domains", strings.Join(ds, ", "))
}

func needInstitution(inst *bot.Institution) error {
	if inst == nil || inst.Code == "" {
		return bot.Errorf(bot.EINVALID, "sbx.institution_required")
	}
	return nil
}

// AssignLicence assigns a licence (friendly name or part number, any case;
// empty: E3) to a user of the institution. Having it already is success.
func (x *Exchange) AssignLicence(ctx context.Context, inst *bot.Institution, user, sku string) (*bot.Outcome, error) {
	if err := x.begin(ctx, "AssignLicence"); err != nil {
		return nil, err
	}
	upn, err := x.account(inst, user)
	if err != nil {
		return nil, err
	}
	ch, err := x.t.AssignLicence(upn, sku)
	if err != nil {
		return nil, err
	}
	if !ch.Changed {
		return &bot.Outcome{Summary: bot.P("sbx.licence_already", "User", upn, "SKU", ch.SKU.Name)}, nil
	}
	out := &bot.Outcome{Summary: bot.P("sbx.licence_assigned", "User", upn, "SKU", ch.SKU.Name)}
	if ch.UsageLocationSet {
		out.Details = append(out.Details, bot.P("sbx.usage_location_set", "User", upn, "Location", UsageLocation))
	}
	out.Details = append(out.Details, freeLine(ch.SKU))
	return out, nil
}

func freeLine(s SKU) bot.Phrase {
	return bot.P("sbx.licences_free", "SKU", s.Name, "Free", s.Free(), "Enabled", s.Enabled)
}

// RevokeLicence removes a licence from a user of the institution; not
// having it is success. An empty sku means the user's only licence.
func (x *Exchange) RevokeLicence(ctx context.Context, inst *bot.Institution, user, sku string) (*bot.Outcome, error) {
	if err := x.begin(ctx, "RevokeLicence"); err != nil {
		return nil, err
	}
	upn, err := x.account(inst, user)
	if err != nil {
		return nil, err
	}
	ch, err := x.t.RevokeLicence(upn, sku)
	if err != nil {
		return nil, err
	}
	switch {
	case ch.SKU.Name == "":
		return &bot.Outcome{Summary: bot.P("sbx.no_licences", "User", upn)}, nil
	case !ch.Changed:
		return &bot.Outcome{Summary: bot.P("sbx.licence_not_assigned", "User", upn, "SKU", ch.SKU.Name)}, nil
	}
	return &bot.Outcome{Summary: bot.P("sbx.licence_revoked", "User", upn, "SKU", ch.SKU.Name),
		Details: []bot.Phrase{freeLine(ch.SKU)}}, nil
}

// CreateMailbox creates a user with a mailbox and a licence in the
// institution and returns the temporary password in Outcome.Secret only.
// The mailbox is being prepared (Outcome.Pending) until MailboxReady says
// so.
func (x *Exchange) CreateMailbox(ctx context.Context, inst *bot.Institution, spec bot.MailboxSpec) (*bot.Outcome, error) {
	if err := x.begin(ctx, "CreateMailbox"); err != nil {
		return nil, err
	}
	addr, err := x.account(inst, spec.Address)
	if err != nil {
		return nil, err
	}
	spec.Address = addr
	if spec.Owner != "" {
		if spec.Owner, err = x.account(inst, spec.Owner); err != nil {
			return nil, err
		}
	}
	nm, err := x.t.CreateMailbox(spec)
	if err != nil {
		return nil, err
	}
	u := nm.User
	out := &bot.Outcome{
		Summary: bot.P("sbx.mailbox_created", "User", u.UPN),
		Secret:  nm.Password,
		Pending: true,
	}
	if u.Kind == bot.MailboxTechnical && u.Owner != "" {
		out.Details = append(out.Details, bot.P("sbx.mailbox_technical", "Name", u.DisplayName, "SKU", nm.SKU.Name, "Owner", u.Owner))
	} else if u.Kind == bot.MailboxTechnical {
		out.Details = append(out.Details, bot.P("sbx.mailbox_technical_no_owner", "Name", u.DisplayName, "SKU", nm.SKU.Name))
	} else {
		out.Details = append(out.Details, bot.P("sbx.mailbox_personal", "Name", u.DisplayName, "SKU", nm.SKU.Name))
	}
	out.Details = append(out.Details, freeLine(nm.SKU), bot.P("sbx.password_note"))
	return out, nil
}

// MailboxReady reports whether a mailbox of the institution is ready.
func (x *Exchange) MailboxReady(ctx context.Context, inst *bot.Institution, address string) (bool, error) {
	if err := x.begin(ctx, "MailboxReady"); err != nil {
		return false, err
	}
	addr, err := x.account(inst, address)
	if err != nil {
		return false, err
	}
	return x.t.PollMailbox(addr)
}

// CreateSharedMailbox creates a shared mailbox in the institution; one that
// exists already is success.
func (x *Exchange) CreateSharedMailbox(ctx context.Context, inst *bot.Institution, address, displayName string) (*bot.Outcome, error) {
	if err := x.begin(ctx, "CreateSharedMailbox"); err != nil {
		return nil, err
	}
	addr, err := x.account(inst, address)
	if err != nil {
		return nil, err
	}
	created, err := x.t.CreateSharedMailbox(addr, displayName)
	if err != nil {
		return nil, err
	}
	if !created {
		return &bot.Outcome{Summary: bot.P("sbx.shared_exists", "Mailbox", addr)}, nil
	}
	s, err := x.t.Shared(addr)
	if err != nil {
		return nil, err
	}
	return &bot.Outcome{Summary: bot.P("sbx.shared_created", "Mailbox", addr, "Name", s.DisplayName),
		Details: []bot.Phrase{bot.P("sbx.shared_no_licence")}}, nil
}

// permission reads a permission in the bot's canonical form or in words;
// empty stays empty.
func permission(p string) (string, error) {
	if p == "" || p == bot.PermFullAccess || p == bot.PermSendAs {
		return p, nil
	}
	if v, ok := bot.ParsePermission(p); ok {
		return v, nil
	}
	return "", bot.Errorf(bot.EINVALID, "sbx.bad_permission", "Value", p)
}

func permArgs(p string) []any {
	return []any{"PermLV", bot.Tr(bot.LV, "sbx.perm."+p, nil), "PermEN", bot.Tr(bot.EN, "sbx.perm."+p, nil)}
}

// AddSharedMember gives a user of the institution a permission (full_access
// when empty, or send_as) on a shared mailbox; having it is success.
func (x *Exchange) AddSharedMember(ctx context.Context, inst *bot.Institution, mailbox, user, perm string) (*bot.Outcome, error) {
	if err := x.begin(ctx, "AddSharedMember"); err != nil {
		return nil, err
	}
	return x.member(inst, mailbox, user, perm, true)
}

// RemoveSharedMember takes a permission (empty: every permission) of a
// user on a shared mailbox away; not having it is success.
func (x *Exchange) RemoveSharedMember(ctx context.Context, inst *bot.Institution, mailbox, user, perm string) (*bot.Outcome, error) {
	if err := x.begin(ctx, "RemoveSharedMember"); err != nil {
		return nil, err
	}
	return x.member(inst, mailbox, user, perm, false)
}

func (x *Exchange) member(inst *bot.Institution, mailbox, user, perm string, on bool) (*bot.Outcome, error) {
	mb, err := x.account(inst, mailbox)
	if err != nil {
		return nil, err
	}
	u, err := x.account(inst, user)
	if err != nil {
		return nil, err
	}
	if perm, err = permission(perm); err != nil {
		return nil, err
	}
	if on && perm == "" {
		perm = bot.PermFullAccess
	}
	changed, err := x.t.SetSharedMember(mb, u, perm, on)
	if err != nil {
		return nil, err
	}
	var id string
	switch {
	case on && changed:
		id = "sbx.member_added"
	case on:
		id = "sbx.member_already"
	case perm == "" && changed:
		id = "sbx.member_removed_all"
	case perm == "":
		id = "sbx.member_not_member"
	case changed:
		id = "sbx.member_removed"
	default:
		id = "sbx.member_not_present"
	}
	kv := []any{"User", u, "Mailbox", mb}
	if perm != "" {
		kv = append(kv, permArgs(perm)...)
	}
	return &bot.Outcome{Summary: bot.P(id, kv...)}, nil
}

// SharedMembers lists a shared mailbox's members with their permissions.
func (x *Exchange) SharedMembers(ctx context.Context, inst *bot.Institution, mailbox string) ([]bot.Member, error) {
	if err := x.begin(ctx, "SharedMembers"); err != nil {
		return nil, err
	}
	mb, err := x.account(inst, mailbox)
	if err != nil {
		return nil, err
	}
	return x.t.SharedMembers(mb)
}

// AllowSender puts a sender (address or domain) on the institution's
// allowed list, taking it off the blocked list.
func (x *Exchange) AllowSender(ctx context.Context, inst *bot.Institution, sender string) (*bot.Outcome, error) {
	if err := x.begin(ctx, "AllowSender"); err != nil {
		return nil, err
	}
	return x.spam(inst, sender, true)
}

// BlockSender puts a sender (address or domain) on the institution's
// blocked list, taking it off the allowed list.
func (x *Exchange) BlockSender(ctx context.Context, inst *bot.Institution, sender string) (*bot.Outcome, error) {
	if err := x.begin(ctx, "BlockSender"); err != nil {
		return nil, err
	}
	return x.spam(inst, sender, false)
}

func (x *Exchange) spam(inst *bot.Institution, sender string, allow bool) (*bot.Outcome, error) {
	if err := needInstitution(inst); err != nil {
		return nil, err
	}
	ch, err := x.t.SetSpam(inst.Code, sender, allow)
	if err != nil {
		return nil, err
	}
	ids := map[[2]bool]string{
		{true, true}: "sbx.sender_allowed", {true, false}: "sbx.sender_already_allowed",
		{false, true}: "sbx.sender_blocked", {false, false}: "sbx.sender_already_blocked",
	}
	out := &bot.Outcome{Summary: bot.P(ids[[2]bool{allow, ch.Changed}], "Sender", ch.Sender, "Institution", inst.Code)}
	if ch.Moved && allow {
		out.Details = append(out.Details, bot.P("sbx.sender_unblocked", "Sender", ch.Sender))
	} else if ch.Moved {
		out.Details = append(out.Details, bot.P("sbx.sender_unallowed", "Sender", ch.Sender))
	}
	return out, nil
}

// SpamLists returns the institution's allowed and blocked senders.
func (x *Exchange) SpamLists(ctx context.Context, inst *bot.Institution) (*bot.SpamList, error) {
	if err := x.begin(ctx, "SpamLists"); err != nil {
		return nil, err
	}
	if err := needInstitution(inst); err != nil {
		return nil, err
	}
	l := x.t.SpamLists(inst.Code)
	return &l, nil
}

// reportHeader is the report's columns in l.
func reportHeader(l bot.Lang) []string {
	return strings.Split(bot.Tr(l, "sbx.report_header", nil), ";")
}

// AccountReport builds the institution's account report: a UTF-8 CSV (with
// a byte order mark, so spreadsheet programs read the Latvian letters
// right) of every user in the institution's domains, and a summary.
func (x *Exchange) AccountReport(ctx context.Context, inst *bot.Institution) (*bot.Outcome, error) {
	if err := x.begin(ctx, "AccountReport"); err != nil {
		return nil, err
	}
	if err := needInstitution(inst); err != nil {
		return nil, err
	}
	now := x.t.now()
	users := x.t.Users(inst.Domains...)
	var buf bytes.Buffer
	// For Latvian Excel: a byte-order mark, semicolons, the requester's
	// language.
	l := bot.LangOf(ctx)
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	_ = w.Write(reportHeader(l))
	var enabled, licensed int
	var nearQuota, inactive []string
	for _, u := range users {
		yes := bot.Tr(l, "sbx.no", nil)
		if u.AccountEnabled {
			yes = bot.Tr(l, "sbx.yes", nil)
			enabled++
		}
		if len(u.SKUs) > 0 {
			licensed++
		}
		mb := u.Mailbox
		last := ""
		if !mb.LastActivity.IsZero() {
			last = mb.LastActivity.In(bot.TimeZone).Format("2006-01-02 15:04")
		}
		if mb.QuotaBytes > 0 && mb.SizeBytes*10 > mb.QuotaBytes*9 {
			nearQuota = append(nearQuota, u.UPN)
		}
		if u.AccountEnabled && mb.Ready && now.Sub(mb.LastActivity) > 90*24*time.Hour && now.Sub(u.Created) > 90*24*time.Hour {
			inactive = append(inactive, u.UPN)
		}
		_ = w.Write([]string{u.UPN, u.DisplayName, yes, u.Created.In(bot.TimeZone).Format("2006-01-02"),
			strings.Join(u.SKUs, ", "), strconv.FormatInt(roundMB(mb.SizeBytes), 10),
			strconv.FormatInt(roundMB(mb.QuotaBytes), 10), strconv.Itoa(mb.Items), last})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, bot.Wrap(err, bot.EINTERNAL, "error.internal")
	}
	out := &bot.Outcome{
		Summary: bot.P("sbx.report_summary", "Institution", inst.Code, "Total", len(users), "Enabled", enabled, "Licensed", licensed),
		Files: []bot.File{{
			Name: fmt.Sprintf("konti-%s-%s.csv", inst.Code, now.In(bot.TimeZone).Format("2006-01-02")),
			Mime: "text/csv; charset=utf-8",
			Data: buf.Bytes(),
		}},
	}
	if len(nearQuota) > 0 {
		out.Details = append(out.Details, bot.P("sbx.report_near_quota", "List", strings.Join(nearQuota, ", ")))
	}
	if len(inactive) > 0 {
		out.Details = append(out.Details, bot.P("sbx.report_inactive", "List", strings.Join(inactive, ", ")))
	}
	return out, nil
}

func roundMB(b int64) int64 { return (b + 1<<19) >> 20 }

// AccountExists implements bot.Exchange.
func (x *Exchange) AccountExists(ctx context.Context, inst *bot.Institution, address string) (bool, error) {
	if err := x.begin(ctx, "AccountExists"); err != nil {
		return false, err
	}
	if _, err := x.t.User(address); err != nil {
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// FreeLicences returns the free units of a licence (empty: the default).
func (x *Exchange) FreeLicences(ctx context.Context, sku string) (int, error) {
	if err := x.begin(ctx, "FreeLicences"); err != nil {
		return 0, err
	}
	return x.t.FreeUnits(sku)
}

// Health returns the tenant's service health; it answers during an
// interruption too (Up false).
func (x *Exchange) Health(ctx context.Context) (bot.Health, error) {
	if err := ctx.Err(); err != nil {
		return bot.Health{}, bot.Wrap(err, bot.EUNAVAILABLE, "sbx.cancelled")
	}
	if err := x.t.faults.take("Health"); err != nil {
		return bot.Health{}, err
	}
	return x.t.Health(), nil
}
