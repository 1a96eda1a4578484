package bot

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"unicode"
)

// Prefix is the slash command every adapter uses.
const Prefix = "/it"

// Command is one parsed command, as a handler receives it.
type Command struct {
	Msg    *Message
	Person *Person
	Lang   Lang
	Spec   *Spec    // the command matched
	Args   []string // arguments after the command words, unquoted
	// rest[i] is the raw text from argument i to the end, for free text.
	rest []string
}

// Rest returns the raw text from argument i to the end ("" if none), for
// commands whose last argument is free text (comments, questions).
func (c *Command) Rest(i int) string {
	if i < len(c.rest) {
		return c.rest[i]
	}
	return ""
}

// Arg returns argument i or "".
func (c *Command) Arg(i int) string {
	if i < len(c.Args) {
		return c.Args[i]
	}
	return ""
}

// Usage returns an EINVALID error that shows the command's usage.
func (c *Command) Usage() error {
	return Errorf(EINVALID, "router.usage", "Usage", Prefix+" "+c.Spec.Usage(c.Lang))
}

// Handler answers one command.
type Handler interface {
	ServeCommand(ctx context.Context, w ResponseWriter, c *Command) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, w ResponseWriter, c *Command) error

// ServeCommand calls f.
func (f HandlerFunc) ServeCommand(ctx context.Context, w ResponseWriter, c *Command) error {
	return f(ctx, w, c)
}

// Spec declares a command. Names are the word sequences that call it, in
// Latvian and English ("licence assign", "licence piešķirt"); matching
// folds case and diacritics. The first name is canonical.
type Spec struct {
	Names []string
	// UsageLV and UsageEN show the arguments, e.g. "licence assign USER [SKU]".
	UsageLV, UsageEN string
	// Help is the catalogue id of a one-line description.
	Help string
	// Roles, if set, are the roles allowed (any of them).
	Roles []Role
	// MinArgs is the fewest arguments the command needs.
	MinArgs int
	// Hidden commands are left out of help (e.g. sandbox-only ones).
	Hidden  bool
	Handler Handler
}

// Name returns the canonical name.
func (s *Spec) Name() string { return s.Names[0] }

// Usage returns the usage line in language l.
func (s *Spec) Usage(l Lang) string {
	if l == EN && s.UsageEN != "" {
		return s.UsageEN
	}
	if s.UsageLV != "" {
		return s.UsageLV
	}
	return s.Names[0]
}

// Router is the one entry point for every adapter: it parses a message,
// finds the command and runs its handler; text that is not a command goes
// to the conversational handler.
type Router struct {
	mu      sync.RWMutex
	specs   []*Spec
	byName  map[string]*Spec // folded name -> spec
	maxLen  int              // most words in a name
	conv    Handler
	mw      []func(Handler) Handler
	log     *slog.Logger
	chain   map[*Spec]Handler
	convRun Handler
}

// NewRouter returns an empty router that logs to log (nil: slog.Default).
func NewRouter(log *slog.Logger) *Router {
	if log == nil {
		log = slog.Default()
	}
	return &Router{byName: map[string]*Spec{}, log: log, chain: map[*Spec]Handler{}}
}

// Handle registers a command. A name registered twice panics.
func (r *Router) Handle(s *Spec) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range s.Names {
		k := strings.Join(strings.Fields(Fold(n)), " ")
		if old, dup := r.byName[k]; dup {
			if old == s {
				continue // a diacritics-free spelling of a name already given
			}
			panic("bot: command registered twice: " + n)
		}
		r.byName[k] = s
		if w := len(strings.Fields(k)); w > r.maxLen {
			r.maxLen = w
		}
	}
	r.specs = append(r.specs, s)
	r.chain = map[*Spec]Handler{}
}

// HandleConversation sets the handler for messages that are not commands.
func (r *Router) HandleConversation(h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conv = h
	r.convRun = nil
}

// Use adds middleware around every handler (logging, metrics).
func (r *Router) Use(mw func(Handler) Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mw = append(r.mw, mw)
	r.chain = map[*Spec]Handler{}
	r.convRun = nil
}

// Specs returns the registered commands in registration order.
func (r *Router) Specs() []*Spec {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]*Spec(nil), r.specs...)
}

