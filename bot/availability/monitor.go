package availability

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"itbot/bot"
)

// Probe asks a service how it is (bot.DVS.Health, bot.Exchange.Health).
// An error counts as Down.
type Probe func(ctx context.Context) (bot.Health, error)

// Service is a monitored service: its target and how to probe it.
type Service struct {
	Target
	Probe Probe
}

// Status is a service's state as the monitor last saw it. It is kept in
// the KVStore, so a restart neither repeats a down alert nor forgets to
// send the recovery.
type Status struct {
	Service string     `json:"service"`
	State   State      `json:"state"`
	At      time.Time  `json:"at"`    // the last probe
	Since   time.Time  `json:"since"` // when the current state began
	Health  bot.Health `json:"health"`
	// Streak counts consecutive probes in State.
	Streak int `json:"streak"`
	// Alerted is set once the current outage's down alert was sent.
	Alerted bool `json:"alerted,omitempty"`
	// DownSince is the first failed probe of the current outage.
	DownSince time.Time `json:"down_since,omitzero"`
}

// Monitor probes services, records their states every minute and alerts
// the operators. Set the exported fields before Run; defaults apply to
// zero values.
type Monitor struct {
	Store    *Store
	KV       bot.KVStore
	Services []Service
	// Interval between probe rounds; default 1 min.
	Interval time.Duration
	// ProbeTimeout bounds one probe; default 20 s.
	ProbeTimeout time.Duration
	// AlertAfter is how many failed probes in a row make a down alert;
	// default 2 (one lost probe is not an outage worth waking anyone).
	AlertAfter int
	// MaxGap is the longest distance between two probes whose minutes in
	// between are filled in; longer gaps (itbot was not running) stay
	// Unknown. Default 3 × Interval.
	MaxGap time.Duration
	// MinMeasured is the share of a period that must be measured for a
	// verdict on the target (Report.MinMeasured); default
	// DefaultMinMeasured.
	MinMeasured float64
	Notify      *bot.Notifier
	Now         func() time.Time
	Log         *slog.Logger

	mu     sync.Mutex
	status map[string]*Status
}

// NewMonitor returns a monitor of services keeping its data in kv and
// alerting through notify (nil: no alerts).
func NewMonitor(kv bot.KVStore, notify *bot.Notifier, services ...Service) *Monitor {
	return &Monitor{Store: NewStore(kv), KV: kv, Services: services, Notify: notify}
}

func (m *Monitor) now() time.Time {
	if m.Now != nil {
		return m.Now().UTC()
	}
	return time.Now().UTC()
}

func (m *Monitor) interval() time.Duration {
	if m.Interval > 0 {
		return m.Interval
	}
	return time.Minute
}

func (m *Monitor) maxGap() time.Duration {
	if m.MaxGap > 0 {
		return m.MaxGap
	}
	return 3 * m.interval()
}

func (m *Monitor) log() *slog.Logger {
	if m.Log != nil {
		return m.Log
	}
	return slog.Default()
}

func (m *Monitor) opsLang() bot.Lang {
	if m.Notify != nil {
		return m.Notify.OpsLang
	}
	return bot.LV
}

