package nlu

import "strings"

// concept names a group of word stems that signal one idea ("remove",
// "shared mailbox", "spam") in either language.
type concept int

const (
	cLicence concept = iota
	cAssign
	cRemove
	cCreate
	cNeed
	cMailbox
	cShared
	cTechnical
	cPersonal
	cAccess
	cAdd
	cMember
	cSpam
	cSender
	cAllow
	cBlock
	cBlockList
	cComplaint
	cReport
	cAccounts
	cInfo
	cHowMany
	cDVS
	cIncident
	cCopy
	cDocument
	cCustomize
	cBackup
	cWhen
	cHow
	cConsult
	cTopic
	cStatus
	cRequest
	cApprove
	cReject
	cHelp
	cHelpWeak
	cRole
	cWhere
	cAccWeak
	cAllowStrong
	cUserWord
	cMailSvc
	cAvail
	cWorks
	numConcepts
)

// lexicon lists, for every concept, patterns matched against normalised
// (folded, lower-case, hyphen-free) tokens:
//
//	"stem"   the token starts with stem (Latvian inflection: pastkast-e/-i/-ei/-es)
//	"=word"  the token is exactly word
//	"a b"    consecutive tokens, each piece matched by the two rules above
var lexicon = [numConcepts][]string{
	cLicence: {"licenc", "licenz", "licens", "=license", "=licence", "=licencing", "=licensing"},
	cAssign: {"pieskir", "pieskirt", "aktiviz", "=assign", "=assigned", "=give", "=grant", "=provide",
		"=allocate", "pievien", "=add", "=dodiet", "=dot", "=iedodiet", "=iedot", "=dod", "nodrosin",
		"=activate", "=enable", "=apply", "=license", "=get"},
	cRemove: {"izsleg", "=dzest", "=dzesiet", "=delete", "=free up", "=free", "atbriv", "=release", "=unlicense", "=slegt", "=slegiet", "aizver", "=close", "=bloket", "nonem", "atnem", "iznem", "atsauc", "atsauk", "deaktiv", "anul", "=liegt", "=liedziet",
		"=remove", "=removed", "=removing", "revok", "unassign", "disabl", "deactiv", "withdraw",
		"atvieno", "=atslegt", "=atslegiet", "=atcelt", "=atcelsiet", "=cancel", "=kick", "=revoke",
		"=take away", "=take off"},
	cCreate: {"izveid", "uztais", "=create", "=created", "=creating", "=set up", "=setup", "=make",
		"=open", "=new", "jaun", "=register", "=establish"},
	cNeed: {"=javar", "=must", "=needs to", "vajag", "vajadzig", "nepieciesam", "=need", "=needs", "=needed", "=require", "=requires",
		"=want", "=would like", "=like"},
	cMailbox: {"pastkast", "epast", "=email", "=emails", "=mailbox", "=mailboxes", "=inbox", "=account",
		"=accounts", "=mail", "kont", "=e-mail", "=emailbox", "=adrese", "=adresi", "=address",
		"epasta kast", "=kasti"},
	cShared: {"=grupas", "kopig", "koplieto", "kopej", "=shared", "=group", "=common", "=team mailbox"},
	cTechnical: {"tehnisk", "=technical", "=service", "resurs", "=resource", "=room", "=servisa", "skener",
		"=scanner", "=printer", "=printerim", "=printerim", "sistem", "=system", "=equipment",
		"iekart", "=monitoring", "=noreply", "=robot", "=device", "=application", "lietojumprogramm"},
	cPersonal: {"personig", "=personal", "darbiniek", "darbiniec", "=employee", "=hire", "=staff",
		"koleg", "=colleague", "=worker", "=person", "=personam", "=user"},
	cAccess: {"=lasit un sutit", "=read and send", "=lasit", "piekluv", "=access", "tiesib", "=rights", "=right", "=permission", "=permissions",
		"atlauj", "pilnvar", "=send as", "=sendas", "=full access", "=fullaccess", "=send on",
		"=on behalf", "sutit ka", "sutit vestules ka", "=delegate", "=delegation"},
	cAdd: {"=let", "=pieslegt", "=piesledziet", "ieliek", "ielikt", "pievien", "iekla", "=add", "=added", "=include", "=dodiet", "=dot", "=iedot", "=iedodiet",
		"=give", "=grant", "pieskir", "=put"},
	cMember: {"dalibniek", "=member", "=members", "=membership", "=sarakstam"},
	cSpam: {"balt sarakst", "meln sarakst", "spam", "mestul", "surogat", "=junk", "karantin", "quarantin", "phish", "pikser",
		"nevelam", "filtr", "=lottery", "=scam", "krapniec", "=fraud", "=whitelist", "=allowlist",
		"=blacklist", "=blocklist", "=safelist", "=safe sender", "=safe senders"},
	cSender: {"=sender", "=senders", "sutitaj", "domen", "=domain", "=adresats"},
	cAllow: {"balt sarakst", "=baltaja saraksta", "=baltajam sarakstam", "=droso", "=drosajiem", "=drosiem", "=let them through", "=let through", "=let it through", "=let in", "whitelist", "allowlist", "=allow", "=allowed", "=safe", "=trusted", "=trust", "atlau",
		"atblok", "=unblock", "uzticam", "drosaj", "drosie", "drosu", "=release", "atbrivo", "=permit",
		"=approved senders", "=atlaujiet", "safelist"},
	cBlock: {"aizlieg", "=forbid", "=prohibit", "noblok", "=nobloket", "blok", "=block", "=blocked", "=blocking", "blacklist", "blocklist", "=ban", "=stop",
		"=reject", "aptur", "=deny", "=blacklisted"},
	cBlockList: {"meln sarakst", "blacklist", "blocklist", "=block list", "bloketo", "=blocked senders", "=ban list",
		"melnaj", "melno"},
	cComplaint: {"=is blocking", "=are blocking", "=keeps blocking", "=blocks", "=bloke", "pazud", "=mape", "=folder", "=salabot", "=labot", "=fix", "noverst", "=catching", "=catches", "=caught", "aiztur", "nepienak", "=keeps", "nonak", "=end up", "=ends up", "=ending up", "=go to", "=goes to", "=landing",
		"=land in", "iezim", "=marked", "=flagged", "=quarantined", "karantin", "netiek pieg",
		"nesanem", "=not receiving", "=don't receive", "=being", "=classified", "tiek bloket",
		"=are blocked", "=is blocked", "=get blocked", "=gets blocked", "=being blocked"},
	cReport: {"kopsavilkum", "parskat", "atskait", "=report", "=reports", "=overview", "=list", "sarakst",
		"statistik", "=summary", "=statistics", "=export", "=table", "tabul", "izrakst"},
	cAccounts: {"kont", "=accounts", "=account", "izmer", "kvot", "=quota", "=quotas", "=size",
		"=sizes", "aktivit", "=activity", "=inactive", "=login", "=logins", "=signin", "=storage",
		"neaktiv", "=lietoti", "=used", "=usage"},
	cAccWeak: {"lietotaj", "pastkast", "=mailboxes", "licenc", "=licences", "=licenses", "=users",
		"=user", "=mailbox", "darbiniek", "=staff", "=employees"},
	cAllowStrong: {"balt sarakst", "=droso", "=drosajiem", "=drosiem", "whitelist", "allowlist", "=unblock", "=unblocked", "atblok", "uzticam", "drosaj",
		"drosie", "drosu", "=safe", "=trusted", "safelist", "=allowed senders", "=allow list"},
	cUserWord: {"lietotaj", "darbiniek", "darbiniec", "koleg", "=user", "=employee", "=colleague",
		"=staff", "=person", "=kundzei", "=kungam", "=vinam", "=vinai", "=account"},
	cInfo: {"=check whether", "=check if", "parbaud", "=whether", "=reached", "piegad", "=delivered", "=delivery", "=find out", "uzzin", "noskaidr", "informacij", "=information", "=info", "=dati", "=datus", "=datiem", "=data", "=details",
		"nestandart", "=plusma", "=plusmu", "=traffic", "=statistika", "=zurnal", "=log", "=logs",
		"=audit", "=trace"},
	cHowMany: {"=cik", "=how many", "=how much", "=kuri", "=kuras", "=kas", "=who", "=which",
		"=number of"},
	cMailSvc: {"=pasts", "=pasta", "=pastu", "=pastā", "=epasts", "=epasta", "=epastu", "=epastam", "=epasti", "=epastus",
		"=epastiem", "=email", "=emails", "=mail", "=mails", "=outlook", "=exchange", "=owa", "=webmail", "vestul", "=e-mail"},
	cAvail: {"pieejamib", "=availability", "=uptime", "=downtime", "diksta", "=outage", "=outages"},
	cWorks: {"strad", "darboj", "=pieejama", "=pieejams", "=working", "=work", "=works", "=running", "=up", "=available"},
	cDVS: {"=dvs", "=dvs-a", "dokumentu vadib", "=document management", "=documents management",
		"lietvedibas sistem", "=edms", "=dms", "=records management", "dokumentu parvaldib"},
	cIncident: {"nepareiz", "=wrong", "=incorrect", "=logging me out", "=logs me out", "=logging out", "=logged out", "=kicks me out", "nerad", "=blank", "=nothing happens", "tuks", "=nelauj", "izmet", "=doesn't", "=does not", "=white screen", "=empty", "nestrad", "nedarboj", "=nevar", "nevaru", "=nevaram", "klud", "=error", "=errors",
		"=down", "=slow", "=leni", "=lens", "=lena", "neatver", "crash", "=broken", "=not working",
		"=isn't working", "=doesn't work", "=does not work", "=won't", "=cannot", "=can't", "=cant",
		"=unable", "nepieejam", "=unavailable", "uzkar", "iesal", "=freezes", "=frozen", "=hangs",
		"neielad", "nesaglab", "=timeout", "=timed out", "nereag", "=fails", "=failing", "=failed",
		"=fail", "avarij", "problem", "=issue", "=issues", "=bug", "incident", "=denied", "=kludains", "nav pieejam", "=nav pieejama",
		"=not loading", "=not responding", "=stuck", "=outage", "=nestrada", "=nenotiek", "=neiet",
		"=lagging", "=lag", "=nestrada", "=nedarbojas", "=pazud", "=pazuda", "=pazudusi"},
	cCopy: {"kopij", "=copy", "=copies", "izsnieg", "izsniedz", "eksport", "=export", "=exported",
		"=izdruka", "=extract", "=kopet", "=nokopet", "=dublikat"},
	cDocument: {"dokument", "=document", "=documents", "=records", "=files", "lietas", "=letters"},
	cCustomize: {"classif", "=scheme", "=chain", "=approval chain", "=process", "=procedure", "=numbering", "numeracij", "=document type", "=tipu", "=tips", "=tipi", "pielag", "customi", "configur", "konfigur", "veidlap", "veidn", "sablon", "=template",
		"=templates", "=form", "=forms", "=field", "=fields", "=lauku", "=lauks", "=laukus", "=lauki",
		"marsrut", "darbplusm", "=workflow", "=workflows", "klasifik", "nomenklatur", "=mainit",
		"=izmainit", "=modify", "modific", "papildin", "izstrad", "=adapt", "=adjust", "=tailor",
		"=register", "registr", "=routing", "=route", "=report template", "=izmainas", "=izmainu",
		"=change", "=changes", "=customisation", "=customization", "=custom"},
	cBackup: {"rezerv", "backup", "=back up", "=backed up", "dubl", "=restore", "=snapshot"},
	cWhen: {"=kad", "=when", "pedej", "=last", "=status", "=statuss", "izdev", "=successful",
		"=success", "=vai", "=is", "=was", "=did", "=how often", "=cik biezi", "=latest", "=recent"},
	cHow: {"=what settings", "=which settings", "=kadi iestatijumi", "=kadus iestatijumus", "=what should i do", "=what should i", "=what do i do", "=ko darit", "=ko man darit", "=ko lai dara", "=is there a way", "=way to", "=vai ir iespeja", "=best way", "=labakais veids", "=ka labak", "=the right way", "=how do", "=how can", "=how to", "=how should", "=how does", "=how would", "=how i",
		"=ka es", "=ka var", "=ka man", "=ka lai", "=where can", "=where do", "=where is the setting",
		"=kur var", "=kur es", "=kur atrast", "=kur ir"},
	cConsult: {"konsult", "=advice", "=advise", "=explain", "paskaidro", "=difference", "atskirib",
		"=padoms", "=padomu", "=padoma", "instrukc", "=instructions", "=instruction", "=guide",
		"=guidance", "=tutorial", "=tips", "=consultation", "=consult", "=best practice",
		"=recommend", "iesak", "=question"},
	cTopic: {"outlook", "=teams", "epast", "=email", "=e-mail", "=mail", "pastkast", "=mailbox",
		"parol", "=password", "kalendar", "=calendar", "telefon", "=phone", "=mobile", "=dvs",
		"parakst", "=signature", "sharepoint", "onedrive", "=office", "=excel", "=word", "=printer",
		"=vpn", "kont", "=account", "licenc", "=licence", "=license", "=mape", "=mapi", "mapes",
		"=folder", "=folders", "vestul", "=message", "=messages", "dokument", "=document", "arhiv",
		"=archive", "sapulc", "=meeting", "atbild", "=reply", "parsut", "=forward", "pieslegt",
		"=connect", "iestat", "=settings", "=setup", "=set up", "=send as", "=shared", "kopig",
		"koplieto", "=distribution", "=autoreply", "=out of office", "=attachment", "pielikum",
		"=recover", "atjaun", "=delete", "=deleted", "dzest", "=spam", "=junk", "=sync",
		"sinhron", "=calendar", "=rule", "=rules", "kartul", "=contacts", "kontakt"},
	cStatus: {"=apstiprinats", "=noraidits", "=been approved", "=been rejected", "=status", "=statuss", "=statusu", "stavokl", "=progress", "=update", "=updates", "virz",
		"izpild", "=done", "=finished", "=resolved", "=kas notiek", "=what's happening",
		"=what is happening", "=where is", "=kur ir", "=kad bus", "=when will", "=any news",
		"=jaunumi", "=how far", "=gatavs", "=processed", "=apstradats"},
	cRequest: {"pieteikum", "=request", "=requests", "=ticket", "=tickets", "=case", "=pieprasijum",
		"=pieprasijums", "=my order", "=it pieteikums"},
	cApprove: {"apstiprinu", "apstiprin", "=approve", "=approved", "=approving", "akcept", "saskanoj",
		"saskano", "=accept", "=accepted", "=lgtm", "=confirm", "=confirmed", "=atbalstu", "=piekritu"},
	cReject: {"declin", "reject", "noraid", "=reject", "=rejected", "=rejecting", "=decline", "=declined", "=deny",
		"=denied", "atteik", "=atsakam", "=atsaku", "=nepiekritu", "=nesaskanoju", "=refuse",
		"=refused", "=noraidits"},
	cHelp: {"=paliga", "=sos", "=botu", "=bot", "=bots", "=bota", "palidzib", "=help", "komand", "=commands", "=command", "=ko tu", "=ko jus",
		"=what can you", "=what do you do", "izvelne", "=menu", "=usage", "=how to use the bot",
		"=ko var", "=ko es varu", "=what can i ask"},
	cHelpWeak: {"palidz", "=assist", "=support"},
	cRole:     {"=lomu", "=loma", "=lomas", "=loma", "=role", "=roles", "=lomai"},
	cWhere:    {"=where", "=kur"},
}

