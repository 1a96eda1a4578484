// Command itbot is a chat-ops bot for the IT service desk of the VARAM
// sector: slash commands, conversations and e-mails become tracked requests
// that itbot approves, executes against Exchange Online and the DVS, and
// keeps within their SLA on the Latvian business calendar.
//
// main.go wires configuration, store, bot and adapters and holds the CLI;
// everything else lives in bot/, commands/, adapters/ and store/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"

	"itbot/adapters/console"
	"itbot/bot"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// cli is what a subcommand gets.
type cli struct {
	ctx       context.Context
	cfgPath   string
	cfgGiven  bool
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	noConsole bool
	cfgCache  *Config
	// interactive is set for console sessions: logs go to a file.
	interactive bool
}

func (c *cli) config() (*Config, error) {
	if c.cfgCache != nil {
		return c.cfgCache, nil
	}
	cfg, err := LoadConfig(c.cfgPath, c.cfgGiven)
	if err != nil {
		return nil, err
	}
	if c.noConsole {
		f := false
		cfg.Console.Enabled = &f
	}
	c.cfgCache = cfg
	return cfg, nil
}

// app builds the app for a subcommand.
func (c *cli) app(serving bool) (a *App, err error) {
	cfg, err := c.config()
	if err != nil {
		return nil, err
	}
	logw := c.stderr
	file := cfg.Log.File
	if file == "" && c.interactive {
		file = filepath.Join(filepath.Dir(cfg.Data), "itbot.log")
	}
	if file != "" {
		if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, fmt.Errorf("log file: %w", err)
		}
		logw = f
		defer func() {
			if a != nil {
				a.OnClose(func() { f.Close() })
			} else {
				f.Close()
			}
		}()
	}
	log := newLogger(cfg, logw)
	if !serving && !c.interactive && file == "" {
		// A one-shot command's output is its answer: only warnings and
		// errors go to stderr beside it.
		quiet := *cfg
		if quiet.Log.Level == "" || quiet.Log.Level == "info" || quiet.Log.Level == "INFO" {
			quiet.Log.Level = "warn"
		}
		log = newLogger(&quiet, logw)
	}
	a, err = NewApp(c.ctx, cfg, log, c.stdout, serving)
	return a, err
}

type subcommand struct {
	usage string
	run   func(c *cli, args []string) error
}

// subcommands lists itbot's subcommands: the core ones here, each
// adapter's beside its wiring (wire_*.go). Each is thin: it reads its
// flags and calls the package that does the work.
func subcommands() map[string]subcommand {
	return map[string]subcommand{
		"serve":    {"serve                      run the adapters, the HTTP server and (unless --no-console) the console", cmdServe},
		"chat":     {"chat --as EMAIL            an interactive console as EMAIL", cmdChat},
		"run":      {"run --as EMAIL \"COMMAND\"  run one command as EMAIL and print the answer", cmdRun},
		"requests": {"requests [--state S] [--institution CODE]  list requests, newest first", cmdRequests},
		"show":     {"show ID                    a request with its audit trail", cmdShow},
		"backup":   {"backup FILE                a consistent hot copy of the data file", cmdBackup},
		"version":  {"version                    print the version", cmdVersion},
		"help":     {"help                       this list", func(c *cli, args []string) error { usage(c.stdout); return nil }},

		"calendar":     {"calendar YEAR [--no-transfers]  the non-standard days of YEAR (holidays, transfers, short days)", cmdCalendar},
		"sla":          {"sla due --at TIME [--policy 1d] [--pause FROM/TO]... [--no-transfers] | report [--month M] [--institution CODE] [--format text|csv|json]  an SLA due time, or a month's SLA compliance", cmdSLA},
		"exchange":     {"exchange licences|health|preflight   the Exchange Online connection: licences with free units, service health, or a read-only check of every permission and role itbot needs", cmdExchange},
		"availability": {"availability [--month 2026-11] [--lang lv|en] [--chart FILE]  the services' availability of a month", cmdAvailability},
		"parse":        {"parse [-now YYYY-MM-DD] \"TEXT\"  what a chat message is recognised as: one JSON line {intent, slots, missing, lang}", cmdParse},
		"slack":        {"slack check | manifest [--url URL] [--socket]  check the Slack token's scopes, or print the Slack app manifest", cmdSlack},
		"teams":        {"teams check|manifest [--out F] the Teams connection (a Bot Framework token, the signing keys); the Teams app package", cmdTeams},
		"mattermost":   {"mattermost check|link       the Mattermost connection and the URLs to configure; link people to their accounts by e-mail", cmdMattermost},
		"export":       {"export [--from DATE] [--to DATE] [--institution CODE]  requests with their whole history as JSON Lines (docs/export.md)", cmdExport},
		"journal":      {"journal list | retry PLATFORM SEQ | drop PLATFORM SEQ  inbound deliveries set aside after failing too often", cmdJournal},
		"mailbox":      {"mailbox check|poll|reset|try FILE.eml…  the IT mailbox: reach it and make its folders, read it once now, drop the stored delta position, or (sandbox) answer sample mails", cmdMailbox},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := runMain(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "itbot:", err)
		os.Exit(1)
	}
}

