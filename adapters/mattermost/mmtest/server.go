// Package mmtest is a Mattermost server for tests: an httptest server that
// speaks the parts of API v4 itbot uses (users, teams, channels, posts,
// ephemeral posts, files, custom slash commands with their response URLs,
// interactive message buttons, interactive dialogs) and the websocket event
// stream (authentication challenge, hello, posted, post_edited), with the
// real JSON shapes, status codes and AppError bodies. Tests drive it with
// the real model.Client4 and model.WebSocketClient, on both sides: the bot
// through its adapter, people through their own clients.
//
// Faults are injected per route (429 with Retry-After, 5xx), websockets can
// be dropped and refused, and every call is counted, so retries, reconnects
// and catch-up are tested against behaviour, not timings.
package mmtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mattermost/mattermost/server/public/model"
)

// MaxPostRunes is the longest message the server accepts, as Mattermost 5+.
const MaxPostRunes = 16383

// TriggerTimeout is how long a trigger id opens a dialog. Mattermost's
// default is 3 s; the test server allows more so slow CI machines pass.
const TriggerTimeout = 30 * time.Second

// Fault makes the next Times calls of Method Path fail with Status (and a
// Retry-After header when RetryAfter is set). Path is the request path
// without the host, e.g. "/api/v4/posts"; a trailing "*" matches a prefix.
type Fault struct {
	Method     string
	Path       string
	Status     int
	RetryAfter string
	Times      int
}

// Ephemeral is an ephemeral post shown to one user.
type Ephemeral struct {
	UserID string
	Post   *model.Post
}

type file struct {
	info model.FileInfo
	data []byte
	used bool
}

type hook struct {
	user, channel, root string
	uses                int
	at                  time.Time
}

type trigger struct {
	user string
	at   time.Time
}

// Server is a fake Mattermost server.
type Server struct {
	srv *httptest.Server
	t   testing.TB

	mu         sync.Mutex
	lastMillis int64
	users      map[string]*model.User
	tokens     map[string]string // token -> user id
	admins     map[string]bool
	teams      map[string]*model.Team
	channels   map[string]*model.Channel
	members    map[string]map[string]bool // channel -> users
	posts      map[string]*model.Post
	order      []string // post ids, oldest first
	pending    map[string]string
	ephemeral  []Ephemeral
	files      map[string]*file
	commands   map[string]*model.Command // trigger -> command
	hooks      map[string]*hook
	triggers   map[string]trigger
	dialogs    map[string]*model.OpenDialogRequest // user -> last opened
	faults     []*Fault
	calls      map[string]int
	conns      map[*wsConn]bool
	refuseWS   bool
	wsWaiters  []chan struct{}
	lastAction int // status of the last integration call for a button

	// ShowEmail mirrors PrivacySettings.ShowEmailAddress: when false,
	// only system admins and the user themself see an e-mail address.
	ShowEmail bool
	// EphemeralAdminOnly mirrors Mattermost: POST /posts/ephemeral needs
	// the create_post_ephemeral permission, which only system admins hold
	// (API v4 reference, "Create a ephemeral post": "Must have
	// create_post_ephemeral permission (currently only given to system
	// admin)"; a bot with the Member role gets 403). On by default, like
	// the server; a test may turn it off to stand for an admin bot.
	EphemeralAdminOnly bool
	// HTTPClient makes the server's outgoing calls (slash commands,
	// buttons, dialogs).
	HTTPClient *http.Client
}

// New starts a server; it is closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{
		EphemeralAdminOnly: true,
		t:                  t,
		users:              map[string]*model.User{},
		tokens:             map[string]string{},
		admins:             map[string]bool{},
		teams:              map[string]*model.Team{},
		channels:           map[string]*model.Channel{},
		members:            map[string]map[string]bool{},
		posts:              map[string]*model.Post{},
		pending:            map[string]string{},
		files:              map[string]*file{},
		commands:           map[string]*model.Command{},
		hooks:              map[string]*hook{},
		triggers:           map[string]trigger{},
		dialogs:            map[string]*model.OpenDialogRequest{},
		calls:              map[string]int{},
		conns:              map[*wsConn]bool{},
		ShowEmail:          true,
		HTTPClient:         &http.Client{Timeout: 30 * time.Second},
	}
	s.srv = httptest.NewServer(s.routes())
	t.Cleanup(s.Close)
	return s
}

// URL is the server's site URL (http://127.0.0.1:port).
func (s *Server) URL() string { return s.srv.URL }

// Close drops every websocket and stops the server.
func (s *Server) Close() {
	s.DropWebSockets()
	s.srv.Close()
}

// Client returns a model.Client4 authenticated with token.
func (s *Server) Client(token string) *model.Client4 {
	c := model.NewAPIv4Client(s.URL())
	c.SetToken(token)
	return c
}

func (s *Server) millis() int64 {
	m := time.Now().UnixMilli()
	if m <= s.lastMillis {
		m = s.lastMillis + 1
	}
	s.lastMillis = m
	return m
}

// AddTeam creates a team.
func (s *Server) AddTeam(name string) *model.Team {
	s.mu.Lock()
	defer s.mu.Unlock()
	tm := &model.Team{Id: model.NewId(), Name: name, DisplayName: name, Type: model.TeamOpen, CreateAt: s.millis()}
	s.teams[tm.Id] = tm
	return tm
}

