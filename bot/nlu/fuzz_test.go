package nlu

import (
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParse checks that any text parses without panicking into a known
// intent, with a language, only slots the intent uses, a non-nil Missing
// list, and a one-line JSON rendering that decodes back.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"Lūdzu izveidojiet kopīgo pastkasti lietvediba@vid.gov.lv",
		"please whitelist partner-firma.lv, their invoices go to junk",
		"no 2024. gada 1. janvāra līdz 30. jūnijam",
		"between 2024-01-01 and 2024-03-31",
		"Apstiprinu IT-2026-000042",
		"Pievienojiet anna.berzina@vid.gov.lv koplietošanas pastkastei lietvediba@vid.gov.lv",
		"", "?", "@", "IT-9999-9999999", "31.02.2024", "zzeml0", "e pasts", "take off",
	} {
		f.Add(s)
	}
	now := time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		r := Parse(text, now)
		if !IsIntent(r.Intent) {
			t.Fatalf("unknown intent %q", r.Intent)
		}
		if r.Lang != "lv" && r.Lang != "en" {
			t.Fatalf("lang %q", r.Lang)
		}
		if r.Missing == nil {
			t.Fatal("Missing is nil")
		}
		if r.Confidence < 0 || r.Confidence > 1 {
			t.Fatalf("confidence %v", r.Confidence)
		}
		allowed := map[string]bool{}
		for _, s := range append(Required(r.Intent), Optional(r.Intent)...) {
			allowed[s] = true
		}
		for k, v := range r.Slots {
			if !allowed[k] {
				t.Fatalf("slot %q not used by %s", k, r.Intent)
			}
			if v == "" {
				t.Fatalf("empty slot %q", k)
			}
		}
		b := r.JSON()
		for _, c := range b {
			if c == '\n' {
				t.Fatalf("JSON spans lines: %s", b)
			}
		}
		if !utf8.Valid(b) {
			t.Fatalf("JSON is not UTF-8: %q", b)
		}
		var back struct {
			Intent  string            `json:"intent"`
			Slots   map[string]string `json:"slots"`
			Missing []string          `json:"missing"`
			Lang    string            `json:"lang"`
		}
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("JSON %s: %v", b, err)
		}
		if back.Intent != r.Intent || back.Missing == nil || back.Slots == nil {
			t.Fatalf("round trip: %s", b)
		}
		_ = Normalize(text)
		ParseYesNo(text)
		IsCancel(text)
	})
}
