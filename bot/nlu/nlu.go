// Package nlu recognises what a person asks the IT service desk for in a free
// chat message, in Latvian or English: the intent ("licence.assign",
// "shared.member.add", "dvs.copy" …) and its slots (user, mailbox, sender,
// sku, dates, request id …).
//
// Recognition is rule based and deterministic: the message is normalised
// (lower case, Latvian diacritics folded, so "pastkastē" and "pastkaste"
// match), addresses, domains and request ids are lifted out first, and the
// remaining words are matched by stem against a bilingual lexicon of
// concepts. Every intent scores the concepts it needs; the best score above a
// floor wins, otherwise the intent is "unknown". Slots are then read with the
// grammar around them: "pastkastei X" or "to the shared mailbox X" marks the
// mailbox, "lietotājam X" the user. Relative dates ("par pagājušo mēnesi",
// "last year") are resolved against the reference time given to Parse.
//
// The package has no state and is safe for concurrent use.
package nlu

import (
	"encoding/json"
	"slices"
)

// The intents Parse can return.
const (
	IntentLicenceAssign      = "licence.assign"
	IntentLicenceRevoke      = "licence.revoke"
	IntentMailboxCreate      = "mailbox.create"
	IntentSharedCreate       = "shared.create"
	IntentSharedMemberAdd    = "shared.member.add"
	IntentSharedMemberRemove = "shared.member.remove"
	IntentSpamAllow          = "spam.allow"
	IntentSpamBlock          = "spam.block"
	IntentReportAccounts     = "report.accounts"
	IntentInfoRequest        = "info.request"
	IntentDVSRightsGrant     = "dvs.rights.grant"
	IntentDVSRightsRevoke    = "dvs.rights.revoke"
	IntentDVSIncident        = "dvs.incident"
	IntentMailIncident       = "mail.incident"
	IntentServiceStatus      = "service.status"
	IntentDVSCopy            = "dvs.copy"
	IntentDVSCustomize       = "dvs.customize"
	IntentDVSBackupStatus    = "dvs.backup.status"
	IntentConsult            = "consult"
	IntentRequestStatus      = "request.status"
	IntentRequestApprove     = "request.approve"
	IntentRequestReject      = "request.reject"
	IntentHelp               = "help"
	IntentUnknown            = "unknown"
)

// The slots Parse can fill. Values are normalised: addresses and domains in
// lower case, SKU as a short upper-case name (E3, EXO1, KIOSK …), kind as
// "personal" or "technical", permission as "full_access" or "send_as", role
// as the Latvian role name in the nominative ("lietvedis"), dates as
// YYYY-MM-DD, id as IT-YYYY-NNNNNN. display_name keeps the writer's spelling.
const (
	SlotUser        = "user"
	SlotMailbox     = "mailbox"
	SlotSender      = "sender"
	SlotSKU         = "sku"
	SlotKind        = "kind"
	SlotPermission  = "permission"
	SlotRole        = "role"
	SlotDisplayName = "display_name"
	SlotFrom        = "from"
	SlotTo          = "to"
	SlotID          = "id"
	SlotService     = "service" // "dvs" or "exchange"
)

// intentSpec says which slots an intent requires and which it may carry.
// Slots outside Optional∪Required are never reported for that intent.
type intentSpec struct {
	Required []string
	Optional []string
}

