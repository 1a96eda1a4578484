package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"itbot/adapters/dvs"
	"itbot/bot"
	"itbot/bot/availability"
	"itbot/store"
)

// dvsTestConfig writes a config (data in a temp dir, no HTTP, log to a
// file) with extra YAML appended.
func dvsTestConfig(t *testing.T, extra string) (cfgPath, dataPath string) {
	t.Helper()
	dir := t.TempDir()
	dataPath = filepath.Join(dir, "itbot.db")
	cfgPath = filepath.Join(dir, "itbot.yaml")
	cfg := "data: " + dataPath + "\nhttp:\n  listen: \"\"\nconsole:\n  files: " + filepath.Join(dir, "files") +
		"\nlog:\n  file: " + filepath.Join(dir, "itbot.log") + "\n" + extra
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath, dataPath
}

func dvsRunMain(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := runMain(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String() + errb.String(), err
}

func TestDVSConfigErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"dvs:\n  urll: https://x\n", "field urll not found"},
		{"dvs:\n  backup_at: \"25:00\"\n", "backup_at"},
		{"dvs:\n  backup_max_age: 0s\n", "backup_max_age must be positive"},
		{"dvs:\n  timeout: -1s\n", "must not be negative"},
		{"dvs:\n  url: dvs.example.lv\n", "want http(s)://host/path"},
		{"availability:\n  dvs: 100\n", "a target is a percentage below 100"},
		{"availability:\n  exchange: -1\n", "a target is a percentage below 100"},
		{"availability:\n  probe_interval: 1s\n", "too short"},
		{"availability:\n  alert_after: 0\n", "alert_after"},
		{"availability:\n  target: 99\n", "field target not found"},
	}
	for _, tc := range tests {
		cfg, _ := dvsTestConfig(t, tc.yaml)
		out, err := dvsRunMain(t, "--config", cfg, "run", "--as", "anna.berzina@lgia.gov.lv", "/it statuss")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v (out %q), want %q", tc.yaml, err, out, tc.want)
		}
	}
}

func TestDVSSandboxWiring(t *testing.T) {
	cfg, _ := dvsTestConfig(t, "dvs:\n  backup_at: \"03:15\"\n  backup_max_age: 48h\navailability:\n  dvs: 99.0\n")
	c := &cli{ctx: context.Background(), cfgPath: cfg, cfgGiven: true, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	a, err := c.app(true)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	client, ok := a.Bot.DVS.(*dvs.Client)
	if !ok {
		t.Fatalf("a.Bot.DVS is %T, want the real client (on the sandbox simulator)", a.Bot.DVS)
	}
	if !strings.HasPrefix(client.BaseURL(), "http://127.0.0.1:") {
		t.Errorf("base url %s", client.BaseURL())
	}
	h, err := client.Health(context.Background())
	if err != nil || !h.Up {
		t.Errorf("health %+v %v", h, err)
	}
	if a.Deps.BackupMaxAge != 48*time.Hour || a.Deps.ServiceStatus == nil {
		t.Errorf("deps: %v %v", a.Deps.BackupMaxAge, a.Deps.ServiceStatus != nil)
	}
	if n := len(a.loops); n < 3 { // the SLA scheduler, the backup job, the monitor
		t.Errorf("%d loops", n)
	}
	mfs, err := a.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, mf := range mfs {
		if mf.GetName() == "itbot_service_up" && len(mf.GetMetric()) == 2 {
			found = true
		}
	}
	if !found {
		t.Error("no itbot_service_up metric for both services")
	}
}

func TestDVSCommandsEndToEnd(t *testing.T) {
	cfg, _ := dvsTestConfig(t, "")
	out, err := dvsRunMain(t, "--config", cfg, "run", "--as", "ilze.liepa@lgia.gov.lv", "/it dvs kopija 2026-10-01 2026-10-31")
	if err != nil {
		t.Fatal(err, out)
	}
	for _, w := range []string{"(0%)", "(100%)", "SHA-256 kontrolsumma:", "izpildīts"} {
		if !strings.Contains(out, w) {
			t.Fatalf("copy output lacks %q:\n%s", w, out)
		}
	}
	out, err = dvsRunMain(t, "--config", cfg, "run", "--as", "admin@vraa.gov.lv", "/it status")
	if err != nil || !strings.Contains(out, "Service availability — ") || !strings.Contains(out, "DVS: ❔ state unknown") {
		t.Fatalf("status: %v\n%s", err, out)
	}
}

func TestAvailabilitySubcommand(t *testing.T) {
	cfg, data := dvsTestConfig(t, "ops_language: en\n")
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	s := availability.NewStore(st)
	riga := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, bot.TimeZone) }
	ctx := context.Background()
	for _, svc := range []string{"dvs", "exchange"} {
		if err := s.Fill(ctx, svc, riga(10, 1, 0, 0), riga(11, 1, 0, 30), availability.Up); err != nil {
			t.Fatal(err)
		}
	}
	// An outage across the end of October (and of summer time's month).
	s.Fill(ctx, "dvs", riga(10, 31, 23, 40), riga(11, 1, 0, 10), availability.Down)
	st.Close()
	pngPath := filepath.Join(t.TempDir(), "oct.png")
	out, err := dvsRunMain(t, "--config", cfg, "availability", "--month", "2026-10", "--chart", pngPath)
	if err != nil {
		t.Fatal(err, out)
	}
	for _, w := range []string{"Service availability — October 2026", "DVS:\n  Availability: 99.95 % (target 99.5 %) ✓",
		"2026-10-31 23:40 – 2026-11-01 00:00 · 20 min · went on into the next month", "Exchange Online:\n  Availability: 100.00 %", "oct.png"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	b, err := os.ReadFile(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	out, err = dvsRunMain(t, "--config", cfg, "availability", "--month", "2026-10", "--lang", "lv")
	if err != nil || !strings.Contains(out, "Pakalpojumu pieejamība — 2026. gada oktobris") {
		t.Errorf("lv: %v\n%s", err, out)
	}
	for _, bad := range [][]string{{"--month", "nov"}, {"--lang", "de"}, {"extra"}} {
		if _, err := dvsRunMain(t, append([]string{"--config", cfg, "availability"}, bad...)...); err == nil {
			t.Errorf("availability %v: no error", bad)
		}
	}
}

// The dvs and availability sections of itbot.example.yaml are valid and
// give the defaults.
func TestDVSExampleConfig(t *testing.T) {
	cfg, err := LoadConfig("itbot.example.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	d, err := readDVSConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if d.URL != "" || d.TokenEnv != "ITBOT_DVS_TOKEN" || d.Timeout != 10*time.Second || d.BackupAt != "02:30" || d.BackupMaxAge != 24*time.Hour {
		t.Errorf("dvs %+v", d)
	}
	a, err := readAvailabilityConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if a.DVS != 99.5 || a.Exchange != 99.9 || a.ProbeInterval != time.Minute || a.AlertAfter != 2 {
		t.Errorf("availability %+v", a)
	}
}
