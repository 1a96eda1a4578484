package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

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
