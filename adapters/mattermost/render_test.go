package mattermost

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
	"itbot/commands"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenTime is the clock of the golden renderings.
var goldenTime = time.Date(2026, time.November, 23, 8, 0, 0, 0, time.UTC)

func goldenRenderer() *renderer {
	return &renderer{actionURL: "https://itbot.example.gov.lv/mattermost/actions",
		sign: &signer{key: []byte("golden-secret-golden-secret-0123"), maxAge: time.Hour, now: func() time.Time { return goldenTime }}}
}

func goldenRequest() *bot.Request {
	return &bot.Request{ID: "IT-2026-000042", Type: bot.TypeLicenceAssign,
		Params:    bot.Params{User: "janis.ozols@lgia.gov.lv", SKU: "E3"},
		Requester: "anna.berzina@lgia.gov.lv", Institution: "LGIA", State: bot.StateAwaitingApproval,
		Origin:    bot.Origin{Platform: Platform, Channel: "c0000000000000000000000000"},
		CreatedAt: goldenTime, UpdatedAt: goldenTime,
		SLA: bot.SLA{Policy: "1d", DueAt: goldenTime.Add(24 * time.Hour)}}
}

// golden compares got with testdata/golden/name.json (rewritten with
// -update).
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name+".json")
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
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run go test -update if the change is intended)", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d", path, len(gl), len(wl))
	}
}

// Every kind of message, rendered as the post JSON sent to Mattermost.
func TestGoldenPosts(t *testing.T) {
	b := bot.New(nil, nil)
	rd := goldenRenderer()
	r := goldenRequest()
	done := *r
	done.State = bot.StateDone
	done.ApprovedBy = "ilze.liepa@lgia.gov.lv"
	done.Outcome = &bot.Outcome{Summary: bot.P("outcome.manual_done")}
	failed := *r
	failed.State = bot.StateFailed
	ph := bot.P("executor.no_exchange")
	failed.LastError = &ph
	paused := *r
	paused.State = bot.StateAwaitingProcurement
	second := *r
	second.ID, second.Type, second.Params = "IT-2026-000043", bot.TypeSharedCreate, bot.Params{Mailbox: "lietvediba@lgia.gov.lv"}
	approvalCard := b.Card(r, nil, bot.LV)
	approvalCard.Text = bot.Tr(bot.LV, "approval.asked", bot.Args{"Requester": r.Requester}) + "\n" + approvalCard.Text

	cases := []struct {
		name  string
		reply bot.Reply
		opts  renderOpts
	}{
		{"card_awaiting_approval_lv", approvalCard, renderOpts{}},
		{"card_awaiting_approval_en", b.Card(r, nil, bot.EN), renderOpts{}},
		{"card_done", b.Card(&done, nil, bot.LV), renderOpts{}},
		{"card_failed", b.Card(&failed, nil, bot.LV), renderOpts{}},
		{"card_procurement", b.Card(&paused, nil, bot.EN), renderOpts{}},
		{"update_in_thread", bot.Reply{Kind: bot.KindUpdate, Title: r.ID + " · " + bot.StateDone.Label(bot.LV), Request: &done,
			Text:    bot.Tr(bot.LV, "event.approved", bot.Args{"Actor": "ilze.liepa@lgia.gov.lv"}) + "\n" + bot.P("outcome.manual_done").Render(bot.LV),
			Buttons: b.Buttons(&done, nil, bot.LV)}, renderOpts{noButtons: true}},
		{"ack_compact", commands.Ack(b, r, nil, bot.LV), renderOpts{compact: true}},
		{"ack_full", commands.Ack(b, r, nil, bot.LV), renderOpts{}},
		{"text", bot.Reply{Kind: bot.KindText, Text: bot.Tr(bot.LV, "cmd.language_set", nil)}, renderOpts{}},
		{"error", bot.Reply{Kind: bot.KindError, Ephemeral: true, Text: bot.UserMessage(bot.Errorf(bot.EFORBIDDEN, "policy.own_request"), bot.LV)}, renderOpts{}},
		{"list", commands.ListReply([]*bot.Request{r, &second}, bot.LV, "cmd.requests_title", "cmd.requests_none"), renderOpts{}},
		{"list_fields", bot.Reply{Kind: bot.KindList, Text: "info@lgia.gov.lv",
			Fields: []bot.Field{{Label: "anna.berzina@lgia.gov.lv", Value: "full_access, send_as"}, {Label: "janis.ozols@lgia.gov.lv", Value: "full_access"}}}, renderOpts{}},
		{"help_menu", commands.NewMenu(bot.LV), renderOpts{}},
		{"progress", bot.Reply{Kind: bot.KindUpdate, Progress: true, Request: r, Title: r.ID,
			Text: bot.Tr(bot.LV, "progress.line", bot.Args{"Bar": bot.ProgressBar(7, 20, 20), "Done": 7, "Total": 20, "Pct": 35})}, renderOpts{}},
		{"private_secret", bot.Reply{Kind: bot.KindText, Private: true, Ephemeral: true,
			Text: bot.Tr(bot.LV, "outcome.secret", bot.Args{"ID": r.ID, "User": "janis.ozols@lgia.gov.lv", "Secret": "Kx7-pQ2m-9vTa"})}, renderOpts{}},
		{"neutralized_mentions", bot.Reply{Kind: bot.KindUpdate, Title: r.ID, Request: r,
			Text: "Komentārs: lūdzu @channel un @ALL skatīt, `code` ```block``` ** *bold*"}, renderOpts{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := rd.Post(tc.reply, tc.opts)
			p.ChannelId = "c0000000000000000000000000"
			for _, a := range p.Attachments() {
				for _, ac := range a.Actions {
					if err := ac.IsValid(); err != nil {
						t.Errorf("button %q is not valid for Mattermost: %v", ac.Name, err)
					}
				}
			}
			if n := len([]rune(p.Message)); n > 16383 {
				t.Errorf("message of %d runes", n)
			}
			golden(t, tc.name, p)
		})
	}
}

