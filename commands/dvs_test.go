package commands_test

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"itbot/adapters/dvs"
	"itbot/adapters/dvs/dvstest"
	"itbot/bot"
	"itbot/bot/availability"
	"itbot/bot/availability/chart"
	"itbot/bottest"
	"itbot/commands"
)

// The sandbox people these tests speak as.
const (
	lgiaEmployee = "anna.berzina@lgia.gov.lv"   // LGIA employee, Latvian
	lgiaEnglish  = "janis.ozols@lgia.gov.lv"    // LGIA employee, English
	lgiaContact  = "ilze.liepa@lgia.gov.lv"     // LGIA IT contact: approves
	vraaOperator = "kristaps.lapsa@vraa.gov.lv" // agency operator
)

// dvsEnv is a whole bot whose DVS is the real client talking HTTP to the
// dvstest simulator.
type dvsEnv struct {
	*bottest.Env
	sim    *dvstest.Server
	client *dvs.Client
}

func newDVSEnv(t *testing.T, mod func(*dvs.Config)) *dvsEnv {
	t.Helper()
	e := bottest.New(t)
	sim, hs := dvstest.NewHTTPTest(dvstest.Options{})
	t.Cleanup(hs.Close)
	sim.State().Now = e.Clock.Now
	cfg := dvs.Config{BaseURL: hs.URL + dvstest.Prefix, Token: sim.Token(), Timeout: 2 * time.Second,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		Log:   slog.New(slog.DiscardHandler)}
	if mod != nil {
		mod(&cfg)
	}
	c, err := dvs.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.Bot.DVS = c
	return &dvsEnv{Env: e, sim: sim, client: c}
}

func replyText(rs []bot.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Title + "\n" + r.Text + "\n")
		for _, f := range r.Fields {
			b.WriteString(f.Label + ": " + f.Value + "\n")
		}
	}
	return b.String()
}

func (e *dvsEnv) expect(t *testing.T, who, cmd string, want ...string) string {
	t.Helper()
	got := replyText(e.Say(who, cmd))
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("%s: %q\nlacks %q", cmd, got, w)
		}
	}
	return got
}

var reqID = regexp.MustCompile(`IT-\d{4}-\d{6}`)

