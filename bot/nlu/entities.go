package nlu

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	reEmail = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}`)
	reID    = regexp.MustCompile(`(?i)\bIT[-_ ]?(\d{4})[-_ ]?(\d{1,6})\b`)
	reHost  = regexp.MustCompile(`(?i)\b(?:https?://)?((?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+([a-z]{2,24}))\b`)
)

// genericTLDs are the non-country top-level domains accepted in free text;
// every two-letter country code is accepted too, bar file-name look-alikes.
var genericTLDs = map[string]bool{
	"com": true, "net": true, "org": true, "biz": true, "info": true, "gov": true, "edu": true,
	"int": true, "mil": true, "xyz": true, "top": true, "online": true, "site": true, "club": true,
	"shop": true, "store": true, "app": true, "dev": true, "win": true, "bid": true, "loan": true,
	"work": true, "click": true, "link": true, "live": true, "pro": true, "icu": true, "vip": true,
	"email": true, "cloud": true, "tech": true, "space": true, "fun": true, "mobi": true,
	"name": true, "asia": true, "today": true, "news": true, "agency": true, "digital": true,
	"website": true, "host": true, "press": true, "world": true, "life": true, "bank": true,
	"money": true, "finance": true, "casino": true, "bet": true, "party": true, "date": true,
	"review": true, "stream": true, "download": true, "racing": true, "best": true, "cyou": true,
	"rest": true, "sbs": true, "lol": true, "monster": true, "buzz": true, "quest": true,
}

// notTLD are two-letter endings that in chat are file extensions or
// abbreviations far more often than country domains.
var notTLD = map[string]bool{"md": true, "py": true, "sh": true, "js": true, "rs": true,
	"ps": true, "db": true, "gz": true, "bz": true, "xz": true, "id": true}

// entity is an address, domain or request id found in the text, with its
// byte span in the original text.
type entity struct {
	value      string
	start, end int
	kind       byte // 'e' e-mail, 'd' domain, 'i' id
}

// findEntities returns the e-mail addresses, bare domains and request ids of
// s in text order, without overlaps.
func findEntities(s string) []entity {
	var out []entity
	taken := func(a, b int) bool {
		for _, e := range out {
			if a < e.end && b > e.start {
				return true
			}
		}
		return false
	}
	hasAt := strings.IndexByte(s, '@') >= 0
	hasDot := strings.IndexByte(s, '.') >= 0
	hasIT := strings.Contains(s, "IT") || strings.Contains(s, "it") || strings.Contains(s, "It") || strings.Contains(s, "iT")
	hasDigit := strings.ContainsAny(s, "0123456789")
	if !hasAt && !hasDot && !(hasIT && hasDigit) {
		return nil
	}
	var emails, ids, hosts [][]int
	if hasAt {
		emails = reEmail.FindAllStringIndex(s, -1)
	}
	if hasIT && hasDigit {
		ids = reID.FindAllStringSubmatchIndex(s, -1)
	}
	if hasDot {
		hosts = reHost.FindAllStringSubmatchIndex(s, -1)
	}
	for _, m := range emails {
		if !boundaryOK(s, m[0], m[1]) {
			continue
		}
		out = append(out, entity{value: strings.ToLower(s[m[0]:m[1]]), start: m[0], end: m[1], kind: 'e'})
	}
	for _, m := range ids {
		if taken(m[0], m[1]) || !boundaryOK(s, m[0], m[1]) {
			continue
		}
		n, _ := strconv.Atoi(s[m[4]:m[5]])
		out = append(out, entity{value: fmt.Sprintf("IT-%s-%06d", s[m[2]:m[3]], n), start: m[0], end: m[1], kind: 'i'})
	}
	for _, m := range hosts {
		if taken(m[0], m[1]) || !boundaryOK(s, m[0], m[1]) {
			continue
		}
		host := strings.ToLower(s[m[2]:m[3]])
		tld := strings.ToLower(s[m[4]:m[5]])
		if !(genericTLDs[tld] || (len(tld) == 2 && !notTLD[tld])) {
			continue
		}
		if m[0] > 0 && (s[m[0]-1] == '@' || s[m[0]-1] == '.') {
			continue
		}
		labels := strings.Split(host, ".")
		letters := false
		for _, l := range labels[:len(labels)-1] {
			if strings.IndexFunc(l, unicode.IsLetter) >= 0 {
				letters = true
			}
		}
		if !letters {
			continue
		}
		host = strings.TrimPrefix(host, "www.")
		out = append(out, entity{value: host, start: m[0], end: m[1], kind: 'd'})
	}
	sortEntities(out)
	return out
}

