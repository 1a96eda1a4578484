package slack

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"itbot/bot"
)

// Modal callback ids and the block/action ids of their inputs.
const (
	CallbackNew    = "itbot.new"
	CallbackReject = "itbot.reject"

	BlockType    = "type"
	BlockTarget  = "target"
	BlockMailbox = "mailbox"
	BlockLicence = "licence"
	BlockOption  = "option"
	BlockComment = "comment"
	BlockReason  = "reason"
)

// modalMeta is carried in a modal's private_metadata: where the form was
// opened, so the answer goes back there.
type modalMeta struct {
	Channel     string `json:"c,omitempty"`
	Thread      string `json:"t,omitempty"`
	ResponseURL string `json:"r,omitempty"`
	ID          string `json:"id,omitempty"` // the request a reject form is about
}

func (m modalMeta) encode() string {
	b, _ := json.Marshal(m)
	return string(b)
}

// findFormType returns the request-type table's form type named t.
func findFormType(t string) (*bot.TypeSpec, bool) {
	for _, s := range bot.FormTypes() {
		if string(s.Type) == t {
			return s, true
		}
	}
	return nil, false
}

// DefaultLicences are offered when an institution has no licence pool.
var DefaultLicences = []string{"E1", "E3", "E5", "EXO1"}

func option(value, label string) *slackgo.OptionBlockObject {
	return slackgo.NewOptionBlockObject(value, plain(truncate(label, 75)), nil)
}

// NewRequestForm is the "/it new" modal, in the person's language: the
// request type (every form type of the request-type table) and one input
// for each form field a type's parameters use — the account, a shared
// mailbox, the licence (a list), another option, and the comment (the
// request's text for free-text types, else a comment added to it).
// Modals are static once open, so every input is there and optional; the
// submission checks what the chosen type needs.
func NewRequestForm(l bot.Lang, inst *bot.Institution, meta string) slackgo.ModalViewRequest {
	var types []*slackgo.OptionBlockObject
	specs := bot.FormTypes()
	for _, s := range specs {
		types = append(types, option(string(s.Type), s.Type.Label(l)))
	}
	licences := DefaultLicences
	example := "vards.uzvards@iestade.gov.lv"
	if inst != nil {
		if len(inst.LicencePool) > 0 {
			licences = nil
			for k := range inst.LicencePool {
				licences = append(licences, k)
			}
			sort.Strings(licences)
		}
		if len(inst.Domains) > 0 {
			example = "vards.uzvards@" + inst.Domains[0]
		}
	}
	var skus []*slackgo.OptionBlockObject
	for _, s := range licences {
		skus = append(skus, option(s, s))
	}
	typeSel := slackgo.NewOptionsSelectBlockElement(slackgo.OptTypeStatic, plain(bot.Tr(l, "slack.form.type_placeholder", nil)), BlockType, types...)
	target := slackgo.NewPlainTextInputBlockElement(plain(example), BlockTarget)
	target.MaxLength = 254
	licence := slackgo.NewOptionsSelectBlockElement(slackgo.OptTypeStatic, plain(bot.Tr(l, "slack.form.type_placeholder", nil)), BlockLicence, skus...)
	comment := slackgo.NewPlainTextInputBlockElement(nil, BlockComment)
	comment.Multiline = true
	comment.MaxLength = 3000

	targetBlock := slackgo.NewInputBlock(BlockTarget, plain(bot.Tr(l, "slack.form.target", nil)), plain(bot.Tr(l, "slack.form.target_hint", nil)), target)
	targetBlock.Optional = true
	mailbox := slackgo.NewPlainTextInputBlockElement(nil, BlockMailbox)
	mailbox.MaxLength = 254
	mailboxBlock := slackgo.NewInputBlock(BlockMailbox, plain(bot.Tr(l, "slack.form.mailbox", nil)), plain(bot.Tr(l, "slack.form.mailbox_hint", nil)), mailbox)
	mailboxBlock.Optional = true
	opt := slackgo.NewPlainTextInputBlockElement(nil, BlockOption)
	opt.MaxLength = 254
	optionBlock := slackgo.NewInputBlock(BlockOption, plain(bot.Tr(l, "slack.form.option", nil)),
		plain(truncate(bot.Tr(l, "slack.form.option_hint", bot.Args{"What": optionHelp(specs, l)}), 2000)), opt)
	optionBlock.Optional = true
	licenceBlock := slackgo.NewInputBlock(BlockLicence, plain(bot.Tr(l, "slack.form.licence", nil)), plain(bot.Tr(l, "slack.form.licence_hint", nil)), licence)
	licenceBlock.Optional = true
	commentBlock := slackgo.NewInputBlock(BlockComment, plain(bot.Tr(l, "slack.form.comment", nil)), plain(bot.Tr(l, "slack.form.comment_hint", nil)), comment)
	commentBlock.Optional = true
	return slackgo.ModalViewRequest{
		Type:       slackgo.VTModal,
		CallbackID: CallbackNew,
		Title:      plain(bot.Tr(l, "slack.form.title", nil)),
		Submit:     plain(bot.Tr(l, "slack.form.submit", nil)),
		Close:      plain(bot.Tr(l, "slack.form.close", nil)),
		Blocks: slackgo.Blocks{BlockSet: []slackgo.Block{
			slackgo.NewInputBlock(BlockType, plain(bot.Tr(l, "slack.form.type", nil)), nil, typeSel),
			targetBlock, mailboxBlock, licenceBlock, optionBlock, commentBlock,
		}},
		PrivateMetadata: meta,
	}
}

