package slaclock

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"itbot/bot"
)

// Scheduler posts a request's reminders, breach alert and escalation when
// they are due. It reads the store's NextCheck index: Run sleeps until the
// earliest check (or until woken by Changed), then Tick handles the
// requests whose check is due, and nothing else. With any number of open
// requests it does one index read per wake-up.
type Scheduler struct {
	Bot   *bot.Bot
	Clock *Clock
	Log   *slog.Logger
	// Batch is how many due requests one store read returns (default 256).
	Batch int
	// MaxSleep bounds one sleep of Run, so a wall-clock jump (a suspended
	// VM, an NTP step) delays a notice by at most this much. Default 1h:
	// one index read an hour when idle.
	MaxSleep time.Duration
	// Retry is the wait after a failed round (default 1 min).
	Retry time.Duration

	wake    chan struct{}
	mu      sync.Mutex
	planned time.Time // when Run wakes by itself; zero while working or with no timer
}

// NewScheduler returns a scheduler for b's requests on clock c. Set
// b.OnChange = s.Changed so that changes wake it.
func NewScheduler(b *bot.Bot, c *Clock) *Scheduler {
	return &Scheduler{Bot: b, Clock: c, Log: b.Log, Batch: 256, MaxSleep: time.Hour, Retry: time.Minute, wake: make(chan struct{}, 1)}
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Changed is the bot's OnChange hook: it wakes Run if the changed request's
// next check comes before Run's planned wake-up. It never blocks.
func (s *Scheduler) Changed(r *bot.Request) {
	if r == nil || r.SLA.NextCheck.IsZero() {
		return
	}
	s.mu.Lock()
	p := s.planned
	s.mu.Unlock()
	if p.IsZero() || r.SLA.NextCheck.Before(p) {
		s.Wake()
	}
}

// Wake makes Run look at the index now. It never blocks.
func (s *Scheduler) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Scheduler) now() time.Time {
	if s.Bot.Now != nil {
		return s.Bot.Now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

// Run handles due checks until ctx ends: Retime once, then Tick, sleep
// until the next check, MaxSleep or a Wake, and again.
func (s *Scheduler) Run(ctx context.Context) {
	if n, err := s.Retime(ctx, s.now()); err != nil {
		s.log().Warn("sla: retime", "err", err)
	} else if n > 0 {
		s.log().Info("sla: requests re-timed after a configuration change", "count", n)
	}
	for {
		res, err := s.Tick(ctx, s.now())
		if ctx.Err() != nil {
			return
		}
		wait := s.MaxSleep
		switch {
		case err != nil:
			s.log().Warn("sla: scheduler round failed", "err", err)
			wait = s.Retry
		case !res.Next.IsZero():
			wait = min(max(res.Next.Sub(s.now()), 0), s.MaxSleep)
		}
		s.mu.Lock()
		s.planned = s.now().Add(wait)
		s.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
		s.mu.Lock()
		s.planned = time.Time{}
		s.mu.Unlock()
	}
}

// Result is what one Tick did.
type Result struct {
	// Notified counts the requests that got a notice.
	Notified int
	// Keys counts the checks recorded as sent (Keys > Notified when
	// missed checks were combined).
	Keys int
	// Retimed counts requests whose stale SLA fields were recomputed.
	Retimed int
	// Next is when the next check is due (zero: none). Outside service
	// hours it is the next opening.
	Next time.Time
}

// Tick handles every check due at now: for each request in the index with
// NextCheck at or before now, it records the due checks as sent and posts
// one notice. Outside service hours it posts nothing and reports the next
// opening. Errors of single requests are logged; the last one is returned
// after the others were handled.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) (Result, error) {
	var res Result
	if !s.Clock.InService(now) {
		var err error
		res.Next, err = s.nextWake(ctx, now)
		return res, err
	}
	batch := s.Batch
	if batch <= 0 {
		batch = 256
	}
	seen := map[string]bool{}
	var lastErr error
	for {
		rs, err := s.Bot.Store.DueChecks(ctx, now, batch)
		if err != nil {
			return res, err
		}
		fresh := 0
		for _, r := range rs {
			if seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			fresh++
			n, retimed, err := s.handle(ctx, r.ID, now)
			switch {
			case err != nil:
				s.log().Warn("sla: check failed", "id", r.ID, "err", err)
				lastErr = err
			case n > 0:
				res.Notified++
				res.Keys += n
			case retimed:
				res.Retimed++
			}
		}
		if fresh == 0 || len(rs) < batch {
			break
		}
	}
	var err error
	res.Next, err = s.nextWake(ctx, now)
	if err != nil {
		return res, err
	}
	return res, lastErr
}

// nextWake reports when the scheduler should look again after now.
func (s *Scheduler) nextWake(ctx context.Context, now time.Time) (time.Time, error) {
	t, ok, err := s.Bot.Store.NextCheck(ctx)
	if err != nil || !ok {
		return time.Time{}, err
	}
	if t.After(now) {
		return t, nil
	}
	if !s.Clock.InService(now) {
		return s.Clock.NextOpening(now), nil
	}
	// A check is left at or before now inside service hours: a request
	// failed above. Try again later rather than spin.
	retry := s.Retry
	if retry <= 0 {
		retry = time.Minute
	}
	return now.Add(retry), nil
}

// sameSLA reports whether two SLA records have the same timing: policy,
// due time and next check. Breached is left out: it changes with time
// alone, and the breach check records it when it comes.
func sameSLA(a, b bot.SLA) bool {
	return a.Policy == b.Policy && a.DueAt.Equal(b.DueAt) && a.NextCheck.Equal(b.NextCheck)
}

// handle records and posts the checks of one request due at now. It
// reports how many checks it recorded, and whether it only recomputed stale
// SLA fields.
func (s *Scheduler) handle(ctx context.Context, id string, now time.Time) (int, bool, error) {
	var (
		keys    []string
		st      Status
		retimed bool
		stored  []bot.Event // numbered by the store
	)
	r, err := s.Bot.Store.UpdateRequest(ctx, id, func(r *bot.Request, history []bot.Event) ([]bot.Event, error) {
		keys, retimed, stored = nil, false, nil // fn may run more than once
		if !r.State.Open() {
			return nil, nil
		}
		due := s.Clock.dueKeys(r, history, now)
		before := r.SLA
		ev := bot.Event{At: now, Actor: bot.SystemActor, Platform: bot.SystemActor, Kind: bot.EventReminder}
		if len(due) > 0 {
			r.SLA.Sent = append(slices.Clone(r.SLA.Sent), due...)
		} else {
			ev.Kind = bot.EventUpdated
		}
		hist := append(slices.Clip(history), ev)
		s.Clock.Apply(r, hist, now)
		if len(due) == 0 {
			if sameSLA(before, r.SLA) {
				return nil, nil
			}
			ev.Phrase = bot.P("sla.event.retimed", "Policy", r.SLA.Policy, "Due", bot.FormatTime(r.SLA.DueAt))
			retimed = true
			stored = []bot.Event{ev}
			return stored, nil
		}
		st = s.Clock.Status(r, hist, now)
		ev.Phrase = eventPhrase(due, st)
		keys = due
		stored = []bot.Event{ev}
		return stored, nil
	})
	if err != nil {
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			return 0, false, nil
		}
		return 0, false, err
	}
	if len(stored) > 0 {
		// The store marked the change until its notices are delivered: the
		// reminders and alerts posted here, none for a re-timing.
		gctx, finish := s.Bot.Track(ctx, bot.Change{RequestID: id, First: stored[0].Seq, Last: stored[0].Seq})
		if len(keys) > 0 {
			s.post(gctx, r, st, keys)
		}
		finish()
	}
	return len(keys), retimed, nil
}

