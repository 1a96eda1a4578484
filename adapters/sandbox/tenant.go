package sandbox

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"itbot/bot"
)

// Licence names: the friendly names the bot and people use. Each maps to a
// Microsoft part number (see Catalogue).
const (
	SKUE1    = "E1"
	SKUE3    = "E3"
	SKUE5    = "E5"
	SKUEXO1  = "EXO1"
	SKUEXO2  = "EXO2"
	SKUKiosk = "KIOSK"
	SKUF3    = "F3"
)

// UsageLocation is the usage location set on a user who has none when a
// licence is assigned (Microsoft 365 refuses a licence without one).
const UsageLocation = "LV"

// Service health states, as Microsoft's service health API words them.
const (
	HealthOperational = "serviceOperational"
	HealthDegraded    = "serviceDegradation"
	HealthInterrupted = "serviceInterruption"
)

const gb = int64(1) << 30

// SKU is a licence the tenant subscribes to, with its unit pool.
type SKU struct {
	Name        string // friendly name: E3
	PartNumber  string // Microsoft's skuPartNumber: ENTERPRISEPACK
	DisplayName string // product name: Office 365 E3
	ID          string // Microsoft's skuId (a GUID)
	QuotaGB     int    // the mailbox quota the licence gives
	Enabled     int    // units bought or leased
	Consumed    int    // units assigned, in the whole tenant
}

// Free returns the units left in the pool.
func (s SKU) Free() int {
	if s.Consumed >= s.Enabled {
		return 0
	}
	return s.Enabled - s.Consumed
}

// Catalogue returns the licences itbot knows, with no units: E1, E3, E5,
// EXO1, EXO2, KIOSK and F3, with Microsoft's part numbers and sku ids.
func Catalogue() []SKU {
	return []SKU{
		{Name: SKUE1, PartNumber: "STANDARDPACK", DisplayName: "Office 365 E1", ID: "18181a46-0d4e-45cd-891e-60aabd171b4e", QuotaGB: 50},
		{Name: SKUE3, PartNumber: "ENTERPRISEPACK", DisplayName: "Office 365 E3", ID: "6fd2c87f-b296-42f0-b197-1e91e994b900", QuotaGB: 100},
		{Name: SKUE5, PartNumber: "ENTERPRISEPREMIUM", DisplayName: "Office 365 E5", ID: "c7df2760-2c81-4ef7-b578-5b5392b571df", QuotaGB: 100},
		{Name: SKUEXO1, PartNumber: "EXCHANGESTANDARD", DisplayName: "Exchange Online (Plan 1)", ID: "4b9405b0-7788-4568-add1-99614e613b69", QuotaGB: 50},
		{Name: SKUEXO2, PartNumber: "EXCHANGEENTERPRISE", DisplayName: "Exchange Online (Plan 2)", ID: "19ec0d23-8335-4cbd-94ac-6050e30712fa", QuotaGB: 100},
		{Name: SKUKiosk, PartNumber: "EXCHANGEDESKLESS", DisplayName: "Exchange Online Kiosk", ID: "80b2d799-d2ba-4d2a-8842-fb0d0f3a4b82", QuotaGB: 2},
		{Name: SKUF3, PartNumber: "SPE_F1", DisplayName: "Microsoft 365 F3", ID: "66b55226-6b4f-492c-910c-a3b7a3c9d993", QuotaGB: 2},
	}
}

// Mailbox is a user's mailbox as the admin centre reports it.
type Mailbox struct {
	SizeBytes    int64
	QuotaBytes   int64
	Items        int
	LastActivity time.Time // zero: never used
	// Ready is false while a new mailbox is still being provisioned.
	Ready bool
}

// User is a directory user with a mailbox.
type User struct {
	UPN            string // lower case; also the primary address
	DisplayName    string
	UsageLocation  string // ISO country code; empty until set
	AccountEnabled bool
	SKUs           []string // friendly names, sorted
	Created        time.Time
	Kind           string // bot.MailboxPersonal or bot.MailboxTechnical
	Owner          string // technical mailboxes: the responsible person
	Mailbox        Mailbox
}

