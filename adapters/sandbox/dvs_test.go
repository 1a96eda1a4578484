package sandbox

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"itbot/bot"
)

func TestGrantRole(t *testing.T) {
	st, d := seededDVS(t)
	lgia := institution(t, "LGIA")
	tests := []struct {
		name, user, role string
		inst             *bot.Institution
		code, summary    string
		created          bool
		roles            []string // afterwards
	}{
		{"grant", "anna.berzina@lgia.gov.lv", "vaditajs", lgia, "", "sbx.dvs_role_granted", false, []string{RoleClerk, RoleManager}},
		{"grant again", "anna.berzina@lgia.gov.lv", "vaditajs", lgia, "", "sbx.dvs_role_already", false, []string{RoleClerk, RoleManager}},
		{"Latvian spelling, feminine", "Anna.Berzina@lgia.gov.lv", "Vadītāja", lgia, "", "sbx.dvs_role_already", false, []string{RoleClerk, RoleManager}},
		{"English word", "anna.berzina@lgia.gov.lv", "archivist", lgia, "", "sbx.dvs_role_granted", false, []string{RoleClerk, RoleManager, RoleArchivist}},
		{"unknown user is provisioned", "marta.kalna@lgia.gov.lv", "lasitajs", lgia, "", "sbx.dvs_role_granted", true, []string{RoleReader}},
		{"unknown role", "anna.berzina@lgia.gov.lv", "superuser", lgia, bot.EINVALID, "", false, nil},
		{"another institution's user", "maris.egle@vvd.gov.lv", "lasitajs", lgia, bot.EFORBIDDEN, "", false, nil},
		{"institution not in the DVS", "edgars.vitols@vid.gov.lv", "lasitajs", institution(t, "VID"), bot.ENOTFOUND, "", false, nil},
		{"no institution", "anna.berzina@lgia.gov.lv", "lasitajs", nil, bot.EINVALID, "", false, nil},
		{"malformed address", "anna", "lasitajs", lgia, bot.EINVALID, "", false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := d.GrantRole(t.Context(), tc.inst, tc.user, tc.role)
			wantCode(t, err, tc.code)
			if tc.code != "" {
				return
			}
			if id := summaryID(t, out, err); id != tc.summary {
				t.Errorf("summary %s, want %s", id, tc.summary)
			}
			if hasDetail(out, "sbx.dvs_user_created") != tc.created {
				t.Errorf("created detail: %v", out.Details)
			}
			u, err := st.User("LGIA", tc.user)
			if err != nil || !slices.Equal(u.Roles, tc.roles) || u.Provisioned != tc.created {
				t.Errorf("user %+v %v, want roles %v", u, err, tc.roles)
			}
		})
	}
	_, err := d.GrantRole(t.Context(), lgia, "anna.berzina@lgia.gov.lv", "superuser")
	en := bot.UserMessage(err, bot.EN)
	for _, r := range DVSRoles() {
		if !strings.Contains(en, r) {
			t.Errorf("%q does not list %s", en, r)
		}
	}
	lv, _ := render(t, bot.P("sbx.dvs_role_granted", append([]any{"User", "x"}, roleArgs(RoleManager)...)...))
	if !strings.Contains(lv, "vadītājs") {
		t.Errorf("role label %q", lv)
	}
}

