package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"itbot/bot"
)

// oidcClient signs people in with an OpenID Connect provider (Entra ID):
// the authorization code flow with PKCE, a nonce in the ID token, and the
// state bound to the browser by a cookie.
type oidcClient struct {
	cfg      OIDCConfig
	redirect string

	mu       sync.Mutex
	provider *oidc.Provider
}

func newOIDC(cfg OIDCConfig, redirect string) *oidcClient {
	return &oidcClient{cfg: cfg, redirect: redirect}
}

// setup discovers the provider once (retried on the next sign-in if it
// failed).
func (o *oidcClient) setup(ctx context.Context) (*oidc.Provider, *oauth2.Config, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider == nil {
		p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
		if err != nil {
			return nil, nil, err
		}
		o.provider = p
	}
	scopes := append([]string{oidc.ScopeOpenID, "profile", "email"}, o.cfg.Scopes...)
	return o.provider, &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret,
		Endpoint: o.provider.Endpoint(), RedirectURL: o.redirect, Scopes: scopes}, nil
}

// pending is a sign-in started and not yet finished, kept server-side
// under its state.
type pending struct {
	Nonce    string    `json:"nonce"`
	Verifier string    `json:"verifier"`
	Back     string    `json:"back"`
	Expires  time.Time `json:"expires"`
}

// claims are the ID token's claims itbot reads. Entra ID puts the
// sign-in name in preferred_username (v2.0 tokens), the e-mail address in
// email when the optional claim is configured, the UPN in upn (optional
// claim), and the tenant in tid.
type claims struct {
	Email             string `json:"email"`
	PreferredUsername string `json:"preferred_username"`
	UPN               string `json:"upn"`
	TenantID          string `json:"tid"`
	Nonce             string `json:"nonce"`
}

// login starts a sign-in: it redirects to the provider.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	l := s.pageLang(r, nil)
	if s.oidc == nil {
		s.fail(w, r, nil, http.StatusNotFound, bot.Tr(l, "web.oidc_off", nil))
		return
	}
	_, oc, err := s.oidc.setup(r.Context())
	if err != nil {
		s.log.Error("oidc discovery", "issuer", s.cfg.OIDC.Issuer, "err", err)
		s.fail(w, r, nil, http.StatusBadGateway, bot.Tr(l, "web.oidc_down", nil))
		return
	}
	state, p := randomToken(24), pending{Nonce: randomToken(24), Verifier: oauth2.GenerateVerifier(), Back: safeBack(r.URL.Query().Get("back")),
		Expires: s.d.Bot.Now().Add(10 * time.Minute)}
	b, _ := json.Marshal(p)
	if err := s.d.Bot.Store.Put(r.Context(), bucketAuth, state, b); err != nil {
		s.internal(w, r, nil, err)
		return
	}
	http.SetCookie(w, s.cookie(cookieAuth, state, 10*time.Minute))
	http.Redirect(w, r, oc.AuthCodeURL(state, oidc.Nonce(p.Nonce), oauth2.S256ChallengeOption(p.Verifier)), http.StatusFound)
}

// callback finishes a sign-in: the state must be the one this browser
// started, the code is exchanged with the PKCE verifier, the ID token
// verified (signature, issuer, audience, expiry, nonce, tenant), and its
// address mapped to a person in the directory whose institution may use
// itbot.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l := s.pageLang(r, nil)
	if s.oidc == nil {
		s.fail(w, r, nil, http.StatusNotFound, bot.Tr(l, "web.oidc_off", nil))
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	c, err := r.Cookie(cookieAuth)
	http.SetCookie(w, s.cookie(cookieAuth, "", -1))
	if err != nil || !sameToken(c.Value, state) {
		s.log.Warn("oidc callback: state does not match this browser's sign-in")
		s.fail(w, r, nil, http.StatusBadRequest, bot.Tr(l, "web.signin_stale", nil))
		return
	}
	raw, err := s.d.Bot.Store.Get(ctx, bucketAuth, state)
	s.d.Bot.Store.Delete(ctx, bucketAuth, state)
	var p pending
	if err != nil || raw == nil || json.Unmarshal(raw, &p) != nil || !s.d.Bot.Now().Before(p.Expires) {
		s.fail(w, r, nil, http.StatusBadRequest, bot.Tr(l, "web.signin_stale", nil))
		return
	}
	if e := q.Get("error"); e != "" {
		s.log.Info("oidc sign-in refused by the provider", "error", e, "description", q.Get("error_description"))
		s.fail(w, r, nil, http.StatusForbidden, bot.Tr(l, "web.provider_refused", bot.Args{"Error": e}))
		return
	}
	provider, oc, err := s.oidc.setup(ctx)
	if err != nil {
		s.fail(w, r, nil, http.StatusBadGateway, bot.Tr(l, "web.oidc_down", nil))
		return
	}
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(p.Verifier))
	if err != nil {
		s.log.Warn("oidc code exchange failed", "err", err)
		s.fail(w, r, nil, http.StatusBadGateway, bot.Tr(l, "web.signin_failed", nil))
		return
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: s.cfg.OIDC.ClientID}).Verify(ctx, rawID)
	if err != nil {
		s.log.Warn("oidc id token refused", "err", err)
		s.fail(w, r, nil, http.StatusForbidden, bot.Tr(l, "web.signin_failed", nil))
		return
	}
	var cl claims
	if err := idt.Claims(&cl); err != nil || !sameToken(cl.Nonce, p.Nonce) {
		s.log.Warn("oidc id token: nonce does not match")
		s.fail(w, r, nil, http.StatusForbidden, bot.Tr(l, "web.signin_failed", nil))
		return
	}
	if s.cfg.OIDC.TenantID != "" && !strings.EqualFold(cl.TenantID, s.cfg.OIDC.TenantID) {
		s.log.Warn("oidc sign-in from another tenant", "tid", cl.TenantID)
		s.fail(w, r, nil, http.StatusForbidden, bot.Tr(l, "web.other_tenant", nil))
		return
	}
	person, err := s.admit(ctx, cl.Email, cl.UPN, cl.PreferredUsername)
	if err != nil {
		s.log.Info("web sign-in refused", "subject", idt.Subject, "err", err)
		s.fail(w, r, nil, http.StatusForbidden, bot.UserMessage(err, l))
		return
	}
	if _, err := s.newSession(ctx, w, person.Email, "oidc"); err != nil {
		s.internal(w, r, nil, err)
		return
	}
	s.log.Info("web sign-in", "person", person.Email, "via", "oidc")
	http.Redirect(w, r, p.Back, http.StatusSeeOther)
}

