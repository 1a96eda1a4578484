package slack

import (
	"context"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"itbot/bot"
)

// userEntry is what users.info told about a Slack user.
type userEntry struct {
	email string // lower-case profile e-mail; "" if the profile shows none
	bot   bool   // a bot or app user, or a deactivated account
	at    time.Time
}

// userCache remembers users.info answers for ttl.
type userCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]userEntry
}

func (c *userCache) get(id string) (userEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || time.Since(e.at) > c.ttl {
		return userEntry{}, false
	}
	return e, true
}

func (c *userCache) put(id string, e userEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > 100_000 {
		c.m = map[string]userEntry{} // bounded: start over rather than grow
	}
	e.at = time.Now()
	c.m[id] = e
}

// unknownUser explains why a Slack user is not a person itbot knows.
type unknownUser struct {
	userID  string
	email   string // the profile e-mail that matched no one
	noEmail bool   // the profile shows no e-mail
	lookup  error  // users.info failed
	isBot   bool   // a bot, an app or a deactivated account: ignored
}

// reply is the answer to the user, in Latvian and English (we do not know
// their language).
func (u *unknownUser) reply() bot.Reply {
	id, args := "slack.unknown_email", bot.Args{"Email": u.email, "UserID": u.userID}
	switch {
	case u.lookup != nil && slackError(u.lookup) == "user_not_found":
		id = "slack.user_not_found" // Slack answered: there is no such user
	case u.lookup != nil:
		id = "slack.lookup_failed"
	case u.noEmail:
		id = "slack.no_email"
	}
	return bot.Reply{Kind: bot.KindError, Ephemeral: true, Text: bot.Tr(bot.LV, id, args) + "\n\n" + bot.Tr(bot.EN, id, args)}
}

// lookupUser returns what Slack says about a user, from the cache or
// users.info (one call per user at a time, however many messages wait).
func (a *Adapter) lookupUser(ctx context.Context, id string) (userEntry, error) {
	if e, ok := a.users.get(id); ok {
		return e, nil
	}
	v, err, _ := a.lookups.Do(id, func() (any, error) {
		if e, ok := a.users.get(id); ok {
			return e, nil
		}
		var u *slackgo.User
		err := a.call(ctx, "users.info", func(ctx context.Context) error {
			var err error
			u, err = a.api.GetUserInfoContext(ctx, id)
			return err
		})
		if err != nil {
			return userEntry{}, err
		}
		e := userEntry{email: strings.ToLower(strings.TrimSpace(u.Profile.Email)), bot: u.IsBot || u.Deleted || id == "USLACKBOT"}
		a.users.put(id, e)
		return e, nil
	})
	if err != nil {
		return userEntry{}, err
	}
	return v.(userEntry), nil
}

// person resolves a Slack user to the Person itbot knows: users.info gives
// the profile e-mail, the store the person with that e-mail. The Slack id
// is linked onto the person (Identities["slack"]) so direct messages reach
// them. When Slack cannot say (users.info failed, or the profile hides the
// e-mail), a link made before, or by an admin, is used.
func (a *Adapter) person(ctx context.Context, id string) (*bot.Person, *unknownUser) {
	if id == "" {
		return nil, &unknownUser{isBot: true}
	}
	e, err := a.lookupUser(ctx, id)
	if err != nil {
		if p, lerr := a.store.PersonByIdentity(ctx, Platform, id); lerr == nil {
			a.log.Warn("slack: users.info failed; using the linked person", "user", id, "person", p.Email, "err", err)
			return p, nil
		}
		a.log.Warn("slack: users.info failed", "user", id, "err", err)
		return nil, &unknownUser{userID: id, lookup: err}
	}
	if e.bot {
		return nil, &unknownUser{userID: id, isBot: true}
	}
	if e.email == "" {
		if p, err := a.store.PersonByIdentity(ctx, Platform, id); err == nil {
			return p, nil
		}
		a.log.Info("slack: user has no profile e-mail", "user", id)
		return nil, &unknownUser{userID: id, noEmail: true}
	}
	email, err := bot.NormalizeAddress(e.email)
	if err != nil {
		return nil, &unknownUser{userID: id, email: e.email}
	}
	p, err := a.store.Person(ctx, email)
	if err != nil {
		if lp, lerr := a.store.PersonByIdentity(ctx, Platform, id); lerr == nil {
			return lp, nil
		}
		a.log.Info("slack: user not known to itbot", "user", id, "email", email)
		return nil, &unknownUser{userID: id, email: email}
	}
	if p.Identities[Platform] != id {
		a.link(ctx, p, id)
	}
	return p, nil
}

// link records the Slack id on the person.
func (a *Adapter) link(ctx context.Context, p *bot.Person, id string) {
	cp := *p
	cp.Identities = map[string]string{}
	for k, v := range p.Identities {
		cp.Identities[k] = v
	}
	cp.Identities[Platform] = id
	if err := a.store.PutPerson(ctx, &cp); err != nil {
		a.log.Warn("slack: could not link the Slack account to the person", "user", id, "person", p.Email, "err", err)
		return
	}
	p.Identities = cp.Identities
	a.log.Info("slack: account linked", "user", id, "person", p.Email)
}
