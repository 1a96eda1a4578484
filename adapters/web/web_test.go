package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"itbot/adapters/web"
	"itbot/bot"
	"itbot/bot/slaclock"
	"itbot/bottest"
)

const (
	anna   = "anna.berzina@lgia.gov.lv"   // LGIA employee
	ilze   = "ilze.liepa@lgia.gov.lv"     // LGIA IT contact
	oper   = "kristaps.lapsa@vraa.gov.lv" // agency operator
	maris  = "maris.egle@vvd.gov.lv"      // VVD: contract expired
	admin  = "admin@vraa.gov.lv"
	target = "janis.ozols@lgia.gov.lv"
)

// console is a web console over a whole bot, served by httptest.
type console struct {
	t   *testing.T
	e   *bottest.Env
	s   *web.Server
	srv *httptest.Server
}

func newConsole(t *testing.T, cfg web.Config, sandbox bool) *console {
	t.Helper()
	e := bottest.New(t)
	e.Sandbox()
	clock, err := slaclock.New(slaclock.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e.Bot.SLA = clock
	s, err := web.New(cfg, web.Deps{Bot: e.Bot, Router: e.Router, Sandbox: sandbox, Log: slog.New(slog.DiscardHandler),
		Used: clock.Used, Calendar: clock.Calendar()})
	if err != nil {
		t.Fatal(err)
	}
	e.Bot.Notify.Add(s)
	e.Bot.OnChange = s.Changed
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &console{t: t, e: e, s: s, srv: srv}
}

// browser is a client with its own cookies that does not follow
// redirects (the tests look at them).
type browser struct {
	c   *console
	hc  *http.Client
	jar http.CookieJar
}

func (c *console) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{c: c, jar: jar, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (int, string, http.Header) {
	b.c.t.Helper()
	res, err := b.hc.Get(b.c.srv.URL + path)
	if err != nil {
		b.c.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body), res.Header
}

func (b *browser) post(path string, form url.Values) (int, string, http.Header) {
	b.c.t.Helper()
	res, err := b.hc.PostForm(b.c.srv.URL+path, form)
	if err != nil {
		b.c.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body), res.Header
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%s", page)
	}
	return m[1]
}

// signIn signs in as email through the sandbox sign-in page and returns
// the session's CSRF token.
func (b *browser) signIn(email string) string {
	b.c.t.Helper()
	_, page, _ := b.get("/signin")
	code, body, h := b.post("/signin/sandbox", url.Values{"csrf": {csrfOf(b.c.t, page)}, "email": {email}, "back": {"/my"}})
	if code != http.StatusSeeOther {
		b.c.t.Fatalf("sign in as %s: %d %s", email, code, body)
	}
	if h.Get("Location") != "/my" {
		b.c.t.Fatalf("sign in went to %q", h.Get("Location"))
	}
	_, my, _ := b.get("/my")
	return csrfOf(b.c.t, my)
}

func TestPagesNeedSignIn(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	b := c.browser()
	for _, p := range []string{"/queue", "/my", "/approvals", "/new", "/r/IT-2026-000001", "/availability", "/calendar", "/admin"} {
		code, _, h := b.get(p)
		if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/signin?back=") {
			t.Errorf("%s without a session: %d → %q, want a redirect to sign in", p, code, h.Get("Location"))
		}
	}
	if code, _, _ := b.get("/events"); code != http.StatusUnauthorized {
		t.Errorf("/events without a session: %d", code)
	}
}

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	b := c.browser()
	b.signIn(admin)
	for _, p := range []string{"/signin", "/queue", "/my", "/approvals", "/new", "/new?type=licence.assign", "/availability", "/calendar", "/admin", "/r/IT-2026-999999"} {
		_, body, h := b.get(p)
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'", "default-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code: %q", p, csp)
		}
		if regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`).MatchString(body) || strings.Contains(body, " onclick=") || strings.Contains(body, " style=") {
			t.Errorf("%s: the page has inline script or style", p)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", p)
		}
	}
}

func TestSessionCookie(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	b := c.browser()
	_, page, _ := b.get("/signin")
	res, err := b.hc.PostForm(c.srv.URL+"/signin/sandbox", url.Values{"csrf": {csrfOf(t, page)}, "email": {anna}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var found bool
	for _, ck := range res.Cookies() {
		if ck.Name != "itbot_session" {
			continue
		}
		found = true
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax", ck)
		}
		if ck.Secure {
			t.Errorf("a loopback http console cannot keep a Secure cookie")
		}
		// The store keeps the token's hash only.
		var raw []byte
		c.e.Store.Scan(context.Background(), "web_sessions", "", "", func(k string, v []byte) error {
			if k == ck.Value || strings.Contains(string(v), ck.Value) {
				t.Errorf("the session token is stored in clear")
			}
			raw = v
			return nil
		})
		if raw == nil {
			t.Errorf("no session stored")
		}
	}
	if !found {
		t.Fatal("no session cookie")
	}
	// Outside loopback the cookie is Secure.
	e := bottest.New(t)
	s, err := web.New(web.Config{PublicURL: "https://itbot.example.lv"}, web.Deps{Bot: e.Bot, Router: e.Router, Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	res, _ = hc.Get(srv.URL + "/signin")
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/signin/sandbox", strings.NewReader(url.Values{"csrf": {csrfOf(t, string(body))}, "email": {anna}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "itbot_pre="+csrfOf(t, string(body)))
	res, err = http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == "itbot_session" && !ck.Secure {
			t.Errorf("public https console: session cookie not Secure")
		}
	}
	if _, err := web.New(web.Config{PublicURL: "http://itbot.example.lv"}, web.Deps{Bot: e.Bot, Router: e.Router, Sandbox: true}); err == nil {
		t.Errorf("plain http outside loopback accepted")
	}
}

func TestSignInRefusals(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	cases := []struct {
		email, want string
	}{
		{"nobody@lgia.gov.lv", "nav itbot sarakstā"},
		{maris, "līgums"},
	}
	for _, tc := range cases {
		b := c.browser()
		_, page, _ := b.get("/signin")
		code, body, _ := b.post("/signin/sandbox", url.Values{"csrf": {csrfOf(t, page)}, "email": {tc.email}})
		if code != http.StatusForbidden || !strings.Contains(strings.ToLower(body), strings.ToLower(tc.want)) {
			t.Errorf("%s: %d, want 403 saying %q:\n%s", tc.email, code, tc.want, body)
		}
	}
	// The sign-in form without its token.
	b := c.browser()
	b.get("/signin")
	if code, _, _ := b.post("/signin/sandbox", url.Values{"email": {anna}}); code != http.StatusForbidden {
		t.Errorf("sandbox sign-in without a token: %d", code)
	}
	// No sandbox sign-in outside sandbox mode.
	e := bottest.New(t)
	if _, err := web.New(web.Config{}, web.Deps{Bot: e.Bot, Router: e.Router}); err == nil {
		t.Errorf("a console with no way to sign in was built")
	}
}

func TestForgedPostRefused(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	b := c.browser()
	token := b.signIn(anna)
	form := url.Values{"type": {"licence.assign"}, "user": {target}, "sku": {"E3"}}
	for name, f := range map[string]url.Values{
		"no token":    form,
		"wrong token": merge(form, "csrf", strings.Repeat("0", len(token))),
	} {
		code, _, _ := b.post("/new", f)
		if code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, code)
		}
	}
	// The right token from another site (Origin) is refused too.
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL+"/new", strings.NewReader(merge(form, "csrf", token).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	res, err := b.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST: %d", res.StatusCode)
	}
	rs, _ := c.e.Store.Requests(context.Background(), bot.RequestFilter{})
	if len(rs) != 0 {
		t.Errorf("a forged POST created %d requests", len(rs))
	}
}

func merge(v url.Values, k, val string) url.Values {
	out := url.Values{}
	for key, vs := range v {
		out[key] = append([]string(nil), vs...)
	}
	out.Set(k, val)
	return out
}

var locRE = regexp.MustCompile(`^/r/(IT-\d{4}-\d+)$`)

// create submits the new-request form and returns the request id.
func (b *browser) create(token, typ string, fields url.Values) string {
	b.c.t.Helper()
	_, page, _ := b.get("/new?type=" + typ)
	delivery := regexp.MustCompile(`name="delivery" value="([0-9a-f]+)"`).FindStringSubmatch(page)
	if delivery == nil {
		b.c.t.Fatalf("no delivery token:\n%s", page)
	}
	f := merge(fields, "csrf", token)
	f.Set("type", typ)
	f.Set("delivery", delivery[1])
	code, body, h := b.post("/new", f)
	m := locRE.FindStringSubmatch(h.Get("Location"))
	if code != http.StatusSeeOther || m == nil {
		b.c.t.Fatalf("new %s: %d %q\n%s", typ, code, h.Get("Location"), body)
	}
	// The same form sent again is the same request.
	if _, _, h2 := b.post("/new", f); h2.Get("Location") != h.Get("Location") {
		b.c.t.Fatalf("the form sent twice made %q and %q", h.Get("Location"), h2.Get("Location"))
	}
	return m[1]
}

func TestNewRequestApproveAndTrail(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	emp := c.browser()
	tok := emp.signIn(anna)

	// Field errors in place, the values kept.
	_, page, _ := emp.get("/new?type=licence.assign")
	code, body, _ := emp.post("/new", url.Values{"csrf": {tok}, "type": {"licence.assign"}, "user": {"karlis@vid.gov.lv"}, "sku": {"E3"},
		"delivery": {regexp.MustCompile(`name="delivery" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `class="field invalid"`) || !strings.Contains(body, `value="karlis@vid.gov.lv"`) {
		t.Fatalf("a foreign address: %d\n%s", code, body)
	}
	if !strings.Contains(body, `aria-invalid="true" aria-describedby="e-user"`) || !strings.Contains(body, `id="e-user"`) {
		t.Errorf("the error is not next to the user field:\n%s", body)
	}
	code, body, _ = emp.post("/new", url.Values{"csrf": {tok}, "type": {"licence.assign"}, "user": {""}, "delivery": {"x"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "Aizpildiet šo lauku") {
		t.Errorf("an empty required field: %d\n%s", code, body)
	}

	id := emp.create(tok, "licence.assign", url.Values{"user": {target}, "sku": {"E3"}})
	r := c.e.Request(id)
	if r.Origin.Platform != web.Platform || r.Requester != anna || r.State != bot.StateAwaitingApproval {
		t.Fatalf("created %+v", r)
	}
	_, page, _ = emp.get("/r/" + id)
	if !strings.Contains(page, "gaida apstiprinājumu") {
		t.Errorf("the request page does not show its state:\n%s", page)
	}

	// The employee cannot approve (the bot's rule, not the page's).
	emp.post("/r/"+id, url.Values{"csrf": {tok}, "do": {"approve"}})
	if c.e.Request(id).State != bot.StateAwaitingApproval {
		t.Fatalf("the requester approved their own request")
	}
	_, page, _ = emp.get("/r/" + id)
	if !strings.Contains(page, `class="flash error"`) {
		t.Errorf("the refusal is not shown:\n%s", page)
	}

	// The IT contact sees it waiting, approves it; the bot executes it.
	it := c.browser()
	itok := it.signIn(ilze)
	_, list, _ := it.get("/approvals")
	if !strings.Contains(list, id) {
		t.Fatalf("approvals page lacks %s:\n%s", id, list)
	}
	code, _, h := it.post("/r/"+id, url.Values{"csrf": {itok}, "do": {"approve"}})
	if code != http.StatusSeeOther || h.Get("Location") != "/r/"+id {
		t.Fatalf("approve: %d %q", code, h.Get("Location"))
	}
	r = c.e.Request(id)
	if r.State != bot.StateDone {
		t.Fatalf("after approval: %s", r.State)
	}
	evs, _ := c.e.Store.Events(context.Background(), id)
	var webApproval bool
	for _, ev := range evs {
		if ev.To == bot.StateApproved && ev.Actor == ilze && ev.Platform == web.Platform {
			webApproval = true
		}
	}
	if !webApproval {
		t.Errorf("the audit trail does not name the web as the approval's channel: %+v", evs)
	}
	_, page, _ = emp.get("/r/" + id)
	for _, want := range []string{"tīmekļa konsole", ilze, "izpildīts"} {
		if !strings.Contains(page, want) {
			t.Errorf("the trail lacks %q:\n%s", want, page)
		}
	}
}

func TestRejectNeedsReason(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	emp := c.browser()
	id := emp.create(emp.signIn(anna), "licence.assign", url.Values{"user": {target}, "sku": {"E3"}})
	it := c.browser()
	tok := it.signIn(ilze)
	it.post("/r/"+id, url.Values{"csrf": {tok}, "do": {"reject"}})
	if c.e.Request(id).State != bot.StateAwaitingApproval {
		t.Fatalf("rejected without a reason")
	}
	it.post("/r/"+id, url.Values{"csrf": {tok}, "do": {"reject"}, "text": {"nav budžeta"}})
	if r := c.e.Request(id); r.State != bot.StateRejected {
		t.Fatalf("reject: %s", r.State)
	}
	_, page, _ := emp.get("/r/" + id)
	if !strings.Contains(page, "nav budžeta") {
		t.Errorf("the reason is not in the trail:\n%s", page)
	}
}

func TestCrossInstitutionRefused(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	ctx := context.Background()
	now := c.e.Clock.Now()
	r := &bot.Request{Type: bot.TypeLicenceAssign, Params: bot.Params{User: "juris.koks@vvd.gov.lv", SKU: "E3"}, Requester: maris, Institution: "VVD",
		State: bot.StateAwaitingApproval, CreatedAt: now, UpdatedAt: now, Origin: bot.Origin{Platform: "test"}}
	if err := c.e.Store.CreateRequest(ctx, r, bot.Event{At: now, Actor: maris, Kind: bot.EventCreated, To: bot.StateAwaitingApproval}); err != nil {
		t.Fatal(err)
	}
	it := c.browser()
	tok := it.signIn(ilze) // LGIA's IT contact
	code, body, _ := it.get("/r/" + r.ID)
	if code != http.StatusNotFound || strings.Contains(body, "juris.koks") {
		t.Errorf("LGIA opened VVD's %s: %d\n%s", r.ID, code, body)
	}
	it.post("/r/"+r.ID, url.Values{"csrf": {tok}, "do": {"approve"}})
	if got := c.e.Request(r.ID).State; got != bot.StateAwaitingApproval {
		t.Errorf("LGIA approved VVD's request: %s", got)
	}
	it.get("/my") // shows the refusal once
	if _, list, _ := it.get("/approvals"); strings.Contains(list, r.ID) {
		t.Errorf("VVD's request on LGIA's approvals page")
	}
	// Not a queue for an institution's people either.
	if code, _, _ := it.get("/queue"); code != http.StatusForbidden {
		t.Errorf("IT contact opened the queue: %d", code)
	}
	if code, _, _ := it.get("/admin"); code != http.StatusForbidden {
		t.Errorf("IT contact opened the directory: %d", code)
	}
	// The operator sees it.
	op := c.browser()
	op.signIn(oper)
	if code, body, _ := op.get("/r/" + r.ID); code != http.StatusOK || !strings.Contains(body, "juris.koks") {
		t.Errorf("operator: %d", code)
	}
}

func TestQueueFiltersAndShares(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	emp := c.browser()
	tok := emp.signIn(anna)
	a := emp.create(tok, "licence.assign", url.Values{"user": {target}, "sku": {"E3"}})
	b := emp.create(tok, "dvs.incident", url.Values{"text": {"DVS neatver dokumentus"}})
	op := c.browser()
	op.signIn(oper)
	_, all, _ := op.get("/queue")
	for _, id := range []string{a, b} {
		if !strings.Contains(all, id) {
			t.Errorf("queue lacks %s", id)
		}
	}
	_, only, _ := op.get("/queue?type=dvs.incident")
	if strings.Contains(only, a) || !strings.Contains(only, b) {
		t.Errorf("the type filter does not filter:\n%s", only)
	}
	if code, body, _ := op.get("/queue?state=nonsense"); code != http.StatusBadRequest || !strings.Contains(body, "nonsense") {
		t.Errorf("a bad state: %d", code)
	}
	if code, _, _ := op.get("/queue?type=<script>"); code != http.StatusBadRequest {
		t.Errorf("a bad type: %d", code)
	}
}

func TestLiveUpdates(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	emp := c.browser()
	tok := emp.signIn(anna)
	id := emp.create(tok, "licence.assign", url.Values{"user": {target}, "sku": {"E3"}})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.srv.URL+"/events", nil)
	res, err := emp.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	got := make(chan string, 4)
	go func() {
		buf := make([]byte, 4096)
		var acc string
		for {
			n, err := res.Body.Read(buf)
			acc += string(buf[:n])
			if strings.Contains(acc, "event: change") {
				got <- acc
				return
			}
			if err != nil {
				return
			}
		}
	}()
	// Another institution's change is not told to this page.
	for c.s.Hub().Len() == 0 {
		time.Sleep(time.Millisecond)
	}
	c.s.Changed(&bot.Request{ID: "IT-2026-999999", Institution: "VVD", Requester: maris})
	it := c.browser()
	it.post("/r/"+id, url.Values{"csrf": {it.signIn(ilze)}, "do": {"approve"}})
	select {
	case s := <-got:
		if !strings.Contains(s, "data: "+id) || strings.Contains(s, "IT-2026-999999") {
			t.Errorf("events: %q", s)
		}
	case <-ctx.Done():
		t.Fatal("no event after the approval")
	}
	// The partial page is the live part only.
	req, _ = http.NewRequest(http.MethodGet, c.srv.URL+"/r/"+id, nil)
	req.Header.Set("X-Partial", "1")
	pres, err := emp.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := io.ReadAll(pres.Body)
	pres.Body.Close()
	if strings.Contains(string(pb), "<html") || !strings.Contains(string(pb), id) {
		t.Errorf("partial: %s", pb)
	}
}

