// Package dvstest is a simulator of the itbot DVS contract
// (docs/dvs-api.yaml) over HTTP, for tests and for the sandbox: the real
// client in adapters/dvs talks to it exactly as to a DVS gateway.
//
// Its data is the sandbox's DVS model (sandbox.DVSState): organisations,
// users and roles, nightly backups, a document volume that exports count.
// On top it keeps the backups and exports started through the API, which
// advance one stage per poll, so tests see progress without waiting on
// timers.
//
// Tests switch failure modes at any time: SetDown (the DVS is in an
// outage: 503 everywhere, /health says unavailable), SetLatency (every
// answer is slow, for client timeouts), FailNext (the next calls answer a
// given status, e.g. 500 or 429 with Retry-After), FailNextBackup and
// FailNextVerification (the next backup fails, or is made but fails its
// test restore), FailNextExport. Calls records what the client sent.
//
// The simulator implements the contract independently of the client: its
// JSON types are its own, so a drift between the two shows up in tests.
package dvstest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"itbot/adapters/sandbox"
	"itbot/bot"
	"itbot/bot/seed"
)

// Prefix is the path the contract is served under: a client's base URL
// is the server's URL + Prefix.
const Prefix = "/v1"

// DefaultToken is the bearer token the simulator accepts when Options
// gives none.
const DefaultToken = "dvstest-token"

// Options configure a simulator.
type Options struct {
	// State is the DVS model; nil: a fresh one seeded with sandbox.SeedDVS.
	State *sandbox.DVSState
	// Token is the bearer token required on every call but /health;
	// default DefaultToken.
	Token string
	// Aliases maps DVS organisation ids (an institution's dvs_org_id) to
	// the model's organisations (institution codes); default: the sandbox
	// directory's (bot/seed) dvs_org_id → code. The model's own ids always
	// work.
	Aliases map[string]string
	// ExportSteps is how many polls an export takes; default 5.
	ExportSteps int
	// Log receives one line per call; default: discarded.
	Log *slog.Logger
}

// Call is one request the simulator received.
type Call struct {
	Method         string
	Path           string // without Prefix
	Status         int
	IdempotencyKey string
	Authorized     bool
}

type fault struct {
	status     int
	retryAfter time.Duration
}

type backup struct {
	ID, Scope, Status      string
	StartedAt, FinishedAt  time.Time
	SizeBytes, TargetBytes int64
	SHA256, Detail         string
	Verify, VerifyDetail   string
	VerifiedAt             time.Time
	polls                  int
	failBackup, failVerify string
}

type export struct {
	ID, Org, StateOrg string
	From, To          time.Time
	Status, Detail    string
	Done, Total       int
	SizeBytes         int64
	SHA256, Location  string
	fail              string
}

// restore is a restore job: the organisation's documents put back as a
// backup holds them.
type restore struct {
	ID, Org, StateOrg, Backup string
	Taken                     time.Time
	Status, Detail            string
	Done, Total, Documents    int
}

type replay struct {
	status int
	body   []byte
	loc    string
}

// Server is the simulator; it is an http.Handler serving the contract
// under Prefix. All methods are safe for concurrent use.
type Server struct {
	st      *sandbox.DVSState
	token   string
	aliases map[string]string
	steps   int
	log     *slog.Logger
	mux     *http.ServeMux

	mu          sync.Mutex
	calls       []Call
	faults      []fault
	latency     time.Duration
	backups     []*backup
	exports     map[string]*export
	restores    map[string]*restore
	idem        map[string]replay
	seq         int
	failBackup  []string
	failVerify  []string
	failExport  []string
	healthFails int
}

