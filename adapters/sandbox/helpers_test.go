package sandbox

import (
	"strings"
	"testing"
	"time"

	"itbot/bot"
)

// testNow is the tests' clock: Thursday 2026-11-26 10:00 in Riga.
var testNow = time.Date(2026, 11, 26, 10, 0, 0, 0, bot.TimeZone)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

// institution returns a sandbox institution by code.
func institution(t *testing.T, code string) *bot.Institution {
	t.Helper()
	for _, inst := range Institutions() {
		if inst.Code == code {
			return inst
		}
	}
	t.Fatalf("no sandbox institution %s", code)
	return nil
}

// seeded returns a seeded tenant on the test clock and its Exchange.
func seeded(t *testing.T) (*Tenant, *Exchange) {
	t.Helper()
	tn := NewTenant()
	tn.Now = func() time.Time { return testNow }
	if err := SeedTenant(tn); err != nil {
		t.Fatal(err)
	}
	return tn, NewExchange(tn)
}

// seededDVS returns a seeded DVS on the test clock.
func seededDVS(t *testing.T) (*DVSState, *DVS) {
	t.Helper()
	st := NewDVSState()
	st.Now = func() time.Time { return testNow }
	if err := SeedDVS(st); err != nil {
		t.Fatal(err)
	}
	return st, NewDVS(st)
}

// wantCode fails unless err has code want ("" for no error).
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := bot.ErrorCode(err); got != want {
		t.Fatalf("error code = %q, want %q (err: %v)", got, want, err)
	}
	if err != nil {
		checkPhrase(t, bot.ErrorPhrase(err))
	}
}

// render renders a phrase in both languages and fails on a missing text
// or a template field without a value.
func render(t *testing.T, p bot.Phrase) (lv, en string) {
	t.Helper()
	lv, en = p.Render(bot.LV), p.Render(bot.EN)
	for _, s := range []string{lv, en} {
		if s == p.ID || strings.Contains(s, "<no value>") || strings.Contains(s, "{{") {
			t.Errorf("phrase %s renders badly: %q (args %v)", p.ID, s, p.Args)
		}
	}
	return lv, en
}

func checkPhrase(t *testing.T, p bot.Phrase) { t.Helper(); render(t, p) }

// checkOutcome renders an outcome's phrases and returns every rendering.
func checkOutcome(t *testing.T, out *bot.Outcome) []string {
	t.Helper()
	if out == nil {
		t.Fatal("nil outcome")
	}
	var all []string
	for _, p := range append([]bot.Phrase{out.Summary}, out.Details...) {
		lv, en := render(t, p)
		all = append(all, lv, en)
	}
	return all
}

// summaryID returns an outcome's summary id, failing on an error.
func summaryID(t *testing.T, out *bot.Outcome, err error) string {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	checkOutcome(t, out)
	return out.Summary.ID
}

func hasDetail(out *bot.Outcome, id string) bool {
	for _, d := range out.Details {
		if d.ID == id {
			return true
		}
	}
	return false
}
