package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"itbot/bot"
	"itbot/bot/slareport"
	slachart "itbot/bot/slareport/chart"

	"itbot/bot/calendar"
	"itbot/bot/sla"
	"itbot/bot/slaclock"
)

// The SLA clock on the Latvian business calendar, its scheduler of
// reminders, breach alerts and escalations, and the `calendar` and `sla`
// subcommands. Config section: sla (see docs/sla.md).

// slaConfig reads the sla section strictly: a misspelt key is an error,
// not a silently ignored setting.
func slaConfig(cfg *Config) (slaclock.Config, error) {
	var sc slaclock.Config
	_, err := cfg.Section("sla", &sc)
	return sc, err
}

func setupSLA(ctx context.Context, a *App) error {
	sc, err := slaConfig(a.Cfg)
	if err != nil {
		return err
	}
	clock, err := slaclock.New(sc)
	if err != nil {
		return fmt.Errorf("config section sla: %w", err)
	}
	a.Bot.SLA = clock
	a.Deps.SLAChart = slachart.PNG
	if !a.Serving {
		return nil
	}
	s := slaclock.NewScheduler(a.Bot, clock)
	a.Bot.OnChange = s.Changed
	a.Go(s.Run)
	return nil
}

func cmdCalendar(c *cli, args []string) error {
	cfg, err := c.config()
	if err != nil {
		return err
	}
	sc, err := slaConfig(cfg)
	if err != nil {
		return err
	}
	err = calendar.RunCalendarCLIConfig(sc.Calendar, args, c.stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func cmdSLA(c *cli, args []string) error {
	if len(args) > 0 && args[0] == "report" {
		return cmdSLAReport(c, args[1:])
	}
	if len(args) == 0 || args[0] != "due" {
		return errors.New("usage: itbot sla due --at 2026-12-23T16:30 [--policy 1d] [--pause FROM/TO]... [--no-transfers]")
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	sc, err := slaConfig(cfg)
	if err != nil {
		return err
	}
	err = sla.RunDueCLIConfig(sc.Calendar, args[1:], c.stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// cmdSLAReport is `itbot sla report [--month 2026-11] [--institution CODE]
// [--format text|csv|json] [--lang lv|en]`: a month's SLA compliance from
// the data file.
func cmdSLAReport(c *cli, args []string) error {
	fs := flag.NewFlagSet("sla report", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	month := fs.String("month", "", "the month received, YYYY-MM (default: this month)")
	inst := fs.String("institution", "", "one institution's code (default: all)")
	format := fs.String("format", "text", "text, csv (for Latvian Excel) or json")
	lang := fs.String("lang", "", "lv or en (default: ops_language)")
	chartFile := fs.String("chart", "", "also draw the month as a PNG into this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || (*format != "text" && *format != "csv" && *format != "json") {
		return errors.New("usage: itbot sla report [--month 2026-11] [--institution CODE] [--format text|csv|json] [--lang lv|en] [--chart FILE.png]")
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	l, ok := bot.ParseLang(cfg.OpsLanguage)
	if *lang != "" {
		if l, ok = bot.ParseLang(*lang); !ok {
			return fmt.Errorf("sla report: --lang %q: want lv or en", *lang)
		}
	}
	if !ok {
		l = bot.LV
	}
	sc, err := slaConfig(cfg)
	if err != nil {
		return err
	}
	clock, err := slaclock.New(sc)
	if err != nil {
		return fmt.Errorf("config section sla: %w", err)
	}
	a, err := c.app(false)
	if err != nil {
		return err
	}
	defer a.Close()
	at := a.Bot.Now()
	if *month != "" {
		if at, err = time.ParseInLocation("2006-01", *month, bot.TimeZone); err != nil {
			return fmt.Errorf("sla report: --month %q: want YYYY-MM", *month)
		}
	}
	rep, err := slareport.Build(c.ctx, a.Store, clock, at, strings.ToUpper(*inst), a.Bot.Now())
	if err != nil {
		return err
	}
	if *chartFile != "" {
		png, err := slachart.PNG(rep, l)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*chartFile, png, 0o644); err != nil {
			return err
		}
	}
	switch *format {
	case "csv":
		_, err = c.stdout.Write(rep.CSV(l))
	case "json":
		var b []byte
		if b, err = rep.JSON(); err == nil {
			_, err = fmt.Fprintln(c.stdout, string(b))
		}
	default:
		_, err = fmt.Fprintln(c.stdout, rep.Text(l))
	}
	return err
}
