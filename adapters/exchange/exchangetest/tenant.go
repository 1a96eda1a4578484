package exchangetest

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Service health states, as Microsoft's service health API words them.
const (
	HealthOperational = "serviceOperational"
	HealthDegraded    = "serviceDegradation"
	HealthInterrupted = "serviceInterruption"
)

// SKU is a subscribed licence with its unit pool, as subscribedSkus shows
// it.
type SKU struct {
	SkuID      string // Microsoft's skuId (a GUID)
	PartNumber string // skuPartNumber: ENTERPRISEPACK
	Enabled    int    // prepaidUnits.enabled: units bought or leased
	// Elsewhere counts units consumed by accounts the emulator does not
	// model (other institutions); consumedUnits adds the modelled users.
	Elsewhere int
	QuotaGB   int // the mailbox quota the licence gives
}

// Catalogue returns the licences the sandbox tenant subscribes to, with
// Microsoft's real part numbers and sku ids and no units.
func Catalogue() []SKU {
	return []SKU{
		{SkuID: "18181a46-0d4e-45cd-891e-60aabd171b4e", PartNumber: "STANDARDPACK", QuotaGB: 50},
		{SkuID: "6fd2c87f-b296-42f0-b197-1e91e994b900", PartNumber: "ENTERPRISEPACK", QuotaGB: 100},
		{SkuID: "c7df2760-2c81-4ef7-b578-5b5392b571df", PartNumber: "ENTERPRISEPREMIUM", QuotaGB: 100},
		{SkuID: "4b9405b0-7788-4568-add1-99614e613b69", PartNumber: "EXCHANGESTANDARD", QuotaGB: 50},
		{SkuID: "19ec0d23-8335-4cbd-94ac-6050e30712fa", PartNumber: "EXCHANGEENTERPRISE", QuotaGB: 100},
		{SkuID: "80b2d799-d2ba-4d2a-8842-fb0d0f3a4b82", PartNumber: "EXCHANGEDESKLESS", QuotaGB: 2},
		{SkuID: "66b55226-6b4f-492c-910c-a3b7a3c9d993", PartNumber: "SPE_F1", QuotaGB: 2},
	}
}

// Mailbox is a user's mailbox and the usage the reports show.
type Mailbox struct {
	SizeBytes    int64
	QuotaBytes   int64
	Items        int
	LastActivity time.Time
	Sent         int
	Received     int
	// PollsLeft is how many more readiness questions (Get-Mailbox, or
	// mailboxSettings where it is allowed) are answered "not there yet"
	// before the mailbox is ready: Exchange provisions a licensed user's
	// mailbox asynchronously.
	PollsLeft int
}

// Ready reports whether the mailbox answers REST calls.
func (m *Mailbox) Ready() bool { return m != nil && m.PollsLeft <= 0 }

// User is a directory user.
type User struct {
	ID             string
	UPN            string // lower case
	DisplayName    string
	MailNickname   string
	UsageLocation  string
	AccountEnabled bool
	Created        time.Time
	SkuIDs         []string // assigned licences
	// ByGroup maps a licence (sku id, lower case) the user holds through a
	// group's licence assignment to that group's id (group-based
	// licensing): licenseAssignmentStates shows it as assignedByGroup and
	// it cannot be removed from the user directly.
	ByGroup      map[string]string
	ManagerID    string
	ForceChange  bool   // must change the password at the next sign-in
	passwordHash string // sha256 of the temporary password; never the password
	lag, locLag  int    // replication lag left after creation / a usage location change
	Mailbox      *Mailbox
}

// SharedMailbox is a shared mailbox with its permissions.
type SharedMailbox struct {
	GUID string
	// Name is the recipient's Name, unique in the tenant ("The Name
	// parameter specifies the unique name of the mailbox", Set-Mailbox).
	Name        string
	Address     string
	Alias       string
	DisplayName string
	FullAccess  map[string]bool // user -> AutoMapping
	SendAs      map[string]bool
}

// FilterPolicy is a HostedContentFilterPolicy's sender lists.
type FilterPolicy struct {
	Name string
	// IsDefault marks the tenant's Default policy: it applies to every
	// recipient no other rule covers, and has no rule of its own.
	IsDefault bool
	// Settings are the policy's other settings (BulkThreshold, SpamAction
	// …) as the cmdlets show them.
	Settings             map[string]string
	AllowedSenders       []string
	AllowedSenderDomains []string
	BlockedSenders       []string
	BlockedSenderDomains []string
}

// FilterRule is a HostedContentFilterRule: which recipients a policy
// applies to.
type FilterRule struct {
	Name              string
	Policy            string
	RecipientDomainIs []string
	Priority          int
	Enabled           bool
}

