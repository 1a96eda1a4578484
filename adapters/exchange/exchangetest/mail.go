package exchangetest

// The mail part of the emulator: what itbot's IT-mailbox adapter drives.
//
//	GET   /users/{id}/mailFolders/{folder}/messages/delta   (also delta())
//	GET   /users/{id}/messages/{msg}                        ($select, internetMessageHeaders)
//	PATCH /users/{id}/messages/{msg}                        (isRead)
//	GET   /users/{id}/messages/{msg}/attachments
//	POST  /users/{id}/messages/{msg}/reply
//	POST  /users/{id}/messages/{msg}/createReply, PATCH the draft, POST …/send
//	POST  /users/{id}/messages/{msg}/move
//	POST  /users/{id}/sendMail
//	GET   /users/{id}/mailFolders, /mailFolders/{folder}, /mailFolders/{folder}/childFolders
//	POST  /users/{id}/mailFolders/{folder}/childFolders
//
// As on Graph: a folder is named by its id or a well-known name (inbox,
// sentitems, deleteditems, drafts, archive, junkemail); a message's id
// changes when it moves to another folder unless the client sends
// Prefer: IdType="ImmutableId"; delta rounds are paged by
// Prefer: odata.maxpagesize (10 by default) through @odata.nextLink and
// end with an @odata.deltaLink, the next round returns what was created
// or changed since (and "@removed" for what left the folder), an expired
// delta link answers 410 Gone; internetMessageHeaders come only with
// $select; more than four concurrent requests to one mailbox answer 429
// ApplicationThrottled (Outlook's MailboxConcurrency limit); a reply goes
// to the original's replyTo, else its sender, in the same conversation,
// and toRecipients in a reply's body are added to those, never replace
// them (message: reply); createReply makes a draft addressed the same way
// whose recipients a PATCH replaces and which send delivers; a sent
// message is kept in Sent Items (and delivered to the recipient's inbox
// when the recipient is a mailbox of this tenant). Custom headers on a
// sent message must start with "x-" (at most five).

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/encoding/htmlindex"
)

// Well-known mail folder names.
const (
	FolderInbox        = "inbox"
	FolderSentItems    = "sentitems"
	FolderDeletedItems = "deleteditems"
	FolderDrafts       = "drafts"
	FolderArchive      = "archive"
	FolderJunk         = "junkemail"
)

// MailConcurrencyLimit is how many requests Outlook serves at once for one
// mailbox and one app; more answer 429.
const MailConcurrencyLimit = 4

// Addr is an e-mail address with its display name.
type Addr struct {
	Name    string
	Address string
}

// Header is one Internet message header.
type Header struct {
	Name  string
	Value string
}

// Attachment is a file attached to a message. The emulator keeps its
// facts; Content only for what the client itself attached.
type Attachment struct {
	Name        string
	ContentType string
	Size        int
	Inline      bool
	Content     []byte
}

// MailMessage is a message in an emulated mailbox.
type MailMessage struct {
	// ID is the message's immutable id (what a client sending
	// Prefer: IdType="ImmutableId" sees).
	ID                string
	InternetMessageID string
	ConversationID    string
	// InReplyTo is the internetMessageId of the message this one answers.
	InReplyTo string
	Subject   string
	From      Addr
	ReplyTo   []Addr
	To        []Addr
	Cc        []Addr
	BodyHTML  bool // the body is HTML (else plain text)
	Body      string
	Headers   []Header
	Received  time.Time
	IsRead    bool
	// IsDraft: a draft (createReply) not sent yet, in Drafts.
	IsDraft     bool
	Attachments []Attachment
	// Folder is the well-known name or display name of the folder the
	// message is in (read only).
	Folder string
}

type mailFolder struct {
	id, name, parent, wellKnown string
}

type mailItem struct {
	m      MailMessage // m.ID is the immutable id
	restID string      // the id a client without ImmutableId sees; new on every move
	folder string      // folder id
	seq    int64       // the mailbox's change counter at the last change
	etag   int
}

// tombstone marks a message that left a folder, for the delta's @removed.
type tombstone struct {
	id, restID, folder string
	seq                int64
}

type mailboxData struct {
	owner    string // lower-case address
	folders  map[string]*mailFolder
	items    map[string]*mailItem // by immutable id
	gone     []tombstone
	seq      int64
	gen      int // delta tokens of an older generation have expired
	inflight int
	maxIn    int
}

type mailState struct {
	boxes   map[string]*mailboxData
	latency time.Duration
	allowed map[string]bool // application access policy: nil allows every mailbox
}

func (t *Tenant) mailLocked() *mailState {
	if t.mail == nil {
		t.mail = &mailState{boxes: map[string]*mailboxData{}}
	}
	return t.mail
}

// SetMailLatency makes every mail request take at least d, so tests can
// observe how many run at once.
func (t *Tenant) SetMailLatency(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.mailLocked().latency = d
}

// RestrictMailTo emulates an application access policy (or Exchange RBAC
// for Applications scoped to these mailboxes): the app may read and send
// only as these addresses; other mailboxes answer 403 ErrorAccessDenied.
// No arguments lifts the restriction.
func (t *Tenant) RestrictMailTo(addresses ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ms := t.mailLocked()
	if len(addresses) == 0 {
		ms.allowed = nil
		return
	}
	ms.allowed = map[string]bool{}
	for _, a := range addresses {
		ms.allowed[strings.ToLower(a)] = true
	}
}

// ExpireDeltaLinks makes every delta and skip token issued so far for the
// mailbox's folders answer 410 Gone, as when Exchange drops a sync state.
func (t *Tenant) ExpireDeltaLinks(mailbox string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if mb := t.mailboxLocked(mailbox); mb != nil {
		mb.gen++
	}
}

// MaxMailConcurrency returns the most requests the mailbox served at once.
func (t *Tenant) MaxMailConcurrency(mailbox string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if mb := t.mailboxLocked(mailbox); mb != nil {
		return mb.maxIn
	}
	return 0
}

// mailboxLocked resolves a user id, UPN or shared mailbox address (or
// GUID) to its mail data; nil if the key names no mailbox.
func (t *Tenant) mailboxLocked(key string) *mailboxData {
	key = strings.ToLower(key)
	owner := ""
	if u := t.userLocked(key); u != nil && u.Mailbox != nil {
		owner = u.UPN
	} else if s, ok := t.shared[key]; ok {
		owner = s.Address
	} else {
		for _, s := range t.shared {
			if strings.EqualFold(s.GUID, key) {
				owner = s.Address
			}
		}
	}
	if owner == "" {
		return nil
	}
	ms := t.mailLocked()
	mb := ms.boxes[owner]
	if mb == nil {
		mb = &mailboxData{owner: owner, folders: map[string]*mailFolder{}, items: map[string]*mailItem{}}
		root := &mailFolder{id: newID("AAMkAGRt"), name: "Top of Information Store", wellKnown: "msgfolderroot"}
		mb.folders[root.id] = root
		for _, wk := range []struct{ wk, name string }{
			{FolderInbox, "Inbox"}, {FolderSentItems, "Sent Items"}, {FolderDeletedItems, "Deleted Items"},
			{FolderDrafts, "Drafts"}, {FolderArchive, "Archive"}, {FolderJunk, "Junk Email"},
		} {
			f := &mailFolder{id: newID("AAMkAGFl"), name: wk.name, parent: root.id, wellKnown: wk.wk}
			mb.folders[f.id] = f
		}
		ms.boxes[owner] = mb
	}
	return mb
}

