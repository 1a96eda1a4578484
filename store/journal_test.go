package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"itbot/bot"
)

func TestJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "itbot.db")
	s := open(t, path)
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	in := &bot.Inbound{Platform: "slack", Key: "cmd/T1", Kind: "command", Body: []byte("text=hello"), At: at}
	dup, err := s.Journal(ctx, in)
	if err != nil || dup || in.Seq == 0 {
		t.Fatalf("first: dup %v seq %d err %v", dup, in.Seq, err)
	}
	// The same key again, on the same platform: a duplicate; on another
	// platform: its own entry.
	if dup, err := s.Journal(ctx, &bot.Inbound{Platform: "slack", Key: "cmd/T1", Body: []byte("other")}); !dup || err != nil {
		t.Fatalf("replay: dup %v err %v", dup, err)
	}
	if dup, err := s.Journal(ctx, &bot.Inbound{Platform: "mattermost", Key: "cmd/T1"}); dup || err != nil {
		t.Fatalf("other platform: dup %v err %v", dup, err)
	}
	// Concurrent deliveries, some repeated: one entry per key.
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Journal(ctx, &bot.Inbound{Platform: "slack", Key: fmt.Sprintf("evt/E%d", i%20), At: at}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	ps, err := s.JournalPending(ctx, "slack", 0)
	if err != nil || len(ps) != 21 || ps[0].Key != "cmd/T1" || string(ps[0].Body) != "text=hello" {
		t.Fatalf("pending %d %v", len(ps), err)
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Seq <= ps[i-1].Seq {
			t.Fatalf("not in order at %d", i)
		}
	}
	// Survives a reopen.
	s.Close()
	s = open(t, path)
	if ps, _ := s.JournalPending(ctx, "slack", 5); len(ps) != 5 {
		t.Fatalf("after reopen %d (limit 5)", len(ps))
	}
	// Handled: gone from pending, key still remembered.
	if err := s.JournalDone(ctx, "slack", in.Seq); err != nil {
		t.Fatal(err)
	}
	if dup, _ := s.Journal(ctx, &bot.Inbound{Platform: "slack", Key: "cmd/T1"}); !dup {
		t.Error("a handled key was journaled again")
	}
	// Failures, dead letters, retry, drop.
	ps, _ = s.JournalPending(ctx, "slack", 0)
	e := ps[0]
	if err := s.JournalFailed(ctx, "slack", e.Seq, "boom", false); err != nil {
		t.Fatal(err)
	}
	if err := s.JournalFailed(ctx, "slack", e.Seq, "boom again", true); err != nil {
		t.Fatal(err)
	}
	dead, _ := s.JournalDead(ctx, "slack")
	if len(dead) != 1 || dead[0].Attempts != 2 || dead[0].Error != "boom again" {
		t.Fatalf("dead %+v", dead)
	}
	if all, _ := s.JournalDead(ctx, ""); len(all) != 1 {
		t.Fatalf("dead of every platform: %d", len(all))
	}
	if none, _ := s.JournalDead(ctx, "mattermost"); len(none) != 0 {
		t.Fatalf("dead of another platform: %d", len(none))
	}
	if ps2, _ := s.JournalPending(ctx, "slack", 0); len(ps2) != len(ps)-1 {
		t.Errorf("a dead entry is still pending")
	}
	if err := s.JournalRetry(ctx, "slack", e.Seq); err != nil {
		t.Fatal(err)
	}
	if dead, _ := s.JournalDead(ctx, ""); len(dead) != 0 {
		t.Errorf("retry left it dead")
	}
	if err := s.JournalDrop(ctx, "slack", e.Seq); err != nil {
		t.Fatal(err)
	}
	if err := s.JournalDrop(ctx, "slack", e.Seq); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("drop twice: %v", err)
	}
	// Prune forgets old handled keys only.
	n, err := s.JournalPrune(ctx, at.Add(time.Hour))
	if err != nil || n < 2 {
		t.Fatalf("pruned %d %v", n, err)
	}
	if dup, _ := s.Journal(ctx, &bot.Inbound{Platform: "slack", Key: "cmd/T1", At: at}); dup {
		t.Error("a pruned key is still remembered")
	}
	if dup, _ := s.Journal(ctx, &bot.Inbound{Platform: "slack", Key: ps[1].Key}); !dup {
		t.Error("a key of an unfinished entry was pruned")
	}
}

func TestOneRequestPerDelivery(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "itbot.db"))
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	mk := func(delivery string) *bot.Request {
		return &bot.Request{Type: "consult", Params: bot.Params{Text: "?"}, Requester: "a@b.lv", Institution: "LGIA", State: bot.StateNew,
			CreatedAt: now, UpdatedAt: now, Origin: bot.Origin{Platform: "slack", Delivery: delivery}}
	}
	r1 := mk("cmd/T1")
	if err := s.CreateRequest(ctx, r1); err != nil {
		t.Fatal(err)
	}
	err := s.CreateRequest(ctx, mk("cmd/T1"))
	var dup *bot.DuplicateError
	if !errors.As(err, &dup) || dup.ID != r1.ID {
		t.Fatalf("second create: %v", err)
	}
	for _, d := range []string{"cmd/T2", "", ""} {
		if err := s.CreateRequest(ctx, mk(d)); err != nil {
			t.Fatalf("%q: %v", d, err)
		}
	}
	if rs, _ := s.Requests(ctx, bot.RequestFilter{}); len(rs) != 4 {
		t.Errorf("%d requests, want 4", len(rs))
	}
}