func (r *Router) wrapped(s *Spec, h Handler) Handler {
	r.mu.RLock()
	w := r.chain[s]
	r.mu.RUnlock()
	if w != nil {
		return w
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	w = h
	for i := len(r.mw) - 1; i >= 0; i-- {
		w = r.mw[i](w)
	}
	if s != nil {
		r.chain[s] = w
	}
	return w
}

// Matched is a command line as the router reads it.
type Matched struct {
	// Spec is the command named; nil when no registered command has those
	// words.
	Spec *Spec
	// Words are all the words after the prefix; Args those after the
	// command's name, Rest the raw text from each argument to the end.
	Words, Args, Rest []string
	// Err is set when the line cannot be split into words (an unclosed
	// quote).
	Err error
}

// Is reports whether the line names the command whose canonical name is
// canonical.
func (m Matched) Is(canonical string) bool { return m.Spec != nil && m.Spec.Name() == canonical }

// Match reads a command line ("/it licence assign a@lgia.gov.lv E3") the way
// Route does, without running it: ok is false when the text is not
// addressed to the command path at all. Doors that must know the command
// before routing (a form to open, an e-mail decision) use it instead of
// matching names themselves.
func (r *Router) Match(text string) (m Matched, ok bool) {
	text = strings.TrimSpace(text)
	if !IsCommand(text) {
		return Matched{}, false
	}
	toks, rest, err := Tokenize(strings.TrimSpace(strings.TrimPrefix(text, Prefix)))
	if err != nil {
		return Matched{Err: err}, true
	}
	m.Words = toks
	spec, n := r.match(toks)
	if spec != nil {
		m.Spec, m.Args, m.Rest = spec, toks[n:], rest[n:]
	}
	return m, true
}

// IsCommand reports whether text is addressed to the command path.
func IsCommand(text string) bool {
	t := strings.TrimSpace(text)
	return t == Prefix || strings.HasPrefix(t, Prefix+" ") || strings.HasPrefix(t, Prefix+"\n")
}

// Route handles one message: a command is parsed and run; other text goes
// to the conversational handler. Errors are answered to the person in
// their language and logged; Route itself returns only write failures.
func (r *Router) Route(ctx context.Context, w ResponseWriter, m *Message) error {
	if m.Person == nil {
		return w.Write(ctx, Reply{Kind: KindError, Text: Tr(LV, "router.unknown_person", nil) + "\n" + Tr(EN, "router.unknown_person", nil), Ephemeral: true})
	}
	lang := m.Person.Language()
	text := strings.TrimSpace(m.Text)
	if len(text) > MaxMessageBytes {
		r.log.Warn("message too long", "platform", m.Platform, "person", m.Person.Email, "bytes", len(text))
		return w.Write(ctx, Reply{Kind: KindError, Text: Tr(lang, "router.too_long", Args{"Max": MaxMessageBytes}), Ephemeral: true})
	}
	if !IsCommand(text) {
		if strings.HasPrefix(text, "/") {
			word := strings.Fields(text)[0]
			return w.Write(ctx, Reply{Kind: KindError, Text: Tr(lang, "router.not_ours", Args{"Word": word, "Prefix": Prefix}), Ephemeral: true})
		}
		r.mu.RLock()
		conv := r.conv
		r.mu.RUnlock()
		if conv == nil {
			conv = HandlerFunc(defaultConversation)
		}
		c := &Command{Msg: m, Person: m.Person, Lang: lang, Args: []string{text}, rest: []string{text}}
		return r.run(ctx, w, c, r.wrapped(nil, conv))
	}
	body := strings.TrimSpace(strings.TrimPrefix(text, Prefix))
	toks, rest, err := Tokenize(body)
	if err != nil {
		return r.answerError(ctx, w, m, lang, err)
	}
	if len(toks) == 0 {
		toks, rest = []string{"help"}, []string{"help"}
	}
	spec, n := r.match(toks)
	if spec == nil {
		return w.Write(ctx, r.unknown(lang, toks))
	}
	c := &Command{Msg: m, Person: m.Person, Lang: lang, Spec: spec, Args: toks[n:], rest: rest[n:]}
	if len(spec.Roles) > 0 && !m.Person.HasAny(spec.Roles...) {
		return r.answerError(ctx, w, m, lang, Errorf(EFORBIDDEN, "router.role_required", "Command", spec.Name(), "RolesLV", RoleLabels(spec.Roles, LV), "RolesEN", RoleLabels(spec.Roles, EN)))
	}
	if len(c.Args) < spec.MinArgs {
		return r.answerError(ctx, w, m, lang, c.Usage())
	}
	return r.run(ctx, w, c, r.wrapped(spec, spec.Handler))
}

func (r *Router) run(ctx context.Context, w ResponseWriter, c *Command, h Handler) error {
	err := h.ServeCommand(ctx, w, c)
	if err == nil {
		return nil
	}
	return r.answerError(ctx, w, c.Msg, c.Lang, err)
}

func (r *Router) answerError(ctx context.Context, w ResponseWriter, m *Message, lang Lang, err error) error {
	var werr *writeError
	if errors.As(err, &werr) {
		return werr.err
	}
	code := ErrorCode(err)
	attrs := []any{"platform", m.Platform, "person", m.Person.Email, "code", code, "err", err.Error()}
	if code == EINTERNAL {
		r.log.Error("command failed", attrs...)
	} else {
		r.log.Info("command refused", attrs...)
	}
	return w.Write(ctx, Reply{Kind: KindError, Text: UserMessage(err, lang), Ephemeral: true})
}

// writeError marks a failure to write a reply (not the user's fault).
type writeError struct{ err error }

func (e *writeError) Error() string { return "write reply: " + e.err.Error() }

// WriteFailed wraps an error from ResponseWriter.Write so the router passes
// it up instead of answering it.
func WriteFailed(err error) error {
	if err == nil {
		return nil
	}
	return &writeError{err}
}

// match finds the longest registered name at the start of toks.
func (r *Router) match(toks []string) (*Spec, int) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for n := min(r.maxLen, len(toks)); n > 0; n-- {
		k := Fold(strings.Join(toks[:n], " "))
		if s, ok := r.byName[k]; ok {
			return s, n
		}
	}
	return nil, 0
}

