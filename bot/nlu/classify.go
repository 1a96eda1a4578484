package nlu

import (
	"regexp"
	"strings"
)

var reHowClause = regexp.MustCompile(`(?i)(?:[,.;:!?]\s*|\b(?:nezinu|nesaprotu|pastāstiet|paskaidrojiet|jautājums|jautājums:)\s+)kā\s`)

// minScore is the lowest winning score that still names an intent; below it
// the message is IntentUnknown.
const minScore = 3.5

// passiveAux are words before "bloķētas"/"blocked" that make it a complaint
// ("visas vēstules tiek bloķētas") rather than an order to block.
var passiveAux = map[string]bool{"tiek": true, "tika": true, "tiks": true, "ir": true, "are": true,
	"is": true, "get": true, "gets": true, "being": true, "been": true, "was": true, "were": true, "getting": true}

// classify scores every intent against the concepts found and returns the
// winner with a confidence in 0..1.
func (a *analysis) classify() (string, float64) {
	h := a.h
	has := h.has
	nEmail, nDomain, nID := a.count('e'), a.count('d'), a.count('i')
	sku := findSKU(a.toks)
	dvs := has(cDVS)
	score := map[string]float64{}
	set := func(intent string, s float64) {
		if s > score[intent] {
			score[intent] = s
		}
	}

	// Requests already filed: approve, reject, status.
	short := len(a.toks) <= 3
	question := 0.0
	if strings.Contains(a.orig, "?") {
		question = 2.5 // "Vai pieteikums ir apstiprināts?" asks, it does not decide
	}
	if has(cApprove) {
		s := 2.5
		if nID > 0 {
			s += 4.5
		}
		if has(cRequest) {
			s += 2
		}
		if short {
			s += 1.5
		}
		set(IntentRequestApprove, s-question)
	}
	if has(cReject) {
		s := 2.5
		if nID > 0 {
			s += 4.6
		}
		if has(cRequest) {
			s += 2
		}
		if short {
			s += 1.5
		}
		set(IntentRequestReject, s-question)
	}
	if nID > 0 {
		s := 4.0
		if has(cStatus) || has(cWhen) || has(cRequest) {
			s = 7.4
		}
		set(IntentRequestStatus, s)
	} else if has(cRequest) && has(cStatus) {
		set(IntentRequestStatus, 6.5)
	}

	// DVS.
	if has(cBackup) {
		s := 6.0
		if dvs {
			s += 1.5
		}
		if has(cWhen) {
			s += 0.5
		}
		set(IntentDVSBackupStatus, s)
	}
	if has(cCopy) && !has(cBackup) {
		s := 3.0
		if dvs {
			s += 2.5
		}
		if has(cDocument) {
			s += 1.5
		}
		if a.hasDate() {
			s += 1
		}
		set(IntentDVSCopy, s)
	}
	if has(cCustomize) && (dvs || has(cDocument)) {
		s := 4.5
		if dvs {
			s += 1.5
		}
		if a.hasAny("pielag", "customi", "konfigur", "configur", "veidlap", "sablon", "=template",
			"=workflow", "darbplusm", "marsrut", "klasifik", "classif", "nomenklatur") {
			s += 1
		}
		set(IntentDVSCustomize, s)
	}
	if (has(cIncident) || (dvs && a.negatedVerb())) && (dvs || has(cDocument)) {
		s := 3.5
		if dvs {
			s = 6.5
		}
		set(IntentDVSIncident, s)
	}
	// The services themselves: is it up, how available was it; e-mail that
	// does not work.
	mailSvc := has(cMailSvc)
	broken := has(cIncident) || a.negatedVerb()
	asks := strings.Contains(a.orig, "?") || a.hasAny("=vai", "=is", "=are", "=kada", "=kāda", "=what", "=how")
	if (dvs || mailSvc) && (has(cAvail) || (asks && has(cWorks) && !broken)) && !has(cLicence) && !has(cCreate) && !has(cShared) {
		s := 6.8
		if has(cAvail) {
			s = 7.6
		}
		set(IntentServiceStatus, s)
	}
	if mailSvc && broken && !dvs && !has(cCreate) && !has(cShared) && !has(cSpam) && !has(cLicence) {
		s := 6.4
		if nEmail > 0 {
			s += 0.2
		}
		set(IntentMailIncident, s)
	}
	role := findRole(a.toks, a.raw)
	blockVerb := a.blockVerb()
	if dvs {
		rights := has(cAccess) || role != "" || has(cRole)
		if (has(cRemove) || blockVerb) && (rights || has(cAccounts) || has(cAccWeak) || nEmail > 0) {
			s := 6.6
			if nEmail > 0 {
				s += 0.5
			}
			set(IntentDVSRightsRevoke, s)
		} else if rights && (has(cAssign) || has(cNeed) || nEmail > 0 || role != "") &&
			!(has(cIncident) && !has(cAssign) && role == "") {
			s := 6.2
			if nEmail > 0 {
				s += 0.5
			}
			set(IntentDVSRightsGrant, s)
		}
	}

	// Licences.
	lic := has(cLicence) || (sku != "" && !dvs)
	if lic {
		pen := 0.0
		if has(cReport) {
			pen = 1.5
		}
		if has(cRemove) {
			set(IntentLicenceRevoke, 6.2-pen)
		} else {
			s := 5.0
			if has(cAssign) || has(cNeed) {
				s += 1
			}
			if nEmail > 0 {
				s += 0.3
			}
			set(IntentLicenceAssign, s-pen)
		}
	}

	// Mailboxes.
	mbox := has(cMailbox)
	shared := has(cShared)
	create := has(cCreate) || has(cNeed)
	perm := findPermission(a.toks)
	if mbox && create && !shared && !dvs {
		s := 5.0
		if has(cTechnical) {
			s += 0.5
		}
		set(IntentMailboxCreate, s)
	}
	if shared && (mbox || has(cCreate)) && create && !has(cRemove) {
		s := 5.5
		if nEmail >= 2 || (has(cAdd) && !has(cCreate)) || has(cAccess) {
			s -= 2
		}
		set(IntentSharedCreate, s)
	}
	memberCtx := shared || mbox || has(cAccess) || has(cMember) || nEmail >= 2 || perm != ""
	if memberCtx && !lic && !dvs {
		strong := 0.0
		if shared || has(cAccess) || perm != "" {
			strong++
		}
		if nEmail >= 2 {
			strong += 0.5
		}
		if has(cRemove) {
			set(IntentSharedMemberRemove, 5.5+strong)
		} else if has(cAdd) || perm != "" || has(cMember) || (has(cAccess) && (has(cAssign) || has(cNeed))) {
			set(IntentSharedMemberAdd, 5+strong)
		}
	}

	// Spam filter.
	senderMarked := a.senderMarked()
	spamCtx := has(cSpam) || has(cSender) || nDomain > 0 || senderMarked || has(cAllowStrong)
	allowVerb := has(cAllow)
	switch {
	case has(cBlockList) && !has(cAllowStrong):
		set(IntentSpamBlock, 7.5)
	case allowVerb && spamCtx:
		set(IntentSpamAllow, 7)
	case blockVerb && spamCtx && !dvs:
		set(IntentSpamBlock, 7)
	case has(cComplaint) && (has(cSpam) || senderMarked):
		set(IntentSpamAllow, 6.5)
	case has(cSpam) && (nEmail+nDomain) > 0:
		set(IntentSpamBlock, 5.5)
	}

	// Reports and information.
	rep := has(cReport)
	switch {
	case rep && (has(cAccounts) || has(cAccWeak)):
		set(IntentReportAccounts, 6.5)
	case rep && a.hasAny("parskat", "atskait", "=report", "=reports", "=overview", "=summary", "kopsavilkum", "statistik", "=statistics"):
		set(IntentReportAccounts, 4)
	case has(cAccounts) && (has(cInfo) || has(cHowMany)):
		set(IntentReportAccounts, 5.5)
	case lic && has(cAccWeak) && a.hasAny("=cik", "=how many", "=kuriem", "=which", "=kuri"):
		// "Cik lietotājiem ir E5 licence?" asks for the accounts report.
		set(IntentReportAccounts, 6.5)
	}
	if has(cInfo) {
		s := 6.0
		if dvs {
			s -= 2
		}
		if has(cAccounts) && !rep {
			s = 5.4
		}
		set(IntentInfoRequest, s)
	} else if has(cHowMany) && a.hasAny("vestul", "=email", "=emails", "=messages", "=message", "=mails", "epast", "=letters") {
		set(IntentInfoRequest, 5)
	} else if has(cHowMany) && strings.Contains(a.orig, "?") && (mbox || has(cAccWeak) || has(cAccounts)) {
		// "Kas pēdējo reizi pieslēdzās pastkastei X?"
		set(IntentInfoRequest, 4)
	}

	// How-to questions and advice.
	if a.howQuestion() {
		set(IntentConsult, 7)
	}
	if has(cConsult) {
		set(IntentConsult, 6.8)
	}

	// Help.
	if has(cHelp) {
		set(IntentHelp, 5.5)
	} else if has(cHelpWeak) || strings.TrimSpace(a.orig) == "?" {
		set(IntentHelp, 3.6)
	}

	best, bestS, second := IntentUnknown, 0.0, 0.0
	for _, in := range Intents() { // fixed order makes ties deterministic
		s := score[in]
		if s > bestS {
			best, bestS, second = in, s, bestS
		} else if s > second {
			second = s
		}
	}
	if bestS < minScore {
		return IntentUnknown, 1 - bestS/minScore*0.5
	}
	conf := min(bestS/8, 1) * (0.6 + 0.4*min((bestS-second)/2, 1))
	return best, conf
}

