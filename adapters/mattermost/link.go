package mattermost

import (
	"context"
	"fmt"
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"
)

// Status describes the connection, for `itbot mattermost check`.
type Status struct {
	Server     string // the Mattermost site URL
	Bot        string // the bot account's username
	BotID      string
	IsBot      bool   // the token belongs to a bot account
	Team       string // the team's id, when one is configured
	OpsChannel string // the operators' channel id, when one is configured
	CommandURL string // what to enter as the slash command's request URL
	ActionsURL string // where buttons call back
	DialogURL  string // where dialogs are submitted
}

// Check connects to Mattermost and reports what it found and the URLs the
// server must reach.
func (a *Adapter) Check(ctx context.Context) (*Status, error) {
	if err := a.Connect(ctx); err != nil {
		return nil, err
	}
	me, err := a.self(ctx)
	if err != nil {
		return nil, err
	}
	base := a.cfg.PublicURL + a.cfg.PathPrefix
	return &Status{Server: a.cfg.URL, Bot: me.Username, BotID: me.Id, IsBot: me.IsBot, Team: a.teamID(ctx), OpsChannel: a.OpsChannel(),
		CommandURL: base + "/command", ActionsURL: base + "/actions", DialogURL: base + "/dialog"}, nil
}

// LinkPeople links every person in itbot's directory whose e-mail address
// has a Mattermost account to that account, so approval requests reach
// them before they ever talk to the bot. It returns how many links it
// made and the addresses Mattermost does not know.
func (a *Adapter) LinkPeople(ctx context.Context) (linked int, unknown []string, err error) {
	people, err := a.store.People(ctx, "")
	if err != nil {
		return 0, nil, err
	}
	for _, p := range people {
		var u *model.User
		err := a.call(ctx, "get user by email", func(ctx context.Context) (r *model.Response, err error) {
			u, r, err = a.api.GetUserByEmail(ctx, p.Email, "")
			return r, err
		})
		switch {
		case statusOf(err) == http.StatusNotFound:
			unknown = append(unknown, p.Email)
			continue
		case err != nil:
			return linked, unknown, fmt.Errorf("%s: %w (the bot needs to see e-mail addresses: see docs/mattermost.md)", p.Email, err)
		case p.Identities[Platform] == u.Id:
			continue
		}
		q := *p
		q.Identities = map[string]string{Platform: u.Id}
		for k, v := range p.Identities {
			if k != Platform {
				q.Identities[k] = v
			}
		}
		if err := a.store.PutPerson(ctx, &q); err != nil {
			return linked, unknown, fmt.Errorf("%s: %w", p.Email, err)
		}
		linked++
	}
	return linked, unknown, nil
}