// AddUser creates a user (a bot account when isBot) and returns it with a
// personal access token. An empty email makes a user whose e-mail address
// the server never shows (an SSO account without one).
func (s *Server) AddUser(username, email string, isBot bool) (*model.User, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := &model.User{Id: model.NewId(), Username: username, Email: email, IsBot: isBot, Roles: model.SystemUserRoleId, CreateAt: s.millis(), Locale: "lv"}
	u.UpdateAt = u.CreateAt
	s.users[u.Id] = u
	tok := model.NewId()
	s.tokens[tok] = u.Id
	return u, tok
}

// SetAdmin gives or takes the system admin role.
func (s *Server) SetAdmin(userID string, admin bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.admins[userID] = admin
}

// AddChannel creates an open ("O") or private ("P") channel in a team.
func (s *Server) AddChannel(teamID, name string, typ model.ChannelType, members ...string) *model.Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := &model.Channel{Id: model.NewId(), TeamId: teamID, Name: name, DisplayName: name, Type: typ, CreateAt: s.millis()}
	s.channels[ch.Id] = ch
	s.members[ch.Id] = map[string]bool{}
	for _, m := range members {
		s.members[ch.Id][m] = true
	}
	return ch
}

// Join adds users to a channel.
func (s *Server) Join(channelID string, users ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range users {
		s.members[channelID][u] = true
	}
}

// AddCommand registers a custom slash command: /trigger POSTs to url with
// token.
func (s *Server) AddCommand(teamID, trigger, url, token string) *model.Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &model.Command{Id: model.NewId(), TeamId: teamID, Trigger: trigger, URL: url, Token: token, Method: model.CommandMethodPost}
	s.commands[trigger] = c
	return c
}

// Fail injects a fault.
func (s *Server) Fail(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// ClearFaults removes the faults not used up yet.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Calls returns how many times "METHOD /path" was called (faulted calls
// included).
func (s *Server) Calls(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method+" "+path]
}

// Posts returns a channel's posts, oldest first (deep copies, with their
// integrations, as stored).
func (s *Server) Posts(channelID string) []*model.Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*model.Post
	for _, id := range s.order {
		if p := s.posts[id]; p.ChannelId == channelID && p.DeleteAt == 0 {
			out = append(out, clonePost(p))
		}
	}
	return out
}

// Post returns one stored post.
func (s *Server) Post(id string) *model.Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.posts[id]; ok {
		return clonePost(p)
	}
	return nil
}

// Thread returns the replies to a root post, oldest first.
func (s *Server) Thread(rootID string) []*model.Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*model.Post
	for _, id := range s.order {
		if p := s.posts[id]; p.RootId == rootID {
			out = append(out, clonePost(p))
		}
	}
	return out
}

// Ephemerals returns the ephemeral posts a user was shown, oldest first.
func (s *Server) Ephemerals(userID string) []*model.Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*model.Post
	for _, e := range s.ephemeral {
		if e.UserID == userID {
			out = append(out, clonePost(e.Post))
		}
	}
	return out
}

// File returns an uploaded file.
func (s *Server) File(id string) (model.FileInfo, []byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		return model.FileInfo{}, nil, false
	}
	return f.info, bytes.Clone(f.data), true
}

// Dialog returns the last dialog opened for a user.
func (s *Server) Dialog(userID string) *model.OpenDialogRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dialogs[userID]
}

// DirectChannel returns the id of the direct channel of two users, or "".
func (s *Server) DirectChannel(a, b string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := model.GetDMNameFromIds(a, b)
	for _, ch := range s.channels {
		if ch.Type == model.ChannelTypeDirect && ch.Name == name {
			return ch.Id
		}
	}
	return ""
}

// LastActionStatus is the HTTP status the integration answered the last
// button click with.
func (s *Server) LastActionStatus() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastAction
}

func clonePost(p *model.Post) *model.Post {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	var q model.Post
	if err := json.Unmarshal(b, &q); err != nil {
		panic(err)
	}
	return &q
}

// forClient is what a client sees of a post: integrations stripped.
func forClient(p *model.Post) *model.Post {
	q := clonePost(p)
	atts := q.Attachments()
	if len(atts) == 0 {
		return q
	}
	for _, a := range atts {
		for _, ac := range a.Actions {
			ac.Integration = nil
		}
	}
	q.AddProp(model.PostPropsAttachments, atts)
	return clonePost(q)
}

// ---- HTTP plumbing ----

