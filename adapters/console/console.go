// Package console is the terminal door to itbot: a person types commands
// and messages, the console routes them like any chat adapter and prints
// the replies and the notices of the request threads as text. It backs
// `go run .`, `itbot chat` and `itbot run`, and it is how whole
// conversations are tested without a chat server.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"itbot/bot"
)

// Platform is the console's platform name.
const Platform = "console"

// Console is one terminal session. It is a bot.Poster too: notices for
// console threads are printed in the same output.
type Console struct {
	Router *bot.Router
	Store  bot.DirectoryStore
	// Sandbox enables "/it as EMAIL" to switch person.
	Sandbox bool
	// Prompt, when set, is printed before each line is read.
	Prompt string
	// FilesDir, when set, is where attached files (reports) are saved.
	FilesDir string
	// Ops, when set, is the console's operators' channel name: operator
	// notices are printed too.
	Ops string

	mu     sync.Mutex
	out    io.Writer
	person *bot.Person
	seq    int
}

// New returns a console writing to out, speaking as person.
func New(r *bot.Router, st bot.DirectoryStore, out io.Writer, person *bot.Person) *Console {
	return &Console{Router: r, Store: st, out: out, person: person}
}

// Person returns who the console speaks as.
func (c *Console) Person() *bot.Person {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.person
}

// Platform implements bot.Poster.
func (c *Console) Platform() string { return Platform }

// OpsChannel implements bot.Poster.
func (c *Console) OpsChannel() string { return c.Ops }

// Post implements bot.Poster: it prints a notice for a console thread.
func (c *Console) Post(ctx context.Context, n bot.Notice) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	me := ""
	if c.person != nil {
		me = c.person.Email
	}
	switch {
	case n.Reply.Private && n.To.User != me:
		fmt.Fprintf(c.out, "» %s\n", bot.Tr(n.Lang, "console.private_withheld", bot.Args{"User": n.To.User}))
		return nil
	case n.To.Channel == c.Ops && c.Ops != "":
		fmt.Fprintf(c.out, "» #%s\n", c.Ops)
	case n.Reply.Private:
		fmt.Fprintf(c.out, "» %s\n", bot.Tr(n.Lang, "console.private", nil))
	default:
		who := n.To.User
		id := ""
		if n.Request != nil {
			id = n.Request.ID
			if who == "" {
				who = n.Request.Requester
			}
		}
		fmt.Fprintf(c.out, "» %s\n", bot.Tr(n.Lang, "console.thread", bot.Args{"ID": id, "User": who}))
	}
	c.write(n.Reply, "  ")
	return nil
}

// Write implements bot.ResponseWriter for the person at the console.
func (c *Console) Write(ctx context.Context, r bot.Reply) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.write(r, "")
	return nil
}

// Render renders a reply as console text with the given indent. What a
// terminal would act on (escape sequences, control characters — in text
// stored before the doors cleaned it, or from a service) is left out.
func Render(r bot.Reply, indent string) string {
	var b strings.Builder
	line := func(s string) {
		for _, l := range strings.Split(bot.StripControl(s), "\n") {
			b.WriteString(indent + l + "\n")
		}
	}
	if r.Title != "" {
		line("== " + r.Title + " ==")
	}
	if r.Text != "" {
		line(r.Text)
	}
	for _, f := range r.Fields {
		line(fmt.Sprintf("  %s: %s", f.Label, f.Value))
	}
	if len(r.Buttons) > 0 {
		bs := make([]string, len(r.Buttons))
		for i, bt := range r.Buttons {
			bs[i] = fmt.Sprintf("[%s: %s]", bt.Label, bt.Command)
		}
		line("  " + strings.Join(bs, " "))
	}
	for _, f := range r.Files {
		line(fmt.Sprintf("  📎 %s (%d B)", f.Name, len(f.Data)))
	}
	return b.String()
}

func (c *Console) write(r bot.Reply, indent string) {
	io.WriteString(c.out, Render(r, indent))
	if c.FilesDir != "" {
		for _, f := range r.Files {
			name := filepath.Base(f.Name)
			if err := os.MkdirAll(c.FilesDir, 0o750); err == nil {
				p := filepath.Join(c.FilesDir, name)
				if os.WriteFile(p, f.Data, 0o600) == nil {
					fmt.Fprintf(c.out, "%s  → %s\n", indent, p)
				}
			}
		}
	}
}

// Handle routes one line typed at the console.
func (c *Console) Handle(ctx context.Context, line string) error {
	// Escape sequences and control characters are not stored or echoed.
	line = strings.TrimSpace(bot.StripControl(line))
	if line == "" {
		return nil
	}
	if toks := strings.Fields(line); len(toks) >= 2 && toks[0] == bot.Prefix && (toks[1] == "as" || toks[1] == "ka") {
		return c.switchPerson(ctx, toks[2:])
	}
	c.mu.Lock()
	c.seq++
	p := c.person
	msg := &bot.Message{Platform: Platform, Channel: "console", MessageID: fmt.Sprintf("console-%d", c.seq),
		Text: line, Source: bot.SourceTyped, Direct: true}
	if p != nil {
		msg.UserID = p.Email
		msg.Person = p
	}
	c.mu.Unlock()
	return c.Router.Route(ctx, c, msg)
}

