package slack

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	slackgo "github.com/slack-go/slack"
	"golang.org/x/sync/singleflight"

	"itbot/bot"
)

// Platform is the Slack adapter's platform name (Person.Identities key,
// Origin.Platform, Address.Platform).
const Platform = "slack"

// Connection modes.
const (
	ModeHTTP   = "http"   // Slack posts to /slack/commands, /slack/interactions, /slack/events
	ModeSocket = "socket" // itbot opens a Socket Mode websocket to Slack
)

// Config is the adapter's configuration, the "slack" section of itbot.yaml.
// The secrets may be left empty there: they are then read from the
// environment (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_APP_TOKEN).
type Config struct {
	// Mode is http (the default) or socket.
	Mode string `yaml:"mode"`
	// SigningSecret verifies inbound HTTP requests (HTTP mode).
	SigningSecret string `yaml:"signing_secret"`
	// BotToken (xoxb-…) calls the Web API.
	BotToken string `yaml:"bot_token"`
	// AppToken (xapp-…) opens Socket Mode connections (socket mode).
	AppToken string `yaml:"app_token"`
	// OpsChannel is the operators' channel id (C…); empty for none.
	OpsChannel string `yaml:"ops_channel"`
	// TeamIDs are the workspaces (T…) itbot serves, EnterpriseID the
	// Enterprise Grid organisation (E…), AppID the Slack app (A…):
	// requests that name others are refused. Left empty, they are the bot
	// token's own (auth.test, bots.info at start); `itbot slack check`
	// prints them.
	TeamIDs      []string `yaml:"team_ids"`
	EnterpriseID string   `yaml:"enterprise_id"`
	AppID        string   `yaml:"app_id"`
	// APIURL overrides the Web API base URL (tests, the load tool); it must
	// end with "/".
	APIURL string `yaml:"api_url"`
	// Workers run inbound commands and events at once (the router and the
	// store: CPU and disk); Queue is how many may wait. A full queue makes
	// the endpoints answer "busy" (slash commands) or 503 (events, which
	// Slack then retries).
	Workers int `yaml:"workers"`
	Queue   int `yaml:"queue"`
	// Lanes make Web API calls at once (posts, edits, answers: network
	// waits); a request's notices, and a person's answers, always go
	// through the same lane, in order. LaneQueue is each lane's buffer.
	Lanes     int `yaml:"lanes"`
	LaneQueue int `yaml:"lane_queue"`
	// UserCacheTTL is how long a users.info answer is trusted.
	UserCacheTTL time.Duration `yaml:"user_cache_ttl"`
	// DrainTimeout bounds how long a shutdown waits for queued work.
	DrainTimeout time.Duration `yaml:"drain_timeout"`
}

// Defaults fills unset fields and secrets from the environment.
func (c *Config) Defaults() {
	if c.Mode == "" {
		c.Mode = ModeHTTP
	}
	c.Mode = strings.ToLower(strings.TrimSpace(c.Mode))
	env := func(v *string, name string) {
		if *v == "" {
			*v = os.Getenv(name)
		}
	}
	env(&c.SigningSecret, "SLACK_SIGNING_SECRET")
	env(&c.BotToken, "SLACK_BOT_TOKEN")
	env(&c.AppToken, "SLACK_APP_TOKEN")
	if c.Workers <= 0 {
		c.Workers = 16
	}
	if c.Queue <= 0 {
		c.Queue = 20000
	}
	if c.Lanes <= 0 {
		c.Lanes = 32
	}
	if c.LaneQueue <= 0 {
		c.LaneQueue = 4096
	}
	if c.UserCacheTTL <= 0 {
		c.UserCacheTTL = 10 * time.Minute
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 15 * time.Second
	}
}

// Validate reports a configuration that cannot work, naming the setting.
func (c *Config) Validate() error {
	switch c.Mode {
	case ModeHTTP:
		if c.SigningSecret == "" {
			return errors.New("slack.signing_secret (or SLACK_SIGNING_SECRET) is required in http mode")
		}
	case ModeSocket:
		if !strings.HasPrefix(c.AppToken, "xapp-") {
			return errors.New("slack.app_token (or SLACK_APP_TOKEN) must be an app-level token (xapp-…) in socket mode")
		}
	default:
		return fmt.Errorf("slack.mode %q: use http or socket", c.Mode)
	}
	if c.BotToken == "" {
		return errors.New("slack.bot_token (or SLACK_BOT_TOKEN) is required")
	}
	if c.APIURL != "" && !strings.HasSuffix(c.APIURL, "/") {
		return fmt.Errorf("slack.api_url %q must end with /", c.APIURL)
	}
	return nil
}

