package bot

import (
	"context"
	"time"
)

// Health is an outside service's state now.
type Health struct {
	Service string    `json:"service"`
	Up      bool      `json:"up"`
	Status  string    `json:"status"` // the service's own word (serviceOperational, degraded …)
	Detail  string    `json:"detail,omitempty"`
	At      time.Time `json:"at"`
	// Unknown: the service answered with a state the adapter cannot read
	// as up or down (a status value it does not know); the probe counts
	// neither way.
	Unknown bool `json:"unknown,omitempty"`
}

// MailboxSpec describes a mailbox to create.
type MailboxSpec struct {
	Address     string
	DisplayName string
	Kind        string // personal | technical
	Owner       string // technical mailboxes: the responsible person
	SKU         string // licence to assign; empty: the implementation's configured default
	// RequestID is the request asking for it: an idempotency key, so a
	// retry after a crash recognises the mailbox it created itself.
	RequestID string
}

// Member is a shared mailbox member.
type Member struct {
	User       string   `json:"user"`
	Permission []string `json:"permission"` // full_access, send_as
}

// SpamList is an institution's allow/block lists.
type SpamList struct {
	Allowed []string `json:"allowed"`
	Blocked []string `json:"blocked"`
}

// Empty optional arguments mean: RevokeLicence with no SKU removes the
// user's only licence (several: EINVALID naming them); RemoveSharedMember
// with no permission removes all of the user's permissions; DVS RevokeRole
// with no role removes every role.
//
// Exchange is Exchange Online as the bot needs it. Every action is
// idempotent: running it twice leaves the same state and says so in the
// outcome. Errors are *Error values: ENOTFOUND (unknown user), ECONFLICT
// (address taken), ENOLICENCE (no free unit: the request waits for
// procurement), EUNAVAILABLE (throttled or down: retry later), EINVALID
// (domain not in the tenant), EPENDING (mailbox being prepared). The
// institution is passed so an implementation can scope to its domains.
type Exchange interface {
	AssignLicence(ctx context.Context, inst *Institution, user, sku string) (*Outcome, error)
	RevokeLicence(ctx context.Context, inst *Institution, user, sku string) (*Outcome, error)
	CreateMailbox(ctx context.Context, inst *Institution, spec MailboxSpec) (*Outcome, error)
	// MailboxReady reports whether a newly created mailbox answers yet.
	MailboxReady(ctx context.Context, inst *Institution, address string) (bool, error)
	CreateSharedMailbox(ctx context.Context, inst *Institution, address, displayName string) (*Outcome, error)
	AddSharedMember(ctx context.Context, inst *Institution, mailbox, user, permission string) (*Outcome, error)
	RemoveSharedMember(ctx context.Context, inst *Institution, mailbox, user, permission string) (*Outcome, error)
	SharedMembers(ctx context.Context, inst *Institution, mailbox string) ([]Member, error)
	AllowSender(ctx context.Context, inst *Institution, sender string) (*Outcome, error)
	BlockSender(ctx context.Context, inst *Institution, sender string) (*Outcome, error)
	SpamLists(ctx context.Context, inst *Institution) (*SpamList, error)
	// AccountReport builds the institution's account report (a CSV file and
	// a summary).
	AccountReport(ctx context.Context, inst *Institution) (*Outcome, error)
	// AccountExists reports whether the tenant has an account with this
	// address (user principal name), for the checks made when a request is
	// asked.
	AccountExists(ctx context.Context, inst *Institution, address string) (bool, error)
	// FreeLicences returns the free units of a SKU, for the procurement check.
	FreeLicences(ctx context.Context, sku string) (int, error)
	Health(ctx context.Context) (Health, error)
}

// DVSUser is a DVS account with its roles.
type DVSUser struct {
	User  string   `json:"user"`
	Roles []string `json:"roles"`
}

// Backup is one DVS backup.
type Backup struct {
	ID         string    `json:"id"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitempty"`
	Status     string    `json:"status"` // running, succeeded, failed
	Verified   string    `json:"verified,omitempty"`
	SizeBytes  int64     `json:"size_bytes"`
	SHA256     string    `json:"sha256,omitempty"`
}

// Progress reports a long action's progress: done of total units.
type Progress func(done, total int)

// DVS is the document management system as the bot needs it. Errors follow
// the same codes as Exchange.
type DVS interface {
	GrantRole(ctx context.Context, inst *Institution, user, role string) (*Outcome, error)
	RevokeRole(ctx context.Context, inst *Institution, user, role string) (*Outcome, error)
	Users(ctx context.Context, inst *Institution) ([]DVSUser, error)
	// Roles lists the role ids the DVS knows, in its order.
	Roles(ctx context.Context) ([]string, error)
	Backups(ctx context.Context, inst *Institution) ([]Backup, error)
	// Export copies the institution's documents for [from, to], reporting
	// progress, and returns where the result is with its checksum.
	Export(ctx context.Context, inst *Institution, from, to time.Time, progress Progress) (*Outcome, error)
	// Restore puts the institution's documents back as they were in backup
	// (an id from Backups), reporting progress. Only a backup that holds
	// the institution's data, succeeded and did not fail its verification
	// can be restored: ENOTFOUND for an unknown backup, ECONFLICT for one
	// that cannot be used.
	Restore(ctx context.Context, inst *Institution, backup string, progress Progress) (*Outcome, error)
	Health(ctx context.Context) (Health, error)
}
