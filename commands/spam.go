package commands

import (
	"context"
	"strings"

	"itbot/bot"
)

// The spam filter family: allow or block a sender or domain, list both.
func init() {
	sender := bot.ParamSpec{Name: "sender", Kind: bot.ParamSender, Required: true, Label: "param.sender", Slot: "sender", Form: bot.FormTarget}
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeSpamAllow, Order: 70,
		LV: "Atļautais sūtītājs", EN: "Allowed sender",
		Names: []string{"spam allow", "spam atļaut", "spam atlaut", "mēstules atļaut", "mestules atlaut"},
		Help:  "help.spam_allow", UsageLV: "spam atļaut SŪTĪTĀJS|DOMĒNS", UsageEN: "spam allow SENDER|DOMAIN",
		Params: []bot.ParamSpec{sender}, Service: bot.ServiceExchange,
		Run: func(ctx context.Context, x *bot.Exec) (*bot.Outcome, error) {
			return x.Exchange.AllowSender(ctx, x.Institution, x.Params.Sender)
		}})
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeSpamBlock, Order: 80,
		LV: "Bloķētais sūtītājs", EN: "Blocked sender",
		Names: []string{"spam block", "spam bloķēt", "spam bloket", "mēstules bloķēt", "mestules bloket"},
		Help:  "help.spam_block", UsageLV: "spam bloķēt SŪTĪTĀJS|DOMĒNS", UsageEN: "spam block SENDER|DOMAIN",
		Params: []bot.ParamSpec{sender}, Service: bot.ServiceExchange,
		Run: func(ctx context.Context, x *bot.Exec) (*bot.Outcome, error) {
			return x.Exchange.BlockSender(ctx, x.Institution, x.Params.Sender)
		}})
	register(50, func(r *bot.Router, d *Deps) {
		requestCommand(r, d, bot.TypeSpamAllow, nil)
		requestCommand(r, d, bot.TypeSpamBlock, nil)
		r.Handle(&bot.Spec{Names: []string{"spam list", "spam saraksts", "mēstules saraksts", "mestules saraksts"},
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