type ctxKey struct{}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, f func(w http.ResponseWriter, r *http.Request, uid string)) {
		mux.HandleFunc(pattern, s.authed(f))
	}
	h("GET /api/v4/users/me", s.getMe)
	h("GET /api/v4/users/{id}", s.getUser)
	h("GET /api/v4/users/{id}/{what}", func(w http.ResponseWriter, r *http.Request, uid string) {
		switch {
		case r.PathValue("id") == "email":
			s.getUserByEmail(w, r, uid)
		case r.PathValue("what") == "channels":
			s.userChannels(w, r, uid)
		default:
			appError(w, http.StatusNotFound, "api.context.404.app_error", "Sorry, we could not find the page.")
		}
	})
	h("GET /api/v4/users/{id}/teams/{team}/channels", s.userChannels)
	h("GET /api/v4/teams/name/{name}", s.teamByName)
	h("GET /api/v4/teams/{team}/channels/name/{name}", s.channelByName)
	h("GET /api/v4/channels/{id}", s.getChannel)
	h("POST /api/v4/channels/direct", s.createDirect)
	h("GET /api/v4/channels/{id}/posts", s.postsSince)
	h("POST /api/v4/posts", s.createPost)
	h("POST /api/v4/posts/ephemeral", s.createEphemeral)
	h("GET /api/v4/posts/{id}", s.getPost)
	h("PUT /api/v4/posts/{id}", s.updatePost)
	h("PUT /api/v4/posts/{id}/patch", s.patchPost)
	h("POST /api/v4/posts/{id}/actions/{action}", s.doAction)
	h("POST /api/v4/files", s.uploadFile)
	h("GET /api/v4/files/{id}", s.getFile)
	h("POST /api/v4/commands/execute", s.executeCommand)
	h("POST /api/v4/actions/dialogs/open", s.openDialog)
	h("POST /api/v4/actions/dialogs/submit", s.submitDialog)
	mux.HandleFunc("POST /hooks/commands/{id}", s.commandHook)
	mux.HandleFunc("GET /api/v4/websocket", s.websocket)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[r.Method+" "+r.URL.Path]++
		var f *Fault
		for _, x := range s.faults {
			if x.Times > 0 && x.Method == r.Method && (x.Path == r.URL.Path || strings.HasSuffix(x.Path, "*") && strings.HasPrefix(r.URL.Path, strings.TrimSuffix(x.Path, "*"))) {
				x.Times--
				f = x
				break
			}
		}
		s.mu.Unlock()
		if f != nil {
			io.Copy(io.Discard, r.Body)
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
				w.Header().Set("X-Ratelimit-Remaining", "0")
			}
			appError(w, f.Status, "mmtest.fault", "injected fault")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func (s *Server) authed(f func(w http.ResponseWriter, r *http.Request, uid string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := ""
		if a := r.Header.Get(model.HeaderAuth); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
			tok = a[7:]
		}
		s.mu.Lock()
		uid, ok := s.tokens[tok]
		s.mu.Unlock()
		if !ok {
			appError(w, http.StatusUnauthorized, "api.context.session_expired.app_error", "Invalid or expired session, please login again.")
			return
		}
		f(w, r, uid)
	}
}

func appError(w http.ResponseWriter, status int, id, msg string) {
	e := model.NewAppError("mmtest", id, nil, "", status)
	e.Message = msg
	e.RequestId = model.NewId()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(model.HeaderRequestId, e.RequestId)
	w.WriteHeader(status)
	w.Write([]byte(e.ToJSON()))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(model.HeaderRequestId, model.NewId())
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(io.LimitReader(r.Body, 8<<20)).Decode(v); err != nil {
		appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing body: "+err.Error())
		return false
	}
	return true
}

func forbidden(w http.ResponseWriter) {
	appError(w, http.StatusForbidden, "api.context.permissions.app_error", "You do not have the appropriate permissions.")
}

func notFound(w http.ResponseWriter, what string) {
	appError(w, http.StatusNotFound, "app."+what+".get.app_error", "Unable to find the "+what+".")
}

// sanitized is what viewer may see of u (Mattermost hides e-mail
// addresses unless ShowEmailAddress is on or the viewer is an admin).
func (s *Server) sanitized(u *model.User, viewer string) *model.User {
	c := *u
	c.Password = ""
	if !s.ShowEmail && !s.admins[viewer] && viewer != u.Id {
		c.Email = ""
	}
	return &c
}

// ---- users, teams, channels ----