// SharedMailbox is a shared mailbox and who may use it.
type SharedMailbox struct {
	Address     string
	DisplayName string
	Created     time.Time
	Members     []bot.Member // sorted by user
}

type userRec struct {
	User
	polls   int       // MailboxReady calls left before it is ready
	readyAt time.Time // not ready before
}

type sharedRec struct {
	SharedMailbox
	perms map[string]map[string]bool // user -> permission -> held
}

type spamPolicy struct {
	allowed, blocked map[string]bool
}

// Tenant is an emulated Exchange Online / Microsoft 365 tenant: verified
// domains, users with mailboxes, licence pools, shared mailboxes,
// per-institution anti-spam lists and service health. All methods are safe
// for concurrent use. Failures are *bot.Error values with the codes the bot
// expects (see bot.Exchange).
//
// The exported fields configure the tenant; set them before it is shared.
type Tenant struct {
	// Now is the tenant's clock (time.Now when nil).
	Now func() time.Time
	// ReadyAfterPolls is how many MailboxReady calls a new mailbox takes to
	// become ready: 1 (also when 0) makes it ready on the first call.
	ReadyAfterPolls int
	// ReadyAfter is the least time a new mailbox takes to become ready.
	ReadyAfter time.Duration
	// DefaultSKU is assigned when no licence is named (E3 by default);
	// TechnicalSKU for technical mailboxes (EXO1 by default).
	DefaultSKU, TechnicalSKU string

	mu      sync.Mutex
	domains map[string]bool
	skus    []*SKU
	users   map[string]*userRec
	shared  map[string]*sharedRec
	spam    map[string]*spamPolicy
	status  string
	detail  string
	faults  faults
}

// NewTenant returns an empty tenant that subscribes to the Catalogue
// licences with no units, operational, with no domains.
func NewTenant() *Tenant {
	t := &Tenant{
		DefaultSKU:   SKUE3,
		TechnicalSKU: SKUEXO1,
		domains:      map[string]bool{},
		users:        map[string]*userRec{},
		shared:       map[string]*sharedRec{},
		spam:         map[string]*spamPolicy{},
		status:       HealthOperational,
	}
	for _, s := range Catalogue() {
		t.skus = append(t.skus, &s)
	}
	return t
}

func (t *Tenant) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// AddDomain verifies a domain in the tenant.
func (t *Tenant) AddDomain(domains ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, d := range domains {
		t.domains[bot.Domain(d)] = true
	}
}

// Domains lists the verified domains, sorted.
func (t *Tenant) Domains() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	ds := make([]string, 0, len(t.domains))
	for d := range t.domains {
		ds = append(ds, d)
	}
	slices.Sort(ds)
	return ds
}

// CheckAddress normalises an address and checks that its domain is verified
// in the tenant: EINVALID otherwise.
func (t *Tenant) CheckAddress(addr string) (string, error) {
	a, err := bot.NormalizeAddress(addr)
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return a, t.checkDomainLocked(a)
}

func (t *Tenant) checkDomainLocked(a string) error {
	if d := bot.Domain(a); !t.domains[d] {
		return bot.Errorf(bot.EINVALID, "sbx.domain_not_in_tenant", "Domain", d, "Address", a)
	}
	return nil
}

// AddSKU adds a licence or replaces the units of one the tenant has (by
// name). Consumed counts units held by accounts the tenant does not model
// (other institutions); assigning adds to it.
func (t *Tenant) AddSKU(s SKU) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, x := range t.skus {
		if strings.EqualFold(x.Name, s.Name) {
			x.Enabled, x.Consumed = s.Enabled, s.Consumed
			return
		}
	}
	t.skus = append(t.skus, &s)
}

// SetUnits sets the units bought or leased of a licence (by friendly name,
// part number or sku id), as when a procurement completes.
func (t *Tenant) SetUnits(sku string, enabled int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, err := t.resolveLocked(sku)
	if err != nil {
		return err
	}
	s.Enabled = max(enabled, 0)
	return nil
}

