package store

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"itbot/bot"
)

// exportPage is how many requests one read transaction reads for
// EachRequest.
const exportPage = 500

// EachRequest implements bot.Exporter: requests in id order, each with its
// audit trail, read exportPage at a time in short read transactions; fn is
// called outside them.
func (s *Store) EachRequest(ctx context.Context, f bot.ExportFilter, fn func(*bot.Request, []bot.Event) error) error {
	type item struct {
		r   *bot.Request
		evs []bot.Event
	}
	var after []byte
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var page []item
		err := s.db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bRequests).Cursor()
			k, v := c.First()
			if after != nil {
				k, v = c.Seek(after)
				if k != nil && string(k) == string(after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && len(page) < exportPage; k, v = c.Next() {
				after = append(after[:0], k...)
				var r bot.Request
				if err := json.Unmarshal(v, &r); err != nil {
					return fmt.Errorf("store: request %s: %w", k, err)
				}
				switch {
				case f.Institution != "" && r.Institution != f.Institution,
					!f.From.IsZero() && r.CreatedAt.Before(f.From),
					!f.To.IsZero() && !r.CreatedAt.Before(f.To):
					continue
				}
				evs, err := getEvents(tx, r.ID)
				if err != nil {
					return err
				}
				page = append(page, item{&r, evs})
			}
			if k == nil {
				after = nil // the end
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, it := range page {
			if err := fn(it.r, it.evs); err != nil {
				return err
			}
		}
		if after == nil {
			return nil
		}
	}
}
