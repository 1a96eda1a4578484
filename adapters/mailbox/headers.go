package mailbox

import (
	"strings"

	"itbot/bot"
)

// headerValues returns the values of every header named name, in order.
func headerValues(hs []Header, name string) []string {
	var out []string
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			out = append(out, h.Value)
		}
	}
	return out
}

// autoSubjects are subject beginnings of automatic replies and delivery
// reports, folded (lower case, no Latvian diacritics).
var autoSubjects = []string{
	"automatic reply:", "automatic reply -", "autoreply:", "auto-reply:", "auto reply:", "auto:", "out of office:",
	"out of office reply", "out of the office:", "undeliverable:", "undelivered mail", "delivery status notification",
	"delivery has failed", "mail delivery failed", "mail delivery system", "returned mail:", "failure notice",
	"automatiska atbilde:", "automatiska atbilde -", "prombutne:", "prombutne -", "nav biroja:",
	"nepiegadajams:", "nepiegadats:", "neizdevas piegadat", "piegade neizdevas",
}

// autoLocals are sender local parts that never belong to a person.
var autoLocals = []string{"mailer-daemon", "postmaster", "microsoftexchange", "no-reply", "noreply", "do-not-reply", "donotreply", "bounce", "bounces"}

// Automated reports whether a message was sent by a machine and must not
// be answered: an automatic reply or a delivery report (Auto-Submitted
// other than "no", X-Auto-Response-Suppress, Precedence bulk/junk/list,
// a mailing list, Exchange's NDR marker, a multipart/report), an
// out-of-office or undeliverable subject in Latvian or English, or a
// mailer-daemon/postmaster/no-reply sender. reason says which.
func Automated(from, subject string, hs []Header) (bool, string) {
	local := from
	if at := strings.LastIndexByte(from, '@'); at >= 0 {
		local = from[:at]
	}
	for _, l := range autoLocals {
		if local == l || strings.HasPrefix(local, l+"+") || l == "microsoftexchange" && strings.HasPrefix(local, l) {
			return true, "sender " + from
		}
	}
	for _, v := range headerValues(hs, "Auto-Submitted") {
		if f := strings.ToLower(strings.TrimSpace(strings.SplitN(v, ";", 2)[0])); f != "" && f != "no" {
			return true, "Auto-Submitted: " + f
		}
	}
	if vs := headerValues(hs, "X-Auto-Response-Suppress"); len(vs) > 0 {
		return true, "X-Auto-Response-Suppress: " + vs[0]
	}
	for _, v := range headerValues(hs, "Precedence") {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "bulk", "junk", "list", "auto_reply":
			return true, "Precedence: " + v
		}
	}
	if len(headerValues(hs, "List-Id")) > 0 || len(headerValues(hs, "List-Unsubscribe")) > 0 {
		return true, "mailing list"
	}
	if len(headerValues(hs, "X-MS-Exchange-Message-Is-Ndr")) > 0 {
		return true, "delivery report (Exchange)"
	}
	for _, v := range headerValues(hs, "Content-Type") {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "multipart/report") {
			return true, "delivery report"
		}
	}
	s := bot.Fold(subject)
	for _, p := range autoSubjects {
		if strings.HasPrefix(s, p) || s == strings.TrimRight(p, ": -") {
			return true, "subject " + subject
		}
	}
	return false, ""
}

// Auth is how far a message's sender is proven.
type Auth int

// The authentication results.
const (
	// AuthNone: no verdict (no Authentication-Results, dmarc=none,
	// bestguesspass, temperror …).
	AuthNone Auth = iota
	// AuthPass: DMARC passed for the From domain (or, with
	// trust_internal, Exchange marked the message as sent inside the
	// organisation).
	AuthPass
	// AuthFail: DMARC (or Exchange's composite authentication) failed:
	// the From line is probably forged.
	AuthFail
)

// String names the result for logs.
func (a Auth) String() string {
	switch a {
	case AuthPass:
		return "pass"
	case AuthFail:
		return "fail"
	}
	return "none"
}

// Authenticate reads the verdict of the receiving server on the From
// address: the first (topmost, so newest: the one Exchange Online added)
// Authentication-Results header's dmarc result, which must be for the
// From domain (header.from equal to it or its parent domain). Headers a
// sender wrote lower down cannot change it. trustInternal also accepts
// Exchange's own "X-MS-Exchange-Organization-AuthAs: Internal" stamp.
func Authenticate(from string, hs []Header, trustInternal bool) Auth {
	res := AuthNone
	if ars := headerValues(hs, "Authentication-Results"); len(ars) > 0 {
		dmarc, compauth, hfrom := authResults(ars[0])
		switch {
		case dmarc == "fail" || compauth == "fail":
			return AuthFail
		case dmarc == "pass" && aligned(bot.Domain(from), hfrom):
			res = AuthPass
		}
	}
	if res == AuthNone && trustInternal {
		if vs := headerValues(hs, "X-MS-Exchange-Organization-AuthAs"); len(vs) > 0 && strings.EqualFold(strings.TrimSpace(vs[0]), "Internal") {
			res = AuthPass
		}
	}
	return res
}

// authResults reads the dmarc and compauth results and the dmarc
// clause's header.from from an Authentication-Results value, e.g.
// "spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=lgia.gov.lv; dkim=pass
// header.d=lgia.gov.lv;dmarc=pass action=none header.from=lgia.gov.lv;
// compauth=pass reason=100".
func authResults(v string) (dmarc, compauth, headerFrom string) {
	for _, clause := range strings.Split(stripComments(v), ";") {
		fs := strings.Fields(clause)
		for i, f := range fs {
			k, val, ok := strings.Cut(f, "=")
			if !ok {
				continue
			}
			switch strings.ToLower(k) {
			case "dmarc":
				if dmarc == "" {
					dmarc = strings.ToLower(val)
					for _, g := range fs[i+1:] {
						if k2, v2, ok := strings.Cut(g, "="); ok && strings.EqualFold(k2, "header.from") {
							headerFrom = strings.ToLower(strings.Trim(v2, `"<>`))
						}
					}
				}
			case "compauth":
				if compauth == "" {
					compauth = strings.ToLower(val)
				}
			}
		}
	}
	return dmarc, compauth, headerFrom
}

// stripComments removes RFC 5322 comments "( … )", which may contain
// anything, including "dmarc=pass".
func stripComments(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// aligned reports whether the domain DMARC judged (header.from) is the
// From domain or its organisational parent (relaxed alignment). An
// absent header.from is taken as the From domain.
func aligned(fromDomain, headerFrom string) bool {
	if headerFrom == "" || fromDomain == "" {
		return fromDomain != ""
	}
	return fromDomain == headerFrom || strings.HasSuffix(fromDomain, "."+headerFrom)
}
