package mailbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	abs "github.com/microsoft/kiota-abstractions-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	itgraph "itbot/adapters/graph"
)

// graph is the part of Microsoft Graph the adapter uses, on the SDK's
// request builders: one mailbox's inbox delta, its messages (get, mark
// read, attachments, reply, move), sendMail and its inbox's child folders.
// Every call asks for immutable ids, so a message keeps its id when it is
// moved to a folder. Calls to one mailbox are serialised (Outlook serves
// an app at most four at a time per mailbox) and 429/503/504 answers are
// waited out as Retry-After says, within MaxWait.
type graph struct {
	ad     *msgraphgocore.GraphRequestAdapterBase
	params map[string]string
	user   string
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	serial sync.Mutex // one call at a time to the mailbox
}

func newGraph(cfg Config, cred azcore.TokenCredential, transport http.RoundTripper, log *slog.Logger, now func() time.Time, sleep func(context.Context, time.Duration) error) (*graph, error) {
	g := &graph{user: cfg.Address, cfg: cfg, log: log, now: now, sleep: sleep}
	ad, err := itgraph.NewAdapter(itgraph.Options{BaseURL: cfg.GraphBaseURL, Credential: cred, Transport: transport,
		Before: []khttp.Middleware{&serialHandler{g: g}},
		Retry:  &itgraph.Retry{MaxRetries: cfg.MaxRetries, MaxWait: cfg.MaxWait, Now: now, Sleep: sleep, Log: log}})
	if err != nil {
		return nil, fmt.Errorf("mailbox: %w", err)
	}
	g.ad = ad
	g.params = map[string]string{"baseurl": ad.GetBaseUrl()}
	return g, nil
}

// serialHandler lets one request at a time reach the mailbox, including
// its retries. An adapter reads one mailbox, so one lock serves; it does
// not depend on how a URL names the mailbox (an address, or the user id
// Graph puts in its nextLink and deltaLink URLs).
type serialHandler struct{ g *graph }

// Intercept implements khttp.Middleware.
func (h *serialHandler) Intercept(p khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	h.g.serial.Lock()
	defer h.g.serial.Unlock()
	return p.Next(req, index)
}

// sleepCtx waits d or until ctx ends.
var sleepCtx = itgraph.SleepCtx

// statusOf returns the HTTP status of a failed Graph call, 0 for other
// errors.
func statusOf(err error) int {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		return oe.ResponseStatusCode
	}
	var ae *abs.ApiError
	if errors.As(err, &ae) {
		return ae.ResponseStatusCode
	}
	return 0
}

// errorCode returns Graph's error code of a failed call.
func errorCode(err error) string {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		if me := oe.GetErrorEscaped(); me != nil && me.GetCode() != nil {
			return *me.GetCode()
		}
	}
	return ""
}

