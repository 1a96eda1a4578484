package commands

import (
	"context"
	"strings"

	"itbot/bot"
)

func init() {
	register(40, func(r *bot.Router, d *Deps) {
		r.Handle(&bot.Spec{Names: names("shared create", "koplietošanas izveidot", "koplietosanas izveidot", "kopīgā izveidot", "kopiga izveidot", "kopīgo izveidot", "kopigo izveidot"),
			Help: "help.shared_create", MinArgs: 1, UsageLV: "koplietošanas izveidot ADRESE [NOSAUKUMS]", UsageEN: "shared create ADDRESS [NAME]",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return submit(ctx, w, c, d, bot.TypeSharedCreate, bot.Params{Mailbox: c.Arg(0), DisplayName: strings.Join(c.Args[1:], " ")})
			})})
		member := func(t bot.Type, ns []string, help, lv, en string) {
			r.Handle(&bot.Spec{Names: ns, Help: help, MinArgs: 2, UsageLV: lv, UsageEN: en,
				Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
					return submit(ctx, w, c, d, t, bot.Params{Mailbox: c.Arg(0), User: c.Arg(1), Permission: c.Arg(2)})
				})})
		}
		member(bot.TypeSharedMemberAdd, names("shared add", "koplietošanas pievienot", "koplietosanas pievienot", "kopīgā pievienot", "kopiga pievienot"),
			"help.shared_add", "koplietošanas pievienot ADRESE LIETOTĀJS [full_access|send_as]", "shared add ADDRESS USER [full_access|send_as]")
		member(bot.TypeSharedMemberRemove, names("shared remove", "koplietošanas noņemt", "koplietosanas nonemt", "kopīgā noņemt", "kopiga nonemt"),
			"help.shared_remove", "koplietošanas noņemt ADRESE LIETOTĀJS [full_access|send_as]", "shared remove ADDRESS USER [full_access|send_as]")
		r.Handle(&bot.Spec{Names: names("shared members", "koplietošanas dalībnieki", "koplietosanas dalibnieki", "kopīgā dalībnieki", "kopiga dalibnieki"),
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
