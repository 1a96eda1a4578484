package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Type is what a request asks for.
type Type string

// The request types of the built-in families. Their specs (words,
// parameters, actions) are registered by package commands, one file a
// family; a new type needs no constant here.
const (
	TypeLicenceAssign      Type = "licence.assign"
	TypeLicenceRevoke      Type = "licence.revoke"
	TypeMailboxCreate      Type = "mailbox.create"
	TypeSharedCreate       Type = "shared.create"
	TypeSharedMemberAdd    Type = "shared.member.add"
	TypeSharedMemberRemove Type = "shared.member.remove"
	TypeSpamAllow          Type = "spam.allow"
	TypeSpamBlock          Type = "spam.block"
	TypeReportAccounts     Type = "report.accounts"
	TypeInfoRequest        Type = "info.request"
	TypeDVSRightsGrant     Type = "dvs.rights.grant"
	TypeDVSRightsRevoke    Type = "dvs.rights.revoke"
	TypeDVSIncident        Type = "dvs.incident"
	TypeDVSCopy            Type = "dvs.copy"
	TypeDVSCustomize       Type = "dvs.customize"
	TypeDVSBackupStatus    Type = "dvs.backup.status"
	TypeConsult            Type = "consult"
)

// Valid reports whether t is a registered type (see RegisterType).
func (t Type) Valid() bool { return LookupType(t) != nil }

// Spec returns the type's entry in the request-type table, or nil.
func (t Type) Spec() *TypeSpec { return LookupType(t) }

// Label renders the type for people, in language l.
func (t Type) Label(l Lang) string { return Tr(l, "type."+string(t), nil) }

// State is where a request is in its lifecycle.
type State string

// The lifecycle states.
//
//	new -> awaiting_approval -> approved -> in_progress -> done
//
// with rejected, failed and cancelled as ends (failed can be retried) and
// two waiting states that pause the SLA clock: awaiting_info and
// awaiting_procurement.
const (
	StateNew                 State = "new"
	StateAwaitingApproval    State = "awaiting_approval"
	StateApproved            State = "approved"
	StateInProgress          State = "in_progress"
	StateDone                State = "done"
	StateRejected            State = "rejected"
	StateFailed              State = "failed"
	StateCancelled           State = "cancelled"
	StateAwaitingInfo        State = "awaiting_info"
	StateAwaitingProcurement State = "awaiting_procurement"
)

// AllStates lists every state.
var AllStates = []State{StateNew, StateAwaitingApproval, StateApproved, StateInProgress, StateDone,
	StateRejected, StateFailed, StateCancelled, StateAwaitingInfo, StateAwaitingProcurement}

// transitions is the lifecycle graph.
var transitions = map[State][]State{
	StateNew:                 {StateAwaitingApproval, StateApproved, StateRejected, StateCancelled, StateAwaitingInfo},
	StateAwaitingApproval:    {StateApproved, StateRejected, StateCancelled, StateAwaitingInfo},
	StateApproved:            {StateInProgress, StateCancelled, StateAwaitingInfo, StateAwaitingProcurement},
	StateInProgress:          {StateDone, StateFailed, StateAwaitingInfo, StateAwaitingProcurement, StateCancelled},
	StateFailed:              {StateInProgress, StateCancelled},
	StateAwaitingInfo:        {StateNew, StateAwaitingApproval, StateApproved, StateInProgress, StateCancelled},
	StateAwaitingProcurement: {StateApproved, StateInProgress, StateCancelled},
}

