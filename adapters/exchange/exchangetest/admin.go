package exchangetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// cmdletInput is InvokeCommand's request: {"CmdletInput":{"CmdletName":
// "…","Parameters":{…}}}.
type cmdletInput struct {
	CmdletName string                     `json:"CmdletName"`
	Parameters map[string]json.RawMessage `json:"Parameters"`
}

func (c *cmdletInput) str(name string) string {
	for k, v := range c.Parameters {
		if strings.EqualFold(k, name) {
			var s string
			if json.Unmarshal(v, &s) == nil {
				return s
			}
			var b bool
			if json.Unmarshal(v, &b) == nil {
				return fmt.Sprint(b)
			}
			var n json.Number
			if json.Unmarshal(v, &n) == nil {
				return n.String()
			}
		}
	}
	return ""
}

func (c *cmdletInput) has(name string) bool {
	for k := range c.Parameters {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// emptyArray reports whether a parameter was given as an empty array.
func (c *cmdletInput) emptyArray(name string) bool {
	for k, v := range c.Parameters {
		if strings.EqualFold(k, name) {
			var xs []any
			return json.Unmarshal(v, &xs) == nil && xs != nil && len(xs) == 0
		}
	}
	return false
}

// list reads a parameter given as a string or an array of strings.
func (c *cmdletInput) list(name string) []string {
	for k, v := range c.Parameters {
		if strings.EqualFold(k, name) {
			var xs []string
			if json.Unmarshal(v, &xs) == nil {
				return xs
			}
			var s string
			if json.Unmarshal(v, &s) == nil {
				return []string{s}
			}
		}
	}
	return nil
}

func (c *cmdletInput) boolean(name string) bool {
	for k, v := range c.Parameters {
		if strings.EqualFold(k, name) {
			var b bool
			if json.Unmarshal(v, &b) == nil {
				return b
			}
			var s string
			return json.Unmarshal(v, &s) == nil && strings.EqualFold(s, "true")
		}
	}
	return false
}

// adminError writes the admin API's error body. exception names the
// Exchange exception type carried in the message, as the real service
// does ("|Microsoft.Exchange…Exception|text").
func adminError(w http.ResponseWriter, status int, code, exception, msg string) {
	full := msg
	if exception != "" {
		full = "|" + exception + "|" + msg
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": code, "message": full,
		"details":    []map[string]any{{"code": code, "target": "", "message": "Ex" + strings.ToUpper(uuid.NewString()[:6]) + full}},
		"innererror": map[string]any{"message": full, "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException"},
	}})
}

const (
	exNotFound      = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
	exProxyExists   = "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException"
	exNotAccepted   = "Microsoft.Exchange.Configuration.Tasks.TaskException"
	exNotRecognized = "System.Management.Automation.CommandNotFoundException"
	exParameter     = "System.Management.Automation.ParameterBindingException"
)

func adminResult(w http.ResponseWriter, value []map[string]any, warnings []string) {
	if value == nil {
		value = []map[string]any{}
	}
	if warnings == nil {
		warnings = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context":               "https://outlook.office365.com/adminapi/beta/$metadata#Collection(Exchange.GenericHashTable)",
		"adminapi.warnings@odata.type": "#Collection(String)", "@adminapi.warnings": warnings, "value": value,
	})
}

