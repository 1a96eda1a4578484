// Package commands holds itbot's command handlers and request types, one
// file per command family (licence, mailbox, shared, spam, report, dvs,
// dvs restore, request, help, admin). Each file registers its request
// types in the bot.TypeSpec table and its commands in init; Register
// installs the commands on a Router. Handlers turn arguments into calls on
// bot.Bot and answer through the ResponseWriter, in the speaker's language.
package commands

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"itbot/bot"
	"itbot/bot/slareport"
)

// Deps is what handlers need.
type Deps struct {
	Bot *bot.Bot
	// ServiceStatus, when set, answers "/it status" without an id (the
	// availability monitor provides it).
	ServiceStatus bot.HandlerFunc
	// SLAChart, when set, draws a month's SLA report as a PNG sent with it
	// (slareport/chart.PNG; passed in so this package does not import the
	// plotting library).
	SLAChart func(rep *slareport.Report, l bot.Lang) ([]byte, error)
	// BackupMaxAge is how old the last verified DVS backup may be before
	// "/it dvs backup" warns; 0 means 24 h.
	BackupMaxAge time.Duration
}

type family struct {
	order int
	reg   func(r *bot.Router, d *Deps)
}

var families []family

// register adds a family; order sorts the help listing.
func register(order int, reg func(r *bot.Router, d *Deps)) {
	families = append(families, family{order, reg})
}

// Register installs every command family on r.
func Register(r *bot.Router, d *Deps) {
	fs := append([]family(nil), families...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].order < fs[j].order })
	for _, f := range fs {
		f.reg(r, d)
	}
}

func actor(c *bot.Command) bot.Actor { return bot.Actor{Person: c.Person, Platform: c.Msg.Platform} }

func say(ctx context.Context, w bot.ResponseWriter, rep bot.Reply) error {
	if rep.Kind == "" {
		rep.Kind = bot.KindText
	}
	return bot.WriteFailed(w.Write(ctx, rep))
}

func text(ctx context.Context, w bot.ResponseWriter, s string) error {
	return say(ctx, w, bot.Reply{Kind: bot.KindText, Text: s})
}

// Ack renders the answer to a new request: its id, what happens next and
// the due time, with the request's card.
func Ack(b *bot.Bot, r *bot.Request, viewer *bot.Person, l bot.Lang) bot.Reply {
	card := b.Card(r, viewer, l)
	var lead string
	switch {
	case r.State == bot.StateAwaitingApproval && slices.Contains(b.Policy.AgencyApproval, r.Type):
		lead = bot.Tr(l, "cmd.created_agency_approval", bot.Args{"ID": r.ID, "Due": bot.FormatTime(r.SLA.DueAt)})
	case r.State == bot.StateAwaitingApproval && r.SLA.DueAt.IsZero():
		// The SLA clock waits for the institution's own approver.
		lead = bot.Tr(l, "cmd.created_approval_clock", bot.Args{"ID": r.ID})
	case r.State == bot.StateAwaitingApproval:
		lead = bot.Tr(l, "cmd.created_approval", bot.Args{"ID": r.ID, "Due": bot.FormatTime(r.SLA.DueAt)})
	case r.State == bot.StateDone:
		lead = bot.Tr(l, "cmd.created_done", bot.Args{"ID": r.ID})
	case r.State == bot.StateFailed:
		lead = bot.Tr(l, "cmd.created_failed", bot.Args{"ID": r.ID})
	case r.State == bot.StateAwaitingProcurement:
		lead = bot.Tr(l, "cmd.created_procurement", bot.Args{"ID": r.ID})
	default:
		lead = bot.Tr(l, "cmd.created", bot.Args{"ID": r.ID, "Due": bot.FormatTime(r.SLA.DueAt)})
	}
	card.Text = lead + "\n" + card.Text
	return card
}

// flags splits "--key value" and "key=value" options from positional
// arguments.
func flags(args []string) (pos []string, opts map[string]string) {
	opts = map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, "--") && strings.Contains(a, "="):
			kv := strings.SplitN(a[2:], "=", 2)
			opts[bot.Fold(kv[0])] = kv[1]
		case strings.HasPrefix(a, "--") && i+1 < len(args):
			// The value runs to the next option: "--en Multi Word Name"
			// (quoting it works too).
			j := i + 1
			for j < len(args) && !strings.HasPrefix(args[j], "--") && !(strings.Contains(args[j], "=") && !strings.Contains(args[j], "@")) {
				j++
			}
			opts[bot.Fold(a[2:])] = strings.Join(args[i+1:j], " ")
			i = j - 1
		case strings.Contains(a, "=") && !strings.Contains(a, "@"):
			kv := strings.SplitN(a, "=", 2)
			opts[bot.Fold(kv[0])] = kv[1]
		default:
			pos = append(pos, a)
		}
	}
	return pos, opts
}
