package sandbox

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"itbot/bot"
)

func TestAssignLicence(t *testing.T) {
	tn, x := seeded(t)
	lgia := institution(t, "LGIA")
	ctx := t.Context()
	tests := []struct {
		name     string
		inst     *bot.Institution
		user     string
		sku      string
		code     string
		summary  string
		details  []string // ids that must be among the details
		wantSKU  string   // licence the user must hold afterwards
		consumed int      // E3 units consumed afterwards (0: not checked)
	}{
		{name: "new user gets E3 and a usage location", inst: lgia, user: "peteris.kalnins@lgia.gov.lv", sku: "E3",
			summary: "sbx.licence_assigned", details: []string{"sbx.usage_location_set", "sbx.licences_free"}, wantSKU: SKUE3, consumed: 24},
		{name: "repeat is idempotent", inst: lgia, user: "peteris.kalnins@lgia.gov.lv", sku: "E3",
			summary: "sbx.licence_already", wantSKU: SKUE3, consumed: 24},
		{name: "part number any case", inst: lgia, user: "Peteris.Kalnins@LGIA.gov.lv", sku: "enterprisepack",
			summary: "sbx.licence_already", wantSKU: SKUE3, consumed: 24},
		{name: "empty sku is E3", inst: lgia, user: "janis.ozols@lgia.gov.lv",
			summary: "sbx.licence_already", wantSKU: SKUE3, consumed: 24},
		{name: "product name", inst: lgia, user: "anna.berzina@lgia.gov.lv", sku: "Exchange Online (Plan 1)",
			summary: "sbx.licence_assigned", details: []string{"sbx.licences_free"}, wantSKU: SKUEXO1},
		{name: "user with a location keeps it", inst: lgia, user: "ilze.liepa@lgia.gov.lv", sku: "e3",
			summary: "sbx.licence_assigned", wantSKU: SKUE3, consumed: 25},
		{name: "pool empty", inst: lgia, user: "anna.berzina@lgia.gov.lv", sku: "E1", code: bot.ENOLICENCE},
		{name: "unknown sku", inst: lgia, user: "anna.berzina@lgia.gov.lv", sku: "E7", code: bot.EINVALID},
		{name: "unknown user", inst: lgia, user: "nobody@lgia.gov.lv", code: bot.ENOTFOUND},
		{name: "domain not in tenant", inst: nil, user: "anna@gmail.com", code: bot.EINVALID},
		{name: "malformed address", inst: lgia, user: "anna berzina", code: bot.EINVALID},
		{name: "another institution's user", inst: lgia, user: "maris.egle@vvd.gov.lv", code: bot.EFORBIDDEN},
		{name: "operator scope (nil institution)", inst: nil, user: "maris.egle@vvd.gov.lv", sku: "E3",
			summary: "sbx.licence_already", wantSKU: SKUE3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := x.AssignLicence(ctx, tc.inst, tc.user, tc.sku)
			wantCode(t, err, tc.code)
			if tc.code != "" {
				return
			}
			if got := summaryID(t, out, err); got != tc.summary {
				t.Errorf("summary = %s, want %s", got, tc.summary)
			}
			for _, d := range tc.details {
				if !hasDetail(out, d) {
					t.Errorf("details %v lack %s", out.Details, d)
				}
			}
			u, err := tn.User(tc.user)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(u.SKUs, tc.wantSKU) {
				t.Errorf("user licences %v lack %s", u.SKUs, tc.wantSKU)
			}
			if u.UsageLocation != "LV" {
				t.Errorf("usage location %q", u.UsageLocation)
			}
			if tc.consumed > 0 {
				if s, _ := tn.SKU("E3"); s.Consumed != tc.consumed {
					t.Errorf("E3 consumed = %d, want %d", s.Consumed, tc.consumed)
				}
			}
		})
	}
}

func TestAssignLicenceErrorsSayWhy(t *testing.T) {
	_, x := seeded(t)
	lgia := institution(t, "LGIA")
	tests := []struct {
		user, sku string
		want      []string // in the English rendering
	}{
		{"anna.berzina@lgia.gov.lv", "E1", []string{"E1", "12 of 12"}},
		{"anna.berzina@lgia.gov.lv", "E7", []string{"E7", "E3 (ENTERPRISEPACK)", "EXO1 (EXCHANGESTANDARD)"}},
		{"anna@gmail.com", "", []string{"gmail.com", "not owned by this Microsoft 365 tenant"}},
		{"maris.egle@vvd.gov.lv", "", []string{"maris.egle@vvd.gov.lv", "LGIA", "@lgia.gov.lv"}},
	}
	for _, tc := range tests {
		t.Run(tc.user+" "+tc.sku, func(t *testing.T) {
			_, err := x.AssignLicence(t.Context(), lgia, tc.user, tc.sku)
			en := bot.UserMessage(err, bot.EN)
			for _, w := range tc.want {
				if !strings.Contains(en, w) {
					t.Errorf("%q lacks %q", en, w)
				}
			}
			if lv := bot.UserMessage(err, bot.LV); lv == en {
				t.Errorf("Latvian = English: %q", lv)
			}
		})
	}
}

