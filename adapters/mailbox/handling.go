package mailbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"itbot/bot"
	"itbot/bot/nlu"
)

// handling is one incoming message being acted on.
type handling struct {
	a   *Adapter
	ctx context.Context // carries the batch
	m   mail
	p   *bot.Person // the sender
	// routeP is who the router hears: the sender, or, when the sender is
	// not proven by DMARC, the sender with an employee's rights only.
	routeP *bot.Person
	atts   []attachment
	text   string
	auth   Auth
	log    *slog.Logger
	b      *batch
	// echo false leaves the notices the handling caused out of the reply
	// (a comment is not sent back to its writer).
	echo bool
}

func (h *handling) lang() bot.Lang { return h.p.Language() }

func (h *handling) actor() bot.Actor { return bot.Actor{Person: h.p, Platform: Platform} }

func (h *handling) tr(id string, args bot.Args) string { return bot.Tr(h.lang(), id, args) }

// fail answers an error in the sender's language.
func (h *handling) fail(err error, what string) {
	code := bot.ErrorCode(err)
	if code == bot.EINTERNAL {
		h.log.Error("mailbox: "+what, "err", err)
	} else {
		h.log.Info("mailbox: "+what+" refused", "code", code, "err", err)
	}
	h.b.say(bot.KindError, bot.UserMessage(err, h.lang()))
}

// command is a slash command in the first paragraph of a mail.
type command struct {
	line string
	spec *bot.Spec
	args []string
	rest []string
}

func (c command) arg(i int) string {
	if i < len(c.args) {
		return c.args[i]
	}
	return ""
}

func (c command) restFrom(i int) string {
	if i < len(c.rest) {
		return c.rest[i]
	}
	return ""
}

// firstParagraph returns text up to its first blank line.
func firstParagraph(text string) string {
	if i := strings.Index(text, "\n\n"); i >= 0 {
		return text[:i]
	}
	return text
}

// findCommand reads a slash command from the first paragraph, as the
// router reads it.
func (a *Adapter) findCommand(text string) (command, bool) {
	line := strings.TrimSpace(firstParagraph(text))
	m, ok := a.router.Match(line)
	if !ok {
		return command{}, false
	}
	return command{line: line, spec: m.Spec, args: m.Args, rest: m.Rest}, true
}

// run decides what the message is and acts; it returns the folder
// ("" for the processed one) and how it was dealt with.
func (h *handling) run() (string, string) {
	id := SubjectID(h.m.Subject)
	cmd, isCmd := h.a.findCommand(h.text)
	dec, rest := FindDecision(h.text)
	switch {
	case isCmd && cmd.spec != nil && (cmd.spec.Name() == "approve" || cmd.spec.Name() == "reject"):
		d := Approve
		if cmd.spec.Name() == "reject" {
			d = Reject
		}
		h.decide(d, cmd.arg(0), cmd.restFrom(1))
		return "", kindHandled
	case !isCmd && dec != NoDecision:
		if id == "" {
			id = SubjectID(rest)
		}
		h.decide(dec, id, rest)
		return "", kindHandled
	case isCmd:
		if cmd.spec != nil && len(cmd.spec.Roles) > 0 && h.auth != AuthPass {
			h.log.Warn("mailbox: a privileged command from an unproven sender refused", "command", cmd.spec.Name(), "auth", h.auth)
			h.b.say(bot.KindError, h.tr("mail.command_unverified", bot.Args{"Command": bot.Prefix + " " + cmd.spec.Name()}))
			return "", kindHandled
		}
		return h.route(cmd.line)
	case id != "":
		h.comment(id)
		return "", kindHandled
	}
	if h.text != "" {
		res := nlu.Parse(h.text, h.a.now())
		if res.Intent == nlu.IntentRequestApprove || res.Intent == nlu.IntentRequestReject {
			d := Approve
			if res.Intent == nlu.IntentRequestReject {
				d = Reject
			}
			h.decide(d, res.Slots[nlu.SlotID], h.text)
			return "", kindHandled
		}
	}
	return h.route(h.text)
}

