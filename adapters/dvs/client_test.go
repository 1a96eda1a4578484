package dvs

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"itbot/adapters/dvs/dvstest"
	"itbot/bot"
	"itbot/bot/seed"
)

// sleeps records the waits a client asked for instead of taking them.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.d)
}

// env is a client talking to a fresh simulator.
type env struct {
	sim    *dvstest.Server
	url    string
	client *Client
	sl     *sleeps
}

func newEnv(t *testing.T, mod func(*Config)) *env {
	t.Helper()
	sim, hs := dvstest.NewHTTPTest(dvstest.Options{})
	t.Cleanup(hs.Close)
	sim.State().Now = func() time.Time { return time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC) }
	sl := &sleeps{}
	cfg := Config{BaseURL: hs.URL + dvstest.Prefix, Token: sim.Token(), Sleep: sl.sleep, Timeout: 2 * time.Second,
		Log: slog.New(slog.DiscardHandler)}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{sim: sim, url: cfg.BaseURL, client: c, sl: sl}
}

func inst(t testing.TB, code string) *bot.Institution {
	t.Helper()
	for _, i := range seed.Institutions() {
		if i.Code == code {
			return i
		}
	}
	t.Fatalf("no institution %s", code)
	return nil
}

func code(err error) string { return bot.ErrorCode(err) }

func phraseID(err error) string {
	var e *bot.Error
	if errors.As(err, &e) {
		return e.Phrase.ID
	}
	return ""
}

// readable checks a message renders fully in both languages.
func readable(t *testing.T, err error) {
	t.Helper()
	for _, l := range []bot.Lang{bot.LV, bot.EN} {
		m := bot.UserMessage(err, l)
		if m == "" || strings.Contains(m, "<no value>") || strings.HasPrefix(m, "dvs.") {
			t.Errorf("%s message %q", l, m)
		}
	}
}

func TestNewRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "dvs.example.lv", "ftp://x/y", "http://"} {
		if _, err := New(Config{BaseURL: u}); err == nil {
			t.Errorf("New(%q): no error", u)
		}
	}
}