var specs = map[string]intentSpec{
	IntentLicenceAssign:      {Required: []string{SlotUser}, Optional: []string{SlotSKU}},
	IntentLicenceRevoke:      {Required: []string{SlotUser}, Optional: []string{SlotSKU}},
	IntentMailboxCreate:      {Required: []string{SlotUser}, Optional: []string{SlotKind, SlotDisplayName}},
	IntentSharedCreate:       {Required: []string{SlotMailbox}, Optional: []string{SlotDisplayName}},
	IntentSharedMemberAdd:    {Required: []string{SlotMailbox, SlotUser}, Optional: []string{SlotPermission}},
	IntentSharedMemberRemove: {Required: []string{SlotMailbox, SlotUser}, Optional: []string{SlotPermission}},
	IntentSpamAllow:          {Required: []string{SlotSender}},
	IntentSpamBlock:          {Required: []string{SlotSender}},
	IntentReportAccounts:     {Optional: []string{SlotFrom, SlotTo}},
	IntentInfoRequest:        {},
	IntentDVSRightsGrant:     {Required: []string{SlotUser, SlotRole}},
	IntentDVSRightsRevoke:    {Required: []string{SlotUser}, Optional: []string{SlotRole}},
	IntentDVSIncident:        {},
	IntentMailIncident:       {Optional: []string{SlotUser}},
	IntentServiceStatus:      {Optional: []string{SlotService, SlotFrom, SlotTo}},
	IntentDVSCopy:            {Required: []string{SlotFrom, SlotTo}},
	IntentDVSCustomize:       {},
	IntentDVSBackupStatus:    {},
	IntentConsult:            {},
	IntentRequestStatus:      {Required: []string{SlotID}},
	IntentRequestApprove:     {Required: []string{SlotID}},
	IntentRequestReject:      {Required: []string{SlotID}},
	IntentHelp:               {},
	IntentUnknown:            {},
}

// Intents returns every intent name Parse can return, in a fixed order.
func Intents() []string {
	return []string{
		IntentLicenceAssign, IntentLicenceRevoke, IntentMailboxCreate, IntentSharedCreate,
		IntentSharedMemberAdd, IntentSharedMemberRemove, IntentSpamAllow, IntentSpamBlock,
		IntentReportAccounts, IntentInfoRequest, IntentDVSRightsGrant, IntentDVSRightsRevoke,
		IntentDVSIncident, IntentMailIncident, IntentServiceStatus, IntentDVSCopy, IntentDVSCustomize, IntentDVSBackupStatus, IntentConsult,
		IntentRequestStatus, IntentRequestApprove, IntentRequestReject, IntentHelp, IntentUnknown,
	}
}

// IsIntent reports whether name is one of the intents Parse can return.
func IsIntent(name string) bool {
	_, ok := specs[name]
	return ok
}

// Required returns the slots an intent needs before it can be acted on, in
// the order a dialogue should ask for them; nil for an unknown name or an
// intent with no required slot. The caller may modify the returned slice.
func Required(intent string) []string {
	return slices.Clone(specs[intent].Required)
}

// Optional returns the slots an intent may carry but does not need.
func Optional(intent string) []string {
	return slices.Clone(specs[intent].Optional)
}

// Result is what Parse recognised in one message.
type Result struct {
	// Intent is one of the Intent* constants; IntentUnknown when nothing fits.
	Intent string
	// Slots holds the slot values found (only slots the intent uses).
	Slots map[string]string
	// Missing lists the required slots that were not found, in asking order;
	// never nil.
	Missing []string
	// Lang is "lv" or "en".
	Lang string
	// Confidence is a rough 0..1 measure of how clearly the intent was
	// signalled; a dialogue may confirm before acting when it is below 0.6.
	Confidence float64
}

// resultJSON fixes the field order and names of Result.JSON.
type resultJSON struct {
	Intent  string            `json:"intent"`
	Slots   map[string]string `json:"slots"`
	Missing []string          `json:"missing"`
	Lang    string            `json:"lang"`
}

// JSON renders r on exactly one line, without a trailing newline:
// {"intent":"…","slots":{…},"missing":[…],"lang":"lv|en"}. Slots are sorted
// by name; absent slots are left out; missing is [] when nothing is missing.
func (r Result) JSON() []byte {
	out := resultJSON{Intent: r.Intent, Slots: r.Slots, Missing: r.Missing, Lang: r.Lang}
	if out.Slots == nil {
		out.Slots = map[string]string{}
	}
	if out.Missing == nil {
		out.Missing = []string{}
	}
	b, err := json.Marshal(out)
	if err != nil { // cannot happen for strings and maps of strings
		return []byte(`{"intent":"unknown","slots":{},"missing":[],"lang":"en"}`)
	}
	return b
}