// Tenant is the emulated Microsoft 365 tenant's state. All methods are
// safe for concurrent use.
type Tenant struct {
	// ID is the tenant id (a GUID) the admin API URL names.
	ID string
	// Now is the tenant's clock (time.Now when nil).
	Now func() time.Time
	// ReadyAfterPolls is how many readiness questions a new mailbox
	// answers "not there yet" before it is ready.
	ReadyAfterPolls int
	// OpenMailboxSettings lets the app read every user's mailboxSettings.
	// By default (false) GET /users/{id}/mailboxSettings answers 403, as
	// a production tenant does for itbot's app: reading it needs the
	// MailboxSettings.Read application permission over every mailbox, and
	// an application access policy (New-ApplicationAccessPolicy, the
	// documented way to scope an app's Exchange access, here to the IT
	// mailbox) refuses every other mailbox with ErrorAccessDenied "Access
	// to OData is disabled" (Graph: "Limiting application permissions to
	// specific Exchange Online mailboxes").
	OpenMailboxSettings bool
	// ReplicationLag is how many assignLicense calls right after a user is
	// created or its usage location set still see the old directory (404,
	// or no usage location), as Entra ID's replication does.
	ReplicationLag int

	mu       sync.Mutex
	domains  map[string]bool
	skus     []*SKU
	users    map[string]*User // by id
	shared   map[string]*SharedMailbox
	policies map[string]*FilterPolicy // by lower-case name
	rules    map[string]*FilterRule
	health   string
	conceal  bool
	refresh  time.Time
	mail     *mailState // the mailboxes' messages and folders (mail.go)
}

// NewTenant returns an empty tenant subscribed to the Catalogue licences
// with no units, with no domains, operational.
func NewTenant() *Tenant {
	t := &Tenant{
		ID:       "3f1c2a9e-7b4d-4c1e-9a55-0d2b8e6f4a10",
		domains:  map[string]bool{},
		users:    map[string]*User{},
		shared:   map[string]*SharedMailbox{},
		policies: map[string]*FilterPolicy{},
		rules:    map[string]*FilterRule{},
		health:   HealthOperational,
	}
	for _, s := range Catalogue() {
		t.skus = append(t.skus, &s)
	}
	// Every tenant has the Default anti-spam policy, with Microsoft's
	// defaults ("Configure anti-spam policies in EOP": the default
	// policy applies to all recipients no custom policy covers).
	t.policies["default"] = &FilterPolicy{Name: "Default", IsDefault: true, Settings: DefaultSpamSettings()}
	return t
}

func (t *Tenant) now() time.Time {
	if t.Now != nil {
		return t.Now().UTC()
	}
	return time.Now().UTC()
}

// AddDomain verifies domains in the tenant.
func (t *Tenant) AddDomain(ds ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, d := range ds {
		t.domains[strings.ToLower(d)] = true
	}
}

func domainOf(a string) string {
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		return strings.ToLower(a[i+1:])
	}
	return strings.ToLower(a)
}

// SetUnits sets a licence's bought units and the units held elsewhere
// (by part number or sku id).
func (t *Tenant) SetUnits(sku string, enabled, elsewhere int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.skuLocked(sku); s != nil {
		s.Enabled, s.Elsewhere = enabled, elsewhere
	}
}

// AddUnits adds bought units to a licence, as when a procurement
// completes.
func (t *Tenant) AddUnits(sku string, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.skuLocked(sku); s != nil {
		s.Enabled += n
	}
}

func (t *Tenant) skuLocked(key string) *SKU {
	for _, s := range t.skus {
		if strings.EqualFold(s.PartNumber, key) || strings.EqualFold(s.SkuID, key) {
			return s
		}
	}
	return nil
}

func (t *Tenant) consumedLocked(s *SKU) int {
	n := s.Elsewhere
	for _, u := range t.users {
		if slices.Contains(u.SkuIDs, s.SkuID) {
			n++
		}
	}
	return n
}

// Free returns a licence's free units (by part number or sku id).
func (t *Tenant) Free(sku string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.skuLocked(sku)
	if s == nil {
		return 0
	}
	return max(0, s.Enabled-t.consumedLocked(s))
}

// AddUser adds a user (an id is made when empty). A user with a licence
// gets a ready mailbox.
func (t *Tenant) AddUser(u User) *User {
	t.mu.Lock()
	defer t.mu.Unlock()
	if u.ID == "" {
		u.ID = uuid.NewString()
	}
	u.UPN = strings.ToLower(u.UPN)
	if u.MailNickname == "" {
		u.MailNickname = strings.SplitN(u.UPN, "@", 2)[0]
	}
	if u.Created.IsZero() {
		u.Created = t.now().AddDate(-1, 0, 0)
	}
	if len(u.SkuIDs) > 0 && u.Mailbox == nil {
		u.Mailbox = &Mailbox{QuotaBytes: t.quotaLocked(u.SkuIDs)}
	}
	if u.Mailbox != nil && u.Mailbox.QuotaBytes == 0 {
		u.Mailbox.QuotaBytes = t.quotaLocked(u.SkuIDs)
	}
	c := u
	t.users[u.ID] = &c
	return &c
}

