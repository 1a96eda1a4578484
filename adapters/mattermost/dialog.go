package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// The new-request dialog's element names.
const (
	fieldType    = "type"
	fieldTarget  = "target"
	fieldMailbox = "mailbox"
	fieldOption  = "option"
	fieldText    = "text"
)

// RequestDialog builds the new-request form in language l; state binds it
// to the person and channel it was opened for.
func RequestDialog(l bot.Lang, state string) model.Dialog {
	types := bot.FormTypes()
	opts := make([]*model.PostActionOptions, 0, len(types))
	for _, s := range types {
		opts = append(opts, &model.PostActionOptions{Text: s.Type.Label(l), Value: string(s.Type)})
	}
	ph := "vards.uzvards@iestade.gov.lv"
	if l == bot.EN {
		ph = "name.surname@institution.gov.lv"
	}
	return model.Dialog{
		CallbackId:       "itbot.new",
		Title:            bot.Tr(l, "mm.dialog_title", nil),
		IntroductionText: bot.Tr(l, "mm.dialog_intro", nil),
		SubmitLabel:      bot.Tr(l, "mm.dialog_submit", nil),
		State:            state,
		Elements: []model.DialogElement{
			{DisplayName: bot.Tr(l, "mm.field_type", nil), Name: fieldType, Type: "select", Options: opts},
			{DisplayName: bot.Tr(l, "mm.field_target", nil), Name: fieldTarget, Type: "text", Optional: true, MaxLength: 254,
				Placeholder: ph, HelpText: bot.Tr(l, "mm.help_target", nil)},
			{DisplayName: bot.Tr(l, "mm.field_mailbox", nil), Name: fieldMailbox, Type: "text", SubType: "email", Optional: true, MaxLength: 254,
				HelpText: bot.Tr(l, "mm.help_mailbox", nil)},
			{DisplayName: bot.Tr(l, "mm.field_option", nil), Name: fieldOption, Type: "text", Optional: true, MaxLength: 64,
				HelpText: clipBytes(bot.Tr(l, "mm.help_option", bot.Args{"What": optionHelp(types, l)}), model.DialogElementHelpTextMaxLength)},
			{DisplayName: bot.Tr(l, "mm.field_text", nil), Name: fieldText, Type: "textarea", Optional: true, MaxLength: 4000,
				HelpText: bot.Tr(l, "mm.help_text", nil)},
		},
	}
}

// optionHelp names what the option element carries for the offered types
// (the table's parameters on the option field), with their choices.
func optionHelp(types []*bot.TypeSpec, l bot.Lang) string {
	var out []string
	seen := map[string]bool{}
	for _, s := range types {
		for _, ps := range s.Params {
			if ps.Form != bot.FormOption || ps.Label == "" || seen[ps.Label] {
				continue
			}
			seen[ps.Label] = true
			w := bot.Tr(l, ps.Label, nil)
			if len(ps.Choices) > 0 {
				w += " (" + strings.Join(ps.Choices, ", ") + ")"
			}
			out = append(out, w)
		}
	}
	return strings.Join(out, "; ")
}

// clipBytes shortens s to at most max bytes at a character boundary, with
// an ellipsis: Mattermost refuses a dialog whose element help text is longer
// than DialogElementHelpTextMaxLength bytes (model.DialogElement.IsValid).
func clipBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const ell = "…"
	cut := max - len(ell)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}

// openDialog opens the new-request form for a user, through the trigger
// id of their slash command or click.
func (a *Adapter) openDialog(ctx context.Context, trigger string, p *bot.Person, user, channel string) error {
	req := model.OpenDialogRequest{TriggerId: trigger, URL: a.cfg.PublicURL + a.cfg.PathPrefix + "/dialog",
		Dialog: RequestDialog(p.Language(), a.sign.State(user, channel))}
	return a.call(ctx, "open dialog", func(ctx context.Context) (*model.Response, error) {
		return a.api.OpenInteractiveDialog(ctx, req)
	})
}

// rejectCallback prefixes the callback id of a reason form: "itbot.reject:"
// and the request id.
const rejectCallback = "itbot.reject:"

// fieldReason is the reason form's only element.
const fieldReason = "reason"

// RejectDialog is the form the Reject button opens: the reason, which the
// requester will read in the request's thread.
func RejectDialog(l bot.Lang, id, what, state string) model.Dialog {
	return model.Dialog{
		CallbackId:       rejectCallback + id,
		Title:            bot.Tr(l, "mm.reject_title", nil),
		IntroductionText: bot.Tr(l, "mm.reject_intro", bot.Args{"ID": id, "What": what}),
		SubmitLabel:      bot.Tr(l, "mm.reject_submit", nil),
		State:            state,
		Elements: []model.DialogElement{{DisplayName: bot.Tr(l, "mm.reject_reason", nil), Name: fieldReason, Type: "textarea",
			MinLength: 2, MaxLength: 1000, HelpText: bot.Tr(l, "mm.reject_hint", nil)}},
	}
}