// decide approves or rejects a request by e-mail: only when the message
// passed DMARC; otherwise the text is kept as a comment and the approver
// is asked to decide in chat.
func (h *handling) decide(d Decision, id, reason string) {
	h.echo = false
	if id == "" {
		h.b.say(bot.KindError, h.tr("mail.decision_need_id", nil))
		return
	}
	if h.auth != AuthPass {
		h.log.Warn("mailbox: a decision by e-mail not taken: the sender is not proven (DMARC)", "request", id, "auth", h.auth)
		note := h.tr("mail.decision_note", nil) + "\n" + h.text
		if _, err := h.a.bot.Comment(h.ctx, h.actor(), id, note); err != nil {
			h.fail(err, "comment")
			return
		}
		nid, _ := bot.ParseID(id)
		h.b.say(bot.KindText, h.tr("mail.decision_unverified", bot.Args{"ID": nid, "Prefix": bot.Prefix}))
		return
	}
	switch d {
	case Approve:
		r, err := h.a.bot.Approve(h.ctx, h.actor(), id)
		if err != nil {
			h.fail(err, "approve")
			return
		}
		h.log.Info("mailbox: request approved by e-mail", "request", r.ID)
		h.b.Write(h.ctx, bot.Reply{Kind: bot.KindText, Text: h.tr("mail.approved", bot.Args{"ID": r.ID, "State": r.State.Label(h.lang())}), Request: r})
	case Reject:
		if strings.TrimSpace(reason) == "" {
			nid, _ := bot.ParseID(id)
			h.b.say(bot.KindError, h.tr("mail.reject_need_reason", bot.Args{"ID": nid}))
			return
		}
		r, err := h.a.bot.Reject(h.ctx, h.actor(), id, reason)
		if err != nil {
			h.fail(err, "reject")
			return
		}
		h.log.Info("mailbox: request rejected by e-mail", "request", r.ID)
		h.b.Write(h.ctx, bot.Reply{Kind: bot.KindText, Text: h.tr("mail.rejected", bot.Args{"ID": r.ID}), Request: r})
	}
}

// attachmentsNote lists the attachments (inline images left out).
func attachmentsNote(atts []attachment) string {
	var parts []string
	for _, a := range atts {
		if a.Inline {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", a.Name, humanSize(a.Size)))
	}
	if len(parts) == 0 {
		return ""
	}
	return "📎 " + strings.Join(parts, "; ")
}

func humanSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+512)>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// comment adds the text (and the attachment list) to a request.
func (h *handling) comment(id string) {
	h.echo = false
	note := h.text
	if an := attachmentsNote(h.atts); an != "" {
		note = strings.TrimSpace(note + "\n\n" + an)
	}
	if note == "" {
		h.log.Info("mailbox: a reply with nothing to add", "request", id)
		return
	}
	if _, err := h.a.bot.Comment(h.ctx, h.actor(), id, note); err != nil {
		h.fail(err, "comment")
		return
	}
	h.log.Info("mailbox: comment added by e-mail", "request", id)
}

// route hands text to the router as a message of this conversation; text
// the bot does not understand goes to review.
func (h *handling) route(text string) (string, string) {
	if strings.TrimSpace(text) == "" {
		text = BaseSubject(h.m.Subject) // the whole request in the subject
	}
	if strings.TrimSpace(text) == "" && len(h.atts) == 0 {
		return h.toReview("empty")
	}
	if strings.TrimSpace(text) == "" {
		return h.toReview("attachments only")
	}
	if h.routeP != h.p {
		h.log.Info("mailbox: sender not proven by DMARC; asking with an employee's rights", "auth", h.auth)
	}
	msg := &bot.Message{Platform: Platform, Channel: h.m.ConversationID, Thread: h.m.ConversationID, MessageID: h.m.ID,
		UserID: h.m.From, Person: h.routeP, Text: text, Source: bot.SourceEmail, Direct: true}
	if err := h.a.router.Route(h.ctx, h.b, msg); err != nil {
		h.log.Error("mailbox: routing failed", "err", err)
		return h.toReview("routing failed")
	}
	// A mail is a deliberate request: the conversational path's "shall I
	// make it?" is answered at once, and the answer shows what was made.
	// Never for a decision (those carry the request they are about).
	for i := 0; i < 2; i++ {
		cmd := h.takeConfirm()
		if cmd == "" {
			break
		}
		next := *msg
		next.Text = cmd
		if err := h.a.router.Route(h.ctx, h.b, &next); err != nil {
			h.log.Error("mailbox: routing failed", "err", err)
			return h.toReview("routing failed")
		}
	}
	inR, inN := h.b.requests()
	if len(inR)+len(inN) == 0 && h.onlyHelp() && !bot.IsCommand(text) && nlu.Parse(text, h.a.now()).Intent != nlu.IntentHelp {
		return h.toReview("not understood")
	}
	if an := attachmentsNote(h.atts); an != "" {
		for _, r := range append(inR, inN...) {
			if r.Origin.Platform == Platform && r.Origin.MessageID == h.m.ID {
				if _, err := h.a.bot.Comment(h.ctx, bot.Actor{Person: h.routeP, Platform: Platform}, r.ID, an); err != nil {
					h.log.Warn("mailbox: listing the attachments failed", "request", r.ID, "err", err)
				}
				break
			}
		}
	}
	return "", kindHandled
}