func (t *Tenant) quotaLocked(skuIDs []string) int64 {
	q := 0
	for _, id := range skuIDs {
		if s := t.skuLocked(id); s != nil && s.QuotaGB > q {
			q = s.QuotaGB
		}
	}
	return int64(q) << 30
}

// User returns a copy of the user with that UPN or id.
func (t *Tenant) User(key string) (User, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	u := t.userLocked(key)
	if u == nil {
		return User{}, false
	}
	c := *u
	c.SkuIDs = slices.Clone(u.SkuIDs)
	if u.Mailbox != nil {
		m := *u.Mailbox
		c.Mailbox = &m
	}
	return c, true
}

// HasLicence reports whether the user holds the licence (part number or
// sku id).
func (t *Tenant) HasLicence(user, sku string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	u, s := t.userLocked(user), t.skuLocked(sku)
	return u != nil && s != nil && slices.Contains(u.SkuIDs, s.SkuID)
}

// CheckPassword reports whether pw is the user's temporary password. The
// tenant keeps only a hash.
func (t *Tenant) CheckPassword(user, pw string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	u := t.userLocked(user)
	return u != nil && u.passwordHash != "" && u.passwordHash == hashPassword(pw)
}

func hashPassword(pw string) string {
	h := sha256.Sum256([]byte(pw))
	return hex.EncodeToString(h[:])
}

func (t *Tenant) userLocked(key string) *User {
	key = strings.ToLower(key)
	if u, ok := t.users[key]; ok {
		return u
	}
	for _, u := range t.users {
		if u.UPN == key {
			return u
		}
	}
	return nil
}

// addressTakenLocked reports whether an address is used by a user or a
// shared mailbox.
func (t *Tenant) addressTakenLocked(a string) bool {
	a = strings.ToLower(a)
	if t.userLocked(a) != nil {
		return true
	}
	_, ok := t.shared[a]
	return ok
}

// nameTakenLocked reports whether a recipient Name is used: by a shared
// mailbox, or by a user's mailbox (whose Name the emulator takes to be its
// mail nickname, as Get-Mailbox shows it).
func (t *Tenant) nameTakenLocked(name string) bool {
	for _, s := range t.shared {
		if strings.EqualFold(s.Name, name) {
			return true
		}
	}
	for _, u := range t.users {
		if u.Mailbox != nil && strings.EqualFold(u.MailNickname, name) {
			return true
		}
	}
	return false
}

// AssignByGroup gives user a licence through a group (group-based
// licensing): the user holds sku, licenseAssignmentStates names group, and
// the licence cannot be removed from the user directly.
func (t *Tenant) AssignByGroup(user, sku, group string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	u := t.userLocked(user)
	k := t.skuLocked(sku)
	if u == nil || k == nil {
		return fmt.Errorf("exchangetest: no user %s or licence %s", user, sku)
	}
	if !slices.Contains(u.SkuIDs, k.SkuID) {
		u.SkuIDs = append(u.SkuIDs, k.SkuID)
	}
	if u.ByGroup == nil {
		u.ByGroup = map[string]string{}
	}
	u.ByGroup[k.SkuID] = group
	return nil
}

// AddShared adds a shared mailbox, named by its address's local part (as
// one made by hand, or by itbot before names were made tenant-unique).
func (t *Tenant) AddShared(address, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := strings.ToLower(address)
	local := strings.SplitN(a, "@", 2)[0]
	t.shared[a] = &SharedMailbox{GUID: uuid.NewString(), Name: local, Address: a, Alias: local, DisplayName: name,
		FullAccess: map[string]bool{}, SendAs: map[string]bool{}}
}

// Shared returns a copy of a shared mailbox.
func (t *Tenant) Shared(address string) (SharedMailbox, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.shared[strings.ToLower(address)]
	if !ok {
		return SharedMailbox{}, false
	}
	c := *s
	c.FullAccess, c.SendAs = map[string]bool{}, map[string]bool{}
	for k, v := range s.FullAccess {
		c.FullAccess[k] = v
	}
	for k, v := range s.SendAs {
		c.SendAs[k] = v
	}
	return c, true
}

// Policy returns a copy of an anti-spam policy.
func (t *Tenant) Policy(name string) (FilterPolicy, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.policies[strings.ToLower(name)]
	if !ok {
		return FilterPolicy{}, false
	}
	return clonePolicy(p), true
}