// New returns a simulator.
func New(o Options) *Server {
	s := &Server{st: o.State, token: o.Token, aliases: map[string]string{}, steps: o.ExportSteps, log: o.Log,
		exports: map[string]*export{}, restores: map[string]*restore{}, idem: map[string]replay{}}
	if s.st == nil {
		s.st = sandbox.NewDVSState()
		if err := sandbox.SeedDVS(s.st); err != nil {
			panic("dvstest: seed: " + err.Error())
		}
	}
	if s.token == "" {
		s.token = DefaultToken
	}
	if s.steps <= 0 {
		s.steps = 5
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if o.Aliases == nil {
		for _, inst := range seed.Institutions() {
			if inst.DVSOrgID != "" {
				s.aliases[strings.ToUpper(inst.DVSOrgID)] = inst.Code
			}
		}
	}
	for k, v := range o.Aliases {
		s.aliases[strings.ToUpper(k)] = v
	}
	m := http.NewServeMux()
	m.HandleFunc("GET /health", s.health)
	m.HandleFunc("GET /roles", s.roles)
	m.HandleFunc("GET /orgs/{org}/users", s.users)
	m.HandleFunc("PUT /orgs/{org}/users/{user}/roles/{role}", s.grant)
	m.HandleFunc("DELETE /orgs/{org}/users/{user}/roles/{role}", s.revoke)
	m.HandleFunc("DELETE /orgs/{org}/users/{user}/roles", s.revoke)
	m.HandleFunc("GET /backups", s.listBackups)
	m.HandleFunc("POST /backups", s.startBackup)
	m.HandleFunc("GET /backups/{id}", s.getBackup)
	m.HandleFunc("POST /orgs/{org}/exports", s.startExport)
	m.HandleFunc("GET /exports/{id}", s.getExport)
	m.HandleFunc("DELETE /exports/{id}", s.cancelExport)
	m.HandleFunc("POST /orgs/{org}/restores", s.startRestore)
	m.HandleFunc("GET /restores/{id}", s.getRestore)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path, nil)
	})
	s.mux = m
	return s
}

// NewHTTPTest starts a simulator on an httptest server; the client's base
// URL is the returned server's URL + Prefix. Close the server when done.
func NewHTTPTest(o Options) (*Server, *httptest.Server) {
	s := New(o)
	return s, httptest.NewServer(s)
}

// Listen serves the simulator on addr (use "127.0.0.1:0" for a free
// loopback port) in the background. It returns the base URL for the client
// and a function that stops the server.
func Listen(addr string, s *Server) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + Prefix, func() { srv.Close() }, nil
}

// State returns the DVS model the simulator serves.
func (s *Server) State() *sandbox.DVSState { return s.st }

// Token returns the bearer token the simulator accepts.
func (s *Server) Token() string { return s.token }

// SetDown puts the DVS into an outage (every call answers 503, /health
// says unavailable with detail), or back up with SetUp.
func (s *Server) SetDown(detail string) { s.st.SetHealth(false, detail) }

// SetUp ends an outage.
func (s *Server) SetUp() { s.st.SetHealth(true, "") }

// SetLatency makes every answer take d (0: none). A client whose timeout
// is shorter sees a timeout.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// FailNext makes the next n calls (not /health) answer status; a 429 or
// 503 carries Retry-After when retryAfter > 0.
func (s *Server) FailNext(n, status int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{status: status, retryAfter: retryAfter})
	}
}

// FailNextHealth makes the next n /health calls answer 500 (a broken
// gateway rather than a reported outage).
func (s *Server) FailNextHealth(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.healthFails += n
}

// FailNextBackup makes the next backup started through the API fail, with
// detail as the reason.
func (s *Server) FailNextBackup(detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failBackup = append(s.failBackup, detail)
}

// FailNextVerification makes the next backup started through the API
// succeed but fail its verification (the test restore), with detail.
func (s *Server) FailNextVerification(detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failVerify = append(s.failVerify, detail)
}

// FailNextExport makes the next export fail halfway, with detail.
func (s *Server) FailNextExport(detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failExport = append(s.failExport, detail)
}

// Calls returns the calls received so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsTo returns how many calls had method and a path starting with
// prefix.
func (s *Server) CallsTo(method, prefix string) int {
	n := 0
	for _, c := range s.Calls() {
		if c.Method == method && strings.HasPrefix(c.Path, prefix) {
			n++
		}
	}
	return n
}

