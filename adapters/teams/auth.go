// Package teams is the Microsoft Teams door (Bot Framework): activities
// POSTed by the Bot Connector service are authenticated, journaled and
// routed like any chat message. This file is the inbound
// authentication, as "Authentication with the Bot Connector API"
// requires of a bot that writes its own:
//
//   - the token comes in the Authorization header with the Bearer scheme;
//   - it is a JWT signed (RS256) with a key listed in the OpenID keys
//     document that the Bot Framework's OpenID metadata names (keys are
//     cached and fetched again when a token names an unknown key id);
//   - the key's endorsements include the activity's channel id (msteams);
//   - the issuer is https://api.botframework.com;
//   - the audience is the bot's Microsoft App ID;
//   - it has not expired, with the industry-standard clock skew of 5
//     minutes;
//   - its serviceUrl claim equals the activity's serviceUrl.
//
// Beyond the document, itbot accepts only the tenants configured
// (channelData.tenant.id) and only the msteams channel.
package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// The Bot Framework's public values.
const (
	// MetadataURL is the Bot Framework's OpenID metadata document.
	MetadataURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
	// Issuer is the issuer of the tokens the Bot Connector sends to bots.
	Issuer = "https://api.botframework.com"
	// Channel is Teams' channel id.
	Channel = "msteams"
	// Skew is the clock skew tolerated on a token's times.
	Skew = 5 * time.Minute
)

// Activity is the part of a Bot Framework activity authentication reads.
type Activity struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	ChannelID   string `json:"channelId"`
	ServiceURL  string `json:"serviceUrl"`
	ChannelData struct {
		Tenant struct {
			ID string `json:"id"`
		} `json:"tenant"`
	} `json:"channelData"`
}

// AuthError is a refused activity: Status is the HTTP answer (401 for a
// missing or bad token, 403 for a token that is good but not for us).
type AuthError struct {
	Status int
	Reason string
}

func (e *AuthError) Error() string { return fmt.Sprintf("teams: %d %s", e.Status, e.Reason) }

func refuse(status int, format string, args ...any) error {
	return &AuthError{Status: status, Reason: fmt.Sprintf(format, args...)}
}

// Verifier authenticates inbound activities.
type Verifier struct {
	// AppID is the bot's Microsoft App ID (the token's audience).
	AppID string
	// Tenants are the Entra tenants whose activities are accepted.
	Tenants []string
	// MetadataURL is the OpenID metadata document (default MetadataURL).
	MetadataURL string
	// Client fetches the metadata and keys (default: a client with a
	// 10 s timeout).
	Client *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu      sync.Mutex
	keys    map[string]signingKey
	fetched time.Time
}

type signingKey struct {
	key          jose.JSONWebKey
	endorsements []string
}

// refetchAfter bounds how often an unknown key id makes the keys be
// fetched again (a flood of forged kids must not hammer the endpoint).
const refetchAfter = time.Minute

// Verify authenticates an activity's request: its Authorization header
// and the activity's own fields. The error is an *AuthError.
func (v *Verifier) Verify(ctx context.Context, header string, a *Activity) error {
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		return refuse(http.StatusUnauthorized, "no bearer token")
	}
	tok, err := jwt.ParseSigned(strings.TrimSpace(raw), []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return refuse(http.StatusUnauthorized, "not a signed RS256 JWT: %v", err)
	}
	if len(tok.Headers) != 1 || tok.Headers[0].KeyID == "" {
		return refuse(http.StatusUnauthorized, "the token names no signing key")
	}
	k, err := v.key(ctx, tok.Headers[0].KeyID)
	if err != nil {
		return err
	}
	var std jwt.Claims
	var extra struct {
		ServiceURL  string `json:"serviceurl"`
		ServiceURL2 string `json:"serviceUrl"`
	}
	if err := tok.Claims(k.key.Key, &std, &extra); err != nil {
		return refuse(http.StatusUnauthorized, "bad signature: %v", err)
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: Issuer, AnyAudience: jwt.Audience{v.AppID}, Time: now()}, Skew); err != nil {
		return refuse(http.StatusUnauthorized, "claims: %v", err)
	}
	if std.Expiry == nil {
		return refuse(http.StatusUnauthorized, "the token has no expiry")
	}
	if a.ChannelID != Channel {
		return refuse(http.StatusForbidden, "channel %q is not Teams", a.ChannelID)
	}
	if !slices.Contains(k.endorsements, a.ChannelID) {
		return refuse(http.StatusUnauthorized, "the signing key is not endorsed for %s", a.ChannelID)
	}
	su := extra.ServiceURL
	if su == "" {
		su = extra.ServiceURL2
	}
	if su == "" || !strings.EqualFold(strings.TrimRight(su, "/"), strings.TrimRight(a.ServiceURL, "/")) {
		return refuse(http.StatusUnauthorized, "the token's serviceUrl %q is not the activity's %q", su, a.ServiceURL)
	}
	if !slices.ContainsFunc(v.Tenants, func(t string) bool { return strings.EqualFold(t, a.ChannelData.Tenant.ID) }) {
		return refuse(http.StatusForbidden, "tenant %q is not served", a.ChannelData.Tenant.ID)
	}
	return nil
}

// key returns the signing key kid, fetching the keys when they are not
// cached yet or the kid is unknown (at most once a minute).
func (v *Verifier) key(ctx context.Context, kid string) (signingKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if k, ok := v.keys[kid]; ok {
		return k, nil
	}
	now := time.Now()
	if v.keys != nil && now.Sub(v.fetched) < refetchAfter {
		return signingKey{}, refuse(http.StatusUnauthorized, "unknown signing key %q", kid)
	}
	keys, err := v.fetch(ctx)
	if err != nil {
		return signingKey{}, refuse(http.StatusServiceUnavailable, "the Bot Framework's keys could not be read: %v", err)
	}
	v.keys, v.fetched = keys, now
	if k, ok := v.keys[kid]; ok {
		return k, nil
	}
	return signingKey{}, refuse(http.StatusUnauthorized, "unknown signing key %q", kid)
}

func (v *Verifier) fetch(ctx context.Context) (map[string]signingKey, error) {
	c := v.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	mu := v.MetadataURL
	if mu == "" {
		mu = MetadataURL
	}
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, c, mu, &meta); err != nil {
		return nil, err
	}
	if meta.JWKSURI == "" {
		return nil, errors.New("the metadata names no jwks_uri")
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := getJSON(ctx, c, meta.JWKSURI, &doc); err != nil {
		return nil, err
	}
	out := map[string]signingKey{}
	for _, raw := range doc.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil || k.KeyID == "" || !k.IsPublic() {
			continue
		}
		var e struct {
			Endorsements []string `json:"endorsements"`
		}
		json.Unmarshal(raw, &e)
		out[k.KeyID] = signingKey{key: k, endorsements: e.Endorsements}
	}
	return out, nil
}

func getJSON(ctx context.Context, c *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(v)
}
