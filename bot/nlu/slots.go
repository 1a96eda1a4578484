package nlu

import (
	"strings"
	"time"
)

// genericLocal are local parts that name a function, not a person: such an
// address is more likely the shared mailbox than the member.
var genericLocal = map[string]bool{
	"info": true, "pasts": true, "kanceleja": true, "lietvediba": true, "hr": true, "support": true,
	"helpdesk": true, "projekti": true, "projekts": true, "iepirkumi": true, "kadastrs": true,
	"events": true, "office": true, "birojs": true, "admin": true, "gramatvediba": true,
	"personals": true, "personaldala": true, "sekretariats": true, "pasakumi": true, "prese": true,
	"press": true, "komunikacija": true, "finanses": true, "jurists": true, "juridiska": true,
	"it": true, "atbalsts": true, "klienti": true, "sales": true, "contact": true, "kontakti": true,
	"dokumenti": true, "mail": true, "post": true, "pastkaste": true, "reception": true,
	"registratura": true, "vestules": true, "iesniegumi": true, "zinas": true, "news": true,
}

// technicalLocal are local parts of technical (service) mailboxes.
var technicalLocal = []string{"noreply", "no-reply", "donotreply", "skener", "scanner", "printer",
	"alerts", "alert", "monitoring", "robot", "system", "sistem", "notifications", "pazinojum",
	"service", "serviss", "daemon", "cron", "bot"}

// fillSlots reads the slots intent uses from the analysed message.
func (a *analysis) fillSlots(intent string, now time.Time) map[string]string {
	slots := map[string]string{}
	spec := specs[intent]
	uses := func(s string) bool {
		for _, x := range spec.Required {
			if x == s {
				return true
			}
		}
		for _, x := range spec.Optional {
			if x == s {
				return true
			}
		}
		return false
	}
	put := func(k, v string) {
		if v != "" && uses(k) {
			slots[k] = v
		}
	}
	emails := a.entitiesOf('e')
	switch intent {
	case IntentSharedMemberAdd, IntentSharedMemberRemove:
		user, mailbox := a.userAndMailbox(emails)
		put(SlotUser, user)
		put(SlotMailbox, mailbox)
		put(SlotPermission, findPermission(a.toks))
	case IntentSharedCreate:
		if len(emails) > 0 {
			put(SlotMailbox, a.ents[emails[0]].value)
		}
		if m := reQuoted.FindStringSubmatch(a.orig); m != nil && !strings.Contains(m[1], "@") {
			put(SlotDisplayName, strings.TrimSpace(m[1]))
		}
	case IntentSpamAllow, IntentSpamBlock:
		put(SlotSender, a.sender())
	case IntentRequestStatus, IntentRequestApprove, IntentRequestReject:
		for _, e := range a.ents {
			if e.kind == 'i' {
				put(SlotID, e.value)
				break
			}
		}
	case IntentDVSCopy, IntentReportAccounts:
		from, to := findPeriod(a.masked, now)
		put(SlotFrom, from)
		put(SlotTo, to)
	case IntentServiceStatus:
		switch {
		case a.h.has(cDVS):
			put(SlotService, "dvs")
		case a.h.has(cMailSvc):
			put(SlotService, "exchange")
		}
		from, to := findPeriod(a.masked, now)
		put(SlotFrom, from)
		put(SlotTo, to)
	default:
		if uses(SlotUser) && len(emails) > 0 {
			put(SlotUser, a.ents[a.bestUser(emails)].value)
		}
	}
	if uses(SlotSKU) {
		put(SlotSKU, findSKU(a.toks))
	}
	if uses(SlotRole) {
		put(SlotRole, findRole(a.toks, a.raw))
	}
	if intent == IntentMailboxCreate {
		kind := "personal"
		if a.h.has(cTechnical) {
			kind = "technical"
		}
		if u := slots[SlotUser]; u != "" {
			local := u[:strings.IndexByte(u, '@')]
			for _, t := range technicalLocal {
				if strings.Contains(local, t) {
					kind = "technical"
				}
			}
			if kind == "personal" {
				put(SlotDisplayName, findDisplayName(a.orig, u))
			}
		} else if kind == "personal" {
			put(SlotDisplayName, findDisplayName(a.orig, ""))
		}
		put(SlotKind, kind)
	}
	return slots
}