// Adapter is the Slack door to itbot: the HTTP endpoints (or the Socket
// Mode connection) that take slash commands, button clicks, modal
// submissions and messages, and the bot.Poster that keeps every request's
// thread and card up to date.
//
// Inbound work is journaled in the store, then acknowledged, and run by a
// bounded pool of workers (journal.go); outbound posts go through lanes, one per request hash, so a
// request's notices are posted in order. A 429 makes the method wait for
// Retry-After and try again: nothing is dropped for it.
type Adapter struct {
	cfg    Config
	trust  *trust
	door   bot.Door
	cards  *bot.Cards
	router *bot.Router
	store  bot.Store
	api    *slackgo.Client
	http   *http.Client
	log    *slog.Logger

	inbound chan *bot.Inbound // journaled deliveries for the workers
	flight  inflight
	retryMu sync.Mutex
	retryAt map[uint64]time.Time
	lanes   []chan outJob

	running  atomic.Bool
	closing  atomic.Bool
	pending  atomic.Int64 // inbound deliveries queued or running
	sending  atomic.Int64 // outbound notices queued or being delivered
	stop     chan struct{}
	workCtx  context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	runOnce  sync.Once
	progress sync.Map // request id -> *atomic.Uint64: newest progress notice

	users   userCache
	lookups singleflight.Group
	dms     sync.Map // user id -> DM channel id
	gates   sync.Map // method -> *gate
	botUser atomic.Value

	// retry tunables, shortened by tests.
	backoff     time.Duration
	maxAttempts int
	sweepEvery  time.Duration // how often the journal is swept for work the queue had no room for

	metrics metrics
}

type job func(ctx context.Context)

type outJob struct {
	n   bot.Notice
	seq uint64                          // progress notices: their sequence number
	fn  func(ctx context.Context) error // an answer to a person, instead of a notice
	key string                          // what fn is about, for the log
}

type metrics struct {
	acks        *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
	apiErrors   *prometheus.CounterVec
	queue       prometheus.GaugeFunc
	dropped     prometheus.Counter
}

// New builds the adapter for b and r. It starts nothing: Run does.
func New(cfg Config, d bot.Door, log *slog.Logger) (*Adapter, error) {
	if d.Router == nil || d.Cards == nil || d.Requests == nil {
		return nil, errors.New("slack: the bot's door needs its router, cards and requests")
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	log = log.With("adapter", Platform)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = cfg.Lanes + cfg.Workers + 16
	tr.MaxIdleConnsPerHost = cfg.Lanes + cfg.Workers + 16
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	opts := []slackgo.Option{slackgo.OptionHTTPClient(hc)}
	if cfg.APIURL != "" {
		opts = append(opts, slackgo.OptionAPIURL(cfg.APIURL))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slackgo.OptionAppLevelToken(cfg.AppToken))
	}
	a := &Adapter{
		cfg: cfg, trust: newTrust(cfg), door: d, cards: d.Cards, router: d.Router, store: d.Store, http: hc, log: log,
		api:     slackgo.New(cfg.BotToken, opts...),
		inbound: make(chan *bot.Inbound, cfg.Queue),
		flight:  inflight{m: map[uint64]time.Time{}},
		retryAt: map[uint64]time.Time{},
		stop:    make(chan struct{}),
		users:   userCache{ttl: cfg.UserCacheTTL, m: map[string]userEntry{}},
		backoff: 250 * time.Millisecond, maxAttempts: 5, sweepEvery: time.Second,
	}
	a.workCtx, a.cancel = context.WithCancel(context.Background())
	a.lanes = make([]chan outJob, cfg.Lanes)
	for i := range a.lanes {
		a.lanes[i] = make(chan outJob, cfg.LaneQueue)
	}
	a.botUser.Store("")
	a.metrics = metrics{
		acks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "itbot_slack_inbound_total",
			Help: "Slack requests received, by endpoint and outcome."}, []string{"endpoint", "outcome"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "itbot_slack_rate_limited_total",
			Help: "Slack Web API calls answered 429, by method (each was retried after Retry-After)."}, []string{"method"}),
		apiErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "itbot_slack_api_errors_total",
			Help: "Slack Web API calls that failed for good, by method."}, []string{"method"}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "itbot_slack_unsent_at_shutdown_total",
			Help: "Queued Slack work left undone when a shutdown's drain time ran out."}),
	}
	a.metrics.queue = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "itbot_slack_queue_depth",
		Help: "Inbound Slack work waiting for a worker."}, func() float64 { return float64(len(a.inbound)) })
	return a, nil
}

// Collectors returns the adapter's Prometheus metrics.
func (a *Adapter) Collectors() []prometheus.Collector {
	return []prometheus.Collector{a.metrics.acks, a.metrics.rateLimited, a.metrics.apiErrors, a.metrics.queue, a.metrics.dropped}
}

