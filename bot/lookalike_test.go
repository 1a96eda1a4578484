package bot_test

import (
	"strings"
	"testing"

	"itbot/bot"
)

// A look-alike address (Cyrillic or Greek letters among Latin ones) is
// refused and named as such, in both languages.
func TestLookAlikeAddress(t *testing.T) {
	for _, tc := range []struct{ in, script string }{
		{"janis.ozols@lgіa.gov.lv", "kirilicas"}, // Cyrillic і
		{"јanis@lgia.gov.lv", "kirilicas"},       // Cyrillic ј
		{"anna@lgια.gov.lv", "grieķu"},           // Greek ι α
	} {
		_, err := bot.NormalizeAddress(tc.in)
		if err == nil || !strings.Contains(bot.UserMessage(err, bot.LV), tc.script) || !strings.Contains(bot.UserMessage(err, bot.EN), "look like Latin") {
			t.Errorf("%q: %v / %s", tc.in, err, bot.UserMessage(err, bot.LV))
		}
	}
	if a, err := bot.NormalizeAddress("Janis.Ozols@LGIA.gov.lv"); err != nil || a != "janis.ozols@lgia.gov.lv" {
		t.Errorf("plain address: %q %v", a, err)
	}
}
