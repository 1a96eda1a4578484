package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"itbot/adapters/slack"
	"itbot/bot"
)

// The Slack adapter (config section slack, see docs/slack.md): the
// /slack/commands, /slack/interactions and /slack/events endpoints on the
// HTTP server, or a Socket Mode connection, and the poster that keeps each
// request's thread on Slack; the `slack` subcommand checks the token and
// prints the app manifest.

//go:embed docs/slack-manifest.yaml
var slackManifest string

// slackSection is the slack section: the adapter's settings and a switch.
type slackSection struct {
	// Enabled turns the adapter off without removing the section.
	Enabled      *bool `yaml:"enabled"`
	slack.Config `yaml:",inline"`
}

// readSlackSection decodes the slack section strictly (a misspelt key is
// an error); ok is false when the section is absent or disabled.
func readSlackSection(cfg *Config) (sc slackSection, ok bool, err error) {
	present, err := cfg.Section("slack", &sc)
	if err != nil || !present {
		return sc, false, err
	}
	if sc.Enabled != nil && !*sc.Enabled {
		return sc, false, nil
	}
	return sc, true, nil
}

func setupSlack(ctx context.Context, a *App) error {
	sc, ok, err := readSlackSection(a.Cfg)
	if err != nil || !ok {
		return err
	}
	ad, err := slack.New(sc.Config, a.Bot.Door(a.Router), a.Log)
	if err != nil {
		return fmt.Errorf("config section slack: %w", err)
	}
	a.Bot.Notify.Add(ad)
	if err := registerAll(a, ad); err != nil {
		return err
	}
	if !a.Serving {
		return nil // one-shot commands: notices are posted inline
	}
	if ad.Config().Mode == slack.ModeHTTP {
		if a.Cfg.HTTP.Listen == "" {
			return errors.New("config section slack: http mode needs http.listen (Slack posts to /slack/commands, /slack/interactions, /slack/events)")
		}
		ad.Mount(a.Mux)
	}
	a.KeepAlive("slack")
	a.Go(func(ctx context.Context) { ad.Run(ctx) })
	return nil
}

// registerAll adds the adapter's metrics to the app's registry.
func registerAll(a *App, ad *slack.Adapter) error {
	for _, c := range ad.Collectors() {
		if err := a.Registry.Register(c); err != nil {
			return fmt.Errorf("slack metrics: %w", err)
		}
	}
	return nil
}

// slackManifestFor returns the app manifest for itbot at base URL url, or
// for Socket Mode (no inbound URLs).
func slackManifestFor(url string, socket bool) string {
	const placeholder = "https://itbot.example.gov.lv"
	m := slackManifest
	if socket {
		var out []string
		for _, l := range strings.Split(m, "\n") {
			if strings.Contains(l, "url: "+placeholder) {
				continue
			}
			out = append(out, l)
		}
		m = strings.Join(out, "\n")
		m = strings.Replace(m, "socket_mode_enabled: false", "socket_mode_enabled: true", 1)
	} else if url != "" {
		m = strings.ReplaceAll(m, placeholder, strings.TrimRight(url, "/"))
	}
	return m
}

func cmdSlack(c *cli, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: itbot slack check | manifest [--url URL] [--socket]")
	}
	switch args[0] {
	case "manifest":
		fs := flag.NewFlagSet("slack manifest", flag.ContinueOnError)
		fs.SetOutput(c.stderr)
		url := fs.String("url", "", "the https address Slack reaches itbot at, e.g. https://itbot.iestade.gov.lv")
		socket := fs.Bool("socket", false, "Socket Mode: no inbound URLs")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *url != "" && !strings.HasPrefix(*url, "https://") {
			return fmt.Errorf("--url %q: Slack posts only to https addresses", *url)
		}
		io.WriteString(c.stdout, slackManifestFor(*url, *socket))
		return nil
	case "check":
		// Only the configuration: the store stays closed, so the check works
		// next to a running itbot.
		cfg, err := c.config()
		if err != nil {
			return err
		}
		sc, ok, err := readSlackSection(cfg)
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("no slack section in the configuration, or enabled: false (see docs/slack.md)")
		}
		log := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		ad, err := slack.New(sc.Config, bot.New(nil, log).Door(bot.NewRouter(log)), log)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
		defer cancel()
		res, err := ad.Check(ctx)
		if err != nil {
			return fmt.Errorf("auth.test: %w (check slack.bot_token)", err)
		}
		fmt.Fprintf(c.stdout, "team:      %s (%s)\nbot user:  %s (%s)\nmode:      %s\nscopes:    %s\n",
			res.Team, res.URL, res.BotUser, res.BotID, ad.Config().Mode, strings.Join(res.Scopes, ", "))
		fmt.Fprintf(c.stdout, "slack.team_ids: [%s]   slack.enterprise_id: %q   slack.app_id: %s\n", res.TeamID, res.EnterpriseID, res.AppID)
		if len(res.Missing) > 0 {
			return fmt.Errorf("the bot token lacks scopes %s: add them (docs/slack-manifest.yaml) and reinstall the app", strings.Join(res.Missing, ", "))
		}
		fmt.Fprintln(c.stdout, "ok: every scope itbot needs is granted")
		return nil
	}
	return fmt.Errorf("itbot slack: unknown %q (check, manifest)", args[0])
}
