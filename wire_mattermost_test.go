package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"go.yaml.in/yaml/v3"

	"itbot/adapters/mattermost"
	"itbot/adapters/mattermost/mmtest"
	"itbot/store"
)

func TestMattermostSubcommand(t *testing.T) {
	mm := mmtest.New(t)
	team := mm.AddTeam("varam")
	_, tok := mm.AddUser("itbot", "", true)
	mm.AddUser("ilze.liepa", "ilze.liepa@lgia.gov.lv", false)
	mm.AddUser("anna.berzina", "anna.berzina@lgia.gov.lv", false)
	ops := mm.AddChannel(team.Id, "it-operatori", model.ChannelTypeOpen)

	cfg, data := writeConfig(t)
	t.Setenv(envMattermostToken, tok)
	t.Setenv(envMattermostCommand, "cmdtoken0123456789abcdefgh")
	t.Setenv(envMattermostSecret, strings.Repeat("k", 40))
	appendFile(t, cfg, "mattermost:\n  url: "+mm.URL()+"\n  public_url: https://itbot.example.gov.lv\n  team: varam\n  ops_channel: it-operatori\n")

	// check runs beside a serving itbot: it does not open the data file
	// (which the running itbot holds locked).
	held, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, "--config", cfg, "mattermost", "check")
	held.Close()
	for _, want := range []string{"@itbot", "bot account", ops.Id, "https://itbot.example.gov.lv/mattermost/command", "/mattermost/actions", "/mattermost/dialog"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	out = run(t, "--config", cfg, "mattermost", "link")
	if !strings.Contains(out, "linked 2 people") || !strings.Contains(out, "no Mattermost account: kristaps.lapsa@vraa.gov.lv") {
		t.Errorf("link output:\n%s", out)
	}
	// The links are stored: a second run has nothing to do.
	if out = run(t, "--config", cfg, "mattermost", "link"); !strings.Contains(out, "linked 0 people") {
		t.Errorf("second link:\n%s", out)
	}

	// A mistyped key and a missing secret are configuration errors.
	var stdout, stderr bytes.Buffer
	bad, _ := writeConfig(t)
	appendFile(t, bad, "mattermost:\n  url: "+mm.URL()+"\n  public_url: https://itbot.example.gov.lv\n  tokn: x\n")
	if err := runMain(context.Background(), []string{"--config", bad, "mattermost", "check"}, strings.NewReader(""), &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "tokn") {
		t.Errorf("mistyped key: %v", err)
	}
	t.Setenv(envMattermostSecret, "short")
	if err := runMain(context.Background(), []string{"--config", cfg, "mattermost", "check"}, strings.NewReader(""), &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "ITBOT_MATTERMOST_ACTION_SECRET") {
		t.Errorf("short secret: %v", err)
	}
	if strings.Contains(stdout.String()+stderr.String(), tok) {
		t.Error("the token was printed")
	}
}

// The mattermost section of itbot.example.yaml is valid: off as shipped,
// and complete once enabled with the secrets in the environment.
func TestMattermostExampleSection(t *testing.T) {
	cfg, err := LoadConfig("itbot.example.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := readMattermostConfig(cfg); err != nil || ok {
		t.Fatalf("shipped section: ok=%v err=%v, want off", ok, err)
	}
	var mc mattermost.Config
	if err := strictSection(cfg, "mattermost", &mc); err != nil {
		t.Fatal(err)
	}
	on := true
	mc.Enabled = &on
	var n yaml.Node
	if err := n.Encode(&mc); err != nil {
		t.Fatal(err)
	}
	cfg.Sections["mattermost"] = n
	t.Setenv(envMattermostToken, "tok")
	t.Setenv(envMattermostCommand, "cmd1, cmd2")
	t.Setenv(envMattermostSecret, strings.Repeat("s", 32))
	got, ok, err := readMattermostConfig(cfg)
	if err != nil || !ok || got.Team != "varam" || got.OpsChannel != "it-operatori" || got.ActionMaxAge != 720*time.Hour {
		t.Fatalf("enabled section: %+v ok=%v err=%v", got, ok, err)
	}
}