// runMain parses global flags and runs one subcommand (serve by default).
func runMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("itbot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &cli{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	fs.StringVar(&c.cfgPath, "config", "", "configuration file (default itbot.yaml if present)")
	fs.BoolVar(&c.noConsole, "no-console", false, "do not read commands from stdin")
	fs.Usage = func() { usage(stderr) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	c.cfgGiven = c.cfgPath != ""
	if c.cfgPath == "" {
		c.cfgPath = "itbot.yaml"
		if p := os.Getenv("ITBOT_CONFIG"); p != "" {
			c.cfgPath, c.cfgGiven = p, true
		}
	}
	rest := fs.Args()
	name := "serve"
	if len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	sc, ok := subcommands()[name]
	if !ok {
		usage(stderr)
		return fmt.Errorf("unknown subcommand %q", name)
	}
	return sc.run(c, rest)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: itbot [--config FILE] [--no-console] [SUBCOMMAND]")
	cmds := subcommands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		// A usage is "SYNOPSIS  description": align the descriptions.
		u := cmds[n].usage
		syn, desc := u, ""
		if i := strings.Index(u, "  "); i > 0 {
			syn, desc = u[:i], strings.TrimSpace(u[i:])
		}
		fmt.Fprintf(w, "  itbot %-58s %s\n", syn, desc)
	}
}

func cmdVersion(c *cli, args []string) error {
	fmt.Fprintln(c.stdout, "itbot", versionString())
	return nil
}

// versionString is the version set at build time, else what the Go
// toolchain stamped into the binary: the module version and the commit
// (with its time, and "+dirty" for uncommitted changes).
func versionString() string {
	v := version
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	var rev, at, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " (" + rev + dirty
		if at != "" {
			v += ", " + at
		}
		v += ")"
	}
	return v + " " + bi.GoVersion
}

func cmdServe(c *cli, args []string) error {
	cfg, err := c.config()
	if err != nil {
		return err
	}
	if cfg.ConsoleEnabled() {
		c.interactive = true
	}
	// The HTTP address first: a busy one chosen in the configuration stops
	// itbot before anything else starts.
	ln, busy, err := Listen(cfg)
	if err != nil {
		return err
	}
	a, err := c.app(true)
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		return err
	}
	defer a.Close()
	a.Listener = ln
	p, err := a.consolePerson(c.ctx, a.Cfg.Console.As)
	if err != nil && a.Cfg.ConsoleEnabled() {
		return err
	}
	a.Console.SetPerson(p)
	if a.Bot.Sandbox {
		a.Log.Warn("SANDBOX MODE: Exchange Online and the DVS are emulated in-process; nothing real is changed")
		fmt.Fprintln(c.stdout, bot.Tr(p.Language(), "console.sandbox_banner", nil))
	}
	if busy != "" {
		a.Log.Warn("the default HTTP address is taken; listening on a free port", "busy", busy, "addr", ln.Addr().String())
		fmt.Fprintln(c.stdout, bot.Tr(p.Language(), "console.port_busy", bot.Args{"Busy": busy, "Addr": ln.Addr().String()}))
	}
	if a.Web != nil && ln != nil {
		u := a.Web.PublicURL()
		if u == "" {
			u = "http://" + ln.Addr().String()
		}
		a.Log.Info("web console", "url", u+"/")
		fmt.Fprintln(c.stdout, bot.Tr(p.Language(), "web.console_at", bot.Args{"URL": u + "/", "Sandbox": a.Bot.Sandbox}))
	}
	if a.Cfg.ConsoleEnabled() {
		a.Console.Prompt = "›"
		fmt.Fprintln(c.stdout, bot.Tr(p.Language(), "console.hello", bot.Args{"Email": p.Email}))
		return a.Serve(c.ctx, c.stdin)
	}
	return a.Serve(c.ctx, nil)
}