// openRejectDialog opens the reason form for request id.
func (a *Adapter) openRejectDialog(ctx context.Context, trigger string, p *bot.Person, id, user, channel string) error {
	r, err := a.door.Requests.Get(ctx, bot.Actor{Person: p, Platform: Platform}, id)
	if err != nil {
		return err
	}
	l := p.Language()
	req := model.OpenDialogRequest{TriggerId: trigger, URL: a.cfg.PublicURL + a.cfg.PathPrefix + "/dialog",
		Dialog: RejectDialog(l, r.ID, bot.Describe(r, l), a.sign.State(user, channel))}
	return a.call(ctx, "open dialog", func(ctx context.Context) (*model.Response, error) {
		return a.api.OpenInteractiveDialog(ctx, req)
	})
}

// needsReason reports a Reject button (the command without a reason) and
// returns the request id it names.
func (a *Adapter) needsReason(cmd string) (string, bool) {
	m, _ := a.router.Match(cmd)
	if !m.Is("reject") || len(m.Args) != 1 {
		return "", false
	}
	id, err := bot.ParseID(m.Args[0])
	return id, err == nil
}

// ParseDialog reads the JSON Mattermost posts when a dialog is submitted.
func ParseDialog(body []byte) (*model.SubmitDialogRequest, error) {
	if len(body) > maxBody {
		return nil, errors.New("dialog: body too large")
	}
	var req model.SubmitDialogRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("dialog: %w", err)
	}
	switch {
	case !model.IsValidId(req.UserId):
		return nil, errors.New("dialog: user_id missing or malformed")
	case !model.IsValidId(req.ChannelId):
		return nil, errors.New("dialog: channel_id missing or malformed")
	}
	return &req, nil
}

// serveDialog is POST {prefix}/dialog: a submitted new-request form. The
// state must be the one signed for this user and channel. Field errors go
// back as {"errors": {...}} so the form stays open; a valid form runs as
// the command string typing would.
func (a *Adapter) serveDialog(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	req, err := ParseDialog(body)
	if err != nil {
		a.log.Info("malformed dialog submission refused", "err", err, "remote", r.RemoteAddr)
		http.Error(w, "malformed dialog submission", http.StatusBadRequest)
		return
	}
	if req.Cancelled {
		writeJSON(w, http.StatusOK, &model.SubmitDialogResponse{})
		return
	}
	if err := a.sign.VerifyState(req.State, req.UserId, req.ChannelId); err != nil {
		if errors.Is(err, ErrExpired) {
			writeJSON(w, http.StatusOK, &model.SubmitDialogResponse{Error: both("mm.dialog_expired", nil)})
			return
		}
		a.log.Warn("forged dialog submission refused", "user", req.UserId, "channel", req.ChannelId, "remote", r.RemoteAddr)
		writeJSON(w, http.StatusForbidden, &model.SubmitDialogResponse{Error: both("mm.dialog_forged", nil)})
		return
	}
	ctx := r.Context()
	p, problem := a.Resolve(ctx, req.UserId)
	if problem != "" {
		writeJSON(w, http.StatusOK, &model.SubmitDialogResponse{Error: problem})
		return
	}
	var cmd string
	var fields map[string]string
	var general string
	if id, ok := strings.CutPrefix(req.CallbackId, rejectCallback); ok {
		// The reason form: the command typing would run, as the person
		// (their roles decide whether they may reject).
		reason, _ := req.Submission[fieldReason].(string)
		if reason = strings.Join(strings.Fields(reason), " "); len([]rune(reason)) < 2 {
			fields = map[string]string{fieldReason: bot.Tr(p.Language(), "mm.reject_reason_required", nil)}
		} else if _, err := bot.ParseID(id); err != nil {
			general = bot.UserMessage(err, p.Language())
		} else {
			cmd = bot.Prefix + " reject " + id + " " + reason
		}
	} else {
		cmd, fields, general = a.DialogCommand(ctx, p, req.Submission)
	}
	if len(fields) > 0 || general != "" {
		a.log.Info("dialog submission with errors", "user", req.UserId, "fields", len(fields))
		writeJSON(w, http.StatusOK, &model.SubmitDialogResponse{Errors: fields, Error: general})
		return
	}
	// A submission carries no id of its own: the same body twice (a double
	// submit) is one delivery.
	js := journaledDialog{UserID: req.UserId, ChannelID: req.ChannelId, Command: cmd}
	in, dup, ok := a.journal(ctx, kindDialog, keyOf("dialog", "", body), &js)
	switch {
	case !ok:
		writeJSON(w, http.StatusOK, &model.SubmitDialogResponse{Error: both("mm.unstored", nil)})
		return
	case !dup:
		a.runDialog(ctx, &js, p, in)
	}
	writeJSON(w, http.StatusOK, &model.SubmitDialogResponse{})
}