func (s *Server) now() time.Time {
	if s.st.Now != nil {
		return s.st.Now().UTC()
	}
	return time.Now().UTC()
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status and writes it.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 and writes b.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP serves the contract under Prefix: it records the call, waits
// the latency, checks the token, applies injected faults and the outage,
// then answers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "the contract is served under "+Prefix, nil)
		return
	}
	sw := &statusWriter{ResponseWriter: w}
	auth := s.authorized(r)
	defer func() {
		s.mu.Lock()
		s.calls = append(s.calls, Call{Method: r.Method, Path: path, Status: sw.status, IdempotencyKey: r.Header.Get("Idempotency-Key"), Authorized: auth})
		s.mu.Unlock()
		s.log.Debug("dvstest", "method", r.Method, "path", path, "status", sw.status)
	}()
	s.mu.Lock()
	lat := s.latency
	s.mu.Unlock()
	if lat > 0 {
		t := time.NewTimer(lat)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = path
	r2.URL.RawPath = ""
	if path == "/health" {
		s.mux.ServeHTTP(sw, r2)
		return
	}
	if !auth {
		writeError(sw, http.StatusUnauthorized, "unauthorized", "a valid bearer token is required", nil)
		return
	}
	s.mu.Lock()
	var f *fault
	if len(s.faults) > 0 {
		f = &s.faults[0]
		s.faults = s.faults[1:]
	}
	s.mu.Unlock()
	if f != nil {
		if f.retryAfter > 0 {
			sw.Header().Set("Retry-After", strconv.Itoa(int((f.retryAfter+time.Second-1)/time.Second)))
		}
		code := map[int]string{429: "throttled", 503: "unavailable"}[f.status]
		if code == "" {
			code = "internal"
		}
		writeError(sw, f.status, code, "injected failure", nil)
		return
	}
	if h := s.st.Health(); !h.Up {
		writeError(sw, http.StatusServiceUnavailable, "unavailable", h.Detail, nil)
		return
	}
	s.mux.ServeHTTP(sw, r2)
}

func (s *Server) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(tok), []byte(s.token)) == 1
}

// --- JSON shapes of the contract ---

type errorBody struct {
	Error struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details,omitempty"`
	} `json:"error"`
}

type roleJSON struct {
	ID     string `json:"id"`
	NameLV string `json:"name_lv"`
	NameEN string `json:"name_en"`
}

type roleChangeJSON struct {
	User    string     `json:"user"`
	Role    *roleJSON  `json:"role,omitempty"`
	Changed bool       `json:"changed"`
	Created bool       `json:"created"`
	Roles   []roleJSON `json:"roles"`
	Revoked []roleJSON `json:"revoked"`
}

type userJSON struct {
	User        string   `json:"user"`
	DisplayName string   `json:"display_name"`
	Roles       []string `json:"roles"`
}

type verificationJSON struct {
	Status    string     `json:"status"`
	CheckedAt *time.Time `json:"checked_at,omitempty"`
	Detail    string     `json:"detail,omitempty"`
}

type backupJSON struct {
	ID           string           `json:"id"`
	Scope        string           `json:"scope"`
	Status       string           `json:"status"`
	StartedAt    time.Time        `json:"started_at"`
	FinishedAt   *time.Time       `json:"finished_at,omitempty"`
	SizeBytes    int64            `json:"size_bytes"`
	SHA256       string           `json:"sha256,omitempty"`
	Verification verificationJSON `json:"verification"`
	Detail       string           `json:"detail,omitempty"`
}

type exportJSON struct {
	ID        string `json:"id"`
	Org       string `json:"org"`
	From      string `json:"from"`
	To        string `json:"to"`
	Status    string `json:"status"`
	Done      int    `json:"done"`
	Total     int    `json:"total"`
	Documents int    `json:"documents"`
	SizeBytes int64  `json:"size_bytes"`
	SHA256    string `json:"sha256,omitempty"`
	Location  string `json:"location,omitempty"`
	Detail    string `json:"detail,omitempty"`
}

