package mattermost

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// Platform is the adapter's platform name (Message.Platform,
// Person.Identities key, Address.Platform).
const Platform = "mattermost"

// KV buckets the adapter keeps its state in.
const (
	bucketSeen  = "mattermost.seen"  // post id -> create_at: handled once
	bucketState = "mattermost.state" // cursor: newest post seen
)

// Deps is what the adapter works with.
type Deps struct {
	// Door is what the adapter needs from the bot (bot.Bot.Door).
	Door bot.Door
	Log  *slog.Logger
	// HTTPClient talks to the Mattermost API (default: a client with a
	// 30 s timeout).
	HTTPClient *http.Client
	// Now is the clock for signatures (default time.Now).
	Now func() time.Time
}

// Adapter is the Mattermost door to itbot: the /it slash command, direct
// messages and mentions over the websocket, interactive buttons and
// dialogs, and a bot.Poster that keeps one thread per request with its
// card at the top, edited in place.
type Adapter struct {
	cfg    Config
	door   bot.Door
	router *bot.Router
	store  bot.Store
	log    *slog.Logger
	api    *model.Client4
	sign   *signer
	render *renderer
	now    func() time.Time

	base   context.Context
	cancel context.CancelFunc
	jobs   sync.WaitGroup
	sem    chan struct{} // messages handled at once
	outSem chan struct{} // notices posted at once
	qmu    sync.Mutex
	queues map[string]*queue // ordered jobs by key

	meMu     sync.Mutex
	me       *model.User
	opsMu    sync.Mutex
	opsID    string
	opsTried time.Time
	team     string // team id, once resolved

	users sync.Map // user id -> cachedUser
	dms   sync.Map // user id -> direct channel id with the bot

	noEphemeral atomic.Bool // the server refused ephemeral posts (bot is no admin)
	retryBase   time.Duration
	cursorMu    sync.Mutex
	cursor      int64  // newest post seen (ms)
	saved       int64  // the cursor as stored
	onCatchUp   func() // tests: called when a catch-up ends
}

type cachedUser struct {
	u  *model.User
	at time.Time
}

// New builds an adapter. It does not talk to Mattermost yet.
func New(cfg Config, d Deps) (*Adapter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if d.Door.Router == nil || d.Door.Cards == nil || d.Door.Requests == nil {
		return nil, errors.New("mattermost: Deps.Door needs the bot's router, cards and requests")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	api := model.NewAPIv4Client(cfg.URL)
	api.SetToken(cfg.Token)
	api.HTTPClient = d.HTTPClient
	if api.HTTPClient == nil {
		api.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	a := &Adapter{
		cfg: cfg, door: d.Door, router: d.Door.Router, store: d.Door.Store, log: d.Log.With("adapter", Platform),
		api: api, now: d.Now, sem: make(chan struct{}, cfg.Workers), outSem: make(chan struct{}, cfg.Workers), queues: map[string]*queue{},
		retryBase: 250 * time.Millisecond,
	}
	a.sign = &signer{key: []byte(cfg.ActionSecret), maxAge: cfg.ActionMaxAge, now: d.Now}
	a.render = &renderer{actionURL: cfg.PublicURL + cfg.PathPrefix + "/actions", sign: a.sign}
	a.base, a.cancel = context.WithCancel(context.Background())
	if ch := strings.TrimSpace(cfg.OpsChannel); model.IsValidId(ch) {
		a.opsID = ch
	}
	return a, nil
}

// Platform implements bot.Poster.
func (a *Adapter) Platform() string { return Platform }

// OpsChannel implements bot.Poster: the operators' channel id ("" when
// none is configured or its name cannot be resolved; a name is looked up
// at most once a minute until it is found).
func (a *Adapter) OpsChannel() string {
	a.opsMu.Lock()
	id := a.opsID
	if id != "" || a.cfg.OpsChannel == "" || (!a.opsTried.IsZero() && time.Since(a.opsTried) < time.Minute) {
		a.opsMu.Unlock()
		return id
	}
	a.opsTried = time.Now()
	a.opsMu.Unlock()
	ctx, cancel := context.WithTimeout(a.base, 10*time.Second)
	defer cancel()
	return a.resolveOps(ctx)
}

// closeGrace is how long Close lets queued notices and messages finish.
const closeGrace = 10 * time.Second

// Close lets the notices and messages under way finish (for up to
// closeGrace), then stops the adapter's background work.
func (a *Adapter) Close() {
	done := make(chan struct{})
	go func() {
		a.jobs.Wait()
		close(done)
	}()
	t := time.NewTimer(closeGrace)
	select {
	case <-done:
	case <-t.C:
		a.log.Warn("closing with notices or messages still under way")
	}
	t.Stop()
	a.cancel()
	<-done
}

// Drain waits until every message received and every notice posted so far
// has been handled: tests use it instead of sleeping.
func (a *Adapter) Drain() { a.jobs.Wait() }

// spawn runs a job in the background, at most cfg.Workers at once.
func (a *Adapter) spawn(f func(ctx context.Context)) {
	a.jobs.Add(1)
	go a.runJob(a.sem, f)
}

// queue is the pending jobs of one key; idle is closed when it empties.
type queue struct {
	jobs []func(ctx context.Context)
	idle chan struct{}
}

// spawnOrdered runs jobs with the same key one after another, in the
// order they were given (a person's messages in one conversation, the
// notices of one request), and jobs with different keys side by side,
// under the worker limit sem.
func (a *Adapter) spawnOrdered(sem chan struct{}, key string, f func(ctx context.Context)) {
	a.jobs.Add(1)
	a.qmu.Lock()
	q, running := a.queues[key]
	if !running {
		q = &queue{idle: make(chan struct{})}
		a.queues[key] = q
	}
	q.jobs = append(q.jobs, f)
	a.qmu.Unlock()
	if running {
		return
	}
	go func() {
		for {
			a.qmu.Lock()
			if len(q.jobs) == 0 {
				delete(a.queues, key)
				close(q.idle)
				a.qmu.Unlock()
				return
			}
			f := q.jobs[0]
			q.jobs = q.jobs[1:]
			a.qmu.Unlock()
			a.runJob(sem, f)
		}
	}()
}

// waitQueue waits (at most max) until the jobs queued under key are done.
func (a *Adapter) waitQueue(ctx context.Context, key string, max time.Duration) {
	a.qmu.Lock()
	q := a.queues[key]
	a.qmu.Unlock()
	if q == nil {
		return
	}
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-q.idle:
	case <-t.C:
	case <-ctx.Done():
	}
}

// runJob runs one job under the worker limit sem and marks it done.
func (a *Adapter) runJob(sem chan struct{}, f func(ctx context.Context)) {
	defer a.jobs.Done()
	select {
	case sem <- struct{}{}:
	case <-a.base.Done():
		return
	}
	defer func() { <-sem }()
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("handler panicked", "panic", fmt.Sprint(p))
		}
	}()
	f(a.base)
}

