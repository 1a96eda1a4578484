package mattermost

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// maxFilesPerPost is Mattermost's limit of files on one post.
const maxFilesPerPost = 10

// noticeKey orders notices: those of one request one after another.
func noticeKey(n bot.Notice) string {
	if n.Request != nil {
		return "req:" + n.Request.ID
	}
	return "to:" + n.To.Channel + "/" + n.To.User
}

// Post implements bot.Poster. It queues the notice and returns at once, so
// a slow Mattermost never holds up the bot; the notices of one request are
// delivered in order. A request's first notice in a channel opens its
// thread with the request card; later notices are replies in that thread
// and every card of the request is edited in place; progress notices
// replace the previous progress post; the request's files (a report) are
// attached in the thread once. Private notices (secrets) go only to a
// direct channel with the person, never to a channel.
func (a *Adapter) Post(_ context.Context, n bot.Notice) error {
	if n.Request != nil {
		r := *n.Request // the caller may go on with its copy
		n.Request = &r
		if n.Reply.Request != nil {
			n.Reply.Request = &r
		}
	}
	a.spawnOrdered(a.outSem, noticeKey(n), func(ctx context.Context) {
		err := a.deliver(ctx, n)
		if n.Done != nil && ctx.Err() == nil {
			n.Done() // delivered, or given up on; a stop leaves it for the next start
		}
		if err != nil {
			id := ""
			if n.Request != nil {
				id = n.Request.ID
			}
			a.log.Warn("notice not delivered", "request", id, "channel", n.To.Channel, "user", n.To.User, "err", err)
		}
	})
	return nil
}

// ConfirmsDelivery implements bot.Confirmer: Post queues, and a notice's
// Done is called once Mattermost took it (or the adapter gave up).
func (a *Adapter) ConfirmsDelivery() bool { return true }

// deliver posts one notice now: the bot's cards decide what goes where
// (bot.Cards); the adapter is their Surface.
func (a *Adapter) deliver(ctx context.Context, n bot.Notice) error {
	return a.door.Cards.Deliver(ctx, a, n)
}

// DirectChannel implements bot.Surface: the direct channel between the bot
// and a user (created if need be, remembered).
func (a *Adapter) DirectChannel(ctx context.Context, user string) (string, error) {
	return a.directChannel(ctx, user)
}

// Send implements bot.Surface: one post, a reply in thread when set. The
// server's 403 (the bot is not a member, someone else's direct channel)
// is bot.ErrUnreachable.
func (a *Adapter) Send(ctx context.Context, channel, thread string, rep bot.Reply) (bot.MessageRef, error) {
	p := a.render.Post(rep, renderOpts{})
	p.ChannelId, p.RootId = channel, thread
	created, err := a.createPost(ctx, p)
	if err != nil {
		if statusOf(err) == http.StatusForbidden {
			return bot.MessageRef{}, fmt.Errorf("%w: %w", bot.ErrUnreachable, err)
		}
		return bot.MessageRef{}, err
	}
	return bot.MessageRef{Channel: channel, ID: created.Id}, nil
}

// Edit implements bot.Surface with a post patch; a deleted post (404) is
// bot.ErrMessageGone.
func (a *Adapter) Edit(ctx context.Context, ref bot.MessageRef, rep bot.Reply) error {
	err := a.patchPost(ctx, ref.ID, a.render.Post(rep, renderOpts{}))
	if err != nil && statusOf(err) == http.StatusNotFound {
		return fmt.Errorf("%w: %w", bot.ErrMessageGone, err)
	}
	return err
}

// Upload implements bot.Surface: the files uploaded to the channel and
// posted, ten a post, the caption on the first.
func (a *Adapter) Upload(ctx context.Context, channel, thread, caption string, files []bot.File) error {
	return a.postFiles(ctx, channel, thread, caption, files)
}

// postFiles uploads files to a channel and posts them, ten a post.
func (a *Adapter) postFiles(ctx context.Context, ch, root, msg string, files []bot.File) error {
	for len(files) > 0 {
		n := min(len(files), maxFilesPerPost)
		var ids []string
		for _, f := range files[:n] {
			id, err := a.uploadFile(ctx, ch, f.Name, f.Data)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		files = files[n:]
		if _, err := a.createPost(ctx, &model.Post{ChannelId: ch, RootId: root, Message: msg, FileIds: ids}); err != nil {
			return err
		}
		msg = ""
	}
	return nil
}

// Log implements bot.Logger: the cards log what they do here in the
// adapter's log.
func (a *Adapter) Log() *slog.Logger { return a.log }
