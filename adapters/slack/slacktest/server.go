// Package slacktest is a local Slack for tests and for the load tool: an
// httptest server that speaks the Slack Web API methods itbot calls
// (auth.test, users.info, conversations.open, chat.postMessage,
// chat.update, chat.postEphemeral, views.open, the two-step file upload,
// apps.connections.open), the response_url endpoints, and Socket Mode's
// websocket, with the real JSON shapes, form encodings, token checks and
// failures: {"ok":false,"error":…}, 429 with Retry-After, 5xx with an
// HTML body. It records what it was sent so tests can assert on it, and
// it builds and signs the requests Slack itself would send to an app
// (slash commands, interactions, Events API callbacks).
//
// slack-go's own slacktest package covers an older subset (no chat.update,
// views, uploads or throttling), hence this one.
package slacktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Default tokens the server accepts.
const (
	BotToken = "xoxb-test-bot-token"
	AppToken = "xapp-1-test-app-token"
	// BotUserID and BotID are the app's own bot user.
	BotUserID = "UBOT000001"
	BotID     = "BBOT000001"
	TeamID    = "T0VARAM01"
	AppID     = "A0ITBOT001"
)

// User is a workspace member as users.info returns it.
type User struct {
	ID       string
	Name     string
	RealName string
	Email    string // empty: the profile shows no e-mail
	IsBot    bool
	Deleted  bool
}

// Call is one Web API call the server received.
type Call struct {
	Method string
	Form   url.Values      // form-encoded calls
	JSON   json.RawMessage // JSON calls (views.open, response_url)
	Status int             // HTTP status answered
	Error  string          // the "error" of an ok:false answer
	At     time.Time
}

// Message is a message the app posted, with its edits.
type Message struct {
	Channel   string
	TS        string
	ThreadTS  string
	Text      string
	Blocks    json.RawMessage
	Ephemeral bool   // chat.postEphemeral
	User      string // the ephemeral message's reader, or a person's message's author
	Human     bool   // written by a person (AddMessage), not posted by the app
	// Edits holds the blocks of every chat.update, oldest first.
	Edits []json.RawMessage
	// EditTexts holds the text of every chat.update.
	EditTexts []string
}