// invoke runs one cmdlet against the tenant.
func (s *Server) invoke(w http.ResponseWriter, r *http.Request, c *cmdletInput) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) != 4 || parts[3] != "InvokeCommand" || r.Method != http.MethodPost {
		adminError(w, http.StatusNotFound, "NotFound", "", "No HTTP resource was found that matches the request URI.")
		return
	}
	t := s.Tenant
	if !strings.EqualFold(parts[2], t.ID) {
		adminError(w, http.StatusBadRequest, "BadRequest", "", "The tenant "+parts[2]+" was not found.")
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	need := func(names ...string) bool {
		for _, n := range names {
			if c.str(n) == "" && c.list(n) == nil {
				adminError(w, http.StatusBadRequest, "BadRequest", exParameter, fmt.Sprintf("A parameter cannot be found that matches parameter name '%s'.", n))
				return false
			}
		}
		return true
	}
	switch c.CmdletName {
	case "Get-Mailbox":
		if !need("Identity") {
			return
		}
		id := strings.ToLower(c.str("Identity"))
		if sm, ok := t.shared[id]; ok {
			adminResult(w, []map[string]any{{"Identity": sm.Name, "Name": sm.Name, "DisplayName": sm.DisplayName, "Alias": sm.Alias,
				"PrimarySmtpAddress": sm.Address, "RecipientTypeDetails": "SharedMailbox", "Guid": sm.GUID}}, nil)
			return
		}
		// A licensed user's mailbox is provisioned asynchronously: until
		// then Get-Mailbox does not find it (the recipient does not exist
		// yet; documented as a delay of minutes after licensing, the
		// error while it lasts inferred to be the usual not-found).
		if u := t.userLocked(id); u != nil && u.Mailbox != nil && u.Mailbox.PollsLeft > 0 {
			u.Mailbox.PollsLeft--
		} else if u != nil && u.Mailbox.Ready() {
			adminResult(w, []map[string]any{{"Identity": u.MailNickname, "Name": u.MailNickname, "DisplayName": u.DisplayName, "Alias": u.MailNickname,
				"PrimarySmtpAddress": u.UPN, "RecipientTypeDetails": "UserMailbox", "ExternalDirectoryObjectId": u.ID}}, nil)
			return
		}
		adminError(w, http.StatusNotFound, "NotFound", exNotFound, fmt.Sprintf("The operation couldn't be performed because object '%s' couldn't be found on 'DB8PR09A001DC03.EURPR09A001.PROD.OUTLOOK.COM'.", c.str("Identity")))
	case "New-Mailbox":
		if !c.boolean("Shared") {
			adminError(w, http.StatusBadRequest, "BadRequest", exParameter, "Only shared mailboxes can be created with New-Mailbox here (-Shared).")
			return
		}
		if !need("Name", "PrimarySmtpAddress") {
			return
		}
		a := strings.ToLower(c.str("PrimarySmtpAddress"))
		if !t.domains[domainOf(a)] {
			adminError(w, http.StatusBadRequest, "BadRequest", exNotAccepted, fmt.Sprintf("The domain %s isn't an accepted domain for your organization.", domainOf(a)))
			return
		}
		if t.addressTakenLocked(a) {
			adminError(w, http.StatusBadRequest, "BadRequest", exProxyExists, fmt.Sprintf("The proxy address \"SMTP:%s\" is already being used by the proxy addresses or LegacyExchangeDN. Please choose another proxy address.", a))
			return
		}
		// Name is "the unique name of the mailbox. The maximum length is
		// 64 characters" (New-Mailbox / Set-Mailbox -Name): a second
		// mailbox of the same Name fails, whatever its address. The
		// error's wording is inferred.
		name := c.str("Name")
		if len(name) > 64 {
			adminError(w, http.StatusBadRequest, "BadRequest", exParameter, fmt.Sprintf("Cannot validate argument on parameter 'Name'. The length of the argument is too long (%d characters; the maximum is 64).", len(name)))
			return
		}
		if t.nameTakenLocked(name) {
			adminError(w, http.StatusBadRequest, "BadRequest", exProxyExists, fmt.Sprintf("The name \"%s\" is already being used. Please try another name.", name))
			return
		}
		alias := c.str("Alias")
		if alias == "" {
			alias = strings.SplitN(a, "@", 2)[0]
		}
		dn := c.str("DisplayName")
		if dn == "" {
			dn = c.str("Name")
		}
		sm := &SharedMailbox{GUID: uuid.NewString(), Name: name, Address: a, Alias: alias, DisplayName: dn, FullAccess: map[string]bool{}, SendAs: map[string]bool{}}
		t.shared[a] = sm
		adminResult(w, []map[string]any{{"Identity": name, "Name": name, "DisplayName": dn, "Alias": alias, "PrimarySmtpAddress": a, "RecipientTypeDetails": "SharedMailbox", "Guid": sm.GUID}}, nil)
	case "Get-MailboxPermission", "Add-MailboxPermission", "Remove-MailboxPermission",
		"Get-RecipientPermission", "Add-RecipientPermission", "Remove-RecipientPermission":
		s.permission(w, c, need)
	case "Get-HostedContentFilterPolicy", "New-HostedContentFilterPolicy", "Set-HostedContentFilterPolicy",
		"Get-HostedContentFilterRule", "New-HostedContentFilterRule", "Set-HostedContentFilterRule":
		s.contentFilter(w, c, need)
	default:
		adminError(w, http.StatusBadRequest, "BadRequest", exNotRecognized, fmt.Sprintf("The term '%s' is not recognized as a name of a cmdlet, function, script file, or executable program.", c.CmdletName))
	}
}