// boundaryOK rejects matches glued to further letters, which ASCII \b misses
// next to non-ASCII letters ("1.janv" in "1.janvāra").
func boundaryOK(s string, a, b int) bool {
	if a > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:a])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	if b < len(s) {
		r, _ := utf8.DecodeRuneInString(s[b:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '@' {
			return false
		}
	}
	return true
}

func sortEntities(es []entity) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].start < es[j-1].start; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

// skuRules map normalised token sequences to short licence names, longest first.
var skuRules = []struct {
	words []string
	sku   string
}{
	{[]string{"exchange", "online", "plan", "1"}, "EXO1"},
	{[]string{"exchange", "online", "plan", "2"}, "EXO2"},
	{[]string{"exchange", "online", "p1"}, "EXO1"},
	{[]string{"exchange", "online", "p2"}, "EXO2"},
	{[]string{"exchange", "online", "1"}, "EXO1"},
	{[]string{"exchange", "online", "2"}, "EXO2"},
	{[]string{"exchange", "online", "kiosk"}, "KIOSK"},
	{[]string{"exchange", "plan", "1"}, "EXO1"},
	{[]string{"exchange", "plan", "2"}, "EXO2"},
	{[]string{"exchange", "plans", "1"}, "EXO1"},
	{[]string{"exchange", "plans", "2"}, "EXO2"},
	{[]string{"business", "basic"}, "BASIC"},
	{[]string{"business", "standard"}, "STANDARD"},
	{[]string{"business", "premium"}, "PREMIUM"},
	{[]string{"exo", "p1"}, "EXO1"},
	{[]string{"exo", "p2"}, "EXO2"},
	{[]string{"exo", "1"}, "EXO1"},
	{[]string{"exo", "2"}, "EXO2"},
	{[]string{"plan", "1"}, "EXO1"},
	{[]string{"plan", "2"}, "EXO2"},
	{[]string{"exo1"}, "EXO1"},
	{[]string{"exo2"}, "EXO2"},
	{[]string{"exop1"}, "EXO1"},
	{[]string{"exop2"}, "EXO2"},
	{[]string{"kiosk"}, "KIOSK"},
	{[]string{"kiosks"}, "KIOSK"},
	{[]string{"kioska"}, "KIOSK"},
	{[]string{"frontline"}, "F3"},
	{[]string{"e1"}, "E1"},
	{[]string{"e3"}, "E3"},
	{[]string{"e5"}, "E5"},
	{[]string{"f1"}, "F1"},
	{[]string{"f3"}, "F3"},
	{[]string{"m365e3"}, "E3"},
	{[]string{"m365e5"}, "E5"},
	{[]string{"o365e3"}, "E3"},
	{[]string{"o365e1"}, "E1"},
}

// findSKU returns the short licence name mentioned in toks, or "".
func findSKU(toks []string) string {
	for i := range toks {
		for _, r := range skuRules {
			if i+len(r.words) > len(toks) {
				continue
			}
			ok := true
			for k, w := range r.words {
				if toks[i+k] != w {
					ok = false
					break
				}
			}
			if ok {
				return r.sku
			}
		}
	}
	// A licence name the rules do not know ("E7 licenci") is kept as
	// typed, so the request is refused with the tenant's licences, never
	// quietly given the default one.
	for i, t := range toks {
		if !reSKULike.MatchString(t) {
			continue
		}
		for _, k := range []int{i - 2, i - 1, i + 1, i + 2} {
			if k >= 0 && k < len(toks) && (strings.HasPrefix(toks[k], "licenc") || strings.HasPrefix(toks[k], "licens")) {
				return strings.ToUpper(t)
			}
		}
	}
	return ""
}

// reSKULike is a word shaped like a licence's short name: a letter and a
// number (E7, F5).
var reSKULike = regexp.MustCompile(`^[a-z]\d{1,2}$`)