// Response is one post to a response_url.
type Response struct {
	ID   string
	Body json.RawMessage
	// Decoded fields.
	Text            string          `json:"text"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	Blocks          json.RawMessage `json:"blocks"`
}

// Upload is a file uploaded with the two-step upload.
type Upload struct {
	ID       string
	Name     string
	Length   int
	Data     []byte
	Channel  string
	ThreadTS string
	Title    string
	Comment  string
	Complete bool
}

// Fault is an injected failure for the next calls of a method.
type Fault struct {
	Status     int           // 429 or 5xx
	RetryAfter time.Duration // for 429
	Error      string        // for 200 {"ok":false,"error":Error}
}

// Server is a local Slack.
type Server struct {
	*httptest.Server
	// Quiet keeps counts only, for load runs.
	Quiet bool

	mu         sync.Mutex
	users      map[string]User
	calls      []Call
	counts     map[string]int
	msgs       []*Message
	byTS       map[string]*Message // channel/ts
	responses  []Response
	views      []json.RawMessage
	uploads    map[string]*Upload
	faults     map[string][]Fault
	closed     map[string]bool // channels the bot cannot post to
	seq        int64
	respSeq    int
	changed    chan struct{}
	socket     *socketHub
	tokenBot   string
	tokenApp   string
	pingPeriod time.Duration
	scopes     string
}

// New starts a local Slack on a loopback port. Close it when done.
func New() *Server { return NewOn(nil) }

// NewOn starts a local Slack on ln (nil: a free loopback port).
func NewOn(ln net.Listener) *Server {
	s := &Server{
		users: map[string]User{}, counts: map[string]int{}, byTS: map[string]*Message{},
		uploads: map[string]*Upload{}, faults: map[string][]Fault{}, closed: map[string]bool{},
		changed: make(chan struct{}), tokenBot: BotToken, tokenApp: AppToken, seq: 0,
		pingPeriod: 5 * time.Second,
		scopes:     "app_mentions:read,chat:write,chat:write.public,commands,files:write,im:history,im:read,im:write,users:read,users:read.email",
	}
	s.socket = newSocketHub(s)
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.api)
	mux.HandleFunc("POST /upload/{id}", s.upload)
	mux.HandleFunc("POST /response/{id}", s.response)
	mux.HandleFunc("GET /ws", s.socket.serve)
	s.Server = httptest.NewUnstartedServer(mux)
	if ln != nil {
		s.Server.Listener.Close()
		s.Server.Listener = ln
	}
	s.Server.Start()
	return s
}

// Close stops the server and its websocket connections.
func (s *Server) Close() {
	s.socket.close()
	s.Server.Close()
}

// APIURL is the Web API base URL for slack.OptionAPIURL.
func (s *Server) APIURL() string { return s.URL + "/api/" }

// AddUser adds a workspace member.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.Name == "" {
		u.Name = strings.ToLower(u.ID)
	}
	s.users[u.ID] = u
}

// AddMessage records a message a person wrote (say, the one an
// app_mention event is about), so the app can answer in its thread.
func (s *Server) AddMessage(channel, ts, user, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &Message{Channel: channel, TS: ts, Text: text, User: user, Human: true}
	s.msgs = append(s.msgs, m)
	s.byTS[channel+"/"+ts] = m
}

// SetScopes sets the scopes the bot token has (the X-OAuth-Scopes header
// of every answer), comma-separated.
func (s *Server) SetScopes(scopes string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopes = scopes
}

// CloseChannel makes chat.postMessage to ch answer not_in_channel, as for
// a private channel the bot is not a member of.
func (s *Server) CloseChannel(ch string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed[ch] = true
}

// Inject queues faults for the next calls of method (e.g.
// "chat.postMessage"), in order.
func (s *Server) Inject(method string, fs ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], fs...)
}

// ResponseURL mints a response_url that the server accepts.
func (s *Server) ResponseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.respSeq++
	return fmt.Sprintf("%s/response/R%06d", s.URL, s.respSeq)
}

// Calls returns the calls of one method ("" for all), oldest first.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Count returns how many calls of method were answered ok (status 200 and
// ok:true); it is kept in Quiet mode too.
func (s *Server) Count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[method]
}

// Messages returns copies of the messages posted to channel ("" for all),
// oldest first.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.msgs {
		if channel == "" || m.Channel == channel {
			c := *m
			c.Edits = append([]json.RawMessage(nil), m.Edits...)
			c.EditTexts = append([]string(nil), m.EditTexts...)
			out = append(out, c)
		}
	}
	return out
}

// Message returns the message at channel/ts.
func (s *Server) Message(channel, ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.byTS[channel+"/"+ts]
	if !ok {
		return Message{}, false
	}
	c := *m
	c.Edits = append([]json.RawMessage(nil), m.Edits...)
	c.EditTexts = append([]string(nil), m.EditTexts...)
	return c, true
}

// Responses returns the posts to response_urls, oldest first.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Response(nil), s.responses...)
}

// Views returns the views opened with views.open.
func (s *Server) Views() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]json.RawMessage(nil), s.views...)
}

// Uploads returns the completed uploads, by file id order.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.uploads))
	for id := range s.uploads {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []Upload
	for _, id := range ids {
		out = append(out, *s.uploads[id])
	}
	return out
}

// Changed returns a channel closed at the next recorded change; tests wait
// on it instead of sleeping.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// notify wakes the waiters; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// WaitFor polls cond after every change until it holds or timeout passes,
// and reports whether it held.
func (s *Server) WaitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		ch := s.Changed()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return cond()
		}
	}
}

func (s *Server) nextTS() string {
	s.seq++
	return fmt.Sprintf("1790000000.%06d", s.seq)
}

type answer map[string]any

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// api serves /api/{method}.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	call := Call{Method: method, At: time.Now()}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		call.JSON = body
	} else if s.Quiet {
		call.Form = lightForm(body)
	} else {
		call.Form, _ = url.ParseQuery(string(body))
		if r.URL.RawQuery != "" {
			q, _ := url.ParseQuery(r.URL.RawQuery)
			for k, v := range q {
				call.Form[k] = v
			}
		}
	}
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if call.Form != nil && call.Form.Get("token") != "" {
		token = call.Form.Get("token")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if method != "apps.connections.open" {
		w.Header().Set("X-OAuth-Scopes", s.scopes)
	}
	record := func(status int, errCode string) {
		call.Status, call.Error = status, errCode
		if status == http.StatusOK && errCode == "" {
			s.counts[method]++
		}
		if !s.Quiet {
			s.calls = append(s.calls, call)
		}
		s.notify()
	}
	if fs := s.faults[method]; len(fs) > 0 {
		f := fs[0]
		s.faults[method] = fs[1:]
		switch {
		case f.Status == http.StatusTooManyRequests:
			secs := int((f.RetryAfter + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			record(f.Status, "ratelimited")
			writeJSON(w, f.Status, answer{"ok": false, "error": "ratelimited"})
		case f.Status >= 500:
			record(f.Status, "")
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(f.Status)
			io.WriteString(w, "<html><body>Slack is having trouble</body></html>")
		default:
			record(http.StatusOK, f.Error)
			writeJSON(w, http.StatusOK, answer{"ok": false, "error": f.Error})
		}
		return
	}
	want := s.tokenBot
	if method == "apps.connections.open" {
		want = s.tokenApp
	}
	if token == "" {
		record(http.StatusOK, "not_authed")
		writeJSON(w, http.StatusOK, answer{"ok": false, "error": "not_authed"})
		return
	}
	if token != want {
		record(http.StatusOK, "invalid_auth")
		writeJSON(w, http.StatusOK, answer{"ok": false, "error": "invalid_auth"})
		return
	}
	res, errCode := s.handle(method, call)
	if errCode != "" {
		record(http.StatusOK, errCode)
		writeJSON(w, http.StatusOK, answer{"ok": false, "error": errCode})
		return
	}
	res["ok"] = true
	record(http.StatusOK, "")
	writeJSON(w, http.StatusOK, res)
}

// handle runs one method; s.mu is held.
func (s *Server) handle(method string, c Call) (answer, string) {
	f := c.Form
	switch method {
	case "auth.test":
		return answer{"url": "https://varam-it.slack.com/", "team": "VARAM IT", "user": "itbot",
			"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID}, ""
	case "bots.info":
		// bots.info (docs.slack.dev/reference/methods/bots.info): the bot
		// with its app_id and user_id; an unknown bot is bot_not_found.
		if f.Get("bot") != BotID {
			return nil, "bot_not_found"
		}
		return answer{"bot": answer{"id": BotID, "deleted": false, "name": "itbot", "app_id": AppID, "user_id": BotUserID}}, ""
	case "users.info":
		u, ok := s.users[f.Get("user")]
		if !ok {
			return nil, "user_not_found"
		}
		profile := answer{"real_name": u.RealName, "display_name": u.Name}
		if u.Email != "" {
			profile["email"] = u.Email
		}
		return answer{"user": answer{"id": u.ID, "team_id": TeamID, "name": u.Name, "real_name": u.RealName,
			"deleted": u.Deleted, "is_bot": u.IsBot, "locale": "lv-LV", "tz": "Europe/Riga", "profile": profile}}, ""
	case "conversations.open":
		users := f.Get("users")
		if users == "" || strings.Contains(users, ",") {
			return nil, "invalid_arguments"
		}
		if _, ok := s.users[users]; !ok {
			return nil, "user_not_found"
		}
		return answer{"channel": answer{"id": "D" + users}, "no_op": true, "already_open": true}, ""
	case "chat.postMessage":
		ch := f.Get("channel")
		if ch == "" {
			return nil, "channel_not_found"
		}
		if s.closed[ch] {
			return nil, "not_in_channel"
		}
		if f.Get("text") == "" && f.Get("blocks") == "" {
			return nil, "no_text"
		}
		if th := f.Get("thread_ts"); th != "" {
			if _, ok := s.byTS[ch+"/"+th]; !ok && !s.Quiet {
				return nil, "thread_not_found"
			}
		}
		ts := s.nextTS()
		s.store(&Message{Channel: ch, TS: ts, ThreadTS: f.Get("thread_ts"), Text: f.Get("text"), Blocks: raw(f.Get("blocks"))})
		msg := answer{"type": "message", "text": f.Get("text"), "user": BotUserID, "bot_id": BotID, "ts": ts}
		if th := f.Get("thread_ts"); th != "" {
			msg["thread_ts"] = th
		}
		return answer{"channel": ch, "ts": ts, "message": msg}, ""
	case "chat.postEphemeral":
		ch, user := f.Get("channel"), f.Get("user")
		if ch == "" {
			return nil, "channel_not_found"
		}
		if user == "" {
			return nil, "user_not_found"
		}
		if s.closed[ch] {
			return nil, "not_in_channel"
		}
		ts := s.nextTS()
		s.store(&Message{Channel: ch, TS: ts, ThreadTS: f.Get("thread_ts"), Text: f.Get("text"), Blocks: raw(f.Get("blocks")), Ephemeral: true, User: user})
		return answer{"message_ts": ts}, ""
	case "chat.update":
		ch, ts := f.Get("channel"), f.Get("ts")
		m, ok := s.byTS[ch+"/"+ts]
		if !ok && !s.Quiet {
			return nil, "message_not_found"
		}
		if ok {
			m.Edits = append(m.Edits, raw(f.Get("blocks")))
			m.EditTexts = append(m.EditTexts, f.Get("text"))
		}
		return answer{"channel": ch, "ts": ts, "text": f.Get("text")}, ""
	case "views.open":
		var req struct {
			TriggerID string          `json:"trigger_id"`
			View      json.RawMessage `json:"view"`
		}
		if err := json.Unmarshal(c.JSON, &req); err != nil || len(req.View) == 0 {
			return nil, "invalid_arguments"
		}
		if req.TriggerID == "" {
			return nil, "invalid_trigger_id"
		}
		s.views = append(s.views, req.View)
		var v map[string]any
		json.Unmarshal(req.View, &v)
		v["id"] = fmt.Sprintf("V%06d", len(s.views))
		v["team_id"] = TeamID
		return answer{"view": v}, ""
	case "files.getUploadURLExternal":
		n, err := strconv.Atoi(f.Get("length"))
		if err != nil || n <= 0 || f.Get("filename") == "" {
			return nil, "invalid_arguments"
		}
		id := fmt.Sprintf("F%06d", len(s.uploads)+1)
		s.uploads[id] = &Upload{ID: id, Name: f.Get("filename"), Length: n}
		return answer{"upload_url": s.URL + "/upload/" + id, "file_id": id}, ""
	case "files.completeUploadExternal":
		var files []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		}
		if err := json.Unmarshal([]byte(f.Get("files")), &files); err != nil || len(files) == 0 {
			return nil, "invalid_arguments"
		}
		var out []answer
		for _, fl := range files {
			u, ok := s.uploads[fl.ID]
			if !ok || u.Data == nil {
				return nil, "file_not_found"
			}
			u.Complete, u.Title, u.Channel, u.ThreadTS, u.Comment = true, fl.Title, f.Get("channel_id"), f.Get("thread_ts"), f.Get("initial_comment")
			out = append(out, answer{"id": u.ID, "title": u.Title})
		}
		return answer{"files": out}, ""
	case "apps.connections.open":
		return answer{"url": "ws" + strings.TrimPrefix(s.URL, "http") + "/ws"}, ""
	}
	return nil, "unknown_method"
}

// lightForm reads only the small fields of a form body (load runs): the
// large ones (blocks, text) are marked present, not decoded.
func lightForm(body []byte) url.Values {
	v := url.Values{}
	for len(body) > 0 {
		var kv []byte
		if i := bytes.IndexByte(body, '&'); i >= 0 {
			kv, body = body[:i], body[i+1:]
		} else {
			kv, body = body, nil
		}
		k, val, _ := bytes.Cut(kv, []byte("="))
		switch key := string(k); key {
		case "blocks", "text", "attachments":
			if len(val) > 0 {
				v.Set(key, "…")
			}
		default:
			if u, err := url.QueryUnescape(string(val)); err == nil {
				v.Set(key, u)
			}
		}
	}
	return v
}

func raw(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

// store keeps a posted message; s.mu is held.
func (s *Server) store(m *Message) {
	if s.Quiet {
		return
	}
	s.msgs = append(s.msgs, m)
	s.byTS[m.Channel+"/"+m.TS] = m
}

// upload receives the file bytes of the first upload step.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := r.ParseMultipartForm(16 << 20); err != nil {
		http.Error(w, "bad multipart", http.StatusBadRequest)
		return
	}
	var data []byte
	if fhs := r.MultipartForm.File["file"]; len(fhs) > 0 {
		data = readPart(fhs[0])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.uploads[id]
	if !ok {
		http.Error(w, "no such upload", http.StatusNotFound)
		return
	}
	u.Data = data
	s.notify()
	fmt.Fprintf(w, "OK - %d", len(data))
}

func readPart(fh *multipart.FileHeader) []byte {
	f, err := fh.Open()
	if err != nil {
		return nil
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	if b == nil {
		b = []byte{}
	}
	return b
}

// response receives a post to a response_url.
func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	rsp := Response{ID: r.PathValue("id"), Body: body}
	if err := json.Unmarshal(body, &rsp); err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	rsp.ID, rsp.Body = r.PathValue("id"), body
	s.mu.Lock()
	if f := s.faults["response_url"]; len(f) > 0 {
		s.faults["response_url"] = f[1:]
		s.mu.Unlock()
		if f[0].Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(int((f[0].RetryAfter+time.Second-1)/time.Second)))
		}
		w.WriteHeader(f[0].Status)
		return
	}
	s.counts["response_url"]++
	if !s.Quiet {
		s.responses = append(s.responses, rsp)
	}
	s.notify()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, answer{"ok": true})
}
