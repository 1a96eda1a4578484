// Package graph is the Microsoft Graph plumbing the Exchange and IT mailbox
// adapters share: a request adapter on msgraph-sdk-go-core with the SDK's
// middleware in a fixed order, and a retry handler that waits out
// throttling (429/503/504 with Retry-After) without re-sending a body
// net/http may still be reading. It imports the SDK's core, never its root
// package, so a build pulls only the request builders an adapter uses.
package graph

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	khttp "github.com/microsoft/kiota-http-go"
	jsonser "github.com/microsoft/kiota-serialization-json-go"
	textser "github.com/microsoft/kiota-serialization-text-go"
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"
	graphauth "github.com/microsoftgraph/msgraph-sdk-go-core/authentication"
)

// ClientOptions names the SDK version in Graph's telemetry header.
var ClientOptions = msgraphgocore.GraphClientOptions{GraphServiceVersion: "", GraphServiceLibraryVersion: "1.89.0"}

// ScopeFor returns the OAuth scope of a service's base URL
// ("https://graph.microsoft.com/.default" for Graph).
func ScopeFor(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return "https://graph.microsoft.com/.default"
	}
	return u.Scheme + "://" + u.Host + "/.default"
}

// Options describe a request adapter.
type Options struct {
	// BaseURL is Graph's base, e.g. https://graph.microsoft.com/v1.0 (an
	// emulator's in tests and in the sandbox).
	BaseURL    string
	Credential azcore.TokenCredential
	// Transport carries the requests; nil: http.DefaultTransport.
	Transport http.RoundTripper
	Retry     *Retry
	// Before are extra handlers that run before the retry handler, e.g. a
	// lock that lets one call at a time reach a mailbox.
	Before []khttp.Middleware
}

// NewAdapter builds a Graph request adapter: the credential scoped to the
// base URL's host, JSON and text serialisation, the middleware in a fixed
// order (the SDK builds its list from a map) with kiota's retry handler
// replaced by o.Retry, redirects left to the caller (report downloads).
func NewAdapter(o Options) (*msgraphgocore.GraphRequestAdapterBase, error) {
	gu, err := url.Parse(o.BaseURL)
	if err != nil || gu.Host == "" {
		return nil, fmt.Errorf("graph_base_url %q is not a URL", o.BaseURL)
	}
	auth, err := graphauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(o.Credential, []string{ScopeFor(o.BaseURL)}, []string{gu.Hostname()})
	if err != nil {
		return nil, fmt.Errorf("auth provider: %w", err)
	}
	parse := absser.NewParseNodeFactoryRegistry()
	parse.ContentTypeAssociatedFactories["application/json"] = jsonser.NewJsonParseNodeFactory()
	parse.ContentTypeAssociatedFactories["text/plain"] = textser.NewTextParseNodeFactory()
	write := absser.NewSerializationWriterFactoryRegistry()
	write.ContentTypeAssociatedFactories["application/json"] = jsonser.NewJsonSerializationWriterFactory()
	write.ContentTypeAssociatedFactories["text/plain"] = textser.NewTextSerializationWriterFactory()
	transport := o.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	mw := []khttp.Middleware{
		msgraphgocore.NewGraphTelemetryHandler(&ClientOptions),
		khttp.NewUrlReplaceHandler(true, msgraphgocore.ReplacementPairs),
	}
	mw = append(mw, o.Before...)
	if o.Retry != nil {
		mw = append(mw, o.Retry)
	}
	mw = append(mw,
		khttp.NewRedirectHandler(),
		khttp.NewCompressionHandler(),
		khttp.NewParametersNameDecodingHandler(),
		khttp.NewUserAgentHandler(),
		khttp.NewHeadersInspectionHandler(),
	)
	client := &http.Client{
		Transport:     khttp.NewCustomTransportWithParentTransport(transport, mw...),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       100 * time.Second,
	}
	ad, err := msgraphgocore.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, ClientOptions, parse, write, client)
	if err != nil {
		return nil, fmt.Errorf("request adapter: %w", err)
	}
	ad.SetBaseUrl(strings.TrimRight(o.BaseURL, "/"))
	return ad, nil
}

