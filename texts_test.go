package main

import (
	"regexp"
	"strings"
	"testing"

	"itbot/bot"
)

// TestNoRawIdentifiersInTexts scans every message of the catalogue (every
// package's, as the app registers them), rendered in Latvian and English,
// for internal identifiers: a state, role or service-state key written
// into a sentence instead of its name. In Latvian any English key is one;
// in English only the keys with an underscore (an English word like
// "done" may be meant as a word).
func TestNoRawIdentifiersInTexts(t *testing.T) {
	var keys []string
	for _, s := range bot.AllStates {
		keys = append(keys, string(s))
	}
	for _, r := range bot.AllRoles {
		keys = append(keys, string(r))
	}
	keys = append(keys, "forbidden", "operational", "running", "degraded", "outage", "invalid", "not_found", "conflict")
	var lvWords, enWords []string
	for _, k := range keys {
		lvWords = append(lvWords, regexp.QuoteMeta(k))
		if strings.Contains(k, "_") {
			enWords = append(enWords, regexp.QuoteMeta(k))
		}
	}
	lvPat := regexp.MustCompile(`(?i)(^|[^\p{L}_./{=-])(` + strings.Join(lvWords, "|") + `)($|[^\p{L}_./}=-])`)
	enPat := regexp.MustCompile(`(^|[^\p{L}_./{=-])(` + strings.Join(enWords, "|") + `)($|[^\p{L}_./}=-])`)
	ids := bot.TextIDs()
	if len(ids) < 300 {
		t.Fatalf("only %d texts registered: the app's packages are not all linked in", len(ids))
	}
	for _, id := range ids {
		for _, l := range []bot.Lang{bot.LV, bot.EN} {
			s := bot.Tr(l, id, nil)
			pat := enPat
			if l == bot.LV {
				pat = lvPat
			}
			// Commands people type ("/it approve", "done ID NOTE") are
			// not sentences: leave out what follows a slash command.
			if i := strings.Index(s, "/it "); i >= 0 {
				s = s[:i]
			}
			if m := pat.FindStringSubmatch(s); m != nil {
				t.Errorf("%s (%s): %q in %q", id, l, m[2], s)
			}
		}
	}
}
