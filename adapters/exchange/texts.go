package exchange

import "itbot/bot"

// The adapter's messages, in Latvian and English; ids start with "exo.".
func init() {
	bot.RegisterTexts(
		bot.T("exo.no_institution", "Nav zināma iestāde, kurai darbību veikt.", "The institution to act for is not known."),
		bot.T("exo.user_unknown", "Konts {{.User}} Microsoft 365 nav atrasts. Pārbaudiet adresi; ja konta vēl nav, vispirms pieprasiet pastkastes izveidi.", "There is no account {{.User}} in Microsoft 365. Check the address; if the account does not exist yet, request a mailbox first."),
		bot.T("exo.address_taken", "Adrese {{.Address}} jau ir aizņemta (to lieto cits konts vai pastkaste). Izvēlieties citu adresi.", "The address {{.Address}} is already taken (another account or mailbox uses it). Choose another address."),
		bot.T("exo.account_exists", "Konts {{.Address}} jau ir, tāpēc jaunu izveidot nevar. Ja tam vajag pastkasti, pieprasiet licenci: /it licence piešķirt {{.Address}}", "The account {{.Address}} already exists, so no new one can be made. If it needs a mailbox, ask for a licence: /it licence assign {{.Address}}"),
		bot.T("exo.domain_not_in_tenant", "Domēns {{.Domain}} nav apstiprināts mūsu Microsoft 365 vidē, tāpēc tajā nevar izveidot adreses. Rakstiet IT dienestam, lai domēnu pievieno.", "The domain {{.Domain}} is not verified in our Microsoft 365 tenant, so no addresses can be made in it. Ask the IT service desk to add the domain."),
		bot.T("exo.sku_unknown", "Licence „{{.SKU}}” nav zināma. Pieejamās licences: {{.Known}}.", "The licence \"{{.SKU}}\" is not known. Available licences: {{.Known}}."),
		bot.T("exo.sku_not_in_tenant", "Licences {{.SKU}} mūsu Microsoft 365 abonementā nav. Pieejamās licences: {{.Known}}.", "Our Microsoft 365 subscription has no {{.SKU}} licences. Available licences: {{.Known}}."),
		bot.T("exo.no_free_units", "Nav brīvu {{.SKU}} licenču (iegādātas: {{.Enabled}}, visas piešķirtas). Pieteikums gaida licenču iegādi un tiks izpildīts automātiski, tiklīdz licences būs pieejamas.", "There are no free {{.SKU}} licences (bought: {{.Enabled}}, all assigned). The request waits for the licences to be bought and will run by itself as soon as they are available."),
		bot.T("exo.usage_location", "Kontam {{.User}} nav derīgas lietošanas valsts (usage location), tāpēc licenci nevar piešķirt. Operatoram tā jāiestata.", "The account {{.User}} has no valid usage location, so no licence can be assigned. An operator must set it."),
		bot.T("exo.throttled", "{{.Service}} pašlaik ierobežo pieprasījumu skaitu (atbilde {{.Status}}; ieteikts gaidīt {{.Seconds}} s). Pieteikums ir saglabāts; operators to var atkārtot: /it retry.", "{{.Service}} is limiting requests now (answer {{.Status}}; suggested wait {{.Seconds}} s). The request is kept; an operator can retry it: /it retry."),
		bot.T("exo.unavailable", "{{.Service}} pašlaik nedarbojas (kļūda {{.Status}}). Pieteikums ir saglabāts; operators to var atkārtot: /it retry.", "{{.Service}} is not working now (error {{.Status}}). The request is kept; an operator can retry it: /it retry."),
		bot.T("exo.unreachable", "Microsoft 365 nav sasniedzams ({{.Op}}). Pieteikums ir saglabāts; operators to var atkārtot: /it retry.", "Microsoft 365 cannot be reached ({{.Op}}). The request is kept; an operator can retry it: /it retry."),
		bot.T("exo.app_forbidden", "itbot lietotnei {{.Service}} trūkst atļaujas ({{.Op}}, atbilde {{.Status}}). Operatoram jāpārbauda lietotnes atļaujas (docs/exchange.md), pēc tam /it retry.", "The itbot app lacks a permission in {{.Service}} ({{.Op}}, answer {{.Status}}). An operator must check the app's permissions (docs/exchange.md), then /it retry."),
		bot.T("exo.rejected", "{{.Service}} noraidīja pieprasījumu: {{.Message}}", "{{.Service}} refused the request: {{.Message}}"),
		bot.T("exo.report_unreadable", "Microsoft 365 pārskatu {{.Report}} neizdevās nolasīt. Mēģiniet vēlāk: /it retry.", "The Microsoft 365 report {{.Report}} could not be read. Try again later: /it retry."),

		bot.T("exo.licence_assigned", "Licence {{.SKU}} piešķirta kontam {{.User}}", "Licence {{.SKU}} assigned to {{.User}}"),
		bot.T("exo.licence_already", "Kontam {{.User}} licence {{.SKU}} jau ir — nekas nav mainīts", "{{.User}} already has the {{.SKU}} licence — nothing changed"),
		bot.T("exo.licence_revoked", "Licence {{.SKU}} noņemta kontam {{.User}}", "Licence {{.SKU}} removed from {{.User}}"),
		bot.T("exo.licence_not_held", "Kontam {{.User}} licences {{.SKU}} nav — nekas nav mainīts", "{{.User}} does not have the {{.SKU}} licence — nothing changed"),
		bot.T("exo.licence_none_held", "Kontam {{.User}} nav nevienas licences — nekas nav mainīts", "{{.User}} has no licence — nothing changed"),
		bot.T("exo.usage_location_set", "Kontam {{.User}} iestatīta lietošanas valsts {{.Location}}", "Usage location {{.Location}} set for {{.User}}"),
		bot.T("exo.free_left", "Brīvas {{.SKU}} licences: {{.Free}}", "Free {{.SKU}} licences: {{.Free}}"),

		bot.T("exo.user_created", "Konts {{.User}} izveidots; pagaidu parole jānomaina pirmajā pieteikšanās reizē", "Account {{.User}} created; the temporary password must be changed at the first sign-in"),
		bot.T("exo.user_resumed", "Konts {{.User}} bija izveidots iepriekšējā mēģinājumā; iestatīta jauna pagaidu parole", "The account {{.User}} was created by an earlier attempt; a new temporary password was set"),
		bot.T("exo.user_existed", "Konts {{.User}} jau bija izveidots — parole nav mainīta", "The account {{.User}} already existed — its password was not changed"),
		bot.T("exo.owner_recorded", "Atbildīgā persona ({{.Owner}}) ierakstīta kā konta vadītājs", "The responsible person ({{.Owner}}) is recorded as the account's manager"),
		bot.T("exo.owner_not_in_tenant", "Atbildīgā persona {{.Owner}} ierakstīta tikai pieteikumā (Microsoft 365 tā nav atrasta)", "The responsible person {{.Owner}} is recorded in the request only (not found in Microsoft 365)"),
		bot.T("exo.mailbox_created", "Pastkaste {{.User}} izveidota un gatava", "Mailbox {{.User}} created and ready"),
		bot.T("exo.mailbox_preparing", "Pastkaste {{.User}} tiek sagatavota — Exchange to izveido dažu minūšu laikā; paziņosim, kad tā būs gatava", "Mailbox {{.User}} is being prepared — Exchange sets it up within a few minutes; you will be told when it is ready"),

		bot.T("exo.shared_created", "Koplietošanas pastkaste {{.Mailbox}} („{{.Name}}”) izveidota", "Shared mailbox {{.Mailbox}} (\"{{.Name}}\") created"),
		bot.T("exo.shared_exists", "Koplietošanas pastkaste {{.Mailbox}} jau ir — nekas nav mainīts", "The shared mailbox {{.Mailbox}} already exists — nothing changed"),
		bot.T("exo.shared_unknown", "Koplietošanas pastkaste {{.Mailbox}} nav atrasta. Pārbaudiet adresi vai vispirms pieprasiet tās izveidi.", "There is no shared mailbox {{.Mailbox}}. Check the address or request the mailbox first."),
		bot.T("exo.not_shared", "{{.Mailbox}} nav koplietošanas pastkaste ({{.Type}}), tāpēc tai nevar pievienot dalībniekus.", "{{.Mailbox}} is not a shared mailbox ({{.Type}}), so it cannot have members."),
		bot.T("exo.member_added", "Kontam {{.User}} piešķirta {{.Perm}} atļauja pastkastei {{.Mailbox}}", "{{.User}} was given {{.Perm}} on {{.Mailbox}}"),
		bot.T("exo.member_already", "Kontam {{.User}} jau ir {{.Perm}} atļauja pastkastei {{.Mailbox}} — nekas nav mainīts", "{{.User}} already has {{.Perm}} on {{.Mailbox}} — nothing changed"),
		bot.T("exo.member_removed", "Kontam {{.User}} noņemta {{.Perm}} atļauja pastkastei {{.Mailbox}}", "{{.Perm}} on {{.Mailbox}} removed from {{.User}}"),
		bot.T("exo.member_not_held", "Kontam {{.User}} nav {{.Perm}} atļaujas pastkastei {{.Mailbox}} — nekas nav mainīts", "{{.User}} does not have {{.Perm}} on {{.Mailbox}} — nothing changed"),
		bot.T("exo.member_summary_added", "Konta {{.User}} atļaujas pastkastei {{.Mailbox}}:", "Permissions of {{.User}} on {{.Mailbox}}:"),
		bot.T("exo.member_summary_removed", "Konta {{.User}} atļauju noņemšana pastkastei {{.Mailbox}}:", "Removing the permissions of {{.User}} on {{.Mailbox}}:"),

		bot.T("exo.spam_allowed", "{{.Sender}} pievienots iestādes {{.Institution}} atļauto sūtītāju sarakstam", "{{.Sender}} added to the allowed senders of {{.Institution}}"),
		bot.T("exo.spam_overridden", "Uzmanību: iestādes pastu vispirms filtrē citi pretsurogātpasta noteikumi ({{.Rules}}), tāpēc šis saraksts var nedarboties. IT dienestam jāmaina to prioritāte.", "Note: other anti-spam rules filter the institution's mail first ({{.Rules}}), so this list may not apply. The IT service desk must change their priority."),
		bot.T("exo.spam_blocked", "{{.Sender}} pievienots iestādes {{.Institution}} bloķēto sūtītāju sarakstam", "{{.Sender}} added to the blocked senders of {{.Institution}}"),
		bot.T("exo.spam_already_allowed", "{{.Sender}} jau ir iestādes {{.Institution}} atļauto sūtītāju sarakstā — nekas nav mainīts", "{{.Sender}} is already an allowed sender of {{.Institution}} — nothing changed"),
		bot.T("exo.spam_already_blocked", "{{.Sender}} jau ir iestādes {{.Institution}} bloķēto sūtītāju sarakstā — nekas nav mainīts", "{{.Sender}} is already a blocked sender of {{.Institution}} — nothing changed"),
		bot.T("exo.spam_unblocked", "{{.Sender}} izņemts no bloķēto saraksta", "{{.Sender}} was taken off the blocked list"),
		bot.T("exo.spam_unallowed", "{{.Sender}} izņemts no atļauto saraksta", "{{.Sender}} was taken off the allowed list"),

		bot.T("exo.report_summary", "Kontu pārskats ({{.Institution}}, periods {{.Period}}): {{.Users}} konti, {{.Enabled}} aktīvi, {{.Licensed}} ar licenci; pastkastēs kopā {{.SizeMB}} MB, {{.Items}} vienumi. Pilna tabula pievienotajā CSV failā.", "Account report ({{.Institution}}, period {{.Period}}): {{.Users}} accounts, {{.Enabled}} enabled, {{.Licensed}} licensed; {{.SizeMB}} MB and {{.Items}} items in mailboxes in all. The full table is in the attached CSV file."),
		bot.T("exo.licence_by_group", "Licenci {{.SKU}} kontam {{.User}} piešķir grupa (Entra ID grupa {{.Group}}), tāpēc to nevar noņemt tieši kontam. Izņemiet kontu no šīs grupas vai noņemiet licenci grupai.",
			"{{.User}} holds the {{.SKU}} licence through a group (Entra ID group {{.Group}}), so it cannot be removed from the account directly. Take the account out of that group, or remove the licence from the group."),
		bot.T("exo.report_header", "Lietotājvārds (UPN);Vārds;Konts ieslēgts;Izveidots;Licences;Pastkastes izmērs, MB;Kvota, MB;Vienumi;Pēdējā aktivitāte;Nosūtīti;Saņemti;Datu datums",
			"User principal name;Display name;Account enabled;Created;Licences;Mailbox size (MB);Quota (MB);Item count;Last activity;Sent;Received;Report date"),
		bot.T("exo.yes", "jā", "yes"),
		bot.T("exo.no", "nē", "no"),
		bot.T("exo.report_refreshed", "Microsoft 365 lietojuma dati uz {{.Date}}", "Microsoft 365 usage data as of {{.Date}}"),
		bot.T("exo.report_concealed", "Microsoft 365 pārskatos lietotāju vārdi ir slēpti, tāpēc pastkastu lieluma un aktivitātes kolonnas ir tukšas. IT dienests ir informēts.", "Microsoft 365 conceals user names in its reports, so the mailbox size and activity columns are empty. The IT service desk has been told."),
		bot.T("exo.ops_concealed", "Microsoft 365 pārskatos lietotāju vārdi ir slēpti (kontu pārskats iestādei {{.Institution}} ir bez lietojuma datiem). Izslēdziet: Microsoft 365 administrēšanas centrs → Iestatījumi → Organizācijas iestatījumi → Pārskati → „Rādīt slēptus lietotāju, grupu un vietņu nosaukumus visos pārskatos”.", "Microsoft 365 conceals user names in its reports (the account report for {{.Institution}} has no usage data). Turn it off: Microsoft 365 admin centre → Settings → Org settings → Reports → \"Display concealed user, group, and site names in all reports\"."),
	)
}