// findPermission returns "full_access", "send_as" or "".
func findPermission(toks []string) string {
	for i, t := range toks {
		next := func(k int) string {
			if i+k < len(toks) {
				return toks[i+k]
			}
			return ""
		}
		switch {
		case t == "fullaccess", t == "full" && next(1) == "access",
			strings.HasPrefix(t, "piln") && strings.HasPrefix(next(1), "piekluv"),
			strings.HasPrefix(t, "pilntiesig"), t == "read" && next(1) == "and" && next(2) == "manage":
			return "full_access"
		case t == "sendas", t == "send" && (next(1) == "as" || next(1) == "on"), t == "behalf" && i > 0 && toks[i-1] == "on",
			strings.HasPrefix(t, "sutisan") && strings.HasPrefix(next(1), "tiesib"):
			return "send_as"
		case t == "sutit" || t == "nosutit" || t == "sutitu" || t == "sutitt":
			for k := 1; k <= 3; k++ {
				if n := next(k); n == "ka" || strings.HasPrefix(n, "varda") || strings.HasPrefix(n, "zzeml") {
					return "send_as"
				}
			}
		}
	}
	return ""
}

// roleWords maps normalised DVS role words (all common inflections) and
// English equivalents to the canonical Latvian role name.
var roleWords = map[string]string{}

func init() {
	add := func(canon string, forms ...string) {
		for _, f := range forms {
			roleWords[f] = canon
		}
	}
	add("lietvedis", "lietvedis", "lietveza", "lietvedim", "lietvedi", "lietvede", "lietvedes",
		"lietvedei", "lietvezu", "lietvezi", "lietvezim", "lietvedu", "clerk", "registry", "recordkeeper")
	add("vadītājs", "vaditajs", "vaditaja", "vaditajam", "vaditaju", "vaditajai", "vaditajas",
		"vaditaji", "manager", "head")
	add("lasītājs", "lasitajs", "lasitaja", "lasitajam", "lasitaju", "lasitajai", "lasitajas",
		"reader", "viewer", "readonly")
	add("administrators", "administrators", "administratora", "administratoram", "administratoru",
		"administratore", "administratorei", "administrator", "admin", "administratori")
	add("sekretārs", "sekretars", "sekretara", "sekretaram", "sekretaru", "sekretare", "sekretarei",
		"sekretares", "secretary")
	add("reģistrētājs", "registretajs", "registretaja", "registretajam", "registretaju", "registrar")
	add("apstiprinātājs", "apstiprinatajs", "apstiprinataja", "apstiprinatajam", "apstiprinataju",
		"approver")
	add("izpildītājs", "izpilditajs", "izpilditaja", "izpilditajam", "izpilditaju", "executor", "assignee")
	add("jurists", "jurists", "jurista", "juristam", "juristu", "juriste", "juristei", "lawyer")
	add("arhivārs", "arhivars", "arhivara", "arhivaram", "arhivaru", "archivist")
	add("kontrolieris", "kontrolieris", "kontroliera", "kontrolierim", "kontrolieri", "controller")
}

// findRole returns the DVS role named in toks: a known role word, or the word
// right after "loma"/"role" as typed.
func findRole(toks []string, orig []string) string {
	for i, t := range toks {
		if r, ok := roleWords[t]; ok {
			if t == "head" || t == "manager" || t == "admin" || t == "administrator" {
				// English words that are roles only next to "role"/"as".
				if !(i > 0 && (toks[i-1] == "as" || toks[i-1] == "role" || toks[i-1] == "a" || toks[i-1] == "an")) &&
					!(i+1 < len(toks) && (toks[i+1] == "role" || toks[i+1] == "rights")) {
					continue
				}
			}
			return r
		}
		if t == "read" && i+1 < len(toks) && toks[i+1] == "only" {
			return "lasītājs"
		}
	}
	for i, t := range toks {
		if (t == "lomu" || t == "loma" || t == "role" || t == "lomai") && i+1 < len(toks) {
			n := toks[i+1]
			if n == "the" || n == "of" || n == "ar" || n == "uz" || strings.HasPrefix(n, "zz") || len(n) < 3 {
				continue
			}
			if _, stop := roleStop[n]; stop {
				continue
			}
			if i+1 < len(orig) {
				return orig[i+1]
			}
			return n
		}
	}
	return ""
}

// roleStop are words that follow "lomu"/"role" without naming one.
var roleStop = map[string]struct{}{
	"lietotajam": {}, "lietotajai": {}, "for": {}, "to": {}, "in": {}, "dvs": {}, "sistema": {},
	"jaunajam": {}, "jaunajai": {}, "darbiniekam": {}, "darbiniecei": {}, "kolegim": {}, "kolegei": {},
	"ludzu": {}, "please": {}, "with": {}, "and": {}, "un": {}, "tiesibas": {},
}

