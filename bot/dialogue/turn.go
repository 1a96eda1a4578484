package dialogue

import (
	"context"
	"slices"
	"strings"
	"time"

	"itbot/bot"
	"itbot/bot/nlu"
)

// switchConfidence is the least nlu confidence at which a message in the
// middle of a dialogue is taken as a new request rather than an answer.
const switchConfidence = 0.6

// turn is one message being handled.
type turn struct {
	d    *Dialogue
	ctx  context.Context
	w    bot.ResponseWriter
	c    *bot.Command
	key  string
	now  time.Time
	text string
	lang bot.Lang
	// expired is the dialogue that timed out before this message, if any.
	expired *state
	// notes are lines said before the next reply (refusals, expiry).
	notes []string
	inst  *bot.Institution
}

func (t *turn) tr(id string, a bot.Args) string { return bot.Tr(t.lang, id, a) }

func (t *turn) person() *bot.Person { return t.c.Person }

func (t *turn) actor() bot.Actor { return bot.Actor{Person: t.c.Person, Platform: t.c.Msg.Platform} }

// note queues a line for the next reply.
func (t *turn) note(s string) {
	if s != "" {
		t.notes = append(t.notes, s)
	}
}

// say writes a reply with the queued notes in front of its text.
func (t *turn) say(r bot.Reply) error {
	if len(t.notes) > 0 {
		lead := strings.Join(t.notes, "\n")
		if r.Text != "" {
			r.Text = lead + "\n" + r.Text
		} else {
			r.Text = lead
		}
		t.notes = nil
	}
	if r.Kind == "" {
		r.Kind = bot.KindText
	}
	return write(t.ctx, t.w, r)
}

// fail answers an error in the dialogue's language and logs it.
func (t *turn) fail(err error, what string) error {
	code := bot.ErrorCode(err)
	attrs := []any{"person", t.person().Email, "platform", t.c.Msg.Platform, "code", code, "err", err.Error()}
	if code == bot.EINTERNAL {
		t.d.log.Error("dialogue: "+what, attrs...)
	} else {
		t.d.log.Info("dialogue: "+what, attrs...)
	}
	return t.say(bot.Reply{Kind: bot.KindError, Text: bot.UserMessage(err, t.lang)})
}

// institution returns the person's institution (cached for the turn).
func (t *turn) institution() (*bot.Institution, error) {
	if t.inst != nil {
		return t.inst, nil
	}
	inst, err := t.d.bot.InstitutionOf(t.ctx, t.person())
	if err != nil {
		return nil, err
	}
	t.inst = inst
	return inst, nil
}

// domain is the person's institution's first e-mail domain, for examples.
func (t *turn) domain() string {
	if inst, err := t.institution(); err == nil && len(inst.Domains) > 0 {
		return inst.Domains[0]
	}
	if d := bot.Domain(t.person().Email); d != "" {
		return d
	}
	return "iestade.gov.lv"
}

func (t *turn) parse(text string) nlu.Result { return nlu.Parse(text, t.now.In(bot.TimeZone)) }

// start handles a message with no open dialogue.
func (t *turn) start() error {
	res := t.parse(t.text)
	t.lang = langOf(res, t.text, t.person())
	if t.expired != nil {
		t.lang = t.expired.Lang
		t.note(t.tr("dlg.expired", bot.Args{"Minutes": t.d.minutes()}))
	}
	if nlu.IsCancel(t.text) {
		if t.expired != nil {
			return t.say(bot.Reply{})
		}
		return t.say(bot.Reply{Text: t.tr("dlg.nothing_to_cancel", bot.Args{"Prefix": bot.Prefix})})
	}
	if yes, no := nlu.ParseYesNo(t.text); (yes || no) && res.Intent == nlu.IntentUnknown {
		if t.expired != nil {
			return t.say(bot.Reply{Text: t.tr("dlg.start_again", nil)})
		}
		return t.say(bot.Reply{Text: t.tr("dlg.no_question", nil) + "\n" + t.tr("dlg.start_again", nil)})
	}
	return t.begin(res)
}

