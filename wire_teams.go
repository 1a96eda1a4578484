package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"itbot/adapters/teams"
)

// Microsoft Teams (config section teams, see docs/teams.md): the Bot
// Framework messaging endpoint on POST /teams/messages, the request
// cards, and the `teams check|manifest` subcommand.

// Environment variables the app's identity comes from when the section
// leaves it empty.
const (
	envTeamsAppID  = "ITBOT_TEAMS_APP_ID"
	envTeamsTenant = "ITBOT_TEAMS_TENANT_ID"
	envTeamsSecret = "ITBOT_TEAMS_APP_SECRET"
)

// readTeamsConfig decodes the teams section strictly and fills the
// identity from the environment; ok is false when it is absent or off.
func readTeamsConfig(cfg *Config) (tc teams.Config, ok bool, err error) {
	if _, present := cfg.Sections["teams"]; !present {
		return tc, false, nil
	}
	if err := strictSection(cfg, "teams", &tc); err != nil {
		return tc, false, err
	}
	if !tc.Enabled {
		return tc, false, nil
	}
	for _, f := range []struct {
		dst *string
		env string
	}{{&tc.AppID, envTeamsAppID}, {&tc.TenantID, envTeamsTenant}, {&tc.Secret, envTeamsSecret}} {
		if *f.dst == "" {
			*f.dst = os.Getenv(f.env)
		}
	}
	return tc, true, nil
}

func newTeams(a *App) (*teams.Adapter, error) {
	tc, ok, err := readTeamsConfig(a.Cfg)
	if err != nil || !ok {
		return nil, err
	}
	ad, err := teams.New(tc, a.Bot.Door(a.Router), teams.Options{Log: a.Log})
	if err != nil {
		return nil, fmt.Errorf("config section teams: %w", err)
	}
	return ad, nil
}

func setupTeams(ctx context.Context, a *App) error {
	ad, err := newTeams(a)
	if err != nil || ad == nil {
		return err
	}
	a.Mux.Handle("POST /teams/messages", ad)
	a.Bot.Notify.Add(ad)
	if !a.Serving {
		return nil
	}
	if a.Cfg.HTTP.Listen == "" {
		a.Log.Warn("teams: http.listen is empty, so the Bot Connector cannot reach /teams/messages")
	}
	a.Go(ad.Run)
	a.Go(func(ctx context.Context) {
		if n, err := ad.Resume(ctx); err != nil {
			a.Log.Error("teams: resuming journaled activities", "err", err)
		} else if n > 0 {
			a.Log.Info("teams: journaled activities handled after a restart", "count", n)
		}
	})
	a.OnClose(ad.Wait)
	a.KeepAlive("teams")
	return nil
}

func cmdTeams(c *cli, args []string) error {
	if len(args) < 1 || (args[0] != "check" && args[0] != "manifest") {
		return errors.New("usage: itbot teams check | itbot teams manifest [--out itbot-teams.zip]")
	}
	a, err := c.app(false)
	if err != nil {
		return err
	}
	defer a.Close()
	tc, ok, err := readTeamsConfig(a.Cfg)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("teams: the section is off: set teams.enabled: true and ITBOT_TEAMS_APP_ID, ITBOT_TEAMS_TENANT_ID, ITBOT_TEAMS_APP_SECRET (docs/teams.md)")
	}
	if args[0] == "manifest" {
		out := "itbot-teams.zip"
		if len(args) == 3 && args[1] == "--out" {
			out = args[2]
		}
		if tc.AppID == "" {
			return errors.New("teams manifest: the app id is needed (teams.app_id or ITBOT_TEAMS_APP_ID)")
		}
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		if err := teams.Manifest(f, tc.AppID, tc.WebURL, a.Router.Specs()); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "wrote %s: upload it in Teams (Apps → Manage your apps → Upload an app) or have the tenant admin publish it\n", out)
		return nil
	}
	ad, err := teams.New(tc, a.Bot.Door(a.Router), teams.Options{Log: a.Log})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
	defer cancel()
	if err := ad.Check(ctx); err != nil {
		return fmt.Errorf("teams check: %w", err)
	}
	fmt.Fprintf(c.stdout, "teams: app %s of tenant %s gets a Bot Framework token; the Bot Framework's signing keys are readable\n", tc.AppID, tc.TenantID)
	return nil
}
