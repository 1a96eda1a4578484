package slack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"itbot/bot"
)

// Inbound work is journaled before it is acknowledged: the door writes
// what Slack delivered to the store's journal (one group-committed
// transaction for concurrent deliveries) under Slack's de-duplication key,
// and only then answers 200. A worker runs it and marks it handled; what
// was journaled and not finished when the process stopped is run at the
// next start. A key journaled before is acknowledged and not run again.

// Kinds of journaled deliveries.
const (
	kindCommand = "command" // a slash command: JSON of slackgo.SlashCommand
	kindAction  = "action"  // button clicks: JSON of the interaction
	kindView    = "view"    // a valid modal submission: JSON of the interaction
	kindEvent   = "event"   // an Events API callback: the envelope as received
)

// journalTimeout bounds the wait for the journal's commit; Slack wants an
// answer within 3 s.
const journalTimeout = 2 * time.Second

// maxInboundAttempts is how often a delivery is tried before it is set
// aside for an operator (`itbot journal list|retry|drop`).
const maxInboundAttempts = 5

// De-duplication keys. Slack sends a fresh trigger_id with every slash
// command, click and modal submission ("trigger_id … expires in three
// seconds", api.slack.com/interactivity/handling#modal_responses), and an
// event_id that stays the same across the Events API's retries
// (X-Slack-Retry-Num; api.slack.com/apis/events-api#retries) — whatever
// event_time says. A delivery without its id is keyed by its content, so
// the same body twice is one delivery.
func keyCommand(sc slackgo.SlashCommand) string {
	if sc.TriggerID != "" {
		return "cmd/" + sc.TriggerID
	}
	return "cmd/" + digest(sc.TeamID, sc.ChannelID, sc.UserID, sc.Command, sc.Text, sc.ResponseURL)
}

func keyAction(cb slackgo.InteractionCallback) string {
	if cb.TriggerID != "" {
		return "act/" + cb.TriggerID
	}
	ts := ""
	if len(cb.ActionCallback.BlockActions) > 0 {
		ts = cb.ActionCallback.BlockActions[0].ActionTs
	}
	return "act/" + digest(cb.User.ID, cb.Container.MessageTs, ts)
}

func keyView(cb slackgo.InteractionCallback) string { return "view/" + cb.View.ID }

func keyEvent(eventID string) string { return "evt/" + eventID }

func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// receive journals a delivery and hands it to a worker. It reports whether
// the delivery is stored (new, or journaled before); only then may the
// door acknowledge it.
func (a *Adapter) receive(ctx context.Context, endpoint, kind, key string, body []byte) bool {
	in := &bot.Inbound{Platform: Platform, Key: key, Kind: kind, Body: body, At: time.Now().UTC()}
	jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journalTimeout)
	defer cancel()
	dup, err := a.store.Journal(jctx, in)
	switch {
	case err != nil:
		a.metrics.acks.WithLabelValues(endpoint, "unstored").Inc()
		a.log.Error("slack: a delivery could not be journaled; not acknowledged", "endpoint", endpoint, "key", key, "err", err)
		return false
	case dup:
		a.metrics.acks.WithLabelValues(endpoint, "duplicate").Inc()
		a.log.Info("slack: a delivery seen before is acknowledged and not run again", "endpoint", endpoint, "key", key)
		return true
	}
	a.metrics.acks.WithLabelValues(endpoint, "journaled").Inc()
	a.dispatch(in)
	return true
}

// inflight is the set of journal entries a worker has or is about to have,
// and of those finished lately: a sweep reads the journal before it
// dispatches, so an entry a worker finished in between must not run again.
type inflight struct {
	mu sync.Mutex
	m  map[uint64]time.Time // seq -> zero while in flight, else when it was finished
}

// finish marks an entry handled; forget drops the marks older than before.
func (f *inflight) finish(seq uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[seq] = time.Now()
}

func (f *inflight) forget(before time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for seq, at := range f.m {
		if !at.IsZero() && at.Before(before) {
			delete(f.m, seq)
		}
	}
}

func (f *inflight) claim(seq uint64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, busy := f.m[seq]; busy {
		return false
	}
	f.m[seq] = time.Time{}
	return true
}

func (f *inflight) release(seq uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.m, seq)
}

// dispatch hands an entry to a worker unless one has it already. A full
// queue leaves it in the journal, where the sweeper finds it.
func (a *Adapter) dispatch(in *bot.Inbound) {
	if a.closing.Load() || !a.flight.claim(in.Seq) {
		return
	}
	a.pending.Add(1)
	select {
	case a.inbound <- in:
	default:
		a.pending.Add(-1)
		a.flight.release(in.Seq)
		a.metrics.acks.WithLabelValues(in.Kind, "deferred").Inc()
	}
}