// begin starts a dialogue for a recognised message.
func (t *turn) begin(res nlu.Result) error {
	t.d.log.Debug("dialogue message", "person", t.person().Email, "intent", res.Intent, "confidence", res.Confidence, "lang", res.Lang)
	switch res.Intent {
	case nlu.IntentHelp:
		return t.say(t.helpReply())
	case nlu.IntentUnknown:
		return t.say(t.unknownReply())
	case nlu.IntentConsult:
		return t.consult()
	case nlu.IntentServiceStatus:
		return t.serviceStatus(res)
	}
	st := &state{Person: t.person().Email, Intent: res.Intent, Slots: map[string]string{}, Text: t.text,
		Lang: t.lang, Origin: t.c.Msg.Origin(), Started: t.now}
	if typ, ok := requestType(res.Intent); ok {
		// Refuse an institution that may not use the service before
		// asking anything.
		inst, err := t.institution()
		if err != nil {
			return t.fail(err, "institution")
		}
		if err := inst.EligibleFor(typ, t.now); err != nil {
			return t.fail(err, "not eligible")
		}
	}
	for _, s := range allowedSlots(res.Intent) {
		v, ok := res.Slots[s]
		if !ok {
			continue
		}
		norm, err := t.check(st, s, v)
		if err != nil {
			t.note(bot.UserMessage(err, t.lang))
			t.d.log.Info("dialogue: slot refused", "person", st.Person, "intent", st.Intent, "slot", s, "code", bot.ErrorCode(err))
			continue
		}
		st.Slots[s] = norm
	}
	if res.Intent == nlu.IntentRequestReject {
		st.Reason = reasonIn(t.text)
	}
	t.d.log.Info("dialogue started", "person", st.Person, "intent", st.Intent, "platform", st.Origin.Platform)
	return t.next(st)
}

// next asks for the first missing slot, or restates for confirmation, or
// acts.
func (t *turn) next(st *state) error {
	for _, s := range requiredSlots(st.Intent) {
		if st.Slots[s] == "" {
			return t.ask(st, s)
		}
	}
	if immediate(st.Intent) {
		if err := t.d.drop(t.ctx, t.key); err != nil {
			return err
		}
		return t.submit(st)
	}
	switch st.Intent {
	case nlu.IntentRequestStatus:
		if err := t.d.drop(t.ctx, t.key); err != nil {
			return err
		}
		return t.status(st.Slots[nlu.SlotID])
	case nlu.IntentRequestApprove, nlu.IntentRequestReject:
		r, err := t.d.bot.Get(t.ctx, t.actor(), st.Slots[nlu.SlotID])
		if err == nil {
			err = t.d.bot.Policy.CanApprove(t.person(), r)
		}
		if err == nil && r.State != bot.StateAwaitingApproval && r.State != bot.StateNew {
			err = bot.Errorf(bot.ECONFLICT, "dlg.not_awaiting", "ID", r.ID, "State", r.State.Label(t.lang))
		}
		if err != nil {
			if derr := t.d.drop(t.ctx, t.key); derr != nil {
				return derr
			}
			return t.fail(err, "approval refused")
		}
		if st.Intent == nlu.IntentRequestReject && st.Reason == "" {
			return t.ask(st, slotReason)
		}
		return t.confirm(st, r)
	}
	return t.confirm(st, nil)
}

// immediate reports whether the intent is a request type submitted at once,
// without a restatement: one with no parameters that no one approves (a
// look-up such as the DVS backups) has nothing to check.
func immediate(intent string) bool {
	s := bot.LookupType(bot.Type(intent))
	return s != nil && len(s.Params) == 0 && s.Approval == bot.ApprovalNone
}

// ask stores the dialogue waiting for slot and asks for it.
func (t *turn) ask(st *state, slot string) error {
	if st.Asking != slot {
		st.Tries = 0
	}
	st.Stage, st.Asking = stageAsk, slot
	st.Token = ""
	if err := t.d.save(t.ctx, t.key, st, t.now); err != nil {
		return err
	}
	return t.say(t.question(st, slot))
}

// confirm stores the dialogue waiting for yes/no and restates it. r is the
// request an approval or rejection is about.
func (t *turn) confirm(st *state, r *bot.Request) error {
	var rep bot.Reply
	if r == nil {
		typ, p, err := t.request(st)
		if err != nil {
			if derr := t.d.drop(t.ctx, t.key); derr != nil {
				return derr
			}
			return t.fail(err, "invalid request")
		}
		st.Token = t.d.opts.Token()
		rep = t.restate(st, typ, p)
	} else {
		st.Token = t.d.opts.Token()
		rep = t.restateDecision(st, r)
	}
	st.Stage, st.Asking, st.Tries = stageConfirm, "", 0
	if err := t.d.save(t.ctx, t.key, st, t.now); err != nil {
		return err
	}
	return t.say(rep)
}