func TestRoles(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	lgia := inst(t, "LGIA")
	tests := []struct {
		name       string
		grant      bool
		user, role string
		wantCode   string
		wantPhrase string
		wantLV     []string
		wantEN     []string
	}{
		{"grant a new role", true, "anna.berzina@lgia.gov.lv", "vaditajs", "", "dvs.role_granted",
			[]string{"piešķirta loma „vadītājs”", "lietvedis, vadītājs"}, []string{"\"head\" granted", "records clerk, head"}},
		{"grant it again", true, "Anna.Berzina@lgia.gov.lv", "vaditajs", "", "dvs.role_already",
			[]string{"jau bija"}, []string{"nothing changed"}},
		{"grant provisions a new account", true, "peteris.kalnins@lgia.gov.lv", "reader", "", "dvs.role_granted",
			[]string{"izveidots no iestādes direktorija"}, []string{"created from the directory"}},
		{"revoke one role", false, "janis.ozols@lgia.gov.lv", "lasitajs", "", "dvs.role_revoked",
			[]string{"atņemta loma „lasītājs”", "Pašreizējās lomas: vadītājs"}, []string{"\"reader\" revoked", "Current roles: head"}},
		{"revoke a role not held", false, "janis.ozols@lgia.gov.lv", "arhivars", "", "dvs.role_not_held",
			[]string{"nebija"}, []string{"did not have"}},
		{"revoke every role", false, "liga.zarina@lgia.gov.lv", "", "", "dvs.roles_revoked_all",
			[]string{"visas lomas: lasītājs"}, []string{"All DVS roles revoked", "reader"}},
		{"revoke every role again", false, "liga.zarina@lgia.gov.lv", "", "", "dvs.no_roles",
			[]string{"nav nevienas lomas"}, []string{"has no DVS role"}},
		{"unknown role", true, "anna.berzina@lgia.gov.lv", "superuser", bot.EINVALID, "dvs.unknown_role",
			[]string{"„superuser”", "lietvedis, vaditajs"}, []string{"Unknown DVS role"}},
		{"user of another institution", true, "maris.egle@vvd.gov.lv", "lasitajs", bot.EFORBIDDEN, "dvs.foreign_user",
			[]string{"nav iestādes LGIA lietotājs"}, []string{"not a user of LGIA"}},
		{"revoke from an unknown user", false, "nav.tads@lgia.gov.lv", "lasitajs", bot.ENOTFOUND, "dvs.user_not_found",
			[]string{"nav.tads@lgia.gov.lv", "nav atrasts"}, []string{"was not found in LGIA"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out *bot.Outcome
			var err error
			if tc.grant {
				out, err = e.client.GrantRole(ctx, lgia, tc.user, tc.role)
			} else {
				out, err = e.client.RevokeRole(ctx, lgia, tc.user, tc.role)
			}
			var lv, en string
			if tc.wantCode != "" {
				if code(err) != tc.wantCode || phraseID(err) != tc.wantPhrase {
					t.Fatalf("err = %v (%s %s), want %s %s", err, code(err), phraseID(err), tc.wantCode, tc.wantPhrase)
				}
				readable(t, err)
				lv, en = bot.UserMessage(err, bot.LV), bot.UserMessage(err, bot.EN)
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if out.Summary.ID != tc.wantPhrase {
					t.Fatalf("summary %s, want %s", out.Summary.ID, tc.wantPhrase)
				}
				lv, en = render(out, bot.LV), render(out, bot.EN)
			}
			for _, w := range tc.wantLV {
				if !strings.Contains(lv, w) {
					t.Errorf("LV %q lacks %q", lv, w)
				}
			}
			for _, w := range tc.wantEN {
				if !strings.Contains(en, w) {
					t.Errorf("EN %q lacks %q", en, w)
				}
			}
		})
	}
	us, err := e.client.Users(ctx, lgia)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, u := range us {
		got[u.User] = u.Roles
	}
	if r := got["anna.berzina@lgia.gov.lv"]; !slices.Equal(r, []string{"lietvedis", "vaditajs"}) {
		t.Errorf("anna's roles %v", r)
	}
	if r, ok := got["liga.zarina@lgia.gov.lv"]; !ok || len(r) != 0 {
		t.Errorf("liga's roles %v (listed %v)", r, ok)
	}
}

func render(o *bot.Outcome, l bot.Lang) string {
	s := o.Summary.Render(l)
	for _, d := range o.Details {
		s += "\n" + d.Render(l)
	}
	return s
}

func TestUnknownOrganisation(t *testing.T) {
	e := newEnv(t, nil)
	_, err := e.client.Users(t.Context(), &bot.Institution{Code: "DAP", DVSOrgID: "99999"})
	if code(err) != bot.ENOTFOUND || phraseID(err) != "dvs.org_unknown" {
		t.Fatalf("err = %v", err)
	}
	if m := bot.UserMessage(err, bot.EN); !strings.Contains(m, "DAP") || !strings.Contains(m, "99999") {
		t.Errorf("message %q", m)
	}
}

