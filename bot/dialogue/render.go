package dialogue

import (
	"sort"
	"strings"
	"sync"

	"itbot/bot"
	"itbot/bot/nlu"
)

// known reports whether a catalogue id is registered.
func known(id string) bool { return bot.Tr(bot.LV, id, nil) != id }

// question asks for one slot: the request type's own question for the
// parameter when its table names one (ParamSpec.Ask), the intent's wording
// when there is one ("dlg.ask.licence.assign.user"), the slot's general
// one otherwise, and nlu's default wording as the last resort.
func (t *turn) question(st *state, slot string) bot.Reply {
	args := bot.Args{"Domain": t.domain(), "Mailbox": st.Slots[nlu.SlotMailbox], "User": st.Slots[nlu.SlotUser],
		"From": st.Slots[nlu.SlotFrom], "ID": st.Slots[nlu.SlotID]}
	ids := []string{"dlg.ask." + st.Intent + "." + slot, "dlg.ask." + slot}
	if ps := slotParam(st.Intent, slot); ps != nil && ps.Ask != "" {
		ids = append([]string{ps.Ask}, ids...)
	}
	var q string
	for _, id := range ids {
		if known(id) {
			q = t.tr(id, args)
			break
		}
	}
	if q == "" {
		q = nlu.Question(slot, string(t.lang))
	}
	if slot == nlu.SlotID {
		if list := t.candidates(st); list != "" {
			q += "\n" + list
		}
	}
	return bot.Reply{Kind: bot.KindText, Text: q}
}

// candidates lists the requests a missing id most likely means: the
// person's open requests for a status question, the requests waiting for
// their approval for an approval or a rejection.
func (t *turn) candidates(st *state) string {
	f := bot.RequestFilter{Requester: t.person().Email, OpenOnly: true, Limit: 10}
	title := "dlg.your_open"
	decide := st.Intent == nlu.IntentRequestApprove || st.Intent == nlu.IntentRequestReject
	if decide {
		f = bot.RequestFilter{States: []bot.State{bot.StateAwaitingApproval}, Limit: 50}
		if !t.person().IsAgency() {
			f.Institution = t.person().Institution
		}
		title = "dlg.awaiting_you"
	}
	rs, err := t.d.bot.Store.Requests(t.ctx, f)
	if err != nil {
		t.d.log.Warn("dialogue: list requests", "err", err)
		return ""
	}
	var b strings.Builder
	n := 0
	for _, r := range rs {
		if decide && t.d.bot.Policy.CanApprove(t.person(), r) != nil {
			continue
		}
		if n == 10 {
			break
		}
		if n == 0 {
			b.WriteString(t.tr(title, nil))
		}
		n++
		b.WriteString("\n  " + r.ID + " · " + bot.Describe(r, t.lang) + " · " + r.State.Label(t.lang))
	}
	return b.String()
}

// restate shows a request before it is created and asks for yes/no.
func (t *turn) restate(st *state, typ bot.Type, p bot.Params) bot.Reply {
	text := t.tr("dlg.confirm_question", nil)
	if t.d.bot.Policy.NeedsApproval(t.person(), typ) {
		text += "\n" + t.tr("dlg.needs_approval", nil)
	}
	return bot.Reply{Kind: bot.KindText, Title: t.tr("dlg.confirm_title", bot.Args{"Type": typ.Label(t.lang)}),
		Text: text, Fields: t.fields(typ, p), Buttons: t.confirmButtons(st)}
}

// fields are a new request's parameters, labelled in the person's
// language, as the type's table shows them: each labelled parameter in the
// type's order, left out when there is nothing to show. Free text is
// clipped to maxTextRunes: the restatement only has to remind the person
// what they wrote.
func (t *turn) fields(typ bot.Type, p bot.Params) []bot.Field {
	s := bot.LookupType(typ)
	if s == nil {
		return nil
	}
	var fs []bot.Field
	for _, ps := range s.Params {
		if ps.Label == "" {
			continue
		}
		v, ok := bot.ShowParam(ps, p, t.lang)
		if !ok || v == "" {
			continue
		}
		if ps.Kind == bot.ParamText {
			v = clip(v, maxTextRunes)
		}
		fs = append(fs, bot.Field{Label: t.tr(ps.Label, nil), Value: v})
	}
	return fs
}

// maxTextRunes is the most of a free text a restatement shows.
const maxTextRunes = 300

// clip shortens a text longer than n runes to its first n-3 and an
// ellipsis.
func clip(s string, n int) string {
	if rs := []rune(s); len(rs) > n {
		return string(rs[:n-3]) + "…"
	}
	return s
}

// restateDecision shows the request an approval or rejection is about and
// asks for yes/no.
func (t *turn) restateDecision(st *state, r *bot.Request) bot.Reply {
	title, q := "dlg.confirm_approve_title", "dlg.confirm_approve"
	if st.Intent == nlu.IntentRequestReject {
		title, q = "dlg.confirm_reject_title", "dlg.confirm_reject"
	}
	fs := bot.CardFields(r, t.lang)
	if st.Reason != "" {
		fs = append(fs, bot.Field{Label: t.tr("dlg.f_reason", nil), Value: st.Reason})
	}
	return bot.Reply{Kind: bot.KindText, Title: t.tr(title, bot.Args{"ID": r.ID}),
		Text: bot.Describe(r, t.lang) + "\n" + t.tr(q, bot.Args{"ID": r.ID}), Fields: fs, Buttons: t.confirmButtons(st), Request: r}
}

