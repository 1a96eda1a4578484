package exchangetest

import (
	"fmt"
	"net/http"
	"strings"
)

// Permissions: by default the emulated app holds every Graph application
// permission and Exchange role itbot needs. Revoke takes some away, and
// the calls that need them are refused the way the services refuse them,
// so `itbot exchange preflight` can be tested for naming what is missing.

// granted is what the emulated app holds: the least set docs/exchange.md
// asks for (a tenant that granted Directory.* instead would pass too).
var granted = map[string]bool{
	"Organization.Read.All": true, "User.Read.All": true, "User.ReadWrite.All": true, "LicenseAssignment.ReadWrite.All": true,
	"User-PasswordProfile.ReadWrite.All": true, "Reports.Read.All": true, "ReportSettings.Read.All": true, "ServiceHealth.Read.All": true,
}

// Revoke removes Graph application permissions ("Reports.Read.All") or
// Exchange management roles ("Transport Hygiene") from the emulated app.
func (s *Server) Revoke(perms ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revoked == nil {
		s.revoked = map[string]bool{}
	}
	for _, p := range perms {
		s.revoked[p] = true
	}
}

// requiredGraph names the application permissions any one of which lets
// the app make a Graph call (Graph v1.0 reference, each operation's
// "Permissions" table, application column); nil for calls the emulator
// does not gate.
func requiredGraph(method, path string) []string {
	p := strings.TrimPrefix(path, "/v1.0/")
	switch {
	case p == "subscribedSkus":
		return []string{"Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	case strings.HasSuffix(p, "/assignLicense"):
		return []string{"LicenseAssignment.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"}
	case strings.HasPrefix(p, "users") && (strings.Contains(p, "/messages") || strings.Contains(p, "/mailFolders") || strings.Contains(p, "/sendMail") || strings.HasSuffix(p, "/mailboxSettings")):
		return nil // the IT mailbox's calls: scoped by the application access policy
	case strings.HasPrefix(p, "users") && method == http.MethodGet:
		return []string{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	case strings.HasPrefix(p, "users"):
		return []string{"User.ReadWrite.All", "Directory.ReadWrite.All"}
	case strings.HasPrefix(p, "reports/"):
		return []string{"Reports.Read.All"}
	case strings.HasPrefix(p, "admin/reportSettings"):
		return []string{"ReportSettings.Read.All", "ReportSettings.ReadWrite.All"}
	case strings.HasPrefix(p, "admin/serviceAnnouncement"):
		return []string{"ServiceHealth.Read.All"}
	}
	return nil
}

// requiredRole names the Exchange management role whose cmdlets include
// cmdlet (Exchange Online "Mail Recipients", "Mail Recipient Creation",
// "Transport Hygiene" role entries); "" for cmdlets not gated.
func requiredRole(cmdlet string) string {
	switch {
	case strings.Contains(cmdlet, "HostedContentFilter"):
		return "Transport Hygiene"
	case cmdlet == "New-Mailbox":
		return "Mail Recipient Creation"
	case cmdlet == "Get-Mailbox", strings.Contains(cmdlet, "Permission"):
		return "Mail Recipients"
	}
	return ""
}

// denied reports whether the app lacks what a call needs, and answers the
// refusal: Graph's 403 Authorization_RequestDenied "Insufficient
// privileges to complete the operation." (Graph error codes), or for a
// cmdlet outside the app's roles the admin API's
// CommandNotFoundException — Exchange RBAC hides the cmdlets a caller's
// roles do not include ("the term … is not recognized"); the HTTP status
// the admin API gives it is inferred.
func (s *Server) denied(w http.ResponseWriter, r *http.Request, cmd *cmdletInput) bool {
	s.mu.Lock()
	rev := s.revoked
	s.mu.Unlock()
	if len(rev) == 0 {
		return false
	}
	if cmd != nil {
		if role := requiredRole(cmd.CmdletName); role != "" && rev[role] {
			adminError(w, http.StatusBadRequest, "BadRequest", "System.Management.Automation.CommandNotFoundException",
				fmt.Sprintf("The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program.", cmd.CmdletName))
			return true
		}
		return false
	}
	need := requiredGraph(r.Method, r.URL.Path)
	if len(need) == 0 {
		return false
	}
	for _, p := range need {
		if granted[p] && !rev[p] {
			return false
		}
	}
	graphError(w, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	return true
}
