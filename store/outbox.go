package store

import (
	"bytes"
	"context"
	"encoding/binary"

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

// Unannounced implements bot.NoticeStore.
func (s *Store) Unannounced(ctx context.Context, limit int) ([]bot.Change, error) {
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

// Announced implements bot.NoticeStore; concurrent calls share a commit.
func (s *Store) Announced(ctx context.Context, c bot.Change) error {
	return s.db.Batch(func(tx *bolt.Tx) error {
		return tx.Bucket(bOutbox).Delete(outboxKey(c.RequestID, c.First))
	})
}
