package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"

	"itbot/bot"
)

// The inbound journal (bot.JournalStore):
//
//	journal       platform 0x00 seq(8) -> Inbound JSON (unfinished or dead)
//	journal_keys  platform 0x00 key    -> seq(8) journaled-at(8, unix ns)
//	idx_delivery  platform 0x00 delivery -> request id (one request per delivery)
var (
	bJournal     = []byte("journal")
	bJournalKeys = []byte("journal_keys")
	bIdxDelivery = []byte("idx_delivery")
	seqJournal   = []byte("journal")
)

func journalKey(platform string, seq uint64) []byte {
	k := append([]byte(platform), 0)
	return binary.BigEndian.AppendUint64(k, seq)
}

func platformPrefix(platform string) []byte { return append([]byte(platform), 0) }

// Journal implements bot.JournalStore. It runs in a bbolt Batch, so the
// doors' concurrent deliveries share one fsync.
func (s *Store) Journal(ctx context.Context, in *bot.Inbound) (dup bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if in.At.IsZero() {
		in.At = time.Now().UTC()
	}
	var seq uint64
	err = s.db.Batch(func(tx *bolt.Tx) error {
		dup, seq = false, 0
		keys := tx.Bucket(bJournalKeys)
		k := append(platformPrefix(in.Platform), in.Key...)
		if keys.Get(k) != nil {
			dup = true
			return nil
		}
		sb := tx.Bucket(bSeq)
		if v := sb.Get(seqJournal); len(v) == 8 {
			seq = binary.BigEndian.Uint64(v)
		}
		seq++
		if err := sb.Put(seqJournal, u64(seq)); err != nil {
			return err
		}
		cp := *in
		cp.Seq = seq
		v, err := json.Marshal(&cp)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bJournal).Put(journalKey(in.Platform, seq), v); err != nil {
			return err
		}
		mark := binary.BigEndian.AppendUint64(u64(seq), uint64(in.At.UnixNano()))
		return keys.Put(k, mark)
	})
	if err == nil && !dup {
		in.Seq = seq
	}
	return dup, err
}

func (s *Store) journalScan(platform string, dead bool, limit int) ([]*bot.Inbound, error) {
	var out []*bot.Inbound
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bJournal).Cursor()
		var prefix []byte // every platform
		if platform != "" {
			prefix = platformPrefix(platform)
		}
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var in bot.Inbound
			if err := json.Unmarshal(v, &in); err != nil {
				return err
			}
			if in.Dead != dead {
				continue
			}
			out = append(out, &in)
			if limit > 0 && len(out) == limit {
				break
			}
		}
		return nil
	})
	return out, err
}

// JournalPending implements bot.JournalStore.
func (s *Store) JournalPending(ctx context.Context, platform string, limit int) ([]*bot.Inbound, error) {
	return s.journalScan(platform, false, limit)
}

// JournalDead implements bot.JournalStore.
func (s *Store) JournalDead(ctx context.Context, platform string) ([]*bot.Inbound, error) {
	return s.journalScan(platform, true, 0)
}

// JournalDone implements bot.JournalStore.
func (s *Store) JournalDone(ctx context.Context, platform string, seq uint64) error {
	return s.db.Batch(func(tx *bolt.Tx) error {
		return tx.Bucket(bJournal).Delete(journalKey(platform, seq))
	})
}

// JournalDrop implements bot.JournalStore.
func (s *Store) JournalDrop(ctx context.Context, platform string, seq uint64) error {
	return s.journalEdit(platform, seq, func(in *bot.Inbound) bool { return false })
}

// JournalFailed implements bot.JournalStore.
func (s *Store) JournalFailed(ctx context.Context, platform string, seq uint64, reason string, dead bool) error {
	return s.journalEdit(platform, seq, func(in *bot.Inbound) bool {
		in.Attempts++
		in.Error, in.Dead = reason, dead
		return true
	})
}

// JournalRetry implements bot.JournalStore.
func (s *Store) JournalRetry(ctx context.Context, platform string, seq uint64) error {
	return s.journalEdit(platform, seq, func(in *bot.Inbound) bool {
		in.Dead, in.Attempts = false, 0
		return true
	})
}

// journalEdit changes (keep true) or deletes (keep false) one entry;
// ENOTFOUND when there is none.
func (s *Store) journalEdit(platform string, seq uint64, fn func(*bot.Inbound) bool) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bJournal)
		k := journalKey(platform, seq)
		v := b.Get(k)
		if v == nil {
			return bot.Errorf(bot.ENOTFOUND, "journal.not_found", "Seq", seq)
		}
		var in bot.Inbound
		if err := json.Unmarshal(v, &in); err != nil {
			return err
		}
		if !fn(&in) {
			return b.Delete(k)
		}
		nv, err := json.Marshal(&in)
		if err != nil {
			return err
		}
		return b.Put(k, nv)
	})
}

// JournalPrune implements bot.JournalStore: keys of entries still in the
// journal are kept whatever their age.
func (s *Store) JournalPrune(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		keys, journal := tx.Bucket(bJournalKeys), tx.Bucket(bJournal)
		c := keys.Cursor()
		for k, v := c.First(); k != nil; {
			if err := ctx.Err(); err != nil {
				return err
			}
			if len(v) == 16 && int64(binary.BigEndian.Uint64(v[8:])) < before.UnixNano() {
				platform, _, _ := bytes.Cut(k, []byte{0})
				if journal.Get(journalKey(string(platform), binary.BigEndian.Uint64(v[:8]))) == nil {
					if err := c.Delete(); err != nil {
						return err
					}
					n++
					k, v = c.Seek(k)
					continue
				}
			}
			k, v = c.Next()
		}
		return nil
	})
	return n, err
}

// deliveryKey is a request's key in idx_delivery, nil when its origin
// names no delivery.
func deliveryKey(o bot.Origin) []byte {
	if o.Delivery == "" {
		return nil
	}
	return append(platformPrefix(o.Platform), o.Delivery...)
}
