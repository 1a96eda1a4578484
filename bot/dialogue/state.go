package dialogue

import (
	"context"
	"encoding/json"
	"time"

	"itbot/bot"
)

// Keys in Bucket. A conversation's state lives under
// "c␟person␟platform␟channel␟thread"; a confirmation token points to it
// from "t␟token".
const (
	sep         = "\x1f"
	convPrefix  = "c" + sep
	tokenPrefix = "t" + sep
)

// Stages of a dialogue.
const (
	stageAsk     = "ask"     // waiting for the value of Asking
	stageConfirm = "confirm" // waiting for yes/no on the restated request
)

// slotReason is the pseudo-slot asked for a rejection's reason.
const slotReason = "reason"

// state is one open dialogue, stored as JSON.
type state struct {
	Person string            `json:"person"`
	Intent string            `json:"intent"`
	Slots  map[string]string `json:"slots,omitempty"`
	Reason string            `json:"reason,omitempty"`
	// Text is the message that started the dialogue: free-text requests
	// carry it, and answers are re-read in its context.
	Text   string   `json:"text"`
	Lang   bot.Lang `json:"lang"`
	Stage  string   `json:"stage"`
	Asking string   `json:"asking,omitempty"`
	Token  string   `json:"token,omitempty"`
	// Origin is where the dialogue started: the request's thread.
	Origin  bot.Origin `json:"origin"`
	Started time.Time  `json:"started"`
	Expires time.Time  `json:"expires"`
	// Tries counts unusable answers to the current question.
	Tries int `json:"tries,omitempty"`
}

func convKey(person string, m *bot.Message) string {
	return convPrefix + person + sep + m.Platform + sep + m.Channel + sep + m.Thread
}

func tokenKey(tok string) string { return tokenPrefix + tok }

func decodeState(v []byte) (*state, error) {
	st := &state{}
	if err := json.Unmarshal(v, st); err != nil {
		return nil, err
	}
	if st.Slots == nil {
		st.Slots = map[string]string{}
	}
	return st, nil
}

// load returns the conversation's dialogue, or nil. A record that cannot be
// read (written by an incompatible version) is dropped and logged.
func (d *Dialogue) load(ctx context.Context, key string) (*state, error) {
	v, err := d.bot.Store.Get(ctx, Bucket, key)
	if err != nil || v == nil {
		return nil, err
	}
	st, err := decodeState(v)
	if err != nil {
		d.log.Warn("dialogue state unreadable; dropped", "key", key, "err", err)
		return nil, d.bot.Store.Delete(ctx, Bucket, key)
	}
	return st, nil
}

// save stores st with a fresh expiry, and its token index when it waits
// for a confirmation.
func (d *Dialogue) save(ctx context.Context, key string, st *state, now time.Time) error {
	st.Expires = now.Add(d.opts.Expiry)
	v, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := d.bot.Store.Put(ctx, Bucket, key, v); err != nil {
		return err
	}
	if st.Token != "" {
		return d.bot.Store.Put(ctx, Bucket, tokenKey(st.Token), []byte(key))
	}
	return nil
}

// drop deletes the dialogue. Its token record is left for Sweep: a token
// is honoured only while the dialogue it points to still holds it, so a
// stale one is harmless, and every store commit saved is an fsync saved.
func (d *Dialogue) drop(ctx context.Context, key string) error {
	return d.bot.Store.Delete(ctx, Bucket, key)
}
