package mailbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"itbot/bot"
)

// outMail is one message waiting in the outbox, kept as the replies it
// says (rendered in its reader's language already) so that updates of one
// request queued together leave as one mail.
type outMail struct {
	// ReplyTo is the Graph id of the message answered (the reply goes to
	// To alone); empty: a new message to To (always for Private mail).
	ReplyTo string      `json:"reply_to,omitempty"`
	To      string      `json:"to"`
	Subject string      `json:"subject"`
	Parts   []bot.Reply `json:"parts"`
	Lang    bot.Lang    `json:"lang"`
	Footer  string      `json:"footer,omitempty"`
	// Private mail carries a secret for the requester: never held back by
	// the rate limit, never joined with other mail, never logged.
	Private bool      `json:"private,omitempty"`
	Request string    `json:"request,omitempty"`
	Queued  time.Time `json:"queued"`
	Tries   int       `json:"tries,omitempty"`
}

// joins reports whether o may go out in one mail with next.
func (o outMail) joins(next outMail) bool {
	return !o.Private && !next.Private && o.Request != "" && o.Request == next.Request && o.ReplyTo == next.ReplyTo && o.To == next.To
}

// batch collects what the handling of one incoming message says: the
// router's replies (it is the ResponseWriter) and the notices the Bot
// posts meanwhile to the same conversation, so they leave as one reply.
type batch struct {
	conv    string
	mu      sync.Mutex
	replies []bot.Reply
	notices []bot.Notice
}

type batchKey struct{}

func batchOf(ctx context.Context) *batch {
	b, _ := ctx.Value(batchKey{}).(*batch)
	return b
}

// Write implements bot.ResponseWriter.
func (b *batch) Write(_ context.Context, r bot.Reply) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.replies = append(b.replies, r)
	return nil
}

// say adds a plain answer.
func (b *batch) say(kind, text string) {
	b.Write(context.Background(), bot.Reply{Kind: kind, Text: text})
}

func (b *batch) captures(n bot.Notice) bool {
	return n.To.Platform == Platform && n.To.Channel != "" && n.To.Channel == b.conv
}

