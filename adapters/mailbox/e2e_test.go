package mailbox_test

import (
	"context"
	"strings"
	"testing"

	"itbot/adapters/exchange/exchangetest"
	"itbot/bot"
)

// A mail from an institution's IT contact becomes a request, executed at
// once; the answer is one reply in the same conversation with the id in
// the subject, what was understood, and the state; the mail is marked
// read and moved to "Apstrādāts".
func TestNewRequestFromMail(t *testing.T) {
	w := newWorld(t)
	in := w.deliver("lv_licence_outlook.eml")
	st := w.poll()
	if st.Seen != 1 || st.Handled != 1 || st.Sent != 1 {
		t.Fatalf("stats %+v", st)
	}
	rs := w.requests()
	if len(rs) != 1 {
		t.Fatalf("%d requests", len(rs))
	}
	r := rs[0]
	if r.Type != bot.TypeLicenceAssign || r.Params.User != "janis.ozols@lgia.gov.lv" || r.Params.SKU != "E3" || r.Requester != "ilze.liepa@lgia.gov.lv" {
		t.Fatalf("request %+v", r)
	}
	if r.Origin.Platform != "mailbox" || r.Origin.Channel != in.ConversationID || r.Origin.Thread != in.ConversationID || r.Origin.MessageID != in.ID {
		t.Fatalf("origin %+v, message %s in %s", r.Origin, in.ID, in.ConversationID)
	}
	if r.State != bot.StateDone {
		t.Fatalf("state %s", r.State)
	}
	sent := w.sent()
	if len(sent) != 1 {
		t.Fatalf("%d sent", len(sent))
	}
	rep := sent[0]
	if rep.ConversationID != in.ConversationID || rep.InReplyTo != in.InternetMessageID {
		t.Errorf("reply not in the thread: %+v", rep)
	}
	if len(rep.To) != 1 || rep.To[0].Address != "ilze.liepa@lgia.gov.lv" {
		t.Errorf("to %+v", rep.To)
	}
	if rep.Subject != "RE: ["+r.ID+"] Licences piešķiršana" {
		t.Errorf("subject %q", rep.Subject)
	}
	contains(t, "reply", text(rep), r.ID, "janis.ozols@lgia.gov.lv", "E3", "izpildīts")
	var suppress bool
	for _, h := range rep.Headers {
		if h.Name == "X-Auto-Response-Suppress" && h.Value == "All" {
			suppress = true
		}
	}
	if !suppress {
		t.Errorf("the reply does not ask for no automatic answers: %+v", rep.Headers)
	}
	if got := w.folder("inbox"); len(got) != 0 {
		t.Errorf("inbox still has %d", len(got))
	}
	done := w.folder("Apstrādāts")
	if len(done) != 1 || !done[0].IsRead || done[0].ID != in.ID {
		t.Fatalf("processed folder %+v", done)
	}
	// A second poll finds nothing new (the move and the read mark come
	// back as changes and are skipped).
	if st := w.poll(); st.Handled != 0 || st.Sent != 0 {
		t.Fatalf("second poll %+v", st)
	}
}

// An employee's mail in English needs approval: the English answer says
// so, and the approval later arrives as a reply in the same thread.
func TestEnglishRequestAndLaterUpdates(t *testing.T) {
	w := newWorld(t)
	in := w.deliver("en_shared_plain.eml")
	w.poll()
	rs := w.requests()
	if len(rs) != 1 || rs[0].Type != bot.TypeSharedCreate || rs[0].State != bot.StateAwaitingApproval {
		t.Fatalf("requests %+v", rs)
	}
	r := rs[0]
	first := w.sentTo("janis.ozols@lgia.gov.lv")
	if len(first) != 1 {
		t.Fatalf("%d replies", len(first))
	}
	contains(t, "answer", text(first[0]), r.ID, "lietvediba2@lgia.gov.lv", "approv")
	if strings.Contains(text(first[0]), "Regards") || strings.Contains(text(first[0]), "iPhone") {
		t.Errorf("the answer echoes the signature:\n%s", text(first[0]))
	}
	// The IT contact approves in chat: the requester hears it by mail, in
	// English, in the same conversation.
	w.Say("ilze.liepa@lgia.gov.lv", "/it approve "+r.ID)
	if _, err := w.A.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	later := w.sentTo("janis.ozols@lgia.gov.lv")[1:]
	if len(later) != 1 {
		t.Fatalf("%d update mails; want the updates of one action in one", len(later))
	}
	for _, m := range later {
		if m.ConversationID != in.ConversationID || !strings.HasPrefix(m.Subject, "RE: ["+r.ID+"]") {
			t.Errorf("update outside the thread: %q %s", m.Subject, m.ConversationID)
		}
	}
	all := ""
	for _, m := range later {
		all += text(m) + "\n"
	}
	contains(t, "updates", all, "Approved by ilze.liepa@lgia.gov.lv", "done", "lietvediba2@lgia.gov.lv")
	if strings.Contains(all, "apstiprin") {
		t.Errorf("updates not in the requester's language:\n%s", all)
	}
}

