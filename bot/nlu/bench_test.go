package nlu

import (
	"testing"
	"time"
)

// benchMix is a mix of Latvian and English messages of typical length.
var benchMix = []string{
	"Lūdzu izveidojiet kopīgo pastkasti lietvediba@vid.gov.lv",
	"please whitelist partner-firma.lv, their invoices go to junk",
	"Pievienojiet anna.berzina@vid.gov.lv koplietošanas pastkastei lietvediba@vid.gov.lv",
	"Please assign an E3 licence to janis.ozols@vraa.gov.lv",
	"Lūdzu izsniegt DVS apstrādāto dokumentu kopijas no 2024. gada 1. janvāra līdz 30. jūnijam",
	"How do I add a shared mailbox in Outlook?",
	"DVS nestrādā, nevar atvērt dokumentus",
	"Kāds ir statuss pieteikumam IT-2026-000042?",
	"Remove DVS access for peteris.kalnins@vid.gov.lv",
	"Vajadzīgs pārskats par mūsu iestādes lietotāju kontiem par pagājušo mēnesi",
}

// BenchmarkParse measures whole-message recognition over a LV/EN mix and
// reports messages per second.
func BenchmarkParse(b *testing.B) {
	now := time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		Parse(benchMix[n%len(benchMix)], now)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkNormalize measures folding a typical Latvian sentence.
func BenchmarkNormalize(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Normalize("Lūdzu izsniegt DVS apstrādāto dokumentu kopijas par 2025. gadu")
	}
}
