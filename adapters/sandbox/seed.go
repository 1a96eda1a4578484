package sandbox

import (
	"fmt"
	"itbot/bot/seed"
	"time"

	"itbot/bot"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Institutions returns the sandbox institutions the seeds are made for:
//
//   - VRAA (vraa.gov.lv): the agency itself, in the sector, valid contract;
//   - LGIA (lgia.gov.lv): in the sector, valid contract;
//   - VVD (vvd.gov.lv): in the sector, contract expired on 2025-12-31;
//   - VID (vid.gov.lv): outside the sector, no contract.
//
// Each call returns fresh values.
func Institutions() []*bot.Institution { return seed.Institutions() }

// seedUser is a seed account: its stats are derived from the address, so
// they are the same on every run for the same clock.
type seedUser struct {
	upn, name, sku string
	created        time.Time
	enabled        bool
	noLocation     bool
	fill           int // percent of the quota used; 0: derived
	idleDays       int // days since the last activity; -1: never
	kind, owner    string
}

// SeedTenant fills a tenant with the sandbox institutions' domains, users,
// licence pools, shared mailboxes and spam lists:
//
//   - E3: 25 units, 23 used (2 free); E1: 12 of 12 used (a new E1 waits for
//     procurement); EXO1: 8 of 20 free; E5, EXO2, KIOSK with some units; F3
//     none.
//   - LGIA: anna.berzina, janis.ozols (E3), ilze.liepa (E1, mailbox almost
//     full), peteris.kalnins (new, no licence and no usage location),
//     liga.zarina (E1, account disabled), gramatvediba@ (technical, EXO1,
//     owner janis.ozols); shared mailbox info@lgia.gov.lv; spam lists.
//   - VVD, VID, VRAA: a few users each; VRAA has the shared IT mailbox
//     it@vraa.gov.lv.
//
// Units used by institutions the sandbox does not model are counted in the
// pools' Consumed. The tenant's clock dates the activity.
func SeedTenant(t *Tenant) error {
	t.AddDomain("vraa.gov.lv", "lgia.gov.lv", "vvd.gov.lv", "vid.gov.lv")
	// Consumed here: units held by accounts of other institutions of the
	// sector (VARAM, DAP …) that the sandbox does not model.
	for _, s := range []struct {
		name              string
		enabled, consumed int
	}{
		{SKUE1, 12, 9}, {SKUE3, 25, 16}, {SKUE5, 5, 2}, {SKUEXO1, 20, 10},
		{SKUEXO2, 4, 3}, {SKUKiosk, 10, 6}, {SKUF3, 0, 0},
	} {
		c, err := t.SKU(s.name)
		if err != nil {
			return err
		}
		c.Enabled, c.Consumed = s.enabled, s.consumed
		t.AddSKU(c)
	}
	now := t.now()
	users := []seedUser{
		{upn: "anna.berzina@lgia.gov.lv", name: "Anna Bērziņa", sku: SKUE3, created: date(2019, 3, 11), enabled: true},
		{upn: "janis.ozols@lgia.gov.lv", name: "Jānis Ozols", sku: SKUE3, created: date(2017, 9, 4), enabled: true},
		{upn: "ilze.liepa@lgia.gov.lv", name: "Ilze Liepa", sku: SKUE1, created: date(2016, 2, 1), enabled: true, fill: 94},
		{upn: "peteris.kalnins@lgia.gov.lv", name: "Pēteris Kalniņš", created: now.AddDate(0, 0, -3), enabled: true, noLocation: true, idleDays: -1},
		{upn: "liga.zarina@lgia.gov.lv", name: "Līga Zariņa", sku: SKUE1, created: date(2020, 5, 18), idleDays: 140},
		{upn: "gramatvediba@lgia.gov.lv", name: "LGIA Grāmatvedība", sku: SKUEXO1, created: date(2021, 1, 12), enabled: true,
			kind: bot.MailboxTechnical, owner: "janis.ozols@lgia.gov.lv"},
		{upn: "maris.egle@vvd.gov.lv", name: "Māris Egle", sku: SKUE3, created: date(2018, 4, 23), enabled: true},
		{upn: "laura.krumina@vvd.gov.lv", name: "Laura Krūmiņa", sku: SKUE1, created: date(2022, 8, 1), enabled: true},
		{upn: "inga.roze@vvd.gov.lv", name: "Inga Roze", sku: SKUEXO1, created: date(2023, 2, 6), enabled: true, idleDays: 121},
		{upn: "edgars.vitols@vid.gov.lv", name: "Edgars Vītols", sku: SKUE3, created: date(2019, 11, 4), enabled: true},
		{upn: "sandra.kalna@vid.gov.lv", name: "Sandra Kalna", sku: SKUE3, created: date(2021, 6, 14), enabled: true},
		{upn: "kristaps.lacis@vraa.gov.lv", name: "Kristaps Lācis", sku: SKUE5, created: date(2015, 6, 1), enabled: true},
		{upn: "dace.sproge@vraa.gov.lv", name: "Dace Sproģe", sku: SKUE3, created: date(2018, 1, 15), enabled: true},
		{upn: "aivars.lapsa@vraa.gov.lv", name: "Aivars Lapsa", sku: SKUE3, created: date(2020, 10, 5), enabled: true},
	}
	for _, su := range users {
		if err := t.AddUser(su.user(t, now)); err != nil {
			return fmt.Errorf("seed %s: %w", su.upn, err)
		}
	}
	shared := []struct {
		addr, name string
		members    [][2]string
	}{
		{"info@lgia.gov.lv", "LGIA informācija", [][2]string{
			{"anna.berzina@lgia.gov.lv", bot.PermFullAccess}, {"anna.berzina@lgia.gov.lv", bot.PermSendAs},
			{"janis.ozols@lgia.gov.lv", bot.PermFullAccess}, {"ilze.liepa@lgia.gov.lv", bot.PermSendAs}}},
		{"it@vraa.gov.lv", "VRAA IT atbalsts", [][2]string{
			{"kristaps.lacis@vraa.gov.lv", bot.PermFullAccess}, {"kristaps.lacis@vraa.gov.lv", bot.PermSendAs},
			{"dace.sproge@vraa.gov.lv", bot.PermFullAccess}}},
	}
	for _, s := range shared {
		if _, err := t.CreateSharedMailbox(s.addr, s.name); err != nil {
			return fmt.Errorf("seed %s: %w", s.addr, err)
		}
		for _, m := range s.members {
			if _, err := t.SetSharedMember(s.addr, m[0], m[1], true); err != nil {
				return fmt.Errorf("seed %s member %s: %w", s.addr, m[0], err)
			}
		}
	}
	spam := []struct {
		policy, sender string
		allow          bool
	}{
		{"LGIA", "vzd.gov.lv", true},
		{"LGIA", "jaunumi@kartes.lv", true},
		{"LGIA", "lotereja-balva.com", false},
		{"LGIA", "rekini@bank-verify-lv.com", false},
		{"VVD", "akcijas-tev.com", false},
	}
	for _, s := range spam {
		if _, err := t.SetSpam(s.policy, s.sender, s.allow); err != nil {
			return fmt.Errorf("seed spam %s: %w", s.sender, err)
		}
	}
	return nil
}

// user makes the User of a seed, with mailbox stats derived from the
// address.
func (su seedUser) user(t *Tenant, now time.Time) User {
	u := User{UPN: su.upn, DisplayName: su.name, AccountEnabled: su.enabled, Created: su.created,
		Kind: su.kind, Owner: su.owner}
	if !su.noLocation {
		u.UsageLocation = UsageLocation
	}
	if su.sku != "" {
		u.SKUs = []string{su.sku}
	}
	quota := int64(50) * gb
	if s, err := t.SKU(su.sku); err == nil && su.sku != "" {
		quota = int64(s.QuotaGB) * gb
	}
	h := hash64("seed", su.upn)
	fill := int64(su.fill)
	if fill == 0 {
		fill = int64(4 + h%38) // 4–41 %
	}
	u.Mailbox.QuotaBytes = quota
	u.Mailbox.SizeBytes = quota*fill/100 + int64(h%(1<<20))
	u.Mailbox.Items = int(u.Mailbox.SizeBytes / (95 << 10))
	switch {
	case su.idleDays < 0:
		u.Mailbox.SizeBytes, u.Mailbox.Items = 4<<10, 0
	case su.idleDays > 0:
		u.Mailbox.LastActivity = now.Add(-time.Duration(su.idleDays)*24*time.Hour - time.Duration(h%600)*time.Minute)
	default:
		u.Mailbox.LastActivity = now.Add(-time.Duration(5+h%(36*60)) * time.Minute)
	}
	return u
}

// SeedDVS fills a DVS with the sandbox institutions in the sector (VID,
// outside it, does not use the sector's DVS): organisations LGIA, VVD and
// VRAA with their document volume, and users with roles — in LGIA
// anna.berzina (lietvedis), janis.ozols (vaditajs, lasitajs), ilze.liepa
// (arhivars, lasitajs) and liga.zarina (lasitajs; she has left, so a
// revoke has something to do).
func SeedDVS(st *DVSState) error {
	st.AddOrg(DVSOrg{ID: "LGIA", Name: "Latvijas Ģeotelpiskās informācijas aģentūra", Domains: []string{"lgia.gov.lv"},
		Since: date(2016, 1, 4), DocsPerDay: 45, DataBytes: 18 * gb})
	st.AddOrg(DVSOrg{ID: "VVD", Name: "Valsts vides dienests", Domains: []string{"vvd.gov.lv"},
		Since: date(2017, 9, 1), DocsPerDay: 70, DataBytes: 26 * gb})
	st.AddOrg(DVSOrg{ID: "VRAA", Name: "Valsts reģionālās attīstības aģentūra", Domains: []string{"vraa.gov.lv"},
		Since: date(2015, 6, 1), DocsPerDay: 30, DataBytes: 12 * gb})
	users := []struct {
		org, user string
		roles     []string
	}{
		{"LGIA", "anna.berzina@lgia.gov.lv", []string{RoleClerk}},
		{"LGIA", "janis.ozols@lgia.gov.lv", []string{RoleManager, RoleReader}},
		{"LGIA", "ilze.liepa@lgia.gov.lv", []string{RoleArchivist, RoleReader}},
		{"LGIA", "liga.zarina@lgia.gov.lv", []string{RoleReader}},
		{"VVD", "maris.egle@vvd.gov.lv", []string{RoleManager}},
		{"VVD", "laura.krumina@vvd.gov.lv", []string{RoleClerk}},
		{"VRAA", "kristaps.lacis@vraa.gov.lv", []string{RoleAdmin}},
		{"VRAA", "dace.sproge@vraa.gov.lv", []string{RoleReader}},
	}
	for _, u := range users {
		if err := st.AddUser(u.org, u.user, u.roles...); err != nil {
			return fmt.Errorf("seed dvs %s: %w", u.user, err)
		}
	}
	return nil
}
