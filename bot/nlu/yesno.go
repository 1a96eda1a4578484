package nlu

import "strings"

var (
	yesWords = map[string]bool{"ja": true, "jaa": true, "jā": true, "yes": true, "y": true, "yep": true,
		"yeah": true, "ok": true, "okay": true, "oki": true, "labi": true, "apstiprinu": true,
		"apstiprinat": true, "apstiprinam": true, "protams": true, "der": true, "sure": true,
		"confirm": true, "confirmed": true, "approve": true, "go": true, "pareizi": true,
		"correct": true, "piekritu": true, "ludzu": true, "k": true, "👍": true}
	noWords = map[string]bool{"ne": true, "nē": true, "nee": true, "no": true, "n": true, "nope": true,
		"nav": true, "nevajag": true, "atcelt": true, "atceliet": true, "atcel": true, "cancel": true,
		"stop": true, "nepareizi": true, "wrong": true, "noraidu": true, "noraidit": true,
		"reject": true, "abort": true, "nah": true, "negribu": true, "👎": true}
	cancelWords = map[string]bool{"atcelt": true, "atceliet": true, "atcel": true, "atcelu": true,
		"cancel": true, "stop": true, "stopp": true, "abort": true, "beigt": true, "quit": true,
		"exit": true, "partraukt": true, "partrauc": true, "pietiek": true, "nevajag": true}
)

// words returns the normalised words of a short reply, punctuation dropped.
func replyWords(text string) []string {
	return strings.FieldsFunc(Normalize(text), func(r rune) bool {
		return r == ' ' || r == ',' || r == '.' || r == '!' || r == '?' || r == ';' || r == ':' ||
			r == '\t' || r == '\n' || r == '"' || r == '\'' || r == '(' || r == ')'
	})
}

// ParseYesNo reads a confirmation reply: yes is true for "jā", "ja",
// "lūdzu", "apstiprinu", "yes", "y", "ok" …; no is true for "nē", "ne",
// "no", "atcelt", "cancel" …. Only the first two words count, so
// "jā, lūdzu" is yes and "nē, paldies" is no. Both are false when the reply
// is neither; they are never both true.
func ParseYesNo(text string) (yes, no bool) {
	ws := replyWords(text)
	if len(ws) > 2 {
		ws = ws[:2]
	}
	for _, w := range ws {
		if noWords[w] {
			return false, true
		}
	}
	for _, w := range ws {
		if yesWords[w] {
			return true, false
		}
	}
	return false, false
}

// IsCancel reports whether text asks to abandon the current dialogue:
// "atcelt", "cancel", "stop" and their variants, alone or as the first word.
func IsCancel(text string) bool {
	ws := replyWords(text)
	if len(ws) == 0 || len(ws) > 3 {
		return false
	}
	return cancelWords[ws[0]] || (len(ws) > 1 && cancelWords[ws[len(ws)-1]] && len(ws) == 2)
}
