package mattermost

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// "/it jauns" opens the new-request form; a submission with mistakes
// comes back with an error next to each wrong field, in the person's
// language, and creates nothing; the corrected form runs as the typed
// command would.
func TestDialogSubmission(t *testing.T) {
	h := newHarness(t)
	cr := h.slash("anna.berzina", h.town.Id, "jauns")
	if cr.Text != "" {
		t.Errorf("the form's command answered %q; want nothing (the form opens)", cr.Text)
	}
	d := h.mm.Dialog(h.id("anna.berzina"))
	if d == nil {
		t.Fatal("no dialog opened")
	}
	if d.URL != h.web.URL+"/mattermost/dialog" || d.Dialog.Title != bot.Tr(bot.LV, "mm.dialog_title", nil) || len(d.Dialog.Elements) != 5 {
		t.Fatalf("dialog = %+v", d)
	}
	anna := h.client("anna.berzina")
	submit := func(sub map[string]any) *model.SubmitDialogResponse {
		t.Helper()
		out, _, err := anna.SubmitInteractiveDialog(context.Background(), model.SubmitDialogRequest{ChannelId: h.town.Id, Submission: sub})
		if err != nil {
			t.Fatalf("submit %v: %v", sub, err)
		}
		h.a.Drain()
		return out
	}
	for _, tc := range []struct {
		name  string
		sub   map[string]any
		field string
		says  string
	}{
		{"no type", map[string]any{"target": "janis.ozols@lgia.gov.lv"}, "type", bot.Tr(bot.LV, "mm.bad_type", nil)},
		{"unknown type", map[string]any{"type": "root.access"}, "type", bot.Tr(bot.LV, "mm.bad_type", nil)},
		{"missing user", map[string]any{"type": "licence.assign", "option": "E3"}, "target", bot.Tr(bot.LV, "mm.required", nil)},
		{"not an address", map[string]any{"type": "licence.assign", "target": "jānis ozols"}, "target", "jānis ozols"},
		{"another institution's user", map[string]any{"type": "licence.assign", "target": "laura.koka@vid.gov.lv"}, "target", "laura.koka@vid.gov.lv"},
		{"bad permission", map[string]any{"type": "shared.member.add", "mailbox": "info@lgia.gov.lv", "target": "janis.ozols@lgia.gov.lv", "option": "visas"}, "option", "visas"},
		{"member without the mailbox", map[string]any{"type": "shared.member.add", "target": "janis.ozols@lgia.gov.lv"}, "mailbox", bot.Tr(bot.LV, "mm.required", nil)},
		{"question without text", map[string]any{"type": "consult"}, "text", bot.Tr(bot.LV, "mm.required", nil)},
		{"unbalanced quote", map[string]any{"type": "consult", "text": `Kas ir "IT`}, "text", bot.Tr(bot.LV, "router.unclosed_quote", nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := submit(tc.sub)
			got, ok := out.Errors[tc.field]
			if !ok || !strings.Contains(got, tc.says) {
				t.Errorf("errors = %v, error = %q; want %s to say %q", out.Errors, out.Error, tc.field, tc.says)
			}
			if rs := h.requests(); len(rs) != 0 {
				t.Fatalf("a request was created from a wrong form: %+v", rs[0])
			}
		})
	}
	if h.mm.Dialog(h.id("anna.berzina")) == nil {
		t.Fatal("the form closed after errors")
	}

	out := submit(map[string]any{"type": "licence.assign", "target": " Janis.Ozols@lgia.gov.lv ", "option": "E3"})
	if len(out.Errors) != 0 || out.Error != "" {
		t.Fatalf("valid form refused: %+v", out)
	}
	rs := h.requests()
	if len(rs) != 1 {
		t.Fatalf("%d requests", len(rs))
	}
	r := rs[0]
	if r.Type != bot.TypeLicenceAssign || r.Params.User != "janis.ozols@lgia.gov.lv" || r.State != bot.StateAwaitingApproval || r.Origin.Channel != h.town.Id {
		t.Errorf("request = %+v", r)
	}
	if posts := h.botPosts(h.town.Id); len(posts) != 1 || !strings.HasPrefix(attachment(t, posts[0]).Title, r.ID) {
		t.Errorf("channel:\n%s", texts(posts))
	}
	if h.mm.Dialog(h.id("anna.berzina")) != nil {
		t.Error("the form stayed open after a valid submission")
	}
}