// pattern is one compiled lexicon entry: a sequence of pieces that must match
// consecutive tokens.
type pattern []piece

// piece matches one token, exactly or by prefix.
type piece struct {
	text  string
	exact bool
}

// byFirstByte holds the lexicon indexed by the first byte of each pattern's
// first piece, so a token is only compared with patterns that can match it.
var byFirstByte [256][]struct {
	c concept
	p pattern
}

func init() {
	for c := concept(0); c < numConcepts; c++ {
		for _, raw := range lexicon[c] {
			exactAll := strings.HasPrefix(raw, "=")
			raw = strings.TrimPrefix(raw, "=")
			var p pattern
			for _, w := range strings.Fields(raw) {
				p = append(p, piece{text: strings.ReplaceAll(w, "-", ""), exact: exactAll})
			}
			if len(p) == 0 {
				continue
			}
			b := p[0].text[0]
			byFirstByte[b] = append(byFirstByte[b], struct {
				c concept
				p pattern
			}{c, p})
		}
	}
}

// matchAt reports how many tokens p matches starting at toks[i] (0 = none).
func (p pattern) matchAt(toks []string, i int) int {
	if i+len(p) > len(toks) {
		return 0
	}
	for k, pc := range p {
		t := toks[i+k]
		if pc.exact {
			if t != pc.text {
				return 0
			}
		} else if !strings.HasPrefix(t, pc.text) {
			return 0
		}
	}
	return len(p)
}

// hits records, for every concept, the token positions where it matched.
type hits [numConcepts][]int

// scan matches every lexicon pattern against toks.
func scan(toks []string) *hits {
	var h hits
	for i, t := range toks {
		if t == "" {
			continue
		}
		seen := uint64(0)
		for _, e := range byFirstByte[t[0]] {
			if seen&(1<<uint(e.c)) != 0 {
				continue
			}
			if e.p.matchAt(toks, i) > 0 {
				h[e.c] = append(h[e.c], i)
				seen |= 1 << uint(e.c)
			}
		}
	}
	return &h
}

// has reports whether concept c occurs anywhere.
func (h *hits) has(c concept) bool { return len(h[c]) > 0 }

// near reports whether concept c occurs within dist tokens of position i.
func (h *hits) near(c concept, i, dist int) bool {
	for _, p := range h[c] {
		if p != i && p >= i-dist && p <= i+dist {
			return true
		}
	}
	return false
}