func TestRevokeRole(t *testing.T) {
	st, d := seededDVS(t)
	lgia := institution(t, "LGIA")
	tests := []struct {
		name, user, role string
		code, summary    string
		roles            []string
	}{
		{"revoke", "janis.ozols@lgia.gov.lv", "lasitajs", "", "sbx.dvs_role_revoked", []string{RoleManager}},
		{"revoke again", "janis.ozols@lgia.gov.lv", "lasītājs", "", "sbx.dvs_role_not_held", []string{RoleManager}},
		{"revoke all", "ilze.liepa@lgia.gov.lv", "", "", "sbx.dvs_roles_revoked_all", nil},
		{"revoke all again", "ilze.liepa@lgia.gov.lv", " ", "", "sbx.dvs_no_roles", nil},
		{"unknown role", "janis.ozols@lgia.gov.lv", "boss", bot.EINVALID, "", []string{RoleManager}},
		{"unknown user", "marta.kalna@lgia.gov.lv", "lasitajs", bot.ENOTFOUND, "", nil},
		{"another institution's user", "maris.egle@vvd.gov.lv", "vaditajs", bot.EFORBIDDEN, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := d.RevokeRole(t.Context(), lgia, tc.user, tc.role)
			wantCode(t, err, tc.code)
			if tc.code == "" {
				if id := summaryID(t, out, err); id != tc.summary {
					t.Errorf("summary %s, want %s", id, tc.summary)
				}
			}
			if u, err := st.User("LGIA", tc.user); err == nil && !slices.Equal(u.Roles, tc.roles) {
				t.Errorf("roles %v, want %v", u.Roles, tc.roles)
			}
		})
	}
	out, _ := d.RevokeRole(t.Context(), lgia, "anna.berzina@lgia.gov.lv", "")
	lv, en := render(t, out.Summary)
	if !strings.Contains(lv, "lietvedis") || !strings.Contains(en, "records clerk") {
		t.Errorf("revoked all: %q / %q", lv, en)
	}
	if _, en := render(t, out.Details[0]); !strings.Contains(en, "—") {
		t.Errorf("roles now: %q", en)
	}
}

