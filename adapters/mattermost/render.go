package mattermost

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// Attachment colours: the bar on the left of a card shows the request's
// state at a glance.
const (
	colorNew      = "#1F6FEB" // waiting for approval or work: blue
	colorApproval = "#D29922" // waiting for someone's decision: amber
	colorDone     = "#2DA44E" // done: green
	colorBad      = "#CF222E" // failed, rejected, errors: red
	colorPaused   = "#8250DF" // SLA clock paused: purple
	colorClosed   = "#8C959F" // cancelled: grey
)

// stateColor returns the colour of a request state.
func stateColor(s bot.State) string {
	switch s {
	case bot.StateAwaitingApproval:
		return colorApproval
	case bot.StateDone:
		return colorDone
	case bot.StateFailed, bot.StateRejected:
		return colorBad
	case bot.StateAwaitingInfo, bot.StateAwaitingProcurement:
		return colorPaused
	case bot.StateCancelled:
		return colorClosed
	}
	return colorNew
}

// maxText is the most runes itbot puts in one message or attachment text
// (Mattermost takes 16383 in a message).
const maxText = 16000

// clip shortens text to maxText runes at a line end, keeping code fences
// balanced, and says that it did.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxText {
		return s
	}
	r := []rune(s)[:maxText]
	cut := string(r)
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i]
	}
	if strings.Count(cut, "```")%2 == 1 {
		cut += "\n```"
	}
	return cut + "\n…"
}

// renderOpts tunes one rendering.
type renderOpts struct {
	// compact drops the fields and buttons: the request's card, right
	// above in the same thread, already shows them.
	compact bool
	// noButtons drops the buttons (thread updates: the card at the top of
	// the thread carries the current ones).
	noButtons bool
}

// renderer turns neutral replies into Mattermost posts: a request card is
// a message attachment with a coloured bar, a title, the fields and one
// interactive button per bot.Button; other replies are Markdown messages.
type renderer struct {
	actionURL string
	sign      *signer
}

// Post renders one reply. The channel, thread and pending id are the
// caller's.
func (rd *renderer) Post(r bot.Reply, o renderOpts) *model.Post {
	p := &model.Post{}
	text := clip(markdown(r.Text))
	switch {
	case r.Progress:
		p.Message = "**" + escape(r.Title) + "** " + text
		return p
	case o.compact:
		p.Message = text
		if r.Kind == bot.KindError {
			p.Message = "⚠️ " + text
		}
		return p
	}
	buttons := r.Buttons
	if o.noButtons {
		buttons = nil
	}
	card := r.Kind == bot.KindCard || r.Kind == bot.KindUpdate || len(r.Fields) > 0
	if !card {
		msg := text
		if r.Title != "" {
			msg = "**" + escape(r.Title) + "**\n" + msg
		}
		if r.Kind == bot.KindError {
			msg = "⚠️ " + msg
		}
		p.Message = msg
		if len(buttons) > 0 {
			att := &model.MessageAttachment{Fallback: plain(r), Actions: rd.actions(buttons)}
			p.AddProp(model.PostPropsAttachments, []*model.MessageAttachment{att})
		}
		return p
	}
	att := &model.MessageAttachment{
		Fallback: plain(r),
		Color:    colorNew,
		Title:    r.Title,
		Text:     text,
		Actions:  rd.actions(buttons),
	}
	switch {
	case r.Kind == bot.KindError:
		att.Color = colorBad
	case r.Request != nil:
		att.Color = stateColor(r.Request.State)
	}
	for _, f := range r.Fields {
		att.Fields = append(att.Fields, &model.MessageAttachmentField{Title: f.Label, Value: neutralize(f.Value), Short: model.SlackCompatibleBool(f.Short)})
	}
	p.AddProp(model.PostPropsAttachments, []*model.MessageAttachment{att})
	return p
}

// actions renders buttons. Each carries its command string in a signed
// integration context; the ids are alphanumeric, as Mattermost requires.
func (rd *renderer) actions(bs []bot.Button) []*model.PostAction {
	if len(bs) == 0 {
		return nil
	}
	out := make([]*model.PostAction, 0, len(bs))
	for i, b := range bs {
		style := "default"
		switch b.Style {
		case bot.StylePrimary:
			style = "primary"
		case bot.StyleDanger:
			style = "danger"
		}
		out = append(out, &model.PostAction{
			Id:          fmt.Sprintf("itbot%d", i),
			Type:        model.PostActionTypeButton,
			Name:        b.Label,
			Style:       style,
			Integration: &model.PostActionIntegration{URL: rd.actionURL, Context: rd.sign.Context(b.Command)},
		})
	}
	return out
}

// plain is a reply as one line of plain text, for notifications.
func plain(r bot.Reply) string {
	first, _, _ := strings.Cut(strings.TrimSpace(r.Text), "\n")
	switch {
	case r.Title != "" && first != "":
		return r.Title + " — " + first
	case r.Title != "":
		return r.Title
	}
	return first
}

var broadcast = regexp.MustCompile(`(?i)(^|[^\pL\pN._-])@(all|channel|here)\b`)

// neutralize keeps text a person typed from notifying a whole channel
// when the bot repeats it.
func neutralize(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	l := strings.ToLower(s)
	if !strings.Contains(l, "@all") && !strings.Contains(l, "@channel") && !strings.Contains(l, "@here") {
		return s
	}
	return broadcast.ReplaceAllString(s, "${1}@\u200b$2")
}

// escape keeps Markdown emphasis characters in a title literal.
func escape(s string) string {
	return strings.NewReplacer("*", `\*`, "_", `\_`, "`", "\\`").Replace(neutralize(s))
}

// markdown turns a reply's text into Mattermost Markdown: lines that are
// indented (lists, histories, tables) become a code block so their columns
// stay aligned; everything else is kept, with broadcast mentions
// neutralized.
func markdown(s string) string {
	s = strings.ReplaceAll(neutralize(s), "```", "`\u200b``")
	lines := strings.Split(s, "\n")
	var b strings.Builder
	in := false
	for _, l := range lines {
		code := strings.HasPrefix(l, "  ")
		if code != in {
			b.WriteString("```\n")
			in = code
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if in {
		b.WriteString("```\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}
