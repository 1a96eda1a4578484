// Package scale builds large itbot data files the way users fill them —
// every request created (and some cancelled) through the real router and
// commands — for the benchmarks that show what grows with the data and
// what does not (docs/BENCHMARKS.md, cmd/itbotfill).
package scale

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"itbot/bot"
	"itbot/bot/seed"
	"itbot/bot/slaclock"
	"itbot/commands"
	"itbot/store"
)

// Heavy is the requester with a long history: one request in ten is
// hers, so "my requests" is measured against a person with N/10 behind her.
const Heavy = "anna.berzina@lgia.gov.lv"

// ITContact is LGIA's IT contact: what waits for her approval is every
// request Fill makes (all LGIA's licences).
const ITContact = "ilze.liepa@lgia.gov.lv"

// Operator is the agency operator the queue is read as.
const Operator = "kristaps.lapsa@vraa.gov.lv"

// Env is a bot on a data file, with every command registered and the
// business-day SLA clock.
type Env struct {
	Store  *store.Store
	Bot    *bot.Bot
	Router *bot.Router
}

// Open opens the data file at path as a whole bot (no adapters, no
// services: nothing is executed).
func Open(path string) (*Env, error) {
	st, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if err := seed.Directory(ctx, st); err != nil {
		st.Close()
		return nil, err
	}
	log := slog.New(slog.DiscardHandler)
	b := bot.New(st, log)
	clock, err := slaclock.New(slaclock.Config{})
	if err != nil {
		st.Close()
		return nil, err
	}
	b.SLA = clock
	r := bot.NewRouter(log)
	commands.Register(r, &commands.Deps{Bot: b})
	return &Env{Store: st, Bot: b, Router: r}, nil
}

// Close closes the data file.
func (e *Env) Close() error { return e.Store.Close() }

// Say routes text from the person with that e-mail and returns the
// replies.
func (e *Env) Say(ctx context.Context, email, text string) ([]bot.Reply, error) {
	p, err := e.Store.Person(ctx, email)
	if err != nil {
		return nil, err
	}
	rec := &bot.Recorder{}
	m := &bot.Message{Platform: "scale", Channel: "scale", UserID: email, Person: p, Text: text, Source: bot.SourceTyped}
	if err := e.Router.Route(ctx, rec, m); err != nil {
		return nil, err
	}
	return rec.Replies, nil
}

// employees is how many generated LGIA employees ask besides Heavy.
const employees = 200

func employee(i int) string { return fmt.Sprintf("darbinieks%03d@lgia.gov.lv", i) }

// Fill adds requests to the data file until it holds n, created through
// the router by LGIA's employees (one in ten by Heavy), each a licence
// for a different address; closed is the share cancelled by their
// requester right after (0.13 leaves 87 % open). workers route at once.
// Progress, if not nil, gets a line every 10 %.
func Fill(ctx context.Context, e *Env, n int, closed float64, workers int, progress io.Writer) (int, error) {
	for i := range employees {
		p := &bot.Person{Email: employee(i), Name: fmt.Sprintf("Darbinieks %d", i), Institution: "LGIA", Roles: []bot.Role{bot.RoleEmployee}, Lang: bot.LV}
		if err := e.Store.PutPerson(ctx, p); err != nil {
			return 0, err
		}
	}
	have, err := count(ctx, e.Store)
	if err != nil || have >= n {
		return have, err
	}
	if workers <= 0 {
		workers = 32
	}
	var next atomic.Int64
	next.Store(int64(have))
	var made atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				who := employee(i % employees)
				if i%10 == 0 {
					who = Heavy
				}
				reps, err := e.Say(ctx, who, fmt.Sprintf("/it licence assign u%07d@lgia.gov.lv E3", i))
				if err == nil && (len(reps) == 0 || reps[0].Request == nil) {
					err = fmt.Errorf("request %d not created: %+v", i, reps)
				}
				if err == nil && float64(i%100) < closed*100 {
					_, err = e.Say(ctx, who, "/it cancel "+reps[0].Request.ID)
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				if m := made.Add(1); progress != nil && m%int64(max(n/10, 1)) == 0 {
					fmt.Fprintf(progress, "%d requests (%.0f/s)\n", int(m)+have, float64(m)/time.Since(start).Seconds())
				}
			}
		}()
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return have + int(made.Load()), firstErr
}

// count is how many requests the file holds: the number of the newest
// (Fill creates them all in one year and deletes none).
func count(ctx context.Context, st *store.Store) (int, error) {
	pg, err := st.RequestPage(ctx, bot.PageQuery{Size: 1})
	if err != nil || len(pg.Requests) == 0 {
		return 0, err
	}
	_, num, _ := bot.SplitID(pg.Requests[0].ID)
	return int(num), nil
}

// FileSize is the data file's size in bytes.
func FileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