// Connect checks the token and resolves the bot account, the team and the
// operators' channel. The adapter calls it lazily too; calling it at start
// reports a wrong token or URL at once.
func (a *Adapter) Connect(ctx context.Context) error {
	if _, err := a.self(ctx); err != nil {
		return err
	}
	if a.cfg.Team != "" && a.teamID(ctx) == "" {
		return fmt.Errorf("mattermost: team %q not found (use the team's URL name)", a.cfg.Team)
	}
	if a.cfg.OpsChannel != "" && a.resolveOps(ctx) == "" {
		return fmt.Errorf("mattermost: ops channel %q not found in team %q", a.cfg.OpsChannel, a.cfg.Team)
	}
	return nil
}

// self returns the bot's own user.
func (a *Adapter) self(ctx context.Context) (*model.User, error) {
	a.meMu.Lock()
	defer a.meMu.Unlock()
	if a.me != nil {
		return a.me, nil
	}
	var u *model.User
	err := a.call(ctx, "get me", func(ctx context.Context) (r *model.Response, err error) {
		u, r, err = a.api.GetMe(ctx, "")
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("mattermost: who am I (check url and token): %w", err)
	}
	if !u.IsBot {
		a.log.Warn("the token belongs to a person, not a bot account; use a bot account so itbot's posts are marked as a bot's")
	}
	a.me = u
	return u, nil
}

func (a *Adapter) botID(ctx context.Context) string {
	if u, err := a.self(ctx); err == nil {
		return u.Id
	}
	return ""
}

// teamID resolves the configured team once.
func (a *Adapter) teamID(ctx context.Context) string {
	a.opsMu.Lock()
	defer a.opsMu.Unlock()
	if a.team != "" || a.cfg.Team == "" {
		return a.team
	}
	var t *model.Team
	err := a.call(ctx, "get team", func(ctx context.Context) (r *model.Response, err error) {
		t, r, err = a.api.GetTeamByName(ctx, a.cfg.Team, "")
		return r, err
	})
	if err != nil {
		a.log.Warn("team not found", "team", a.cfg.Team, "err", err)
		return ""
	}
	a.team = t.Id
	return a.team
}

// resolveOps turns an ops channel name into its id.
func (a *Adapter) resolveOps(ctx context.Context) string {
	a.opsMu.Lock()
	id := a.opsID
	a.opsMu.Unlock()
	if id != "" {
		return id
	}
	team := a.teamID(ctx)
	if team == "" {
		return ""
	}
	name := strings.TrimPrefix(strings.TrimSpace(a.cfg.OpsChannel), "~")
	var ch *model.Channel
	err := a.call(ctx, "get channel by name", func(ctx context.Context) (r *model.Response, err error) {
		ch, r, err = a.api.GetChannelByName(ctx, name, team, "")
		return r, err
	})
	if err != nil {
		a.log.Warn("ops channel not found", "channel", name, "err", err)
		return ""
	}
	a.opsMu.Lock()
	a.opsID = ch.Id
	a.opsMu.Unlock()
	return ch.Id
}

// ---- identity ----

// user returns a Mattermost user, cached for UserCacheTTL.
func (a *Adapter) user(ctx context.Context, id string) (*model.User, error) {
	if v, ok := a.users.Load(id); ok {
		c := v.(cachedUser)
		if a.now().Sub(c.at) < a.cfg.UserCacheTTL {
			return c.u, nil
		}
	}
	var u *model.User
	err := a.call(ctx, "get user", func(ctx context.Context) (r *model.Response, err error) {
		u, r, err = a.api.GetUser(ctx, id, "")
		return r, err
	})
	if err != nil {
		return nil, err
	}
	a.users.Store(id, cachedUser{u: u, at: a.now()})
	return u, nil
}

// Resolve finds the person behind a Mattermost user, through the user's
// e-mail address, and links the user id to the person so notices (approval
// requests, secrets) reach them. When nobody can be found, problem is a
// message for the user in Latvian and English and nothing may be done.
func (a *Adapter) Resolve(ctx context.Context, userID string) (p *bot.Person, problem string) {
	u, err := a.user(ctx, userID)
	if err != nil {
		if p, err2 := a.store.PersonByIdentity(ctx, Platform, userID); err2 == nil {
			a.log.Warn("user lookup failed; using the linked person", "user", userID, "err", err)
			return p, ""
		}
		a.log.Warn("user lookup failed", "user", userID, "err", err)
		return nil, both("mm.lookup_failed", nil)
	}
	email := strings.TrimSpace(u.Email)
	if email == "" {
		a.log.Info("user without e-mail address refused", "user", userID, "username", u.Username)
		return nil, both("mm.no_email", bot.Args{"User": "@" + u.Username})
	}
	addr, err := bot.NormalizeAddress(email)
	if err != nil {
		a.log.Info("user with a malformed e-mail address refused", "user", userID, "username", u.Username)
		return nil, both("mm.no_email", bot.Args{"User": "@" + u.Username})
	}
	p, err = a.store.Person(ctx, addr)
	if err != nil {
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			a.log.Info("unknown person refused", "user", userID, "email", addr)
			return nil, both("mm.unknown_email", bot.Args{"Email": addr})
		}
		a.log.Error("person lookup failed", "email", addr, "err", err)
		return nil, both("mm.lookup_failed", nil)
	}
	if p.Identities[Platform] != userID {
		linked := *p
		linked.Identities = map[string]string{}
		for k, v := range p.Identities {
			linked.Identities[k] = v
		}
		linked.Identities[Platform] = userID
		if err := a.store.PutPerson(ctx, &linked); err != nil {
			a.log.Warn("could not link the Mattermost account", "email", addr, "user", userID, "err", err)
		} else {
			a.log.Info("linked Mattermost account", "email", addr, "user", userID)
			p = &linked
		}
	}
	return p, ""
}

