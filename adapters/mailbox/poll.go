package mailbox

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"itbot/bot"
	"itbot/bot/nlu"
)

// syncState is where the inbox's delta rounds stand.
type syncState struct {
	// Link is the @odata.nextLink of the page to read next, or the
	// @odata.deltaLink the next round starts from; "" before the first.
	Link string `json:"link,omitempty"`
	// Started is when the adapter first read this mailbox: the first
	// round reads mail from InitialBacklog before it.
	Started time.Time `json:"started"`
	// LastRound is when the last round ended.
	LastRound time.Time `json:"last_round,omitempty"`
}

func (a *Adapter) loadSync(ctx context.Context) (syncState, error) {
	var st syncState
	_, err := a.getJSON(ctx, bucketSync, a.cfg.Address, &st)
	return st, err
}

func (a *Adapter) saveSync(ctx context.Context, st syncState) error {
	return a.putJSON(ctx, bucketSync, a.cfg.Address, st)
}

// Message marks.
const (
	stateStarted = "started"
	stateDone    = "done"
)

// seenRec marks a message (by internetMessageId) as being or having been
// handled.
type seenRec struct {
	State  string    `json:"state"`
	At     time.Time `json:"at"`
	ID     string    `json:"id"`
	Target string    `json:"target,omitempty"` // the folder it belongs in
}

// fileRec is a handled message still to be marked read and moved.
type fileRec struct {
	ID     string `json:"id"`
	Target string `json:"target"`
}

// seenFor is how long the marks are kept (a message can come back in a
// delta round when it is changed, e.g. moved back to the inbox).
const seenFor = 90 * 24 * time.Hour

func seenKey(m mail) string {
	if m.InternetID != "" {
		return m.InternetID
	}
	return "id:" + m.ID
}

// Poll reads the inbox once: it follows the delta round to its end (or
// continues the one a restart interrupted), handles each new message,
// files handled mail and sends the queued replies. An error (Graph
// unreachable or throttled beyond MaxWait) ends the round early; the
// position of the last whole page is kept, so the next Poll continues
// there and the marks skip what was already handled.
func (a *Adapter) Poll(ctx context.Context) (Stats, error) {
	a.poll.Lock()
	defer a.poll.Unlock()
	var st Stats
	ss, err := a.loadSync(ctx)
	if err != nil {
		return st, err
	}
	if ss.Started.IsZero() {
		ss.Started = a.now()
		if err := a.saveSync(ctx, ss); err != nil {
			return st, err
		}
	}
	// A new round reads from InitialBacklog before the first start, or,
	// once a round has ended, from a little before its end.
	since := ss.Started.Add(-a.cfg.InitialBacklog)
	if !ss.LastRound.IsZero() {
		since = ss.LastRound.Add(-10 * time.Minute)
	}
	var p page
	if ss.Link == "" {
		p, err = a.g.deltaStart(ctx, since)
	} else {
		p, err = a.g.deltaFollow(ctx, ss.Link)
		if statusOf(err) == http.StatusGone {
			a.log.Warn("mailbox: the delta link expired; starting a new round (marks keep handled mail from repeating)", "since", since)
			p, err = a.g.deltaStart(ctx, since)
		}
	}
	if err != nil {
		return st, fmt.Errorf("read the inbox of %s: %s", a.cfg.Address, describe(err))
	}
	for {
		for _, m := range p.items {
			if err := a.handle(ctx, m, &st); err != nil {
				return st, err
			}
		}
		if p.next == "" {
			ss.Link, ss.LastRound = p.delta, a.now()
			if err := a.saveSync(ctx, ss); err != nil {
				return st, err
			}
			break
		}
		ss.Link = p.next
		if err := a.saveSync(ctx, ss); err != nil {
			return st, err
		}
		if p, err = a.g.deltaFollow(ctx, ss.Link); err != nil {
			if statusOf(err) == http.StatusGone {
				ss.Link = ""
				a.saveSync(ctx, ss)
			}
			return st, fmt.Errorf("read the inbox of %s: %s", a.cfg.Address, describe(err))
		}
	}
	if err := a.refile(ctx); err != nil {
		a.log.Warn("mailbox: filing handled mail failed; will retry", "err", err)
	}
	n, err := a.Flush(ctx)
	st.Sent += n
	a.prune(ctx)
	return st, err
}

