package teams_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"itbot/adapters/teams"
	"itbot/bot"
	"itbot/bottest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// checkCard checks a card against the Adaptive Cards 1.5 schema's rules
// for what itbot uses: the root (type, version, $schema), element types
// and their required properties (TextBlock.text, FactSet.facts with
// title and value, Input.Text.id), and actions (Action.Execute with a
// title; data an object).
func checkCard(t *testing.T, name string, c map[string]any) {
	t.Helper()
	if c["type"] != "AdaptiveCard" || c["version"] != "1.5" || c["$schema"] != "http://adaptivecards.io/schemas/adaptive-card.json" {
		t.Errorf("%s: root %v %v %v", name, c["type"], c["version"], c["$schema"])
	}
	body, _ := c["body"].([]any)
	if len(body) == 0 {
		t.Errorf("%s: empty body", name)
	}
	for _, e := range body {
		m := e.(map[string]any)
		switch m["type"] {
		case "TextBlock":
			if s, _ := m["text"].(string); s == "" {
				t.Errorf("%s: TextBlock without text", name)
			}
		case "FactSet":
			for _, f := range m["facts"].([]any) {
				fm := f.(map[string]any)
				if fm["title"] == nil || fm["value"] == nil {
					t.Errorf("%s: fact without title or value", name)
				}
			}
		case "Input.Text":
			if s, _ := m["id"].(string); s == "" {
				t.Errorf("%s: Input.Text without id", name)
			}
		default:
			t.Errorf("%s: element type %v not in the 1.5 schema's set itbot uses", name, m["type"])
		}
	}
	for _, a := range asSlice(c["actions"]) {
		m := a.(map[string]any)
		if m["type"] != "Action.Execute" || m["title"] == "" {
			t.Errorf("%s: action %v", name, m)
		}
		if _, ok := m["data"].(map[string]any); !ok {
			t.Errorf("%s: action data not an object", name)
		}
		if s, ok := m["style"]; ok && s != "positive" && s != "destructive" {
			t.Errorf("%s: action style %v", name, s)
		}
	}
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// TestCardsGolden renders a request's card for its IT contact (Approve,
// Reject with a reason input) in Latvian and English.
func TestCardsGolden(t *testing.T) {
	e := bottest.New(t)
	ilze := e.Person("ilze.liepa@lgia.gov.lv")
	due := time.Date(2026, 11, 24, 10, 0, 0, 0, bot.TimeZone)
	r := &bot.Request{ID: "IT-2026-000123", Type: bot.TypeLicenceAssign, Params: bot.Params{User: "janis.ozols@lgia.gov.lv", SKU: "E3"},
		Requester: "anna.berzina@lgia.gov.lv", Institution: "LGIA", State: bot.StateAwaitingApproval, SLA: bot.SLA{DueAt: due}}
	for _, l := range []bot.Lang{bot.LV, bot.EN} {
		card := teams.AdaptiveCard(e.Bot.Card(r, ilze, l), l)
		raw, _ := json.MarshalIndent(card, "", "  ")
		var back map[string]any
		json.Unmarshal(raw, &back)
		checkCard(t, string(l), back)
		path := filepath.Join("testdata", "card."+string(l)+".golden.json")
		if *update {
			os.MkdirAll("testdata", 0o755)
			os.WriteFile(path, append(raw, '\n'), 0o644)
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if string(want) != string(raw)+"\n" {
			t.Errorf("%s differs from %s (run with -update after checking):\n%s", l, path, raw)
		}
	}
}
