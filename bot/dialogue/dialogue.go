// Package dialogue is itbot's conversational path: a message that is not a
// slash command (a direct message, an @mention, an e-mail body) is
// recognised with bot/nlu, its missing slots are asked for one question at
// a time in the person's language, a change is restated and confirmed
// (buttons where the platform has them, "jā/nē" or "yes/no" typed
// otherwise), and it ends as the same tracked request a slash command makes,
// through bot.Bot.Submit, with the message's origin.
//
// A consultation is submitted at once and answered with an immediate
// pointer; a status question is answered directly from the request (as
// bot.Bot.Get lets the person see it); approvals and rejections go through
// bot.Bot.Approve and bot.Bot.Reject after the person confirms (a
// rejection asks for its reason). Unrecognised text gets a short answer
// with the closest commands, never silence.
//
// The state of a conversation is kept per person and conversation
// (platform, channel, thread) in the bot's KVStore, bucket "dialogue", so
// it survives a restart; it expires after Options.Expiry (30 minutes by
// default) without an answer, and "atcelt" / "cancel" ends it. The
// confirmation buttons carry the hidden commands "/it confirm TOKEN" and
// "/it discard TOKEN", which Install registers on the router.
//
// Invariants: at most one open dialogue per person and conversation; a
// dialogue is deleted from the store before the action it confirms runs,
// so a repeated "yes" or a double click never creates two requests; turns
// of one conversation are serialised in-process.
//
// The package imports bot and bot/nlu only. What lives in outer packages
// (the full command help, the acknowledgement card of a new request) comes
// in through Options, set by the wiring.
package dialogue

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"hash/fnv"
	"log/slog"
	"strings"
	"sync"
	"time"

	"itbot/bot"
	"itbot/bot/nlu"
)

// Bucket is the KVStore bucket holding dialogue state.
const Bucket = "dialogue"

// DefaultExpiry is how long an unanswered dialogue stays open.
const DefaultExpiry = 30 * time.Minute

// HelpFunc renders the command help for a person (commands.HelpText has
// this shape).
type HelpFunc func(r *bot.Router, p *bot.Person, l bot.Lang, family string) string

// AckFunc renders the answer to a newly created request (commands.Ack has
// this shape).
type AckFunc func(b *bot.Bot, r *bot.Request, viewer *bot.Person, l bot.Lang) bot.Reply

// Options tune a Dialogue. Zero values take the defaults.
type Options struct {
	// Expiry is how long a dialogue waits for an answer; DefaultExpiry if
	// zero or negative.
	Expiry time.Duration
	// Help renders the command list for "help"; without it the answer
	// points to "/it help".
	Help HelpFunc
	// Ack renders the answer to a created request; without it a request
	// card with a short lead line is shown.
	Ack AckFunc
	// Token returns a fresh confirmation token (one word, no spaces);
	// default: 65 random bits in base32. Tests set a counter.
	Token func() string
	// Log receives the dialogue's log lines; default: the bot's logger.
	Log *slog.Logger
}

// Dialogue is the conversational handler. It implements bot.Handler; one
// value serves every conversation and is safe for concurrent use.
type Dialogue struct {
	bot    *bot.Bot
	opts   Options
	log    *slog.Logger
	mu     sync.RWMutex
	router *bot.Router
	locks  [64]sync.Mutex
}

// New returns the dialogue handler for b.
func New(b *bot.Bot, o Options) *Dialogue {
	if o.Expiry <= 0 {
		o.Expiry = DefaultExpiry
	}
	if o.Token == nil {
		o.Token = randomToken
	}
	log := o.Log
	if log == nil {
		log = b.Log
	}
	if log == nil {
		log = slog.Default()
	}
	return &Dialogue{bot: b, opts: o, log: log}
}

// Expiry returns how long a dialogue waits for an answer.
func (d *Dialogue) Expiry() time.Duration { return d.opts.Expiry }

// Install makes d the router's conversational handler and registers the
// hidden commands its confirmation buttons carry: "confirm TOKEN" and
// "discard TOKEN".
func (d *Dialogue) Install(r *bot.Router) {
	d.mu.Lock()
	d.router = r
	d.mu.Unlock()
	r.Handle(&bot.Spec{Names: []string{"confirm"}, Hidden: true, MinArgs: 1, UsageLV: "confirm TOKEN", UsageEN: "confirm TOKEN",
		Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			return d.button(ctx, w, c, true)
		})})
	r.Handle(&bot.Spec{Names: []string{"discard"}, Hidden: true, MinArgs: 1, UsageLV: "discard TOKEN", UsageEN: "discard TOKEN",
		Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			return d.button(ctx, w, c, false)
		})})
	r.HandleConversation(d)
}

func (d *Dialogue) routerRef() *bot.Router {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.router
}

func randomToken() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("dialogue: crypto/rand: " + err.Error())
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

func (d *Dialogue) now() time.Time { return d.bot.Now() }

// lock serialises the turns of one conversation.
func (d *Dialogue) lock(key string) func() {
	h := fnv.New32a()
	h.Write([]byte(key))
	m := &d.locks[h.Sum32()%uint32(len(d.locks))]
	m.Lock()
	return m.Unlock
}