// Closest returns the registered command names nearest to what was typed,
// best first, at most n.
func (r *Router) Closest(toks []string, n int) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	type cand struct {
		name string
		d    int
	}
	seen := map[*Spec]cand{}
	for name, s := range r.byName {
		if s.Hidden {
			continue
		}
		w := len(strings.Fields(name))
		typed := Fold(strings.Join(toks[:min(w, len(toks))], " "))
		d := Levenshtein(typed, name)
		if d > max(2, len([]rune(name))/2) {
			continue // too far to be what was meant
		}
		if c, ok := seen[s]; !ok || d < c.d {
			seen[s] = cand{s.Name(), d}
		}
	}
	cs := make([]cand, 0, len(seen))
	for _, c := range seen {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].name < cs[j].name
	})
	var out []string
	for _, c := range cs {
		if len(out) == n {
			break
		}
		out = append(out, c.name)
	}
	return out
}

func (r *Router) unknown(lang Lang, toks []string) Reply {
	near := r.Closest(toks, 3)
	var b strings.Builder
	b.WriteString(Tr(lang, "router.unknown_command", Args{"Typed": strings.Join(toks, " ")}))
	if len(near) > 0 {
		b.WriteString("\n")
		b.WriteString(Tr(lang, "router.did_you_mean", nil))
		for _, n := range near {
			b.WriteString("\n  " + Prefix + " " + n)
		}
	}
	b.WriteString("\n")
	b.WriteString(Tr(lang, "router.see_help", Args{"Prefix": Prefix}))
	return Reply{Kind: KindError, Text: b.String(), Ephemeral: true}
}

// defaultConversation answers text that is not a command when no
// conversational handler is installed: how to write commands.
func defaultConversation(ctx context.Context, w ResponseWriter, c *Command) error {
	return w.Write(ctx, Reply{Kind: KindHelp, Text: Tr(c.Lang, "router.conversation_fallback", Args{"Prefix": Prefix})})
}

// MaxMessageBytes is the longest message the router takes.
const MaxMessageBytes = 8 << 10

// Tokenize splits a command line into words. Double quotes (and the
// typographic „…“ and “…”) group words; a backslash escapes a quote. rest[i]
// is the raw text from token i to the end of the line.
func Tokenize(s string) (toks, rest []string, err error) {
	rs := []rune(s)
	i := 0
	for {
		for i < len(rs) && unicode.IsSpace(rs[i]) {
			i++
		}
		if i >= len(rs) {
			return toks, rest, nil
		}
		start := i
		var b strings.Builder
		if close, ok := quoteClose(rs[i]); ok {
			i++
			closed := false
			for i < len(rs) {
				if rs[i] == '\\' && i+1 < len(rs) {
					b.WriteRune(rs[i+1])
					i += 2
					continue
				}
				if rs[i] == close || (close != '"' && (rs[i] == '“' || rs[i] == '”')) {
					closed = true
					i++
					break
				}
				b.WriteRune(rs[i])
				i++
			}
			if !closed {
				return nil, nil, Errorf(EINVALID, "router.unclosed_quote")
			}
		} else {
			for i < len(rs) && !unicode.IsSpace(rs[i]) {
				b.WriteRune(rs[i])
				i++
			}
		}
		toks = append(toks, b.String())
		rest = append(rest, strings.TrimSpace(string(rs[start:])))
	}
}

func quoteClose(r rune) (rune, bool) {
	switch r {
	case '"':
		return '"', true
	case '„':
		return '“', true
	case '“':
		return '”', true
	}
	return 0, false
}

// Levenshtein returns the edit distance between a and b, in runes.
func Levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
