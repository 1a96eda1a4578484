package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"itbot/bot"
)

// replyTarget answers the person who spoke, as a bot.ResponseWriter:
// through the interaction's response_url when there is one (visible to
// them only), else with a message in the conversation they spoke in
// (ephemeral in a channel), else by direct message. Private replies never
// go to a channel.
type replyTarget struct {
	a           *Adapter
	user        string
	channel     string
	thread      string
	responseURL string
	lang        bot.Lang
	event       bool   // a message or mention: answer in the conversation
	messageID   string // the message being answered (events)
}

// Write implements bot.ResponseWriter. The answer is sent from the
// person's outbound lane, so the worker is free at once.
func (t *replyTarget) Write(ctx context.Context, rep bot.Reply) error {
	if r := rep.Request; t.event && rep.Kind == bot.KindCard && r != nil && r.Origin.Platform == Platform &&
		r.Origin.MessageID == t.messageID && r.Origin.Channel == t.channel {
		// The answer to the message that created the request: its card
		// starts the request's thread here, so the answer's first line goes
		// into that thread, after the card (same lane).
		line, _, _ := strings.Cut(rep.Text, "\n")
		return t.a.Post(ctx, bot.Notice{To: bot.Address{Platform: Platform, Channel: r.Origin.Channel, Thread: r.Origin.Thread, User: t.user},
			Lang: t.lang, Request: r, Reply: bot.Reply{Kind: bot.KindText, Text: line, Request: r}})
	}
	m := Render(rep)
	if rep.Private {
		m.Blocks = append(m.Blocks, slackgo.NewContextBlock("", mrkdwn(bot.Tr(t.lang, "slack.private_note", nil))))
	}
	return t.a.later(ctx, "@"+t.user, func(ctx context.Context) error {
		err := t.write(ctx, rep, m)
		if err != nil {
			t.a.log.Warn("slack: reply failed; sending it by direct message", "user", t.user, "err", err)
			err = t.dm(ctx, rep, m)
		}
		return err
	})
}

func (t *replyTarget) write(ctx context.Context, rep bot.Reply, m Msg) error {
	a := t.a
	switch {
	case t.responseURL != "":
		if err := a.respond(ctx, t.responseURL, m); err != nil {
			return err
		}
		if len(rep.Files) > 0 {
			return t.dmFiles(ctx, rep)
		}
		return nil
	case t.event && isDM(t.channel):
		if _, _, err := a.postMsg(ctx, t.channel, t.thread, m); err != nil {
			return err
		}
		a.uploadAll(ctx, t.channel, t.thread, rep.Files)
		return nil
	case t.event && !rep.Private && !rep.Ephemeral:
		if _, _, err := a.postMsg(ctx, t.channel, t.thread, m); err != nil {
			return err
		}
		a.uploadAll(ctx, t.channel, t.thread, rep.Files)
		return nil
	case t.channel != "" && !isDM(t.channel) && !rep.Private && len(rep.Files) == 0:
		return a.postEphemeral(ctx, t.channel, t.user, t.thread, m)
	}
	return t.dm(ctx, rep, m)
}

func (t *replyTarget) dm(ctx context.Context, rep bot.Reply, m Msg) error {
	ch, err := t.a.dmChannel(ctx, t.user)
	if err != nil {
		return err
	}
	if _, _, err := t.a.postMsg(ctx, ch, "", m); err != nil {
		return err
	}
	t.a.uploadAll(ctx, ch, "", rep.Files)
	return nil
}

func (t *replyTarget) dmFiles(ctx context.Context, rep bot.Reply) error {
	ch, err := t.a.dmChannel(ctx, t.user)
	if err != nil {
		return err
	}
	t.a.uploadAll(ctx, ch, "", rep.Files)
	return nil
}

// unstoredReply is the immediate answer to a slash command that could not
// be journaled: nothing was taken, the person sends it again.
func unstoredReply() map[string]any {
	return map[string]any{"response_type": "ephemeral",
		"text": bot.Tr(bot.LV, "slack.unstored", nil) + "\n" + bot.Tr(bot.EN, "slack.unstored", nil)}
}

