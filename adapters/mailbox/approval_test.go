package mailbox_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"itbot/adapters/exchange/exchangetest"
	"itbot/adapters/mailbox"
	"itbot/bot"
)

// awaiting makes request IT-2026-000001 by Jānis's mail (an employee's
// shared mailbox, waiting for approval) with Ilze (LGIA's IT contact)
// reachable by mail, and returns it.
func awaiting(t *testing.T, edit ...func(*mailbox.Config)) (*world, *bot.Request, exchangetest.MailMessage) {
	t.Helper()
	w := newWorld(t, edit...)
	ilze := w.Person("ilze.liepa@lgia.gov.lv")
	ilze.Identities = map[string]string{"mailbox": "ilze.liepa@lgia.gov.lv"}
	if err := w.Store.PutPerson(context.Background(), ilze); err != nil {
		t.Fatal(err)
	}
	in := w.deliver("en_shared_plain.eml")
	w.poll()
	rs := w.requests()
	if len(rs) != 1 || rs[0].ID != "IT-2026-000001" || rs[0].State != bot.StateAwaitingApproval {
		t.Fatalf("requests %+v", rs)
	}
	return w, rs[0], in
}

// The approver hears of the request by mail and approves by answering
// APSTIPRINU from a message that passed DMARC; the requester's thread is
// told.
func TestApprovalByMail(t *testing.T) {
	w, r, in := awaiting(t)
	asked := w.sentTo("ilze.liepa@lgia.gov.lv")
	if len(asked) != 1 {
		t.Fatalf("%d mails to the approver", len(asked))
	}
	if !strings.HasPrefix(asked[0].Subject, "["+r.ID+"] ") {
		t.Errorf("subject %q", asked[0].Subject)
	}
	contains(t, "approval request", text(asked[0]), "APSTIPRINU", "NORAIDU", "lietvediba2@lgia.gov.lv", "janis.ozols@lgia.gov.lv")

	w.deliver("lv_approve_reply.eml")
	w.poll()
	got := w.Request(r.ID)
	if got.State != bot.StateDone || got.ApprovedBy != "ilze.liepa@lgia.gov.lv" {
		t.Fatalf("state %s approved by %q", got.State, got.ApprovedBy)
	}
	toIlze := w.sentTo("ilze.liepa@lgia.gov.lv")
	if len(toIlze) != 2 {
		t.Fatalf("%d mails to the approver", len(toIlze))
	}
	contains(t, "approver's answer", text(toIlze[1]), r.ID, "apstiprināts")
	toJanis := w.sentTo("janis.ozols@lgia.gov.lv")
	if len(toJanis) != 2 {
		t.Fatalf("%d mails to the requester", len(toJanis))
	}
	if toJanis[1].ConversationID != in.ConversationID {
		t.Error("the update is not in the requester's thread")
	}
	contains(t, "requester's update", text(toJanis[1]), "Approved by ilze.liepa@lgia.gov.lv", "done")
}

