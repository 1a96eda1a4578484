package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"itbot/adapters/dvs"
	"itbot/adapters/dvs/dvstest"
	"itbot/adapters/sandbox"
	"itbot/bot"
	"itbot/bot/availability"
	"itbot/bot/availability/chart"
	"itbot/commands"
)

// The DVS connection (config section dvs), the scheduled DVS backup, and
// the availability monitor of the DVS and Exchange Online (section
// availability) with "/it statuss" and the `availability` subcommand. See
// docs/dvs.md.
//
// In sandbox mode with no dvs.url the DVS contract simulator (dvstest)
// serves the sandbox's DVS on a loopback port and the real client talks
// to it, so the whole HTTP path runs out of the box.
func init() {
	addPlugin(plugin{name: "dvs", section: "dvs", order: 20, setup: setupDVS})
	addPlugin(plugin{name: "availability", section: "availability", order: 60, setup: setupAvailability})
	addSubcommand("availability", "availability [--month 2026-11] [--lang lv|en] [--chart FILE]  the services' availability of a month", cmdAvailability)
}

// dvsConfig is the dvs section.
type dvsConfig struct {
	// URL is the DVS contract's root (docs/dvs-api.yaml); empty: the
	// sandbox simulator in sandbox mode, no DVS otherwise.
	URL string `yaml:"url"`
	// TokenEnv names the environment variable holding the bearer token.
	TokenEnv string `yaml:"token_env"`
	// Timeout per attempt, retries, and how often exports and backups are
	// polled.
	Timeout      time.Duration `yaml:"timeout"`
	Retries      int           `yaml:"retries"`
	PollInterval time.Duration `yaml:"poll_interval"`
	// BackupAt is the daily backup time, Riga time ("02:30"); "off": none.
	BackupAt string `yaml:"backup_at"`
	// BackupScope is "all" or one organisation id.
	BackupScope string `yaml:"backup_scope"`
	// BackupMaxWait is how long backup plus verification may take.
	BackupMaxWait time.Duration `yaml:"backup_max_wait"`
	// BackupMaxAge is how old the last verified backup may be before
	// "/it dvs backup" warns.
	BackupMaxAge time.Duration `yaml:"backup_max_age"`
}

// availabilityConfig is the availability section.
type availabilityConfig struct {
	// DVS and Exchange are the monthly targets in percent.
	DVS      float64 `yaml:"dvs"`
	Exchange float64 `yaml:"exchange"`
	// ProbeInterval between health probes.
	ProbeInterval time.Duration `yaml:"probe_interval"`
	// AlertAfter failed probes in a row make a down alert.
	AlertAfter int `yaml:"alert_after"`
}

// strictSection decodes a config section rejecting unknown keys (see
// Config.Section); an absent section leaves v as it is.
func strictSection(cfg *Config, name string, v any) error {
	_, err := cfg.Section(name, v)
	return err
}

func readDVSConfig(cfg *Config) (dvsConfig, error) {
	c := dvsConfig{TokenEnv: "ITBOT_DVS_TOKEN", BackupAt: "02:30", BackupScope: "all", BackupMaxAge: 24 * time.Hour}
	if err := strictSection(cfg, "dvs", &c); err != nil {
		return c, err
	}
	switch {
	case c.Timeout < 0 || c.PollInterval < 0 || c.BackupMaxWait < 0:
		return c, errors.New("config section dvs: durations must not be negative")
	case c.BackupMaxAge <= 0:
		return c, errors.New("config section dvs: backup_max_age must be positive, e.g. 24h")
	}
	if c.BackupAt != "off" {
		if _, _, err := dvs.ParseClock(c.BackupAt); err != nil {
			return c, fmt.Errorf("config section dvs: backup_at: %w (or \"off\")", err)
		}
	}
	return c, nil
}

func readAvailabilityConfig(cfg *Config) (availabilityConfig, error) {
	c := availabilityConfig{DVS: 99.5, Exchange: 99.9, ProbeInterval: time.Minute, AlertAfter: 2}
	if err := strictSection(cfg, "availability", &c); err != nil {
		return c, err
	}
	for name, v := range map[string]float64{"dvs": c.DVS, "exchange": c.Exchange} {
		if v <= 0 || v >= 100 {
			return c, fmt.Errorf("config section availability: %s: a target is a percentage below 100, e.g. 99.5 (got %v)", name, v)
		}
	}
	if c.ProbeInterval < 10*time.Second {
		return c, fmt.Errorf("config section availability: probe_interval %v is too short (at least 10s)", c.ProbeInterval)
	}
	if c.AlertAfter < 1 {
		return c, errors.New("config section availability: alert_after must be at least 1")
	}
	return c, nil
}

