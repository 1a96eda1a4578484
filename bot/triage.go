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

// healthTriage attaches one service's health to a new incident.
type healthTriage struct {
	meta   string // Meta key prefix: "dvs" (dvs.health …), "exchange"
	name   string // the service's name for people
	health func(b *Bot) func(ctx context.Context) (Health, error)
	field  string // the card's field label
}

var (
	dvsHealth = healthTriage{meta: "dvs", name: "DVS", field: "field.dvs_health",
		health: func(b *Bot) func(ctx context.Context) (Health, error) {
			if b.DVS == nil {
				return nil
			}
			return b.DVS.Health
		}}
	exchangeHealth = healthTriage{meta: "exchange", name: "Exchange Online", field: "field.exchange_health",
		health: func(b *Bot) func(ctx context.Context) (Health, error) {
			if b.Exchange == nil {
				return nil
			}
			return b.Exchange.Health
		}}
	healthTriages = []healthTriage{dvsHealth, exchangeHealth}
)

// TriageDVSHealth is a Triage hook (DVS incidents): the DVS's health now is
// attached to the request, and a DVS that is down (or does not answer)
// makes it high priority.
func TriageDVSHealth(ctx context.Context, x *Exec, platform string) []Event {
	return dvsHealth.run(ctx, x, platform)
}

// TriageExchangeHealth is TriageDVSHealth for the e-mail service (mail
// incidents): Exchange Online's service health is attached.
func TriageExchangeHealth(ctx context.Context, x *Exec, platform string) []Event {
	return exchangeHealth.run(ctx, x, platform)
}

func (h healthTriage) run(ctx context.Context, x *Exec, platform string) []Event {
	b, r := x.Bot, x.Request
	get := h.health(b)
	if get == nil {
		return nil
	}
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	hl, err := get(hctx)
	cancel()
	state, detail := hl.Status, hl.Detail
	if err != nil {
		hl.Up = false
		state = "unreachable"
		if detail == "" {
			detail = UserMessage(err, EN)
		}
	}
	if hl.At.IsZero() {
		hl.At = r.CreatedAt
	}
	if r.Meta == nil {
		r.Meta = map[string]string{}
	}
	up := "false"
	if hl.Up {
		up = "true"
	}
	r.Meta[h.meta+".health"], r.Meta[h.meta+".health_up"], r.Meta[h.meta+".health_detail"] = state, up, detail
	r.Meta[h.meta+".health_at"] = hl.At.UTC().Format(time.RFC3339)
	if !hl.Up {
		r.Priority = PriorityHigh
		b.Log.Warn("incident while the service is down", "service", h.name, "health", state, "detail", detail)
	}
	ph := P("triage.health_event", "Service", h.name, "State", state, "Detail", detail)
	switch {
	case err != nil:
		ph = P("triage.health_event_unreachable", "Service", h.name, "Detail", detail)
	case hl.Up:
		ph = P("triage.health_event_up", "Service", h.name, "State", state)
	}
	return []Event{{At: r.CreatedAt, Actor: SystemActor, Platform: platform, Kind: EventUpdated, Phrase: ph}}
}

// text renders the health the triage attached to r, "" if none.
func (h healthTriage) text(r *Request, l Lang) string {
	state := r.Meta[h.meta+".health"]
	if state == "" {
		return ""
	}
	at := r.Meta[h.meta+".health_at"]
	if t, err := time.Parse(time.RFC3339, at); err == nil {
		at = FormatTime(t)
	}
	detail := r.Meta[h.meta+".health_detail"]
	switch {
	case state == "unreachable":
		return Tr(l, "triage.health_unknown", Args{"Detail": detail})
	case r.Meta[h.meta+".health_up"] == "true":
		return Tr(l, "triage.health_up", Args{"Status": state, "At": at})
	}
	return Tr(l, "triage.health_down", Args{"Detail": detail, "At": at})
}

// DVSHealthText renders the DVS health a triage attached to r, in
// language l; "" when none was attached.
func DVSHealthText(r *Request, l Lang) string { return dvsHealth.text(r, l) }

// healthFields are the card lines of the services' health a triage
// attached to r.
func healthFields(r *Request, l Lang) []Field {
	var fs []Field
	for _, h := range healthTriages {
		if t := h.text(r, l); t != "" {
			fs = append(fs, Field{Label: Tr(l, h.field, nil), Value: t})
		}
	}
	return fs
}

func init() {
	RegisterTexts(
		// triage.dvs_health: the event of requests stored before 2026-12-05.
		T("triage.dvs_health", "Pievienots DVS stāvoklis pieteikšanas brīdī: {{.State}}", "DVS state when reported attached: {{.State}}"),
		T("triage.health_event", "Pievienots {{.Service}} stāvoklis pieteikšanas brīdī: nedarbojas{{if .Detail}} — {{.Detail}}{{end}}", "{{.Service}} state when reported attached: down{{if .Detail}} — {{.Detail}}{{end}}"),
		T("triage.health_event_up", "Pievienots {{.Service}} stāvoklis pieteikšanas brīdī: darbojas", "{{.Service}} state when reported attached: up"),
		T("triage.health_event_unreachable", "{{.Service}} stāvoklis pieteikšanas brīdī nav zināms: {{.Detail}}", "{{.Service}} state when reported is unknown: {{.Detail}}"),
		T("triage.health_up", "darbojas (pārbaudīts {{.At}})", "up (checked {{.At}})"),
		T("triage.health_down", "nedarbojas{{if .Detail}}: {{.Detail}}{{end}} (pārbaudīts {{.At}})", "down{{if .Detail}}: {{.Detail}}{{end}} (checked {{.At}})"),
		T("triage.health_unknown", "stāvoklis nav zināms: {{.Detail}}", "state unknown: {{.Detail}}"),
		T("field.priority", "Prioritāte", "Priority"),
		T("field.dvs_health", "DVS šobrīd", "DVS now"),
		T("field.exchange_health", "E-pasts (Exchange Online) šobrīd", "E-mail (Exchange Online) now"),
		T("priority.high", "augsta", "high"),
		T("priority.normal", "parasta", "normal"),
	)
}
