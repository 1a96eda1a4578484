// Package dvs is itbot's connection to the DVS (the sector's document
// management system): an HTTP/JSON client of the contract in
// docs/dvs-api.yaml that implements bot.DVS, plus the scheduled backup
// job.
//
// Every call has a per-attempt timeout and is retried with exponential
// back-off (with jitter) on timeouts, lost connections, 5xx and 429,
// honouring Retry-After. Creating calls (starting a backup or an export)
// carry an Idempotency-Key, so a retry never starts a second job. Failures
// come back as *bot.Error values with a code the executor understands
// (EUNAVAILABLE: retry later; EINVALID, ENOTFOUND, EFORBIDDEN, ECONFLICT:
// the DVS said no) and a Latvian/English phrase; the wire facts are kept in
// the wrapped *APIError or *TransportError for the log.
//
// The simulator of the same contract is in dvstest.
package dvs

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"itbot/bot"
)

// Defaults of Config.
const (
	DefaultTimeout       = 10 * time.Second
	DefaultRetries       = 3
	DefaultBackoffBase   = 500 * time.Millisecond
	DefaultBackoffMax    = 10 * time.Second
	DefaultMaxRetryAfter = 60 * time.Second
	DefaultPollInterval  = 2 * time.Second
	// maxBody is the largest answer the client reads.
	maxBody = 4 << 20
)

