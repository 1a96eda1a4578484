package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"itbot/adapters/console"
	"itbot/adapters/dvs"
	"itbot/adapters/exchange"
	"itbot/adapters/web"
	"itbot/bot"
	"itbot/bot/availability"
	"itbot/commands"
	"itbot/store"
)

// App is one running itbot: configuration, store, bot, router, HTTP mux,
// the services and adapters NewApp wired, and the background loops they
// start.
type App struct {
	Cfg      *Config
	Log      *slog.Logger
	Store    *store.Store
	Bot      *bot.Bot
	Router   *bot.Router
	Deps     *commands.Deps
	Mux      *http.ServeMux
	Registry *prometheus.Registry
	Console  *console.Console
	// emulated names the services NewApp serves from in-process emulators
	// (sandbox mode).
	emulated map[bot.Service]bool
	// Listener, when set, is the HTTP listener Serve uses (opened by
	// Listen before the app was built); otherwise Serve listens on
	// Cfg.HTTP.Listen.
	Listener net.Listener
	// Exchange and DVS are the service clients NewApp chose (the real
	// service, the sandbox's emulator on loopback, or nil when neither is
	// configured); the bot holds them as its interfaces.
	Exchange *exchange.Exchange
	DVS      *dvs.Client
	// Monitor is the availability monitor (its reports feed the status
	// command and the web console).
	Monitor *availability.Monitor
	// Web is the web console, nil when it is off.
	Web *web.Server
	// Serving is true for the long-running server, false for one-shot
	// commands (which start no loops).
	Serving bool

	mu      sync.Mutex
	loops   []func(ctx context.Context)
	closers []func()
	active  []string // adapters that keep the process alive besides the console
}

// Go registers a background loop, started by Serve.
func (a *App) Go(f func(ctx context.Context)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.loops = append(a.loops, f)
}

// OnClose registers a cleanup, run in reverse order by Close.
func (a *App) OnClose(f func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closers = append(a.closers, f)
}

// KeepAlive records that an adapter serves without the console, so the
// process keeps running when stdin ends.
func (a *App) KeepAlive(name string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.active = append(a.active, name)
}

// newLogger builds the slog logger from the config.
func newLogger(cfg *Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.Log.Level)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// NewApp opens the store and wires the bot, the router, the commands and
// every plugin. serving selects the long-running mode.
func NewApp(ctx context.Context, cfg *Config, log *slog.Logger, out io.Writer, serving bool) (*App, error) {
	st, err := store.Open(cfg.Data)
	if err != nil {
		return nil, fmt.Errorf("%w (is another itbot using %s?)", err, cfg.Data)
	}
	a := &App{Cfg: cfg, Log: log, Store: st, Mux: http.NewServeMux(), Registry: prometheus.NewRegistry(), Serving: serving}
	a.OnClose(func() { st.Close() })
	b := bot.New(st, log)
	b.Sandbox = cfg.SandboxMode()
	if cfg.Policy != nil {
		b.Policy = cfg.Policy
	}
	if l, ok := bot.ParseLang(cfg.OpsLanguage); ok {
		b.Notify.OpsLang = l
	}
	a.Bot = b
	a.Router = bot.NewRouter(log)
	a.Deps = &commands.Deps{Bot: b}
	a.instrument()

	// The parts, in order: each reads and checks its own config section
	// and sets what it builds once. Services before the doors that use
	// them; the commands last, after the conversation took the text that
	// is not a command.
	steps := []struct {
		name  string
		setup func(context.Context, *App) error
	}{
		{"sla", setupSLA},
		{"sandbox", setupSandbox},
		{"exchange", setupExchange},
		{"dvs", setupDVS},
		{"sandbox replay", setupSandboxReplay},
		{"availability", setupAvailability},
		{"dialogue", setupDialogue},
		{"slack", setupSlack},
		{"mattermost", setupMattermost},
		{"teams", setupTeams},
		{"mailbox", setupMailbox},
		{"journal", setupJournal},
		{"web", setupWeb},
	}
	for _, st := range steps {
		if err := st.setup(ctx, a); err != nil {
			a.Close()
			return nil, fmt.Errorf("%s: %w", st.name, err)
		}
	}
	commands.Register(a.Router, a.Deps)
	if err := a.loadDirectory(ctx); err != nil {
		a.Close()
		return nil, err
	}

	a.Console = console.New(a.Router, st, out, nil)
	a.Console.Sandbox = b.Sandbox
	a.Console.FilesDir = cfg.Console.Files
	a.Console.Ops = cfg.Console.Ops
	b.Notify.Add(a.Console)

	if serving {
		if n, err := b.Recover(ctx); err != nil {
			a.Close()
			return nil, err
		} else if n > 0 {
			log.Warn("requests need attention after restart", "count", n)
		}
		// Notices of changes a stop cut short: posted again (nothing lost;
		// one delivered just before the stop is posted twice).
		if _, err := b.Reannounce(ctx); err != nil {
			a.Close()
			return nil, err
		}
	}
	return a, nil
}

