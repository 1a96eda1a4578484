package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Lang is a user-facing language. itbot speaks Latvian first, English too.
type Lang string

// The languages itbot speaks.
const (
	LV Lang = "lv"
	EN Lang = "en"
)

// ParseLang reads "lv"/"latviešu"/"en"/"english" (any case, diacritics optional);
// ok is false for anything else.
func ParseLang(s string) (Lang, bool) {
	switch Fold(s) {
	case "lv", "latviesu", "latviski", "latvian":
		return LV, true
	case "en", "english", "anglu", "angliski":
		return EN, true
	}
	return "", false
}

// OrDefault returns l, or Latvian when l is empty or unknown.
func (l Lang) OrDefault() Lang {
	if l == EN {
		return EN
	}
	return LV
}

// Forms holds the plural forms of one message in one language. Latvian has
// three CLDR plural categories (zero, one, other); English uses one and other.
// A message without plurals sets Other only.
type Forms struct {
	Zero, One, Other string
}

// Text is one catalogue entry: a message id and its Latvian and English forms.
// Templates use text/template syntax over the data map: {{.ID}}, {{.Count}}.
type Text struct {
	ID string
	LV Forms
	EN Forms
}

// T is shorthand for a Text without plural forms.
func T(id, lv, en string) Text {
	return Text{ID: id, LV: Forms{Other: lv}, EN: Forms{Other: en}}
}

var catalogue = struct {
	sync.RWMutex
	bundle *i18n.Bundle
	ids    map[string]bool
	loc    map[Lang]*i18n.Localizer
}{
	bundle: i18n.NewBundle(language.Latvian),
	ids:    map[string]bool{},
	loc:    map[Lang]*i18n.Localizer{},
}

// RegisterTexts adds entries to the message catalogue. Packages call it from
// init; registering an id twice panics, so two packages never fight over one.
func RegisterTexts(texts ...Text) {
	catalogue.Lock()
	defer catalogue.Unlock()
	for _, t := range texts {
		if catalogue.ids[t.ID] {
			panic("bot: text registered twice: " + t.ID)
		}
		if t.LV.Other == "" || t.EN.Other == "" {
			panic("bot: text needs Latvian and English: " + t.ID)
		}
		catalogue.ids[t.ID] = true
		catalogue.bundle.MustAddMessages(language.Latvian, &i18n.Message{ID: t.ID, Zero: t.LV.Zero, One: t.LV.One, Other: t.LV.Other})
		catalogue.bundle.MustAddMessages(language.English, &i18n.Message{ID: t.ID, One: t.EN.One, Other: t.EN.Other})
	}
	catalogue.loc = map[Lang]*i18n.Localizer{}
}

// TextIDs lists every registered message id, sorted; tests use it to check
// that every message exists in both languages.
func TextIDs() []string {
	catalogue.RLock()
	defer catalogue.RUnlock()
	ids := make([]string, 0, len(catalogue.ids))
	for id := range catalogue.ids {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func localizer(l Lang) *i18n.Localizer {
	l = l.OrDefault()
	catalogue.RLock()
	loc := catalogue.loc[l]
	catalogue.RUnlock()
	if loc != nil {
		return loc
	}
	catalogue.Lock()
	defer catalogue.Unlock()
	if loc = catalogue.loc[l]; loc == nil {
		loc = i18n.NewLocalizer(catalogue.bundle, string(l))
		catalogue.loc[l] = loc
	}
	return loc
}

// Args carries a message's template data.
type Args map[string]any

// Tr renders message id in language l with data. An unknown id renders as
// the id itself so a missing text is visible, never an empty reply.
func Tr(l Lang, id string, data Args) string {
	catalogue.RLock()
	known := catalogue.ids[id]
	catalogue.RUnlock()
	if !known {
		return id
	}
	lc := &i18n.LocalizeConfig{MessageID: id, TemplateData: map[string]any(data)}
	if n, ok := data["Count"].(int); ok {
		lc.PluralCount = n // plural forms follow a Count argument
	}
	s, err := localizer(l).Localize(lc)
	if err != nil && lc.PluralCount != nil {
		lc.PluralCount = nil // a text without plural forms that takes a count
		s, err = localizer(l).Localize(lc)
	}
	if err != nil {
		return id
	}
	return s
}

// TrN renders a message with plural forms chosen by count; data["Count"] is
// set to count.
func TrN(l Lang, id string, count int, data Args) string {
	d := Args{"Count": count}
	for k, v := range data {
		d[k] = v
	}
	s, err := localizer(l).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: map[string]any(d), PluralCount: count})
	if err != nil {
		return id
	}
	return s
}

// Phrase is a message that is rendered later, in each reader's language: a
// catalogue id and its data. Outcomes and audit notes are stored as phrases
// so one stored fact reads right in Latvian and in English.
type Phrase struct {
	ID   string `json:"id"`
	Args Args   `json:"args,omitempty"`
}

// P builds a Phrase from an id and key/value pairs.
func P(id string, kv ...any) Phrase {
	p := Phrase{ID: id}
	if len(kv) > 0 {
		p.Args = Args{}
		for i := 0; i+1 < len(kv); i += 2 {
			p.Args[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return p
}

// Render renders the phrase in language l; a zero phrase renders empty.
func (p Phrase) Render(l Lang) string {
	if p.ID == "" {
		return ""
	}
	return Tr(l, p.ID, p.Args)
}

// IsZero reports whether the phrase is empty.
func (p Phrase) IsZero() bool { return p.ID == "" }

var foldReplacer = strings.NewReplacer(
	"ā", "a", "č", "c", "ē", "e", "ģ", "g", "ī", "i", "ķ", "k", "ļ", "l", "ņ", "n", "š", "s", "ū", "u", "ž", "z", "ō", "o", "ŗ", "r",
	"Ā", "a", "Č", "c", "Ē", "e", "Ģ", "g", "Ī", "i", "Ķ", "k", "Ļ", "l", "Ņ", "n", "Š", "s", "Ū", "u", "Ž", "z", "Ō", "o", "Ŗ", "r",
)

// Fold lower-cases s and removes Latvian diacritics, so "Piešķirt" and
// "pieskirt" compare equal.
func Fold(s string) string {
	return strings.ToLower(foldReplacer.Replace(strings.TrimSpace(s)))
}

type langKey struct{}

// WithLang returns a context that carries the language of the person an
// action is for, so what a service renders for them (a report's column
// names) is in their language.
func WithLang(ctx context.Context, l Lang) context.Context {
	return context.WithValue(ctx, langKey{}, l)
}

// LangOf returns the language WithLang put in ctx, Latvian if none.
func LangOf(ctx context.Context) Lang {
	if l, ok := ctx.Value(langKey{}).(Lang); ok && l != "" {
		return l
	}
	return LV
}
