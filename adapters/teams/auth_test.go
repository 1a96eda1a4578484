package teams_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"itbot/adapters/teams"
	"itbot/adapters/teams/teamstest"
)

func activity(serviceURL, tenant string) *teams.Activity {
	a := &teams.Activity{Type: "message", ID: "1", ChannelID: "msteams", ServiceURL: serviceURL}
	a.ChannelData.Tenant.ID = tenant
	return a
}

// The forgery battery: only the Connector's real token for our bot, our
// tenant and the activity's own service URL is accepted.
func TestVerifyForgeries(t *testing.T) {
	em := teamstest.New()
	defer em.Close()
	v := &teams.Verifier{AppID: teamstest.AppID, Tenants: []string{teamstest.TenantID}, MetadataURL: em.MetadataURL()}
	svc := em.URL()
	ctx := context.Background()
	if err := v.Verify(ctx, em.Sign(svc, teamstest.Token{}), activity(svc, teamstest.TenantID)); err != nil {
		t.Fatalf("the real token refused: %v", err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	otherTenant := activity(svc, "99999999-0000-0000-0000-000000000000")
	slack := activity(svc, teamstest.TenantID)
	slack.ChannelID = "slack"
	for name, tc := range map[string]struct {
		header string
		a      *teams.Activity
		status int
	}{
		"no header":          {"", activity(svc, teamstest.TenantID), http.StatusUnauthorized},
		"unsigned":           {"Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0.", activity(svc, teamstest.TenantID), http.StatusUnauthorized},
		"not bearer":         {strings.Replace(em.Sign(svc, teamstest.Token{}), "Bearer", "Basic", 1), activity(svc, teamstest.TenantID), http.StatusUnauthorized},
		"wrong key":          {em.Sign(svc, teamstest.Token{Key: other}), activity(svc, teamstest.TenantID), http.StatusUnauthorized},
		"unknown key id":     {em.Sign(svc, teamstest.Token{Key: other, KeyID: "forged"}), activity(svc, teamstest.TenantID), http.StatusUnauthorized},
		"wrong audience":     {em.Sign(svc, teamstest.Token{Audience: "another-bot"}), activity(svc, teamstest.TenantID), http.StatusUnauthorized},
		"wrong issuer":       {em.Sign(svc, teamstest.Token{Issuer: "https://sts.windows.net/x/"}), activity(svc, teamstest.TenantID), http.StatusUnauthorized},
		"expired":            {em.Sign(svc, teamstest.Token{Expires: -10 * time.Minute}), activity(svc, teamstest.TenantID), http.StatusUnauthorized},
		"serviceUrl differs": {em.Sign("https://evil.example/", teamstest.Token{}), activity(svc, teamstest.TenantID), http.StatusUnauthorized},
		"another tenant":     {em.Sign(svc, teamstest.Token{}), otherTenant, http.StatusForbidden},
		"another channel":    {em.Sign(svc, teamstest.Token{}), slack, http.StatusForbidden},
	} {
		err := v.Verify(ctx, tc.header, tc.a)
		var ae *teams.AuthError
		if !errors.As(err, &ae) || ae.Status != tc.status {
			t.Errorf("%s: %v, want %d", name, err, tc.status)
		}
	}
	// Within the 5-minute skew an expired token still passes; past it, not.
	if err := v.Verify(ctx, em.Sign(svc, teamstest.Token{Expires: -3 * time.Minute}), activity(svc, teamstest.TenantID)); err != nil {
		t.Errorf("3 minutes past expiry, inside the skew: %v", err)
	}
	// A flood of unknown key ids does not fetch the keys again each time.
	before := em.KeyFetches()
	for range 20 {
		v.Verify(ctx, em.Sign(svc, teamstest.Token{Key: other, KeyID: "forged-2"}), activity(svc, teamstest.TenantID))
	}
	if n := em.KeyFetches() - before; n > 1 {
		t.Errorf("unknown key ids fetched the keys %d times", n)
	}
}

// A key not endorsed for Teams does not sign Teams activities.
func TestVerifyEndorsement(t *testing.T) {
	em := teamstest.New()
	defer em.Close()
	em.Endorse("webchat")
	v := &teams.Verifier{AppID: teamstest.AppID, Tenants: []string{teamstest.TenantID}, MetadataURL: em.MetadataURL()}
	err := v.Verify(context.Background(), em.Sign(em.URL(), teamstest.Token{}), activity(em.URL(), teamstest.TenantID))
	if err == nil || !strings.Contains(err.Error(), "endorsed") {
		t.Errorf("a key endorsed only for webchat: %v", err)
	}
}

// BenchmarkVerify measures one inbound activity's authentication with the
// keys cached (signature, claims, endorsement, service URL, tenant).
func BenchmarkVerify(b *testing.B) {
	em := teamstest.New()
	defer em.Close()
	v := &teams.Verifier{AppID: teamstest.AppID, Tenants: []string{teamstest.TenantID}, MetadataURL: em.MetadataURL()}
	h := em.Sign(em.URL(), teamstest.Token{})
	a := activity(em.URL(), teamstest.TenantID)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(ctx, h, a); err != nil {
			b.Fatal(err)
		}
	}
}