// loadDirectory stores the institutions and people named in the config.
func (a *App) loadDirectory(ctx context.Context) error {
	for _, i := range a.Cfg.Institutions {
		if err := a.Store.PutInstitution(ctx, i); err != nil {
			return fmt.Errorf("config institution %s: %w", i.Code, err)
		}
	}
	for _, p := range a.Cfg.People {
		if err := a.Store.PutPerson(ctx, p); err != nil {
			return fmt.Errorf("config person %s: %w", p.Email, err)
		}
	}
	return nil
}

// openByState exports the open requests by state and by institution from
// the store's counters.
type openByState struct{ st bot.Store }

var (
	descOpenState = prometheus.NewDesc("itbot_open_requests_by_state", "Open requests by state.", []string{"state"}, nil)
	descOpenInst  = prometheus.NewDesc("itbot_open_requests_by_institution", "Open requests by institution.", []string{"institution"}, nil)
)

// Describe implements prometheus.Collector.
func (o openByState) Describe(ch chan<- *prometheus.Desc) { ch <- descOpenState; ch <- descOpenInst }

// Collect implements prometheus.Collector.
func (o openByState) Collect(ch chan<- prometheus.Metric) {
	oc, err := o.st.OpenCounts(context.Background())
	if err != nil {
		return
	}
	for st, n := range oc.ByState {
		ch <- prometheus.MustNewConstMetric(descOpenState, prometheus.GaugeValue, float64(n), string(st))
	}
	for inst, n := range oc.ByInstitution {
		ch <- prometheus.MustNewConstMetric(descOpenInst, prometheus.GaugeValue, float64(n), inst)
	}
}

// instrument adds metrics and the operational endpoints.
func (a *App) instrument() {
	reg := a.Registry
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	cmds := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "itbot_commands_total", Help: "Commands routed, by command and outcome code."}, []string{"command", "outcome"})
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "itbot_command_seconds", Help: "Time to handle a command.", Buckets: prometheus.DefBuckets}, []string{"command"})
	// The store keeps the counters with every change: a scrape reads them
	// and decodes no request.
	open := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "itbot_open_requests", Help: "Requests not yet closed."}, func() float64 {
		oc, err := a.Store.OpenCounts(context.Background())
		if err != nil {
			return -1
		}
		return float64(oc.Total)
	})
	reg.MustRegister(openByState{a.Store})
	reg.MustRegister(cmds, dur, open)
	a.Router.Use(func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			name := "conversation"
			if c.Spec != nil {
				name = c.Spec.Name()
			}
			start := time.Now()
			err := next.ServeCommand(ctx, w, c)
			dur.WithLabelValues(name).Observe(time.Since(start).Seconds())
			outcome := "ok"
			if err != nil {
				outcome = bot.ErrorCode(err)
			}
			cmds.WithLabelValues(name, outcome).Inc()
			return err
		})
	})
	a.Mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	a.Mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := a.Store.Ping(); err != nil {
			http.Error(w, "store not ready", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	a.Mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
}

// Handler is the app's HTTP handler: the mux behind a body-size limit.
func (a *App) Handler() http.Handler {
	limit := a.Cfg.HTTP.MaxBodyBytes
	if limit <= 0 {
		limit = 1 << 20
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		a.Mux.ServeHTTP(w, r)
	})
}

