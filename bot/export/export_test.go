package export_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"itbot/bot"
	"itbot/bot/export"
	"itbot/bottest"
)

// TestExportRoundTrip: every request of the period is one line with its
// parameters and its whole history, equal to what the store holds; the
// period and the institution filter; a request created later is left out.
func TestExportRoundTrip(t *testing.T) {
	e := bottest.New(t)
	e.Say("anna.berzina@lgia.gov.lv", "/it licence assign janis.ozols@lgia.gov.lv E3")
	e.Say("ilze.liepa@lgia.gov.lv", "/it apstiprināt IT-2026-000001")
	e.Say("ilze.liepa@lgia.gov.lv", "/it konsultācija Kā kopīgot kalendāru?")
	e.Say("maris.egle@vvd.gov.lv", "/it konsultācija Kā pagarināt līgumu?")
	e.Clock.Advance(72 * time.Hour)
	e.Say("anna.berzina@lgia.gov.lv", "/it spam allow partner-firma.lv")
	ctx := context.Background()

	var buf bytes.Buffer
	f := bot.ExportFilter{To: bottest.Riga(2026, time.November, 24, 0, 0)}
	n, err := export.Write(ctx, e.Store, f, &buf)
	if err != nil || n != 3 {
		t.Fatalf("wrote %d: %v", n, err)
	}
	sc := bufio.NewScanner(&buf)
	var ids []string
	for sc.Scan() {
		var l export.Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if l.Format != export.Version {
			t.Errorf("format %q", l.Format)
		}
		ids = append(ids, l.ID)
		r := e.Request(l.ID)
		evs, _ := e.Store.Events(ctx, l.ID)
		if l.State != string(r.State) || l.Institution != r.Institution || len(l.Events) != len(evs) || l.StateLV == "" {
			t.Errorf("%s: %+v vs %+v", l.ID, l, r)
		}
		for i, ev := range evs {
			got := l.Events[i]
			if got.Seq != ev.Seq || !got.At.Equal(ev.At) || got.Kind != string(ev.Kind) || got.To != string(ev.To) || got.Actor != ev.Actor {
				t.Errorf("%s event %d: %+v vs %+v", l.ID, i, got, ev)
			}
		}
		if l.ID == "IT-2026-000001" && (l.Params["user"] != "janis.ozols@lgia.gov.lv" || l.Params["sku"] != "E3" || l.State != "done" && l.State != "failed" && l.State != "approved") {
			t.Errorf("the licence request: %+v", l)
		}
	}
	if len(ids) != 3 || ids[0] != "IT-2026-000001" || ids[2] != "IT-2026-000003" {
		t.Errorf("ids %v", ids)
	}
	buf.Reset()
	if n, _ := export.Write(ctx, e.Store, bot.ExportFilter{Institution: "VVD"}, &buf); n != 1 {
		t.Errorf("VVD: %d lines", n)
	}
	buf.Reset()
	if n, _ := export.Write(ctx, e.Store, bot.ExportFilter{}, &buf); n != 4 {
		t.Errorf("everything: %d lines", n)
	}
}

// BenchmarkExport streams 2,000 requests with their histories.
func BenchmarkExport(b *testing.B) {
	e := bottest.New(b)
	for i := 0; i < 2000; i++ {
		e.Say("ilze.liepa@lgia.gov.lv", "/it konsultācija Jautājums nr. "+string(rune('A'+i%26)))
	}
	ctx := context.Background()
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		if n, err := export.Write(ctx, e.Store, bot.ExportFilter{}, &buf); err != nil || n != 2000 {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "requests/s")
}
