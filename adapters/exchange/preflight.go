package exchange

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"itbot/bot"
)

// Check is one line of the preflight: a feature, whether what it needs
// works, what was seen, and what to fix when it does not.
type Check struct {
	Feature string
	OK      bool
	Detail  string
	Fix     string
}

// Preflight runs read-only calls against the tenant and reports, feature
// by feature, whether the app's token carries the Graph permission each
// needs and whether its Exchange role assignment works, with the licence
// pools, the report-concealment setting and the anti-spam policies that
// would override the per-institution ones. Nothing is changed.
func (x *Exchange) Preflight(ctx context.Context) []Check {
	var out []Check
	add := func(feature string, err error, detail, perm string) {
		c := Check{Feature: feature, OK: err == nil, Detail: detail}
		if err != nil {
			c.Detail, c.Fix = x.preflightFix(err, perm)
		}
		out = append(out, c)
	}

	// Licences: subscribedSkus (Organization.Read.All).
	ls, err := x.listSKUs(ctx)
	var pools []string
	for _, l := range ls {
		pools = append(pools, fmt.Sprintf("%s %d/%d free", l.Name, l.Free(), l.Enabled))
	}
	sort.Strings(pools)
	add("licence pools", err, strings.Join(pools, ", "), "Organization.Read.All")

	// Accounts: read one user (User.Read.All; User.ReadWrite.All covers it).
	top := int32(1)
	_, err = x.users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Top: &top, Select: []string{"id"}}})
	add("accounts (read)", err, "users can be read", "User.Read.All")

	// Reports: the setting that conceals names, and a report itself.
	rs, err := x.adminAPI().ReportSettings().Get(ctx, nil)
	detail := "report names shown"
	if err == nil && rs.GetDisplayConcealedNames() != nil && *rs.GetDisplayConcealedNames() {
		detail = "the tenant conceals user names in reports: account reports show hashed names (Microsoft 365 admin center → Settings → Org settings → Reports)"
	}
	add("report concealment setting", err, detail, "ReportSettings.Read.All")
	_, err = x.reports().GetMailboxUsageDetailWithPeriod(ptr("D7")).Get(ctx, nil)
	add("usage reports", err, "reports can be read", "Reports.Read.All")

	// Service health.
	_, err = x.adminAPI().ServiceAnnouncement().HealthOverviews().ByServiceHealthId("Exchange").Get(ctx, nil)
	add("service health", err, "Exchange Online's health can be read", "ServiceHealth.Read.All")

	// Exchange roles: a harmless Get- of each role's cmdlets.
	_, err = x.admin.invoke(ctx, "Get-Mailbox", map[string]any{"Identity": "itbot-preflight-" + randomHex(4) + "@invalid.invalid"})
	if isNotFound(err) {
		err = nil // the cmdlet ran: the role works
	}
	add("shared mailboxes (Exchange role Mail Recipients)", err, "Get-Mailbox runs", "Mail Recipients")

	res, err := x.admin.invoke(ctx, "Get-HostedContentFilterRule", map[string]any{})
	add("spam filters (Exchange role Transport Hygiene)", err, "Get-HostedContentFilterRule runs", "Transport Hygiene")
	if err == nil {
		out = append(out, x.overridingPolicies(res.Value))
	}
	return out
}

// overridingPolicies finds the anti-spam rules not made by itbot that
// would win over a per-institution policy: enabled, and at a priority
// itbot's rules come after (a preset security policy always wins).
func (x *Exchange) overridingPolicies(rules []map[string]any) Check {
	var over []string
	for _, r := range rules {
		name, _ := r["Name"].(string)
		if strings.HasPrefix(name, x.cfg.SpamPolicyPrefix) {
			continue
		}
		if st, _ := r["State"].(string); st == "Disabled" {
			continue
		}
		var doms []string
		if ds, ok := r["RecipientDomainIs"].([]any); ok {
			for _, d := range ds {
				if s, ok := d.(string); ok {
					doms = append(doms, s)
				}
			}
		}
		over = append(over, fmt.Sprintf("%s (priority %v, domains %s)", name, r["Priority"], strings.Join(doms, " ")))
	}
	if len(over) == 0 {
		return Check{Feature: "anti-spam policies that would override institutions'", OK: true, Detail: "none besides itbot's"}
	}
	sort.Strings(over)
	return Check{Feature: "anti-spam policies that would override institutions'", Detail: strings.Join(over, "; "),
		Fix: "rules outside itbot apply before a per-institution policy of lower priority: give itbot's rules priority 0 (Set-HostedContentFilterRule -Priority) or remove those domains from these rules; preset security policies always win"}
}

// preflightFix says what a failed preflight call means and what to do.
func (x *Exchange) preflightFix(err error, perm string) (detail, fix string) {
	c, ok := asCall(err)
	switch {
	case (ok && c.api == "graph" && (c.status == http.StatusForbidden || c.code == "Authorization_RequestDenied")) || bot.ErrorPhrase(err).ID == "exo.app_forbidden":
		return "refused (" + c.code + ")", "grant the app the Graph application permission " + perm + " and an admin's consent (docs/exchange.md)"
	case ok && c.api == "admin" && strings.HasSuffix(c.exception, "CommandNotFoundException"):
		return "the cmdlet is not available to the app", "add the app's service principal to a role group with the Exchange role " + perm + " (docs/exchange.md)"
	case ok && c.status == http.StatusUnauthorized:
		return "the token was refused", "check exchange.tenant_id, client_id and the secret or certificate"
	}
	return err.Error(), "see the log and docs/exchange.md"
}

func ptr[T any](v T) *T { return &v }

// randomHex returns n random bytes as hex (a name nothing has).
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