// handle takes one delta entry: every Graph read first, then the mark,
// then the decision (no Graph calls), then the filing and the replies.
func (a *Adapter) handle(ctx context.Context, m mail, st *Stats) error {
	if m.Removed {
		return nil
	}
	st.Seen++
	key := seenKey(m)
	var rec seenRec
	found, err := a.getJSON(ctx, bucketSeen, key, &rec)
	if err != nil {
		return err
	}
	if found {
		if rec.State == stateDone {
			st.Duplicates++
			return nil
		}
		a.interrupted(ctx, m, key, st)
		return nil
	}
	full, err := a.g.get(ctx, m.ID)
	if statusOf(err) == http.StatusNotFound {
		return nil // deleted meanwhile
	}
	if err != nil {
		return fmt.Errorf("read message %s: %s", m.InternetID, describe(err))
	}
	var atts []attachment
	if full.HasAttachments {
		if atts, err = a.g.attachments(ctx, m.ID); err != nil && statusOf(err) != http.StatusNotFound {
			return fmt.Errorf("read attachments of %s: %s", m.InternetID, describe(err))
		}
	}
	if full.InternetID == "" {
		full.InternetID = m.InternetID
	}
	mark, _ := jsonBytes(seenRec{State: stateStarted, At: a.now(), ID: m.ID})
	first, err := a.store.PutIfAbsent(ctx, bucketSeen, key, mark)
	if err != nil {
		return err
	}
	if !first {
		st.Duplicates++
		return nil
	}
	target, kind := a.process(ctx, full, atts)
	switch kind {
	case kindHandled:
		st.Handled++
	case kindReview:
		st.Review++
	default:
		st.Ignored++
	}
	if err := a.putJSON(ctx, bucketSeen, key, seenRec{State: stateDone, At: a.now(), ID: m.ID, Target: target}); err != nil {
		return err
	}
	fr := fileRec{ID: m.ID, Target: target}
	if err := a.putJSON(ctx, bucketFile, key, fr); err != nil {
		return err
	}
	if err := a.fileOne(ctx, key, fr); err != nil {
		a.log.Warn("mailbox: filing a message failed; will retry", "message", key, "err", describe(err))
	}
	n, err := a.Flush(ctx)
	st.Sent += n
	if err != nil {
		a.log.Warn("mailbox: sending replies failed; they stay queued", "err", err)
	}
	return nil
}

// interrupted files a message whose handling started before a stop and
// never finished: a person must look at it.
func (a *Adapter) interrupted(ctx context.Context, m mail, key string, st *Stats) {
	st.Review++
	a.log.Warn("mailbox: handling of a message was interrupted by a stop; sent to review", "message", key, "from", m.From)
	a.putJSON(ctx, bucketSeen, key, seenRec{State: stateDone, At: a.now(), ID: m.ID, Target: a.cfg.ReviewFolder})
	fr := fileRec{ID: m.ID, Target: a.cfg.ReviewFolder}
	a.putJSON(ctx, bucketFile, key, fr)
	if err := a.fileOne(ctx, key, fr); err != nil {
		a.log.Warn("mailbox: filing a message failed; will retry", "message", key, "err", describe(err))
	}
	a.alertOps(ctx, "interrupted/"+key, "mail.ops_interrupted", bot.Args{"From": m.From, "Subject": m.Subject, "Folder": a.cfg.ReviewFolder})
}

// fileOne marks a handled message read and moves it to its folder.
func (a *Adapter) fileOne(ctx context.Context, key string, fr fileRec) error {
	folder, err := a.folderID(ctx, fr.Target)
	if err != nil {
		return err
	}
	if err := a.g.markRead(ctx, fr.ID); err != nil && statusOf(err) != http.StatusNotFound {
		return err
	}
	if err := a.g.move(ctx, fr.ID, folder); err != nil && statusOf(err) != http.StatusNotFound {
		return err
	}
	return a.store.Delete(ctx, bucketFile, key)
}

