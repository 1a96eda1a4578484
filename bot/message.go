package bot

import (
	"context"
	"strings"
)

// Message sources: how a message reached the router.
const (
	SourceTyped  = "typed"  // a typed slash command or chat message
	SourceButton = "button" // a button click carrying a command string
	SourceDialog = "dialog" // a form/modal submission
	SourceEmail  = "email"  // an e-mail to the IT mailbox
)

// Message is the neutral form of anything a person says to itbot, whatever
// door it came through. Adapters resolve the person before routing.
type Message struct {
	Platform  string  // console, slack, mattermost, mailbox
	Channel   string  // where it was said
	Thread    string  // thread it belongs to, if any
	MessageID string  // the platform's id of this message
	UserID    string  // the platform's id of the speaker
	Person    *Person // the speaker, resolved by the adapter
	Text      string  // what was typed, or a button's command string
	Source    string  // SourceTyped, SourceButton …
	Direct    bool    // a direct (private) conversation with the bot
	// Delivery is the platform's de-duplication key of the delivery that
	// brought the message (a Slack trigger or event id), set by doors that
	// journal what they receive; a request it creates is created once
	// however often the delivery is handled.
	Delivery string
}

// Origin returns where a request asked by m came from.
func (m *Message) Origin() Origin {
	return Origin{Platform: m.Platform, Channel: m.Channel, Thread: m.Thread, MessageID: m.MessageID, UserID: m.UserID, Delivery: m.Delivery}
}

// Field is a label/value pair of a reply (rendered as a table row, a Block
// Kit field, an attachment field).
type Field struct {
	Label string `json:"label"`
	Value string `json:"value"`
	Short bool   `json:"short,omitempty"`
}

// Button styles.
const (
	StylePrimary = "primary"
	StyleDanger  = "danger"
)

// Button is an action a person can click. It carries a command string, so a
// click runs exactly what typing it would.
type Button struct {
	Label   string `json:"label"`
	Command string `json:"command"`
	Style   string `json:"style,omitempty"`
}

// Reply kinds, so adapters can pick a rendering.
const (
	KindText   = "text"   // plain answer
	KindCard   = "card"   // a request card (Request is set)
	KindUpdate = "update" // an update about a request, for its thread
	KindList   = "list"   // a list of requests
	KindError  = "error"  // something went wrong; Text says what to do
	KindHelp   = "help"
)

// Reply is one answer from itbot, already rendered in the reader's
// language. Adapters turn it into their platform's format.
type Reply struct {
	Kind    string   `json:"kind"`
	Title   string   `json:"title,omitempty"`
	Text    string   `json:"text"`
	Fields  []Field  `json:"fields,omitempty"`
	Buttons []Button `json:"buttons,omitempty"`
	Files   []File   `json:"files,omitempty"`
	// Ephemeral replies are shown only to the person who asked.
	Ephemeral bool `json:"ephemeral,omitempty"`
	// Private replies carry a secret and go only to the requester in a
	// direct conversation, never to a channel.
	Private bool `json:"private,omitempty"`
	// Request is the request the reply is about, if any (for cards and
	// thread routing).
	Request *Request `json:"-"`
	// Progress, when set, marks a reply that replaces the previous progress
	// reply of the same request (edited in place).
	Progress bool `json:"progress,omitempty"`
	// Lang is the language the reply is written in, when known (notices
	// set it), for what a platform adds around it.
	Lang Lang `json:"-"`
}

// ResponseWriter is how a handler answers, like http.ResponseWriter.
type ResponseWriter interface {
	// Write sends one reply to the person who spoke.
	Write(ctx context.Context, r Reply) error
}

// ResponseWriterFunc adapts a function to ResponseWriter.
type ResponseWriterFunc func(ctx context.Context, r Reply) error

// Write calls f.
func (f ResponseWriterFunc) Write(ctx context.Context, r Reply) error { return f(ctx, r) }

// Recorder is a ResponseWriter that keeps the replies, for tests and
// for adapters that answer after the handler returns.
type Recorder struct {
	Replies []Reply
}

// Write appends the reply.
func (r *Recorder) Write(_ context.Context, rep Reply) error {
	r.Replies = append(r.Replies, rep)
	return nil
}

// StripControl removes what a terminal would act on instead of showing:
// escape sequences (CSI "ESC [ … final", OSC "ESC ] … BEL|ESC \", and
// two-byte ESC sequences), other C0 and C1 control characters and DEL. A
// tab becomes a space; line breaks stay. Doors clean what people type with
// it, and text printed to a terminal from the store is cleaned again.
func StripControl(s string) string {
	clean := true
	for _, r := range s {
		if r == 0x1b || r == 0x7f || (r < 0x20 && r != '\n') || (r >= 0x80 && r < 0xa0) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == 0x1b && i+1 < len(rs) && rs[i+1] == '[': // CSI: parameters, then a final byte 0x40–0x7e
			i += 2
			for i < len(rs) && (rs[i] < 0x40 || rs[i] > 0x7e) {
				i++
			}
		case r == 0x1b && i+1 < len(rs) && rs[i+1] == ']': // OSC: up to BEL or ESC \
			i += 2
			for i < len(rs) && rs[i] != 0x07 && !(rs[i] == 0x1b && i+1 < len(rs) && rs[i+1] == '\\') {
				i++
			}
			if i < len(rs) && rs[i] == 0x1b {
				i++
			}
		case r == 0x1b: // ESC and the one character after it
			i++
		case r == '\t':
			b.WriteByte(' ')
		case r == '\n':
			b.WriteByte('\n')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
