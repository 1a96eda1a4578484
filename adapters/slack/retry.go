package slack

import (
	"context"
	"errors"
	"net"
	"net/url"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"
)

// gate holds back the calls of one Web API method after a 429 until the
// Retry-After time has passed. Slack rate limits per method, so one
// method's limit does not stop the others.
type gate struct {
	mu    sync.Mutex
	until time.Time
}

func (g *gate) pause(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t := time.Now().Add(d); t.After(g.until) {
		g.until = t
	}
}

func (g *gate) wait(ctx context.Context) error {
	g.mu.Lock()
	d := time.Until(g.until)
	g.mu.Unlock()
	if d <= 0 {
		return nil
	}
	return sleep(ctx, d)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *Adapter) gateFor(method string) *gate {
	if g, ok := a.gates.Load(method); ok {
		return g.(*gate)
	}
	g, _ := a.gates.LoadOrStore(method, &gate{})
	return g.(*gate)
}

// call runs one Web API call. A 429 (*slack.RateLimitedError) pauses the
// method for Retry-After and the call is tried again, for as long as ctx
// lasts: nothing is dropped for a rate limit. A temporary failure (5xx,
// a broken connection, Slack's internal_error) is retried with back-off
// a few times; any other error is returned at once.
func (a *Adapter) call(ctx context.Context, method string, f func(ctx context.Context) error) error {
	g := a.gateFor(method)
	backoff := a.backoff
	for attempt := 1; ; attempt++ {
		if err := g.wait(ctx); err != nil {
			return err
		}
		err := f(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		var rl *slackgo.RateLimitedError
		if errors.As(err, &rl) {
			wait := rl.RetryAfter
			if wait <= 0 {
				wait = time.Second
			}
			g.pause(wait)
			a.metrics.rateLimited.WithLabelValues(method).Inc()
			a.log.Warn("slack: rate limited, waiting as asked", "method", method, "retry_after", wait, "attempt", attempt)
			continue
		}
		if !temporary(err) || attempt >= a.maxAttempts {
			a.metrics.apiErrors.WithLabelValues(method).Inc()
			return err
		}
		a.log.Warn("slack: temporary failure, retrying", "method", method, "attempt", attempt, "err", err)
		if err := sleep(ctx, backoff); err != nil {
			return err
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// temporary reports whether err may go away on its own.
func temporary(err error) bool {
	var sc slackgo.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 500
	}
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited":
			return true
		}
		return false
	}
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue)
}

// slackError returns the "error" code of a Web API ok:false answer, or "".
func slackError(err error) string {
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}
