package exchange_test

import (
	"context"
	"strings"
	"testing"

	"itbot/adapters/exchange"
	"itbot/adapters/exchange/exchangetest"
)

func checkOf(cs []exchange.Check, feature string) (exchange.Check, bool) {
	for _, c := range cs {
		if strings.HasPrefix(c.Feature, feature) {
			return c, true
		}
	}
	return exchange.Check{}, false
}

// The preflight passes against a tenant that grants what itbot needs, and
// names each permission or Exchange role the emulator takes away — and the
// anti-spam rules outside itbot that would win over an institution's.
func TestPreflight(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, c := range w.X.Preflight(ctx) {
		if !c.OK {
			t.Errorf("a full grant: %s failed: %s — %s", c.Feature, c.Detail, c.Fix)
		}
	}
	if c, _ := checkOf(w.X.Preflight(ctx), "licence pools"); !strings.Contains(c.Detail, "E3") {
		t.Errorf("licence pools: %q", c.Detail)
	}

	w.Srv.Revoke("ReportSettings.Read.All", "Transport Hygiene", "Organization.Read.All")
	cs := w.X.Preflight(ctx)
	for feature, want := range map[string]string{
		"report concealment setting": "ReportSettings.Read.All",
		"spam filters":               "Transport Hygiene",
		"licence pools":              "Organization.Read.All",
	} {
		c, ok := checkOf(cs, feature)
		if !ok || c.OK || !strings.Contains(c.Fix, want) {
			t.Errorf("%s with %s revoked: %+v", feature, want, c)
		}
	}
	for _, feature := range []string{"accounts", "usage reports", "service health", "shared mailboxes"} {
		if c, ok := checkOf(cs, feature); !ok || !c.OK {
			t.Errorf("%s should still pass: %+v", feature, c)
		}
	}
}

func TestPreflightFindsOverridingSpamRules(t *testing.T) {
	w := newWorld(t)
	w.Tenant.AddRule(exchangetest.FilterPolicy{Name: "Strict Preset Security Policy"},
		exchangetest.FilterRule{Name: "Strict Preset Security Policy", RecipientDomainIs: []string{"lgia.gov.lv"}, Priority: 0, Enabled: true})
	c, ok := checkOf(w.X.Preflight(context.Background()), "anti-spam policies")
	if !ok || c.OK || !strings.Contains(c.Detail, "Strict Preset Security Policy") || !strings.Contains(c.Detail, "lgia.gov.lv") || c.Fix == "" {
		t.Errorf("overriding rule: %+v", c)
	}
}