// RejectForm is the modal a Reject button opens: it asks for the reason.
func RejectForm(l bot.Lang, r *bot.Request, id, meta string) slackgo.ModalViewRequest {
	what := id
	if r != nil {
		what = bot.Describe(r, l)
	}
	reason := slackgo.NewPlainTextInputBlockElement(nil, BlockReason)
	reason.Multiline = true
	reason.MaxLength = 3000
	return slackgo.ModalViewRequest{
		Type:       slackgo.VTModal,
		CallbackID: CallbackReject,
		Title:      plain(bot.Tr(l, "slack.reject.title", nil)),
		Submit:     plain(bot.Tr(l, "slack.reject.submit", nil)),
		Close:      plain(bot.Tr(l, "slack.form.close", nil)),
		Blocks: slackgo.Blocks{BlockSet: []slackgo.Block{
			slackgo.NewSectionBlock(mrkdwn(Escape(bot.Tr(l, "slack.reject.intro", bot.Args{"ID": id, "What": what}))), nil, nil),
			slackgo.NewInputBlock(BlockReason, plain(bot.Tr(l, "slack.reject.reason", nil)), plain(bot.Tr(l, "slack.reject.hint", nil)), reason),
		}},
		PrivateMetadata: meta,
	}
}

func (a *Adapter) openView(ctx context.Context, trigger string, v slackgo.ModalViewRequest) error {
	return a.call(ctx, "views.open", func(ctx context.Context) error {
		_, err := a.api.OpenViewContext(ctx, trigger, v)
		return err
	})
}

// openNewForm opens the new-request modal for p.
func (a *Adapter) openNewForm(ctx context.Context, trigger string, p *bot.Person, meta modalMeta) error {
	inst, _ := a.store.Institution(ctx, p.Institution)
	return a.openView(ctx, trigger, NewRequestForm(p.Language(), inst, meta.encode()))
}

// openRejectForm opens the reason modal for rejecting request id.
func (a *Adapter) openRejectForm(ctx context.Context, trigger string, p *bot.Person, id string, meta modalMeta) error {
	r, err := a.door.Requests.Get(ctx, bot.Actor{Person: p, Platform: Platform}, id)
	if err != nil {
		return err
	}
	meta.ID = id
	return a.openView(ctx, trigger, RejectForm(p.Language(), r, id, meta.encode()))
}

// stateValue reads an input's value from a submitted view.
func stateValue(v slackgo.View, block string) string {
	if v.State == nil {
		return ""
	}
	for _, act := range v.State.Values[block] {
		if act.SelectedOption.Value != "" {
			return strings.TrimSpace(act.SelectedOption.Value)
		}
		return strings.TrimSpace(act.Value)
	}
	return ""
}