type restoreJSON struct {
	ID        string `json:"id"`
	Org       string `json:"org"`
	BackupID  string `json:"backup_id"`
	Status    string `json:"status"`
	Done      int    `json:"done"`
	Total     int    `json:"total"`
	Documents int    `json:"documents"`
	Detail    string `json:"detail,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"encode"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code, msg string, details map[string]any) {
	var e errorBody
	e.Error.Code, e.Error.Message, e.Error.Details = code, msg, details
	writeJSON(w, status, e)
}

// writeModelError answers an error of the sandbox model with the
// contract's status and code.
func writeModelError(w http.ResponseWriter, err error) {
	var be *bot.Error
	if !errors.As(err, &be) {
		writeError(w, http.StatusInternalServerError, "internal", err.Error(), nil)
		return
	}
	msg := be.Phrase.Render(bot.EN)
	var te *sandbox.ThrottleError
	switch {
	case be.Phrase.ID == "sbx.dvs_unknown_role":
		writeError(w, http.StatusBadRequest, "unknown_role", msg, map[string]any{"known": sandbox.DVSRoles()})
	case be.Phrase.ID == "input.bad_address":
		writeError(w, http.StatusBadRequest, "bad_user", msg, nil)
	case be.Phrase.ID == "sbx.dvs_foreign_user":
		writeError(w, http.StatusForbidden, "foreign_user", msg, nil)
	case be.Phrase.ID == "sbx.dvs_user_not_found":
		writeError(w, http.StatusNotFound, "user_not_found", msg, nil)
	case be.Phrase.ID == "sbx.dvs_org_unknown":
		writeError(w, http.StatusNotFound, "org_not_found", msg, nil)
	case errors.As(err, &te):
		w.Header().Set("Retry-After", strconv.Itoa(int((te.RetryAfter+time.Second-1)/time.Second)))
		writeError(w, http.StatusTooManyRequests, "throttled", msg, nil)
	case be.Code == bot.EUNAVAILABLE:
		writeError(w, http.StatusServiceUnavailable, "unavailable", msg, nil)
	case be.Code == bot.EINVALID:
		writeError(w, http.StatusBadRequest, "bad_request", msg, nil)
	case be.Code == bot.ENOTFOUND:
		writeError(w, http.StatusNotFound, "not_found", msg, nil)
	case be.Code == bot.EFORBIDDEN:
		writeError(w, http.StatusForbidden, "forbidden", msg, nil)
	case be.Code == bot.ECONFLICT:
		writeError(w, http.StatusConflict, "conflict", msg, nil)
	default:
		writeError(w, http.StatusInternalServerError, "internal", msg, nil)
	}
}

func role(id string) roleJSON {
	return roleJSON{ID: id, NameLV: bot.Tr(bot.LV, "sbx.role."+id, nil), NameEN: bot.Tr(bot.EN, "sbx.role."+id, nil)}
}

func roles(ids []string) []roleJSON {
	out := make([]roleJSON, 0, len(ids))
	for _, id := range ids {
		out = append(out, role(id))
	}
	return out
}

// org resolves a path's organisation to the model's, or answers 404.
func (s *Server) org(w http.ResponseWriter, id string) (string, bool) {
	key := strings.ToUpper(strings.TrimSpace(id))
	if a, ok := s.aliases[key]; ok {
		key = a
	}
	if _, err := s.st.Org(key); err != nil {
		writeError(w, http.StatusNotFound, "org_not_found", "unknown organisation "+id, nil)
		return "", false
	}
	return key, true
}

func (s *Server) orgs() []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s.aliases {
		if !seen[v] {
			if _, err := s.st.Org(v); err == nil {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	sort.Strings(out)
	return out
}

// --- handlers ---

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	broken := s.healthFails > 0
	if broken {
		s.healthFails--
	}
	s.mu.Unlock()
	if broken {
		writeError(w, http.StatusInternalServerError, "internal", "health check failed", nil)
		return
	}
	h := s.st.Health()
	body := map[string]any{"status": h.Status, "checked_at": h.At.UTC()}
	if h.Detail != "" {
		body["detail"] = h.Detail
	}
	if !h.Up {
		writeJSON(w, http.StatusServiceUnavailable, body)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) roles(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"roles": roles(sandbox.DVSRoles())})
}

func (s *Server) users(w http.ResponseWriter, r *http.Request) {
	org, ok := s.org(w, r.PathValue("org"))
	if !ok {
		return
	}
	if err := s.st.Fault("Users"); err != nil {
		writeModelError(w, err)
		return
	}
	us, err := s.st.Users(org)
	if err != nil {
		writeModelError(w, err)
		return
	}
	out := make([]userJSON, 0, len(us))
	for _, u := range us {
		rec, _ := s.st.User(org, u.User)
		out = append(out, userJSON{User: u.User, DisplayName: rec.DisplayName, Roles: append([]string{}, u.Roles...)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"org": r.PathValue("org"), "users": out})
}

func (s *Server) grant(w http.ResponseWriter, r *http.Request) {
	org, ok := s.org(w, r.PathValue("org"))
	if !ok {
		return
	}
	if err := s.st.Fault("GrantRole"); err != nil {
		writeModelError(w, err)
		return
	}
	ch, err := s.st.GrantRole(org, r.PathValue("user"), r.PathValue("role"))
	if err != nil {
		writeModelError(w, err)
		return
	}
	rj := role(ch.Role)
	status := http.StatusOK
	if ch.Changed {
		status = http.StatusCreated
	}
	writeJSON(w, status, roleChangeJSON{User: ch.User, Role: &rj, Changed: ch.Changed, Created: ch.Created, Roles: roles(ch.Roles), Revoked: []roleJSON{}})
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	org, ok := s.org(w, r.PathValue("org"))
	if !ok {
		return
	}
	if err := s.st.Fault("RevokeRole"); err != nil {
		writeModelError(w, err)
		return
	}
	ch, err := s.st.RevokeRole(org, r.PathValue("user"), r.PathValue("role"))
	if err != nil {
		writeModelError(w, err)
		return
	}
	out := roleChangeJSON{User: ch.User, Changed: ch.Changed, Roles: roles(ch.Roles), Revoked: roles(ch.Revoked)}
	if ch.Role != "" {
		rj := role(ch.Role)
		out.Role = &rj
	}
	writeJSON(w, http.StatusOK, out)
}

// idempotent replays the stored answer of a creating call with the same
// Idempotency-Key; ok is false when there is none.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request) (key string, done bool) {
	k := r.Header.Get("Idempotency-Key")
	if k == "" {
		return "", false
	}
	key = r.Method + " " + r.URL.Path + " " + k
	s.mu.Lock()
	rp, ok := s.idem[key]
	s.mu.Unlock()
	if !ok {
		return key, false
	}
	if rp.loc != "" {
		w.Header().Set("Location", rp.loc)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(rp.status)
	w.Write(rp.body)
	return key, true
}

func (s *Server) remember(key string, status int, v any, loc string) {
	if key == "" {
		return
	}
	b, _ := json.Marshal(v)
	s.mu.Lock()
	s.idem[key] = replay{status: status, body: b, loc: loc}
	s.mu.Unlock()
}

func (b *backup) json() backupJSON {
	out := backupJSON{ID: b.ID, Scope: b.Scope, Status: b.Status, StartedAt: b.StartedAt, SizeBytes: b.SizeBytes, SHA256: b.SHA256,
		Verification: verificationJSON{Status: b.Verify, Detail: b.VerifyDetail}, Detail: b.Detail}
	if !b.FinishedAt.IsZero() {
		t := b.FinishedAt
		out.FinishedAt = &t
	}
	if !b.VerifiedAt.IsZero() {
		t := b.VerifiedAt
		out.Verification.CheckedAt = &t
	}
	return out
}

// nightly converts the model's nightly backups of org to the contract.
func (s *Server) nightly(org string) []backupJSON {
	bs, err := s.st.Backups(org)
	if err != nil {
		return nil
	}
	out := make([]backupJSON, 0, len(bs))
	for _, b := range bs {
		v := b.Verified
		if v == "" {
			v = "none"
		}
		j := backupJSON{ID: b.ID, Scope: org, Status: b.Status, StartedAt: b.StartedAt.UTC(), SizeBytes: b.SizeBytes, SHA256: b.SHA256,
			Verification: verificationJSON{Status: v}}
		if !b.FinishedAt.IsZero() {
			t := b.FinishedAt.UTC()
			j.FinishedAt = &t
		}
		if b.Status == "failed" {
			j.Detail = "backup agent: storage write error"
		}
		if v == "verified" || v == "failed" {
			t := time.Date(b.StartedAt.Year(), b.StartedAt.Month(), b.StartedAt.Day(), 4, 0, 0, 0, time.UTC)
			j.Verification.CheckedAt = &t
			if v == "failed" {
				j.Verification.Detail = "test restore: checksum mismatch in document store"
			}
		}
		out = append(out, j)
	}
	return out
}

func (s *Server) listBackups(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 1000 {
			writeError(w, http.StatusBadRequest, "bad_request", "limit must be 1…1000", nil)
			return
		}
		limit = n
	}
	var orgs []string
	want := ""
	if v := q.Get("org"); v != "" {
		org, ok := s.org(w, v)
		if !ok {
			return
		}
		orgs, want = []string{org}, org
	} else {
		orgs = s.orgs()
	}
	if err := s.st.Fault("Backups"); err != nil {
		writeModelError(w, err)
		return
	}
	var out []backupJSON
	for _, o := range orgs {
		out = append(out, s.nightly(o)...)
	}
	s.mu.Lock()
	for _, b := range s.backups {
		if want == "" || b.Scope == "all" || b.Scope == want {
			out = append(out, b.json())
		}
	}
	s.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedAt.After(out[j].StartedAt) })
	if len(out) > limit {
		out = out[:limit]
	}
	if out == nil {
		out = []backupJSON{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"backups": out})
}

func (s *Server) startBackup(w http.ResponseWriter, r *http.Request) {
	key, done := s.idempotent(w, r)
	if done {
		return
	}
	var body struct {
		Scope string `json:"scope"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "bad_request", "body: "+err.Error(), nil)
		return
	}
	scope := body.Scope
	if scope == "" {
		scope = "all"
	}
	var orgs []string
	if scope == "all" {
		orgs = s.orgs()
	} else {
		org, ok := s.org(w, scope)
		if !ok {
			return
		}
		orgs = []string{org}
	}
	var target int64
	for _, o := range orgs {
		for _, b := range s.nightly(o) {
			if b.Status == "succeeded" {
				target += b.SizeBytes
				break
			}
		}
	}
	if target == 0 {
		target = 1 << 30
	}
	now := s.now()
	s.mu.Lock()
	for _, b := range s.backups {
		if b.Status == "running" {
			s.mu.Unlock()
			writeError(w, http.StatusConflict, "backup_running", "backup "+b.ID+" is running", map[string]any{"id": b.ID})
			return
		}
	}
	s.seq++
	b := &backup{ID: fmt.Sprintf("bk-%s-%03d", now.In(bot.TimeZone).Format("20060102-1504"), s.seq), Scope: scope, Status: "running",
		StartedAt: now, TargetBytes: target, Verify: "none"}
	if len(s.failBackup) > 0 {
		b.failBackup, s.failBackup = s.failBackup[0], s.failBackup[1:]
	} else if len(s.failVerify) > 0 {
		b.failVerify, s.failVerify = s.failVerify[0], s.failVerify[1:]
	}
	s.backups = append(s.backups, b)
	out := b.json()
	s.mu.Unlock()
	loc := Prefix + "/backups/" + b.ID
	s.remember(key, http.StatusAccepted, out, loc)
	w.Header().Set("Location", loc)
	writeJSON(w, http.StatusAccepted, out)
}

