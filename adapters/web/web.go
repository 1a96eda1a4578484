// Package web is itbot's web console: server-rendered pages for the
// operators' queue, approvals, a person's own requests, the new-request
// form, a request with its audit trail, availability and the business
// calendar, and the directory — signed in with OpenID Connect (Microsoft
// Entra ID) or, in sandbox mode, by picking a sandbox person.
//
// The console is one more door: every action is a command line routed
// through the bot's router, exactly as typing it in chat would run it, so
// the bot's policy is the only rule set. Pages read requests through the
// bot's scoped view; a person never sees a request the bot would not show
// them in chat.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"itbot/bot"
	"itbot/bot/availability"
	"itbot/bot/calendar"
)

// Platform is the console's platform name in the audit trail and on the
// requests asked through it.
const Platform = "web"

// Config is the web section of the configuration.
type Config struct {
	// Enabled turns the console on (default: on in sandbox mode, off
	// otherwise).
	Enabled *bool `yaml:"enabled"`
	// PublicURL is the address people open (https://itbot.example.lv);
	// the OIDC redirect URI is PublicURL + "/auth/callback". Empty: the
	// HTTP listener's address.
	PublicURL string `yaml:"public_url"`
	// SessionHours is how long a sign-in lasts (default 12).
	SessionHours int `yaml:"session_hours"`
	// OIDC is the sign-in with Microsoft Entra ID; without it only the
	// sandbox sign-in exists (and only in sandbox mode).
	OIDC OIDCConfig `yaml:"oidc"`
}

// OIDCConfig is the OpenID Connect provider (Entra ID) and the app
// registration itbot signs in with.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL, for Entra ID
	// https://login.microsoftonline.com/TENANT-ID/v2.0.
	Issuer string `yaml:"issuer"`
	// ClientID is the app registration's application (client) id.
	ClientID string `yaml:"client_id"`
	// ClientSecret is its secret; empty reads ITBOT_WEB_CLIENT_SECRET.
	ClientSecret string `yaml:"client_secret"`
	// TenantID, when set, must equal the token's tid claim: a token of
	// another Entra tenant is refused even if the issuer were shared.
	TenantID string `yaml:"tenant_id"`
	// Scopes are extra scopes to ask for besides openid, profile, email.
	Scopes []string `yaml:"scopes"`
}

// Deps is what the console needs from the rest of itbot.
type Deps struct {
	Bot    *bot.Bot
	Router *bot.Router
	Log    *slog.Logger
	// Sandbox enables the sandbox sign-in page.
	Sandbox bool
	// Used reports the share of a request's SLA budget used (slaclock's
	// Clock.Used); nil shows no shares.
	Used func(r *bot.Request, now time.Time) (float64, bool)
	// Availability gives a month's availability reports; nil hides the
	// page's figures.
	Availability func(ctx context.Context, month time.Time) ([]*availability.Report, error)
	// AvailabilityChart draws them as a PNG; nil shows no chart.
	AvailabilityChart func(rs []*availability.Report, l bot.Lang) ([]byte, error)
	// Calendar is the business calendar the SLA clock uses.
	Calendar *calendar.Calendar
}

// Server is the web console.
type Server struct {
	cfg    Config
	d      Deps
	log    *slog.Logger
	oidc   *oidcClient
	hub    *Hub
	secure bool // cookies carry Secure (not on loopback http)
	mux    *http.ServeMux

	mu      sync.Mutex
	secrets map[string][]bot.Reply // private notices waiting for their reader, by e-mail

	stop     chan struct{} // closed by Shutdown: open event streams end
	stopOnce sync.Once
}

// Shutdown ends the open event streams, so that the HTTP server's
// graceful shutdown does not wait for pages that never stop listening.
func (s *Server) Shutdown() { s.stopOnce.Do(func() { close(s.stop) }) }

// New returns the console. The OIDC provider is contacted for its
// discovery document at the first sign-in, not here, so a provider that is
// down does not stop itbot from starting.
func New(cfg Config, d Deps) (*Server, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if cfg.SessionHours <= 0 {
		cfg.SessionHours = 12
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	s := &Server{cfg: cfg, d: d, log: d.Log.With("adapter", Platform), hub: NewHub(), secrets: map[string][]bot.Reply{}, stop: make(chan struct{})}
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, errors.New("web.public_url must be an http(s) address, e.g. https://itbot.example.lv")
		}
		s.secure = u.Scheme == "https" || !isLoopback(u.Hostname())
		if u.Scheme == "http" && !isLoopback(u.Hostname()) {
			return nil, errors.New("web.public_url must use https outside loopback: session cookies are Secure")
		}
	}
	if cfg.OIDC.Issuer != "" {
		if cfg.PublicURL == "" {
			return nil, errors.New("web.oidc needs web.public_url: the redirect URI registered with the provider is public_url + /auth/callback")
		}
		if cfg.OIDC.ClientID == "" || cfg.OIDC.ClientSecret == "" {
			return nil, errors.New("web.oidc needs client_id and client_secret (or ITBOT_WEB_CLIENT_SECRET)")
		}
		s.oidc = newOIDC(cfg.OIDC, cfg.PublicURL+"/auth/callback")
	}
	if s.oidc == nil && !d.Sandbox {
		return nil, errors.New("web: no way to sign in: configure web.oidc (Entra ID), or run in sandbox mode")
	}
	s.hub.See = func(p *bot.Person, r *bot.Request) bool { return d.Bot.Policy.CanSee(p, r) }
	s.routes()
	return s, nil
}

// PublicURL returns the configured public address ("" when the console
// is reached at the listener's address).
func (s *Server) PublicURL() string { return s.cfg.PublicURL }

// Hub returns the live-update hub (for benchmarks and tests).
func (s *Server) Hub() *Hub { return s.hub }

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Changed is the bot's change hook: open pages that show the request
// learn it changed.
func (s *Server) Changed(r *bot.Request) { s.hub.Publish(r) }

// Platform implements bot.Poster.
func (s *Server) Platform() string { return Platform }

// OpsChannel implements bot.Poster: the console has no operators'
// channel (operators watch the queue page).
func (s *Server) OpsChannel() string { return "" }

// Post implements bot.Poster for requests asked through the console. Every
// update is already on the request's page (its audit trail); what is kept
// is a private notice — a new mailbox's temporary password — for its
// reader, in memory only (a secret is never stored), shown once on their
// next page.
func (s *Server) Post(_ context.Context, n bot.Notice) error {
	if n.Refresh || !n.Reply.Private || n.To.User == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := append(s.secrets[n.To.User], n.Reply)
	if len(q) > 20 {
		q = q[len(q)-20:]
	}
	s.secrets[n.To.User] = q
	return nil
}

// takeSecrets returns and forgets the private notices waiting for email.
func (s *Server) takeSecrets(email string) []bot.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.secrets[email]
	delete(s.secrets, email)
	return q
}

// Handler returns the console's HTTP handler. Mount it at "/".
func (s *Server) Handler() http.Handler { return s.mux }

// Paths the console serves under, for the app to route to it.
var Paths = []string{"/{$}", "/signin", "/signin/", "/signout", "/auth/", "/queue", "/approvals", "/my", "/new", "/r/", "/availability", "/availability/", "/calendar", "/admin", "/events", "/lang", "/static/"}

// randomToken returns n random bytes as hex.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("web: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}