func (s *Server) getMe(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	u := s.sanitized(s.users[uid], uid)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	u, ok := s.users[r.PathValue("id")]
	var out *model.User
	if ok {
		out = s.sanitized(u, uid)
	}
	s.mu.Unlock()
	if !ok {
		notFound(w, "user")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getUserByEmail(w http.ResponseWriter, r *http.Request, uid string) {
	email := strings.ToLower(r.PathValue("what"))
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ShowEmail && !s.admins[uid] {
		forbidden(w)
		return
	}
	for _, u := range s.users {
		if u.Email != "" && strings.ToLower(u.Email) == email {
			writeJSON(w, http.StatusOK, s.sanitized(u, uid))
			return
		}
	}
	notFound(w, "user")
}

func (s *Server) userChannels(w http.ResponseWriter, r *http.Request, uid string) {
	who := r.PathValue("id")
	team := r.PathValue("team")
	s.mu.Lock()
	defer s.mu.Unlock()
	if who != uid && !s.admins[uid] {
		forbidden(w)
		return
	}
	out := []*model.Channel{}
	for id, ch := range s.channels {
		if !s.members[id][who] {
			continue
		}
		if team != "" && ch.TeamId != team && ch.TeamId != "" {
			continue
		}
		c := *ch
		out = append(out, &c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Id < out[j].Id })
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) teamByName(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.teams {
		if t.Name == r.PathValue("name") {
			writeJSON(w, http.StatusOK, t)
			return
		}
	}
	notFound(w, "team")
}

func (s *Server) channelByName(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.channels {
		if ch.TeamId == r.PathValue("team") && ch.Name == r.PathValue("name") {
			if ch.Type == model.ChannelTypePrivate && !s.members[ch.Id][uid] {
				break
			}
			writeJSON(w, http.StatusOK, ch)
			return
		}
	}
	notFound(w, "channel")
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[r.PathValue("id")]
	if !ok || (ch.Type != model.ChannelTypeOpen && !s.members[ch.Id][uid]) {
		notFound(w, "channel")
		return
	}
	writeJSON(w, http.StatusOK, ch)
}

func (s *Server) createDirect(w http.ResponseWriter, r *http.Request, uid string) {
	var ids []string
	if !decode(w, r, &ids) {
		return
	}
	if len(ids) != 2 || (ids[0] != uid && ids[1] != uid && !s.isAdmin(uid)) {
		appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing user_ids in request body.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if _, ok := s.users[id]; !ok {
			appError(w, http.StatusBadRequest, "api.channel.create_direct_channel.invalid_user.app_error", "Invalid user ID for direct channel creation.")
			return
		}
	}
	name := model.GetDMNameFromIds(ids[0], ids[1])
	for _, ch := range s.channels {
		if ch.Type == model.ChannelTypeDirect && ch.Name == name {
			writeJSON(w, http.StatusCreated, ch)
			return
		}
	}
	ch := &model.Channel{Id: model.NewId(), Name: name, Type: model.ChannelTypeDirect, CreateAt: s.millis()}
	s.channels[ch.Id] = ch
	s.members[ch.Id] = map[string]bool{ids[0]: true, ids[1]: true}
	writeJSON(w, http.StatusCreated, ch)
}

func (s *Server) isAdmin(uid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.admins[uid]
}

// ---- posts ----

func (s *Server) postsSince(w http.ResponseWriter, r *http.Request, uid string) {
	cid := r.PathValue("id")
	since, err := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	if err != nil {
		appError(w, http.StatusBadRequest, "api.context.invalid_url_param.app_error", "Invalid or missing since parameter in request URL.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.channels[cid]; !ok || !s.members[cid][uid] {
		forbidden(w)
		return
	}
	pl := model.NewPostList()
	for i := len(s.order) - 1; i >= 0; i-- {
		p := s.posts[s.order[i]]
		if p.ChannelId == cid && p.UpdateAt > since {
			pl.AddPost(forClient(p))
			pl.AddOrder(p.Id)
		}
	}
	writeJSON(w, http.StatusOK, pl)
}

// validatePost checks a post as the server does before storing it.
func (s *Server) validatePost(p *model.Post, uid string) (int, string) {
	ch, ok := s.channels[p.ChannelId]
	if !ok {
		return http.StatusBadRequest, "api.post.create_post.channel_id.app_error"
	}
	if !s.members[ch.Id][uid] {
		return http.StatusForbidden, "api.context.permissions.app_error"
	}
	if p.RootId != "" {
		root, ok := s.posts[p.RootId]
		if !ok || root.ChannelId != p.ChannelId || root.RootId != "" {
			return http.StatusBadRequest, "api.post.create_post.root_id.app_error"
		}
	}
	if len([]rune(p.Message)) > MaxPostRunes {
		return http.StatusBadRequest, "model.post.is_valid.msg.app_error"
	}
	for _, a := range p.Attachments() {
		for _, ac := range a.Actions {
			if err := ac.IsValid(); err != nil {
				return http.StatusBadRequest, "api.post.create_post.invalid_action: " + err.Error()
			}
		}
	}
	for _, fid := range p.FileIds {
		f, ok := s.files[fid]
		if !ok || f.info.ChannelId != p.ChannelId || f.used {
			return http.StatusBadRequest, "api.post.create_post.file_ids.app_error"
		}
	}
	return 0, ""
}

func (s *Server) createPost(w http.ResponseWriter, r *http.Request, uid string) {
	var p model.Post
	if !decode(w, r, &p) {
		return
	}
	s.mu.Lock()
	if p.PendingPostId != "" {
		if id, ok := s.pending[uid+"/"+p.PendingPostId]; ok {
			out := forClient(s.posts[id])
			s.mu.Unlock()
			writeJSON(w, http.StatusCreated, out)
			return
		}
	}
	if st, id := s.validatePost(&p, uid); st != 0 {
		s.mu.Unlock()
		appError(w, st, id, "The post was refused: "+id)
		return
	}
	stored := s.store(&p, uid)
	out := forClient(stored)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

// store saves a new post as user uid and broadcasts it; s.mu is held.
func (s *Server) store(in *model.Post, uid string) *model.Post {
	p := clonePost(in)
	p.Id = model.NewId()
	p.UserId = uid
	p.CreateAt = s.millis()
	p.UpdateAt = p.CreateAt
	p.EditAt, p.DeleteAt = 0, 0
	if s.users[uid].IsBot {
		p.AddProp(model.PostPropsFromBot, "true")
	}
	for _, fid := range p.FileIds {
		s.files[fid].used = true
		s.files[fid].info.PostId = p.Id
	}
	s.posts[p.Id] = p
	s.order = append(s.order, p.Id)
	if p.PendingPostId != "" {
		s.pending[uid+"/"+p.PendingPostId] = p.Id
	}
	s.broadcastPost(model.WebsocketEventPosted, p)
	return p
}

func (s *Server) createEphemeral(w http.ResponseWriter, r *http.Request, uid string) {
	var pe model.PostEphemeral
	if !decode(w, r, &pe) || pe.Post == nil {
		if pe.Post == nil {
			appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing post in request body.")
		}
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.EphemeralAdminOnly && !s.admins[uid] {
		forbidden(w)
		return
	}
	if _, ok := s.channels[pe.Post.ChannelId]; !ok || !s.members[pe.Post.ChannelId][pe.UserID] {
		appError(w, http.StatusBadRequest, "api.post.create_post.channel_id.app_error", "Invalid channel.")
		return
	}
	p := s.ephemeralPost(pe.UserID, uid, pe.Post)
	writeJSON(w, http.StatusCreated, forClient(p))
}

// ephemeralPost stores an ephemeral post for user from sender; s.mu held.
func (s *Server) ephemeralPost(user, sender string, in *model.Post) *model.Post {
	p := clonePost(in)
	p.Id = model.NewId()
	p.UserId = sender
	p.Type = model.PostTypeEphemeral
	p.CreateAt = s.millis()
	p.UpdateAt = p.CreateAt
	s.ephemeral = append(s.ephemeral, Ephemeral{UserID: user, Post: p})
	ev := model.NewWebSocketEvent(model.WebsocketEventEphemeralMessage, "", p.ChannelId, user, nil, "")
	js, _ := json.Marshal(forClient(p))
	ev = ev.SetData(map[string]any{"post": string(js)})
	s.sendTo(ev, func(u string) bool { return u == user })
	return p
}

func (s *Server) getPost(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[r.PathValue("id")]
	if !ok || p.DeleteAt != 0 {
		notFound(w, "post")
		return
	}
	if !s.members[p.ChannelId][uid] {
		forbidden(w)
		return
	}
	writeJSON(w, http.StatusOK, forClient(p))
}

func (s *Server) edit(w http.ResponseWriter, uid, id string, f func(p *model.Post)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[id]
	if !ok || p.DeleteAt != 0 {
		notFound(w, "post")
		return
	}
	if p.UserId != uid && !s.admins[uid] {
		forbidden(w)
		return
	}
	q := clonePost(p)
	f(q)
	if st, eid := s.validatePost(q, p.UserId); st != 0 && !strings.Contains(eid, "file_ids") {
		appError(w, st, eid, "The post was refused: "+eid)
		return
	}
	q.EditAt = s.millis()
	q.UpdateAt = q.EditAt
	// Nothing is added back: a patch's props replace the post's props
	// whole (model.Post.Patch sets Props to the patch's), so a patch
	// without from_bot leaves a bot's post without it, as the server does
	// (seen on a 5.37 server: every edited post had lost it).
	s.posts[id] = q
	s.broadcastPost(model.WebsocketEventPostEdited, q)
	writeJSON(w, http.StatusOK, forClient(q))
}

func (s *Server) updatePost(w http.ResponseWriter, r *http.Request, uid string) {
	var in model.Post
	if !decode(w, r, &in) {
		return
	}
	if in.Id != r.PathValue("id") {
		appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing post id in request body.")
		return
	}
	s.edit(w, uid, in.Id, func(p *model.Post) {
		p.Message = in.Message
		p.SetProps(in.GetProps())
		if in.FileIds != nil {
			p.FileIds = in.FileIds
		}
	})
}

func (s *Server) patchPost(w http.ResponseWriter, r *http.Request, uid string) {
	var in model.PostPatch
	if !decode(w, r, &in) {
		return
	}
	s.edit(w, uid, r.PathValue("id"), func(p *model.Post) {
		if in.Message != nil {
			p.Message = *in.Message
		}
		if in.Props != nil {
			p.SetProps(*in.Props)
		}
		if in.FileIds != nil {
			p.FileIds = *in.FileIds
		}
	})
}

// ---- files ----

func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request, uid string) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		appError(w, http.StatusBadRequest, "api.file.upload_file.read_request.app_error", "Unable to read the multipart form.")
		return
	}
	cid := r.FormValue("channel_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.channels[cid]; !ok || !s.members[cid][uid] {
		forbidden(w)
		return
	}
	resp := &model.FileUploadResponse{FileInfos: []*model.FileInfo{}, ClientIds: []string{}}
	for _, fh := range r.MultipartForm.File["files"] {
		f, err := fh.Open()
		if err != nil {
			appError(w, http.StatusBadRequest, "api.file.upload_file.read_request.app_error", "Unable to read the file.")
			return
		}
		data, _ := io.ReadAll(f)
		f.Close()
		info := model.FileInfo{Id: model.NewId(), CreatorId: uid, ChannelId: cid, CreateAt: s.millis(), Name: fh.Filename,
			Size: int64(len(data)), MimeType: http.DetectContentType(data)}
		if i := strings.LastIndexByte(fh.Filename, '.'); i >= 0 {
			info.Extension = strings.ToLower(fh.Filename[i+1:])
		}
		s.files[info.Id] = &file{info: info, data: data}
		ic := info
		resp.FileInfos = append(resp.FileInfos, &ic)
	}
	if len(resp.FileInfos) == 0 {
		appError(w, http.StatusBadRequest, "api.file.upload_file.no_files.app_error", "No files were uploaded.")
		return
	}
	writeJSON(w, http.StatusCreated, resp)
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	f, ok := s.files[r.PathValue("id")]
	member := ok && s.members[f.info.ChannelId][uid]
	s.mu.Unlock()
	if !ok || !member {
		notFound(w, "file")
		return
	}
	w.Header().Set("Content-Type", f.info.MimeType)
	w.Write(f.data)
}

// ---- slash commands ----

func (s *Server) newTrigger(user string) string {
	id := model.NewId()
	s.triggers[id] = trigger{user: user, at: time.Now()}
	return id
}

func (s *Server) executeCommand(w http.ResponseWriter, r *http.Request, uid string) {
	var args model.CommandArgs
	if !decode(w, r, &args) {
		return
	}
	text := strings.TrimSpace(args.Command)
	if !strings.HasPrefix(text, "/") {
		appError(w, http.StatusBadRequest, "api.command.execute_command.start.app_error", "No command trigger found.")
		return
	}
	trig, msg, _ := strings.Cut(text[1:], " ")
	trig = strings.ToLower(trig)
	s.mu.Lock()
	cmd, ok := s.commands[trig]
	ch, chOK := s.channels[args.ChannelId]
	if !ok || !chOK || !s.members[args.ChannelId][uid] {
		s.mu.Unlock()
		appError(w, http.StatusNotFound, "api.command.execute_command.not_found.app_error", "Command with a trigger of '"+trig+"' not found.")
		return
	}
	user := s.users[uid]
	team := s.teams[cmd.TeamId]
	hk := model.NewId()
	s.hooks[hk] = &hook{user: uid, channel: ch.Id, root: args.RootId, at: time.Now()}
	p := url.Values{}
	p.Set("token", cmd.Token)
	p.Set("team_id", cmd.TeamId)
	if team != nil {
		p.Set("team_domain", team.Name)
	}
	p.Set("channel_id", ch.Id)
	p.Set("channel_name", ch.Name)
	p.Set("user_id", uid)
	p.Set("user_name", user.Username)
	p.Set("command", "/"+trig)
	p.Set("text", strings.TrimSpace(msg))
	p.Set("trigger_id", s.newTrigger(uid))
	p.Set("response_url", s.URL()+"/hooks/commands/"+hk)
	s.mu.Unlock()

	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, cmd.URL, strings.NewReader(p.Encode()))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Token "+cmd.Token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.HTTPClient.Do(req)
	if err != nil {
		appError(w, http.StatusInternalServerError, "api.command.execute_command.failed.app_error", "Command with a trigger of '"+trig+"' failed.")
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		appError(w, http.StatusInternalServerError, "api.command.execute_command.failed_resp.app_error",
			fmt.Sprintf("Command with a trigger of '%s' returned response %s.", trig, resp.Status))
		return
	}
	cr, err := model.CommandResponseFromHTTPBody(resp.Header.Get("Content-Type"), bytes.NewReader(body))
	if err != nil || cr == nil {
		appError(w, http.StatusInternalServerError, "api.command.execute_command.failed.app_error", "Command with a trigger of '"+trig+"' failed.")
		return
	}
	if err := cr.IsValid(); err != nil {
		appError(w, http.StatusInternalServerError, "api.command.execute_command.failed.app_error", err.Error())
		return
	}
	s.mu.Lock()
	s.applyCommandResponse(cr, uid, ch.Id, args.RootId)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, cr)
}

