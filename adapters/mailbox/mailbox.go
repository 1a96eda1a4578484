// Package mailbox is itbot's door for e-mail: it reads the IT service
// desk's mailbox through Microsoft Graph (msgraph-sdk-go's request
// builders) and turns every message into a tracked request or a comment
// on one, through the same router and the same Bot as chat; the bot's
// answers and every later update of a request go back as replies in the
// same conversation, with the request id in the subject, in the
// requester's language.
//
// Intake. The inbox is read with a delta query, page by page
// (@odata.nextLink); the link to the next page, and at the end of a round
// the @odata.deltaLink, is stored in the bot's KVStore after each page,
// so a restart neither misses nor repeats mail. Every message is also
// marked by its internetMessageId with PutIfAbsent before it is acted on
// and marked done after; a message found marked but not done after a
// restart (the process stopped while handling it) goes to the review
// folder and the operators are told, so it is neither lost nor handled
// twice. All Graph reads of a message happen before it is marked, all
// Graph writes (replies, filing) after: a failed call never leaves a
// message half handled.
//
// Deciding. The sender (the From address) is looked up as a Person; an
// unknown sender of a known institution's domain is added as that
// institution's employee; any other sender gets one polite answer in
// Latvian and English and nothing is made. A message whose topmost
// Authentication-Results says DMARC (or Exchange's composite
// authentication) failed is not acted on: it goes to the review folder
// and the operators are told. A subject with a request id
// ("[IT-2026-000123]") adds the text as a comment to that request (with
// the attachments listed by name and size); a text starting with
// APSTIPRINU/APPROVE or NORAIDU/REJECT (or "/it approve …" or a sentence
// recognised as an approval) decides that request only when the message
// passed DMARC, otherwise it is kept as a comment and the approver is
// asked to decide in chat; privileged commands need a DMARC pass too.
// Anything else goes to the Router (a first paragraph starting with /it
// to the command path, other text to the conversational path) as a
// bot.Message of platform "mailbox" whose channel and thread are the
// mail's conversation, so a request made from it has this thread as its
// origin. Text the bot cannot understand goes to the review folder, the
// operators are alerted and the sender is told a person will answer.
//
// Replies. The answers to one message (and the notices its handling
// caused for the same conversation) go out as one reply; notices that
// arrive later (approved, done, reminders) are queued in the KVStore and
// sent as replies to the request's first message, addressed to the
// requester explicitly (so a Reply-To cannot divert a secret). A notice
// for a person directly (an approver whose identities map "mailbox" to
// an address) is a new message with the request id in the subject. At
// most Config.RepliesPerHour messages go to one address in an hour.
// Replies carry X-Auto-Response-Suppress: All, so well-behaved systems
// do not answer them automatically.
//
// Noise. Automatic replies, delivery reports, mailing lists, the bot's
// own messages and duplicates are filed without an answer. Handled mail
// is marked read and moved to Config.ProcessedFolder ("Apstrādāts"),
// the rest to Config.ReviewFolder ("Jāpārskata"), both child folders of
// the inbox, made when missing.
//
// Graph calls to the mailbox are serialised (Outlook serves an app at
// most four at a time per mailbox); 429/503/504 answers are waited out
// as Retry-After says. Every call asks for immutable ids, so a message
// keeps its id after it is moved.
package mailbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"itbot/bot"
)

// Platform is the adapter's platform name in messages, origins and
// notices.
const Platform = "mailbox"

// KVStore buckets.
const (
	bucketSync    = "mailbox.sync"    // mailbox -> syncState
	bucketSeen    = "mailbox.seen"    // internetMessageId -> seenRec
	bucketFile    = "mailbox.file"    // internetMessageId -> fileRec: still to be filed
	bucketOutbox  = "mailbox.outbox"  // "%020d-%06d" -> outMail
	bucketRate    = "mailbox.rate"    // address -> rateRec
	bucketRefused = "mailbox.refused" // address -> when the refusal was sent
	bucketConv    = "mailbox.conv"    // conversation id -> convRec
	bucketAlerts  = "mailbox.alerts"  // alert key -> when: operators told once
)

