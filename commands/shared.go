package commands

import (
	"context"
	"strings"

	"itbot/bot"
)

// The shared mailbox family: create, give and take access, list members.
func init() {
	mailbox := bot.ParamSpec{Name: "mailbox", Kind: bot.ParamAddress, Required: true, Label: "param.mailbox", Slot: "mailbox", Form: bot.FormMailbox}
	perm := func(def string) bot.ParamSpec {
		return bot.ParamSpec{Name: "permission", Kind: bot.ParamChoice, Default: def, Parse: bot.ParsePermission,
			Choices: []string{bot.PermFullAccess, bot.PermSendAs}, BadValue: "params.bad_permission",
			Label: "param.permission", Render: permWords, Brief: true, Slot: "permission", Form: bot.FormOption}
	}
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeSharedCreate, Order: 40,
		LV: "Koplietošanas pastkastes izveide", EN: "Shared mailbox creation",
		Names: []string{"shared create", "koplietošanas izveidot", "koplietosanas izveidot", "kopīgā izveidot", "kopiga izveidot", "kopīgo izveidot", "kopigo izveidot"},
		Help:  "help.shared_create", UsageLV: "koplietošanas izveidot ADRESE [NOSAUKUMS]", UsageEN: "shared create ADDRESS [NAME]",
		Params: []bot.ParamSpec{
			{Name: "mailbox", Kind: bot.ParamAddress, Required: true, Label: "param.mailbox", Slot: "mailbox", Form: bot.FormTarget},
			{Name: "display_name", Kind: bot.ParamName, Label: "param.display_name", Slot: "display_name", Form: bot.FormText},
		},
		Service: bot.ServiceExchange,
		Run: func(ctx context.Context, x *bot.Exec) (*bot.Outcome, error) {
			return x.Exchange.CreateSharedMailbox(ctx, x.Institution, x.Params.Mailbox, x.Params.DisplayName)
		}})
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeSharedMemberAdd, Order: 50,
		LV: "Piekļuve koplietošanas pastkastei", EN: "Shared mailbox access",
		Names: []string{"shared add", "koplietošanas pievienot", "koplietosanas pievienot", "kopīgā pievienot", "kopiga pievienot"},
		Help:  "help.shared_add", UsageLV: "koplietošanas pievienot ADRESE LIETOTĀJS [pilna|sūtīt_kā]", UsageEN: "shared add ADDRESS USER [full_access|send_as]",
		Params:    []bot.ParamSpec{mailbox, pUser, perm(bot.PermFullAccess)},
		Service:   bot.ServiceExchange,
		Preflight: sharedMailboxExists,
		Run: func(ctx context.Context, x *bot.Exec) (*bot.Outcome, error) {
			return x.Exchange.AddSharedMember(ctx, x.Institution, x.Params.Mailbox, x.Params.User, x.Params.Permission)
		}})
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeSharedMemberRemove, Order: 60,
		LV: "Piekļuves noņemšana koplietošanas pastkastei", EN: "Shared mailbox access removal",
		Names: []string{"shared remove", "koplietošanas noņemt", "koplietosanas nonemt", "kopīgā noņemt", "kopiga nonemt"},
		Help:  "help.shared_remove", UsageLV: "koplietošanas noņemt ADRESE LIETOTĀJS [pilna|sūtīt_kā]", UsageEN: "shared remove ADDRESS USER [full_access|send_as]",
		Params:    []bot.ParamSpec{mailbox, pUser, perm("")},
		Service:   bot.ServiceExchange,
		Preflight: sharedMailboxExists,
		Run: func(ctx context.Context, x *bot.Exec) (*bot.Outcome, error) {
			return x.Exchange.RemoveSharedMember(ctx, x.Institution, x.Params.Mailbox, x.Params.User, x.Params.Permission)
		}})
	register(40, func(r *bot.Router, d *Deps) {
		requestCommand(r, d, bot.TypeSharedCreate, nil)
		requestCommand(r, d, bot.TypeSharedMemberAdd, nil)
		requestCommand(r, d, bot.TypeSharedMemberRemove, nil)
		r.Handle(&bot.Spec{Names: []string{"shared members", "koplietošanas dalībnieki", "koplietosanas dalibnieki", "kopīgā dalībnieki", "kopiga dalibnieki"},
			Help: "help.shared_members", MinArgs: 1, UsageLV: "koplietošanas dalībnieki ADRESE", UsageEN: "shared members ADDRESS",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				inst, err := eligibleInstitution(ctx, d, c)
				if err != nil {
					return err
				}
				mb, err := bot.NormalizeAddress(c.Arg(0))
				if err != nil {
					return err
				}
				if err := bot.Scope(inst, bot.TypeSharedCreate, bot.Params{Mailbox: mb}); err != nil {
					return err
				}
				if d.Bot.Exchange == nil {
					return bot.Errorf(bot.EUNAVAILABLE, "executor.no_exchange")
				}
				ms, err := d.Bot.Exchange.SharedMembers(ctx, inst, mb)
				if err != nil {
					return err
				}
				rep := bot.Reply{Kind: bot.KindList, Text: bot.TrN(c.Lang, "cmd.members_title", len(ms), bot.Args{"Mailbox": mb})}
				for _, m := range ms {
					rep.Fields = append(rep.Fields, bot.Field{Label: m.User, Value: strings.Join(m.Permission, ", ")})
				}
				return say(ctx, w, rep)
			})})
	})
}

// eligibleInstitution returns the speaker's institution if it may use the
// service today.
func eligibleInstitution(ctx context.Context, d *Deps, c *bot.Command) (*bot.Institution, error) {
	inst, err := d.Bot.InstitutionOf(ctx, c.Person)
	if err != nil {
		return nil, err
	}
	if err := inst.Eligible(d.Bot.Now()); err != nil {
		return nil, err
	}
	return inst, nil
}

// permWords renders a shared mailbox permission for people; none given
// means all of them.
func permWords(p bot.Params, l bot.Lang) string {
	if p.Permission == "" {
		return bot.Tr(l, "param.perm_all", nil)
	}
	return bot.Tr(l, "param.perm_"+p.Permission, nil)
}

// sharedMailboxExists refuses a member change of a shared mailbox that
// does not exist — unless a request to create it is open (then the change
// waits its turn). When Exchange does not answer the request goes on.
func sharedMailboxExists(ctx context.Context, x *bot.Exec) error {
	if x.Exchange == nil || x.Params.Mailbox == "" {
		return nil
	}
	_, err := x.Exchange.SharedMembers(ctx, x.Institution, x.Params.Mailbox)
	if bot.ErrorCode(err) != bot.ENOTFOUND {
		return nil
	}
	open, lerr := x.Bot.Store.Requests(ctx, bot.RequestFilter{Institution: x.Institution.Code, Type: bot.TypeSharedCreate, OpenOnly: true})
	if lerr == nil {
		for _, r := range open {
			if strings.EqualFold(r.Params.Mailbox, x.Params.Mailbox) {
				return nil
			}
		}
	}
	return err
}