func TestRetries(t *testing.T) {
	lgia := inst(t, "LGIA")
	tests := []struct {
		name      string
		status    int
		fails     int
		after     time.Duration
		retries   int
		wantErr   string // phrase id, "" for success
		wantCalls int
		wantWaits []time.Duration // exact waits; nil: only count checked
		nWaits    int
	}{
		{"500 twice then success", 500, 2, 0, 3, "", 3, nil, 2},
		{"502 and 504 are retried", 502, 1, 0, 3, "", 2, nil, 1},
		{"429 honours Retry-After", 429, 2, 7 * time.Second, 3, "", 3, []time.Duration{7 * time.Second, 7 * time.Second}, 2},
		{"503 honours Retry-After", 503, 1, 3 * time.Second, 3, "", 2, []time.Duration{3 * time.Second}, 1},
		{"Retry-After longer than allowed: no retry", 429, 1, 120 * time.Second, 3, "dvs.throttled", 1, nil, 0},
		{"5xx every time: gives up", 500, 10, 0, 3, "dvs.server_error", 4, nil, 3},
		{"503 every time: unavailable", 503, 10, 0, 2, "dvs.unavailable", 3, nil, 2},
		{"429 every time: throttled", 429, 10, 2 * time.Second, 2, "dvs.throttled", 3, nil, 2},
		{"no retries configured", 500, 1, 0, -1, "dvs.server_error", 1, nil, 0},
		{"400 is not retried", 400, 1, 0, 3, "dvs.rejected", 1, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.Retries = tc.retries })
			e.sim.FailNext(tc.fails, tc.status, tc.after)
			_, err := e.client.GrantRole(t.Context(), lgia, "anna.berzina@lgia.gov.lv", "lasitajs")
			if phraseID(err) != tc.wantErr {
				t.Fatalf("err = %v, want phrase %q", err, tc.wantErr)
			}
			if err != nil {
				readable(t, err)
				if tc.status >= 429 && code(err) != bot.EUNAVAILABLE {
					t.Errorf("code %s, want unavailable (retryable)", code(err))
				}
			}
			if n := e.sim.CallsTo("PUT", "/orgs/"); n != tc.wantCalls {
				t.Errorf("calls %d, want %d", n, tc.wantCalls)
			}
			w := e.sl.waits()
			if len(w) != tc.nWaits {
				t.Errorf("waits %v, want %d", w, tc.nWaits)
			}
			if tc.wantWaits != nil && !slices.Equal(w, tc.wantWaits) {
				t.Errorf("waits %v, want %v", w, tc.wantWaits)
			}
			for _, d := range w {
				if d < 0 || d > max(DefaultBackoffMax, tc.after) {
					t.Errorf("wait %v out of bounds", d)
				}
			}
		})
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	c, _ := New(Config{BaseURL: "http://x/v1", BackoffBase: 100 * time.Millisecond, BackoffMax: time.Second})
	for n := 1; n <= 30; n++ {
		d := c.backoff(n)
		want := min(100*time.Millisecond<<min(n-1, 20), time.Second)
		if d < want/2 || d > want {
			t.Errorf("backoff(%d) = %v, want in [%v, %v]", n, d, want/2, want)
		}
	}
}

func TestTimeout(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Timeout = 30 * time.Millisecond; c.Retries = 1 })
	e.sim.SetLatency(5 * time.Second)
	_, err := e.client.GrantRole(t.Context(), inst(t, "LGIA"), "anna.berzina@lgia.gov.lv", "lasitajs")
	if code(err) != bot.EUNAVAILABLE || phraseID(err) != "dvs.timeout" {
		t.Fatalf("err = %v", err)
	}
	var te *TransportError
	if !errors.As(err, &te) || !te.Timeout || te.Attempts != 2 {
		t.Errorf("cause %#v", te)
	}
	readable(t, err)
	if m := bot.UserMessage(err, bot.EN); !strings.Contains(m, "/it retry") {
		t.Errorf("message does not say what to do: %q", m)
	}
}

func TestUnreachable(t *testing.T) {
	sim, hs := dvstest.NewHTTPTest(dvstest.Options{})
	url := hs.URL + dvstest.Prefix
	hs.Close()
	sl := &sleeps{}
	c, _ := New(Config{BaseURL: url, Token: sim.Token(), Sleep: sl.sleep, Retries: 2, Log: slog.New(slog.DiscardHandler)})
	_, err := c.Backups(t.Context(), inst(t, "LGIA"))
	if code(err) != bot.EUNAVAILABLE || phraseID(err) != "dvs.unreachable" {
		t.Fatalf("err = %v", err)
	}
	if len(sl.waits()) != 2 {
		t.Errorf("waits %v", sl.waits())
	}
	h, err := c.Health(t.Context())
	if err == nil || h.Up {
		t.Errorf("health of a closed server: %+v, %v", h, err)
	}
}

func TestUnauthorized(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Token = "wrong" })
	_, err := e.client.Users(t.Context(), inst(t, "LGIA"))
	if code(err) != bot.EUNAVAILABLE || phraseID(err) != "dvs.unauthorized" {
		t.Fatalf("err = %v", err)
	}
	if n := len(e.sim.Calls()); n != 1 {
		t.Errorf("401 retried: %d calls", n)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("token in the error: %v", err)
	}
}

