package slaclock_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"itbot/adapters/console"
	"itbot/bot"
	"itbot/bot/slaclock"
	"itbot/bottest"
	"itbot/store"
)

const (
	anna     = "anna.berzina@lgia.gov.lv"
	janis    = "janis.ozols@lgia.gov.lv"
	operator = "kristaps.lapsa@vraa.gov.lv"
)

// slaNotices keeps the scheduler's notices (their titles say SLA), not the
// lifecycle updates the bot posts itself.
func slaNotices(ns []bot.Notice) []bot.Notice {
	var out []bot.Notice
	for _, n := range ns {
		if strings.Contains(n.Reply.Title, "SLA") {
			out = append(out, n)
		}
	}
	return out
}

// render renders notices for a golden file: where each went, in which
// language, and the console rendering of the reply.
func render(ns []bot.Notice) string {
	var b strings.Builder
	for _, n := range ns {
		to := n.To.Channel
		if to == "" {
			to = "@" + n.To.User
		}
		fmt.Fprintf(&b, "→ %s %s [%s]\n", n.To.Platform, to, n.Lang)
		b.WriteString(console.Render(n.Reply, "  "))
	}
	return b.String()
}

func escalationConfig() slaclock.Config {
	return slaclock.Config{Escalation: slaclock.Escalation{
		After:    "2h",
		Channels: map[string]string{"test": "supervisors"},
		Person:   "admin@vraa.gov.lv",
	}}
}