// hasAny reports whether any token matches one of the patterns (lexicon syntax).
func (a *analysis) hasAny(patterns ...string) bool {
	for _, p := range patterns {
		exact := strings.HasPrefix(p, "=")
		p = strings.TrimPrefix(p, "=")
		for _, t := range a.toks {
			if (exact && t == p) || (!exact && strings.HasPrefix(t, p)) {
				return true
			}
		}
	}
	return false
}

// hasDate reports whether the text names a date or period.
func (a *analysis) hasDate() bool {
	for _, t := range a.toks {
		if len(t) == 4 && (strings.HasPrefix(t, "19") || strings.HasPrefix(t, "20")) {
			return true
		}
		if strings.HasPrefix(t, "menes") || t == "month" || t == "year" || strings.HasPrefix(t, "gad") {
			return true
		}
	}
	return false
}

// blockVerb reports an order to block ("bloķējiet", "block"), not the
// complaint "vēstules tiek bloķētas".
func (a *analysis) blockVerb() bool {
	filter := a.hasAny("filtr", "=filter")
	for _, p := range a.h[cBlock] {
		t := a.tok(p)
		if filter && (t == "bloke" || t == "blocks" || t == "blocking") {
			continue // "the spam filter blocks …": a complaint
		}
		if !passiveAux[a.tok(p-1)] {
			return true
		}
	}
	return false
}