// advance moves a started backup one stage on: running (half written) →
// written (verification pending) or failed → verified or failed.
func (s *Server) advance(b *backup) {
	now := s.now()
	b.polls++
	switch {
	case b.Status == "running" && b.polls == 1:
		b.SizeBytes = b.TargetBytes / 2
	case b.Status == "running" && b.failBackup != "":
		b.Status, b.Detail, b.FinishedAt = "failed", b.failBackup, now
	case b.Status == "running":
		b.Status, b.SizeBytes, b.FinishedAt, b.Verify = "succeeded", b.TargetBytes, now, "pending"
		sum := sha256.Sum256([]byte(b.ID + "|" + strconv.FormatInt(b.SizeBytes, 10)))
		b.SHA256 = hex.EncodeToString(sum[:])
	case b.Status == "succeeded" && b.Verify == "pending" && b.failVerify != "":
		b.Verify, b.VerifyDetail, b.VerifiedAt = "failed", b.failVerify, now
	case b.Status == "succeeded" && b.Verify == "pending":
		b.Verify, b.VerifiedAt = "verified", now
	}
}

func (s *Server) getBackup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	for _, b := range s.backups {
		if b.ID == id {
			s.advance(b)
			out := b.json()
			s.mu.Unlock()
			writeJSON(w, http.StatusOK, out)
			return
		}
	}
	s.mu.Unlock()
	for _, o := range s.orgs() {
		for _, b := range s.nightly(o) {
			if b.ID == id {
				writeJSON(w, http.StatusOK, b)
				return
			}
		}
	}
	writeError(w, http.StatusNotFound, "backup_not_found", "no backup "+id, nil)
}

