package teams

import (
	"strings"

	"itbot/bot"
)

// Adaptive Cards (schema 1.5) for replies with fields or buttons: a
// request's card shows its facts as a FactSet and its actions as
// Action.Execute (Universal Actions), each carrying the command line a
// click runs; Reject asks for the reason in an Input.Text first.

// CardContentType is an Adaptive Card attachment's content type.
const CardContentType = "application/vnd.microsoft.card.adaptive"

// Attachment is a message attachment.
type Attachment struct {
	ContentType string `json:"contentType"`
	Content     any    `json:"content,omitempty"`
	Name        string `json:"name,omitempty"`
	ContentURL  string `json:"contentUrl,omitempty"`
}

// verb is the Action.Execute verb of every itbot button.
const verb = "itbot.command"

// reasonInput is the reject reason's input id.
const reasonInput = "reason"

// AdaptiveCard renders a reply as an Adaptive Card in language l.
func AdaptiveCard(rep bot.Reply, l bot.Lang) map[string]any {
	var body []any
	if rep.Title != "" {
		body = append(body, map[string]any{"type": "TextBlock", "text": rep.Title, "weight": "Bolder", "size": "Medium", "wrap": true})
	}
	if rep.Text != "" {
		body = append(body, map[string]any{"type": "TextBlock", "text": rep.Text, "wrap": true})
	}
	if len(rep.Fields) > 0 {
		var facts []any
		for _, f := range rep.Fields {
			facts = append(facts, map[string]any{"title": f.Label, "value": f.Value})
		}
		body = append(body, map[string]any{"type": "FactSet", "facts": facts})
	}
	var actions []any
	for _, b := range rep.Buttons {
		a := map[string]any{"type": "Action.Execute", "title": b.Label, "verb": verb, "data": map[string]string{"command": b.Command}}
		switch b.Style {
		case bot.StylePrimary:
			a["style"] = "positive"
		case bot.StyleDanger:
			a["style"] = "destructive"
		}
		if isReject(b.Command) {
			// The reason is asked on the card; the click sends it along.
			body = append(body, map[string]any{"type": "Input.Text", "id": reasonInput, "isMultiline": true, "maxLength": bot.MaxTextBytes,
				"label": bot.Tr(l, "teams.reason", nil), "placeholder": bot.Tr(l, "teams.reason_hint", nil)})
		}
		actions = append(actions, a)
	}
	card := map[string]any{"type": "AdaptiveCard", "version": "1.5", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "body": body}
	if len(actions) > 0 {
		card["actions"] = actions
	}
	return card
}

func isReject(cmd string) bool { return strings.HasPrefix(cmd, bot.Prefix+" reject ") }

// cardWorthy reports whether a reply reads better as a card.
func cardWorthy(rep bot.Reply) bool { return len(rep.Fields) > 0 || len(rep.Buttons) > 0 }

func init() {
	bot.RegisterTexts(
		bot.T("teams.reason", "Noraidīšanas iemesls", "Reason for rejecting"),
		bot.T("teams.reason_hint", "Ierakstiet, kāpēc — pieteicējs to redzēs", "Say why — the requester will see it"),
		bot.T("teams.reason_required", "Lai noraidītu, ierakstiet iemeslu kartītē.", "To reject, write the reason on the card."),
	)
}
