package dialogue

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"itbot/bot"
	"itbot/bot/nlu"
)

// requestType maps an intent to the request type it creates; ok is false
// for intents that create none (status, approve, reject, help, unknown).
func requestType(intent string) (bot.Type, bool) {
	t := bot.Type(intent)
	return t, t.Valid()
}

// requiredSlots returns the slots the dialogue asks for before it restates
// a request, in asking order. For an intent that is a request type they
// come from the type's table: the required parameters with a slot and no
// default, in the type's order. Other intents (status, approve, reject)
// use nlu's list.
func requiredSlots(intent string) []string {
	s := bot.LookupType(bot.Type(intent))
	if s == nil {
		return nlu.Required(intent)
	}
	var out []string
	for _, ps := range s.Params {
		if ps.Required && ps.Default == "" && ps.Slot != "" && !slices.Contains(out, ps.Slot) {
			out = append(out, ps.Slot)
		}
	}
	return out
}

// optionalSlots returns the slots an intent may carry but the dialogue
// does not ask for: for a request type, its other parameters with a slot,
// in the type's order; nlu's list for other intents.
func optionalSlots(intent string) []string {
	s := bot.LookupType(bot.Type(intent))
	if s == nil {
		return nlu.Optional(intent)
	}
	req := requiredSlots(intent)
	var out []string
	for _, ps := range s.Params {
		if ps.Slot != "" && !slices.Contains(req, ps.Slot) && !slices.Contains(out, ps.Slot) {
			out = append(out, ps.Slot)
		}
	}
	return out
}

// allowedSlots returns every slot an intent takes: the required ones,
// then the optional ones.
func allowedSlots(intent string) []string {
	return append(requiredSlots(intent), optionalSlots(intent)...)
}

// slotParam returns the parameter of the intent's request type that slot
// fills, or nil.
func slotParam(intent, slot string) *bot.ParamSpec {
	s := bot.LookupType(bot.Type(intent))
	if s == nil {
		return nil
	}
	for i := range s.Params {
		if s.Params[i].Slot == slot {
			return &s.Params[i]
		}
	}
	return nil
}

// params builds the request parameters from the dialogue's slots, as the
// type's table declares them: each parameter with a slot takes the slot's
// value, and a free-text type takes the message that started the
// dialogue. What the bot completes itself (a technical mailbox's owner)
// the type's Check fills when the parameters are validated.
func (t *turn) params(st *state) bot.Params {
	var p bot.Params
	s := bot.LookupType(bot.Type(st.Intent))
	if s == nil {
		return p
	}
	for _, ps := range s.Params {
		if ps.Slot != "" {
			p.Set(ps.Name, st.Slots[ps.Slot])
		}
	}
	if s.FreeText() {
		p.Set("text", st.Text)
	}
	return p
}

// request builds the dialogue's request and validates it for the person
// asking, as Submit will: the restatement shows what will be created.
func (t *turn) request(st *state) (bot.Type, bot.Params, error) {
	typ, ok := requestType(st.Intent)
	if !ok {
		return typ, bot.Params{}, bot.Errorf(bot.EINVALID, "params.bad_type", "Type", st.Intent)
	}
	p := t.params(st)
	if err := bot.ValidateParamsFor(typ, &p, st.Person); err != nil {
		return typ, p, err
	}
	return typ, p, nil
}