// folder finds a folder by id, well-known name or (for tests) display
// name.
func (mb *mailboxData) folder(key string) *mailFolder {
	if f, ok := mb.folders[key]; ok {
		return f
	}
	for _, f := range mb.folders {
		if strings.EqualFold(f.wellKnown, key) {
			return f
		}
	}
	for _, f := range mb.folders {
		if f.name == key {
			return f
		}
	}
	return nil
}

func (mb *mailboxData) folderName(id string) string {
	if f := mb.folders[id]; f != nil {
		if f.wellKnown != "" {
			return f.wellKnown
		}
		return f.name
	}
	return ""
}

// item finds a message by its immutable id or its current REST id (a
// REST id from before a move no longer works, as on Graph).
func (mb *mailboxData) item(id string) *mailItem {
	if it, ok := mb.items[id]; ok {
		return it
	}
	for _, it := range mb.items {
		if it.restID == id {
			return it
		}
	}
	return nil
}

func (mb *mailboxData) touch(it *mailItem) {
	mb.seq++
	it.seq = mb.seq
	it.etag++
}

func newID(prefix string) string {
	b := make([]byte, 24)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// Deliver puts a message into the mailbox's inbox, as if it had just
// arrived, and returns it with its ids filled in: a new immutable id, an
// internetMessageId if none was given, and the conversation of the
// message it answers (InReplyTo) or a new one.
func (t *Tenant) Deliver(mailbox string, m MailMessage) (MailMessage, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	mb := t.mailboxLocked(mailbox)
	if mb == nil {
		return MailMessage{}, fmt.Errorf("exchangetest: %s has no mailbox", mailbox)
	}
	return t.deliverLocked(mb, m, FolderInbox), nil
}

func (t *Tenant) deliverLocked(mb *mailboxData, m MailMessage, folder string) MailMessage {
	if m.InternetMessageID == "" {
		m.InternetMessageID = "<" + uuid.NewString() + "@" + domainOf(m.From.Address) + ">"
	}
	if m.ConversationID == "" && m.InReplyTo != "" {
		m.ConversationID = t.conversationOfLocked(m.InReplyTo)
	}
	if m.ConversationID == "" {
		m.ConversationID = newID("AAQkAGCv")
	}
	if m.Received.IsZero() {
		m.Received = t.now()
	}
	m.Received = m.Received.UTC().Truncate(time.Second)
	m.From.Address = strings.ToLower(m.From.Address)
	if len(m.Headers) == 0 {
		m.Headers = defaultHeaders(m)
	}
	m.ID = newID("AAkALgAA")
	m.Attachments = append([]Attachment(nil), m.Attachments...)
	it := &mailItem{m: m, restID: newID("AAMkAGMs"), folder: mb.folder(folder).id}
	mb.items[m.ID] = it
	mb.touch(it)
	out := it.m
	out.Folder = mb.folderName(it.folder)
	return out
}

func defaultHeaders(m MailMessage) []Header {
	h := []Header{
		{"Received", "from EUR05-AM6-obe.outbound.protection.outlook.com by EUR05.prod.outlook.com; " + m.Received.Format(time.RFC1123Z)},
		{"From", formatAddr(m.From)},
		{"To", joinAddrs(m.To)},
		{"Subject", m.Subject},
		{"Date", m.Received.Format(time.RFC1123Z)},
		{"Message-ID", m.InternetMessageID},
	}
	if m.InReplyTo != "" {
		h = append(h, Header{"In-Reply-To", m.InReplyTo}, Header{"References", m.InReplyTo})
	}
	return append(h, Header{"Content-Type", map[bool]string{true: "text/html; charset=\"utf-8\"", false: "text/plain; charset=\"utf-8\""}[m.BodyHTML]},
		Header{"MIME-Version", "1.0"})
}

func formatAddr(a Addr) string {
	if a.Name == "" {
		return a.Address
	}
	return mime.QEncoding.Encode("utf-8", a.Name) + " <" + a.Address + ">"
}

func joinAddrs(as []Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = formatAddr(a)
	}
	return strings.Join(s, ", ")
}

func (t *Tenant) conversationOfLocked(internetID string) string {
	for _, mb := range t.mailLocked().boxes {
		for _, it := range mb.items {
			if it.m.InternetMessageID == internetID {
				return it.m.ConversationID
			}
		}
	}
	return ""
}

// Messages returns the messages in a folder (well-known name or display
// name) of a mailbox, oldest first.
func (t *Tenant) Messages(mailbox, folder string) []MailMessage {
	t.mu.Lock()
	defer t.mu.Unlock()
	mb := t.mailboxLocked(mailbox)
	if mb == nil {
		return nil
	}
	f := mb.folder(folder)
	if f == nil {
		return nil
	}
	var its []*mailItem
	for _, it := range mb.items {
		if it.folder == f.id {
			its = append(its, it)
		}
	}
	sort.Slice(its, func(i, j int) bool { return its[i].seqOrder() < its[j].seqOrder() })
	out := make([]MailMessage, len(its))
	for i, it := range its {
		out[i] = it.m
		out[i].Folder = mb.folderName(it.folder)
		out[i].Attachments = append([]Attachment(nil), it.m.Attachments...)
	}
	return out
}

func (it *mailItem) seqOrder() string {
	return it.m.Received.Format(time.RFC3339) + fmt.Sprintf("%012d", it.seq)
}

// Sent returns the messages the mailbox sent (its Sent Items), oldest
// first.
func (t *Tenant) Sent(mailbox string) []MailMessage { return t.Messages(mailbox, FolderSentItems) }

// Message returns one message of a mailbox by its immutable id.
func (t *Tenant) Message(mailbox, id string) (MailMessage, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	mb := t.mailboxLocked(mailbox)
	if mb == nil {
		return MailMessage{}, false
	}
	it := mb.item(id)
	if it == nil {
		return MailMessage{}, false
	}
	m := it.m
	m.Folder = mb.folderName(it.folder)
	return m, true
}

// DeleteMessage removes a message for good, as an operator's
// Shift+Delete does; it reports whether there was one.
func (t *Tenant) DeleteMessage(mailbox, id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	mb := t.mailboxLocked(mailbox)
	if mb == nil {
		return false
	}
	it := mb.item(id)
	if it == nil {
		return false
	}
	mb.seq++
	mb.gone = append(mb.gone, tombstone{id: it.m.ID, restID: it.restID, folder: it.folder, seq: mb.seq})
	delete(mb.items, it.m.ID)
	return true
}

