// Package bottest builds a whole itbot for tests: a real bbolt store in a
// temporary directory, the sandbox directory, the bot with every command
// registered, a settable clock and a recording poster, so tests drive
// conversations end to end without mocks.
package bottest

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"itbot/adapters/sandbox"
	"itbot/bot"
	"itbot/bot/seed"
	"itbot/commands"
	"itbot/store"
)

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Riga returns a time in Europe/Riga.
func Riga(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, bot.TimeZone)
}

// Poster records the notices posted to one platform.
type Poster struct {
	Name string
	Ops  string
	mu   sync.Mutex
	got  []bot.Notice
}

// Platform implements bot.Poster.
func (p *Poster) Platform() string { return p.Name }

// OpsChannel implements bot.Poster.
func (p *Poster) OpsChannel() string { return p.Ops }

// Post implements bot.Poster.
func (p *Poster) Post(_ context.Context, n bot.Notice) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got = append(p.got, n)
	return nil
}

// Notices returns what was posted so far.
func (p *Poster) Notices() []bot.Notice {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bot.Notice(nil), p.got...)
}

// Env is a whole bot for a test.
type Env struct {
	T      testing.TB
	Path   string
	Store  *store.Store
	Bot    *bot.Bot
	Router *bot.Router
	Deps   *commands.Deps
	Clock  *Clock
	// Test is the platform "test": messages sent with Say come from it and
	// its notices are recorded here.
	Test *Poster
}

// New builds an Env at Mon 2026-11-23 10:00 Riga time, with the sandbox
// directory seeded and every command registered. Services (Exchange,
// DVS) are left for the test to set on e.Bot.
func New(t testing.TB) *Env {
	t.Helper()
	return NewAt(t, filepath.Join(t.TempDir(), "itbot.db"))
}

// NewAt is New on the data file at path, which may hold a previous run's
// data (a restart after a crash): the directory is seeded again, the rest
// is kept.
func NewAt(t testing.TB, path string) *Env {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	if err := seed.Directory(ctx, st); err != nil {
		t.Fatal(err)
	}
	clock := NewClock(Riga(2026, time.November, 23, 10, 0))
	log := slog.New(slog.DiscardHandler)
	b := bot.New(st, log)
	b.Now = clock.Now
	b.Sandbox = true
	r := bot.NewRouter(log)
	d := &commands.Deps{Bot: b}
	commands.Register(r, d)
	e := &Env{T: t, Path: path, Store: st, Bot: b, Router: r, Deps: d, Clock: clock, Test: &Poster{Name: "test", Ops: "ops"}}
	b.Notify.Add(e.Test)
	return e
}

// Person returns a stored person or fails the test.
func (e *Env) Person(email string) *bot.Person {
	e.T.Helper()
	p, err := e.Store.Person(context.Background(), email)
	if err != nil {
		e.T.Fatalf("person %s: %v", email, err)
	}
	return p
}

// Say routes text from the person with that e-mail on the "test"
// platform and returns the replies.
func (e *Env) Say(email, text string) []bot.Reply {
	e.T.Helper()
	rec := &bot.Recorder{}
	m := &bot.Message{Platform: "test", Channel: "chan-" + email, UserID: email, Person: e.Person(email), Text: text, Source: bot.SourceTyped}
	if err := e.Router.Route(context.Background(), rec, m); err != nil {
		e.T.Fatalf("route %q: %v", text, err)
	}
	return rec.Replies
}

// Request returns a stored request or fails the test.
func (e *Env) Request(id string) *bot.Request {
	e.T.Helper()
	r, err := e.Store.Request(context.Background(), id)
	if err != nil {
		e.T.Fatalf("request %s: %v", id, err)
	}
	return r
}

// Sandbox gives the bot the in-process sandbox Exchange tenant and DVS,
// seeded, and returns their state for the test to inspect or change.
func (e *Env) Sandbox() (*sandbox.Tenant, *sandbox.DVSState) {
	e.T.Helper()
	tn := sandbox.NewTenant()
	if err := sandbox.SeedTenant(tn); err != nil {
		e.T.Fatal(err)
	}
	ds := sandbox.NewDVSState()
	if err := sandbox.SeedDVS(ds); err != nil {
		e.T.Fatal(err)
	}
	e.Bot.Exchange = sandbox.NewExchange(tn)
	e.Bot.DVS = sandbox.NewDVS(ds)
	return tn, ds
}

// LogBuffer is a log sink safe for concurrent writes, for tests that
// check what was (or was not) logged.
type LogBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

// Write appends p.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