// AddUnits adds n units to a licence pool (n may be negative).
func (t *Tenant) AddUnits(sku string, n int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, err := t.resolveLocked(sku)
	if err != nil {
		return err
	}
	s.Enabled = max(s.Enabled+n, 0)
	return nil
}

// SKU returns a licence by friendly name, part number, product name or sku
// id (any case); empty means the default licence. Unknown: EINVALID.
func (t *Tenant) SKU(sku string) (SKU, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, err := t.resolveLocked(sku)
	if err != nil {
		return SKU{}, err
	}
	return *s, nil
}

// SKUs lists the tenant's licences with their pools.
func (t *Tenant) SKUs() []SKU {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]SKU, len(t.skus))
	for i, s := range t.skus {
		out[i] = *s
	}
	return out
}

func (t *Tenant) resolveLocked(name string) (*SKU, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = t.DefaultSKU
	}
	for _, s := range t.skus {
		if strings.EqualFold(name, s.Name) || strings.EqualFold(name, s.PartNumber) ||
			strings.EqualFold(name, s.DisplayName) || strings.EqualFold(name, s.ID) {
			return s, nil
		}
	}
	known := make([]string, len(t.skus))
	for i, s := range t.skus {
		known[i] = s.Name + " (" + s.PartNumber + ")"
	}
	return nil, bot.Errorf(bot.EINVALID, "sbx.unknown_sku", "SKU", name, "Known", strings.Join(known, ", "))
}

func (t *Tenant) quotaLocked(skus []string) int64 {
	var q int64
	for _, name := range skus {
		if s, err := t.resolveLocked(name); err == nil {
			q = max(q, int64(s.QuotaGB)*gb)
		}
	}
	return q
}

// AddUser adds an existing user (a seed): the domain must be verified, the
// address free and each licence must have a free unit, which it consumes.
// The mailbox is ready; a zero Created is now, a zero quota follows the
// licences, Kind defaults to personal.
func (t *Tenant) AddUser(u User) error {
	upn, err := bot.NormalizeAddress(u.UPN)
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.checkDomainLocked(upn); err != nil {
		return err
	}
	if err := t.checkFreeLocked(upn); err != nil {
		return err
	}
	var skus []*SKU
	for _, name := range u.SKUs {
		s, err := t.resolveLocked(name)
		if err != nil {
			return err
		}
		if s.Free() == 0 {
			return noLicence(s)
		}
		skus = append(skus, s)
	}
	u.UPN = upn
	u.SKUs = nil
	for _, s := range skus {
		if !slices.Contains(u.SKUs, s.Name) {
			s.Consumed++
			u.SKUs = append(u.SKUs, s.Name)
		}
	}
	slices.Sort(u.SKUs)
	if u.DisplayName == "" {
		u.DisplayName = displayName(upn)
	}
	if u.Created.IsZero() {
		u.Created = t.now()
	}
	if u.Kind == "" {
		u.Kind = bot.MailboxPersonal
	}
	if u.Mailbox.QuotaBytes == 0 {
		u.Mailbox.QuotaBytes = t.quotaLocked(u.SKUs)
	}
	u.Mailbox.Ready = true
	t.users[upn] = &userRec{User: u}
	return nil
}

// SetAccountEnabled enables or disables a user's sign-in.
func (t *Tenant) SetAccountEnabled(upn string, enabled bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	u, err := t.userLocked(upn)
	if err != nil {
		return err
	}
	u.AccountEnabled = enabled
	return nil
}

// User returns a copy of a user; ENOTFOUND when there is none.
func (t *Tenant) User(upn string) (User, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	u, err := t.userLocked(upn)
	if err != nil {
		return User{}, err
	}
	return u.copy(), nil
}

// Users returns copies of the users whose domain is one of domains (all
// users when none is given), sorted by UPN.
func (t *Tenant) Users(domains ...string) []User {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []User
	for _, u := range t.users {
		if len(domains) == 0 || slices.Contains(domains, bot.Domain(u.UPN)) {
			out = append(out, u.copy())
		}
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.UPN, b.UPN) })
	return out
}

func (u *userRec) copy() User {
	c := u.User
	c.SKUs = slices.Clone(u.SKUs)
	return c
}