// --- HTTP ---

var reMailPath = regexp.MustCompile(`^/users/([^/]+)/(mailFolders|messages|sendMail)(/.*)?$`)

// mail serves the mail endpoints; it reports false for other paths.
func (s *Server) mail(w http.ResponseWriter, r *http.Request, path string, body []byte) bool {
	m := reMailPath.FindStringSubmatch(path)
	if m == nil {
		return false
	}
	user, _ := url.PathUnescape(m[1])
	rest := strings.Split(strings.Trim(m[2]+m[3], "/"), "/")
	for i, p := range rest {
		rest[i] = trimParens(p)
	}
	t := s.Tenant
	t.mu.Lock()
	mb := t.mailboxLocked(user)
	ms := t.mailLocked()
	if mb == nil {
		t.mu.Unlock()
		if u, ok := t.User(user); ok && u.Mailbox == nil {
			graphError(w, http.StatusNotFound, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")
		} else {
			graphError(w, http.StatusNotFound, "ErrorInvalidUser", "The requested user '"+user+"' is invalid.")
		}
		return true
	}
	if ms.allowed != nil && !ms.allowed[mb.owner] {
		t.mu.Unlock()
		graphError(w, http.StatusForbidden, "ErrorAccessDenied", "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.")
		return true
	}
	mb.inflight++
	mb.maxIn = max(mb.maxIn, mb.inflight)
	over := mb.inflight > MailConcurrencyLimit
	lat := ms.latency
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		mb.inflight--
		t.mu.Unlock()
	}()
	if over {
		w.Header().Set("Retry-After", "1")
		graphError(w, http.StatusTooManyRequests, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
		return true
	}
	if lat > 0 {
		time.Sleep(lat)
	}
	pref := preferences(r)
	if pref.immutable {
		w.Header().Add("Preference-Applied", `IdType="ImmutableId"`)
	}
	switch {
	case len(rest) == 5 && rest[0] == "mailFolders" && rest[2] == "messages" && rest[3] == "delta" || len(rest) == 4 && rest[0] == "mailFolders" && rest[2] == "messages" && rest[3] == "delta":
		if r.Method != http.MethodGet {
			methodNotAllowed(w)
			return true
		}
		s.delta(w, r, mb, rest[1], pref)
	case len(rest) == 1 && rest[0] == "sendMail":
		s.sendMail(w, r, mb, body)
	case len(rest) == 2 && rest[0] == "messages" && r.Method == http.MethodGet:
		s.getMessage(w, r, mb, rest[1], pref)
	case len(rest) == 2 && rest[0] == "messages" && r.Method == http.MethodPatch:
		s.patchMessage(w, r, mb, rest[1], body, pref)
	case len(rest) == 2 && rest[0] == "messages" && r.Method == http.MethodDelete:
		s.deleteMessage(w, mb, rest[1])
	case len(rest) == 3 && rest[0] == "messages" && rest[2] == "attachments" && r.Method == http.MethodGet:
		s.attachments(w, mb, rest[1])
	case len(rest) == 1 && rest[0] == "messages" && r.Method == http.MethodPost:
		s.createDraft(w, mb, body, pref)
	case len(rest) == 4 && rest[0] == "messages" && rest[2] == "attachments" && rest[3] == "createUploadSession" && r.Method == http.MethodPost:
		s.createUploadSession(w, mb, rest[1], body)
	case len(rest) == 3 && rest[0] == "messages" && rest[2] == "attachments" && r.Method == http.MethodPost:
		s.addAttachment(w, mb, rest[1], body)
	case len(rest) == 3 && rest[0] == "messages" && rest[2] == "reply" && r.Method == http.MethodPost:
		s.reply(w, mb, rest[1], body)
	case len(rest) == 3 && rest[0] == "messages" && rest[2] == "createReply" && r.Method == http.MethodPost:
		s.createReply(w, mb, rest[1], body, pref)
	case len(rest) == 3 && rest[0] == "messages" && rest[2] == "send" && r.Method == http.MethodPost:
		s.sendDraft(w, mb, rest[1])
	case len(rest) == 3 && rest[0] == "messages" && rest[2] == "move" && r.Method == http.MethodPost:
		s.move(w, r, mb, rest[1], body, pref)
	case len(rest) == 1 && rest[0] == "mailFolders" && r.Method == http.MethodGet:
		s.listFolders(w, r, mb, "msgfolderroot")
	case len(rest) == 2 && rest[0] == "mailFolders" && r.Method == http.MethodGet:
		s.getFolder(w, mb, rest[1])
	case len(rest) == 3 && rest[0] == "mailFolders" && rest[2] == "childFolders" && r.Method == http.MethodGet:
		s.listFolders(w, r, mb, rest[1])
	case len(rest) == 3 && rest[0] == "mailFolders" && rest[2] == "childFolders" && r.Method == http.MethodPost:
		s.createFolder(w, mb, rest[1], body)
	default:
		graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", rest[len(rest)-1]))
	}
	return true
}

// trimParens turns "delta()" into "delta" and "mailFolders('inbox')" style
// keys into "inbox".
func trimParens(p string) string {
	p, _ = url.PathUnescape(p)
	p = strings.TrimSuffix(p, "()")
	if i := strings.Index(p, "('"); i >= 0 && strings.HasSuffix(p, "')") {
		return p[i+2 : len(p)-2]
	}
	return p
}

func methodNotAllowed(w http.ResponseWriter) {
	graphError(w, http.StatusMethodNotAllowed, "ErrorInvalidRequest", "The OData request is not supported.")
}

type prefer struct {
	immutable bool
	pageSize  int
	textBody  bool
}

// preferences reads the Prefer headers (several, or comma-separated).
func preferences(r *http.Request) prefer {
	p := prefer{pageSize: 10}
	for _, h := range r.Header.Values("Prefer") {
		for _, part := range strings.Split(h, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			v = strings.Trim(strings.TrimSpace(v), `"`)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "idtype":
				p.immutable = strings.EqualFold(v, "ImmutableId")
			case "odata.maxpagesize":
				if n, err := strconv.Atoi(v); err == nil && n > 0 {
					p.pageSize = min(n, 1000)
				}
			case "outlook.body-content-type":
				p.textBody = strings.EqualFold(v, "text")
			}
		}
	}
	return p
}

