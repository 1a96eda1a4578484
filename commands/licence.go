package commands

import (
	"context"

	"itbot/bot"
)

func init() {
	register(20, func(r *bot.Router, d *Deps) {
		r.Handle(&bot.Spec{Names: names("licence assign", "license assign", "licence piešķirt", "licence pieskirt", "licences piešķirt", "licenci piešķirt", "licenci pieskirt"),
			Help: "help.licence_assign", MinArgs: 1, UsageLV: "licence piešķirt LIETOTĀJS [LICENCE]", UsageEN: "licence assign USER [SKU]",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return submit(ctx, w, c, d, bot.TypeLicenceAssign, bot.Params{User: c.Arg(0), SKU: c.Arg(1)})
			})})
		r.Handle(&bot.Spec{Names: names("licence revoke", "license revoke", "licence remove", "licence noņemt", "licence nonemt", "licence atņemt", "licence atnemt", "licenci noņemt", "licenci nonemt"),
			Help: "help.licence_revoke", MinArgs: 1, UsageLV: "licence noņemt LIETOTĀJS [LICENCE]", UsageEN: "licence revoke USER [SKU]",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return submit(ctx, w, c, d, bot.TypeLicenceRevoke, bot.Params{User: c.Arg(0), SKU: c.Arg(1)})
			})})
	})
}
