package commands

import (
	"context"
	"strings"

	"itbot/bot"
)

func init() {
	register(50, func(r *bot.Router, d *Deps) {
		r.Handle(&bot.Spec{Names: names("spam allow", "spam atļaut", "spam atlaut", "mēstules atļaut", "mestules atlaut"),
			Help: "help.spam_allow", MinArgs: 1, UsageLV: "spam atļaut SŪTĪTĀJS|DOMĒNS", UsageEN: "spam allow SENDER|DOMAIN",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return submit(ctx, w, c, d, bot.TypeSpamAllow, bot.Params{Sender: c.Arg(0)})
			})})
		r.Handle(&bot.Spec{Names: names("spam block", "spam bloķēt", "spam bloket", "mēstules bloķēt", "mestules bloket"),
			Help: "help.spam_block", MinArgs: 1, UsageLV: "spam bloķēt SŪTĪTĀJS|DOMĒNS", UsageEN: "spam block SENDER|DOMAIN",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return submit(ctx, w, c, d, bot.TypeSpamBlock, bot.Params{Sender: c.Arg(0)})
			})})
		r.Handle(&bot.Spec{Names: names("spam list", "spam saraksts", "mēstules saraksts", "mestules saraksts"),
			Help: "help.spam_list", UsageLV: "spam saraksts", UsageEN: "spam list",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				inst, err := eligibleInstitution(ctx, d, c)
				if err != nil {
					return err
				}
				if d.Bot.Exchange == nil {
					return bot.Errorf(bot.EUNAVAILABLE, "executor.no_exchange")
				}
				l, err := d.Bot.Exchange.SpamLists(ctx, inst)
				if err != nil {
					return err
				}
				none := bot.Tr(c.Lang, "cmd.none", nil)
				join := func(xs []string) string {
					if len(xs) == 0 {
						return none
					}
					return strings.Join(xs, ", ")
				}
				return say(ctx, w, bot.Reply{Kind: bot.KindList, Title: bot.Tr(c.Lang, "cmd.spam_title", bot.Args{"Institution": inst.Name(c.Lang)}),
					Fields: []bot.Field{
						{Label: bot.Tr(c.Lang, "cmd.spam_allowed", nil), Value: join(l.Allowed)},
						{Label: bot.Tr(c.Lang, "cmd.spam_blocked", nil), Value: join(l.Blocked)},
					}})
			})})
	})
}
