package teamstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The Bot Connector's REST side: a client-credentials token endpoint,
// and conversations the bot posts to, replies in, updates and reads
// members of. Rules copied from the Bot Framework REST reference:
//   - every call needs the bearer token the token endpoint issued for the
//     bot's app id and secret (401 otherwise);
//   - POST …/activities answers 201 with {"id"}; a reply names the
//     activity it answers in the URL (replyToId);
//   - PUT …/activities/{id} replaces a message the bot posted; an unknown
//     id is 404;
//   - GET …/members/{id} answers the Teams channel account (email,
//     userPrincipalName, aadObjectId); an unknown member is 404;
//   - an activity over 40 KB is refused with 413 (Teams' message size
//     limit is about 28 KB of text; the status is inferred).

// Secret is the bot's client secret the token endpoint accepts.
const Secret = "itbot-teams-test-secret"

// Posted is a message the bot posted.
type Posted struct {
	Conversation, ID, ReplyTo, Text string
	// Card is the Adaptive Card attached, as JSON ("" for none).
	Card string
	// Consent is a file consent card's file name and accept context;
	// FileInfo the name of a file info card.
	Consent, ConsentFile, FileInfo string
	Updated                        int
}

// All returns what a reader sees: the text and the card.
func (p Posted) All() string { return p.Text + " " + p.Card }

type connectorState struct {
	mu      sync.Mutex
	sent    map[string][]time.Time // conversation -> recent sends (rate limit)
	drive   map[string][]byte      // OneDrive uploads by id
	limited int
	tokens  map[string]bool
	members map[string]map[string]any // member id -> account
	posted  []*Posted
	byID    map[string]*Posted
	seq     int
}

func (s *Server) connector(mux *http.ServeMux) {
	st := &s.conn
	st.tokens, st.members, st.byID, st.sent = map[string]bool{}, map[string]map[string]any{}, map[string]*Posted{}, map[string][]time.Time{}
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_id") != AppID || r.PostForm.Get("client_secret") != Secret ||
			r.PostForm.Get("scope") != "https://api.botframework.com/.default" {
			w.WriteHeader(http.StatusUnauthorized)
			writeJSON(w, map[string]any{"error": "invalid_client"})
			return
		}
		st.mu.Lock()
		st.seq++
		tok := fmt.Sprintf("bf-token-%d", st.seq)
		st.tokens[tok] = true
		st.mu.Unlock()
		writeJSON(w, map[string]any{"token_type": "Bearer", "expires_in": 3599, "access_token": tok})
	})
	auth := func(w http.ResponseWriter, r *http.Request) bool {
		st.mu.Lock()
		ok := st.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		st.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			writeJSON(w, map[string]any{"error": map[string]string{"code": "Unauthorized", "message": "Authorization has been denied for this request."}})
		}
		return ok
	}
	post := func(w http.ResponseWriter, r *http.Request) {
		if !auth(w, r) {
			return
		}
		raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if len(raw) > 40<<10 {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		m, card, ok := readMessage(w, raw)
		if !ok {
			return
		}
		if s.limit(w, r.PathValue("conv")) {
			return
		}
		st.mu.Lock()
		st.seq++
		p := &Posted{Conversation: r.PathValue("conv"), ID: fmt.Sprintf("1%012d", st.seq), ReplyTo: r.PathValue("reply"), Text: m.Text, Card: card}
		for _, a := range m.Attachments {
			switch a.ContentType {
			case "application/vnd.microsoft.teams.card.file.consent":
				// File consent cards are for personal chats only ("Send and
				// receive files using a bot"): elsewhere refused (the
				// status is inferred).
				if !strings.HasPrefix(p.Conversation, "a:") {
					st.mu.Unlock()
					w.WriteHeader(http.StatusBadRequest)
					return
				}
				var c struct {
					Accept map[string]string `json:"acceptContext"`
				}
				json.Unmarshal(a.Content, &c)
				p.ConsentFile, p.Consent = a.Name, c.Accept["file"]
			case "application/vnd.microsoft.teams.card.file.info":
				p.FileInfo = a.Name
			}
		}
		st.posted = append(st.posted, p)
		st.byID[p.ID] = p
		st.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		writeJSON(w, map[string]string{"id": p.ID})
	}
	st.drive = map[string][]byte{}
	// A OneDrive upload URL: pre-authenticated (no Authorization header),
	// the file PUT with Content-Range (OneDrive upload sessions).
	mux.HandleFunc("PUT /onedrive/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" || !strings.HasPrefix(r.Header.Get("Content-Range"), "bytes 0-") {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
		st.mu.Lock()
		st.drive[r.PathValue("id")] = b
		st.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("POST /v3/conversations/{conv}/activities", post)
	mux.HandleFunc("POST /v3/conversations/{conv}/activities/{reply}", post)
	mux.HandleFunc("PUT /v3/conversations/{conv}/activities/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !auth(w, r) {
			return
		}
		raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		m, card, ok := readMessage(w, raw)
		if !ok {
			return
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		p, ok := st.byID[r.PathValue("id")]
		if !ok || p.Conversation != r.PathValue("conv") {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		p.Text, p.Card, p.Updated = m.Text, card, p.Updated+1
		writeJSON(w, map[string]string{"id": p.ID})
	})
	mux.HandleFunc("GET /v3/conversations/{conv}/members/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !auth(w, r) {
			return
		}
		st.mu.Lock()
		m, ok := st.members[r.PathValue("id")]
		st.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			writeJSON(w, map[string]any{"error": map[string]string{"code": "MemberNotFoundInConversation", "message": "The member was not found."}})
			return
		}
		writeJSON(w, m)
	})
	mux.HandleFunc("POST /v3/conversations", func(w http.ResponseWriter, r *http.Request) {
		if !auth(w, r) {
			return
		}
		var in struct {
			Members []struct{ ID string } `json:"members"`
		}
		if json.NewDecoder(r.Body).Decode(&in) != nil || len(in.Members) != 1 {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
		writeJSON(w, map[string]string{"id": "a:personal-" + in.Members[0].ID})
	})
}

