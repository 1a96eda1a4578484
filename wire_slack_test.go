package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"itbot/adapters/slack"
	"itbot/adapters/slack/slacktest"
)

// slackTestConfig writes a config (data in a temp dir, log to a file) with
// extra YAML appended.
func slackTestConfig(t *testing.T, listen, extra string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "itbot.yaml")
	cfg := "data: " + filepath.Join(dir, "itbot.db") + "\nhttp:\n  listen: \"" + listen + "\"\nconsole:\n  enabled: false\n  files: " + filepath.Join(dir, "files") +
		"\nlog:\n  file: " + filepath.Join(dir, "itbot.log") + "\n" + extra
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func slackCLI(cfg string) (*cli, *bytes.Buffer) {
	out := &bytes.Buffer{}
	return &cli{ctx: context.Background(), cfgPath: cfg, cfgGiven: true, stdout: out, stderr: out}, out
}

func TestSlackConfigErrors(t *testing.T) {
	t.Setenv("SLACK_SIGNING_SECRET", "")
	t.Setenv("SLACK_BOT_TOKEN", "")
	t.Setenv("SLACK_APP_TOKEN", "")
	tests := []struct {
		listen, yaml, want string
	}{
		{"127.0.0.1:0", "slack:\n  bot_tokn: x\n", "field bot_tokn not found"},
		{"127.0.0.1:0", "slack:\n  mode: webhook\n  bot_token: xoxb-1\n  signing_secret: s\n", `slack.mode "webhook"`},
		{"127.0.0.1:0", "slack:\n  bot_token: xoxb-1\n", "slack.signing_secret (or SLACK_SIGNING_SECRET) is required"},
		{"127.0.0.1:0", "slack:\n  mode: socket\n  bot_token: xoxb-1\n  app_token: xoxb-2\n", "app-level token (xapp-…)"},
		{"127.0.0.1:0", "slack:\n  signing_secret: s\n", "slack.bot_token (or SLACK_BOT_TOKEN) is required"},
		{"127.0.0.1:0", "slack:\n  signing_secret: s\n  bot_token: xoxb-1\n  api_url: http://127.0.0.1:1/api\n", "must end with /"},
		{"", "slack:\n  signing_secret: s\n  bot_token: xoxb-1\n", "http mode needs http.listen"},
	}
	for _, tc := range tests {
		c, _ := slackCLI(slackTestConfig(t, tc.listen, tc.yaml))
		a, err := c.app(true)
		if a != nil {
			a.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want %q", tc.yaml, err, tc.want)
		}
	}
	// Disabled: nothing is checked, nothing is wired.
	c, _ := slackCLI(slackTestConfig(t, "", "slack:\n  enabled: false\n  mode: nonsense\n"))
	a, err := c.app(true)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Bot.Notify.Poster(slack.Platform) != nil {
		t.Error("a disabled adapter was wired")
	}
}

// TestSlackWiring: the secrets come from the environment, the endpoints
// are on the app's handler (behind its body limit) and check signatures,
// and the adapter is the bot's Slack poster.
func TestSlackWiring(t *testing.T) {
	fake := slacktest.New()
	defer fake.Close()
	t.Setenv("SLACK_SIGNING_SECRET", slacktest.SigningSecret)
	t.Setenv("SLACK_BOT_TOKEN", slacktest.BotToken)
	c, _ := slackCLI(slackTestConfig(t, "127.0.0.1:0", "slack:\n  api_url: "+fake.APIURL()+"\n  ops_channel: C0OPS\n  team_ids: ["+slacktest.TeamID+"]\n  app_id: "+slacktest.AppID+"\n"))
	a, err := c.app(true)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	p := a.Bot.Notify.Poster(slack.Platform)
	if p == nil || p.OpsChannel() != "C0OPS" {
		t.Fatalf("poster: %v", p)
	}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	body := slacktest.SlashCommand{UserID: "U1", ChannelID: "C1", Text: "help"}.Body()
	for _, tc := range []struct {
		secret string
		want   int
	}{{slacktest.SigningSecret, http.StatusOK}, {"wrong", http.StatusUnauthorized}} {
		req, _ := slacktest.SignedRequest(context.Background(), srv.URL+slack.PathCommands, tc.secret, slacktest.Form, body, time.Now())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("secret %q: %d, want %d", tc.secret, res.StatusCode, tc.want)
		}
	}
	res, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var m bytes.Buffer
	m.ReadFrom(res.Body)
	res.Body.Close()
	if !strings.Contains(m.String(), `itbot_slack_inbound_total{endpoint="commands",outcome="journaled"} 1`) {
		t.Errorf("metrics lack the slack counters")
	}
}

func TestSlackManifest(t *testing.T) {
	c, out := slackCLI("")
	if err := cmdSlack(c, []string{"manifest", "--url", "https://itbot.lgia.gov.lv/"}); err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct{ Command, URL string } `yaml:"slash_commands"`
		}
		OAuth struct {
			Scopes struct{ Bot []string }
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				RequestURL string   `yaml:"request_url"`
				BotEvents  []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				IsEnabled  bool   `yaml:"is_enabled"`
				RequestURL string `yaml:"request_url"`
			}
			Socket bool `yaml:"socket_mode_enabled"`
		}
	}
	if err := yaml.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m.Features.SlashCommands[0].Command != "/it" || m.Features.SlashCommands[0].URL != "https://itbot.lgia.gov.lv/slack/commands" ||
		m.Settings.Events.RequestURL != "https://itbot.lgia.gov.lv/slack/events" || m.Settings.Interactivity.RequestURL != "https://itbot.lgia.gov.lv/slack/interactions" ||
		m.Settings.Socket || strings.Join(m.Settings.Events.BotEvents, ",") != "app_mention,message.im" {
		t.Errorf("manifest: %+v", m)
	}
	if strings.Join(m.OAuth.Scopes.Bot, ",") != strings.Join(slack.RequiredScopes, ",") {
		t.Errorf("manifest scopes %v, the adapter needs %v", m.OAuth.Scopes.Bot, slack.RequiredScopes)
	}

	c, out = slackCLI("")
	if err := cmdSlack(c, []string{"manifest", "--socket"}); err != nil {
		t.Fatal(err)
	}
	m.Settings.Events.RequestURL, m.Settings.Interactivity.RequestURL = "", ""
	if err := yaml.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if !m.Settings.Socket || strings.Contains(out.String(), "url: https://") || !m.Settings.Interactivity.IsEnabled {
		t.Errorf("socket manifest:\n%s", out)
	}
	if err := cmdSlack(c, []string{"manifest", "--url", "http://plain.example"}); err == nil {
		t.Error("an http URL was accepted")
	}
}

func TestSlackCheck(t *testing.T) {
	fake := slacktest.New()
	defer fake.Close()
	t.Setenv("SLACK_BOT_TOKEN", slacktest.BotToken)
	cfg := slackTestConfig(t, "", "slack:\n  signing_secret: s\n  api_url: "+fake.APIURL()+"\n")
	c, out := slackCLI(cfg)
	if err := cmdSlack(c, []string{"check"}); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out.String(), "bot user:  "+slacktest.BotUserID) || !strings.Contains(out.String(), "every scope") {
		t.Errorf("check output:\n%s", out)
	}
	fake.SetScopes("chat:write,commands")
	c, out = slackCLI(cfg)
	err := cmdSlack(c, []string{"check"})
	if err == nil || !strings.Contains(err.Error(), "users:read.email") {
		t.Errorf("missing scopes: %v\n%s", err, out)
	}
}
