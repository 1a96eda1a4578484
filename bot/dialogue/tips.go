package dialogue

import (
	"strings"

	"itbot/bot/nlu"
)

// tip is an immediate pointer for a consultation on a common topic. A
// topic matches when a word of the question starts with one of its stems
// (normalised: lower case, no diacritics).
type tip struct {
	id    string
	stems []string
}

// tipTopics are tried in order; at most two pointers are given.
var tipTopics = []tip{
	{"dlg.tip.phone", []string{"telefon", "mobil", "viedtal", "phone", "iphone", "android", "ios", "smartphone"}},
	{"dlg.tip.autoreply", []string{"automatisk", "atvalinaj", "prombut", "autorepl", "automatic", "vacation", "outofoffice"}},
	{"dlg.tip.shared", []string{"kopig", "koplieto", "shared"}},
	{"dlg.tip.password", []string{"parol", "password", "mfa", "autentifik", "authenticat", "pierakstis", "signin"}},
	{"dlg.tip.signature", []string{"paraksts", "parakstu", "signature"}},
	{"dlg.tip.junk", []string{"mestul", "surogat", "spam", "junk", "nevelam"}},
	{"dlg.tip.calendar", []string{"kalendar", "calendar", "sapulc", "meeting"}},
	{"dlg.tip.dvs", []string{"dvs"}},
}

// tipIDs returns the pointers for a question, or the general one.
func tipIDs(text string) []string {
	toks := strings.FieldsFunc(nlu.Normalize(text), func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')
	})
	var out []string
	for _, tp := range tipTopics {
		if len(out) == 2 {
			break
		}
	match:
		for _, tk := range toks {
			for _, s := range tp.stems {
				if strings.HasPrefix(tk, s) {
					out = append(out, tp.id)
					break match
				}
			}
		}
	}
	if len(out) == 0 {
		out = append(out, "dlg.tip.general")
	}
	return out
}

// tips renders the pointers for a consultation, with their lead line.
func (t *turn) tips(text string) string {
	ids := tipIDs(text)
	lines := []string{t.tr("dlg.consult_lead", nil)}
	for _, id := range ids {
		lines = append(lines, "• "+t.tr(id, nil))
	}
	return strings.Join(lines, "\n")
}
