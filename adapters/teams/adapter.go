package teams

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"itbot/bot"
)

// Platform is the Teams door's platform name.
const Platform = "teams"

// Config is the Teams door's configuration (section teams).
type Config struct {
	// Enabled turns the door on.
	Enabled bool `yaml:"enabled"`
	// AppID is the bot's Microsoft App ID; Secret its client secret;
	// TenantID the app registration's (single-tenant) tenant. Empty:
	// ITBOT_TEAMS_APP_ID, ITBOT_TEAMS_APP_SECRET, ITBOT_TEAMS_TENANT_ID.
	AppID    string `yaml:"app_id"`
	Secret   string `yaml:"app_secret"`
	TenantID string `yaml:"tenant_id"`
	// Tenants are the tenants whose activities are served (default: the
	// app's own).
	Tenants []string `yaml:"tenants"`
	// TokenURL is the token endpoint (default: the tenant's Entra ID
	// v2.0 token endpoint); MetadataURL the Bot Framework's OpenID
	// metadata (default MetadataURL).
	TokenURL    string `yaml:"token_url"`
	MetadataURL string `yaml:"metadata_url"`
	// WebURL, when set, is the web console's address: files are offered
	// there (/r/ID), never posted into a chat.
	WebURL string `yaml:"web_url"`
	// OpsChannel is the operators' channel: a Teams channel's
	// conversation id (19:…@thread.tacv2) the bot is installed in ("" =
	// none).
	OpsChannel string `yaml:"ops_channel"`
}

// Adapter is the Teams door: an http.Handler for the Bot Framework's
// messaging endpoint, a bot.Surface for the bot's cards and a bot.Poster.
type Adapter struct {
	cfg  Config
	door bot.Door
	v    *Verifier
	c    *connector
	log  *slog.Logger

	mu    sync.Mutex
	who   map[string]string // aadObjectId -> e-mail
	queue chan bot.Notice
	wg    sync.WaitGroup
}

// Options carries what tests replace.
type Options struct {
	Client *http.Client
	Log    *slog.Logger
	Sleep  func(context.Context, time.Duration) error
}

// New returns the door.
func New(cfg Config, door bot.Door, o Options) (*Adapter, error) {
	if cfg.AppID == "" || cfg.Secret == "" || cfg.TenantID == "" {
		return nil, errors.New("teams: app id, tenant id and client secret are needed (ITBOT_TEAMS_APP_ID, ITBOT_TEAMS_TENANT_ID, ITBOT_TEAMS_APP_SECRET)")
	}
	if len(cfg.Tenants) == 0 {
		cfg.Tenants = []string{cfg.TenantID}
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = "https://login.microsoftonline.com/" + cfg.TenantID + "/oauth2/v2.0/token"
	}
	hc := o.Client
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	log := o.Log
	if log == nil {
		log = slog.Default()
	}
	sleep := o.Sleep
	if sleep == nil {
		sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	a := &Adapter{cfg: cfg, door: door, log: log.With("adapter", Platform), who: map[string]string{}, queue: make(chan bot.Notice, 1024),
		v: &Verifier{AppID: cfg.AppID, Tenants: cfg.Tenants, MetadataURL: cfg.MetadataURL, Client: hc},
		c: &connector{appID: cfg.AppID, secret: cfg.Secret, tokenURL: cfg.TokenURL, hc: hc, now: time.Now, sleep: sleep}}
	return a, nil
}

// inbound is an activity as the door reads it.
type inbound struct {
	Activity
	Name string `json:"name"`
	// Value is an invoke's payload, read by its handler.
	Value        json.RawMessage `json:"value"`
	Text         string          `json:"text"`
	From         Account         `json:"from"`
	Conversation Conversation    `json:"conversation"`
	ReplyToID    string          `json:"replyToId"`
}

// maxBody bounds an activity.
const maxBody = 256 << 10

// ServeHTTP is the messaging endpoint (POST /teams/messages): the
// activity is authenticated, journaled, acknowledged, then handled.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(raw) > maxBody {
		a.log.Warn("teams: activity too large or unreadable", "bytes", len(raw))
		http.Error(w, "activity too large", http.StatusRequestEntityTooLarge)
		return
	}
	var act inbound
	if err := json.Unmarshal(raw, &act); err != nil {
		http.Error(w, "not an activity", http.StatusBadRequest)
		return
	}
	if err := a.v.Verify(r.Context(), r.Header.Get("Authorization"), &act.Activity); err != nil {
		var ae *AuthError
		status := http.StatusUnauthorized
		if errors.As(err, &ae) {
			status = ae.Status
		}
		a.log.Warn("teams: activity refused", "status", status, "err", err, "remote", r.RemoteAddr)
		http.Error(w, http.StatusText(status), status)
		return
	}
	if act.Type == "invoke" && act.Name == "fileConsent/invoke" {
		a.fileConsent(w, r, &act, raw)
		return
	}
	if act.Type == "invoke" && act.Name == "adaptiveCard/action" {
		a.invoke(w, r, &act, raw)
		return
	}
	if act.Type != "message" {
		w.WriteHeader(http.StatusOK)
		return
	}
	in := &bot.Inbound{Platform: Platform, Key: act.Conversation.ID + "/" + act.ID, Kind: "message", Body: raw, At: a.door.Now()}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	dup, err := a.door.Store.Journal(ctx, in)
	cancel()
	if err != nil {
		// Not stored: not acknowledged, so the Connector sends it again.
		a.log.Error("teams: journal", "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
	if dup {
		a.log.Info("teams: the same activity again; handled once", "activity", act.ID)
		return
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.run(context.WithoutCancel(r.Context()), in)
	}()
}

// Wait waits for the activities being handled (tests, shutdown).
func (a *Adapter) Wait() { a.wg.Wait() }

// Resume handles what was journaled and not finished before a stop.
func (a *Adapter) Resume(ctx context.Context) (int, error) {
	pend, err := a.door.Store.JournalPending(ctx, Platform, 1000)
	if err != nil {
		return 0, err
	}
	for _, in := range pend {
		a.run(ctx, in)
	}
	return len(pend), nil
}

// run handles one journaled activity and marks it.
func (a *Adapter) run(ctx context.Context, in *bot.Inbound) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var act inbound
	err := json.Unmarshal(in.Body, &act)
	if err == nil {
		err = a.handle(ctx, &act, in.Key)
	}
	if err != nil {
		a.log.Warn("teams: activity not handled", "key", in.Key, "err", err)
		if ferr := a.door.Store.JournalFailed(ctx, Platform, in.Seq, err.Error(), in.Attempts >= 4); ferr != nil {
			a.log.Error("teams: journal", "err", ferr)
		}
		return
	}
	if err := a.door.Store.JournalDone(ctx, Platform, in.Seq); err != nil {
		a.log.Error("teams: journal", "err", err)
	}
}