func TestLanguageSwitch(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	b := c.browser()
	tok := b.signIn(anna)
	_, page, _ := b.get("/my")
	if !strings.Contains(page, "Mani pieteikumi") {
		t.Fatalf("not Latvian first")
	}
	if code, _, _ := b.post("/lang", url.Values{"lang": {"en"}, "back": {"/my"}}); code != http.StatusForbidden {
		t.Errorf("language switch without a token: %d", code)
	}
	b.post("/lang", url.Values{"csrf": {tok}, "lang": {"en"}, "back": {"https://evil.example/"}})
	_, page, _ = b.get("/my")
	if !strings.Contains(page, "My requests") || !strings.Contains(page, `lang="en"`) {
		t.Errorf("no English after the switch")
	}
}

func TestSignOut(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	b := c.browser()
	tok := b.signIn(anna)
	if code, _, h := b.post("/signout", url.Values{"csrf": {tok}}); code != http.StatusSeeOther || h.Get("Location") != "/signin" {
		t.Fatalf("sign out: %d", code)
	}
	if code, _, _ := b.get("/my"); code != http.StatusSeeOther {
		t.Errorf("still signed in after signing out")
	}
}

func TestFilesOnlyForRequester(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	emp := c.browser()
	tok := emp.signIn(ilze)
	id := emp.create(tok, "report.accounts", url.Values{})
	r := c.e.Request(id)
	if r.Outcome == nil || len(r.Outcome.Files) == 0 {
		t.Skipf("the report produced no file: %+v", r)
	}
	if code, body, _ := emp.get("/r/" + id + "/files/0"); code != http.StatusOK || len(body) == 0 {
		t.Errorf("requester: %d", code)
	}
	op := c.browser()
	op.signIn(oper)
	if code, _, _ := op.get("/r/" + id + "/files/0"); code != http.StatusNotFound {
		t.Errorf("someone else downloaded the institution's file: %d", code)
	}
}