// CanTransition reports whether the lifecycle allows from -> to.
func CanTransition(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Terminal reports whether s is an end state.
func (s State) Terminal() bool {
	return s == StateDone || s == StateRejected || s == StateCancelled
}

// Paused reports whether s stops the SLA clock.
func (s State) Paused() bool {
	return s == StateAwaitingInfo || s == StateAwaitingProcurement
}

// Open reports whether a request in s still needs work.
func (s State) Open() bool { return !s.Terminal() }

// Valid reports whether s is a known state.
func (s State) Valid() bool { _, ok := transitions[s]; return ok || s.Terminal() }

// ParseState reads a state in either language: its key
// ("awaiting_approval", "awaiting approval") or its Latvian or English name
// ("gaida apstiprinājumu"), case and diacritics folded.
func ParseState(s string) (State, bool) {
	norm := func(x string) string { return strings.Join(strings.Fields(Fold(strings.ReplaceAll(x, "_", " "))), " ") }
	want := norm(s)
	if want == "" {
		return "", false
	}
	for _, st := range AllStates {
		if norm(string(st)) == want || norm(st.Label(LV)) == want || norm(st.Label(EN)) == want {
			return st, true
		}
	}
	return "", false
}

// Label renders the state for people.
func (s State) Label(l Lang) string { return Tr(l, "state."+string(s), nil) }

// Params are a request's typed parameters. Each type uses some of them.
type Params struct {
	User        string `json:"user,omitempty"`         // the account acted on
	SKU         string `json:"sku,omitempty"`          // licence, friendly name or part number
	Kind        string `json:"kind,omitempty"`         // mailbox kind: personal | technical
	DisplayName string `json:"display_name,omitempty"` // for a new mailbox
	Mailbox     string `json:"mailbox,omitempty"`      // shared mailbox address
	Permission  string `json:"permission,omitempty"`   // full_access | send_as
	Sender      string `json:"sender,omitempty"`       // spam filter address or domain
	Role        string `json:"role,omitempty"`         // DVS role
	From        string `json:"from,omitempty"`         // ISO date
	To          string `json:"to,omitempty"`           // ISO date
	Owner       string `json:"owner,omitempty"`        // technical mailbox owner
	Text        string `json:"text,omitempty"`         // free text: question, incident, info request
	// Extra holds the parameters of types that need a name none of the
	// fields above has (a backup id), keyed by ParamSpec.Name.
	Extra map[string]string `json:"extra,omitempty"`
}

// Target returns the main thing the request acts on, for cards and lists.
func (p Params) Target() string {
	switch {
	case p.Mailbox != "" && p.User != "":
		return p.User + " → " + p.Mailbox
	case p.Mailbox != "":
		return p.Mailbox
	case p.User != "":
		return p.User
	case p.Sender != "":
		return p.Sender
	case p.From != "":
		return p.From + " – " + p.To
	}
	t := p.Text
	if len([]rune(t)) > 60 {
		t = string([]rune(t)[:57]) + "…"
	}
	return t
}

// Origin records where a request was asked, so every update goes back there.
type Origin struct {
	Platform  string `json:"platform"`             // console, slack, mattermost, mailbox
	Channel   string `json:"channel,omitempty"`    // channel / conversation id
	Thread    string `json:"thread,omitempty"`     // thread id (Slack ts, Mattermost root id, mail conversation)
	MessageID string `json:"message_id,omitempty"` // the asking message
	UserID    string `json:"user_id,omitempty"`    // the asker's id on the platform
	// Delivery is the platform's de-duplication key of the delivery that
	// asked (Message.Delivery): the store creates one request per
	// platform and delivery.
	Delivery string `json:"delivery,omitempty"`
}

// SLA holds a request's service-level fields. The due time is derived from
// the creation time and the audit history (pauses), never kept as a running
// counter.
type SLA struct {
	Policy string    `json:"policy,omitempty"` // e.g. "1d"
	DueAt  time.Time `json:"due_at,omitempty"` // zero while paused
	// NextCheck is when the SLA scheduler next has to look at the request
	// (a reminder, the breach, an escalation); zero for none. The store
	// keeps an index on it.
	NextCheck time.Time `json:"next_check,omitempty"`
	// Sent lists the reminder/alert keys already posted, so each is posted
	// exactly once, across restarts too.
	Sent     []string `json:"sent,omitempty"`
	Breached bool     `json:"breached,omitempty"`
}

// Outcome is what an action did, stored as phrases so it renders in each
// reader's language.
type Outcome struct {
	Summary Phrase   `json:"summary"`
	Details []Phrase `json:"details,omitempty"`
	// Files produced (reports). Stored with the request.
	Files []File `json:"files,omitempty"`
	// Secret is shown to the requester privately once and never stored,
	// logged or put in the audit trail (a temporary password).
	Secret string `json:"-"`
	// Pending is set when the action was accepted but is still being
	// prepared (e.g. a new mailbox); the executor checks again later.
	Pending bool `json:"pending,omitempty"`
}

// File is an attachment: a report, a chart.
type File struct {
	Name string `json:"name"`
	Mime string `json:"mime"`
	Data []byte `json:"data,omitempty"`
}

// Request is one tracked request.
type Request struct {
	ID          string    `json:"id"`
	Type        Type      `json:"type"`
	Params      Params    `json:"params"`
	Requester   string    `json:"requester"`   // Person.Email
	Institution string    `json:"institution"` // Institution.Code
	Origin      Origin    `json:"origin"`
	State       State     `json:"state"`
	Assignee    string    `json:"assignee,omitempty"`
	Priority    string    `json:"priority,omitempty"` // normal | high
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	ClosedAt    time.Time `json:"closed_at,omitempty"`
	ApprovedBy  string    `json:"approved_by,omitempty"`
	SLA         SLA       `json:"sla"`
	Outcome     *Outcome  `json:"outcome,omitempty"`
	LastError   *Phrase   `json:"last_error,omitempty"`
	// NeedsAttention is set when the bot found the request in_progress after
	// a crash: an operator must check what happened.
	NeedsAttention bool `json:"needs_attention,omitempty"`
	// Attempts counts executions.
	Attempts int `json:"attempts,omitempty"`
	// Meta holds small adapter data (card message ids and the like).
	Meta map[string]string `json:"meta,omitempty"`
}

// RequestYear returns the year part of a request id, or 0.
func RequestYear(id string) int {
	parts := strings.Split(id, "-")
	if len(parts) != 3 || parts[0] != "IT" {
		return 0
	}
	y, _ := strconv.Atoi(parts[1])
	return y
}

// FormatID formats a request id from a year and a sequence number.
// Numbers past 999 999 in a year are written with as many digits as they
// need (IT-2026-1000000): nothing is refused.
// It is fmt.Sprintf("IT-%04d-%06d", year, seq) without fmt (reports and
// exports format one an id).
func FormatID(year int, seq uint64) string {
	var b [32]byte
	return string(AppendID(b[:0], year, seq))
}

// AppendID appends the id FormatID formats to b.
func AppendID(b []byte, year int, seq uint64) []byte {
	if year < 0 || year > 9999 {
		return fmt.Appendf(b, "IT-%04d-%06d", year, seq)
	}
	b = append(b, "IT-"...)
	b = appendPadded(b, uint64(year), 4)
	b = append(b, '-')
	return appendPadded(b, seq, 6)
}

// appendPadded appends n in decimal, zero-padded to width digits.
func appendPadded(b []byte, n uint64, width int) []byte {
	var d [20]byte
	s := strconv.AppendUint(d[:0], n, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// maxIDDigits bounds the number part of an id.
const maxIDDigits = 12

// SplitID returns the year and number of a well-formed id.
func SplitID(id string) (year int, seq uint64, ok bool) {
	if len(id) < 9 || id[:3] != "IT-" || id[7] != '-' {
		return 0, 0, false
	}
	y, err1 := strconv.Atoi(id[3:7])
	n, err2 := strconv.ParseUint(id[8:], 10, 64)
	if err1 != nil || err2 != nil || n == 0 || len(id)-8 > maxIDDigits {
		return 0, 0, false
	}
	return y, n, true
}

// IDLess orders ids by year and number (IT-2026-999999 before
// IT-2026-1000000), malformed ones by their text.
func IDLess(a, b string) bool {
	ya, na, oka := SplitID(a)
	yb, nb, okb := SplitID(b)
	if !oka || !okb {
		return a < b
	}
	if ya != yb {
		return ya < yb
	}
	return na < nb
}

// ParseIDIn is ParseID that also takes a bare number ("123", "#123") as
// the request of that number in year: wherever an id is expected, people
// type just the number.
func ParseIDIn(s string, year int) (string, error) {
	t := strings.Trim(strings.TrimSpace(s), "[]#")
	if n, err := strconv.ParseUint(t, 10, 64); err == nil && n > 0 && len(t) <= maxIDDigits {
		return FormatID(year, n), nil
	}
	return ParseID(s)
}

// ParseID checks and normalises a request id ("it-2026-123" is accepted as
// IT-2026-000123).
func ParseID(s string) (string, error) {
	s = strings.ToUpper(strings.Trim(strings.TrimSpace(s), "[]#"))
	parts := strings.Split(s, "-")
	if len(parts) == 3 && parts[0] == "IT" && len(parts[1]) == 4 {
		y, err1 := strconv.Atoi(parts[1])
		n, err2 := strconv.ParseUint(parts[2], 10, 64)
		if err1 == nil && err2 == nil && n > 0 && len(parts[2]) <= maxIDDigits {
			return FormatID(y, n), nil
		}
	}
	return "", Errorf(EINVALID, "input.bad_id", "Value", s)
}

// EventKind classifies an audit event.
type EventKind string

// The audit event kinds.
const (
	EventCreated    EventKind = "created"
	EventTransition EventKind = "transition"
	EventComment    EventKind = "comment"
	EventAssigned   EventKind = "assigned"
	EventExecuted   EventKind = "executed"
	EventReminder   EventKind = "reminder"
	EventAttention  EventKind = "attention"
	EventUpdated    EventKind = "updated"
)

// Event is one audit trail entry. Events are appended in the same store
// transaction as the change they describe and never edited.
type Event struct {
	Seq       int       `json:"seq"`
	RequestID string    `json:"request_id"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`    // person e-mail, or "itbot"
	Platform  string    `json:"platform"` // where the actor acted from
	Kind      EventKind `json:"kind"`
	From      State     `json:"from,omitempty"`
	To        State     `json:"to,omitempty"`
	Note      string    `json:"note,omitempty"`   // free text typed by a person
	Phrase    Phrase    `json:"phrase,omitempty"` // what the bot says happened
}

// SystemActor is the actor name of the bot itself in the audit trail.
const SystemActor = "itbot"
