package exchangetest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func mailDo(t *testing.T, method, u string, body any, hdr ...string) (int, http.Header, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer x")
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("%s %s: %s", method, u, data)
		}
	}
	return resp.StatusCode, resp.Header, out
}

func mailErr(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

const box = "it@vraa.gov.lv"

func mailServer(t *testing.T) (*Server, string) {
	t.Helper()
	ten := SandboxTenant(time.Now)
	ten.AddShared(box, "IT")
	s := NewServer(ten)
	t.Cleanup(s.Close)
	return s, s.GraphURL() + "/users/" + box
}

const immutable = `IdType="ImmutableId"`

// Delta rounds page through @odata.nextLink and end with a deltaLink; the
// next round has what changed and "@removed" for what left the folder;
// $select limits the properties; internetMessageHeaders need $select.
func TestMailDelta(t *testing.T) {
	s, u := mailServer(t)
	for i := 0; i < 5; i++ {
		s.Tenant.Deliver(box, MailMessage{From: Addr{Address: "anna.berzina@lgia.gov.lv"}, Subject: "m" + string(rune('0'+i)), Body: "x"})
	}
	link := u + "/mailFolders/inbox/messages/delta()?$select=subject,isRead"
	var ids []string
	var delta string
	pages := 0
	for link != "" {
		st, _, out := mailDo(t, "GET", link, nil, "Prefer", "odata.maxpagesize=2", "Prefer", immutable)
		if st != 200 {
			t.Fatalf("%d %v", st, out)
		}
		pages++
		for _, v := range out["value"].([]any) {
			m := v.(map[string]any)
			if _, ok := m["body"]; ok {
				t.Fatal("body not selected but returned")
			}
			if _, ok := m["internetMessageHeaders"]; ok {
				t.Fatal("headers not selected but returned")
			}
			ids = append(ids, m["id"].(string))
		}
		link, _ = out["@odata.nextLink"].(string)
		delta, _ = out["@odata.deltaLink"].(string)
	}
	if pages != 3 || len(ids) != 5 || delta == "" {
		t.Fatalf("%d pages, %d ids, delta %q", pages, len(ids), delta)
	}
	// Nothing changed: an empty round.
	st, _, out := mailDo(t, "GET", delta, nil, "Prefer", immutable)
	if st != 200 || len(out["value"].([]any)) != 0 {
		t.Fatalf("%d %v", st, out)
	}
	// Read one, move another out: both show.
	mailDo(t, "PATCH", u+"/messages/"+ids[0], map[string]any{"isRead": true}, "Prefer", immutable)
	st, _, out = mailDo(t, "POST", u+"/messages/"+ids[1]+"/move", map[string]any{"destinationId": "deleteditems"}, "Prefer", immutable)
	if st != 201 || out["id"] != ids[1] {
		t.Fatalf("move with immutable ids: %d %v", st, out["id"])
	}
	_, _, out = mailDo(t, "GET", delta, nil, "Prefer", immutable)
	vals := out["value"].([]any)
	if len(vals) != 2 {
		t.Fatalf("changes %v", vals)
	}
	if vals[0].(map[string]any)["isRead"] != true || vals[1].(map[string]any)["@removed"] == nil {
		t.Fatalf("changes %v", vals)
	}
	// Headers with $select.
	st, _, out = mailDo(t, "GET", u+"/messages/"+ids[2]+"?$select=internetMessageHeaders,subject", nil, "Prefer", immutable)
	if st != 200 || out["internetMessageHeaders"] == nil {
		t.Fatalf("%d %v", st, out)
	}
	// An expired link answers 410.
	s.Tenant.ExpireDeltaLinks(box)
	st, _, out = mailDo(t, "GET", delta, nil)
	if st != http.StatusGone || mailErr(out) != "SyncStateNotFound" {
		t.Fatalf("%d %v", st, out)
	}
	// Only receivedDateTime may filter a delta.
	st, _, out = mailDo(t, "GET", u+"/mailFolders/inbox/messages/delta?$filter="+url.QueryEscape("subject eq 'x'"), nil)
	if st != 400 {
		t.Fatalf("%d %v", st, out)
	}
}

// Without Prefer: IdType="ImmutableId" a message's id changes when it
// moves, and the old id no longer works.
func TestMailRestIDsChangeOnMove(t *testing.T) {
	srv, uu := mailServer(t)
	srv.Tenant.Deliver(box, MailMessage{From: Addr{Address: "a@lgia.gov.lv"}, Subject: "s", Body: "b"})
	_, _, out := mailDo(t, "GET", uu+"/mailFolders/inbox/messages/delta", nil)
	id := out["value"].([]any)[0].(map[string]any)["id"].(string)
	st, _, moved := mailDo(t, "POST", uu+"/messages/"+id+"/move", map[string]any{"destinationId": "archive"})
	if st != 201 || moved["id"] == id {
		t.Fatalf("%d: id kept %v", st, moved["id"])
	}
	if st, _, out := mailDo(t, "GET", uu+"/messages/"+id, nil); st != 404 || mailErr(out) != "ErrorItemNotFound" {
		t.Fatalf("old id: %d %v", st, out)
	}
}

// A reply goes to the original's replyTo (else its sender), in its
// conversation, with the subject given; custom headers must start with
// x-; a comment and a body together are refused.
func TestMailReply(t *testing.T) {
	s, u := mailServer(t)
	m, _ := s.Tenant.Deliver(box, MailMessage{From: Addr{Address: "janis.ozols@lgia.gov.lv"}, ReplyTo: []Addr{{Address: "list@lgia.gov.lv"}}, Subject: "Q", Body: "?"})
	body := map[string]any{"message": map[string]any{"subject": "RE: [IT-2026-000001] Q",
		"body":                   map[string]any{"contentType": "html", "content": "<p>ok</p>"},
		"internetMessageHeaders": []any{map[string]any{"name": "X-Auto-Response-Suppress", "value": "All"}}}}
	if st, _, out := mailDo(t, "POST", u+"/messages/"+m.ID+"/reply", body); st != 202 {
		t.Fatalf("%d %v", st, out)
	}
	sent := s.Tenant.Sent(box)
	if len(sent) != 1 || sent[0].To[0].Address != "list@lgia.gov.lv" || sent[0].ConversationID != m.ConversationID || sent[0].InReplyTo != m.InternetMessageID || !sent[0].BodyHTML {
		t.Fatalf("sent %+v", sent)
	}
	// toRecipients in the body are added to replyTo, never replace it
	// (message: reply).
	body["message"].(map[string]any)["toRecipients"] = []any{map[string]any{"emailAddress": map[string]any{"address": "janis.ozols@lgia.gov.lv"}}}
	mailDo(t, "POST", u+"/messages/"+m.ID+"/reply", body)
	if got := s.Tenant.Sent(box)[1].To; len(got) != 2 || got[0].Address != "list@lgia.gov.lv" || got[1].Address != "janis.ozols@lgia.gov.lv" {
		t.Fatalf("to %+v", got)
	}
	bad := map[string]any{"message": map[string]any{"internetMessageHeaders": []any{map[string]any{"name": "Auto-Submitted", "value": "auto-replied"}}}}
	if st, _, out := mailDo(t, "POST", u+"/messages/"+m.ID+"/reply", bad); st != 400 || mailErr(out) != "InvalidInternetMessageHeader" {
		t.Fatalf("%d %v", st, out)
	}
	both := map[string]any{"comment": "hi", "message": map[string]any{"body": map[string]any{"contentType": "text", "content": "x"}}}
	if st, _, _ := mailDo(t, "POST", u+"/messages/"+m.ID+"/reply", both); st != 400 {
		t.Fatalf("comment and body: %d", st)
	}
	// sendMail needs a recipient; a mail to a mailbox of the tenant
	// arrives in its inbox.
	if st, _, _ := mailDo(t, "POST", u+"/sendMail", map[string]any{"message": map[string]any{"subject": "x"}}); st != 400 {
		t.Fatalf("no recipient: %d", st)
	}
	mailDo(t, "POST", u+"/sendMail", map[string]any{"message": map[string]any{"subject": "hello", "toRecipients": []any{map[string]any{"emailAddress": map[string]any{"address": "ilze.liepa@lgia.gov.lv"}}}}})
	if in := s.Tenant.Messages("ilze.liepa@lgia.gov.lv", "inbox"); len(in) != 1 || in[0].Subject != "hello" {
		t.Fatalf("delivered %+v", in)
	}
}

// createReply makes a draft addressed to the original's replyTo; a PATCH
// replaces its recipients, subject and body; send delivers it in the
// conversation, keeps it in Sent Items and takes it out of Drafts. A sent
// message's body cannot be changed; a message that is not a draft cannot
// be sent.
func TestMailCreateReply(t *testing.T) {
	s, u := mailServer(t)
	m, _ := s.Tenant.Deliver(box, MailMessage{From: Addr{Address: "janis.ozols@lgia.gov.lv"}, ReplyTo: []Addr{{Address: "outsider@example.com"}}, Subject: "Q", Body: "?"})
	hdrs := map[string]any{"message": map[string]any{"internetMessageHeaders": []any{map[string]any{"name": "X-Itbot-Request", "value": "IT-2026-000001"}}}}
	st, _, d := mailDo(t, "POST", u+"/messages/"+m.ID+"/createReply", hdrs, "Prefer", immutable)
	if st != 201 || d["isDraft"] != true {
		t.Fatalf("%d %v", st, d)
	}
	to := d["toRecipients"].([]any)
	if len(to) != 1 || to[0].(map[string]any)["emailAddress"].(map[string]any)["address"] != "outsider@example.com" {
		t.Fatalf("draft to %v", to)
	}
	id := d["id"].(string)
	if len(s.Tenant.Messages(box, FolderDrafts)) != 1 {
		t.Fatal("no draft in Drafts")
	}
	patch := map[string]any{"subject": "RE: [IT-2026-000001] Q", "body": map[string]any{"contentType": "html", "content": "<p>ok</p>"},
		"toRecipients": []any{map[string]any{"emailAddress": map[string]any{"address": "janis.ozols@lgia.gov.lv"}}}}
	if st, _, out := mailDo(t, "PATCH", u+"/messages/"+id, patch, "Prefer", immutable); st != 200 {
		t.Fatalf("%d %v", st, out)
	}
	if st, _, out := mailDo(t, "POST", u+"/messages/"+id+"/send", nil, "Prefer", immutable); st != 202 {
		t.Fatalf("send: %d %v", st, out)
	}
	sent := s.Tenant.Sent(box)
	if len(sent) != 1 || len(sent[0].To) != 1 || sent[0].To[0].Address != "janis.ozols@lgia.gov.lv" || sent[0].Subject != "RE: [IT-2026-000001] Q" ||
		sent[0].InReplyTo != m.InternetMessageID || sent[0].ConversationID != m.ConversationID || sent[0].IsDraft {
		t.Fatalf("sent %+v", sent)
	}
	found := false
	for _, h := range sent[0].Headers {
		found = found || h.Name == "X-Itbot-Request"
	}
	if !found {
		t.Fatalf("custom header lost: %+v", sent[0].Headers)
	}
	if n := len(s.Tenant.Messages(box, FolderDrafts)); n != 0 {
		t.Fatalf("%d drafts left", n)
	}
	if st, _, _ := mailDo(t, "POST", u+"/messages/"+sent[0].ID+"/send", nil); st != 400 {
		t.Fatalf("sending a sent message: %d", st)
	}
	if st, _, out := mailDo(t, "PATCH", u+"/messages/"+sent[0].ID, map[string]any{"subject": "x"}); st != 400 || mailErr(out) != "ErrorInvalidPropertyUpdateSentMessage" {
		t.Fatalf("patching a sent subject: %d %v", st, out)
	}
}

// Child folders are found by name and made once; a second one with the
// same name is a conflict.
func TestMailFolders(t *testing.T) {
	_, u := mailServer(t)
	f := u + "/mailFolders/inbox/childFolders"
	if _, _, out := mailDo(t, "GET", f+"?$filter="+url.QueryEscape("displayName eq 'Apstrādāts'"), nil); len(out["value"].([]any)) != 0 {
		t.Fatalf("%v", out)
	}
	st, _, out := mailDo(t, "POST", f, map[string]any{"displayName": "Apstrādāts"})
	if st != 201 || out["displayName"] != "Apstrādāts" {
		t.Fatalf("%d %v", st, out)
	}
	if st, _, out := mailDo(t, "POST", f, map[string]any{"displayName": "apstrādāts"}); st != 409 || mailErr(out) != "ErrorFolderExists" {
		t.Fatalf("%d %v", st, out)
	}
	if _, _, out := mailDo(t, "GET", f+"?$filter="+url.QueryEscape("displayName eq 'Apstrādāts'"), nil); len(out["value"].([]any)) != 1 {
		t.Fatalf("%v", out)
	}
}

// More than four concurrent requests to one mailbox answer 429
// ApplicationThrottled; an application access policy keeps the app to
// its mailboxes; an unknown user is 404.
func TestMailLimits(t *testing.T) {
	s, u := mailServer(t)
	s.Tenant.SetMailLatency(50 * time.Millisecond)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, h, out := mailDo(t, "GET", u+"/mailFolders/inbox/childFolders", nil)
			if st == 429 && (h.Get("Retry-After") == "" || mailErr(out) != "ApplicationThrottled") {
				t.Errorf("429 without Retry-After or code: %v %v", h, out)
			}
			mu.Lock()
			codes[st]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[429] == 0 || codes[200] < 4 || s.Tenant.MaxMailConcurrency(box) <= MailConcurrencyLimit {
		t.Fatalf("codes %v, max %d", codes, s.Tenant.MaxMailConcurrency(box))
	}
	s.Tenant.SetMailLatency(0)
	s.Tenant.RestrictMailTo(box)
	if st, _, out := mailDo(t, "GET", s.GraphURL()+"/users/ilze.liepa@lgia.gov.lv/mailFolders/inbox/childFolders", nil); st != 403 || mailErr(out) != "ErrorAccessDenied" {
		t.Fatalf("%d %v", st, out)
	}
	if st, _, _ := mailDo(t, "GET", u+"/mailFolders/inbox/childFolders", nil); st != 200 {
		t.Fatalf("allowed mailbox: %d", st)
	}
	if st, _, out := mailDo(t, "GET", s.GraphURL()+"/users/nobody@lgia.gov.lv/messages/x", nil); st != 404 || mailErr(out) != "ErrorInvalidUser" {
		t.Fatalf("%d %v", st, out)
	}
}

// ParseMIME reads the adapter's sample mails: encoded words, charsets,
// quoted-printable and base64, multipart alternatives and attachments,
// and every header in order.
func TestParseMIME(t *testing.T) {
	dir := filepath.Join("..", "..", "mailbox", "testdata", "mail")
	read := func(name string) MailMessage {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Skip("sample mails not found:", err)
		}
		m, err := ParseMIME(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	m := read("lv_licence_outlook.eml")
	if m.Subject != "Licences piešķiršana" || m.From.Name != "Ilze Liepa" || m.From.Address != "ilze.liepa@lgia.gov.lv" || !m.BodyHTML || !strings.Contains(m.Body, "lietotājam") {
		t.Fatalf("%+v", m)
	}
	if m.Headers[0].Name != "Received" || m.Headers[1].Name != "Authentication-Results" || !strings.Contains(m.Headers[1].Value, "dmarc=pass action=none header.from=lgia.gov.lv") {
		t.Fatalf("headers %+v", m.Headers[:2])
	}
	m = read("lv_dvs_windows1257.eml")
	if m.From.Name != "Jānis Ozols" || !strings.Contains(m.Body, "kopš rīta neatveras") {
		t.Fatalf("%+v", m)
	}
	m = read("lv_attachment_comment.eml")
	if len(m.Attachments) != 2 || m.Attachments[0].Name != "kluda.png" || m.Attachments[0].Size != 70 || m.Attachments[1].Name != "lietotāji.csv" {
		t.Fatalf("attachments %+v", m.Attachments)
	}
	m = read("lv_consult_newsender.eml")
	if m.From.Name != "Līga Bērza" || !strings.Contains(m.Body, "atvaļinājumā") {
		t.Fatalf("%+v", m)
	}
}
