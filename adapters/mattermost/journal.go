package mattermost

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
)

// Slash commands, button clicks and form submissions are journaled in the
// store before they are answered (see docs/mattermost.md, "What survives a crash"): the
// door writes what Mattermost posted under its de-duplication key, runs
// it, and marks it handled; what a stop left unfinished runs at the next
// start, answering by direct message or the command's response URL. The
// same delivery twice (a double submit, a replay) runs once, and a request
// is created once per delivery.

// Kinds of journaled deliveries.
const (
	kindCommand = "command" // JSON of SlashCommand (without its token)
	kindAction  = "action"  // JSON of journaledAction
	kindDialog  = "dialog"  // JSON of journaledDialog
)

// journaledDialog is a valid new-request form: who submitted it where, and
// the command it became.
type journaledDialog struct {
	UserID    string `json:"user_id"`
	ChannelID string `json:"channel_id"`
	Command   string `json:"command"`
}

// journalTimeout bounds the wait for the journal's commit.
const journalTimeout = 2 * time.Second

// journaledAction is a verified button click: the request Mattermost
// posted and the command its signed context carries.
type journaledAction struct {
	Request *model.PostActionIntegrationRequest `json:"request"`
	Command string                              `json:"command"`
}

// keyOf is a delivery's de-duplication key: Mattermost's trigger id
// (fresh for every slash command and click: model.GenerateTriggerId), or
// a digest of what was posted when there is none, so the same body twice
// is one delivery.
func keyOf(kind, trigger string, body []byte) string {
	if trigger != "" {
		return kind + "/" + trigger
	}
	sum := sha256.Sum256(body)
	return kind + "/" + hex.EncodeToString(sum[:16])
}

// journal stores a delivery. ok is false when it could not be stored (the
// door then says so and takes nothing); dup is true for a delivery
// journaled before.
func (a *Adapter) journal(ctx context.Context, kind, key string, v any) (in *bot.Inbound, dup, ok bool) {
	body, err := json.Marshal(v)
	if err != nil {
		a.log.Error("journal: encode", "kind", kind, "err", err)
		return nil, false, false
	}
	in = &bot.Inbound{Platform: Platform, Key: key, Kind: kind, Body: body, At: time.Now().UTC()}
	jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journalTimeout)
	defer cancel()
	dup, err = a.store.Journal(jctx, in)
	if err != nil {
		a.log.Error("a delivery could not be journaled; not taken", "kind", kind, "key", key, "err", err)
		return nil, false, false
	}
	if dup {
		a.log.Info("a delivery seen before is answered and not run again", "kind", kind, "key", key)
	}
	return in, dup, true
}

// done marks a journaled delivery handled, unless the adapter is stopping
// (then it runs again at the next start).
func (a *Adapter) done(in *bot.Inbound) {
	if in == nil || a.base.Err() != nil {
		return
	}
	if err := a.store.JournalDone(context.WithoutCancel(a.base), Platform, in.Seq); err != nil {
		a.log.Error("journal done", "seq", in.Seq, "err", err)
	}
}

// Resume runs the deliveries the journal holds unfinished from an earlier
// run. The people who sent them get their answers by the command's
// response URL or by direct message.
func (a *Adapter) Resume(ctx context.Context) (int, error) {
	ins, err := a.store.JournalPending(ctx, Platform, 0)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, in := range ins {
		switch in.Kind {
		case kindCommand:
			var sc SlashCommand
			if err := json.Unmarshal(in.Body, &sc); err != nil {
				a.failed(ctx, in, err)
				continue
			}
			p, problem := a.Resolve(ctx, sc.UserID)
			if problem != "" {
				a.failed(ctx, in, fmt.Errorf("%s", problem))
				continue
			}
			a.runCommand(ctx, &sc, p, in, false)
		case kindAction:
			var ja journaledAction
			if err := json.Unmarshal(in.Body, &ja); err != nil || ja.Request == nil {
				a.failed(ctx, in, fmt.Errorf("journaled click unreadable: %v", err))
				continue
			}
			p, problem := a.Resolve(ctx, ja.Request.UserId)
			if problem != "" {
				a.failed(ctx, in, fmt.Errorf("%s", problem))
				continue
			}
			a.runClick(ctx, ja.Request, ja.Command, p, in)
		case kindDialog:
			var js journaledDialog
			if err := json.Unmarshal(in.Body, &js); err != nil {
				a.failed(ctx, in, err)
				continue
			}
			p, problem := a.Resolve(ctx, js.UserID)
			if problem != "" {
				a.failed(ctx, in, fmt.Errorf("%s", problem))
				continue
			}
			a.runDialog(ctx, &js, p, in)
		default:
			a.failed(ctx, in, fmt.Errorf("unknown journal kind %q", in.Kind))
			continue
		}
		n++
	}
	if n > 0 {
		a.log.Info("resumed deliveries an earlier run left unfinished", "count", n)
	}
	return n, nil
}

// failed sets a delivery that cannot run aside for an operator
// (`itbot journal list|retry|drop`).
func (a *Adapter) failed(ctx context.Context, in *bot.Inbound, err error) {
	a.log.Error("a journaled delivery cannot run; set aside", "seq", in.Seq, "kind", in.Kind, "err", err)
	if ferr := a.store.JournalFailed(ctx, Platform, in.Seq, err.Error(), true); ferr != nil {
		a.log.Error("journal failed", "seq", in.Seq, "err", ferr)
	}
}