// messageJSON renders a message as Graph does; sel limits the properties
// (internetMessageHeaders only when selected).
func (mb *mailboxData) messageJSON(it *mailItem, sel []string, p prefer) map[string]any {
	m := it.m
	id := it.restID
	if p.immutable {
		id = m.ID
	}
	addr := func(a Addr) map[string]any {
		return map[string]any{"emailAddress": map[string]any{"name": a.Name, "address": a.Address}}
	}
	addrs := func(as []Addr) []any {
		out := []any{}
		for _, a := range as {
			out = append(out, addr(a))
		}
		return out
	}
	ct, content := "text", m.Body
	if m.BodyHTML {
		ct = "html"
		if p.textBody {
			ct, content = "text", stripTags(m.Body)
		}
	}
	preview := m.Body
	if m.BodyHTML {
		preview = stripTags(m.Body)
	}
	if r := []rune(strings.Join(strings.Fields(preview), " ")); len(r) > 255 {
		preview = string(r[:255])
	} else {
		preview = string(r)
	}
	all := map[string]any{
		"@odata.etag":                fmt.Sprintf(`W/"CQAAABYAAAA%08d"`, it.etag),
		"id":                         id,
		"createdDateTime":            m.Received.Format(time.RFC3339),
		"lastModifiedDateTime":       m.Received.Format(time.RFC3339),
		"receivedDateTime":           m.Received.Format(time.RFC3339),
		"sentDateTime":               m.Received.Format(time.RFC3339),
		"hasAttachments":             len(nonInline(m.Attachments)) > 0,
		"internetMessageId":          m.InternetMessageID,
		"subject":                    m.Subject,
		"bodyPreview":                preview,
		"importance":                 "normal",
		"parentFolderId":             it.folder,
		"conversationId":             m.ConversationID,
		"isDeliveryReceiptRequested": false,
		"isReadReceiptRequested":     false,
		"isRead":                     m.IsRead,
		"isDraft":                    m.IsDraft,
		"inferenceClassification":    "focused",
		"body":                       map[string]any{"contentType": ct, "content": content},
		"sender":                     addr(m.From),
		"from":                       addr(m.From),
		"toRecipients":               addrs(m.To),
		"ccRecipients":               addrs(m.Cc),
		"bccRecipients":              []any{},
		"replyTo":                    addrs(m.ReplyTo),
		"flag":                       map[string]any{"flagStatus": "notFlagged"},
	}
	hdrs := []any{}
	for _, h := range m.Headers {
		hdrs = append(hdrs, map[string]any{"name": h.Name, "value": h.Value})
	}
	out := map[string]any{"@odata.type": "#microsoft.graph.message"}
	if len(sel) == 0 {
		for k, v := range all {
			out[k] = v
		}
		return out
	}
	out["id"], out["@odata.etag"] = all["id"], all["@odata.etag"]
	for _, s := range sel {
		s = strings.TrimSpace(s)
		if strings.EqualFold(s, "internetMessageHeaders") {
			out["internetMessageHeaders"] = hdrs
			continue
		}
		for k, v := range all {
			if strings.EqualFold(k, s) {
				out[k] = v
			}
		}
	}
	return out
}

func nonInline(as []Attachment) []Attachment {
	var out []Attachment
	for _, a := range as {
		if !a.Inline {
			out = append(out, a)
		}
	}
	return out
}

var reTag = regexp.MustCompile(`(?s)<[^>]*>`)

func stripTags(s string) string { return strings.TrimSpace(reTag.ReplaceAllString(s, " ")) }

// deltaToken is the state a delta or skip token carries.
type deltaToken struct {
	Folder string `json:"f"`
	Since  int64  `json:"s"`           // changes after this seq
	Until  int64  `json:"u,omitempty"` // skip tokens: the round's end
	Gen    int    `json:"g"`
	Since0 bool   `json:"i,omitempty"` // the initial round (no @removed)
	Filter string `json:"r,omitempty"` // receivedDateTime lower bound, RFC 3339
	Strict bool   `json:"x,omitempty"` // gt rather than ge
	Select string `json:"l,omitempty"`
}

func encodeToken(t deltaToken) string {
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s string) (deltaToken, bool) {
	var t deltaToken
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &t) != nil || t.Folder == "" {
		return t, false
	}
	return t, true
}

var reReceivedFilter = regexp.MustCompile(`(?i)^\s*receivedDateTime\s+(ge|gt)\s+(\S+)\s*$`)

// delta serves one page of a messages delta round.
func (s *Server) delta(w http.ResponseWriter, r *http.Request, mb *mailboxData, folderKey string, p prefer) {
	q := r.URL.Query()
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	f := mb.folder(folderKey)
	if f == nil {
		graphError(w, http.StatusNotFound, "ErrorItemNotFound", "The specified object was not found in the store.")
		return
	}
	var tok deltaToken
	switch {
	case q.Get("$skiptoken") != "" || q.Get("$deltatoken") != "":
		raw := q.Get("$skiptoken")
		if raw == "" {
			raw = q.Get("$deltatoken")
		}
		var ok bool
		if tok, ok = decodeToken(raw); !ok || tok.Folder != f.id {
			graphError(w, http.StatusBadRequest, "ErrorInvalidSyncStateData", "The sync state data is corrupt or otherwise invalid.")
			return
		}
		if tok.Gen != mb.gen {
			graphError(w, http.StatusGone, "SyncStateNotFound", "The sync state generation is not found or has expired. Please restart the synchronization.")
			return
		}
		if q.Get("$deltatoken") != "" { // a new round from the last one's end
			tok.Until, tok.Since0 = mb.seq, false
		}
	default:
		tok = deltaToken{Folder: f.id, Since: 0, Until: mb.seq, Gen: mb.gen, Since0: true, Select: q.Get("$select")}
		if fl := q.Get("$filter"); fl != "" {
			m := reReceivedFilter.FindStringSubmatch(fl)
			if m == nil {
				graphError(w, http.StatusBadRequest, "ErrorInvalidUrlQueryFilter", "The query filter '"+fl+"' is not supported by delta; only receivedDateTime ge|gt is.")
				return
			}
			ts, err := time.Parse(time.RFC3339, m[2])
			if err != nil {
				graphError(w, http.StatusBadRequest, "ErrorInvalidUrlQueryFilter", "The date in the filter is not valid: "+m[2])
				return
			}
			tok.Filter, tok.Strict = ts.UTC().Format(time.RFC3339), strings.EqualFold(m[1], "gt")
		}
		if v := q.Get("changeType"); v != "" && v != "created" && v != "updated" && v != "deleted" {
			graphError(w, http.StatusBadRequest, "ErrorInvalidUrlQuery", "changeType must be created, updated or deleted.")
			return
		}
	}
	var lower time.Time
	if tok.Filter != "" {
		lower, _ = time.Parse(time.RFC3339, tok.Filter)
	}
	type entry struct {
		seq  int64
		item *mailItem
		gone *tombstone
	}
	var es []entry
	for _, it := range mb.items {
		if it.folder != f.id || it.seq <= tok.Since || it.seq > tok.Until {
			continue
		}
		if !lower.IsZero() && (it.m.Received.Before(lower) || tok.Strict && it.m.Received.Equal(lower)) {
			continue
		}
		es = append(es, entry{seq: it.seq, item: it})
	}
	if !tok.Since0 {
		for i := range mb.gone {
			g := &mb.gone[i]
			if g.folder == f.id && g.seq > tok.Since && g.seq <= tok.Until {
				es = append(es, entry{seq: g.seq, gone: g})
			}
		}
	}
	sort.Slice(es, func(i, j int) bool { return es[i].seq < es[j].seq })
	var sel []string
	if tok.Select != "" {
		sel = strings.Split(tok.Select, ",")
	}
	page := []any{}
	last := tok.Since
	for _, e := range es {
		if len(page) == p.pageSize {
			break
		}
		last = e.seq
		if e.gone != nil {
			id := e.gone.restID
			if p.immutable {
				id = e.gone.id
			}
			page = append(page, map[string]any{"@odata.type": "#microsoft.graph.message", "id": id, "@removed": map[string]any{"reason": "deleted"}})
			continue
		}
		page = append(page, mb.messageJSON(e.item, sel, p))
	}
	base := "http://" + r.Host + r.URL.Path
	out := map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(message)", "value": page}
	next := tok
	next.Since = last
	if len(page) == p.pageSize && len(es) > len(page) {
		out["@odata.nextLink"] = base + "?$skiptoken=" + encodeToken(next)
	} else {
		next.Since, next.Until, next.Since0 = tok.Until, 0, false
		out["@odata.deltaLink"] = base + "?$deltatoken=" + encodeToken(next)
	}
	writeJSON(w, http.StatusOK, out)
}