// RetimeChunk is how many requests Retime changes in one transaction.
const RetimeChunk = 2000

// Retime recomputes the SLA fields of every open request once after the
// clock's configuration changed (or was first used on this data file):
// a changed policy or calendar moves due times, and requests stored by
// another clock get their NextCheck. It compares the clock's fingerprint
// with the one stored in the KV bucket "slaclock" and does nothing if they
// match, so it reads the open requests only at a start with a new
// configuration. It reports how many requests changed.
func (s *Scheduler) Retime(ctx context.Context, now time.Time) (int, error) {
	const bucket, key = "slaclock", "fingerprint"
	old, err := s.Bot.Store.Get(ctx, bucket, key)
	if err != nil {
		return 0, err
	}
	fp := s.Clock.Fingerprint()
	if string(old) == fp {
		return 0, nil
	}
	// The open requests' ids from the due index, a few thousand at a time,
	// each chunk re-timed in one transaction (one fsync): a change posts
	// nothing, so it leaves no notice mark. A stop (ctx) ends it between
	// chunks; the fingerprint is stored only when all are done, so the next
	// start finishes the job.
	n := 0
	err = s.Bot.Store.OpenIDs(ctx, RetimeChunk, func(ids []string) error {
		changed, err := s.Bot.Store.BulkUpdate(ctx, ids, func(r *bot.Request, history []bot.Event) ([]bot.Event, error) {
			if !r.State.Open() {
				return nil, nil
			}
			before := r.SLA
			ev := bot.Event{At: now, Actor: bot.SystemActor, Platform: bot.SystemActor, Kind: bot.EventUpdated}
			s.Clock.Apply(r, append(slices.Clip(history), ev), now)
			if sameSLA(before, r.SLA) {
				return nil, nil
			}
			ev.Phrase = bot.P("sla.event.retimed", "Policy", r.SLA.Policy, "Due", bot.FormatTime(r.SLA.DueAt))
			return []bot.Event{ev}, nil
		})
		n += changed
		return err
	})
	if err != nil {
		return n, err
	}
	return n, s.Bot.Store.Put(ctx, bucket, key, []byte(fp))
}