// webConfig is the console's configuration in the tests: defaults.
func webConfig() web.Config { return web.Config{} }

// The queue colours each request by the share of its SLA budget used:
// on time, half used (50 %), 80 % used, breached — on the business
// calendar's service hours (Mon 2026-11-23 10:00, policy 1d: due Tue
// 10:00, a budget of 10 business hours).
func TestQueueSLAShares(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	emp := c.browser()
	id := emp.create(emp.signIn(anna), "dvs.incident", url.Values{"text": {"DVS neatver dokumentus"}})
	r := c.e.Request(id)
	if r.SLA.DueAt.IsZero() {
		t.Fatalf("an incident has no due time: %+v", r.SLA)
	}
	row := regexp.MustCompile(`<tr class="h-([a-z]+)[^"]*">\s*<td><a href="/r/` + id + `">`)
	for _, step := range []struct {
		advance time.Duration
		want    string
	}{
		{0, "ok"},
		{5*time.Hour + 30*time.Minute, "half"},  // Mon 15:30: 5.5 of 10 business hours
		{17*time.Hour + 30*time.Minute, "late"}, // Tue 09:00: 9 of 10
		{90 * time.Minute, "breached"},          // Tue 10:30: past the due time
	} {
		c.e.Clock.Advance(step.advance)
		op := c.browser() // a new sign-in: a session lasts 12 hours
		op.signIn(oper)
		_, page, _ := op.get("/queue")
		m := row.FindStringSubmatch(page)
		if m == nil || m[1] != step.want {
			t.Errorf("at %s: row %v, want %s", bot.FormatTime(c.e.Clock.Now()), m, step.want)
		}
	}
}