func (e *export) json() exportJSON {
	docs := 0
	if e.Status == "succeeded" {
		docs = e.Total
	}
	return exportJSON{ID: e.ID, Org: e.Org, From: e.From.Format(time.DateOnly), To: e.To.Format(time.DateOnly), Status: e.Status,
		Done: e.Done, Total: e.Total, Documents: docs, SizeBytes: e.SizeBytes, SHA256: e.SHA256, Location: e.Location, Detail: e.Detail}
}

func (s *Server) startExport(w http.ResponseWriter, r *http.Request) {
	key, done := s.idempotent(w, r)
	if done {
		return
	}
	org, ok := s.org(w, r.PathValue("org"))
	if !ok {
		return
	}
	if err := s.st.Fault("Export"); err != nil {
		writeModelError(w, err)
		return
	}
	var body struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "body: "+err.Error(), nil)
		return
	}
	from, err1 := time.ParseInLocation(time.DateOnly, body.From, bot.TimeZone)
	to, err2 := time.ParseInLocation(time.DateOnly, body.To, bot.TimeZone)
	switch {
	case err1 != nil || err2 != nil:
		writeError(w, http.StatusBadRequest, "bad_period", "from and to must be dates YYYY-MM-DD", nil)
		return
	case to.Before(from):
		writeError(w, http.StatusBadRequest, "bad_period", "the period ends before it starts", nil)
		return
	case to.Sub(from) > 366*24*time.Hour*10:
		writeError(w, http.StatusBadRequest, "bad_period", "a period is at most 10 years", nil)
		return
	}
	total, err := s.st.Documents(org, from, to)
	if err != nil {
		writeModelError(w, err)
		return
	}
	s.mu.Lock()
	s.seq++
	e := &export{ID: fmt.Sprintf("ex-%s-%04d", strings.ToLower(org), s.seq), Org: r.PathValue("org"), StateOrg: org, From: from, To: to,
		Status: "running", Total: total}
	if len(s.failExport) > 0 {
		e.fail, s.failExport = s.failExport[0], s.failExport[1:]
	}
	if total == 0 {
		e.Status = "succeeded"
	}
	s.exports[e.ID] = e
	out := e.json()
	s.mu.Unlock()
	loc := Prefix + "/exports/" + e.ID
	s.remember(key, http.StatusAccepted, out, loc)
	w.Header().Set("Location", loc)
	writeJSON(w, http.StatusAccepted, out)
}

