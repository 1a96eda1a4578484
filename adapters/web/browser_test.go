package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"itbot/bot"
)

// browserPath finds a Chromium to drive: ITBOT_CHROMIUM, else Debian's
// chromium (which .ci/run installs), else another Chrome on the PATH.
func browserPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ITBOT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium on this machine: install Debian's chromium package (apt-get install chromium; .ci/run does) or set ITBOT_CHROMIUM to run the browser tests")
	return ""
}

// headless starts one headless Chromium for the test (flags as root on a
// closed network: no sandbox, no background connections) and returns its
// allocator context.
func headless(t *testing.T) context.Context {
	t.Helper()
	path := browserPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
	)
	ctx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	return ctx
}

// tab opens a page: the first in the browser of the allocator parent,
// others (parent: the first tab) in their own browser context (own
// cookies: a second person at the same browser).
func tab(t *testing.T, parent context.Context, first bool) context.Context {
	t.Helper()
	var ctx context.Context
	var cancel context.CancelFunc
	if first {
		ctx, cancel = chromedp.NewContext(parent)
	} else {
		ctx, cancel = chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	}
	t.Cleanup(cancel)
	// Start the browser (or the context) without a deadline: a deadline on
	// the first run would stop the whole browser when it passes.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// within runs actions with a deadline.
func within(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// shot saves a screenshot of the page to ITBOT_SCREENSHOTS (when set), to
// look at.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("ITBOT_SCREENSHOTS")
	if dir == "" {
		return
	}
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Error(err)
	}
}