// FormErrors answers a modal submission with errors shown on the fields
// (block id -> message).
func FormErrors(errs map[string]string) *slackgo.ViewSubmissionResponse {
	return slackgo.NewErrorsViewSubmissionResponse(errs)
}

// viewSubmission checks a submitted modal. Invalid input is answered at
// once with the errors on the fields (response_action "errors"); valid
// input closes the modal and returns the work that runs it.
func (a *Adapter) viewSubmission(ctx context.Context, cb slackgo.InteractionCallback) (*slackgo.ViewSubmissionResponse, job) {
	var meta modalMeta
	json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta)
	if cb.View.CallbackID != CallbackNew && cb.View.CallbackID != CallbackReject {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	p, unknown := a.person(ctx, cb.User.ID)
	t := &replyTarget{a: a, user: cb.User.ID, channel: meta.Channel, thread: meta.Thread, responseURL: meta.ResponseURL, lang: bot.LV}
	if unknown != nil {
		if unknown.isBot {
			return nil, nil
		}
		return nil, func(ctx context.Context) { t.Write(ctx, unknown.reply()) }
	}
	l := p.Language()
	t.lang = l
	msg := &bot.Message{Platform: Platform, Channel: meta.Channel, Thread: meta.Thread, MessageID: cb.View.ID, Delivery: keyView(cb),
		UserID: cb.User.ID, Person: p, Source: bot.SourceDialog, Direct: isDM(meta.Channel)}
	switch cb.View.CallbackID {
	case CallbackReject:
		reason := stateValue(cb.View, BlockReason)
		if reason == "" {
			return FormErrors(map[string]string{BlockReason: bot.Tr(l, "slack.reject.reason_required", nil)}), nil
		}
		msg.Text = bot.Prefix + " reject " + meta.ID + " " + reason
		if _, _, err := bot.Tokenize(msg.Text); err != nil {
			return FormErrors(map[string]string{BlockReason: bot.UserMessage(err, l)}), nil
		}
		return nil, func(ctx context.Context) { a.route(ctx, t, msg) }
	}
	text, comment, errs := a.checkNewForm(ctx, cb.View, p, l)
	if len(errs) > 0 {
		return FormErrors(errs), nil
	}
	msg.Text = text
	return nil, func(ctx context.Context) {
		rec := &recordingTarget{replyTarget: t}
		a.route(ctx, rec, msg)
		if comment != "" && rec.request != "" {
			c := *msg
			c.Text = bot.Prefix + " comment " + rec.request + " " + comment
			a.route(ctx, t, &c)
		}
	}
}