var (
	reMention = regexp.MustCompile(`(?s)<at[^>]*>.*?</at>`)
	reTag     = regexp.MustCompile(`<[^>]+>`)
)

// clean turns a message's text into what was typed: mentions of the bot
// removed, HTML entities and tags undone.
func clean(s string) string {
	s = reMention.ReplaceAllString(s, "")
	s = reTag.ReplaceAllString(s, "")
	return strings.TrimSpace(bot.StripControl(html.UnescapeString(s)))
}

// handle routes one message and answers in its reply chain.
func (a *Adapter) handle(ctx context.Context, act *inbound, key string) error {
	a.remember(ctx, act)
	p, err := a.person(ctx, act)
	if err != nil {
		return err
	}
	m := &bot.Message{Platform: Platform, Channel: act.Conversation.ID, Thread: thread(act), MessageID: act.ID, UserID: act.From.ID,
		Person: p, Text: clean(act.Text), Source: bot.SourceTyped, Direct: act.Conversation.ConversationType == "personal", Delivery: key}
	return a.door.Router.Route(ctx, bot.ResponseWriterFunc(func(ctx context.Context, rep bot.Reply) error {
		if rep.Lang == "" {
			rep.Lang = p.Language() // a card's own labels (the reject reason) in the reader's language
		}
		_, err := a.c.send(ctx, act.ServiceURL, act.Conversation.ID, act.ID, a.message(rep))
		return bot.WriteFailed(err)
	}), m)
}

// thread is the reply chain a message belongs to: none in a personal or
// group chat (one running conversation); in a channel the chain's root —
// the id after ";messageid=" in a reply's conversation id, else the
// message itself (a new post starts a chain).
func thread(act *inbound) string {
	if act.Conversation.ConversationType != "channel" {
		return ""
	}
	if _, root, ok := strings.Cut(act.Conversation.ID, ";messageid="); ok {
		return root
	}
	return act.ID
}

