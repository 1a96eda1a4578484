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
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/admin"
	"github.com/microsoftgraph/msgraph-sdk-go/reports"
	"github.com/microsoftgraph/msgraph-sdk-go/subscribedskus"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"itbot/adapters/graph"
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
	x := &Exchange{cfg: cfg, opt: opt, log: opt.Log}
	ad, err := graph.NewAdapter(graph.Options{BaseURL: cfg.GraphBaseURL, Credential: cred, Transport: opt.Transport,
		Retry: &graph.Retry{MaxRetries: cfg.MaxRetries, MaxWait: cfg.MaxWait, Now: opt.Now, Log: opt.Log}})
	if err != nil {
		return nil, fmt.Errorf("exchange: %w", err)
	}
	x.graph = ad
	x.params = map[string]string{"baseurl": ad.GetBaseUrl()}
	x.admin = &adminClient{
		base: strings.TrimRight(cfg.AdminBaseURL, "/"), tenant: cfg.TenantID, cred: cred, scope: graph.ScopeFor(cfg.AdminBaseURL),
		http:    &http.Client{Transport: opt.Transport, Timeout: 100 * time.Second},
		maxWait: cfg.MaxWait, maxRetries: cfg.MaxRetries, log: opt.Log,
	}
	return x, nil
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
