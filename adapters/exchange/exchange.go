// Package exchange implements bot.Exchange on Exchange Online: Microsoft
// Graph (through msgraph-sdk-go) for users, licences, mailbox readiness,
// usage reports and service health, and the Exchange Online admin API's
// InvokeCommand endpoint (the cmdlet-over-REST interface) for shared
// mailboxes, their permissions and the per-institution anti-spam policies,
// where Graph has no call.
//
// Only the request-builder packages the adapter uses are imported (users,
// subscribedskus, reports, admin, models), over a request adapter built
// with the SDK's core package: importing the SDK's root package would pull
// in every one of its packages and double the cold build.
//
// Every action is idempotent: running it twice leaves the same state and
// the outcome says so. Every action first checks that the accounts it
// names belong to the institution, before any call. Errors are *bot.Error
// values with the codes bot.Exchange documents; throttling (429/503 with
// Retry-After) is waited out up to Config.MaxWait and then reported as
// EUNAVAILABLE, so the request stays retryable.
//
// The package exchangetest beside it is a wire-level emulator of both
// APIs; the tests drive this package's production code against it.
package exchange

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	khttp "github.com/microsoft/kiota-http-go"
	jsonser "github.com/microsoft/kiota-serialization-json-go"
	textser "github.com/microsoft/kiota-serialization-text-go"
	"github.com/microsoftgraph/msgraph-sdk-go-core"
	graphauth "github.com/microsoftgraph/msgraph-sdk-go-core/authentication"
	"github.com/microsoftgraph/msgraph-sdk-go/admin"
	"github.com/microsoftgraph/msgraph-sdk-go/reports"
	"github.com/microsoftgraph/msgraph-sdk-go/subscribedskus"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"itbot/bot"
)

// Options are the adapter's collaborators.
type Options struct {
	// Credential overrides the credential the Config describes (tests and
	// the sandbox use a static token against the emulator).
	Credential azcore.TokenCredential
	// KV keeps the adapter's marks: which accounts it created and whether
	// their temporary password was handed over. Without it an existing
	// account is always reported as an address already taken.
	KV bot.KVStore
	// Log receives operational logs; secrets are never logged.
	Log *slog.Logger
	// Notify tells the operators something they must act on (a tenant that
	// conceals user names in reports). Optional.
	Notify func(ctx context.Context, p bot.Phrase)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Transport is the HTTP transport under the SDK's middleware and the
	// admin client (http.DefaultTransport when nil).
	Transport http.RoundTripper
}

// Exchange implements bot.Exchange on Microsoft Graph and the Exchange
// Online admin API.
type Exchange struct {
	cfg    Config
	opt    Options
	log    *slog.Logger
	graph  *msgraphgocore.GraphRequestAdapterBase
	params map[string]string // path parameters of the request builders
	admin  *adminClient
}

var _ bot.Exchange = (*Exchange)(nil)

// graphScopes returns the token scope for a Graph base URL.
func scopeFor(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return "https://graph.microsoft.com/.default"
	}
	return u.Scheme + "://" + u.Host + "/.default"
}

// New builds the adapter. The credential is opt.Credential or the one cfg
// describes (a client secret or a certificate).
func New(cfg Config, opt Options) (*Exchange, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(opt.Credential != nil); err != nil {
		return nil, err
	}
	cred := opt.Credential
	if cred == nil {
		var err error
		if cred, err = cfg.Credential(); err != nil {
			return nil, err
		}
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Transport == nil {
		opt.Transport = http.DefaultTransport
	}
	gu, err := url.Parse(cfg.GraphBaseURL)
	if err != nil || gu.Host == "" {
		return nil, fmt.Errorf("exchange: graph_base_url %q is not a URL", cfg.GraphBaseURL)
	}
	auth, err := graphauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{scopeFor(cfg.GraphBaseURL)}, []string{gu.Hostname()})
	if err != nil {
		return nil, fmt.Errorf("exchange: auth provider: %w", err)
	}
	parse := absser.NewParseNodeFactoryRegistry()
	parse.ContentTypeAssociatedFactories["application/json"] = jsonser.NewJsonParseNodeFactory()
	parse.ContentTypeAssociatedFactories["text/plain"] = textser.NewTextParseNodeFactory()
	write := absser.NewSerializationWriterFactoryRegistry()
	write.ContentTypeAssociatedFactories["application/json"] = jsonser.NewJsonSerializationWriterFactory()
	write.ContentTypeAssociatedFactories["text/plain"] = textser.NewTextSerializationWriterFactory()
	x := &Exchange{cfg: cfg, opt: opt, log: opt.Log}
	client := &http.Client{
		Transport:     khttp.NewCustomTransportWithParentTransport(opt.Transport, x.middleware()...),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       100 * time.Second,
	}
	ad, err := msgraphgocore.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, clientOptions, parse, write, client)
	if err != nil {
		return nil, fmt.Errorf("exchange: request adapter: %w", err)
	}
	ad.SetBaseUrl(strings.TrimRight(cfg.GraphBaseURL, "/"))
	x.graph = ad
	x.params = map[string]string{"baseurl": ad.GetBaseUrl()}
	x.admin = &adminClient{
		base: strings.TrimRight(cfg.AdminBaseURL, "/"), tenant: cfg.TenantID, cred: cred, scope: scopeFor(cfg.AdminBaseURL),
		http:    &http.Client{Transport: opt.Transport, Timeout: 100 * time.Second},
		maxWait: cfg.MaxWait, maxRetries: cfg.MaxRetries, log: opt.Log,
	}
	return x, nil
}