// resume continues an open dialogue with the new message.
func (t *turn) resume(st *state) error {
	t.lang = st.Lang
	if nlu.IsCancel(t.text) {
		if err := t.d.drop(t.ctx, t.key); err != nil {
			return err
		}
		t.d.log.Info("dialogue cancelled", "person", st.Person, "intent", st.Intent)
		return t.say(bot.Reply{Text: t.tr("dlg.cancelled", nil)})
	}
	if st.Stage == stageConfirm {
		return t.resumeConfirm(st)
	}
	res := t.parse(t.text)
	if st.Asking != slotReason {
		if res.Intent == nlu.IntentHelp && len(strings.Fields(t.text)) <= 3 {
			if err := t.d.save(t.ctx, t.key, st, t.now); err != nil {
				return err
			}
			if err := t.say(t.helpReply()); err != nil {
				return err
			}
			return t.say(t.question(st, st.Asking))
		}
		if t.switches(st, res) {
			return t.switchTo(st, res)
		}
	}
	if err := t.fill(st, st.Asking, t.text); err != nil {
		st.Tries++
		t.d.log.Info("dialogue: answer refused", "person", st.Person, "intent", st.Intent, "slot", st.Asking, "code", bot.ErrorCode(err), "tries", st.Tries)
		if bot.ErrorCode(err) == bot.EINTERNAL {
			return err
		}
		if serr := t.d.save(t.ctx, t.key, st, t.now); serr != nil {
			return serr
		}
		t.note(bot.UserMessage(err, t.lang))
		q := t.question(st, st.Asking)
		if st.Tries >= 2 {
			q.Text += "\n" + t.tr("dlg.cancel_hint", nil)
		}
		return t.say(q)
	}
	// An answer that repeats the request may carry optional details too
	// ("janis@… ar E5 licenci").
	if res.Intent == st.Intent {
		for _, s := range optionalSlots(st.Intent) {
			if v, ok := res.Slots[s]; ok && st.Slots[s] == "" {
				if norm, err := t.check(st, s, v); err == nil {
					st.Slots[s] = norm
				}
			}
		}
	}
	return t.next(st)
}

// switches reports whether a message in the middle of a dialogue is a new
// request rather than an answer.
func (t *turn) switches(st *state, res nlu.Result) bool {
	if res.Intent == nlu.IntentUnknown || res.Intent == nlu.IntentHelp || res.Intent == st.Intent {
		return false
	}
	return res.Confidence >= switchConfidence && len(strings.Fields(t.text)) >= 3
}

// switchFromConfirm drops a restated request that was not confirmed, says
// so, and starts the new one.
func (t *turn) switchFromConfirm(st *state, res nlu.Result) error {
	if err := t.d.drop(t.ctx, t.key); err != nil {
		return err
	}
	t.d.log.Info("dialogue switched before confirmation", "person", st.Person, "from", st.Intent, "to", res.Intent)
	what := st.Intent
	if typ, ok := requestType(st.Intent); ok {
		what = typ.Label(st.Lang)
	}
	t.note(t.tr("dlg.switched_unconfirmed", bot.Args{"What": what}))
	t.lang = langOf(res, t.text, t.person())
	return t.begin(res)
}

func (t *turn) switchTo(st *state, res nlu.Result) error {
	if err := t.d.drop(t.ctx, t.key); err != nil {
		return err
	}
	t.d.log.Info("dialogue switched", "person", st.Person, "from", st.Intent, "to", res.Intent)
	t.note(t.tr("dlg.switched", nil))
	t.lang = langOf(res, t.text, t.person())
	return t.begin(res)
}

