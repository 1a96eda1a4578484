package console_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"itbot/adapters/console"
	"itbot/bot"
	"itbot/bottest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", name, got)
	}
}

// TestTour runs the README's console tour against a real bbolt file and
// the sandbox tenant, and checks the whole transcript.
func TestTour(t *testing.T) {
	e := bottest.New(t)
	e.Sandbox()
	var out bytes.Buffer
	c := console.New(e.Router, e.Store, &out, e.Person("anna.berzina@lgia.gov.lv"))
	c.Sandbox = true
	e.Bot.Notify.Add(c)
	script := `/it help licence
/it whoami
/it licence assign peteris.kalnins@lgia.gov.lv E3
/it licence assign x@vvd.gov.lv
/it requests
/it as ilze.liepa@lgia.gov.lv
/it approve IT-2026-000001
/it as janis.ozols@lgia.gov.lv
/it shared add info@lgia.gov.lv janis.ozols@lgia.gov.lv send_as
/it lisence asign
/it as kristaps.lapsa@vraa.gov.lv
/it queue
/it show IT-2026-000001
/it as maris.egle@vvd.gov.lv
/it spam block lotto-win.biz
/it quit
/it whoami
`
	if err := c.Run(context.Background(), strings.NewReader(script)); err != nil {
		t.Fatal(err)
	}
	golden(t, "tour.golden", out.Bytes())
	if r := e.Request("IT-2026-000001"); r.State != bot.StateDone {
		t.Fatalf("IT-2026-000001 is %s", r.State)
	}
}

func TestAsOnlyInSandbox(t *testing.T) {
	e := bottest.New(t)
	var out bytes.Buffer
	c := console.New(e.Router, e.Store, &out, e.Person("anna.berzina@lgia.gov.lv"))
	c.Handle(context.Background(), "/it as ilze.liepa@lgia.gov.lv")
	if c.Person().Email != "anna.berzina@lgia.gov.lv" || !strings.Contains(out.String(), "tikai smilškastes režīmā") {
		t.Fatalf("switched outside sandbox: %s", out.String())
	}
	c.Sandbox = true
	out.Reset()
	c.Handle(context.Background(), "/it as nobody@lgia.gov.lv")
	if !strings.Contains(out.String(), "nav smilškastes personu vidū") {
		t.Fatalf("unknown person: %s", out.String())
	}
}

// TestLongLinesAndControlCharacters: a line past the router's limit is
// answered "too long" and the console goes on; escape sequences and
// control characters typed at it are neither stored nor shown.
func TestLongLinesAndControlCharacters(t *testing.T) {
	e := bottest.New(t)
	var out bytes.Buffer
	c := console.New(e.Router, e.Store, &out, e.Person("anna.berzina@lgia.gov.lv"))
	in := strings.NewReader(strings.Repeat("x", 1<<20) + "\n" +
		"/it konsultācija \x1b[31mkā\x1b[0m pievienot \x1b]0;pwned\x07kalendāru\x07\x08\n" +
		"/it pieteikumi\n")
	if err := c.Run(context.Background(), in); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := out.String()
	if !strings.Contains(got, bot.Tr(bot.LV, "router.too_long", bot.Args{"Max": bot.MaxMessageBytes})) {
		t.Errorf("no too-long answer:\n%.500s", got)
	}
	if strings.ContainsAny(got, "\x1b\x07\x08") || strings.Contains(got, "pwned") {
		t.Errorf("control characters echoed:\n%q", got)
	}
	rs, err := e.Store.Requests(context.Background(), bot.RequestFilter{})
	if err != nil || len(rs) != 1 {
		t.Fatalf("requests: %v %v", rs, err)
	}
	if txt := rs[0].Params.Text; strings.ContainsAny(txt, "\x1b\x07\x08") || !strings.Contains(txt, "kā pievienot kalendāru") {
		t.Errorf("stored text %q", txt)
	}
	if !strings.Contains(got, rs[0].ID) {
		t.Errorf("the lines after the long one were not handled:\n%.2000s", got)
	}
}