// acceptCommand journals a slash command. It returns nil when it is
// stored (the door answers an empty 200), or the immediate (ephemeral)
// answer when it could not be.
func (a *Adapter) acceptCommand(ctx context.Context, sc slackgo.SlashCommand) map[string]any {
	sc.Token = "" // the legacy verification token is not kept
	if why := a.trust.check(sc.TeamID, sc.EnterpriseID, sc.APIAppID); why != "" {
		a.refused("commands", why, sc.TeamID, sc.EnterpriseID, sc.APIAppID, sc.UserID)
		key := "slack.foreign_workspace"
		if why == refusedNotYet {
			key = "slack.starting"
		}
		return map[string]any{"response_type": "ephemeral", "text": bot.Tr(bot.LV, key, nil) + "\n" + bot.Tr(bot.EN, key, nil)}
	}
	body, err := json.Marshal(sc)
	if err == nil && a.receive(ctx, "commands", kindCommand, keyCommand(sc), body) {
		return nil
	}
	return unstoredReply()
}

// runCommand runs a slash command as the person who typed it.
func (a *Adapter) runCommand(ctx context.Context, sc slackgo.SlashCommand) {
	t := &replyTarget{a: a, user: sc.UserID, channel: sc.ChannelID, responseURL: sc.ResponseURL, lang: bot.LV}
	p, unknown := a.person(ctx, sc.UserID)
	if unknown != nil {
		if !unknown.isBot {
			t.Write(ctx, unknown.reply())
		}
		return
	}
	t.lang = p.Language()
	text := strings.TrimSpace(bot.Prefix + " " + strings.TrimSpace(Plain(sc.Text)))
	if m, _ := a.router.Match(text); sc.TriggerID != "" && m.Is("new") && len(m.Args) == 0 {
		if err := a.openNewForm(ctx, sc.TriggerID, p, modalMeta{Channel: sc.ChannelID, ResponseURL: sc.ResponseURL}); err == nil {
			return
		} else {
			a.log.Warn("slack: could not open the new-request form; answering with the menu", "user", sc.UserID, "err", err)
		}
	}
	msg := &bot.Message{Platform: Platform, Channel: sc.ChannelID, MessageID: sc.TriggerID, UserID: sc.UserID,
		Person: p, Text: text, Source: bot.SourceTyped, Direct: isDM(sc.ChannelID), Delivery: keyCommand(sc)}
	a.route(ctx, t, msg)
}

func (a *Adapter) route(ctx context.Context, t bot.ResponseWriter, msg *bot.Message) {
	if err := a.router.Route(ctx, t, msg); err != nil {
		a.log.Error("slack: reply not delivered", "user", msg.UserID, "person", msg.Person.Email, "err", err)
	}
}

// acceptInteraction handles one interaction payload: block actions are
// journaled; a modal submission is validated now (Slack wants field errors
// in the answer) and, when valid, journaled. It returns the answer body
// (nil: an empty 200) and whether the work was taken.
func (a *Adapter) acceptInteraction(ctx context.Context, cb slackgo.InteractionCallback) (any, bool) {
	if why := a.trust.check(cb.Team.ID, cb.Enterprise.ID, cb.APIAppID); why != "" {
		a.refused("interactions", why, cb.Team.ID, cb.Enterprise.ID, cb.APIAppID, cb.User.ID)
		return nil, why != refusedNotYet // not yet: 503, the person clicks again
	}
	switch cb.Type {
	case slackgo.InteractionTypeBlockActions:
		body, err := json.Marshal(&cb)
		return nil, err == nil && a.receive(ctx, "interactions", kindAction, keyAction(cb), body)
	case slackgo.InteractionTypeViewSubmission:
		resp, j := a.viewSubmission(ctx, cb)
		if resp != nil {
			a.metrics.acks.WithLabelValues("interactions", "invalid").Inc()
			return resp, true
		}
		if j == nil {
			return nil, true
		}
		body, err := json.Marshal(&cb)
		return nil, err == nil && a.receive(ctx, "interactions", kindView, keyView(cb), body)
	}
	a.metrics.acks.WithLabelValues("interactions", "ignored").Inc()
	return nil, true
}

