package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"itbot/bot"
)

// The Bot Connector REST API (Bot Framework "API reference"): the bot
// sends with a client-credentials token of its app registration, scope
// https://api.botframework.com/.default.

// Account is a channel account (from, recipient, members).
type Account struct {
	ID                string `json:"id"`
	Name              string `json:"name,omitempty"`
	AADObjectID       string `json:"aadObjectId,omitempty"`
	Email             string `json:"email,omitempty"`
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
}

// Conversation is an activity's conversation.
type Conversation struct {
	ID               string `json:"id"`
	ConversationType string `json:"conversationType,omitempty"` // personal, groupChat, channel
	TenantID         string `json:"tenantId,omitempty"`
}

// Message is an outgoing message activity.
type Message struct {
	Type        string        `json:"type"`
	Text        string        `json:"text,omitempty"`
	TextFormat  string        `json:"textFormat,omitempty"`
	ReplyToID   string        `json:"replyToId,omitempty"`
	From        *Account      `json:"from,omitempty"`
	Conv        *Conversation `json:"conversation,omitempty"`
	Attachments []Attachment  `json:"attachments,omitempty"`
}

// connector calls the Bot Connector service.
type connector struct {
	appID, secret, tokenURL string
	hc                      *http.Client
	now                     func() time.Time
	sleep                   func(context.Context, time.Duration) error

	mu      sync.Mutex
	token   string
	expires time.Time
}

// accessToken returns a cached client-credentials token, fetching a new
// one five minutes before the old expires.
func (c *connector) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.expires.Add(-5*time.Minute)) {
		return c.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.appID}, "client_secret": {c.secret},
		"scope": {"https://api.botframework.com/.default"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var t struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if res.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(res.Body, 1<<16)).Decode(&t) != nil || t.AccessToken == "" {
		return "", fmt.Errorf("teams: token endpoint answered %s", res.Status)
	}
	c.token, c.expires = t.AccessToken, c.now().Add(time.Duration(t.ExpiresIn)*time.Second)
	return c.token, nil
}

// callError is a refused Connector call.
type callError struct {
	Status     int
	RetryAfter time.Duration
	Body       string
}

func (e *callError) Error() string { return fmt.Sprintf("teams connector: %d %s", e.Status, e.Body) }

// maxTries bounds a call's attempts on 429 and 5xx.
const maxTries = 4

// call sends one request to the Connector, retrying 429 (after its
// Retry-After) and 5xx (after a short backoff) a few times. A 404 wraps
// bot.ErrMessageGone, a 403 bot.ErrUnreachable.
func (c *connector) call(ctx context.Context, method, u string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	for try := 1; ; try++ {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		res, err := c.hc.Do(req)
		if err != nil {
			return err
		}
		raw, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		res.Body.Close()
		if res.StatusCode < 300 {
			if out != nil && len(raw) > 0 {
				return json.Unmarshal(raw, out)
			}
			return nil
		}
		ce := &callError{Status: res.StatusCode, Body: strings.TrimSpace(string(raw))}
		if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil {
			ce.RetryAfter = time.Duration(s) * time.Second
		}
		switch {
		case res.StatusCode == http.StatusNotFound:
			return fmt.Errorf("%w: %w", bot.ErrMessageGone, ce)
		case res.StatusCode == http.StatusForbidden:
			return fmt.Errorf("%w: %w", bot.ErrUnreachable, ce)
		case (res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500) && try < maxTries:
			wait := ce.RetryAfter
			if wait <= 0 {
				wait = time.Duration(try) * time.Second
			}
			if err := c.sleep(ctx, wait); err != nil {
				return err
			}
			continue
		}
		return ce
	}
}

// conversationURL is serviceURL's /v3/conversations/{id} path.
func conversationURL(serviceURL, conv string) string {
	return strings.TrimRight(serviceURL, "/") + "/v3/conversations/" + url.PathEscape(conv)
}

// send posts a message to a conversation (as a reply to replyTo when set)
// and returns its activity id.
func (c *connector) send(ctx context.Context, serviceURL, conv, replyTo string, m Message) (string, error) {
	u := conversationURL(serviceURL, conv) + "/activities"
	if replyTo != "" {
		u += "/" + url.PathEscape(replyTo)
		m.ReplyToID = replyTo
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := c.call(ctx, http.MethodPost, u, m, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", errors.New("teams connector: the message has no id")
	}
	return out.ID, nil
}

// update replaces a posted message.
func (c *connector) update(ctx context.Context, serviceURL, conv, id string, m Message) error {
	return c.call(ctx, http.MethodPut, conversationURL(serviceURL, conv)+"/activities/"+url.PathEscape(id), m, nil)
}

// member reads a conversation member (Teams returns email and
// userPrincipalName: no Graph permission needed).
func (c *connector) member(ctx context.Context, serviceURL, conv, id string) (Account, error) {
	var a Account
	err := c.call(ctx, http.MethodGet, conversationURL(serviceURL, conv)+"/members/"+url.PathEscape(id), nil, &a)
	return a, err
}

// personal opens (or finds) the 1:1 conversation with a user.
func (c *connector) personal(ctx context.Context, serviceURL, tenant, user string) (string, error) {
	in := map[string]any{"isGroup": false, "bot": map[string]string{"id": c.appID}, "members": []map[string]string{{"id": user}},
		"channelData": map[string]any{"tenant": map[string]string{"id": tenant}}}
	var out struct {
		ID string `json:"id"`
	}
	if err := c.call(ctx, http.MethodPost, strings.TrimRight(serviceURL, "/")+"/v3/conversations", in, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}
