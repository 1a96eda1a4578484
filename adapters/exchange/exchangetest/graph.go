package exchangetest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
)

// defaultUserProps are the properties Graph returns for a user without
// $select; assignedLicenses and usageLocation need $select.
var defaultUserProps = []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"}

func (s *Server) graph(w http.ResponseWriter, r *http.Request, path string, body []byte) {
	if s.mail(w, r, path, body) { // the mail endpoints (mail.go)
		return
	}
	seg := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && path == "/subscribedSkus":
		s.subscribedSkus(w)
	case path == "/users" && r.Method == http.MethodGet:
		s.listUsers(w, r)
	case path == "/users" && r.Method == http.MethodPost:
		s.createUser(w, body)
	case len(seg) == 2 && seg[0] == "users" && r.Method == http.MethodGet:
		s.getUser(w, r, seg[1])
	case len(seg) == 2 && seg[0] == "users" && r.Method == http.MethodPatch:
		s.patchUser(w, seg[1], body)
	case len(seg) == 3 && seg[0] == "users" && seg[2] == "assignLicense" && r.Method == http.MethodPost:
		s.assignLicense(w, seg[1], body)
	case len(seg) == 3 && seg[0] == "users" && seg[2] == "mailboxSettings" && r.Method == http.MethodGet:
		s.mailboxSettings(w, seg[1])
	case len(seg) == 4 && seg[0] == "users" && seg[2] == "manager" && seg[3] == "$ref" && r.Method == http.MethodPut:
		s.setManager(w, seg[1], body)
	case len(seg) == 2 && seg[0] == "reports" && r.Method == http.MethodGet:
		s.report(w, r, seg[1])
	case path == "/admin/reportSettings" && r.Method == http.MethodGet:
		// adminReportSettings (Graph v1.0): displayConcealedNames true means
		// every report conceals user names.
		s.Tenant.mu.Lock()
		on := s.Tenant.conceal
		s.Tenant.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#admin/reportSettings/$entity",
			"displayConcealedNames": on})
	case len(seg) == 4 && seg[0] == "admin" && seg[1] == "serviceAnnouncement" && seg[2] == "healthOverviews" && r.Method == http.MethodGet:
		s.healthOverview(w, seg[3])
	default:
		graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", seg[len(seg)-1]))
	}
}

func (s *Server) subscribedSkus(w http.ResponseWriter) {
	t := s.Tenant
	t.mu.Lock()
	var out []map[string]any
	for _, k := range t.skus {
		out = append(out, map[string]any{
			"accountId": t.ID, "accountName": "VRAA", "appliesTo": "User", "capabilityStatus": "Enabled",
			"consumedUnits": t.consumedLocked(k), "id": t.ID + "_" + k.SkuID, "skuId": k.SkuID, "skuPartNumber": k.PartNumber,
			"subscriptionIds": []string{uuid.NewSHA1(uuid.NameSpaceOID, []byte(k.SkuID)).String()},
			"prepaidUnits":    map[string]any{"enabled": k.Enabled, "suspended": 0, "warning": 0, "lockedOut": 0},
			"servicePlans":    []any{},
		})
	}
	t.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscribedSkus", "value": out})
}

