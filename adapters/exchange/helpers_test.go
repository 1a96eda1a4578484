package exchange_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"itbot/adapters/exchange"
	"itbot/adapters/exchange/exchangetest"
	"itbot/bot"
	"itbot/bottest"
)

type syncBuffer = bottest.LogBuffer

// world is a whole bot wired to the real adapter, which talks to the
// emulator over HTTP.
type world struct {
	*bottest.Env
	T      *testing.T
	Tenant *exchangetest.Tenant
	Srv    *exchangetest.Server
	X      *exchange.Exchange
	Log    *syncBuffer
	Ops    []bot.Phrase // operator notices from the adapter
}

// newWorld builds the world; edit tunes the config before the adapter is
// built.
func newWorld(t *testing.T, edit ...func(*exchange.Config)) *world {
	t.Helper()
	e := bottest.New(t)
	ten := exchangetest.SandboxTenant(e.Clock.Now)
	srv := exchangetest.NewServer(ten)
	srv.Token = "test-token"
	t.Cleanup(srv.Close)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	prev := slog.Default()
	slog.SetDefault(log)
	t.Cleanup(func() { slog.SetDefault(prev) })
	e.Bot.Log = log
	logDump = logs.String
	w := &world{Env: e, T: t, Tenant: ten, Srv: srv, Log: logs}
	cfg := exchange.Config{TenantID: ten.ID, GraphBaseURL: srv.GraphURL(), AdminBaseURL: srv.AdminURL(), MaxWait: 5 * time.Second}
	for _, f := range edit {
		f(&cfg)
	}
	x, err := exchange.New(cfg, exchange.Options{
		Credential: exchange.StaticCredential("test-token"), KV: e.Store, Log: log, Now: e.Clock.Now,
		Notify: func(_ context.Context, p bot.Phrase) { w.Ops = append(w.Ops, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	e.Bot.Exchange = x
	w.X = x
	return w
}

// say routes a command and returns the newest request it made (nil if
// none).
func (w *world) say(who, text string) (*bot.Request, []bot.Reply) {
	w.T.Helper()
	before := w.count()
	reps := w.Say(who, text)
	rs, err := w.Store.Requests(context.Background(), bot.RequestFilter{})
	if err != nil {
		w.T.Fatal(err)
	}
	if len(rs) == before {
		return nil, reps
	}
	return rs[0], reps
}

func (w *world) count() int {
	rs, err := w.Store.Requests(context.Background(), bot.RequestFilter{})
	if err != nil {
		w.T.Fatal(err)
	}
	return len(rs)
}

// inst returns a stored institution.
func (w *world) inst(code string) *bot.Institution {
	w.T.Helper()
	i, err := w.Store.Institution(context.Background(), code)
	if err != nil {
		w.T.Fatal(err)
	}
	return i
}

// logDump, when set, prints the current test's log on a failure.
var logDump func() string

// wantState checks a request's state.
func wantState(t *testing.T, r *bot.Request, s bot.State) {
	t.Helper()
	if r == nil {
		t.Fatalf("no request; want %s", s)
	}
	if r.State != s {
		last := ""
		if r.LastError != nil {
			last = r.LastError.Render(bot.EN)
		}
		if logDump != nil {
			t.Log(logDump())
		}
		t.Fatalf("%s is %s, want %s (last error: %s)", r.ID, r.State, s, last)
	}
}

// wantError checks a failed request's error phrase id.
func wantError(t *testing.T, r *bot.Request, id string) {
	t.Helper()
	if r.LastError == nil || r.LastError.ID != id {
		got := "<nil>"
		if r.LastError != nil {
			got = r.LastError.ID + ": " + r.LastError.Render(bot.EN)
		}
		t.Fatalf("%s last error %s, want %s", r.ID, got, id)
	}
}

// outcomeText renders an outcome in a language, summary and details.
func outcomeText(o *bot.Outcome, l bot.Lang) string {
	if o == nil {
		return "<no outcome>"
	}
	s := o.Summary.Render(l)
	for _, d := range o.Details {
		s += "\n  · " + d.Render(l)
	}
	return s
}

// codeOf returns an error's code.
func codeOf(err error) string { return bot.ErrorCode(err) }

// exchangeConfig is the adapter's configuration.
type exchangeConfig = exchange.Config

const (
	ilze = "ilze.liepa@lgia.gov.lv"     // LGIA IT contact: her requests run at once
	anna = "anna.berzina@lgia.gov.lv"   // LGIA employee: needs approval
	op   = "kristaps.lapsa@vraa.gov.lv" // agency operator
	e3   = exchangetest.PartE3          // ENTERPRISEPACK
	e5   = exchangetest.PartE5          // ENTERPRISEPREMIUM, no free unit in the sandbox
	exo1 = exchangetest.PartEXO1        // EXCHANGESTANDARD
	e1   = exchangetest.PartE1          // STANDARDPACK
)
