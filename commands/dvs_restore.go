package commands

import (
	"context"

	"itbot/bot"
)

// TypeDVSRestore restores an institution's DVS documents from one of its
// backups. It replaces what is there now, so the agency approves it
// whoever asks.
const TypeDVSRestore bot.Type = "dvs.restore"

func init() {
	bot.RegisterType(bot.TypeSpec{Type: TypeDVSRestore, Order: 165,
		LV: "DVS atjaunošana no rezerves kopijas", EN: "DVS restore from a backup",
		Names: []string{"dvs restore", "dvs atjaunot", "dvs atjaunošana", "dvs atjaunosana"},
		Help:  "help.dvs_restore", UsageLV: "dvs atjaunot REZERVES_KOPIJA", UsageEN: "dvs restore BACKUP",
		Params:   []bot.ParamSpec{{Name: "backup", Kind: bot.ParamWord, Required: true, Label: "param.backup", Form: bot.FormOption}},
		Approval: bot.ApprovalAgency, Service: bot.ServiceDVS,
		Run: func(ctx context.Context, x *bot.Exec) (*bot.Outcome, error) {
			return x.DVS.Restore(ctx, x.Institution, x.Params.Get("backup"), x.Progress)
		}})
	register(71, func(r *bot.Router, d *Deps) {
		requestCommand(r, d, TypeDVSRestore, nil)
	})
	bot.RegisterTexts(
		bot.T("help.dvs_restore", "atjaunot DVS dokumentus no rezerves kopijas (apstiprina aģentūra)", "restore the DVS documents from a backup (the agency approves)"),
		bot.T("param.backup", "Rezerves kopija", "Backup"),
	)
}
