package bot

import (
	"strings"
	"time"
)

// Mailbox kinds.
const (
	KindPersonal  = "personal"
	KindTechnical = "technical"
)

// Shared mailbox permissions.
const (
	PermFullAccess = "full_access"
	PermSendAs     = "send_as"
)

// ParsePermission reads full_access / send_as in Latvian or English words.
func ParsePermission(s string) (string, bool) {
	switch strings.NewReplacer("-", "_", " ", "_").Replace(Fold(s)) {
	case "full_access", "fullaccess", "full", "pilna_piekluve", "pilna", "piekluve", "fa":
		return PermFullAccess, true
	case "send_as", "sendas", "sutit_ka", "sutit_ka_varda", "suta_ka", "sutisana", "sa":
		return PermSendAs, true
	}
	return "", false
}

// ParseKind reads a mailbox kind in Latvian or English.
func ParseKind(s string) (string, bool) {
	switch Fold(s) {
	case "personal", "personiga", "personigo", "personigs", "person":
		return KindPersonal, true
	case "technical", "tehniska", "tehnisko", "tehnisks", "service", "resource", "resursa":
		return KindTechnical, true
	}
	return "", false
}

// ValidateParams checks and normalises the parameters a request of type t
// needs: addresses are lower-cased and checked, kinds and permissions are
// read in either language, dates must be ISO dates in order.
func ValidateParams(t Type, p *Params) error {
	addr := func(field *string, name string) error {
		if *field == "" {
			return Errorf(EINVALID, "params.missing", "Field", name)
		}
		a, err := NormalizeAddress(*field)
		if err != nil {
			return err
		}
		*field = a
		return nil
	}
	text := func() error {
		if strings.TrimSpace(p.Text) == "" {
			return Errorf(EINVALID, "params.missing_text")
		}
		if len(p.Text) > 4000 {
			return Errorf(EINVALID, "params.text_too_long", "Max", 4000)
		}
		return nil
	}
	switch t {
	case TypeLicenceAssign, TypeLicenceRevoke:
		return addr(&p.User, "user")
	case TypeMailboxCreate:
		if p.Kind == "" {
			p.Kind = KindPersonal
		}
		k, ok := ParseKind(p.Kind)
		if !ok {
			return Errorf(EINVALID, "params.bad_kind", "Value", p.Kind)
		}
		p.Kind = k
		if p.Owner != "" {
			if err := addr(&p.Owner, "owner"); err != nil {
				return err
			}
		}
		return addr(&p.User, "user")
	case TypeSharedCreate:
		return addr(&p.Mailbox, "mailbox")
	case TypeSharedMemberAdd, TypeSharedMemberRemove:
		if err := addr(&p.Mailbox, "mailbox"); err != nil {
			return err
		}
		if p.Permission != "" {
			perm, ok := ParsePermission(p.Permission)
			if !ok {
				return Errorf(EINVALID, "params.bad_permission", "Value", p.Permission)
			}
			p.Permission = perm
		} else if t == TypeSharedMemberAdd {
			p.Permission = PermFullAccess
		}
		return addr(&p.User, "user")
	case TypeSpamAllow, TypeSpamBlock:
		s := strings.ToLower(strings.TrimSpace(p.Sender))
		if s == "" {
			return Errorf(EINVALID, "params.missing", "Field", "sender")
		}
		if strings.Contains(s, "@") {
			a, err := NormalizeAddress(s)
			if err != nil {
				return err
			}
			s = a
		} else if !ValidDomain(s) {
			return Errorf(EINVALID, "params.bad_sender", "Value", p.Sender)
		}
		p.Sender = s
	case TypeDVSRightsGrant:
		if strings.TrimSpace(p.Role) == "" {
			return Errorf(EINVALID, "params.missing", "Field", "role")
		}
		p.Role = Fold(p.Role)
		return addr(&p.User, "user")
	case TypeDVSRightsRevoke:
		p.Role = Fold(p.Role)
		return addr(&p.User, "user")
	case TypeDVSCopy:
		from, err1 := time.Parse("2006-01-02", p.From)
		to, err2 := time.Parse("2006-01-02", p.To)
		if err1 != nil || err2 != nil {
			return Errorf(EINVALID, "params.bad_dates", "From", p.From, "To", p.To)
		}
		if to.Before(from) {
			return Errorf(EINVALID, "params.dates_order", "From", p.From, "To", p.To)
		}
	case TypeConsult, TypeInfoRequest, TypeDVSIncident, TypeDVSCustomize:
		return text()
	case TypeReportAccounts, TypeDVSBackupStatus:
	default:
		return Errorf(EINVALID, "params.bad_type", "Type", string(t))
	}
	return nil
}

// ValidDomain reports whether s is a lower-case DNS domain name with at
// least two labels.
func ValidDomain(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
