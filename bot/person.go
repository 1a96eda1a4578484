package bot

import (
	"strings"
)

// Role is what a person may do.
type Role string

// The roles. Institution roles act for their own institution only; agency
// roles act across institutions.
const (
	RoleEmployee    Role = "employee"     // may request for own institution and ask for advice
	RoleITContact   Role = "it_contact"   // may request and approve for own institution
	RoleExpertGroup Role = "expert_group" // IT expert working group member: as it_contact
	RoleOperator    Role = "operator"     // agency staff: works the queue
	RoleApprover    Role = "approver"     // agency: approves what policy reserves for the agency
	RoleAdmin       Role = "admin"        // manages institutions, people, policies
)

// AllRoles lists every role, in order of power.
var AllRoles = []Role{RoleEmployee, RoleITContact, RoleExpertGroup, RoleOperator, RoleApprover, RoleAdmin}

// ParseRole reads a role: its key (it_contact) or its Latvian or English
// name ("IT kontaktpersona").
func ParseRole(s string) (Role, bool) {
	k := strings.ReplaceAll(Fold(s), "-", "_")
	words := strings.Join(strings.Fields(Fold(s)), " ")
	for _, r := range AllRoles {
		if string(r) == k || Fold(r.Label(LV)) == words || Fold(r.Label(EN)) == words {
			return r, true
		}
	}
	return "", false
}

// Label renders the role for people, in language l.
func (r Role) Label(l Lang) string { return Tr(l, "role."+string(r), nil) }

// RoleLabels renders roles for people, comma-separated.
func RoleLabels(rs []Role, l Lang) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Label(l)
	}
	return strings.Join(out, ", ")
}

// Person is someone who talks to itbot. The e-mail address is the identity
// key; chat accounts are linked to it.
type Person struct {
	Email       string `json:"email" yaml:"email"`
	Name        string `json:"name" yaml:"name"`
	Institution string `json:"institution" yaml:"institution"` // Institution.Code
	Roles       []Role `json:"roles" yaml:"roles"`
	Lang        Lang   `json:"lang,omitempty" yaml:"lang"`
	// Identities maps a platform ("slack", "mattermost") to the person's user
	// id there.
	Identities map[string]string `json:"identities,omitempty" yaml:"identities"`
}

// Has reports whether p holds role r.
func (p *Person) Has(r Role) bool {
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// HasAny reports whether p holds any of the roles.
func (p *Person) HasAny(rs ...Role) bool {
	for _, r := range rs {
		if p.Has(r) {
			return true
		}
	}
	return false
}

// IsAgency reports whether p is agency staff (operator, approver or admin).
func (p *Person) IsAgency() bool { return p.HasAny(RoleOperator, RoleApprover, RoleAdmin) }

// Language returns the person's language, Latvian by default.
func (p *Person) Language() Lang {
	if p == nil {
		return LV
	}
	return p.Lang.OrDefault()
}

// Validate checks a person record.
func (p *Person) Validate() error {
	e, err := NormalizeAddress(p.Email)
	if err != nil {
		return err
	}
	p.Email = e
	if p.Institution == "" {
		return Errorf(EINVALID, "person.institution_required", "Email", p.Email)
	}
	if len(p.Roles) == 0 {
		p.Roles = []Role{RoleEmployee}
	}
	return nil
}