// confirmButtons carry the hidden confirm/discard commands.
func (t *turn) confirmButtons(st *state) []bot.Button {
	yes := "dlg.btn_create"
	switch st.Intent {
	case nlu.IntentRequestApprove:
		yes = "dlg.btn_approve"
	case nlu.IntentRequestReject:
		yes = "dlg.btn_reject"
	}
	return []bot.Button{
		{Label: t.tr(yes, nil), Command: bot.Prefix + " confirm " + st.Token, Style: bot.StylePrimary},
		{Label: t.tr("dlg.btn_no", nil), Command: bot.Prefix + " discard " + st.Token},
	}
}

// decided renders a request after an approval or rejection.
func (t *turn) decided(r *bot.Request, id string) bot.Reply {
	card := t.d.bot.Card(r, t.person(), t.lang)
	card.Text = t.tr(id, bot.Args{"ID": r.ID, "State": r.State.Label(t.lang)}) + "\n" + card.Text
	return card
}

// ack renders a created request.
func (t *turn) ack(r *bot.Request) bot.Reply {
	if t.d.opts.Ack != nil {
		return t.d.opts.Ack(t.d.bot, r, t.person(), t.lang)
	}
	card := t.d.bot.Card(r, t.person(), t.lang)
	card.Text = t.tr("dlg.created", bot.Args{"ID": r.ID, "State": r.State.Label(t.lang), "Due": bot.FormatTime(r.SLA.DueAt)}) + "\n" + card.Text
	return card
}

// helpReply explains the conversational way in and lists the commands.
func (t *turn) helpReply() bot.Reply {
	text := t.tr("dlg.help_intro", bot.Args{"Domain": t.domain()})
	if r := t.d.routerRef(); t.d.opts.Help != nil && r != nil {
		text += "\n\n" + t.d.opts.Help(r, t.person(), t.lang, "")
	} else {
		text += "\n" + t.tr("dlg.help_more", bot.Args{"Prefix": bot.Prefix})
	}
	return bot.Reply{Kind: bot.KindHelp, Text: text}
}

// unknownReply answers text that is not recognised: what the bot does,
// an example, and the commands closest to the words used.
func (t *turn) unknownReply() bot.Reply {
	var b strings.Builder
	b.WriteString(t.tr("dlg.unknown", bot.Args{"Domain": t.domain()}))
	r := t.d.routerRef()
	if r != nil {
		if near := closest(r, t.person(), t.text, 3); len(near) > 0 {
			b.WriteString("\n" + t.tr("dlg.closest", nil))
			for _, s := range near {
				b.WriteString("\n  " + bot.Prefix + " " + s.Usage(t.lang))
				if s.Help != "" {
					b.WriteString(" — " + t.tr(s.Help, nil))
				}
			}
		}
	}
	rep := bot.Reply{Kind: bot.KindHelp, Text: b.String()}
	for _, bt := range []struct{ name, label string }{{"new", "dlg.btn_new"}, {"help", "dlg.btn_help"}} {
		if r == nil || hasCommand(r, bt.name) {
			rep.Buttons = append(rep.Buttons, bot.Button{Label: t.tr(bt.label, nil), Command: bot.Prefix + " " + bt.name})
		}
	}
	return rep
}

func hasCommand(r *bot.Router, name string) bool {
	for _, s := range r.Specs() {
		if s.Name() == name {
			return true
		}
	}
	return false
}

// closest returns the visible commands whose words are nearest to the
// words of text, best first, at most n. A command scores one point for each
// of its words that a word of the text matches exactly, by a shared stem of
// four letters or more, or within one typo.
func closest(r *bot.Router, p *bot.Person, text string, n int) []*bot.Spec {
	toks := strings.FieldsFunc(nlu.Normalize(text), func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')
	})
	type cand struct {
		s     *bot.Spec
		score int
		order int
	}
	var cs []cand
	for i, s := range r.Specs() {
		if s.Hidden || (len(s.Roles) > 0 && !p.HasAny(s.Roles...)) {
			continue
		}
		best := 0
		for _, name := range specWords(s) {
			score := 0
			for _, w := range name {
				if len(w) < 3 {
					continue
				}
				for _, tk := range toks {
					if wordsMatch(tk, w) {
						score++
						break
					}
				}
			}
			best = max(best, score)
		}
		if best > 0 {
			cs = append(cs, cand{s, best, i})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].score != cs[j].score {
			return cs[i].score > cs[j].score
		}
		return cs[i].order < cs[j].order
	})
	var out []*bot.Spec
	for _, c := range cs {
		if len(out) == n {
			break
		}
		out = append(out, c.s)
	}
	return out
}

// wordsMatch compares a typed word and a command word (both folded).
func wordsMatch(typed, word string) bool {
	if typed == word {
		return true
	}
	if len(typed) < 4 || len(word) < 4 {
		return false
	}
	common := 0
	for common < len(typed) && common < len(word) && typed[common] == word[common] {
		common++
	}
	if common >= 4 && common*10 >= min(len(typed), len(word))*6 {
		return true
	}
	return len(typed) >= 5 && oneEdit(typed, word)
}

// oneEdit reports whether a and b differ by at most one inserted, deleted
// or replaced byte (the words are folded, so bytes are letters).
func oneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return i >= len(a) || a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}

// nameWords caches the folded words of each command's names.
var nameWords sync.Map // *bot.Spec -> [][]string

func specWords(s *bot.Spec) [][]string {
	if v, ok := nameWords.Load(s); ok {
		return v.([][]string)
	}
	ws := make([][]string, len(s.Names))
	for i, n := range s.Names {
		ws[i] = strings.Fields(bot.Fold(n))
	}
	nameWords.Store(s, ws)
	return ws
}