func setupDVS(ctx context.Context, a *App) error {
	c, err := readDVSConfig(a.Cfg)
	if err != nil {
		return err
	}
	a.Deps.BackupMaxAge = c.BackupMaxAge
	dc := dvs.Config{BaseURL: c.URL, Timeout: c.Timeout, Retries: c.Retries, PollInterval: c.PollInterval, Log: a.Log.With("adapter", "dvs")}
	switch {
	case c.URL != "":
		dc.Token = os.Getenv(c.TokenEnv)
		if dc.Token == "" {
			a.Log.Warn("dvs: no token in the environment; calls will be refused", "env", c.TokenEnv)
		}
	case a.Bot.Sandbox:
		st := sandbox.NewDVSState()
		if sd, ok := a.Bot.DVS.(*sandbox.DVS); ok {
			st = sd.State() // the sandbox plugin's DVS, so both see one state
		} else if err := sandbox.SeedDVS(st); err != nil {
			return err
		}
		sim := dvstest.New(dvstest.Options{State: st, Log: a.Log.With("adapter", "dvstest")})
		url, stop, err := dvstest.Listen("127.0.0.1:0", sim)
		if err != nil {
			return fmt.Errorf("dvs sandbox simulator: %w", err)
		}
		a.OnClose(stop)
		dc.BaseURL, dc.Token = url, sim.Token()
		if dc.PollInterval == 0 {
			dc.PollInterval = 300 * time.Millisecond // a sandbox export shows its progress in a second or two
		}
		a.Log.Info("dvs: sandbox simulator on loopback", "url", url)
	default:
		a.Log.Info("dvs: not configured (no dvs.url); DVS requests fail until it is")
		return nil
	}
	client, err := dvs.New(dc)
	if err != nil {
		return fmt.Errorf("config section dvs: %w", err)
	}
	a.Bot.DVS = client
	if !a.Serving || c.BackupAt == "off" {
		return nil
	}
	h, m, _ := dvs.ParseClock(c.BackupAt)
	job := &dvs.BackupJob{Client: client, Hour: h, Minute: m, Scope: c.BackupScope, MaxWait: c.BackupMaxWait,
		Notify: a.Bot.Notify, KV: a.Store, Log: a.Log.With("job", "dvs-backup")}
	a.Go(job.Run)
	return nil
}

// newMonitor builds the availability monitor; the probes read a.Bot's
// services when they run, so adapters wired later are probed too.
func newMonitor(a *App, c availabilityConfig) *availability.Monitor {
	m := availability.NewMonitor(a.Store, a.Bot.Notify,
		availability.Service{Target: availability.Target{Service: "dvs", Name: "DVS", Goal: c.DVS},
			Probe: func(ctx context.Context) (bot.Health, error) {
				if a.Bot.DVS == nil {
					return bot.Health{}, bot.Errorf(bot.EUNAVAILABLE, "executor.no_dvs")
				}
				return a.Bot.DVS.Health(ctx)
			}},
		availability.Service{Target: availability.Target{Service: "exchange", Name: "Exchange Online", Goal: c.Exchange},
			Probe: func(ctx context.Context) (bot.Health, error) {
				if a.Bot.Exchange == nil {
					return bot.Health{}, bot.Errorf(bot.EUNAVAILABLE, "executor.no_exchange")
				}
				return a.Bot.Exchange.Health(ctx)
			}})
	m.Interval, m.AlertAfter = c.ProbeInterval, c.AlertAfter
	m.Now = a.Bot.Now
	m.Log = a.Log.With("service", "availability")
	return m
}

func setupAvailability(ctx context.Context, a *App) error {
	c, err := readAvailabilityConfig(a.Cfg)
	if err != nil {
		return err
	}
	m := newMonitor(a, c)
	a.Deps.ServiceStatus = commands.ServiceStatus(m, chart.PNG, a.Bot.Now, a.Log)
	for _, s := range m.Services {
		svc := s.Service
		g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "itbot_service_up", ConstLabels: prometheus.Labels{"service": svc},
			Help: "The last health probe of an outside service: 1 up, 0 down, -1 not probed yet."}, func() float64 {
			st, err := m.Status(context.Background(), svc)
			switch {
			case err != nil || st == nil:
				return -1
			case st.State == availability.Up:
				return 1
			}
			return 0
		})
		if err := a.Registry.Register(g); err != nil {
			return err
		}
	}
	if a.Serving {
		a.Go(m.Run)
	}
	return nil
}

// cmdAvailability prints a month's availability: the same figures as
// "/it statuss", from the data file.
func cmdAvailability(c *cli, args []string) error {
	fs := flag.NewFlagSet("availability", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	month := fs.String("month", "", "the month, YYYY-MM (default: this month)")
	lang := fs.String("lang", "", "lv or en (default: ops_language)")
	chartFile := fs.String("chart", "", "also write the month's chart to this PNG file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("availability: unexpected %q; usage: itbot availability [--month 2026-11] [--lang lv|en] [--chart FILE]", fs.Arg(0))
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	ac, err := readAvailabilityConfig(cfg)
	if err != nil {
		return err
	}
	l, ok := bot.ParseLang(cfg.OpsLanguage)
	if *lang != "" {
		if l, ok = bot.ParseLang(*lang); !ok {
			return fmt.Errorf("availability: --lang %q: want lv or en", *lang)
		}
	}
	if !ok {
		l = bot.LV
	}
	a, err := c.app(false)
	if err != nil {
		return err
	}
	defer a.Close()
	at := a.Bot.Now()
	if *month != "" {
		from, _, err := availability.ParseMonth(*month)
		if err != nil {
			return fmt.Errorf("availability: --month: %w", err)
		}
		at = from
	}
	rs, err := newMonitor(a, ac).Reports(c.ctx, at)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, availability.Render(rs, l))
	if *chartFile != "" {
		png, err := chart.PNG(rs, l)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*chartFile, png, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "\n%s (%d B)\n", *chartFile, len(png))
	}
	return nil
}
