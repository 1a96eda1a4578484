package mailbox_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"itbot/adapters/exchange/exchangetest"
	"itbot/adapters/mailbox"
	"itbot/bot"
)

// consults delivers n consultation mails from Anna, numbered.
func consults(w *world, n int) []exchangetest.MailMessage {
	var out []exchangetest.MailMessage
	for i := 1; i <= n; i++ {
		out = append(out, w.send(plain("anna.berzina@lgia.gov.lv", fmt.Sprintf("Jautājums %d", i), fmt.Sprintf("/it konsultācija Kā iestatīt parakstu Nr. %d?", i))))
	}
	return out
}

// exactlyOnce checks that each mail made one request and got one reply,
// and that nothing is left in the inbox.
func exactlyOnce(t *testing.T, w *world, mails []exchangetest.MailMessage) {
	t.Helper()
	rs := w.requests()
	if len(rs) != len(mails) {
		t.Fatalf("%d requests for %d mails", len(rs), len(mails))
	}
	byMsg := map[string]int{}
	for _, r := range rs {
		byMsg[r.Origin.MessageID]++
	}
	replies := map[string]int{}
	for _, m := range w.sent() {
		replies[m.InReplyTo]++
	}
	for _, m := range mails {
		if byMsg[m.ID] != 1 || replies[m.InternetMessageID] != 1 {
			t.Errorf("%s: %d requests, %d replies", m.Subject, byMsg[m.ID], replies[m.InternetMessageID])
		}
	}
	if n := len(w.folder("inbox")); n != 0 {
		t.Errorf("%d left in the inbox", n)
	}
	if n := len(w.folder("Apstrādāts")); n != len(mails) {
		t.Errorf("%d filed", n)
	}
}

// itbot stops in the middle of a page: the first message was handled but
// its filing failed (it is still in the inbox), and the network fails
// while the second is read. The restarted adapter reads the page again,
// skips the handled one (and files it), and loses nothing.
func TestRestartMidPage(t *testing.T) {
	w := newWorld(t, func(c *mailbox.Config) { c.PageSize = 3 })
	mails := consults(w, 7)
	first, second := url.PathEscape(mails[0].ID), url.PathEscape(mails[1].ID)
	w.tr.set(func(r *http.Request) error {
		switch {
		case r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/messages/"+first+"/move"),
			r.Method == "GET" && strings.HasSuffix(r.URL.Path, "/messages/"+second):
			return errors.New("connection reset by peer")
		}
		return nil
	})
	if _, err := w.A.Poll(context.Background()); err == nil {
		t.Fatal("the poll did not fail")
	}
	if n := len(w.requests()); n != 1 {
		t.Fatalf("%d requests before the stop", n)
	}
	if n := len(w.folder("inbox")); n != 7 {
		t.Fatalf("%d in the inbox before the restart", n)
	}
	w.tr.set(nil)
	w.start() // a new process over the same store
	st := w.poll()
	if st.Handled != 6 || st.Duplicates != 1 {
		t.Fatalf("stats after the restart %+v", st)
	}
	exactlyOnce(t, w, mails)
}

// itbot stops between pages: the restart continues with the next page
// (the stored @odata.nextLink), not from the start.
func TestRestartBetweenPages(t *testing.T) {
	w := newWorld(t, func(c *mailbox.Config) { c.PageSize = 2 })
	mails := consults(w, 5)
	w.tr.set(func(r *http.Request) error {
		if strings.Contains(r.URL.RawQuery, "skiptoken") {
			return errors.New("connection reset by peer")
		}
		return nil
	})
	if _, err := w.A.Poll(context.Background()); err == nil {
		t.Fatal("the poll did not fail")
	}
	if n := len(w.requests()); n != 2 {
		t.Fatalf("%d requests after the first page", n)
	}
	w.tr.set(nil)
	w.start()
	w.Srv.Reset()
	st := w.poll()
	if st.Handled != 3 || st.Duplicates != 0 {
		t.Fatalf("stats after the restart %+v", st)
	}
	var first string
	for _, r := range w.Srv.Requests() {
		if strings.Contains(r.Path, "/messages/delta") {
			first = r.Query
			break
		}
	}
	if !strings.Contains(first, "skiptoken") {
		t.Fatalf("the restart began a new round: %q", first)
	}
	exactlyOnce(t, w, mails)
}