// entitiesOf returns the indexes of the entities of one kind, in text order.
func (a *analysis) entitiesOf(kind byte) []int {
	var out []int
	for i, e := range a.ents {
		if e.kind == kind {
			out = append(out, i)
		}
	}
	return out
}

// isMailboxWord reports a token that names a mailbox ("pastkastei", "mailbox").
func isMailboxWord(t string) bool {
	return strings.HasPrefix(t, "pastkast") || t == "mailbox" || t == "inbox" || strings.HasPrefix(t, "kopig") ||
		strings.HasPrefix(t, "koplieto") || t == "shared" || strings.HasPrefix(t, "epasta") || t == "kasti" ||
		t == "kastei" || t == "kastes" || t == "box"
}

// isUserWord reports a token that names a person ("lietotājam", "user").
func isUserWord(t string) bool {
	return strings.HasPrefix(t, "lietotaj") || strings.HasPrefix(t, "darbiniek") || strings.HasPrefix(t, "darbiniec") ||
		strings.HasPrefix(t, "koleg") || t == "user" || t == "employee" || t == "colleague" || t == "member" ||
		t == "kungam" || t == "kundzei" || t == "staff" || t == "person" || t == "personai"
}

// mailboxLean rates an address as the mailbox (positive) or the member
// (negative) from the words around it and from its local part.
func (a *analysis) mailboxLean(i int) float64 {
	p := a.entPos[i]
	s := 0.0
	prev, next := a.tok(p-1), a.tok(p+1)
	prev2 := a.tok(p - 2)
	switch {
	case isMailboxWord(prev):
		s += 3
	case isUserWord(prev):
		s -= 3
	case prev == "on" || prev == "of" || prev == "uz" || prev == "ka" || prev == "as":
		s += 3
	case prev == "to" || prev == "from" || prev == "no" || prev == "into":
		s += 1.5
	case prev == "for" || prev == "par":
		s -= 1.5
	}
	if isUserWord(prev2) && !isMailboxWord(prev) {
		s -= 1
	}
	if isMailboxWord(next) {
		s += 2
	}
	local := a.ents[i].value[:strings.IndexByte(a.ents[i].value, '@')]
	if genericLocal[local] {
		s += 1
	} else if strings.Contains(local, ".") {
		s -= 1
	}
	return s
}

// userAndMailbox tells the member from the shared mailbox among the
// addresses in a shared.member.* request.
func (a *analysis) userAndMailbox(emails []int) (user, mailbox string) {
	switch len(emails) {
	case 0:
		return "", ""
	case 1:
		if a.mailboxLean(emails[0]) > 0 {
			return "", a.ents[emails[0]].value
		}
		return a.ents[emails[0]].value, ""
	}
	mb, best := -1, -1e9
	for _, i := range emails {
		if l := a.mailboxLean(i); l > best {
			mb, best = i, l
		}
	}
	// All equally plain: "add X to Y" — the first is the member.
	allSame := true
	for _, i := range emails {
		if a.mailboxLean(i) != best {
			allSame = false
		}
	}
	if allSame {
		mb = emails[len(emails)-1]
	}
	for _, i := range emails {
		if i != mb {
			user = a.ents[i].value
			break
		}
	}
	return user, a.ents[mb].value
}

// bestUser picks the address a licence, mailbox or DVS request is about:
// the one introduced by a person word, else the first.
func (a *analysis) bestUser(emails []int) int {
	for _, i := range emails {
		if isUserWord(a.tok(a.entPos[i] - 1)) {
			return i
		}
	}
	return emails[0]
}

// sender picks the address or domain a spam rule is about: one introduced
// as a sender ("no X", "from X", "domēnu X"), else the first.
func (a *analysis) sender() string {
	first := ""
	for i, e := range a.ents {
		if e.kind == 'i' {
			continue
		}
		if first == "" {
			first = e.value
		}
		p := a.entPos[i]
		for k := 1; k <= 2; k++ {
			t := a.tok(p - k)
			if t == "no" || t == "from" || t == "sender" || strings.HasPrefix(t, "sutitaj") ||
				strings.HasPrefix(t, "domen") || t == "domain" {
				return e.value
			}
		}
	}
	return first
}