func (s *Server) getExport(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	e := s.exports[id]
	if e == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "export_not_found", "no export "+id, nil)
		return
	}
	if e.Status == "running" {
		step := max(1, (e.Total+s.steps-1)/s.steps)
		e.Done = min(e.Done+step, e.Total)
		if e.fail != "" && e.Done*2 >= e.Total {
			e.Status, e.Detail = "failed", e.fail
		} else if e.Done == e.Total {
			rec, err := s.st.RecordExport(e.StateOrg, e.From, e.To, e.Total)
			if err != nil {
				e.Status, e.Detail = "failed", err.Error()
			} else {
				e.Status, e.SizeBytes, e.SHA256 = "succeeded", rec.SizeBytes, rec.SHA256
				e.Location = "https://dvs.example.lv/exports/" + rec.ID + ".zip"
			}
		}
	}
	out := e.json()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) cancelExport(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.exports[id]
	if e == nil {
		writeError(w, http.StatusNotFound, "export_not_found", "no export "+id, nil)
		return
	}
	if e.Status == "running" {
		e.Status = "cancelled"
	}
	writeJSON(w, http.StatusOK, e.json())
}

func (r *restore) json() restoreJSON {
	return restoreJSON{ID: r.ID, Org: r.Org, BackupID: r.Backup, Status: r.Status, Done: r.Done, Total: r.Total,
		Documents: r.Documents, Detail: r.Detail}
}

