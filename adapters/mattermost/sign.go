package mattermost

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Context keys of a signed button.
const (
	ctxCommand   = "cmd"
	ctxTimestamp = "ts"
	ctxSignature = "sig"
)

// Errors of signature checks.
var (
	// ErrForged reports a button context or dialog state whose signature
	// does not match: it was not made by this itbot.
	ErrForged = errors.New("mattermost: signature does not match")
	// ErrExpired reports a correctly signed context that is too old.
	ErrExpired = errors.New("mattermost: signed context expired")
)

// signer signs button contexts and dialog states with HMAC-SHA256. The
// signed text names its kind and version, so a dialog state can never pass
// as a button and the format can change.
type signer struct {
	key    []byte
	maxAge time.Duration
	now    func() time.Time
}

func (s *signer) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		// Length-prefixed, so no two part lists sign the same bytes.
		m.Write([]byte(strconv.Itoa(len(p))))
		m.Write([]byte{':'})
		m.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Context returns the integration context for a button that runs cmd.
func (s *signer) Context(cmd string) map[string]any {
	ts := strconv.FormatInt(s.now().Unix(), 10)
	return map[string]any{ctxCommand: cmd, ctxTimestamp: ts, ctxSignature: s.mac("itbot.action.v1", ts, cmd)}
}

// Verify checks a button context and returns its command string.
func (s *signer) Verify(ctx map[string]any) (string, error) {
	cmd, ok1 := ctx[ctxCommand].(string)
	ts, ok2 := ctx[ctxTimestamp].(string)
	sig, ok3 := ctx[ctxSignature].(string)
	if !ok1 || !ok2 || !ok3 {
		return "", ErrForged
	}
	want := s.mac("itbot.action.v1", ts, cmd)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return "", ErrForged
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "", ErrForged
	}
	if age := s.now().Sub(time.Unix(sec, 0)); age > s.maxAge || age < -5*time.Minute {
		return cmd, ErrExpired
	}
	return cmd, nil
}

// dialogMaxAge is how long an opened dialog may be submitted.
const dialogMaxAge = 24 * time.Hour

// State returns a dialog state bound to the user and channel it was opened
// for.
func (s *signer) State(user, channel string) string {
	ts := strconv.FormatInt(s.now().Unix(), 10)
	return ts + "." + s.mac("itbot.dialog.v1", ts, user, channel)
}

// VerifyState checks that a dialog state was made for this user and
// channel.
func (s *signer) VerifyState(state, user, channel string) error {
	ts, sig, ok := strings.Cut(state, ".")
	if !ok {
		return ErrForged
	}
	if !hmac.Equal([]byte(sig), []byte(s.mac("itbot.dialog.v1", ts, user, channel))) {
		return ErrForged
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrForged
	}
	if age := s.now().Sub(time.Unix(sec, 0)); age > dialogMaxAge || age < -5*time.Minute {
		return ErrExpired
	}
	return nil
}
