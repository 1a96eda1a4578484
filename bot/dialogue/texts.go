package dialogue

import "itbot/bot"

// The dialogue's messages, in Latvian and English, under the "dlg." prefix.
func init() {
	bot.RegisterTexts(
		// Questions, per intent and slot; "dlg.ask.SLOT" when an intent has none.
		bot.T("dlg.ask.licence.assign.user", "Kuram lietotājam piešķirt licenci? Ierakstiet e-pasta adresi.", "Which user should get the licence? Type their e-mail address."),
		bot.T("dlg.ask.licence.revoke.user", "Kuram lietotājam noņemt licenci? Ierakstiet e-pasta adresi.", "Whose licence should be removed? Type their e-mail address."),
		bot.T("dlg.ask.mailbox.create.user", "Kāda būs jaunās pastkastes adrese? Ierakstiet to, piemēram vards.uzvards@{{.Domain}}.", "What address should the new mailbox have? Type it, e.g. name.surname@{{.Domain}}."),
		bot.T("dlg.ask.shared.create.mailbox", "Kāda būs koplietošanas pastkastes adrese? Ierakstiet to, piemēram lietvediba@{{.Domain}}.", "What address should the shared mailbox have? Type it, e.g. records@{{.Domain}}."),
		bot.T("dlg.ask.shared.member.add.mailbox", "Kurai koplietošanas pastkastei dot piekļuvi? Ierakstiet tās adresi.", "Which shared mailbox should they get access to? Type its address."),
		bot.T("dlg.ask.shared.member.add.user", "Kuram lietotājam dot piekļuvi pastkastei {{.Mailbox}}? Ierakstiet e-pasta adresi.", "Who should get access to {{.Mailbox}}? Type their e-mail address."),
		bot.T("dlg.ask.shared.member.remove.mailbox", "No kuras koplietošanas pastkastes noņemt piekļuvi? Ierakstiet tās adresi.", "Which shared mailbox should the access be removed from? Type its address."),
		bot.T("dlg.ask.shared.member.remove.user", "Kuram lietotājam noņemt piekļuvi pastkastei {{.Mailbox}}? Ierakstiet e-pasta adresi.", "Whose access to {{.Mailbox}} should be removed? Type their e-mail address."),
		bot.T("dlg.ask.spam.allow.sender", "Kuru sūtītāju vai domēnu atļaut? Ierakstiet adresi vai domēnu, piemēram info@firma.lv vai firma.lv.", "Which sender or domain should be allowed? Type an address or a domain, e.g. info@firm.com or firm.com."),
		bot.T("dlg.ask.spam.block.sender", "Kuru sūtītāju vai domēnu bloķēt? Ierakstiet adresi vai domēnu, piemēram info@firma.lv vai firma.lv.", "Which sender or domain should be blocked? Type an address or a domain, e.g. info@firm.com or firm.com."),
		bot.T("dlg.ask.dvs.rights.grant.user", "Kuram lietotājam piešķirt DVS tiesības? Ierakstiet e-pasta adresi.", "Which user should get DVS rights? Type their e-mail address."),
		bot.T("dlg.ask.dvs.rights.grant.role", "Kādu DVS lomu piešķirt lietotājam {{.User}}? Piemēram: lietvedis, lasītājs, vadītājs, arhivārs.", "Which DVS role should {{.User}} get? For example: lietvedis (clerk), lasītājs (reader), vadītājs (manager), arhivārs (archivist)."),
		bot.T("dlg.ask.dvs.rights.revoke.user", "Kuram lietotājam atņemt DVS tiesības? Ierakstiet e-pasta adresi.", "Whose DVS rights should be revoked? Type their e-mail address."),
		bot.T("dlg.ask.dvs.copy.from", "Par kuru periodu vajag dokumentu kopijas? Ierakstiet, piemēram, „2025-01-01 līdz 2025-06-30” vai „par 2025. gadu”.", "For which period do you need the document copies? Type, for example, \"2025-01-01 to 2025-06-30\" or \"for 2025\"."),
		bot.T("dlg.ask.dvs.copy.to", "Līdz kuram datumam (periods sākas {{.From}})? Ierakstiet datumu kā GGGG-MM-DD.", "Until which date (the period starts on {{.From}})? Type it as YYYY-MM-DD."),
		bot.T("dlg.ask.request.status.id", "Par kuru pieteikumu? Ierakstiet tā numuru, piemēram IT-2026-000123.", "Which request? Type its id, e.g. IT-2026-000123."),
		bot.T("dlg.ask.request.approve.id", "Kuru pieteikumu apstiprināt? Ierakstiet tā numuru, piemēram IT-2026-000123.", "Which request should be approved? Type its id, e.g. IT-2026-000123."),
		bot.T("dlg.ask.request.reject.id", "Kuru pieteikumu noraidīt? Ierakstiet tā numuru, piemēram IT-2026-000123.", "Which request should be rejected? Type its id, e.g. IT-2026-000123."),
		bot.T("dlg.ask.reason", "Kāpēc noraidāt {{.ID}}? Iemeslu redzēs pieteicējs.", "Why are you rejecting {{.ID}}? The requester will see the reason."),
		bot.T("dlg.ask.user", "Kuram lietotājam? Ierakstiet e-pasta adresi.", "For which user? Type their e-mail address."),
		bot.T("dlg.ask.mailbox", "Kura pastkaste? Ierakstiet tās adresi.", "Which mailbox? Type its address."),
		bot.T("dlg.ask.from", "No kura datuma? Ierakstiet to kā GGGG-MM-DD.", "From which date? Type it as YYYY-MM-DD."),
		bot.T("dlg.ask.to", "Līdz kuram datumam? Ierakstiet to kā GGGG-MM-DD.", "Until which date? Type it as YYYY-MM-DD."),
		bot.T("dlg.cancel_hint", "(Lai pārtrauktu, ierakstiet „atcelt”.)", "(To stop, type \"cancel\".)"),
		bot.T("dlg.your_open", "Jūsu atvērtie pieteikumi:", "Your open requests:"),
		bot.T("dlg.awaiting_you", "Gaida jūsu apstiprinājumu:", "Waiting for your approval:"),

		// Bad answers.
		bot.T("dlg.bad_date", "„{{.Value}}” nav datums, ko saprotu. Ierakstiet to kā GGGG-MM-DD, piemēram 2025-01-31.", "I cannot read \"{{.Value}}\" as a date. Type it as YYYY-MM-DD, e.g. 2025-01-31."),
		bot.T("dlg.bad_role", "„{{.Value}}” nav DVS loma. Ierakstiet lomas nosaukumu, piemēram lietvedis.", "\"{{.Value}}\" is not a DVS role. Type the role's name, e.g. lietvedis."),
		bot.T("dlg.bad_sku", "„{{.Value}}” nav licences nosaukums (piemēram E3).", "\"{{.Value}}\" is not a licence name (e.g. E3)."),
		bot.T("dlg.bad_name", "Vārds „{{.Value}}” ir tukšs vai par garu (līdz 100 rakstzīmēm).", "The name \"{{.Value}}\" is empty or too long (up to 100 characters)."),
		bot.T("dlg.reason_short", "Lūdzu uzrakstiet iemeslu dažos vārdos.", "Please write the reason in a few words."),

		// Confirmation.
		bot.T("dlg.confirm_title", "Pārbaudiet: {{.Type}}", "Please check: {{.Type}}"),
		bot.T("dlg.confirm_question", "Vai izveidot šo pieteikumu? Atbildiet „jā” vai „nē”.", "Shall I create this request? Answer \"yes\" or \"no\"."),
		bot.T("dlg.needs_approval", "Pēc izveides to apstiprinās jūsu iestādes IT kontaktpersona.", "Once created, your institution's IT contact approves it."),
		bot.T("dlg.confirm_again", "Lūdzu atbildiet „jā” (izveidot) vai „nē” (neveidot). Var arī labot: ierakstiet pareizo vērtību.", "Please answer \"yes\" (create it) or \"no\" (drop it). You can also correct it: type the right value."),
		bot.T("dlg.corrected", "Laboju.", "Corrected."),
		bot.T("dlg.confirm_approve_title", "Apstiprināt {{.ID}}?", "Approve {{.ID}}?"),
		bot.T("dlg.confirm_reject_title", "Noraidīt {{.ID}}?", "Reject {{.ID}}?"),
		bot.T("dlg.confirm_approve", "Vai apstiprināt pieteikumu {{.ID}}? Atbildiet „jā” vai „nē”.", "Shall I approve {{.ID}}? Answer \"yes\" or \"no\"."),
		bot.T("dlg.confirm_reject", "Vai noraidīt pieteikumu {{.ID}}? Atbildiet „jā” vai „nē”.", "Shall I reject {{.ID}}? Answer \"yes\" or \"no\"."),
		bot.T("dlg.btn_create", "Jā, izveidot", "Yes, create it"),
		bot.T("dlg.btn_approve", "Jā, apstiprināt", "Yes, approve"),
		bot.T("dlg.btn_reject", "Jā, noraidīt", "Yes, reject"),
		bot.T("dlg.btn_no", "Nē", "No"),
		bot.T("dlg.btn_new", "Jauns pieteikums", "New request"),
		bot.T("dlg.btn_help", "Palīdzība", "Help"),
		// A restated request's fields are labelled by the request-type
		// table's "param.*" texts (package commands); a rejection's reason
		// is the dialogue's own.
		bot.T("dlg.f_reason", "Iemesls", "Reason"),

		// Outcomes.
		bot.T("dlg.created", "✓ Pieteikums {{.ID}} izveidots ({{.State}}). Termiņš: {{.Due}}.", "✓ Request {{.ID}} created ({{.State}}). Due: {{.Due}}."),
		bot.T("dlg.approved", "✓ {{.ID}} apstiprināts; tagad: {{.State}}.", "✓ {{.ID}} approved; now: {{.State}}."),
		bot.T("dlg.rejected", "✓ {{.ID}} noraidīts. Pieteicējs redzēs iemeslu.", "✓ {{.ID}} rejected. The requester will see the reason."),
		bot.T("dlg.discarded", "Labi, pieteikumu neveidoju. Nekas netika mainīts.", "OK, I did not create the request. Nothing was changed."),
		bot.T("dlg.discarded_decision", "Labi, {{.ID}} atstāju, kā ir.", "OK, I left {{.ID}} as it is."),
		bot.T("dlg.cancelled", "Labi, pārtraucu. Nekas netika izveidots.", "OK, stopped. Nothing was created."),
		bot.T("dlg.try_again", "Pieteikums vēl nav izveidots. Lai mēģinātu vēlreiz, atbildiet „jā”; lai pārtrauktu — „nē”.", "The request has not been created yet. To try again, answer \"yes\"; to stop, \"no\"."),
		bot.T("dlg.not_awaiting", "Pieteikums {{.ID}} negaida apstiprinājumu (tas ir: {{.State}}).", "Request {{.ID}} is not waiting for approval (it is {{.State}})."),
		bot.T("dlg.status_line", "{{.ID}} · {{.What}} · {{.State}}", "{{.ID}} · {{.What}} · {{.State}}"),

		// Conversation management.
		bot.T("dlg.expired", "Iepriekšējā saruna beidzās, jo {{.Minutes}} minūtes nebija atbildes; nekas netika izveidots.", "The earlier conversation ended after {{.Minutes}} minutes without an answer; nothing was created."),
		bot.T("dlg.start_again", "Uzrakstiet vēlreiz, kas jums vajadzīgs.", "Please write again what you need."),
		bot.T("dlg.no_question", "Man nav atvērta jautājuma, uz ko tas varētu būt atbilde.", "I have no open question this could answer."),
		bot.T("dlg.nothing_to_cancel", "Nav nekā, ko pārtraukt. Jau izveidotu pieteikumu atceļ ar {{.Prefix}} atcelt ID.", "There is nothing to stop. A request already made is cancelled with {{.Prefix}} cancel ID."),
		bot.T("dlg.switched_unconfirmed", "Iepriekšējais pieteikums ({{.What}}) netika apstiprināts, tāpēc es to neizveidoju. Tagad — jaunais:", "The earlier request ({{.What}}) was not confirmed, so I did not create it. Now the new one:"),
		bot.T("dlg.switched", "Iepriekšējo jautājumu atmetu un ķeros pie jaunā.", "I dropped the earlier question and turned to the new one."),
		bot.T("dlg.token_gone", "Šis jautājums vairs nav atvērts (jau atbildēts, pārtraukts vai novecojis).", "This question is no longer open (already answered, stopped or expired)."),
		bot.T("dlg.not_yours", "Šo var apstiprināt tikai tas, kurš jautāja.", "Only the person who asked can answer this."),

		// Help and unknown text.
		bot.T("dlg.help_intro", "Rakstiet man brīvi, latviski vai angliski, piemēram:\n  „Lūdzu izveidojiet kopīgo pastkasti lietvediba@{{.Domain}}”\n  „Kāds ir statuss IT-2026-000123?”\n  „Kā pieslēgt pastkasti telefonā?”\nTrūkstošo es pajautāšu, un pirms pieteikuma izveides to parādīšu pārbaudei.", "Write to me freely, in Latvian or English, for example:\n  \"Please create the shared mailbox records@{{.Domain}}\"\n  \"What is the status of IT-2026-000123?\"\n  \"How do I set up my mailbox on my phone?\"\nI will ask for what is missing and show the request for a check before I create it."),
		bot.T("dlg.help_more", "Komandas: {{.Prefix}} palīdzība", "Commands: {{.Prefix}} help"),
		bot.T("dlg.unknown", "Nesapratu, kas vajadzīgs. Es palīdzu ar e-pastu (licences, pastkastes, koplietošanas pastkastes, mēstuļu filtrs, kontu pārskati) un DVS (tiesības, incidenti, dokumentu kopijas, rezerves kopijas). Uzrakstiet to vienā teikumā, piemēram „Piešķiriet licenci vards.uzvards@{{.Domain}}”, vai uzdodiet jautājumu.", "I did not understand what you need. I help with e-mail (licences, mailboxes, shared mailboxes, the spam filter, account reports) and the DVS (rights, incidents, document copies, backups). Say it in one sentence, e.g. \"Please assign a licence to name.surname@{{.Domain}}\", or ask a question."),
		bot.T("dlg.closest", "Varbūt noderēs:", "These commands may help:"),

		// Consultation pointers.
		bot.T("dlg.consult_lead", "Operators atbildēs šajā sarunā. Kamēr gaidāt, varbūt noderēs:", "An operator will answer in this conversation. Meanwhile, this may help:"),
		bot.T("dlg.tip.phone", "Telefonā: uzstādiet lietotni Microsoft Outlook un pievienojiet darba kontu ar savu e-pasta adresi. Koplietošanas pastkasti, kurai jums ir pilna piekļuve, pievieno lietotnē: Iestatījumi → jūsu konts → „Pievienot koplietošanas pastkasti”.", "On a phone: install the Microsoft Outlook app and add your work account with your e-mail address. A shared mailbox you have Full Access to is added in the app: Settings → your account → \"Add shared mailbox\"."),
		bot.T("dlg.tip.autoreply", "Automātiskā atbilde: Outlook datorā — Fails → Automātiskās atbildes; Outlook tīmeklī — Iestatījumi → Pasts → Automātiskās atbildes.", "Automatic replies: Outlook on the desktop — File → Automatic Replies; Outlook on the web — Settings → Mail → Automatic replies."),
		bot.T("dlg.tip.shared", "Koplietošanas pastkaste, kurai jums ir pilna piekļuve, Outlook datorā parādās pati (līdz stundai pēc piešķiršanas); Outlook tīmeklī: labais klikšķis uz „Mapes” → „Pievienot koplietojamo mapi vai pastkasti”. Piekļuvi var pieprasīt, uzrakstot, piemēram: „Pievienojiet mani koplietošanas pastkastei info@…”.", "A shared mailbox you have Full Access to appears in desktop Outlook by itself (within an hour of the grant); in Outlook on the web: right-click \"Folders\" → \"Add shared folder or mailbox\". To get access, write e.g. \"Please add me to the shared mailbox info@…\"."),
		bot.T("dlg.tip.password", "Paroli un pierakstīšanās metodes (MFA) maina https://mysignins.microsoft.com/security-info; aizmirstu paroli atjauno https://aka.ms/sspr, ja jūsu iestāde to ir ieslēgusi.", "Your password and sign-in methods (MFA) are changed at https://mysignins.microsoft.com/security-info; a forgotten password is reset at https://aka.ms/sspr if your institution has turned it on."),
		bot.T("dlg.tip.signature", "E-pasta paraksts: Outlook datorā — Fails → Opcijas → Pasts → Paraksti; Outlook tīmeklī — Iestatījumi → Pasts → Rakstīšana un atbildēšana.", "E-mail signature: Outlook on the desktop — File → Options → Mail → Signatures; Outlook on the web — Settings → Mail → Compose and reply."),
		bot.T("dlg.tip.junk", "Ja vēstule nonāca mēstulēs, atzīmējiet to „Nav nevēlams”. Lai sūtītāju atļautu visai iestādei, uzrakstiet, piemēram: „Lūdzu atļaujiet sūtītāju firma.lv”.", "If a message landed in Junk, mark it \"Not junk\". To allow a sender for your whole institution, write e.g. \"Please allow the sender firm.com\"."),
		bot.T("dlg.tip.calendar", "Kalendāru koplieto Outlook: Kalendārs → Koplietot kalendāru → pievienojiet kolēģi un izvēlieties tiesības.", "To share a calendar in Outlook: Calendar → Share Calendar → add the colleague and choose the permission."),
		bot.T("dlg.tip.dvs", "Ja DVS nedarbojas, uzrakstiet, kas tieši notiek (piemēram, „DVS nestrādā, nevar atvērt dokumentus”) — to reģistrēs kā incidentu. DVS lomu pieprasa, uzrakstot, piemēram: „Piešķiriet DVS lomu lietvedis vards.uzvards@…”.", "If the DVS does not work, write what exactly happens (e.g. \"DVS is down, documents won't open\") — it is logged as an incident. For a DVS role write e.g. \"Please grant the DVS role lietvedis to name.surname@…\"."),
		bot.T("dlg.tip.general", "Ar /it palīdzība redzēsiet, ko varu izdarīt uzreiz.", "/it help shows what I can do straight away."),
	)
}