func TestDVSUsers(t *testing.T) {
	_, d := seededDVS(t)
	us, err := d.Users(t.Context(), institution(t, "LGIA"))
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.DVSUser{
		{User: "anna.berzina@lgia.gov.lv", Roles: []string{RoleClerk}},
		{User: "ilze.liepa@lgia.gov.lv", Roles: []string{RoleReader, RoleArchivist}},
		{User: "janis.ozols@lgia.gov.lv", Roles: []string{RoleManager, RoleReader}},
		{User: "liga.zarina@lgia.gov.lv", Roles: []string{RoleReader}},
	}
	if !reflect.DeepEqual(us, want) {
		t.Errorf("users %v, want %v", us, want)
	}
	us[0].Roles[0] = "changed"
	if again, _ := d.Users(t.Context(), institution(t, "LGIA")); again[0].Roles[0] == "changed" {
		t.Error("Users shares its slices")
	}
	vvd, err := d.Users(t.Context(), institution(t, "VVD"))
	if err != nil || len(vvd) != 2 {
		t.Errorf("VVD users %v %v", vvd, err)
	}
	_, err = d.Users(t.Context(), institution(t, "VID"))
	wantCode(t, err, bot.ENOTFOUND)
	// An institution without a DVS org id is looked up by its code.
	us, err = d.Users(t.Context(), &bot.Institution{Code: "lgia"})
	if err != nil || len(us) != 4 {
		t.Errorf("by code: %v %v", us, err)
	}
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestBackups(t *testing.T) {
	st, d := seededDVS(t)
	c := &clock{t: testNow.AddDate(0, 0, -60)}
	st.Now = c.now
	lgia := institution(t, "LGIA")
	statuses := map[string]int{}
	for ; c.t.Before(testNow); c.advance(7 * time.Hour) {
		bs, err := d.Backups(t.Context(), lgia)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := d.Backups(t.Context(), lgia)
		if !reflect.DeepEqual(bs, again) {
			t.Fatal("backups are not deterministic")
		}
		if len(bs) != backupKeepDays {
			t.Fatalf("%d backups at %v", len(bs), c.t)
		}
		for i, b := range bs {
			statuses[b.Status]++
			start := b.StartedAt.In(bot.TimeZone)
			if start.Hour() != 1 || start.Minute() != 30 || start.After(c.t) {
				t.Errorf("%s started %v (now %v)", b.ID, start, c.t)
			}
			if i > 0 && !day(bs[i-1].StartedAt).AddDate(0, 0, -1).Equal(day(b.StartedAt)) {
				t.Errorf("backup %d is not the night before %d", i, i-1)
			}
			if !strings.HasPrefix(b.ID, "lgia-") || b.SizeBytes <= 0 {
				t.Errorf("backup %+v", b)
			}
			switch b.Status {
			case "running":
				if i != 0 || !b.FinishedAt.IsZero() || b.SHA256 != "" {
					t.Errorf("running %d %+v", i, b)
				}
			case "succeeded":
				if !hex64.MatchString(b.SHA256) || !b.FinishedAt.After(b.StartedAt) {
					t.Errorf("succeeded %+v", b)
				}
				verifyAt := day(b.StartedAt).Add(verifyHour * time.Hour)
				if pending := c.t.Before(verifyAt); pending != (b.Verified == "pending") {
					t.Errorf("verification %q at %v for %v", b.Verified, c.t, b.StartedAt)
				}
				if !slices.Contains([]string{"pending", "verified", "failed"}, b.Verified) {
					t.Errorf("verified %q", b.Verified)
				}
			case "failed":
				if b.SHA256 != "" || b.Verified != "" || b.FinishedAt.IsZero() {
					t.Errorf("failed %+v", b)
				}
			default:
				t.Errorf("status %q", b.Status)
			}
		}
	}
	for _, s := range []string{"running", "succeeded", "failed"} {
		if statuses[s] == 0 {
			t.Errorf("no %s backup in two months: %v", s, statuses)
		}
	}
	// A young organisation has only the nights since it started.
	st.AddOrg(DVSOrg{ID: "JAUNA", Since: testNow.AddDate(0, 0, -3)})
	st.Now = func() time.Time { return testNow }
	bs, err := d.Backups(t.Context(), &bot.Institution{Code: "X", DVSOrgID: "jauna"})
	if err != nil || len(bs) != 4 {
		t.Errorf("young org: %d backups, %v", len(bs), err)
	}
	_, err = d.Backups(t.Context(), institution(t, "VID"))
	wantCode(t, err, bot.ENOTFOUND)
}

func TestExport(t *testing.T) {
	st, d := seededDVS(t)
	lgia := institution(t, "LGIA")
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC)
	run := func() (*bot.Outcome, [][2]int) {
		var calls [][2]int
		out, err := d.Export(t.Context(), lgia, from, to, func(done, total int) { calls = append(calls, [2]int{done, total}) })
		if err != nil {
			t.Fatal(err)
		}
		return out, calls
	}
	out, calls := run()
	if id := summaryID(t, out, nil); id != "sbx.dvs_export_done" {
		t.Fatalf("summary %s", id)
	}
	total := calls[0][1]
	// 64 working days at about 45 documents, a few at weekends.
	if total < 64*45*7/10 || total > 64*45*13/10+26*2 {
		t.Errorf("total %d", total)
	}
	if calls[0][0] != 0 || calls[len(calls)-1] != [2]int{total, total} || len(calls) < 10 {
		t.Errorf("progress %v", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] || calls[i][1] != total {
			t.Errorf("progress not monotonic: %v", calls)
		}
	}
	if out.Summary.Args["Count"] != total || out.Summary.Args["From"] != "2025-01-01" || out.Summary.Args["To"] != "2025-03-31" {
		t.Errorf("summary args %v", out.Summary.Args)
	}
	loc := out.Details[0].Args["Location"].(string)
	if !regexp.MustCompile(`^dvs://exports/[a-z0-9-]+\.zip$`).MatchString(loc) {
		t.Errorf("location %q", loc)
	}
	if sha := out.Details[1].Args["SHA256"].(string); !hex64.MatchString(sha) {
		t.Errorf("sha %q", sha)
	}
	out2, calls2 := run()
	if calls2[0][1] != total {
		t.Errorf("document count not deterministic: %d, %d", total, calls2[0][1])
	}
	if out2.Details[0].Args["Location"] == loc {
		t.Error("two exports share a location")
	}
	ex := st.Exports()
	if len(ex) != 2 || ex[0].Documents != total || ex[0].Location != loc || ex[0].Org != "LGIA" {
		t.Errorf("exports %+v", ex)
	}
	// A longer period has more documents; a period reaching into the future
	// counts up to today; nil progress is fine.
	n, _ := st.Documents("LGIA", from, to.AddDate(0, 3, 0))
	m, _ := st.Documents("LGIA", from, testNow.AddDate(1, 0, 0))
	m2, _ := st.Documents("LGIA", from, testNow)
	if n <= total || m != m2 {
		t.Errorf("documents %d %d %d", n, m, m2)
	}
	if _, err := d.Export(t.Context(), lgia, to, to, nil); err != nil {
		t.Errorf("nil progress: %v", err)
	}
}