// userJSON renders a user with the selected properties.
func (t *Tenant) userJSONLocked(u *User, sel []string) map[string]any {
	lic := []map[string]any{}
	// licenseAssignmentStates (Graph v1.0 "licenseAssignmentState resource
	// type"): assignedByGroup is null for a direct assignment, else the
	// group's id; state Active.
	states := []map[string]any{}
	for _, id := range u.SkuIDs {
		lic = append(lic, map[string]any{"disabledPlans": []string{}, "skuId": id})
		var group any
		if g := u.ByGroup[id]; g != "" {
			group = g
		}
		states = append(states, map[string]any{"assignedByGroup": group, "disabledPlans": []string{}, "error": nil,
			"lastUpdatedDateTime": u.Created.UTC().Format(time.RFC3339), "skuId": id, "state": "Active"})
	}
	var loc any
	if u.UsageLocation != "" {
		loc = u.UsageLocation
	}
	var mail any
	if u.Mailbox != nil {
		mail = u.UPN
	}
	all := map[string]any{
		"id": u.ID, "userPrincipalName": u.UPN, "displayName": u.DisplayName, "mailNickname": u.MailNickname,
		"mail": mail, "usageLocation": loc, "accountEnabled": u.AccountEnabled,
		"createdDateTime": u.Created.UTC().Format(time.RFC3339), "assignedLicenses": lic, "licenseAssignmentStates": states,
		"businessPhones": []string{}, "givenName": nil, "surname": nil, "jobTitle": nil, "mobilePhone": nil, "officeLocation": nil, "preferredLanguage": nil,
	}
	if len(sel) == 0 {
		sel = defaultUserProps
	}
	out := map[string]any{}
	for _, p := range sel {
		for k, v := range all {
			if strings.EqualFold(k, p) {
				out[k] = v
			}
		}
	}
	return out
}

