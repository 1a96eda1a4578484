package exchange

import (
	"context"
	"crypto/rand"
	"math/big"
	"strings"
	"unicode"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"itbot/bot"
)

// markBucket is the KV bucket of the accounts the adapter created: key the
// address, value markCreated (the temporary password was not handed over
// yet) or markDelivered.
const (
	markBucket    = "exchange.created"
	markCreated   = "created"
	markDelivered = "delivered"
)

func (x *Exchange) mark(ctx context.Context, addr string) string {
	if x.opt.KV == nil {
		return ""
	}
	v, err := x.opt.KV.Get(ctx, markBucket, addr)
	if err != nil {
		x.log.Warn("read account mark", "user", addr, "err", err)
		return ""
	}
	return string(v)
}

func (x *Exchange) setMark(ctx context.Context, addr, v string) {
	if x.opt.KV == nil {
		return
	}
	if err := x.opt.KV.Put(ctx, markBucket, addr, []byte(v)); err != nil {
		x.log.Warn("write account mark", "user", addr, "err", err)
	}
}

// restoreMark puts back an account's mark as it was ("" removes it).
func (x *Exchange) restoreMark(ctx context.Context, addr, v string) {
	if x.opt.KV == nil {
		return
	}
	if v != "" {
		x.setMark(ctx, addr, v)
		return
	}
	if err := x.opt.KV.Delete(ctx, markBucket, addr); err != nil {
		x.log.Warn("remove account mark", "user", addr, "err", err)
	}
}

// answerLost reports whether a failed call may nevertheless have been
// carried out: a 5xx answer (503, 504 …) or no answer at all. A 4xx is a
// refusal.
func answerLost(err error) bool {
	if c, ok := asCall(err); ok {
		return c.status >= 500
	}
	return true
}

// displayName makes "Anna Bērziņa"-style names from "anna.berzina@…" when
// none is given.
func displayName(addr string) string {
	local := strings.SplitN(addr, "@", 2)[0]
	parts := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	for i, p := range parts {
		rs := []rune(p)
		rs[0] = unicode.ToUpper(rs[0])
		parts[i] = string(rs)
	}
	return strings.Join(parts, " ")
}

// mailNickname derives the alias Graph requires from an address.
func mailNickname(addr string) string {
	local := strings.SplitN(addr, "@", 2)[0]
	var b strings.Builder
	for _, r := range local {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".-_", r)) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "user"
	}
	return b.String()
}

// Temporary passwords: 16 characters from four classes, with no look-alike
// characters (0/O, 1/l/I), so they can be read out and typed.
const (
	pwUpper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	pwLower  = "abcdefghijkmnopqrstuvwxyz"
	pwDigit  = "23456789"
	pwSymbol = "!#%+-=?@"
)

// NewPassword returns a random temporary password that meets Entra ID's
// complexity rules.
func NewPassword() (string, error) {
	sets := []string{pwUpper, pwLower, pwDigit, pwSymbol}
	all := strings.Join(sets, "")
	out := make([]byte, 16)
	for i := range out {
		set := all
		if i < len(sets) {
			set = sets[i]
		}
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			return "", err
		}
		out[i] = set[n.Int64()]
	}
	for i := len(out) - 1; i > 0; i-- { // shuffle so the classes are not in order
		n, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		j := n.Int64()
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}

func passwordProfile(pw string) models.PasswordProfileable {
	p := models.NewPasswordProfile()
	p.SetPassword(&pw)
	t := true
	p.SetForceChangePasswordNextSignIn(&t)
	return p
}

