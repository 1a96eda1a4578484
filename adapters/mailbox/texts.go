package mailbox

import "itbot/bot"

// The adapter's messages, in Latvian and English; ids start with "mail.".
func init() {
	bot.RegisterTexts(
		bot.T("mail.refusal_subject", "Jūsu vēstule netika reģistrēta", "Your message was not registered"),
		bot.T("mail.refusal",
			"Labdien!\n\nŠī ir IT dienesta pastkaste. Tā pieņem pieteikumus tikai no VARAM nozares iestāžu darbiniekiem, ar kuru iestādēm ir noslēgts pakalpojuma līgums. Adrese {{.Address}} nepieder nevienai no šīm iestādēm, tāpēc jūsu vēstule netika reģistrēta kā pieteikums.\n\nJa uzskatāt, ka tā ir kļūda, lūdziet savas iestādes IT kontaktpersonu sazināties ar IT dienestu. Uz šo adresi atbildam tikai vienreiz.",
			"Hello,\n\nThis is the IT service desk's mailbox. It takes requests only from employees of the institutions of the VARAM sector that have a service contract. The address {{.Address}} belongs to none of them, so your message was not registered as a request.\n\nIf you think this is a mistake, ask your institution's IT contact person to get in touch with the IT service desk. We answer this address only once."),
		bot.T("mail.review_ack", "Paldies, jūsu vēstule ir saņemta. Automātiski to saprast neizdevās, tāpēc to izskatīs IT dienesta darbinieks un jums atbildēs.", "Thank you, your message has arrived. It could not be understood automatically, so an IT service desk operator will read it and answer you."),
		bot.T("mail.decision_unverified", "Vēstule ar jūsu lēmumu par {{.ID}} neizturēja sūtītāja pārbaudi (DMARC), tāpēc pa e-pastu to pieņemt nevaram — tā pievienota pieteikumam kā komentārs. Lūdzu apstipriniet vai noraidiet čatā: {{.Prefix}} apstiprināt {{.ID}} (vai {{.Prefix}} noraidīt {{.ID}} IEMESLS).", "Your message with a decision on {{.ID}} did not pass the sender check (DMARC), so it cannot be accepted by e-mail — it was added to the request as a comment. Please approve or reject in chat: {{.Prefix}} approve {{.ID}} (or {{.Prefix}} reject {{.ID}} REASON)."),
		bot.T("mail.decision_note", "[e-pasts bez DMARC apstiprinājuma, lēmums nav pieņemts]", "[e-mail without a DMARC pass; the decision was not taken]"),
		bot.T("mail.decision_need_id", "Nav skaidrs, kuru pieteikumu apstiprināt vai noraidīt. Atbildiet uz vēstuli par pieteikumu (tās tēmā ir numurs, piemēram [IT-2026-000123]) un sāciet ar vārdu APSTIPRINU vai NORAIDU.", "It is not clear which request to approve or reject. Reply to the message about the request (its subject carries the id, e.g. [IT-2026-000123]) and start with the word APPROVE or REJECT."),
		bot.T("mail.reject_need_reason", "Lai noraidītu {{.ID}}, uzrakstiet arī iemeslu: NORAIDU un iemesls.", "To reject {{.ID}}, write the reason too: REJECT and the reason."),
		bot.T("mail.approved", "Pieteikums {{.ID}} apstiprināts; tagad: {{.State}}.", "Request {{.ID}} approved; now: {{.State}}."),
		bot.T("mail.rejected", "Pieteikums {{.ID}} noraidīts.", "Request {{.ID}} rejected."),
		bot.T("mail.command_unverified", "Komandu „{{.Command}}” pa e-pastu pieņemam tikai no vēstules, kas izturējusi sūtītāja pārbaudi (DMARC). Lūdzu izmantojiet čatu.", "The command \"{{.Command}}\" is taken by e-mail only from a message that passed the sender check (DMARC). Please use chat."),
		bot.T("mail.footer", "Atbildiet uz šo vēstuli, lai papildinātu pieteikumu {{.ID}}; lūdzu saglabājiet numuru [{{.ID}}] tēmā.", "Reply to this message to add to request {{.ID}}; please keep [{{.ID}}] in the subject."),
		bot.T("mail.footer_plain", "Šī ir IT dienesta automātiska atbilde. Lai kaut ko piebilstu, atbildiet uz šo vēstuli.", "This is an automatic answer of the IT service desk. Reply to this message to add something."),
		bot.T("mail.approval_hint", "Lai apstiprinātu, atbildiet uz šo vēstuli ar vārdu APSTIPRINU; lai noraidītu — ar vārdu NORAIDU un iemeslu.", "To approve, reply to this message with the word APPROVE; to reject, with the word REJECT and the reason."),
		bot.T("mail.file_too_big", "Fails {{.Name}} ir par lielu e-pastam; to var saņemt čatā: {{.Prefix}} skatīt {{.ID}}", "The file {{.Name}} is too big for e-mail; get it in chat: {{.Prefix}} show {{.ID}}"),

		bot.T("mail.ops_review", "📥 E-pasts no {{.From}} („{{.Subject}}”) netika saprasts automātiski; tas ir mapē „{{.Folder}}”. Lūdzu izskatiet un atbildiet.", "📥 An e-mail from {{.From}} (\"{{.Subject}}\") could not be understood automatically; it is in the folder \"{{.Folder}}\". Please read and answer it."),
		bot.T("mail.ops_forged", "⚠ E-pasts ar sūtītāju {{.From}} („{{.Subject}}”) neizturēja sūtītāja pārbaudi (DMARC) — iespējams viltots. Tas netika apstrādāts un ir mapē „{{.Folder}}”.", "⚠ An e-mail from {{.From}} (\"{{.Subject}}\") failed the sender check (DMARC) — possibly forged. It was not acted on and is in the folder \"{{.Folder}}\"."),
		bot.T("mail.ops_interrupted", "⚠ E-pasta no {{.From}} („{{.Subject}}”) apstrāde tika pārtraukta (itbot apstājās). Pārbaudiet, vai pieteikums ir izveidots; vēstule ir mapē „{{.Folder}}”.", "⚠ Handling the e-mail from {{.From}} (\"{{.Subject}}\") was interrupted (itbot stopped). Check whether a request was made; the message is in the folder \"{{.Folder}}\"."),
		bot.T("mail.ops_failed", "⚠ E-pastu no {{.From}} („{{.Subject}}”) neizdevās apstrādāt (iekšēja kļūda, sīkāk žurnālā). Vēstule ir mapē „{{.Folder}}”.", "⚠ The e-mail from {{.From}} (\"{{.Subject}}\") could not be handled (internal error, see the log). The message is in the folder \"{{.Folder}}\"."),
		bot.T("mail.ops_rate_limited", "⚠ Adresei {{.Address}} šajā stundā jau nosūtītas {{.Limit}} vēstules; nākamās netiek sūtītas (iespējama vēstuļu cilpa). Pārbaudiet mapi „{{.Folder}}”.", "⚠ {{.Limit}} messages were already sent to {{.Address}} this hour; further ones are held back (a possible mail loop). Check the folder \"{{.Folder}}\"."),
	)
}
