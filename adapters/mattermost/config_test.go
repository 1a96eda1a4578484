package mattermost

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	good := Config{URL: "https://mm.example.lv/", Token: "tok-SECRET-123", CommandTokens: []string{"a, b", " ", "c"},
		ActionSecret: strings.Repeat("x", 32), PublicURL: "https://itbot.example.lv"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	d := good.withDefaults()
	if d.URL != "https://mm.example.lv" || d.PathPrefix != "/mattermost" || len(d.CommandTokens) != 3 || d.ActionMaxAge != 30*24*time.Hour || d.Workers != 8 {
		t.Errorf("defaults = %+v", d)
	}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		says string
	}{
		{"no url", func(c *Config) { c.URL = "" }, "mattermost.url"},
		{"ftp url", func(c *Config) { c.URL = "ftp://mm" }, "mattermost.url"},
		{"no public url", func(c *Config) { c.PublicURL = "itbot.example.lv" }, "mattermost.public_url"},
		{"no token", func(c *Config) { c.Token = "" }, "ITBOT_MATTERMOST_TOKEN"},
		{"no command token", func(c *Config) { c.CommandTokens = []string{" , "} }, "ITBOT_MATTERMOST_COMMAND_TOKEN"},
		{"short secret", func(c *Config) { c.ActionSecret = "short" }, "ITBOT_MATTERMOST_ACTION_SECRET"},
	} {
		c := good
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v", tc.name, err)
		}
		if err != nil && strings.Contains(err.Error(), c.Token) && c.Token != "" {
			t.Errorf("%s: the token is in the error", tc.name)
		}
	}
	if _, err := New(Config{}, Deps{}); err == nil {
		t.Error("New accepted an empty configuration")
	}
	if _, err := New(good, Deps{}); err == nil {
		t.Error("New accepted no bot")
	}
}