// TokenURL is the emulator's token endpoint.
func (s *Server) TokenURL() string { return s.srv.URL + "/token" }

// AddMember makes a Teams user known: its channel account id, Entra
// object id and sign-in address.
func (s *Server) AddMember(id, aadObjectID, upn, name string) {
	s.conn.mu.Lock()
	defer s.conn.mu.Unlock()
	s.conn.members[id] = map[string]any{"id": id, "name": name, "aadObjectId": aadObjectID, "email": upn, "userPrincipalName": upn, "tenantId": TenantID}
}

// Posted returns what the bot posted, in order.
func (s *Server) Posted() []Posted {
	s.conn.mu.Lock()
	defer s.conn.mu.Unlock()
	out := make([]Posted, len(s.conn.posted))
	for i, p := range s.conn.posted {
		out[i] = *p
	}
	return out
}

// Message is a user's message activity to the bot.
type Message struct {
	ID, Conversation, From, FromAAD, Text, Tenant, ConversationType string
}

// Activity builds the JSON of m as the Connector sends it.
func (s *Server) Activity(m Message) []byte {
	if m.Tenant == "" {
		m.Tenant = TenantID
	}
	if m.ConversationType == "" {
		m.ConversationType = "personal"
	}
	b, _ := json.Marshal(map[string]any{"type": "message", "id": m.ID, "channelId": "msteams", "serviceUrl": s.URL(), "text": m.Text, "textFormat": "plain",
		"from": map[string]string{"id": m.From, "aadObjectId": m.FromAAD}, "recipient": map[string]string{"id": "28:" + AppID},
		"conversation": map[string]string{"id": m.Conversation, "conversationType": m.ConversationType, "tenantId": m.Tenant},
		"channelData":  map[string]any{"tenant": map[string]string{"id": m.Tenant}}})
	return b
}

