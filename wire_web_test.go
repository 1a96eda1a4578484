package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// webConfigFile writes a configuration with an HTTP listener and extra.
func webConfigFile(t *testing.T, extra string) *Config {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "itbot.yaml")
	body := "data: " + filepath.Join(dir, "itbot.db") + "\nhttp:\n  listen: 127.0.0.1:0\n" + extra
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path, true)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// In sandbox mode itbot serve has the web console on its listener, and
// its changes reach both the SLA scheduler and the console's open pages.
func TestWebConsoleWiring(t *testing.T) {
	cfg := webConfigFile(t, "")
	a, err := NewApp(context.Background(), cfg, slog.New(slog.DiscardHandler), io.Discard, true)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Web == nil {
		t.Fatal("no web console in sandbox mode")
	}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "anna.berzina@lgia.gov.lv") || res.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("/signin: %d\n%s", res.StatusCode, body)
	}
	for path, want := range map[string]string{"/healthz": "ok", "/metrics": "itbot_open_requests"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(b), want) {
			t.Errorf("%s beside the console: %q", path, b)
		}
	}
	if a.Web.Hub().Len() != 0 || a.Bot.OnChange == nil {
		t.Errorf("change hook not wired")
	}
}

// Outside sandbox mode the console needs a way to sign in; the message
// says which settings.
func TestWebConsoleNeedsSignIn(t *testing.T) {
	cfg := webConfigFile(t, "sandbox: false\nweb:\n  enabled: true\n")
	_, err := NewApp(context.Background(), cfg, slog.New(slog.DiscardHandler), io.Discard, true)
	if err == nil || !strings.Contains(err.Error(), "web.oidc") {
		t.Fatalf("no sign-in configured: %v", err)
	}
	cfg = webConfigFile(t, "sandbox: false\nweb:\n  enabled: true\n  oidc:\n    issuer: https://login.microsoftonline.com/t/v2.0\n    client_id: c\n")
	os.Unsetenv(envWebSecret)
	if _, err := NewApp(context.Background(), cfg, slog.New(slog.DiscardHandler), io.Discard, true); err == nil || !strings.Contains(err.Error(), "public_url") {
		t.Fatalf("oidc without public_url: %v", err)
	}
}

// The web section of itbot.example.yaml is valid.
func TestWebExampleSection(t *testing.T) {
	cfg, err := LoadConfig("itbot.example.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	wc, err := readWebConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if wc.Enabled == nil || !*wc.Enabled || wc.SessionHours != 12 || wc.OIDC.Issuer != "" {
		t.Errorf("web %+v", wc)
	}
}
