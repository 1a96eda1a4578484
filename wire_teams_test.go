package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"itbot/adapters/teams/teamstest"
)

func teamsConfig(t *testing.T, em *teamstest.Server) (*Config, string) {
	t.Helper()
	t.Setenv(envTeamsSecret, teamstest.Secret)
	dir := t.TempDir()
	path := filepath.Join(dir, "itbot.yaml")
	body := "data: " + filepath.Join(dir, "itbot.db") + "\nhttp:\n  listen: 127.0.0.1:0\nweb:\n  enabled: false\nteams:\n  enabled: true\n  app_id: " + teamstest.AppID +
		"\n  tenant_id: " + teamstest.TenantID + "\n  token_url: " + em.TokenURL() + "\n  metadata_url: " + em.MetadataURL() + "\n  web_url: https://itbot.example.lv\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path, true)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, path
}

// With the section on, itbot serve answers the Bot Connector on
// /teams/messages (a signed activity is taken, a forged one refused), and
// `itbot teams check|manifest` work against the emulator.
func TestTeamsWiring(t *testing.T) {
	em := teamstest.New()
	defer em.Close()
	em.AddMember("29:anna", "aad-anna", "anna.berzina@lgia.gov.lv", "Anna Bērziņa")
	cfg, path := teamsConfig(t, em)
	a, err := NewApp(context.Background(), cfg, slog.New(slog.DiscardHandler), io.Discard, true)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Serve(ctx, nil); close(done) }()
	srv := httptest.NewServer(a.Handler())
	body := em.Activity(teamstest.Message{ID: "w-1", Conversation: "a:anna", From: "29:anna", FromAAD: "aad-anna", Text: "/it whoami"})
	if code := em.Deliver(srv.URL+"/teams/messages", body, ""); code != http.StatusUnauthorized {
		t.Errorf("unsigned: %d", code)
	}
	if code := em.Deliver(srv.URL+"/teams/messages", body, em.Sign(em.URL(), teamstest.Token{})); code != http.StatusOK {
		t.Errorf("signed: %d", code)
	}
	srv.Close()
	cancel()
	<-done
	a.Close()

	out := run(t, "--config", path, "teams", "check")
	if !strings.Contains(out, teamstest.AppID) {
		t.Errorf("teams check: %s", out)
	}
	zipPath := filepath.Join(t.TempDir(), "itbot-teams.zip")
	run(t, "--config", path, "teams", "manifest", "--out", zipPath)
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string]bool{}
	var manifest map[string]any
	for _, f := range zr.File {
		files[f.Name] = true
		if f.Name == "manifest.json" {
			rc, _ := f.Open()
			json.NewDecoder(rc).Decode(&manifest)
			rc.Close()
		}
	}
	if !files["color.png"] || !files["outline.png"] || manifest["id"] != teamstest.AppID {
		t.Fatalf("package %v, manifest %v", files, manifest)
	}
	bots, _ := manifest["bots"].([]any)
	if len(bots) != 1 || bots[0].(map[string]any)["botId"] != teamstest.AppID {
		t.Errorf("bots %v", bots)
	}
}
