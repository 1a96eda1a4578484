package commands

import (
	"strings"

	"itbot/bot"
)

// TypeMailIncident reports that e-mail does not work: a tracked incident
// against the e-mail service (Exchange Online), with the service's health
// attached when it is reported, like a DVS incident; an affected address
// may be named.
const TypeMailIncident bot.Type = "mail.incident"

func init() {
	bot.RegisterType(bot.TypeSpec{Type: TypeMailIncident, Order: 135,
		LV: "E-pasta incidents", EN: "E-mail incident",
		Names: []string{"mail incident", "email incident", "e-mail incident", "pasts incidents", "pasta incidents",
			"e-pasts incidents", "epasts incidents", "e-pasta incidents", "epasta incidents"},
		Help: "help.mail_incident", UsageLV: "pasts incidents APRAKSTS", UsageEN: "mail incident TEXT",
		// The affected address is read from the text (or a conversation's
		// slot), not typed as its own argument.
		Params: []bot.ParamSpec{pText, {Name: "user", Kind: bot.ParamAddress, Label: "param.affected", Slot: "user", Internal: true}},
		// Only an address of the requester's own domain is taken as the
		// affected one: a partner's address in the text ("mail from
		// info@firma.lv does not arrive") is part of the description.
		Check: func(p *bot.Params, requester string) error {
			if p.User == "" {
				for _, w := range strings.Fields(p.Text) {
					a, err := bot.NormalizeAddress(strings.Trim(w, ".,;:!?()\"'„“”"))
					if err == nil && bot.Domain(a) == bot.Domain(requester) {
						p.User = a
						break
					}
				}
			}
			return nil
		},
		Approval: bot.ApprovalNone, Triage: bot.TriageExchangeHealth})
	register(72, func(r *bot.Router, d *Deps) {
		requestCommand(r, d, TypeMailIncident, incidentAck)
	})
	bot.RegisterTexts(
		bot.T("help.mail_incident", "ziņot, ka e-pasts nedarbojas (pievieno Exchange Online stāvokli)", "report that e-mail does not work (Exchange Online's state is attached)"),
		bot.T("param.affected", "Skartā adrese", "Affected address"),
	)
}
