package bot

import (
	"context"
	"time"
)

// Request priorities.
const (
	PriorityNormal = "normal"
	PriorityHigh   = "high"
)

// Meta keys the triage writes on a DVS incident.
const (
	MetaDVSHealth       = "dvs.health"        // the DVS's own status word, or "unreachable"
	MetaDVSHealthUp     = "dvs.health_up"     // "true" or "false"
	MetaDVSHealthDetail = "dvs.health_detail" // what the DVS said is wrong
	MetaDVSHealthAt     = "dvs.health_at"     // RFC 3339
)

// triage looks at a new request before it is stored, whatever door it came
// through, with its type's Triage hook. It returns the audit events that
// record what it found, stored in the same transaction as the request.
func (b *Bot) triage(ctx context.Context, r *Request, platform string) []Event {
	s := LookupType(r.Type)
	if s == nil || s.Triage == nil {
		return nil
	}
	return s.Triage(ctx, &Exec{Request: r, Params: r.Params, Exchange: b.Exchange, DVS: b.DVS, Bot: b}, platform)
}

// TriageDVSHealth is a Triage hook (DVS incidents): the DVS's health now is
// attached to the request, and a DVS that is down (or does not answer)
// makes it high priority.
func TriageDVSHealth(ctx context.Context, x *Exec, platform string) []Event {
	b, r := x.Bot, x.Request
	if b.DVS == nil {
		return nil
	}
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	h, err := b.DVS.Health(hctx)
	cancel()
	state, detail := h.Status, h.Detail
	if err != nil {
		h.Up = false
		state = "unreachable"
		if detail == "" {
			detail = UserMessage(err, EN)
		}
	}
	if h.At.IsZero() {
		h.At = r.CreatedAt
	}
	if r.Meta == nil {
		r.Meta = map[string]string{}
	}
	up := "false"
	if h.Up {
		up = "true"
	}
	r.Meta[MetaDVSHealth], r.Meta[MetaDVSHealthUp], r.Meta[MetaDVSHealthDetail] = state, up, detail
	r.Meta[MetaDVSHealthAt] = h.At.UTC().Format(time.RFC3339)
	if !h.Up {
		r.Priority = PriorityHigh
		b.Log.Warn("DVS incident while the DVS is down", "health", state, "detail", detail)
	}
	desc := state
	if detail != "" {
		desc += " — " + detail
	}
	return []Event{{At: r.CreatedAt, Actor: SystemActor, Platform: platform, Kind: EventUpdated, Phrase: P("triage.dvs_health", "State", desc)}}
}

// DVSHealthText renders the DVS health a triage attached to r, in
// language l; "" when none was attached.
func DVSHealthText(r *Request, l Lang) string {
	state := r.Meta[MetaDVSHealth]
	if state == "" {
		return ""
	}
	at := r.Meta[MetaDVSHealthAt]
	if t, err := time.Parse(time.RFC3339, at); err == nil {
		at = FormatTime(t)
	}
	detail := r.Meta[MetaDVSHealthDetail]
	switch {
	case state == "unreachable":
		return Tr(l, "triage.health_unknown", Args{"Detail": detail})
	case r.Meta[MetaDVSHealthUp] == "true":
		return Tr(l, "triage.health_up", Args{"Status": state, "At": at})
	}
	return Tr(l, "triage.health_down", Args{"Detail": detail, "At": at})
}

func init() {
	RegisterTexts(
		T("triage.dvs_health", "Pievienots DVS stāvoklis pieteikšanas brīdī: {{.State}}", "DVS state when reported attached: {{.State}}"),
		T("triage.health_up", "darbojas ({{.Status}}, pārbaudīts {{.At}})", "up ({{.Status}}, checked {{.At}})"),
		T("triage.health_down", "nedarbojas{{if .Detail}}: {{.Detail}}{{end}} (pārbaudīts {{.At}})", "down{{if .Detail}}: {{.Detail}}{{end}} (checked {{.At}})"),
		T("triage.health_unknown", "stāvoklis nav zināms: {{.Detail}}", "state unknown: {{.Detail}}"),
		T("field.priority", "Prioritāte", "Priority"),
		T("field.dvs_health", "DVS šobrīd", "DVS now"),
		T("priority.high", "augsta", "high"),
		T("priority.normal", "parasta", "normal"),
	)
}