// Run probes every Interval until ctx ends.
func (m *Monitor) Run(ctx context.Context) {
	t := time.NewTicker(m.interval())
	defer t.Stop()
	for {
		if err := m.ProbeOnce(ctx); err != nil && ctx.Err() == nil {
			m.log().Warn("availability probe", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type result struct {
	h   bot.Health
	err error
}

// ProbeOnce probes every service (at once, each within ProbeTimeout),
// records the states at the current minute, and sends the alerts due.
func (m *Monitor) ProbeOnce(ctx context.Context) error {
	now := m.now()
	timeout := m.ProbeTimeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	res := make([]result, len(m.Services))
	var wg sync.WaitGroup
	for i, s := range m.Services {
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			defer func() {
				if p := recover(); p != nil {
					res[i] = result{err: fmt.Errorf("probe %s panicked: %v", s.Service, p)}
				}
			}()
			if s.Probe == nil {
				res[i] = result{err: fmt.Errorf("probe %s: not configured", s.Service)}
				return
			}
			h, err := s.Probe(pctx)
			res[i] = result{h, err}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	var first error
	for i, s := range m.Services {
		if err := m.observe(ctx, s, now, res[i]); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// observe records one probe's result and alerts on changes.
func (m *Monitor) observe(ctx context.Context, s Service, now time.Time, r result) error {
	h := r.h
	st := Up
	switch {
	case r.err != nil || !h.Up && !h.Unknown:
		st = Down
	case h.Unknown:
		// An answer that is neither up nor down (a status word the
		// adapter does not know): not counted, no alert, no recovery.
		st = Unknown
		m.log().Info("availability probe: state unknown", "service", s.Service, "status", h.Status)
	}
	if r.err != nil {
		h.Up = false
		if h.Detail == "" {
			h.Detail = bot.UserMessage(r.err, m.opsLang())
			if bot.ErrorCode(r.err) == bot.EINTERNAL {
				h.Detail = r.err.Error() // for the operators: the cause, not "internal error"
			}
		}
		m.log().Info("availability probe failed", "service", s.Service, "err", r.err)
	}
	if h.At.IsZero() {
		h.At = now
	}
	if h.Service == "" {
		h.Service = s.Name
	}
	prev, err := m.Status(ctx, s.Service)
	if err != nil {
		return err
	}
	if prev != nil && !prev.At.IsZero() && st != Unknown && prev.State != Unknown {
		pm, cm := Minute(prev.At), Minute(now)
		if cm.After(pm) && cm.Sub(pm) <= m.maxGap() {
			fill := Down // a change between two probes: count the gap against the service
			if prev.State == Up && st == Up {
				fill = Up
			}
			if err := m.Store.Fill(ctx, s.Service, pm.Add(time.Minute), cm, fill); err != nil {
				return err
			}
		}
	}
	if err := m.Store.Record(ctx, s.Service, now, st); err != nil {
		return err
	}

	cur := &Status{Service: s.Service, State: st, At: now, Since: now, Health: h, Streak: 1}
	if prev != nil {
		cur.Alerted, cur.DownSince = prev.Alerted, prev.DownSince
		if prev.State == st {
			cur.Since, cur.Streak = prev.Since, prev.Streak+1
		}
	}
	persist := prev == nil || prev.State != st || cur.Streak <= m.alertAfter()+1
	switch st {
	case Down:
		if cur.DownSince.IsZero() {
			cur.DownSince = now
		}
		if !cur.Alerted && cur.Streak >= m.alertAfter() {
			cur.Alerted, persist = true, true
			m.alertDown(ctx, s, cur)
		}
	case Up:
		if cur.Alerted {
			m.alertUp(ctx, s, cur)
			persist = true
		}
		cur.Alerted, cur.DownSince = false, time.Time{}
	}
	m.mu.Lock()
	m.status[s.Service] = cur
	m.mu.Unlock()
	if persist {
		b, _ := json.Marshal(cur)
		if err := m.KV.Put(ctx, Bucket, "state/"+s.Service, b); err != nil {
			return fmt.Errorf("availability: save state of %s: %w", s.Service, err)
		}
	}
	if st == Down {
		return m.checkBudget(ctx, s, now)
	}
	return nil
}

func (m *Monitor) alertAfter() int {
	if m.AlertAfter > 0 {
		return m.AlertAfter
	}
	return 2
}

// Status returns a service's last known status, from memory or the
// KVStore; nil when it was never probed.
func (m *Monitor) Status(ctx context.Context, service string) (*Status, error) {
	m.mu.Lock()
	if m.status == nil {
		m.status = map[string]*Status{}
	}
	if st, ok := m.status[service]; ok {
		m.mu.Unlock()
		c := *st
		return &c, nil
	}
	m.mu.Unlock()
	b, err := m.KV.Get(ctx, Bucket, "state/"+service)
	if err != nil {
		return nil, fmt.Errorf("availability: read state of %s: %w", service, err)
	}
	if b == nil {
		return nil, nil
	}
	var st Status
	if err := json.Unmarshal(b, &st); err != nil {
		m.log().Warn("availability: unreadable state, starting afresh", "service", service, "err", err)
		return nil, nil
	}
	m.mu.Lock()
	m.status[service] = &st
	m.mu.Unlock()
	c := st
	return &c, nil
}

// Report returns one service's report for the Riga month containing
// month, measured up to now, with its current state.
func (m *Monitor) Report(ctx context.Context, s Target, month time.Time) (*Report, error) {
	from, to := Month(month)
	tl, err := m.Store.Timeline(ctx, s.Service, from.Add(-time.Minute), to.Add(time.Minute))
	if err != nil {
		return nil, err
	}
	now := m.now()
	r := Compute(tl, s, from, to, now)
	r.MinMeasured = m.MinMeasured
	if r.MinMeasured <= 0 {
		r.MinMeasured = DefaultMinMeasured
	}
	st, err := m.Status(ctx, s.Service)
	if err != nil {
		return nil, err
	}
	if st != nil && now.Sub(st.At) <= m.maxGap() && !st.At.After(now) {
		r.Current, r.Since = st.State, st.Since
		h := st.Health
		r.Health = &h
		if n := len(r.Outages); st.State == Down && n > 0 && r.Outages[n-1].Ongoing {
			r.Since = r.Outages[n-1].Start // the timeline knows better after a restart
		}
	}
	return r, nil
}

// Reports returns every service's report for the month containing month.
func (m *Monitor) Reports(ctx context.Context, month time.Time) ([]*Report, error) {
	out := make([]*Report, 0, len(m.Services))
	for _, s := range m.Services {
		r, err := m.Report(ctx, s.Target, month)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// checkBudget alerts, once a month each, when half and all of the
// downtime budget are used.
func (m *Monitor) checkBudget(ctx context.Context, s Service, now time.Time) error {
	r, err := m.Report(ctx, s.Target, now)
	if err != nil {
		return err
	}
	month := r.From.In(bot.TimeZone).Format("2006-01")
	for _, lvl := range []struct {
		share float64
		name  string
	}{{0.5, "half"}, {1, "full"}} {
		if r.BudgetUsed() < lvl.share {
			continue
		}
		first, err := m.KV.PutIfAbsent(ctx, Bucket, "alert/"+s.Service+"/"+month+"/"+lvl.name, []byte(now.Format(time.RFC3339)))
		if err != nil {
			return fmt.Errorf("availability: alert mark: %w", err)
		}
		if !first {
			continue
		}
		m.log().Warn("availability budget", "service", s.Service, "level", lvl.name, "down_min", r.Down, "budget_min", r.Budget())
		m.toOps(ctx, "avail.alert_"+lvl.name, func(l bot.Lang) bot.Args {
			return bot.Args{"Name": s.Name, "Down": r.Down, "Budget": Minutes(r.Budget(), l), "Left": Minutes(max(0, r.BudgetLeft()), l),
				"Goal": Goal(s.Goal, l), "Avail": Percent(r.Availability(), l)}
		})
	}
	return nil
}

func (m *Monitor) alertDown(ctx context.Context, s Service, st *Status) {
	m.log().Warn("service down", "service", s.Service, "since", st.DownSince, "detail", st.Health.Detail)
	r, err := m.Report(ctx, s.Target, st.At)
	down, budget := 0, 0.0
	if err == nil {
		down, budget = r.Down, r.Budget()
	}
	m.toOps(ctx, "avail.alert_down", func(l bot.Lang) bot.Args {
		return bot.Args{"Name": s.Name, "Since": bot.FormatTime(st.DownSince), "Detail": st.Health.Detail, "Down": down, "Budget": Minutes(budget, l)}
	})
}

func (m *Monitor) alertUp(ctx context.Context, s Service, st *Status) {
	mins := int(st.At.Sub(st.DownSince).Round(time.Minute) / time.Minute)
	m.log().Info("service back up", "service", s.Service, "down_since", st.DownSince, "minutes", mins)
	r, err := m.Report(ctx, s.Target, st.At)
	left := 0.0
	if err == nil {
		left = r.BudgetLeft()
	}
	m.toOps(ctx, "avail.alert_up", func(l bot.Lang) bot.Args {
		return bot.Args{"Name": s.Name, "Since": bot.FormatTime(st.DownSince), "At": bot.FormatTime(st.At), "Minutes": mins, "Left": Minutes(left, l)}
	})
}

// toOps posts an alert (title id + "_title") to the operators' channels.
func (m *Monitor) toOps(ctx context.Context, id string, args func(bot.Lang) bot.Args) {
	if m.Notify == nil {
		return
	}
	m.Notify.ToOps(ctx, nil, bot.Address{}, func(l bot.Lang) bot.Reply {
		a := args(l)
		return bot.Reply{Kind: bot.KindText, Title: bot.Tr(l, id+"_title", a), Text: bot.Tr(l, id, a)}
	})
}
