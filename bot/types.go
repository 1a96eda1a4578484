package bot

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// The request-type table. Every tracked request type is one TypeSpec: its
// words, its parameters, who approves it, which service runs it and how,
// its SLA policy and how it reads on cards. The command families register
// their types (package commands, one file a family); the router, the
// conversation, the new-request forms, the executor, validation and
// rendering all read the table, so adding a type edits no switch.

// ParamKind says how a parameter is read, checked and shown.
type ParamKind string

// The parameter kinds.
const (
	// ParamAddress is an e-mail address, lower-cased and checked; it must
	// belong to the requester's institution.
	ParamAddress ParamKind = "address"
	// ParamSender is an outside address or a domain (spam filters): checked,
	// lower-cased, never scoped to the institution.
	ParamSender ParamKind = "sender"
	// ParamWord is one command-line word (quoted if it holds spaces): a
	// licence, a DVS role, a backup id.
	ParamWord ParamKind = "word"
	// ParamChoice is one of a few values, read in either language by Parse.
	ParamChoice ParamKind = "choice"
	// ParamDate is an ISO date (2026-11-30).
	ParamDate ParamKind = "date"
	// ParamName is a display name: the rest of the command line's words.
	ParamName ParamKind = "name"
	// ParamText is free text: the rest of the command line as typed, at most
	// MaxTextBytes.
	ParamText ParamKind = "text"
)

// MaxTextBytes is the longest free text a request takes.
const MaxTextBytes = 4000

// Form fields: where the new-request forms (Slack modal, Mattermost
// dialog) put a parameter. A form has one field of each.
const (
	FormTarget  = "target"  // the account or address the request is about
	FormMailbox = "mailbox" // a second address: the shared mailbox
	FormOption  = "option"  // a short word: licence, kind, permission, role, backup
	FormText    = "text"    // free text, or a display name
)

// ParamSpec declares one parameter of a request type.
type ParamSpec struct {
	// Name is the parameter's key: a Params field's JSON name ("user",
	// "sku", "mailbox" …) or, for a name Params has no field for, a key of
	// Params.Extra.
	Name string
	Kind ParamKind
	// Required parameters must be given (on the command line, in the form,
	// in the conversation) unless Default fills them.
	Required bool
	// Default fills an empty value before validation.
	Default string
	// Parse normalises a ParamChoice value (any language, any spelling) to
	// its canonical word; ok is false for a value it does not know. Choices
	// lists the canonical words.
	Parse   func(string) (string, bool)
	Choices []string
	// BadValue is the catalogue id of the error for a choice Parse refuses
	// (with {{.Value}}); "" uses params.bad_value.
	BadValue string
	// Fold lower-cases and strips diacritics (DVS roles).
	Fold bool
	// Label is the catalogue id of the parameter's name on a restated
	// request ("param.user"); Empty, if set, is shown when the value is
	// empty ("param.sku_default"), otherwise an empty parameter is left out.
	Label, Empty string
	// Show renders a value for people (a kind's word); nil shows it as is.
	Show func(v string, l Lang) string
	// Render, if set, renders the parameter from all of them (a period from
	// two dates); it wins over Show and Empty, "" hides the line.
	Render func(p Params, l Lang) string
	// Brief puts the value in brackets after the target in one-line
	// descriptions ("Licence assignment: a@b.lv (E3)").
	Brief bool
	// Slot is the conversation slot (package bot/nlu) that fills it; "" for
	// none. Ask is the catalogue id of the question that asks for it; ""
	// uses the conversation's question for the slot.
	Slot, Ask string
	// Form is the new-request form field that carries it ("" for none).
	Form string
	// Internal parameters are never typed on a command line or a form: the
	// bot sets them (a technical mailbox's owner) or a conversation does (a
	// report's period).
	Internal bool
}

// Service names the outside service that runs a type.
type Service string

// The services.
const (
	ServiceNone     Service = ""
	ServiceExchange Service = "exchange"
	ServiceDVS      Service = "dvs"
)

// Approval is a type's default approval rule (the configured Policy may
// change it).
type Approval int

// The approval rules.
const (
	// ApprovalByRole: an employee's request waits for their institution's
	// IT contact or expert group; theirs and the agency's are pre-approved.
	ApprovalByRole Approval = iota
	// ApprovalNone: never needs approval (consultations, incidents, look-ups).
	ApprovalNone
	// ApprovalAgency: always needs an agency approver, whoever asked.
	ApprovalAgency
)