// runActions runs the command strings of clicked buttons as the person
// who clicked.
func (a *Adapter) runActions(ctx context.Context, cb slackgo.InteractionCallback) {
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	thread := cb.Container.ThreadTs
	if thread == "" {
		thread = cb.Message.ThreadTimestamp
	}
	if thread == "" {
		thread = cb.Container.MessageTs
	}
	t := &replyTarget{a: a, user: cb.User.ID, channel: channel, thread: thread, responseURL: cb.ResponseURL, lang: bot.LV}
	for i, act := range cb.ActionCallback.BlockActions {
		if !strings.HasPrefix(act.ActionID, ActionPrefix) || !bot.IsCommand(act.Value) {
			a.log.Info("slack: click on a foreign button ignored", "action", act.ActionID)
			continue
		}
		p, unknown := a.person(ctx, cb.User.ID)
		if unknown != nil {
			if !unknown.isBot {
				t.Write(ctx, unknown.reply())
			}
			return
		}
		t.lang = p.Language()
		if id, ok := a.needsReason(act.Value); ok && cb.TriggerID != "" {
			err := a.openRejectForm(ctx, cb.TriggerID, p, id, modalMeta{Channel: channel, Thread: thread, ResponseURL: cb.ResponseURL})
			if err == nil {
				continue
			}
			a.log.Warn("slack: could not open the reject form; running the command", "err", err)
		}
		msg := &bot.Message{Platform: Platform, Channel: channel, Thread: thread, MessageID: cb.Container.MessageTs,
			UserID: cb.User.ID, Person: p, Text: act.Value, Source: bot.SourceButton, Direct: isDM(channel),
			Delivery: fmt.Sprintf("%s#%d", keyAction(cb), i)}
		a.route(ctx, t, msg)
	}
}

// needsReason reports a reject button (the command without a reason) and
// returns the request id it names.
func (a *Adapter) needsReason(cmd string) (string, bool) {
	m, _ := a.router.Match(cmd)
	if !m.Is("reject") || len(m.Args) != 1 {
		return "", false
	}
	id, err := bot.ParseID(m.Args[0])
	return id, err == nil
}

// acceptEvent journals an Events API callback (body is the envelope as
// received). It reports whether it was taken (when not, the HTTP endpoint
// answers 503 and Slack retries).
func (a *Adapter) acceptEvent(ctx context.Context, ev slackevents.EventsAPIEvent, body []byte) bool {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return true
	}
	if why := a.trust.check(ev.TeamID, ev.EnterpriseID, ev.APIAppID); why != "" {
		a.refused("events", why, ev.TeamID, ev.EnterpriseID, ev.APIAppID, "")
		return why != refusedNotYet // not yet: 503, Slack delivers it again
	}
	key := keyEvent(cb.EventID)
	if cb.EventID == "" {
		key = "evt/" + digest(string(body))
	}
	return a.receive(ctx, "events", kindEvent, key, body)
}

// runEvent handles a message to the bot: a direct message (message.im) or
// an @mention (app_mention) goes to the router like typed text, so a
// command runs and anything else reaches the conversational path. The
// bot's own and other bots' messages are ignored.
func (a *Adapter) runEvent(ctx context.Context, cb *slackevents.EventsAPICallbackEvent, inner slackevents.EventsAPIInnerEvent) {
	var user, channel, thread, ts, text string
	direct := false
	self, _ := a.botUser.Load().(string)
	switch ev := inner.Data.(type) {
	case *slackevents.AppMentionEvent:
		if ev.BotID != "" || ev.User == "" || ev.User == self || isDM(ev.Channel) {
			return // direct messages arrive as message.im
		}
		user, channel, ts, text = ev.User, ev.Channel, ev.TimeStamp, stripMention(ev.Text)
		thread = ev.ThreadTimeStamp
		if thread == "" {
			thread = ev.TimeStamp
		}
	case *slackevents.MessageEvent:
		if ev.BotID != "" || ev.SubType != "" || ev.User == "" || ev.User == self || ev.ChannelType != slackevents.ChannelTypeIM {
			return
		}
		user, channel, ts, text, thread, direct = ev.User, ev.Channel, ev.TimeStamp, ev.Text, ev.ThreadTimeStamp, true
	default:
		return
	}
	text = strings.TrimSpace(Plain(text))
	if text == "" {
		return
	}
	t := &replyTarget{a: a, user: user, channel: channel, thread: thread, event: true, lang: bot.LV, messageID: ts}
	p, unknown := a.person(ctx, user)
	if unknown != nil {
		if !unknown.isBot {
			t.Write(ctx, unknown.reply())
		}
		return
	}
	t.lang = p.Language()
	msg := &bot.Message{Platform: Platform, Channel: channel, Thread: thread, MessageID: ts, UserID: user,
		Person: p, Text: text, Source: bot.SourceTyped, Direct: direct, Delivery: keyEvent(cb.EventID)}
	a.route(ctx, t, msg)
}
