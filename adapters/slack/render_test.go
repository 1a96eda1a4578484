package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"

	"itbot/bot"
	"itbot/bottest"
	"itbot/commands"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render")

// golden compares v's indented JSON with testdata/render/name.golden.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "render", name+".golden.json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", name, path, got)
	}
}

// checkLimits asserts Block Kit's limits on a rendered message.
func checkLimits(t *testing.T, name string, m Msg) {
	t.Helper()
	if len(m.Blocks) > maxBlocks {
		t.Errorf("%s: %d blocks", name, len(m.Blocks))
	}
	raw, _ := json.Marshal(m.Blocks)
	var bs []map[string]any
	json.Unmarshal(raw, &bs)
	for _, b := range bs {
		if tx, ok := b["text"].(map[string]any); ok {
			s, _ := tx["text"].(string)
			limit := maxSectionText
			if b["type"] == "header" {
				limit = maxHeaderText
			}
			if len(s) > limit || !utf8.ValidString(s) {
				t.Errorf("%s: %s text of %d bytes", name, b["type"], len(s))
			}
		}
		if fs, ok := b["fields"].([]any); ok && len(fs) > maxFields {
			t.Errorf("%s: %d fields", name, len(fs))
		}
	}
}

// TestRenderGolden renders one message of every kind, from the bot's own
// replies and notices, and compares the Block Kit JSON with golden files.
func TestRenderGolden(t *testing.T) {
	e := bottest.New(t)
	ctx := context.Background()
	ack := e.Say("anna.berzina@lgia.gov.lv", "/it licence piešķirt janis.ozols@lgia.gov.lv E3")
	r := e.Request("IT-2026-000001")
	notices := e.Test.Notices()
	var created, ops *bot.Notice
	for i := range notices {
		n := &notices[i]
		if n.Reply.Kind == bot.KindCard && n.To.Channel == "ops" {
			ops = n
		} else if n.Reply.Kind == bot.KindCard {
			created = n
		}
	}
	if created == nil || ops == nil {
		t.Fatalf("notices: %+v", notices)
	}
	e.Say("ilze.liepa@lgia.gov.lv", "/it noraidīt IT-2026-000001 Pietiek ar E1 licenci")
	var rejected *bot.Notice
	for _, n := range e.Test.Notices() {
		if n.Reply.Kind == bot.KindUpdate && n.To.Channel != "ops" {
			rejected = &n
		}
	}
	if rejected == nil {
		t.Fatal("no update notice")
	}
	e.Say("janis.ozols@lgia.gov.lv", "/it licence assign janis.ozols@lgia.gov.lv E1")
	e.Say("ilze.liepa@lgia.gov.lv", "/it consult Kā kopīgot kalendāru ar kolēģiem?")
	ilze := e.Person("ilze.liepa@lgia.gov.lv")
	approval := e.Bot.Card(r, ilze, bot.LV)
	approval.Text = bot.Tr(bot.LV, "approval.asked", bot.Args{"Requester": r.Requester}) + "\n" + approval.Text

	msgs := []struct {
		name string
		rep  bot.Reply
	}{
		{"ack_card", ack[0]},
		{"thread_card", created.Reply},
		{"ops_card", ops.Reply},
		{"approval_dm", approval},
		{"update_rejected", rejected.Reply},
		{"progress", bot.Reply{Kind: bot.KindUpdate, Progress: true, Title: "IT-2026-000007", Text: bot.Tr(bot.LV, "progress.line", bot.Args{"Bar": bot.ProgressBar(3, 8, 20), "Done": 3, "Total": 8, "Pct": 37})}},
		{"error", e.Say("anna.berzina@lgia.gov.lv", "/it licence piešķirt")[0]},
		{"unknown_command", e.Say("janis.ozols@lgia.gov.lv", "/it licnce asign x")[0]},
		{"list", e.Say("kristaps.lapsa@vraa.gov.lv", "/it rinda")[0]},
		// Help's text changes with every command added, so a fixed one.
		{"help", bot.Reply{Kind: bot.KindHelp, Text: "itbot commands:\n  /it help [FAMILY]\n      this list\n  /it licence assign USER [SKU]\n      assign a Microsoft 365 licence"}},
		{"new_menu", e.Say("anna.berzina@lgia.gov.lv", "/it jauns")[0]},
		{"text", e.Say("janis.ozols@lgia.gov.lv", "/it whoami")[0]},
		{"private", bot.Reply{Kind: bot.KindText, Private: true, Ephemeral: true, Text: bot.Tr(bot.EN, "outcome.secret", bot.Args{"ID": "IT-2026-000009", "User": "new.user@lgia.gov.lv", "Secret": "Tmp-4821-xq"})}},
		{"unknown_user", (&unknownUser{userID: "U0NOMAIL01", noEmail: true}).reply()},
		{"escaping", bot.Reply{Kind: bot.KindText, Title: "<!channel> & co", Text: "Ping <!here> <@U0ANNA0001> & <https://evil.example|click>"}},
	}
	for _, m := range msgs {
		t.Run(m.name, func(t *testing.T) {
			out := Render(m.rep)
			checkLimits(t, m.name, out)
			golden(t, m.name, out)
		})
	}
	inst, err := e.Store.Institution(ctx, "LGIA")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "modal_new", NewRequestForm(bot.LV, inst, modalMeta{Channel: chLGIA}.encode()))
	golden(t, "modal_reject", RejectForm(bot.EN, r, r.ID, modalMeta{Channel: "D" + uIlze, ID: r.ID}.encode()))
}

