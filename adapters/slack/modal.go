package slack

import (
	"context"
	"encoding/json"
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
	BlockLicence = "licence"
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

// formType is one choice of the new-request form and the command it
// becomes.
type formType struct {
	t       bot.Type
	command string // canonical command words
	target  bool   // needs the user's e-mail
	licence bool   // takes a licence
	text    bool   // the comment is the request's text
}

var formTypes = []formType{
	{t: bot.TypeLicenceAssign, command: "licence assign", target: true, licence: true},
	{t: bot.TypeLicenceRevoke, command: "licence revoke", target: true, licence: true},
	{t: bot.TypeMailboxCreate, command: "mailbox create personal", target: true},
	{t: bot.TypeDVSIncident, command: "dvs incident", text: true},
	{t: bot.TypeConsult, command: "consult", text: true},
	{t: bot.TypeInfoRequest, command: "info", text: true},
}

func findFormType(t string) (formType, bool) {
	for _, f := range formTypes {
		if string(f.t) == t {
			return f, true
		}
	}
	return formType{}, false
}

// DefaultLicences are offered when an institution has no licence pool.
var DefaultLicences = []string{"E1", "E3", "E5", "EXO1"}

func option(value, label string) *slackgo.OptionBlockObject {
	return slackgo.NewOptionBlockObject(value, plain(truncate(label, 75)), nil)
}

// NewRequestForm is the "/it new" modal: request type, target user,
// licence and comment, in the person's language.
func NewRequestForm(l bot.Lang, inst *bot.Institution, meta string) slackgo.ModalViewRequest {
	var types []*slackgo.OptionBlockObject
	for _, f := range formTypes {
		types = append(types, option(string(f.t), f.t.Label(l)))
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
			targetBlock, licenceBlock, commentBlock,
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
	r, err := a.bot.Get(ctx, bot.Actor{Person: p, Platform: Platform}, id)
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
	msg := &bot.Message{Platform: Platform, Channel: meta.Channel, Thread: meta.Thread, MessageID: cb.View.ID,
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

// checkNewForm validates the new-request form and returns the command it
// becomes, the comment to add after it, or the errors by field.
func (a *Adapter) checkNewForm(ctx context.Context, v slackgo.View, p *bot.Person, l bot.Lang) (cmd, comment string, errs map[string]string) {
	errs = map[string]string{}
	ft, ok := findFormType(stateValue(v, BlockType))
	if !ok {
		errs[BlockType] = bot.Tr(l, "slack.form.type_required", nil)
		return "", "", errs
	}
	if !a.hasCommand(ft.command) {
		errs[BlockType] = bot.Tr(l, "slack.form.type_unavailable", nil)
		return "", "", errs
	}
	target := stateValue(v, BlockTarget)
	licence := strings.Join(strings.Fields(stateValue(v, BlockLicence)), "")
	comment = stateValue(v, BlockComment)
	inst, ierr := a.bot.InstitutionOf(ctx, p)
	var params bot.Params
	if ft.target {
		example := "vards.uzvards@iestade.gov.lv"
		if inst != nil && len(inst.Domains) > 0 {
			example = "vards.uzvards@" + inst.Domains[0]
		}
		switch addr, err := bot.NormalizeAddress(target); {
		case target == "":
			errs[BlockTarget] = bot.Tr(l, "slack.form.target_required", bot.Args{"Example": example})
		case err != nil:
			errs[BlockTarget] = bot.UserMessage(err, l)
		default:
			target = addr
			params.User = addr
		}
	}
	if ft.text {
		params.Text = comment
		if err := bot.ValidateParams(ft.t, &params); err != nil {
			errs[BlockComment] = bot.UserMessage(err, l)
		}
	}
	if ierr == nil && errs[BlockTarget] == "" {
		if err := bot.Scope(inst, ft.t, params); err != nil {
			errs[BlockTarget] = bot.UserMessage(err, l)
		}
	}
	if len(errs) > 0 {
		return "", "", errs
	}
	cmd = bot.Prefix + " " + ft.command
	if ft.target {
		cmd += " " + target
	}
	if ft.licence && licence != "" {
		cmd += " " + licence
	}
	if ft.text {
		cmd += " " + comment
		comment = ""
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

// hasCommand reports whether the command line words (e.g. "mailbox
// create personal") start with a registered command's name.
func (a *Adapter) hasCommand(words string) bool {
	w := strings.Fields(bot.Fold(words))
	for _, s := range a.router.Specs() {
		for _, n := range s.Names {
			nw := strings.Fields(bot.Fold(n))
			if len(nw) <= len(w) && strings.Join(w[:len(nw)], " ") == strings.Join(nw, " ") {
				return true
			}
		}
	}
	return false
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