// optionHelp names what the option input carries for the offered types
// (the table's parameters on the option field other than the licence,
// which has its list), with their choices.
func optionHelp(specs []*bot.TypeSpec, l bot.Lang) string {
	var out []string
	seen := map[string]bool{}
	for _, s := range specs {
		for _, ps := range s.Params {
			if ps.Form != bot.FormOption || ps.Name == "sku" || ps.Label == "" || seen[ps.Label] {
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

// checkNewForm validates the new-request form and returns the command it
// becomes, the comment to add after it, or the errors by block. Each of
// the chosen type's parameters is read from the input the request-type
// table names for it and checked as the command would check it.
func (a *Adapter) checkNewForm(ctx context.Context, v slackgo.View, p *bot.Person, l bot.Lang) (cmd, comment string, errs map[string]string) {
	errs = map[string]string{}
	spec, ok := findFormType(stateValue(v, BlockType))
	if !ok {
		errs[BlockType] = bot.Tr(l, "slack.form.type_required", nil)
		return "", "", errs
	}
	if m, _ := a.router.Match(bot.Prefix + " " + spec.Names[0]); !m.Is(spec.Names[0]) {
		errs[BlockType] = bot.Tr(l, "slack.form.type_unavailable", nil)
		return "", "", errs
	}
	values := map[string]string{BlockTarget: stateValue(v, BlockTarget), BlockMailbox: stateValue(v, BlockMailbox),
		BlockLicence: strings.Join(strings.Fields(stateValue(v, BlockLicence)), ""), BlockOption: stateValue(v, BlockOption),
		BlockComment: stateValue(v, BlockComment)}
	inst, ierr := a.door.Requests.InstitutionOf(ctx, p)
	example := "vards.uzvards@iestade.gov.lv"
	if inst != nil && len(inst.Domains) > 0 {
		example = "vards.uzvards@" + inst.Domains[0]
	}
	var params bot.Params
	blockOf := map[string]string{}
	textUsed := false
	for _, ps := range spec.Params {
		if ps.Internal {
			continue
		}
		var block string
		switch ps.Form {
		case bot.FormTarget:
			block = BlockTarget
		case bot.FormMailbox:
			block = BlockMailbox
		case bot.FormOption:
			block = BlockOption
			if ps.Name == "sku" && values[BlockLicence] != "" {
				block = BlockLicence
			}
		case bot.FormText:
			block, textUsed = BlockComment, true
		default:
			continue
		}
		val := values[block]
		blockOf[ps.Name] = block
		if val == "" && ps.Required && ps.Default == "" {
			switch block {
			case BlockTarget:
				errs[block] = bot.Tr(l, "slack.form.target_required", bot.Args{"Example": example})
			case BlockComment:
				errs[block] = bot.UserMessage(bot.Errorf(bot.EINVALID, "params.missing_text"), l)
			default:
				errs[block] = bot.Tr(l, "slack.form.required", nil)
			}
		}
		params.Set(ps.Name, val)
	}
	if len(errs) > 0 {
		return "", "", errs
	}
	check := params
	if err := bot.ValidateParamsFor(spec.Type, &check, p.Email); err != nil {
		errs[blockFor(err, blockOf, values)] = bot.UserMessage(err, l)
		return "", "", errs
	}
	if ierr == nil {
		if err := bot.Scope(inst, spec.Type, check); err != nil {
			errs[blockFor(err, blockOf, values)] = bot.UserMessage(err, l)
			return "", "", errs
		}
	}
	cmd = spec.CommandLine(params)
	if !textUsed {
		comment = values[BlockComment]
	}
	if _, _, err := bot.Tokenize(cmd); err != nil {
		errs[BlockComment] = bot.UserMessage(err, l)
		return "", "", errs
	}
	if comment != "" {
		if _, _, err := bot.Tokenize(bot.Prefix + " comment IT-2000-000001 " + comment); err != nil {
			errs[BlockComment] = bot.UserMessage(err, l)
			return "", "", errs
		}
	}
	return cmd, comment, nil
}

// blockFor finds the input a validation error is about: the parameter the
// error names, else the input holding the value it quotes, else the
// account.
func blockFor(err error, blockOf, values map[string]string) string {
	var e *bot.Error
	if !errors.As(err, &e) {
		return BlockTarget
	}
	if name, ok := e.Phrase.Args["Field"].(string); ok && blockOf[name] != "" {
		return blockOf[name]
	}
	for _, k := range []string{"Value", "Address"} {
		v, ok := e.Phrase.Args[k].(string)
		if !ok || v == "" {
			continue
		}
		for _, b := range []string{BlockTarget, BlockMailbox, BlockOption, BlockLicence, BlockComment} {
			if strings.EqualFold(strings.Trim(values[b], "<> "), strings.Trim(v, "<> ")) {
				return b
			}
		}
	}
	if e.Phrase.ID == "params.missing_text" || e.Phrase.ID == "params.text_too_long" {
		return BlockComment
	}
	return BlockTarget
}

// recordingTarget passes replies on and remembers the request they are
// about.
type recordingTarget struct {
	*replyTarget
	request string
}

// Write implements bot.ResponseWriter.
func (r *recordingTarget) Write(ctx context.Context, rep bot.Reply) error {
	if rep.Request != nil && rep.Kind == bot.KindCard {
		r.request = rep.Request.ID
	}
	return r.replyTarget.Write(ctx, rep)
}