// Submissions not made through a form this itbot opened for that person
// are refused.
func TestForgedDialog(t *testing.T) {
	h := newHarness(t)
	state := h.a.sign.State(h.id("anna.berzina"), h.town.Id)
	sub := map[string]any{"type": "consult", "text": "Viltots jautājums"}
	for _, tc := range []struct {
		name, user, channel, state string
		want                       int
	}{
		{"another person's form", h.id("ilze.liepa"), h.town.Id, state, http.StatusForbidden},
		{"another channel", h.id("anna.berzina"), h.ops.Id, state, http.StatusForbidden},
		{"no state", h.id("anna.berzina"), h.town.Id, "", http.StatusForbidden},
		{"made-up state", h.id("anna.berzina"), h.town.Id, "1764000000.abc", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.postJSON("/mattermost/dialog", model.SubmitDialogRequest{Type: "dialog_submission", CallbackId: "itbot.new",
				UserId: tc.user, ChannelId: tc.channel, State: tc.state, Submission: sub})
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.want, body)
			}
		})
	}
	if rs := h.requests(); len(rs) != 0 {
		t.Fatalf("%d requests from forged forms", len(rs))
	}
	// The genuine state passes; a cancelled form does nothing.
	resp, body := h.postJSON("/mattermost/dialog", model.SubmitDialogRequest{UserId: h.id("anna.berzina"), ChannelId: h.town.Id, State: state, Cancelled: true})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("cancel: %d %s", resp.StatusCode, body)
	}
	resp, body = h.postJSON("/mattermost/dialog", model.SubmitDialogRequest{UserId: h.id("anna.berzina"), ChannelId: h.town.Id, State: state, Submission: sub})
	if resp.StatusCode != http.StatusOK || len(h.requests()) != 1 {
		t.Fatalf("genuine form: %d %s, %d requests", resp.StatusCode, body, len(h.requests()))
	}
}

// The form offers every type of the request-type table's forms, and a
// type the adapter has no code for (dvs restore, with its backup on the
// option element) becomes a request through it.
func TestDialogOffersTheTable(t *testing.T) {
	h := newHarness(t)
	h.slash("ilze.liepa", h.town.Id, "new")
	d := h.mm.Dialog(h.id("ilze.liepa"))
	if d == nil {
		t.Fatal("no dialog opened")
	}
	var offered []string
	for _, o := range d.Dialog.Elements[0].Options {
		offered = append(offered, o.Value)
	}
	var want []string
	for _, s := range bot.FormTypes() {
		want = append(want, string(s.Type))
	}
	if strings.Join(offered, ",") != strings.Join(want, ",") {
		t.Fatalf("offered %v, want %v", offered, want)
	}
	out, _, err := h.client("ilze.liepa").SubmitInteractiveDialog(context.Background(), model.SubmitDialogRequest{ChannelId: h.town.Id,
		Submission: map[string]any{"type": "dvs.restore", "option": "lgia-20261120"}})
	if err != nil || len(out.Errors) != 0 || out.Error != "" {
		t.Fatalf("submit: %v %+v", err, out)
	}
	h.a.Drain()
	rs := h.requests()
	if len(rs) != 1 || rs[0].Type != "dvs.restore" || rs[0].Params.Get("backup") != "lgia-20261120" || rs[0].State != bot.StateAwaitingApproval {
		t.Fatalf("requests %+v", rs)
	}
}

// The Reject button opens a form for the reason (a bare "/it reject ID"
// is a usage error); an empty reason stays in the form with a message on
// the field; a reason rejects the request as the person who clicked and
// the requester reads it in the thread.
func TestRejectButtonAsksForTheReason(t *testing.T) {
	h := newHarness(t)
	r, ask := h.askReport()
	h.click("ilze.liepa", ask, bot.Tr(bot.LV, "button.reject", nil))
	d := h.mm.Dialog(h.id("ilze.liepa"))
	if d == nil || d.Dialog.CallbackId != rejectCallback+r.ID || len(d.Dialog.Elements) != 1 || !strings.Contains(d.Dialog.IntroductionText, r.ID) {
		t.Fatalf("reason form: %+v", d)
	}
	if got := h.env.Request(r.ID).State; got != bot.StateAwaitingApproval {
		t.Fatalf("the click alone changed the request: %s", got)
	}
	ilze := h.client("ilze.liepa")
	dm := h.mm.DirectChannel(h.bot.Id, h.id("ilze.liepa"))
	out, _, err := ilze.SubmitInteractiveDialog(context.Background(), model.SubmitDialogRequest{ChannelId: dm, Submission: map[string]any{fieldReason: " "}})
	if err != nil || out.Errors[fieldReason] != bot.Tr(bot.LV, "mm.reject_reason_required", nil) {
		t.Fatalf("empty reason: %+v %v", out, err)
	}
	if _, _, err := ilze.SubmitInteractiveDialog(context.Background(), model.SubmitDialogRequest{ChannelId: dm,
		Submission: map[string]any{fieldReason: "Pārskatu pieprasa tikai vadītājs"}}); err != nil {
		t.Fatal(err)
	}
	h.a.Drain()
	got := h.env.Request(r.ID)
	if got.State != bot.StateRejected {
		t.Fatalf("state after the reason: %s", got.State)
	}
	card := h.botPosts(h.town.Id)[0]
	if th := texts(h.mm.Thread(card.Id)); !strings.Contains(th, "Pārskatu pieprasa tikai vadītājs") {
		t.Errorf("the reason is not in the requester's thread:\n%s", th)
	}
}