func (c *Console) switchPerson(ctx context.Context, args []string) error {
	lang := c.Person().Language()
	if !c.Sandbox {
		return c.Write(ctx, bot.Reply{Kind: bot.KindError, Text: bot.Tr(lang, "console.as_sandbox_only", nil)})
	}
	if len(args) != 1 {
		return c.Write(ctx, bot.Reply{Kind: bot.KindError, Text: bot.Tr(lang, "router.usage", bot.Args{"Usage": "/it as EMAIL"})})
	}
	email, err := bot.NormalizeAddress(args[0])
	if err != nil {
		return c.Write(ctx, bot.Reply{Kind: bot.KindError, Text: bot.UserMessage(err, lang)})
	}
	p, err := c.Store.Person(ctx, email)
	if err != nil {
		return c.Write(ctx, bot.Reply{Kind: bot.KindError, Text: bot.Tr(lang, "console.unknown_person", bot.Args{"Email": email})})
	}
	c.mu.Lock()
	c.person = p
	c.mu.Unlock()
	return c.Write(ctx, bot.Reply{Kind: bot.KindText, Text: bot.Tr(p.Language(), "console.now_as", bot.Args{"Name": p.Name, "Email": p.Email, "Institution": p.Institution})})
}

// readLine reads one line of any length and returns at most max bytes of
// it (the router answers a line past its limit with "too long"; the rest
// of the line is read and dropped, so it is never taken for more input).
func readLine(br *bufio.Reader, max int) (string, error) {
	var b []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(b) < max {
			b = append(b, chunk[:min(len(chunk), max-len(b))]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		line := strings.TrimRight(string(b), "\r\n")
		return line, err
	}
}

// Run reads lines from in until EOF, "/it quit" or ctx is done.
func (c *Console) Run(ctx context.Context, in io.Reader) error {
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		br := bufio.NewReaderSize(in, 64<<10)
		for {
			line, err := readLine(br, bot.MaxMessageBytes+1)
			if line != "" || err == nil {
				select {
				case lines <- line:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				if err == io.EOF {
					err = nil
				}
				errc <- err
				close(lines)
				return
			}
		}
	}()
	for {
		if c.Prompt != "" {
			c.mu.Lock()
			who := ""
			if c.person != nil {
				who = c.person.Email
			}
			fmt.Fprintf(c.out, "%s%s ", who, c.Prompt)
			c.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				return <-errc
			}
			if t := bot.Fold(line); t == "/it quit" || t == "/it exit" || t == "/it iziet" {
				return nil
			}
			if err := c.Handle(ctx, line); err != nil {
				return err
			}
		}
	}
}

func init() {
	bot.RegisterTexts(
		bot.T("console.sandbox_banner", "⚠ SMILŠKASTE: Exchange Online un DVS tiek emulēti; nekas īsts netiek mainīts.", "⚠ SANDBOX: Exchange Online and the DVS are emulated; nothing real is changed."),
		bot.T("console.hello", "itbot konsole. Jūs esat {{.Email}}. Ierakstiet /it palīdzība; /it as E-PASTS maina personu; /it iziet beidz.", "itbot console. You are {{.Email}}. Type /it help; /it as EMAIL switches person; /it quit leaves."),
		bot.T("console.thread", "pavediens {{.ID}} → {{.User}}", "thread {{.ID}} → {{.User}}"),
		bot.T("console.private", "privāti (redzat tikai jūs):", "private (only you see this):"),
		bot.T("console.private_withheld", "privāta ziņa personai {{.User}} (šeit netiek rādīta)", "a private message for {{.User}} (not shown here)"),
		bot.T("console.port_busy", "Adrese {{.Busy}} ir aizņemta, tāpēc itbot klausās {{.Addr}} (/healthz, /metrics, tīmekļa āķi). Citu adresi var norādīt ar http.listen vai ITBOT_LISTEN.",
			"{{.Busy}} is taken, so itbot listens on {{.Addr}} (/healthz, /metrics, webhooks). Choose another address with http.listen or ITBOT_LISTEN."),
		bot.T("console.as_sandbox_only", "Personu var mainīt tikai smilškastes režīmā.", "Switching person works in sandbox mode only."),
		bot.T("console.unknown_person", "{{.Email}} nav smilškastes personu vidū. Skatiet: itbot.example.yaml vai /it iestādes.", "{{.Email}} is not a sandbox person. See itbot.example.yaml or /it institution list."),
		bot.T("console.now_as", "Tagad jūs esat {{.Name}} <{{.Email}}> ({{.Institution}}).", "You are now {{.Name}} <{{.Email}}> ({{.Institution}})."),
	)
}

// SetPerson sets who the console speaks as.
func (c *Console) SetPerson(p *bot.Person) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.person = p
}