// An unknown sender of a known institution's domain becomes that
// institution's employee; a question becomes a consultation.
func TestNewSenderOfKnownInstitution(t *testing.T) {
	w := newWorld(t)
	w.deliver("lv_consult_newsender.eml")
	w.poll()
	p, err := w.Store.Person(context.Background(), "liga.berza@lgia.gov.lv")
	if err != nil {
		t.Fatal(err)
	}
	if p.Institution != "LGIA" || len(p.Roles) != 1 || p.Roles[0] != bot.RoleEmployee || p.Name != "Līga Bērza" || p.Language() != bot.LV {
		t.Fatalf("person %+v", p)
	}
	rs := w.requests()
	if len(rs) != 1 || rs[0].Type != bot.TypeConsult || !strings.Contains(rs[0].Params.Text, "automātisko atbildi") {
		t.Fatalf("requests %+v", rs)
	}
	if strings.Contains(rs[0].Params.Text, "<") {
		t.Errorf("HTML left in %q", rs[0].Params.Text)
	}
	if len(w.sentTo("liga.berza@lgia.gov.lv")) != 1 {
		t.Fatal("no answer")
	}
}

// A sender of any other domain gets one polite answer in Latvian and
// English, however often they write; nothing is made.
func TestUnknownDomainAnsweredOnce(t *testing.T) {
	w := newWorld(t)
	w.deliver("en_unknown_domain.eml")
	w.poll()
	w.deliver("en_unknown_domain.eml", "CA+john-0001", "CA+john-0002")
	w.poll()
	got := w.sentTo("john.smith@example.com")
	if len(got) != 1 {
		t.Fatalf("%d answers", len(got))
	}
	contains(t, "refusal", text(got[0]), "VARAM", "john.smith@example.com", "only once", "tikai vienreiz")
	if len(w.requests()) != 0 {
		t.Fatal("a request was made")
	}
	if _, err := w.Store.Person(context.Background(), "john.smith@example.com"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("person: %v", err)
	}
	if n := len(w.folder("Apstrādāts")); n != 2 {
		t.Fatalf("%d filed", n)
	}
}

// Automatic replies, out-of-office answers, bounces and the bot's own
// mail are filed without an answer.
func TestNoiseIgnored(t *testing.T) {
	for _, tc := range []struct {
		name string
		mail func(w *world)
	}{
		{"auto-submitted, Latvian subject", func(w *world) { w.deliver("lv_autoreply.eml") }},
		{"out of office, English subject", func(w *world) { w.deliver("en_out_of_office.eml") }},
		{"bounce", func(w *world) { w.deliver("en_bounce.eml") }},
		{"own message", func(w *world) {
			w.send(plain(itBox, "RE: [IT-2026-000001] Licence", "Pieteikums IT-2026-000001 izpildīts."))
		}},
		{"no-reply sender", func(w *world) {
			w.send(plain("no-reply@lgia.gov.lv", "Paziņojums", "Jūsu parole drīz beigsies."))
		}},
		{"mailing list", func(w *world) {
			m := plain("anna.berzina@lgia.gov.lv", "Jaunumi", "Šīs nedēļas jaunumi.")
			m.Headers = append(m.Headers, exchangetest.Header{Name: "List-Id", Value: "<jaunumi.lgia.gov.lv>"})
			w.send(m)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			tc.mail(w)
			st := w.poll()
			if st.Ignored != 1 || st.Sent != 0 {
				t.Fatalf("stats %+v", st)
			}
			if len(w.sent()) != 0 || len(w.requests()) != 0 {
				t.Fatalf("answered or acted: %d sent, %d requests", len(w.sent()), len(w.requests()))
			}
			if f := w.folder("Apstrādāts"); len(f) != 1 || !f[0].IsRead {
				t.Fatalf("not filed: %+v", f)
			}
		})
	}
}

// The same message arriving twice (two copies with one internetMessageId)
// is handled once.
func TestDuplicateHandledOnce(t *testing.T) {
	w := newWorld(t)
	w.deliver("lv_licence_outlook.eml")
	w.deliver("lv_licence_outlook.eml")
	st := w.poll()
	if st.Handled != 1 || st.Duplicates != 1 {
		t.Fatalf("stats %+v", st)
	}
	if len(w.requests()) != 1 || len(w.sent()) != 1 {
		t.Fatalf("%d requests, %d sent", len(w.requests()), len(w.sent()))
	}
}

// Text the bot cannot understand goes to "Jāpārskata": the operators are
// alerted and the sender told a person will answer.
func TestNotUnderstoodGoesToReview(t *testing.T) {
	w := newWorld(t)
	w.deliver("lv_unclear.eml")
	st := w.poll()
	if st.Review != 1 {
		t.Fatalf("stats %+v", st)
	}
	if len(w.folder("Jāpārskata")) != 1 || len(w.folder("Apstrādāts")) != 0 {
		t.Fatal("not in review")
	}
	ops := w.opsNotices()
	if len(ops) != 1 {
		t.Fatalf("ops %q", ops)
	}
	contains(t, "ops alert", ops[0], "anna.berzina@lgia.gov.lv", "Jautājums", "Jāpārskata")
	got := w.sentTo("anna.berzina@lgia.gov.lv")
	if len(got) != 1 {
		t.Fatalf("%d answers", len(got))
	}
	contains(t, "ack", text(got[0]), "IT dienesta darbinieks")
	if len(w.requests()) != 0 {
		t.Fatal("a request was made")
	}
}

// A mail with the whole request in its subject and an empty body.
func TestRequestInSubject(t *testing.T) {
	w := newWorld(t)
	w.send(plain("ilze.liepa@lgia.gov.lv", "Lūdzu piešķiriet licenci E1 lietotājam janis.ozols@lgia.gov.lv", ""))
	w.poll()
	rs := w.requests()
	if len(rs) != 1 || rs[0].Type != bot.TypeLicenceAssign || rs[0].Params.SKU != "E1" {
		t.Fatalf("requests %+v", rs)
	}
}