// transient reports whether a failed call may work later: throttling,
// server errors, the network, timeouts.
func transient(err error) bool {
	if err == nil {
		return false
	}
	if s := statusOf(err); s == http.StatusTooManyRequests || s >= 500 {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}

// describe renders a failed call for the log.
func describe(err error) string {
	if s := statusOf(err); s != 0 {
		msg := ""
		var oe *odataerrors.ODataError
		if errors.As(err, &oe) {
			if me := oe.GetErrorEscaped(); me != nil && me.GetMessage() != nil {
				msg = *me.GetMessage()
			}
		}
		return fmt.Sprintf("%d %s %s %s", s, http.StatusText(s), errorCode(err), msg)
	}
	return err.Error()
}

func (g *graph) me() *users.UserItemRequestBuilder {
	return users.NewUsersRequestBuilderInternal(g.params, g.ad).ByUserId(g.user)
}

// headers returns the request headers every call sends: immutable ids,
// plus extra Prefer values.
func headers(prefer ...string) *abs.RequestHeaders {
	h := abs.NewRequestHeaders()
	h.Add("Prefer", `IdType="ImmutableId"`)
	for _, p := range prefer {
		h.Add("Prefer", p)
	}
	return h
}

// mail is one message as the adapter needs it.
type mail struct {
	ID             string
	InternetID     string
	ConversationID string
	Subject        string
	From           string // lower-case address
	FromName       string
	ReplyTo        []string
	Received       time.Time
	IsRead         bool
	HasAttachments bool
	BodyHTML       bool
	Body           string
	Headers        []Header
	Removed        bool // a delta entry for a message that left the folder
}

// Header is one Internet message header, in the order the message has
// them (the newest, added by the receiving server, first).
type Header struct{ Name, Value string }

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func addrOf(r models.Recipientable) (string, string) {
	if r == nil || r.GetEmailAddress() == nil {
		return "", ""
	}
	e := r.GetEmailAddress()
	return strings.ToLower(strings.TrimSpace(str(e.GetAddress()))), str(e.GetName())
}

func fromModel(m models.Messageable) mail {
	var x mail
	x.ID = str(m.GetId())
	if ad := m.GetAdditionalData(); ad != nil {
		if _, ok := ad["@removed"]; ok {
			x.Removed = true
			return x
		}
	}
	x.InternetID = str(m.GetInternetMessageId())
	x.ConversationID = str(m.GetConversationId())
	x.Subject = str(m.GetSubject())
	x.From, x.FromName = addrOf(m.GetFrom())
	for _, r := range m.GetReplyTo() {
		if a, _ := addrOf(r); a != "" {
			x.ReplyTo = append(x.ReplyTo, a)
		}
	}
	if t := m.GetReceivedDateTime(); t != nil {
		x.Received = t.UTC()
	}
	if p := m.GetIsRead(); p != nil {
		x.IsRead = *p
	}
	if p := m.GetHasAttachments(); p != nil {
		x.HasAttachments = *p
	}
	if b := m.GetBody(); b != nil {
		x.Body = str(b.GetContent())
		x.BodyHTML = b.GetContentType() != nil && *b.GetContentType() == models.HTML_BODYTYPE
	}
	for _, h := range m.GetInternetMessageHeaders() {
		x.Headers = append(x.Headers, Header{Name: str(h.GetName()), Value: str(h.GetValue())})
	}
	return x
}

// deltaSelect is what the delta rounds ask for; the rest (body, headers)
// is read per message.
var deltaSelect = []string{"id", "subject", "from", "receivedDateTime", "conversationId", "internetMessageId", "isRead", "hasAttachments"}

// page is one page of a delta round.
type page struct {
	items []mail
	next  string // @odata.nextLink: more pages in this round
	delta string // @odata.deltaLink: the round is over; start the next one here
}

// deltaStart starts a round over the inbox for mail received at or after
// since (zero: everything).
func (g *graph) deltaStart(ctx context.Context, since time.Time) (page, error) {
	q := &users.ItemMailFoldersItemMessagesDeltaRequestBuilderGetQueryParameters{Select: deltaSelect}
	if !since.IsZero() {
		f := "receivedDateTime ge " + since.UTC().Format(time.RFC3339)
		q.Filter = &f
	}
	b := g.me().MailFolders().ByMailFolderId("inbox").Messages().Delta()
	return g.deltaGet(ctx, b, q)
}

// deltaFollow fetches the page a nextLink or deltaLink points to.
func (g *graph) deltaFollow(ctx context.Context, link string) (page, error) {
	b := g.me().MailFolders().ByMailFolderId("inbox").Messages().Delta().WithUrl(link)
	return g.deltaGet(ctx, b, nil)
}

func (g *graph) deltaGet(ctx context.Context, b *users.ItemMailFoldersItemMessagesDeltaRequestBuilder, q *users.ItemMailFoldersItemMessagesDeltaRequestBuilderGetQueryParameters) (page, error) {
	res, err := b.GetAsDeltaGetResponse(ctx, &users.ItemMailFoldersItemMessagesDeltaRequestBuilderGetRequestConfiguration{
		Headers: headers("odata.maxpagesize=" + strconv.Itoa(g.cfg.PageSize)), QueryParameters: q})
	if err != nil {
		return page{}, err
	}
	var p page
	for _, m := range res.GetValue() {
		p.items = append(p.items, fromModel(m))
	}
	p.next, p.delta = str(res.GetOdataNextLink()), str(res.GetOdataDeltaLink())
	if p.next == "" && p.delta == "" {
		return p, errors.New("mailbox: a delta page with neither @odata.nextLink nor @odata.deltaLink")
	}
	return p, nil
}

// fullSelect is what one message is read with.
var fullSelect = []string{"id", "subject", "from", "replyTo", "receivedDateTime", "conversationId", "internetMessageId",
	"isRead", "hasAttachments", "body", "internetMessageHeaders"}

func (g *graph) get(ctx context.Context, id string) (mail, error) {
	m, err := g.me().Messages().ByMessageId(id).Get(ctx, &users.ItemMessagesMessageItemRequestBuilderGetRequestConfiguration{
		Headers: headers(), QueryParameters: &users.ItemMessagesMessageItemRequestBuilderGetQueryParameters{Select: fullSelect}})
	if err != nil {
		return mail{}, err
	}
	return fromModel(m), nil
}

// attachment is a file's facts; its bytes are never downloaded.
type attachment struct {
	Name   string
	Size   int
	Inline bool
}

func (g *graph) attachments(ctx context.Context, id string) ([]attachment, error) {
	res, err := g.me().Messages().ByMessageId(id).Attachments().Get(ctx, &users.ItemMessagesItemAttachmentsRequestBuilderGetRequestConfiguration{
		Headers: headers(), QueryParameters: &users.ItemMessagesItemAttachmentsRequestBuilderGetQueryParameters{Select: []string{"name", "size", "isInline", "contentType"}}})
	if err != nil {
		return nil, err
	}
	var out []attachment
	for _, a := range res.GetValue() {
		x := attachment{Name: str(a.GetName())}
		if p := a.GetSize(); p != nil {
			x.Size = int(*p)
		}
		if p := a.GetIsInline(); p != nil {
			x.Inline = *p
		}
		out = append(out, x)
	}
	return out, nil
}

func (g *graph) markRead(ctx context.Context, id string) error {
	m := models.NewMessage()
	t := true
	m.SetIsRead(&t)
	_, err := g.me().Messages().ByMessageId(id).Patch(ctx, m, &users.ItemMessagesMessageItemRequestBuilderPatchRequestConfiguration{Headers: headers()})
	return err
}

func (g *graph) move(ctx context.Context, id, folder string) error {
	b := users.NewItemMessagesItemMovePostRequestBody()
	b.SetDestinationId(&folder)
	_, err := g.me().Messages().ByMessageId(id).Move().Post(ctx, b, &users.ItemMessagesItemMoveRequestBuilderPostRequestConfiguration{Headers: headers()})
	return err
}

// outgoing is one mail the bot sends.
type outgoing struct {
	Subject string
	HTML    string
	To      string
	// Headers are custom (x-) headers.
	Headers []Header
	Files   []outFile
}

type outFile struct {
	Name, Mime string
	Data       []byte
}

func recipients(addrs ...string) []models.Recipientable {
	out := []models.Recipientable{}
	for _, a := range addrs {
		r := models.NewRecipient()
		e := models.NewEmailAddress()
		a := a
		e.SetAddress(&a)
		r.SetEmailAddress(e)
		out = append(out, r)
	}
	return out
}

func (o outgoing) headers() []models.InternetMessageHeaderable {
	var hs []models.InternetMessageHeaderable
	for _, h := range o.Headers {
		x := models.NewInternetMessageHeader()
		n, v := h.Name, h.Value
		x.SetName(&n)
		x.SetValue(&v)
		hs = append(hs, x)
	}
	return hs
}

func (o outgoing) body() models.ItemBodyable {
	body := models.NewItemBody()
	ct := models.HTML_BODYTYPE
	content := o.HTML
	body.SetContentType(&ct)
	body.SetContent(&content)
	return body
}

func (o outgoing) message() models.Messageable {
	m := models.NewMessage()
	subj := o.Subject
	m.SetSubject(&subj)
	m.SetBody(o.body())
	if o.To != "" {
		m.SetToRecipients(recipients(o.To))
	}
	if hs := o.headers(); len(hs) > 0 {
		m.SetInternetMessageHeaders(hs)
	}
	var as []models.Attachmentable
	for _, f := range o.Files {
		a := models.NewFileAttachment()
		n, ct := f.Name, f.Mime
		a.SetName(&n)
		a.SetContentType(&ct)
		a.SetContentBytes(f.Data)
		as = append(as, a)
	}
	if len(as) > 0 {
		m.SetAttachments(as)
	}
	return m
}

// reply answers message id in its conversation, to o.To alone.
//
// Graph's /reply sends to the original's replyTo (else its sender) and
// ADDS the toRecipients given, so a mail with a third party in Reply-To
// would have the answer sent there too. So the reply is a draft
// (createReply, with the custom headers), whose recipients, subject and
// body a PATCH then sets (a PATCH replaces them), whose files are added
// to it, and which is then sent. A draft left by a failure before the send
// is deleted.
func (g *graph) reply(ctx context.Context, id string, o outgoing) error {
	cr := users.NewItemMessagesItemCreateReplyPostRequestBody()
	if hs := o.headers(); len(hs) > 0 {
		m := models.NewMessage()
		m.SetInternetMessageHeaders(hs)
		cr.SetMessage(m)
	}
	draft, err := g.me().Messages().ByMessageId(id).CreateReply().Post(ctx, cr, &users.ItemMessagesItemCreateReplyRequestBuilderPostRequestConfiguration{Headers: headers()})
	if err != nil {
		return err
	}
	did := str(draft.GetId())
	if did == "" {
		return errors.New("mailbox: createReply answered without a draft id")
	}
	if err := g.fillDraft(ctx, did, o); err != nil {
		g.dropDraft(did)
		return err
	}
	return g.sendDraft(ctx, did)
}

// sendDraft sends a filled draft. A lost answer is not sent again
// blindly: whether the draft left Drafts says whether it was sent.
func (g *graph) sendDraft(ctx context.Context, did string) error {
	err := g.me().Messages().ByMessageId(did).Send().Post(ctx, &users.ItemMessagesItemSendRequestBuilderPostRequestConfiguration{Headers: headers()})
	if err == nil || !answerLost(err) {
		return err
	}
	// The send's answer was lost (503, 504, no answer): it is not sent
	// again blindly (a second mail). A sent draft leaves Drafts; read it.
	d, gerr := g.me().Messages().ByMessageId(did).Get(ctx, &users.ItemMessagesMessageItemRequestBuilderGetRequestConfiguration{
		Headers: headers(), QueryParameters: &users.ItemMessagesMessageItemRequestBuilderGetQueryParameters{Select: []string{"id", "isDraft"}}})
	switch {
	case gerr != nil && statusOf(gerr) == http.StatusNotFound, gerr == nil && d.GetIsDraft() != nil && !*d.GetIsDraft():
		g.log.Info("mailbox: the send's answer was lost but the draft was sent", "err", describe(err))
		return nil
	case gerr == nil:
		g.dropDraft(did) // not sent: the outbox makes a new one later
	}
	return err
}

// answerLost reports whether a failed call may nevertheless have been
// carried out: a 5xx answer or none at all. A 4xx (429 included) is a
// refusal.
func answerLost(err error) bool {
	if s := statusOf(err); s != 0 {
		return s >= 500
	}
	return true
}

// fillDraft sets a reply draft's recipients (o.To alone), subject and
// body, and attaches o's files.
func (g *graph) fillDraft(ctx context.Context, did string, o outgoing) error {
	p := models.NewMessage()
	subj := o.Subject
	p.SetSubject(&subj)
	p.SetBody(o.body())
	p.SetToRecipients(recipients(o.To))
	p.SetCcRecipients(recipients())
	p.SetBccRecipients(recipients())
	if _, err := g.me().Messages().ByMessageId(did).Patch(ctx, p, &users.ItemMessagesMessageItemRequestBuilderPatchRequestConfiguration{Headers: headers()}); err != nil {
		return err
	}
	return g.attach(ctx, did, o.Files)
}

// Graph takes a request of at most 4 MB, and an attachment added with one
// POST must be under 3 MB ("Add attachment"); bigger files go through an
// upload session in ranges under 4 MB ("Attach large files to Outlook
// messages"). inlineMax keeps a file's base64 (4/3 of it) with its JSON
// under the request limit.
const (
	inlineMax   = 3_000_000
	requestMax  = 4 << 20
	uploadChunk = 8 * 320 << 10 // 2.5 MiB, a multiple of 320 KiB
)

// attach adds files to a draft: small ones in one POST each, large ones
// through an upload session.
func (g *graph) attach(ctx context.Context, did string, files []outFile) error {
	for _, f := range files {
		if len(f.Data) >= inlineMax {
			if err := g.uploadLarge(ctx, did, f); err != nil {
				return err
			}
			continue
		}
		a := models.NewFileAttachment()
		n, ct := f.Name, f.Mime
		a.SetName(&n)
		a.SetContentType(&ct)
		a.SetContentBytes(f.Data)
		if _, err := g.me().Messages().ByMessageId(did).Attachments().Post(ctx, a, &users.ItemMessagesItemAttachmentsRequestBuilderPostRequestConfiguration{Headers: headers()}); err != nil {
			return err
		}
	}
	return nil
}

// uploadLarge attaches one large file through an upload session: the
// session is created with Graph (authorised), the ranges are PUT to its
// pre-authenticated URL without an Authorization header.
func (g *graph) uploadLarge(ctx context.Context, did string, f outFile) error {
	item := models.NewAttachmentItem()
	kind := models.FILE_ATTACHMENTTYPE
	n, ct, size := f.Name, f.Mime, int64(len(f.Data))
	item.SetAttachmentType(&kind)
	item.SetName(&n)
	item.SetContentType(&ct)
	item.SetSize(&size)
	body := users.NewItemMessagesItemAttachmentsCreateUploadSessionPostRequestBody()
	body.SetAttachmentItem(item)
	us, err := g.me().Messages().ByMessageId(did).Attachments().CreateUploadSession().Post(ctx, body, &users.ItemMessagesItemAttachmentsCreateUploadSessionRequestBuilderPostRequestConfiguration{Headers: headers()})
	if err != nil {
		return err
	}
	u := str(us.GetUploadUrl())
	if u == "" {
		return errors.New("mailbox: createUploadSession answered without an uploadUrl")
	}
	hc := &http.Client{Timeout: 2 * time.Minute}
	for from := 0; from < len(f.Data); from += uploadChunk {
		to := min(from+uploadChunk, len(f.Data))
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(f.Data[from:to]))
		if err != nil {
			return err
		}
		req.ContentLength = int64(to - from)
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, to-1, len(f.Data)))
		res, err := hc.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
		res.Body.Close()
		if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusCreated {
			return &uploadError{status: res.StatusCode, file: f.Name}
		}
	}
	return nil
}