func TestPoolRunsOutThenProcurement(t *testing.T) {
	tn := NewTenant()
	tn.AddDomain("lgia.gov.lv")
	tn.AddSKU(SKU{Name: SKUE3, Enabled: 2})
	x := NewExchange(tn)
	for _, u := range []string{"a.a", "b.b", "c.c"} {
		if err := tn.AddUser(User{UPN: u + "@lgia.gov.lv", AccountEnabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := t.Context()
	for _, u := range []string{"a.a", "b.b"} {
		if _, err := x.AssignLicence(ctx, nil, u+"@lgia.gov.lv", "E3"); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := x.FreeLicences(ctx, "E3"); err != nil || n != 0 {
		t.Fatalf("free = %d, %v", n, err)
	}
	_, err := x.AssignLicence(ctx, nil, "c.c@lgia.gov.lv", "E3")
	wantCode(t, err, bot.ENOLICENCE)
	for _, l := range []bot.Lang{bot.LV, bot.EN} {
		if msg := bot.UserMessage(err, l); !strings.Contains(msg, "E3") {
			t.Errorf("%s: %q does not name the licence", l, msg)
		}
	}
	if u, _ := tn.User("c.c@lgia.gov.lv"); len(u.SKUs) != 0 || u.UsageLocation != "" {
		t.Errorf("a failed assignment changed the user: %+v", u)
	}
	// The procurement completes: five more units.
	if err := tn.AddUnits("ENTERPRISEPACK", 5); err != nil {
		t.Fatal(err)
	}
	if n, _ := x.FreeLicences(ctx, ""); n != 5 {
		t.Fatalf("free after procurement = %d", n)
	}
	out, err := x.AssignLicence(ctx, nil, "c.c@lgia.gov.lv", "E3")
	if id := summaryID(t, out, err); id != "sbx.licence_assigned" {
		t.Fatalf("summary %s", id)
	}
	if n, _ := x.FreeLicences(ctx, "E3"); n != 4 {
		t.Fatalf("free = %d, want 4", n)
	}
	if err := tn.SetUnits("E3", 1); err != nil {
		t.Fatal(err)
	}
	if n, _ := x.FreeLicences(ctx, "E3"); n != 0 {
		t.Fatalf("free with fewer units than used = %d, want 0", n)
	}
	wantCode(t, tn.SetUnits("E9", 1), bot.EINVALID)
}

func TestRevokeLicence(t *testing.T) {
	tn, x := seeded(t)
	lgia := institution(t, "LGIA")
	ctx := t.Context()
	if _, err := tn.AssignLicence("janis.ozols@lgia.gov.lv", "EXO1"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user, sku string
		code, summary   string
		e3Consumed      int
	}{
		{"revoke held", "anna.berzina@lgia.gov.lv", "E3", "", "sbx.licence_revoked", 22},
		{"repeat is idempotent", "anna.berzina@lgia.gov.lv", "E3", "", "sbx.licence_not_assigned", 22},
		{"empty sku, one licence", "ilze.liepa@lgia.gov.lv", "", "", "sbx.licence_revoked", 22},
		{"empty sku, none", "ilze.liepa@lgia.gov.lv", "", "", "sbx.no_licences", 22},
		{"empty sku, several", "janis.ozols@lgia.gov.lv", "", bot.EINVALID, "", 22},
		{"named of several", "janis.ozols@lgia.gov.lv", "ENTERPRISEPACK", "", "sbx.licence_revoked", 21},
		{"unknown sku", "janis.ozols@lgia.gov.lv", "E9", bot.EINVALID, "", 21},
		{"unknown user", "nobody@lgia.gov.lv", "E3", bot.ENOTFOUND, "", 21},
		{"other institution", "maris.egle@vvd.gov.lv", "E3", bot.EFORBIDDEN, "", 21},
		{"domain not in tenant", "x@example.org", "E3", bot.EINVALID, "", 21},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := x.RevokeLicence(ctx, lgia, tc.user, tc.sku)
			wantCode(t, err, tc.code)
			if tc.code == "" {
				if id := summaryID(t, out, err); id != tc.summary {
					t.Errorf("summary %s, want %s", id, tc.summary)
				}
			}
			if s, _ := tn.SKU("E3"); s.Consumed != tc.e3Consumed {
				t.Errorf("E3 consumed %d, want %d", s.Consumed, tc.e3Consumed)
			}
		})
	}
	if u, _ := tn.User("anna.berzina@lgia.gov.lv"); slices.Contains(u.SKUs, SKUE3) {
		t.Errorf("anna still has E3: %v", u.SKUs)
	}
}

func TestCreateMailbox(t *testing.T) {
	tn, x := seeded(t)
	lgia := institution(t, "LGIA")
	ctx := t.Context()
	tests := []struct {
		name    string
		spec    bot.MailboxSpec
		code    string
		sku     string // licence the new user holds
		kind    string
		owner   string
		display string
	}{
		{name: "personal, default licence", spec: bot.MailboxSpec{Address: "Marta.Kalna@lgia.gov.lv", Kind: bot.MailboxPersonal},
			sku: SKUE3, kind: bot.MailboxPersonal, display: "Marta Kalna"},
		{name: "kind defaults to personal", spec: bot.MailboxSpec{Address: "uldis.vanags@lgia.gov.lv", DisplayName: "Uldis Vanags", SKU: "exchangestandard"},
			sku: SKUEXO1, kind: bot.MailboxPersonal, display: "Uldis Vanags"},
		{name: "technical with owner", spec: bot.MailboxSpec{Address: "kartes@lgia.gov.lv", DisplayName: "LGIA Kartes", Kind: bot.MailboxTechnical, Owner: "janis.ozols@lgia.gov.lv"},
			sku: SKUEXO1, kind: bot.MailboxTechnical, owner: "janis.ozols@lgia.gov.lv", display: "LGIA Kartes"},
		{name: "technical without owner", spec: bot.MailboxSpec{Address: "skeneris@lgia.gov.lv", Kind: bot.MailboxTechnical},
			sku: SKUEXO1, kind: bot.MailboxTechnical, display: "Skeneris"},
		{name: "taken by a user", spec: bot.MailboxSpec{Address: "anna.berzina@lgia.gov.lv"}, code: bot.ECONFLICT},
		{name: "taken by a shared mailbox", spec: bot.MailboxSpec{Address: "info@lgia.gov.lv"}, code: bot.ECONFLICT},
		{name: "repeat of a created one", spec: bot.MailboxSpec{Address: "marta.kalna@lgia.gov.lv"}, code: bot.ECONFLICT},
		{name: "pool empty", spec: bot.MailboxSpec{Address: "e1.user@lgia.gov.lv", SKU: "E1"}, code: bot.ENOLICENCE},
		{name: "unknown owner", spec: bot.MailboxSpec{Address: "x1@lgia.gov.lv", Kind: bot.MailboxTechnical, Owner: "ghost@lgia.gov.lv"}, code: bot.ENOTFOUND},
		{name: "owner of another institution", spec: bot.MailboxSpec{Address: "x2@lgia.gov.lv", Kind: bot.MailboxTechnical, Owner: "maris.egle@vvd.gov.lv"}, code: bot.EFORBIDDEN},
		{name: "bad kind", spec: bot.MailboxSpec{Address: "x3@lgia.gov.lv", Kind: "robot"}, code: bot.EINVALID},
		{name: "unknown licence", spec: bot.MailboxSpec{Address: "x4@lgia.gov.lv", SKU: "E4"}, code: bot.EINVALID},
		{name: "domain not in tenant", spec: bot.MailboxSpec{Address: "x@lgia.lv"}, code: bot.EINVALID},
		{name: "other institution", spec: bot.MailboxSpec{Address: "x@vvd.gov.lv"}, code: bot.EFORBIDDEN},
	}
	secrets := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := tn.SKUs()
			out, err := x.CreateMailbox(ctx, lgia, tc.spec)
			wantCode(t, err, tc.code)
			if tc.code != "" {
				if !slices.Equal(before, tn.SKUs()) {
					t.Errorf("a failed creation changed the pools")
				}
				if tc.code != bot.ECONFLICT {
					if _, err := tn.User(tc.spec.Address); bot.ErrorCode(err) != bot.ENOTFOUND {
						t.Errorf("a failed creation left a user behind")
					}
				}
				return
			}
			rendered := checkOutcome(t, out)
			if out.Summary.ID != "sbx.mailbox_created" || !out.Pending {
				t.Errorf("summary %s pending %v", out.Summary.ID, out.Pending)
			}
			checkPassword(t, out.Secret)
			if secrets[out.Secret] {
				t.Errorf("secret repeated")
			}
			secrets[out.Secret] = true
			for _, s := range rendered {
				if strings.Contains(s, out.Secret) {
					t.Errorf("the secret leaks into %q", s)
				}
			}
			for _, p := range append([]bot.Phrase{out.Summary}, out.Details...) {
				if strings.Contains(fmt.Sprint(p.Args), out.Secret) {
					t.Errorf("the secret is in the phrase args of %s", p.ID)
				}
			}
			u, err := tn.User(tc.spec.Address)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(u.SKUs, []string{tc.sku}) || u.Kind != tc.kind || u.Owner != tc.owner ||
				u.DisplayName != tc.display || u.UsageLocation != "LV" || !u.AccountEnabled || u.Mailbox.Ready {
				t.Errorf("user = %+v", u)
			}
			if !u.Created.Equal(testNow) || u.Mailbox.QuotaBytes == 0 {
				t.Errorf("created %v quota %d", u.Created, u.Mailbox.QuotaBytes)
			}
		})
	}
	// Default readiness: ready on the first poll.
	ready, err := x.MailboxReady(ctx, lgia, "marta.kalna@lgia.gov.lv")
	if err != nil || !ready {
		t.Fatalf("ready = %v, %v", ready, err)
	}
	ready, err = x.MailboxReady(ctx, lgia, "anna.berzina@lgia.gov.lv")
	if err != nil || !ready {
		t.Fatalf("seeded mailbox ready = %v, %v", ready, err)
	}
	_, err = x.MailboxReady(ctx, lgia, "nobody@lgia.gov.lv")
	wantCode(t, err, bot.ENOTFOUND)
	_, err = x.MailboxReady(ctx, lgia, "maris.egle@vvd.gov.lv")
	wantCode(t, err, bot.EFORBIDDEN)
}