func (b *batch) add(n bot.Notice) {
	if n.Request != nil {
		r := *n.Request
		n.Request = &r
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.notices = append(b.notices, n)
}

// requests returns the ids of the requests the replies are about, in
// order, then those only the notices are about.
func (b *batch) requests() (inReplies, inNotices []*bot.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	seen := map[string]bool{}
	for _, r := range b.replies {
		if r.Request != nil && !seen[r.Request.ID] {
			seen[r.Request.ID] = true
			inReplies = append(inReplies, r.Request)
		}
	}
	for _, n := range b.notices {
		if n.Request != nil && !seen[n.Request.ID] {
			seen[n.Request.ID] = true
			inNotices = append(inNotices, n.Request)
		}
	}
	return inReplies, inNotices
}

// compose returns the parts of the one reply, the private notices (sent
// apart) and the request the reply is about. A notice about a request a
// reply already shows is left out (the reply shows its latest state);
// with echo false every non-private notice is (the sender's own comment
// is not sent back to them).
func (b *batch) compose(echo bool) (parts []bot.Reply, private []bot.Notice, reqID string) {
	inR, inN := b.requests()
	shown := map[string]bool{}
	for _, r := range inR {
		shown[r.ID] = true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.replies {
		if strings.TrimSpace(r.Text) != "" || r.Title != "" || len(r.Fields) > 0 {
			parts = append(parts, r)
		}
	}
	for _, n := range b.notices {
		switch {
		case n.Reply.Private:
			private = append(private, n)
		case !echo, n.Reply.Progress, n.Request != nil && shown[n.Request.ID]:
		default:
			parts = append(parts, n.Reply)
		}
	}
	switch {
	case len(inR) > 0:
		reqID = inR[0].ID
	case len(inN) > 0 && echo:
		reqID = inN[0].ID
	}
	return parts, private, reqID
}

// Post implements bot.Poster. A notice for the conversation whose mail is
// being handled joins that mail's reply; any other is rendered now, in
// its reader's language, and queued in the KVStore (so a restart loses
// nothing); the queue is sent by Run (or Flush). Progress notices are not
// mailed.
func (a *Adapter) Post(ctx context.Context, n bot.Notice) error {
	if b := batchOf(ctx); b != nil && b.captures(n) {
		b.add(n)
		return nil
	}
	if n.Reply.Progress {
		return nil
	}
	o, ok, err := a.noticeMail(ctx, n)
	if err != nil || !ok {
		return err
	}
	return a.enqueue(ctx, o)
}

type convRec struct {
	MessageID string    `json:"message_id"` // the last message handled in the conversation
	Subject   string    `json:"subject"`
	From      string    `json:"from"`
	Lang      bot.Lang  `json:"lang,omitempty"`
	At        time.Time `json:"at,omitempty"`
}

// noticeMail renders a notice as a mail: a reply in its conversation (to
// the request's first message, to the requester), or a new message to a
// person's address.
func (a *Adapter) noticeMail(ctx context.Context, n bot.Notice) (outMail, bool, error) {
	l := n.Lang.OrDefault()
	r := n.Request
	o := outMail{Private: n.Reply.Private, Queued: a.now()}
	id := ""
	if r != nil {
		id, o.Request = r.ID, r.ID
	}
	switch {
	case n.To.Channel != "":
		var cr convRec
		found, err := a.getJSON(ctx, bucketConv, n.To.Channel, &cr)
		if err != nil {
			return o, false, err
		}
		if r != nil && r.Origin.Platform == Platform && r.Origin.Channel == n.To.Channel && r.Origin.MessageID != "" {
			o.ReplyTo, o.To = r.Origin.MessageID, r.Origin.UserID
		} else if found {
			o.ReplyTo, o.To = cr.MessageID, cr.From
		} else {
			a.log.Warn("mailbox: a notice for an unknown conversation was dropped", "conversation", n.To.Channel, "request", id)
			return o, false, nil
		}
		if r != nil && (o.Private || o.To == "") {
			o.To = r.Requester // a secret goes to the requester alone
		}
		if o.Private {
			// A new message (sendMail), never a reply: Graph addresses a
			// reply to the original's Reply-To too.
			o.ReplyTo = ""
		}
		subj := cr.Subject
		if !found && r != nil {
			subj = bot.Describe(r, l)
		}
		o.Subject = replySubject(subj, id)
	case n.To.User != "" && isAddress(n.To.User):
		o.To = strings.ToLower(n.To.User)
		what := n.Reply.Title
		if r != nil {
			what = bot.Describe(r, l)
		}
		if id != "" {
			o.Subject = "[" + id + "] " + what
		} else {
			o.Subject = what
		}
	default:
		return o, false, nil
	}
	if !isAddress(o.To) {
		a.log.Warn("mailbox: a notice without a recipient address was dropped", "request", id)
		return o, false, nil
	}
	o.Footer = bot.Tr(l, "mail.footer_plain", nil)
	if id != "" {
		o.Footer = bot.Tr(l, "mail.footer", bot.Args{"ID": id})
	}
	o.Parts, o.Lang = []bot.Reply{n.Reply}, l
	return o, true, nil
}

// enqueue stores a mail in the outbox and wakes the sender.
func (a *Adapter) enqueue(ctx context.Context, o outMail) error {
	a.mu.Lock()
	a.seq++
	key := fmt.Sprintf("%020d-%06d", time.Now().UnixNano(), a.seq%1000000)
	a.mu.Unlock()
	if err := a.putJSON(ctx, bucketOutbox, key, o); err != nil {
		return fmt.Errorf("mailbox: queue a reply: %w", err)
	}
	select {
	case a.wake <- struct{}{}:
	default:
	}
	return nil
}

// Flush sends the queued mail, oldest first, and returns how many went.
// A temporary failure (throttling beyond MaxWait, Graph down) stops it,
// leaving the rest queued in order; a mail Graph refuses for good is
// logged and dropped. A reply whose original is gone (deleted by an
// operator) is sent as a new message.
func (a *Adapter) Flush(ctx context.Context) (int, error) {
	a.flush.Lock()
	defer a.flush.Unlock()
	type item struct {
		key string
		o   outMail
	}
	var items []item
	err := a.store.Scan(ctx, bucketOutbox, "", "", func(k string, v []byte) error {
		var o outMail
		if err := json.Unmarshal(v, &o); err != nil {
			a.log.Error("mailbox: unreadable outbox entry dropped", "key", k, "err", err)
			items = append(items, item{key: k})
			return nil
		}
		items = append(items, item{k, o})
		if len(items) >= 200 {
			return errStop
		}
		return nil
	})
	if err != nil && err != errStop {
		return 0, err
	}
	sent := 0
	for i := 0; i < len(items); i++ {
		it := items[i]
		if it.o.To == "" {
			a.store.Delete(ctx, bucketOutbox, it.key)
			continue
		}
		// Updates of one request queued one after another go as one mail.
		keys := []string{it.key}
		for i+1 < len(items) && it.o.joins(items[i+1].o) {
			i++
			it.o.Parts = append(it.o.Parts, items[i].o.Parts...)
			keys = append(keys, items[i].key)
		}
		drop := func() error {
			for _, k := range keys {
				if err := a.store.Delete(ctx, bucketOutbox, k); err != nil {
					return err
				}
			}
			return nil
		}
		if !it.o.Private {
			ok, err := a.allow(ctx, it.o.To)
			if err != nil {
				return sent, err
			}
			if !ok {
				a.log.Warn("mailbox: reply held back: too many to one address this hour", "to", it.o.To, "request", it.o.Request, "limit", a.cfg.RepliesPerHour)
				a.alertOps(ctx, "rate/"+it.o.To+"/"+a.now().Format("2006010215"), "mail.ops_rate_limited",
					bot.Args{"Address": it.o.To, "Limit": a.cfg.RepliesPerHour, "Folder": a.cfg.ProcessedFolder})
				if err := drop(); err != nil {
					return sent, err
				}
				continue
			}
		}
		err := a.send(ctx, it.o)
		if err != nil && transient(err) {
			first := items[i-len(keys)+1]
			first.o.Tries++
			a.putJSON(ctx, bucketOutbox, first.key, first.o)
			return sent, fmt.Errorf("send to %s: %s", it.o.To, describe(err))
		}
		if err != nil && statusOf(err) == http.StatusRequestEntityTooLarge {
			// Files go through upload sessions, so this should not happen;
			// if Graph still finds the request too large, say so plainly.
			a.log.Error("mailbox: Graph refused a reply as larger than its 4 MB request limit (413); dropped", "to", it.o.To, "request", it.o.Request, "err", describe(err))
		} else if err != nil {
			a.log.Error("mailbox: Graph refused a reply; dropped", "to", it.o.To, "request", it.o.Request, "err", describe(err))
		} else {
			sent++
			if err := a.count(ctx, it.o.To); err != nil {
				a.log.Warn("mailbox: rate count", "err", err)
			}
			a.log.Info("mailbox: mail sent", "to", it.o.To, "request", it.o.Request, "reply", it.o.ReplyTo != "", "private", it.o.Private, "parts", len(it.o.Parts))
		}
		if err := drop(); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// stopErr ends a Scan early.
type stopErr struct{}

// Error implements error.
func (stopErr) Error() string { return "stop" }

var errStop error = stopErr{}

// send delivers one mail through Graph.
func (a *Adapter) send(ctx context.Context, o outMail) error {
	for i := range o.Parts {
		if o.Parts[i].Request == nil && o.Request != "" {
			o.Parts[i].Request = &bot.Request{ID: o.Request}
		}
	}
	body, files := RenderHTML(o.Parts, o.Lang.OrDefault(), o.Footer)
	out := outgoing{Subject: o.Subject, HTML: body, To: o.To,
		Headers: []Header{{"X-Auto-Response-Suppress", "All"}}}
	if o.Request != "" {
		out.Headers = append(out.Headers, Header{"X-Itbot-Request", o.Request})
	}
	for _, f := range files {
		out.Files = append(out.Files, outFile{Name: f.Name, Mime: f.Mime, Data: f.Data})
	}
	do := func(out outgoing) error {
		if o.ReplyTo != "" {
			err := a.g.reply(ctx, o.ReplyTo, out)
			if statusOf(err) != http.StatusNotFound {
				return err
			}
			a.log.Info("mailbox: the message to answer is gone; sending a new one", "to", o.To, "request", o.Request)
		}
		return a.g.send(ctx, out)
	}
	err := do(out)
	if statusOf(err) == http.StatusBadRequest && strings.Contains(strings.ToLower(errorCode(err)), "header") {
		// The custom headers are a courtesy; the mail matters more.
		a.log.Warn("mailbox: Graph refused the custom headers; sending without them", "err", describe(err))
		out.Headers = nil
		err = do(out)
	}
	return err
}

type rateRec struct {
	Sent []time.Time `json:"sent"`
}

// allow reports whether another mail may go to addr this hour.
func (a *Adapter) allow(ctx context.Context, addr string) (bool, error) {
	var r rateRec
	if _, err := a.getJSON(ctx, bucketRate, addr, &r); err != nil {
		return false, err
	}
	n := 0
	since := a.now().Add(-time.Hour)
	for _, t := range r.Sent {
		if t.After(since) {
			n++
		}
	}
	return n < a.cfg.RepliesPerHour, nil
}

// count records a mail sent to addr.
func (a *Adapter) count(ctx context.Context, addr string) error {
	var r rateRec
	if _, err := a.getJSON(ctx, bucketRate, addr, &r); err != nil {
		return err
	}
	since := a.now().Add(-time.Hour)
	keep := r.Sent[:0]
	for _, t := range r.Sent {
		if t.After(since) {
			keep = append(keep, t)
		}
	}
	r.Sent = append(keep, a.now())
	return a.putJSON(ctx, bucketRate, addr, r)
}
