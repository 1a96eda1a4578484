package nlu

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Month names in normalised (folded, lower-case) form, Latvian with their
// case endings and English with the usual abbreviations.
const monthRe = `(janvar(?:is|a|i|im|u)|februar(?:is|a|i|im|u)|mart(?:s|a|am|u)|april(?:is|a|i|im|u)|maij(?:s|a|am|u)|junij(?:s|a|am|u)|julij(?:s|a|am|u)|august(?:s|a|am|u)|septembr(?:is|a|i|im|u)|oktobr(?:is|a|i|im|u)|novembr(?:is|a|i|im|u)|decembr(?:is|a|i|im|u)|january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)`

// monthAbbrev are the English month abbreviations, which count as months
// only next to a day or year number.
var monthAbbrev = map[string]bool{"jan": true, "feb": true, "mar": true, "apr": true, "jun": true,
	"jul": true, "aug": true, "sep": true, "sept": true, "oct": true, "nov": true, "dec": true}

var reMonthWord = regexp.MustCompile(`\b` + monthRe + `\b`)

var monthPrefixes = []string{"jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "o", "nov", "dec"}

// Month words are replaced by tokens before the date rules run, so that the
// long alternation of month names is matched once per message, not once per
// rule: "mon01".."mon12" for full names, "mab01".."mab12" for abbreviations.
const (
	monthTok     = `(m(?:on|ab)\d\d)`
	monthFullTok = `(mon\d\d)`
)

// tokenizeMonths replaces month words in norm by month tokens and reports
// whether there was any.
func tokenizeMonths(norm string) (string, bool) {
	found := false
	out := reMonthWord.ReplaceAllStringFunc(norm, func(w string) string {
		found = true
		n := monthNum(w)
		if monthAbbrev[w] {
			return fmt.Sprintf("mab%02d", n)
		}
		return fmt.Sprintf("mon%02d", n)
	})
	return out, found
}

// monthNum returns 1..12 for a month word matched by monthRe or a month token.
func monthNum(w string) int {
	if len(w) == 5 && (strings.HasPrefix(w, "mon") || strings.HasPrefix(w, "mab")) {
		if n, err := strconv.Atoi(w[3:]); err == nil {
			return n
		}
	}
	if w == "may" {
		return 5
	}
	for i, p := range monthPrefixes {
		if strings.HasPrefix(w, p) {
			return i + 1
		}
	}
	return 0
}

// dateExpr is one date or period found in the text.
type dateExpr struct {
	pos      int // byte offset in the normalised text
	end      int
	from, to time.Time
	point    bool // a single day
	noYear   bool // the year was not written
	month    int  // for points/months without a year: the month
	day      int
	isMonth  bool
}

// dateRule is one date pattern. A rule is tried only when the text has a
// digit (digits) or one of the hint substrings, which spares the regexp on
// most messages.
type dateRule struct {
	re     *regexp.Regexp
	fn     func(m []string, now time.Time) (dateExpr, bool)
	digits bool
	month  bool // the rule needs a month name
	hints  []string
}

var dateRules []dateRule

// relativeHints are substrings one of which every date rule without digits needs.
var relativeHints = []string{"menes", "half", "gad", "month", "year", "pern", "quarter", "ceturks", "nedel",
	"week", "vakar", "yesterday", "sodien", "today", "jan", "feb", "mar", "apr", "maij", "may", "jun",
	"jul", "aug", "sep", "okt", "oct", "nov", "dec"}

func init() {
	for _, r := range rawDateRules {
		src := r.re.String()
		d := dateRule{re: r.re, fn: r.fn, digits: strings.Contains(src, `\d`), month: strings.Contains(src, monthTok) || strings.Contains(src, monthFullTok)}
		if !d.digits {
			d.hints = relativeHints
		}
		dateRules = append(dateRules, d)
	}
}

var rawDateRules = []struct {
	re *regexp.Regexp
	fn func(m []string, now time.Time) (dateExpr, bool)
}{
	// 2024-01-31
	{regexp.MustCompile(`\b(\d{4})-(\d{1,2})-(\d{1,2})\b`), func(m []string, _ time.Time) (dateExpr, bool) {
		return dayExpr(atoi(m[1]), atoi(m[2]), atoi(m[3]))
	}},
	// 31.01.2024, 31/01/2024, 31.01.2024.
	{regexp.MustCompile(`\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b`), func(m []string, _ time.Time) (dateExpr, bool) {
		return dayExpr(atoi(m[3]), atoi(m[2]), atoi(m[1]))
	}},
	// 2024. gada 1. janvara / 2024.g. 1.janvari
	{regexp.MustCompile(`\b(\d{4})\.?\s*(?:gada|g\.)\s*(\d{1,2})\.\s*` + monthTok + `\b`), func(m []string, _ time.Time) (dateExpr, bool) {
		return dayExpr(atoi(m[1]), monthNum(m[3]), atoi(m[2]))
	}},
	// 2025. gada pirmais (pirmo, otrajā …) ceturksnis: the quarter in words,
	// in any case.
	{regexp.MustCompile(`\b(\d{4})\.?\s*(?:gada|g\.)\s*(pirm|otr|tres|ceturt)\w*\s*ceturks\w*`), func(m []string, _ time.Time) (dateExpr, bool) {
		return quarterExpr(atoi(m[1]), map[string]int{"pirm": 1, "otr": 2, "tres": 3, "ceturt": 4}[m[2]])
	}},
	// 2025. gada 1. ceturksnis
	{regexp.MustCompile(`\b(\d{4})\.?\s*(?:gada|g\.)\s*([1-4])\.\s*ceturks\w*`), func(m []string, _ time.Time) (dateExpr, bool) {
		return quarterExpr(atoi(m[1]), atoi(m[2]))
	}},
	// 2025. gada marta / 2025. g. martam
	{regexp.MustCompile(`\b(\d{4})\.?\s*(?:gada|g\.)\s*` + monthTok + `\b`), func(m []string, _ time.Time) (dateExpr, bool) {
		return monthExpr(atoi(m[1]), monthNum(m[2]))
	}},
	// 1. janvara 2024 / 1. janvara (year from context)
	{regexp.MustCompile(`\b(\d{1,2})\.\s*` + monthTok + `\b(?:\s*(\d{4})\b)?`), func(m []string, _ time.Time) (dateExpr, bool) {
		return partialDay(m[3], monthNum(m[2]), atoi(m[1]))
	}},
	// 1 January 2024, 1st of January, 1 Jan
	{regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?` + monthTok + `\b,?(?:\s*(\d{4})\b)?`), func(m []string, _ time.Time) (dateExpr, bool) {
		return partialDay(m[3], monthNum(m[2]), atoi(m[1]))
	}},
	// January 1, 2024 / January 1st
	{regexp.MustCompile(`\b` + monthTok + `\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(\d{4})\b)?`), func(m []string, _ time.Time) (dateExpr, bool) {
		if len(m[2]) > 2 {
			return dateExpr{}, false
		}
		return partialDay(m[3], monthNum(m[1]), atoi(m[2]))
	}},
	// March 2025 / marts 2025 / 2025 March
	{regexp.MustCompile(`\b` + monthTok + `,?\s+(\d{4})\b`), func(m []string, _ time.Time) (dateExpr, bool) {
		return monthExpr(atoi(m[2]), monthNum(m[1]))
	}},
	// Q1 2025, 2025 Q1, 1st quarter of 2025
	{regexp.MustCompile(`\bq([1-4])\s*(?:of\s+)?(\d{4})\b`), func(m []string, _ time.Time) (dateExpr, bool) {
		return quarterExpr(atoi(m[2]), atoi(m[1]))
	}},
	{regexp.MustCompile(`\b(\d{4})\s*q([1-4])\b`), func(m []string, _ time.Time) (dateExpr, bool) {
		return quarterExpr(atoi(m[1]), atoi(m[2]))
	}},
	{regexp.MustCompile(`\b(first|1st|second|2nd|third|3rd|fourth|4th)\s+quarter\s+(?:of\s+)?(\d{4})\b`), func(m []string, _ time.Time) (dateExpr, bool) {
		q := map[string]int{"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}[m[1]]
		return quarterExpr(atoi(m[2]), q)
	}},
	// 2025. gada otrais pusgads / second half of 2025 / H1 2025
	{regexp.MustCompile(`\b(\d{4})\.?\s*(?:gada|g\.)\s*(pirm|otr|1\.|2\.)\w*\s*pusgad\w*`), func(m []string, _ time.Time) (dateExpr, bool) {
		return halfExpr(atoi(m[1]), m[2] == "otr" || m[2] == "2.")
	}},
	{regexp.MustCompile(`\b(first|1st|second|2nd)\s+half\s+(?:of\s+)?(\d{4})\b`), func(m []string, _ time.Time) (dateExpr, bool) {
		return halfExpr(atoi(m[2]), m[1] == "second" || m[1] == "2nd")
	}},
	{regexp.MustCompile(`\bh([12])\s*(\d{4})\b`), func(m []string, _ time.Time) (dateExpr, bool) {
		return halfExpr(atoi(m[2]), m[1] == "2")
	}},
	// 2025. gads / 2025. gada / 2025.g.
	{regexp.MustCompile(`\b(\d{4})\.?\s*(?:gad\w*|g\.)`), func(m []string, _ time.Time) (dateExpr, bool) {
		return yearExpr(atoi(m[1]))
	}},
	// for 2025 / in 2025 / during 2025 / year 2025
	{regexp.MustCompile(`\b(?:for|in|during|of|year|throughout|par|for the year)\s+(\d{4})\b`), func(m []string, _ time.Time) (dateExpr, bool) {
		return yearExpr(atoi(m[1]))
	}},
	// relative periods
	{regexp.MustCompile(`\b(?:pagajus\w*|ieprieksej\w*)\s+menes\w*|\b(?:last|previous|past)\s+month\b`), func(_ []string, now time.Time) (dateExpr, bool) {
		y, mo, _ := now.Date()
		first := time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
		return monthExpr(first.Year(), int(first.Month()))
	}},
	{regexp.MustCompile(`\b(?:so|saja|sis|sim|tekos\w*)\s+menes\w*|\bsomenes\b|\bthis\s+month\b|\bcurrent\s+month\b`), func(_ []string, now time.Time) (dateExpr, bool) {
		return monthExpr(now.Year(), int(now.Month()))
	}},
	{regexp.MustCompile(`\b(?:pagajus\w*|ieprieksej\w*)\s+gad\w*|\bpern\b|\b(?:last|previous|past)\s+year\b`), func(_ []string, now time.Time) (dateExpr, bool) {
		return yearExpr(now.Year() - 1)
	}},
	{regexp.MustCompile(`\b(?:so|saja|sis|tekos\w*)\s+gad\w*|\bsogad\b|\bthis\s+year\b|\bcurrent\s+year\b`), func(_ []string, now time.Time) (dateExpr, bool) {
		return yearExpr(now.Year())
	}},
	{regexp.MustCompile(`\b(?:pagajus\w*|ieprieksej\w*)\s+ceturksn\w*|\b(?:last|previous|past)\s+quarter\b`), func(_ []string, now time.Time) (dateExpr, bool) {
		q := (int(now.Month())-1)/3 + 1
		y := now.Year()
		if q--; q == 0 {
			q, y = 4, y-1
		}
		return quarterExpr(y, q)
	}},
	{regexp.MustCompile(`\b(?:pagajus\w*|ieprieksej\w*)\s+nedel\w*|\b(?:last|previous|past)\s+week\b`), func(_ []string, now time.Time) (dateExpr, bool) {
		d := dayOf(now)
		wd := (int(d.Weekday()) + 6) % 7 // Monday = 0
		mon := d.AddDate(0, 0, -wd-7)
		return dateExpr{from: mon, to: mon.AddDate(0, 0, 6)}, true
	}},
	{regexp.MustCompile(`\b(?:pedej\w*|last|past)\s+(\d{1,2})\s+(menes\w*|months?|dien\w*|days?|ned\w*|weeks?)`), func(m []string, now time.Time) (dateExpr, bool) {
		n := atoi(m[1])
		if n == 0 {
			return dateExpr{}, false
		}
		d := dayOf(now)
		var from time.Time
		switch m[2][0] {
		case 'm':
			from = d.AddDate(0, -n, 0)
		case 'd':
			from = d.AddDate(0, 0, -n)
		default:
			from = d.AddDate(0, 0, -7*n)
		}
		return dateExpr{from: from, to: d}, true
	}},
	{regexp.MustCompile(`\b(?:vakar|yesterday)\b`), func(_ []string, now time.Time) (dateExpr, bool) {
		d := dayOf(now).AddDate(0, 0, -1)
		return dateExpr{from: d, to: d, point: true}, true
	}},
	{regexp.MustCompile(`\b(?:sodien|today)\b`), func(_ []string, now time.Time) (dateExpr, bool) {
		d := dayOf(now)
		return dateExpr{from: d, to: d, point: true}, true
	}},
	// a bare month name right after "no/lidz/from/to/in/par": year from context
	{regexp.MustCompile(`\b(?:no|lidz|from|to|until|till|in|during|for|par|between|and|un)\s+` + monthFullTok + `\b`), func(m []string, now time.Time) (dateExpr, bool) {
		mo := monthNum(m[1])
		e, ok := monthExpr(now.Year(), mo)
		e.noYear, e.isMonth, e.month = true, true, mo
		return e, ok
	}},
}

func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func validYear(y int) bool { return y >= 1990 && y <= 2100 }

func dayExpr(y, m, d int) (dateExpr, bool) {
	if !validYear(y) || m < 1 || m > 12 || d < 1 || d > 31 {
		return dateExpr{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return dateExpr{}, false
	}
	return dateExpr{from: t, to: t, point: true}, true
}

func partialDay(year string, m, d int) (dateExpr, bool) {
	if year != "" {
		return dayExpr(atoi(year), m, d)
	}
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return dateExpr{}, false
	}
	return dateExpr{point: true, noYear: true, month: m, day: d}, true
}

func monthExpr(y, m int) (dateExpr, bool) {
	if !validYear(y) || m < 1 || m > 12 {
		return dateExpr{}, false
	}
	from := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	return dateExpr{from: from, to: from.AddDate(0, 1, -1), isMonth: true}, true
}

func quarterExpr(y, q int) (dateExpr, bool) {
	if !validYear(y) || q < 1 || q > 4 {
		return dateExpr{}, false
	}
	from := time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
	return dateExpr{from: from, to: from.AddDate(0, 3, -1)}, true
}

func halfExpr(y int, second bool) (dateExpr, bool) {
	if !validYear(y) {
		return dateExpr{}, false
	}
	m := time.January
	if second {
		m = time.July
	}
	from := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return dateExpr{from: from, to: from.AddDate(0, 6, -1)}, true
}

func yearExpr(y int) (dateExpr, bool) {
	if !validYear(y) {
		return dateExpr{}, false
	}
	return dateExpr{from: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), to: time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)}, true
}

var (
	reFromMarker = regexp.MustCompile(`\b(?:no|from|since|kops|sakot ar|starting|after|pec)\s*$`)
	reToMarker   = regexp.MustCompile(`\b(?:lidz|to|until|till|before|through|lidz pat|un|and)\s*$|[-–]\s*$`)
)

// findPeriod finds the period the text names and returns its first and last
// day as YYYY-MM-DD; either may be "" when the text names only one end.
// norm is the normalised text with e-mail addresses and ids masked.
func findPeriod(norm string, now time.Time) (from, to string) {
	var exprs []dateExpr
	hinted := false
	for _, h := range relativeHints {
		if strings.Contains(norm, h) {
			hinted = true
			break
		}
	}
	hasMonth := false
	if hinted {
		norm, hasMonth = tokenizeMonths(norm)
	}
	hasDigit := strings.ContainsAny(norm, "0123456789")
	used := make([]bool, len(norm)+1) // after tokenizeMonths, which changes lengths
	for _, r := range dateRules {
		if (r.digits && !hasDigit) || (!r.digits && !hinted) || (r.month && !hasMonth) {
			continue
		}
		for _, idx := range r.re.FindAllStringSubmatchIndex(norm, -1) {
			overlap := false
			for k := idx[0]; k < idx[1]; k++ {
				if used[k] {
					overlap = true
					break
				}
			}
			if overlap {
				continue
			}
			m := make([]string, len(idx)/2)
			for k := range m {
				if idx[2*k] >= 0 {
					m[k] = norm[idx[2*k]:idx[2*k+1]]
				}
			}
			e, ok := r.fn(m, now)
			if !ok {
				continue
			}
			e.pos, e.end = idx[0], idx[1]
			for k := idx[0]; k < idx[1]; k++ {
				used[k] = true
			}
			exprs = append(exprs, e)
		}
	}
	if len(exprs) == 0 {
		return "", ""
	}
	// text order
	for i := 1; i < len(exprs); i++ {
		for j := i; j > 0 && exprs[j].pos < exprs[j-1].pos; j-- {
			exprs[j], exprs[j-1] = exprs[j-1], exprs[j]
		}
	}
	// fill missing years from the nearest expression that has one
	for i := range exprs {
		if !exprs[i].noYear {
			continue
		}
		y := 0
		for d := 1; d < len(exprs) && y == 0; d++ {
			for _, j := range []int{i + d, i - d} {
				if j >= 0 && j < len(exprs) && !exprs[j].noYear {
					y = exprs[j].from.Year()
					break
				}
			}
		}
		if y == 0 {
			y = now.Year()
		}
		var e dateExpr
		var ok bool
		if exprs[i].isMonth {
			e, ok = monthExpr(y, exprs[i].month)
		} else {
			e, ok = dayExpr(y, exprs[i].month, exprs[i].day)
		}
		if !ok {
			continue
		}
		e.pos, e.end = exprs[i].pos, exprs[i].end
		exprs[i] = e
	}
	first := exprs[0]
	if first.from.IsZero() {
		return "", ""
	}
	if len(exprs) >= 2 && !exprs[1].from.IsZero() {
		return iso(first.from), iso(exprs[1].to)
	}
	before := norm[:first.pos]
	switch {
	case first.point && reFromMarker.MatchString(before):
		return iso(first.from), ""
	case first.point && reToMarker.MatchString(before):
		return "", iso(first.to)
	}
	return iso(first.from), iso(first.to)
}

func iso(t time.Time) string { return t.Format("2006-01-02") }
