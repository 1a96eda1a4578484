package commands

import (
	"context"

	"itbot/bot"
)

// The report family: the institution's account report.
func init() {
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeReportAccounts, Order: 90,
		LV: "Kontu pārskats", EN: "Account report",
		Names: []string{"report accounts", "pārskats konti", "parskats konti", "pārskats kontu", "parskats kontu", "atskaite konti"},
		Help:  "help.report_accounts", UsageLV: "pārskats konti", UsageEN: "report accounts",
		// A conversation may name a period; the report covers the accounts
		// as they are now.
		Params:  []bot.ParamSpec{pPeriodFrom(false), pPeriodTo(false)},
		Service: bot.ServiceExchange,
		Run: func(ctx context.Context, x *bot.Exec) (*bot.Outcome, error) {
			// The file's columns in the requester's language.
			if p, err := x.Bot.Store.Person(ctx, x.Request.Requester); err == nil {
				ctx = bot.WithLang(ctx, p.Language())
			}
			return x.Exchange.AccountReport(ctx, x.Institution)
		}})
	register(60, func(r *bot.Router, d *Deps) {
		requestCommand(r, d, bot.TypeReportAccounts, nil)
	})
}
