package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"itbot/bot"
	"itbot/bot/slaclock"
)

// writeSLAConfig writes a config like writeConfig's with an sla section.
func writeSLAConfig(t *testing.T, section string) string {
	t.Helper()
	cfg, _ := writeConfig(t)
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(section); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func runErr(args ...string) (string, error) {
	var out, errb bytes.Buffer
	err := runMain(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), err
}

func TestCalendarAndDueSubcommands(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("bot", "calendar", "testdata", "2026.golden"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := writeConfig(t)
	if got := run(t, "--config", cfg, "calendar", "2026"); got != string(want) {
		t.Errorf("itbot calendar 2026 differs from bot/calendar/testdata/2026.golden:\n%s", got)
	}
	if got := run(t, "--config", cfg, "calendar", "2026", "--no-transfers"); strings.Contains(got, "transferred") {
		t.Errorf("--no-transfers still lists transfers:\n%s", got)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--at", "2026-12-23T16:30"}, "2026-12-28T16:30:00+02:00"},
		{[]string{"--at", "2026-06-19T12:00"}, "2026-06-25T12:00:00+03:00"},
		{[]string{"--at", "2026-06-19T12:00", "--no-transfers"}, "2026-06-22T12:00:00+03:00"},
		{[]string{"--at", "2026-11-23T10:00", "--pause", "2026-11-23T14:00/2026-11-25T09:00"}, "2026-11-25T15:00:00+02:00"},
		{[]string{"--at", "2026-11-23T10:00", "--policy", "4h"}, "2026-11-23T14:00:00+02:00"},
	}
	for _, tt := range tests {
		got := run(t, append([]string{"--config", cfg, "sla", "due"}, tt.args...)...)
		if strings.TrimSpace(got) != tt.want {
			t.Errorf("itbot sla due %v: %q, want %q", tt.args, got, tt.want)
		}
	}
}

// The configured calendar is the one the subcommands and the bot use.
func TestSLASectionConfiguresCalendar(t *testing.T) {
	cfg := writeSLAConfig(t, `sla:
  calendar:
    extra_days_off:
      - {date: 2026-11-24, name_lv: "Iestādes brīvdiena", name_en: "Agency day off"}
  policies: {info.request: 2d}
`)
	if got := run(t, "--config", cfg, "calendar", "2026"); !strings.Contains(got, "2026-11-24\tdayoff\t-\tIestādes brīvdiena / Agency day off") {
		t.Errorf("calendar without the configured day off:\n%s", got)
	}
	if got := run(t, "--config", cfg, "sla", "due", "--at", "2026-11-23T10:00"); strings.TrimSpace(got) != "2026-11-25T10:00:00+02:00" {
		t.Errorf("sla due over the configured day off: %q", got)
	}
	out := run(t, "--config", cfg, "run", "--as", "anna.berzina@lgia.gov.lv", "/it consult test")
	if !strings.Contains(out, "IT-2026-") {
		t.Fatalf("run: %s", out)
	}
}

func TestSLASectionErrors(t *testing.T) {
	tests := []struct{ section, want string }{
		{"sla:\n  policies: {consult: soon}\n", `invalid policy "soon"`},
		{"sla:\n  reminder: {lead: 1h}\n", "field reminder not found"},
		{"sla:\n  reminders: {shares: [120]}\n", "share 120%"},
		{"sla:\n  calendar: {extra_transfers: [{dayoff: 2027-05-03, workday: 2027-05-04}]}\n", "calendar"},
	}
	for _, tt := range tests {
		cfg := writeSLAConfig(t, tt.section)
		_, err := runErr("--config", cfg, "run", "--as", "anna.berzina@lgia.gov.lv", "/it help")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one with %q", tt.section, err, tt.want)
		}
	}
	cfg, _ := writeConfig(t)
	if _, err := runErr("--config", cfg, "sla", "when"); err == nil || !strings.Contains(err.Error(), "usage: itbot sla due") {
		t.Errorf("itbot sla when: %v", err)
	}
	if _, err := runErr("--config", cfg, "sla", "due"); err == nil || !strings.Contains(err.Error(), "--at is required") {
		t.Errorf("itbot sla due without --at: %v", err)
	}
}

// In serve mode the bot gets the business clock, the scheduler's loop and
// its wake-up hook; one-shot commands get the clock only.
func TestSLAWiring(t *testing.T) {
	for _, serving := range []bool{false, true} {
		cfgPath, _ := writeConfig(t)
		cfg, err := LoadConfig(cfgPath, true)
		if err != nil {
			t.Fatal(err)
		}
		a, err := NewApp(context.Background(), cfg, slog.New(slog.DiscardHandler), io.Discard, serving)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := a.Bot.SLA.(*slaclock.Clock); !ok {
			t.Errorf("serving=%v: SLA clock %T, want *slaclock.Clock", serving, a.Bot.SLA)
		}
		if got := a.Bot.OnChange != nil; got != serving {
			t.Errorf("serving=%v: OnChange set = %v", serving, got)
		}
		a.Close()
	}
}

// The sla section of itbot.example.yaml is valid and gives the defaults.
func TestExampleSLASection(t *testing.T) {
	cfg, err := LoadConfig("itbot.example.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := slaConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	k, err := slaclock.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	def, _ := slaclock.New(slaclock.Config{})
	for _, typ := range []string{"consult", "licence.assign"} {
		if got, want := k.Policy(bot.Type(typ)), def.Policy(bot.Type(typ)); got != want {
			t.Errorf("%s: example policy %s, default %s", typ, got, want)
		}
	}
}
