package exchangetest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Large attachments and Graph's request size limit.
//
// Graph refuses a request whose body is over 4 MB ("Attach large files to
// Outlook messages": attachments of 3–150 MB go through an upload session;
// "Add attachment" takes a file under 3 MB; the 413 status for a bigger
// request body is documented for Graph, its error code is inferred). An
// upload session (POST …/attachments/createUploadSession with an
// AttachmentItem) answers 201 with uploadUrl, expirationDateTime and
// nextExpectedRanges; the file is then PUT to uploadUrl in byte ranges
// (Content-Range "bytes a-b/size", each under 4 MB, in order), without an
// Authorization header (the URL carries its own token: "Do not specify an
// Authorization request header"); an intermediate range answers 200 with
// the next expected range, the last 201 Created.

// MaxRequestBytes is Graph's request size limit.
const MaxRequestBytes = 4 << 20

// uploadSession is one large attachment being uploaded.
type uploadSession struct {
	mb          *mailboxData
	msg         string
	name, ctype string
	size        int
	data        []byte
	expires     time.Time
}

var reUpload = regexp.MustCompile(`^/upload/([0-9a-f-]+)$`)

// createUploadSession starts a large attachment's upload.
func (s *Server) createUploadSession(w http.ResponseWriter, mb *mailboxData, id string, body []byte) {
	var in struct {
		Item struct {
			Type        string `json:"attachmentType"`
			Name        string `json:"name"`
			Size        int64  `json:"size"`
			ContentType string `json:"contentType"`
		} `json:"AttachmentItem"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Item.Name == "" || in.Item.Size <= 0 {
		badRequest(w, "AttachmentItem with attachmentType, name and size is required.")
		return
	}
	if in.Item.Size > 150<<20 {
		graphError(w, http.StatusBadRequest, "ErrorAttachmentSizeLimitExceeded", "The attachment exceeds the 150 MB limit.")
		return
	}
	t := s.Tenant
	t.mu.Lock()
	it := mb.item(id)
	t.mu.Unlock()
	if it == nil {
		itemNotFound(w)
		return
	}
	tok := newID("up")
	tok = strings.ToLower(strings.Map(func(r rune) rune {
		if (r >= '0' && r <= '9') || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F') {
			return r
		}
		return -1
	}, tok)) + fmt.Sprintf("-%d", time.Now().UnixNano())
	exp := t.now().Add(15 * time.Minute)
	s.mu.Lock()
	if s.uploads == nil {
		s.uploads = map[string]*uploadSession{}
	}
	s.uploads[tok] = &uploadSession{mb: mb, msg: id, name: in.Item.Name, ctype: in.Item.ContentType, size: int(in.Item.Size), expires: exp}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{
		"@odata.context":     "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.uploadSession",
		"uploadUrl":          s.URL() + "/upload/" + tok,
		"expirationDateTime": exp.UTC().Format(time.RFC3339),
		"nextExpectedRanges": []string{"0-"},
	})
}

var reContentRange = regexp.MustCompile(`^bytes (\d+)-(\d+)/(\d+)$`)

// upload takes one byte range of a large attachment.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, tok string) {
	if r.Method != http.MethodPut {
		methodNotAllowed(w)
		return
	}
	if r.Header.Get("Authorization") != "" {
		// The upload URL is pre-authenticated; a bearer token with it is
		// refused (the exact answer is inferred).
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Do not send an Authorization header to an upload URL.")
		return
	}
	s.mu.Lock()
	up := s.uploads[tok]
	s.mu.Unlock()
	if up == nil || !s.Tenant.now().Before(up.expires) {
		graphError(w, http.StatusNotFound, "ItemNotFound", "The upload session was not found or has expired.")
		return
	}
	m := reContentRange.FindStringSubmatch(r.Header.Get("Content-Range"))
	if m == nil {
		badRequest(w, "Content-Range bytes a-b/size is required.")
		return
	}
	from, _ := strconv.Atoi(m[1])
	to, _ := strconv.Atoi(m[2])
	total, _ := strconv.Atoi(m[3])
	chunk, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
	if err != nil || len(chunk) > MaxRequestBytes {
		graphError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "A range must be under 4 MB.")
		return
	}
	if total != up.size || from != len(up.data) || to-from+1 != len(chunk) || to >= total {
		graphError(w, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", fmt.Sprintf("Expected the range starting at %d of %d bytes.", len(up.data), up.size))
		return
	}
	up.data = append(up.data, chunk...)
	if len(up.data) < up.size {
		writeJSON(w, http.StatusOK, map[string]any{"expirationDateTime": up.expires.UTC().Format(time.RFC3339),
			"nextExpectedRanges": []string{fmt.Sprintf("%d-", len(up.data))}})
		return
	}
	t := s.Tenant
	t.mu.Lock()
	it := up.mb.item(up.msg)
	if it != nil {
		it.m.Attachments = append(it.m.Attachments, Attachment{Name: up.name, ContentType: up.ctype, Size: up.size, Content: up.data})
		up.mb.touch(it)
	}
	t.mu.Unlock()
	s.mu.Lock()
	delete(s.uploads, tok)
	s.mu.Unlock()
	if it == nil {
		itemNotFound(w)
		return
	}
	w.Header().Set("Location", s.GraphURL()+"/users/"+up.mb.owner+"/messages/"+up.msg+"/attachments/"+tok)
	w.WriteHeader(http.StatusCreated)
}

// createDraft makes a new draft in Drafts (POST /users/{id}/messages:
// "Create message": 201 with the message, isDraft true).
func (s *Server) createDraft(w http.ResponseWriter, mb *mailboxData, body []byte, p prefer) {
	var in outMessage
	if err := json.Unmarshal(body, &in); err != nil {
		badRequest(w, "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	out := MailMessage{From: Addr{Address: mb.owner}}
	if !checkOut(w, &in, &out) {
		return
	}
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	out.IsDraft, out.IsRead = true, true
	d := t.deliverLocked(mb, out, FolderDrafts)
	res := mb.messageJSON(mb.items[d.ID], nil, p)
	res["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users('" + mb.owner + "')/messages/$entity"
	writeJSON(w, http.StatusCreated, res)
}
