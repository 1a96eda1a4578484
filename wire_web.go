package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"itbot/adapters/web"
	"itbot/bot"
	"itbot/bot/availability/chart"
	"itbot/bot/slaclock"
)

// The web console (adapters/web): config section web, see docs/web.md.

// envWebSecret is where the OIDC client secret is read from when the
// section leaves it empty.
const envWebSecret = "ITBOT_WEB_CLIENT_SECRET"

// readWebConfig reads the web section strictly, the secret from the
// environment when the file leaves it out.
func readWebConfig(cfg *Config) (web.Config, error) {
	var wc web.Config
	if err := strictSection(cfg, "web", &wc); err != nil {
		return wc, err
	}
	if wc.OIDC.ClientSecret == "" {
		wc.OIDC.ClientSecret = os.Getenv(envWebSecret)
	}
	return wc, nil
}

// webEnabled reports whether the console runs: as configured, else in
// sandbox mode only.
func webEnabled(cfg *Config, wc web.Config) bool {
	if wc.Enabled != nil {
		return *wc.Enabled
	}
	return cfg.SandboxMode()
}

func setupWeb(ctx context.Context, a *App) error {
	wc, err := readWebConfig(a.Cfg)
	if err != nil {
		return err
	}
	if !webEnabled(a.Cfg, wc) || !a.Serving {
		return nil
	}
	if a.Cfg.HTTP.Listen == "" && a.Listener == nil {
		if wc.Enabled != nil {
			return fmt.Errorf("config section web: the console needs the HTTP listener: set http.listen, or web.enabled: false")
		}
		return nil // no HTTP: no console (the sandbox default follows the listener)
	}
	d := web.Deps{Bot: a.Bot, Router: a.Router, Log: a.Log, Sandbox: a.Bot.Sandbox}
	if c, ok := a.Bot.SLA.(*slaclock.Clock); ok {
		d.Used = c.Used
		d.Calendar = c.Calendar()
	}
	if a.Monitor != nil {
		d.Availability = a.Monitor.Reports
		d.AvailabilityChart = chart.PNG
	}
	s, err := web.New(wc, d)
	if err != nil {
		return fmt.Errorf("config section web: %w", err)
	}
	a.Web = s
	a.Bot.Notify.Add(s)
	prev := a.Bot.OnChange
	a.Bot.OnChange = func(r *bot.Request) {
		if prev != nil {
			prev(r)
		}
		s.Changed(r)
	}
	h := s.Handler()
	for _, p := range web.Paths {
		a.Mux.Handle(p, h)
	}
	// Open pages' event streams end when itbot stops.
	a.Go(func(ctx context.Context) { <-ctx.Done(); s.Shutdown() })
	a.Go(func(ctx context.Context) {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if n, err := s.PruneSessions(ctx); err != nil {
					a.Log.Warn("web: pruning sessions", "err", err)
				} else if n > 0 {
					a.Log.Info("web: expired sessions removed", "count", n)
				}
			}
		}
	})
	return nil
}