// permission handles the Full Access and Send As cmdlets. The tenant lock
// is held.
func (s *Server) permission(w http.ResponseWriter, c *cmdletInput, need func(...string) bool) {
	t := s.Tenant
	if !need("Identity") {
		return
	}
	id := strings.ToLower(c.str("Identity"))
	sm, ok := t.shared[id]
	if !ok {
		adminError(w, http.StatusNotFound, "NotFound", exNotFound, fmt.Sprintf("The operation couldn't be performed because object '%s' couldn't be found on 'DB8PR09A001DC03.EURPR09A001.PROD.OUTLOOK.COM'.", c.str("Identity")))
		return
	}
	sendAs := strings.Contains(c.CmdletName, "Recipient")
	who := "User"
	right, set := "FullAccess", sm.FullAccess
	if sendAs {
		who, right, set = "Trustee", "SendAs", sm.SendAs
	}
	entry := func(user string) map[string]any {
		if sendAs {
			return map[string]any{"Identity": sm.Alias, "Trustee": user, "AccessControlType": "Allow", "AccessRights": []string{"SendAs"}, "IsInherited": false, "InheritanceType": "None"}
		}
		return map[string]any{"Identity": sm.Alias, "User": user, "AccessRights": []string{"FullAccess"}, "IsInherited": false, "Deny": false, "InheritanceType": "All"}
	}
	switch {
	case strings.HasPrefix(c.CmdletName, "Get-"):
		self := entry(`NT AUTHORITY\SELF`)
		if !sendAs {
			self["AccessRights"] = []string{"FullAccess, ReadPermission"}
		}
		out := []map[string]any{self}
		var users []string
		for u := range set {
			users = append(users, u)
		}
		sort.Strings(users)
		for _, u := range users {
			if f := strings.ToLower(c.str(who)); f == "" || f == u {
				out = append(out, entry(u))
			}
		}
		if f := c.str(who); f != "" {
			out = out[1:]
		}
		adminResult(w, out, nil)
	default:
		if !need(who, "AccessRights") {
			return
		}
		if rs := c.list("AccessRights"); !slices.ContainsFunc(rs, func(x string) bool { return strings.EqualFold(x, right) }) {
			adminError(w, http.StatusBadRequest, "BadRequest", exParameter, fmt.Sprintf("Cannot bind parameter 'AccessRights'. %v is not valid for %s.", rs, c.CmdletName))
			return
		}
		user := strings.ToLower(c.str(who))
		if t.userLocked(user) == nil {
			adminError(w, http.StatusNotFound, "NotFound", exNotFound, fmt.Sprintf("User or group \"%s\" wasn't found. Please make sure you've typed it correctly.", c.str(who)))
			return
		}
		if strings.HasPrefix(c.CmdletName, "Add-") {
			set[user] = sendAs || !c.has("AutoMapping") || c.boolean("AutoMapping")
			adminResult(w, []map[string]any{entry(user)}, nil)
			return
		}
		if _, held := set[user]; !held {
			adminResult(w, nil, []string{fmt.Sprintf("WARNING: Can't remove the access control entry on the object \"%s\" for account \"%s\" because the ACE doesn't exist on the object.", sm.Alias, user)})
			return
		}
		delete(set, user)
		adminResult(w, nil, nil)
	}
}

