package exchange

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"itbot/bot"
)

// str reads a string property of a cmdlet output object.
func str(o map[string]any, key string) string {
	for k, v := range o {
		if strings.EqualFold(k, key) {
			switch t := v.(type) {
			case string:
				return t
			case nil:
				return ""
			default:
				return fmt.Sprint(t)
			}
		}
	}
	return ""
}

// strs reads a string-list property (the admin API gives lists as arrays,
// single values as strings, and some lists as objects with a value).
func strs(o map[string]any, key string) []string {
	for k, v := range o {
		if !strings.EqualFold(k, key) {
			continue
		}
		switch t := v.(type) {
		case string:
			if t == "" {
				return nil
			}
			return []string{t}
		case []any:
			var out []string
			for _, x := range t {
				switch y := x.(type) {
				case string:
					out = append(out, y)
				case map[string]any:
					for _, f := range []string{"Sender", "Domain", "Address", "Value"} {
						if s := str(y, f); s != "" {
							out = append(out, s)
							break
						}
					}
				}
			}
			return out
		}
	}
	return nil
}

func boolean(o map[string]any, key string) bool {
	for k, v := range o {
		if strings.EqualFold(k, key) {
			b, _ := v.(bool)
			return b
		}
	}
	return false
}

// hasRight reports whether an AccessRights list holds right ("FullAccess,
// ReadPermission" counts as holding both).
func hasRight(rights []string, right string) bool {
	for _, r := range rights {
		for _, p := range strings.Split(r, ",") {
			if strings.EqualFold(strings.TrimSpace(p), right) {
				return true
			}
		}
	}
	return false
}

// sharedMailbox checks that address is a shared mailbox: ENOTFOUND when
// there is none, ECONFLICT when it is someone's own mailbox.
func (x *Exchange) sharedMailbox(ctx context.Context, addr string) error {
	res, err := x.admin.invoke(ctx, "Get-Mailbox", map[string]any{"Identity": addr})
	if err != nil {
		return x.translate("Get-Mailbox", subject{Mailbox: addr, NotFound: "exo.shared_unknown"}, err)
	}
	if len(res.Value) == 0 {
		return bot.Errorf(bot.ENOTFOUND, "exo.shared_unknown", "Mailbox", addr)
	}
	if t := str(res.Value[0], "RecipientTypeDetails"); t != "SharedMailbox" {
		return bot.Errorf(bot.ECONFLICT, "exo.not_shared", "Mailbox", addr, "Type", t)
	}
	return nil
}

// sharedName returns a new shared mailbox's Name and Alias. Name is "the
// unique name of the mailbox" in the whole tenant, at most 64 characters
// (New-Mailbox/Set-Mailbox -Name); the institutions share one tenant, so
// the local part (info@lgia… and info@vvd…) would collide. The address is
// unique, so it is the Name; the alias is the address with "@" made a dot
// (an alias may not hold "@"). An address longer than 64 characters keeps
// its first 55 and a short hash of the whole.
func sharedName(addr string) (name, alias string) {
	name = addr
	if len(name) > 64 {
		h := sha256.Sum256([]byte(addr))
		name = addr[:55] + "-" + hex.EncodeToString(h[:4])
	}
	alias = mailNickname(strings.Replace(addr, "@", ".", 1))
	if len(alias) > 64 {
		h := sha256.Sum256([]byte(addr))
		alias = alias[:55] + "-" + hex.EncodeToString(h[:4])
	}
	return name, alias
}

