package sandbox

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"sync"
	"time"

	"itbot/bot"
)

// faults is a queue of injected failures per operation.
type faults struct {
	mu sync.Mutex
	q  map[string][]error
}

func (f *faults) add(op string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.q == nil {
		f.q = map[string][]error{}
	}
	f.q[op] = append(f.q[op], err)
}

// take pops the first failure queued for op, else one queued for "*".
func (f *faults) take(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range []string{op, "*"} {
		if q := f.q[k]; len(q) > 0 {
			err := q[0]
			if len(q) == 1 {
				delete(f.q, k)
			} else {
				f.q[k] = q[1:]
			}
			return err
		}
	}
	return nil
}

// ThrottleError is the cause of a throttled call: the service answered 429
// Too Many Requests and asks to retry after RetryAfter.
type ThrottleError struct {
	Service    string
	RetryAfter time.Duration
}

// Error describes the throttling for logs.
func (e *ThrottleError) Error() string {
	return fmt.Sprintf("%s: 429 Too Many Requests, Retry-After: %d", e.Service, int(e.RetryAfter.Seconds()))
}

// Throttled returns the error a throttled Exchange Online call fails with:
// EUNAVAILABLE, with a *ThrottleError cause. Use it with FailNext.
func Throttled(retryAfter time.Duration) *bot.Error {
	secs := int((retryAfter + time.Second - 1) / time.Second)
	return bot.Wrap(&ThrottleError{Service: "exchange online", RetryAfter: retryAfter}, bot.EUNAVAILABLE, "sbx.throttled", "Seconds", secs)
}

// Password character classes. Look-alike characters (0 O 1 l I) are left
// out so a password can be read out over the phone; the symbols are ones
// chat markup leaves alone.
const (
	pwUpper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	pwLower  = "abcdefghijkmnopqrstuvwxyz"
	pwDigit  = "23456789"
	pwSymbol = "!#$%+=?@"
	// PasswordLength is the length of a temporary password.
	PasswordLength = 16
)

// TempPassword returns a random temporary password of PasswordLength
// characters from crypto/rand, with at least one upper-case letter, one
// lower-case letter, one digit and one symbol.
func TempPassword() (string, error) {
	classes := []string{pwUpper, pwLower, pwDigit, pwSymbol}
	all := pwUpper + pwLower + pwDigit + pwSymbol
	b := make([]byte, 0, PasswordLength)
	for _, c := range classes {
		ch, err := pick(c)
		if err != nil {
			return "", err
		}
		b = append(b, ch)
	}
	for len(b) < PasswordLength {
		ch, err := pick(all)
		if err != nil {
			return "", err
		}
		b = append(b, ch)
	}
	for i := len(b) - 1; i > 0; i-- { // Fisher–Yates, so the classes are not in fixed places
		j, err := randInt(i + 1)
		if err != nil {
			return "", err
		}
		b[i], b[j] = b[j], b[i]
	}
	return string(b), nil
}

func pick(set string) (byte, error) {
	i, err := randInt(len(set))
	if err != nil {
		return 0, err
	}
	return set[i], nil
}

func randInt(n int) (int, error) {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0, err
	}
	return int(v.Int64()), nil
}
