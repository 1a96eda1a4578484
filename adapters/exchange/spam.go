package exchange

import (
	"context"
	"slices"
	"sort"
	"strconv"
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
		// A new policy starts from Microsoft's defaults, not from the
		// tenant's Default policy, and once its rule covers the
		// institution the Default policy no longer applies to it: so it
		// is made from the Default's current settings and lists, and the
		// institution's mail is filtered as before plus its own entries.
		params := map[string]any{"Name": name}
		p = &spamPolicy{name: name}
		if def, err := x.admin.invoke(ctx, "Get-HostedContentFilterPolicy", map[string]any{"Identity": "Default"}); err == nil && len(def.Value) > 0 {
			d := def.Value[0]
			for _, k := range spamSettings {
				if v, ok := d[k]; ok && v != nil {
					params[k] = v
				}
			}
			dp := toPolicy(name, d)
			*p = *dp
			for k, v := range map[string][]string{"AllowedSenders": dp.allowedSenders, "AllowedSenderDomains": dp.allowedSenderDomains,
				"BlockedSenders": dp.blockedSenders, "BlockedSenderDomains": dp.blockedSenderDomains} {
				if len(v) > 0 {
					params[k] = v
				}
			}
		} else if err != nil && !isNotFound(err) {
			return nil, x.translate("Get-HostedContentFilterPolicy", subject{}, err)
		}
		if _, err := x.admin.invoke(ctx, "New-HostedContentFilterPolicy", params); err != nil {
			return nil, x.translate("New-HostedContentFilterPolicy", subject{}, err)
		}
		x.log.Info("anti-spam policy created from the Default policy", "policy", name, "institution", inst.Code)
	}
	domains := lower(inst.Domains)
	sort.Strings(domains)
	res, err := x.admin.invoke(ctx, "Get-HostedContentFilterRule", map[string]any{"Identity": name})
	switch {
	case err != nil && isNotFound(err):
		// Priority 0: without it the new rule comes last, and any rule
		// of higher priority covering the same domains would win.
		if _, err := x.admin.invoke(ctx, "New-HostedContentFilterRule", map[string]any{
			"Name": name, "HostedContentFilterPolicy": name, "RecipientDomainIs": domains, "Priority": 0,
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
		rest := slices.DeleteFunc(slices.Clone(*opp), func(x string) bool { return x == s })
		if len(rest) == 0 {
			// A multivalued parameter is emptied with $null (the cmdlet
			// reference); an empty array fails parameter validation.
			params[other] = nil
		} else {
			params[other] = rest
		}
	}
	if _, err := x.admin.invoke(ctx, "Set-HostedContentFilterPolicy", params); err != nil {
		return nil, x.translate("Set-HostedContentFilterPolicy", subject{}, err)
	}
	x.log.Info("anti-spam list changed", "policy", p.name, "list", field, "sender", s)
	out := &bot.Outcome{Summary: bot.P(done, "Sender", s, "Institution", inst.Code)}
	if inOpp {
		out.Details = append(out.Details, bot.P(wasOpp, "Sender", s))
	}
	if over := x.overriders(ctx, inst); len(over) > 0 {
		out.Details = append(out.Details, bot.P("exo.spam_overridden", "Rules", strings.Join(over, ", ")))
		x.log.Warn("anti-spam rules outside itbot win over the institution's policy", "institution", inst.Code, "rules", over)
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

// spamSettings are the Default policy's settings a new institution policy
// is made with (New-HostedContentFilterPolicy parameters).
var spamSettings = []string{"BulkThreshold", "SpamAction", "HighConfidenceSpamAction", "PhishSpamAction", "HighConfidencePhishAction", "BulkSpamAction", "QuarantineRetentionPeriod", "MarkAsSpamBulkMail"}

// overriders names the enabled anti-spam rules not made by itbot that
// cover one of the institution's domains at a higher priority than its
// own rule (a smaller number), or are a preset security policy (which
// always wins): mail to the institution is filtered by them, and its lists
// do not apply. A failure to read the rules names none (logged).
func (x *Exchange) overriders(ctx context.Context, inst *bot.Institution) []string {
	res, err := x.admin.invoke(ctx, "Get-HostedContentFilterRule", map[string]any{})
	if err != nil {
		x.log.Warn("anti-spam rules could not be read", "err", err)
		return nil
	}
	own := x.policyName(inst)
	prio := func(r map[string]any) float64 {
		switch v := r["Priority"].(type) {
		case float64:
			return v
		case string:
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
		return 0
	}
	mine := -1.0
	for _, r := range res.Value {
		if n, _ := r["Name"].(string); strings.EqualFold(n, own) {
			mine = prio(r)
		}
	}
	var out []string
	for _, r := range res.Value {
		name, _ := r["Name"].(string)
		if strings.HasPrefix(name, x.cfg.SpamPolicyPrefix) {
			continue
		}
		if st, _ := r["State"].(string); st == "Disabled" {
			continue
		}
		covers := false
		for _, d := range lower(strs(r, "RecipientDomainIs")) {
			if slices.Contains(lower(inst.Domains), d) {
				covers = true
			}
		}
		if covers && (strings.Contains(name, "Preset Security Policy") || mine < 0 || prio(r) < mine) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
