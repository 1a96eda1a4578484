package bottest

import (
	"context"
	"fmt"
	"sync"

	"itbot/bot"
)

// Chat is an in-memory chat platform for tests of the bot's cards: a
// bot.Surface (posts, edits, direct channels, uploads) and a bot.Poster
// that delivers each notice at once through the bot's cards. Messages get
// ids "m1", "m2" …; a person's direct channel is "D-"+user id.
type Chat struct {
	Name  string
	Ops   string
	Cards *bot.Cards
	// Closed lists channels the bot may not post in (Send answers
	// bot.ErrUnreachable).
	Closed map[string]bool

	mu    sync.Mutex
	seq   int
	msgs  map[string]*ChatMsg
	order []string
}

// ChatMsg is one message on a Chat.
type ChatMsg struct {
	ID, Channel, Thread string
	Reply               bot.Reply
	// Edits counts the edits of the message.
	Edits int
	// Files names the files uploaded with it.
	Files   []string
	Deleted bool
}

// NewChat returns a chat platform named name, with ops as its operators'
// channel, delivering through cards; add it to the bot's notifier.
func NewChat(name, ops string, cards *bot.Cards) *Chat {
	return &Chat{Name: name, Ops: ops, Cards: cards, Closed: map[string]bool{}, msgs: map[string]*ChatMsg{}}
}

// Platform implements bot.Surface.
func (c *Chat) Platform() string { return c.Name }

// OpsChannel implements bot.Surface.
func (c *Chat) OpsChannel() string { return c.Ops }

// Post implements bot.Poster: the notice is delivered before Post returns.
func (c *Chat) Post(ctx context.Context, n bot.Notice) error { return c.Cards.Deliver(ctx, c, n) }

// DirectChannel implements bot.Surface.
func (c *Chat) DirectChannel(_ context.Context, user string) (string, error) { return "D-" + user, nil }

// Send implements bot.Surface.
func (c *Chat) Send(_ context.Context, channel, thread string, rep bot.Reply) (bot.MessageRef, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Closed[channel] {
		return bot.MessageRef{}, fmt.Errorf("%w: channel %s", bot.ErrUnreachable, channel)
	}
	c.seq++
	id := fmt.Sprintf("m%d", c.seq)
	c.msgs[id] = &ChatMsg{ID: id, Channel: channel, Thread: thread, Reply: rep}
	c.order = append(c.order, id)
	return bot.MessageRef{Channel: channel, ID: id}, nil
}

// Edit implements bot.Surface.
func (c *Chat) Edit(_ context.Context, ref bot.MessageRef, rep bot.Reply) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.msgs[ref.ID]
	if m == nil || m.Deleted || m.Channel != ref.Channel {
		return fmt.Errorf("%w: %s", bot.ErrMessageGone, ref.ID)
	}
	m.Reply = rep
	m.Edits++
	return nil
}

// Upload implements bot.Surface: one message with the files.
func (c *Chat) Upload(ctx context.Context, channel, thread, caption string, files []bot.File) error {
	ref, err := c.Send(ctx, channel, thread, bot.Reply{Kind: bot.KindText, Text: caption})
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range files {
		c.msgs[ref.ID].Files = append(c.msgs[ref.ID].Files, f.Name)
	}
	return nil
}

// Delete deletes a message, as a person might.
func (c *Chat) Delete(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.msgs[id]; m != nil {
		m.Deleted = true
	}
}

// In returns the top-level messages of a channel (not replies), oldest
// first.
func (c *Chat) In(channel string) []ChatMsg {
	return c.filter(func(m *ChatMsg) bool { return m.Channel == channel && m.Thread == "" })
}

// Thread returns the replies to message id, oldest first.
func (c *Chat) Thread(id string) []ChatMsg {
	return c.filter(func(m *ChatMsg) bool { return m.Thread == id })
}

// Msg returns a message by id.
func (c *Chat) Msg(id string) ChatMsg {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.msgs[id]; m != nil {
		return *m
	}
	return ChatMsg{}
}

func (c *Chat) filter(keep func(*ChatMsg) bool) []ChatMsg {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []ChatMsg
	for _, id := range c.order {
		if m := c.msgs[id]; !m.Deleted && keep(m) {
			out = append(out, *m)
		}
	}
	return out
}