func (t *Tenant) userLocked(upn string) (*userRec, error) {
	key := strings.ToLower(strings.TrimSpace(upn))
	u := t.users[key]
	if u == nil {
		return nil, bot.Errorf(bot.ENOTFOUND, "sbx.user_not_found", "User", key)
	}
	return u, nil
}

// checkFreeLocked fails with ECONFLICT when addr is a user's or a shared
// mailbox's address.
func (t *Tenant) checkFreeLocked(addr string) error {
	if u := t.users[addr]; u != nil {
		return bot.Errorf(bot.ECONFLICT, "sbx.address_taken_user", "Address", addr, "Name", u.DisplayName)
	}
	if s := t.shared[addr]; s != nil {
		return bot.Errorf(bot.ECONFLICT, "sbx.address_taken_shared", "Address", addr, "Name", s.DisplayName)
	}
	return nil
}

func noLicence(s *SKU) error {
	return bot.Errorf(bot.ENOLICENCE, "sbx.no_free_licence", "SKU", s.Name, "Name", s.DisplayName,
		"Consumed", s.Consumed, "Enabled", s.Enabled)
}

// LicenceChange is what a licence operation did.
type LicenceChange struct {
	User string
	SKU  SKU // the licence, its pool after the change
	// Changed is false when the user already had the licence (assign) or
	// did not have it (revoke).
	Changed bool
	// UsageLocationSet is true when the user had no usage location and got
	// UsageLocation.
	UsageLocationSet bool
}

// AssignLicence assigns a licence (empty: the default) to a user. It is
// idempotent; a pool with no free unit fails with ENOLICENCE. A user with
// no usage location gets UsageLocation first, as Microsoft 365 requires.
func (t *Tenant) AssignLicence(upn, sku string) (LicenceChange, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	u, err := t.userLocked(upn)
	if err != nil {
		return LicenceChange{}, err
	}
	s, err := t.resolveLocked(sku)
	if err != nil {
		return LicenceChange{}, err
	}
	ch := LicenceChange{User: u.UPN}
	if slices.Contains(u.SKUs, s.Name) {
		ch.SKU = *s
		return ch, nil
	}
	if s.Free() == 0 {
		return LicenceChange{}, noLicence(s)
	}
	if u.UsageLocation == "" {
		u.UsageLocation = UsageLocation
		ch.UsageLocationSet = true
	}
	s.Consumed++
	u.SKUs = append(u.SKUs, s.Name)
	slices.Sort(u.SKUs)
	u.Mailbox.QuotaBytes = max(u.Mailbox.QuotaBytes, t.quotaLocked(u.SKUs))
	ch.Changed = true
	ch.SKU = *s
	return ch, nil
}

// RevokeLicence removes a licence from a user; not having it is success
// with Changed false. An empty sku means the user's only licence: with
// several, it fails with EINVALID naming them; with none, nothing changes
// (the returned SKU is then zero).
func (t *Tenant) RevokeLicence(upn, sku string) (LicenceChange, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	u, err := t.userLocked(upn)
	if err != nil {
		return LicenceChange{}, err
	}
	ch := LicenceChange{User: u.UPN}
	if strings.TrimSpace(sku) == "" {
		switch len(u.SKUs) {
		case 0:
			return ch, nil
		case 1:
			sku = u.SKUs[0]
		default:
			return LicenceChange{}, bot.Errorf(bot.EINVALID, "sbx.which_licence", "User", u.UPN, "SKUs", strings.Join(u.SKUs, ", "))
		}
	}
	s, err := t.resolveLocked(sku)
	if err != nil {
		return LicenceChange{}, err
	}
	if i := slices.Index(u.SKUs, s.Name); i >= 0 {
		u.SKUs = slices.Delete(u.SKUs, i, i+1)
		s.Consumed = max(s.Consumed-1, 0)
		ch.Changed = true
		if q := t.quotaLocked(u.SKUs); q > 0 {
			u.Mailbox.QuotaBytes = q
		}
	}
	ch.SKU = *s
	return ch, nil
}

