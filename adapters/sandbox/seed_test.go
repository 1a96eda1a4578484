package sandbox

import (
	"slices"
	"strings"
	"testing"
	"time"

	"itbot/bot"
)

func TestSeedTenant(t *testing.T) {
	tn, _ := seeded(t)
	pools := map[string][2]int{ // enabled, free
		SKUE1: {12, 0}, SKUE3: {25, 2}, SKUE5: {5, 2}, SKUEXO1: {20, 8}, SKUEXO2: {4, 1}, SKUKiosk: {10, 4}, SKUF3: {0, 0},
	}
	for _, s := range tn.SKUs() {
		want, ok := pools[s.Name]
		if !ok || s.Enabled != want[0] || s.Free() != want[1] || s.PartNumber == "" || s.ID == "" {
			t.Errorf("pool %+v, want %v", s, want)
		}
	}
	var domains []string
	for _, inst := range Institutions() {
		domains = append(domains, inst.Domains...)
		if len(tn.Users(inst.Domains...)) < 2 {
			t.Errorf("%s has too few users", inst.Code)
		}
	}
	slices.Sort(domains)
	if !slices.Equal(domains, tn.Domains()) {
		t.Errorf("domains %v, institutions %v", tn.Domains(), domains)
	}
	p, err := tn.User("peteris.kalnins@lgia.gov.lv")
	if err != nil || len(p.SKUs) != 0 || p.UsageLocation != "" {
		t.Errorf("peteris %+v %v", p, err)
	}
	g, err := tn.User("gramatvediba@lgia.gov.lv")
	if err != nil || g.Kind != bot.MailboxTechnical || g.Owner != "janis.ozols@lgia.gov.lv" {
		t.Errorf("technical %+v %v", g, err)
	}
	for _, u := range tn.Users() {
		if !u.Mailbox.Ready || u.Mailbox.QuotaBytes == 0 || u.Mailbox.SizeBytes > u.Mailbox.QuotaBytes || u.DisplayName == "" {
			t.Errorf("seeded user %+v", u)
		}
	}
	s, err := tn.Shared("info@lgia.gov.lv")
	if err != nil || len(s.Members) != 3 {
		t.Errorf("info@ %+v %v", s, err)
	}
	// Seeding twice fails loudly rather than doubling the pools.
	if err := SeedTenant(tn); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("second seed: %v", err)
	}
}

func TestInstitutions(t *testing.T) {
	want := map[string]string{"VRAA": "", "LGIA": "", "VVD": bot.EFORBIDDEN, "VID": bot.EFORBIDDEN}
	for _, inst := range Institutions() {
		if err := inst.Validate(); err != nil {
			t.Errorf("%s: %v", inst.Code, err)
		}
		code, ok := want[inst.Code]
		if !ok {
			t.Errorf("unexpected %s", inst.Code)
			continue
		}
		err := inst.Eligible(testNow)
		if bot.ErrorCode(err) != code {
			t.Errorf("%s eligible: %v", inst.Code, err)
		}
		if err != nil {
			checkPhrase(t, bot.ErrorPhrase(err))
		}
	}
	insts := Institutions()
	if err := insts[2].Eligible(testNow); bot.ErrorPhrase(err).ID != "policy.contract_expired" {
		t.Errorf("VVD: %v", err)
	}
	if err := insts[3].Eligible(testNow); bot.ErrorPhrase(err).ID != "policy.out_of_sector" {
		t.Errorf("VID: %v", err)
	}
	insts[0].Domains[0] = "changed"
	if Institutions()[0].Domains[0] == "changed" {
		t.Error("Institutions shares its slices")
	}
}

func TestSeedDVS(t *testing.T) {
	st, _ := seededDVS(t)
	for _, inst := range Institutions() {
		us, err := st.Users(inst.DVSOrgID)
		if inst.DVSOrgID == "" {
			continue
		}
		if err != nil || len(us) < 2 {
			t.Errorf("%s: %v %v", inst.Code, us, err)
		}
		for _, u := range us {
			if rec, _ := st.User(inst.DVSOrgID, u.User); rec.Provisioned {
				t.Errorf("seeded %s marked provisioned", u.User)
			}
		}
	}
	if _, err := st.Org("VID"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("VID in the DVS: %v", err)
	}
}

func TestStateHelpers(t *testing.T) {
	tn, _ := seeded(t)
	if err := tn.SetAccountEnabled("Liga.Zarina@lgia.gov.lv", true); err != nil {
		t.Fatal(err)
	}
	if u, _ := tn.User("liga.zarina@lgia.gov.lv"); !u.AccountEnabled {
		t.Error("not enabled")
	}
	wantCode(t, tn.SetAccountEnabled("nobody@lgia.gov.lv", true), bot.ENOTFOUND)
	for _, tc := range []struct {
		sender string
		was    bool
		code   string
	}{{"vzd.gov.lv", true, ""}, {"vzd.gov.lv", false, ""}, {"lotereja-balva.com", true, ""}, {"-bad-.lv", false, bot.EINVALID}} {
		was, err := tn.RemoveSpam("lgia", tc.sender)
		wantCode(t, err, tc.code)
		if was != tc.was {
			t.Errorf("RemoveSpam(%s) = %v", tc.sender, was)
		}
	}
	if l := tn.SpamLists("LGIA"); len(l.Allowed) != 1 || len(l.Blocked) != 1 {
		t.Errorf("lists %v", l)
	}
	if got, err := NormalizeSender("*.Example.COM"); err != nil || got != "example.com" {
		t.Errorf("wildcard domain: %q %v", got, err)
	}
	if e := (&ThrottleError{Service: "exchange online", RetryAfter: 90 * time.Second}).Error(); !strings.Contains(e, "Retry-After: 90") {
		t.Errorf("throttle error %q", e)
	}
	if err := tn.AddUser(User{UPN: "x@nav.lv"}); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("unverified domain: %v", err)
	}
	if err := tn.AddUser(User{UPN: "x@lgia.gov.lv", SKUs: []string{"E1"}}); bot.ErrorCode(err) != bot.ENOLICENCE {
		t.Errorf("empty pool: %v", err)
	}
	if got := displayName("ēriks.šteins@lgia.gov.lv"); got != "Ēriks Šteins" {
		t.Errorf("display name %q", got)
	}

	st, _ := seededDVS(t)
	if _, err := st.GrantRole("LGIA", "maris.egle@vvd.gov.lv", RoleReader); bot.ErrorCode(err) != bot.EFORBIDDEN {
		t.Errorf("foreign user: %v", err)
	}
	if err := st.AddUser("LGIA", "jauns@lgia.gov.lv"); err != nil {
		t.Fatal(err)
	}
	if u, err := st.User("LGIA", "jauns@lgia.gov.lv"); err != nil || len(u.Roles) != 0 || u.Provisioned {
		t.Errorf("user without roles %+v %v", u, err)
	}
	wantCode(t, st.AddUser("NAV", "jauns@lgia.gov.lv"), bot.ENOTFOUND)
	if o, err := st.Org("lgia"); err != nil || o.DocsPerDay != 45 {
		t.Errorf("org %+v %v", o, err)
	}
}