// runDialog runs a journaled form's command in the background.
func (a *Adapter) runDialog(ctx context.Context, js *journaledDialog, p *bot.Person, in *bot.Inbound) {
	direct := a.channelIsDirect(ctx, js.ChannelID)
	m := &bot.Message{Platform: Platform, Channel: js.ChannelID, MessageID: newMessageID("dialog"), UserID: js.UserID,
		Person: p, Text: js.Command, Source: bot.SourceDialog, Direct: direct, Delivery: in.Key}
	rw := &replyWriter{a: a, user: js.UserID, channel: js.ChannelID, msgID: m.MessageID, direct: direct, ephemeral: !direct}
	a.spawn(func(ctx context.Context) {
		a.route(ctx, rw, m)
		a.done(in)
	})
}

// channelIsDirect reports whether a channel is a direct channel (with the
// bot, since the bot sees it).
func (a *Adapter) channelIsDirect(ctx context.Context, id string) bool {
	var ch *model.Channel
	err := a.call(ctx, "get channel", func(ctx context.Context) (r *model.Response, err error) {
		ch, r, err = a.api.GetChannel(ctx, id)
		return r, err
	})
	return err == nil && ch.Type == model.ChannelTypeDirect
}

// formFields maps the request-type table's form fields to the dialog's
// element names.
var formFields = map[string]string{bot.FormTarget: fieldTarget, bot.FormMailbox: fieldMailbox, bot.FormOption: fieldOption, bot.FormText: fieldText}

// DialogCommand turns a submitted form into the command string typing
// would run. It reads each of the type's parameters from the element the
// request-type table names for it and checks them first, as the command
// would, so a mistake is shown next to its field while the form stays
// open: fields maps element names to messages, general is a message for
// the form.
func (a *Adapter) DialogCommand(ctx context.Context, p *bot.Person, sub map[string]any) (cmd string, fields map[string]string, general string) {
	l := p.Language()
	val := func(k string) string {
		s, _ := sub[k].(string)
		return strings.TrimSpace(s)
	}
	values := map[string]string{fieldTarget: val(fieldTarget), fieldMailbox: val(fieldMailbox), fieldOption: val(fieldOption), fieldText: val(fieldText)}
	var spec *bot.TypeSpec
	for _, s := range bot.FormTypes() {
		if string(s.Type) == val(fieldType) {
			spec = s
		}
	}
	if spec == nil {
		return "", map[string]string{fieldType: bot.Tr(l, "mm.bad_type", nil)}, ""
	}
	typ := spec.Type
	var par bot.Params
	fields = map[string]string{}
	for _, ps := range spec.Params {
		f, onForm := formFields[ps.Form]
		if ps.Internal || !onForm {
			continue
		}
		v := values[f]
		if v == "" && ps.Required && ps.Default == "" {
			fields[f] = bot.Tr(l, "mm.required", nil)
		}
		par.Set(ps.Name, v)
	}
	if len(fields) > 0 {
		return "", fields, ""
	}
	check := par
	if err := bot.ValidateParamsFor(typ, &check, p.Email); err != nil {
		return "", a.fieldError(err, spec, values, l), ""
	}
	inst, err := a.door.Requests.InstitutionOf(ctx, p)
	if err != nil {
		return "", nil, bot.UserMessage(err, l)
	}
	if err := inst.EligibleFor(typ, a.door.Now()); err != nil {
		return "", nil, bot.UserMessage(err, l)
	}
	if err := bot.Scope(inst, typ, check); err != nil {
		return "", a.fieldError(err, spec, values, l), ""
	}
	cmd = spec.CommandLine(par)
	if _, _, err := bot.Tokenize(strings.TrimPrefix(cmd, bot.Prefix)); err != nil {
		return "", map[string]string{fieldText: bot.UserMessage(err, l)}, ""
	}
	return cmd, nil, ""
}

// fieldError puts a validation error next to the field it is about: the
// field the error names, else the field holding the value it quotes, else
// the field the error's kind belongs to, else the address field.
func (a *Adapter) fieldError(err error, spec *bot.TypeSpec, values map[string]string, l bot.Lang) map[string]string {
	msg := bot.UserMessage(err, l)
	var e *bot.Error
	if !errors.As(err, &e) {
		return map[string]string{fieldType: msg}
	}
	args := e.Phrase.Args
	if name, ok := args["Field"].(string); ok {
		if ps := spec.Param(name); ps != nil {
			if f, onForm := formFields[ps.Form]; onForm {
				return map[string]string{f: msg}
			}
		}
	}
	for _, k := range []string{"Value", "Address"} {
		v, ok := args[k].(string)
		if !ok || v == "" {
			continue
		}
		for _, f := range []string{fieldTarget, fieldMailbox, fieldOption, fieldText} {
			if strings.EqualFold(strings.Trim(values[f], "<> "), strings.Trim(v, "<> ")) {
				return map[string]string{f: msg}
			}
		}
	}
	switch e.Phrase.ID {
	case "params.bad_kind", "params.bad_permission":
		return map[string]string{fieldOption: msg}
	case "params.missing_text", "params.text_too_long":
		return map[string]string{fieldText: msg}
	}
	return map[string]string{fieldTarget: msg}
}
