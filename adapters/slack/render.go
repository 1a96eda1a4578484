package slack

import (
	"strconv"
	"strings"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"

	"itbot/bot"
)

// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
const (
	maxSectionText = 3000
	maxFieldText   = 2000
	maxFields      = 10
	maxHeaderText  = 150
	maxButtonText  = 75
	maxButtonValue = 2000
	maxBlocks      = 50
	maxActions     = 25
	maxFallback    = 3000
)

// ActionPrefix starts the action_id of every itbot button; the value is
// the command string the button runs.
const ActionPrefix = "itbot.cmd."

// Msg is one Slack message as itbot posts it: the notification (fallback)
// text and the Block Kit blocks.
type Msg struct {
	Text   string          `json:"text"`
	Blocks []slackgo.Block `json:"blocks"`
}

// options returns the chat.* options that send m.
func (m Msg) options() []slackgo.MsgOption {
	return []slackgo.MsgOption{slackgo.MsgOptionText(m.Text, false), slackgo.MsgOptionBlocks(m.Blocks...),
		slackgo.MsgOptionDisableLinkUnfurl(), slackgo.MsgOptionDisableMediaUnfurl()}
}

// Escape escapes text for Slack's mrkdwn: &, < and >, so nothing a person
// typed can become a mention (<!channel>) or a link.
func Escape(s string) string {
	return mrkdwnEscaper.Replace(s)
}

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func mrkdwn(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, s, false, true)
}

func plain(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.PlainTextType, s, true, false)
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// chunks splits text into pieces of at most n bytes, at line ends where it
// can.
func chunks(text string, n int) []string {
	var out []string
	for len(text) > n {
		cut := strings.LastIndex(text[:n], "\n")
		if cut <= 0 {
			cut = n
			for cut > 0 && !utf8.RuneStart(text[cut]) {
				cut--
			}
		}
		out = append(out, text[:cut])
		text = strings.TrimPrefix(text[cut:], "\n")
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}

// textSections renders text as sections; code sets it in a monospaced
// block, for aligned lists.
func textSections(text string, code bool) []slackgo.Block {
	var out []slackgo.Block
	limit := maxSectionText
	if code {
		limit -= 8
	}
	for _, c := range chunks(Escape(text), limit) {
		if code {
			c = "```\n" + c + "\n```"
		}
		out = append(out, slackgo.NewSectionBlock(mrkdwn(c), nil, nil))
	}
	return out
}

func fieldText(f bot.Field) string {
	return truncate("*"+Escape(f.Label)+"*\n"+Escape(f.Value), maxFieldText)
}

// fieldBlocks renders short fields two by two and long ones on their own.
func fieldBlocks(fs []bot.Field) []slackgo.Block {
	var out []slackgo.Block
	var short []*slackgo.TextBlockObject
	flush := func() {
		if len(short) > 0 {
			out = append(out, slackgo.NewSectionBlock(nil, short, nil))
			short = nil
		}
	}
	for _, f := range fs {
		if f.Short {
			short = append(short, mrkdwn(fieldText(f)))
			if len(short) == maxFields {
				flush()
			}
			continue
		}
		flush()
		out = append(out, slackgo.NewSectionBlock(mrkdwn(fieldText(f)), nil, nil))
	}
	flush()
	return out
}

// buttonBlock renders buttons; each carries its command string as value.
func buttonBlock(bs []bot.Button) slackgo.Block {
	var els []slackgo.BlockElement
	for i, b := range bs {
		if i == maxActions || len(b.Command) > maxButtonValue {
			break
		}
		el := slackgo.NewButtonBlockElement(ActionPrefix+strconv.Itoa(i), b.Command, plain(truncate(b.Label, maxButtonText)))
		switch b.Style {
		case bot.StylePrimary:
			el.Style = slackgo.StylePrimary
		case bot.StyleDanger:
			el.Style = slackgo.StyleDanger
		}
		els = append(els, el)
	}
	return slackgo.NewActionBlock("itbot.actions", els...)
}

// fallback is the notification text: a title or the first line.
func fallback(rep bot.Reply) string {
	s := rep.Title
	if s == "" {
		s, _, _ = strings.Cut(rep.Text, "\n")
	}
	if s == "" {
		s = "itbot"
	}
	return truncate(Escape(s), maxFallback)
}

// Render turns a reply into a Slack message. Every kind has its shape: a
// card has a header, its text, its fields and its buttons; an update is a
// bold title line over the events; lists and help are monospaced; errors
// carry a warning sign. Text a person typed is escaped.
func Render(rep bot.Reply) Msg {
	var bs []slackgo.Block
	multiline := strings.Contains(strings.TrimSpace(rep.Text), "\n")
	switch rep.Kind {
	case bot.KindCard:
		if rep.Title != "" {
			bs = append(bs, slackgo.NewHeaderBlock(plain(truncate(rep.Title, maxHeaderText))))
		}
		if rep.Text != "" {
			bs = append(bs, textSections(rep.Text, false)...)
		}
		bs = append(bs, fieldBlocks(rep.Fields)...)
	case bot.KindUpdate:
		head := ""
		if rep.Title != "" {
			head = "*" + Escape(rep.Title) + "*"
		}
		body := Escape(rep.Text)
		if rep.Progress {
			body = "`" + body + "`"
		}
		text := strings.TrimSpace(head + "\n" + body)
		for _, c := range chunks(text, maxSectionText) {
			bs = append(bs, slackgo.NewSectionBlock(mrkdwn(c), nil, nil))
		}
		bs = append(bs, fieldBlocks(rep.Fields)...)
	case bot.KindError:
		bs = append(bs, slackgo.NewSectionBlock(mrkdwn(truncate(":warning: "+Escape(rep.Text), maxSectionText)), nil, nil))
	case bot.KindList, bot.KindHelp:
		if rep.Title != "" {
			bs = append(bs, slackgo.NewSectionBlock(mrkdwn("*"+truncate(Escape(rep.Title), maxSectionText-2)+"*"), nil, nil))
		}
		if multiline {
			first, rest, _ := strings.Cut(rep.Text, "\n")
			bs = append(bs, textSections(first, false)...)
			bs = append(bs, textSections(rest, true)...)
		} else if rep.Text != "" {
			bs = append(bs, textSections(rep.Text, false)...)
		}
		bs = append(bs, fieldBlocks(rep.Fields)...)
	default:
		if rep.Title != "" {
			bs = append(bs, slackgo.NewSectionBlock(mrkdwn("*"+truncate(Escape(rep.Title), maxSectionText-2)+"*"), nil, nil))
		}
		if rep.Text != "" {
			bs = append(bs, textSections(rep.Text, false)...)
		}
		bs = append(bs, fieldBlocks(rep.Fields)...)
	}
	if len(bs) > maxBlocks-2 {
		bs = bs[:maxBlocks-2]
	}
	if len(rep.Buttons) > 0 {
		bs = append(bs, buttonBlock(rep.Buttons))
	}
	if len(bs) == 0 {
		bs = append(bs, slackgo.NewSectionBlock(mrkdwn("—"), nil, nil))
	}
	return Msg{Text: fallback(rep), Blocks: bs}
}
