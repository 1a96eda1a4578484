package main

import (
	"encoding/json"
	"strings"
	"testing"

	"itbot/bot/export"
)

// `itbot export` prints one JSON line per request, filtered by institution.
func TestExportCLI(t *testing.T) {
	cfg, _ := writeConfig(t)
	run(t, "--config", cfg, "run", "--as", "anna.berzina@lgia.gov.lv", "/it licence assign janis.ozols@lgia.gov.lv E3")
	out := run(t, "--config", cfg, "export", "--institution", "lgia", "--from", "2020-01-01")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d lines: %q", len(lines), out)
	}
	var l export.Line
	if err := json.Unmarshal([]byte(lines[0]), &l); err != nil || l.Format != export.Version || l.Params["user"] != "janis.ozols@lgia.gov.lv" || len(l.Events) < 2 {
		t.Fatalf("line %q: %v", lines[0], err)
	}
	if out := run(t, "--config", cfg, "export", "--institution", "VVD"); strings.TrimSpace(out) != "" {
		t.Errorf("VVD: %q", out)
	}
	var o, e strings.Builder
	if err := runMain(t.Context(), []string{"--config", cfg, "export", "--from", "2026-13-01"}, strings.NewReader(""), &o, &e); err == nil {
		t.Error("a bad date was taken")
	}
}