// Deliver POSTs a signed activity to the bot's endpoint and returns the
// status answered.
func (s *Server) Deliver(endpoint string, body []byte, auth string) int {
	req, _ := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// maxCard is the largest Adaptive Card Teams shows: a message with its
// attachments is limited to about 28 KB ("Format cards in Teams": card
// size); over it the Connector answers 413 (the status is inferred).
const maxCard = 28 << 10

type inMessage struct {
	Type, Text  string
	Attachments []struct {
		ContentType string          `json:"contentType"`
		Name        string          `json:"name"`
		Content     json.RawMessage `json:"content"`
	} `json:"attachments"`
}

// readMessage reads a message activity the bot sends: type message, text
// or an Adaptive Card attachment (version and type checked).
func readMessage(w http.ResponseWriter, raw []byte) (inMessage, string, bool) {
	var m inMessage
	if json.Unmarshal(raw, &m) != nil || m.Type != "message" {
		w.WriteHeader(http.StatusBadRequest)
		return m, "", false
	}
	if len(raw) > maxCard {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		return m, "", false
	}
	card := ""
	for _, a := range m.Attachments {
		if a.ContentType == "application/vnd.microsoft.teams.card.file.consent" || a.ContentType == "application/vnd.microsoft.teams.card.file.info" {
			continue // read by the post handler
		}
		var c struct {
			Type, Version string
		}
		if a.ContentType != "application/vnd.microsoft.card.adaptive" || json.Unmarshal(a.Content, &c) != nil || c.Type != "AdaptiveCard" || c.Version == "" {
			w.WriteHeader(http.StatusBadRequest)
			return m, "", false
		}
		card += string(a.Content)
	}
	if m.Text == "" && card == "" && len(m.Attachments) == 0 {
		w.WriteHeader(http.StatusBadRequest)
		return m, "", false
	}
	return m, card, true
}

// Invoke builds the JSON of a card click (Action.Execute, Universal
// Actions): the activity Teams sends as invoke "adaptiveCard/action",
// the card's inputs merged into the action's data.
func (s *Server) Invoke(m Message, command, reason string) []byte {
	data := map[string]string{"command": command}
	if reason != "" {
		data["reason"] = reason
	}
	b, _ := json.Marshal(map[string]any{"type": "invoke", "name": "adaptiveCard/action", "id": m.ID, "channelId": "msteams", "serviceUrl": s.URL(),
		"from": map[string]string{"id": m.From, "aadObjectId": m.FromAAD}, "recipient": map[string]string{"id": "28:" + AppID},
		"conversation": map[string]string{"id": m.Conversation, "conversationType": "personal", "tenantId": TenantID},
		"channelData":  map[string]any{"tenant": map[string]string{"id": TenantID}},
		"value":        map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "itbot.command", "data": data}}})
	return b
}

// DeliverInvoke POSTs a signed invoke and returns the status and the
// invoke response's body.
func (s *Server) DeliverInvoke(endpoint string, body []byte) (int, map[string]any) {
	req, _ := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", s.Sign(s.URL(), Token{}))
	// Teams stops waiting for an invoke's answer after about 15 seconds
	// and shows the person an error (the Bot Framework's invoke timeout;
	// the exact figure is inferred): a later answer is lost.
	res, err := (&http.Client{Timeout: InvokeTimeout}).Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// RateLimit is the per-conversation limit on a bot's sends: 7 in any one
// second ("Optimize your bot: rate limiting and best practices in
// Teams", per bot per thread: 7 operations per 1 second); over it the
// Connector answers 429 with Retry-After.
const RateLimit = 7

// limit answers 429 when a conversation is over the rate limit.
func (s *Server) limit(w http.ResponseWriter, conv string) bool {
	now := s.clock()
	st := &s.conn
	st.mu.Lock()
	defer st.mu.Unlock()
	recent := st.sent[conv][:0]
	for _, t := range st.sent[conv] {
		if now.Sub(t) < time.Second {
			recent = append(recent, t)
		}
	}
	if len(recent) >= RateLimit {
		st.sent[conv] = recent
		st.limited++
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		writeJSON(w, map[string]any{"error": map[string]string{"code": "TooManyRequests", "message": "Too many requests to this conversation."}})
		return true
	}
	st.sent[conv] = append(recent, now)
	return false
}

// Limited reports how many sends were answered 429.
func (s *Server) Limited() int {
	s.conn.mu.Lock()
	defer s.conn.mu.Unlock()
	return s.conn.limited
}

// AcceptFile is the person's click on Allow of a file consent card: the
// invoke "fileConsent/invoke" with an upload URL to their OneDrive (here:
// the emulator's, which keeps what is PUT).
func (s *Server) AcceptFile(m Message, p Posted) []byte {
	b, _ := json.Marshal(map[string]any{"type": "invoke", "name": "fileConsent/invoke", "id": m.ID, "channelId": "msteams", "serviceUrl": s.URL(),
		"from": map[string]string{"id": m.From, "aadObjectId": m.FromAAD}, "recipient": map[string]string{"id": "28:" + AppID},
		"conversation": map[string]string{"id": p.Conversation, "conversationType": "personal", "tenantId": TenantID},
		"channelData":  map[string]any{"tenant": map[string]string{"id": TenantID}},
		"value": map[string]any{"type": "fileUpload", "action": "accept", "context": map[string]string{"file": p.Consent},
			"uploadInfo": map[string]string{"name": p.ConsentFile, "uploadUrl": s.srv.URL + "/onedrive/" + p.Consent, "contentUrl": s.srv.URL + "/files/" + p.ConsentFile,
				"uniqueId": p.Consent, "fileType": "csv"}}})
	return b
}

// Uploaded returns what was PUT to a OneDrive upload URL.
func (s *Server) Uploaded(id string) []byte {
	s.conn.mu.Lock()
	defer s.conn.mu.Unlock()
	return s.conn.drive[id]
}

// InvokeTimeout is how long Teams waits for an invoke's answer.
const InvokeTimeout = 15 * time.Second