// A decision by e-mail without a DMARC pass is not taken: it is kept as a
// comment and the approver is asked to decide in chat. A forged From line
// (DMARC failed at the top, a forged "pass" lower down) is not acted on at
// all and the operators are told.
func TestApprovalNeedsDMARC(t *testing.T) {
	for _, tc := range []struct {
		name     string
		trust    bool
		mail     func(w *world)
		state    bot.State
		comment  bool   // a comment was recorded
		answer   string // in the answer to Ilze ("" none)
		who      string // the answer's recipient, if not Ilze
		review   bool
		opsAlert string
	}{
		{name: "no verdict", mail: func(w *world) { w.deliver("en_approve_unverified.eml") },
			state: bot.StateAwaitingApproval, comment: true, answer: "/it apstiprināt IT-2026-000001"},
		{name: "internal, trusted", trust: true, mail: func(w *world) { w.deliver("en_approve_unverified.eml") }, state: bot.StateDone},
		{name: "forged", mail: func(w *world) { w.deliver("lv_approve_forged.eml") },
			state: bot.StateAwaitingApproval, review: true, opsAlert: "DMARC"},
		{name: "command without verdict", mail: func(w *world) {
			m := plain("ilze.liepa@lgia.gov.lv", "Apstiprinājums", "/it approve IT-2026-000001")
			m.Headers = nil
			w.send(m)
		}, state: bot.StateAwaitingApproval, comment: true, answer: "DMARC"},
		{name: "sentence without verdict", mail: func(w *world) {
			m := plain("ilze.liepa@lgia.gov.lv", "Pieteikums", "Lūdzu apstipriniet pieteikumu IT-2026-000001, es piekrītu.")
			m.Headers = nil
			w.send(m)
		}, state: bot.StateAwaitingApproval, comment: true, answer: "DMARC"},
		{name: "command with DMARC", mail: func(w *world) {
			w.send(plain("ilze.liepa@lgia.gov.lv", "Apstiprinājums", "/it approve IT-2026-000001"))
		}, state: bot.StateDone, answer: "apstiprināts"},
		{name: "employee may not approve", mail: func(w *world) {
			w.send(plain("anna.berzina@lgia.gov.lv", "RE: [IT-2026-000001] Shared mailbox", "APSTIPRINU"))
		}, state: bot.StateAwaitingApproval, who: "anna.berzina@lgia.gov.lv", answer: "nav atrasts"},
		{name: "reject with reason", mail: func(w *world) {
			w.send(plain("ilze.liepa@lgia.gov.lv", "RE: [IT-2026-000001] Shared mailbox", "NORAIDU — lietvedībai jau ir pastkaste."))
		}, state: bot.StateRejected, answer: "noraidīts"},
		{name: "reject needs a reason", mail: func(w *world) {
			w.send(plain("ilze.liepa@lgia.gov.lv", "RE: [IT-2026-000001] Shared mailbox", "NORAIDU"))
		}, state: bot.StateAwaitingApproval, answer: "iemeslu"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, r, _ := awaiting(t, func(c *mailbox.Config) { c.TrustInternal = tc.trust })
			before := len(w.events(r.ID))
			tc.mail(w)
			w.poll()
			got := w.Request(r.ID)
			if got.State != tc.state {
				t.Fatalf("state %s, want %s", got.State, tc.state)
			}
			comments := 0
			for _, ev := range w.events(r.ID)[before:] {
				if ev.Kind == bot.EventComment {
					comments++
					if !strings.Contains(ev.Note, "DMARC") {
						t.Errorf("the comment does not say the decision was not taken: %q", ev.Note)
					}
				}
			}
			if (comments > 0) != tc.comment {
				t.Errorf("%d comments", comments)
			}
			answers := w.sentTo("ilze.liepa@lgia.gov.lv")[1:] // [0] asked her to approve
			if tc.who != "" {
				answers = w.sentTo(tc.who)
			}
			switch {
			case tc.answer == "" && tc.state != bot.StateAwaitingApproval:
			case tc.answer == "" && !tc.review:
				if len(answers) != 1 {
					t.Fatalf("%d answers to the approver", len(answers))
				}
			case tc.review:
				if len(answers) != 0 {
					t.Fatalf("a forged mail was answered: %q", text(answers[0]))
				}
			default:
				if len(answers) != 1 {
					t.Fatalf("%d answers to the approver", len(answers))
				}
				contains(t, "answer", text(answers[0]), tc.answer)
			}
			if tc.review != (len(w.folder("Jāpārskata")) == 1) {
				t.Errorf("review folder: %d", len(w.folder("Jāpārskata")))
			}
			if tc.opsAlert != "" {
				ops := strings.Join(w.opsNotices(), "\n")
				contains(t, "ops", ops, tc.opsAlert, "ilze.liepa@lgia.gov.lv")
			}
		})
	}
}

// An IT contact's own request is pre-approved only when the mail is
// proven; an unproven one waits for someone else's approval.
func TestUnprovenSenderActsAsEmployee(t *testing.T) {
	w := newWorld(t)
	m := plain("ilze.liepa@lgia.gov.lv", "Licence", "/it licence assign janis.ozols@lgia.gov.lv E1")
	m.Headers = nil
	w.send(m)
	w.poll()
	rs := w.requests()
	if len(rs) != 1 || rs[0].State != bot.StateAwaitingApproval {
		t.Fatalf("requests %+v", rs)
	}
	if p := w.Person("ilze.liepa@lgia.gov.lv"); !p.Has(bot.RoleITContact) {
		t.Fatal("the stored person lost a role")
	}
}