func policyJSON(p *FilterPolicy) map[string]any {
	nz := func(xs []string) []string {
		if xs == nil {
			return []string{}
		}
		return xs
	}
	out := map[string]any{"Identity": p.Name, "Name": p.Name, "IsDefault": p.IsDefault,
		"AllowedSenders": nz(p.AllowedSenders), "AllowedSenderDomains": nz(p.AllowedSenderDomains),
		"BlockedSenders": nz(p.BlockedSenders), "BlockedSenderDomains": nz(p.BlockedSenderDomains)}
	for k, v := range p.Settings {
		out[k] = v
	}
	return out
}

// contentFilter handles the anti-spam policy and rule cmdlets. The tenant
// lock is held.
func (s *Server) contentFilter(w http.ResponseWriter, c *cmdletInput, need func(...string) bool) {
	t := s.Tenant
	policy := strings.HasSuffix(c.CmdletName, "Policy")
	key := "Identity"
	if strings.HasPrefix(c.CmdletName, "New-") {
		key = "Name"
	}
	if strings.HasPrefix(c.CmdletName, "Get-") && c.str(key) == "" {
		// Get- without -Identity lists them all (the cmdlet reference:
		// Identity is optional for Get-HostedContentFilterPolicy/Rule).
		var out []map[string]any
		if policy {
			for _, p := range t.policies {
				out = append(out, policyJSON(p))
			}
		} else {
			for _, r := range t.rules {
				state := "Disabled"
				if r.Enabled {
					state = "Enabled"
				}
				out = append(out, map[string]any{"Identity": r.Name, "Name": r.Name, "HostedContentFilterPolicy": r.Policy, "RecipientDomainIs": slices.Clone(r.RecipientDomainIs), "State": state, "Priority": r.Priority})
			}
		}
		adminResult(w, out, nil)
		return
	}
	if !need(key) {
		return
	}
	name := c.str(key)
	lname := strings.ToLower(name)
	missing := func() {
		adminError(w, http.StatusNotFound, "NotFound", exNotFound, fmt.Sprintf("The operation couldn't be performed because object '%s' couldn't be found on 'DB8PR09A001DC03.EURPR09A001.PROD.OUTLOOK.COM'.", name))
	}
	// lists sets the lists and settings a New-/Set- call gives. A
	// multivalued parameter is cleared with $null (JSON null); an empty
	// array is refused, as PowerShell's parameter validation refuses an
	// empty collection ("The argument is null, empty, or an element of
	// the argument collection contains a null value"; that these
	// parameters validate so is inferred from the cmdlet reference, which
	// documents $null to empty them).
	lists := func(p *FilterPolicy) bool {
		for _, f := range []struct {
			name string
			dst  *[]string
		}{{"AllowedSenders", &p.AllowedSenders}, {"AllowedSenderDomains", &p.AllowedSenderDomains}, {"BlockedSenders", &p.BlockedSenders}, {"BlockedSenderDomains", &p.BlockedSenderDomains}} {
			if !c.has(f.name) {
				continue
			}
			if c.emptyArray(f.name) {
				adminError(w, http.StatusBadRequest, "BadRequest", exParameter, fmt.Sprintf("Cannot validate argument on parameter '%s'. The argument is null, empty, or an element of the argument collection contains a null value.", f.name))
				return false
			}
			var xs []string
			for _, x := range c.list(f.name) {
				if x = strings.ToLower(strings.TrimSpace(x)); x != "" && !slices.Contains(xs, x) {
					xs = append(xs, x)
				}
			}
			*f.dst = xs
		}
		for _, k := range SpamSettings {
			if c.has(k) {
				if p.Settings == nil {
					p.Settings = map[string]string{}
				}
				p.Settings[k] = c.str(k)
			}
		}
		return true
	}
	ruleJSON := func(r *FilterRule) map[string]any {
		state := "Disabled"
		if r.Enabled {
			state = "Enabled"
		}
		return map[string]any{"Identity": r.Name, "Name": r.Name, "HostedContentFilterPolicy": r.Policy, "RecipientDomainIs": slices.Clone(r.RecipientDomainIs), "State": state, "Priority": r.Priority}
	}
	checkDomains := func() ([]string, bool) {
		ds := c.list("RecipientDomainIs")
		for i, d := range ds {
			ds[i] = strings.ToLower(d)
			if !t.domains[ds[i]] {
				adminError(w, http.StatusBadRequest, "BadRequest", exNotAccepted, fmt.Sprintf("The domain %s isn't an accepted domain for your organization.", d))
				return nil, false
			}
		}
		return ds, true
	}
	switch {
	case policy && strings.HasPrefix(c.CmdletName, "Get-"):
		p, ok := t.policies[lname]
		if !ok {
			missing()
			return
		}
		adminResult(w, []map[string]any{policyJSON(p)}, nil)
	case policy && strings.HasPrefix(c.CmdletName, "New-"):
		if _, ok := t.policies[lname]; ok {
			adminError(w, http.StatusBadRequest, "BadRequest", exProxyExists, fmt.Sprintf("The object '%s' already exists.", name))
			return
		}
		// A new policy starts from Microsoft's defaults, not from the
		// tenant's Default policy: nothing is copied ("Configure
		// anti-spam policies": new policies use the default settings
		// unless given).
		p := &FilterPolicy{Name: name, Settings: DefaultSpamSettings()}
		if !lists(p) {
			return
		}
		t.policies[lname] = p
		adminResult(w, []map[string]any{policyJSON(p)}, nil)
	case policy:
		p, ok := t.policies[lname]
		if !ok {
			missing()
			return
		}
		if !lists(p) {
			return
		}
		adminResult(w, nil, nil)
	case strings.HasPrefix(c.CmdletName, "Get-"):
		r, ok := t.rules[lname]
		if !ok {
			missing()
			return
		}
		adminResult(w, []map[string]any{ruleJSON(r)}, nil)
	case strings.HasPrefix(c.CmdletName, "New-"):
		if !need("HostedContentFilterPolicy", "RecipientDomainIs") {
			return
		}
		if _, ok := t.rules[lname]; ok {
			adminError(w, http.StatusBadRequest, "BadRequest", exProxyExists, fmt.Sprintf("The object '%s' already exists.", name))
			return
		}
		if _, ok := t.policies[strings.ToLower(c.str("HostedContentFilterPolicy"))]; !ok {
			adminError(w, http.StatusNotFound, "NotFound", exNotFound, fmt.Sprintf("The operation couldn't be performed because object '%s' couldn't be found.", c.str("HostedContentFilterPolicy")))
			return
		}
		ds, ok := checkDomains()
		if !ok {
			return
		}
		// Without -Priority a new rule comes last (the lowest priority);
		// with it, the rules at and after that priority move down one
		// (New-HostedContentFilterRule -Priority).
		prio := len(t.rules)
		if c.has("Priority") {
			if n, err := strconv.Atoi(c.str("Priority")); err == nil && n >= 0 && n < prio {
				prio = n
				for _, o := range t.rules {
					if o.Priority >= prio {
						o.Priority++
					}
				}
			}
		}
		r := &FilterRule{Name: name, Policy: c.str("HostedContentFilterPolicy"), RecipientDomainIs: ds, Priority: prio, Enabled: true}
		t.rules[lname] = r
		adminResult(w, []map[string]any{ruleJSON(r)}, nil)
	default:
		r, ok := t.rules[lname]
		if !ok {
			missing()
			return
		}
		if c.has("RecipientDomainIs") {
			ds, ok := checkDomains()
			if !ok {
				return
			}
			r.RecipientDomainIs = ds
		}
		adminResult(w, nil, nil)
	}
}