// Deps are the adapter's collaborators.
type Deps struct {
	Bot    *bot.Bot
	Router *bot.Router
	// Credential overrides the one the Config describes (tests and the
	// sandbox use a static token against the emulator).
	Credential azcore.TokenCredential
	// Transport is the HTTP transport under the SDK's middleware
	// (http.DefaultTransport when nil).
	Transport http.RoundTripper
	Log       *slog.Logger
	// Sleep waits out throttling (a timer by default); tests record it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Adapter reads the IT mailbox and answers from it. It implements
// bot.Poster for the platform "mailbox".
type Adapter struct {
	cfg    Config
	bot    *bot.Bot
	router *bot.Router
	store  bot.Store
	log    *slog.Logger
	g      *graph
	self   map[string]bool

	mu      sync.Mutex
	folders map[string]string // display name -> id
	pruned  time.Time

	poll  sync.Mutex // one delta round at a time
	flush sync.Mutex // one outbox drain at a time
	wake  chan struct{}
	seq   uint64 // outbox key tie-breaker, under mu
}

var _ bot.Poster = (*Adapter)(nil)

// New builds the adapter.
func New(cfg Config, d Deps) (*Adapter, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(d.Credential != nil); err != nil {
		return nil, err
	}
	if d.Bot == nil || d.Router == nil {
		return nil, errors.New("mailbox: Bot and Router are required")
	}
	cred := d.Credential
	if cred == nil {
		var err error
		if cred, err = cfg.exchangeConfig().Credential(); err != nil {
			return nil, fmt.Errorf("mailbox: %w", err)
		}
	}
	log := d.Log
	if log == nil {
		log = d.Bot.Log
	}
	if log == nil {
		log = slog.Default()
	}
	log = log.With("adapter", Platform)
	tr := d.Transport
	if tr == nil {
		tr = http.DefaultTransport
	}
	sleep := d.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	a := &Adapter{cfg: cfg, bot: d.Bot, router: d.Router, store: d.Bot.Store, log: log,
		self: map[string]bool{cfg.Address: true}, folders: map[string]string{}, wake: make(chan struct{}, 1)}
	for _, x := range cfg.Aliases {
		a.self[x] = true
	}
	g, err := newGraph(cfg, cred, tr, log, a.now, sleep)
	if err != nil {
		return nil, err
	}
	a.g = g
	return a, nil
}

// Config returns the settings in use (defaults filled in).
func (a *Adapter) Config() Config { return a.cfg }

func (a *Adapter) now() time.Time { return a.bot.Now().UTC() }

// Platform implements bot.Poster.
func (a *Adapter) Platform() string { return Platform }

// OpsChannel implements bot.Poster: the mailbox has no operators'
// channel; operators are told on the chat platforms.
func (a *Adapter) OpsChannel() string { return "" }

// flushDelay is how long Run waits after a notice is queued before it
// sends: the updates of one action (approved, executing, done) arrive
// within it and leave as one mail.
const flushDelay = 2 * time.Second

// Run reads the mailbox every PollInterval (at once first) and sends
// queued replies shortly after they are queued, until ctx ends.
func (a *Adapter) Run(ctx context.Context) {
	t := time.NewTicker(a.cfg.PollInterval)
	defer t.Stop()
	failures := 0
	var flushC <-chan time.Time
	for {
		st, err := a.Poll(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			failures++
			lvl := slog.LevelWarn
			if failures > 5 {
				lvl = slog.LevelError
			}
			a.log.Log(ctx, lvl, "mailbox poll failed; next try at the next interval", "err", err, "failures", failures)
		default:
			failures = 0
			if st.Seen > 0 {
				a.log.Info("mailbox polled", "seen", st.Seen, "handled", st.Handled, "review", st.Review, "ignored", st.Ignored, "duplicates", st.Duplicates, "sent", st.Sent)
			}
		}
	wait:
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				break wait
			case <-a.wake:
				if flushC == nil {
					flushC = time.After(flushDelay)
				}
			case <-flushC:
				flushC = nil
				if _, err := a.Flush(ctx); err != nil && ctx.Err() == nil {
					a.log.Warn("mailbox: sending replies failed; will retry", "err", err)
				}
			}
		}
	}
}