// Config configures a Client. Only BaseURL is required.
type Config struct {
	// BaseURL is the contract's root, e.g. https://dvs.example.lv/itbot/v1.
	BaseURL string
	// Token is sent as "Authorization: Bearer …". It is never logged.
	Token string
	// Timeout bounds one attempt (connect, send, answer); default 10 s.
	Timeout time.Duration
	// Retries is how many times a failed attempt is repeated (timeouts,
	// lost connections, 429 and 5xx); default 3. Negative: none.
	Retries int
	// BackoffBase and BackoffMax shape the exponential back-off between
	// attempts: base·2ⁿ with jitter, at most max. Defaults 500 ms and 10 s.
	BackoffBase, BackoffMax time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for; a
	// longer one ends the call at once with the wait in the message.
	// Default 60 s.
	MaxRetryAfter time.Duration
	// PollInterval is how often a running export or backup is polled;
	// default 2 s.
	PollInterval time.Duration
	// HTTPClient is used for the calls; default a client with no overall
	// timeout (Timeout applies per attempt).
	HTTPClient *http.Client
	// Log receives one line per retry and failure; default slog.Default.
	Log *slog.Logger
	// Sleep waits between attempts and polls; nil waits on a timer. Tests
	// set it to record the waits instead of taking them.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client talks to a DVS through the itbot DVS contract. It is safe for
// concurrent use.
type Client struct {
	base  *url.URL
	cfg   Config
	http  *http.Client
	log   *slog.Logger
	sleep func(ctx context.Context, d time.Duration) error
}

var _ bot.DVS = (*Client)(nil)

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("dvs: base url %q: want http(s)://host/path", cfg.BaseURL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Retries == 0 {
		cfg.Retries = DefaultRetries
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = DefaultBackoffBase
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = DefaultBackoffMax
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	c := &Client{base: u, cfg: cfg, http: cfg.HTTPClient, log: cfg.Log, sleep: cfg.Sleep}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.sleep == nil {
		c.sleep = sleepTimer
	}
	return c, nil
}

// BaseURL returns the contract root the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

func sleepTimer(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// APIError is an answer of the DVS other than success: the HTTP status and
// the contract's error body ({"error": {"code", "message", "details"}}).
type APIError struct {
	Op         string // "PUT /orgs/90014/users/…/roles/lietvedis"
	Status     int
	Code       string
	Message    string
	Details    map[string]any
	RetryAfter time.Duration // from a Retry-After header, 0 if none
	Attempts   int
}

// Error describes the answer for the log.
func (e *APIError) Error() string {
	s := fmt.Sprintf("dvs: %s: HTTP %d", e.Op, e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

// TransportError is a call that got no answer: a timeout, a refused or
// lost connection.
type TransportError struct {
	Op       string
	Timeout  bool
	Attempts int
	Err      error
}

// Error describes the failure for the log.
func (e *TransportError) Error() string {
	kind := "no answer"
	if e.Timeout {
		kind = "timeout"
	}
	return fmt.Sprintf("dvs: %s: %s after %d attempts: %v", e.Op, kind, e.Attempts, e.Err)
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// wireError is the contract's error body.
type wireError struct {
	Error struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}

// call is one contract call.
type call struct {
	method string
	path   string
	query  url.Values
	body   any
	// idemKey is sent as Idempotency-Key (creating calls).
	idemKey string
	// noRetry makes one attempt only (health probes).
	noRetry bool
	// accept lists non-2xx statuses whose body is decoded into out as an
	// answer rather than an error (503 from /health).
	accept []int
}

// do runs a call with retries and decodes a 2xx (or accepted) answer into
// out. It returns the final status, and an *APIError, a *TransportError
// or the caller's context error.
func (c *Client) do(ctx context.Context, cl call, out any) (int, error) {
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return 0, fmt.Errorf("dvs: encode %s %s: %w", cl.method, cl.path, err)
		}
	}
	u := c.base.String() + cl.path // segments in cl.path are escaped by esc
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	op := cl.method + " " + cl.path
	retries := c.cfg.Retries
	if cl.noRetry {
		retries = 0
	}
	for attempt := 1; ; attempt++ {
		status, body, hdr, err := c.once(ctx, cl.method, u, payload, cl.idemKey)
		if err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			te := &TransportError{Op: op, Attempts: attempt, Err: err, Timeout: isTimeout(err)}
			if attempt > retries {
				c.log.Warn("dvs call failed", "op", op, "attempts", attempt, "err", err)
				return 0, te
			}
			wait := c.backoff(attempt)
			c.log.Info("dvs call: retrying", "op", op, "attempt", attempt, "wait", wait, "err", err)
			if err := c.sleep(ctx, wait); err != nil {
				return 0, err
			}
			continue
		}
		if status/100 == 2 || containsInt(cl.accept, status) {
			if out != nil && len(body) > 0 {
				if err := json.Unmarshal(body, out); err != nil {
					c.log.Warn("dvs answer unreadable", "op", op, "status", status, "err", err)
					return status, &APIError{Op: op, Status: status, Code: "bad_response", Message: err.Error(), Attempts: attempt}
				}
			}
			return status, nil
		}
		ae := apiError(op, status, body, hdr)
		ae.Attempts = attempt
		if retryable(status) && attempt <= retries {
			wait := c.backoff(attempt)
			if ae.RetryAfter > 0 {
				if ae.RetryAfter > c.cfg.MaxRetryAfter {
					c.log.Warn("dvs call: Retry-After too long, giving up", "op", op, "retry_after", ae.RetryAfter)
					return status, ae
				}
				wait = ae.RetryAfter
			}
			c.log.Info("dvs call: retrying", "op", op, "attempt", attempt, "status", status, "wait", wait)
			if err := c.sleep(ctx, wait); err != nil {
				return status, err
			}
			continue
		}
		if status >= 500 || status == http.StatusTooManyRequests || status == http.StatusUnauthorized {
			c.log.Warn("dvs call failed", "op", op, "status", status, "code", ae.Code, "attempts", attempt, "message", ae.Message)
		}
		return status, ae
	}
}

// once makes one attempt under the per-attempt timeout.
func (c *Client) once(ctx context.Context, method, u string, payload []byte, idemKey string) (int, []byte, http.Header, error) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(actx, method, u, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "itbot-dvs/1")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, body, resp.Header, nil
}

// backoff returns the wait before attempt n+1: base·2ⁿ⁻¹, at most max,
// with "equal jitter" (half fixed, half random) so clients do not retry in
// step.
func (c *Client) backoff(n int) time.Duration {
	d := c.cfg.BackoffBase << min(n-1, 20)
	if d <= 0 || d > c.cfg.BackoffMax {
		d = c.cfg.BackoffMax
	}
	half := d / 2
	return half + time.Duration(mrand.Int64N(int64(half)+1))
}

func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// apiError reads the contract's error body and the Retry-After header.
func apiError(op string, status int, body []byte, hdr http.Header) *APIError {
	ae := &APIError{Op: op, Status: status}
	var we wireError
	if json.Unmarshal(body, &we) == nil {
		ae.Code, ae.Message, ae.Details = we.Error.Code, we.Error.Message, we.Error.Details
	} else if len(body) > 0 {
		ae.Message = strings.TrimSpace(string(body[:min(len(body), 200)]))
	}
	if v := hdr.Get("Retry-After"); v != "" {
		ae.RetryAfter = ParseRetryAfter(v, time.Now())
	}
	return ae
}

// ParseRetryAfter reads a Retry-After value: delay-seconds or an HTTP-date
// (RFC 9110 §10.2.3). It returns 0 for a value it cannot read or a date in
// the past.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		if n > maxRetryAfterSecs { // no overflow: a wait this long is "give up" anyway
			n = maxRetryAfterSecs
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// esc escapes one path segment.
func esc(s string) string { return url.PathEscape(s) }

// maxRetryAfterSecs caps a Retry-After value (a day).
const maxRetryAfterSecs = 24 * 60 * 60

// newKey returns a random idempotency key.
func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// subject is what a call was about, for the messages.
type subject struct {
	Institution string
	Org         string
	User        string
	Role        string
	From, To    string
	What        string
	Backup      string
}

// fail turns a call's error into a *bot.Error with a phrase for people.
func (c *Client) fail(err error, s subject) error {
	if err == nil {
		return nil
	}
	var be *bot.Error
	if errors.As(err, &be) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		var te *TransportError
		if !errors.As(err, &te) {
			return bot.Wrap(err, bot.EUNAVAILABLE, "dvs.cancelled")
		}
	}
	var te *TransportError
	if errors.As(err, &te) {
		if te.Timeout {
			return bot.Wrap(err, bot.EUNAVAILABLE, "dvs.timeout", "Seconds", int(c.cfg.Timeout.Round(time.Second)/time.Second), "Attempts", te.Attempts)
		}
		return bot.Wrap(err, bot.EUNAVAILABLE, "dvs.unreachable", "Attempts", te.Attempts)
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		return bot.Wrap(err, bot.EINTERNAL, "error.internal")
	}
	switch {
	case ae.Code == "bad_response":
		return bot.Wrap(err, bot.EUNAVAILABLE, "dvs.bad_response", "Status", ae.Status)
	case ae.Status == http.StatusTooManyRequests:
		secs := int((ae.RetryAfter + time.Second - 1) / time.Second)
		if secs <= 0 {
			secs = 60
		}
		return bot.Wrap(err, bot.EUNAVAILABLE, "dvs.throttled", "Seconds", secs)
	case ae.Status == http.StatusServiceUnavailable:
		return bot.Wrap(err, bot.EUNAVAILABLE, "dvs.unavailable", "Detail", ae.Message)
	case ae.Status >= 500:
		return bot.Wrap(err, bot.EUNAVAILABLE, "dvs.server_error", "Status", ae.Status, "Attempts", ae.Attempts)
	case ae.Status == http.StatusUnauthorized || (ae.Status == http.StatusForbidden && ae.Code != "foreign_user"):
		return bot.Wrap(err, bot.EUNAVAILABLE, "dvs.unauthorized", "Status", ae.Status)
	}
	switch ae.Code {
	case "unknown_role":
		return bot.Wrap(err, bot.EINVALID, "dvs.unknown_role", "Role", s.Role, "Known", joinDetail(ae.Details["known"]))
	case "bad_user":
		return bot.Wrap(err, bot.EINVALID, "dvs.bad_user", "User", s.User)
	case "bad_period":
		return bot.Wrap(err, bot.EINVALID, "dvs.bad_period", "From", s.From, "To", s.To, "Message", ae.Message)
	case "foreign_user":
		return bot.Wrap(err, bot.EFORBIDDEN, "dvs.foreign_user", "User", s.User, "Institution", s.Institution)
	case "user_not_found":
		return bot.Wrap(err, bot.ENOTFOUND, "dvs.user_not_found", "User", s.User, "Institution", s.Institution)
	case "org_not_found":
		return bot.Wrap(err, bot.ENOTFOUND, "dvs.org_unknown", "Institution", s.Institution, "Org", s.Org)
	case "backup_not_found":
		if s.Backup != "" {
			return bot.Wrap(err, bot.ENOTFOUND, "dvs.backup_unknown", "ID", s.Backup)
		}
		return bot.Wrap(err, bot.ENOTFOUND, "dvs.not_found", "What", s.What)
	case "export_not_found":
		return bot.Wrap(err, bot.ENOTFOUND, "dvs.not_found", "What", s.What)
	case "backup_not_restorable":
		st, _ := ae.Details["status"].(string)
		return bot.Wrap(err, bot.ECONFLICT, "dvs.backup_unusable", "ID", s.Backup, "Status", st)
	case "backup_running":
		id, _ := ae.Details["id"].(string)
		return bot.Wrap(err, bot.ECONFLICT, "dvs.backup_running", "ID", id)
	}
	switch ae.Status {
	case http.StatusNotFound:
		if ae.Code == "" { // not the contract answering: a wrong base URL or a proxy
			return bot.Wrap(err, bot.EUNAVAILABLE, "dvs.bad_response", "Status", ae.Status)
		}
		return bot.Wrap(err, bot.ENOTFOUND, "dvs.not_found", "What", s.What)
	case http.StatusConflict:
		return bot.Wrap(err, bot.ECONFLICT, "dvs.rejected", "Status", ae.Status, "Message", ae.Message)
	}
	return bot.Wrap(err, bot.EINVALID, "dvs.rejected", "Status", ae.Status, "Message", ae.Message)
}

func joinDetail(v any) string {
	xs, ok := v.([]any)
	if !ok {
		return ""
	}
	ss := make([]string, 0, len(xs))
	for _, x := range xs {
		ss = append(ss, fmt.Sprint(x))
	}
	return strings.Join(ss, ", ")
}
