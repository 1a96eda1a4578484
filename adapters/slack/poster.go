package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	slackgo "github.com/slack-go/slack"

	"itbot/bot"
)

// deliver posts one notice now: the bot's cards decide what goes where
// (bot.Cards); the adapter is their Surface.
func (a *Adapter) deliver(ctx context.Context, n bot.Notice) error {
	return a.cards.Deliver(ctx, a, n)
}

// DirectChannel implements bot.Surface: the direct message channel with a
// user (conversations.open, remembered).
func (a *Adapter) DirectChannel(ctx context.Context, user string) (string, error) {
	return a.dmChannel(ctx, user)
}

// Send implements bot.Surface with chat.postMessage. A channel the bot
// may not post to (not_in_channel, channel_not_found, is_archived, …)
// is reported as bot.ErrUnreachable. A secret carries a note that only the
// reader sees it.
func (a *Adapter) Send(ctx context.Context, channel, thread string, rep bot.Reply) (bot.MessageRef, error) {
	m := Render(rep)
	if rep.Private {
		m.Blocks = append(m.Blocks, slackgo.NewContextBlock("", mrkdwn(bot.Tr(langOf(rep), "slack.private_note", nil))))
	}
	ch, ts, err := a.postMsg(ctx, channel, thread, m)
	if err != nil {
		if unreachable(err) {
			return bot.MessageRef{}, fmt.Errorf("%w: %w", bot.ErrUnreachable, err)
		}
		return bot.MessageRef{}, err
	}
	if ch == "" {
		ch = channel
	}
	return bot.MessageRef{Channel: ch, ID: ts}, nil
}

// Edit implements bot.Surface with chat.update; message_not_found is
// bot.ErrMessageGone.
func (a *Adapter) Edit(ctx context.Context, ref bot.MessageRef, rep bot.Reply) error {
	err := a.updateMsg(ctx, ref.Channel, ref.ID, Render(rep))
	if err != nil && slackError(err) == "message_not_found" {
		return fmt.Errorf("%w: %w", bot.ErrMessageGone, err)
	}
	return err
}

// Upload implements bot.Surface: each file through the external upload
// API, the caption as the first file's comment.
func (a *Adapter) Upload(ctx context.Context, channel, thread, caption string, files []bot.File) error {
	for _, f := range files {
		if err := a.upload(ctx, channel, thread, caption, f); err != nil {
			return fmt.Errorf("file %s: %w", f.Name, err)
		}
		caption = ""
	}
	return nil
}

// Ephemeral implements bot.EphemeralSurface with chat.postEphemeral.
func (a *Adapter) Ephemeral(ctx context.Context, channel, user, thread string, rep bot.Reply) error {
	m := Render(rep)
	if rep.Private {
		m.Blocks = append(m.Blocks, slackgo.NewContextBlock("", mrkdwn(bot.Tr(langOf(rep), "slack.private_note", nil))))
	}
	return a.postEphemeral(ctx, channel, user, thread, m)
}

// langOf is the language a reply is in: its request's requester's is not
// known here, so Latvian unless the reply says otherwise.
func langOf(rep bot.Reply) bot.Lang {
	if rep.Lang != "" {
		return rep.Lang
	}
	return bot.LV
}

// unreachable reports a channel the bot may not post to.
func unreachable(err error) bool {
	switch slackError(err) {
	case "not_in_channel", "channel_not_found", "is_archived", "restricted_action", "cannot_dm_bot":
		return true
	}
	return false
}

// uploadAll uploads files into a channel's thread; failures are logged.
func (a *Adapter) uploadAll(ctx context.Context, channel, thread string, files []bot.File) {
	for _, f := range files {
		if err := a.upload(ctx, channel, thread, "", f); err != nil {
			a.log.Error("slack: file not uploaded", "file", f.Name, "channel", channel, "err", err)
		}
	}
}

// upload shares one file in a channel (thread) with the current upload
// API: files.getUploadURLExternal, the upload, files.completeUploadExternal.
func (a *Adapter) upload(ctx context.Context, channel, thread, caption string, f bot.File) error {
	if len(f.Data) == 0 {
		return errors.New("empty file")
	}
	return a.call(ctx, "files.upload", func(ctx context.Context) error {
		_, err := a.api.UploadFileContext(ctx, slackgo.UploadFileParameters{
			Reader: bytes.NewReader(f.Data), FileSize: len(f.Data), Filename: f.Name, Title: f.Name,
			Channel: channel, ThreadTimestamp: thread, InitialComment: caption,
		})
		return err
	})
}

// dmChannel opens (or finds) the direct message channel with a user.
func (a *Adapter) dmChannel(ctx context.Context, user string) (string, error) {
	if ch, ok := a.dms.Load(user); ok {
		return ch.(string), nil
	}
	var ch *slackgo.Channel
	err := a.call(ctx, "conversations.open", func(ctx context.Context) error {
		var err error
		ch, _, _, err = a.api.OpenConversationContext(ctx, &slackgo.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("open a direct message with %s: %w", user, err)
	}
	a.dms.Store(user, ch.ID)
	return ch.ID, nil
}

// postMsg posts m in channel (in thread when set) and returns the channel
// and the new message's ts.
func (a *Adapter) postMsg(ctx context.Context, channel, thread string, m Msg) (string, string, error) {
	opts := m.options()
	if thread != "" {
		opts = append(opts, slackgo.MsgOptionTS(thread))
	}
	var ch, ts string
	err := a.call(ctx, "chat.postMessage", func(ctx context.Context) error {
		var err error
		ch, ts, err = a.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ch, ts, err
}

// updateMsg replaces the message at channel/ts with m.
func (a *Adapter) updateMsg(ctx context.Context, channel, ts string, m Msg) error {
	return a.call(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, channel, ts, m.options()...)
		return err
	})
}

// postEphemeral shows m to user only, in channel (thread).
func (a *Adapter) postEphemeral(ctx context.Context, channel, user, thread string, m Msg) error {
	opts := m.options()
	if thread != "" {
		opts = append(opts, slackgo.MsgOptionTS(thread))
	}
	return a.call(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := a.api.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	})
}

// respond posts m to a response_url, visible to the person only. Only
// Slack's own response URLs are used (and the API host set by api_url).
func (a *Adapter) respond(ctx context.Context, responseURL string, m Msg) error {
	if !a.responseURLAllowed(responseURL) {
		return fmt.Errorf("response_url outside Slack refused: %.60s", responseURL)
	}
	opts := append(m.options(), slackgo.MsgOptionResponseURL(responseURL, slackgo.ResponseTypeEphemeral))
	return a.call(ctx, "response_url", func(ctx context.Context) error {
		_, _, _, err := a.api.SendMessageContext(ctx, "", opts...)
		return err
	})
}

// responseURLAllowed reports whether u is one of Slack's response URLs
// (or, with api_url set for tests, on that host).
func (a *Adapter) responseURLAllowed(u string) bool {
	for _, p := range []string{"https://hooks.slack.com/", "https://hooks.slack-gov.com/"} {
		if strings.HasPrefix(u, p) {
			return true
		}
	}
	if a.cfg.APIURL == "" {
		return false
	}
	api, err := url.Parse(a.cfg.APIURL)
	if err != nil {
		return false
	}
	return strings.HasPrefix(u, api.Scheme+"://"+api.Host+"/")
}

// isDM reports whether a channel id is a direct message.
func isDM(channel string) bool { return strings.HasPrefix(channel, "D") }

// Log implements bot.Logger: the cards log what they do here in the
// adapter's log.
func (a *Adapter) Log() *slog.Logger { return a.log }