// The new-request form in both languages, as sent to open it; Mattermost's
// own validation accepts it (title and label lengths, element kinds).
func TestGoldenDialog(t *testing.T) {
	for _, l := range []bot.Lang{bot.LV, bot.EN} {
		req := model.OpenDialogRequest{TriggerId: "t0000000000000000000000000", URL: "https://itbot.example.gov.lv/mattermost/dialog",
			Dialog: RequestDialog(l, "1764000000.state")}
		if err := req.IsValid(); err != nil {
			t.Errorf("%s dialog: %v", l, err)
		}
		golden(t, "dialog_"+string(l), req)
	}
}

// The slash command's immediate answer.
func TestGoldenCommandResponse(t *testing.T) {
	golden(t, "command_working", &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral,
		Text: bot.Tr(bot.LV, "mm.working", bot.Args{"Command": "/it licence piešķirt janis.ozols@lgia.gov.lv E3"})})
}

func TestMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"title\n  a  b\n  c  d\nend", "title\n```\n  a  b\n  c  d\n```\nend"},
		{"  only code", "```\n  only code\n```"},
		{"hi @channel and @Here, @alle", "hi @\u200bchannel and @\u200bHere, @alle"},
		{"```x```", "`\u200b``x`\u200b``"},
		{"mail anna@all.lv", "mail anna@all.lv"},
	} {
		if got := markdown(tc.in); got != tc.want {
			t.Errorf("markdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestClip(t *testing.T) {
	long := "Vēsture:\n" + strings.Repeat("  2026-11-23 10:00  ilze.liepa@lgia.gov.lv  Komentārs par pieteikumu\n", 400)
	p := goldenRenderer().Post(bot.Reply{Kind: bot.KindText, Text: long}, renderOpts{})
	if n := len([]rune(p.Message)); n > maxText+8 {
		t.Fatalf("message of %d runes", n)
	}
	if strings.Count(p.Message, "```")%2 != 0 || !strings.HasSuffix(p.Message, "…") {
		t.Errorf("clipped message ends %q", p.Message[len(p.Message)-40:])
	}
	if clip("īss") != "īss" {
		t.Error("short text changed")
	}
}

// TestPagesFitMattermostLimits: a queue page at its longest, rendered,
// stays within a post's 16,383 characters (message and attachments).
func TestPagesFitMattermostLimits(t *testing.T) {
	long := strings.Repeat("ā", 240) + "@lgia.gov.lv"
	var rs []*bot.Request
	for i := range commands.QueuePage {
		rs = append(rs, &bot.Request{ID: bot.FormatID(2026, uint64(1_000_000_000+i)), Type: bot.TypeLicenceAssign,
			Params: bot.Params{User: long, SKU: strings.Repeat("Ž", 60)}, State: bot.StateAwaitingProcurement, NeedsAttention: true})
	}
	pg := bot.Page{Requests: rs, More: true, Total: 987_654_321}
	for _, l := range []bot.Lang{bot.LV, bot.EN} {
		p := goldenRenderer().Post(commands.PageReply(pg, l, "cmd.queue_title", "cmd.queue_none", "/it rinda pēc=IT-2026-1000000019"), renderOpts{})
		n := utf8.RuneCountInString(p.Message)
		for _, a := range p.Attachments() {
			n += utf8.RuneCountInString(a.Text) + utf8.RuneCountInString(a.Title) + utf8.RuneCountInString(a.Pretext)
			for _, f := range a.Fields {
				n += utf8.RuneCountInString(f.Title) + utf8.RuneCountInString(fmt.Sprint(f.Value))
			}
		}
		if n > model.PostMessageMaxRunesV2 {
			t.Errorf("%s: %d characters, the limit is %d", l, n, model.PostMessageMaxRunesV2)
		}
		if !strings.Contains(p.Message+fmt.Sprint(p.Attachments()), "IT-2026-1000000019") {
			t.Errorf("%s: the last row or the next page's command is missing", l)
		}
	}
}