func asFlag(name string, args []string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	as := fs.String("as", "", "the person's e-mail address")
	return fs, as
}

func cmdChat(c *cli, args []string) error {
	fs, as := asFlag("chat", args)
	fs.SetOutput(c.stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.interactive = true
	a, err := c.app(false)
	if err != nil {
		return err
	}
	defer a.Close()
	email := *as
	if email == "" {
		email = a.Cfg.Console.As
	}
	p, err := a.consolePerson(c.ctx, email)
	if err != nil {
		return err
	}
	a.Console.SetPerson(p)
	a.Console.Prompt = "›"
	return a.Console.Run(c.ctx, c.stdin)
}

func cmdRun(c *cli, args []string) error {
	fs, as := asFlag("run", args)
	fs.SetOutput(c.stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *as == "" || strings.TrimSpace(strings.Join(fs.Args(), " ")) == "" {
		return errors.New(`usage: itbot run --as EMAIL "/it COMMAND"`)
	}
	c.interactive = true
	a, err := c.app(false)
	if err != nil {
		return err
	}
	defer a.Close()
	p, err := a.consolePerson(c.ctx, *as)
	if err != nil {
		return err
	}
	a.Console.SetPerson(p)
	return a.Console.Handle(c.ctx, strings.Join(fs.Args(), " "))
}

func cmdRequests(c *cli, args []string) error {
	fs := flag.NewFlagSet("requests", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	state := fs.String("state", "", "only this state")
	inst := fs.String("institution", "", "only this institution")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := c.app(false)
	if err != nil {
		return err
	}
	defer a.Close()
	f := bot.RequestFilter{Institution: strings.ToUpper(*inst)}
	if *state != "" {
		if !bot.State(*state).Valid() {
			return fmt.Errorf("unknown state %q", *state)
		}
		f.States = []bot.State{bot.State(*state)}
	}
	// Streamed a page at a time: memory stays flat whatever the file holds,
	// and an interrupt stops it between pages.
	q := bot.PageQuery{Filter: f, Order: bot.OrderNewest, Size: 500}
	for {
		pg, err := a.Store.RequestPage(c.ctx, q)
		if err != nil {
			return err
		}
		for _, r := range pg.Requests {
			fmt.Fprintf(c.stdout, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.State, r.Type, r.Institution, r.Requester, bot.FormatTime(r.SLA.DueAt))
		}
		if !pg.More {
			return nil
		}
		q.After = pg.Requests[len(pg.Requests)-1].ID
	}
}

func cmdShow(c *cli, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: itbot show ID")
	}
	id, err := bot.ParseID(args[0])
	if err != nil {
		return fmt.Errorf("%q is not a request id (IT-2026-000123)", args[0])
	}
	a, err := c.app(false)
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := a.Store.Request(c.ctx, id)
	if err != nil {
		return fmt.Errorf("request %s not found", id)
	}
	evs, err := a.Store.Events(c.ctx, id)
	if err != nil {
		return err
	}
	card := a.Bot.Card(r, nil, bot.EN)
	card.Buttons = nil
	card.Text += "\n\nHistory:\n" + strings.Join(bot.History(evs, bot.EN), "\n")
	io.WriteString(c.stdout, console.Render(card, ""))
	return nil
}

func cmdBackup(c *cli, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: itbot backup FILE")
	}
	a, err := c.app(false)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.Store.BackupFile(args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "backup written: %s (%d bytes)\n", args[0], n)
	return nil
}