// ---- channels ----

// directChannel returns the direct channel between the bot and a user.
func (a *Adapter) directChannel(ctx context.Context, userID string) (string, error) {
	if v, ok := a.dms.Load(userID); ok {
		return v.(string), nil
	}
	me, err := a.self(ctx)
	if err != nil {
		return "", err
	}
	var ch *model.Channel
	err = a.call(ctx, "create direct channel", func(ctx context.Context) (r *model.Response, err error) {
		ch, r, err = a.api.CreateDirectChannel(ctx, me.Id, userID)
		return r, err
	})
	if err != nil {
		return "", err
	}
	a.dms.Store(userID, ch.Id)
	return ch.Id, nil
}

// isDirectWithBot reports whether a channel name is the bot's direct
// channel with someone (Mattermost names them "idA__idB").
func (a *Adapter) isDirectWithBot(ctx context.Context, channelName string) bool {
	ids := strings.Split(channelName, "__")
	if len(ids) != 2 {
		return false
	}
	me := a.botID(ctx)
	return me != "" && (ids[0] == me || ids[1] == me)
}

// ---- state helpers ----

func (a *Adapter) kvGet(ctx context.Context, bucket, key string) string {
	v, err := a.store.Get(ctx, bucket, key)
	if err != nil {
		a.log.Warn("state read failed", "bucket", bucket, "key", key, "err", err)
	}
	return string(v)
}

func (a *Adapter) kvPut(ctx context.Context, bucket, key, val string) {
	if err := a.store.Put(ctx, bucket, key, []byte(val)); err != nil {
		a.log.Warn("state write failed", "bucket", bucket, "key", key, "err", err)
	}
}

var msgSeq atomic.Int64

// newMessageID names an inbound message that has no post of its own (a
// slash command, a click, a dialog).
func newMessageID(kind string) string {
	return kind + "-" + model.NewId()[:10] + "-" + strconv.FormatInt(msgSeq.Add(1), 36)
}
