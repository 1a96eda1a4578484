// Package exchangetest is a wire-level emulator of the two Microsoft APIs
// itbot's Exchange adapter drives: Microsoft Graph v1.0 (users, licences,
// mailbox settings, usage reports, service health) and the Exchange Online
// admin API's InvokeCommand endpoint (shared mailboxes, permissions,
// anti-spam policies). It is an httptest server that speaks the real JSON
// shapes and status codes and accepts what msgraph-sdk-go really sends
// (gzip-compressed request bodies, client-request-id, advanced-query
// headers); the report endpoints answer with a 302 redirect to a CSV
// download that starts with a UTF-8 byte order mark, as Graph does.
//
// A Tenant holds the state (users, SKUs with unit counts, mailboxes,
// permissions, policies, report data). The Server can be told to throttle
// (429 or 503 with Retry-After), to fail (5xx) or to answer like Graph does
// on bad input (400 with Graph's error body), and it records every request
// so tests can assert what was (or was not) called.
package exchangetest

import (
	"bytes"
	"compress/gzip"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Request is one request the server received.
type Request struct {
	Method          string
	Path            string // URL path, decoded
	Query           string // raw query
	Cmdlet          string // InvokeCommand: the cmdlet name
	ClientRequestID string // the client-request-id header
	Gzip            bool   // the body was gzip-compressed
	Status          int    // the status answered
}

// fault is one scripted misbehaviour.
type fault struct {
	match      string // "" any; else a cmdlet name or a substring of "METHOD /path"
	left       int
	status     int
	retryAfter time.Duration
	code, msg  string
	after      bool // the request is carried out first; only its answer is lost
	skip       int  // matching requests let through before the fault applies
}

// Server is the emulator: Graph under /v1.0, the admin API under
// /adminapi/beta/{tenant}/InvokeCommand, report downloads under
// /reportdownload/.
type Server struct {
	Tenant *Tenant
	// Token, when set, is the only bearer token accepted.
	Token string
	// PageSize, when set, caps the users list's pages below $top, as
	// Graph's server-driven paging may.
	PageSize int

	srv    *httptest.Server
	mu     sync.Mutex
	log    []Request
	faults []*fault
	dl     map[string][]byte // report downloads by token
	// revoked are the permissions and roles taken from the app (Revoke).
	revoked map[string]bool
	// uploads are the large-attachment upload sessions by token.
	uploads map[string]*uploadSession
}

// NewServer starts an emulator for t on a loopback port.
func NewServer(t *Tenant) *Server {
	s := newServer(t)
	s.srv = httptest.NewServer(s)
	return s
}

// Listen starts an emulator for t on an existing listener (the sandbox
// uses a loopback listener of its own).
func Listen(t *Tenant, ln net.Listener) *Server {
	s := newServer(t)
	s.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}}
	s.srv.Start()
	return s
}

func newServer(t *Tenant) *Server {
	return &Server{Tenant: t, dl: map[string][]byte{}}
}

// URL is the server's root URL.
func (s *Server) URL() string { return s.srv.URL }

// GraphURL is the Graph base URL to give the SDK (…/v1.0).
func (s *Server) GraphURL() string { return s.srv.URL + "/v1.0" }

// AdminURL is the admin API base URL (…/adminapi/beta).
func (s *Server) AdminURL() string { return s.srv.URL + "/adminapi/beta" }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// Count returns how many requests matched match ("" counts all; else a
// cmdlet name or a substring of "METHOD /path").
func (s *Server) Count(match string) int {
	n := 0
	for _, r := range s.Requests() {
		if matches(match, r) {
			n++
		}
	}
	return n
}

// Reset forgets the recorded requests and pending faults.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log, s.faults = nil, nil
}

func matches(match string, r Request) bool {
	return match == "" || strings.EqualFold(match, r.Cmdlet) || strings.Contains(r.Method+" "+r.Path, match)
}

// Throttle makes the next n matching requests answer 429 Too Many
// Requests with Retry-After.
func (s *Server) Throttle(match string, n int, retryAfter time.Duration) {
	s.addFault(&fault{match: match, left: n, status: http.StatusTooManyRequests, retryAfter: retryAfter, code: "TooManyRequests", msg: "Too many requests."})
}

// Unavailable makes the next n matching requests answer 503 Service
// Unavailable with Retry-After.
func (s *Server) Unavailable(match string, n int, retryAfter time.Duration) {
	s.addFault(&fault{match: match, left: n, status: http.StatusServiceUnavailable, retryAfter: retryAfter, code: "serviceNotAvailable", msg: "Service unavailable."})
}

// UnavailableAfter makes the next n matching requests take effect and
// then answer 503 Service Unavailable with Retry-After, as when a gateway
// loses the answer of a call the service carried out. A 503 is "The
// service is temporarily unavailable for maintenance or is overloaded.
// You may repeat the request after a delay" (Graph's error codes): it does
// not say the request did nothing; that a POST can have taken effect
// behind a 503 is inferred (no Microsoft page says either way).
func (s *Server) UnavailableAfter(match string, n int, retryAfter time.Duration) {
	s.addFault(&fault{match: match, left: n, status: http.StatusServiceUnavailable, retryAfter: retryAfter, code: "serviceNotAvailable", msg: "Service unavailable.", after: true})
}