// NewMailbox is what CreateMailbox made.
type NewMailbox struct {
	User     User
	SKU      SKU    // the licence assigned, its pool after
	Password string // the temporary password; shown once, never stored
}

// CreateMailbox creates a user with a mailbox and a licence (spec.SKU, else
// TechnicalSKU for a technical mailbox, else DefaultSKU) and a temporary
// password. All or nothing: a taken address fails with ECONFLICT, an empty
// pool with ENOLICENCE, and neither leaves a trace. The mailbox is not ready
// until ReadyAfterPolls MailboxReady calls and ReadyAfter have passed.
func (t *Tenant) CreateMailbox(spec bot.MailboxSpec) (NewMailbox, error) {
	addr, err := bot.NormalizeAddress(spec.Address)
	if err != nil {
		return NewMailbox{}, err
	}
	kind := spec.Kind
	if kind == "" {
		kind = bot.MailboxPersonal
	}
	if kind != bot.MailboxPersonal && kind != bot.MailboxTechnical {
		return NewMailbox{}, bot.Errorf(bot.EINVALID, "sbx.bad_kind", "Value", spec.Kind)
	}
	owner := ""
	if spec.Owner != "" {
		if owner, err = bot.NormalizeAddress(spec.Owner); err != nil {
			return NewMailbox{}, err
		}
	}
	pw, err := TempPassword()
	if err != nil {
		return NewMailbox{}, bot.Wrap(err, bot.EINTERNAL, "error.internal")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.checkDomainLocked(addr); err != nil {
		return NewMailbox{}, err
	}
	if err := t.checkFreeLocked(addr); err != nil {
		return NewMailbox{}, err
	}
	if owner != "" && t.users[owner] == nil {
		return NewMailbox{}, bot.Errorf(bot.ENOTFOUND, "sbx.owner_not_found", "Owner", owner)
	}
	skuName := spec.SKU
	if skuName == "" && kind == bot.MailboxTechnical {
		skuName = t.TechnicalSKU
	}
	s, err := t.resolveLocked(skuName)
	if err != nil {
		return NewMailbox{}, err
	}
	if s.Free() == 0 {
		return NewMailbox{}, noLicence(s)
	}
	now := t.now()
	name := strings.TrimSpace(spec.DisplayName)
	if name == "" {
		name = displayName(addr)
	}
	s.Consumed++
	polls := t.ReadyAfterPolls
	if polls <= 0 {
		polls = 1
	}
	u := &userRec{
		User: User{
			UPN: addr, DisplayName: name, UsageLocation: UsageLocation, AccountEnabled: true,
			SKUs: []string{s.Name}, Created: now, Kind: kind, Owner: owner,
			Mailbox: Mailbox{QuotaBytes: int64(s.QuotaGB) * gb, SizeBytes: 4 << 10},
		},
		polls:   polls,
		readyAt: now.Add(t.ReadyAfter),
	}
	t.users[addr] = u
	return NewMailbox{User: u.copy(), SKU: *s, Password: pw}, nil
}

// PollMailbox reports whether a user's mailbox is ready; each call of a
// new mailbox counts towards ReadyAfterPolls. Unknown: ENOTFOUND.
func (t *Tenant) PollMailbox(addr string) (bool, error) {
	key := strings.ToLower(strings.TrimSpace(addr))
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.shared[key]; s != nil {
		return true, nil
	}
	u := t.users[key]
	if u == nil {
		return false, bot.Errorf(bot.ENOTFOUND, "sbx.mailbox_not_found", "Address", key)
	}
	if u.Mailbox.Ready {
		return true, nil
	}
	if u.polls > 0 {
		u.polls--
	}
	if u.polls == 0 && !t.now().Before(u.readyAt) {
		u.Mailbox.Ready = true
	}
	return u.Mailbox.Ready, nil
}

// CreateSharedMailbox creates a shared mailbox (no licence needed). It
// reports false when one with that address already exists; an address held
// by a user fails with ECONFLICT.
func (t *Tenant) CreateSharedMailbox(address, name string) (bool, error) {
	addr, err := bot.NormalizeAddress(address)
	if err != nil {
		return false, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.checkDomainLocked(addr); err != nil {
		return false, err
	}
	if t.shared[addr] != nil {
		return false, nil
	}
	if err := t.checkFreeLocked(addr); err != nil {
		return false, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = displayName(addr)
	}
	t.shared[addr] = &sharedRec{
		SharedMailbox: SharedMailbox{Address: addr, DisplayName: name, Created: t.now()},
		perms:         map[string]map[string]bool{},
	}
	return true, nil
}

// Shared returns a shared mailbox; ENOTFOUND when there is none.
func (t *Tenant) Shared(address string) (SharedMailbox, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, err := t.sharedLocked(address)
	if err != nil {
		return SharedMailbox{}, err
	}
	c := s.SharedMailbox
	c.Members = s.membersLocked()
	return c, nil
}

func (t *Tenant) sharedLocked(address string) (*sharedRec, error) {
	key := strings.ToLower(strings.TrimSpace(address))
	s := t.shared[key]
	if s == nil {
		return nil, bot.Errorf(bot.ENOTFOUND, "sbx.shared_not_found", "Mailbox", key)
	}
	return s, nil
}

func (s *sharedRec) membersLocked() []bot.Member {
	var out []bot.Member
	for user, ps := range s.perms {
		m := bot.Member{User: user}
		for _, p := range []string{bot.PermFullAccess, bot.PermSendAs} {
			if ps[p] {
				m.Permission = append(m.Permission, p)
			}
		}
		if len(m.Permission) > 0 {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b bot.Member) int { return strings.Compare(a.User, b.User) })
	return out
}

// SharedMembers lists a shared mailbox's members and their permissions.
func (t *Tenant) SharedMembers(mailbox string) ([]bot.Member, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, err := t.sharedLocked(mailbox)
	if err != nil {
		return nil, err
	}
	return s.membersLocked(), nil
}

// SetSharedMember grants (on) or removes a permission (full_access or
// send_as) of a user on a shared mailbox and reports whether anything
// changed. Removing with an empty permission removes every permission.
// An unknown mailbox or user fails with ENOTFOUND.
func (t *Tenant) SetSharedMember(mailbox, user, permission string, on bool) (bool, error) {
	if permission != "" && permission != bot.PermFullAccess && permission != bot.PermSendAs {
		return false, bot.Errorf(bot.EINVALID, "sbx.bad_permission", "Value", permission)
	}
	if on && permission == "" {
		permission = bot.PermFullAccess
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	s, err := t.sharedLocked(mailbox)
	if err != nil {
		return false, err
	}
	u, err := t.userLocked(user)
	if err != nil {
		return false, err
	}
	ps := s.perms[u.UPN]
	switch {
	case on:
		if ps[permission] {
			return false, nil
		}
		if ps == nil {
			ps = map[string]bool{}
			s.perms[u.UPN] = ps
		}
		ps[permission] = true
		return true, nil
	case permission == "":
		changed := len(ps) > 0
		delete(s.perms, u.UPN)
		return changed, nil
	default:
		if !ps[permission] {
			return false, nil
		}
		delete(ps, permission)
		if len(ps) == 0 {
			delete(s.perms, u.UPN)
		}
		return true, nil
	}
}

// NormalizeSender checks and lower-cases a spam filter entry: an e-mail
// address or a domain. Anything else fails with EINVALID.
func NormalizeSender(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if strings.Contains(v, "@") {
		a, err := bot.NormalizeAddress(v)
		if err != nil {
			return "", bot.Errorf(bot.EINVALID, "sbx.bad_sender", "Value", s)
		}
		return a, nil
	}
	v = strings.TrimPrefix(v, "*.")
	if !bot.ValidDomain(v) {
		return "", bot.Errorf(bot.EINVALID, "sbx.bad_sender", "Value", s)
	}
	return v, nil
}

// SpamChange is what a spam list operation did.
type SpamChange struct {
	Sender string
	// Changed is false when the sender was already on the list.
	Changed bool
	// Moved is true when the sender was on the other list and was taken
	// off it.
	Moved bool
}

// SetSpam puts a sender (address or domain) on a policy's allowed (allow)
// or blocked list, taking it off the other. A policy is one institution's
// (named by its code); policies never share entries.
func (t *Tenant) SetSpam(policy, sender string, allow bool) (SpamChange, error) {
	v, err := NormalizeSender(sender)
	if err != nil {
		return SpamChange{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.spamLocked(policy)
	on, other := p.blocked, p.allowed
	if allow {
		on, other = p.allowed, p.blocked
	}
	ch := SpamChange{Sender: v}
	if other[v] {
		delete(other, v)
		ch.Moved = true
	}
	if !on[v] {
		on[v] = true
		ch.Changed = true
	}
	return ch, nil
}

// RemoveSpam takes a sender off both lists of a policy and reports whether
// it was on one.
func (t *Tenant) RemoveSpam(policy, sender string) (bool, error) {
	v, err := NormalizeSender(sender)
	if err != nil {
		return false, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.spamLocked(policy)
	was := p.allowed[v] || p.blocked[v]
	delete(p.allowed, v)
	delete(p.blocked, v)
	return was, nil
}

func (t *Tenant) spamLocked(policy string) *spamPolicy {
	key := strings.ToUpper(strings.TrimSpace(policy))
	p := t.spam[key]
	if p == nil {
		p = &spamPolicy{allowed: map[string]bool{}, blocked: map[string]bool{}}
		t.spam[key] = p
	}
	return p
}

// SpamLists returns a policy's lists, sorted; never nil slices.
func (t *Tenant) SpamLists(policy string) bot.SpamList {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.spam[strings.ToUpper(strings.TrimSpace(policy))]
	out := bot.SpamList{Allowed: []string{}, Blocked: []string{}}
	if p == nil {
		return out
	}
	for v := range p.allowed {
		out.Allowed = append(out.Allowed, v)
	}
	for v := range p.blocked {
		out.Blocked = append(out.Blocked, v)
	}
	slices.Sort(out.Allowed)
	slices.Sort(out.Blocked)
	return out
}

// FreeUnits returns the free units of a licence (empty: the default).
func (t *Tenant) FreeUnits(sku string) (int, error) {
	s, err := t.SKU(sku)
	if err != nil {
		return 0, err
	}
	return s.Free(), nil
}

// SetHealth sets the service state: HealthOperational, HealthDegraded
// (slow but working) or HealthInterrupted (every call fails with
// EUNAVAILABLE), with a note as the health dashboard would show it.
func (t *Tenant) SetHealth(status, detail string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.status, t.detail = status, detail
}

// Health returns the service state now.
func (t *Tenant) Health() bot.Health {
	t.mu.Lock()
	defer t.mu.Unlock()
	return bot.Health{Service: "Exchange Online", Up: t.status != HealthInterrupted, Status: t.status, Detail: t.detail, At: t.now()}
}

// FailNext makes the next call of op fail with err. op is a bot.Exchange
// method name ("AssignLicence") or "*" for whichever call comes next.
// Failures queue up: two FailNext calls fail the next two calls.
func (t *Tenant) FailNext(op string, err error) { t.faults.add(op, err) }

// Fault returns the error a call of op must fail with now: a queued
// FailNext error (taken off the queue), or EUNAVAILABLE during an
// interruption; nil otherwise. Every operation of Exchange calls it first,
// and so should emulators that share the tenant.
func (t *Tenant) Fault(op string) error {
	if err := t.faults.take(op); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.status == HealthInterrupted {
		return bot.Wrap(fmt.Errorf("exchange online: %s", t.status), bot.EUNAVAILABLE, "sbx.exchange_down", "Detail", t.detail)
	}
	return nil
}

// displayName guesses a display name from an address: anna.berzina@… is
// "Anna Berzina".
func displayName(addr string) string {
	local, _, _ := strings.Cut(addr, "@")
	parts := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	for i, p := range parts {
		r := []rune(p)
		parts[i] = strings.ToUpper(string(r[:1])) + string(r[1:])
	}
	if len(parts) == 0 {
		return addr
	}
	return strings.Join(parts, " ")
}
