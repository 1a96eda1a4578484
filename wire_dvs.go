package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"itbot/adapters/dvs"
	"itbot/adapters/dvs/dvstest"
	"itbot/adapters/sandbox"
	"itbot/bot"
)

// The DVS connection (config section dvs) and the scheduled DVS backup.
// See docs/dvs.md.
//
// In sandbox mode with no dvs.url the DVS contract simulator (dvstest)
// serves the sandbox's DVS on a loopback port and the real client talks
// to it, so the whole HTTP path runs out of the box.

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
		if err := sandbox.SeedDVS(st); err != nil {
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
		a.emulate(bot.ServiceDVS)
	default:
		a.Log.Info("dvs: not configured (no dvs.url); DVS requests fail until it is")
		return nil
	}
	client, err := dvs.New(dc)
	if err != nil {
		return fmt.Errorf("config section dvs: %w", err)
	}
	a.DVS, a.Bot.DVS = client, client
	if !a.Serving || c.BackupAt == "off" {
		return nil
	}
	h, m, _ := dvs.ParseClock(c.BackupAt)
	job := &dvs.BackupJob{Client: client, Hour: h, Minute: m, Scope: c.BackupScope, MaxWait: c.BackupMaxWait,
		Notify: a.Bot.Notify, KV: a.Store, Log: a.Log.With("job", "dvs-backup")}
	a.Go(job.Run)
	return nil
}