// ServeCommand handles one conversational message: c.Rest(0) is the text.
// It answers through w and returns only failures to write or to reach the
// store.
func (d *Dialogue) ServeCommand(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
	key := convKey(c.Person.Email, c.Msg)
	defer d.lock(key)()
	t := &turn{d: d, ctx: ctx, w: w, c: c, key: key, now: d.now(), text: strings.TrimSpace(c.Rest(0))}
	st, err := d.load(ctx, key)
	if err != nil {
		return err
	}
	if st != nil && !t.now.Before(st.Expires) {
		if err := d.drop(ctx, key); err != nil {
			return err
		}
		d.log.Info("dialogue expired", "person", st.Person, "intent", st.Intent)
		t.expired = st
		st = nil
	}
	if st != nil {
		return t.resume(st)
	}
	return t.start()
}

// button handles a click on a confirmation button (or the same command
// typed).
func (d *Dialogue) button(ctx context.Context, w bot.ResponseWriter, c *bot.Command, yes bool) error {
	tok := c.Arg(0)
	key, err := d.bot.Store.Get(ctx, Bucket, tokenKey(tok))
	if err != nil {
		return err
	}
	gone := func() error {
		return write(ctx, w, bot.Reply{Kind: bot.KindText, Text: bot.Tr(c.Lang, "dlg.token_gone", nil), Ephemeral: true})
	}
	if key == nil {
		return gone()
	}
	defer d.lock(string(key))()
	st, err := d.load(ctx, string(key))
	if err != nil {
		return err
	}
	if st == nil || st.Token != tok || st.Stage != stageConfirm {
		return gone()
	}
	if st.Person != c.Person.Email {
		return write(ctx, w, bot.Reply{Kind: bot.KindError, Text: bot.Tr(c.Lang, "dlg.not_yours", nil), Ephemeral: true})
	}
	t := &turn{d: d, ctx: ctx, w: w, c: c, key: string(key), now: d.now(), lang: st.Lang}
	if !t.now.Before(st.Expires) {
		if err := d.drop(ctx, t.key); err != nil {
			return err
		}
		return t.say(bot.Reply{Kind: bot.KindText, Text: t.tr("dlg.expired", bot.Args{"Minutes": d.minutes()}) + "\n" + t.tr("dlg.start_again", nil)})
	}
	if yes {
		return t.accept(st)
	}
	return t.discard(st)
}

func (d *Dialogue) minutes() int { return int(d.opts.Expiry / time.Minute) }

// Sweep deletes the dialogues that expired before now and the confirmation
// tokens that point nowhere; it returns how many dialogues it removed.
// The serving process runs it now and then; expired dialogues are also
// dropped when their person writes again.
func (d *Dialogue) Sweep(ctx context.Context) (int, error) {
	now := d.now()
	var stale []string
	type tok struct{ key, target string }
	var toks []tok
	err := d.bot.Store.Scan(ctx, Bucket, "", "", func(k string, v []byte) error {
		switch {
		case strings.HasPrefix(k, convPrefix):
			st, err := decodeState(v)
			if err != nil || !now.Before(st.Expires) {
				stale = append(stale, k)
			}
		case strings.HasPrefix(k, tokenPrefix):
			toks = append(toks, tok{k, string(v)})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range stale {
		unlock := d.lock(k)
		v, err := d.bot.Store.Get(ctx, Bucket, k)
		if err == nil && v != nil {
			if st, derr := decodeState(v); derr != nil || !now.Before(st.Expires) {
				if err = d.bot.Store.Delete(ctx, Bucket, k); err == nil {
					n++
				}
			}
		}
		unlock()
		if err != nil {
			return n, err
		}
	}
	for _, t := range toks {
		v, err := d.bot.Store.Get(ctx, Bucket, t.target)
		if err != nil {
			return n, err
		}
		live := false
		if v != nil {
			if st, err := decodeState(v); err == nil && tokenKey(st.Token) == t.key {
				live = true
			}
		}
		if !live {
			if err := d.bot.Store.Delete(ctx, Bucket, t.key); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// Run sweeps expired dialogues every interval until ctx ends.
func (d *Dialogue) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 5 * time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := d.Sweep(ctx); err != nil {
				d.log.Warn("dialogue sweep", "err", err)
			} else if n > 0 {
				d.log.Info("dialogue sweep", "expired", n)
			}
		}
	}
}

// write sends a reply, marking a failure as a write failure for the router.
func write(ctx context.Context, w bot.ResponseWriter, r bot.Reply) error {
	return bot.WriteFailed(w.Write(ctx, r))
}

// langOf picks the language of a new dialogue: the message's own language
// when it says enough to tell (three words or Latvian letters), else the
// person's.
func langOf(res nlu.Result, text string, p *bot.Person) bot.Lang {
	if len(strings.Fields(text)) >= 3 || hasLatvianLetters(text) {
		if res.Lang == "en" {
			return bot.EN
		}
		return bot.LV
	}
	return p.Language()
}

func hasLatvianLetters(s string) bool {
	return strings.ContainsAny(s, "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ")
}
