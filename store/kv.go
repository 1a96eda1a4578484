package store

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"
)

func kvName(bucket string) []byte { return []byte(kvPrefix + bucket) }

// Put implements bot.KVStore.
func (s *Store) Put(ctx context.Context, bucket, key string, val []byte) error {
	return s.db.Batch(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(kvName(bucket))
		if err != nil {
			return err
		}
		return b.Put([]byte(key), val)
	})
}

// Get implements bot.KVStore.
func (s *Store) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(kvName(bucket)); b != nil {
			if v := b.Get([]byte(key)); v != nil {
				out = bytes.Clone(v)
			}
		}
		return nil
	})
	return out, err
}

// Delete implements bot.KVStore.
func (s *Store) Delete(ctx context.Context, bucket, key string) error {
	return s.db.Batch(func(tx *bolt.Tx) error {
		if b := tx.Bucket(kvName(bucket)); b != nil {
			return b.Delete([]byte(key))
		}
		return nil
	})
}

// PutIfAbsent implements bot.KVStore.
func (s *Store) PutIfAbsent(ctx context.Context, bucket, key string, val []byte) (bool, error) {
	var stored bool
	err := s.db.Batch(func(tx *bolt.Tx) error {
		stored = false
		b, err := tx.CreateBucketIfNotExists(kvName(bucket))
		if err != nil {
			return err
		}
		if b.Get([]byte(key)) != nil {
			return nil
		}
		stored = true
		return b.Put([]byte(key), val)
	})
	return stored, err
}

// Scan implements bot.KVStore.
func (s *Store) Scan(ctx context.Context, bucket, from, to string, fn func(key string, val []byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(kvName(bucket))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek([]byte(from)); k != nil; k, v = c.Next() {
			if to != "" && string(k) >= to {
				break
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(string(k), v); err != nil {
				return err
			}
		}
		return nil
	})
}
