package nlu

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// analysis is one message taken apart: entities lifted out, the rest
// normalised, tokenised and matched against the lexicon.
type analysis struct {
	orig   string
	ents   []entity
	masked string   // normalised text, entities replaced by placeholders
	toks   []string // tokens of masked, hyphens removed
	raw    []string // tokens of the original text (same positions), for values kept as typed
	h      *hits
	// entPos maps an entity index to its token position.
	entPos []int
}

// placeholder names an entity inside the masked text: zzeml0, zzdom1, zzid2.
func placeholder(kind byte, i int) string {
	switch kind {
	case 'e':
		return "zzeml" + strconv.Itoa(i)
	case 'd':
		return "zzdom" + strconv.Itoa(i)
	}
	return "zzid" + strconv.Itoa(i)
}

// maxInput bounds the text examined; chat messages longer than this are
// requests with attachments pasted in, and their head says what is wanted.
const maxInput = 4000

func analyse(text string) *analysis {
	if len(text) > maxInput {
		cut := maxInput
		for cut > 0 && text[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		text = text[:cut]
	}
	a := &analysis{orig: text}
	a.ents = findEntities(text)
	var b strings.Builder
	last := 0
	for i, e := range a.ents {
		b.WriteString(text[last:e.start])
		b.WriteString(" ")
		b.WriteString(placeholder(e.kind, i))
		b.WriteString(" ")
		last = e.end
	}
	b.WriteString(text[last:])
	maskedOrig := b.String()
	a.masked = Normalize(maskedOrig)
	a.toks = tokenize(a.masked)
	rawToks := tokenize(maskedOrig)
	if len(rawToks) == len(a.toks) {
		a.raw = rawToks
	} else {
		a.raw = a.toks
	}
	// join "e pasts" typed with a space; drop hyphens inside words
	for i := range a.toks {
		a.toks[i] = strings.ReplaceAll(a.toks[i], "-", "")
	}
	for i := 0; i+1 < len(a.toks); i++ {
		if a.toks[i] == "e" && (strings.HasPrefix(a.toks[i+1], "past") || strings.HasPrefix(a.toks[i+1], "mail")) {
			a.toks[i+1] = "e" + a.toks[i+1]
			a.toks[i] = "_"
		}
	}
	a.entPos = make([]int, len(a.ents))
	for i := range a.entPos {
		a.entPos[i] = -1
	}
	for p, t := range a.toks {
		if strings.HasPrefix(t, "zz") {
			for _, k := range []string{"zzeml", "zzdom", "zzid"} {
				if strings.HasPrefix(t, k) {
					if n, err := strconv.Atoi(t[len(k):]); err == nil && n < len(a.ents) {
						a.entPos[n] = p
					}
				}
			}
		}
	}
	a.h = scan(a.toks)
	// "take X off …", "take away X's …"
	if slices.Contains(a.toks, "take") && (slices.Contains(a.toks, "off") || slices.Contains(a.toks, "away")) {
		a.h[cRemove] = append(a.h[cRemove], slices.Index(a.toks, "take"))
	}
	// Role names such as "apstiprinātājs" are not approvals.
	a.h[cApprove] = filterHits(a.h[cApprove], func(p int) bool { _, role := roleWords[a.toks[p]]; return !role })
	return a
}

func filterHits(ps []int, keep func(int) bool) []int {
	out := ps[:0]
	for _, p := range ps {
		if keep(p) {
			out = append(out, p)
		}
	}
	return out
}

// count returns the number of entities of the given kind.
func (a *analysis) count(kind byte) int {
	n := 0
	for _, e := range a.ents {
		if e.kind == kind {
			n++
		}
	}
	return n
}

// tok returns the token at p, or "" out of range.
func (a *analysis) tok(p int) string {
	if p < 0 || p >= len(a.toks) {
		return ""
	}
	return a.toks[p]
}

// Parse recognises the intent and slots of one chat message. now is the
// reference time for relative dates ("last month", "par pagājušo gadu"); only
// its date is used. Parse never fails: text it cannot place yields
// IntentUnknown.
func Parse(text string, now time.Time) Result {
	a := analyse(text)
	intent, conf := a.classify()
	slots := a.fillSlots(intent, now)
	res := Result{Intent: intent, Slots: slots, Missing: []string{}, Lang: detectLang(a), Confidence: conf}
	for _, s := range specs[intent].Required {
		if _, ok := slots[s]; !ok {
			res.Missing = append(res.Missing, s)
		}
	}
	return res
}
