package slack

import (
	"context"
	"slices"
	"sync"

	slackgo "github.com/slack-go/slack"
)

// trust is which Slack workspaces (teams), Enterprise Grid organisation
// and app itbot serves. A request that Slack signed with the app's
// signing secret may still come from another workspace the app is
// installed in, or name another app: those are refused. The expected
// values come from the configuration (team_ids, enterprise_id, app_id) or,
// left empty, from the bot token itself at start (auth.test: the token's
// team and enterprise; bots.info: its app).
type trust struct {
	mu         sync.RWMutex
	teams      []string
	enterprise string
	app        string
	configured bool // teams or enterprise came from the configuration
}

func newTrust(c Config) *trust {
	t := &trust{teams: slices.Clone(c.TeamIDs), enterprise: c.EnterpriseID, app: c.AppID}
	t.configured = len(t.teams) > 0 || t.enterprise != ""
	return t
}

// Reasons a request is refused.
const (
	refusedNotYet      = "workspace_not_known_yet" // auth.test has not answered yet
	refusedForeignTeam = "foreign_workspace"
	refusedForeignApp  = "foreign_app"
)

// check returns "" for a request from our workspace and app, else why not.
func (t *trust) check(team, enterprise, app string) string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	switch {
	case len(t.teams) == 0 && t.enterprise == "":
		return refusedNotYet
	case !slices.Contains(t.teams, team) && (t.enterprise == "" || enterprise != t.enterprise):
		return refusedForeignTeam
	case t.app != "" && app != t.app:
		return refusedForeignApp
	}
	return ""
}

// learn takes the token's own team, enterprise and app where the
// configuration named none.
func (t *trust) learn(team, enterprise, app string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.configured {
		if team != "" && !slices.Contains(t.teams, team) {
			t.teams = append(t.teams, team)
		}
		if t.enterprise == "" {
			t.enterprise = enterprise
		}
	}
	if t.app == "" {
		t.app = app
	}
}

// appOf asks bots.info which app the bot user belongs to.
func (a *Adapter) appOf(ctx context.Context, botID string) (string, error) {
	var b *slackgo.Bot
	err := a.call(ctx, "bots.info", func(ctx context.Context) error {
		var err error
		b, err = a.api.GetBotInfoContext(ctx, slackgo.GetBotInfoParameters{Bot: botID})
		return err
	})
	if err != nil {
		return "", err
	}
	return b.AppID, nil
}

// refuse logs and counts a request from another workspace or app.
func (a *Adapter) refused(endpoint, reason, team, enterprise, app, user string) {
	a.metrics.acks.WithLabelValues(endpoint, reason).Inc()
	a.log.Warn("slack: request from another workspace or app refused", "endpoint", endpoint, "reason", reason,
		"team", team, "enterprise", enterprise, "app", app, "user", user)
}