// resumeConfirm handles the answer to a restatement.
func (t *turn) resumeConfirm(st *state) error {
	yes, no := nlu.ParseYesNo(t.text)
	res := t.parse(t.text)
	// "Lūdzu piešķiriet E3 licenci …" starts with a yes word but is a new
	// request of its own: only an answer confirms.
	if yes && t.switches(st, res) {
		return t.switchFromConfirm(st, res)
	}
	if yes {
		return t.accept(st)
	}
	if changed, err := t.correct(st, res); err != nil {
		t.note(bot.UserMessage(err, t.lang))
	} else if changed {
		t.note(t.tr("dlg.corrected", nil))
		return t.next(st)
	}
	if no {
		return t.discard(st)
	}
	if t.switches(st, res) {
		return t.switchFromConfirm(st, res)
	}
	st.Tries++
	if err := t.d.save(t.ctx, t.key, st, t.now); err != nil {
		return err
	}
	if res.Intent == nlu.IntentHelp {
		if err := t.say(t.helpReply()); err != nil {
			return err
		}
	}
	return t.say(bot.Reply{Text: t.tr("dlg.confirm_again", nil), Buttons: t.confirmButtons(st)})
}

// correct applies slot values found in an answer to a restatement: the
// same request with other details, or one address for the request's only
// address slot.
func (t *turn) correct(st *state, res nlu.Result) (bool, error) {
	allowed := allowedSlots(st.Intent)
	found := map[string]string{}
	if res.Intent == st.Intent {
		for _, s := range allowed {
			if v, ok := res.Slots[s]; ok && v != st.Slots[s] {
				found[s] = v
			}
		}
	}
	if len(found) == 0 && slices.Contains(allowed, nlu.SlotFrom) {
		if ds := isoDates(t.text); len(ds) == 2 {
			found[nlu.SlotFrom], found[nlu.SlotTo] = ds[0], ds[1]
		}
	}
	if addrs := addresses(t.text); len(found) == 0 && len(addrs) == 1 {
		var slots []string
		for _, s := range allowed {
			if s == nlu.SlotUser || s == nlu.SlotMailbox || s == nlu.SlotSender {
				slots = append(slots, s)
			}
		}
		if len(slots) == 1 && addrs[0] != st.Slots[slots[0]] {
			found[slots[0]] = addrs[0]
		}
	}
	if len(found) == 0 {
		return false, nil
	}
	keys := make([]string, 0, len(found))
	for s := range found {
		keys = append(keys, s)
	}
	slices.Sort(keys)
	for _, s := range keys {
		norm, err := t.check(st, s, found[s])
		if err != nil {
			return false, err
		}
		found[s] = norm
	}
	f, to := found[nlu.SlotFrom], found[nlu.SlotTo]
	if f == "" {
		f = st.Slots[nlu.SlotFrom]
	}
	if to == "" {
		to = st.Slots[nlu.SlotTo]
	}
	if f != "" && to != "" && to < f {
		return false, bot.Errorf(bot.EINVALID, "params.dates_order", "From", f, "To", to)
	}
	for s, v := range found {
		st.Slots[s] = v
	}
	return true, nil
}

// accept runs what the person confirmed. The dialogue is deleted first, so
// a second "yes" finds nothing to run.
func (t *turn) accept(st *state) error {
	if err := t.d.drop(t.ctx, t.key); err != nil {
		return err
	}
	t.d.log.Info("dialogue confirmed", "person", st.Person, "intent", st.Intent)
	switch st.Intent {
	case nlu.IntentRequestApprove:
		r, err := t.d.bot.Approve(t.ctx, t.actor(), st.Slots[nlu.SlotID])
		if err != nil {
			return t.retryable(st, err, "approve")
		}
		return t.say(t.decided(r, "dlg.approved"))
	case nlu.IntentRequestReject:
		r, err := t.d.bot.Reject(t.ctx, t.actor(), st.Slots[nlu.SlotID], st.Reason)
		if err != nil {
			return t.retryable(st, err, "reject")
		}
		return t.say(t.decided(r, "dlg.rejected"))
	}
	return t.submit(st)
}

// retryable answers a failed action; when trying again may help, the
// dialogue is kept waiting for another "yes".
func (t *turn) retryable(st *state, err error, what string) error {
	if c := bot.ErrorCode(err); c == bot.EUNAVAILABLE || c == bot.EINTERNAL {
		if serr := t.d.save(t.ctx, t.key, st, t.now); serr != nil {
			return serr
		}
		t.d.log.Warn("dialogue: "+what+" (kept for another try)", "person", t.person().Email, "code", bot.ErrorCode(err), "err", err.Error())
		t.note(bot.UserMessage(err, t.lang))
		return t.say(bot.Reply{Kind: bot.KindError, Text: t.tr("dlg.try_again", nil), Buttons: t.confirmButtons(st)})
	}
	return t.fail(err, what)
}