// A reply whose subject carries the id is a comment (quoted history cut,
// attachments listed); it is not echoed to its writer, but the request's
// thread hears of a comment from someone else; a person who may not see
// the request is told it was not found.
func TestCommentByID(t *testing.T) {
	w, r, in := awaiting(t)
	w.deliver("en_comment_reply_html.eml")
	w.poll()
	var notes []string
	for _, ev := range w.events(r.ID) {
		if ev.Kind == bot.EventComment {
			notes = append(notes, ev.Note)
		}
	}
	if len(notes) != 1 || notes[0] != "Please also give Anna Berzina full access to it.\n\nThanks,\nJanis" {
		t.Fatalf("comments %q", notes)
	}
	if n := len(w.sentTo("janis.ozols@lgia.gov.lv")); n != 1 {
		t.Fatalf("the writer got %d mails; want only the first answer", n)
	}
	contains(t, "ops", strings.Join(w.opsNotices(), "\n"), "Please also give Anna")

	// Ilze writes a new mail about the request: Jānis's thread hears it.
	w.send(plain("ilze.liepa@lgia.gov.lv", "["+r.ID+"] papildinājums", "Pastkastei vajag arī Jāni kā dalībnieku."))
	w.poll()
	toJanis := w.sentTo("janis.ozols@lgia.gov.lv")
	if len(toJanis) != 2 || toJanis[1].ConversationID != in.ConversationID {
		t.Fatalf("the requester's thread was not told: %d", len(toJanis))
	}
	contains(t, "thread", text(toJanis[1]), "Pastkastei vajag arī Jāni")

	// An attachment is listed, not downloaded.
	w.deliver("lv_attachment_comment.eml")
	w.poll()
	evs := w.events(r.ID)
	last := evs[len(evs)-1]
	contains(t, "attachments", last.Note, "Pielikumā kļūdas ekrānuzņēmums", "📎 kluda.png (70 B); lietotāji.csv (43 B)")

	// VVD may not see LGIA's request.
	before := len(w.events(r.ID))
	w.send(plain("maris.egle@vvd.gov.lv", "RE: ["+r.ID+"] x", "Vai drīkstu pievienoties?"))
	w.poll()
	if len(w.events(r.ID)) != before {
		t.Fatal("a comment from another institution was added")
	}
	ans := w.sentTo("maris.egle@vvd.gov.lv")
	if len(ans) != 1 {
		t.Fatalf("%d answers", len(ans))
	}
	contains(t, "not found", text(ans[0]), r.ID, "nav atrasts")
}

// A request made by mail whose action has a secret (a new mailbox's
// temporary password): the secret goes to the requester alone, even when
// the mail's Reply-To names a list, and is never logged.
func TestSecretOnlyToRequester(t *testing.T) {
	w := newWorld(t)
	m := plain("ilze.liepa@lgia.gov.lv", "Jauna pastkaste", "/it mailbox create personal liene.kalna@lgia.gov.lv Liene Kalna")
	m.ReplyTo = []exchangetest.Addr{{Address: "it-grupa@lgia.gov.lv"}}
	w.send(m)
	w.poll()
	rs := w.requests()
	if len(rs) != 1 || rs[0].Type != bot.TypeMailboxCreate || rs[0].Outcome == nil {
		t.Fatalf("requests %+v", rs[0])
	}
	if n := len(w.sentTo("it-grupa@lgia.gov.lv")); n != 0 {
		t.Fatalf("%d mails to the Reply-To list", n)
	}
	toIlze := w.sentTo("ilze.liepa@lgia.gov.lv")
	if len(toIlze) != 2 {
		t.Fatalf("%d mails to the requester", len(toIlze))
	}
	var secret string
	for _, m := range toIlze {
		if f := reSecret.FindStringSubmatch(text(m)); f != nil {
			secret = f[1]
			if len(m.To) != 1 || m.To[0].Address != "ilze.liepa@lgia.gov.lv" {
				t.Fatalf("the secret went to %+v", m.To)
			}
		}
	}
	if secret == "" {
		t.Fatalf("no secret mailed:\n%s\n%s", text(toIlze[0]), text(toIlze[1]))
	}
	if strings.Contains(w.Log.String(), secret) {
		t.Fatal("the secret is in the log")
	}
	if n := w.Srv.Count("/sendMail"); n != 1 {
		t.Fatalf("the secret went by %d sendMail calls, not one new message", n)
	}
}