// check validates and normalises one slot value; the error says what is
// wrong in the person's terms (a bad address, an account outside the
// institution …).
func (t *turn) check(st *state, slot, v string) (string, error) {
	v = strings.TrimSpace(v)
	switch slot {
	case nlu.SlotUser, nlu.SlotMailbox:
		a, err := bot.NormalizeAddress(v)
		if err != nil {
			return "", err
		}
		inst, err := t.institution()
		if err != nil {
			return "", err
		}
		typ, _ := requestType(st.Intent)
		if err := bot.Scope(inst, typ, bot.Params{User: a}); err != nil {
			return "", err
		}
		return a, nil
	case nlu.SlotSender:
		return bot.NormalizeSender(v)
	case nlu.SlotID:
		return bot.ParseIDIn(v, t.now.In(bot.TimeZone).Year())
	case nlu.SlotFrom, nlu.SlotTo:
		if _, err := time.Parse("2006-01-02", v); err != nil {
			return "", bot.Errorf(bot.EINVALID, "dlg.bad_date", "Value", short(v))
		}
		return v, nil
	case nlu.SlotKind:
		k, ok := bot.ParseMailboxKind(v)
		if !ok {
			return "", bot.Errorf(bot.EINVALID, "params.bad_kind", "Value", short(v))
		}
		return k, nil
	case nlu.SlotPermission:
		p, ok := bot.ParsePermission(v)
		if !ok {
			return "", bot.Errorf(bot.EINVALID, "params.bad_permission", "Value", short(v))
		}
		return p, nil
	case nlu.SlotRole:
		r := bot.Fold(v)
		if r == "" || len(r) > 40 || strings.IndexFunc(r, func(c rune) bool { return !unicode.IsLetter(c) && c != '_' && c != ' ' }) >= 0 {
			return "", bot.Errorf(bot.EINVALID, "dlg.bad_role", "Value", short(v))
		}
		return r, nil
	case nlu.SlotSKU:
		s := strings.ToUpper(v)
		if s == "" || len(s) > 40 {
			return "", bot.Errorf(bot.EINVALID, "dlg.bad_sku", "Value", short(v))
		}
		return s, nil
	case nlu.SlotDisplayName:
		if v == "" || len([]rune(v)) > 100 {
			return "", bot.Errorf(bot.EINVALID, "dlg.bad_name", "Value", short(v))
		}
		return v, nil
	}
	return v, nil
}

// fill reads the answer to the question for slot and stores the value (or
// values: a period fills from and to).
func (t *turn) fill(st *state, slot, text string) error {
	switch slot {
	case slotReason:
		r := strings.TrimSpace(text)
		if len([]rune(r)) < 2 {
			return bot.Errorf(bot.EINVALID, "dlg.reason_short")
		}
		if rs := []rune(r); len(rs) > 1000 {
			r = string(rs[:1000])
		}
		st.Reason = r
		return nil
	case nlu.SlotUser, nlu.SlotMailbox:
		return t.fillAddress(st, slot, text)
	case nlu.SlotSender:
		return t.fillSender(st, text)
	case nlu.SlotID:
		id, err := idIn(text, t.now)
		if err != nil {
			return err
		}
		st.Slots[nlu.SlotID] = id
		return nil
	case nlu.SlotFrom, nlu.SlotTo:
		return t.fillDates(st, slot, text)
	case nlu.SlotRole:
		return t.fillRole(st, text)
	}
	// Slots no intent requires today: take the answer as it is.
	v, err := t.check(st, slot, text)
	if err != nil {
		return err
	}
	st.Slots[slot] = v
	return nil
}

// fillAddress takes the first address in the answer that is not already
// another slot's value. A bare local part ("janis.ozols") is completed
// with the institution's domain when it has only one; the restatement
// shows the full address before anything is done.
func (t *turn) fillAddress(st *state, slot, text string) error {
	addrs := addresses(text)
	var firstErr error
	for _, a := range addrs {
		v, err := t.check(st, slot, a)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if slot == nlu.SlotUser && v == st.Slots[nlu.SlotMailbox] || slot == nlu.SlotMailbox && v == st.Slots[nlu.SlotUser] {
			continue
		}
		st.Slots[slot] = v
		return nil
	}
	if firstErr != nil {
		return firstErr
	}
	if len(addrs) == 0 {
		if local, ok := localPart(text, slot == nlu.SlotMailbox); ok {
			if inst, err := t.institution(); err == nil && len(inst.Domains) == 1 {
				v, err := t.check(st, slot, local+"@"+inst.Domains[0])
				if err != nil {
					return err
				}
				st.Slots[slot] = v
				return nil
			}
		}
	}
	return bot.Errorf(bot.EINVALID, "input.bad_address", "Value", short(text))
}

// localRE is a name-like local part: words of letters and digits, each
// starting with a letter, joined by dots, hyphens or underscores.
var localRE = regexp.MustCompile(`^[a-z][a-z0-9]*([._-][a-z][a-z0-9]*)*$`)