func TestExportEdges(t *testing.T) {
	_, d := seededDVS(t)
	lgia := institution(t, "LGIA")
	day := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	tests := []struct {
		name     string
		from, to time.Time
		code     string
		summary  string
	}{
		{"before the DVS", day("2010-01-01"), day("2010-12-31"), "", "sbx.dvs_export_empty"},
		{"end before start", day("2025-02-01"), day("2025-01-01"), bot.EINVALID, ""},
		{"no dates", time.Time{}, time.Time{}, bot.EINVALID, ""},
		{"one day", day("2025-01-02"), day("2025-01-02"), "", "sbx.dvs_export_done"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls [][2]int
			out, err := d.Export(t.Context(), lgia, tc.from, tc.to, func(a, b int) { calls = append(calls, [2]int{a, b}) })
			wantCode(t, err, tc.code)
			if tc.code != "" {
				return
			}
			if id := summaryID(t, out, err); id != tc.summary {
				t.Errorf("summary %s", id)
			}
			last := calls[len(calls)-1]
			if last[0] != last[1] {
				t.Errorf("progress ends at %v", last)
			}
		})
	}
	_, err := d.Export(t.Context(), institution(t, "VID"), day("2025-01-01"), day("2025-01-31"), nil)
	wantCode(t, err, bot.ENOTFOUND)
}

func TestExportCancel(t *testing.T) {
	st, d := seededDVS(t)
	lgia := institution(t, "LGIA")
	from, to := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	ctx, cancel := context.WithCancel(t.Context())
	var last int
	_, err := d.Export(ctx, lgia, from, to, func(done, total int) {
		last = done
		if done > 0 {
			cancel()
		}
	})
	wantCode(t, err, bot.EUNAVAILABLE)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v", err)
	}
	if last == 0 || len(st.Exports()) != 0 {
		t.Errorf("stopped at %d, exports %d", last, len(st.Exports()))
	}
	// A slow export stops at its deadline.
	st.ExportStepDelay = time.Hour
	ctx, cancel = context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err = d.Export(ctx, lgia, from, to, nil)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(begin) > 5*time.Second {
		t.Errorf("deadline: %v after %v", err, time.Since(begin))
	}
}

// dvsCalls calls every DVS operation once, for fault tests.
func dvsCalls(d *DVS, inst *bot.Institution) map[string]func(context.Context) error {
	ign := func(_ any, err error) error { return err }
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	return map[string]func(context.Context) error{
		"GrantRole": func(ctx context.Context) error {
			return ign(d.GrantRole(ctx, inst, "anna.berzina@lgia.gov.lv", RoleClerk))
		},
		"RevokeRole": func(ctx context.Context) error {
			return ign(d.RevokeRole(ctx, inst, "anna.berzina@lgia.gov.lv", RoleAdmin))
		},
		"Users":   func(ctx context.Context) error { return ign(d.Users(ctx, inst)) },
		"Backups": func(ctx context.Context) error { return ign(d.Backups(ctx, inst)) },
		"Export":  func(ctx context.Context) error { return ign(d.Export(ctx, inst, from, from.AddDate(0, 0, 6), nil)) },
	}
}