func TestHealth(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	h, err := e.client.Health(ctx)
	if err != nil || !h.Up || h.Status != "operational" || h.Service != "DVS" {
		t.Fatalf("up: %+v, %v", h, err)
	}
	e.sim.SetDown("plānota apkope")
	h, err = e.client.Health(ctx)
	if err != nil || h.Up || h.Status != "unavailable" || h.Detail != "plānota apkope" {
		t.Fatalf("down: %+v, %v", h, err)
	}
	e.sim.SetUp()
	e.sim.FailNextHealth(1)
	h, err = e.client.Health(ctx)
	if err == nil || h.Up {
		t.Fatalf("broken health: %+v, %v", h, err)
	}
	if n := e.sim.CallsTo("GET", "/health"); n != 3 {
		t.Errorf("health retried: %d calls", n)
	}
	h, err = e.client.Health(ctx)
	if err != nil || !h.Up {
		t.Fatalf("back up: %+v, %v", h, err)
	}
}

func TestDownMeansUnavailableAndRetryable(t *testing.T) {
	e := newEnv(t, nil)
	e.sim.SetDown("datu bāzes serveris nestrādā")
	_, err := e.client.GrantRole(t.Context(), inst(t, "LGIA"), "anna.berzina@lgia.gov.lv", "lasitajs")
	if code(err) != bot.EUNAVAILABLE || phraseID(err) != "dvs.unavailable" || !bot.IsTemporary(err) {
		t.Fatalf("err = %v", err)
	}
	if m := bot.UserMessage(err, bot.LV); !strings.Contains(m, "datu bāzes serveris nestrādā") {
		t.Errorf("LV %q", m)
	}
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestExport(t *testing.T) {
	e := newEnv(t, nil)
	type step struct{ done, total int }
	var steps []step
	out, err := e.client.Export(t.Context(), inst(t, "LGIA"), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC),
		func(done, total int) { steps = append(steps, step{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) < 3 || steps[0].done != 0 || steps[len(steps)-1].done != steps[len(steps)-1].total {
		t.Fatalf("progress %v", steps)
	}
	for i := 1; i < len(steps); i++ {
		if steps[i].done <= steps[i-1].done || steps[i].total != steps[0].total {
			t.Errorf("progress not increasing: %v", steps)
		}
	}
	if out.Summary.ID != "dvs.export_done" || out.Summary.Args["Count"] != steps[0].total {
		t.Errorf("summary %+v", out.Summary)
	}
	var sha, loc string
	for _, d := range out.Details {
		switch d.ID {
		case "dvs.export_sha":
			sha = d.Args["SHA256"].(string)
		case "dvs.export_location":
			loc = d.Args["Location"].(string)
		}
	}
	if !sha256Hex.MatchString(sha) || !strings.HasSuffix(loc, ".zip") {
		t.Errorf("sha %q location %q", sha, loc)
	}
	if got := render(out, bot.EN); !strings.Contains(got, "SHA-256 checksum: "+sha) {
		t.Errorf("EN outcome %q", got)
	}
	if n := e.sim.CallsTo("GET", "/exports/"); n != len(steps)-1 {
		t.Errorf("polls %d, progress steps %d", n, len(steps))
	}
	for _, w := range e.sl.waits() {
		if w != DefaultPollInterval {
			t.Errorf("poll wait %v", w)
		}
	}
}

func TestExportEmptyPeriod(t *testing.T) {
	e := newEnv(t, nil)
	out, err := e.client.Export(t.Context(), inst(t, "LGIA"), time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2010, 1, 31, 0, 0, 0, 0, time.UTC), nil)
	if err != nil || out.Summary.ID != "dvs.export_empty" {
		t.Fatalf("%+v, %v", out, err)
	}
}

func TestExportFails(t *testing.T) {
	e := newEnv(t, nil)
	e.sim.FailNextExport("eksporta disks ir pilns")
	_, err := e.client.Export(t.Context(), inst(t, "LGIA"), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), nil)
	if code(err) != bot.EUNAVAILABLE || phraseID(err) != "dvs.export_failed" {
		t.Fatalf("err = %v", err)
	}
	if m := bot.UserMessage(err, bot.LV); !strings.Contains(m, "eksporta disks ir pilns") {
		t.Errorf("LV %q", m)
	}
}

func TestExportBadPeriod(t *testing.T) {
	e := newEnv(t, nil)
	_, err := e.client.Export(t.Context(), inst(t, "LGIA"), time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), nil)
	if code(err) != bot.EINVALID || phraseID(err) != "dvs.bad_period" {
		t.Fatalf("err = %v", err)
	}
	readable(t, err)
}

func TestExportCancelledWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	polls := 0
	e := newEnv(t, func(c *Config) {
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			if polls++; polls == 2 {
				cancel()
			}
			return ctx.Err()
		}
	})
	_, err := e.client.Export(ctx, inst(t, "LGIA"), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), nil)
	if code(err) != bot.EUNAVAILABLE || phraseID(err) != "dvs.cancelled" {
		t.Fatalf("err = %v", err)
	}
	if n := e.sim.CallsTo("DELETE", "/exports/"); n != 1 {
		t.Errorf("cancel calls %d", n)
	}
}

func TestCreatingCallsAreIdempotent(t *testing.T) {
	e := newEnv(t, nil)
	e.sim.FailNext(1, 503, 0)
	_, err := e.client.Export(t.Context(), inst(t, "LGIA"), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range e.sim.Calls() {
		if c.Method == "POST" {
			keys = append(keys, c.IdempotencyKey)
		}
	}
	if len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Errorf("POST keys %q: a retry must repeat the key", keys)
	}
	// The simulator answers a repeated key with the same export.
	req := func() string {
		r, _ := http.NewRequest("POST", e.url+"/backups", strings.NewReader(`{"scope":"all"}`))
		r.Header.Set("Authorization", "Bearer "+e.sim.Token())
		r.Header.Set("Idempotency-Key", "k1")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("Location")
	}
	if a, b := req(), req(); a == "" || a != b {
		t.Errorf("replayed start: %q vs %q", a, b)
	}
}