// CreateMailbox creates a personal or technical mailbox: the user (UPN in
// the institution's domain, display name, temporary password that must be
// changed at the first sign-in, usage location) and its licence. The
// password is returned in Outcome.Secret only. Exchange prepares the
// mailbox asynchronously: until it answers, the outcome is Pending.
// Running it again for an account it created (after a failure, or waiting
// for licences) continues where it stopped; an account it did not create
// is refused (ECONFLICT): it gets a mailbox with a licence instead.
func (x *Exchange) CreateMailbox(ctx context.Context, inst *bot.Institution, spec bot.MailboxSpec) (*bot.Outcome, error) {
	addr, err := normalize(spec.Address)
	if err != nil {
		return nil, err
	}
	owner := ""
	if spec.Owner != "" {
		if owner, err = normalize(spec.Owner); err != nil {
			return nil, err
		}
	}
	if err := inScope(inst, addr, owner); err != nil {
		return nil, err
	}
	kind := spec.Kind
	if kind == "" {
		kind = bot.MailboxPersonal
	}
	skuName := spec.SKU
	if skuName == "" && kind == bot.MailboxTechnical {
		skuName = x.cfg.Licences.Technical
	}
	k, err := x.resolve(ctx, skuName)
	if err != nil {
		return nil, err
	}
	var details []bot.Phrase
	secret := ""
	u, err := x.getUser(ctx, addr)
	switch {
	case err != nil && isNotFound(err):
		if secret, err = NewPassword(); err != nil {
			return nil, bot.Wrap(err, bot.EINTERNAL, "error.internal")
		}
		name := strings.TrimSpace(spec.DisplayName)
		if name == "" {
			name = displayName(addr)
		}
		nu := models.NewUser()
		enabled := true
		nick := mailNickname(addr)
		loc := x.cfg.UsageLocation
		nu.SetAccountEnabled(&enabled)
		nu.SetDisplayName(&name)
		nu.SetMailNickname(&nick)
		nu.SetUserPrincipalName(&addr)
		nu.SetUsageLocation(&loc)
		nu.SetPasswordProfile(passwordProfile(secret))
		// The mark goes first: a POST users whose answer is lost (503, 504,
		// a broken connection) may have created the account, and a later
		// attempt must know it is itbot's (it then sets a new password)
		// rather than refuse it as someone else's.
		prev := x.mark(ctx, addr)
		x.setMark(ctx, addr, markCreated)
		created, err := x.users().Post(ctx, nu, nil)
		if err != nil && answerLost(err) {
			// Graph does not send a POST again after a 503/504 (it might
			// have happened); read whether it did.
			if got, gerr := x.getUser(ctx, addr); gerr == nil {
				x.log.Warn("user create: the answer was lost but the account exists; it is this attempt's", "user", addr, "err", err)
				created, err = nil, nil
				u = got
			}
		}
		if err != nil {
			if !answerLost(err) {
				x.restoreMark(ctx, addr, prev) // refused: nothing was created
			}
			return nil, x.translate("create user", subject{User: addr, Address: addr}, err)
		}
		if created != nil {
			u = toUserInfo(created)
		}
		u.fresh = true
		if u.UsageLocation == "" {
			u.UsageLocation = loc
		}
		x.log.Info("user created", "user", addr, "kind", kind)
		details = append(details, bot.P("exo.user_created", "User", addr))
	case err != nil:
		return nil, x.translate("get user", subject{User: addr}, err)
	default:
		switch x.mark(ctx, addr) {
		case markCreated:
			// Created by an earlier attempt whose password was never handed
			// over: set a new one.
			if secret, err = NewPassword(); err != nil {
				return nil, bot.Wrap(err, bot.EINTERNAL, "error.internal")
			}
			patch := models.NewUser()
			patch.SetPasswordProfile(passwordProfile(secret))
			if _, err := x.users().ByUserId(u.ID).Patch(ctx, patch, nil); err != nil {
				return nil, x.translate("reset password", subject{User: addr}, err)
			}
			details = append(details, bot.P("exo.user_resumed", "User", addr))
		case markDelivered:
			details = append(details, bot.P("exo.user_existed", "User", addr))
		default:
			// Not an account itbot made: never take it over (its owner
			// would lose the password). A mailbox for it comes with a
			// licence.
			return nil, bot.Errorf(bot.ECONFLICT, "exo.account_exists", "Address", addr)
		}
	}
	if kind == bot.MailboxTechnical && owner != "" {
		details = append(details, x.recordOwner(ctx, u, owner))
	}
	lic, err := x.assign(ctx, u, k)
	if err != nil {
		return nil, err
	}
	details = append(details, lic.Summary)
	details = append(details, lic.Details...)
	ready, err := x.mailboxReady(ctx, addr)
	if err != nil {
		return nil, err
	}
	x.setMark(ctx, addr, markDelivered)
	out := &bot.Outcome{Details: details, Secret: secret}
	if ready {
		out.Summary = bot.P("exo.mailbox_created", "User", addr)
	} else {
		out.Summary = bot.P("exo.mailbox_preparing", "User", addr)
		out.Pending = true
	}
	return out, nil
}

// recordOwner records a technical mailbox's responsible person as its
// manager in the directory.
func (x *Exchange) recordOwner(ctx context.Context, u *userInfo, owner string) bot.Phrase {
	o, err := x.getUser(ctx, owner)
	if err != nil {
		x.log.Warn("technical mailbox owner not in the tenant", "user", u.UPN, "owner", owner, "err", err)
		return bot.P("exo.owner_not_in_tenant", "Owner", owner)
	}
	ref := models.NewReferenceUpdate()
	id := x.graph.GetBaseUrl() + "/users/" + o.ID
	ref.SetOdataId(&id)
	if err := x.settle(ctx, u, func() error { return x.users().ByUserId(u.ID).Manager().Ref().Put(ctx, ref, nil) }); err != nil {
		x.log.Warn("record technical mailbox owner", "user", u.UPN, "owner", owner, "err", err)
		return bot.P("exo.owner_not_in_tenant", "Owner", owner)
	}
	return bot.P("exo.owner_recorded", "Owner", owner)
}

// mailboxReady asks the Exchange admin API whether the user's mailbox
// exists yet (Get-Mailbox): Exchange provisions a licensed user's mailbox
// asynchronously, and until then the recipient is not found. It does not
// ask Graph's mailboxSettings: that needs MailboxSettings.Read over every
// mailbox and is refused (403) under the application access policy that
// scopes itbot to the IT mailbox — after the user was already created and
// licensed. The Exchange role itbot holds (Mail Recipients) reads
// recipients.
func (x *Exchange) mailboxReady(ctx context.Context, addr string) (bool, error) {
	res, err := x.admin.invoke(ctx, "Get-Mailbox", map[string]any{"Identity": addr})
	switch {
	case err == nil:
		for _, m := range res.Value {
			if t, _ := m["RecipientTypeDetails"].(string); t == "UserMailbox" || t == "" {
				return true, nil
			}
		}
		return false, nil
	case isNotFound(err):
		return false, nil
	}
	return false, x.translate("Get-Mailbox", subject{User: addr}, err)
}

// MailboxReady reports whether a new mailbox of the institution answers
// yet.
func (x *Exchange) MailboxReady(ctx context.Context, inst *bot.Institution, address string) (bool, error) {
	addr, err := normalize(address)
	if err != nil {
		return false, err
	}
	if err := inScope(inst, addr); err != nil {
		return false, err
	}
	return x.mailboxReady(ctx, addr)
}