// refile retries the filing that failed before.
func (a *Adapter) refile(ctx context.Context) error {
	type item struct {
		key string
		fr  fileRec
	}
	var items []item
	a.store.Scan(ctx, bucketFile, "", "", func(k string, v []byte) error {
		var fr fileRec
		if jsonInto(v, &fr) == nil {
			items = append(items, item{k, fr})
		}
		return nil
	})
	for _, it := range items {
		if err := a.fileOne(ctx, it.key, it.fr); err != nil {
			return fmt.Errorf("%s", describe(err))
		}
	}
	return nil
}

// prune forgets, once a day, what is no longer needed: marks and
// conversation records older than seenFor, alert marks older than a
// month, send counts older than an hour.
func (a *Adapter) prune(ctx context.Context) {
	now := a.now()
	a.mu.Lock()
	due := now.Sub(a.pruned) > 24*time.Hour
	if due {
		a.pruned = now
	}
	a.mu.Unlock()
	if !due {
		return
	}
	total := 0
	sweep := func(bucket string, old func(v []byte) bool) {
		var keys []string
		a.store.Scan(ctx, bucket, "", "", func(k string, v []byte) error {
			if old(v) {
				keys = append(keys, k)
			}
			return nil
		})
		for _, k := range keys {
			a.store.Delete(ctx, bucket, k)
		}
		total += len(keys)
	}
	sweep(bucketSeen, func(v []byte) bool {
		var r seenRec
		return jsonInto(v, &r) == nil && r.State == stateDone && now.Sub(r.At) > seenFor
	})
	sweep(bucketConv, func(v []byte) bool {
		var r convRec
		return jsonInto(v, &r) == nil && !r.At.IsZero() && now.Sub(r.At) > seenFor
	})
	sweep(bucketAlerts, func(v []byte) bool {
		t, err := time.Parse(time.RFC3339, string(v))
		return err == nil && now.Sub(t) > 31*24*time.Hour
	})
	sweep(bucketRate, func(v []byte) bool {
		var r rateRec
		if jsonInto(v, &r) != nil {
			return true
		}
		for _, t := range r.Sent {
			if now.Sub(t) < time.Hour {
				return false
			}
		}
		return true
	})
	if total > 0 {
		a.log.Info("mailbox: old marks pruned", "count", total)
	}
}

// How a message was dealt with.
const (
	kindHandled = "handled"
	kindReview  = "review"
	kindIgnored = "ignored"
)

// process decides what a message is and acts on it. It makes no Graph
// calls: replies are queued, the filing is the caller's. It returns the
// folder the message belongs in and how it was dealt with.
func (a *Adapter) process(ctx context.Context, m mail, atts []attachment) (string, string) {
	processed, review := a.cfg.ProcessedFolder, a.cfg.ReviewFolder
	log := a.log.With("from", m.From, "message", m.InternetID)
	if a.self[m.From] {
		log.Debug("mailbox: the bot's own message ignored")
		return processed, kindIgnored
	}
	if auto, why := Automated(m.From, m.Subject, m.Headers); auto {
		log.Info("mailbox: automatic message ignored", "reason", why, "subject", m.Subject)
		return processed, kindIgnored
	}
	if !isAddress(m.From) {
		log.Warn("mailbox: a message without a usable sender address", "subject", m.Subject)
		a.alertOps(ctx, "review/"+m.InternetID, "mail.ops_review", bot.Args{"From": m.From, "Subject": m.Subject, "Folder": review})
		return review, kindReview
	}
	authn := Authenticate(m.From, m.Headers, a.cfg.TrustInternal)
	if authn == AuthFail {
		log.Warn("mailbox: the sender check (DMARC) failed; not acted on", "subject", m.Subject)
		a.alertOps(ctx, "forged/"+m.InternetID, "mail.ops_forged", bot.Args{"From": m.From, "Subject": m.Subject, "Folder": review})
		return review, kindReview
	}
	text := Limit(CleanBody(m.Body, m.BodyHTML), 3900)
	p, err := a.person(ctx, m, text)
	if err != nil {
		log.Error("mailbox: looking up the sender failed", "err", err)
		a.alertOps(ctx, "failed/"+m.InternetID, "mail.ops_failed", bot.Args{"From": m.From, "Subject": m.Subject, "Folder": review})
		return review, kindReview
	}
	if p == nil {
		a.refuse(ctx, m)
		return processed, kindIgnored
	}
	h := &handling{a: a, ctx: ctx, m: m, p: p, routeP: p, atts: atts, text: text, auth: authn, log: log,
		b: &batch{conv: m.ConversationID}, echo: true}
	if authn != AuthPass && p.HasAny(bot.RoleITContact, bot.RoleExpertGroup, bot.RoleOperator, bot.RoleApprover, bot.RoleAdmin) {
		// An unproven From line asks with an employee's rights only: a
		// request it makes waits for someone else's approval (being
		// pre-approved would be an approval by e-mail).
		c := *p
		c.Roles = []bot.Role{bot.RoleEmployee}
		h.routeP = &c
	}
	h.ctx = context.WithValue(ctx, batchKey{}, h.b)
	target, kind := h.run()
	a.putJSON(ctx, bucketConv, m.ConversationID, convRec{MessageID: m.ID, Subject: m.Subject, From: m.From, Lang: p.Language(), At: a.now()})
	h.reply()
	if target == "" {
		target = processed
	}
	return target, kind
}

