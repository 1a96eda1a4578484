package mailbox

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"itbot/bot"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/render/name, or rewrites it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "render", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -run TestRenderGolden -update to accept):\n%s", name, got)
	}
}

// The mails the bot sends, in Latvian and English: a new request's
// answer, an approval request (the buttons become "answer APSTIPRINU"),
// an update, a refusal, a report with a file too big for e-mail.
func TestRenderGolden(t *testing.T) {
	b := bot.New(nil, nil)
	due := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	r := &bot.Request{ID: "IT-2026-000123", Type: bot.TypeSharedCreate, Params: bot.Params{Mailbox: "lietvediba2@lgia.gov.lv"},
		Requester: "janis.ozols@lgia.gov.lv", Institution: "LGIA", State: bot.StateAwaitingApproval, SLA: bot.SLA{DueAt: due}}
	ilze := &bot.Person{Email: "ilze.liepa@lgia.gov.lv", Institution: "LGIA", Roles: []bot.Role{bot.RoleITContact}}
	for _, l := range []bot.Lang{bot.LV, bot.EN} {
		footer := bot.Tr(l, "mail.footer", bot.Args{"ID": r.ID})
		card := b.Card(r, &bot.Person{Email: r.Requester, Roles: []bot.Role{bot.RoleEmployee}}, l)
		card.Text = "✓ <" + r.ID + "> & " + card.Text
		ask := b.Card(r, ilze, l)
		done := *r
		done.State, done.Outcome = bot.StateDone, &bot.Outcome{Summary: bot.P("outcome.done")}
		upd := bot.Reply{Kind: bot.KindUpdate, Title: r.ID + " · " + done.State.Label(l), Text: "  • " + bot.Tr(l, "outcome.done", nil) + "\n\nOK"}
		big := bot.Reply{Kind: bot.KindUpdate, Title: r.ID, Text: "report", Request: r,
			Files: []bot.File{{Name: "small.csv", Mime: "text/csv", Data: []byte("a,b\n")}, {Name: "big.csv", Mime: "text/csv", Data: make([]byte, maxFileBytes)}}}
		for name, parts := range map[string][]bot.Reply{
			"created": {card}, "approval": {ask}, "updates": {upd, upd}, "files": {big},
		} {
			body, files := RenderHTML(parts, l, footer)
			var names []string
			for _, f := range files {
				names = append(names, f.Name)
			}
			golden(t, name+"."+string(l)+".golden.html", body+"<!-- files: "+strings.Join(names, ", ")+" -->\n")
		}
	}
	text := bot.Tr(bot.LV, "mail.refusal", bot.Args{"Address": "john@example.com"}) + "\n\n— — —\n\n" + bot.Tr(bot.EN, "mail.refusal", bot.Args{"Address": "john@example.com"})
	body, _ := RenderHTML([]bot.Reply{{Kind: bot.KindText, Text: text}}, bot.LV, "")
	golden(t, "refusal.golden.html", body)
}
