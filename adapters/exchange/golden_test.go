package exchange_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"itbot/bot"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestOutcomesGolden renders what each action tells people, in Latvian and
// English, to testdata/outcomes.golden (go test -run Golden -update
// rewrites it).
func TestOutcomesGolden(t *testing.T) {
	w := newWorld(t)
	w.Tenant.ReadyAfterPolls = 1
	var b strings.Builder
	for _, cmd := range []string{
		"/it licence assign karlis.vitols@lgia.gov.lv E1",
		"/it licence assign karlis.vitols@lgia.gov.lv E1",
		"/it licence assign janis.ozols@lgia.gov.lv E5",
		"/it licence assign nav.tads@lgia.gov.lv E3",
		"/it licence assign janis.ozols@lgia.gov.lv Platinum",
		"/it licence revoke janis.ozols@lgia.gov.lv",
		"/it licence revoke janis.ozols@lgia.gov.lv",
		"/it mailbox create personal jana.kalna@lgia.gov.lv Jana Kalna",
		"/it mailbox create technical printeris@lgia.gov.lv",
		"/it mailbox create personal anna.berzina@lgia.gov.lv",
		"/it shared create kanceleja@lgia.gov.lv LGIA kanceleja",
		"/it shared create kanceleja@lgia.gov.lv",
		"/it shared add kanceleja@lgia.gov.lv anna.berzina@lgia.gov.lv",
		"/it shared add kanceleja@lgia.gov.lv anna.berzina@lgia.gov.lv",
		"/it shared remove kanceleja@lgia.gov.lv anna.berzina@lgia.gov.lv",
		"/it shared add nav.tadas@lgia.gov.lv anna.berzina@lgia.gov.lv",
		"/it spam allow partneris@example.com",
		"/it spam block partneris@example.com",
		"/it spam block partneris@example.com",
		"/it report accounts",
	} {
		r, reps := w.say(ilze, cmd)
		if r == nil { // refused when asked
			fmt.Fprintf(&b, "%s\n  refused: %s\n", cmd, reps[0].Text)
			continue
		}
		fmt.Fprintf(&b, "%s\n  state: %s\n", cmd, r.State)
		for _, l := range []bot.Lang{bot.LV, bot.EN} {
			if r.LastError != nil && r.State != bot.StateDone {
				fmt.Fprintf(&b, "  %s error: %s\n", l, r.LastError.Render(l))
			}
			if r.Outcome != nil {
				fmt.Fprintf(&b, "  %s: %s\n", l, strings.ReplaceAll(outcomeText(r.Outcome, l), "\n", "\n    "))
			}
		}
	}
	w.Srv.Throttle("/assignLicense", 1, 45e9)
	w.Srv.Fail("Add-MailboxPermission", 1, 500)
	for _, cmd := range []string{
		"/it licence assign skeneris@lgia.gov.lv E1",
		"/it shared add kanceleja@lgia.gov.lv janis.ozols@lgia.gov.lv",
	} {
		r, _ := w.say(ilze, cmd)
		fmt.Fprintf(&b, "%s (faulty)\n  state: %s\n", cmd, r.State)
		for _, l := range []bot.Lang{bot.LV, bot.EN} {
			fmt.Fprintf(&b, "  %s error: %s\n", l, r.LastError.Render(l))
		}
	}
	got := b.String()
	path := filepath.Join("testdata", "outcomes.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("outcomes differ from %s (run with -update after checking):\n%s", path, got)
	}
}