// uploadError is a refused range of a large attachment's upload.
type uploadError struct {
	status int
	file   string
}

func (e *uploadError) Error() string {
	return fmt.Sprintf("mailbox: uploading %s: answer %d", e.file, e.status)
}

// tooBig reports whether a message with its files would pass Graph's
// request limit if sent in one request: the files' base64 and the text.
func (o outgoing) tooBig() bool {
	n := 4096 + len(o.Subject) + len(o.HTML)
	for _, f := range o.Files {
		if len(f.Data) >= inlineMax {
			return true
		}
		n += (len(f.Data)+2)/3*4 + 512
	}
	return n > requestMax*9/10
}

// dropDraft deletes a draft that will not be sent (best effort, with a
// context of its own: the caller's may have ended).
func (g *graph) dropDraft(did string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := g.me().Messages().ByMessageId(did).Delete(ctx, &users.ItemMessagesMessageItemRequestBuilderDeleteRequestConfiguration{Headers: headers()}); err != nil {
		g.log.Warn("mailbox: an unsent reply draft was left in Drafts", "err", describe(err))
	}
}

// send sends a new message: in one sendMail when it fits Graph's request
// limit, else as a draft whose files are attached one by one (large ones
// through upload sessions) and which is then sent.
func (g *graph) send(ctx context.Context, o outgoing) error {
	if o.tooBig() {
		d := o
		d.Files = nil
		draft, err := g.me().Messages().Post(ctx, d.message(), &users.ItemMessagesRequestBuilderPostRequestConfiguration{Headers: headers()})
		if err != nil {
			return err
		}
		did := str(draft.GetId())
		if did == "" {
			return errors.New("mailbox: creating a draft answered without an id")
		}
		if err := g.attach(ctx, did, o.Files); err != nil {
			g.dropDraft(did)
			return err
		}
		return g.sendDraft(ctx, did)
	}
	b := users.NewItemSendMailPostRequestBody()
	b.SetMessage(o.message())
	save := true
	b.SetSaveToSentItems(&save)
	return g.me().SendMail().Post(ctx, b, &users.ItemSendMailRequestBuilderPostRequestConfiguration{Headers: headers()})
}