// senderMarked reports an address or domain introduced as a sender: "no X",
// "from X", "sūtītāju X", "domēnu X".
func (a *analysis) senderMarked() bool {
	for i, e := range a.ents {
		if e.kind == 'i' {
			continue
		}
		p := a.entPos[i]
		for k := 1; k <= 2; k++ {
			t := a.tok(p - k)
			if t == "no" || t == "from" || t == "sender" || strings.HasPrefix(t, "sutitaj") ||
				strings.HasPrefix(t, "domen") || t == "domain" || t == "senders" {
				return true
			}
		}
	}
	return false
}

// howQuestion reports a how-to question about something IT: "Kā pieslēgt
// kopīgo pastkasti telefonā?", "How do I add a shared mailbox in Outlook?".
func (a *analysis) howQuestion() bool {
	if len(a.toks) == 0 {
		return false
	}
	h := a.h
	how := h.has(cHow)
	first := a.toks[0]
	if !how {
		switch first {
		case "ka":
			how = true
		case "how":
			n := a.tok(1)
			how = n != "many" && n != "much" && n != "long" && n != "far"
		case "kur", "where":
			how = !h.has(cRequest)
		}
	}
	if !how {
		// "kā" opening a later clause: "Sveiki, kā …", "nezinu, kā …". Folded
		// "ka" is left out there: it is also the conjunction "that".
		how = (strings.Contains(a.orig, "kā") || strings.Contains(a.orig, "Kā")) && reHowClause.MatchString(a.orig)
	}
	if !how {
		return false
	}
	return h.has(cTopic)
}

// notNegation are words starting with "ne" that are not a negated verb.
var notNegation = []string{"nedel", "nepiec", "nevajag", "nestandart", "nevien", "nemaz", "neliel",
	"netal", "neskatoties", "nekavej", "nekad", "nekas", "neko", "nekur"}

// participleEndings mark definite participles ("neizpildītajiem uzdevumiem"),
// which describe things rather than report a fault.
var participleEndings = []string{"tajiem", "tajam", "tajai", "tajas", "tais", "tie", "tajos", "tajiem"}

// negatedVerb reports a Latvian negated verb ("nesūta", "nerāda"), which in a
// DVS message is nearly always a fault report.
func (a *analysis) negatedVerb() bool {
	for _, t := range a.toks {
		if len(t) < 5 || !strings.HasPrefix(t, "ne") || hasAnySuffix(t, participleEndings) {
			continue
		}
		ok := true
		for _, n := range notNegation {
			if strings.HasPrefix(t, n) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
