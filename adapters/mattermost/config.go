package mattermost

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config is the adapter's configuration, the `mattermost` section of
// itbot.yaml. Secrets (the bot token, the slash command tokens and the
// action secret) come from the environment: ITBOT_MATTERMOST_TOKEN,
// ITBOT_MATTERMOST_COMMAND_TOKEN and ITBOT_MATTERMOST_ACTION_SECRET when
// the section leaves them empty, or ${NAME} references in the section.
type Config struct {
	// Enabled turns the adapter off without removing the section.
	Enabled *bool `yaml:"enabled"`
	// URL is the Mattermost site URL, e.g. https://mattermost.example.gov.lv.
	URL string `yaml:"url"`
	// Token is the bot account's personal access token.
	Token string `yaml:"token"`
	// CommandTokens are the tokens of the /it slash command(s), one per
	// team where the command is installed. A single value may hold several
	// separated by commas.
	CommandTokens []string `yaml:"command_tokens"`
	// ActionSecret signs the context of every button and the state of
	// every dialog (HMAC-SHA256); at least 32 bytes.
	ActionSecret string `yaml:"action_secret"`
	// PublicURL is where the Mattermost server reaches itbot, e.g.
	// https://itbot.example.gov.lv; the button and dialog callbacks are
	// PublicURL + PathPrefix + /actions and /dialog.
	PublicURL string `yaml:"public_url"`
	// PathPrefix is where the adapter's endpoints are mounted (default
	// /mattermost).
	PathPrefix string `yaml:"path_prefix"`
	// Team is the team (its URL name) the bot works in: catch-up looks at
	// its channels and OpsChannel may be given as a channel name in it.
	// Empty: every channel the bot is a member of.
	Team string `yaml:"team"`
	// OpsChannel is the operators' channel: a channel id, or a channel
	// name in Team. Empty: no operators' channel on Mattermost.
	OpsChannel string `yaml:"ops_channel"`
	// Websocket listens for direct messages and mentions (default true).
	Websocket *bool `yaml:"websocket"`
	// ActionMaxAge is how long a button stays valid (default 720h: a
	// request may wait weeks for its approval).
	ActionMaxAge time.Duration `yaml:"action_max_age"`
	// ReconnectMin and ReconnectMax bound the websocket reconnect back-off
	// (defaults 1s and 1m).
	ReconnectMin time.Duration `yaml:"reconnect_min"`
	ReconnectMax time.Duration `yaml:"reconnect_max"`
	// CatchUpMargin is how far before the last post seen the catch-up
	// looks after a reconnect (default 2m).
	CatchUpMargin time.Duration `yaml:"catch_up_margin"`
	// UserCacheTTL is how long a user's e-mail address is cached (default
	// 10m).
	UserCacheTTL time.Duration `yaml:"user_cache_ttl"`
	// Retries is how often an API call is retried after 429 or 5xx
	// (default 4); RetryMaxWait caps one wait (default 30s).
	Retries      int           `yaml:"retries"`
	RetryMaxWait time.Duration `yaml:"retry_max_wait"`
	// Workers bounds the messages handled at once (default 8).
	Workers int `yaml:"workers"`
	// CommandWait is how long a slash command's HTTP request waits for
	// the answer before saying "working on it" (default 2s; negative: do
	// not wait).
	CommandWait time.Duration `yaml:"command_wait"`
}

// On reports whether the adapter is enabled.
func (c *Config) On() bool { return c.Enabled == nil || *c.Enabled }

// WebsocketOn reports whether the websocket listener runs.
func (c *Config) WebsocketOn() bool { return c.Websocket == nil || *c.Websocket }

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	if c.PathPrefix == "" {
		c.PathPrefix = "/mattermost"
	}
	c.PathPrefix = "/" + strings.Trim(c.PathPrefix, "/")
	c.URL = strings.TrimRight(c.URL, "/")
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.ActionMaxAge <= 0 {
		c.ActionMaxAge = 30 * 24 * time.Hour
	}
	if c.ReconnectMin <= 0 {
		c.ReconnectMin = time.Second
	}
	if c.ReconnectMax <= 0 {
		c.ReconnectMax = time.Minute
	}
	if c.ReconnectMax < c.ReconnectMin {
		c.ReconnectMax = c.ReconnectMin
	}
	if c.CatchUpMargin <= 0 {
		c.CatchUpMargin = 2 * time.Minute
	}
	if c.UserCacheTTL <= 0 {
		c.UserCacheTTL = 10 * time.Minute
	}
	if c.Retries <= 0 {
		c.Retries = 4
	}
	if c.RetryMaxWait <= 0 {
		c.RetryMaxWait = 30 * time.Second
	}
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.CommandWait == 0 {
		c.CommandWait = 2 * time.Second
	}
	var toks []string
	for _, t := range c.CommandTokens {
		for _, p := range strings.Split(t, ",") {
			if p = strings.TrimSpace(p); p != "" {
				toks = append(toks, p)
			}
		}
	}
	c.CommandTokens = toks
	return c
}

// Validate checks the configuration and says what to fix. Secrets are
// never echoed.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	checkURL := func(name, v string) {
		u, err := url.Parse(v)
		if v == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("mattermost.%s must be an http(s) URL, got %q", name, v))
		}
	}
	checkURL("url", c.URL)
	checkURL("public_url", c.PublicURL)
	if c.Token == "" {
		errs = append(errs, errors.New("mattermost.token is empty: export the bot account's access token as ITBOT_MATTERMOST_TOKEN (or set token: ${SOME_VARIABLE})"))
	}
	if len(c.CommandTokens) == 0 {
		errs = append(errs, errors.New("mattermost.command_tokens is empty: export the token Mattermost shows for the /it slash command as ITBOT_MATTERMOST_COMMAND_TOKEN (several: comma-separated)"))
	}
	if len(c.ActionSecret) < 32 {
		errs = append(errs, errors.New("mattermost.action_secret must be at least 32 bytes: export ITBOT_MATTERMOST_ACTION_SECRET=$(openssl rand -hex 32)"))
	}
	return errors.Join(errs...)
}
