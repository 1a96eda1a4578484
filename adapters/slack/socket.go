package slack

import (
	"context"
	"math/rand/v2"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// SocketBackoff bounds the wait between Socket Mode reconnections.
var SocketBackoff = struct{ Min, Max time.Duration }{time.Second, time.Minute}

// runSocket keeps a Socket Mode connection open until ctx ends: the same
// handlers as the HTTP endpoints, fed from the websocket. slack-go
// reconnects by itself after a dropped connection or a "disconnect"
// message; when it gives up (say, the app token was revoked), it is
// started again after a back-off that doubles up to SocketBackoff.Max.
func (a *Adapter) runSocket(ctx context.Context) {
	client := socketmode.New(a.api, socketmode.OptionLog(discardLog{}))
	go a.socketEvents(ctx, client)
	wait := SocketBackoff.Min
	for {
		start := time.Now()
		err := client.RunContext(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > 5*time.Minute {
			wait = SocketBackoff.Min // it ran well for a while
		}
		d := wait/2 + rand.N(wait/2+1)
		a.log.Error("slack: socket mode stopped; reconnecting", "err", err, "in", d)
		if sleep(ctx, d) != nil {
			return
		}
		wait = min(wait*2, SocketBackoff.Max)
	}
}

// discardLog silences slack-go's socket mode logger (it logs in debug
// mode only, but never secrets are risked).
type discardLog struct{}

func (discardLog) Output(int, string) error { return nil }

// socketEvents handles what arrives over the websocket and acknowledges
// each envelope: an event only once it is queued (an unacknowledged
// envelope is sent again), a slash command with the busy answer if the
// queue is full, a modal submission with its field errors.
func (a *Adapter) socketEvents(ctx context.Context, client *socketmode.Client) {
	for {
		var evt socketmode.Event
		select {
		case <-ctx.Done():
			return
		case evt = <-client.Events:
		}
		switch evt.Type {
		case socketmode.EventTypeConnecting:
			a.log.Info("slack: socket mode connecting")
		case socketmode.EventTypeConnected:
			a.log.Info("slack: socket mode connected")
		case socketmode.EventTypeConnectionError:
			a.log.Warn("slack: socket mode connection failed", "err", evt.Data)
		case socketmode.EventTypeInvalidAuth:
			a.log.Error("slack: socket mode refused the app token: check slack.app_token")
		case socketmode.EventTypeDisconnect:
			a.log.Info("slack: socket mode disconnect requested; reconnecting")
		case socketmode.EventTypeEventsAPI:
			ev, ok := evt.Data.(slackevents.EventsAPIEvent)
			if !ok || evt.Request == nil {
				continue
			}
			if a.acceptEvent(ctx, ev, evt.Request.Payload) {
				client.Ack(*evt.Request)
			}
		case socketmode.EventTypeSlashCommand:
			sc, ok := evt.Data.(slackgo.SlashCommand)
			if !ok || evt.Request == nil {
				continue
			}
			if resp := a.acceptCommand(ctx, sc); resp != nil {
				client.Ack(*evt.Request, resp)
			} else {
				client.Ack(*evt.Request)
			}
		case socketmode.EventTypeInteractive:
			cb, ok := evt.Data.(slackgo.InteractionCallback)
			if !ok || evt.Request == nil {
				continue
			}
			req := *evt.Request
			go func() {
				resp, taken := a.acceptInteraction(ctx, cb)
				switch {
				case !taken:
					// not acknowledged: Slack shows the person the click failed
				case resp != nil:
					client.Ack(req, resp)
				default:
					client.Ack(req)
				}
			}()
		}
	}
}
