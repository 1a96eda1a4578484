package mailbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"itbot/adapters/exchange"
	"itbot/adapters/mailbox"
	"itbot/bot"
)

// waitFor waits (up to a generous deadline, not a timing assertion) until
// cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Run reads the mailbox on its own and sends a notice queued from
// elsewhere (an approval in chat) without a poll.
func TestRun(t *testing.T) {
	w := newWorld(t, func(c *mailbox.Config) { c.PollInterval = time.Hour })
	w.deliver("en_shared_plain.eml")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.A.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the first answer", func() bool { return len(w.sentTo("janis.ozols@lgia.gov.lv")) == 1 })
	r := w.requests()[0]
	w.Say("ilze.liepa@lgia.gov.lv", "/it approve "+r.ID)
	waitFor(t, "the update", func() bool { return len(w.sentTo("janis.ozols@lgia.gov.lv")) == 2 })
}

// Check makes the folders and reports the position; Forget drops it and
// the next poll starts a new round without repeating anything.
func TestCheckAndForget(t *testing.T) {
	w := newWorld(t)
	res, err := w.A.Check(context.Background())
	if err != nil || res.Processed == "" || res.Review == "" || res.Link != "" || res.Mailbox != itBox {
		t.Fatalf("%+v %v", res, err)
	}
	consults(w, 1)
	w.poll()
	if res, _ = w.A.Check(context.Background()); res.Link == "" {
		t.Fatal("no position after a poll")
	}
	if err := w.A.Forget(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.Srv.Reset()
	consults(w, 1)
	st := w.poll()
	if st.Handled != 1 || len(w.requests()) != 2 {
		t.Fatalf("%+v", st)
	}
	first := ""
	for _, r := range w.Srv.Requests() {
		if strings.Contains(r.Path, "/delta") {
			first = r.Query
			break
		}
	}
	if !strings.Contains(first, "receivedDateTime") {
		t.Fatalf("not a new round: %q", first)
	}
	// A mailbox the app may not read: a clear error.
	w.Tenant.RestrictMailTo("someone.else@vraa.gov.lv")
	if _, err := w.A.Poll(context.Background()); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("poll: %v", err)
	}
}

// A reply Graph cannot take now (503 beyond MaxWait) stays queued, in
// order, and goes with the next flush.
func TestOutboxKeepsMailOnFailure(t *testing.T) {
	w := newWorld(t, func(c *mailbox.Config) { c.MaxWait = 5 * time.Second })
	consults(w, 1)
	w.Srv.Unavailable("/createReply", 2, 4*time.Second) // one per attempt (a POST answered 503 is not sent again); the poll tries twice
	st, err := w.A.Poll(context.Background())
	if st.Handled != 1 || st.Sent != 0 || err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("%+v %v", st, err)
	}
	n, err := w.A.Flush(context.Background())
	if err != nil || n != 1 || len(w.sent()) != 1 {
		t.Fatalf("flush %d %v, %d sent", n, err, len(w.sent()))
	}
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		c    mailbox.Config
		cred bool
		want string
	}{
		{mailbox.Config{}, true, "address is required"},
		{mailbox.Config{Address: "it@"}, true, "not an e-mail address"},
		{mailbox.Config{Address: "it@vraa.gov.lv", Aliases: []string{"x"}}, true, "alias"},
		{mailbox.Config{Address: "it@vraa.gov.lv", ProcessedFolder: "A", ReviewFolder: "A"}, true, "differ"},
		{mailbox.Config{Address: "it@vraa.gov.lv"}, false, "tenant_id"},
		{mailbox.Config{Address: "it@vraa.gov.lv", TenantID: "t"}, false, "client_id"},
		{mailbox.Config{Address: "it@vraa.gov.lv", TenantID: "t", ClientID: "c"}, false, "client_secret"},
		{mailbox.Config{Address: "9f1c2a9e-7b4d-4c1e-9a55-0d2b8e6f4a10", TenantID: "t", ClientID: "c", ClientSecret: "s"}, false, ""},
	} {
		err := tc.c.WithDefaults().Validate(tc.cred)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.c, err, tc.want)
		}
	}
	d := mailbox.Config{Address: " IT@VRAA.gov.lv "}.WithDefaults()
	if d.Address != "it@vraa.gov.lv" || d.PollInterval != 30*time.Second || d.ProcessedFolder != "Apstrādāts" || d.PageSize != 25 {
		t.Fatalf("defaults %+v", d)
	}
	f := mailbox.Config{Address: "it@vraa.gov.lv"}.FillCredentials(exchange.Config{TenantID: "t", ClientID: "c", ClientSecret: "s", GraphBaseURL: "https://g/v1.0"})
	if f.TenantID != "t" || f.ClientSecret != "s" || f.GraphBaseURL != "https://g/v1.0" {
		t.Fatalf("fill %+v", f)
	}
	// A real credential is built from the settings (no call is made).
	e := bottestBot(t)
	if _, err := mailbox.New(mailbox.Config{Address: "it@vraa.gov.lv", TenantID: "t", ClientID: "c", ClientSecret: "s"}, mailbox.Deps{Bot: e, Router: bot.NewRouter(nil)}); err != nil {
		t.Fatal(err)
	}
	if _, err := mailbox.New(mailbox.Config{Address: "it@vraa.gov.lv", TenantID: "t", ClientID: "c", CertificatePath: "/nonexistent.pem"}, mailbox.Deps{Bot: e, Router: bot.NewRouter(nil)}); err == nil {
		t.Fatal("a missing certificate was accepted")
	}
}

func bottestBot(t *testing.T) *bot.Bot {
	w := newWorld(t)
	return w.Bot
}

// Graph refusing the custom headers of a reply does not stop the reply.
func TestReplyWithoutCustomHeaders(t *testing.T) {
	w := newWorld(t)
	consults(w, 1)
	w.Srv.BadInput("/createReply", 1, "InvalidInternetMessageHeader", "The internet message header name 'X-Itbot-Request' is not allowed here.")
	if st := w.poll(); st.Sent != 1 {
		t.Fatalf("%+v", st)
	}
	for _, h := range w.sent()[0].Headers {
		if h.Name == "X-Itbot-Request" {
			t.Fatal("sent with the refused headers")
		}
	}
}