func TestDVSFaultsAndHealth(t *testing.T) {
	st, d := seededDVS(t)
	lgia := institution(t, "LGIA")
	for op, call := range dvsCalls(d, lgia) {
		t.Run(op, func(t *testing.T) {
			st.FailNext(op, bot.Errorf(bot.EUNAVAILABLE, "sbx.dvs_down", "Detail", "502"))
			wantCode(t, call(t.Context()), bot.EUNAVAILABLE)
			if err := call(t.Context()); err != nil {
				t.Errorf("after the fault: %v", err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			if err := call(ctx); !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled: %v", err)
			}
		})
	}
	h, err := d.Health(t.Context())
	if err != nil || !h.Up || h.Service != "DVS" || h.Status != "operational" {
		t.Errorf("health %+v %v", h, err)
	}
	st.SetHealth(false, "plānota apkope līdz 22:00")
	h, err = d.Health(t.Context())
	if err != nil || h.Up || h.Status != "unavailable" || h.Detail == "" {
		t.Errorf("down %+v %v", h, err)
	}
	for op, call := range dvsCalls(d, lgia) {
		err := call(t.Context())
		wantCode(t, err, bot.EUNAVAILABLE)
		if !strings.Contains(bot.UserMessage(err, bot.LV), "apkope") {
			t.Errorf("%s: %q", op, bot.UserMessage(err, bot.LV))
		}
	}
	st.SetHealth(true, "")
	st.FailNext("Health", bot.Errorf(bot.EUNAVAILABLE, "sbx.dvs_down", "Detail", ""))
	if _, err := d.Health(t.Context()); bot.ErrorCode(err) != bot.EUNAVAILABLE {
		t.Errorf("health fault %v", err)
	}
	for op, call := range dvsCalls(d, lgia) {
		if err := call(t.Context()); err != nil {
			t.Errorf("%s after recovery: %v", op, err)
		}
	}
}

func TestDVSConcurrent(t *testing.T) {
	st, d := seededDVS(t)
	lgia := institution(t, "LGIA")
	var wg sync.WaitGroup
	for i := range 40 {
		user := fmt.Sprintf("u%02d@lgia.gov.lv", i%10)
		role := DVSRoles()[i%len(DVSRoles())]
		wg.Go(func() { _, _ = d.GrantRole(t.Context(), lgia, user, role) })
		wg.Go(func() { _, _ = d.Users(t.Context(), lgia) })
		wg.Go(func() { _, _ = d.Backups(t.Context(), lgia) })
	}
	wg.Wait()
	for i := range 10 {
		u, err := st.User("LGIA", fmt.Sprintf("u%02d@lgia.gov.lv", i))
		if err != nil || len(u.Roles) == 0 || !u.Provisioned {
			t.Errorf("u%02d: %+v %v", i, u, err)
		}
	}
}

func TestDVSRestore(t *testing.T) {
	st, d := seededDVS(t)
	lgia := institution(t, "LGIA")
	bs, err := d.Backups(t.Context(), lgia)
	if err != nil {
		t.Fatal(err)
	}
	var good, bad string
	for _, b := range bs {
		if good == "" && b.Status == "succeeded" && b.Verified == "verified" {
			good = b.ID
		}
		if bad == "" && (b.Status == "failed" || b.Verified == "failed" || b.Status == "running") {
			bad = b.ID
		}
	}
	if good == "" || bad == "" {
		t.Fatalf("no usable and unusable backups in %+v", bs)
	}
	var last [2]int
	out, err := d.Restore(t.Context(), lgia, good, func(done, total int) { last = [2]int{done, total} })
	if err != nil {
		t.Fatal(err)
	}
	if id := summaryID(t, out, nil); id != "sbx.dvs_restore_done" || last[0] != last[1] || last[1] == 0 {
		t.Errorf("outcome %s, progress %v", id, last)
	}
	if _, err := d.Restore(t.Context(), lgia, bad, nil); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("unusable backup: %v", err)
	}
	if _, err := d.Restore(t.Context(), lgia, "vvd-20261101", nil); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("another institution's backup: %v", err)
	}
	if rs := st.Restores(); len(rs) != 1 || rs[0].Backup != good {
		t.Errorf("restores %+v", rs)
	}
}
