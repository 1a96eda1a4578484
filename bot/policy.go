package bot

import "slices"

// Policy holds the configurable rules: which request types need approval,
// which are reserved for the agency's approvers, which are executed by the
// bot and which by operators by hand.
//
// The default rules: a change requested by an employee needs the approval
// of their institution's IT contact or expert group member; requests by
// those roles (and by agency staff) are pre-approved; operators and
// approvers may approve anything; nobody approves their own request;
// consultations, incidents and look-ups need no approval.
type Policy struct {
	// NoApproval types never need approval.
	NoApproval []Type `yaml:"no_approval"`
	// AgencyApproval types always need an agency approver, whoever asked.
	AgencyApproval []Type `yaml:"agency_approval"`
	// Manual types are worked by operators by hand; the others are executed
	// by the bot through Exchange or the DVS.
	Manual []Type `yaml:"manual"`
}

// DefaultPolicy returns the rules the service starts with, as the
// request-type table declares them (each TypeSpec's Approval and Run).
func DefaultPolicy() *Policy {
	pol := &Policy{}
	for _, s := range TypeSpecs() {
		switch s.Approval {
		case ApprovalNone:
			pol.NoApproval = append(pol.NoApproval, s.Type)
		case ApprovalAgency:
			pol.AgencyApproval = append(pol.AgencyApproval, s.Type)
		}
		if !s.Executable() {
			pol.Manual = append(pol.Manual, s.Type)
		}
	}
	return pol
}

// NeedsApproval reports whether a request of type t asked by p must wait
// for approval.
func (pol *Policy) NeedsApproval(p *Person, t Type) bool {
	if slices.Contains(pol.AgencyApproval, t) {
		return true
	}
	if slices.Contains(pol.NoApproval, t) {
		return false
	}
	return !p.HasAny(RoleITContact, RoleExpertGroup, RoleOperator, RoleApprover, RoleAdmin)
}

// IsManual reports whether type t is worked by hand.
func (pol *Policy) IsManual(t Type) bool { return slices.Contains(pol.Manual, t) }

// CanApprove returns nil if p may approve r, or an EFORBIDDEN error saying
// why not.
func (pol *Policy) CanApprove(p *Person, r *Request) error {
	if p.Email == r.Requester {
		return Errorf(EFORBIDDEN, "policy.own_request")
	}
	if p.HasAny(RoleOperator, RoleApprover) {
		return nil
	}
	if slices.Contains(pol.AgencyApproval, r.Type) {
		return Errorf(EFORBIDDEN, "policy.agency_approval", "Type", string(r.Type))
	}
	if p.HasAny(RoleITContact, RoleExpertGroup) {
		if p.Institution != r.Institution {
			return Errorf(EFORBIDDEN, "policy.other_institution_approve")
		}
		return nil
	}
	return Errorf(EFORBIDDEN, "policy.cannot_approve")
}

// CanSee reports whether p may see r: the requester, their institution's
// IT roles and agency staff.
func (pol *Policy) CanSee(p *Person, r *Request) bool {
	if p.Email == r.Requester || p.IsAgency() {
		return true
	}
	return p.Institution == r.Institution && p.HasAny(RoleITContact, RoleExpertGroup)
}

// Scope checks that every account a request names (its type's address
// parameters) belongs to the requester's institution. Spam filter senders
// are outside addresses by nature and are not checked.
func Scope(inst *Institution, t Type, p Params) error {
	addrs := []string{p.User, p.Mailbox, p.Owner}
	if s := LookupType(t); s != nil {
		addrs = append(addrs, s.ScopedAddresses(p)...)
	}
	for _, a := range addrs {
		if a != "" && !inst.Owns(a) {
			return Errorf(EFORBIDDEN, "policy.out_of_scope", "Address", a, "Institution", inst.NameLV, "InstitutionEN", inst.Name(EN), "Domains", joinDomains(inst.Domains))
		}
	}
	return nil
}

func joinDomains(ds []string) string {
	out := ""
	for i, d := range ds {
		if i > 0 {
			out += ", "
		}
		out += "@" + d
	}
	return out
}