// sweep hands the journal's unfinished entries to the workers: at start
// (what the last run did not finish) and whenever the queue had no room.
func (a *Adapter) sweep(ctx context.Context) {
	a.flight.forget(time.Now().Add(-time.Minute))
	room := cap(a.inbound) - len(a.inbound)
	if room <= 0 || a.closing.Load() {
		return
	}
	ins, err := a.store.JournalPending(ctx, Platform, room)
	if err != nil {
		a.log.Warn("slack: journal sweep", "err", err)
		return
	}
	now := time.Now()
	for _, in := range ins {
		if a.retryLater(in, now) {
			continue
		}
		a.dispatch(in)
	}
}

// retryLater reports whether a failed entry must wait before its next
// attempt (1 s, 2 s, 4 s … after each failure).
func (a *Adapter) retryLater(in *bot.Inbound, now time.Time) bool {
	if in.Attempts == 0 {
		return false
	}
	a.retryMu.Lock()
	defer a.retryMu.Unlock()
	at, ok := a.retryAt[in.Seq]
	if !ok {
		a.retryAt[in.Seq] = now.Add(time.Second << min(in.Attempts-1, 6))
		return true
	}
	if now.Before(at) {
		return true
	}
	delete(a.retryAt, in.Seq)
	return false
}

// sweepLoop sweeps at start and every interval until the adapter stops.
func (a *Adapter) sweepLoop(interval time.Duration) {
	defer a.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		a.sweep(a.workCtx)
		select {
		case <-a.stop:
			return
		case <-t.C:
		}
	}
}

// handle runs one journaled delivery and records the result: handled, or
// failed (set aside after maxInboundAttempts, with an alert to the
// operators). A delivery interrupted by a shutdown stays in the journal
// for the next start.
func (a *Adapter) handle(in *bot.Inbound) {
	err := a.runEntry(a.workCtx, in)
	ctx := context.WithoutCancel(a.workCtx)
	if err == nil {
		if a.workCtx.Err() != nil {
			a.flight.release(in.Seq)
			return // stopped midway: run again at the next start
		}
		if derr := a.store.JournalDone(ctx, Platform, in.Seq); derr != nil {
			a.log.Error("slack: journal done", "seq", in.Seq, "err", derr)
		}
		a.flight.finish(in.Seq)
		return
	}
	defer a.flight.release(in.Seq)
	attempts := in.Attempts + 1
	dead := attempts >= maxInboundAttempts
	a.log.Error("slack: a delivery failed", "seq", in.Seq, "kind", in.Kind, "key", in.Key, "attempt", attempts, "set_aside", dead, "err", err)
	if ferr := a.store.JournalFailed(ctx, Platform, in.Seq, err.Error(), dead); ferr != nil {
		a.log.Error("slack: journal failed", "seq", in.Seq, "err", ferr)
	}
	if dead {
		a.door.Notify.ToOps(ctx, nil, bot.Address{}, func(l bot.Lang) bot.Reply {
			return bot.Reply{Kind: bot.KindError, Text: bot.Tr(l, "slack.journal_dead", bot.Args{"Seq": in.Seq, "Kind": in.Kind, "Error": err.Error()})}
		})
	}
}

// runEntry runs a journaled delivery as the door would have at once. A
// panic is an error (the entry is tried again, then set aside).
func (a *Adapter) runEntry(ctx context.Context, in *bot.Inbound) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	switch in.Kind {
	case kindCommand:
		var sc slackgo.SlashCommand
		if err := json.Unmarshal(in.Body, &sc); err != nil {
			return err
		}
		a.runCommand(ctx, sc)
	case kindAction, kindView:
		var cb slackgo.InteractionCallback
		if err := json.Unmarshal(in.Body, &cb); err != nil {
			return err
		}
		if in.Kind == kindAction {
			a.runActions(ctx, cb)
			return nil
		}
		if resp, j := a.viewSubmission(ctx, cb); j != nil {
			j(ctx)
		} else if resp != nil {
			a.log.Info("slack: a journaled form no longer validates; nothing run", "view", cb.View.ID)
		}
	case kindEvent:
		ev, ok, perr := ParseEvent(in.Body)
		if !ok {
			return errors.Join(errors.New("journaled event unreadable"), perr)
		}
		if cb, isCB := ev.Data.(*slackevents.EventsAPICallbackEvent); isCB {
			a.runEvent(ctx, cb, ev.InnerEvent)
		}
	default:
		return fmt.Errorf("unknown journal kind %q", in.Kind)
	}
	return nil
}
