package mattermost

import "itbot/bot"

func init() {
	bot.RegisterTexts(
		bot.T("mm.unstored", "⚠ itbot šobrīd nevarēja pieņemt komandu (datu glabātuve neatbild). Nekas netika saņemts — lūdzu, atkārtojiet to pēc brīža.", "⚠ itbot could not take the command just now (its data store did not answer). Nothing was received — please send it again in a moment."),
		bot.T("mm.working", "⏳ Apstrādāju: `{{.Command}}`", "⏳ Working on it: `{{.Command}}`"),
		bot.T("mm.no_email",
			"Jūsu Mattermost kontam ({{.User}}) nav redzamas e-pasta adreses, tāpēc itbot nevar noteikt, kas jūs esat, un neko nav izveidojis. Lūdziet Mattermost administratoru kontam norādīt e-pasta adresi (vai ļaut botam to redzēt).",
			"Your Mattermost account ({{.User}}) shows no e-mail address, so itbot cannot tell who you are and has created nothing. Ask your Mattermost administrator to give the account an e-mail address (or to let the bot see it)."),
		bot.T("mm.unknown_email",
			"Jūsu Mattermost konta e-pasta adrese {{.Email}} nav itbot lietotāju vidū, tāpēc nekas netika izveidots. Lūdziet savas iestādes IT kontaktpersonu jūs pievienot.",
			"The e-mail address of your Mattermost account, {{.Email}}, is not known to itbot, so nothing was created. Ask your institution's IT contact person to add you."),
		bot.T("mm.lookup_failed",
			"Šobrīd neizdevās noskaidrot jūsu Mattermost kontu, tāpēc nekas netika izdarīts. Mēģiniet vēlreiz pēc brīža.",
			"Your Mattermost account could not be looked up just now, so nothing was done. Please try again in a moment."),
		bot.T("mm.forged",
			"Šīs pogas parakstu nevarēja pārbaudīt, tāpēc tā netika izpildīta. Ierakstiet komandu pats (skat. /it palīdzība).",
			"This button's signature could not be verified, so it was not run. Type the command yourself (see /it help)."),
		bot.T("mm.expired",
			"Šī poga ir novecojusi. Ierakstiet komandu pats: {{.Command}}",
			"This button has expired. Type the command yourself: {{.Command}}"),
		bot.T("mm.dialog_forged",
			"Šo formu nevarēja pārbaudīt, tāpēc nekas netika izveidots. Atveriet jaunu formu ar /it jauns.",
			"This form could not be verified, so nothing was created. Open a new form with /it new."),
		bot.T("mm.dialog_expired",
			"Šī forma ir novecojusi, tāpēc nekas netika izveidots. Atveriet jaunu formu ar /it jauns.",
			"This form has expired, so nothing was created. Open a new form with /it new."),
		bot.T("mm.dialog_title", "Jauns IT pieteikums", "New IT request"),
		bot.T("mm.dialog_intro",
			"Izvēlieties pieteikuma veidu un aizpildiet tam vajadzīgos laukus. Iesniegtā forma tiek apstrādāta tāpat kā ierakstīta /it komanda.",
			"Choose the kind of request and fill in the fields it needs. The form is handled exactly like a typed /it command."),
		bot.T("mm.dialog_submit", "Iesniegt", "Submit"),
		bot.T("mm.field_type", "Pieteikuma veids", "Request type"),
		bot.T("mm.field_target", "Adrese", "Address"),
		bot.T("mm.help_target", "Lietotājs, pastkaste, sūtītājs vai domēns, ko pieteikums skar.", "The user, mailbox, sender or domain the request is about."),
		bot.T("mm.field_mailbox", "Kopīgā pastkaste", "Shared mailbox"),
		bot.T("mm.help_mailbox", "Tikai kopīgās pastkastes dalībniekiem.", "Only for shared mailbox members."),
		bot.T("mm.field_option", "Izvēle", "Option"),
		bot.T("mm.help_option", "Atkarībā no veida: {{.What}}.", "Depending on the type: {{.What}}."),
		bot.T("mm.field_text", "Apraksts", "Description"),
		bot.T("mm.help_text", "Jautājums, incidenta apraksts vai jaunās pastkastes nosaukums.", "The question, the incident, or the new mailbox's display name."),
		bot.T("mm.required", "Šim pieteikuma veidam šis lauks ir obligāts.", "This request type needs this field."),
		bot.T("mm.bad_type", "Izvēlieties pieteikuma veidu no saraksta.", "Choose a request type from the list."),
		bot.T("mm.answered_yes", "✓ Atbildēts: jā", "✓ Answered: yes"),
		bot.T("mm.answered_no", "✓ Atbildēts: nē", "✓ Answered: no"),
		bot.T("mm.reject_title", "Noraidīt pieteikumu", "Reject request"),
		bot.T("mm.reject_intro", "Pieteikums {{.ID}}: {{.What}}", "Request {{.ID}}: {{.What}}"),
		bot.T("mm.reject_submit", "Noraidīt", "Reject"),
		bot.T("mm.reject_reason", "Iemesls", "Reason"),
		bot.T("mm.reject_hint", "Pieteicējs redzēs iemeslu pieteikuma pavedienā.", "The requester sees the reason in the request's thread."),
		bot.T("mm.reject_reason_required", "Uzrakstiet noraidīšanas iemeslu.", "Write the reason for the rejection."),
		bot.T("mm.report_attached", "📎 {{.ID}}: pielikumā rezultāts.", "📎 {{.ID}}: the result is attached."),
	)
}

// both renders a message in Latvian and then English, for people whose
// language is not known yet.
func both(id string, args bot.Args) string {
	return bot.Tr(bot.LV, id, args) + "\n\n" + bot.Tr(bot.EN, id, args)
}
