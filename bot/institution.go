package bot

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// Contract is an institution's signed service contract. Only an institution
// with a contract valid today may use the service.
type Contract struct {
	Number    string    `json:"number" yaml:"number"`
	ValidFrom time.Time `json:"valid_from" yaml:"valid_from"`
	ValidTo   time.Time `json:"valid_to" yaml:"valid_to"` // zero: open-ended
}

// ValidAt reports whether the contract covers t.
func (c Contract) ValidAt(t time.Time) bool {
	if c.Number == "" {
		return false
	}
	if !c.ValidFrom.IsZero() && t.Before(c.ValidFrom) {
		return false
	}
	if !c.ValidTo.IsZero() && !t.Before(c.ValidTo.AddDate(0, 0, 1)) {
		return false
	}
	return true
}

// Institution is a customer of the service: a body of the ministry's sector
// (or one outside it, which is refused with the reason).
type Institution struct {
	Code     string   `json:"code" yaml:"code"` // short, e.g. LGIA
	NameLV   string   `json:"name_lv" yaml:"name_lv"`
	NameEN   string   `json:"name_en" yaml:"name_en"`
	InSector bool     `json:"in_sector" yaml:"in_sector"`
	Contract Contract `json:"contract" yaml:"contract"`
	Domains  []string `json:"domains" yaml:"domains"` // e-mail domains, lower case
	DVSOrgID string   `json:"dvs_org_id,omitempty" yaml:"dvs_org_id"`
	// LicencePool holds hints on the institution's licence pool: SKU -> units.
	LicencePool map[string]int `json:"licence_pool,omitempty" yaml:"licence_pool"`
}

// Name returns the institution's name in language l.
func (i *Institution) Name(l Lang) string {
	if l == EN && i.NameEN != "" {
		return i.NameEN
	}
	if i.NameLV != "" {
		return i.NameLV
	}
	return i.Code
}

// Validate checks the record an admin enters.
func (i *Institution) Validate() error {
	if i.Code == "" || strings.ContainsAny(i.Code, " \t/") {
		return Errorf(EINVALID, "institution.code_required")
	}
	if len(i.Domains) == 0 {
		return Errorf(EINVALID, "institution.domain_required", "Code", i.Code)
	}
	for k, d := range i.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" || !strings.Contains(d, ".") || strings.ContainsAny(d, "@ ") {
			return Errorf(EINVALID, "institution.domain_invalid", "Domain", d)
		}
		i.Domains[k] = d
	}
	return nil
}

// Eligible returns nil when the institution may use the service at t, or an
// EFORBIDDEN error that says why not.
func (i *Institution) Eligible(t time.Time) error {
	if !i.InSector {
		return Errorf(EFORBIDDEN, "policy.out_of_sector", "Institution", i.NameLV, "InstitutionEN", i.Name(EN))
	}
	if !i.Contract.ValidAt(t) {
		if i.Contract.Number == "" {
			return Errorf(EFORBIDDEN, "policy.no_contract", "Institution", i.NameLV, "InstitutionEN", i.Name(EN))
		}
		return Errorf(EFORBIDDEN, "policy.contract_expired", "Institution", i.NameLV, "InstitutionEN", i.Name(EN),
			"Contract", i.Contract.Number, "ValidTo", i.Contract.ValidTo.Format("2006-01-02"))
	}
	return nil
}

// EligibleFor is Eligible for a request of type t: a type the table marks
// Prospective (a consultation: how to join, how to renew) is open to a
// sector institution whose contract has expired or is not signed yet —
// support is for existing and potential recipients; actions need a valid
// contract.
func (i *Institution) EligibleFor(t Type, at time.Time) error {
	err := i.Eligible(at)
	if err != nil && i.InSector {
		if s := LookupType(t); s != nil && s.Prospective {
			return nil
		}
	}
	return err
}

// Owns reports whether domain (or the domain of an address) belongs to the
// institution.
func (i *Institution) Owns(addrOrDomain string) bool {
	d := Domain(addrOrDomain)
	for _, own := range i.Domains {
		if d == own {
			return true
		}
	}
	return false
}

// Domain returns the lower-case domain of an address, or the input itself
// lower-cased when it has no @.
func Domain(addrOrDomain string) string {
	s := strings.ToLower(strings.TrimSpace(addrOrDomain))
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		return s[at+1:]
	}
	return s
}

// NormalizeAddress checks and lower-cases an e-mail address. An address
// with Cyrillic or Greek letters among Latin ones (a look-alike: "lgіa"
// with a Cyrillic "і") is refused and said to be one.
func NormalizeAddress(s string) (string, error) {
	s = strings.TrimSpace(strings.Trim(s, "<>,;\"'"))
	s = strings.TrimPrefix(s, "mailto:")
	if script, letters := lookAlike(s); script != "" {
		return "", Errorf(EINVALID, "input.lookalike_address", "Value", s, "Script", script, "Letters", letters)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || !strings.Contains(a.Address, "@") || strings.ContainsAny(a.Address, " \t") {
		return "", Errorf(EINVALID, "input.bad_address", "Value", s)
	}
	at := strings.LastIndexByte(a.Address, '@')
	if !strings.Contains(a.Address[at+1:], ".") {
		return "", Errorf(EINVALID, "input.bad_address", "Value", s)
	}
	return strings.ToLower(a.Address), nil
}

// lookAlike reports letters of another script mixed into a Latin address
// ("Cyrillic", "Greek") and which they are; "" when there are none.
func lookAlike(s string) (script, letters string) {
	latin, other := false, []rune{}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Latin, r):
			latin = true
		case unicode.Is(unicode.Cyrillic, r):
			script, other = "Cyrillic", append(other, r)
		case unicode.Is(unicode.Greek, r):
			script, other = "Greek", append(other, r)
		}
	}
	if !latin || len(other) == 0 {
		return "", ""
	}
	return script, string(other)
}