// FailLater lets the next skip matching requests through, then makes n
// answer status (a 5xx) without Retry-After.
func (s *Server) FailLater(match string, skip, n, status int) {
	s.addFault(&fault{match: match, left: n, skip: skip, status: status, code: "UnknownError", msg: "An internal server error occurred."})
}

// Fail makes the next n matching requests answer status (a 5xx) without
// Retry-After.
func (s *Server) Fail(match string, n, status int) {
	s.addFault(&fault{match: match, left: n, status: status, code: "UnknownError", msg: "An internal server error occurred."})
}

// BadInput makes the next n matching requests answer 400 with Graph's
// error body carrying code and message.
func (s *Server) BadInput(match string, n int, code, message string) {
	s.addFault(&fault{match: match, left: n, status: http.StatusBadRequest, code: code, msg: message})
}

func (s *Server) addFault(f *fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

func (s *Server) takeFault(r Request) *fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.left > 0 && matches(f.match, r) {
			if f.skip > 0 {
				f.skip--
				continue
			}
			f.left--
			if f.left == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f
		}
	}
	return nil
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, r)
}

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, ClientRequestID: r.Header.Get("client-request-id")}
	cw := &codeWriter{ResponseWriter: w}
	defer func() { rec.Status = cw.code; s.record(rec) }()
	if cid := rec.ClientRequestID; cid != "" {
		w.Header().Set("client-request-id", cid)
	}
	w.Header().Set("request-id", uuid.NewString())

	if strings.HasPrefix(r.URL.Path, "/reportdownload/") {
		s.download(cw, r)
		return
	}
	if m := reUpload.FindStringSubmatch(r.URL.Path); m != nil {
		s.upload(cw, r, m[1])
		return
	}
	body, err := readBody(r)
	if err != nil {
		graphError(cw, http.StatusBadRequest, "BadRequest", "The request body could not be read: "+err.Error())
		return
	}
	rec.Gzip = r.Header.Get("Content-Encoding") == "gzip"
	if len(body) > MaxRequestBytes {
		// Graph's 4 MB request limit (see upload.go).
		graphError(cw, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request is larger than 4 MB; attach large files with an upload session.")
		return
	}
	admin := strings.HasPrefix(r.URL.Path, "/adminapi/")
	var cmd *cmdletInput
	if admin {
		cmd = &cmdletInput{}
		var in struct {
			CmdletInput *cmdletInput `json:"CmdletInput"`
		}
		if err := json.Unmarshal(body, &in); err != nil || in.CmdletInput == nil || in.CmdletInput.CmdletName == "" {
			adminError(cw, http.StatusBadRequest, "BadRequest", "", "The request body must be {\"CmdletInput\":{\"CmdletName\":…,\"Parameters\":{…}}}.")
			return
		}
		cmd = in.CmdletInput
		rec.Cmdlet = cmd.CmdletName
	}
	if !s.authorized(r) {
		cw.Header().Set("WWW-Authenticate", `Bearer realm="", error="invalid_token"`)
		graphError(cw, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
		return
	}
	if s.denied(cw, r, cmd) {
		return
	}
	f := s.takeFault(rec)
	if f != nil && f.after {
		// Carry the request out, then lose its answer.
		s.route(httptest.NewRecorder(), r, admin, cmd, body)
	}
	if f != nil {
		if f.retryAfter > 0 || f.status == http.StatusTooManyRequests || f.status == http.StatusServiceUnavailable {
			cw.Header().Set("Retry-After", strconv.Itoa(int(f.retryAfter/time.Second)))
		}
		if admin {
			adminError(cw, f.status, f.code, "", f.msg)
		} else {
			graphError(cw, f.status, f.code, f.msg)
		}
		return
	}
	s.route(cw, r, admin, cmd, body)
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, admin bool, cmd *cmdletInput, body []byte) {
	switch {
	case admin:
		s.invoke(w, r, cmd)
	case strings.HasPrefix(r.URL.Path, "/v1.0/"):
		s.graph(w, r, strings.TrimPrefix(r.URL.Path, "/v1.0"), body)
	default:
		graphError(w, http.StatusNotFound, "BadRequest", "Invalid version.")
	}
}

func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if !strings.HasPrefix(h, "Bearer ") || len(h) <= len("Bearer ") {
		return false
	}
	return s.Token == "" || subtle.ConstantTimeCompare([]byte(strings.TrimPrefix(h, "Bearer ")), []byte(s.Token)) == 1
}

// readBody reads a request body, gunzipping it when the SDK compressed it.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return nil, err
	}
	if r.Header.Get("Content-Encoding") != "gzip" {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return io.ReadAll(io.LimitReader(zr, 8<<20))
}

type codeWriter struct {
	http.ResponseWriter
	code int
}

// WriteHeader records the status.
func (c *codeWriter) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
	c.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (c *codeWriter) Write(b []byte) (int, error) {
	if c.code == 0 {
		c.code = http.StatusOK
	}
	return c.ResponseWriter.Write(b)
}

const graphJSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", graphJSON)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// graphError writes Graph's error body.
func graphError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": code, "message": msg,
		"innerError": map[string]any{"date": time.Now().UTC().Format("2006-01-02T15:04:05"), "request-id": w.Header().Get("request-id"), "client-request-id": w.Header().Get("client-request-id")},
	}})
}