// applyCommandResponse shows a slash command's answer; s.mu held.
func (s *Server) applyCommandResponse(cr *model.CommandResponse, uid, channel, root string) {
	post := &model.Post{ChannelId: channel, RootId: root, Message: cr.Text}
	if len(cr.Attachments) > 0 {
		post.AddProp(model.PostPropsAttachments, cr.Attachments)
	}
	switch {
	case cr.ResponseType == model.CommandResponseTypeInChannel:
		post.AddProp(model.PostPropsFromWebhook, "true")
		s.store(post, uid)
	case cr.Text != "" || len(cr.Attachments) > 0:
		s.ephemeralPost(uid, uid, post)
	}
	for _, x := range cr.ExtraResponses {
		if x != nil {
			s.applyCommandResponse(x, uid, channel, root)
		}
	}
}

func (s *Server) commandHook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h, ok := s.hooks[r.PathValue("id")]
	if ok && (h.uses >= 5 || time.Since(h.at) > 30*time.Minute) {
		ok = false
	}
	if ok {
		h.uses++
	}
	s.mu.Unlock()
	if !ok {
		appError(w, http.StatusBadRequest, "app.command_webhook.try_use.invalid", "Invalid webhook.")
		return
	}
	cr, err := model.CommandResponseFromHTTPBody(r.Header.Get("Content-Type"), io.LimitReader(r.Body, 1<<20))
	if err != nil || cr == nil {
		appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid body.")
		return
	}
	s.mu.Lock()
	s.applyCommandResponse(cr, h.user, h.channel, h.root)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte("ok"))
}