// admit maps the first usable address among candidates to a person of the
// directory and checks their institution may use itbot (a valid contract,
// in the sector); the error says why not, in the person's words.
func (s *Server) admit(ctx context.Context, candidates ...string) (*bot.Person, error) {
	var tried []string
	for _, c := range candidates {
		if c == "" {
			continue
		}
		addr, err := bot.NormalizeAddress(c)
		if err != nil {
			continue
		}
		tried = append(tried, addr)
		p, err := s.d.Bot.Store.Person(ctx, addr)
		if err != nil {
			continue
		}
		inst, err := s.d.Bot.InstitutionOf(ctx, p)
		if err != nil {
			return nil, err
		}
		if !p.IsAgency() {
			if err := inst.Eligible(s.d.Bot.Now()); err != nil {
				return nil, err
			}
		}
		return p, nil
	}
	if len(tried) == 0 {
		return nil, bot.Errorf(bot.EFORBIDDEN, "web.no_address")
	}
	return nil, bot.Errorf(bot.EFORBIDDEN, "web.unknown_person", "Email", tried[0])
}

// safeBack keeps a return address on this console: a path, never another
// site ("//evil", "https://…").
func safeBack(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}

// signinPage shows the ways to sign in: Entra ID, and in sandbox mode the
// sandbox people.
func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	l := s.pageLang(r, nil)
	pre := s.preToken(w, r)
	var people []*bot.Person
	if s.d.Sandbox {
		ps, err := s.d.Bot.Store.People(r.Context(), "")
		if err != nil {
			s.internal(w, r, nil, err)
			return
		}
		people = ps
	}
	s.render(w, r, nil, "signin", l, map[string]any{"OIDC": s.oidc != nil, "People": people, "Pre": pre,
		"Back": safeBack(r.URL.Query().Get("back"))})
}

// preToken returns the browser's CSRF token for the forms shown before a
// session exists (sign-in, language), setting its cookie when it has none.
func (s *Server) preToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(cookiePre); err == nil && len(c.Value) == 48 {
		return c.Value
	}
	pre := randomToken(24)
	http.SetCookie(w, s.cookie(cookiePre, pre, time.Hour))
	return pre
}

// sandboxSignin signs in as a sandbox person (sandbox mode only).
func (s *Server) sandboxSignin(w http.ResponseWriter, r *http.Request) {
	l := s.pageLang(r, nil)
	if !s.d.Sandbox {
		s.fail(w, r, nil, http.StatusNotFound, bot.Tr(l, "web.sandbox_only", nil))
		return
	}
	c, err := r.Cookie(cookiePre)
	if err != nil || !s.checkCSRF(r, c.Value) {
		s.log.Warn("web: sandbox sign-in without its token refused")
		s.fail(w, r, nil, http.StatusForbidden, bot.Tr(l, "web.csrf", nil))
		return
	}
	p, err := s.admit(r.Context(), r.PostFormValue("email"))
	if err != nil {
		s.fail(w, r, nil, http.StatusForbidden, bot.UserMessage(err, l))
		return
	}
	if _, err := s.newSession(r.Context(), w, p.Email, "sandbox"); err != nil {
		s.internal(w, r, nil, err)
		return
	}
	s.log.Info("web sign-in", "person", p.Email, "via", "sandbox")
	http.Redirect(w, r, safeBack(r.PostFormValue("back")), http.StatusSeeOther)
}

// signout ends the session.
func (s *Server) signout(w http.ResponseWriter, r *http.Request, se *session, _ *bot.Person) {
	s.endSession(w, r, se)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

var errNoSession = errors.New("web: not signed in")

// whoFor resolves a session's person and checks they may still use the
// console (removed from the directory, institution's contract ended).
func (s *Server) whoFor(ctx context.Context, se *session) (*bot.Person, error) {
	if se == nil {
		return nil, errNoSession
	}
	p, err := s.admit(ctx, se.Email)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNoSession, err)
	}
	return p, nil
}
