package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"itbot/adapters/mailbox"
)

// The example's mailbox section is valid, leaves the adapter off and
// matches the defaults.
func TestExampleMailboxSection(t *testing.T) {
	cfg, err := LoadConfig("itbot.example.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	var mc mailbox.Config
	if err := strictSection(cfg, "mailbox", &mc); err != nil {
		t.Fatal(err)
	}
	d, def := mc.WithDefaults(), mailbox.Config{}.WithDefaults()
	if d.PollInterval != def.PollInterval || d.ProcessedFolder != def.ProcessedFolder || d.ReviewFolder != def.ReviewFolder ||
		d.RepliesPerHour != def.RepliesPerHour || d.PageSize != def.PageSize || d.InitialBacklog != def.InitialBacklog || d.MaxWait != def.MaxWait {
		t.Errorf("example %+v differs from the defaults %+v", d, def)
	}
	if _, ok, err := readMailboxConfig(cfg); ok || err != nil {
		t.Fatalf("the example turns the mailbox on: %v", err)
	}
}

// The Graph credentials come from the exchange section unless the mailbox
// section gives its own; a misspelt key is an error.
func TestMailboxConfig(t *testing.T) {
	load := func(extra string) (*Config, error) {
		cfg, _ := writeConfig(t)
		appendFile(t, cfg, extra)
		return LoadConfig(cfg, true)
	}
	cfg, err := load("exchange:\n  tenant_id: T\n  client_id: C\n  client_secret: S\n  graph_base_url: https://graph.example/v1.0\nmailbox:\n  address: IT@vraa.gov.lv\n")
	if err != nil {
		t.Fatal(err)
	}
	mc, ok, err := readMailboxConfig(cfg)
	if err != nil || !ok || mc.TenantID != "T" || mc.ClientID != "C" || mc.ClientSecret != "S" || mc.GraphBaseURL != "https://graph.example/v1.0" {
		t.Fatalf("%+v %v %v", mc, ok, err)
	}
	cfg, _ = load("exchange:\n  tenant_id: T\n  client_id: C\n  client_secret: S\nmailbox:\n  address: it@vraa.gov.lv\n  tenant_id: T2\n  client_id: C2\n  certificate_path: /x.pem\n")
	if mc, _, _ = readMailboxConfig(cfg); mc.TenantID != "T2" || mc.ClientSecret != "" || mc.CertificatePath != "/x.pem" {
		t.Fatalf("own credentials: %+v", mc)
	}
	cfg, _ = load("mailbox:\n  adress: it@vraa.gov.lv\n")
	if _, _, err := readMailboxConfig(cfg); err == nil || !strings.Contains(err.Error(), "adress") {
		t.Fatalf("misspelt key: %v", err)
	}
	cfg, _ = load("exchange:\n  tenant_id: T\n  client_id: C\nmailbox:\n  address: it@vraa.gov.lv\n")
	if _, _, err := readMailboxConfig(cfg); err == nil || !strings.Contains(err.Error(), "client_secret") {
		t.Fatalf("no secret: %v", err)
	}
	// Outside sandbox mode a mailbox without a tenant is an error, not
	// silence.
	cfgPath, _ := writeConfig(t)
	appendFile(t, cfgPath, "sandbox: false\nmailbox:\n  address: it@vraa.gov.lv\n")
	if _, err := runErr("--config", cfgPath, "mailbox", "check"); err == nil || !strings.Contains(err.Error(), "tenant_id") {
		t.Fatalf("no tenant: %v", err)
	}
}

// `itbot mailbox try` answers sample mails in sandbox mode through the
// real adapter and SDK, against an emulated mailbox, and can be run again;
// it works on a throw-away copy of the sandbox, so the sandbox's own data
// file is not touched.
func TestMailboxTry(t *testing.T) {
	cfg, data := writeConfig(t)
	dir := filepath.Join("adapters", "mailbox", "testdata", "mail")
	out := run(t, "--config", cfg, "mailbox", "try", filepath.Join(dir, "lv_licence_outlook.eml"), filepath.Join(dir, "en_bounce.eml"))
	for _, want := range []string{"seen 2, handled 1, review 0, ignored 1", "← to ilze.liepa@lgia.gov.lv: RE: [IT-2026-000001] Licences piešķiršana", "Licence E3 piešķirta", "folder Apstrādāts: 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in:\n%s", want, out)
		}
	}
	out = run(t, "--config", cfg, "mailbox", "try", filepath.Join(dir, "en_shared_plain.eml"))
	if !strings.Contains(out, "RE: [IT-2026-000001] New shared mailbox") || !strings.Contains(out, "throw-away") {
		t.Errorf("second try:\n%s", out)
	}
	if _, err := os.Stat(data); err == nil {
		if out := run(t, "--config", cfg, "requests"); strings.Contains(out, "IT-2026-") {
			t.Errorf("the samples left requests in the sandbox's data file:\n%s", out)
		}
	}
	var errb bytes.Buffer
	if err := runMain(context.Background(), []string{"--config", cfg, "mailbox", "check"}, strings.NewReader(""), &bytes.Buffer{}, &errb); err == nil || !strings.Contains(err.Error(), "no mailbox configured") {
		t.Fatalf("check without a mailbox: %v", err)
	}
}