// Stats counts what one Poll did.
type Stats struct {
	Seen       int // delta entries for new or changed messages
	Handled    int // acted on: a request, a comment, an answer
	Review     int // moved to the review folder
	Ignored    int // automatic, the bot's own, refused senders
	Duplicates int // seen before
	Sent       int // replies sent
}

// CheckResult is what Check found.
type CheckResult struct {
	Mailbox   string
	Processed string // folder id
	Review    string // folder id
	Link      string // the stored delta position ("" before the first poll)
}

// Check reaches the mailbox, finds (or makes) the two folders and reports
// the stored delta position, without reading any mail.
func (a *Adapter) Check(ctx context.Context) (CheckResult, error) {
	res := CheckResult{Mailbox: a.cfg.Address}
	var err error
	if res.Processed, err = a.folderID(ctx, a.cfg.ProcessedFolder); err != nil {
		return res, fmt.Errorf("mailbox %s: %s", a.cfg.Address, describe(err))
	}
	if res.Review, err = a.folderID(ctx, a.cfg.ReviewFolder); err != nil {
		return res, fmt.Errorf("mailbox %s: %s", a.cfg.Address, describe(err))
	}
	st, err := a.loadSync(ctx)
	res.Link = st.Link
	return res, err
}

// Forget drops the stored delta position: the next Poll starts a new
// round from the last round's time (or, before any, from InitialBacklog
// before the first start). The marks keep handled mail from repeating.
// For a delta link that no longer works for another reason than expiry
// (the mailbox moved to another address or tenant).
func (a *Adapter) Forget(ctx context.Context) error {
	a.poll.Lock()
	defer a.poll.Unlock()
	st, err := a.loadSync(ctx)
	if err != nil {
		return err
	}
	st.Link = ""
	return a.saveSync(ctx, st)
}

// folderID returns the id of an inbox child folder, finding or making it
// once per process.
func (a *Adapter) folderID(ctx context.Context, name string) (string, error) {
	a.mu.Lock()
	id := a.folders[name]
	a.mu.Unlock()
	if id != "" {
		return id, nil
	}
	id, err := a.g.folder(ctx, name)
	if err != nil {
		return "", err
	}
	a.mu.Lock()
	a.folders[name] = id
	a.mu.Unlock()
	return id, nil
}

// kv helpers: the values are JSON.

func (a *Adapter) getJSON(ctx context.Context, bucket, key string, v any) (bool, error) {
	b, err := a.store.Get(ctx, bucket, key)
	if err != nil || b == nil {
		return false, err
	}
	return true, json.Unmarshal(b, v)
}

func (a *Adapter) putJSON(ctx context.Context, bucket, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return a.store.Put(ctx, bucket, key, b)
}

// alertOps tells the operators once per key (a mail, an address and
// hour), in their language.
func (a *Adapter) alertOps(ctx context.Context, key, id string, args bot.Args) {
	if key != "" {
		first, err := a.store.PutIfAbsent(ctx, bucketAlerts, key, []byte(a.now().Format(time.RFC3339)))
		if err != nil || !first {
			return
		}
	}
	a.bot.Notify.ToOps(ctx, nil, bot.Address{}, func(l bot.Lang) bot.Reply {
		return bot.Reply{Kind: bot.KindText, Text: bot.Tr(l, id, args)}
	})
}

// isAddress reports whether s looks like an e-mail address.
func isAddress(s string) bool {
	_, err := bot.NormalizeAddress(s)
	return err == nil && strings.Contains(s, "@")
}