func checkPassword(t *testing.T, pw string) {
	t.Helper()
	if len(pw) != PasswordLength {
		t.Fatalf("password %q has %d characters", pw, len(pw))
	}
	for _, class := range []string{pwUpper, pwLower, pwDigit, pwSymbol} {
		if !strings.ContainsAny(pw, class) {
			t.Errorf("password %q lacks one of %q", pw, class)
		}
	}
	for _, c := range pw {
		if !strings.ContainsRune(pwUpper+pwLower+pwDigit+pwSymbol, c) {
			t.Errorf("password %q has %q", pw, c)
		}
	}
}

func TestTempPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 500 {
		pw, err := TempPassword()
		if err != nil {
			t.Fatal(err)
		}
		checkPassword(t, pw)
		if seen[pw] {
			t.Fatalf("repeated password %q", pw)
		}
		seen[pw] = true
	}
}

func TestMailboxBeingPrepared(t *testing.T) {
	tests := []struct {
		name  string
		polls int
		delay time.Duration
		step  time.Duration // clock advance per poll
		want  []bool
	}{
		{"default: first poll", 0, 0, 0, []bool{true, true}},
		{"three polls", 3, 0, 0, []bool{false, false, true, true}},
		{"delay outlasts polls", 1, 10 * time.Minute, 4 * time.Minute, []bool{false, false, true, true}},
		{"polls outlast delay", 4, time.Minute, time.Minute, []bool{false, false, false, true, true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: testNow}
			tn := NewTenant()
			tn.Now = c.now
			tn.ReadyAfterPolls, tn.ReadyAfter = tc.polls, tc.delay
			tn.AddDomain("lgia.gov.lv")
			tn.AddSKU(SKU{Name: SKUE3, Enabled: 1})
			x := NewExchange(tn)
			out, err := x.CreateMailbox(t.Context(), nil, bot.MailboxSpec{Address: "jauns@lgia.gov.lv"})
			if err != nil || !out.Pending {
				t.Fatalf("%v %v", out, err)
			}
			var got []bool
			for range tc.want {
				c.advance(tc.step)
				r, err := x.MailboxReady(t.Context(), nil, "jauns@lgia.gov.lv")
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, r)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("ready = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSharedMailboxes(t *testing.T) {
	tn, x := seeded(t)
	lgia := institution(t, "LGIA")
	ctx := t.Context()
	const mb = "lietvediba@lgia.gov.lv"
	type step struct {
		name    string
		do      func() (*bot.Outcome, error)
		code    string
		summary string
	}
	steps := []step{
		{"create", func() (*bot.Outcome, error) { return x.CreateSharedMailbox(ctx, lgia, mb, "LGIA Lietvedība") }, "", "sbx.shared_created"},
		{"create again", func() (*bot.Outcome, error) { return x.CreateSharedMailbox(ctx, lgia, "Lietvediba@LGIA.gov.lv", "") }, "", "sbx.shared_exists"},
		{"create at a user's address", func() (*bot.Outcome, error) {
			return x.CreateSharedMailbox(ctx, lgia, "anna.berzina@lgia.gov.lv", "")
		}, bot.ECONFLICT, ""},
		{"create in a foreign domain", func() (*bot.Outcome, error) { return x.CreateSharedMailbox(ctx, lgia, "info@lgia.com", "") }, bot.EINVALID, ""},
		{"create for another institution", func() (*bot.Outcome, error) { return x.CreateSharedMailbox(ctx, lgia, "info@vvd.gov.lv", "") }, bot.EFORBIDDEN, ""},
		{"add full access", func() (*bot.Outcome, error) {
			return x.AddSharedMember(ctx, lgia, mb, "anna.berzina@lgia.gov.lv", bot.PermFullAccess)
		}, "", "sbx.member_added"},
		{"add full access again", func() (*bot.Outcome, error) {
			return x.AddSharedMember(ctx, lgia, mb, "anna.berzina@lgia.gov.lv", "")
		}, "", "sbx.member_already"},
		{"add send as", func() (*bot.Outcome, error) {
			return x.AddSharedMember(ctx, lgia, mb, "anna.berzina@lgia.gov.lv", bot.PermSendAs)
		}, "", "sbx.member_added"},
		{"add in Latvian words", func() (*bot.Outcome, error) {
			return x.AddSharedMember(ctx, lgia, mb, "janis.ozols@lgia.gov.lv", "pilna piekļuve")
		}, "", "sbx.member_added"},
		{"bad permission", func() (*bot.Outcome, error) {
			return x.AddSharedMember(ctx, lgia, mb, "janis.ozols@lgia.gov.lv", "owner")
		}, bot.EINVALID, ""},
		{"unknown mailbox", func() (*bot.Outcome, error) {
			return x.AddSharedMember(ctx, lgia, "nav@lgia.gov.lv", "janis.ozols@lgia.gov.lv", "")
		}, bot.ENOTFOUND, ""},
		{"unknown user", func() (*bot.Outcome, error) { return x.AddSharedMember(ctx, lgia, mb, "ghost@lgia.gov.lv", "") }, bot.ENOTFOUND, ""},
		{"user of another institution", func() (*bot.Outcome, error) {
			return x.AddSharedMember(ctx, lgia, mb, "maris.egle@vvd.gov.lv", "")
		}, bot.EFORBIDDEN, ""},
		{"remove send as", func() (*bot.Outcome, error) {
			return x.RemoveSharedMember(ctx, lgia, mb, "anna.berzina@lgia.gov.lv", bot.PermSendAs)
		}, "", "sbx.member_removed"},
		{"remove send as again", func() (*bot.Outcome, error) {
			return x.RemoveSharedMember(ctx, lgia, mb, "anna.berzina@lgia.gov.lv", bot.PermSendAs)
		}, "", "sbx.member_not_present"},
		{"remove all", func() (*bot.Outcome, error) {
			return x.RemoveSharedMember(ctx, lgia, mb, "janis.ozols@lgia.gov.lv", "")
		}, "", "sbx.member_removed_all"},
		{"remove all again", func() (*bot.Outcome, error) {
			return x.RemoveSharedMember(ctx, lgia, mb, "janis.ozols@lgia.gov.lv", "")
		}, "", "sbx.member_not_member"},
		{"remove from unknown mailbox", func() (*bot.Outcome, error) {
			return x.RemoveSharedMember(ctx, lgia, "nav@lgia.gov.lv", "janis.ozols@lgia.gov.lv", "")
		}, bot.ENOTFOUND, ""},
	}
	for _, s := range steps {
		out, err := s.do()
		if bot.ErrorCode(err) != s.code {
			t.Fatalf("%s: code %q, want %q (%v)", s.name, bot.ErrorCode(err), s.code, err)
		}
		if s.code != "" {
			checkPhrase(t, bot.ErrorPhrase(err))
			continue
		}
		if id := summaryID(t, out, err); id != s.summary {
			t.Fatalf("%s: summary %s, want %s", s.name, id, s.summary)
		}
	}
	members, err := x.SharedMembers(ctx, lgia, mb)
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.Member{{User: "anna.berzina@lgia.gov.lv", Permission: []string{bot.PermFullAccess}}}
	if fmt.Sprint(members) != fmt.Sprint(want) {
		t.Errorf("members %v, want %v", members, want)
	}
	members, err = x.SharedMembers(ctx, lgia, "info@lgia.gov.lv")
	if err != nil || len(members) != 3 || !slices.Equal(members[0].Permission, []string{bot.PermFullAccess, bot.PermSendAs}) {
		t.Errorf("seeded members %v, %v", members, err)
	}
	_, err = x.SharedMembers(ctx, lgia, "nav@lgia.gov.lv")
	wantCode(t, err, bot.ENOTFOUND)
	_, err = x.SharedMembers(ctx, lgia, "it@vraa.gov.lv")
	wantCode(t, err, bot.EFORBIDDEN)
	if s, err := tn.Shared(mb); err != nil || s.DisplayName != "LGIA Lietvedība" {
		t.Errorf("shared %+v %v", s, err)
	}
	// A shared mailbox answers MailboxReady and blocks a user mailbox.
	if ok, err := x.MailboxReady(ctx, lgia, mb); !ok || err != nil {
		t.Errorf("shared ready %v %v", ok, err)
	}
}

func TestSpamLists(t *testing.T) {
	_, x := seeded(t)
	lgia, vvd := institution(t, "LGIA"), institution(t, "VVD")
	ctx := t.Context()
	tests := []struct {
		name    string
		inst    *bot.Institution
		sender  string
		allow   bool
		code    string
		summary string
		detail  string
	}{
		{"allow a domain", lgia, "Partneris.LV", true, "", "sbx.sender_allowed", ""},
		{"allow again", lgia, "partneris.lv", true, "", "sbx.sender_already_allowed", ""},
		{"block it: moves", lgia, "partneris.lv", false, "", "sbx.sender_blocked", "sbx.sender_unallowed"},
		{"block again", lgia, "partneris.lv", false, "", "sbx.sender_already_blocked", ""},
		{"allow it back: moves", lgia, "partneris.lv", true, "", "sbx.sender_allowed", "sbx.sender_unblocked"},
		{"block an address", lgia, "<Spams@Example.com>", false, "", "sbx.sender_blocked", ""},
		{"same address for VVD", vvd, "spams@example.com", true, "", "sbx.sender_allowed", ""},
		{"not a sender", lgia, "not a domain", true, bot.EINVALID, "", ""},
		{"bad address", lgia, "a@@b", false, bot.EINVALID, "", ""},
		{"no institution", nil, "example.com", true, bot.EINVALID, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out *bot.Outcome
			var err error
			if tc.allow {
				out, err = x.AllowSender(ctx, tc.inst, tc.sender)
			} else {
				out, err = x.BlockSender(ctx, tc.inst, tc.sender)
			}
			wantCode(t, err, tc.code)
			if tc.code != "" {
				return
			}
			if id := summaryID(t, out, err); id != tc.summary {
				t.Errorf("summary %s, want %s", id, tc.summary)
			}
			if tc.detail != "" && !hasDetail(out, tc.detail) {
				t.Errorf("details %v lack %s", out.Details, tc.detail)
			}
			if tc.detail == "" && len(out.Details) > 0 {
				t.Errorf("unexpected details %v", out.Details)
			}
		})
	}
	l, err := x.SpamLists(ctx, lgia)
	if err != nil {
		t.Fatal(err)
	}
	wantL := bot.SpamList{
		Allowed: []string{"jaunumi@kartes.lv", "partneris.lv", "vzd.gov.lv"},
		Blocked: []string{"lotereja-balva.com", "rekini@bank-verify-lv.com", "spams@example.com"},
	}
	if fmt.Sprint(*l) != fmt.Sprint(wantL) {
		t.Errorf("LGIA lists %v, want %v", *l, wantL)
	}
	v, err := x.SpamLists(ctx, vvd)
	if err != nil {
		t.Fatal(err)
	}
	wantV := bot.SpamList{Allowed: []string{"spams@example.com"}, Blocked: []string{"akcijas-tev.com"}}
	if fmt.Sprint(*v) != fmt.Sprint(wantV) {
		t.Errorf("VVD lists %v, want %v", *v, wantV)
	}
	e, err := x.SpamLists(ctx, institution(t, "VRAA"))
	if err != nil || e.Allowed == nil || e.Blocked == nil || len(e.Allowed)+len(e.Blocked) != 0 {
		t.Errorf("VRAA lists %+v %v", e, err)
	}
	_, err = x.SpamLists(ctx, nil)
	wantCode(t, err, bot.EINVALID)
	// A returned list is a copy.
	l.Allowed[0] = "changed"
	if l2, _ := x.SpamLists(ctx, lgia); l2.Allowed[0] == "changed" {
		t.Error("SpamLists shares its slices")
	}
}

func TestAccountReport(t *testing.T) {
	tn, x := seeded(t)
	ctx := t.Context()
	out, err := x.AccountReport(ctx, institution(t, "LGIA"))
	if id := summaryID(t, out, err); id != "sbx.report_summary" {
		t.Fatalf("summary %s", id)
	}
	if len(out.Files) != 1 {
		t.Fatalf("files %d", len(out.Files))
	}
	f := out.Files[0]
	if f.Name != "konti-LGIA-2026-11-26.csv" || !strings.HasPrefix(f.Mime, "text/csv") {
		t.Errorf("file %s %s", f.Name, f.Mime)
	}
	data, ok := bytes.CutPrefix(f.Data, []byte("\ufeff"))
	if !ok {
		t.Error("no UTF-8 byte order mark")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = ';' // Latvian Excel's list separator
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], reportHeader(bot.LV)) || rows[0][1] != "Vārds" {
		t.Errorf("header %v", rows[0])
	}
	var upns []string
	byUPN := map[string][]string{}
	for _, r := range rows[1:] {
		upns = append(upns, r[0])
		byUPN[r[0]] = r
		if len(r) != len(rows[0]) {
			t.Errorf("row %v", r)
		}
	}
	want := []string{"anna.berzina@lgia.gov.lv", "gramatvediba@lgia.gov.lv", "ilze.liepa@lgia.gov.lv",
		"janis.ozols@lgia.gov.lv", "liga.zarina@lgia.gov.lv", "peteris.kalnins@lgia.gov.lv"}
	if !slices.Equal(upns, want) {
		t.Errorf("rows %v, want %v", upns, want)
	}
	anna := byUPN["anna.berzina@lgia.gov.lv"]
	if anna[1] != "Anna Bērziņa" || anna[2] != "jā" || anna[3] != "2019-03-11" || anna[4] != "E3" || anna[6] != "102400" || anna[8] == "" {
		t.Errorf("anna %v", anna)
	}
	if l := byUPN["liga.zarina@lgia.gov.lv"]; l[2] != "nē" {
		t.Errorf("liga %v", l)
	}
	if p := byUPN["peteris.kalnins@lgia.gov.lv"]; p[4] != "" || p[8] != "" {
		t.Errorf("peteris %v", p)
	}
	if a := out.Summary.Args; a["Total"] != 6 || a["Enabled"] != 5 || a["Licensed"] != 5 || a["Institution"] != "LGIA" {
		t.Errorf("summary args %v", a)
	}
	if !hasDetail(out, "sbx.report_near_quota") || !strings.Contains(out.Details[0].Render(bot.LV), "ilze.liepa@lgia.gov.lv") {
		t.Errorf("details %v", out.Details)
	}
	// VVD's report: its own users only, with the idle one named.
	out, err = x.AccountReport(ctx, institution(t, "VVD"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(out.Files[0].Data, []byte("\n")); n != 4 {
		t.Errorf("VVD report has %d lines", n)
	}
	if bytes.Contains(out.Files[0].Data, []byte("lgia.gov.lv")) {
		t.Error("VVD report shows LGIA users")
	}
	if !hasDetail(out, "sbx.report_inactive") {
		t.Errorf("details %v", out.Details)
	}
	_, err = x.AccountReport(ctx, nil)
	wantCode(t, err, bot.EINVALID)
	// An institution with no users gets a header only.
	out, err = x.AccountReport(ctx, &bot.Institution{Code: "DAP", Domains: []string{"daba.gov.lv"}})
	if err != nil || out.Summary.Args["Total"] != 0 || bytes.Count(out.Files[0].Data, []byte("\n")) != 1 {
		t.Errorf("empty report %v %v", out, err)
	}
	_ = tn
}

func TestFreeLicences(t *testing.T) {
	_, x := seeded(t)
	tests := []struct {
		sku  string
		want int
		code string
	}{
		{"", 2, ""}, {"E3", 2, ""}, {"enterprisepack", 2, ""}, {"E1", 0, ""}, {"STANDARDPACK", 0, ""},
		{"EXO1", 8, ""}, {"Exchange Online (Plan 1)", 8, ""}, {"E5", 2, ""}, {"KIOSK", 4, ""},
		{"SPE_F1", 0, ""}, {"6fd2c87f-b296-42f0-b197-1e91e994b900", 2, ""}, {"E2", 0, bot.EINVALID},
	}
	for _, tc := range tests {
		n, err := x.FreeLicences(t.Context(), tc.sku)
		if bot.ErrorCode(err) != tc.code || n != tc.want {
			t.Errorf("FreeLicences(%q) = %d, %v; want %d, %q", tc.sku, n, err, tc.want, tc.code)
		}
	}
}

// exchangeCalls calls every operation once, for fault tests.
func exchangeCalls(x *Exchange, inst *bot.Institution) map[string]func(context.Context) error {
	ign := func(_ any, err error) error { return err }
	n := 0
	return map[string]func(context.Context) error{
		"AssignLicence": func(ctx context.Context) error {
			return ign(x.AssignLicence(ctx, inst, "anna.berzina@lgia.gov.lv", "E3"))
		},
		"RevokeLicence": func(ctx context.Context) error {
			return ign(x.RevokeLicence(ctx, inst, "anna.berzina@lgia.gov.lv", "E5"))
		},
		"CreateMailbox": func(ctx context.Context) error {
			n++
			return ign(x.CreateMailbox(ctx, inst, bot.MailboxSpec{Address: fmt.Sprintf("jauns%d@lgia.gov.lv", n), SKU: "EXO1"}))
		},
		"MailboxReady":        func(ctx context.Context) error { return ign(x.MailboxReady(ctx, inst, "anna.berzina@lgia.gov.lv")) },
		"CreateSharedMailbox": func(ctx context.Context) error { return ign(x.CreateSharedMailbox(ctx, inst, "info@lgia.gov.lv", "")) },
		"AddSharedMember": func(ctx context.Context) error {
			return ign(x.AddSharedMember(ctx, inst, "info@lgia.gov.lv", "anna.berzina@lgia.gov.lv", ""))
		},
		"RemoveSharedMember": func(ctx context.Context) error {
			return ign(x.RemoveSharedMember(ctx, inst, "info@lgia.gov.lv", "peteris.kalnins@lgia.gov.lv", ""))
		},
		"SharedMembers": func(ctx context.Context) error { return ign(x.SharedMembers(ctx, inst, "info@lgia.gov.lv")) },
		"AllowSender":   func(ctx context.Context) error { return ign(x.AllowSender(ctx, inst, "vzd.gov.lv")) },
		"BlockSender":   func(ctx context.Context) error { return ign(x.BlockSender(ctx, inst, "lotereja-balva.com")) },
		"SpamLists":     func(ctx context.Context) error { return ign(x.SpamLists(ctx, inst)) },
		"AccountReport": func(ctx context.Context) error { return ign(x.AccountReport(ctx, inst)) },
		"FreeLicences":  func(ctx context.Context) error { return ign(x.FreeLicences(ctx, "E3")) },
	}
}

func TestExchangeFaults(t *testing.T) {
	tn, x := seeded(t)
	lgia := institution(t, "LGIA")
	calls := exchangeCalls(x, lgia)
	for op, call := range calls {
		t.Run(op, func(t *testing.T) {
			if err := call(t.Context()); err != nil {
				t.Fatalf("healthy call failed: %v", err)
			}
			tn.FailNext(op, Throttled(30*time.Second))
			err := call(t.Context())
			wantCode(t, err, bot.EUNAVAILABLE)
			var te *ThrottleError
			if !errors.As(err, &te) || te.RetryAfter != 30*time.Second || !bot.IsTemporary(err) {
				t.Errorf("err %v", err)
			}
			if !strings.Contains(bot.UserMessage(err, bot.LV), "30 s") {
				t.Errorf("message %q", bot.UserMessage(err, bot.LV))
			}
			if err := call(t.Context()); err != nil {
				t.Errorf("the fault outlived one call: %v", err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			err = call(ctx)
			wantCode(t, err, bot.EUNAVAILABLE)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled: %v", err)
			}
		})
	}
	// "*" fails whichever call comes next, in order.
	tn.FailNext("*", bot.Errorf(bot.EUNAVAILABLE, "sbx.exchange_down", "Detail", ""))
	tn.FailNext("FreeLicences", Throttled(time.Second))
	if _, err := x.FreeLicences(t.Context(), ""); !errors.As(err, new(*ThrottleError)) {
		t.Errorf("op-specific fault first: %v", err)
	}
	if _, err := x.SpamLists(t.Context(), lgia); bot.ErrorCode(err) != bot.EUNAVAILABLE {
		t.Errorf("wildcard fault: %v", err)
	}
	if _, err := x.SpamLists(t.Context(), lgia); err != nil {
		t.Errorf("after faults: %v", err)
	}
}

func TestExchangeHealth(t *testing.T) {
	tn, x := seeded(t)
	lgia := institution(t, "LGIA")
	h, err := x.Health(t.Context())
	if err != nil || !h.Up || h.Status != HealthOperational || h.Service != "Exchange Online" || !h.At.Equal(testNow) {
		t.Fatalf("health %+v %v", h, err)
	}
	tn.SetHealth(HealthDegraded, "Lēna pasta piegāde")
	h, _ = x.Health(t.Context())
	if !h.Up || h.Status != HealthDegraded || h.Detail != "Lēna pasta piegāde" {
		t.Errorf("degraded %+v", h)
	}
	if _, err := x.AssignLicence(t.Context(), lgia, "anna.berzina@lgia.gov.lv", "E3"); err != nil {
		t.Errorf("degraded service refuses: %v", err)
	}
	tn.SetHealth(HealthInterrupted, "EX123456")
	h, err = x.Health(t.Context())
	if err != nil || h.Up || h.Status != HealthInterrupted {
		t.Errorf("interrupted %+v %v", h, err)
	}
	for op, call := range exchangeCalls(x, lgia) {
		err := call(t.Context())
		if bot.ErrorCode(err) != bot.EUNAVAILABLE || !strings.Contains(bot.UserMessage(err, bot.EN), "EX123456") {
			t.Errorf("%s during an interruption: %v", op, err)
		}
	}
	tn.SetHealth(HealthOperational, "")
	tn.FailNext("Health", bot.Errorf(bot.EUNAVAILABLE, "sbx.exchange_down", "Detail", ""))
	if _, err := x.Health(t.Context()); bot.ErrorCode(err) != bot.EUNAVAILABLE {
		t.Errorf("health fault: %v", err)
	}
	for op, call := range exchangeCalls(x, lgia) {
		if err := call(t.Context()); err != nil {
			t.Errorf("%s after recovery: %v", op, err)
		}
	}
}

func TestConcurrentAssignNeverOverConsumes(t *testing.T) {
	const units, users = 10, 60
	tn := NewTenant()
	tn.AddDomain("lgia.gov.lv")
	tn.AddSKU(SKU{Name: SKUE3, Enabled: units})
	x := NewExchange(tn)
	for i := range users {
		if err := tn.AddUser(User{UPN: fmt.Sprintf("u%02d@lgia.gov.lv", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	for i := range users {
		for range 3 { // each user asked three times at once
			wg.Go(func() {
				_, err := x.AssignLicence(t.Context(), nil, fmt.Sprintf("u%02d@lgia.gov.lv", i), "E3")
				mu.Lock()
				codes[bot.ErrorCode(err)]++
				mu.Unlock()
			})
		}
		wg.Go(func() { _, _ = x.FreeLicences(t.Context(), "E3") })
		wg.Go(func() {
			_, _ = x.AccountReport(t.Context(), &bot.Institution{Code: "LGIA", Domains: []string{"lgia.gov.lv"}})
		})
	}
	wg.Wait()
	s, _ := tn.SKU("E3")
	holders := 0
	for _, u := range tn.Users() {
		if slices.Contains(u.SKUs, SKUE3) {
			holders++
		}
	}
	if s.Consumed != units || holders != units {
		t.Fatalf("consumed %d, holders %d, want %d", s.Consumed, holders, units)
	}
	if codes[""]+codes[bot.ENOLICENCE] != 3*users || codes[""] < units {
		t.Errorf("codes %v", codes)
	}
	// Revoke and assign at once: the pool stays consistent.
	for i := range users {
		upn := fmt.Sprintf("u%02d@lgia.gov.lv", i)
		wg.Go(func() { _, _ = x.RevokeLicence(t.Context(), nil, upn, "E3") })
		wg.Go(func() { _, _ = x.AssignLicence(t.Context(), nil, upn, "E3") })
	}
	wg.Wait()
	s, _ = tn.SKU("E3")
	holders = 0
	for _, u := range tn.Users() {
		if slices.Contains(u.SKUs, SKUE3) {
			holders++
		}
	}
	if s.Consumed != holders || s.Consumed > units {
		t.Fatalf("after churn: consumed %d, holders %d", s.Consumed, holders)
	}
}

func TestConcurrentCreateMailbox(t *testing.T) {
	tn := NewTenant()
	tn.AddDomain("lgia.gov.lv")
	tn.AddSKU(SKU{Name: SKUE3, Enabled: 100})
	x := NewExchange(tn)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 20 {
		wg.Go(func() {
			_, err := x.CreateMailbox(t.Context(), nil, bot.MailboxSpec{Address: "viens@lgia.gov.lv"})
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			} else if bot.ErrorCode(err) != bot.ECONFLICT {
				t.Errorf("err %v", err)
			}
		})
	}
	wg.Wait()
	if s, _ := tn.SKU("E3"); ok != 1 || s.Consumed != 1 {
		t.Fatalf("created %d times, consumed %d", ok, s.Consumed)
	}
}
