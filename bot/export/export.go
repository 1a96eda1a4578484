// Package export writes requests with their whole audit history as JSON
// Lines, one request a line, for the agency's request-processing system
// and archive. The format is stable: Version names it, and a field is
// never renamed or given another meaning within a version (see
// docs/export.md).
package export

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"time"

	"itbot/bot"
)

// Version names the format of every line.
const Version = "itbot.export/1"

// Line is one request.
type Line struct {
	Format      string            `json:"format"`
	ID          string            `json:"id"`
	Type        string            `json:"type"`
	TypeLV      string            `json:"type_lv"`
	TypeEN      string            `json:"type_en"`
	Institution string            `json:"institution"`
	Requester   string            `json:"requester"`
	Params      map[string]string `json:"params"`
	State       string            `json:"state"`
	StateLV     string            `json:"state_lv"`
	StateEN     string            `json:"state_en"`
	Priority    string            `json:"priority,omitempty"`
	Assignee    string            `json:"assignee,omitempty"`
	ApprovedBy  string            `json:"approved_by,omitempty"`
	Platform    string            `json:"platform"`
	Channel     string            `json:"channel,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	ClosedAt    *time.Time        `json:"closed_at,omitempty"`
	DueAt       *time.Time        `json:"due_at,omitempty"`
	SLAPolicy   string            `json:"sla_policy,omitempty"`
	Breached    bool              `json:"breached"`
	Events      []Event           `json:"events"`
}

// Event is one audit trail entry.
type Event struct {
	Seq      int       `json:"seq"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Platform string    `json:"platform,omitempty"` // the channel the actor acted from
	Kind     string    `json:"kind"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to,omitempty"`
	Note     string    `json:"note,omitempty"`
	TextLV   string    `json:"text_lv,omitempty"` // what the bot says happened
	TextEN   string    `json:"text_en,omitempty"`
}

// Of builds the line of a request and its history.
func Of(r *bot.Request, history []bot.Event) Line {
	l := Line{Format: Version, ID: r.ID, Type: string(r.Type), TypeLV: r.Type.Label(bot.LV), TypeEN: r.Type.Label(bot.EN),
		Institution: r.Institution, Requester: r.Requester, Params: params(r.Params), State: string(r.State),
		StateLV: r.State.Label(bot.LV), StateEN: r.State.Label(bot.EN), Priority: r.Priority, Assignee: r.Assignee,
		ApprovedBy: r.ApprovedBy, Platform: r.Origin.Platform, Channel: r.Origin.Channel, CreatedAt: r.CreatedAt.UTC(),
		SLAPolicy: r.SLA.Policy, Breached: r.SLA.Breached, Events: make([]Event, 0, len(history))}
	if !r.ClosedAt.IsZero() {
		t := r.ClosedAt.UTC()
		l.ClosedAt = &t
	}
	if !r.SLA.DueAt.IsZero() {
		t := r.SLA.DueAt.UTC()
		l.DueAt = &t
	}
	for _, ev := range history {
		e := Event{Seq: ev.Seq, At: ev.At.UTC(), Actor: ev.Actor, Platform: ev.Platform, Kind: string(ev.Kind),
			From: string(ev.From), To: string(ev.To), Note: ev.Note}
		if ev.Phrase.ID != "" {
			e.TextLV, e.TextEN = ev.Phrase.Render(bot.LV), ev.Phrase.Render(bot.EN)
		}
		l.Events = append(l.Events, e)
	}
	return l
}

// params lists the parameters given, by name.
func params(p bot.Params) map[string]string {
	out := map[string]string{}
	for _, name := range []string{"user", "sku", "kind", "display_name", "mailbox", "permission", "sender", "role", "from", "to", "owner", "text"} {
		if v := p.Get(name); v != "" {
			out[name] = v
		}
	}
	for k, v := range p.Extra {
		out[k] = v
	}
	return out
}

// Write streams the requests f selects to w, one JSON line each, and
// reports how many it wrote.
func Write(ctx context.Context, ex bot.Exporter, f bot.ExportFilter, w io.Writer) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	n := 0
	err := ex.EachRequest(ctx, f, func(r *bot.Request, history []bot.Event) error {
		n++
		return enc.Encode(Of(r, history))
	})
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return n, err
}
