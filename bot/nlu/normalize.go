package nlu

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// fold maps letters with diacritics to their base Latin letter. It covers
// Latvian fully and the Lithuanian, Estonian, German, Scandinavian, Polish and
// Czech letters people in the region paste into messages.
var fold = map[rune]string{
	'ā': "a", 'č': "c", 'ē': "e", 'ģ': "g", 'ī': "i", 'ķ': "k", 'ļ': "l",
	'ņ': "n", 'š': "s", 'ū': "u", 'ž': "z", 'ō': "o", 'ŗ': "r",
	'ą': "a", 'ę': "e", 'ė': "e", 'į': "i", 'ų': "u",
	'õ': "o", 'ä': "a", 'ö': "o", 'ü': "u", 'ß': "ss", 'å': "a", 'ø': "o", 'æ': "ae",
	'ł': "l", 'ś': "s", 'ź': "z", 'ż': "z", 'ć': "c", 'ń': "n", 'ó': "o",
	'á': "a", 'é': "e", 'í': "i", 'ú': "u", 'ý': "y", 'ě': "e", 'ř': "r", 'ů': "u",
	'ť': "t", 'ď': "d", 'ň': "n", 'à': "a", 'è': "e", 'ì': "i", 'ò': "o", 'ù': "u",
	'â': "a", 'ê': "e", 'î': "i", 'ô': "o", 'û': "u", 'ç': "c", 'ñ': "n", 'ë': "e", 'ï': "i",
	// Typographic punctuation folds to its ASCII form.
	'‘': "'", '’': "'", '“': "\"", '”': "\"", '„': "\"", '«': "\"", '»': "\"",
	'–': "-", '—': "-", '‑': "-", '\u00a0': " ",
}

// Normalize lower-cases s and folds diacritics to plain Latin letters
// (ā→a, č→c, ē→e, ģ→g, ī→i, ķ→k, ļ→l, ņ→n, š→s, ū→u, ž→z and the common
// letters of neighbouring languages), so that "Pastkastē", "pastkaste" and
// "PASTKASTE" compare equal. Typographic quotes and dashes become ASCII.
// Everything else, including punctuation and spacing, is kept as it is.
func Normalize(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || ('A' <= s[i] && s[i] <= 'Z') {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = unicode.ToLower(r)
		if f, ok := fold[r]; ok {
			b.WriteString(f)
			continue
		}
		if unicode.Is(unicode.Mn, r) { // stray combining marks
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hasLatvianLetters reports whether s contains a letter that only Latvian
// (among the languages the bot sees) uses.
func hasLatvianLetters(s string) bool {
	return strings.ContainsAny(s, "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ")
}

// Closest returns the candidate nearest to word by edit distance after
// Normalize, or "" when none is close enough (at most one edit for words of
// up to four letters, two for longer ones). Ties go to the earlier candidate.
// It is meant for forgiving command and keyword look-ups ("licnce" → "licence").
func Closest(word string, candidates []string) string {
	w := Normalize(strings.TrimSpace(word))
	if w == "" {
		return ""
	}
	limit := 2
	if utf8.RuneCountInString(w) <= 4 {
		limit = 1
	}
	best, bestD := "", limit+1
	for _, c := range candidates {
		d := editDistance(w, Normalize(c), bestD)
		if d < bestD {
			best, bestD = c, d
			if d == 0 {
				break
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b counted in runes;
// it stops early and returns max when the distance is at least max.
func editDistance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d >= max || -d >= max {
		return max
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= max {
			return max
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], max)
}

// tokenize splits normalised text into words of letters and digits. A hyphen
// or apostrophe inside a word is kept ("send-as" → "send-as", "can't").
func tokenize(s string) []string {
	var toks []string
	start := -1
	for i, r := range s {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		if !word && (r == '-' || r == '\'') && start >= 0 {
			// keep only when followed by a letter or digit
			next, _ := utf8.DecodeRuneInString(s[i+1:])
			if unicode.IsLetter(next) || unicode.IsDigit(next) {
				continue
			}
		}
		if word {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			toks = append(toks, s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		toks = append(toks, s[start:])
	}
	return toks
}
