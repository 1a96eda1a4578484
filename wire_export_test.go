package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
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

// `itbot sla report` in the three formats.
func TestSLAReportCLI(t *testing.T) {
	cfg, _ := writeConfig(t)
	run(t, "--config", cfg, "run", "--as", "ilze.liepa@lgia.gov.lv", "/it konsultācija Kā kopīgot kalendāru?")
	text := run(t, "--config", cfg, "sla", "report", "--lang", "en")
	if !strings.Contains(text, "SLA compliance") || !strings.Contains(text, "received 1") {
		t.Errorf("text: %s", text)
	}
	if csv := run(t, "--config", cfg, "sla", "report", "--format", "csv", "--institution", "lgia"); !strings.HasPrefix(csv, "\ufeffMēnesis;") {
		t.Errorf("csv: %q", csv)
	}
	var rep struct {
		Total struct{ Received int } `json:"total"`
	}
	if err := json.Unmarshal([]byte(run(t, "--config", cfg, "sla", "report", "--format", "json")), &rep); err != nil || rep.Total.Received != 1 {
		t.Errorf("json: %+v %v", rep, err)
	}
	png := filepath.Join(t.TempDir(), "sla.png")
	run(t, "--config", cfg, "sla", "report", "--chart", png)
	if b, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("chart: %v", err)
	}
	var o, e strings.Builder
	if err := runMain(t.Context(), []string{"--config", cfg, "sla", "report", "--format", "pdf"}, strings.NewReader(""), &o, &e); err == nil {
		t.Error("an unknown format was taken")
	}
}