func sandboxSignIn(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	within(t, ctx, "sign in as "+email,
		chromedp.Navigate(base+"/signin"),
		chromedp.Click(chromedp.CSS(`button[data-email="`+email+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"]`)),
	)
}

// TestBrowserRequestApprovedLive is the whole flow in a real Chromium: an
// employee asks through the form, the IT contact approves in a second
// browser context, and the employee's open page shows it without a
// reload; the audit trail names the web; a forged POST and another
// institution's request are refused.
func TestBrowserRequestApprovedLive(t *testing.T) {
	c := newConsole(t, webConfig(), true)
	browser := headless(t)
	base := c.srv.URL

	emp := tab(t, browser, true)
	sandboxSignIn(t, emp, base, anna)
	shot(t, emp, "01-my-requests")

	// The form, with a mistake first: the error is shown at its field.
	within(t, emp, "open the form",
		chromedp.Navigate(base+"/new"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/new?type=licence.assign"]`)),
	)
	shot(t, emp, "02-new-types")
	within(t, emp, "a foreign address",
		chromedp.Click(chromedp.CSS(`a[href="/new?type=licence.assign"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-user`)),
		chromedp.SendKeys(chromedp.CSS(`#f-user`), "someone@vid.gov.lv"),
		chromedp.SendKeys(chromedp.CSS(`#f-sku`), "E3"),
		chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#e-user`)),
	)
	shot(t, emp, "03-form-error")
	within(t, emp, "submit the form",
		chromedp.SetValue(chromedp.CSS(`#f-user`), target),
		chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#rq`)),
	)
	loc := eval[string](t, emp, `location.pathname`)
	m := regexp.MustCompile(`^/r/(IT-\d{4}-\d+)$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after the form: %s", loc)
	}
	id := m[1]
	if st := c.e.Request(id).State; st != bot.StateAwaitingApproval {
		t.Fatalf("created in %s", st)
	}
	// Wait for the page's event stream, and mark the page: a reload
	// would lose the mark.
	eval[bool](t, emp, `new Promise(r => { const f = () => document.body.dataset.connected ? r(true) : setTimeout(f, 20); f(); })`, chromedp.EvalAwaitPromise)
	eval[bool](t, emp, `window.itbotMark = true`)
	shot(t, emp, "04-request-waiting")

	// The IT contact, in a second browser context, approves it.
	it := tab(t, emp, false)
	sandboxSignIn(t, it, base, ilze)
	within(t, it, "approvals page",
		chromedp.Navigate(base+"/approvals"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/r/`+id+`"]`)),
	)
	shot(t, it, "05-approvals")
	within(t, it, "approve",
		chromedp.Click(chromedp.CSS(`form[action="/r/`+id+`"] button[data-do="approve"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.ok`)),
	)
	shot(t, it, "06-approved")
	if st := c.e.Request(id).State; st != bot.StateDone {
		t.Fatalf("after approval: %s", st)
	}

	// The employee's page shows it without a reload.
	within(t, emp, "live update",
		chromedp.Poll[chromedp.Void](`document.querySelector("#live .tag") && document.querySelector("#live .tag").textContent.includes("slēgts")`,
			chromedp.WithPollingTimeout(15*time.Second)),
	)
	if !eval[bool](t, emp, `window.itbotMark === true`) {
		t.Errorf("the page was reloaded instead of updated")
	}
	trail := eval[string](t, emp, `document.querySelector("table.trail").innerText`)
	for _, want := range []string{"tīmekļa konsole", ilze} {
		if !strings.Contains(trail, want) {
			t.Errorf("audit trail lacks %q:\n%s", want, trail)
		}
	}
	shot(t, emp, "07-request-done-live")

	// A forged POST (no CSRF token) from the page is refused.
	status := eval[int](t, emp, `fetch("/new", {method: "POST", body: new URLSearchParams({type: "licence.assign", user: "`+target+`", sku: "E3"})}).then(r => r.status)`, chromedp.EvalAwaitPromise)
	if status != 403 {
		t.Errorf("forged POST: %d, want 403", status)
	}

	// Another institution's request by its URL.
	now := c.e.Clock.Now()
	other := &bot.Request{Type: bot.TypeLicenceAssign, Params: bot.Params{User: "juris.koks@vvd.gov.lv", SKU: "E3"}, Requester: maris, Institution: "VVD",
		State: bot.StateAwaitingApproval, CreatedAt: now, UpdatedAt: now, Origin: bot.Origin{Platform: "test"}}
	if err := c.e.Store.CreateRequest(context.Background(), other, bot.Event{At: now, Actor: maris, Kind: bot.EventCreated, To: bot.StateAwaitingApproval}); err != nil {
		t.Fatal(err)
	}
	within(t, it, "another institution's request",
		chromedp.Navigate(base+"/r/"+other.ID),
		chromedp.WaitVisible(chromedp.CSS(`.flash.error`)),
	)
	body := eval[string](t, it, `document.body.innerText`)
	if strings.Contains(body, "juris.koks") || !strings.Contains(body, other.ID) {
		t.Errorf("cross-institution page:\n%s", body)
	}
	shot(t, it, "08-cross-institution")

	// The operator's queue, availability and calendar pages render.
	op := tab(t, emp, false)
	sandboxSignIn(t, op, base, admin)
	for _, p := range []struct{ path, sel, name string }{
		{"/queue", `table.requests, #live p`, "09-queue"},
		{"/r/" + other.ID, `#rq`, "10-request-operator"},
		{"/calendar", `table`, "11-calendar"},
		{"/availability", `#live`, "12-availability"},
		{"/admin", `table`, "13-admin"},
	} {
		within(t, op, p.path, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS(p.sel)))
		shot(t, op, p.name)
	}

	// On a phone: nothing wider than the screen but the tables, which
	// scroll inside their box.
	within(t, emp, "phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/r/"+id), chromedp.WaitVisible(chromedp.CSS(`#rq`)))
	if w := eval[int](t, emp, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the request page is %d px wide on a 390 px phone", w)
	}
	if !eval[bool](t, emp, `getComputedStyle(document.querySelector("table.trail td:nth-child(4)")).display !== "none"`) {
		t.Errorf("the trail's events are hidden on a phone")
	}
	shot(t, emp, "14-request-phone")
	// Keyboard: the first Tab reaches the skip link.
	within(t, emp, "keyboard", chromedp.KeyEvent("\t"))
	if f := eval[string](t, emp, `document.activeElement.className`); f != "skip" {
		t.Errorf("first Tab focuses %q, want the skip link", f)
	}
}

// TestBrowserOIDCSignIn signs in through a local OpenID provider in the
// browser: the console redirects to it, it redirects back with a code,
// and the person lands on their page.
func TestBrowserOIDCSignIn(t *testing.T) {
	c, m := oidcConsole(t)
	browser := headless(t)
	ctx := tab(t, browser, true)
	m.QueueUser(entraUser{sub: "a1", upn: ilze, tid: tenant})
	within(t, ctx, "sign in with the provider",
		chromedp.Navigate(c.srv.URL+"/approvals"),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/auth/login"]`)),
	)
	shot(t, ctx, "00-signin-oidc")
	within(t, ctx, "provider round trip",
		chromedp.Click(chromedp.CSS(`a[href^="/auth/login"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"]`)),
	)
	if p := eval[string](t, ctx, `location.pathname`); p != "/approvals" {
		t.Errorf("after sign-in: %s, want back at /approvals", p)
	}
	if who := eval[string](t, ctx, `document.querySelector(".who").textContent`); !strings.Contains(who, "Ilze Liepa") {
		t.Errorf("signed in as %q", who)
	}
}