// linkAdmin gives the escalation person an account on the test platform.
func linkAdmin(t *testing.T, e *env) {
	t.Helper()
	p := e.Person("admin@vraa.gov.lv")
	p.Identities = map[string]string{"test": "U-ADMIN"}
	if err := e.Store.PutPerson(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

// A whole request's life on the fake clock: created, reminders at 50 %,
// paused (no reminders), resumed, 80 %, the lead reminder, the breach, the
// escalation, each posted once, at the right instant, to the right people.
func TestWholeLife(t *testing.T) {
	e := newEnv(t, escalationConfig())
	linkAdmin(t, e)
	e.at(2026, 11, 23, 10, 0)
	id := e.submit(anna, "Kā pievienot kopīgo kalendāru?")
	r := e.Request(id)
	// Budget: Mon 10-18 and Tue 08-10, 10 business hours.
	if want := riga(2026, 11, 23, 15, 0); !r.SLA.NextCheck.Equal(want) {
		t.Fatalf("next check %s, want the 50 %% reminder at %s", bot.FormatTime(r.SLA.NextCheck), bot.FormatTime(want))
	}
	step := func(at time.Time, wantKeys int) []bot.Notice {
		t.Helper()
		before := len(e.Test.Notices())
		res := e.tick(at)
		if res.Keys != wantKeys {
			t.Fatalf("tick %s: %d checks recorded, want %d", bot.FormatTime(at), res.Keys, wantKeys)
		}
		return slaNotices(since(e.Test, before))
	}
	var posted []bot.Notice

	step(riga(2026, 11, 23, 14, 59), 0)
	ns := step(riga(2026, 11, 23, 15, 0), 1)
	if len(ns) != 2 || ns[0].To.Channel != "chan-"+anna || ns[0].Lang != bot.LV || ns[1].To.Channel != "ops" {
		t.Fatalf("50 %%: want the thread (lv) and ops, got %s", render(ns))
	}
	posted = append(posted, ns...)
	step(riga(2026, 11, 23, 15, 0), 0) // exactly once
	step(riga(2026, 11, 23, 15, 30), 0)

	e.at(2026, 11, 23, 16, 0)
	e.say(operator, "/it wait "+id+" info kuru kalendāru?")
	if r := e.Request(id); !r.SLA.NextCheck.IsZero() {
		t.Fatalf("paused: next check %s, want none", r.SLA.NextCheck)
	}
	step(riga(2026, 11, 24, 10, 0), 0) // would have been the breach
	step(riga(2026, 11, 24, 17, 0), 0)

	// 6 h used before the pause, 4 h left from Wed 09:00: due Wed 13:00.
	e.at(2026, 11, 25, 9, 0)
	e.say(operator, "/it resume "+id)
	r = e.Request(id)
	if want := riga(2026, 11, 25, 13, 0); !r.SLA.DueAt.Equal(want) {
		t.Fatalf("resumed: due %s, want %s", bot.FormatTime(r.SLA.DueAt), bot.FormatTime(want))
	}
	if want := riga(2026, 11, 25, 11, 0); !r.SLA.NextCheck.Equal(want) {
		t.Fatalf("resumed: next check %s, want 80 %% at %s", bot.FormatTime(r.SLA.NextCheck), bot.FormatTime(want))
	}
	step(riga(2026, 11, 25, 10, 59), 0)
	posted = append(posted, step(riga(2026, 11, 25, 11, 0), 1)...)
	posted = append(posted, step(riga(2026, 11, 25, 12, 0), 1)...)
	if e.Request(id).SLA.Breached {
		t.Fatal("breached before the due time")
	}
	posted = append(posted, step(riga(2026, 11, 25, 13, 0), 1)...)
	if !e.Request(id).SLA.Breached {
		t.Fatal("not marked breached at the due time")
	}
	step(riga(2026, 11, 25, 14, 59), 0)
	ns = step(riga(2026, 11, 25, 15, 0), 1)
	if len(ns) != 4 {
		t.Fatalf("escalation: want thread, ops, supervisors and the supervisor in person, got %s", render(ns))
	}
	posted = append(posted, ns...)
	r = e.Request(id)
	if !r.SLA.NextCheck.IsZero() {
		t.Errorf("after the escalation: next check %s, want none", r.SLA.NextCheck)
	}
	want := []string{"share:50", "share:80", "lead", "breach", "escalation"}
	if strings.Join(r.SLA.Sent, " ") != strings.Join(want, " ") {
		t.Errorf("sent %v, want %v", r.SLA.Sent, want)
	}
	if n := len(reminders(t, e.Store, id)); n != 5 {
		t.Errorf("%d reminder events in the audit trail, want 5", n)
	}
	step(riga(2026, 11, 26, 10, 0), 0)
	e.at(2026, 11, 26, 11, 0)
	e.say(operator, "/it done "+id+" atbildēts")
	if r := e.Request(id); r.State != bot.StateDone || !r.SLA.Breached || !r.SLA.NextCheck.IsZero() {
		t.Errorf("closed late: state %s breached %v next %s", r.State, r.SLA.Breached, r.SLA.NextCheck)
	}
	golden(t, "life.golden", render(posted))
}

// Restart: a new bot and scheduler on the same bbolt file post nothing
// twice, and the checks missed while it was down come as one message per
// request.
func TestRestartCollapsesMissed(t *testing.T) {
	e := newEnv(t, slaclock.Config{})
	e.at(2026, 11, 23, 10, 0)
	ids := []string{e.submit(anna, "pirmais"), e.submit(janis, "second"), e.submit(anna, "trešais")}
	if res := e.tick(riga(2026, 11, 23, 15, 0)); res.Notified != 3 {
		t.Fatalf("50 %%: %d requests notified, want 3", res.Notified)
	}
	if err := e.Store.Close(); err != nil {
		t.Fatal(err)
	}

	// restart opens the same file with a new bot, clock, scheduler and
	// poster, as a new process would.
	restart := func() (*slaclock.Scheduler, *bottest.Poster, *store.Store) {
		st, err := store.Open(e.Path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		b := bot.New(st, slog.New(slog.DiscardHandler))
		b.Now = e.Clock.Now
		k, err := slaclock.New(slaclock.Config{})
		if err != nil {
			t.Fatal(err)
		}
		b.SLA = k
		p := &bottest.Poster{Name: "test", Ops: "ops"}
		b.Notify.Add(p)
		s := slaclock.NewScheduler(b, k)
		b.OnChange = s.Changed
		return s, p, st
	}
	tick := func(s *slaclock.Scheduler, at time.Time) slaclock.Result {
		t.Helper()
		e.Clock.Set(at)
		res, err := s.Tick(context.Background(), at)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	s2, p2, st2 := restart()
	if n, err := s2.Retime(context.Background(), e.Clock.Now()); err != nil || n != 0 {
		t.Fatalf("retime after a restart with the same configuration: %d, %v; want 0", n, err)
	}
	if res := tick(s2, riga(2026, 11, 23, 15, 0)); res.Keys != 0 || len(p2.Notices()) != 0 {
		t.Fatalf("after restart at the same instant: %+v, %d notices; want nothing", res, len(p2.Notices()))
	}
	// Down from Mon 15:00 until Tue 12:30: 80 % (Tue 08:00), the lead
	// reminder (Tue 09:00) and the breach (Tue 10:00) were missed.
	res := tick(s2, riga(2026, 11, 24, 12, 30))
	if res.Notified != 3 || res.Keys != 9 {
		t.Fatalf("after downtime: %+v; want 3 requests, 9 checks", res)
	}
	ns := p2.Notices()
	if len(ns) != 6 {
		t.Fatalf("after downtime: %d notices, want one per request in its thread and one in ops (6)", len(ns))
	}
	golden(t, "collapsed.golden", render(ns))
	for _, id := range ids {
		r, err := st2.Request(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(r.SLA.Sent, " "); got != "share:50 share:80 lead breach" {
			t.Errorf("%s sent %q", id, got)
		}
		if n := len(reminders(t, st2, id)); n != 2 {
			t.Errorf("%s: %d reminder events, want 2 (50 %% and the combined one)", id, n)
		}
	}
	if res := tick(s2, riga(2026, 11, 24, 12, 30)); res.Keys != 0 {
		t.Fatalf("second tick after downtime: %+v", res)
	}
	st2.Close()

	s3, p3, _ := restart()
	if res := tick(s3, riga(2026, 11, 24, 16, 0)); res.Keys != 0 || len(p3.Notices()) != 0 {
		t.Fatalf("after a second restart: %+v, %d notices; want nothing", res, len(p3.Notices()))
	}
}

// Notices wait for the opening: nothing is posted outside service hours,
// and a check that falls on a closing time is posted at the next opening.
func TestOutsideServiceHoursWaitsForOpening(t *testing.T) {
	e := newEnv(t, slaclock.Config{})
	// Sat 12:00: the clock starts Mon 08:00; due Mon 18:00, a closing time.
	e.at(2026, 11, 28, 12, 0)
	id := e.submit(anna, "sestdienā")
	r := e.Request(id)
	if !r.SLA.DueAt.Equal(riga(2026, 11, 30, 18, 0)) || !r.SLA.NextCheck.Equal(riga(2026, 11, 30, 13, 0)) {
		t.Fatalf("due %s next %s", bot.FormatTime(r.SLA.DueAt), bot.FormatTime(r.SLA.NextCheck))
	}
	if res := e.tick(riga(2026, 11, 29, 20, 0)); res.Keys != 0 || !res.Next.Equal(riga(2026, 11, 30, 13, 0)) {
		t.Fatalf("Sunday: %+v", res)
	}
	for _, h := range []int{13, 16, 17} {
		if res := e.tick(riga(2026, 11, 30, h, 0)); res.Keys != 1 {
			t.Fatalf("Mon %02d:00: %+v, want one check", h, res)
		}
	}
	if r := e.Request(id); !r.SLA.NextCheck.Equal(riga(2026, 12, 1, 8, 0)) {
		t.Fatalf("breach at closing time: next check %s, want the opening Tue 08:00", bot.FormatTime(r.SLA.NextCheck))
	}
	before := len(e.Test.Notices())
	for _, at := range []time.Time{riga(2026, 11, 30, 18, 0), riga(2026, 11, 30, 22, 0), riga(2026, 12, 1, 7, 59)} {
		res := e.tick(at)
		if res.Keys != 0 || !res.Next.Equal(riga(2026, 12, 1, 8, 0)) {
			t.Fatalf("%s: %+v; want nothing, next at the opening", bot.FormatTime(at), res)
		}
	}
	if n := len(e.Test.Notices()) - before; n != 0 {
		t.Fatalf("%d notices outside service hours", n)
	}
	if res := e.tick(riga(2026, 12, 1, 8, 0)); res.Keys != 1 {
		t.Fatalf("opening: %+v, want the breach", res)
	}
	ns := slaNotices(since(e.Test, before))
	if len(ns) != 2 || !strings.Contains(ns[0].Reply.Title, "nokavēts") {
		t.Fatalf("breach at the opening: %s", render(ns))
	}

	// Missed over a weekend: the 50 % of Fri 14:30 waits for Monday 08:00.
	e.at(2026, 11, 27, 10, 0)
	id2 := e.submit(anna, "piektdienā")
	for _, at := range []time.Time{riga(2026, 11, 27, 17, 0), riga(2026, 11, 28, 10, 0), riga(2026, 11, 29, 23, 0)} {
		if res := e.tick(at); res.Keys != 0 || !res.Next.Equal(riga(2026, 11, 30, 8, 0)) {
			t.Fatalf("%s: %+v; want nothing until Mon 08:00", bot.FormatTime(at), res)
		}
	}
	if res := e.tick(riga(2026, 11, 30, 8, 0)); res.Keys != 1 {
		t.Fatalf("Monday opening: %+v, want the 50 %% reminder of %s", res, id2)
	}
}

// With many open requests and nothing due, a tick reads the index and
// writes nothing.
func TestIdleWithManyOpenRequests(t *testing.T) {
	e := newEnv(t, slaclock.Config{})
	e.at(2026, 11, 23, 10, 0)
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.Bot.Submit(context.Background(), bot.Actor{Person: e.Person(anna), Platform: "test"},
				bot.NewRequest{Type: bot.TypeConsult, Params: bot.Params{Text: fmt.Sprint("q", i)}, Origin: bot.Origin{Platform: "test", Channel: "c"}})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	notices := len(e.Test.Notices())
	res := e.tick(riga(2026, 11, 23, 14, 0))
	if res.Keys != 0 || res.Retimed != 0 || !res.Next.Equal(riga(2026, 11, 23, 15, 0)) {
		t.Fatalf("idle tick: %+v", res)
	}
	if len(e.Test.Notices()) != notices {
		t.Fatal("idle tick posted")
	}
}

// Retime gives requests stored by another clock their SLA fields, once
// per configuration.
func TestRetime(t *testing.T) {
	e := bottest.New(t) // the bot's default wall-clock SLA
	id := func() string {
		reps := e.Say(anna, "/it consult vecs")
		return reps[0].Request.ID
	}()
	if r := e.Request(id); !r.SLA.NextCheck.IsZero() {
		t.Fatalf("wall clock set a next check: %s", r.SLA.NextCheck)
	}
	retime := func(cfg slaclock.Config) int {
		k, err := slaclock.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		e.Bot.SLA = k
		n, err := slaclock.NewScheduler(e.Bot, k).Retime(context.Background(), e.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := retime(slaclock.Config{}); n != 1 {
		t.Fatalf("first retime: %d, want 1", n)
	}
	r := e.Request(id)
	if r.SLA.Policy != "1d" || !r.SLA.DueAt.Equal(riga(2026, 11, 24, 10, 0)) || !r.SLA.NextCheck.Equal(riga(2026, 11, 23, 15, 0)) {
		t.Fatalf("retimed: %+v", r.SLA)
	}
	if n := retime(slaclock.Config{}); n != 0 {
		t.Fatalf("same configuration: %d re-timed, want 0", n)
	}
	if n := retime(slaclock.Config{Policies: map[string]string{"consult": "4h"}}); n != 1 {
		t.Fatalf("new policy: %d re-timed, want 1", n)
	}
	if r := e.Request(id); !r.SLA.DueAt.Equal(riga(2026, 11, 23, 14, 0)) {
		t.Fatalf("new policy: due %s", bot.FormatTime(r.SLA.DueAt))
	}
	evs, _ := e.Store.Events(context.Background(), id)
	last := evs[len(evs)-1]
	if last.Kind != bot.EventUpdated || !strings.Contains(bot.EventText(last, bot.EN), "recomputed") {
		t.Errorf("audit: %+v", last)
	}
}

// Run sleeps until the next check and wakes early when told; it stops with
// its context.
func TestRunWakesAndStops(t *testing.T) {
	e := newEnv(t, slaclock.Config{})
	e.at(2026, 11, 23, 10, 0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.sched.Run(ctx); close(done) }()
	id := e.submit(anna, "run") // OnChange wakes Run: nothing is due yet
	e.Clock.Set(riga(2026, 11, 23, 15, 0))
	e.sched.Wake()
	deadline := time.Now().Add(10 * time.Second)
	for len(reminders(t, e.Store, id)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Run did not post the 50 % reminder after Wake")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if n := len(slaNotices(e.Test.Notices())); n != 2 {
		t.Errorf("%d SLA notices, want 2 (thread and ops)", n)
	}
}

// A request whose stored next check is stale (the configuration changed
// and Retime has not run) is re-timed by the tick that finds it, with an
// audit event, and nothing is posted.
func TestTickRetimesStaleChecks(t *testing.T) {
	e := newEnv(t, slaclock.Config{})
	e.at(2026, 11, 23, 10, 0)
	id := e.submit(anna, "vecā konfigurācija")
	k, err := slaclock.New(slaclock.Config{Reminders: slaclock.Reminders{Shares: []int{}, Lead: "0"}})
	if err != nil {
		t.Fatal(err)
	}
	e.Bot.SLA = k
	e.sched = slaclock.NewScheduler(e.Bot, k)
	before := len(e.Test.Notices())
	res := e.tick(riga(2026, 11, 23, 15, 0))
	if res.Retimed != 1 || res.Keys != 0 || !res.Next.Equal(riga(2026, 11, 24, 10, 0)) {
		t.Fatalf("stale check: %+v; want re-timed to the breach", res)
	}
	if len(e.Test.Notices()) != before {
		t.Fatal("a stale check was posted")
	}
	if res := e.tick(riga(2026, 11, 24, 10, 0)); res.Keys != 1 {
		t.Fatalf("breach: %+v", res)
	}
	if got := e.Request(id).SLA.Sent; len(got) != 1 || got[0] != slaclock.KeyBreach {
		t.Errorf("sent %v, want only the breach", got)
	}
}

// Retime with the same timing writes nothing, even when due times have
// passed meanwhile (the breach check records that).
func TestRetimeSameConfigAfterDowntime(t *testing.T) {
	e := newEnv(t, slaclock.Config{})
	e.at(2026, 11, 23, 10, 0)
	e.submit(anna, "a")
	ctx := context.Background()
	if err := e.Store.Delete(ctx, "slaclock", "fingerprint"); err != nil { // as after an upgrade
		t.Fatal(err)
	}
	if n, err := e.sched.Retime(ctx, riga(2026, 11, 25, 10, 0)); err != nil || n != 0 {
		t.Fatalf("retime after downtime: %d, %v", n, err)
	}
}
