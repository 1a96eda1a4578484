package dvs

import "itbot/bot"

// The DVS client's messages, prefix "dvs.". Failures say what happened
// and what the reader can do; outcomes say what the DVS did.
func init() {
	bot.RegisterTexts(
		// Failures: the DVS could not be reached or did not answer.
		bot.T("dvs.timeout", "DVS neatbildēja {{.Seconds}} sekunžu laikā (mēģināts {{.Attempts}} reizes). Pieteikums nav zudis: IT dienests to redz un var atkārtot (/it retry).", "The DVS did not answer within {{.Seconds}} seconds ({{.Attempts}} attempts). Nothing is lost: the IT service desk sees the request and can retry it (/it retry)."),
		bot.T("dvs.unreachable", "Ar DVS nevar savienoties (mēģināts {{.Attempts}} reizes). Pieteikums nav zudis: IT dienests to redz un var atkārtot (/it retry).", "The DVS cannot be reached ({{.Attempts}} attempts). Nothing is lost: the IT service desk sees the request and can retry it (/it retry)."),
		bot.T("dvs.unavailable", "DVS šobrīd nav pieejama{{if .Detail}} ({{.Detail}}){{end}}. Pieteikums nav zudis: to atkārtos, kad DVS atkal darbosies (/it retry).", "The DVS is not available right now{{if .Detail}} ({{.Detail}}){{end}}. Nothing is lost: the request is retried once the DVS is back (/it retry)."),
		bot.T("dvs.server_error", "DVS atbildēja ar kļūdu (HTTP {{.Status}}, mēģināts {{.Attempts}} reizes). Pieteikums nav zudis: IT dienests to redz un var atkārtot (/it retry).", "The DVS answered with an error (HTTP {{.Status}}, {{.Attempts}} attempts). Nothing is lost: the IT service desk sees the request and can retry it (/it retry)."),
		bot.T("dvs.throttled", "DVS pašlaik ierobežo pieprasījumu skaitu. Mēģiniet vēlreiz pēc {{.Seconds}} s (/it retry).", "The DVS is limiting requests right now. Try again in {{.Seconds}} s (/it retry)."),
		bot.T("dvs.unauthorized", "itbot savienojumam ar DVS nav atļaujas (HTTP {{.Status}}). IT dienestam jāpārbauda DVS piekļuves atslēga; pieteikums gaida.", "itbot's DVS connection is not authorised (HTTP {{.Status}}). The IT service desk must check the DVS access token; the request waits."),
		bot.T("dvs.bad_response", "DVS atbilde nav saprotama (HTTP {{.Status}}). IT dienests to redz žurnālā un var atkārtot (/it retry).", "The DVS's answer could not be read (HTTP {{.Status}}). The IT service desk sees it in the log and can retry (/it retry)."),
		bot.T("dvs.cancelled", "Darbība ar DVS tika pārtraukta, pirms tā beidzās. To var atkārtot (/it retry).", "The DVS action was stopped before it finished. It can be retried (/it retry)."),

		// Refusals: the DVS answered and said no.
		bot.T("dvs.unknown_role", "DVS loma „{{.Role}}” nav zināma. Var izvēlēties: {{.Known}}.", "Unknown DVS role \"{{.Role}}\". Choose one of: {{.Known}}."),
		bot.T("dvs.bad_user", "„{{.User}}” DVS nepieņem kā lietotāja adresi. Ierakstiet to kā vards.uzvards@iestade.gov.lv.", "The DVS does not accept \"{{.User}}\" as a user address. Write it as name.surname@institution.gov.lv."),
		bot.T("dvs.bad_period", "DVS nepieņem periodu {{.From}} – {{.To}}: {{.Message}}", "The DVS does not accept the period {{.From}} – {{.To}}: {{.Message}}"),
		bot.T("dvs.foreign_user", "{{.User}} nav iestādes {{.Institution}} lietotājs, tāpēc šīs iestādes DVS tiesības tam piešķirt nevar.", "{{.User}} is not a user of {{.Institution}}, so it cannot get that institution's DVS rights."),
		bot.T("dvs.user_not_found", "DVS lietotājs {{.User}} iestādē {{.Institution}} nav atrasts. Pārbaudiet adresi.", "DVS user {{.User}} was not found in {{.Institution}}. Check the address."),
		bot.T("dvs.org_unknown", "Iestāde {{.Institution}} DVS nav reģistrēta (DVS organizācija „{{.Org}}”). Sazinieties ar IT dienestu.", "Institution {{.Institution}} is not registered in the DVS (DVS organisation \"{{.Org}}\"). Contact the IT service desk."),
		bot.T("dvs.not_found", "DVS neatrada: {{.What}}.", "The DVS did not find: {{.What}}."),
		bot.T("dvs.backup_running", "DVS rezerves kopēšana jau notiek ({{.ID}}). Jaunu var sākt, kad tā beigsies.", "A DVS backup is already running ({{.ID}}). A new one can start when it ends."),
		bot.T("dvs.rejected", "DVS atteica (HTTP {{.Status}}): {{.Message}}", "The DVS refused (HTTP {{.Status}}): {{.Message}}"),
		bot.T("dvs.export_failed", "DVS dokumentu kopiju izveidot neizdevās{{if .Detail}}: {{.Detail}}{{end}}. IT dienests to redz un var atkārtot (/it retry).", "The DVS could not make the copy of the documents{{if .Detail}}: {{.Detail}}{{end}}. The IT service desk sees it and can retry (/it retry)."),

		// Outcomes.
		bot.T("dvs.role_granted", "DVS lietotājam {{.User}} piešķirta loma „{{.RoleLV}}”", "DVS role \"{{.RoleEN}}\" granted to {{.User}}"),
		bot.T("dvs.role_already", "DVS lietotājam {{.User}} loma „{{.RoleLV}}” jau bija; nekas nav mainīts", "{{.User}} already had the DVS role \"{{.RoleEN}}\"; nothing changed"),
		bot.T("dvs.role_revoked", "DVS lietotājam {{.User}} atņemta loma „{{.RoleLV}}”", "DVS role \"{{.RoleEN}}\" revoked from {{.User}}"),
		bot.T("dvs.role_not_held", "DVS lietotājam {{.User}} lomas „{{.RoleLV}}” nebija; nekas nav mainīts", "{{.User}} did not have the DVS role \"{{.RoleEN}}\"; nothing changed"),
		bot.T("dvs.roles_revoked_all", "DVS lietotājam {{.User}} atņemtas visas lomas: {{.RolesLV}}", "All DVS roles revoked from {{.User}}: {{.RolesEN}}"),
		bot.T("dvs.no_roles", "DVS lietotājam {{.User}} nav nevienas lomas; nekas nav mainīts", "{{.User}} has no DVS role; nothing changed"),
		bot.T("dvs.user_created", "DVS konts {{.User}} izveidots no iestādes direktorija", "DVS account {{.User}} created from the directory"),
		bot.T("dvs.roles_now", "Pašreizējās lomas: {{.RolesLV}}", "Current roles: {{.RolesEN}}"),
		bot.T("dvs.backup_unknown", "Rezerves kopija {{.ID}} nav atrasta starp jūsu iestādes rezerves kopijām. Sarakstu parāda /it dvs rezerves.", "Backup {{.ID}} is not among your institution's backups. /it dvs backup lists them."),
		bot.T("dvs.restore_done", "Iestādes {{.Institution}} dokumenti atjaunoti no rezerves kopijas {{.Backup}} (dokumentu skaits: {{.Count}})", "The documents of {{.Institution}} were restored from backup {{.Backup}} (documents: {{.Count}})"),
		bot.T("dvs.restore_id", "DVS atjaunošanas Nr.: {{.ID}}", "DVS restore no.: {{.ID}}"),
		bot.T("dvs.restore_failed", "DVS dokumentus no rezerves kopijas atjaunot neizdevās{{if .Detail}}: {{.Detail}}{{end}}. IT dienests to redz un var atkārtot (/it retry).", "The DVS could not restore the documents from the backup{{if .Detail}}: {{.Detail}}{{end}}. The IT service desk sees it and can retry (/it retry)."),
		bot.T("dvs.backup_unusable", "Rezerves kopiju {{.ID}} nevar atjaunot: tās stāvoklis ir „{{.Status}}”. Izvēlieties izdevušos un pārbaudītu kopiju (/it dvs rezerves).", "Backup {{.ID}} cannot be restored: its state is \"{{.Status}}\". Choose one that succeeded and was verified (/it dvs backup)."),
		bot.T("dvs.export_done", "Iestādes {{.Institution}} dokumentu kopija par periodu {{.From}} – {{.To}} ir gatava (dokumentu skaits: {{.Count}})", "The copy of the documents of {{.Institution}} for {{.From}} – {{.To}} is ready (documents: {{.Count}})"),
		bot.T("dvs.export_empty", "Iestādei {{.Institution}} periodā {{.From}} – {{.To}} DVS nav dokumentu; kopija nav izveidota", "{{.Institution}} has no documents in the DVS for {{.From}} – {{.To}}; no copy was made"),
		bot.T("dvs.export_location", "Kopijas atrašanās vieta: {{.Location}}", "Location of the copy: {{.Location}}"),
		bot.T("dvs.export_sha", "SHA-256 kontrolsumma: {{.SHA256}}", "SHA-256 checksum: {{.SHA256}}"),
		bot.T("dvs.export_size", "Izmērs: {{.SizeLV}}", "Size: {{.SizeEN}}"),
		bot.T("dvs.export_id", "DVS eksporta Nr.: {{.ID}}", "DVS export no.: {{.ID}}"),

		// The scheduled backup, for the operators.
		bot.T("dvs.backup_alert_title", "⚠ DVS rezerves kopija", "⚠ DVS backup"),
		bot.T("dvs.backup_alert_start", "Plānoto DVS rezerves kopēšanu ({{.At}}) neizdevās sākt: {{.Error}}. Pēdējā pārbaudītā kopija: {{.LastVerified}}.", "The scheduled DVS backup ({{.At}}) could not start: {{.Error}}. Last verified backup: {{.LastVerified}}."),
		bot.T("dvs.backup_alert_failed", "Plānotā DVS rezerves kopēšana {{.ID}} neizdevās{{if .Detail}}: {{.Detail}}{{end}}. Pēdējā pārbaudītā kopija: {{.LastVerified}}.", "The scheduled DVS backup {{.ID}} failed{{if .Detail}}: {{.Detail}}{{end}}. Last verified backup: {{.LastVerified}}."),
		bot.T("dvs.backup_alert_verify", "DVS rezerves kopija {{.ID}} ir izveidota ({{.SizeLV}}), bet tās pārbaude (testa atjaunošana) neizdevās{{if .Detail}}: {{.Detail}}{{end}}. Uz šo kopiju nevar paļauties. Pēdējā pārbaudītā kopija: {{.LastVerified}}.", "DVS backup {{.ID}} was made ({{.SizeEN}}) but its verification (test restore) failed{{if .Detail}}: {{.Detail}}{{end}}. This backup cannot be relied on. Last verified backup: {{.LastVerified}}."),
		bot.T("dvs.backup_alert_stuck", "Plānotā DVS rezerves kopēšana {{.ID}} nav beigusies {{.Minutes}} minūšu laikā (stāvoklis: {{.Status}}, pārbaude: {{.Verified}}). Pārbaudiet DVS.", "The scheduled DVS backup {{.ID}} has not finished within {{.Minutes}} minutes (status: {{.Status}}, verification: {{.Verified}}). Check the DVS."),
		bot.T("dvs.backup_alert_poll", "Plānotās DVS rezerves kopijas {{.ID}} stāvokli neizdevās uzzināt: {{.Error}}. Pārbaudiet DVS.", "The state of the scheduled DVS backup {{.ID}} could not be read: {{.Error}}. Check the DVS."),
		bot.T("dvs.backup_none", "nav", "none"),
		bot.T("dvs.reason_timeout", "DVS neatbildēja {{.Seconds}} s laikā", "the DVS did not answer within {{.Seconds}} s"),
		bot.T("dvs.reason_unreachable", "ar DVS nevar savienoties", "the DVS cannot be reached"),
		bot.T("dvs.reason_http", "DVS atbildēja HTTP {{.Status}}{{if .Message}} ({{.Message}}){{end}}", "the DVS answered HTTP {{.Status}}{{if .Message}} ({{.Message}}){{end}}"),
	)
}
