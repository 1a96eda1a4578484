// Package teamstest is a Bot Connector emulator for itbot's Teams door:
// an httptest server that publishes the Bot Framework's OpenID metadata
// document and keys, and signs the activities a test sends to the bot
// the way the Bot Connector service does ("Authentication with the Bot
// Connector API": RS256, issuer https://api.botframework.com, audience
// the bot's app id, a serviceUrl claim, keys endorsed for the channel).
package teamstest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// The emulated tenant and bot.
const (
	AppID    = "0b7d3f5e-1c2a-4e8b-9a61-2f4d6c8e0a13"
	TenantID = "5e2f8a1c-7d3b-4c9e-8f06-1a2b3c4d5e6f"
	KeyID    = "itbot-test-key-1"
)

// Server is the emulator.
type Server struct {
	srv *httptest.Server
	key *rsa.PrivateKey

	mu           sync.Mutex
	keyFetch     int
	endorsements []string // the channels the signing key is endorsed for
	conn         connectorState
	offset       time.Duration // Advance moves the emulator's clock
}

// Advance moves the emulator's clock (tokens' times, rate-limit windows)
// forward: tests pass it as the door's sleep.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

func (s *Server) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Now().Add(s.offset)
}

// Endorse sets the channels the signing key is endorsed for (msteams by
// default).
func (s *Server) Endorse(channels ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endorsements = channels
}

// New starts an emulator.
func New() *Server {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	s := &Server{key: k, endorsements: []string{"msteams"}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/.well-known/openidconfiguration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"issuer": "https://api.botframework.com", "jwks_uri": s.srv.URL + "/v1/.well-known/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"}, "token_endpoint_auth_methods_supported": []string{"private_key_jwt"}})
	})
	mux.HandleFunc("GET /v1/.well-known/keys", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.keyFetch++
		end := append([]string(nil), s.endorsements...)
		s.mu.Unlock()
		jwk := jose.JSONWebKey{Key: &s.key.PublicKey, KeyID: KeyID, Algorithm: "RS256", Use: "sig"}
		raw, _ := jwk.MarshalJSON()
		var m map[string]any
		json.Unmarshal(raw, &m)
		m["endorsements"] = end
		writeJSON(w, map[string]any{"keys": []any{m}})
	})
	s.connector(mux)
	s.srv = httptest.NewServer(mux)
	return s
}

// Close stops the emulator.
func (s *Server) Close() { s.srv.Close() }

// MetadataURL is the emulator's OpenID metadata document.
func (s *Server) MetadataURL() string { return s.srv.URL + "/v1/.well-known/openidconfiguration" }

// URL is the emulator's base URL (the activities' serviceUrl).
func (s *Server) URL() string { return s.srv.URL + "/" }

// KeyFetches reports how often the keys were read.
func (s *Server) KeyFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyFetch
}

// Token are the claims of a token Sign makes; the zero value is the
// Connector's real token for the emulator's bot.
type Token struct {
	Issuer, Audience, ServiceURL, KeyID string
	Expires                             time.Duration // from now; 0 = one hour
	Key                                 *rsa.PrivateKey
}

// Sign returns "Bearer …" for an activity sent to serviceURL.
func (s *Server) Sign(serviceURL string, t Token) string {
	if t.Issuer == "" {
		t.Issuer = "https://api.botframework.com"
	}
	if t.Audience == "" {
		t.Audience = AppID
	}
	if t.ServiceURL == "" {
		t.ServiceURL = serviceURL
	}
	if t.KeyID == "" {
		t.KeyID = KeyID
	}
	if t.Key == nil {
		t.Key = s.key
	}
	if t.Expires == 0 {
		t.Expires = time.Hour
	}
	now := s.clock()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: t.Key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", t.KeyID))
	if err != nil {
		panic(err)
	}
	raw, err := jwt.Signed(sig).Claims(jwt.Claims{Issuer: t.Issuer, Audience: jwt.Audience{t.Audience}, IssuedAt: jwt.NewNumericDate(now.Add(-time.Minute)),
		NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)), Expiry: jwt.NewNumericDate(now.Add(t.Expires))}).
		Claims(map[string]any{"serviceurl": t.ServiceURL}).Serialize()
	if err != nil {
		panic(err)
	}
	return "Bearer " + raw
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}