// Exec is what a type's action runs with.
type Exec struct {
	Request     *Request
	Params      Params
	Institution *Institution
	Exchange    Exchange
	DVS         DVS
	// Progress posts a progress bar to the request's thread.
	Progress Progress
	// Bot is the bot running the action (for a triage's or hook's look-ups).
	Bot *Bot
}

// TypeSpec declares one request type.
type TypeSpec struct {
	Type Type
	// LV and EN are the type's name for people.
	LV, EN string
	// Order sorts the type in lists and forms.
	Order int
	// Names are the command words that create it, Latvian and English; the
	// first is canonical ("licence assign"). Help is the catalogue id of its
	// one-line description, UsageLV/UsageEN show its arguments. Names may be
	// empty for a type no command creates.
	Names            []string
	Help             string
	UsageLV, UsageEN string
	// Params in command-line order: positional, the last ParamName or
	// ParamText taking the rest of the line.
	Params []ParamSpec
	// Check validates across parameters after each was normalised (dates in
	// order) and completes them (the owner of a technical mailbox is the
	// requester).
	Check func(p *Params, requester string) error
	// Approval is the default approval rule.
	Approval Approval
	// Service runs the action; Run is it. A type with no Run is worked by
	// operators by hand.
	Service Service
	Run     func(ctx context.Context, x *Exec) (*Outcome, error)
	// Procurement types wait for a free licence when none is left
	// (ENOLICENCE) and run again when one is.
	Procurement bool
	// Ready reports, for an action accepted but still being prepared
	// (Outcome.Pending), whether it is done now, with the summary to record.
	Ready func(ctx context.Context, x *Exec) (Phrase, bool, error)
	// Preflight checks a new request against the live service before it is
	// stored (the licence exists in the tenant …), so an approver sees a
	// request that will work. It returns the error to refuse it with; a
	// service that does not answer should not refuse (return nil).
	Preflight func(ctx context.Context, x *Exec) error
	// Triage looks at a new request before it is stored and returns the
	// events that record what it found (a DVS incident gets the DVS's
	// health).
	Triage func(ctx context.Context, x *Exec, platform string) []Event
	// SLA is the type's default SLA policy ("4h", "1d"); "" uses the
	// configured default. The sla.policies setting overrides it.
	SLA string
	// NoForm leaves the type off the new-request forms.
	NoForm bool
	// Prospective types may be asked by a sector institution without a
	// valid contract (expired, or not signed yet): potential recipients
	// get support too; actions need the contract.
	Prospective bool
	// Target renders the main thing a request acts on; nil uses the
	// generic rule (Params.Target, else the first parameter given).
	Target func(p Params) string
}

var types = struct {
	sync.RWMutex
	byType map[Type]*TypeSpec
	sorted []*TypeSpec
}{byType: map[Type]*TypeSpec{}}

// RegisterType adds a request type to the table, with its name in both
// languages. A type registered twice, or a spec that contradicts itself,
// panics: it is a programming error found at start-up.
func RegisterType(s TypeSpec) {
	if err := s.valid(); err != nil {
		panic("bot: request type " + string(s.Type) + ": " + err.Error())
	}
	types.Lock()
	defer types.Unlock()
	if _, dup := types.byType[s.Type]; dup {
		panic("bot: request type registered twice: " + string(s.Type))
	}
	sp := &s
	types.byType[s.Type] = sp
	types.sorted = append(types.sorted, sp)
	sort.SliceStable(types.sorted, func(i, j int) bool { return types.sorted[i].Order < types.sorted[j].Order })
	RegisterTexts(T("type."+string(s.Type), s.LV, s.EN))
}

func (s *TypeSpec) valid() error {
	switch {
	case s.Type == "" || s.LV == "" || s.EN == "":
		return fmt.Errorf("needs a type and names in both languages")
	case s.Run == nil && s.Service != ServiceNone:
		return fmt.Errorf("names a service but has no action")
	case len(s.Names) > 0 && s.Help == "":
		return fmt.Errorf("a command needs a help text")
	}
	seen := map[string]bool{}
	for i, p := range s.Params {
		switch {
		case p.Name == "" || seen[p.Name]:
			return fmt.Errorf("parameter %d: empty or repeated name %q", i, p.Name)
		case p.Kind == ParamChoice && p.Parse == nil:
			return fmt.Errorf("parameter %s: a choice needs Parse", p.Name)
		case (p.Kind == ParamText || p.Kind == ParamName) && i != len(s.Params)-1 && !s.Params[len(s.Params)-1].Internal:
			return fmt.Errorf("parameter %s: free text must come last", p.Name)
		}
		seen[p.Name] = true
	}
	return nil
}