// CreateSharedMailbox creates a shared mailbox in the institution's domain
// (New-Mailbox -Shared); an existing shared mailbox is left as it is.
func (x *Exchange) CreateSharedMailbox(ctx context.Context, inst *bot.Institution, address, name string) (*bot.Outcome, error) {
	addr, err := normalize(address)
	if err != nil {
		return nil, err
	}
	if err := inScope(inst, addr); err != nil {
		return nil, err
	}
	res, err := x.admin.invoke(ctx, "Get-Mailbox", map[string]any{"Identity": addr})
	switch {
	case err == nil && len(res.Value) > 0:
		if str(res.Value[0], "RecipientTypeDetails") == "SharedMailbox" {
			return &bot.Outcome{Summary: bot.P("exo.shared_exists", "Mailbox", addr)}, nil
		}
		return nil, bot.Errorf(bot.ECONFLICT, "exo.address_taken", "Address", addr)
	case err != nil && !isNotFound(err):
		return nil, x.translate("Get-Mailbox", subject{Mailbox: addr}, err)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = displayName(addr)
	}
	rname, alias := sharedName(addr)
	if _, err := x.admin.invoke(ctx, "New-Mailbox", map[string]any{
		"Shared": true, "Name": rname, "DisplayName": name, "Alias": alias, "PrimarySmtpAddress": addr,
	}); err != nil {
		return nil, x.translate("New-Mailbox", subject{Mailbox: addr, Address: addr}, err)
	}
	x.log.Info("shared mailbox created", "mailbox", addr)
	return &bot.Outcome{Summary: bot.P("exo.shared_created", "Mailbox", addr, "Name", name)}, nil
}

// permCmdlets are the cmdlets and words of one shared mailbox permission.
type permCmdlets struct {
	perm, right, get, add, remove, who, label string
}

var perms = []permCmdlets{
	{bot.PermFullAccess, "FullAccess", "Get-MailboxPermission", "Add-MailboxPermission", "Remove-MailboxPermission", "User", "Full Access"},
	{bot.PermSendAs, "SendAs", "Get-RecipientPermission", "Add-RecipientPermission", "Remove-RecipientPermission", "Trustee", "Send As"},
}

func permsFor(p string) ([]permCmdlets, error) {
	if p == "" {
		return perms, nil
	}
	q, ok := bot.ParsePermission(p)
	if !ok {
		return nil, bot.Errorf(bot.EINVALID, "params.bad_permission", "Value", p)
	}
	for _, c := range perms {
		if c.perm == q {
			return []permCmdlets{c}, nil
		}
	}
	return nil, bot.Errorf(bot.EINVALID, "params.bad_permission", "Value", p)
}

// holds reports whether user holds the permission on the mailbox.
func (x *Exchange) holds(ctx context.Context, c permCmdlets, mb, user string) (bool, error) {
	res, err := x.admin.invoke(ctx, c.get, map[string]any{"Identity": mb, c.who: user})
	if err != nil {
		if isNotFound(err) {
			return false, nil
		}
		return false, x.translate(c.get, subject{Mailbox: mb, User: user, NotFound: "exo.shared_unknown"}, err)
	}
	for _, o := range res.Value {
		if strings.EqualFold(str(o, c.who), user) && hasRight(strs(o, "AccessRights"), c.right) && !boolean(o, "Deny") {
			return true, nil
		}
	}
	return false, nil
}

// AddSharedMember gives a user of the institution Full Access (with
// auto-mapping, so the mailbox appears in Outlook) or Send As on a shared
// mailbox; the default is Full Access.
func (x *Exchange) AddSharedMember(ctx context.Context, inst *bot.Institution, mailbox, user, perm string) (*bot.Outcome, error) {
	if perm == "" {
		perm = bot.PermFullAccess
	}
	return x.member(ctx, inst, mailbox, user, perm, true)
}

// RemoveSharedMember takes a permission (both when perm is empty) from a
// user on a shared mailbox.
func (x *Exchange) RemoveSharedMember(ctx context.Context, inst *bot.Institution, mailbox, user, perm string) (*bot.Outcome, error) {
	return x.member(ctx, inst, mailbox, user, perm, false)
}

