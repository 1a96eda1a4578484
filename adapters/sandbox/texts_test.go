package sandbox

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"itbot/bot"
)

// sampleArgs holds a representative value for every template field the
// sbx. texts use.
var sampleArgs = bot.Args{
	"Address": "anna.berzina@lgia.gov.lv", "Domain": "lgia.gov.lv", "Domains": "@lgia.gov.lv",
	"Institution": "LGIA", "User": "anna.berzina@lgia.gov.lv", "Owner": "janis.ozols@lgia.gov.lv",
	"SKU": "E3", "SKUs": "E3, EXO1", "Name": "Office 365 E3", "Known": "E1 (STANDARDPACK), E3 (ENTERPRISEPACK)",
	"Consumed": 23, "Enabled": 25, "Free": 2, "Location": "LV", "Seconds": 30, "Detail": "EX123456",
	"Value": "xyz", "Mailbox": "info@lgia.gov.lv", "PermLV": "pilna piekļuve", "PermEN": "Full Access",
	"Sender": "vzd.gov.lv", "Total": 6, "Licensed": 5, "List": "ilze.liepa@lgia.gov.lv",
	"Role": "boss", "RoleLV": "vadītājs", "RoleEN": "head", "RolesLV": "lietvedis, vadītājs", "RolesEN": "records clerk, head",
	"From": "2025-01-01", "To": "2025-03-31", "Count": 2811, "SHA256": strings.Repeat("ab", 32), "MB": 494,
	"ID": "20250101-0130-lgia", "Backup": "20250101-0130-lgia", "Taken": "2025-01-01 01:30", "Status": "failed",
}

func sbxIDs() []string {
	var ids []string
	for _, id := range bot.TextIDs() {
		if strings.HasPrefix(id, "sbx.") {
			ids = append(ids, id)
		}
	}
	return ids
}

func TestTextsRenderInBothLanguages(t *testing.T) {
	ids := sbxIDs()
	if len(ids) < 50 {
		t.Fatalf("only %d sbx. texts", len(ids))
	}
	for _, id := range ids {
		lv, en := render(t, bot.P(id, flatten(sampleArgs)...))
		if lv == "" || en == "" {
			t.Errorf("%s renders empty", id)
		}
		// Without data a text must not break either (fields render empty
		// or "<no value>", never the id).
		if s := bot.Tr(bot.LV, id, nil); s == id {
			t.Errorf("%s does not render without data", id)
		}
	}
}

func flatten(a bot.Args) []any {
	var kv []any
	for k, v := range a {
		kv = append(kv, k, v)
	}
	return kv
}

// TestEveryUsedIDIsRegistered scans the package's code for sbx. ids, so a
// typo shows up here rather than as a raw id in a user's chat.
func TestEveryUsedIDIsRegistered(t *testing.T) {
	registered := map[string]bool{}
	for _, id := range sbxIDs() {
		registered[id] = true
	}
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`"(sbx\.[a-z0-9_.]+)"`)
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "texts.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			if strings.HasSuffix(m[1], ".") { // a prefix: checked below
				continue
			}
			used[m[1]] = true
			if !registered[m[1]] {
				t.Errorf("%s uses unregistered text %s", f, m[1])
			}
		}
	}
	for _, p := range []string{bot.PermFullAccess, bot.PermSendAs} {
		used["sbx.perm."+p] = true
	}
	for _, r := range DVSRoles() {
		used["sbx.role."+r] = true
	}
	for id := range registered {
		if !used[id] {
			t.Errorf("text %s is registered but never used", id)
		}
	}
	for id := range used {
		if !registered[id] {
			t.Errorf("text %s is used but not registered", id)
		}
	}
}