// submit creates the request.
func (t *turn) submit(st *state) error {
	typ, ok := requestType(st.Intent)
	if !ok {
		return t.fail(bot.Errorf(bot.EINVALID, "params.bad_type", "Type", st.Intent), "submit")
	}
	r, err := t.d.bot.Submit(t.ctx, t.actor(), bot.NewRequest{Type: typ, Params: t.params(st), Origin: st.Origin})
	if err != nil {
		return t.retryable(st, err, "submit")
	}
	t.d.log.Info("dialogue request created", "person", st.Person, "id", r.ID, "type", r.Type)
	return t.say(t.ack(r))
}

// discard ends the dialogue without acting.
func (t *turn) discard(st *state) error {
	if err := t.d.drop(t.ctx, t.key); err != nil {
		return err
	}
	t.d.log.Info("dialogue discarded", "person", st.Person, "intent", st.Intent)
	id := "dlg.discarded"
	if st.Intent == nlu.IntentRequestApprove || st.Intent == nlu.IntentRequestReject {
		id = "dlg.discarded_decision"
	}
	return t.say(bot.Reply{Text: t.tr(id, bot.Args{"ID": st.Slots[nlu.SlotID]})})
}

// questionType is the request type a question becomes. A message nlu reads
// as a how-to question or a plea for advice (nlu.IntentConsult, "Kā
// pieslēgt pastkasti telefonā?") is submitted at once as a consultation,
// with nothing asked and no restatement, for an operator to answer. A
// deliberate default of the conversation, not read from the table.
// (Messages nlu does not recognise at all get unknownReply instead.)
const questionType = bot.TypeConsult

// consult submits a question at once and gives a pointer while the
// operators prepare the answer.
func (t *turn) consult() error {
	r, err := t.d.bot.Submit(t.ctx, t.actor(), bot.NewRequest{Type: questionType, Params: bot.Params{Text: t.text}, Origin: t.c.Msg.Origin()})
	if err != nil {
		return t.fail(err, "consult")
	}
	t.d.log.Info("dialogue consult created", "person", t.person().Email, "id", r.ID)
	rep := t.ack(r)
	rep.Text += "\n\n" + t.tips(t.text)
	return t.say(rep)
}

// status answers a status question about one request.
// serviceStatus answers "does the DVS work now?", "what was e-mail's
// availability in October?" at once, with the availability command (the
// month named, else this one): nothing is tracked.
func (t *turn) serviceStatus(res nlu.Result) error {
	r := t.d.routerRef()
	if r == nil {
		return t.say(t.unknownReply())
	}
	text := bot.Prefix + " status"
	if from := res.Slots[nlu.SlotFrom]; len(from) >= 7 && from[:7] != t.now.In(bot.TimeZone).Format("2006-01") {
		if m, err := time.Parse("2006-01", from[:7]); err == nil && !m.After(t.now) {
			text += " --month " + from[:7]
		}
	}
	m := *t.c.Msg
	m.Text, m.Source = text, bot.SourceTyped
	m.Delivery = "" // the original message's delivery made no request; this one makes none either
	t.d.log.Info("dialogue: service status asked", "person", t.person().Email, "service", res.Slots[nlu.SlotService])
	return r.Route(t.ctx, t.w, &m)
}

func (t *turn) status(id string) error {
	r, err := t.d.bot.Get(t.ctx, t.actor(), id)
	if err != nil {
		return t.fail(err, "status")
	}
	card := t.d.bot.Card(r, t.person(), t.lang)
	line := t.tr("dlg.status_line", bot.Args{"ID": r.ID, "What": bot.Describe(r, t.lang), "State": r.State.Label(t.lang)})
	if r.State.Open() && !r.SLA.DueAt.IsZero() {
		line += " · " + bot.Tr(t.lang, "field.due", nil) + " " + bot.FormatTime(r.SLA.DueAt)
	}
	card.Text = line
	return t.say(card)
}
