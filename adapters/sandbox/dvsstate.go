package sandbox

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"itbot/bot"
)

// The DVS roles.
const (
	RoleClerk     = "lietvedis"      // records clerk: registers and routes documents
	RoleManager   = "vaditajs"       // head: resolutions, approvals
	RoleReader    = "lasitajs"       // read only
	RoleAdmin     = "administrators" // the institution's DVS administrator
	RoleArchivist = "arhivars"       // archive: retention, transfer to the state archive
)

// DVSRoles lists the DVS roles in the order the DVS shows them.
func DVSRoles() []string {
	return []string{RoleClerk, RoleManager, RoleReader, RoleAdmin, RoleArchivist}
}

// roleAliases maps what people write (folded: no diacritics, lower case;
// feminine forms and English words included) to the role.
var roleAliases = map[string]string{
	"lietvedis": RoleClerk, "lietvede": RoleClerk, "lietvediba": RoleClerk, "clerk": RoleClerk, "records_clerk": RoleClerk,
	"vaditajs": RoleManager, "vaditaja": RoleManager, "manager": RoleManager, "head": RoleManager,
	"lasitajs": RoleReader, "lasitaja": RoleReader, "reader": RoleReader, "viewer": RoleReader,
	"administrators": RoleAdmin, "administratore": RoleAdmin, "admin": RoleAdmin, "administrator": RoleAdmin,
	"arhivars": RoleArchivist, "arhivare": RoleArchivist, "archivist": RoleArchivist,
}

// ParseDVSRole reads a role name in Latvian (with or without diacritics,
// either gender) or English.
func ParseDVSRole(s string) (string, bool) {
	r, ok := roleAliases[strings.ReplaceAll(bot.Fold(s), " ", "_")]
	return r, ok
}

func unknownRole(role string) error {
	return bot.Errorf(bot.EINVALID, "sbx.dvs_unknown_role", "Role", role, "Known", strings.Join(DVSRoles(), ", "))
}

// DVSOrg is an institution's organisation in the DVS.
type DVSOrg struct {
	ID   string // the DVS organisation id
	Name string
	// Domains, when set, are the only domains the organisation's users may
	// come from.
	Domains []string
	// Since is when the institution started to use the DVS: no documents
	// before it.
	Since time.Time
	// DocsPerDay is the documents registered on a typical working day.
	DocsPerDay int
	// DataBytes is the size of the organisation's data on Since; backups
	// grow from it.
	DataBytes int64
}

// DVSUserRecord is a DVS account.
type DVSUserRecord struct {
	User        string
	DisplayName string
	Roles       []string // in DVSRoles order
	Created     time.Time
	// Provisioned is true when the account was made from the directory on
	// the first grant.
	Provisioned bool
}

// Export is a finished document export.
type Export struct {
	ID        string
	Org       string
	From, To  time.Time
	Documents int
	SizeBytes int64
	SHA256    string
	Location  string // dvs://exports/<id>.zip
	Created   time.Time
}

type dvsOrgRec struct {
	DVSOrg
	users map[string]*DVSUserRecord
}

// DVSState is the emulated DVS: organisations with users and roles,
// nightly backups, a document volume that exports count, and health. All
// methods are safe for concurrent use.
//
// The exported fields configure it; set them before it is shared.
type DVSState struct {
	// Now is the DVS clock (time.Now when nil).
	Now func() time.Time
	// ExportStepDelay is how long each export step takes (none by default;
	// a sandbox demo may set a few tens of milliseconds to show progress).
	ExportStepDelay time.Duration
	// ExportSteps is how many progress steps an export takes (20 when 0).
	ExportSteps int

	mu       sync.Mutex
	orgs     map[string]*dvsOrgRec
	exports  []Export
	restores []Restore
	seq      int
	up       bool
	detail   string
	faults   faults
}

// NewDVSState returns an empty DVS that is up.
func NewDVSState() *DVSState {
	return &DVSState{orgs: map[string]*dvsOrgRec{}, up: true}
}

