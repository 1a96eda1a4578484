package commands

import (
	"context"

	"itbot/bot"
)

func init() {
	register(70, func(r *bot.Router, d *Deps) {
		r.Handle(&bot.Spec{Names: names("dvs rights grant", "dvs grant", "dvs tiesības piešķirt", "dvs tiesibas pieskirt"),
			Help: "help.dvs_grant", MinArgs: 2, UsageLV: "dvs tiesības piešķirt LIETOTĀJS LOMA", UsageEN: "dvs rights grant USER ROLE",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return submit(ctx, w, c, d, bot.TypeDVSRightsGrant, bot.Params{User: c.Arg(0), Role: c.Arg(1)})
			})})
		r.Handle(&bot.Spec{Names: names("dvs rights revoke", "dvs revoke", "dvs tiesības atņemt", "dvs tiesibas atnemt"),
			Help: "help.dvs_revoke", MinArgs: 1, UsageLV: "dvs tiesības atņemt LIETOTĀJS [LOMA]", UsageEN: "dvs rights revoke USER [ROLE]",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return submit(ctx, w, c, d, bot.TypeDVSRightsRevoke, bot.Params{User: c.Arg(0), Role: c.Arg(1)})
			})})
		r.Handle(&bot.Spec{Names: names("dvs incident", "dvs incidents", "dvs incidenti"),
			Help: "help.dvs_incident", MinArgs: 1, UsageLV: "dvs incidents APRAKSTS", UsageEN: "dvs incident TEXT",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return submit(ctx, w, c, d, bot.TypeDVSIncident, bot.Params{Text: c.Rest(0)})
			})})
		r.Handle(&bot.Spec{Names: names("dvs copy", "dvs kopija", "dvs kopijas"),
			Help: "help.dvs_copy", MinArgs: 2, UsageLV: "dvs kopija NO LĪDZ (GGGG-MM-DD)", UsageEN: "dvs copy FROM TO (YYYY-MM-DD)",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return submit(ctx, w, c, d, bot.TypeDVSCopy, bot.Params{From: c.Arg(0), To: c.Arg(1)})
			})})
		r.Handle(&bot.Spec{Names: names("dvs customize", "dvs customise", "dvs pielāgot", "dvs pielagot"),
			Help: "help.dvs_customize", MinArgs: 1, UsageLV: "dvs pielāgot APRAKSTS", UsageEN: "dvs customize TEXT",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return submit(ctx, w, c, d, bot.TypeDVSCustomize, bot.Params{Text: c.Rest(0)})
			})})
		r.Handle(&bot.Spec{Names: names("dvs backup", "dvs backups", "dvs rezerves", "dvs rezerves kopijas"),
			Help: "help.dvs_backup", UsageLV: "dvs rezerves", UsageEN: "dvs backup",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return submit(ctx, w, c, d, bot.TypeDVSBackupStatus, bot.Params{})
			})})
	})
}
