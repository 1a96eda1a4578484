package slareport_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"itbot/bot"
	"itbot/bot/slaclock"
	"itbot/bot/slareport"
	"itbot/bottest"
)

const (
	ilze  = "ilze.liepa@lgia.gov.lv"
	oper  = "kristaps.lapsa@vraa.gov.lv"
	maris = "maris.egle@vvd.gov.lv"
)

// TestMonthReport: consultations received in November 2026 (one resolved
// in time, one resolved late, one left open past due, one waiting for
// information, one cancelled; one from VVD), one received in December:
// the report's figures equal those worked out from the exported history
// by the SLA clock's own rules (one working day, the pause not counted).
func TestMonthReport(t *testing.T) {
	e := bottest.New(t) // Mon 2026-11-23 10:00 Riga
	clock, err := slaclock.New(slaclock.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e.Bot.SLA = clock
	id := func(rs []bot.Reply) string {
		for _, r := range rs {
			if i := strings.Index(r.Text, "IT-2026-"); i >= 0 {
				return r.Text[i : i+14]
			}
		}
		t.Fatalf("no id in %+v", rs)
		return ""
	}
	inTime := id(e.Say(ilze, "/it konsultācija Pirmais"))
	late := id(e.Say(ilze, "/it konsultācija Otrais"))
	open := id(e.Say(ilze, "/it konsultācija Trešais"))
	paused := id(e.Say(ilze, "/it konsultācija Ceturtais"))
	cancelled := id(e.Say(ilze, "/it konsultācija Piektais"))
	vvd := id(e.Say(maris, "/it konsultācija Sestais"))
	e.Clock.Advance(2 * time.Hour) // 12:00, same day
	e.Say(oper, "/it done "+inTime+" atbildēts")
	e.Say(oper, "/it wait "+paused+" info vajag precizēt")
	e.Say(ilze, "/it cancel "+cancelled)
	e.Clock.Advance(48 * time.Hour) // Wed 12:00: a working day is long over
	e.Say(oper, "/it done "+late+" atbildēts ar nokavēšanos")
	e.Say(oper, "/it done "+vvd+" atbildēts")
	e.Clock.Set(bottest.Riga(2026, time.December, 1, 10, 0))
	e.Say(ilze, "/it konsultācija Decembrī")
	now := bottest.Riga(2026, time.December, 2, 9, 0)

	rep, err := slareport.Build(context.Background(), e.Store, clock, bottest.Riga(2026, time.November, 15, 0, 0), "", now)
	if err != nil {
		t.Fatal(err)
	}
	tot := rep.Total
	if tot.Received != 5 || tot.Cancelled != 1 || tot.Resolved != 3 || tot.WithinSLA != 1 || tot.Breached != 3 || tot.Paused != 1 || tot.Open != 2 {
		t.Errorf("month total %+v", tot)
	}
	wantBreaches := []string{late, open, vvd}
	if !slices.Equal(rep.Breaches, wantBreaches) {
		t.Errorf("breaches %v, want %v", rep.Breaches, wantBreaches)
	}
	// Business time to resolution: 2 h for the one in time, far more for
	// the two resolved on Wednesday; the median is one of those.
	if tot.Median <= 2*time.Hour || tot.P90 < tot.Median {
		t.Errorf("median %v, p90 %v", tot.Median, tot.P90)
	}
	var lgia *slareport.Row
	for i, r := range rep.Rows {
		if r.Institution == "LGIA" && r.Type == "" {
			lgia = &rep.Rows[i]
		}
	}
	if lgia == nil || lgia.Received != 4 || lgia.WithinSLA != 1 || lgia.Breached != 2 {
		t.Errorf("LGIA %+v", lgia)
	}
	if s := lgia.Share(); s < 33.3 || s > 33.4 {
		t.Errorf("LGIA share %.2f, want 33.3", s)
	}
	lv, en := rep.Text(bot.LV), rep.Text(bot.EN)
	if !strings.Contains(lv, "Kavēti 3 pieteikumi") || !strings.Contains(en, "3 breaches") || !strings.Contains(lv, "33,3 %") {
		t.Errorf("text:\n%s\n%s", lv, en)
	}
	csv := string(rep.CSV(bot.LV))
	if !strings.HasPrefix(csv, "\ufeffMēnesis;Iestāde;") || !strings.Contains(csv, "2026-11;LGIA;;4;2;1;2;1;2;1;33,3;") {
		t.Errorf("csv:\n%s", csv)
	}
	// One institution; another month.
	if rep, _ := slareport.Build(context.Background(), e.Store, clock, now, "LGIA", now); rep.Total.Received != 1 {
		t.Errorf("December: %+v", rep.Total)
	}
}
