package sandbox

import "itbot/bot"

// The sandbox's messages. The prefix is "sbx." so they never collide with
// the real adapters' "exchange." and "dvs." texts. Counts are written as
// "label: n" so one form reads right for every number (phrases render
// without plural selection).
func init() {
	bot.RegisterTexts(
		// Failures common to both services.
		bot.T("sbx.report_header", "Lietotājvārds (UPN);Vārds;Konts ieslēgts;Izveidots;Licences;Pastkastes izmērs, MB;Kvota, MB;Vienumi;Pēdējā aktivitāte",
			"User principal name;Display name;Account enabled;Created;Licences;Mailbox size (MB);Quota (MB);Item count;Last activity"),
		bot.T("sbx.yes", "jā", "yes"),
		bot.T("sbx.no", "nē", "no"),
		bot.T("sbx.cancelled", "Darbība tika pārtraukta, pirms tā beidzās. To var atkārtot.", "The action was stopped before it finished. It can be retried."),
		bot.T("sbx.institution_required", "Nav zināms, kurai iestādei šī darbība paredzēta.", "It is not known which institution this action is for."),
		bot.T("sbx.out_of_scope", "{{.Address}} nav iestādes {{.Institution}} adrese (iestādes domēni: {{.Domains}}).", "{{.Address}} is not an address of {{.Institution}} (its domains: {{.Domains}})."),

		// Exchange Online failures.
		bot.T("sbx.exchange_down", "Exchange Online šobrīd nav pieejams{{if .Detail}} ({{.Detail}}){{end}}. Darbību varēs atkārtot vēlāk.", "Exchange Online is not available right now{{if .Detail}} ({{.Detail}}){{end}}. The action can be retried later."),
		bot.T("sbx.throttled", "Exchange Online pašlaik ierobežo pieprasījumu skaitu. Mēģiniet vēlreiz pēc {{.Seconds}} s.", "Exchange Online is throttling requests. Try again in {{.Seconds}} s."),
		bot.T("sbx.domain_not_in_tenant", "Domēns {{.Domain}} nepieder šim Microsoft 365 nomniekam (tas nav starp verificētajiem domēniem), tāpēc adresi {{.Address}} izmantot nevar. Pārbaudiet adresi.", "The domain {{.Domain}} is not owned by this Microsoft 365 tenant (it is not one of its verified domains), so {{.Address}} cannot be used. Check the address."),
		bot.T("sbx.unknown_sku", "Licence „{{.SKU}}” nav zināma. Var izvēlēties: {{.Known}}.", "Unknown licence \"{{.SKU}}\". Choose one of: {{.Known}}."),
		bot.T("sbx.no_free_licence", "Nav brīvu {{.SKU}} licenču ({{.Name}}): izmantotas {{.Consumed}} no {{.Enabled}}. Pieteikums gaidīs, līdz licences tiks iegādātas.", "No free {{.SKU}} licence ({{.Name}}): {{.Consumed}} of {{.Enabled}} are in use. The request will wait until more licences are bought."),
		bot.T("sbx.which_licence", "Lietotājam {{.User}} ir vairākas licences ({{.SKUs}}). Norādiet, kuru noņemt.", "{{.User}} has several licences ({{.SKUs}}). Say which one to remove."),
		bot.T("sbx.user_not_found", "Lietotājs {{.User}} Exchange Online nav atrasts. Pārbaudiet adresi vai vispirms izveidojiet pastkasti.", "User {{.User}} was not found in Exchange Online. Check the address, or create the mailbox first."),
		bot.T("sbx.address_taken_user", "Adrese {{.Address}} jau ir aizņemta: to izmanto lietotājs „{{.Name}}”. Izvēlieties citu adresi.", "The address {{.Address}} is already taken by the user \"{{.Name}}\". Choose another address."),
		bot.T("sbx.address_taken_shared", "Adrese {{.Address}} jau ir aizņemta: tā ir koplietošanas pastkaste „{{.Name}}”. Izvēlieties citu adresi.", "The address {{.Address}} is already taken by the shared mailbox \"{{.Name}}\". Choose another address."),
		bot.T("sbx.bad_kind", "„{{.Value}}” nav pastkastes veids. Izvēlieties personal (personīgā) vai technical (tehniskā).", "\"{{.Value}}\" is not a mailbox kind. Choose personal or technical."),
		bot.T("sbx.owner_not_found", "Atbildīgā persona {{.Owner}} Exchange Online nav atrasta. Norādiet esošu iestādes darbinieku.", "The responsible person {{.Owner}} was not found in Exchange Online. Name an existing member of staff."),
		bot.T("sbx.mailbox_not_found", "Pastkaste {{.Address}} nav atrasta.", "Mailbox {{.Address}} was not found."),
		bot.T("sbx.shared_not_found", "Koplietošanas pastkaste {{.Mailbox}} nav atrasta. Pārbaudiet adresi vai vispirms izveidojiet pastkasti.", "Shared mailbox {{.Mailbox}} was not found. Check the address, or create the mailbox first."),
		bot.T("sbx.bad_permission", "„{{.Value}}” nav atļauja. Izvēlieties full_access (pilna piekļuve) vai send_as (sūtīt kā).", "\"{{.Value}}\" is not a permission. Choose full_access or send_as."),
		bot.T("sbx.bad_sender", "„{{.Value}}” nav ne e-pasta adrese, ne domēns.", "\"{{.Value}}\" is neither an e-mail address nor a domain."),

		// Exchange Online outcomes.
		bot.T("sbx.licence_assigned", "Licence {{.SKU}} piešķirta lietotājam {{.User}}", "Licence {{.SKU}} assigned to {{.User}}"),
		bot.T("sbx.licence_already", "Lietotājam {{.User}} licence {{.SKU}} jau bija piešķirta; nekas nav mainīts", "{{.User}} already had the {{.SKU}} licence; nothing changed"),
		bot.T("sbx.usage_location_set", "Lietotājam {{.User}} nebija norādīta lietošanas valsts; iestatīta {{.Location}} (Latvija)", "{{.User}} had no usage location; it is now {{.Location}} (Latvia)"),
		bot.T("sbx.licences_free", "Brīvās {{.SKU}} licences: {{.Free}} no {{.Enabled}}", "Free {{.SKU}} licences: {{.Free}} of {{.Enabled}}"),
		bot.T("sbx.licence_revoked", "Lietotājam {{.User}} noņemta licence {{.SKU}}", "Licence {{.SKU}} removed from {{.User}}"),
		bot.T("sbx.licence_not_assigned", "Lietotājam {{.User}} licences {{.SKU}} nebija; nekas nav mainīts", "{{.User}} did not have the {{.SKU}} licence; nothing changed"),
		bot.T("sbx.no_licences", "Lietotājam {{.User}} nav nevienas licences; nekas nav mainīts", "{{.User}} has no licence; nothing changed"),
		bot.T("sbx.mailbox_created", "Pastkaste {{.User}} izveidota un tiek sagatavota; kad tā būs gatava, paziņošu", "Mailbox {{.User}} created and being prepared; I will tell you when it is ready"),
		bot.T("sbx.mailbox_personal", "Personīgā pastkaste „{{.Name}}”, licence {{.SKU}}", "Personal mailbox \"{{.Name}}\", licence {{.SKU}}"),
		bot.T("sbx.mailbox_technical", "Tehniskā pastkaste „{{.Name}}”, licence {{.SKU}}, atbildīgā persona {{.Owner}}", "Technical mailbox \"{{.Name}}\", licence {{.SKU}}, responsible person {{.Owner}}"),
		bot.T("sbx.mailbox_technical_no_owner", "Tehniskā pastkaste „{{.Name}}”, licence {{.SKU}}; atbildīgā persona nav norādīta", "Technical mailbox \"{{.Name}}\", licence {{.SKU}}; no responsible person given"),
		bot.T("sbx.password_note", "Pagaidu parole nosūtīta pieteicējam privāti; pirmajā pieteikšanās reizē tā būs jānomaina", "The temporary password was sent to the requester privately; it must be changed at the first sign-in"),
		bot.T("sbx.shared_created", "Koplietošanas pastkaste {{.Mailbox}} („{{.Name}}”) izveidota", "Shared mailbox {{.Mailbox}} (\"{{.Name}}\") created"),
		bot.T("sbx.shared_exists", "Koplietošanas pastkaste {{.Mailbox}} jau pastāv; nekas nav mainīts", "Shared mailbox {{.Mailbox}} already exists; nothing changed"),
		bot.T("sbx.shared_no_licence", "Koplietošanas pastkastei licence nav vajadzīga (līdz 50 GB)", "A shared mailbox needs no licence (up to 50 GB)"),
		bot.T("sbx.perm.full_access", "pilna piekļuve", "Full Access"),
		bot.T("sbx.perm.send_as", "sūtīt kā", "Send As"),
		bot.T("sbx.member_added", "Lietotājam {{.User}} piešķirta atļauja „{{.PermLV}}” koplietošanas pastkastei {{.Mailbox}}", "{{.User}} now has \"{{.PermEN}}\" on the shared mailbox {{.Mailbox}}"),
		bot.T("sbx.member_already", "Lietotājam {{.User}} jau bija atļauja „{{.PermLV}}” koplietošanas pastkastei {{.Mailbox}}; nekas nav mainīts", "{{.User}} already had \"{{.PermEN}}\" on the shared mailbox {{.Mailbox}}; nothing changed"),
		bot.T("sbx.member_removed", "Lietotājam {{.User}} noņemta atļauja „{{.PermLV}}” koplietošanas pastkastei {{.Mailbox}}", "\"{{.PermEN}}\" on the shared mailbox {{.Mailbox}} removed from {{.User}}"),
		bot.T("sbx.member_not_present", "Lietotājam {{.User}} nebija atļaujas „{{.PermLV}}” koplietošanas pastkastei {{.Mailbox}}; nekas nav mainīts", "{{.User}} did not have \"{{.PermEN}}\" on the shared mailbox {{.Mailbox}}; nothing changed"),
		bot.T("sbx.member_removed_all", "Lietotājam {{.User}} noņemta piekļuve koplietošanas pastkastei {{.Mailbox}}", "{{.User}} no longer has access to the shared mailbox {{.Mailbox}}"),
		bot.T("sbx.member_not_member", "Lietotājam {{.User}} nebija piekļuves koplietošanas pastkastei {{.Mailbox}}; nekas nav mainīts", "{{.User}} had no access to the shared mailbox {{.Mailbox}}; nothing changed"),
		bot.T("sbx.sender_allowed", "Iestādes {{.Institution}} atļauto sūtītāju sarakstam pievienots: {{.Sender}}", "Added to the allowed senders of {{.Institution}}: {{.Sender}}"),
		bot.T("sbx.sender_already_allowed", "{{.Sender}} jau ir iestādes {{.Institution}} atļauto sūtītāju sarakstā; nekas nav mainīts", "{{.Sender}} is already on the allowed senders of {{.Institution}}; nothing changed"),
		bot.T("sbx.sender_blocked", "Iestādes {{.Institution}} bloķēto sūtītāju sarakstam pievienots: {{.Sender}}", "Added to the blocked senders of {{.Institution}}: {{.Sender}}"),
		bot.T("sbx.sender_already_blocked", "{{.Sender}} jau ir iestādes {{.Institution}} bloķēto sūtītāju sarakstā; nekas nav mainīts", "{{.Sender}} is already on the blocked senders of {{.Institution}}; nothing changed"),
		bot.T("sbx.sender_unblocked", "No bloķēto sūtītāju saraksta izņemts: {{.Sender}}", "Removed from the blocked senders: {{.Sender}}"),
		bot.T("sbx.sender_unallowed", "No atļauto sūtītāju saraksta izņemts: {{.Sender}}", "Removed from the allowed senders: {{.Sender}}"),
		bot.T("sbx.report_summary", "Iestādes {{.Institution}} kontu pārskats: kontu skaits {{.Total}} (aktīvi: {{.Enabled}}, ar licenci: {{.Licensed}})", "Account report of {{.Institution}}: accounts: {{.Total}} (enabled: {{.Enabled}}, licensed: {{.Licensed}})"),
		bot.T("sbx.report_near_quota", "Gandrīz pilnas pastkastes (virs 90 % no kvotas): {{.List}}", "Mailboxes almost full (over 90 % of the quota): {{.List}}"),
		bot.T("sbx.report_inactive", "Aktīvi konti bez aktivitātes vairāk nekā 90 dienas: {{.List}}", "Enabled accounts with no activity for over 90 days: {{.List}}"),

		// DVS failures.
		bot.T("sbx.dvs_down", "DVS šobrīd nav pieejama{{if .Detail}} ({{.Detail}}){{end}}. Darbību varēs atkārtot vēlāk.", "The DVS is not available right now{{if .Detail}} ({{.Detail}}){{end}}. The action can be retried later."),
		bot.T("sbx.dvs_org_unknown", "Iestāde {{.Institution}} DVS nav reģistrēta. Sazinieties ar IT dienestu.", "Institution {{.Institution}} is not registered in the DVS. Contact the IT service desk."),
		bot.T("sbx.dvs_unknown_role", "DVS loma „{{.Role}}” nav zināma. Var izvēlēties: {{.Known}}.", "Unknown DVS role \"{{.Role}}\". Choose one of: {{.Known}}."),
		bot.T("sbx.dvs_foreign_user", "Adrese {{.User}} nav iestādes {{.Institution}} domēnā, tāpēc šīs iestādes DVS tiesības tai piešķirt nevar.", "{{.User}} is not in a domain of {{.Institution}}, so it cannot get DVS rights there."),
		bot.T("sbx.dvs_user_not_found", "DVS lietotājs {{.User}} iestādē {{.Institution}} nav atrasts.", "DVS user {{.User}} was not found in {{.Institution}}."),
		bot.T("sbx.dvs_no_period", "Norādiet periodu: sākuma un beigu datumu (GGGG-MM-DD).", "Give the period: a start and an end date (YYYY-MM-DD)."),
		bot.T("sbx.dvs_bad_period", "Perioda beigas ({{.To}}) ir pirms sākuma ({{.From}}).", "The end of the period ({{.To}}) is before its start ({{.From}})."),

		// DVS roles.
		bot.T("sbx.role.lietvedis", "lietvedis", "records clerk"),
		bot.T("sbx.role.vaditajs", "vadītājs", "head"),
		bot.T("sbx.role.lasitajs", "lasītājs", "reader"),
		bot.T("sbx.role.administrators", "administrators", "administrator"),
		bot.T("sbx.role.arhivars", "arhivārs", "archivist"),

		// DVS outcomes.
		bot.T("sbx.dvs_role_granted", "DVS lietotājam {{.User}} piešķirta loma „{{.RoleLV}}”", "DVS role \"{{.RoleEN}}\" granted to {{.User}}"),
		bot.T("sbx.dvs_role_already", "DVS lietotājam {{.User}} loma „{{.RoleLV}}” jau bija; nekas nav mainīts", "{{.User}} already had the DVS role \"{{.RoleEN}}\"; nothing changed"),
		bot.T("sbx.dvs_role_revoked", "DVS lietotājam {{.User}} atņemta loma „{{.RoleLV}}”", "DVS role \"{{.RoleEN}}\" revoked from {{.User}}"),
		bot.T("sbx.dvs_role_not_held", "DVS lietotājam {{.User}} lomas „{{.RoleLV}}” nebija; nekas nav mainīts", "{{.User}} did not have the DVS role \"{{.RoleEN}}\"; nothing changed"),
		bot.T("sbx.dvs_roles_revoked_all", "DVS lietotājam {{.User}} atņemtas visas lomas: {{.RolesLV}}", "All DVS roles revoked from {{.User}}: {{.RolesEN}}"),
		bot.T("sbx.dvs_no_roles", "DVS lietotājam {{.User}} nav nevienas lomas; nekas nav mainīts", "{{.User}} has no DVS role; nothing changed"),
		bot.T("sbx.dvs_user_created", "DVS konts {{.User}} izveidots no iestādes direktorija", "DVS account {{.User}} created from the directory"),
		bot.T("sbx.dvs_roles_now", "Pašreizējās lomas: {{.RolesLV}}", "Current roles: {{.RolesEN}}"),
		bot.T("sbx.dvs_restore_done", "Iestādes {{.Institution}} dokumenti atjaunoti no rezerves kopijas {{.Backup}} ({{.Taken}}; dokumentu skaits: {{.Count}})", "The documents of {{.Institution}} were restored from backup {{.Backup}} ({{.Taken}}; documents: {{.Count}})"),
		bot.T("sbx.dvs_restore_id", "DVS atjaunošanas Nr.: {{.ID}}", "DVS restore no.: {{.ID}}"),
		bot.T("sbx.dvs_backup_unknown", "Rezerves kopija {{.ID}} nav atrasta starp jūsu iestādes rezerves kopijām. Sarakstu parāda /it dvs rezerves.", "Backup {{.ID}} is not among your institution's backups. /it dvs backup lists them."),
		bot.T("sbx.dvs_backup_unusable", "Rezerves kopiju {{.ID}} nevar atjaunot: tās stāvoklis ir „{{.Status}}”. Izvēlieties izdevušos un pārbaudītu kopiju (/it dvs rezerves).", "Backup {{.ID}} cannot be restored: its state is \"{{.Status}}\". Choose one that succeeded and was verified (/it dvs backup)."),
		bot.T("sbx.dvs_export_done", "Iestādes {{.Institution}} dokumentu kopija par periodu {{.From}} – {{.To}} ir sagatavota (dokumentu skaits: {{.Count}})", "The copy of the documents of {{.Institution}} for {{.From}} – {{.To}} is ready (documents: {{.Count}})"),
		bot.T("sbx.dvs_export_empty", "Iestādei {{.Institution}} periodā {{.From}} – {{.To}} DVS nav reģistrētu dokumentu; kopija nav izveidota", "{{.Institution}} has no documents in the DVS for {{.From}} – {{.To}}; no copy was made"),
		bot.T("sbx.dvs_export_location", "Kopijas atrašanās vieta: {{.Location}}", "Location of the copy: {{.Location}}"),
		bot.T("sbx.dvs_export_sha", "SHA-256 kontrolsumma: {{.SHA256}}", "SHA-256 checksum: {{.SHA256}}"),
		bot.T("sbx.dvs_export_size", "Izmērs: {{.MB}} MB", "Size: {{.MB}} MB"),
	)
}