// The availability page carries the month's SLA compliance report for
// those who may read it — the chat command's answer, with its rules: an
// IT contact reads their own institution only.
func TestAvailabilitySLAReport(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	emp := c.browser()
	id := emp.create(emp.signIn(anna), "dvs.incident", url.Values{"text": {"DVS neatver dokumentus"}})
	_, page, _ := emp.get("/availability")
	if strings.Contains(page, `id="sla"`) {
		t.Errorf("an employee got the SLA report")
	}
	it := c.browser()
	it.signIn(ilze)
	_, page, _ = it.get("/availability?month=2026-11")
	if !strings.Contains(page, `id="sla"`) || !strings.Contains(page, "LGIA") || !strings.Contains(page, "/availability/sla.csv?month=2026-11") {
		t.Fatalf("IT contact's availability page:\n%s", page)
	}
	code, csv, h := it.get("/availability/sla.csv?month=2026-11")
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(csv, "LGIA") {
		t.Errorf("CSV: %d %q\n%s", code, h.Get("Content-Type"), csv)
	}
	if code, body, _ := it.get("/availability/sla.csv?month=2026-11&inst=VVD"); code != http.StatusForbidden || strings.Contains(body, "VVD;") {
		t.Errorf("LGIA's IT contact read VVD's report: %d", code)
	}
	_ = id
}