// ---- interactive messages and dialogs ----

func (s *Server) doAction(w http.ResponseWriter, r *http.Request, uid string) {
	io.Copy(io.Discard, r.Body)
	s.mu.Lock()
	p, ok := s.posts[r.PathValue("id")]
	if !ok || !s.members[p.ChannelId][uid] {
		s.mu.Unlock()
		notFound(w, "post")
		return
	}
	var act *model.PostAction
	for _, a := range p.Attachments() {
		for _, ac := range a.Actions {
			if ac.Id == r.PathValue("action") {
				act = ac
			}
		}
	}
	if act == nil || act.Integration == nil {
		s.mu.Unlock()
		notFound(w, "action")
		return
	}
	ch := s.channels[p.ChannelId]
	user := s.users[uid]
	req := model.PostActionIntegrationRequest{UserId: uid, UserName: user.Username, ChannelId: ch.Id, ChannelName: ch.Name,
		TeamId: ch.TeamId, PostId: p.Id, TriggerId: s.newTrigger(uid), Type: act.Type, Context: act.Integration.Context}
	if tm := s.teams[ch.TeamId]; tm != nil {
		req.TeamName = tm.Name
	}
	target := act.Integration.URL
	s.mu.Unlock()

	body, _ := json.Marshal(req)
	hreq, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, target, bytes.NewReader(body))
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	resp, err := s.HTTPClient.Do(hreq)
	if err != nil {
		appError(w, http.StatusBadRequest, "api.post.do_action.action_integration.app_error", "Action integration error.")
		return
	}
	defer resp.Body.Close()
	s.mu.Lock()
	s.lastAction = resp.StatusCode
	s.mu.Unlock()
	if resp.StatusCode != http.StatusOK {
		appError(w, http.StatusBadRequest, "api.post.do_action.action_integration.app_error", "Action integration error.")
		return
	}
	var out model.PostActionIntegrationResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil && !errors.Is(err, io.EOF) {
		appError(w, http.StatusBadRequest, "api.post.do_action.action_integration.app_error", "Action integration error.")
		return
	}
	s.mu.Lock()
	if out.Update != nil {
		if q, ok := s.posts[p.Id]; ok {
			q = clonePost(q)
			q.Message = out.Update.Message
			q.SetProps(out.Update.GetProps())
			q.EditAt = s.millis()
			q.UpdateAt = q.EditAt
			s.posts[p.Id] = q
		}
	}
	if out.EphemeralText != "" {
		s.ephemeralPost(uid, p.UserId, &model.Post{ChannelId: p.ChannelId, RootId: p.RootId, Message: out.EphemeralText})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, model.PostActionAPIResponse{Status: "OK", TriggerId: req.TriggerId})
}