func itemNotFound(w http.ResponseWriter) {
	graphError(w, http.StatusNotFound, "ErrorItemNotFound", "The specified object was not found in the store.")
}

func (s *Server) getMessage(w http.ResponseWriter, r *http.Request, mb *mailboxData, id string, p prefer) {
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	it := mb.item(id)
	if it == nil {
		itemNotFound(w)
		return
	}
	out := mb.messageJSON(it, selectList(r), p)
	out["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users('" + mb.owner + "')/messages/$entity"
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) patchMessage(w http.ResponseWriter, r *http.Request, mb *mailboxData, id string, body []byte, p prefer) {
	var in map[string]json.RawMessage
	if err := json.Unmarshal(body, &in); err != nil {
		badRequest(w, "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	it := mb.item(id)
	if it == nil {
		itemNotFound(w)
		return
	}
	if v, ok := in["isRead"]; ok {
		var b bool
		if json.Unmarshal(v, &b) != nil {
			badRequest(w, "Invalid value specified for property 'isRead' of resource 'Message'.")
			return
		}
		if it.m.IsRead != b {
			it.m.IsRead = b
			mb.touch(it)
		}
	}
	// Update message: toRecipients and ccRecipients are replaced by the
	// values given ("supply the values for relevant fields that should be
	// updated"); body and subject are "Updatable only if isDraft = true".
	// The error for a sent message is inferred (EWS's code for it).
	for _, k := range []string{"subject", "body"} {
		if _, ok := in[k]; ok && !it.m.IsDraft {
			graphError(w, http.StatusBadRequest, "ErrorInvalidPropertyUpdateSentMessage", "Update operation is invalid for property of a sent message.")
			return
		}
	}
	var upd outMessage
	json.Unmarshal(body, &upd)
	m := it.m
	if !checkOut(w, &upd, &m) {
		return
	}
	if m.Subject != it.m.Subject || m.Body != it.m.Body || !sameAddrs(m.To, it.m.To) || !sameAddrs(m.Cc, it.m.Cc) {
		it.m.Subject, it.m.Body, it.m.BodyHTML, it.m.To, it.m.Cc = m.Subject, m.Body, m.BodyHTML, m.To, m.Cc
		mb.touch(it)
	}
	writeJSON(w, http.StatusOK, mb.messageJSON(it, nil, p))
}

func sameAddrs(a, b []Addr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (s *Server) attachments(w http.ResponseWriter, mb *mailboxData, id string) {
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	it := mb.item(id)
	if it == nil {
		itemNotFound(w)
		return
	}
	out := []any{}
	for i, a := range it.m.Attachments {
		out = append(out, map[string]any{
			"@odata.type": "#microsoft.graph.fileAttachment", "id": fmt.Sprintf("%s-att%d", it.m.ID, i),
			"lastModifiedDateTime": it.m.Received.Format(time.RFC3339), "name": a.Name, "contentType": a.ContentType,
			"size": a.Size, "isInline": a.Inline,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('" + mb.owner + "')/messages('" + id + "')/attachments", "value": out})
}

// deleteMessage answers 204 No Content (message: delete). The emulator
// drops the message; whether Exchange keeps a deleted draft in Deleted
// Items is not modelled.
func (s *Server) deleteMessage(w http.ResponseWriter, mb *mailboxData, id string) {
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	it := mb.item(id)
	if it == nil {
		itemNotFound(w)
		return
	}
	mb.seq++
	mb.gone = append(mb.gone, tombstone{id: it.m.ID, restID: it.restID, folder: it.folder, seq: mb.seq})
	delete(mb.items, it.m.ID)
	w.WriteHeader(http.StatusNoContent)
}

// addAttachment adds a file attachment to a message and answers 201
// Created with it (message: add attachment); that call "limits the size of
// the attachment you can add to under 3 MB" — a bigger file goes through
// an upload session.
func (s *Server) addAttachment(w http.ResponseWriter, mb *mailboxData, id string, body []byte) {
	var in struct {
		Type         string `json:"@odata.type"`
		Name         string `json:"name"`
		ContentType  string `json:"contentType"`
		ContentBytes string `json:"contentBytes"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		badRequest(w, "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	if in.Type != "#microsoft.graph.fileAttachment" {
		badRequest(w, "Only file attachments are supported here.")
		return
	}
	data, err := base64.StdEncoding.DecodeString(in.ContentBytes)
	if err != nil {
		badRequest(w, "The attachment's contentBytes are not valid base64.")
		return
	}
	if len(data) >= 3<<20 {
		graphError(w, http.StatusRequestEntityTooLarge, "ErrorAttachmentSizeLimitExceeded", "The attachment is larger than 3 MB; use an upload session.")
		return
	}
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	it := mb.item(id)
	if it == nil {
		itemNotFound(w)
		return
	}
	it.m.Attachments = append(it.m.Attachments, Attachment{Name: in.Name, ContentType: in.ContentType, Size: len(data), Content: data})
	mb.touch(it)
	writeJSON(w, http.StatusCreated, map[string]any{"@odata.type": "#microsoft.graph.fileAttachment",
		"id": fmt.Sprintf("%s-att%d", it.m.ID, len(it.m.Attachments)-1), "name": in.Name, "contentType": in.ContentType, "size": len(data), "isInline": false})
}

// outMessage is a message a client sends (reply, sendMail).
type outMessage struct {
	Subject *string `json:"subject"`
	Body    *struct {
		ContentType string `json:"contentType"`
		Content     string `json:"content"`
	} `json:"body"`
	To      []recipient `json:"toRecipients"`
	Cc      []recipient `json:"ccRecipients"`
	Headers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"internetMessageHeaders"`
	Attachments []struct {
		Type         string `json:"@odata.type"`
		Name         string `json:"name"`
		ContentType  string `json:"contentType"`
		ContentBytes string `json:"contentBytes"`
	} `json:"attachments"`
}

type recipient struct {
	EmailAddress struct {
		Name    string `json:"name"`
		Address string `json:"address"`
	} `json:"emailAddress"`
}

func toAddrs(rs []recipient) ([]Addr, bool) {
	out := make([]Addr, 0, len(rs))
	for _, r := range rs {
		a := strings.ToLower(strings.TrimSpace(r.EmailAddress.Address))
		if !strings.Contains(a, "@") || strings.ContainsAny(a, " <>") {
			return nil, false
		}
		out = append(out, Addr{Name: r.EmailAddress.Name, Address: a})
	}
	return out, true
}

// checkOut validates a message being sent and fills m from it.
func checkOut(w http.ResponseWriter, in *outMessage, m *MailMessage) bool {
	if in.Subject != nil {
		m.Subject = *in.Subject
	}
	if in.Body != nil {
		m.Body, m.BodyHTML = in.Body.Content, strings.EqualFold(in.Body.ContentType, "html")
	}
	if in.To != nil {
		to, ok := toAddrs(in.To)
		if !ok {
			graphError(w, http.StatusBadRequest, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
			return false
		}
		m.To = to
	}
	if in.Cc != nil {
		cc, ok := toAddrs(in.Cc)
		if !ok {
			graphError(w, http.StatusBadRequest, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
			return false
		}
		m.Cc = cc
	}
	if len(in.Headers) > 5 {
		graphError(w, http.StatusBadRequest, "InvalidInternetMessageHeaderCollection", "Maximum number of headers in one message should be less than or equal to 5.")
		return false
	}
	for _, h := range in.Headers {
		if !strings.HasPrefix(strings.ToLower(h.Name), "x-") {
			graphError(w, http.StatusBadRequest, "InvalidInternetMessageHeader", "The internet message header name '"+h.Name+"' should start with 'x-' or 'X-'.")
			return false
		}
		m.Headers = append(m.Headers, Header{h.Name, h.Value})
	}
	for _, a := range in.Attachments {
		if a.Type != "#microsoft.graph.fileAttachment" {
			badRequest(w, "Only file attachments are supported here.")
			return false
		}
		data, err := base64.StdEncoding.DecodeString(a.ContentBytes)
		if err != nil {
			badRequest(w, "The attachment's contentBytes are not valid base64.")
			return false
		}
		if len(data) > 3<<20 {
			graphError(w, http.StatusRequestEntityTooLarge, "ErrorAttachmentSizeLimitExceeded", "The attachment is larger than 3 MB; use an upload session.")
			return false
		}
		m.Attachments = append(m.Attachments, Attachment{Name: a.Name, ContentType: a.ContentType, Size: len(data), Content: data})
	}
	return true
}

// replyAddrs is who a reply to orig goes to: "If the original message
// specifies a recipient in the replyTo property, per Internet Message
// Format (RFC 2822), send the reply to the recipients in replyTo and not
// the recipient in the from property" (Graph v1.0, message: reply and
// message: createReply).
func replyAddrs(orig MailMessage) []Addr {
	if len(orig.ReplyTo) > 0 {
		return append([]Addr(nil), orig.ReplyTo...)
	}
	return []Addr{orig.From}
}

// addAddrs adds more to to, skipping addresses already there.
func addAddrs(to, more []Addr) []Addr {
	for _, a := range more {
		dup := false
		for _, b := range to {
			dup = dup || strings.EqualFold(a.Address, b.Address)
		}
		if !dup {
			to = append(to, a)
		}
	}
	return to
}

type replyBody struct {
	Comment *string     `json:"comment"`
	Message *outMessage `json:"message"`
}

// readReply reads a reply's or createReply's JSON body: "Specify either a
// comment or the body property of the message parameter. Specifying both
// will return an HTTP 400 Bad Request error." (message: reply). An empty
// body is allowed for createReply ("This method does not require a
// request body", message: createReply).
func readReply(w http.ResponseWriter, body []byte, emptyOK bool) (replyBody, bool) {
	var in replyBody
	if emptyOK && len(bytes.TrimSpace(body)) == 0 {
		return in, true
	}
	if err := json.Unmarshal(body, &in); err != nil {
		badRequest(w, "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return in, false
	}
	if in.Comment != nil && *in.Comment != "" && in.Message != nil && in.Message.Body != nil {
		graphError(w, http.StatusBadRequest, "ErrorInvalidArgument", "Specify either a comment or the body property of the message parameter, not both.")
		return in, false
	}
	return in, true
}

// replyMessage builds the reply to orig from a reply or createReply body.
// toRecipients (and ccRecipients) in the body's message are ADDED to the
// reply's recipients: message: reply's example "includes a comment and
// adds a recipient to the reply message" with toRecipients; for
// createReply the same is inferred (its page does not say).
func replyMessage(w http.ResponseWriter, mb *mailboxData, orig MailMessage, in replyBody) (MailMessage, bool) {
	out := MailMessage{From: Addr{Address: mb.owner}, Subject: "RE: " + orig.Subject, ConversationID: orig.ConversationID, InReplyTo: orig.InternetMessageID}
	if in.Comment != nil {
		out.Body = *in.Comment
	}
	if in.Message != nil && !checkOut(w, in.Message, &out) {
		return out, false
	}
	out.To = addAddrs(replyAddrs(orig), out.To)
	return out, true
}

func (s *Server) reply(w http.ResponseWriter, mb *mailboxData, id string, body []byte) {
	in, ok := readReply(w, body, false)
	if !ok {
		return
	}
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	it := mb.item(id)
	if it == nil {
		itemNotFound(w)
		return
	}
	out, ok := replyMessage(w, mb, it.m, in)
	if !ok {
		return
	}
	t.sendLocked(mb, out)
	w.WriteHeader(http.StatusAccepted)
}

// createReply makes a draft reply in Drafts and answers 201 Created with
// it (message: createReply); the draft is addressed as reply would
// address it, and "You can update the draft later to add reply content to
// the body or change other message properties". Custom headers in the
// message parameter are kept on the draft (inferred: createReply's page
// says only "Any writeable properties").
func (s *Server) createReply(w http.ResponseWriter, mb *mailboxData, id string, body []byte, p prefer) {
	in, ok := readReply(w, body, true)
	if !ok {
		return
	}
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	it := mb.item(id)
	if it == nil {
		itemNotFound(w)
		return
	}
	out, ok := replyMessage(w, mb, it.m, in)
	if !ok {
		return
	}
	out.IsDraft, out.IsRead = true, true
	d := t.deliverLocked(mb, out, FolderDrafts)
	di := mb.items[d.ID]
	res := mb.messageJSON(di, nil, p)
	res["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users('" + mb.owner + "')/messages/$entity"
	writeJSON(w, http.StatusCreated, res)
}

// sendDraft sends a draft: "Send an existing draft message … This method
// saves the message in the Sent Items folder" and answers 202 Accepted
// (message: send). The draft leaves Drafts. Sending a message that is not
// a draft is refused (inferred: the page names only drafts; the error
// code is a guess, ErrorInvalidOperation).
func (s *Server) sendDraft(w http.ResponseWriter, mb *mailboxData, id string) {
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	it := mb.item(id)
	if it == nil {
		itemNotFound(w)
		return
	}
	if !it.m.IsDraft {
		graphError(w, http.StatusBadRequest, "ErrorInvalidOperation", "Only a draft message can be sent.")
		return
	}
	if len(it.m.To)+len(it.m.Cc) == 0 {
		graphError(w, http.StatusBadRequest, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
		return
	}
	m := it.m
	m.IsDraft = false
	var custom []Header
	for _, h := range m.Headers {
		if strings.HasPrefix(strings.ToLower(h.Name), "x-") {
			custom = append(custom, h)
		}
	}
	m.Headers = custom
	mb.seq++
	mb.gone = append(mb.gone, tombstone{id: it.m.ID, restID: it.restID, folder: it.folder, seq: mb.seq})
	delete(mb.items, it.m.ID)
	t.sendLocked(mb, m)
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) sendMail(w http.ResponseWriter, r *http.Request, mb *mailboxData, body []byte) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w)
		return
	}
	var in struct {
		Message *outMessage `json:"message"`
		Save    *bool       `json:"saveToSentItems"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Message == nil {
		badRequest(w, "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	out := MailMessage{From: Addr{Address: mb.owner}}
	if !checkOut(w, in.Message, &out) {
		return
	}
	if len(out.To)+len(out.Cc) == 0 {
		graphError(w, http.StatusBadRequest, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
		return
	}
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sendLocked(mb, out)
	w.WriteHeader(http.StatusAccepted)
}

// sendLocked keeps a sent message in Sent Items and delivers a copy to
// every recipient that is a mailbox of the tenant.
func (t *Tenant) sendLocked(mb *mailboxData, m MailMessage) {
	m.IsRead = true
	m.Received = time.Time{}
	custom := m.Headers
	m.Headers = nil
	m.InternetMessageID = "<" + uuid.NewString() + "@" + domainOf(mb.owner) + ">"
	if m.ConversationID == "" {
		m.ConversationID = newID("AAQkAGCv")
	}
	m.Received = t.now()
	m.Headers = append(defaultHeaders(m), custom...)
	sent := t.deliverLocked(mb, m, FolderSentItems)
	for _, a := range append(append([]Addr(nil), m.To...), m.Cc...) {
		if rb := t.mailboxLocked(a.Address); rb != nil {
			c := m
			c.IsRead = false
			c.InternetMessageID = sent.InternetMessageID
			t.deliverLocked(rb, c, FolderInbox)
		}
	}
}

func (s *Server) move(w http.ResponseWriter, r *http.Request, mb *mailboxData, id string, body []byte, p prefer) {
	var in struct {
		DestinationID string `json:"destinationId"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.DestinationID == "" {
		badRequest(w, "Invalid value specified for property 'destinationId'.")
		return
	}
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	it := mb.item(id)
	if it == nil {
		itemNotFound(w)
		return
	}
	f := mb.folders[in.DestinationID]
	if f == nil {
		for _, x := range mb.folders {
			if strings.EqualFold(x.wellKnown, in.DestinationID) {
				f = x
			}
		}
	}
	if f == nil {
		itemNotFound(w)
		return
	}
	if it.folder != f.id {
		mb.seq++
		mb.gone = append(mb.gone, tombstone{id: it.m.ID, restID: it.restID, folder: it.folder, seq: mb.seq})
		it.folder = f.id
		it.restID = newID("AAMkAGMs")
		mb.touch(it)
	}
	out := mb.messageJSON(it, nil, p)
	out["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users('" + mb.owner + "')/messages/$entity"
	writeJSON(w, http.StatusCreated, out)
}

func folderJSON(mb *mailboxData, f *mailFolder) map[string]any {
	children, total, unread := 0, 0, 0
	for _, x := range mb.folders {
		if x.parent == f.id {
			children++
		}
	}
	for _, it := range mb.items {
		if it.folder == f.id {
			total++
			if !it.m.IsRead {
				unread++
			}
		}
	}
	return map[string]any{"id": f.id, "displayName": f.name, "parentFolderId": f.parent, "childFolderCount": children,
		"unreadItemCount": unread, "totalItemCount": total, "sizeInBytes": 0, "isHidden": false}
}

func (s *Server) getFolder(w http.ResponseWriter, mb *mailboxData, key string) {
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	f := mb.folder(key)
	if f == nil || (f.wellKnown == "" && f.id != key) {
		itemNotFound(w)
		return
	}
	out := folderJSON(mb, f)
	out["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users('" + mb.owner + "')/mailFolders/$entity"
	writeJSON(w, http.StatusOK, out)
}

var reNameFilter = regexp.MustCompile(`(?i)^\s*displayName\s+eq\s+'((?:[^']|'')*)'\s*$`)

func (s *Server) listFolders(w http.ResponseWriter, r *http.Request, mb *mailboxData, parentKey string) {
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	parent := mb.folder(parentKey)
	if parent == nil || (parent.wellKnown == "" && parent.id != parentKey) {
		itemNotFound(w)
		return
	}
	name, filtered := "", false
	if fl := r.URL.Query().Get("$filter"); fl != "" {
		m := reNameFilter.FindStringSubmatch(fl)
		if m == nil {
			graphError(w, http.StatusBadRequest, "ErrorInvalidUrlQueryFilter", "The query filter '"+fl+"' is not supported.")
			return
		}
		name, filtered = strings.ReplaceAll(m[1], "''", "'"), true
	}
	var fs []*mailFolder
	for _, f := range mb.folders {
		if f.parent == parent.id && (!filtered || strings.EqualFold(f.name, name)) {
			fs = append(fs, f)
		}
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].name < fs[j].name })
	out := []any{}
	for _, f := range fs {
		out = append(out, folderJSON(mb, f))
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('" + mb.owner + "')/mailFolders", "value": out})
}

func (s *Server) createFolder(w http.ResponseWriter, mb *mailboxData, parentKey string, body []byte) {
	var in struct {
		DisplayName string `json:"displayName"`
	}
	if err := json.Unmarshal(body, &in); err != nil || strings.TrimSpace(in.DisplayName) == "" {
		badRequest(w, "Invalid value specified for property 'displayName'.")
		return
	}
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	parent := mb.folder(parentKey)
	if parent == nil || (parent.wellKnown == "" && parent.id != parentKey) {
		itemNotFound(w)
		return
	}
	for _, f := range mb.folders {
		if f.parent == parent.id && strings.EqualFold(f.name, in.DisplayName) {
			graphError(w, http.StatusConflict, "ErrorFolderExists", "A folder with the specified name already exists.")
			return
		}
	}
	f := &mailFolder{id: newID("AAMkAGFl"), name: in.DisplayName, parent: parent.id}
	mb.folders[f.id] = f
	out := folderJSON(mb, f)
	out["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users('" + mb.owner + "')/mailFolders('" + parent.id + "')/childFolders/$entity"
	writeJSON(w, http.StatusCreated, out)
}

// --- MIME ---

// DeliverMIME parses an RFC 5322 message (an .eml file) and delivers it to
// the mailbox's inbox as Exchange would show it: every header in order as
// internetMessageHeaders, the HTML part as the body when there is one
// (else the plain text), and the attachments' names and sizes. Encoded
// words, quoted-printable and base64 bodies and legacy charsets
// (windows-1257, iso-8859-13 …) are decoded.
func (t *Tenant) DeliverMIME(mailbox string, raw []byte) (MailMessage, error) {
	m, err := ParseMIME(raw)
	if err != nil {
		return MailMessage{}, err
	}
	return t.Deliver(mailbox, m)
}

// ParseMIME reads an RFC 5322 message into a MailMessage (see
// DeliverMIME).
func ParseMIME(raw []byte) (MailMessage, error) {
	hdrs, body, err := readHeaders(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return MailMessage{}, err
	}
	var m MailMessage
	dec := &mime.WordDecoder{CharsetReader: charsetReader}
	word := func(s string) string {
		if d, err := dec.DecodeHeader(s); err == nil {
			return d
		}
		return s
	}
	get := func(name string) string {
		for _, h := range hdrs {
			if strings.EqualFold(h.Name, name) {
				return h.Value
			}
		}
		return ""
	}
	m.Headers = hdrs
	m.Subject = word(get("Subject"))
	m.InternetMessageID = strings.TrimSpace(get("Message-ID"))
	m.InReplyTo = strings.TrimSpace(get("In-Reply-To"))
	if from := parseAddrs(get("From"), word); len(from) > 0 {
		m.From = from[0]
	}
	m.ReplyTo = parseAddrs(get("Reply-To"), word)
	m.To = parseAddrs(get("To"), word)
	m.Cc = parseAddrs(get("Cc"), word)
	if d := get("Date"); d != "" {
		if ts, err := mailDate(d); err == nil {
			m.Received = ts
		}
	}
	var text, html string
	err = walkPart(get("Content-Type"), get("Content-Transfer-Encoding"), get("Content-Disposition"), body, 0, func(ct, disp, name string, data []byte, inline bool) {
		switch {
		case name != "" || strings.HasPrefix(disp, "attachment"):
			m.Attachments = append(m.Attachments, Attachment{Name: word(name), ContentType: ct, Size: len(data), Inline: inline})
		case ct == "text/html" && html == "":
			html = string(data)
		case ct == "text/plain" && text == "":
			text = string(data)
		}
	})
	if err != nil {
		return MailMessage{}, err
	}
	if html != "" {
		m.Body, m.BodyHTML = html, true
	} else {
		m.Body = text
	}
	return m, nil
}

func mailDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 -0700 (MST)"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad date %q", s)
}

// readHeaders reads a header block in order, unfolding continuation lines.
func readHeaders(br *bufio.Reader) ([]Header, []byte, error) {
	var hs []Header
	for {
		line, err := br.ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, nil, err
		}
		l := strings.TrimRight(line, "\r\n")
		if l == "" {
			break
		}
		if (l[0] == ' ' || l[0] == '\t') && len(hs) > 0 {
			hs[len(hs)-1].Value += " " + strings.TrimSpace(l)
		} else if name, val, ok := strings.Cut(l, ":"); ok {
			hs = append(hs, Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(val)})
		}
		if err == io.EOF {
			break
		}
	}
	rest, err := io.ReadAll(br)
	return hs, rest, err
}

func parseAddrs(s string, word func(string) string) []Addr {
	var out []Addr
	for _, part := range splitAddrList(s) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, addr := "", part
		if i := strings.LastIndexByte(part, '<'); i >= 0 && strings.HasSuffix(part, ">") {
			name, addr = strings.Trim(strings.TrimSpace(part[:i]), `"`), part[i+1:len(part)-1]
		}
		out = append(out, Addr{Name: word(name), Address: strings.ToLower(strings.TrimSpace(addr))})
	}
	return out
}

// splitAddrList splits on commas outside quotes and angle brackets.
func splitAddrList(s string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i, c := range s {
		switch {
		case c == '"':
			quoted = !quoted
		case c == '<' && !quoted:
			depth++
		case c == '>' && !quoted && depth > 0:
			depth--
		case c == ',' && !quoted && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func charsetReader(charset string, in io.Reader) (io.Reader, error) {
	cs := strings.ToLower(strings.TrimSpace(charset))
	if cs == "" || cs == "utf-8" || cs == "us-ascii" || cs == "utf8" {
		return in, nil
	}
	e, err := htmlindex.Get(cs)
	if err != nil {
		return nil, fmt.Errorf("charset %q: %w", charset, err)
	}
	return e.NewDecoder().Reader(in), nil
}

// walkPart decodes one MIME part (recursively for multipart) and calls
// leaf for every leaf part with its decoded bytes.
func walkPart(ctype, cte, disp string, body []byte, depth int, leaf func(ct, disp, name string, data []byte, inline bool)) error {
	if depth > 10 {
		return fmt.Errorf("MIME nesting too deep")
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil || ctype == "" {
		mt, params = "text/plain", map[string]string{"charset": "us-ascii"}
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return err
			}
			if err := walkPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), data, depth+1, leaf); err != nil {
				return err
			}
		}
	}
	var r io.Reader = bytes.NewReader(body)
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &newlineStripper{r: r})
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	}
	dtype, dparams, _ := mime.ParseMediaType(disp)
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if strings.HasPrefix(mt, "text/") && name == "" && dtype != "attachment" {
		cr, err := charsetReader(params["charset"], r)
		if err != nil {
			return err
		}
		r = cr
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("part %s: %w", mt, err)
	}
	leaf(mt, dtype, name, data, dtype == "inline" && name != "")
	return nil
}

// newlineStripper drops CR and LF, so base64 bodies broken into lines
// decode.
type newlineStripper struct{ r io.Reader }

// Read implements io.Reader.
func (n *newlineStripper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		j := 0
		for _, c := range p[:k] {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}