// LookupType returns the spec of type t, or nil.
func LookupType(t Type) *TypeSpec {
	types.RLock()
	defer types.RUnlock()
	return types.byType[t]
}

// TypeSpecs returns the registered types in their order.
func TypeSpecs() []*TypeSpec {
	types.RLock()
	defer types.RUnlock()
	return slices.Clone(types.sorted)
}

// Types returns the registered type names in their order.
func Types() []Type {
	ss := TypeSpecs()
	out := make([]Type, len(ss))
	for i, s := range ss {
		out[i] = s.Type
	}
	return out
}

// FormTypes returns the types the new-request forms offer, in order.
func FormTypes() []*TypeSpec {
	var out []*TypeSpec
	for _, s := range TypeSpecs() {
		if !s.NoForm && len(s.Names) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// Param returns the spec of parameter name, or nil.
func (s *TypeSpec) Param(name string) *ParamSpec {
	for i := range s.Params {
		if s.Params[i].Name == name {
			return &s.Params[i]
		}
	}
	return nil
}

// Executable reports whether the bot runs the type's action itself.
func (s *TypeSpec) Executable() bool { return s.Run != nil }

// FreeText reports whether the type carries a person's message as its
// text.
func (s *TypeSpec) FreeText() bool { return s.Param("text") != nil }

// MinArgs is how many words the command needs after its name: the
// required parameters up to the last one.
func (s *TypeSpec) MinArgs() int {
	n := 0
	for i, p := range s.Params {
		if p.Required && !p.Internal {
			n = i + 1
		}
	}
	return n
}

// ParamsFromArgs reads a command line's arguments into parameters, in the
// spec's order; args are the unquoted words and rest(i) the raw text from
// word i to the end.
func (s *TypeSpec) ParamsFromArgs(args []string, rest func(i int) string) Params {
	var p Params
	i := 0
	for _, ps := range s.Params {
		if ps.Internal {
			continue
		}
		switch ps.Kind {
		case ParamText:
			p.Set(ps.Name, rest(i))
			return p
		case ParamName:
			if i < len(args) {
				p.Set(ps.Name, strings.Join(args[i:], " "))
			}
			return p
		}
		if i < len(args) {
			p.Set(ps.Name, args[i])
		}
		i++
	}
	return p
}

// CommandLine writes the command that creates a request of this type with
// parameters p, as a person would type it: the canonical words, then each
// parameter in order (quoted when it holds spaces), trailing empty ones
// left out. Forms build their command with it.
func (s *TypeSpec) CommandLine(p Params) string {
	var args []string
	free := ""
	for _, ps := range s.Params {
		if ps.Internal {
			continue
		}
		v := p.Get(ps.Name)
		if ps.Kind == ParamText || ps.Kind == ParamName {
			free = v
			break
		}
		if v == "" {
			v = ps.Default
		}
		args = append(args, v)
	}
	for len(args) > 0 && args[len(args)-1] == "" {
		args = args[:len(args)-1]
	}
	var b strings.Builder
	b.WriteString(Prefix)
	if len(s.Names) > 0 {
		b.WriteString(" " + s.Names[0])
	}
	for _, a := range args {
		b.WriteString(" " + QuoteArg(a))
	}
	if free != "" {
		b.WriteString(" " + free)
	}
	return b.String()
}

// QuoteArg makes one value a single command-line word.
func QuoteArg(s string) string {
	if s == "" {
		return `""`
	}
	if !strings.ContainsAny(s, " \t\n\"„“”\\") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Normalize checks and normalises p for a request of this type: defaults
// filled, addresses lower-cased and checked, choices read in either
// language, dates checked, then the type's own Check.
func (s *TypeSpec) Normalize(p *Params, requester string) error {
	for _, ps := range s.Params {
		if ps.Internal && p.Get(ps.Name) == "" {
			continue // set by the bot, if at all
		}
		v := strings.TrimSpace(p.Get(ps.Name))
		if ps.Kind == ParamText {
			v = p.Get(ps.Name)
		}
		if strings.TrimSpace(v) == "" {
			v = ps.Default
		}
		if strings.TrimSpace(v) == "" {
			if ps.Required {
				if ps.Kind == ParamText {
					return Errorf(EINVALID, "params.missing_text")
				}
				return missing(ps)
			}
			p.Set(ps.Name, "")
			continue
		}
		nv, err := normalizeValue(ps, v)
		if err != nil {
			return err
		}
		p.Set(ps.Name, nv)
	}
	if s.Check != nil {
		return s.Check(p, requester)
	}
	return nil
}

// missing is the error for a required parameter left out, naming it in
// each language (its label) and by its key (Field: forms put the message
// next to its input).
func missing(ps ParamSpec) error {
	lv, en := ps.Name, ps.Name
	if ps.Label != "" {
		lv, en = Tr(LV, ps.Label, nil), Tr(EN, ps.Label, nil)
	}
	return Errorf(EINVALID, "params.missing", "Field", ps.Name, "FieldLV", lv, "FieldEN", en)
}

func normalizeValue(ps ParamSpec, v string) (string, error) {
	switch ps.Kind {
	case ParamAddress:
		return NormalizeAddress(v)
	case ParamSender:
		return NormalizeSender(v)
	case ParamChoice:
		c, ok := ps.Parse(v)
		if !ok {
			id := ps.BadValue
			if id == "" {
				id = "params.bad_value"
			}
			return "", Errorf(EINVALID, id, "Value", v, "Field", ps.Name)
		}
		return c, nil
	case ParamDate:
		// Checked by the type's Check, which knows the pair (from, to) and
		// says what is wrong with both.
	case ParamText:
		if len(v) > MaxTextBytes {
			return "", Errorf(EINVALID, "params.text_too_long", "Max", MaxTextBytes)
		}
	}
	if ps.Fold {
		v = Fold(v)
	}
	return v, nil
}

// NormalizeSender checks a spam-filter sender: an address or a domain,
// lower-cased.
func NormalizeSender(v string) (string, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	if s == "" {
		return "", Errorf(EINVALID, "params.missing", "Field", "sender", "FieldLV", "sūtītājs vai domēns", "FieldEN", "sender or domain")
	}
	if strings.Contains(s, "@") {
		return NormalizeAddress(s)
	}
	if !ValidDomain(s) {
		return "", Errorf(EINVALID, "params.bad_sender", "Value", v)
	}
	return s, nil
}

// ScopedAddresses returns the addresses in p that must belong to the
// requester's institution.
func (s *TypeSpec) ScopedAddresses(p Params) []string {
	var out []string
	for _, ps := range s.Params {
		if ps.Kind == ParamAddress {
			if v := p.Get(ps.Name); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// TargetOf renders the main thing a request of this type acts on.
func (s *TypeSpec) TargetOf(p Params) string {
	if s != nil && s.Target != nil {
		return s.Target(p)
	}
	if t := p.Target(); t != "" || s == nil {
		return t
	}
	for _, ps := range s.Params {
		if v := p.Get(ps.Name); v != "" {
			return v
		}
	}
	return ""
}

// ShowParam renders parameter ps's value in p for people: its Show
// function, or the Empty text when unset; ok is false when there is
// nothing to show.
func ShowParam(ps ParamSpec, p Params, l Lang) (string, bool) {
	if ps.Render != nil {
		v := ps.Render(p, l)
		return v, v != ""
	}
	v := p.Get(ps.Name)
	switch {
	case v == "" && ps.Empty != "":
		return Tr(l, ps.Empty, nil), true
	case v == "":
		return "", false
	case ps.Show != nil:
		return ps.Show(v, l), true
	}
	return v, true
}

// Get returns the parameter called name ("" if unset).
func (p Params) Get(name string) string {
	if f := p.field(name); f != nil {
		return *f
	}
	return p.Extra[name]
}

// Set sets the parameter called name; "" removes an extra one.
func (p *Params) Set(name, v string) {
	if f := p.field(name); f != nil {
		*f = v
		return
	}
	if v == "" {
		delete(p.Extra, name)
		return
	}
	if p.Extra == nil {
		p.Extra = map[string]string{}
	}
	p.Extra[name] = v
}

func (p *Params) field(name string) *string {
	switch name {
	case "user":
		return &p.User
	case "sku":
		return &p.SKU
	case "kind":
		return &p.Kind
	case "display_name":
		return &p.DisplayName
	case "mailbox":
		return &p.Mailbox
	case "permission":
		return &p.Permission
	case "sender":
		return &p.Sender
	case "role":
		return &p.Role
	case "from":
		return &p.From
	case "to":
		return &p.To
	case "owner":
		return &p.Owner
	case "text":
		return &p.Text
	}
	return nil
}