// SpamSettings are the anti-spam policy settings the emulator keeps (a
// subset of New-HostedContentFilterPolicy's parameters).
var SpamSettings = []string{"BulkThreshold", "SpamAction", "HighConfidenceSpamAction", "PhishSpamAction", "HighConfidencePhishAction", "BulkSpamAction", "QuarantineRetentionPeriod", "MarkAsSpamBulkMail"}

// DefaultSpamSettings are Microsoft's defaults for a new anti-spam
// policy (EOP anti-spam policy settings reference, "Default" column).
func DefaultSpamSettings() map[string]string {
	return map[string]string{"BulkThreshold": "7", "SpamAction": "MoveToJmf", "HighConfidenceSpamAction": "MoveToJmf", "PhishSpamAction": "MoveToJmf",
		"HighConfidencePhishAction": "Quarantine", "BulkSpamAction": "MoveToJmf", "QuarantineRetentionPeriod": "15", "MarkAsSpamBulkMail": "On"}
}

// TuneDefault changes the Default policy, as the tenant's administrators
// do: its settings and its lists (which then apply to every recipient
// no other policy covers).
func (t *Tenant) TuneDefault(settings map[string]string, blockedDomains ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.policies["default"]
	for k, v := range settings {
		p.Settings[k] = v
	}
	p.BlockedSenderDomains = append(p.BlockedSenderDomains, blockedDomains...)
}

func clonePolicy(p *FilterPolicy) FilterPolicy {
	return FilterPolicy{Name: p.Name, IsDefault: p.IsDefault, Settings: maps.Clone(p.Settings), AllowedSenders: slices.Clone(p.AllowedSenders), AllowedSenderDomains: slices.Clone(p.AllowedSenderDomains),
		BlockedSenders: slices.Clone(p.BlockedSenders), BlockedSenderDomains: slices.Clone(p.BlockedSenderDomains)}
}

// Effective returns the anti-spam lists that apply to mail for a
// recipient domain: the policy of the first enabled rule (by priority)
// that names the domain, or an empty default policy.
func (t *Tenant) Effective(recipientDomain string) FilterPolicy {
	t.mu.Lock()
	defer t.mu.Unlock()
	rs := make([]*FilterRule, 0, len(t.rules))
	for _, r := range t.rules {
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Priority < rs[j].Priority })
	for _, r := range rs {
		if r.Enabled && slices.Contains(r.RecipientDomainIs, strings.ToLower(recipientDomain)) {
			if p, ok := t.policies[strings.ToLower(r.Policy)]; ok {
				return clonePolicy(p)
			}
		}
	}
	if p, ok := t.policies["default"]; ok {
		return clonePolicy(p)
	}
	return FilterPolicy{Name: "Default"}
}

// SetHealth sets Exchange Online's service health status.
func (t *Tenant) SetHealth(status string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.health = status
}

// ConcealNames makes the usage reports show hashed user names, as the
// tenant setting "Display concealed user, group, and site names in all
// reports" does.
func (t *Tenant) ConcealNames(on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.conceal = on
}

// SetMailboxUsage sets a user's mailbox usage for the reports.
func (t *Tenant) SetMailboxUsage(user string, size int64, items, sent, received int, last time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	u := t.userLocked(user)
	if u == nil || u.Mailbox == nil {
		return fmt.Errorf("exchangetest: %s has no mailbox", user)
	}
	u.Mailbox.SizeBytes, u.Mailbox.Items, u.Mailbox.Sent, u.Mailbox.Received, u.Mailbox.LastActivity = size, items, sent, received, last
	return nil
}

// conceal hashes a name the way concealed reports show it.
func concealName(s string) string {
	h := md5.Sum([]byte(strings.ToLower(s)))
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// SetRuleDomains changes an anti-spam rule's recipient domains, as an
// administrator might by hand.
func (t *Tenant) SetRuleDomains(rule string, domains ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r, ok := t.rules[strings.ToLower(rule)]; ok {
		r.RecipientDomainIs = append([]string(nil), domains...)
	}
}

// AddRule adds an anti-spam policy and the rule that applies it, as an
// administrator (or a preset security policy) might outside itbot.
func (t *Tenant) AddRule(p FilterPolicy, r FilterRule) {
	t.mu.Lock()
	defer t.mu.Unlock()
	cp := clonePolicy(&p)
	t.policies[strings.ToLower(p.Name)] = &cp
	if r.Policy == "" {
		r.Policy = p.Name
	}
	r.RecipientDomainIs = slices.Clone(r.RecipientDomainIs)
	t.rules[strings.ToLower(r.Name)] = &r
}
