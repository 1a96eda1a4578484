package nlu

import "strings"

// lvWords and enWords are frequent words of each language in normalised
// form; Latvian ones match by stem, English ones exactly.
var (
	lvStems = []string{"ludz", "lietotaj", "pastkast", "izveid", "pievien", "nonem", "atnem", "pieskir",
		"tiesib", "piekluv", "vestul", "kopig", "koplieto", "darbiniek", "darbiniec", "vajag", "vajadz",
		"nepieciesam", "musu", "licenci", "licences", "kontu", "konta", "sutitaj", "domenu", "domena",
		"mestul", "surogat", "parskat", "atskait", "informacij", "nestrad", "nedarboj", "kluda", "kludu",
		"dokumentu", "dokumenti", "kopij", "izsnieg", "pielag", "rezerv", "pieteikum", "apstiprin",
		"noraid", "palidz", "statuss", "sveiki", "paldies", "jaun", "iestad", "kolegi", "kolegim",
		"nevar", "bloke", "atblok", "atlau", "gada", "gadu", "menes", "lidz", "tehnisk", "personig",
		"izdev", "dublej", "parol", "pieslegt", "telefon", "iestatit", "lietvedib", "lietved", "vadit",
		"lomu", "loma", "sistem", "ludzu", "izpild", "notiek", "virz", "proti", "vari", "komandas",
		"pieejam", "mainit", "nomainit", "atrast", "uztais", "saskano", "pagajus", "pedej", "kad",
		"sanem", "nosutij", "datus", "kuri", "kadi", "kados", "sodien", "rit", "sapulc", "laiks"}
	lvExact = map[string]bool{"un": true, "ir": true, "no": true, "par": true, "lai": true, "man": true,
		"mums": true, "jus": true, "vai": true, "ka": true, "kur": true, "nav": true, "ar": true,
		"uz": true, "to": false, "ko": true, "tu": true, "es": true, "vins": true, "vina": true,
		"ari": true, "jau": true, "kops": true, "visas": true, "visus": true, "sis": true, "so": true,
		"kas": true, "cik": true, "tika": true, "tiek": true, "bus": true, "bija": true, "ludzu": true,
		"dvs": false, "loti": true, "leni": true, "jo": true, "ta": true, "tas": true, "savu": true,
		"mana": true, "manu": true, "mans": true, "kada": true, "kads": true}
	enWords = map[string]bool{"please": true, "the": true, "a": true, "an": true, "to": true, "for": true,
		"and": true, "is": true, "of": true, "my": true, "our": true, "how": true, "can": true, "what": true,
		"when": true, "create": true, "add": true, "remove": true, "mailbox": true, "license": true,
		"licence": true, "shared": true, "need": true, "we": true, "i": true, "you": true, "it": true,
		"from": true, "on": true, "with": true, "in": true, "do": true, "does": true, "was": true,
		"give": true, "grant": true, "revoke": true, "assign": true, "block": true, "whitelist": true,
		"report": true, "status": true, "help": true, "approve": true, "reject": true, "access": true,
		"rights": true, "user": true, "account": true, "accounts": true, "email": true, "emails": true,
		"new": true, "set": true, "up": true, "copy": true, "copies": true, "documents": true,
		"backup": true, "last": true, "where": true, "why": true, "who": true, "this": true, "that": true,
		"their": true, "her": true, "his": true, "he": true, "she": true, "they": true, "me": true,
		"be": true, "are": true, "not": true, "any": true, "all": true, "send": true, "as": true,
		"domain": true, "sender": true, "senders": true, "list": true, "error": true, "down": true,
		"slow": true, "today": true, "could": true, "would": true, "should": true, "will": true,
		"by": true, "at": true, "into": true, "off": true, "out": true, "update": true, "request": true,
		"hello": true, "hi": true, "thanks": true, "thank": true, "yes": true, "no": false, "ok": true,
		"approved": true, "rejected": true, "role": true, "decline": true, "commands": true,
		"show": true, "get": true, "provide": true, "information": true, "data": true, "people": true,
		"printer": true, "floor": true, "coffee": true, "machine": true, "broken": true, "happy": true,
		"birthday": true, "weather": true, "meeting": true, "tomorrow": true, "paper": true}
)

// detectLang returns "lv" when Latvian words or letters dominate the
// message, else "en".
func detectLang(a *analysis) string {
	lv, en := 0.0, 0.0
	if hasLatvianLetters(a.orig) {
		lv += 2
	}
	for _, t := range a.toks {
		if strings.HasPrefix(t, "zz") || t == "_" {
			continue
		}
		known := false
		if lvExact[t] {
			lv++
			known = true
		} else {
			for _, s := range lvStems {
				if strings.HasPrefix(t, s) {
					lv++
					known = true
					break
				}
			}
		}
		if enWords[t] {
			en++
			known = true
		}
		if !known && len(t) > 3 {
			// Word shape: Latvian has no w, q, x, y; its nouns and verbs
			// end in a handful of case and person endings.
			switch {
			case strings.ContainsAny(t, "wqxy") || strings.Contains(t, "th"):
				en += 0.5
			case hasAnySuffix(t, lvEndings) || (strings.HasPrefix(t, "ne") && len(t) >= 6):
				lv += 0.5
			}
		}
	}
	if lv > en {
		return "lv"
	}
	return "en"
}

// lvEndings are frequent Latvian inflection endings that English words rarely have.
var lvEndings = []string{"us", "iem", "ties", "ai", "ei", "ju", "iet", "iju", "ija", "ijas", "ajam", "ajai", "umu", "umi", "ot", "ojas", "ojiet", "iniet"}

func hasAnySuffix(t string, sfx []string) bool {
	for _, s := range sfx {
		if strings.HasSuffix(t, s) {
			return true
		}
	}
	return false
}
