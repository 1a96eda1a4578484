package mailbox

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"itbot/bot"
)

// CleanBody turns a mail body into what its writer wrote: an HTML body
// becomes text (paragraphs, line breaks, list items and table rows kept;
// styles, scripts and images dropped), then the quoted history of a reply
// is cut (Outlook's "From:/No:" header block and its reply divider,
// "On … wrote:" / "… rakstīja:", "-----Original Message-----", lines
// quoted with ">", a "-- " signature separator, "Sent from my iPhone"),
// and the whitespace is tidied. The result is valid UTF-8, and cleaning
// it again changes nothing.
func CleanBody(body string, isHTML bool) string {
	if isHTML {
		body = htmlToText(body)
	}
	return cutQuoted(body)
}

// skipped elements: nothing inside them is text a person wrote.
var skipped = map[atom.Atom]bool{atom.Head: true, atom.Style: true, atom.Script: true, atom.Title: true,
	atom.Noscript: true, atom.Template: true, atom.Object: true, atom.Svg: true, atom.Math: true}

// blocks end a line before and after.
var blocks = map[atom.Atom]bool{atom.P: true, atom.Div: true, atom.Tr: true, atom.Table: true, atom.Ul: true,
	atom.Ol: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Pre: true, atom.Blockquote: true, atom.Section: true, atom.Article: true, atom.Header: true,
	atom.Footer: true, atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.Hr: true, atom.Address: true}

// quoteStart reports whether an element opens the quoted history in the
// HTML of the common mail clients: Outlook on the web's reply header,
// Outlook's "appendonsend" marker, Gmail's quote, Apple Mail's and
// Thunderbird's cited blockquote, Yahoo's quoted div.
func quoteStart(t html.Token) bool {
	for _, a := range t.Attr {
		v := strings.ToLower(a.Val)
		switch strings.ToLower(a.Key) {
		case "id":
			if v == "divrplyfwdmsg" || v == "appendonsend" || strings.HasPrefix(v, "yahoo_quoted") || v == "mail-editor-reference-message-container" {
				return true
			}
		case "class":
			for _, c := range strings.Fields(v) {
				if c == "gmail_quote" || c == "yahoo_quoted" || c == "moz-cite-prefix" {
					return true
				}
			}
		case "type":
			if t.DataAtom == atom.Blockquote && v == "cite" {
				return true
			}
		}
	}
	return false
}

// htmlToText renders HTML as plain text, stopping at the quoted history.
func htmlToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0 // depth inside skipped elements
	newline := func() {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := string(z.Text())
			// Collapse the source's layout whitespace as a browser does.
			t = strings.Join(strings.FieldsFunc(t, func(r rune) bool { return r == '\n' || r == '\r' || r == '\t' }), " ")
			b.WriteString(t)
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			if skipped[t.DataAtom] {
				if tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if skip > 0 {
				continue
			}
			if quoteStart(t) {
				return b.String()
			}
			switch {
			case t.DataAtom == atom.Br:
				b.WriteByte('\n')
			case t.DataAtom == atom.Li:
				newline()
				b.WriteString("• ")
			case t.DataAtom == atom.Td || t.DataAtom == atom.Th:
				if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
					b.WriteString("  ")
				}
			case blocks[t.DataAtom]:
				newline()
			}
		case html.EndTagToken:
			t := z.Token()
			if skipped[t.DataAtom] {
				if skip > 0 {
					skip--
				}
				continue
			}
			if skip == 0 && (blocks[t.DataAtom] || t.DataAtom == atom.Li) {
				newline()
			}
		}
	}
}

var (
	// "-----Original Message-----" and its translations, forwarded-message
	// markers, and Outlook's plain-text underscore divider.
	reDivider = regexp.MustCompile(`(?i)^(-{2,}\s*(original message|oriģinālā ziņa|originala zina|sākotnējais ziņojums|sakotnejais zinojums|sākotnējā ziņa|sakotneja zina|forwarded message|pārsūtītā ziņa|parsutita zina|pārsūtīts ziņojums|parsutits zinojums)\s*-{2,}|_{8,})$`)
	// "On Mon, 23 Nov 2026 at 10:00, Anna <a@b.lv> wrote:" and
	// "2026. gada 23. nov. 10:00 Anna rakstīja:".
	reAttribution = regexp.MustCompile(`(?i)(wrote|rakstīja|rakstija|написал\(а\)|написал|schrieb):\s*$`)
	// The first half of an attribution wrapped over two lines.
	reAttrStart = regexp.MustCompile(`(?i)^(on\s|\d{4}\.\s*gada|\d{1,2}\.\s?\d{1,2}\.\s?\d{4})`)
	// The first line of Outlook's reply header block.
	reFromLine = regexp.MustCompile(`(?i)^\*?(from|no|sender|sūtītājs|sutitajs|von|de):\*?\s+\S`)
	// Its following lines.
	reHeaderLine = regexp.MustCompile(`(?i)^\*?(sent|nosūtīts|nosutits|date|datums|gesendet|to|kam|cc|subject|tēma|tema|temats|betreff):\*?\s`)
	// "Sent from my iPhone" and kin: dropped, not cut.
	reMobile = regexp.MustCompile(`(?i)^(sent from my \S+|sent from outlook for \S+|get outlook for \S+|nosūtīts no mana \S+|nosutits no mana \S+|sūtīts no mana \S+|sutits no mana \S+|sūtīts no \S+ ierīces|sent from mail for windows.*)$`)
)