// Shutdown ends the open event streams: itbot's graceful stop does not
// wait for pages that never stop listening.
func TestShutdownEndsEventStreams(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	b := c.browser()
	b.signIn(anna)
	res, err := b.hc.Get(c.srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	for c.s.Hub().Len() == 0 {
		time.Sleep(time.Millisecond)
	}
	c.s.Shutdown()
	done := make(chan error, 1)
	go func() { _, err := io.ReadAll(res.Body); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stream ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the event stream is still open after Shutdown")
	}
	if c.s.Hub().Len() != 0 {
		t.Errorf("%d pages still subscribed", c.s.Hub().Len())
	}
}

// An admin renews VVD's contract and adds a person from the directory
// page; the forms are the admin commands, so someone else's POST is
// refused by the command's rule.
func TestAdminForms(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	op := c.browser()
	otok := op.signIn(oper) // an operator, not an admin
	op.post("/admin", url.Values{"csrf": {otok}, "do": {"contract"}, "code": {"VVD"}, "number": {"X-1"}, "from": {"2026-01-01"}})
	if i, _ := c.e.Store.Institution(context.Background(), "VVD"); i.Contract.Number == "X-1" {
		t.Fatalf("an operator changed a contract")
	}
	ad := c.browser()
	tok := ad.signIn(admin)
	ad.post("/admin", url.Values{"csrf": {tok}, "do": {"contract"}, "code": {"VVD"}, "number": {"VRAA-IT-2026/7"}, "from": {"2026-01-01"}, "to": {"2027-12-31"}})
	i, err := c.e.Store.Institution(context.Background(), "VVD")
	if err != nil || i.Contract.Number != "VRAA-IT-2026/7" {
		t.Fatalf("contract: %+v %v", i, err)
	}
	_, page, _ := ad.get("/admin")
	if !strings.Contains(page, "VRAA-IT-2026/7") || !strings.Contains(page, `class="flash ok"`) {
		t.Errorf("admin page after the contract:\n%s", page)
	}
	// VVD's IT contact may sign in now.
	m := c.browser()
	m.signIn(maris)

	ad.post("/admin", url.Values{"csrf": {tok}, "do": {"person"}, "email": {"liga.berza@lgia.gov.lv"}, "name": {"Līga Bērza"}, "role": {"it_contact", "nonsense"}, "lang": {"en"}})
	p, err := c.e.Store.Person(context.Background(), "liga.berza@lgia.gov.lv")
	if err != nil || p.Name != "Līga Bērza" || !p.Has(bot.RoleITContact) || p.Language() != bot.EN || p.Institution != "LGIA" {
		t.Fatalf("person: %+v %v", p, err)
	}
	ad.post("/admin", url.Values{"csrf": {tok}, "do": {"role"}, "email": {"liga.berza@lgia.gov.lv"}, "change": {"remove"}, "role": {"it_contact"}})
	if p := c.e.Person("liga.berza@lgia.gov.lv"); p.Has(bot.RoleITContact) {
		t.Errorf("role not removed: %+v", p.Roles)
	}
}

// Before signing in, the language switch works on every page (the
// sign-in page's token), and the choice is kept in a cookie.
func TestLanguageBeforeSignIn(t *testing.T) {
	c := newConsole(t, web.Config{}, true)
	b := c.browser()
	_, page, _ := b.get("/signin")
	if code, _, _ := b.post("/lang", url.Values{"csrf": {csrfOf(t, page)}, "lang": {"en"}, "back": {"/signin"}}); code != http.StatusSeeOther {
		t.Fatalf("switch: %d", code)
	}
	_, page, _ = b.get("/signin")
	if !strings.Contains(page, "Sandbox sign-in") {
		t.Errorf("sign-in page not in English after the switch")
	}
	_, page, _ = b.get("/r/IT-2026-000001/files/x") // an error page, no session: redirect
	_, page, _ = b.post("/new", url.Values{})       // 403 page without a session
	if !strings.Contains(page, `name="csrf" value="`) {
		t.Errorf("the error page's language switch has no token:\n%s", page)
	}
}
