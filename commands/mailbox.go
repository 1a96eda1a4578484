package commands

import (
	"context"

	"itbot/bot"
)

// The mailbox family: personal and technical mailboxes.
func init() {
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeMailboxCreate, Order: 30,
		LV: "Pastkastes izveide", EN: "Mailbox creation",
		Names:   []string{"mailbox create", "pastkaste izveidot", "pastkasti izveidot", "pastkastes izveide"},
		Help:    "help.mailbox_create",
		UsageLV: "pastkaste izveidot personīgā|tehniskā LIETOTĀJS [VĀRDS UZVĀRDS]", UsageEN: "mailbox create personal|technical USER [NAME]",
		Params: []bot.ParamSpec{
			{Name: "kind", Kind: bot.ParamChoice, Required: true, Default: bot.MailboxPersonal, Parse: bot.ParseMailboxKind,
				Choices: []string{bot.MailboxPersonal, bot.MailboxTechnical}, BadValue: "params.bad_kind",
				Label: "param.kind", Show: kindWord, Brief: true, Slot: "kind", Form: bot.FormOption},
			{Name: "user", Kind: bot.ParamAddress, Required: true, Label: "param.address", Slot: "user", Form: bot.FormTarget},
			{Name: "display_name", Kind: bot.ParamName, Label: "param.display_name", Slot: "display_name", Form: bot.FormText},
			{Name: "owner", Kind: bot.ParamAddress, Internal: true, Label: "param.owner"},
		},
		// A technical mailbox answers to the person who asked for it.
		Check: func(p *bot.Params, requester string) error {
			if p.Kind == bot.MailboxTechnical && p.Owner == "" {
				p.Owner = requester
			}
			return nil
		},
		Service: bot.ServiceExchange, Procurement: true,
		// The address must be free when the mailbox is asked for.
		Preflight: func(ctx context.Context, x *bot.Exec) error { return accountMustBeFree(ctx, x, x.Params.User) },
		Run: func(ctx context.Context, x *bot.Exec) (*bot.Outcome, error) {
			p := x.Params
			return x.Exchange.CreateMailbox(ctx, x.Institution, bot.MailboxSpec{Address: p.User, DisplayName: p.DisplayName,
				Kind: p.Kind, Owner: p.Owner, SKU: p.SKU, RequestID: x.Request.ID})
		},
		Ready: func(ctx context.Context, x *bot.Exec) (bot.Phrase, bool, error) {
			ok, err := x.Exchange.MailboxReady(ctx, x.Institution, x.Params.User)
			return bot.P("outcome.mailbox_ready", "User", x.Params.User), ok, err
		}})
	register(30, func(r *bot.Router, d *Deps) {
		requestCommand(r, d, bot.TypeMailboxCreate, nil)
	})
}

// kindWord renders a mailbox kind for people.
func kindWord(v string, l bot.Lang) string { return bot.Tr(l, "kind."+v, nil) }