// A mail whose Reply-To names a third party: Graph's /reply would send
// the answer there too (it adds body recipients to the Reply-To); the
// answer goes to the sender alone, in the conversation, and leaves no
// draft behind.
func TestReplyNotDivertedByReplyTo(t *testing.T) {
	w := newWorld(t)
	m := plain("anna.berzina@lgia.gov.lv", "Jautājums", "/it konsultācija Kā iestatīt parakstu?")
	m.ReplyTo = []exchangetest.Addr{{Address: "outsider@example.com"}}
	in := w.send(m)
	if st := w.poll(); st.Sent != 1 {
		t.Fatalf("%+v", st)
	}
	sent := w.sent()
	if len(sent) != 1 || len(sent[0].To) != 1 || sent[0].To[0].Address != "anna.berzina@lgia.gov.lv" || len(sent[0].Cc) != 0 {
		t.Fatalf("sent %+v", sent)
	}
	if sent[0].InReplyTo != in.InternetMessageID || sent[0].ConversationID != in.ConversationID {
		t.Fatal("not in the conversation")
	}
	if n := len(w.folder(exchangetest.FolderDrafts)); n != 0 {
		t.Fatalf("%d drafts left", n)
	}
}

var reSecret = regexp.MustCompile(`(?:parole ir|password is) (\S+)`)

// An incomplete request by mail: the conversational path asks for what is
// missing, the answer in the same thread completes it.
func TestDialogueOverMail(t *testing.T) {
	w := newWorld(t)
	first := w.send(plain("anna.berzina@lgia.gov.lv", "Kopīgā pastkaste", "Labdien! Lūdzu izveidojiet kopīgo pastkasti mūsu lietvedībai."))
	w.poll()
	if len(w.requests()) != 0 {
		t.Fatal("made without the address")
	}
	q := w.sentTo("anna.berzina@lgia.gov.lv")
	if len(q) != 1 {
		t.Fatalf("%d answers", len(q))
	}
	answer := plain("anna.berzina@lgia.gov.lv", "RE: Kopīgā pastkaste", "lietvediba3@lgia.gov.lv\n\n"+
		"No: VRAA IT dienests <it@vraa.gov.lv>\nNosūtīts: pirmdiena\nTēma: RE: Kopīgā pastkaste\n\n"+text(q[0]))
	answer.InReplyTo = first.InternetMessageID
	w.send(answer)
	w.poll()
	rs := w.requests()
	if len(rs) != 1 || rs[0].Type != bot.TypeSharedCreate || rs[0].Params.Mailbox != "lietvediba3@lgia.gov.lv" {
		t.Fatalf("requests %+v", rs)
	}
	if rs[0].Origin.Channel != first.ConversationID {
		t.Error("the request's origin is not the thread")
	}
	got := w.sentTo("anna.berzina@lgia.gov.lv")
	if len(got) != 2 || !strings.HasPrefix(got[1].Subject, "RE: ["+rs[0].ID+"] Kopīgā pastkaste") {
		t.Fatalf("answers %d, subject %q", len(got), got[len(got)-1].Subject)
	}
}

// A Latvian mail in windows-1257 about the DVS becomes an incident.
func TestLegacyCharsetIncident(t *testing.T) {
	w := newWorld(t)
	w.deliver("lv_dvs_windows1257.eml")
	w.poll()
	rs := w.requests()
	if len(rs) != 1 || rs[0].Type != bot.TypeDVSIncident || !strings.Contains(rs[0].Params.Text, "kopš rīta neatveras") {
		t.Fatalf("requests %+v", rs)
	}
}
