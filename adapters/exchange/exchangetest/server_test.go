package exchangetest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func do(t *testing.T, method, url string, body []byte, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer x")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

func errorCode(t *testing.T, data []byte) string {
	t.Helper()
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatalf("not an error body: %s", data)
	}
	return e.Error.Code
}

func TestGraphWireShapes(t *testing.T) {
	s := NewServer(SandboxTenant(time.Now))
	defer s.Close()
	g := s.GraphURL()

	// No token: 401 with Graph's error body.
	req, _ := http.NewRequest("GET", g+"/subscribedSkus", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("no token: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()

	// client-request-id is echoed; request-id is set.
	resp, data := do(t, "GET", g+"/subscribedSkus", nil, map[string]string{"client-request-id": "abc"})
	if resp.Header.Get("client-request-id") != "abc" || resp.Header.Get("request-id") == "" || !strings.Contains(string(data), `"skuPartNumber":"ENTERPRISEPACK"`) {
		t.Fatalf("subscribedSkus: %v %s", resp.Header, data)
	}

	// $select decides what comes back.
	_, data = do(t, "GET", g+"/users/anna.berzina@lgia.gov.lv", nil, nil)
	if strings.Contains(string(data), "assignedLicenses") {
		t.Errorf("assignedLicenses without $select: %s", data)
	}
	_, data = do(t, "GET", g+"/users/anna.berzina@lgia.gov.lv?$select=id,assignedLicenses,usageLocation", nil, nil)
	if !strings.Contains(string(data), "assignedLicenses") || strings.Contains(string(data), "displayName") {
		t.Errorf("with $select: %s", data)
	}

	// endswith is an advanced query: without the header it is refused.
	resp, data = do(t, "GET", g+"/users?$filter=endswith(userPrincipalName,'@lgia.gov.lv')", nil, nil)
	if resp.StatusCode != 400 || errorCode(t, data) != "Request_UnsupportedQuery" {
		t.Errorf("endswith without ConsistencyLevel: %d %s", resp.StatusCode, data)
	}
	resp, data = do(t, "GET", g+"/users?$filter=endswith(userPrincipalName,'@lgia.gov.lv')&$count=true&$top=3", nil, map[string]string{"ConsistencyLevel": "eventual"})
	var page struct {
		Count int               `json:"@odata.count"`
		Next  string            `json:"@odata.nextLink"`
		Value []json.RawMessage `json:"value"`
	}
	json.Unmarshal(data, &page)
	if resp.StatusCode != 200 || page.Count != 7 || len(page.Value) != 3 || page.Next == "" {
		t.Errorf("paged users: %d %s", resp.StatusCode, data)
	}

	// A gzip-compressed body is read.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write([]byte(`{"usageLocation":"LV"}`))
	zw.Close()
	resp, _ = do(t, "PATCH", g+"/users/karlis.vitols@lgia.gov.lv", zb.Bytes(), map[string]string{"Content-Encoding": "gzip", "Content-Type": "application/json"})
	if u, _ := s.Tenant.User("karlis.vitols@lgia.gov.lv"); resp.StatusCode != 204 || u.UsageLocation != "LV" {
		t.Errorf("gzip PATCH: %d, %q", resp.StatusCode, u.UsageLocation)
	}
	if rs := s.Requests(); !rs[len(rs)-1].Gzip {
		t.Error("gzip not recorded")
	}

	// The tenant's report setting (adminReportSettings).
	for _, on := range []bool{false, true} {
		s.Tenant.ConcealNames(on)
		_, data := do(t, "GET", g+"/admin/reportSettings", nil, nil)
		if !strings.Contains(string(data), fmt.Sprintf(`"displayConcealedNames":%v`, on)) {
			t.Errorf("reportSettings with concealment %v: %s", on, data)
		}
	}
	s.Tenant.ConcealNames(false)

	// Reports: a 302 to a CSV with a byte order mark, downloadable once.
	resp, _ = do(t, "GET", g+"/reports/getMailboxUsageDetail(period='D7')", nil, nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 302 || loc == "" {
		t.Fatalf("report: %d %q", resp.StatusCode, loc)
	}
	resp, data = do(t, "GET", loc, nil, nil)
	if resp.StatusCode != 200 || !bytes.HasPrefix(data, []byte("\ufeffReport Refresh Date,User Principal Name")) {
		t.Errorf("download: %d %q", resp.StatusCode, data[:min(len(data), 40)])
	}
	if resp, _ = do(t, "GET", loc, nil, nil); resp.StatusCode != 404 {
		t.Errorf("second download: %d", resp.StatusCode)
	}
	if resp, _ = do(t, "GET", g+"/reports/getMailboxUsageDetail(period='D1')", nil, nil); resp.StatusCode != 400 {
		t.Errorf("bad period: %d", resp.StatusCode)
	}

	// Scripted faults.
	s.Throttle("subscribedSkus", 1, 3*time.Second)
	resp, data = do(t, "GET", g+"/subscribedSkus", nil, nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" || errorCode(t, data) != "TooManyRequests" {
		t.Errorf("throttle: %d %v %s", resp.StatusCode, resp.Header, data)
	}
	if resp, _ = do(t, "GET", g+"/subscribedSkus", nil, nil); resp.StatusCode != 200 {
		t.Errorf("after the throttle: %d", resp.StatusCode)
	}
	s.BadInput("POST /v1.0/users", 1, "Request_BadRequest", "nope")
	resp, data = do(t, "POST", g+"/users", []byte(`{}`), nil)
	if resp.StatusCode != 400 || !strings.Contains(string(data), "nope") {
		t.Errorf("bad input: %d %s", resp.StatusCode, data)
	}
}

func TestAdminWireShapes(t *testing.T) {
	ten := SandboxTenant(time.Now)
	s := NewServer(ten)
	defer s.Close()
	u := s.AdminURL() + "/" + ten.ID + "/InvokeCommand"
	cmd := func(name string, params map[string]any) (*http.Response, map[string]any) {
		body, _ := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": name, "Parameters": params}})
		resp, data := do(t, "POST", u, body, map[string]string{"Content-Type": "application/json"})
		var out map[string]any
		json.Unmarshal(data, &out)
		return resp, out
	}
	resp, out := cmd("Get-Mailbox", map[string]any{"Identity": "lietvediba@lgia.gov.lv"})
	if resp.StatusCode != 200 || !strings.Contains(mustJSON(out["value"]), `"RecipientTypeDetails":"SharedMailbox"`) {
		t.Fatalf("Get-Mailbox: %d %v", resp.StatusCode, out)
	}
	resp, out = cmd("Get-Mailbox", map[string]any{"Identity": "nav@lgia.gov.lv"})
	if resp.StatusCode != 404 || !strings.Contains(mustJSON(out), "ManagementObjectNotFoundException") {
		t.Errorf("missing mailbox: %d %v", resp.StatusCode, out)
	}
	resp, out = cmd("Remove-MailboxPermission", map[string]any{"Identity": "lietvediba@lgia.gov.lv", "User": "anna.berzina@lgia.gov.lv", "AccessRights": []string{"FullAccess"}})
	if resp.StatusCode != 200 || !strings.Contains(mustJSON(out["@adminapi.warnings"]), "doesn't exist") {
		t.Errorf("removing what is not there: %d %v", resp.StatusCode, out)
	}
	resp, _ = cmd("Format-C", nil)
	if resp.StatusCode != 400 {
		t.Errorf("unknown cmdlet: %d", resp.StatusCode)
	}
	resp, _ = cmd("New-HostedContentFilterRule", map[string]any{"Name": "r", "HostedContentFilterPolicy": "p", "RecipientDomainIs": []string{"lgia.gov.lv"}})
	if resp.StatusCode != 404 {
		t.Errorf("rule for a missing policy: %d", resp.StatusCode)
	}
	cmd("New-HostedContentFilterPolicy", map[string]any{"Name": "p", "BlockedSenderDomains": []string{"Spam.Example"}})
	resp, _ = cmd("New-HostedContentFilterRule", map[string]any{"Name": "r", "HostedContentFilterPolicy": "p", "RecipientDomainIs": []string{"vid.gov.lv"}})
	if resp.StatusCode != 400 {
		t.Errorf("rule for a domain outside the tenant: %d", resp.StatusCode)
	}
	cmd("New-HostedContentFilterRule", map[string]any{"Name": "r", "HostedContentFilterPolicy": "p", "RecipientDomainIs": "lgia.gov.lv"})
	if e := ten.Effective("lgia.gov.lv"); strings.Join(e.BlockedSenderDomains, ",") != "spam.example" {
		t.Errorf("effective %+v", e)
	}
	if e := ten.Effective("vraa.gov.lv"); e.Name != "Default" {
		t.Errorf("another domain's policy %+v", e)
	}
	// Wrong tenant, wrong body.
	resp, _ = do(t, "POST", s.AdminURL()+"/other/InvokeCommand", []byte(`{"CmdletInput":{"CmdletName":"Get-Mailbox"}}`), nil)
	if resp.StatusCode != 400 {
		t.Errorf("other tenant: %d", resp.StatusCode)
	}
	resp, _ = do(t, "POST", u, []byte(`{"cmd":"x"}`), nil)
	if resp.StatusCode != 400 {
		t.Errorf("bad body: %d", resp.StatusCode)
	}
	if n := s.Count("Get-Mailbox"); n != 3 { // the other tenant's call is recorded too
		t.Errorf("Count(Get-Mailbox) = %d", n)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