// person finds the sender, or adds an unknown sender of a known
// institution's domain as its employee; nil for any other sender.
func (a *Adapter) person(ctx context.Context, m mail, text string) (*bot.Person, error) {
	p, err := a.store.Person(ctx, m.From)
	if err == nil {
		return p, nil
	}
	if bot.ErrorCode(err) != bot.ENOTFOUND {
		return nil, err
	}
	inst, err := a.store.InstitutionByDomain(ctx, bot.Domain(m.From))
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	lang := bot.LV
	if text != "" && nlu.Parse(text, a.now()).Lang == string(bot.EN) {
		lang = bot.EN
	}
	name := strings.TrimSpace(m.FromName)
	if name == "" || strings.Contains(name, "@") {
		name = m.From[:strings.IndexByte(m.From, '@')]
	}
	np := &bot.Person{Email: m.From, Name: name, Institution: inst.Code, Roles: []bot.Role{bot.RoleEmployee}, Lang: lang}
	if err := np.Validate(); err != nil {
		return nil, err
	}
	if err := a.store.PutPerson(ctx, np); err != nil {
		return nil, err
	}
	a.log.Info("mailbox: a new sender added as an employee of their institution", "email", np.Email, "institution", inst.Code, "lang", lang)
	return np, nil
}

// refusalAgain is how long after a refusal the same address is refused
// again.
const refusalAgain = 30 * 24 * time.Hour

// refuse answers a sender outside every known institution once, in
// Latvian and English.
func (a *Adapter) refuse(ctx context.Context, m mail) {
	log := a.log.With("from", m.From)
	var when time.Time
	if found, _ := a.getJSON(ctx, bucketRefused, m.From, &when); found && a.now().Sub(when) < refusalAgain {
		log.Info("mailbox: a sender outside the institutions wrote again; not answered again", "subject", m.Subject)
		return
	}
	a.putJSON(ctx, bucketRefused, m.From, a.now())
	log.Info("mailbox: a sender outside the institutions; answered once", "subject", m.Subject)
	args := bot.Args{"Address": m.From}
	text := bot.Tr(bot.LV, "mail.refusal", args) + "\n\n— — —\n\n" + bot.Tr(bot.EN, "mail.refusal", args)
	subj := bot.Tr(bot.LV, "mail.refusal_subject", nil) + " / " + bot.Tr(bot.EN, "mail.refusal_subject", nil)
	if err := a.enqueue(ctx, outMail{ReplyTo: m.ID, To: m.From, Subject: subj, Parts: []bot.Reply{{Kind: bot.KindText, Text: text}}, Lang: bot.LV, Queued: a.now()}); err != nil {
		log.Error("mailbox: queue the refusal", "err", err)
	}
}
