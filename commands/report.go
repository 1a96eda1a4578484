package commands

import (
	"context"

	"itbot/bot"
)

func init() {
	register(60, func(r *bot.Router, d *Deps) {
		r.Handle(&bot.Spec{Names: names("report accounts", "pārskats konti", "parskats konti", "pārskats kontu", "parskats kontu", "atskaite konti"),
			Help: "help.report_accounts", UsageLV: "pārskats konti", UsageEN: "report accounts",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return submit(ctx, w, c, d, bot.TypeReportAccounts, bot.Params{})
			})})
	})
}