// Retry waits out 429, 503 and 504 answers, honouring Retry-After,
// bounded by MaxRetries and MaxWait; after that the last answer goes back
// to the caller (who reports it as a temporary failure).
//
// Only what is safe to send again is sent again. A 429 is: "When
// throttling occurs, Microsoft Graph returns HTTP status code 429 (Too
// many requests), and the requests fail" (Graph throttling guidance), so
// a throttled request did nothing. A 503 or 504 says nothing about
// whether the server acted: a POST (create a user, send a mail, assign a
// licence) may have succeeded before the answer was lost, and sending it
// again makes "already exists" of a success, or a second mail. So a POST
// answered 503/504 goes back to its caller at once, unless SafePost says
// that POST may be repeated; the caller reads what happened (see
// exchange.CreateMailbox and the mailbox's reply). GET, HEAD, PUT, DELETE
// (idempotent by RFC 9110) and PATCH (the adapters' PATCHes set absolute
// values) are retried.
//
// It replaces kiota's RetryHandler, which resends the same request body
// after seeking it back: net/http may still be reading that body in its
// write loop when the answer arrives (a 429 comes before the server reads
// everything), and kiota's handlers work on shallow request copies that
// share one header map, so a retried, compressed POST went out empty or
// uncompressed under "Content-Encoding: gzip". Retry keeps the body bytes
// and sends every attempt a fresh clone.
type Retry struct {
	MaxRetries int
	MaxWait    time.Duration
	// Now is the clock for HTTP-date Retry-After values; nil: time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx ends; nil: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	Log   *slog.Logger
	// SafePost reports whether a POST may be sent again after a 503 or
	// 504 (nil: none may).
	SafePost func(*http.Request) bool
}

// Repeatable reports whether req may be sent again after an answer of
// status.
func (h *Retry) Repeatable(req *http.Request, status int) bool {
	if status == http.StatusTooManyRequests || req.Method != http.MethodPost {
		return true
	}
	return h.SafePost != nil && h.SafePost(req)
}

// Intercept implements khttp.Middleware.
func (h *Retry) Intercept(p khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	now, sleep, log := h.Now, h.Sleep, h.Log
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = SleepCtx
	}
	if log == nil {
		log = slog.Default()
	}
	var waited time.Duration
	for attempt := 0; ; attempt++ {
		r := req.Clone(req.Context())
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			r.ContentLength = int64(len(body))
		}
		if attempt > 0 {
			r.Header.Set("Retry-Attempt", strconv.Itoa(attempt))
		}
		resp, err := p.Next(r, index)
		if err != nil {
			return resp, err
		}
		switch resp.StatusCode {
		case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		default:
			return resp, nil
		}
		d := RetryAfter(resp.Header.Get("Retry-After"), now())
		if d < 0 {
			d = time.Duration(2<<attempt) * time.Second
		}
		if !h.Repeatable(req, resp.StatusCode) {
			log.Warn("graph: a POST answered without proof it did not happen; not sent again", "status", resp.StatusCode, "path", req.URL.Path)
			return resp, nil
		}
		if attempt >= h.MaxRetries || waited+d > h.MaxWait {
			log.Warn("graph throttled: giving up", "status", resp.StatusCode, "path", req.URL.Path, "retry_after", d, "waited", waited)
			return resp, nil
		}
		log.Info("graph throttled: waiting", "status", resp.StatusCode, "path", req.URL.Path, "retry_after", d, "waited", waited)
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err := sleep(req.Context(), d); err != nil {
			return nil, err
		}
		waited += d
	}
}

// RetryAfter reads a Retry-After header (seconds or an HTTP date); -1 when
// absent or unreadable. Absurd second counts are unreadable, not an
// overflowed wait.
func RetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return -1
	}
	if n, err := strconv.ParseFloat(h, 64); err == nil && n >= 0 && n < 1e6 {
		return time.Duration(n * float64(time.Second))
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
		return 0
	}
	return -1
}

// SleepCtx waits d or until ctx ends.
func SleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