// cutQuoted cuts the quoted history from plain text and tidies it.
func cutQuoted(s string) string {
	s = normalizeText(s)
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, ">") || reMobile.MatchString(t) {
			continue
		}
		lines = append(lines, l)
	}
	cut := len(lines)
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if t == "--" || reDivider.MatchString(t) || headerBlock(lines, i) {
			cut = i
			break
		}
		if len(t) < 400 && reAttribution.MatchString(t) {
			cut = i
			break
		}
		if next := nextNonBlank(lines, i); next == i+1 && len(t) < 300 && reAttrStart.MatchString(t) &&
			len(strings.TrimSpace(lines[next])) < 120 && reAttribution.MatchString(strings.TrimSpace(lines[next])) {
			cut = i // "On …, Anna <" / "anna@…> wrote:" wrapped over two lines
			break
		}
	}
	return tidy(lines[:cut])
}

func nextNonBlank(lines []string, i int) int {
	for j := i + 1; j < len(lines); j++ {
		if strings.TrimSpace(lines[j]) != "" {
			return j
		}
	}
	return -1
}

// headerBlock reports whether line i opens Outlook's reply header: a
// From/No line followed, within its next four non-blank lines, by a
// Sent/Date/To/Subject line.
func headerBlock(lines []string, i int) bool {
	if !reFromLine.MatchString(strings.TrimSpace(lines[i])) {
		return false
	}
	seen := 0
	for j := i + 1; j < len(lines) && seen < 4; j++ {
		t := strings.TrimSpace(lines[j])
		if t == "" {
			continue
		}
		seen++
		if reHeaderLine.MatchString(t) {
			return true
		}
	}
	return false
}

// normalizeText makes text valid UTF-8 with "\n" line ends, no-break
// spaces as spaces and no zero-width characters.
func normalizeText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return textReplacer.Replace(s)
}

var textReplacer = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u00a0", " ", "\u202f", " ", "\u200b", "", "\u200c", "", "\u200d", "", "\ufeff", "", "\u2028", "\n", "\u2029", "\n", "\x00", "")

// tidy trims each line's end, keeps at most one blank line in a row and
// trims the whole.
func tidy(lines []string) string {
	var b strings.Builder
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\v\f")
		if strings.TrimSpace(l) == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			if blank > 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte('\n')
			}
		}
		blank = 0
		b.WriteString(l)
	}
	return strings.TrimSpace(b.String())
}

// Limit cuts text to at most n bytes on a rune boundary, marking the cut
// with "…".
func Limit(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimSpace(s[:cut]) + "…"
}

// reIDTag finds a request id in a subject: "[IT-2026-000123]" (the tag
// the bot puts there), or a bare IT-2026-000123.
var (
	reIDTag  = regexp.MustCompile(`(?i)\[\s*#?\s*(IT-\d{4}-\d{1,6})\s*\]`)
	reIDBare = regexp.MustCompile(`(?i)\b(IT-\d{4}-\d{6})\b`)
)

// SubjectID returns the request id a subject carries, normalised, or "".
func SubjectID(subject string) string {
	for _, re := range []*regexp.Regexp{reIDTag, reIDBare} {
		if m := re.FindStringSubmatch(subject); m != nil {
			if id, err := bot.ParseID(m[1]); err == nil {
				return id
			}
		}
	}
	return ""
}

// reSubjectPrefix matches reply and forward prefixes in several languages
// (RE, AW, SV, ATB (Latvian Outlook's "atbilde"), FW, FWD, WG, TR, PĀRS).
var reSubjectPrefix = regexp.MustCompile(`(?i)^\s*((re|aw|sv|atb|antw|ref|fw|fwd|wg|tr|pārs|pars|pārsūt|parsut)\s*(\[\d+\])?\s*:\s*)+`)

// BaseSubject strips reply/forward prefixes and request id tags from a
// subject.
func BaseSubject(subject string) string {
	s := reIDTag.ReplaceAllString(subject, " ")
	for {
		t := reSubjectPrefix.ReplaceAllString(s, "")
		t = strings.TrimSpace(reIDTag.ReplaceAllString(t, " "))
		if t == strings.TrimSpace(s) {
			break
		}
		s = t
	}
	return strings.Join(strings.Fields(s), " ")
}

// Decision is an approver's answer found at the start of a mail.
type Decision int

// The decisions.
const (
	NoDecision Decision = iota
	Approve
	Reject
)

var approveWords = map[string]bool{"apstiprinu": true, "apstiprinat": true, "apstiprinats": true, "apstiprinam": true, "approve": true, "approved": true}
var rejectWords = map[string]bool{"noraidu": true, "noraidit": true, "noraidits": true, "noraidam": true, "reject": true, "rejected": true}

// FindDecision reads an approval or a rejection from the first word of a
// mail's text ("APSTIPRINU", "Approve.", "NORAIDU — nav budžeta"); rest is
// the text after the word (a rejection's reason).
func FindDecision(text string) (Decision, string) {
	t := strings.TrimSpace(text)
	end := strings.IndexFunc(t, func(r rune) bool {
		return r == ' ' || r == '\n' || r == '\t' || r == ',' || r == '.' || r == '!' || r == ':' || r == ';'
	})
	word, rest := t, ""
	if end >= 0 {
		word, rest = t[:end], t[end:]
	}
	rest = strings.TrimSpace(strings.TrimLeft(rest, " ,.!:;—–-\t\n"))
	w := bot.Fold(word)
	switch {
	case approveWords[w]:
		return Approve, rest
	case rejectWords[w]:
		return Reject, rest
	}
	return NoDecision, ""
}