// localPart reports whether text is a single word that can only be the
// left part of an address: for a person it must hold a separator
// ("janis.ozols"), for a mailbox any plain word of three letters or more
// will do ("lietvediba"). Request ids and numbers never qualify.
func localPart(text string, plain bool) (string, bool) {
	w := strings.ToLower(strings.Trim(strings.TrimSpace(text), ".,;:!?\"'<>"))
	if len(w) > 64 || !localRE.MatchString(w) {
		return "", false
	}
	if !plain && !strings.ContainsAny(w, "._-") {
		return "", false
	}
	if plain && len(w) < 3 {
		return "", false
	}
	return w, true
}

// fillSender takes the first address or domain in the answer.
func (t *turn) fillSender(st *state, text string) error {
	var firstErr error
	for _, cand := range senderCandidates(text) {
		v, err := t.check(st, nlu.SlotSender, cand)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		st.Slots[nlu.SlotSender] = v
		return nil
	}
	if firstErr != nil {
		return firstErr
	}
	return bot.Errorf(bot.EINVALID, "params.bad_sender", "Value", short(text))
}

// senderCandidates returns the words of text that look like an address or
// a domain, with URL decoration removed.
func senderCandidates(text string) []string {
	var out []string
	for _, w := range words(text) {
		lw := strings.ToLower(w)
		for _, p := range []string{"https://", "http://", "mailto:"} {
			lw = strings.TrimPrefix(lw, p)
		}
		if i := strings.IndexByte(lw, '/'); i >= 0 {
			lw = lw[:i]
		}
		lw = strings.TrimPrefix(lw, "www.")
		if strings.Contains(lw, "@") || (strings.Contains(lw, ".") && !strings.HasPrefix(lw, ".")) {
			out = append(out, lw)
		}
	}
	return out
}

// fillDates reads a period or one date. Two dates fill from and to; one
// date fills the slot asked for; words ("par 2025. gadu", "no 1. janvāra
// līdz 30. jūnijam") are read by nlu in the context of the first message.
func (t *turn) fillDates(st *state, slot, text string) error {
	ds := isoDates(text)
	switch {
	case len(ds) >= 2:
		st.Slots[nlu.SlotFrom], st.Slots[nlu.SlotTo] = ds[0], ds[1]
	case len(ds) == 1:
		st.Slots[slot] = ds[0]
	default:
		from, to := t.datesInContext(st, text)
		switch {
		case slot == nlu.SlotFrom && from != "":
			st.Slots[nlu.SlotFrom] = from
			if to != "" {
				st.Slots[nlu.SlotTo] = to
			}
		case slot == nlu.SlotTo && to != "":
			st.Slots[nlu.SlotTo] = to
		case slot == nlu.SlotTo && from != "":
			st.Slots[nlu.SlotTo] = from
		default:
			return bot.Errorf(bot.EINVALID, "dlg.bad_date", "Value", short(text))
		}
	}
	f, to := st.Slots[nlu.SlotFrom], st.Slots[nlu.SlotTo]
	if f != "" && to != "" && to < f {
		delete(st.Slots, nlu.SlotTo)
		return bot.Errorf(bot.EINVALID, "params.dates_order", "From", f, "To", to)
	}
	return nil
}

// datesInContext lets nlu read dates written in words, first after the
// dialogue's own message, then after a neutral lead-in for the intent.
func (t *turn) datesInContext(st *state, text string) (from, to string) {
	for _, lead := range []string{st.Text + "\n", "DVS dokumentu kopijas ", "DVS document copies "} {
		res := t.parse(lead + text)
		if res.Slots[nlu.SlotFrom] != "" || res.Slots[nlu.SlotTo] != "" {
			return res.Slots[nlu.SlotFrom], res.Slots[nlu.SlotTo]
		}
	}
	return "", ""
}

// fillRole reads a DVS role: nlu knows its inflections ("lietvedim",
// "lasītāja"); a single other word is taken as the role's name.
func (t *turn) fillRole(st *state, text string) error {
	for _, lead := range []string{st.Text + "\n", "DVS loma "} {
		res := t.parse(lead + text)
		if r := res.Slots[nlu.SlotRole]; r != "" {
			v, err := t.check(st, nlu.SlotRole, r)
			if err != nil {
				return err
			}
			st.Slots[nlu.SlotRole] = v
			return nil
		}
	}
	ws := words(text)
	if len(ws) == 1 || len(ws) == 2 && strings.HasPrefix(bot.Fold(ws[1]), "lom") {
		v, err := t.check(st, nlu.SlotRole, ws[0])
		if err != nil {
			return err
		}
		st.Slots[nlu.SlotRole] = v
		return nil
	}
	return bot.Errorf(bot.EINVALID, "dlg.bad_role", "Value", short(text))
}