// startRestore is POST /orgs/{org}/restores {"backup_id"}: the backup must
// hold the organisation's data (a nightly one of the organisation, or one
// started through the API for it or for all) — else 404 backup_not_found —
// and must have succeeded without failing its verification — else 409
// backup_not_restorable. Like every job start it honours Idempotency-Key
// (docs/dvs-api.yaml).
func (s *Server) startRestore(w http.ResponseWriter, r *http.Request) {
	key, done := s.idempotent(w, r)
	if done {
		return
	}
	org, ok := s.org(w, r.PathValue("org"))
	if !ok {
		return
	}
	if err := s.st.Fault("Restore"); err != nil {
		writeModelError(w, err)
		return
	}
	var body struct {
		BackupID string `json:"backup_id"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&body); err != nil || strings.TrimSpace(body.BackupID) == "" {
		writeError(w, http.StatusBadRequest, "bad_request", "body: want {\"backup_id\": \"…\"}", nil)
		return
	}
	var found *backupJSON
	for _, b := range s.nightly(org) {
		if b.ID == body.BackupID {
			found = &b
			break
		}
	}
	s.mu.Lock()
	if found == nil {
		for _, b := range s.backups {
			if b.ID == body.BackupID && (b.Scope == "all" || b.Scope == org) {
				j := b.json()
				found = &j
			}
		}
	}
	s.mu.Unlock()
	switch {
	case found == nil:
		writeError(w, http.StatusNotFound, "backup_not_found", "no backup "+body.BackupID+" of "+org, nil)
		return
	case found.Status != "succeeded" || found.Verification.Status == "failed":
		st := found.Status
		if st == "succeeded" {
			st = "verification_failed"
		}
		writeError(w, http.StatusConflict, "backup_not_restorable", "backup "+found.ID+" is "+st, map[string]any{"id": found.ID, "status": st})
		return
	}
	s.mu.Lock()
	s.seq++
	steps := s.steps
	if steps <= 0 {
		steps = 5
	}
	rs := &restore{ID: fmt.Sprintf("rs-%s-%04d", strings.ToLower(org), s.seq), Org: r.PathValue("org"), StateOrg: org,
		Backup: found.ID, Taken: found.StartedAt, Status: "running", Total: steps}
	s.restores[rs.ID] = rs
	out := rs.json()
	s.mu.Unlock()
	loc := Prefix + "/restores/" + rs.ID
	s.remember(key, http.StatusAccepted, out, loc)
	w.Header().Set("Location", loc)
	writeJSON(w, http.StatusAccepted, out)
}

// getRestore is GET /restores/{id}: each poll moves a running restore one
// step on; the last records it in the model.
func (s *Server) getRestore(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	rs := s.restores[id]
	if rs == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "restore_not_found", "no restore "+id, nil)
		return
	}
	finish := false
	if rs.Status == "running" {
		rs.Done++
		finish = rs.Done >= rs.Total
	}
	s.mu.Unlock()
	if finish {
		rec, err := s.st.RecordRestore(rs.StateOrg, rs.Backup, rs.Taken)
		s.mu.Lock()
		if err != nil {
			rs.Status, rs.Detail = "failed", err.Error()
		} else {
			rs.Status, rs.Documents = "succeeded", rec.Documents
		}
		s.mu.Unlock()
	}
	s.mu.Lock()
	out := rs.json()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}