// folder finds the inbox's child folder named name, creating it when
// missing, and returns its id.
func (g *graph) folder(ctx context.Context, name string) (string, error) {
	find := func() (string, error) {
		f := "displayName eq '" + strings.ReplaceAll(name, "'", "''") + "'"
		res, err := g.me().MailFolders().ByMailFolderId("inbox").ChildFolders().Get(ctx, &users.ItemMailFoldersItemChildFoldersRequestBuilderGetRequestConfiguration{
			Headers: headers(), QueryParameters: &users.ItemMailFoldersItemChildFoldersRequestBuilderGetQueryParameters{Filter: &f}})
		if err != nil {
			return "", err
		}
		for _, x := range res.GetValue() {
			if strings.EqualFold(str(x.GetDisplayName()), name) {
				return str(x.GetId()), nil
			}
		}
		return "", nil
	}
	id, err := find()
	if err != nil || id != "" {
		return id, err
	}
	nf := models.NewMailFolder()
	n := name
	nf.SetDisplayName(&n)
	created, err := g.me().MailFolders().ByMailFolderId("inbox").ChildFolders().Post(ctx, nf, &users.ItemMailFoldersItemChildFoldersRequestBuilderPostRequestConfiguration{Headers: headers()})
	if statusOf(err) == http.StatusConflict { // made meanwhile
		return find()
	}
	if err != nil {
		return "", err
	}
	g.log.Info("mailbox: folder created", "folder", name)
	return str(created.GetId()), nil
}
