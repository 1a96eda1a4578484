package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"itbot/bot"
	"itbot/bot/availability"
	"itbot/bot/availability/chart"
	"itbot/commands"
)

// The availability monitor of the DVS and Exchange Online (config section
// availability): health probes, outages and monthly figures against the
// targets, "/it statuss" and the `availability` subcommand. See
// docs/dvs.md. The probes ask whichever service clients NewApp wired.

// availabilityConfig is the availability section.
type availabilityConfig struct {
	// DVS and Exchange are the monthly targets in percent.
	DVS      float64 `yaml:"dvs"`
	Exchange float64 `yaml:"exchange"`
	// ProbeInterval between health probes.
	ProbeInterval time.Duration `yaml:"probe_interval"`
	// AlertAfter failed probes in a row make a down alert.
	AlertAfter int `yaml:"alert_after"`
	// MinMeasured is the share of a month so far (0–1) that must have been
	// measured before a target is reported met or missed.
	MinMeasured float64 `yaml:"min_measured"`
}

func readAvailabilityConfig(cfg *Config) (availabilityConfig, error) {
	c := availabilityConfig{DVS: 99.5, Exchange: 99.9, ProbeInterval: time.Minute, AlertAfter: 2, MinMeasured: availability.DefaultMinMeasured}
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
	if c.MinMeasured <= 0 || c.MinMeasured > 1 {
		return c, fmt.Errorf("config section availability: min_measured is a share between 0 and 1, e.g. 0.5 (got %v)", c.MinMeasured)
	}
	if c.AlertAfter < 1 {
		return c, errors.New("config section availability: alert_after must be at least 1")
	}
	return c, nil
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
	m.Interval, m.AlertAfter, m.MinMeasured = c.ProbeInterval, c.AlertAfter, c.MinMeasured
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
	a.Monitor = m
	a.Deps.ServiceStatus = commands.ServiceStatus(m, chart.PNG, a.Bot.Now, a.Log)
	for _, s := range m.Services {
		svc := s.Service
		g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "itbot_service_up", ConstLabels: prometheus.Labels{"service": svc},
			Help: "The last health probe of an outside service: 1 up, 0 down, -1 not probed yet or unknown."}, func() float64 {
			st, err := m.Status(context.Background(), svc)
			switch {
			case err != nil || st == nil || st.State == availability.Unknown:
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
