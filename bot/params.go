package bot

import (
	"strings"
)

// Mailbox kinds (Params.Kind, MailboxSpec.Kind); not to be confused with
// a reply's Kind.
const (
	MailboxPersonal  = "personal"
	MailboxTechnical = "technical"
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

// ParseMailboxKind reads a mailbox kind in Latvian or English.
func ParseMailboxKind(s string) (string, bool) {
	switch Fold(s) {
	case "personal", "personiga", "personigo", "personigs", "person":
		return MailboxPersonal, true
	case "technical", "tehniska", "tehnisko", "tehnisks", "service", "resource", "resursa":
		return MailboxTechnical, true
	}
	return "", false
}

// ValidateParams checks and normalises the parameters a request of type t
// needs, as its TypeSpec declares them: addresses are lower-cased and
// checked, kinds and permissions are read in either language, free text is
// bounded, and the type's own Check runs (dates in order).
func ValidateParams(t Type, p *Params) error { return ValidateParamsFor(t, p, "") }

// ValidateParamsFor is ValidateParams for a known requester, whom a type's
// Check may name (the owner of a technical mailbox).
func ValidateParamsFor(t Type, p *Params, requester string) error {
	s := LookupType(t)
	if s == nil {
		return Errorf(EINVALID, "params.bad_type", "Type", string(t))
	}
	return s.Normalize(p, requester)
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
