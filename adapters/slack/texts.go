package slack

import "itbot/bot"

// The Slack adapter's messages, in Latvian and English, under the id
// prefix "slack.".
func init() {
	bot.RegisterTexts(
		bot.T("slack.no_email",
			"Jūsu Slack profilā nav redzama e-pasta adrese, tāpēc itbot nevar jūs atpazīt, un nekas netika izveidots. Lūdziet Slack darbvietas administratoru rādīt e-pastu profilā vai savas iestādes IT kontaktpersonu piesaistīt jūsu kontu: /it persona piesaistīt JŪSU-E-PASTS slack {{.UserID}}",
			"Your Slack profile shows no e-mail address, so itbot cannot tell who you are, and nothing was created. Ask your Slack workspace admin to show e-mail addresses in profiles, or your institution's IT contact to link your account: /it person link YOUR-EMAIL slack {{.UserID}}"),
		bot.T("slack.unknown_email",
			"Jūsu e-pasta adrese {{.Email}} nav itbot lietotāju vidū, tāpēc nekas netika izveidots. Lūdziet savas iestādes IT kontaktpersonu jūs pievienot (/it persona pievienot {{.Email}}) vai rakstiet IT dienestam.",
			"Your e-mail address {{.Email}} is not known to itbot, so nothing was created. Ask your institution's IT contact to add you (/it person add {{.Email}}) or write to the IT service desk."),
		bot.T("slack.lookup_failed",
			"Slack šobrīd neatbild, tāpēc nevarēju pārbaudīt, kas jūs esat; nekas netika izveidots. Lūdzu, mēģiniet vēlreiz pēc brīža.",
			"Slack is not answering right now, so I could not check who you are; nothing was created. Please try again in a moment."),
		bot.T("slack.user_not_found",
			"Slack nepazīst jūsu kontu ({{.UserID}}) šajā darba telpā, tāpēc itbot nevar jūs atpazīt; nekas netika izveidots. Rakstiet no VARAM darba telpas konta vai IT dienestam pa e-pastu.",
			"Slack does not know your account ({{.UserID}}) in this workspace, so itbot cannot tell who you are; nothing was created. Write from your account in the VARAM workspace, or to the IT service desk by e-mail."),
		bot.T("slack.file_comment", "{{.ID}}: {{.Name}}", "{{.ID}}: {{.Name}}"),
		bot.T("slack.foreign_workspace", "itbot šajā Slack darba telpā nedarbojas: tas apkalpo tikai VARAM nozares darba telpu. Rakstiet IT dienestam tur vai pa e-pastu.",
			"itbot does not work in this Slack workspace: it serves the VARAM sector's workspace only. Write to the IT service desk there or by e-mail."),
		bot.T("slack.starting", "itbot tikko startē — pēc brīža mēģiniet vēlreiz.", "itbot is just starting — try again in a moment."),
		bot.T("slack.private_note", "🔒 Redzams tikai jums", "🔒 Only you can see this"),

		bot.T("slack.unstored", "⚠ itbot šobrīd nevarēja pieņemt komandu (datu glabātuve neatbild). Nekas netika saņemts — lūdzu, atkārtojiet to pēc brīža.", "⚠ itbot could not take the command just now (its data store did not answer). Nothing was received — please send it again in a moment."),
		bot.T("slack.journal_dead", "⚠ Slack piegāde Nr. {{.Seq}} ({{.Kind}}) neizdevās vairākas reizes un ir nolikta malā: {{.Error}}. Skatiet: itbot journal list; atkārtot: itbot journal retry slack {{.Seq}}.", "⚠ Slack delivery no. {{.Seq}} ({{.Kind}}) failed several times and was set aside: {{.Error}}. See: itbot journal list; retry: itbot journal retry slack {{.Seq}}."),
		bot.T("slack.form.title", "Jauns pieteikums", "New request"),
		bot.T("slack.form.submit", "Iesniegt", "Submit"),
		bot.T("slack.form.close", "Atcelt", "Cancel"),
		bot.T("slack.form.type", "Pieteikuma veids", "Request type"),
		bot.T("slack.form.type_placeholder", "Izvēlieties…", "Choose…"),
		bot.T("slack.form.target", "Lietotājs (e-pasts)", "User (e-mail)"),
		bot.T("slack.form.target_hint", "Konts, uz kuru attiecas pieteikums: licencēm un pastkastēm.", "The account the request is about: for licences and mailboxes."),
		bot.T("slack.form.mailbox", "Koplietošanas pastkaste", "Shared mailbox"),
		bot.T("slack.form.mailbox_hint", "Tikai piekļuvei koplietošanas pastkastei.", "Only for access to a shared mailbox."),
		bot.T("slack.form.option", "Cita izvēle", "Other option"),
		bot.T("slack.form.option_hint", "Atkarībā no veida: {{.What}}.", "Depending on the type: {{.What}}."),
		bot.T("slack.form.required", "Šim pieteikuma veidam aizpildiet arī šo lauku.", "This request type needs this field too."),
		bot.T("slack.form.licence", "Licence", "Licence"),
		bot.T("slack.form.licence_hint", "Ja neizvēlaties, tiek lietota noklusētā.", "If you choose none, the default is used."),
		bot.T("slack.form.comment", "Komentārs vai jautājums", "Comment or question"),
		bot.T("slack.form.comment_hint", "Jautājumam, incidentam, pielāgošanai un informācijas pieprasījumam — obligāts; jaunai pastkastei — tās nosaukums; citiem — komentārs pieteikumam.", "Required for a question, an incident, a customisation and an information request; for a new mailbox, its name; otherwise a comment on the request."),
		bot.T("slack.form.type_required", "Izvēlieties pieteikuma veidu.", "Choose a request type."),
		bot.T("slack.form.target_required", "Šim pieteikuma veidam norādiet lietotāja e-pastu, piemēram {{.Example}}.", "This request type needs the user's e-mail, e.g. {{.Example}}."),
		bot.T("slack.form.type_unavailable", "Šis pieteikuma veids šobrīd nav pieejams. Lūdzu, izvēlieties citu vai rakstiet komandu.", "This request type is not available right now. Choose another or type the command."),

		bot.T("slack.reject.title", "Noraidīt pieteikumu", "Reject request"),
		bot.T("slack.reject.submit", "Noraidīt", "Reject"),
		bot.T("slack.reject.reason", "Iemesls", "Reason"),
		bot.T("slack.reject.hint", "Pieteicējs redzēs iemeslu pieteikuma pavedienā.", "The requester sees the reason in the request's thread."),
		bot.T("slack.reject.intro", "Pieteikums {{.ID}}: {{.What}}", "Request {{.ID}}: {{.What}}"),
		bot.T("slack.reject.reason_required", "Uzrakstiet noraidīšanas iemeslu.", "Write the reason for the rejection."),
	)
}
