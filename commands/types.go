package commands

import (
	"context"

	"itbot/bot"
)

// ackHook adds to the answer to a new request of one type (an incident's
// priority, what happens to a customisation next).
type ackHook func(ctx context.Context, d *Deps, c *bot.Command, r *bot.Request, rep *bot.Reply) error

// requestCommand installs the command that creates requests of type t, as
// the request-type table declares it: its words, usage, help and
// parameters in command-line order. hook, if given, adds to the answer.
func requestCommand(r *bot.Router, d *Deps, t bot.Type, hook ackHook) {
	s := bot.LookupType(t)
	if s == nil || len(s.Names) == 0 {
		panic("commands: no command for request type " + string(t))
	}
	r.Handle(&bot.Spec{Names: s.Names, Help: s.Help, MinArgs: s.MinArgs(), UsageLV: s.UsageLV, UsageEN: s.UsageEN,
		Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			p := s.ParamsFromArgs(c.Args, c.Rest)
			req, err := d.Bot.Submit(ctx, actor(c), bot.NewRequest{Type: t, Params: p, Origin: c.Msg.Origin()})
			if err != nil {
				return err
			}
			rep := Ack(d.Bot, req, c.Person, c.Lang)
			if hook != nil {
				if err := hook(ctx, d, c, req, &rep); err != nil {
					return err
				}
			}
			return say(ctx, w, rep)
		})})
}

// Parameter specs shared by several families.
var (
	pUser = bot.ParamSpec{Name: "user", Kind: bot.ParamAddress, Required: true, Label: "param.user", Slot: "user", Form: bot.FormTarget}
	// pText is a request's free text: a question, an incident, a need.
	pText = bot.ParamSpec{Name: "text", Kind: bot.ParamText, Required: true, Label: "param.text", Form: bot.FormText}
)

// pPeriodFrom and pPeriodTo are a period's dates (ISO), shown together on
// one line; the type's Check reads them as a pair. Not required: a
// conversation may fill them but no command line types them.
func pPeriodFrom(required bool) bot.ParamSpec {
	return bot.ParamSpec{Name: "from", Kind: bot.ParamDate, Required: required, Internal: !required, Label: "param.period",
		Slot: "from", Render: func(p bot.Params, _ bot.Lang) string {
			if p.From == "" && p.To == "" {
				return ""
			}
			return p.From + " – " + p.To
		}}
}

func pPeriodTo(required bool) bot.ParamSpec {
	return bot.ParamSpec{Name: "to", Kind: bot.ParamDate, Required: required, Internal: !required, Slot: "to"}
}

func init() {
	bot.RegisterTexts(
		bot.T("param.user", "Lietotājs", "User"),
		bot.T("param.address", "Adrese", "Address"),
		bot.T("param.mailbox", "Pastkaste", "Mailbox"),
		bot.T("param.sku", "Licence", "Licence"),
		bot.T("param.kind", "Veids", "Kind"),
		bot.T("param.display_name", "Attēlojamais vārds", "Display name"),
		bot.T("param.owner", "Atbildīgais", "Owner"),
		bot.T("param.permission", "Tiesības", "Permission"),
		bot.T("param.sender", "Sūtītājs vai domēns", "Sender or domain"),
		bot.T("param.role", "DVS loma", "DVS role"),
		bot.T("param.period", "Periods", "Period"),
		bot.T("param.text", "Teksts", "Text"),
		bot.T("param.sku_default", "noklusētā licence", "the default licence"),
		bot.T("param.sku_only", "lietotāja vienīgā licence", "the user's only licence"),
		bot.T("param.perm_full_access", "pilna piekļuve (Full Access)", "Full Access"),
		bot.T("param.perm_send_as", "sūtīt kā (Send As)", "Send As"),
		bot.T("param.perm_all", "visas tiesības", "all permissions"),
		bot.T("param.role_all", "visas lomas", "all roles"),
	)
}