// eventPhrase is the audit phrase of recorded checks: the most severe one,
// and how many more were combined with it.
func eventPhrase(keys []string, st Status) bot.Phrase {
	main := keys[len(keys)-1]
	due := bot.FormatTime(st.Due)
	more := len(keys) - 1
	switch main {
	case KeyLead:
		return bot.P("sla.event.lead", "Due", due, "More", more)
	case KeyBreach:
		return bot.P("sla.event.breach", "Due", due, "More", more)
	case KeyEscalation:
		return bot.P("sla.event.escalation", "Due", due, "More", more)
	}
	return bot.P("sla.event.share", "Share", shareOf(main), "Due", due, "More", more)
}

// Notice renders the notice of recorded checks for one reader (viewer nil:
// the operators) in language l: the most severe check, what the request is
// and what it waits for, the business time left or overdue, and the
// buttons the reader may use.
func (s *Scheduler) Notice(r *bot.Request, st Status, keys []string, viewer *bot.Person, l bot.Lang) bot.Reply {
	main := keys[len(keys)-1]
	args := bot.Args{"Due": bot.FormatTime(st.Due), "Left": FormatBusiness(l, st.Left), "Over": FormatBusiness(l, st.Left)}
	var title, head string
	switch main {
	case KeyLead:
		title, head = "sla.title.reminder", bot.Tr(l, "sla.notice.lead", args)
	case KeyBreach:
		title, head = "sla.title.breach", bot.Tr(l, "sla.notice.breach", args)
		if st.Left < -time.Minute {
			head += " " + bot.Tr(l, "sla.notice.overdue", args)
		}
	case KeyEscalation:
		title, head = "sla.title.escalation", bot.Tr(l, "sla.notice.escalation", args)
	default:
		args["Share"] = shareOf(main)
		title, head = "sla.title.reminder", bot.Tr(l, "sla.notice.share", args)
	}
	on := bot.Tr(l, "sla.waiting_on."+string(r.State), nil)
	if r.Assignee != "" {
		on = bot.Tr(l, "sla.notice.assignee", bot.Args{"On": on, "Assignee": r.Assignee})
	}
	lines := []string{head,
		bot.Tr(l, "sla.notice.request", bot.Args{"What": bot.Describe(r, l)}),
		bot.Tr(l, "sla.notice.waiting", bot.Args{"On": on})}
	if len(keys) > 1 {
		lines = append(lines, bot.TrN(l, "sla.notice.collapsed", len(keys), nil))
	}
	return bot.Reply{Kind: bot.KindUpdate, Title: r.ID + " · " + bot.Tr(l, title, nil), Text: strings.Join(lines, "\n"),
		Buttons: s.Bot.Buttons(r, viewer, l), Request: r}
}

// post sends the notice of recorded checks: to the request's thread in the
// requester's language, to the operators' channels, and for an escalation
// to the supervisors' channels and the supervisor in person.
func (s *Scheduler) post(ctx context.Context, r *bot.Request, st Status, keys []string) {
	n := s.Bot.Notify
	if n == nil {
		return
	}
	requester, _ := s.Bot.Store.Person(ctx, r.Requester)
	lang := requester.Language()
	origin := bot.Address{Platform: r.Origin.Platform, Channel: r.Origin.Channel, Thread: r.Origin.Thread, User: r.Origin.UserID}
	n.Post(ctx, bot.Notice{To: origin, Lang: lang, Request: r, Reply: s.Notice(r, st, keys, requester, lang)})
	n.ToOps(ctx, r, origin, func(l bot.Lang) bot.Reply { return s.Notice(r, st, keys, nil, l) })
	s.log().Info("sla: notice posted", "id", r.ID, "checks", strings.Join(keys, ","), "due", st.Due)
	if keys[len(keys)-1] != KeyEscalation {
		return
	}
	platforms := make([]string, 0, len(s.Clock.st.channels))
	for p := range s.Clock.st.channels {
		platforms = append(platforms, p)
	}
	slices.Sort(platforms)
	for _, p := range platforms {
		if n.Poster(p) == nil {
			s.log().Warn("sla: escalation channel on a platform that is not running", "platform", p)
			continue
		}
		n.Post(ctx, bot.Notice{To: bot.Address{Platform: p, Channel: s.Clock.st.channels[p]}, Lang: n.OpsLang, Request: r,
			Reply: s.Notice(r, st, keys, nil, n.OpsLang)})
	}
	if s.Clock.st.person == "" {
		return
	}
	sup, err := s.Bot.Store.Person(ctx, s.Clock.st.person)
	if err != nil {
		s.log().Warn("sla: escalation person is not known to itbot", "person", s.Clock.st.person)
		return
	}
	ids := make([]string, 0, len(sup.Identities))
	for p := range sup.Identities {
		ids = append(ids, p)
	}
	slices.Sort(ids)
	if len(ids) == 0 {
		s.log().Warn("sla: escalation person has no chat account", "person", sup.Email)
	}
	for _, p := range ids {
		l := sup.Language()
		n.Post(ctx, bot.Notice{To: bot.Address{Platform: p, User: sup.Identities[p]}, Lang: l, Request: r, Reply: s.Notice(r, st, keys, sup, l)})
	}
}