// person finds the speaker in the directory by their Entra account: the
// conversation member's e-mail or UPN (cached by object id). Unknown
// people are nil: the router answers them.
func (a *Adapter) person(ctx context.Context, act *inbound) (*bot.Person, error) {
	if p, err := a.door.Store.PersonByIdentity(ctx, Platform, act.From.ID); err == nil {
		return p, nil
	}
	a.mu.Lock()
	email, ok := a.who[act.From.AADObjectID]
	a.mu.Unlock()
	if !ok {
		m, err := a.c.member(ctx, act.ServiceURL, act.Conversation.ID, act.From.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range []string{m.Email, m.UserPrincipalName} {
			if addr, err := bot.NormalizeAddress(c); err == nil {
				email = addr
				break
			}
		}
		if act.From.AADObjectID != "" {
			a.mu.Lock()
			a.who[act.From.AADObjectID] = email
			a.mu.Unlock()
		}
	}
	if email == "" {
		return nil, nil
	}
	p, err := a.door.Store.Person(ctx, email)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		a.log.Info("teams: a person not in the directory", "email", email)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// Linked from now on: the bot can reach them here (an approver's
	// direct message) and knows them without a look-up.
	if p.Identities[Platform] != act.From.ID {
		if p.Identities == nil {
			p.Identities = map[string]string{}
		}
		p.Identities[Platform] = act.From.ID
		if err := a.door.Store.PutPerson(ctx, p); err != nil {
			a.log.Warn("teams: linking a person", "email", p.Email, "err", err)
		}
	}
	return p, nil
}

// Conversation references: where a conversation lives (its service URL
// and tenant), kept for proactive posts.
const bucketRefs = "teams_conversations"

type ref struct {
	ServiceURL string `json:"service_url"`
	Tenant     string `json:"tenant"`
	Personal   bool   `json:"personal,omitempty"`
}

func (a *Adapter) remember(ctx context.Context, act *inbound) {
	b, _ := json.Marshal(ref{ServiceURL: act.ServiceURL, Tenant: act.ChannelData.Tenant.ID, Personal: act.Conversation.ConversationType == "personal"})
	if err := a.door.Store.Put(ctx, bucketRefs, act.Conversation.ID, b); err != nil {
		a.log.Warn("teams: conversation reference", "err", err)
	}
	if err := a.door.Store.Put(ctx, bucketRefs, "tenant/"+act.ChannelData.Tenant.ID, b); err != nil {
		a.log.Warn("teams: conversation reference", "err", err)
	}
}

func (a *Adapter) refOf(ctx context.Context, key string) (ref, error) {
	var r ref
	b, err := a.door.Store.Get(ctx, bucketRefs, key)
	if err != nil {
		return r, err
	}
	if b == nil && key == a.cfg.OpsChannel && key != "" {
		// The operators' channel before anyone spoke in it: the service
		// URL of the app's tenant.
		return a.refOf(ctx, "tenant/"+a.cfg.TenantID)
	}
	if b == nil {
		return r, bot.ErrUnreachable
	}
	return r, json.Unmarshal(b, &r)
}

// message renders a reply as a Teams message: an Adaptive Card when it
// has facts or actions, else Markdown text.
func (a *Adapter) message(rep bot.Reply) Message {
	l := rep.Lang
	if l == "" {
		l = bot.LV
	}
	if cardWorthy(rep) {
		return Message{Type: "message", Attachments: []Attachment{{ContentType: CardContentType, Content: AdaptiveCard(rep, l)}}}
	}
	var b strings.Builder
	if rep.Title != "" {
		b.WriteString("**" + rep.Title + "**\n\n")
	}
	b.WriteString(rep.Text)
	return Message{Type: "message", Text: b.String(), TextFormat: "markdown"}
}

// Platform implements bot.Surface and bot.Poster.
func (a *Adapter) Platform() string { return Platform }

// OpsChannel implements bot.Surface: the configured operators' channel.
func (a *Adapter) OpsChannel() string { return a.cfg.OpsChannel }

// Send implements bot.Surface.
func (a *Adapter) Send(ctx context.Context, channel, thread string, rep bot.Reply) (bot.MessageRef, error) {
	r, err := a.refOf(ctx, channel)
	if err != nil {
		return bot.MessageRef{}, err
	}
	id, err := a.c.send(ctx, r.ServiceURL, channel, thread, a.message(rep))
	return bot.MessageRef{Channel: channel, ID: id}, err
}

// Edit implements bot.Surface: the message is replaced in place.
func (a *Adapter) Edit(ctx context.Context, mr bot.MessageRef, rep bot.Reply) error {
	r, err := a.refOf(ctx, mr.Channel)
	if err != nil {
		return err
	}
	return a.c.update(ctx, r.ServiceURL, mr.Channel, mr.ID, a.message(rep))
}

// DirectChannel implements bot.Surface: the 1:1 conversation with a user
// of a tenant the bot has heard from.
func (a *Adapter) DirectChannel(ctx context.Context, user string) (string, error) {
	r, err := a.refOf(ctx, "tenant/"+a.cfg.TenantID)
	if err != nil {
		return "", err
	}
	id, err := a.c.personal(ctx, r.ServiceURL, r.Tenant, user)
	if err != nil {
		return "", err
	}
	r.Personal = true
	b, _ := json.Marshal(r)
	a.door.Store.Put(ctx, bucketRefs, id, b)
	return id, nil
}

// Upload implements bot.Surface. In a personal chat each file is offered
// with a file consent card: accepted, the file goes to the person's
// OneDrive through the upload URL Teams gives (fileConsent/invoke). Files
// carry an institution's data, so elsewhere they are never posted: the
// message names them and points to the web console, where only the
// requester may download them.
func (a *Adapter) Upload(ctx context.Context, channel, thread, caption string, files []bot.File) error {
	r, err := a.refOf(ctx, channel)
	if err != nil {
		return err
	}
	if !r.Personal {
		var names []string
		for _, f := range files {
			names = append(names, f.Name)
		}
		text := caption + "\n\n" + strings.Join(names, ", ")
		if a.cfg.WebURL != "" {
			text += "\n\n" + a.cfg.WebURL
		}
		_, err := a.Send(ctx, channel, thread, bot.Reply{Kind: bot.KindText, Text: text})
		return err
	}
	for _, f := range files {
		id := randomID()
		b, _ := json.Marshal(f)
		if err := a.door.Store.Put(ctx, bucketFiles, id, b); err != nil {
			return err
		}
		m := Message{Type: "message", Text: caption, Attachments: []Attachment{{ContentType: ConsentContentType, Name: f.Name,
			Content: map[string]any{"description": caption, "sizeInBytes": len(f.Data), "acceptContext": map[string]string{"file": id},
				"declineContext": map[string]string{"file": id}}}}}
		if _, err := a.c.send(ctx, r.ServiceURL, channel, thread, m); err != nil {
			return err
		}
	}
	return nil
}

// Files offered with a consent card wait here until accepted or declined.
const bucketFiles = "teams_files"

// The file cards' content types (Teams: "Send and receive files using a
// bot").
const (
	ConsentContentType  = "application/vnd.microsoft.teams.card.file.consent"
	FileInfoContentType = "application/vnd.microsoft.teams.card.file.info"
)

// fileConsent answers a file consent card's click: accepted, the file is
// PUT to the upload URL Teams gave (a OneDrive upload session: one range
// with Content-Range, no Authorization header) and a file info card is
// posted; declined, the file is forgotten.
func (a *Adapter) fileConsent(w http.ResponseWriter, r *http.Request, act *inbound, raw []byte) {
	var v struct {
		Value struct {
			Action  string            `json:"action"`
			Context map[string]string `json:"context"`
			Upload  struct {
				Name       string `json:"name"`
				UploadURL  string `json:"uploadUrl"`
				ContentURL string `json:"contentUrl"`
				UniqueID   string `json:"uniqueId"`
				FileType   string `json:"fileType"`
			} `json:"uploadInfo"`
		} `json:"value"`
	}
	json.Unmarshal(raw, &v)
	ctx := r.Context()
	id := v.Value.Context["file"]
	b, err := a.door.Store.Get(ctx, bucketFiles, id)
	if err != nil || b == nil || id == "" {
		w.WriteHeader(http.StatusOK) // already handled, or not ours
		return
	}
	if v.Value.Action != "accept" {
		a.door.Store.Delete(ctx, bucketFiles, id)
		w.WriteHeader(http.StatusOK)
		return
	}
	var f bot.File
	json.Unmarshal(b, &f)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, v.Value.Upload.UploadURL, bytes.NewReader(f.Data))
	if err == nil {
		req.ContentLength = int64(len(f.Data))
		req.Header.Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", len(f.Data)-1, len(f.Data)))
		var res *http.Response
		if res, err = a.c.hc.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode >= 300 {
				err = fmt.Errorf("upload answered %d", res.StatusCode)
			}
		}
	}
	if err != nil {
		a.log.Warn("teams: a consented file could not be uploaded", "file", f.Name, "err", err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	a.door.Store.Delete(ctx, bucketFiles, id)
	info := Message{Type: "message", Attachments: []Attachment{{ContentType: FileInfoContentType, Name: v.Value.Upload.Name, ContentURL: v.Value.Upload.ContentURL,
		Content: map[string]string{"uniqueId": v.Value.Upload.UniqueID, "fileType": v.Value.Upload.FileType}}}}
	if _, err := a.c.send(ctx, act.ServiceURL, act.Conversation.ID, "", info); err != nil {
		a.log.Warn("teams: file info card", "err", err)
	}
	w.WriteHeader(http.StatusOK)
}

func randomID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ConfirmsDelivery implements bot.Confirmer: a notice's Done is called
// after it was delivered (or given up on), not when Post returns.
func (a *Adapter) ConfirmsDelivery() bool { return true }

// Post implements bot.Poster: notices are delivered in order by one
// worker (Run) through the bot's cards.
func (a *Adapter) Post(ctx context.Context, n bot.Notice) error {
	select {
	case a.queue <- n:
		return nil
	default:
		return errors.New("teams: the outbox is full")
	}
}

// Run delivers queued notices until ctx ends.
func (a *Adapter) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-a.queue:
			if err := a.door.Cards.Deliver(ctx, a, n); err != nil {
				a.log.Warn("teams: notice not delivered", "channel", n.To.Channel, "err", err)
			}
			if n.Done != nil {
				n.Done()
			}
		}
	}
}