func selectList(r *http.Request) []string {
	v := r.URL.Query().Get("$select")
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

func notFound(w http.ResponseWriter, key string) {
	graphError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", key))
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, key string) {
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	u := t.userLocked(key)
	if u == nil {
		notFound(w, key)
		return
	}
	out := t.userJSONLocked(u, selectList(r))
	out["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
	writeJSON(w, http.StatusOK, out)
}

var (
	reEndsWith = regexp.MustCompile(`(?i)^endswith\(\s*(userPrincipalName|mail)\s*,\s*'([^']*)'\s*\)$`)
	reEq       = regexp.MustCompile(`(?i)^(userPrincipalName|mail)\s+eq\s+'([^']*)'$`)
)

// listUsers supports $filter with endswith(userPrincipalName,'…') (an
// advanced query: ConsistencyLevel: eventual and $count=true are required,
// as on Graph) or userPrincipalName eq '…', joined by "or"; $select; $top
// and paging through @odata.nextLink.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var preds []func(*User) bool
	advanced := false
	if f := strings.TrimSpace(q.Get("$filter")); f != "" {
		for _, part := range regexp.MustCompile(`(?i)\s+or\s+`).Split(f, -1) {
			part = strings.TrimSpace(part)
			if m := reEndsWith.FindStringSubmatch(part); m != nil {
				suffix := strings.ToLower(m[2])
				preds = append(preds, func(u *User) bool { return strings.HasSuffix(u.UPN, suffix) })
				advanced = true
			} else if m := reEq.FindStringSubmatch(part); m != nil {
				v := strings.ToLower(m[2])
				preds = append(preds, func(u *User) bool { return u.UPN == v })
			} else {
				graphError(w, http.StatusBadRequest, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified for property '"+part+"' of resource 'User'.")
				return
			}
		}
	}
	if advanced && (!strings.EqualFold(r.Header.Get("ConsistencyLevel"), "eventual") || q.Get("$count") != "true") {
		graphError(w, http.StatusBadRequest, "Request_UnsupportedQuery", "Operator 'endsWith' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information")
		return
	}
	top := 100
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 999 {
			graphError(w, http.StatusBadRequest, "Request_BadRequest", "Invalid page size specified: '"+v+"'. Must be between 1 and 999 inclusive.")
			return
		}
		top = n
	}
	if s.PageSize > 0 && s.PageSize < top {
		top = s.PageSize
	}
	skip, _ := strconv.Atoi(q.Get("$skiptoken"))
	t := s.Tenant
	t.mu.Lock()
	var us []*User
	for _, u := range t.users {
		ok := len(preds) == 0
		for _, p := range preds {
			ok = ok || p(u)
		}
		if ok {
			us = append(us, u)
		}
	}
	sort.Slice(us, func(i, j int) bool { return us[i].UPN < us[j].UPN })
	total := len(us)
	var page []map[string]any
	for i := skip; i < len(us) && i < skip+top; i++ {
		page = append(page, t.userJSONLocked(us[i], selectList(r)))
	}
	t.mu.Unlock()
	out := map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": page}
	if page == nil {
		out["value"] = []any{}
	}
	if q.Get("$count") == "true" {
		out["@odata.count"] = total
	}
	if skip+top < total {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("$skiptoken", strconv.Itoa(skip+top))
		out["@odata.nextLink"] = "http://" + r.Host + r.URL.Path + "?" + nq.Encode()
	}
	writeJSON(w, http.StatusOK, out)
}

type passwordProfile struct {
	Password                      string `json:"password"`
	ForceChangePasswordNextSignIn bool   `json:"forceChangePasswordNextSignIn"`
}

type userBody struct {
	AccountEnabled    *bool            `json:"accountEnabled"`
	DisplayName       *string          `json:"displayName"`
	MailNickname      *string          `json:"mailNickname"`
	UserPrincipalName *string          `json:"userPrincipalName"`
	UsageLocation     *string          `json:"usageLocation"`
	PasswordProfile   *passwordProfile `json:"passwordProfile"`
}

func badRequest(w http.ResponseWriter, msg string) {
	graphError(w, http.StatusBadRequest, "Request_BadRequest", msg)
}

// complexEnough applies Entra ID's password rules: 8 to 256 characters
// and three of: lower case, upper case, digits, symbols.
func complexEnough(pw string) bool {
	if len(pw) < 8 || len(pw) > 256 {
		return false
	}
	var lo, up, dg, sy int
	for _, c := range pw {
		switch {
		case unicode.IsLower(c):
			lo = 1
		case unicode.IsUpper(c):
			up = 1
		case unicode.IsDigit(c):
			dg = 1
		default:
			sy = 1
		}
	}
	return lo+up+dg+sy >= 3
}

func validLocation(s string) bool {
	if len(s) != 2 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func (s *Server) createUser(w http.ResponseWriter, body []byte) {
	var in userBody
	if err := json.Unmarshal(body, &in); err != nil {
		badRequest(w, "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	for name, missing := range map[string]bool{
		"accountEnabled": in.AccountEnabled == nil, "displayName": in.DisplayName == nil || *in.DisplayName == "",
		"mailNickname": in.MailNickname == nil || *in.MailNickname == "", "userPrincipalName": in.UserPrincipalName == nil,
		"passwordProfile": in.PasswordProfile == nil || in.PasswordProfile.Password == "",
	} {
		if missing {
			badRequest(w, fmt.Sprintf("Invalid value specified for property '%s' of resource 'User'.", name))
			return
		}
	}
	upn := strings.ToLower(*in.UserPrincipalName)
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	if !strings.Contains(upn, "@") || !t.domains[domainOf(upn)] {
		badRequest(w, "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.")
		return
	}
	if t.userLocked(upn) != nil {
		badRequest(w, "Another object with the same value for property userPrincipalName already exists.")
		return
	}
	if _, ok := t.shared[upn]; ok {
		badRequest(w, "Another object with the same value for property proxyAddresses already exists.")
		return
	}
	if !complexEnough(in.PasswordProfile.Password) {
		badRequest(w, "The specified password does not comply with password complexity requirements. Please provide a different password.")
		return
	}
	u := &User{ID: uuid.NewString(), UPN: upn, DisplayName: *in.DisplayName, MailNickname: *in.MailNickname, AccountEnabled: *in.AccountEnabled,
		Created: t.now(), ForceChange: in.PasswordProfile.ForceChangePasswordNextSignIn, passwordHash: hashPassword(in.PasswordProfile.Password), lag: t.ReplicationLag}
	if in.UsageLocation != nil {
		if !validLocation(*in.UsageLocation) {
			badRequest(w, "Invalid value specified for property 'usageLocation' of resource 'User'.")
			return
		}
		u.UsageLocation = *in.UsageLocation
	}
	t.users[u.ID] = u
	out := t.userJSONLocked(u, defaultUserProps)
	out["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) patchUser(w http.ResponseWriter, key string, body []byte) {
	var in userBody
	if err := json.Unmarshal(body, &in); err != nil {
		badRequest(w, "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	u := t.userLocked(key)
	if u == nil {
		notFound(w, key)
		return
	}
	if in.UsageLocation != nil {
		if !validLocation(*in.UsageLocation) {
			badRequest(w, "Invalid value specified for property 'usageLocation' of resource 'User'.")
			return
		}
		if u.UsageLocation == "" {
			u.locLag = t.ReplicationLag
		}
		u.UsageLocation = *in.UsageLocation
	}
	if in.DisplayName != nil {
		u.DisplayName = *in.DisplayName
	}
	if in.AccountEnabled != nil {
		u.AccountEnabled = *in.AccountEnabled
	}
	if p := in.PasswordProfile; p != nil {
		if !complexEnough(p.Password) {
			badRequest(w, "The specified password does not comply with password complexity requirements. Please provide a different password.")
			return
		}
		u.passwordHash, u.ForceChange = hashPassword(p.Password), p.ForceChangePasswordNextSignIn
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) assignLicense(w http.ResponseWriter, key string, body []byte) {
	var in struct {
		AddLicenses *[]struct {
			SkuID         string   `json:"skuId"`
			DisabledPlans []string `json:"disabledPlans"`
		} `json:"addLicenses"`
		RemoveLicenses *[]string `json:"removeLicenses"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		badRequest(w, "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	if in.AddLicenses == nil || in.RemoveLicenses == nil {
		badRequest(w, "Invalid value specified for property 'addLicenses' or 'removeLicenses': both are required.")
		return
	}
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	u := t.userLocked(key)
	if u != nil && u.lag > 0 {
		u.lag--
		u = nil
	}
	if u == nil {
		notFound(w, key)
		return
	}
	loc := u.UsageLocation
	if u.locLag > 0 {
		u.locLag--
		loc = ""
	}
	for _, id := range *in.RemoveLicenses {
		if !slices.Contains(u.SkuIDs, strings.ToLower(id)) {
			badRequest(w, fmt.Sprintf("User does not have a corresponding license. License: %s.", id))
			return
		}
		// A licence inherited from a group cannot be removed from the user
		// (Entra group-based licensing: remove the user from the group, or
		// the licence from the group); the wording is inferred.
		if g := u.ByGroup[strings.ToLower(id)]; g != "" {
			badRequest(w, fmt.Sprintf("User license is inherited from a group membership and it cannot be removed directly from the user. Group: %s.", g))
			return
		}
	}
	for _, a := range *in.AddLicenses {
		k := t.skuLocked(a.SkuID)
		if k == nil {
			badRequest(w, fmt.Sprintf("License %s does not correspond to a valid company License.", a.SkuID))
			return
		}
		if loc == "" {
			badRequest(w, "License assignment cannot be done for user with invalid usage location.")
			return
		}
		if !slices.Contains(u.SkuIDs, k.SkuID) && t.consumedLocked(k) >= k.Enabled {
			badRequest(w, fmt.Sprintf("License assignment failed because there are no available licenses for %s.", k.PartNumber))
			return
		}
	}
	for _, id := range *in.RemoveLicenses {
		u.SkuIDs = slices.DeleteFunc(u.SkuIDs, func(x string) bool { return x == strings.ToLower(id) })
	}
	for _, a := range *in.AddLicenses {
		k := t.skuLocked(a.SkuID)
		if !slices.Contains(u.SkuIDs, k.SkuID) {
			u.SkuIDs = append(u.SkuIDs, k.SkuID)
		}
	}
	if len(u.SkuIDs) > 0 {
		if u.Mailbox == nil {
			u.Mailbox = &Mailbox{PollsLeft: t.ReadyAfterPolls}
		}
		u.Mailbox.QuotaBytes = t.quotaLocked(u.SkuIDs)
	}
	out := t.userJSONLocked(u, defaultUserProps)
	out["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) mailboxSettings(w http.ResponseWriter, key string) {
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	u := t.userLocked(key)
	if u == nil {
		notFound(w, key)
		return
	}
	if !t.OpenMailboxSettings {
		// The application access policy's refusal (see OpenMailboxSettings).
		graphError(w, http.StatusForbidden, "ErrorAccessDenied", "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.")
		return
	}
	if u.Mailbox == nil || u.Mailbox.PollsLeft > 0 {
		if u.Mailbox != nil {
			u.Mailbox.PollsLeft--
		}
		graphError(w, http.StatusNotFound, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('" + u.ID + "')/mailboxSettings",
		"timeZone":       "FLE Standard Time", "dateFormat": "dd.MM.yyyy", "timeFormat": "HH:mm", "delegateMeetingMessageDeliveryOptions": "sendToDelegateOnly",
		"language":                map[string]any{"locale": "lv-LV", "displayName": "Latvian (Latvia)"},
		"automaticRepliesSetting": map[string]any{"status": "disabled", "externalAudience": "all"},
	})
}

func (s *Server) setManager(w http.ResponseWriter, key string, body []byte) {
	var in struct {
		ID string `json:"@odata.id"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.ID == "" {
		badRequest(w, "Invalid value specified for property '@odata.id'.")
		return
	}
	t := s.Tenant
	t.mu.Lock()
	defer t.mu.Unlock()
	u := t.userLocked(key)
	if u == nil {
		notFound(w, key)
		return
	}
	ref := in.ID[strings.LastIndexByte(in.ID, '/')+1:]
	ref = strings.TrimSuffix(strings.TrimPrefix(ref, "users('"), "')")
	m := t.userLocked(ref)
	if m == nil {
		notFound(w, ref)
		return
	}
	u.ManagerID = m.ID
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) healthOverview(w http.ResponseWriter, id string) {
	if id != "Exchange" {
		notFound(w, id)
		return
	}
	s.Tenant.mu.Lock()
	st := s.Tenant.health
	s.Tenant.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#admin/serviceAnnouncement/healthOverviews/$entity",
		"service":        "Exchange Online", "status": st, "id": "Exchange",
	})
}

var reReport = regexp.MustCompile(`^(getMailboxUsageDetail|getEmailActivityUserDetail|getOffice365ActiveUserDetail)\(period='(D7|D30|D90|D180)'\)$`)

// report answers a report function with a 302 redirect to a short-lived
// CSV download, as Graph does.
func (s *Server) report(w http.ResponseWriter, r *http.Request, fn string) {
	m := reReport.FindStringSubmatch(fn)
	if m == nil {
		graphError(w, http.StatusBadRequest, "BadRequest", "Invalid report function or period: "+fn)
		return
	}
	data := s.Tenant.reportCSV(m[1], m[2])
	tok := uuid.NewString()
	s.mu.Lock()
	s.dl[tok] = data
	s.mu.Unlock()
	w.Header().Set("Location", "http://"+r.Host+"/reportdownload/"+m[1]+"/"+tok+".csv")
	w.WriteHeader(http.StatusFound)
}

// download serves a report CSV once; it needs no bearer token (the real
// download URL is pre-signed).
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	tok := strings.TrimSuffix(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], ".csv")
	s.mu.Lock()
	data, ok := s.dl[tok]
	delete(s.dl, tok)
	s.mu.Unlock()
	if !ok {
		http.Error(w, "The report download link has expired.", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(data)
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

// reportCSV renders one report with a UTF-8 byte order mark.
func (t *Tenant) reportCSV(fn, period string) []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	refresh := day(now.AddDate(0, 0, -1))
	days := strings.TrimPrefix(period, "D")
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	us := make([]*User, 0, len(t.users))
	for _, u := range t.users {
		us = append(us, u)
	}
	sort.Slice(us, func(i, j int) bool { return us[i].UPN < us[j].UPN })
	name := func(u *User) (string, string) {
		if t.conceal {
			return concealName(u.UPN), concealName(u.DisplayName)
		}
		return u.UPN, u.DisplayName
	}
	products := func(u *User) string {
		var ps []string
		for _, id := range u.SkuIDs {
			if k := t.skuLocked(id); k != nil {
				ps = append(ps, productName(k.PartNumber))
			}
		}
		return strings.Join(ps, "+")
	}
	switch fn {
	case "getMailboxUsageDetail":
		cw.Write([]string{"Report Refresh Date", "User Principal Name", "Display Name", "Is Deleted", "Deleted Date", "Created Date", "Last Activity Date", "Item Count", "Storage Used (Byte)", "Issue Warning Quota (Byte)", "Prohibit Send Quota (Byte)", "Prohibit Send/Receive Quota (Byte)", "Deleted Item Count", "Deleted Item Size (Byte)", "Deleted Item Quota (Byte)", "Has Archive", "Recipient Type", "Report Period"})
		for _, u := range us {
			if u.Mailbox == nil {
				continue
			}
			m := u.Mailbox
			upn, dn := name(u)
			q := m.QuotaBytes
			cw.Write([]string{refresh, upn, dn, "False", "", day(u.Created), day(m.LastActivity), strconv.Itoa(m.Items), strconv.FormatInt(m.SizeBytes, 10),
				strconv.FormatInt(q*49/50, 10), strconv.FormatInt(q*99/100, 10), strconv.FormatInt(q, 10), "0", "0", strconv.FormatInt(30<<30, 10), "False", "User", days})
		}
	case "getEmailActivityUserDetail":
		cw.Write([]string{"Report Refresh Date", "User Principal Name", "Display Name", "Is Deleted", "Deleted Date", "Last Activity Date", "Send Count", "Receive Count", "Read Count", "Meeting Created Count", "Meeting Interacted Count", "Assigned Products", "Report Period"})
		for _, u := range us {
			upn, dn := name(u)
			var last string
			sent, recv := 0, 0
			if u.Mailbox != nil {
				last, sent, recv = day(u.Mailbox.LastActivity), u.Mailbox.Sent, u.Mailbox.Received
			}
			cw.Write([]string{refresh, upn, dn, "False", "", last, strconv.Itoa(sent), strconv.Itoa(recv), strconv.Itoa(recv / 2), "0", "0", products(u), days})
		}
	case "getOffice365ActiveUserDetail":
		cw.Write([]string{"Report Refresh Date", "User Principal Name", "Display Name", "Is Deleted", "Deleted Date", "Has Exchange License", "Has OneDrive License", "Has SharePoint License", "Has Skype For Business License", "Has Yammer License", "Has Teams License", "Exchange Last Activity Date", "OneDrive Last Activity Date", "SharePoint Last Activity Date", "Skype For Business Last Activity Date", "Yammer Last Activity Date", "Teams Last Activity Date", "Exchange License Assign Date", "OneDrive License Assign Date", "SharePoint License Assign Date", "Skype For Business License Assign Date", "Yammer License Assign Date", "Teams License Assign Date", "Assigned Products"})
		for _, u := range us {
			upn, dn := name(u)
			has := "False"
			var last string
			if len(u.SkuIDs) > 0 {
				has = "True"
			}
			if u.Mailbox != nil {
				last = day(u.Mailbox.LastActivity)
			}
			cw.Write([]string{refresh, upn, dn, "False", "", has, has, has, "False", "False", has, last, "", "", "", "", "", day(u.Created), "", "", "", "", "", products(u)})
		}
	}
	cw.Flush()
	return buf.Bytes()
}

// productName is the product name the reports use for a part number.
func productName(part string) string {
	switch part {
	case "STANDARDPACK":
		return "OFFICE 365 E1"
	case "ENTERPRISEPACK":
		return "OFFICE 365 E3"
	case "ENTERPRISEPREMIUM":
		return "OFFICE 365 E5"
	case "EXCHANGESTANDARD":
		return "EXCHANGE ONLINE (PLAN 1)"
	case "EXCHANGEENTERPRISE":
		return "EXCHANGE ONLINE (PLAN 2)"
	case "EXCHANGEDESKLESS":
		return "EXCHANGE ONLINE KIOSK"
	case "SPE_F1":
		return "MICROSOFT 365 F3"
	}
	return part
}