func (s *Server) openDialog(w http.ResponseWriter, r *http.Request, uid string) {
	var req model.OpenDialogRequest
	if !decode(w, r, &req) {
		return
	}
	if err := req.IsValid(); err != nil {
		appError(w, http.StatusBadRequest, "app.open_interactive_dialog.invalid", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tr, ok := s.triggers[req.TriggerId]
	if !ok || time.Since(tr.at) > TriggerTimeout {
		appError(w, http.StatusBadRequest, "interactive_message.decode_trigger_id.expired", "Trigger ID for interactive dialog is expired.")
		return
	}
	delete(s.triggers, req.TriggerId)
	s.dialogs[tr.user] = &req
	ev := model.NewWebSocketEvent(model.WebsocketEventOpenDialog, "", "", tr.user, nil, "")
	js, _ := json.Marshal(req)
	ev = ev.SetData(map[string]any{"dialog": string(js)})
	s.sendTo(ev, func(u string) bool { return u == tr.user })
	writeJSON(w, http.StatusOK, map[string]string{"status": "OK"})
}

func (s *Server) submitDialog(w http.ResponseWriter, r *http.Request, uid string) {
	var req model.SubmitDialogRequest
	if !decode(w, r, &req) {
		return
	}
	s.mu.Lock()
	d, ok := s.dialogs[uid]
	s.mu.Unlock()
	if !ok {
		appError(w, http.StatusBadRequest, "api.dialog.submit.no_dialog", "No dialog is open.")
		return
	}
	req.UserId = uid
	req.URL = ""
	req.CallbackId = d.Dialog.CallbackId
	req.State = d.Dialog.State
	req.Type = "dialog_submission"
	body, _ := json.Marshal(req)
	hreq, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, d.URL, bytes.NewReader(body))
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := s.HTTPClient.Do(hreq)
	if err != nil {
		appError(w, http.StatusInternalServerError, "api.dialog.submit.failed", "The dialog's integration failed.")
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		appError(w, http.StatusInternalServerError, "api.dialog.submit.failed", "The dialog's integration returned "+resp.Status)
		return
	}
	var out model.SubmitDialogResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil && !errors.Is(err, io.EOF) {
		appError(w, http.StatusInternalServerError, "api.dialog.submit.failed", "The dialog's integration answered invalid JSON.")
		return
	}
	if err := out.IsValid(); err != nil {
		appError(w, http.StatusInternalServerError, "api.dialog.submit.failed", err.Error())
		return
	}
	if out.Error == "" && len(out.Errors) == 0 {
		s.mu.Lock()
		delete(s.dialogs, uid)
		s.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, &out)
}

// ---- websocket ----

type wsConn struct {
	user string
	conn *websocket.Conn
	out  chan []byte
	seq  int64
	done chan struct{}
	once sync.Once
}

func (c *wsConn) close() {
	c.once.Do(func() {
		close(c.done)
		c.conn.Close()
	})
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) websocket(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	refused := s.refuseWS
	s.mu.Unlock()
	if refused {
		appError(w, http.StatusServiceUnavailable, "api.web_socket.connect.upgrade.app_error", "Failed to upgrade websocket connection.")
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &wsConn{conn: conn, out: make(chan []byte, 256), done: make(chan struct{})}
	// The client authenticates with its first message.
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var req model.WebSocketRequest
	if err := conn.ReadJSON(&req); err != nil || req.Action != string(model.WebsocketAuthenticationChallenge) {
		conn.Close()
		return
	}
	tok, _ := req.Data["token"].(string)
	s.mu.Lock()
	uid, ok := s.tokens[tok]
	s.mu.Unlock()
	if !ok {
		conn.WriteJSON(model.NewWebSocketError(req.Seq, model.NewAppError("mmtest", "api.web_socket_router.not_authenticated.app_error", nil, "", http.StatusUnauthorized)))
		conn.Close()
		return
	}
	conn.SetReadDeadline(time.Time{})
	c.user = uid
	conn.WriteJSON(model.NewWebSocketResponse(model.StatusOk, req.Seq, nil))
	go c.writer()
	s.mu.Lock()
	if s.refuseWS {
		s.mu.Unlock()
		c.close()
		return
	}
	s.conns[c] = true
	hello := model.NewWebSocketEvent(model.WebsocketEventHello, "", "", uid, nil, "")
	hello = hello.SetData(map[string]any{"server_version": "10.11.0.mmtest", "connection_id": model.NewId()})
	s.sendLocked(c, hello)
	for _, ch := range s.wsWaiters {
		close(ch)
	}
	s.wsWaiters = nil
	s.mu.Unlock()
	// Read until the client goes away; requests are acknowledged.
	for {
		var rq model.WebSocketRequest
		if err := conn.ReadJSON(&rq); err != nil {
			break
		}
		resp := model.NewWebSocketResponse(model.StatusOk, rq.Seq, nil)
		b, _ := resp.ToJSON()
		select {
		case c.out <- b:
		case <-c.done:
		}
	}
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.close()
}

func (c *wsConn) writer() {
	for {
		select {
		case b := <-c.out:
			c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := c.conn.WriteMessage(websocket.TextMessage, b); err != nil {
				c.close()
				return
			}
		case <-c.done:
			return
		}
	}
}

// sendLocked queues an event to one connection; s.mu held.
func (s *Server) sendLocked(c *wsConn, ev *model.WebSocketEvent) {
	c.seq++
	b, err := ev.SetSequence(c.seq).ToJSON()
	if err != nil {
		return
	}
	select {
	case c.out <- b:
	case <-c.done:
	default:
		s.t.Logf("mmtest: websocket queue full for %s; dropping connection", c.user)
		c.close()
	}
}

// sendTo sends an event to the connections of the users who pass; s.mu
// held.
func (s *Server) sendTo(ev *model.WebSocketEvent, who func(user string) bool) {
	for c := range s.conns {
		if who(c.user) {
			s.sendLocked(c, ev.Copy())
		}
	}
}

// broadcastPost sends posted/post_edited to the channel's members; s.mu
// held.
func (s *Server) broadcastPost(kind model.WebsocketEventType, p *model.Post) {
	ch := s.channels[p.ChannelId]
	js, _ := json.Marshal(forClient(p))
	ev := model.NewWebSocketEvent(kind, ch.TeamId, ch.Id, "", nil, "")
	data := map[string]any{"post": string(js)}
	if kind == model.WebsocketEventPosted {
		data["channel_type"] = string(ch.Type)
		data["channel_name"] = ch.Name
		data["channel_display_name"] = ch.DisplayName
		data["team_id"] = ch.TeamId
		data["set_online"] = true
		if u := s.users[p.UserId]; u != nil {
			data["sender_name"] = "@" + u.Username
		}
		var mentioned []string
		for id := range s.members[ch.Id] {
			if u := s.users[id]; u != nil && id != p.UserId && mentions(p.Message, u.Username) {
				mentioned = append(mentioned, id)
			}
		}
		if len(mentioned) > 0 {
			sort.Strings(mentioned)
			mj, _ := json.Marshal(mentioned)
			data["mentions"] = string(mj)
		}
	}
	ev = ev.SetData(data)
	members := s.members[ch.Id]
	s.sendTo(ev, func(u string) bool { return members[u] })
}

// mentions reports whether text @-mentions username.
func mentions(text, username string) bool {
	t := strings.ToLower(text)
	name := "@" + strings.ToLower(username)
	for i := 0; ; {
		j := strings.Index(t[i:], name)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(name)
		before := j == 0 || !isNameChar(t[j-1])
		after := end == len(t) || !isNameChar(t[end]) || t[end] == '.' && (end+1 == len(t) || !isNameChar(t[end+1]))
		if before && after {
			return true
		}
		i = end
	}
}

func isNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// WebSockets returns how many authenticated websocket connections a user
// has open.
func (s *Server) WebSockets(userID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c := range s.conns {
		if c.user == userID {
			n++
		}
	}
	return n
}

// WaitWebSocket blocks until userID has an authenticated websocket (or ctx
// ends).
func (s *Server) WaitWebSocket(ctx context.Context, userID string) error {
	for {
		s.mu.Lock()
		for c := range s.conns {
			if c.user == userID {
				s.mu.Unlock()
				return nil
			}
		}
		ch := make(chan struct{})
		s.wsWaiters = append(s.wsWaiters, ch)
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// DropWebSockets closes every websocket connection abruptly, as a network
// failure or a server restart would.
func (s *Server) DropWebSockets() {
	s.mu.Lock()
	cs := make([]*wsConn, 0, len(s.conns))
	for c := range s.conns {
		cs = append(cs, c)
	}
	s.conns = map[*wsConn]bool{}
	s.mu.Unlock()
	for _, c := range cs {
		c.close()
	}
}

// RefuseWebSockets makes new websocket connections fail (503) until
// called with false.
func (s *Server) RefuseWebSockets(refuse bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseWS = refuse
}