// Config returns the configuration in use (secrets included: do not log).
func (a *Adapter) Config() Config { return a.cfg }

// API returns the Web API client.
func (a *Adapter) API() *slackgo.Client { return a.api }

// Platform implements bot.Poster.
func (a *Adapter) Platform() string { return Platform }

// OpsChannel implements bot.Poster.
func (a *Adapter) OpsChannel() string { return a.cfg.OpsChannel }

// Post implements bot.Poster. While the adapter runs, the notice is queued
// on its request's lane and Post returns at once (it waits only when the
// lane is full); before Run, or after it ended, it is delivered inline.
func (a *Adapter) Post(ctx context.Context, n bot.Notice) error {
	if !a.running.Load() {
		defer done(n)
		return a.deliver(ctx, n)
	}
	j := outJob{n: n}
	if n.Reply.Progress && n.Request != nil {
		v, _ := a.progress.LoadOrStore(n.Request.ID, new(atomic.Uint64))
		j.seq = v.(*atomic.Uint64).Add(1)
	}
	return a.queueOut(ctx, a.lanes[laneOf(n, len(a.lanes))], j)
}

// ConfirmsDelivery implements bot.Confirmer: a notice's Done is called
// once Slack took it (or the adapter gave up on it), not when it is queued;
// one still queued when the process stops is posted again at the next
// start.
func (a *Adapter) ConfirmsDelivery() bool { return true }

// done reports a notice handled to whoever waits for it.
func done(n bot.Notice) {
	if n.Done != nil {
		n.Done()
	}
}

// queueOut puts j on a lane, waiting while the lane is full; after the
// adapter stopped it runs j inline.
func (a *Adapter) queueOut(ctx context.Context, lane chan outJob, j outJob) error {
	a.sending.Add(1)
	select {
	case lane <- j:
		return nil
	default:
	}
	select {
	case lane <- j:
		return nil
	case <-ctx.Done():
		a.sending.Add(-1)
		return ctx.Err()
	case <-a.stop:
		a.sending.Add(-1)
		if j.fn != nil {
			return j.fn(ctx)
		}
		defer done(j.n)
		return a.deliver(ctx, j.n)
	}
}

// later runs fn (an answer to a person: Web API calls) on the lane of
// key, so the worker that produced it is free at once; inline when the
// adapter is not running.
func (a *Adapter) later(ctx context.Context, key string, fn func(ctx context.Context) error) error {
	if !a.running.Load() {
		return fn(ctx)
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return a.queueOut(ctx, a.lanes[h.Sum32()%uint32(len(a.lanes))], outJob{fn: fn, key: key})
}

// laneOf hashes a notice to a lane: by request id, else by address.
func laneOf(n bot.Notice, lanes int) int {
	key := n.To.Channel + "/" + n.To.User
	if n.Request != nil {
		key = n.Request.ID
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(lanes))
}

// Run starts the workers and lanes (and, in socket mode, the Socket Mode
// connection) and blocks until ctx ends. It then stops taking new work,
// finishes what is queued within DrainTimeout and returns. Run may be
// called once.
func (a *Adapter) Run(ctx context.Context) error {
	started := false
	a.runOnce.Do(func() { started = true })
	if !started {
		return errors.New("slack: Run called twice")
	}
	a.running.Store(true)
	// Profiling labels say which part of the adapter a CPU sample is from
	// (goroutines started below, like HTTP connections, inherit them).
	role := func(name string, f func()) {
		a.wg.Add(1)
		go pprof.Do(context.Background(), pprof.Labels("slack", name), func(context.Context) { f() })
	}
	for i := 0; i < a.cfg.Workers; i++ {
		role("worker", a.worker)
	}
	for _, l := range a.lanes {
		role("lane", func() { a.laneLoop(l) })
	}
	role("sweep", func() { a.sweepLoop(a.sweepEvery) })
	go a.whoami(ctx)
	if a.cfg.Mode == ModeSocket {
		role("socket", func() { defer a.wg.Done(); a.runSocket(ctx) })
	}
	a.log.Info("slack adapter running", "mode", a.cfg.Mode, "workers", a.cfg.Workers, "lanes", a.cfg.Lanes, "ops_channel", a.cfg.OpsChannel)
	<-ctx.Done()
	a.shutdown()
	return nil
}

// shutdown drains the queues for up to DrainTimeout, then stops.
func (a *Adapter) shutdown() {
	a.closing.Store(true)
	deadline := time.Now().Add(a.cfg.DrainTimeout)
	for !a.Idle() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	left := a.pending.Load() + a.sending.Load()
	if left > 0 {
		a.metrics.dropped.Add(float64(left))
		a.log.Error("slack: shutting down with work left undone", "queued", left)
	}
	a.running.Store(false)
	close(a.stop)
	a.cancel()
	a.wg.Wait()
	a.log.Info("slack adapter stopped")
}

func (a *Adapter) worker() {
	defer a.wg.Done()
	for {
		select {
		case in := <-a.inbound:
			a.handle(in)
			a.pending.Add(-1)
		case <-a.stop:
			return
		}
	}
}

func (a *Adapter) laneLoop(l chan outJob) {
	defer a.wg.Done()
	for {
		select {
		case j := <-l:
			a.send(j)
			a.sending.Add(-1)
		case <-a.stop:
			return
		}
	}
}

func (a *Adapter) send(j outJob) {
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("slack: outbound post panicked", "panic", fmt.Sprint(p))
		}
	}()
	if j.fn != nil {
		if err := j.fn(a.workCtx); err != nil {
			a.log.Error("slack: answer not delivered", "to", j.key, "err", err)
		}
		return
	}
	n := j.n
	if j.seq > 0 {
		if v, ok := a.progress.Load(n.Request.ID); ok && v.(*atomic.Uint64).Load() != j.seq {
			done(n)
			return // a newer progress notice of this request is queued
		}
	}
	err := a.deliver(a.workCtx, n)
	if a.workCtx.Err() == nil {
		done(n) // delivered, or given up on; a stop leaves it for the next start
	}
	if err != nil {
		id := ""
		if n.Request != nil {
			id = n.Request.ID
		}
		a.log.Error("slack: notice not delivered", "request", id, "channel", n.To.Channel, "user", n.To.User, "kind", n.Reply.Kind, "err", err)
	}
}

