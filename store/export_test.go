package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"itbot/bot"
)

// EachRequest walks every request once, in id order, across its pages,
// with its history, and filters by period and institution.
func TestEachRequestPages(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "itbot.db"))
	ctx := context.Background()
	start := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	const n = 1203
	for i := 0; i < n; i++ {
		inst := "LGIA"
		if i%3 == 0 {
			inst = "VVD"
		}
		at := start.Add(time.Duration(i) * time.Minute)
		r := &bot.Request{Type: "consult", Params: bot.Params{Text: "?"}, Requester: "a@b.lv", Institution: inst, State: bot.StateNew, CreatedAt: at, UpdatedAt: at}
		if err := s.CreateRequest(ctx, r, bot.Event{At: at, Actor: "a@b.lv", Kind: bot.EventCreated, To: bot.StateNew}); err != nil {
			t.Fatal(err)
		}
	}
	var last string
	count := 0
	err := s.EachRequest(ctx, bot.ExportFilter{}, func(r *bot.Request, evs []bot.Event) error {
		if r.ID <= last || len(evs) != 1 || evs[0].RequestID != r.ID {
			t.Fatalf("at %s after %s: %d events", r.ID, last, len(evs))
		}
		last = r.ID
		count++
		return nil
	})
	if err != nil || count != n {
		t.Fatalf("walked %d of %d: %v", count, n, err)
	}
	count = 0
	f := bot.ExportFilter{From: start.Add(100 * time.Minute), To: start.Add(700 * time.Minute), Institution: "VVD"}
	s.EachRequest(ctx, f, func(r *bot.Request, _ []bot.Event) error {
		if r.Institution != "VVD" || r.CreatedAt.Before(f.From) || !r.CreatedAt.Before(f.To) {
			t.Errorf("%s outside the filter", r.ID)
		}
		count++
		return nil
	})
	if count != 200 {
		t.Errorf("filtered: %d, want 200", count)
	}
}