// A stop between marking a message and finishing it (the process was
// killed while it acted): after the restart the message goes to review
// and the operators are told — neither lost nor handled twice.
func TestInterruptedMessageGoesToReview(t *testing.T) {
	w := newWorld(t)
	m := consults(w, 1)[0]
	if err := w.Store.Put(context.Background(), "mailbox.seen", m.InternetMessageID, []byte(`{"state":"started","id":"`+m.ID+`"}`)); err != nil {
		t.Fatal(err)
	}
	st := w.poll()
	if st.Review != 1 || len(w.requests()) != 0 || len(w.sent()) != 0 {
		t.Fatalf("stats %+v, %d requests, %d sent", st, len(w.requests()), len(w.sent()))
	}
	if len(w.folder("Jāpārskata")) != 1 {
		t.Fatal("not in review")
	}
	contains(t, "ops", strings.Join(w.opsNotices(), "\n"), "pārtraukta", "Jautājums 1")
}

// 429 with Retry-After is waited out as the server says, on reads and on
// replies; beyond MaxWait the poll fails and the next one goes on without
// loss or repetition.
func TestThrottlingWaitedOut(t *testing.T) {
	w := newWorld(t)
	mails := consults(w, 2)
	w.Srv.Throttle("messages/delta", 2, 7*time.Second)
	w.Srv.Throttle("/createReply", 1, 3*time.Second)
	st := w.poll()
	if st.Handled != 2 || st.Sent != 2 {
		t.Fatalf("stats %+v", st)
	}
	if got := w.sleeps(); fmt.Sprint(got) != "[7s 7s 3s]" {
		t.Fatalf("waits %v", got)
	}
	exactlyOnce(t, w, mails)

	// Beyond MaxWait (30s here): the poll gives up, the next one works.
	more := consults(w, 1)
	w.Srv.Throttle("messages/delta", 3, 20*time.Second)
	if _, err := w.A.Poll(context.Background()); err == nil || !strings.Contains(err.Error(), "429") {
		t.Fatalf("poll: %v", err)
	}
	w.poll()
	exactlyOnce(t, w, append(mails, more...))
	if n := w.Srv.Count("ApplicationThrottled"); n != 0 {
		t.Fatalf("%d over the concurrency limit", n)
	}
}

// Graph calls to the mailbox never overlap, however many goroutines post
// notices, send and poll at once (Outlook allows four per mailbox).
func TestCallsSerialised(t *testing.T) {
	w := newWorld(t)
	w.Tenant.SetMailLatency(3 * time.Millisecond)
	consults(w, 4)
	w.poll()
	rs := w.requests()
	consults(w, 4)
	var wg sync.WaitGroup
	ctx := context.Background()
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, r := range rs {
				w.Bot.Comment(ctx, bot.Actor{Person: w.Person("kristaps.lapsa@vraa.gov.lv"), Platform: "test"}, r.ID, fmt.Sprintf("Operators: skatos %d", i))
			}
			w.A.Flush(ctx)
		}()
	}
	wg.Add(1)
	go func() { defer wg.Done(); w.A.Poll(ctx) }()
	wg.Wait()
	w.poll()
	if got := w.Tenant.MaxMailConcurrency(itBox); got != 1 {
		t.Fatalf("%d calls at once", got)
	}
	if n := len(w.requests()); n != 8 {
		t.Fatalf("%d requests", n)
	}
}

// An expired delta link (410 Gone) starts a new round from the last one's
// time; the marks keep handled mail from repeating.
func TestExpiredDeltaLink(t *testing.T) {
	w := newWorld(t)
	mails := consults(w, 2)
	w.poll()
	w.Tenant.ExpireDeltaLinks(itBox)
	// An operator moves a handled mail back to the inbox meanwhile.
	done := w.folder("Apstrādāts")[0]
	back := done
	back.ID, back.Folder = "", ""
	w.send(back)
	mails = append(mails, consults(w, 1)...)
	st := w.poll()
	if st.Handled != 1 || st.Duplicates != 1 {
		t.Fatalf("stats %+v", st)
	}
	if n := len(w.requests()); n != 3 {
		t.Fatalf("%d requests", n)
	}
}

// The first poll reads only mail from InitialBacklog back; older mail is
// left alone.
func TestInitialBacklog(t *testing.T) {
	w := newWorld(t)
	old := plain("anna.berzina@lgia.gov.lv", "Vecs", "/it konsultācija Vecs jautājums?")
	old.Received = w.Clock.Now().Add(-72 * time.Hour)
	w.send(old)
	consults(w, 1)
	st := w.poll()
	if st.Seen != 1 || len(w.requests()) != 1 {
		t.Fatalf("stats %+v", st)
	}
	if in := w.folder("inbox"); len(in) != 1 || in[0].Subject != "Vecs" || in[0].IsRead {
		t.Fatalf("inbox %+v", in)
	}
}

