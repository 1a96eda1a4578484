package web_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"itbot/adapters/web"
	"itbot/bottest"
)

// entraUser is a user of the local OpenID provider whose ID token carries
// the claims Entra ID v2.0 tokens do: preferred_username (the UPN), email
// (optional claim), tid (the tenant).
type entraUser struct {
	sub, upn, email, tid string
}

func (u entraUser) ID() string { return u.sub }

func (u entraUser) Userinfo([]string) ([]byte, error) {
	return json.Marshal(map[string]string{"sub": u.sub, "preferred_username": u.upn, "email": u.email})
}

type entraClaims struct {
	*mockoidc.IDTokenClaims
	PreferredUsername string `json:"preferred_username,omitempty"`
	Email             string `json:"email,omitempty"`
	TenantID          string `json:"tid,omitempty"`
}

func (u entraUser) Claims(_ []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &entraClaims{IDTokenClaims: c, PreferredUsername: u.upn, Email: u.email, TenantID: u.tid}, nil
}

const tenant = "11111111-2222-3333-4444-555555555555"

// oidcConsole is a console that signs in with a local OpenID provider
// (mockoidc: discovery, authorize, token with PKCE, JWKS).
func oidcConsole(t *testing.T) (*console, *mockoidc.MockOIDC) {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	e := bottest.New(t)
	e.Sandbox()
	srv := httptest.NewUnstartedServer(nil)
	public := "http://" + srv.Listener.Addr().String()
	mc := m.Config()
	s, err := web.New(web.Config{PublicURL: public, OIDC: web.OIDCConfig{Issuer: mc.Issuer, ClientID: mc.ClientID, ClientSecret: mc.ClientSecret, TenantID: tenant}},
		web.Deps{Bot: e.Bot, Router: e.Router, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = s.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return &console{t: t, e: e, s: s, srv: srv}, m
}

// follow signs in through the provider, following every redirect, and
// returns the last answer.
func oidcSignIn(t *testing.T, c *console, hc *http.Client, back string) (int, string, string) {
	t.Helper()
	res, err := hc.Get(c.srv.URL + "/auth/login?back=" + back)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body), res.Request.URL.Path
}

func TestOIDCSignIn(t *testing.T) {
	c, m := oidcConsole(t)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}

	m.QueueUser(entraUser{sub: "a1", upn: "Anna.Berzina@lgia.gov.lv", tid: tenant})
	code, body, path := oidcSignIn(t, c, hc, "/my")
	if code != http.StatusOK || path != "/my" || !strings.Contains(body, "Anna Bērziņa") {
		t.Fatalf("sign-in: %d at %s\n%s", code, path, body)
	}
	// No sandbox sign-in outside sandbox mode.
	res, _ := hc.Get(c.srv.URL + "/signin")
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(page), "/signin/sandbox") || !strings.Contains(string(page), "/auth/login") {
		t.Errorf("sign-in page:\n%s", page)
	}

	for name, tc := range map[string]struct {
		u    entraUser
		want string
	}{
		"another tenant":   {entraUser{sub: "x", upn: "anna.berzina@lgia.gov.lv", tid: "99999999-0000-0000-0000-000000000000"}, "citai organizācijai"},
		"unknown person":   {entraUser{sub: "y", upn: "svesais@lgia.gov.lv", tid: tenant}, "nav itbot sarakstā"},
		"expired contract": {entraUser{sub: "z", upn: maris, tid: tenant}, "līgum"},
	} {
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar}
		m.QueueUser(tc.u)
		code, body, _ := oidcSignIn(t, c, hc, "/my")
		if code != http.StatusForbidden || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d\n%s", name, code, body)
		}
		res, _ := hc.Get(c.srv.URL + "/my")
		res.Body.Close()
		if res.Request.URL.Path != "/signin" {
			t.Errorf("%s: signed in anyway (%s)", name, res.Request.URL.Path)
		}
	}
}

func TestOIDCCallbackNeedsItsBrowser(t *testing.T) {
	c, m := oidcConsole(t)
	// A sign-in started in one browser and finished in another (a login
	// CSRF: the attacker's code in the victim's browser) is refused.
	jar, _ := cookiejar.New(nil)
	attacker := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/auth/callback" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	m.QueueUser(entraUser{sub: "a1", upn: anna, tid: tenant})
	res, err := attacker.Get(c.srv.URL + "/auth/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cb := res.Header.Get("Location")
	if !strings.Contains(cb, "/auth/callback?") {
		t.Fatalf("no callback: %q", cb)
	}
	vjar, _ := cookiejar.New(nil)
	victim := &http.Client{Jar: vjar}
	res, err = victim.Get(cb)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "citā pārlūkā") {
		t.Errorf("callback in another browser: %d\n%s", res.StatusCode, body)
	}
	// The open redirect: back= to another site goes home instead.
	jar2, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar2}
	m.QueueUser(entraUser{sub: "a1", upn: anna, tid: tenant})
	_, _, path := oidcSignIn(t, c, hc, "//evil.example/x")
	if path != "/my" { // "/" sends an employee to their requests
		t.Errorf("back to another site: ended at %s", path)
	}
}
