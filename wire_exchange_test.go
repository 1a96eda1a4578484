package main

import (
	"os"
	"strings"
	"testing"

	"itbot/adapters/exchange"
)

// In sandbox mode the real adapter runs against the emulator: a command
// goes through Graph's wire protocol and the outcome comes back.
func TestSandboxExchangeRunsRealGraphCode(t *testing.T) {
	cfg, _ := writeConfig(t)
	out := run(t, "--config", cfg, "run", "--as", "ilze.liepa@lgia.gov.lv", "/it licence assign karlis.vitols@lgia.gov.lv E1")
	if !strings.Contains(out, "iestatīta lietošanas valsts LV") || !strings.Contains(out, "Licence E1 piešķirta") {
		t.Fatalf("output:\n%s", out)
	}
	out = run(t, "--config", cfg, "exchange", "licences")
	if !strings.Contains(out, "ENTERPRISEPACK") || !strings.Contains(out, "FREE") {
		t.Fatalf("exchange licences:\n%s", out)
	}
	out = run(t, "--config", cfg, "exchange", "health")
	if !strings.Contains(out, "serviceOperational") {
		t.Fatalf("exchange health:\n%s", out)
	}
}

// The example's exchange section is valid and keeps sandbox mode on the
// emulator (no tenant_id).
func TestExampleExchangeSection(t *testing.T) {
	cfg, err := LoadConfig("itbot.example.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	var ec exchange.Config
	if err := strictSection(cfg, "exchange", &ec); err != nil {
		t.Fatal(err)
	}
	d := ec.WithDefaults()
	def := exchange.Config{}.WithDefaults()
	if d.Licences.Personal != def.Licences.Personal || d.ProcurementCheck != def.ProcurementCheck || d.MaxWait != def.MaxWait || d.ReportPeriod != def.ReportPeriod {
		t.Errorf("example %+v differs from the defaults %+v", d, def)
	}
	if ec.TenantID != "" {
		t.Error("the example must not name a tenant")
	}
}

func TestExchangeSectionErrors(t *testing.T) {
	for _, c := range []struct{ section, want string }{
		{"exchange:\n  tenantid: x\n", "tenantid"},
		{"exchange:\n  tenant_id: 3f1c2a9e-7b4d-4c1e-9a55-0d2b8e6f4a10\n", "client_id"},
		{"exchange:\n  tenant_id: t\n  client_id: c\n", "client_secret"},
		{"exchange:\n  report_period: D1\n", "report_period"},
	} {
		cfg, _ := writeConfig(t)
		f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(c.section)
		f.Close()
		_, err = runErr("--config", cfg, "exchange", "licences")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error naming %s", c.section, err, c.want)
		}
	}
}