func (x *Exchange) member(ctx context.Context, inst *bot.Institution, mailbox, user, perm string, add bool) (*bot.Outcome, error) {
	mb, err := normalize(mailbox)
	if err != nil {
		return nil, err
	}
	if user, err = normalize(user); err != nil {
		return nil, err
	}
	if err := inScope(inst, mb, user); err != nil {
		return nil, err
	}
	cs, err := permsFor(perm)
	if err != nil {
		return nil, err
	}
	if err := x.sharedMailbox(ctx, mb); err != nil {
		return nil, err
	}
	out := &bot.Outcome{}
	changed := 0
	for _, c := range cs {
		held, err := x.holds(ctx, c, mb, user)
		if err != nil {
			return nil, err
		}
		switch {
		case add && held:
			out.Details = append(out.Details, bot.P("exo.member_already", "User", user, "Mailbox", mb, "Perm", c.label))
		case add:
			params := map[string]any{"Identity": mb, c.who: user, "AccessRights": []string{c.right}}
			if c.perm == bot.PermFullAccess {
				params["InheritanceType"] = "All"
				params["AutoMapping"] = true
			} else {
				params["Confirm"] = false
			}
			if _, err := x.admin.invoke(ctx, c.add, params); err != nil {
				return nil, x.translate(c.add, subject{Mailbox: mb, User: user}, err)
			}
			changed++
			out.Details = append(out.Details, bot.P("exo.member_added", "User", user, "Mailbox", mb, "Perm", c.label))
		case !held:
			out.Details = append(out.Details, bot.P("exo.member_not_held", "User", user, "Mailbox", mb, "Perm", c.label))
		default:
			params := map[string]any{"Identity": mb, c.who: user, "AccessRights": []string{c.right}, "Confirm": false}
			if c.perm == bot.PermFullAccess {
				params["InheritanceType"] = "All"
			}
			if _, err := x.admin.invoke(ctx, c.remove, params); err != nil {
				return nil, x.translate(c.remove, subject{Mailbox: mb, User: user}, err)
			}
			changed++
			out.Details = append(out.Details, bot.P("exo.member_removed", "User", user, "Mailbox", mb, "Perm", c.label))
		}
	}
	x.log.Info("shared mailbox permissions", "mailbox", mb, "user", user, "add", add, "changed", changed)
	switch {
	case len(out.Details) == 1:
		out.Summary, out.Details = out.Details[0], nil
	case add:
		out.Summary = bot.P("exo.member_summary_added", "User", user, "Mailbox", mb)
	default:
		out.Summary = bot.P("exo.member_summary_removed", "User", user, "Mailbox", mb)
	}
	return out, nil
}

// SharedMembers lists who holds Full Access or Send As on a shared mailbox
// of the institution (inherited and system entries left out).
func (x *Exchange) SharedMembers(ctx context.Context, inst *bot.Institution, mailbox string) ([]bot.Member, error) {
	mb, err := normalize(mailbox)
	if err != nil {
		return nil, err
	}
	if err := inScope(inst, mb); err != nil {
		return nil, err
	}
	if err := x.sharedMailbox(ctx, mb); err != nil {
		return nil, err
	}
	got := map[string][]string{}
	for _, c := range perms {
		res, err := x.admin.invoke(ctx, c.get, map[string]any{"Identity": mb})
		if err != nil {
			return nil, x.translate(c.get, subject{Mailbox: mb, NotFound: "exo.shared_unknown"}, err)
		}
		for _, o := range res.Value {
			who := strings.ToLower(str(o, c.who))
			if who == "" || strings.HasPrefix(who, `nt authority\`) || boolean(o, "IsInherited") || boolean(o, "Deny") || !hasRight(strs(o, "AccessRights"), c.right) {
				continue
			}
			got[who] = append(got[who], c.perm)
		}
	}
	var out []bot.Member
	for u, ps := range got {
		out = append(out, bot.Member{User: u, Permission: ps})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].User < out[j].User })
	return out, nil
}