// At most RepliesPerHour mails go to one address in an hour; the
// operators are told once; the hour after, mail goes again.
func TestRepliesPerHourLimit(t *testing.T) {
	w := newWorld(t, func(c *mailbox.Config) { c.RepliesPerHour = 2 })
	consults(w, 4)
	st := w.poll()
	if st.Handled != 4 || st.Sent != 2 {
		t.Fatalf("stats %+v", st)
	}
	if n := len(w.requests()); n != 4 {
		t.Fatalf("%d requests", n)
	}
	var ops []string
	for _, o := range w.opsNotices() {
		if strings.Contains(o, "⚠") {
			ops = append(ops, o)
		}
	}
	if len(ops) != 1 {
		t.Fatalf("ops %q", ops)
	}
	contains(t, "ops", ops[0], "anna.berzina@lgia.gov.lv", "2 vēstules")
	w.Clock.Advance(61 * time.Minute)
	consults(w, 1)
	if st := w.poll(); st.Sent != 1 {
		t.Fatalf("after an hour %+v", st)
	}
}

// A reply whose original an operator deleted goes out as a new message.
func TestReplyToDeletedMessage(t *testing.T) {
	w := newWorld(t)
	in := w.deliver("en_shared_plain.eml")
	w.poll()
	r := w.requests()[0]
	if !w.Tenant.DeleteMessage(itBox, in.ID) {
		t.Fatal("not deleted")
	}
	w.Say("ilze.liepa@lgia.gov.lv", "/it approve "+r.ID)
	if _, err := w.A.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := w.sentTo("janis.ozols@lgia.gov.lv")
	if len(got) != 2 {
		t.Fatalf("%d mails", len(got))
	}
	if !strings.HasPrefix(got[1].Subject, "RE: ["+r.ID+"]") || got[1].InReplyTo != "" {
		t.Fatalf("subject %q, in reply to %q", got[1].Subject, got[1].InReplyTo)
	}
	if w.Srv.Count("/createReply") != 2 || w.Srv.Count("/sendMail") != 1 {
		t.Fatalf("%d replies, %d new", w.Srv.Count("/createReply"), w.Srv.Count("/sendMail"))
	}
}

// Marks, conversation records and send counts are forgotten after their
// time, once a day.
func TestPrune(t *testing.T) {
	w := newWorld(t)
	consults(w, 2)
	w.poll()
	count := func(bucket string) int {
		n := 0
		w.Store.Scan(context.Background(), bucket, "", "", func(string, []byte) error { n++; return nil })
		return n
	}
	if count("mailbox.seen") != 2 || count("mailbox.conv") != 2 || count("mailbox.rate") != 1 {
		t.Fatalf("seen %d, conv %d, rate %d", count("mailbox.seen"), count("mailbox.conv"), count("mailbox.rate"))
	}
	w.Clock.Advance(91 * 24 * time.Hour)
	w.poll()
	if count("mailbox.seen") != 0 || count("mailbox.conv") != 0 || count("mailbox.rate") != 0 {
		t.Fatalf("after 91 days: seen %d, conv %d, rate %d", count("mailbox.seen"), count("mailbox.conv"), count("mailbox.rate"))
	}
}

// A reply whose send Graph carried out but whose answer was lost (503)
// goes once: the send is not repeated blindly, the draft is read, and as
// it was sent the outbox is done with it.
func TestReplySendAnswerLostGoesOnce(t *testing.T) {
	w := newWorld(t)
	mails := consults(w, 1)
	w.Srv.UnavailableAfter("/send", 1, 0)
	if st := w.poll(); st.Sent != 1 {
		t.Fatalf("%+v", st)
	}
	if n, err := w.A.Flush(context.Background()); err != nil || n != 0 {
		t.Fatalf("flush: %d %v", n, err)
	}
	if got := w.sentTo("anna.berzina@lgia.gov.lv"); len(got) != 1 {
		t.Fatalf("%d mails to the sender, want 1", len(got))
	}
	if n := w.Srv.Count("/send"); n != 1 {
		t.Fatalf("send posted %d times", n)
	}
	exactlyOnce(t, w, mails)
}

// A send Graph did not carry out (503 before it acted) leaves the draft:
// it is deleted and the mail stays queued, to go once at the next flush.
func TestReplySendUnavailableRetriedOnce(t *testing.T) {
	w := newWorld(t)
	consults(w, 1)
	w.Srv.Unavailable("/send", 2, 0) // the poll tries twice
	if st, err := w.A.Poll(context.Background()); st.Sent != 0 || err == nil {
		t.Fatalf("%+v %v", st, err)
	}
	if n := w.Srv.Count("/send"); n != 2 {
		t.Fatalf("send posted %d times, want once per attempt", n)
	}
	if n := len(w.folder(exchangetest.FolderDrafts)); n != 0 {
		t.Fatalf("%d drafts left", n)
	}
	if n, err := w.A.Flush(context.Background()); err != nil || n != 1 {
		t.Fatalf("flush: %d %v", n, err)
	}
	if got := w.sentTo("anna.berzina@lgia.gov.lv"); len(got) != 1 {
		t.Fatalf("%d mails to the sender, want 1", len(got))
	}
}