var clientOptions = msgraphgocore.GraphClientOptions{GraphServiceVersion: "", GraphServiceLibraryVersion: "1.89.0"}

// middleware is the SDK's default middleware in a fixed order (the SDK
// builds its list from a map, in random order), with its retry handler
// replaced by retryHandler.
func (x *Exchange) middleware() []khttp.Middleware {
	return []khttp.Middleware{
		msgraphgocore.NewGraphTelemetryHandler(&clientOptions),
		khttp.NewUrlReplaceHandler(true, msgraphgocore.ReplacementPairs),
		&retryHandler{x: x},
		khttp.NewRedirectHandler(),
		khttp.NewCompressionHandler(),
		khttp.NewParametersNameDecodingHandler(),
		khttp.NewUserAgentHandler(),
		khttp.NewHeadersInspectionHandler(),
	}
}

// retryHandler waits out 429, 503 and 504 answers, honouring Retry-After,
// bounded by Config.MaxWait and Config.MaxRetries; after that the last
// answer goes back to the caller (and becomes EUNAVAILABLE).
//
// It replaces kiota's RetryHandler, which resends the same request body
// after seeking it back: net/http may still be reading that body in its
// write loop when the answer arrives (a 429 comes before the server reads
// everything), and kiota's handlers work on shallow request copies that
// share one header map, so a retried, compressed POST went out empty or
// uncompressed under "Content-Encoding: gzip". This handler keeps the body
// bytes and sends every attempt a fresh clone.
type retryHandler struct{ x *Exchange }

// Intercept implements khttp.Middleware.
func (h *retryHandler) Intercept(p khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
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
		d := retryAfter(resp.Header.Get("Retry-After"), h.x.opt.Now())
		if d < 0 {
			d = time.Duration(2<<attempt) * time.Second
		}
		if attempt >= h.x.cfg.MaxRetries || waited+d > h.x.cfg.MaxWait {
			h.x.log.Warn("graph throttled: giving up", "status", resp.StatusCode, "path", req.URL.Path, "retry_after", d, "waited", waited)
			return resp, nil
		}
		h.x.log.Info("graph throttled: waiting", "status", resp.StatusCode, "path", req.URL.Path, "retry_after", d, "waited", waited)
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		t := time.NewTimer(d)
		select {
		case <-req.Context().Done():
			t.Stop()
			return nil, req.Context().Err()
		case <-t.C:
		}
		waited += d
	}
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); -1 when
// absent or unreadable.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return -1
	}
	if n, err := strconv.ParseFloat(h, 64); err == nil && n >= 0 {
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

func (x *Exchange) users() *users.UsersRequestBuilder {
	return users.NewUsersRequestBuilderInternal(x.params, x.graph)
}

func (x *Exchange) subscribedSkus() *subscribedskus.SubscribedSkusRequestBuilder {
	return subscribedskus.NewSubscribedSkusRequestBuilderInternal(x.params, x.graph)
}

func (x *Exchange) reports() *reports.ReportsRequestBuilder {
	return reports.NewReportsRequestBuilderInternal(x.params, x.graph)
}

func (x *Exchange) adminAPI() *admin.AdminRequestBuilder {
	return admin.NewAdminRequestBuilderInternal(x.params, x.graph)
}

// inScope checks, before any call, that every address belongs to the
// institution.
func inScope(inst *bot.Institution, addrs ...string) error {
	if inst == nil {
		return bot.Errorf(bot.EINVALID, "exo.no_institution")
	}
	for _, a := range addrs {
		if a != "" && !inst.Owns(a) {
			return bot.Errorf(bot.EFORBIDDEN, "policy.out_of_scope", "Address", a, "Institution", inst.NameLV, "InstitutionEN", inst.Name(bot.EN), "Domains", "@"+strings.Join(inst.Domains, ", @"))
		}
	}
	return nil
}

// normalize checks and lower-cases an address.
func normalize(a string) (string, error) { return bot.NormalizeAddress(a) }

// StaticCredential is an azcore.TokenCredential that returns a fixed
// token. It serves the emulator (tests and the sandbox); production uses
// Config.Credential.
type StaticCredential string

// GetToken returns the token, valid for an hour.
func (s StaticCredential) GetToken(ctx context.Context, _ policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if s == "" {
		return azcore.AccessToken{}, errors.New("exchange: empty static token")
	}
	return azcore.AccessToken{Token: string(s), ExpiresOn: time.Now().Add(time.Hour)}, nil
}