// invoke answers a card's Action.Execute (Universal Actions): the click's
// command runs as the person who clicked, through the router, and the
// answer replaces the card in the invoke response — synchronously, as
// Teams waits for it (the invoke's time limit). The click is journaled
// first, so a retried invoke runs once.
func (a *Adapter) invoke(w http.ResponseWriter, r *http.Request, act *inbound, raw []byte) {
	in := &bot.Inbound{Platform: Platform, Key: act.Conversation.ID + "/" + act.ID, Kind: "invoke", Body: raw, At: a.door.Now()}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	dup, err := a.door.Store.Journal(ctx, in)
	if err != nil {
		a.log.Error("teams: journal", "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	answer := func(rep bot.Reply) {
		body := map[string]any{"statusCode": http.StatusOK, "type": "application/vnd.microsoft.activity.message", "value": rep.Text}
		if cardWorthy(rep) || rep.Request != nil {
			l := rep.Lang
			if l == "" {
				l = bot.LV
			}
			body = map[string]any{"statusCode": http.StatusOK, "type": CardContentType, "value": AdaptiveCard(rep, l)}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(body)
	}
	if dup {
		answer(bot.Reply{Kind: bot.KindText, Text: "✓"})
		return
	}
	a.remember(ctx, act)
	var v struct {
		Action struct {
			Type string `json:"type"`
			Verb string `json:"verb"`
			Data struct {
				Command string `json:"command"`
				Reason  string `json:"reason"`
			} `json:"data"`
		} `json:"action"`
	}
	json.Unmarshal(act.Value, &v)
	cmd := v.Action.Data.Command
	p, err := a.person(ctx, act)
	if err != nil || v.Action.Verb != verb || !strings.HasPrefix(cmd, bot.Prefix+" ") {
		a.door.Store.JournalFailed(ctx, Platform, in.Seq, "not an itbot action", true)
		answer(bot.Reply{Kind: bot.KindError, Text: bot.Tr(bot.LV, "router.unknown_person", nil)})
		return
	}
	l := p.Language()
	if isReject(cmd) {
		reason := strings.TrimSpace(bot.StripControl(v.Action.Data.Reason))
		if reason == "" {
			a.door.Store.JournalDone(ctx, Platform, in.Seq)
			answer(bot.Reply{Kind: bot.KindError, Text: bot.Tr(l, "teams.reason_required", nil)})
			return
		}
		cmd += " " + reason
	}
	var last bot.Reply
	m := &bot.Message{Platform: Platform, Channel: act.Conversation.ID, MessageID: act.ID, UserID: act.From.ID, Person: p, Text: cmd,
		Source: bot.SourceButton, Direct: act.Conversation.ConversationType == "personal", Delivery: in.Key}
	if err := a.door.Router.Route(ctx, bot.ResponseWriterFunc(func(_ context.Context, rep bot.Reply) error {
		if rep.Lang == "" {
			rep.Lang = l
		}
		last = rep
		return nil
	}), m); err != nil {
		a.log.Warn("teams: invoke", "err", err)
	}
	if err := a.door.Store.JournalDone(ctx, Platform, in.Seq); err != nil {
		a.log.Error("teams: journal", "err", err)
	}
	answer(last)
}