func TestBackups(t *testing.T) {
	e := newEnv(t, nil)
	bs, err := e.client.Backups(t.Context(), inst(t, "LGIA"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) == 0 || len(bs) > BackupCount {
		t.Fatalf("%d backups", len(bs))
	}
	for i, b := range bs {
		if i > 0 && b.StartedAt.After(bs[i-1].StartedAt) {
			t.Errorf("not newest first at %d", i)
		}
		if b.SizeBytes <= 0 || b.Status == "" || b.StartedAt.Location() != time.UTC {
			t.Errorf("backup %+v", b)
		}
		if b.Status == "succeeded" && (!sha256Hex.MatchString(b.SHA256) || b.Verified == "") {
			t.Errorf("succeeded backup without checksum or verification: %+v", b)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"7", 7 * time.Second},
		{" 120 ", 120 * time.Second},
		{"0", 0},
		{"-5", 0},
		{"soon", 0},
		{"", 0},
		{"Mon, 23 Nov 2026 10:00:30 GMT", 30 * time.Second},
		{"Mon, 23 Nov 2026 09:00:00 GMT", 0},
	}
	for _, tc := range tests {
		if got := ParseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseClock(t *testing.T) {
	tests := []struct {
		in   string
		h, m int
		ok   bool
	}{
		{"02:30", 2, 30, true}, {"23:59", 23, 59, true}, {"0:05", 0, 5, true},
		{"24:00", 0, 0, false}, {"2:3", 0, 0, false}, {"0230", 0, 0, false}, {"", 0, 0, false}, {"ab:cd", 0, 0, false},
	}
	for _, tc := range tests {
		h, m, err := ParseClock(tc.in)
		if (err == nil) != tc.ok || h != tc.h || m != tc.m {
			t.Errorf("ParseClock(%q) = %d, %d, %v", tc.in, h, m, err)
		}
	}
}

func TestHumanSize(t *testing.T) {
	tests := []struct {
		n      int64
		lv, en string
	}{
		{512, "512 B", "512 B"}, {1536, "1,5 KB", "1.5 KB"}, {18 << 30, "18,0 GB", "18.0 GB"}, {5 << 40, "5,0 TB", "5.0 TB"},
	}
	for _, tc := range tests {
		if lv, en := HumanSize(tc.n, bot.LV), HumanSize(tc.n, bot.EN); lv != tc.lv || en != tc.en {
			t.Errorf("HumanSize(%d) = %q, %q", tc.n, lv, en)
		}
	}
}

func TestTextsRenderInBothLanguages(t *testing.T) {
	for _, id := range bot.TextIDs() {
		if !strings.HasPrefix(id, "dvs.") {
			continue
		}
		for _, l := range []bot.Lang{bot.LV, bot.EN} {
			if s := bot.Tr(l, id, bot.Args{}); s == id || s == "" {
				t.Errorf("%s %s renders %q", id, l, s)
			}
		}
	}
}

// pickBackups returns one backup of LGIA that can be restored and one that
// cannot (failed, or failed its verification), as the simulator lists them.
func pickBackups(t *testing.T, e *env) (good, bad bot.Backup) {
	t.Helper()
	bs, err := e.client.Backups(t.Context(), inst(t, "LGIA"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		switch {
		case good.ID == "" && b.Status == "succeeded" && b.Verified == "verified":
			good = b
		case bad.ID == "" && (b.Status == "failed" || b.Verified == "failed"):
			bad = b
		}
	}
	if good.ID == "" || bad.ID == "" {
		t.Fatalf("the simulator lists no usable and no unusable backup: %+v", bs)
	}
	return good, bad
}

func TestRestore(t *testing.T) {
	e := newEnv(t, nil)
	good, _ := pickBackups(t, e)
	var steps [][2]int
	out, err := e.client.Restore(t.Context(), inst(t, "LGIA"), good.ID, func(d, n int) { steps = append(steps, [2]int{d, n}) })
	if err != nil {
		t.Fatal(err)
	}
	if out.Summary.ID != "dvs.restore_done" || out.Summary.Args["Backup"] != good.ID {
		t.Errorf("outcome %+v", out.Summary)
	}
	if len(steps) < 2 || steps[len(steps)-1][0] != steps[len(steps)-1][1] {
		t.Errorf("progress %v", steps)
	}
	rs := e.sim.State().Restores()
	if len(rs) != 1 || rs[0].Backup != good.ID || rs[0].Org != "LGIA" || rs[0].Documents <= 0 {
		t.Fatalf("restores recorded: %+v", rs)
	}
	if n := e.sim.CallsTo("POST", "/orgs/"); n != 1 {
		t.Errorf("%d restore starts", n)
	}
	for _, c := range e.sim.Calls() {
		if c.Method == "POST" && c.IdempotencyKey == "" {
			t.Errorf("restore started without an idempotency key: %+v", c)
		}
	}
}

func TestRestoreRefusals(t *testing.T) {
	e := newEnv(t, nil)
	_, bad := pickBackups(t, e)
	_, err := e.client.Restore(t.Context(), inst(t, "LGIA"), bad.ID, nil)
	if code(err) != bot.ECONFLICT || phraseID(err) != "dvs.backup_unusable" {
		t.Errorf("unusable backup: %v (%s)", err, phraseID(err))
	}
	readable(t, err)
	_, err = e.client.Restore(t.Context(), inst(t, "LGIA"), "no-such-backup", nil)
	if code(err) != bot.ENOTFOUND || phraseID(err) != "dvs.backup_unknown" {
		t.Errorf("unknown backup: %v (%s)", err, phraseID(err))
	}
	readable(t, err)
	// Another institution's backup is not ours to restore.
	vvd, err := e.client.Backups(t.Context(), inst(t, "VVD"))
	if err != nil || len(vvd) == 0 {
		t.Fatalf("VVD backups: %v", err)
	}
	_, err = e.client.Restore(t.Context(), inst(t, "LGIA"), vvd[0].ID, nil)
	if code(err) != bot.ENOTFOUND {
		t.Errorf("foreign backup: %v", err)
	}
	if len(e.sim.State().Restores()) != 0 {
		t.Errorf("a refused restore was recorded")
	}
}