// Listen opens the HTTP listener of cfg before anything else starts. A
// busy address chosen in the configuration (or ITBOT_LISTEN) is an error
// that says what to do; a busy default address (127.0.0.1:8080, a
// newcomer's `go run .` beside another program) is replaced by a free
// port on the same host, and busy names the address that was taken. No
// listen address: no listener.
func Listen(cfg *Config) (ln net.Listener, busy string, err error) {
	if cfg.HTTP.Listen == "" {
		return nil, "", nil
	}
	ln, err = net.Listen("tcp", cfg.HTTP.Listen)
	if err == nil {
		return ln, "", nil
	}
	if cfg.HTTP.ListenSet {
		return nil, "", fmt.Errorf("http.listen %s: %w — stop what uses it, or choose another address (http.listen in the configuration, or ITBOT_LISTEN)", cfg.HTTP.Listen, err)
	}
	host, _, serr := net.SplitHostPort(cfg.HTTP.Listen)
	if serr != nil {
		return nil, "", fmt.Errorf("http.listen %s: %w", cfg.HTTP.Listen, err)
	}
	ln, ferr := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if ferr != nil {
		return nil, "", fmt.Errorf("http.listen %s: %w", cfg.HTTP.Listen, err)
	}
	return ln, cfg.HTTP.Listen, nil
}

// Serve runs the HTTP server, the background loops and, if enabled, the
// console on stdin, until ctx ends (or stdin ends and nothing else serves).
func (a *App) Serve(ctx context.Context, stdin io.Reader) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	if a.Listener != nil || a.Cfg.HTTP.Listen != "" {
		ln := a.Listener
		if ln == nil {
			var err error
			if ln, err = net.Listen("tcp", a.Cfg.HTTP.Listen); err != nil {
				return fmt.Errorf("http: %w", err)
			}
		}
		srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
		a.Log.Info("http listening", "addr", ln.Addr().String())
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
		go func() {
			<-ctx.Done()
			sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
			defer c()
			srv.Shutdown(sctx)
		}()
	}
	a.mu.Lock()
	loops := append([]func(context.Context){}, a.loops...)
	alive := len(a.active) > 0
	a.mu.Unlock()
	for _, l := range loops {
		wg.Add(1)
		go func() { defer wg.Done(); l(ctx) }()
	}
	if a.Cfg.ConsoleEnabled() && stdin != nil {
		go func() {
			err := a.Console.Run(ctx, stdin)
			if err != nil {
				errc <- err
				return
			}
			if !alive {
				cancel()
			}
		}()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	cancel()
	wg.Wait()
	return err
}

// Close releases everything, in reverse order of setup.
func (a *App) Close() {
	a.mu.Lock()
	cs := a.closers
	a.closers = nil
	a.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}

// consolePerson resolves the person the console speaks as.
func (a *App) consolePerson(ctx context.Context, email string) (*bot.Person, error) {
	e, err := bot.NormalizeAddress(email)
	if err != nil {
		return nil, fmt.Errorf("--as %q: not an e-mail address", email)
	}
	p, err := a.Store.Person(ctx, e)
	if err != nil {
		known := []string{}
		if ps, err := a.Store.People(ctx, ""); err == nil {
			for _, p := range ps {
				known = append(known, p.Email)
			}
		}
		sort.Strings(known)
		return nil, fmt.Errorf("%s is not a known person; known: %s", e, strings.Join(known, ", "))
	}
	return p, nil
}