func lastID(t *testing.T, s string) string {
	t.Helper()
	id := reqID.FindString(s)
	if id == "" {
		t.Fatalf("no request id in %q", s)
	}
	return id
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func dvsGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./commands -run DVS -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestDVSGrantRevokeWithApproval(t *testing.T) {
	e := newDVSEnv(t, nil)
	out := e.expect(t, lgiaEmployee, "/it dvs tiesības piešķirt anna.berzina@lgia.gov.lv vadītājs", "nosūtīts apstiprināšanai")
	id := lastID(t, out)
	if n := e.sim.CallsTo("PUT", "/orgs/"); n != 0 {
		t.Fatalf("DVS called before approval: %d", n)
	}
	if r := e.Request(id); r.State != bot.StateAwaitingApproval {
		t.Fatalf("state %s", r.State)
	}
	e.expect(t, lgiaContact, "/it apstiprināt "+id, "izpildīts")
	r := e.Request(id)
	if r.State != bot.StateDone || r.Outcome == nil || r.Outcome.Summary.ID != "dvs.role_granted" {
		t.Fatalf("after approval: %s %+v", r.State, r.Outcome)
	}
	u, err := e.sim.State().User("LGIA", lgiaEmployee)
	if err != nil || !slices.Contains(u.Roles, "vaditajs") {
		t.Fatalf("DVS roles %v %v", u.Roles, err)
	}
	if n := e.sim.CallsTo("PUT", "/orgs/LGIA/users/anna.berzina@lgia.gov.lv/roles/vaditajs"); n != 1 {
		t.Errorf("PUT calls %d", n)
	}
	// The requester's thread got the DVS's answer, in Latvian.
	found := false
	for _, n := range e.Test.Notices() {
		if n.To.Channel == "chan-"+lgiaEmployee && strings.Contains(n.Reply.Text, "piešķirta loma „vadītājs”") {
			found = true
		}
	}
	if !found {
		t.Error("the requester's thread lacks the DVS's answer")
	}

	out = e.expect(t, lgiaEmployee, "/it dvs tiesības atņemt liga.zarina@lgia.gov.lv", "nosūtīts apstiprināšanai")
	id = lastID(t, out)
	e.expect(t, lgiaContact, "/it apstiprināt "+id, "izpildīts")
	if r := e.Request(id); r.State != bot.StateDone || r.Outcome.Summary.ID != "dvs.roles_revoked_all" {
		t.Fatalf("revoke: %s %+v", r.State, r.Outcome)
	}
	if u, _ := e.sim.State().User("LGIA", "liga.zarina@lgia.gov.lv"); len(u.Roles) != 0 {
		t.Errorf("liga still has %v", u.Roles)
	}

	// Scope: only the requester's own institution.
	calls := len(e.sim.Calls())
	e.expect(t, lgiaContact, "/it dvs grant maris.egle@vvd.gov.lv lasitajs", "nav jūsu iestādes")
	if len(e.sim.Calls()) != calls {
		t.Error("an out-of-scope request reached the DVS")
	}
	// An unknown role is refused when asked, with the roles the DVS
	// knows (GET /roles); nothing is stored.
	all := func() int { rs, _ := e.Store.Requests(context.Background(), bot.RequestFilter{}); return len(rs) }
	before := all()
	e.expect(t, lgiaContact, "/it dvs grant anna.berzina@lgia.gov.lv superuser", "superuser", "lietvedis, vadītājs, lasītājs, administrators, arhivārs")
	if all() != before {
		t.Fatal("a request with an unknown role was stored")
	}
}

func TestDVSIncidentWhileDown(t *testing.T) {
	e := newDVSEnv(t, nil)
	e.sim.SetDown("datu centra elektroapgādes traucējumi")
	out := e.expect(t, lgiaEmployee, "/it dvs incidents Nevar atvērt ienākošos dokumentus",
		"Prioritāte: ⚠ augsta", "DVS šobrīd: nedarbojas: datu centra elektroapgādes traucējumi", "augsta prioritāte")
	id := lastID(t, out)
	r := e.Request(id)
	if r.Priority != "high" || r.Meta["dvs.health"] != "unavailable" || r.Meta["dvs.health_detail"] != "datu centra elektroapgādes traucējumi" || r.Meta["dvs.health_at"] == "" {
		t.Fatalf("request %+v meta %v", r.Priority, r.Meta)
	}
	evs, err := e.Store.Events(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(evs, func(ev bot.Event) bool {
		return ev.Phrase.ID == "triage.health_event" && strings.Contains(ev.Phrase.Render(bot.EN), "DVS state when reported attached: down — datu centra")
	}) {
		t.Errorf("audit %+v", evs)
	}
	// The operators see the priority and the DVS's state on the new card,
	// with the button to take it.
	var ops []string
	for _, n := range e.Test.Notices() {
		if n.To.Channel == "ops" && n.Request != nil && n.Request.ID == id {
			s := n.Reply.Title + " | " + n.Reply.Text
			for _, f := range n.Reply.Fields {
				s += " | " + f.Label + ": " + f.Value
			}
			for _, b := range n.Reply.Buttons {
				s += " | " + b.Command
			}
			ops = append(ops, s)
		}
	}
	if !slices.ContainsFunc(ops, func(s string) bool {
		return strings.Contains(s, "Prioritāte: ⚠ augsta") && strings.Contains(s, "DVS šobrīd: nedarbojas") && strings.Contains(s, "/it take "+id)
	}) {
		t.Errorf("ops notices %q", ops)
	}

	e.sim.SetUp()
	out = e.expect(t, lgiaEnglish, "/it dvs incident Search is slow", "Priority: normal", "DVS now: up (checked")
	if r := e.Request(lastID(t, out)); r.Priority != "normal" || r.Meta["dvs.health"] != "operational" {
		t.Fatalf("normal incident %s %v", r.Priority, r.Meta)
	}
	// The gateway itself not answering also makes an incident urgent.
	e.sim.FailNextHealth(1)
	out = e.expect(t, lgiaEnglish, "/it dvs incident Cannot log in", "Priority: ⚠ high")
	if r := e.Request(lastID(t, out)); r.Meta["dvs.health"] != "unreachable" {
		t.Errorf("meta %v", r.Meta)
	}
}

var progressRe = regexp.MustCompile(`(\d+)/(\d+) \((\d+)%\)`)

func TestDVSCopyProgressAndChecksum(t *testing.T) {
	e := newDVSEnv(t, nil)
	out := e.expect(t, lgiaContact, "/it dvs kopija 2026-10-01 2026-10-31", "izpildīts")
	id := lastID(t, out)
	var counts []int
	total := 0
	var final string
	for _, n := range e.Test.Notices() {
		if n.Request == nil || n.Request.ID != id || n.To.Channel != "chan-"+lgiaContact {
			continue
		}
		if n.Reply.Progress {
			m := progressRe.FindStringSubmatch(n.Reply.Text)
			if m == nil {
				t.Fatalf("progress text %q", n.Reply.Text)
			}
			d, _ := strconv.Atoi(m[1])
			total, _ = strconv.Atoi(m[2])
			counts = append(counts, d)
			continue
		}
		if strings.Contains(n.Reply.Text, "SHA-256") {
			final = n.Reply.Text
		}
	}
	if len(counts) < 3 || counts[0] != 0 || counts[len(counts)-1] != total || total == 0 {
		t.Fatalf("progress counts %v of %d", counts, total)
	}
	for i := 1; i < len(counts); i++ {
		if counts[i] <= counts[i-1] {
			t.Fatalf("progress not increasing: %v", counts)
		}
	}
	if !regexp.MustCompile(`SHA-256 kontrolsumma: [0-9a-f]{64}`).MatchString(final) || !strings.Contains(final, ".zip") ||
		!strings.Contains(final, "dokumentu skaits: "+strconv.Itoa(total)) {
		t.Fatalf("result %q", final)
	}
	if len(e.sim.State().Exports()) != 1 {
		t.Errorf("exports %d", len(e.sim.State().Exports()))
	}
}

func TestDVSFailuresLoseNothing(t *testing.T) {
	tests := []struct {
		name   string
		cfg    func(*dvs.Config)
		break_ func(*dvstest.Server)
		mend   func(*dvstest.Server)
		phrase string
		lv, en string
	}{
		{"5xx", nil, func(s *dvstest.Server) { s.FailNext(4, 502, 0) }, func(*dvstest.Server) {},
			"dvs.server_error", "DVS atbildēja ar kļūdu (HTTP 502, mēģināts 4 reizes)", "The DVS answered with an error (HTTP 502, 4 attempts)"},
		{"timeout", func(c *dvs.Config) { c.Timeout = 40 * time.Millisecond; c.Retries = 1 },
			func(s *dvstest.Server) { s.SetLatency(3 * time.Second) }, func(s *dvstest.Server) { s.SetLatency(0) },
			"dvs.timeout", "DVS neatbildēja", "The DVS did not answer within"},
		{"outage", nil, func(s *dvstest.Server) { s.SetDown("plānota apkope līdz 12:00") }, func(s *dvstest.Server) { s.SetUp() },
			"dvs.unavailable", "DVS šobrīd nav pieejama (plānota apkope līdz 12:00)", "The DVS is not available right now (plānota apkope līdz 12:00)"},
		{"throttled", nil, func(s *dvstest.Server) { s.FailNext(1, 429, 90*time.Second) }, func(*dvstest.Server) {},
			"dvs.throttled", "pēc 90 s", "Try again in 90 s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newDVSEnv(t, tc.cfg)
			tc.break_(e.sim)
			out := e.expect(t, lgiaContact, "/it dvs grant janis.ozols@lgia.gov.lv arhivārs", "izpilde neizdevās")
			id := lastID(t, out)
			r := e.Request(id)
			if r.State != bot.StateFailed || r.LastError == nil || r.LastError.ID != tc.phrase {
				t.Fatalf("state %s error %+v", r.State, r.LastError)
			}
			if lv := r.LastError.Render(bot.LV); !strings.Contains(lv, tc.lv) || !strings.Contains(lv, "/it retry") && tc.name != "throttled" {
				t.Errorf("LV %q", lv)
			}
			if en := r.LastError.Render(bot.EN); !strings.Contains(en, tc.en) {
				t.Errorf("EN %q", en)
			}
			// The operators saw it fail, with a Retry button.
			seen := false
			for _, n := range e.Test.Notices() {
				if n.To.Channel == "ops" && n.Request != nil && n.Request.ID == id && n.Request.State == bot.StateFailed {
					seen = slices.ContainsFunc(n.Reply.Buttons, func(b bot.Button) bool { return b.Command == "/it retry "+id })
				}
			}
			if !seen {
				t.Error("no failure notice with a retry button in the operators' channel")
			}
			tc.mend(e.sim)
			e.expect(t, vraaOperator, "/it atkārtot "+id, "izpildīts")
			if r := e.Request(id); r.State != bot.StateDone || r.Attempts != 2 {
				t.Fatalf("after retry: %s, %d attempts", r.State, r.Attempts)
			}
			if u, _ := e.sim.State().User("LGIA", "janis.ozols@lgia.gov.lv"); !slices.Contains(u.Roles, "arhivars") {
				t.Errorf("roles %v", u.Roles)
			}
		})
	}
}

func TestDVSBackupView(t *testing.T) {
	e := newDVSEnv(t, nil)
	lv := replyText(e.Say(lgiaEmployee, "/it dvs rezerves"))
	en := replyText(e.Say(lgiaEnglish, "/it dvs backup"))
	dvsGolden(t, "dvs_backup_lv.golden", lv)
	dvsGolden(t, "dvs_backup_en.golden", en)
	// Tonight's backup failed, so the last verified one (last night's) is
	// older than the default 24 h.
	if !strings.Contains(lv, "⚠ Pēdējā pārbaudītā rezerves kopija ir 2026-11-22 01:30 — pirms 32 h, vecāka par 24 h robežu") {
		t.Errorf("no warning:\n%s", lv)
	}
	e.Deps.BackupMaxAge = 48 * time.Hour
	e.expect(t, lgiaEmployee, "/it dvs rezerves", "✓ Pēdējā pārbaudītā rezerves kopija: 2026-11-22 01:30 (pirms 32 h; robeža 48 h)")
	// The DVS down: the look-up fails clearly and is kept for a retry.
	e.sim.SetDown("")
	e.expect(t, lgiaEmployee, "/it dvs rezerves", "izpilde neizdevās", "DVS šobrīd nav pieejama")
}

func TestDVSCustomizeEstimate(t *testing.T) {
	e := newDVSEnv(t, nil)
	out := e.expect(t, lgiaEmployee, `/it dvs pielāgot Jauns dokumentu veids „Ģeodēzisko darbu akts” ar saskaņošanas maršrutu`,
		"nosūtīts apstiprināšanai", "novērtēs darba apjomu stundās")
	id := lastID(t, out)
	e.expect(t, lgiaEmployee, "/it dvs novērtējums "+id+" 16", "Komandu „dvs estimate” var lietot tikai šādās lomās")
	e.expect(t, vraaOperator, "/it dvs novērtējums "+id+" sešpadsmit", "nav stundu skaits")
	e.expect(t, vraaOperator, "/it dvs novērtējums "+id+" 16,5 ietilpst līgumā (pielikums Nr. 2)", "novērtējums saglabāts")
	r := e.Request(id)
	if r.Meta["dvs.estimate_hours"] != "16.5" || r.Meta["dvs.funding"] != "ietilpst līgumā (pielikums Nr. 2)" || r.State != bot.StateAwaitingApproval {
		t.Fatalf("request %s %v", r.State, r.Meta)
	}
	found := false
	for _, n := range e.Test.Notices() {
		if n.To.Channel == "chan-"+lgiaEmployee && strings.Contains(n.Reply.Text, "Darba novērtējums: 16.5 h; finansējums: ietilpst līgumā (pielikums Nr. 2)") {
			found = true
		}
	}
	if !found {
		t.Error("the requester was not told the estimate")
	}
	e.expect(t, vraaOperator, "/it show "+id, "Darba novērtējums: 16.5 h")
	other := lastID(t, e.expect(t, lgiaEmployee, "/it dvs incidents Lēni", "IT-"))
	e.expect(t, vraaOperator, "/it dvs estimate "+other+" 4", "nav DVS pielāgošanas pieteikums")
}

// statusEnv adds the availability monitor over the bot's store, probing
// the DVS through the client and Exchange Online through the sandbox.
func statusEnv(t *testing.T) (*dvsEnv, *availability.Monitor) {
	e := newDVSEnv(t, nil)
	e.Sandbox()
	e.Bot.DVS = e.client
	m := availability.NewMonitor(e.Store, e.Bot.Notify,
		availability.Service{Target: availability.Target{Service: "dvs", Name: "DVS", Goal: 99.5}, Probe: e.Bot.DVS.Health},
		availability.Service{Target: availability.Target{Service: "exchange", Name: "Exchange Online", Goal: 99.9}, Probe: e.Bot.Exchange.Health})
	m.Now = e.Clock.Now
	m.Log = slog.New(slog.DiscardHandler)
	e.Deps.ServiceStatus = commands.ServiceStatus(m, chart.PNG, e.Bot.Now, nil)
	return e, m
}

func TestServiceStatus(t *testing.T) {
	e, m := statusEnv(t)
	e.Clock.Set(bottest.Riga(2026, 11, 23, 9, 0))
	// The month so far, as an earlier run of the monitor left it: up, but
	// for a night when itbot was not running and a short Exchange outage.
	past := availability.NewStore(e.Store)
	for _, f := range []struct {
		svc      string
		from, to time.Time
		st       availability.State
	}{
		{"dvs", bottest.Riga(2026, 11, 1, 0, 0), bottest.Riga(2026, 11, 14, 1, 0), availability.Up},
		{"dvs", bottest.Riga(2026, 11, 14, 4, 0), bottest.Riga(2026, 11, 23, 9, 0), availability.Up},
		{"exchange", bottest.Riga(2026, 11, 1, 0, 0), bottest.Riga(2026, 11, 14, 1, 0), availability.Up},
		{"exchange", bottest.Riga(2026, 11, 14, 4, 0), bottest.Riga(2026, 11, 23, 9, 0), availability.Up},
		{"exchange", bottest.Riga(2026, 11, 6, 14, 20), bottest.Riga(2026, 11, 6, 14, 29), availability.Down},
	} {
		if err := past.Fill(t.Context(), f.svc, f.from, f.to, f.st); err != nil {
			t.Fatal(err)
		}
	}
	probe := func(n int) {
		for range n {
			if err := m.ProbeOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			e.Clock.Advance(time.Minute)
		}
	}
	probe(30)
	e.sim.SetDown("DB failover")
	probe(12)
	e.sim.SetUp()
	probe(18) // 10:00
	lv := replyText(e.Say(lgiaEmployee, "/it statuss"))
	en := replyText(e.Say(lgiaEnglish, "/it status"))
	dvsGolden(t, "status_lv.golden", lv)
	dvsGolden(t, "status_en.golden", en)
	if !strings.Contains(lv, "2026-11-23 09:30 – 09:42 · 12 min") || !strings.Contains(en, "204 min left") {
		t.Errorf("status:\n%s\n%s", lv, en)
	}
	// The monitor told the operators.
	var titles []string
	for _, n := range e.Test.Notices() {
		if n.To.Channel == "ops" && n.Request == nil {
			titles = append(titles, n.Reply.Title)
		}
	}
	if !slices.Equal(titles, []string{"🔴 DVS nedarbojas", "🟢 DVS atkal darbojas"}) {
		t.Errorf("ops alerts %q", titles)
	}

	rs := e.Say("admin@vraa.gov.lv", "/it status --chart")
	if len(rs) != 1 || len(rs[0].Files) != 1 || rs[0].Files[0].Mime != "image/png" || rs[0].Files[0].Name != "availability-2026-11.png" {
		t.Fatalf("chart reply %+v", rs)
	}
	if _, err := png.Decode(bytes.NewReader(rs[0].Files[0].Data)); err != nil {
		t.Fatalf("chart: %v", err)
	}
	e.expect(t, lgiaEmployee, "/it statuss --mēnesis 2026-10", "2026. gada oktobris", "nav mērījumu")
	e.expect(t, lgiaEmployee, "/it statuss --mēnesis 2027-01", "vēl nav sācies")
	e.expect(t, lgiaEmployee, "/it statuss --mēnesis oktobris", "nav mēnesis")
	e.expect(t, lgiaEmployee, "/it statuss --kaut-kas", "Nezināma izvēle")
	// With an id it is still the request's status.
	id := lastID(t, e.expect(t, lgiaEmployee, "/it dvs incidents Lēni", "IT-"))
	e.expect(t, lgiaEmployee, "/it statuss "+id, id+" · DVS incidents")
}

// TestDVSRoleNamesForPeople: a DVS role is shown with its diacritics in
// Latvian and with an English name in English, however it was typed.
func TestDVSRoleNamesForPeople(t *testing.T) {
	for _, typed := range []string{"vaditajs", "Vadītājs"} {
		r := &bot.Request{ID: "IT-2026-000001", Type: bot.TypeDVSRightsGrant, Params: bot.Params{User: "anna.berzina@lgia.gov.lv", Role: typed}}
		if lv := bot.Describe(r, bot.LV); !strings.Contains(lv, "vadītājs") {
			t.Errorf("%q in Latvian: %s", typed, lv)
		}
		if en := bot.Describe(r, bot.EN); !strings.Contains(en, "manager (vadītājs)") {
			t.Errorf("%q in English: %s", typed, en)
		}
	}
}

// TestDVSRoleCheckedWhenAsked: a role the DVS does not know is refused
// when the request is made, with the DVS's roles; its known roles in any
// written form pass.
func TestDVSRoleCheckedWhenAsked(t *testing.T) {
	e := bottest.New(t)
	e.Sandbox()
	out := e.Say("anna.berzina@lgia.gov.lv", "/it dvs rights grant janis.ozols@lgia.gov.lv superuser")
	if len(out) == 0 || !strings.Contains(out[0].Text, "superuser") || !strings.Contains(out[0].Text, "vadītājs") {
		t.Errorf("unknown role: %+v", out)
	}
	for _, role := range []string{"vadītāja", "lasitajs", "Arhivārs"} {
		out := e.Say("anna.berzina@lgia.gov.lv", "/it dvs rights grant janis.ozols@lgia.gov.lv "+role)
		if len(out) == 0 || out[0].Request == nil {
			t.Errorf("%s refused: %+v", role, out)
		}
	}
}
