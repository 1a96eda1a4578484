package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"time"

	bolt "go.etcd.io/bbolt"

	"itbot/bot"
)

// The notice marks (bot.NoticeStore): every stored change of a request
// leaves a mark in the same transaction, removed once all the change's
// notices were delivered; a mark left by a crash makes the bot post them
// again at the next start.
//
//	outbox  request id 0x00 first event seq(4) -> last event seq(4)
var bOutbox = []byte("outbox")

func outboxKey(id string, first int) []byte {
	k := append([]byte(id), 0)
	return binary.BigEndian.AppendUint32(k, uint32(first))
}

// markChange records, inside a change's transaction, that its notices are
// still to be delivered.
func markChange(tx *bolt.Tx, id string, first, last int) error {
	return tx.Bucket(bOutbox).Put(outboxKey(id, first), binary.BigEndian.AppendUint32(nil, uint32(last)))
}

// announceDelay is how long removals of notice marks are gathered before
// one transaction writes them: a mark whose removal a crash loses only
// makes its change's notices be posted once more.
const announceDelay = 20 * time.Millisecond

// Unannounced implements bot.NoticeStore.
func (s *Store) Unannounced(ctx context.Context, limit int) ([]bot.Change, error) {
	s.flushAnnounced()
	var out []bot.Change
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bOutbox).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			id, seq, ok := bytes.Cut(k, []byte{0})
			if !ok || len(seq) != 4 || len(v) != 4 {
				continue
			}
			out = append(out, bot.Change{RequestID: string(id), First: int(binary.BigEndian.Uint32(seq)), Last: int(binary.BigEndian.Uint32(v))})
			if limit > 0 && len(out) == limit {
				break
			}
		}
		return nil
	})
	return out, err
}

// Announced implements bot.NoticeStore. Removals are gathered for
// announceDelay and written in one transaction.
func (s *Store) Announced(ctx context.Context, c bot.Change) error {
	s.annMu.Lock()
	defer s.annMu.Unlock()
	s.announced = append(s.announced, outboxKey(c.RequestID, c.First))
	if len(s.announced) == 1 {
		time.AfterFunc(announceDelay, s.flushAnnounced)
	}
	return nil
}

// flushAnnounced writes the gathered removals.
func (s *Store) flushAnnounced() {
	s.annMu.Lock()
	keys := s.announced
	s.announced = nil
	s.annMu.Unlock()
	if len(keys) == 0 {
		return
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bOutbox)
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, bolt.ErrDatabaseNotOpen) {
		slog.Warn("store: removing notice marks", "count", len(keys), "err", err)
	}
}