// TestRenderEscapes: what a person typed can never become a mention or a
// link.
func TestRenderEscapes(t *testing.T) {
	m := Render(bot.Reply{Kind: bot.KindCard, Title: "x", Text: "<!channel> hi",
		Fields: []bot.Field{{Label: "<@U1>", Value: "<https://x|y> & z", Short: true}}})
	raw, _ := json.Marshal(m.Blocks)
	for _, bad := range []string{"<!channel>", "<@U1>", "<https://"} {
		if strings.Contains(string(raw), bad) {
			t.Errorf("unescaped %q in %s", bad, raw)
		}
	}
}

// TestRenderLimits: long texts are split into sections, long fields and
// labels are cut, and no message exceeds Block Kit's limits.
func TestRenderLimits(t *testing.T) {
	long := strings.Repeat("Ļoti gara rinda ar garumzīmēm āčēģīķļņšūž.\n", 400)
	var fs []bot.Field
	for i := 0; i < 30; i++ {
		fs = append(fs, bot.Field{Label: "Lauks", Value: strings.Repeat("v", 2500), Short: i%3 != 0})
	}
	var bs []bot.Button
	for i := 0; i < 40; i++ {
		bs = append(bs, bot.Button{Label: strings.Repeat("Poga ", 30), Command: "/it show IT-2026-000001"})
	}
	for _, kind := range []string{bot.KindCard, bot.KindUpdate, bot.KindList, bot.KindHelp, bot.KindError, bot.KindText} {
		m := Render(bot.Reply{Kind: kind, Title: strings.Repeat("Virsraksts ", 40), Text: long, Fields: fs, Buttons: bs})
		checkLimits(t, kind, m)
		var actions *slackgo.ActionBlock
		for _, b := range m.Blocks {
			if a, ok := b.(*slackgo.ActionBlock); ok {
				actions = a
			}
		}
		if actions == nil || len(actions.Elements.ElementSet) != maxActions {
			t.Errorf("%s: buttons missing or too many", kind)
		}
	}
}

// TestPlain turns Slack's markup back into what was typed.
func TestPlain(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"/it licence assign <mailto:janis.ozols@lgia.gov.lv|janis.ozols@lgia.gov.lv> E3", "/it licence assign janis.ozols@lgia.gov.lv E3"},
		{"<mailto:a@b.lv>", "a@b.lv"},
		{"see <https://lgia.gov.lv|lgia.gov.lv> and <https://x.lv/a?b=1&amp;c=2>", "see lgia.gov.lv and https://x.lv/a?b=1&c=2"},
		{"<@U0ANNA0001> hi <#C0LGIA0001|it-pieteikumi> <!here>", "@U0ANNA0001 hi #it-pieteikumi @here"},
		{"<!subteam^S123|@it-dienests> <!date^1392734382^{date}|Feb 18>", "@it-dienests Feb 18"},
		{"a &lt;b&gt; &amp; c &nbsp;", "a <b> & c &nbsp;"},
		{"unclosed <mailto:x", "unclosed <mailto:x"},
		{"x < y > z", "x  y  z"},
		{"<>", ""},
	}
	for _, c := range cases {
		if got := Plain(c.in); got != c.want {
			t.Errorf("Plain(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := stripMention("<@U0BOT> <@U0X> palīdzi"); got != "palīdzi" {
		t.Errorf("stripMention: %q", got)
	}
}

// worstPage is a queue page at its longest: a full page of requests
// whose descriptions run past the row limit, with widened ids, flagged,
// and more pages after it.
func worstPage() bot.Page {
	long := strings.Repeat("ā", 240) + "@lgia.gov.lv"
	var rs []*bot.Request
	for i := range commands.QueuePage {
		rs = append(rs, &bot.Request{ID: bot.FormatID(2026, uint64(1_000_000_000+i)), Type: bot.TypeLicenceAssign,
			Params: bot.Params{User: long, SKU: strings.Repeat("Ž", 60)}, State: bot.StateAwaitingProcurement, NeedsAttention: true})
	}
	return bot.Page{Requests: rs, More: true, Total: 987_654_321}
}

// TestPagesFitSlackLimits: a queue page, rendered, stays within Block
// Kit's limits (50 blocks, 3,000 characters a section, 40,000 characters
// of message text) in both languages.
func TestPagesFitSlackLimits(t *testing.T) {
	for _, l := range []bot.Lang{bot.LV, bot.EN} {
		rep := commands.PageReply(worstPage(), l, "cmd.queue_title", "cmd.queue_none", "/it rinda pēc=IT-2026-1000000019")
		m := Render(rep)
		if len(m.Blocks) > 50 {
			t.Errorf("%s: %d blocks", l, len(m.Blocks))
		}
		raw, _ := json.Marshal(m.Blocks)
		var blocks []struct {
			Type string `json:"type"`
			Text *struct {
				Text string `json:"text"`
			} `json:"text"`
		}
		json.Unmarshal(raw, &blocks)
		total := utf8.RuneCountInString(m.Text)
		for i, b := range blocks {
			if b.Text != nil {
				if n := utf8.RuneCountInString(b.Text.Text); n > 3000 {
					t.Errorf("%s: block %d (%s) has %d characters", l, i, b.Type, n)
				}
				total += utf8.RuneCountInString(b.Text.Text)
			}
		}
		if total > 40000 || utf8.RuneCountInString(m.Text) > 40000 {
			t.Errorf("%s: %d characters in the message", l, total)
		}
		if !strings.Contains(m.Text+string(raw), "IT-2026-1000000019") {
			t.Errorf("%s: the page's last row or the next page's command is missing", l)
		}
	}
}