var (
	idRE     = regexp.MustCompile(`(?i)\bIT[- ]?(\d{4})[- ](\d{1,6})\b`)
	numberRE = regexp.MustCompile(`^#?(\d{1,6})$`)
	isoRE    = regexp.MustCompile(`\b(\d{4})-(\d{1,2})-(\d{1,2})\b`)
	euRE     = regexp.MustCompile(`\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b`)
)

// idIn finds a request id in an answer; a bare number is taken as this
// year's ("123" → IT-2026-000123).
func idIn(text string, now time.Time) (string, error) {
	if m := idRE.FindStringSubmatch(text); m != nil {
		return bot.ParseID("IT-" + m[1] + "-" + m[2])
	}
	if m := numberRE.FindStringSubmatch(strings.TrimSpace(text)); m != nil {
		n, _ := strconv.ParseUint(m[1], 10, 64)
		if n > 0 {
			return bot.FormatID(now.In(bot.TimeZone).Year(), n), nil
		}
	}
	return "", bot.Errorf(bot.EINVALID, "input.bad_id", "Value", short(text))
}

// isoDates returns the calendar dates written as YYYY-MM-DD or DD.MM.YYYY,
// in order, as YYYY-MM-DD.
func isoDates(text string) []string {
	type hit struct {
		at   int
		date string
	}
	var hs []hit
	add := func(at int, y, m, d string) {
		yi, _ := strconv.Atoi(y)
		mi, _ := strconv.Atoi(m)
		di, _ := strconv.Atoi(d)
		t := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
		if t.Year() == yi && int(t.Month()) == mi && t.Day() == di {
			hs = append(hs, hit{at, t.Format("2006-01-02")})
		}
	}
	for _, m := range isoRE.FindAllStringSubmatchIndex(text, -1) {
		add(m[0], text[m[2]:m[3]], text[m[4]:m[5]], text[m[6]:m[7]])
	}
	for _, m := range euRE.FindAllStringSubmatchIndex(text, -1) {
		add(m[0], text[m[6]:m[7]], text[m[4]:m[5]], text[m[2]:m[3]])
	}
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && hs[j].at < hs[j-1].at; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.date
	}
	return out
}

// words splits text on spaces and the punctuation around words, keeping
// the dots and @ inside addresses and domains.
func words(text string) []string {
	fs := strings.FieldsFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;()<>[]\"'„“”«»", r)
	})
	out := fs[:0]
	for _, f := range fs {
		f = strings.TrimRight(f, ".:!?")
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// addresses returns the words of text that contain an @.
func addresses(text string) []string {
	var out []string
	for _, w := range words(text) {
		w = strings.TrimPrefix(strings.ToLower(w), "mailto:")
		if strings.Contains(w, "@") {
			out = append(out, w)
		}
	}
	return out
}

// reasonIn returns the reason written after a request id in a rejection
// ("Noraidu IT-2026-000043, nav vajadzības" → "nav vajadzības"), or "".
func reasonIn(text string) string {
	loc := idRE.FindStringIndex(text)
	if loc == nil {
		return ""
	}
	r := strings.TrimSpace(text[loc[1]:])
	r = strings.TrimLeft(r, ",.;:-–— ")
	low := bot.Fold(r)
	for _, lead := range []string{"jo ", "because ", "since ", "as ", "iemesls:", "iemesls ", "reason:", "reason ", "ar iemeslu ", "with reason ", "due to "} {
		if strings.HasPrefix(low, lead) {
			// Fold keeps byte lengths for ASCII leads only; the leads are ASCII.
			r = strings.TrimSpace(r[len(lead):])
			break
		}
	}
	if len([]rune(r)) < 3 {
		return ""
	}
	return r
}

// short shortens a value quoted back to the person.
func short(s string) string {
	s = strings.TrimSpace(s)
	if rs := []rune(s); len(rs) > 60 {
		return string(rs[:57]) + "…"
	}
	return s
}