func (st *DVSState) now() time.Time {
	if st.Now != nil {
		return st.Now()
	}
	return time.Now()
}

func orgKey(id string) string { return strings.ToUpper(strings.TrimSpace(id)) }

// AddOrg adds (or replaces the settings of) an organisation.
func (st *DVSState) AddOrg(o DVSOrg) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if o.DocsPerDay <= 0 {
		o.DocsPerDay = 20
	}
	if o.DataBytes <= 0 {
		o.DataBytes = 2 * gb
	}
	for i, d := range o.Domains {
		o.Domains[i] = bot.Domain(d)
	}
	if r := st.orgs[orgKey(o.ID)]; r != nil {
		r.DVSOrg = o
		return
	}
	st.orgs[orgKey(o.ID)] = &dvsOrgRec{DVSOrg: o, users: map[string]*DVSUserRecord{}}
}

// Org returns an organisation; ENOTFOUND when there is none.
func (st *DVSState) Org(id string) (DVSOrg, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	o, err := st.orgLocked(id)
	if err != nil {
		return DVSOrg{}, err
	}
	return o.DVSOrg, nil
}

func (st *DVSState) orgLocked(id string) (*dvsOrgRec, error) {
	o := st.orgs[orgKey(id)]
	if o == nil {
		return nil, bot.Errorf(bot.ENOTFOUND, "sbx.dvs_org_unknown", "Institution", id)
	}
	return o, nil
}

// RoleChange is what a role operation did.
type RoleChange struct {
	User string
	Role string // the role changed; empty when every role was revoked
	// Changed is false when nothing had to change.
	Changed bool
	// Created is true when the account was provisioned by this grant.
	Created bool
	// Roles are the user's roles after the change; Revoked the roles
	// taken away.
	Roles, Revoked []string
}

func (st *DVSState) checkUserLocked(o *dvsOrgRec, user string) (string, error) {
	a, err := bot.NormalizeAddress(user)
	if err != nil {
		return "", err
	}
	if len(o.Domains) > 0 && !slices.Contains(o.Domains, bot.Domain(a)) {
		return "", bot.Errorf(bot.EFORBIDDEN, "sbx.dvs_foreign_user", "User", a, "Institution", o.ID)
	}
	return a, nil
}

// AddUser adds an existing user (a seed) to an organisation, with roles;
// a user who is there keeps theirs and gets these too.
func (st *DVSState) AddUser(org, user string, roles ...string) error {
	st.mu.Lock()
	o, err := st.orgLocked(org)
	a := ""
	if err == nil {
		a, err = st.checkUserLocked(o, user)
	}
	if err == nil && o.users[a] == nil {
		o.users[a] = &DVSUserRecord{User: a, DisplayName: displayName(a), Created: st.now()}
	}
	st.mu.Unlock()
	if err != nil {
		return err
	}
	for _, r := range roles {
		if _, err := st.GrantRole(org, a, r); err != nil {
			return err
		}
	}
	return nil
}