// Idle reports whether no inbound work and no outbound notice is queued
// or running.
func (a *Adapter) Idle() bool { return a.pending.Load() == 0 && a.sending.Load() == 0 }

// RequiredScopes are the bot token scopes itbot uses (see
// docs/slack-manifest.yaml).
var RequiredScopes = []string{"app_mentions:read", "chat:write", "chat:write.public", "commands", "files:write",
	"im:history", "im:read", "im:write", "users:read", "users:read.email"}

// CheckResult is what Slack says about the bot token.
type CheckResult struct {
	Team, URL, BotUser, BotID string
	// TeamID, EnterpriseID and AppID are what slack.team_ids,
	// slack.enterprise_id and slack.app_id should say.
	TeamID, EnterpriseID, AppID string
	Scopes                      []string // granted
	Missing                     []string // required but not granted
}

// Check asks auth.test who the token is and compares its scopes with
// RequiredScopes.
func (a *Adapter) Check(ctx context.Context) (*CheckResult, error) {
	var res *slackgo.AuthTestResponse
	err := a.call(ctx, "auth.test", func(ctx context.Context) error {
		var err error
		res, err = a.api.AuthTestContext(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &CheckResult{Team: res.Team, TeamID: res.TeamID, EnterpriseID: res.EnterpriseID, URL: res.URL, BotUser: res.UserID, BotID: res.BotID}
	if res.BotID != "" {
		out.AppID, _ = a.appOf(ctx, res.BotID)
	}
	granted := map[string]bool{}
	for _, s := range strings.Split(res.Header.Get("X-OAuth-Scopes"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out.Scopes = append(out.Scopes, s)
			granted[s] = true
		}
	}
	for _, s := range RequiredScopes {
		if !granted[s] {
			out.Missing = append(out.Missing, s)
		}
	}
	return out, nil
}

// whoami asks auth.test who the bot is, to recognise its own messages and
// to tell an operator early that the token works.
func (a *Adapter) whoami(ctx context.Context) {
	var res *slackgo.AuthTestResponse
	err := a.call(ctx, "auth.test", func(ctx context.Context) error {
		var err error
		res, err = a.api.AuthTestContext(ctx)
		return err
	})
	if err != nil {
		a.log.Error("slack: auth.test failed: check slack.bot_token", "err", err)
		return
	}
	a.botUser.Store(res.UserID)
	app := ""
	if res.BotID != "" {
		if app, err = a.appOf(ctx, res.BotID); err != nil {
			a.log.Warn("slack: bots.info failed: the app id is not checked until slack.app_id is set", "err", err)
		}
	}
	if a.cfg.AppID != "" && app != "" && app != a.cfg.AppID {
		a.log.Error("slack: the bot token belongs to another app than slack.app_id", "token_app", app, "app_id", a.cfg.AppID)
	}
	a.trust.learn(res.TeamID, res.EnterpriseID, app)
	a.log.Info("slack: connected", "team", res.Team, "team_id", res.TeamID, "enterprise", res.EnterpriseID, "app", app,
		"bot_user", res.UserID, "bot_id", res.BotID)
}
