package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"itbot/bot"
	"itbot/store"
)

// writeConfig writes a config with the data file in a temp dir and no
// HTTP server, and returns its path.
func writeConfig(t *testing.T) (cfgPath, dataPath string) {
	t.Helper()
	dir := t.TempDir()
	dataPath = filepath.Join(dir, "itbot.db")
	cfgPath = filepath.Join(dir, "itbot.yaml")
	cfg := "data: " + dataPath + "\nhttp:\n  listen: \"\"\nconsole:\n  files: " + filepath.Join(dir, "files") + "\nlog:\n  file: " + filepath.Join(dir, "itbot.log") + "\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath, dataPath
}

func run(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := runMain(context.Background(), args, strings.NewReader(""), &out, &errb); err != nil {
		t.Fatalf("itbot %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

func TestOneShotRunAndCLI(t *testing.T) {
	cfg, data := writeConfig(t)
	out := run(t, "--config", cfg, "run", "--as", "anna.berzina@lgia.gov.lv", "/it licence assign peteris.kalnins@lgia.gov.lv E3")
	if !strings.Contains(out, "IT-2026-") || !strings.Contains(out, "gaida apstiprinājumu") {
		t.Fatalf("create: %s", out)
	}
	id := strings.Fields(out[strings.Index(out, "IT-2026-"):])[0]
	out = run(t, "--config", cfg, "run", "--as", "ilze.liepa@lgia.gov.lv", "/it approve "+id)
	if !strings.Contains(out, "izpildīts") {
		t.Fatalf("approve: %s", out)
	}
	out = run(t, "--config", cfg, "requests", "--state", "done")
	if !strings.Contains(out, id+"\tdone\tlicence.assign\tLGIA\tanna.berzina@lgia.gov.lv") {
		t.Fatalf("requests: %q", out)
	}
	out = run(t, "--config", cfg, "show", id)
	if !strings.Contains(out, "History:") || !strings.Contains(out, "Approved by ilze.liepa@lgia.gov.lv") {
		t.Fatalf("show: %s", out)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	run(t, "--config", cfg, "backup", backup)
	st, err := store.Open(backup)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.Request(context.Background(), id)
	if err != nil || r.State != bot.StateDone {
		t.Fatalf("backup copy: %+v %v", r, err)
	}
	if _, err := os.Stat(data); err != nil {
		t.Fatal(err)
	}
	if v := run(t, "version"); !strings.HasPrefix(v, "itbot ") {
		t.Fatalf("version: %q", v)
	}
}

func TestCLIErrors(t *testing.T) {
	cfg, _ := writeConfig(t)
	var out, errb bytes.Buffer
	ctx := context.Background()
	cases := [][]string{
		{"--config", cfg, "run", "--as", "nobody@lgia.gov.lv", "/it help"},
		{"--config", cfg, "run", "/it help"},
		{"--config", cfg, "show", "nonsense"},
		{"--config", cfg, "frobnicate"},
		{"--config", filepath.Join(t.TempDir(), "missing.yaml"), "requests"},
	}
	for _, args := range cases {
		if err := runMain(ctx, args, strings.NewReader(""), &out, &errb); err == nil {
			t.Errorf("itbot %v: want an error", args)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("nosuchkey: 1\n"), 0o600)
	if err := runMain(ctx, []string{"--config", bad, "requests"}, nil, &out, &errb); err == nil || !strings.Contains(err.Error(), "nosuchkey") {
		t.Errorf("unknown config key: %v", err)
	}
}

func TestHTTPEndpoints(t *testing.T) {
	cfgPath, _ := writeConfig(t)
	cfg, err := LoadConfig(cfgPath, true)
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewApp(context.Background(), cfg, newLogger(cfg, io.Discard), io.Discard, false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": "itbot_open_requests"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d %q", path, resp.StatusCode, body)
		}
	}
}

func TestConsoleSessionEndsAtEOF(t *testing.T) {
	cfg, _ := writeConfig(t)
	var out bytes.Buffer
	err := runMain(context.Background(), []string{"--config", cfg}, strings.NewReader("/it whoami\n"), &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "SMILŠKASTE") || !strings.Contains(out.String(), "Anna Bērziņa <anna.berzina@lgia.gov.lv>") {
		t.Fatalf("session: %s", out.String())
	}
}

func TestSectionsDecodeStrictly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte("sla:\n  polcy: {}\n"), 0o600)
	cfg, err := LoadConfig(path, true)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Policy map[string]string `yaml:"policy"`
	}
	if _, err := cfg.Section("sla", &v); err == nil || !strings.Contains(err.Error(), "polcy") {
		t.Fatalf("misspelt key accepted: %v", err)
	}
}

// TestListenWhenThePortIsTaken: a busy default address falls back to a
// free port (and says which was taken); a busy address the configuration
// chose is an error that says what to do.
func TestListenWhenThePortIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg := DefaultConfig()
	cfg.HTTP.Listen = taken.Addr().String() // as if it were the default and busy
	ln, busy, err := Listen(cfg)
	if err != nil || ln == nil || busy != taken.Addr().String() || ln.Addr().String() == busy {
		t.Fatalf("default address taken: %v %q %v", ln, busy, err)
	}
	ln.Close()

	dir := t.TempDir()
	path := filepath.Join(dir, "itbot.yaml")
	os.WriteFile(path, []byte("http:\n  listen: "+taken.Addr().String()+"\n"), 0o600)
	cfg, err = LoadConfig(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.HTTP.ListenSet {
		t.Fatal("http.listen in the file is not marked as chosen")
	}
	if ln, _, err := Listen(cfg); err == nil || !strings.Contains(err.Error(), "http.listen") {
		if ln != nil {
			ln.Close()
		}
		t.Fatalf("a chosen busy address: %v", err)
	}
	// A file without http.listen keeps the default, not chosen.
	os.WriteFile(path, []byte("data: "+filepath.Join(dir, "x.db")+"\n"), 0o600)
	if cfg, err := LoadConfig(path, true); err != nil || cfg.HTTP.ListenSet || cfg.HTTP.Listen != "127.0.0.1:8080" {
		t.Fatalf("default listen: %+v %v", cfg.HTTP, err)
	}
}

// TestSandboxKeepsWhatItDid: the emulated tenant starts afresh at each
// start, but is rebuilt from the done requests, so what an earlier run
// created is there in the next.
func TestSandboxKeepsWhatItDid(t *testing.T) {
	cfg, _ := writeConfig(t)
	out := run(t, "--config", cfg, "run", "--as", "ilze.liepa@lgia.gov.lv", "/it shared create projekti@lgia.gov.lv")
	if !strings.Contains(out, "IT-2026-000001") {
		t.Fatalf("first run:\n%s", out)
	}
	if out := run(t, "--config", cfg, "show", "IT-2026-000001"); !strings.Contains(out, "done") && !strings.Contains(out, "Done") {
		t.Fatalf("the shared mailbox was not made:\n%s", out)
	}
	// A new start: the mailbox still exists, so a member can be added.
	out = run(t, "--config", cfg, "run", "--as", "ilze.liepa@lgia.gov.lv", "/it shared add projekti@lgia.gov.lv janis.ozols@lgia.gov.lv")
	if !strings.Contains(out, "IT-2026-000002") {
		t.Fatalf("second run:\n%s", out)
	}
	show := run(t, "--config", cfg, "show", "IT-2026-000002")
	if strings.Contains(show, "not found") || strings.Contains(show, "nav atrasta") || (!strings.Contains(show, "done") && !strings.Contains(show, "Done")) {
		t.Errorf("the member was not added to the mailbox made in the earlier run:\n%s", show)
	}
}
