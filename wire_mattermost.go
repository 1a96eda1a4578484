package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"itbot/adapters/mattermost"
	"itbot/bot"
)

// Mattermost (config section mattermost, see docs/mattermost.md): the /it
// slash command, buttons and dialogs on POST /mattermost/command,
// /mattermost/actions and /mattermost/dialog, direct messages and mentions
// over the websocket (itbot serve only), and the request threads. The
// `mattermost` subcommand checks the connection and links the directory's
// people to their Mattermost accounts.

// Environment variables the secrets are read from when the section leaves
// them empty.
const (
	envMattermostToken   = "ITBOT_MATTERMOST_TOKEN"
	envMattermostCommand = "ITBOT_MATTERMOST_COMMAND_TOKEN"
	envMattermostSecret  = "ITBOT_MATTERMOST_ACTION_SECRET"
)

// readMattermostConfig decodes the mattermost section strictly and fills
// the secrets from the environment. ok is false when the section is
// absent or disabled.
func readMattermostConfig(cfg *Config) (mc mattermost.Config, ok bool, err error) {
	if _, present := cfg.Sections["mattermost"]; !present {
		return mc, false, nil
	}
	if err := strictSection(cfg, "mattermost", &mc); err != nil {
		return mc, false, err
	}
	if !mc.On() {
		return mc, false, nil
	}
	if mc.Token == "" {
		mc.Token = os.Getenv(envMattermostToken)
	}
	if len(mc.CommandTokens) == 0 || strings.Join(mc.CommandTokens, "") == "" {
		mc.CommandTokens = []string{os.Getenv(envMattermostCommand)}
	}
	if mc.ActionSecret == "" {
		mc.ActionSecret = os.Getenv(envMattermostSecret)
	}
	if err := mc.Validate(); err != nil {
		return mc, false, fmt.Errorf("config section mattermost: %w", err)
	}
	return mc, true, nil
}

func newMattermost(a *App) (*mattermost.Adapter, error) {
	mc, ok, err := readMattermostConfig(a.Cfg)
	if err != nil || !ok {
		return nil, err
	}
	return mattermost.New(mc, mattermost.Deps{Door: a.Bot.Door(a.Router), Log: a.Log})
}

func setupMattermost(ctx context.Context, a *App) error {
	ad, err := newMattermost(a)
	if err != nil || ad == nil {
		return err
	}
	ad.Register(a.Mux)
	a.Bot.Notify.Add(ad)
	a.OnClose(ad.Close)
	if !a.Serving {
		return nil
	}
	if a.Cfg.HTTP.Listen == "" {
		a.Log.Warn("mattermost: http.listen is empty, so Mattermost cannot reach the slash command, the buttons or the dialogs")
	}
	if err := ad.Connect(ctx); err != nil {
		a.Log.Warn("mattermost: not reachable at start; the websocket keeps retrying", "err", err)
	}
	a.Go(func(ctx context.Context) {
		if err := ad.Run(ctx); err != nil {
			a.Log.Error("mattermost: websocket stopped", "err", err)
		}
	})
	a.KeepAlive("mattermost")
	return nil
}

func cmdMattermost(c *cli, args []string) error {
	if len(args) != 1 || (args[0] != "check" && args[0] != "link") {
		return errors.New("usage: itbot mattermost check|link")
	}
	if args[0] == "check" {
		return mattermostCheck(c)
	}
	a, err := c.app(false)
	if err != nil {
		return err
	}
	defer a.Close()
	ad, err := newMattermost(a)
	if err != nil {
		return err
	}
	if ad == nil {
		return errors.New("no mattermost section in the configuration (see docs/mattermost.md)")
	}
	defer ad.Close()
	switch args[0] {
	case "link":
		n, unknown, err := ad.LinkPeople(c.ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "linked %d people to their Mattermost accounts\n", n)
		for _, e := range unknown {
			fmt.Fprintf(c.stdout, "no Mattermost account: %s\n", e)
		}
	}
	return nil
}

// mattermostCheck asks the server about the configuration only: the data
// file stays closed, so it runs beside a serving itbot.
func mattermostCheck(c *cli) error {
	cfg, err := c.config()
	if err != nil {
		return err
	}
	mc, ok, err := readMattermostConfig(cfg)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("no mattermost section in the configuration (see docs/mattermost.md)")
	}
	log := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ad, err := mattermost.New(mc, mattermost.Deps{Door: bot.New(nil, log).Door(bot.NewRouter(log)), Log: log})
	if err != nil {
		return err
	}
	defer ad.Close()
	{
		st, err := ad.Check(c.ctx)
		if err != nil {
			return err
		}
		kind := "bot account"
		if !st.IsBot {
			kind = "PERSONAL account (use a bot account)"
		}
		fmt.Fprintf(c.stdout, "server        %s\nbot           @%s (%s, %s)\n", st.Server, st.Bot, st.BotID, kind)
		if st.Team != "" {
			fmt.Fprintf(c.stdout, "team          %s\n", st.Team)
		}
		if st.OpsChannel != "" {
			fmt.Fprintf(c.stdout, "ops channel   %s\n", st.OpsChannel)
		}
		fmt.Fprintf(c.stdout, "slash command request URL  %s  (POST)\nbuttons call back          %s\ndialogs submit to          %s\n", st.CommandURL, st.ActionsURL, st.DialogURL)
	}
	return nil
}