// takeConfirm removes the conversational path's confirmation question
// for a new request from the answers and returns the command its "yes"
// button carries; "" if there is none.
func (h *handling) takeConfirm() string {
	h.b.mu.Lock()
	defer h.b.mu.Unlock()
	for i, r := range h.b.replies {
		if r.Request != nil {
			continue
		}
		for _, bt := range r.Buttons {
			if strings.HasPrefix(bt.Command, bot.Prefix+" confirm ") {
				h.b.replies = append(h.b.replies[:i:i], h.b.replies[i+1:]...)
				return bt.Command
			}
		}
	}
	return ""
}

// onlyHelp reports whether every answer was a help text (what the
// conversational path says to text it does not recognise).
func (h *handling) onlyHelp() bool {
	h.b.mu.Lock()
	defer h.b.mu.Unlock()
	for _, r := range h.b.replies {
		if r.Kind != bot.KindHelp {
			return false
		}
	}
	return true
}

// toReview sends the message to the review folder: the operators are
// told, the sender gets a short acknowledgement instead of the bot's
// answers.
func (h *handling) toReview(why string) (string, string) {
	h.log.Info("mailbox: sent to review", "reason", why, "subject", h.m.Subject)
	h.b.mu.Lock()
	h.b.replies, h.b.notices = nil, nil
	h.b.mu.Unlock()
	h.b.say(bot.KindText, h.tr("mail.review_ack", nil))
	h.a.alertOps(h.ctx, "review/"+h.m.InternetID, "mail.ops_review", bot.Args{"From": h.m.From, "Subject": h.m.Subject, "Folder": h.a.cfg.ReviewFolder})
	return h.a.cfg.ReviewFolder, kindReview
}

// reply queues what the handling said as one reply to the message, and
// each secret as a new mail of its own to the requester.
func (h *handling) reply() {
	parts, private, reqID := h.b.compose(h.echo)
	l := h.lang()
	subj := replySubject(h.m.Subject, reqID)
	footer := h.tr("mail.footer_plain", nil)
	if reqID != "" {
		footer = h.tr("mail.footer", bot.Args{"ID": reqID})
	}
	if len(parts) > 0 {
		if err := h.a.enqueue(h.ctx, outMail{ReplyTo: h.m.ID, To: h.m.From, Subject: subj, Parts: parts, Lang: l, Footer: footer, Request: reqID, Queued: h.a.now()}); err != nil {
			h.log.Error("mailbox: queue the reply", "err", err)
		}
	}
	for _, n := range private {
		to := h.m.From
		id := reqID
		if n.Request != nil {
			to, id = n.Request.Requester, n.Request.ID
		}
		// A secret is a new message (sendMail) to the requester alone,
		// never a reply: Graph addresses replies to the mail's Reply-To.
		o := outMail{To: to, Subject: replySubject(h.m.Subject, id), Parts: []bot.Reply{n.Reply}, Lang: n.Lang.OrDefault(),
			Footer: h.tr("mail.footer", bot.Args{"ID": id}), Private: true, Request: id, Queued: h.a.now()}
		if err := h.a.enqueue(h.ctx, o); err != nil {
			h.log.Error("mailbox: queue a private reply", "err", err)
		}
	}
}

func jsonBytes(v any) ([]byte, error) { return json.Marshal(v) }

func jsonInto(b []byte, v any) error { return json.Unmarshal(b, v) }