// displayNameStop are capitalised words that start sentences or name
// products rather than people.
var displayNameStop = map[string]bool{
	"ludzu": true, "please": true, "sveiki": true, "labdien": true, "hi": true, "hello": true,
	"dear": true, "microsoft": true, "office": true, "exchange": true, "online": true, "outlook": true,
	"teams": true, "dvs": true, "plan": true, "kiosk": true, "jauns": true, "jauna": true, "new": true,
	"izveidojiet": true, "izveidot": true, "create": true, "vajag": true, "we": true, "our": true,
	"the": true, "it": true, "i": true, "can": true, "could": true, "set": true, "nepieciesama": true,
	"nepieciesams": true, "darbinieks": true, "darbiniece": true, "employee": true, "lietotajs": true,
	"paldies": true, "thanks": true, "mr": true, "mrs": true, "ms": true, "dr": true, "kungs": true,
	"kundze": true, "vards": true, "name": true, "uzvards": true, "amats": true, "struktūrvienība": true,
	"sharepoint": true, "windows": true, "varam": true, "vraa": true, "lgia": true, "vvd": true,
	"vid": true, "lad": true, "latvija": true, "latvijas": true, "riga": true, "rigas": true,
}

var reQuoted = regexp.MustCompile(`["“„«]([^"”“»]{2,60})["”“»]`)

// findDisplayName returns a person's or mailbox's display name: a quoted
// name, or a run of two or three capitalised words that are not a product
// name, preferring a run that matches the local part of the address.
func findDisplayName(orig string, address string) string {
	local := ""
	if at := strings.IndexByte(address, '@'); at > 0 {
		local = address[:at]
	}
	type run struct{ words []string }
	var runs []run
	var cur []string
	flush := func() {
		for len(cur) > 0 && displayNameStop[Normalize(cur[0])] {
			cur = cur[1:]
		}
		for len(cur) > 0 && displayNameStop[Normalize(cur[len(cur)-1])] {
			cur = cur[:len(cur)-1]
		}
		if len(cur) >= 2 && len(cur) <= 3 && !latvianDative(cur[len(cur)-1]) {
			runs = append(runs, run{append([]string(nil), cur...)})
		}
		cur = cur[:0]
	}
	words := splitWordsKeepPunct(orig)
	for _, w := range words {
		if w == "" { // punctuation break
			flush()
			continue
		}
		r, size := utf8.DecodeRuneInString(w)
		rest := w[size:]
		if unicode.IsUpper(r) && rest != "" && isLowerWord(rest) {
			cur = append(cur, w)
			continue
		}
		flush()
	}
	flush()
	if len(runs) == 0 {
		return ""
	}
	best := runs[0]
	for _, r := range runs {
		hit := 0
		for _, w := range r.words {
			if local != "" && strings.Contains(local, Normalize(w)) {
				hit++
			}
		}
		if hit >= 2 {
			best = r
			break
		}
	}
	return strings.Join(best.words, " ")
}

func isLowerWord(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && r != '-' {
			return false
		}
		if unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// splitWordsKeepPunct splits s into words; any punctuation other than a
// hyphen inside a word yields an empty string as a break marker. E-mail
// addresses and other tokens containing '@' or '.' become breaks too.
func splitWordsKeepPunct(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		trail := false
		for len(f) > 0 {
			r, size := utf8.DecodeLastRuneInString(f)
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				break
			}
			f = f[:len(f)-size]
			trail = true
		}
		lead := false
		for len(f) > 0 {
			r, size := utf8.DecodeRuneInString(f)
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				break
			}
			f = f[size:]
			lead = true
		}
		if lead {
			out = append(out, "")
		}
		if f == "" || strings.ContainsAny(f, "@./:_0123456789") {
			out = append(out, "")
		} else {
			out = append(out, f)
		}
		if trail {
			out = append(out, "")
		}
	}
	return out
}

// latvianDative reports a name in the dative ("Kalniņam", "Bērziņai"), as in
// "pastkasti Elīnai Bērziņai": not the display name as it should be written.
func latvianDative(w string) bool {
	n := Normalize(w)
	for _, e := range []string{"am", "im", "ai", "ei"} {
		if strings.HasSuffix(n, e) && len(n) > 4 {
			return true
		}
	}
	return false
}
