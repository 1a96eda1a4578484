package commands

import (
	"context"
	"strings"

	"itbot/bot"
)

func init() {
	register(30, func(r *bot.Router, d *Deps) {
		r.Handle(&bot.Spec{Names: names("mailbox create", "pastkaste izveidot", "pastkasti izveidot", "pastkastes izveide"),
			Help: "help.mailbox_create", MinArgs: 2,
			UsageLV: "pastkaste izveidot personal|technical LIETOTĀJS [VĀRDS UZVĀRDS]", UsageEN: "mailbox create personal|technical USER [NAME]",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				kind, ok := bot.ParseKind(c.Arg(0))
				if !ok {
					return bot.Errorf(bot.EINVALID, "params.bad_kind", "Value", c.Arg(0))
				}
				p := bot.Params{Kind: kind, User: c.Arg(1), DisplayName: strings.Join(c.Args[2:], " ")}
				if kind == bot.KindTechnical {
					p.Owner = c.Person.Email
				}
				return submit(ctx, w, c, d, bot.TypeMailboxCreate, p)
			})})
	})
}