// GrantRole gives a user a role in an organisation. An unknown user is
// provisioned from the directory (the address) first; holding the role is
// success with Changed false. An unknown role fails with EINVALID.
func (st *DVSState) GrantRole(org, user, role string) (RoleChange, error) {
	r, ok := ParseDVSRole(role)
	if !ok {
		return RoleChange{}, unknownRole(role)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	o, err := st.orgLocked(org)
	if err != nil {
		return RoleChange{}, err
	}
	a, err := st.checkUserLocked(o, user)
	if err != nil {
		return RoleChange{}, err
	}
	ch := RoleChange{User: a, Role: r}
	u := o.users[a]
	if u == nil {
		u = &DVSUserRecord{User: a, DisplayName: displayName(a), Created: st.now(), Provisioned: true}
		o.users[a] = u
		ch.Created = true
	}
	if !slices.Contains(u.Roles, r) {
		u.Roles = sortRoles(append(u.Roles, r))
		ch.Changed = true
	}
	ch.Roles = slices.Clone(u.Roles)
	return ch, nil
}

// RevokeRole takes a role (empty: every role) from a user; not holding it
// is success with Changed false. An unknown user fails with ENOTFOUND.
func (st *DVSState) RevokeRole(org, user, role string) (RoleChange, error) {
	r := ""
	if strings.TrimSpace(role) != "" {
		var ok bool
		if r, ok = ParseDVSRole(role); !ok {
			return RoleChange{}, unknownRole(role)
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	o, err := st.orgLocked(org)
	if err != nil {
		return RoleChange{}, err
	}
	a, err := bot.NormalizeAddress(user)
	if err != nil {
		return RoleChange{}, err
	}
	u := o.users[a]
	if u == nil {
		return RoleChange{}, bot.Errorf(bot.ENOTFOUND, "sbx.dvs_user_not_found", "User", a, "Institution", o.ID)
	}
	ch := RoleChange{User: a, Role: r}
	if r == "" {
		ch.Revoked, u.Roles = u.Roles, nil
		ch.Changed = len(ch.Revoked) > 0
	} else if i := slices.Index(u.Roles, r); i >= 0 {
		u.Roles = slices.Delete(u.Roles, i, i+1)
		ch.Revoked = []string{r}
		ch.Changed = true
	}
	ch.Roles = slices.Clone(u.Roles)
	return ch, nil
}

func sortRoles(rs []string) []string {
	order := DVSRoles()
	slices.SortFunc(rs, func(a, b string) int { return slices.Index(order, a) - slices.Index(order, b) })
	return rs
}

// Users lists an organisation's users with their roles, sorted by address
// (users with no role left included).
func (st *DVSState) Users(org string) ([]bot.DVSUser, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	o, err := st.orgLocked(org)
	if err != nil {
		return nil, err
	}
	out := make([]bot.DVSUser, 0, len(o.users))
	for _, u := range o.users {
		out = append(out, bot.DVSUser{User: u.User, Roles: append([]string{}, u.Roles...)})
	}
	slices.SortFunc(out, func(a, b bot.DVSUser) int { return strings.Compare(a.User, b.User) })
	return out, nil
}

// User returns a user's record; ENOTFOUND when there is none.
func (st *DVSState) User(org, user string) (DVSUserRecord, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	o, err := st.orgLocked(org)
	if err != nil {
		return DVSUserRecord{}, err
	}
	u := o.users[strings.ToLower(strings.TrimSpace(user))]
	if u == nil {
		return DVSUserRecord{}, bot.Errorf(bot.ENOTFOUND, "sbx.dvs_user_not_found", "User", user, "Institution", o.ID)
	}
	c := *u
	c.Roles = slices.Clone(u.Roles)
	return c, nil
}

// hash64 is a deterministic pseudo-random number from its parts.
func hash64(parts ...string) uint64 {
	h := sha256.Sum256([]byte(strings.Join(parts, "|")))
	return binary.BigEndian.Uint64(h[:8])
}

// day returns the calendar day of t in Riga, at midnight there.
func day(t time.Time) time.Time {
	t = t.In(bot.TimeZone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, bot.TimeZone)
}

// docsOn returns the documents an organisation registered on day d: about
// DocsPerDay on working days (±30 %), a few at weekends.
func docsOn(o *DVSOrg, d time.Time) int {
	h := hash64(orgKey(o.ID), d.Format("2006-01-02"))
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return int(h % 3)
	}
	return o.DocsPerDay * int(70+h%61) / 100
}

// Backup schedule: nightly at 01:30 Riga time, verified by a test restore
// at 06:00; two weeks are kept.
const (
	backupHour, backupMinute = 1, 30
	backupKeepDays           = 14
	verifyHour               = 6
)

// Backups returns an organisation's backups, newest first: one a night for
// the last two weeks, deterministic for a given clock. Now and then a
// night failed; tonight's may still be running; the last one waits for its
// test restore until the morning.
func (st *DVSState) Backups(org string) ([]bot.Backup, error) {
	st.mu.Lock()
	o, err := st.orgLocked(org)
	var od DVSOrg
	if err == nil {
		od = o.DVSOrg
	}
	st.mu.Unlock()
	if err != nil {
		return nil, err
	}
	now := st.now()
	today := day(now)
	var out []bot.Backup
	for i := 0; i < backupKeepDays+1 && len(out) < backupKeepDays; i++ {
		d := today.AddDate(0, 0, -i)
		if !od.Since.IsZero() && d.Before(day(od.Since)) {
			break
		}
		start := d.Add(backupHour*time.Hour + backupMinute*time.Minute)
		if start.After(now) {
			continue
		}
		key := d.Format("2006-01-02")
		h := hash64(orgKey(od.ID), "backup", key)
		dur := time.Duration(25+h%30) * time.Minute
		b := bot.Backup{
			ID:        fmt.Sprintf("%s-%s", strings.ToLower(orgKey(od.ID)), d.Format("20060102")),
			StartedAt: start.UTC(),
			SizeBytes: backupSize(&od, d),
		}
		switch {
		case now.Before(start.Add(dur)):
			b.Status = "running"
			b.SizeBytes = b.SizeBytes * int64(now.Sub(start)/time.Second) / int64(dur/time.Second)
		case h%11 == 3:
			b.Status = "failed"
			b.FinishedAt = start.Add(dur / 3).UTC()
			b.SizeBytes /= 3
		default:
			b.Status = "succeeded"
			b.FinishedAt = start.Add(dur).UTC()
			sum := sha256.Sum256([]byte(b.ID + "|" + fmt.Sprint(b.SizeBytes)))
			b.SHA256 = hex.EncodeToString(sum[:])
			switch {
			case now.Before(d.Add(verifyHour * time.Hour)):
				b.Verified = "pending"
			case h%23 == 5:
				b.Verified = "failed"
			default:
				b.Verified = "verified"
			}
		}
		out = append(out, b)
	}
	return out, nil
}

// backupSize is the organisation's data size on day d: DataBytes on Since,
// growing by about 250 KB a document.
func backupSize(o *DVSOrg, d time.Time) int64 {
	since := o.Since
	if since.IsZero() {
		since = d.AddDate(-3, 0, 0)
	}
	days := int64(d.Sub(day(since)).Hours() / 24)
	growth := days * int64(o.DocsPerDay) * 5 / 7 * 250 << 10
	noise := int64(hash64(orgKey(o.ID), "size", d.Format("2006-01-02"))%(64<<20)) - 32<<20
	return max(o.DataBytes+growth+noise, 1<<20)
}

// Documents counts an organisation's documents registered from day from
// through day to (inclusive; nothing before Since or after today).
func (st *DVSState) Documents(org string, from, to time.Time) (int, error) {
	st.mu.Lock()
	o, err := st.orgLocked(org)
	var od DVSOrg
	if err == nil {
		od = o.DVSOrg
	}
	st.mu.Unlock()
	if err != nil {
		return 0, err
	}
	first, last := day(from), day(to)
	if !od.Since.IsZero() && first.Before(day(od.Since)) {
		first = day(od.Since)
	}
	if today := day(st.now()); last.After(today) {
		last = today
	}
	n := 0
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		n += docsOn(&od, d)
	}
	return n, nil
}

// RecordExport records a finished export of docs documents and returns it
// with its id, location, size and checksum.
func (st *DVSState) RecordExport(org string, from, to time.Time, docs int) (Export, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	o, err := st.orgLocked(org)
	if err != nil {
		return Export{}, err
	}
	st.seq++
	now := st.now()
	id := fmt.Sprintf("%s-%s-%04d", strings.ToLower(orgKey(o.ID)), now.In(bot.TimeZone).Format("20060102"), st.seq)
	e := Export{ID: id, Org: o.ID, From: day(from), To: day(to), Documents: docs, Created: now,
		Location: "dvs://exports/" + id + ".zip"}
	e.SizeBytes = int64(docs)*(180<<10) + int64(hash64(id)%(1<<20)) + 22
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%s|%s|%d|%d", id, o.ID, e.From.Format("2006-01-02"), e.To.Format("2006-01-02"), docs, e.SizeBytes)))
	e.SHA256 = hex.EncodeToString(sum[:])
	st.exports = append(st.exports, e)
	return e, nil
}

// Restore is a finished restore of a backup into an organisation.
type Restore struct {
	ID, Org, Backup string
	Documents       int
	At              time.Time
}

// Restorable returns an organisation's nightly backup id if it can be
// restored: it must hold the organisation's data (ENOTFOUND), have
// succeeded and not have failed its test restore (ECONFLICT).
func (st *DVSState) Restorable(org, id string) (bot.Backup, error) {
	bs, err := st.Backups(org)
	if err != nil {
		return bot.Backup{}, err
	}
	for _, b := range bs {
		if b.ID != id {
			continue
		}
		if b.Status != "succeeded" || b.Verified == "failed" {
			st := b.Status
			if b.Status == "succeeded" {
				st = "verification failed"
			}
			return b, bot.Errorf(bot.ECONFLICT, "sbx.dvs_backup_unusable", "ID", id, "Status", st)
		}
		return b, nil
	}
	return bot.Backup{}, bot.Errorf(bot.ENOTFOUND, "sbx.dvs_backup_unknown", "ID", id)
}

// RecordRestore records a finished restore of backup (taken at taken)
// into org and returns it with the number of documents put back: those
// registered in the 30 days before the backup.
func (st *DVSState) RecordRestore(org, backup string, taken time.Time) (Restore, error) {
	docs, err := st.Documents(org, taken.AddDate(0, 0, -30), taken)
	if err != nil {
		return Restore{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	o, err := st.orgLocked(org)
	if err != nil {
		return Restore{}, err
	}
	st.seq++
	now := st.now()
	r := Restore{ID: fmt.Sprintf("rs-%s-%s-%04d", strings.ToLower(orgKey(o.ID)), now.In(bot.TimeZone).Format("20060102"), st.seq),
		Org: o.ID, Backup: backup, Documents: docs, At: now}
	st.restores = append(st.restores, r)
	return r, nil
}

// Restores lists the finished restores, oldest first.
func (st *DVSState) Restores() []Restore {
	st.mu.Lock()
	defer st.mu.Unlock()
	return slices.Clone(st.restores)
}

// Exports lists the finished exports, oldest first.
func (st *DVSState) Exports() []Export {
	st.mu.Lock()
	defer st.mu.Unlock()
	return slices.Clone(st.exports)
}

// SetHealth sets whether the DVS is up, with a note (a maintenance window,
// an incident).
func (st *DVSState) SetHealth(up bool, detail string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.up, st.detail = up, detail
}

// Health returns the DVS state now.
func (st *DVSState) Health() bot.Health {
	st.mu.Lock()
	defer st.mu.Unlock()
	status := "operational"
	if !st.up {
		status = "unavailable"
	}
	return bot.Health{Service: "DVS", Up: st.up, Status: status, Detail: st.detail, At: st.now()}
}

// FailNext makes the next call of op fail with err; op is a bot.DVS
// method name ("GrantRole") or "*" for any.
func (st *DVSState) FailNext(op string, err error) { st.faults.add(op, err) }

// Fault returns the error a call of op must fail with now: a queued
// FailNext error, or EUNAVAILABLE while the DVS is down; nil otherwise.
func (st *DVSState) Fault(op string) error {
	if err := st.faults.take(op); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.up {
		return bot.Wrap(fmt.Errorf("dvs: unavailable"), bot.EUNAVAILABLE, "sbx.dvs_down", "Detail", st.detail)
	}
	return nil
}
