package exchange

import (
	"context"
	"slices"
	"sort"
	"strings"

	"itbot/bot"
)

// Each institution has its own anti-spam policy, scoped by a rule to its
// recipient domains (HostedContentFilterPolicy + HostedContentFilterRule
// -RecipientDomainIs), so an allowed or blocked sender never leaks to the
// other institutions of a shared tenant.

// spamPolicy is an institution's policy lists.
type spamPolicy struct {
	name                                                                       string
	allowedSenders, allowedSenderDomains, blockedSenders, blockedSenderDomains []string
}

func (x *Exchange) policyName(inst *bot.Institution) string {
	return x.cfg.SpamPolicyPrefix + inst.Code
}

func lower(xs []string) []string {
	out := make([]string, 0, len(xs))
	for _, s := range xs {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func toPolicy(name string, o map[string]any) *spamPolicy {
	return &spamPolicy{name: name,
		allowedSenders: lower(strs(o, "AllowedSenders")), allowedSenderDomains: lower(strs(o, "AllowedSenderDomains")),
		blockedSenders: lower(strs(o, "BlockedSenders")), blockedSenderDomains: lower(strs(o, "BlockedSenderDomains"))}
}

// getPolicy reads the institution's policy; nil when it has none yet.
func (x *Exchange) getPolicy(ctx context.Context, inst *bot.Institution) (*spamPolicy, error) {
	name := x.policyName(inst)
	res, err := x.admin.invoke(ctx, "Get-HostedContentFilterPolicy", map[string]any{"Identity": name})
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, x.translate("Get-HostedContentFilterPolicy", subject{}, err)
	}
	if len(res.Value) == 0 {
		return nil, nil
	}
	return toPolicy(name, res.Value[0]), nil
}

// ensurePolicy returns the institution's policy, creating it and its rule
// on first use and keeping the rule's recipient domains equal to the
// institution's domains.
func (x *Exchange) ensurePolicy(ctx context.Context, inst *bot.Institution) (*spamPolicy, error) {
	name := x.policyName(inst)
	p, err := x.getPolicy(ctx, inst)
	if err != nil {
		return nil, err
	}
	if p == nil {
		if _, err := x.admin.invoke(ctx, "New-HostedContentFilterPolicy", map[string]any{"Name": name}); err != nil {
			return nil, x.translate("New-HostedContentFilterPolicy", subject{}, err)
		}
		x.log.Info("anti-spam policy created", "policy", name, "institution", inst.Code)
		p = &spamPolicy{name: name}
	}
	domains := lower(inst.Domains)
	sort.Strings(domains)
	res, err := x.admin.invoke(ctx, "Get-HostedContentFilterRule", map[string]any{"Identity": name})
	switch {
	case err != nil && isNotFound(err):
		if _, err := x.admin.invoke(ctx, "New-HostedContentFilterRule", map[string]any{
			"Name": name, "HostedContentFilterPolicy": name, "RecipientDomainIs": domains,
		}); err != nil {
			return nil, x.translate("New-HostedContentFilterRule", subject{Mailbox: inst.Domains[0]}, err)
		}
		x.log.Info("anti-spam rule created", "rule", name, "domains", domains)
	case err != nil:
		return nil, x.translate("Get-HostedContentFilterRule", subject{}, err)
	case len(res.Value) > 0:
		have := lower(strs(res.Value[0], "RecipientDomainIs"))
		sort.Strings(have)
		if !slices.Equal(have, domains) {
			if _, err := x.admin.invoke(ctx, "Set-HostedContentFilterRule", map[string]any{"Identity": name, "RecipientDomainIs": domains}); err != nil {
				return nil, x.translate("Set-HostedContentFilterRule", subject{Mailbox: inst.Domains[0]}, err)
			}
			x.log.Info("anti-spam rule scoped again", "rule", name, "was", have, "now", domains)
		}
	}
	return p, nil
}

// normalizeSender checks a sender address or domain.
func normalizeSender(s string) (string, error) { return bot.NormalizeSender(s) }

// AllowSender adds a sender address or domain to the institution's
// allowed list (and takes it off its blocked list).
func (x *Exchange) AllowSender(ctx context.Context, inst *bot.Institution, sender string) (*bot.Outcome, error) {
	return x.spam(ctx, inst, sender, true)
}

// BlockSender adds a sender address or domain to the institution's
// blocked list (and takes it off its allowed list).
func (x *Exchange) BlockSender(ctx context.Context, inst *bot.Institution, sender string) (*bot.Outcome, error) {
	return x.spam(ctx, inst, sender, false)
}

func (x *Exchange) spam(ctx context.Context, inst *bot.Institution, sender string, allow bool) (*bot.Outcome, error) {
	if err := inScope(inst); err != nil {
		return nil, err
	}
	s, err := normalizeSender(sender)
	if err != nil {
		return nil, err
	}
	p, err := x.ensurePolicy(ctx, inst)
	if err != nil {
		return nil, err
	}
	domain := !strings.Contains(s, "@")
	lists := map[string]*[]string{
		"AllowedSenders": &p.allowedSenders, "AllowedSenderDomains": &p.allowedSenderDomains,
		"BlockedSenders": &p.blockedSenders, "BlockedSenderDomains": &p.blockedSenderDomains,
	}
	field, other := "AllowedSenders", "BlockedSenders"
	if !allow {
		field, other = other, field
	}
	if domain {
		field, other = field[:len(field)-1]+"Domains", other[:len(other)-1]+"Domains"
	}
	dst, opp := lists[field], lists[other]
	done, wasOpp := "exo.spam_allowed", "exo.spam_unblocked"
	already := "exo.spam_already_allowed"
	if !allow {
		done, wasOpp, already = "exo.spam_blocked", "exo.spam_unallowed", "exo.spam_already_blocked"
	}
	inOpp := slices.Contains(*opp, s)
	if slices.Contains(*dst, s) && !inOpp {
		return &bot.Outcome{Summary: bot.P(already, "Sender", s, "Institution", inst.Code)}, nil
	}
	params := map[string]any{"Identity": p.name}
	if !slices.Contains(*dst, s) {
		params[field] = append(slices.Clone(*dst), s)
	}
	if inOpp {
		params[other] = slices.DeleteFunc(slices.Clone(*opp), func(x string) bool { return x == s })
	}
	if _, err := x.admin.invoke(ctx, "Set-HostedContentFilterPolicy", params); err != nil {
		return nil, x.translate("Set-HostedContentFilterPolicy", subject{}, err)
	}
	x.log.Info("anti-spam list changed", "policy", p.name, "list", field, "sender", s)
	out := &bot.Outcome{Summary: bot.P(done, "Sender", s, "Institution", inst.Code)}
	if inOpp {
		out.Details = append(out.Details, bot.P(wasOpp, "Sender", s))
	}
	return out, nil
}

// SpamLists returns the institution's allowed and blocked senders and
// domains, sorted.
func (x *Exchange) SpamLists(ctx context.Context, inst *bot.Institution) (*bot.SpamList, error) {
	if err := inScope(inst); err != nil {
		return nil, err
	}
	p, err := x.getPolicy(ctx, inst)
	if err != nil {
		return nil, err
	}
	l := &bot.SpamList{Allowed: []string{}, Blocked: []string{}}
	if p == nil {
		return l, nil
	}
	l.Allowed = append(append(l.Allowed, p.allowedSenders...), p.allowedSenderDomains...)
	l.Blocked = append(append(l.Blocked, p.blockedSenders...), p.blockedSenderDomains...)
	sort.Strings(l.Allowed)
	sort.Strings(l.Blocked)
	return l, nil
}
