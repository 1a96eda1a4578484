package commands_test

import (
	"testing"

	"itbot/bot"
	_ "itbot/commands" // registers the request types
)

// BenchmarkTableValidate reads a command line's arguments through the
// request-type table and validates them, as every new request does.
func BenchmarkTableValidate(b *testing.B) {
	cases := []struct {
		t    bot.Type
		args []string
	}{
		{bot.TypeLicenceAssign, []string{"Karlis.Vitols@lgia.gov.lv", "E3"}},
		{bot.TypeMailboxCreate, []string{"tehniskā", "skeneris@lgia.gov.lv", "Skeneris", "2.", "stāvs"}},
		{bot.TypeSharedMemberAdd, []string{"arhivs@lgia.gov.lv", "anna.berzina@lgia.gov.lv", "send-as"}},
		{bot.TypeDVSCopy, []string{"2026-10-01", "2026-10-31"}},
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cases {
			s := bot.LookupType(c.t)
			p := s.ParamsFromArgs(c.args, func(int) string { return "" })
			if err := s.Normalize(&p, "ilze.liepa@lgia.gov.lv"); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkTableDescribe renders a request's one-line description (lists,
// cards, notices) through the table.
func BenchmarkTableDescribe(b *testing.B) {
	r := &bot.Request{Type: bot.TypeSharedMemberAdd, Params: bot.Params{Mailbox: "arhivs@lgia.gov.lv", User: "anna.berzina@lgia.gov.lv", Permission: bot.PermSendAs}}
	b.ReportAllocs()
	for b.Loop() {
		if bot.Describe(r, bot.LV) == "" {
			b.Fatal("empty")
		}
	}
}
