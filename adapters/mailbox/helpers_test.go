package mailbox_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"itbot/adapters/exchange"
	"itbot/adapters/exchange/exchangetest"
	"itbot/adapters/mailbox"
	"itbot/bot"
	"itbot/bot/dialogue"
	"itbot/bottest"
	"itbot/commands"
)

// itBox is the IT mailbox of the tests: a shared mailbox of the tenant.
const itBox = "it@vraa.gov.lv"

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// world is a whole bot (real bbolt store, every command, the
// conversational path, the sandbox Exchange and DVS for the actions) with
// the mailbox adapter reading the emulated tenant's IT mailbox over HTTP
// through msgraph-sdk-go.
type world struct {
	*bottest.Env
	T      testing.TB
	Tenant *exchangetest.Tenant
	Srv    *exchangetest.Server
	A      *mailbox.Adapter
	Cfg    mailbox.Config
	Log    *syncBuffer

	mu    sync.Mutex
	slept []time.Duration
	tr    *hookTransport
}

// hookTransport lets a test fail a chosen call before it reaches the
// emulator (a stopped process, a broken network).
type hookTransport struct {
	mu   sync.Mutex
	fail func(r *http.Request) error
}

func (h *hookTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	f := h.fail
	h.mu.Unlock()
	if f != nil {
		if err := f(r); err != nil {
			return nil, err
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (h *hookTransport) set(f func(r *http.Request) error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fail = f
}

func newWorld(t testing.TB, edit ...func(*mailbox.Config)) *world {
	t.Helper()
	e := bottest.New(t)
	e.Sandbox()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.Bot.Log = log
	d := dialogue.New(e.Bot, dialogue.Options{Help: commands.HelpText, Ack: commands.Ack, Log: log})
	d.Install(e.Router)
	ten := exchangetest.SandboxTenant(e.Clock.Now)
	ten.AddShared(itBox, "VRAA IT dienests")
	srv := exchangetest.NewServer(ten)
	srv.Token = "test-token"
	t.Cleanup(srv.Close)
	w := &world{Env: e, T: t, Tenant: ten, Srv: srv, Log: logs, tr: &hookTransport{}}
	w.Cfg = mailbox.Config{Address: itBox, TenantID: ten.ID, GraphBaseURL: srv.GraphURL(), MaxWait: 30 * time.Second}
	for _, f := range edit {
		f(&w.Cfg)
	}
	w.start()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", logs.String())
		}
	})
	return w
}

// start builds a fresh adapter over the same store and tenant, as a
// restarted itbot would.
func (w *world) start() {
	w.T.Helper()
	a, err := mailbox.New(w.Cfg, mailbox.Deps{Bot: w.Bot, Router: w.Router, Credential: exchange.StaticCredential("test-token"),
		Transport: w.tr, Log: w.Bot.Log, Sleep: w.sleep})
	if err != nil {
		w.T.Fatal(err)
	}
	w.A = a
	w.Bot.Notify.Add(a)
}

// sleep records a throttling wait instead of waiting.
func (w *world) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.slept = append(w.slept, d)
	return ctx.Err()
}

func (w *world) sleeps() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.slept...)
}

// deliver puts a sample mail from testdata/mail into the IT mailbox,
// received now, after applying the replacements (old, new, …).
func (w *world) deliver(name string, repl ...string) exchangetest.MailMessage {
	w.T.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "mail", name))
	if err != nil {
		w.T.Fatal(err)
	}
	s := string(raw)
	for i := 0; i+1 < len(repl); i += 2 {
		s = strings.ReplaceAll(s, repl[i], repl[i+1])
	}
	m, err := exchangetest.ParseMIME([]byte(s))
	if err != nil {
		w.T.Fatalf("%s: %v", name, err)
	}
	m.Received = w.Clock.Now()
	out, err := w.Tenant.Deliver(itBox, m)
	if err != nil {
		w.T.Fatal(err)
	}
	return out
}

// send puts a simple plain-text mail into the IT mailbox.
func (w *world) send(m exchangetest.MailMessage) exchangetest.MailMessage {
	w.T.Helper()
	if m.Received.IsZero() {
		m.Received = w.Clock.Now()
	}
	out, err := w.Tenant.Deliver(itBox, m)
	if err != nil {
		w.T.Fatal(err)
	}
	return out
}

// dmarcPass is the Authentication-Results header Exchange Online adds to a
// message whose DMARC check passed for domain.
func dmarcPass(domain string) exchangetest.Header {
	return exchangetest.Header{Name: "Authentication-Results", Value: "spf=pass (sender IP is 40.107.20.208) smtp.mailfrom=" + domain +
		"; dkim=pass (signature was verified) header.d=" + domain + ";dmarc=pass action=none header.from=" + domain + ";compauth=pass reason=100"}
}

// plain is a plain-text mail from an address, with DMARC passed.
func plain(from, subject, body string) exchangetest.MailMessage {
	return exchangetest.MailMessage{From: exchangetest.Addr{Address: from}, To: []exchangetest.Addr{{Address: itBox}},
		Subject: subject, Body: body, Headers: []exchangetest.Header{dmarcPass(bot.Domain(from))}}
}

// poll runs one Poll and fails the test on an error.
func (w *world) poll() mailbox.Stats {
	w.T.Helper()
	st, err := w.A.Poll(context.Background())
	if err != nil {
		w.T.Fatalf("poll: %v", err)
	}
	return st
}

// sent returns the mail the IT mailbox sent.
func (w *world) sent() []exchangetest.MailMessage { return w.Tenant.Sent(itBox) }

// sentTo returns the mail sent to one address.
func (w *world) sentTo(addr string) []exchangetest.MailMessage {
	var out []exchangetest.MailMessage
	for _, m := range w.sent() {
		for _, a := range m.To {
			if a.Address == addr {
				out = append(out, m)
			}
		}
	}
	return out
}

func (w *world) folder(name string) []exchangetest.MailMessage { return w.Tenant.Messages(itBox, name) }

// requests returns every stored request, oldest first.
func (w *world) requests() []*bot.Request {
	w.T.Helper()
	rs, err := w.Store.Requests(context.Background(), bot.RequestFilter{})
	if err != nil {
		w.T.Fatal(err)
	}
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return rs
}

func (w *world) events(id string) []bot.Event {
	w.T.Helper()
	evs, err := w.Store.Events(context.Background(), id)
	if err != nil {
		w.T.Fatal(err)
	}
	return evs
}

// opsNotices returns the texts posted to the operators' channel of the
// test platform.
func (w *world) opsNotices() []string {
	var out []string
	for _, n := range w.Test.Notices() {
		if n.To.Channel == "ops" {
			out = append(out, n.Reply.Text)
		}
	}
	return out
}

// text returns a sent message's body as text.
func text(m exchangetest.MailMessage) string { return mailbox.CleanBody(m.Body, m.BodyHTML) }

func contains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s: want %q in:\n%s", what, sub, s)
		}
	}
}
