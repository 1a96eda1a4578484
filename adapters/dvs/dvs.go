package dvs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"itbot/bot"
)

// The contract's JSON shapes (docs/dvs-api.yaml).

type wireHealth struct {
	Status    string    `json:"status"` // operational, degraded, unavailable
	Detail    string    `json:"detail,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
}

type wireRole struct {
	ID     string `json:"id"`
	NameLV string `json:"name_lv"`
	NameEN string `json:"name_en"`
}

type wireRoleChange struct {
	User    string     `json:"user"`
	Role    *wireRole  `json:"role"`
	Changed bool       `json:"changed"`
	Created bool       `json:"created"`
	Roles   []wireRole `json:"roles"`
	Revoked []wireRole `json:"revoked"`
}

type wireUser struct {
	User        string   `json:"user"`
	DisplayName string   `json:"display_name"`
	Roles       []string `json:"roles"`
}

type wireUsers struct {
	Org   string     `json:"org"`
	Users []wireUser `json:"users"`
}

type wireVerification struct {
	Status    string     `json:"status"` // none, pending, verified, failed
	CheckedAt *time.Time `json:"checked_at,omitempty"`
	Detail    string     `json:"detail,omitempty"`
}

type wireBackup struct {
	ID           string           `json:"id"`
	Scope        string           `json:"scope"`
	Status       string           `json:"status"` // running, succeeded, failed
	StartedAt    time.Time        `json:"started_at"`
	FinishedAt   *time.Time       `json:"finished_at,omitempty"`
	SizeBytes    int64            `json:"size_bytes"`
	SHA256       string           `json:"sha256,omitempty"`
	Verification wireVerification `json:"verification"`
	Detail       string           `json:"detail,omitempty"`
}

type wireBackups struct {
	Backups []wireBackup `json:"backups"`
}

type wireExportStart struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type wireExport struct {
	ID        string `json:"id"`
	Org       string `json:"org"`
	From      string `json:"from"`
	To        string `json:"to"`
	Status    string `json:"status"` // running, succeeded, failed, cancelled
	Done      int    `json:"done"`
	Total     int    `json:"total"`
	Documents int    `json:"documents"`
	SizeBytes int64  `json:"size_bytes"`
	SHA256    string `json:"sha256,omitempty"`
	Location  string `json:"location,omitempty"`
	Detail    string `json:"detail,omitempty"`
}

// OrgID returns the DVS organisation of an institution: its DVSOrgID, or
// its code when that is empty.
func OrgID(inst *bot.Institution) string {
	if inst.DVSOrgID != "" {
		return inst.DVSOrgID
	}
	return inst.Code
}

func (c *Client) scope(inst *bot.Institution) (string, subject, error) {
	if inst == nil {
		return "", subject{}, bot.Errorf(bot.EINVALID, "dvs.not_found", "What", "institution")
	}
	org := OrgID(inst)
	return org, subject{Institution: inst.Code, Org: org}, nil
}

func userPath(org, user string) string {
	return "/orgs/" + esc(org) + "/users/" + esc(user)
}

// GrantRole gives a user of the institution a DVS role; the DVS provisions
// an account it does not know yet. Holding the role already is success.
func (c *Client) GrantRole(ctx context.Context, inst *bot.Institution, user, role string) (*bot.Outcome, error) {
	org, s, err := c.scope(inst)
	if err != nil {
		return nil, err
	}
	user = strings.ToLower(strings.TrimSpace(user))
	s.User, s.Role = user, role
	var ch wireRoleChange
	if _, err := c.do(ctx, call{method: http.MethodPut, path: userPath(org, user) + "/roles/" + esc(role)}, &ch); err != nil {
		return nil, c.fail(err, s)
	}
	r := roleOr(ch.Role, role)
	id := "dvs.role_granted"
	if !ch.Changed {
		id = "dvs.role_already"
	}
	out := &bot.Outcome{Summary: bot.P(id, "User", user, "RoleLV", r.NameLV, "RoleEN", r.NameEN)}
	if ch.Created {
		out.Details = append(out.Details, bot.P("dvs.user_created", "User", user))
	}
	out.Details = append(out.Details, bot.P("dvs.roles_now", rolesArgs(ch.Roles)...))
	return out, nil
}

// RevokeRole takes a DVS role from a user of the institution, or every
// role when role is empty. Not holding it is success; an unknown user is
// ENOTFOUND.
func (c *Client) RevokeRole(ctx context.Context, inst *bot.Institution, user, role string) (*bot.Outcome, error) {
	org, s, err := c.scope(inst)
	if err != nil {
		return nil, err
	}
	user = strings.ToLower(strings.TrimSpace(user))
	s.User, s.Role = user, role
	path := userPath(org, user) + "/roles"
	if role != "" {
		path += "/" + esc(role)
	}
	var ch wireRoleChange
	if _, err := c.do(ctx, call{method: http.MethodDelete, path: path}, &ch); err != nil {
		return nil, c.fail(err, s)
	}
	var sum bot.Phrase
	switch {
	case role == "" && ch.Changed:
		sum = bot.P("dvs.roles_revoked_all", append([]any{"User", user}, rolesArgs(ch.Revoked)...)...)
	case role == "":
		return &bot.Outcome{Summary: bot.P("dvs.no_roles", "User", user)}, nil
	default:
		r := roleOr(ch.Role, role)
		id := "dvs.role_revoked"
		if !ch.Changed {
			id = "dvs.role_not_held"
		}
		sum = bot.P(id, "User", user, "RoleLV", r.NameLV, "RoleEN", r.NameEN)
	}
	return &bot.Outcome{Summary: sum, Details: []bot.Phrase{bot.P("dvs.roles_now", rolesArgs(ch.Roles)...)}}, nil
}

func roleOr(r *wireRole, id string) wireRole {
	if r == nil {
		return wireRole{ID: id, NameLV: id, NameEN: id}
	}
	if r.NameLV == "" {
		r.NameLV = r.ID
	}
	if r.NameEN == "" {
		r.NameEN = r.ID
	}
	return *r
}

func rolesArgs(rs []wireRole) []any {
	if len(rs) == 0 {
		return []any{"RolesLV", "—", "RolesEN", "—"}
	}
	lv, en := make([]string, len(rs)), make([]string, len(rs))
	for i, r := range rs {
		r := roleOr(&r, r.ID)
		lv[i], en[i] = r.NameLV, r.NameEN
	}
	return []any{"RolesLV", strings.Join(lv, ", "), "RolesEN", strings.Join(en, ", ")}
}

// Users lists the institution's DVS users with their roles.
func (c *Client) Users(ctx context.Context, inst *bot.Institution) ([]bot.DVSUser, error) {
	org, s, err := c.scope(inst)
	if err != nil {
		return nil, err
	}
	var us wireUsers
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/orgs/" + esc(org) + "/users"}, &us); err != nil {
		return nil, c.fail(err, s)
	}
	out := make([]bot.DVSUser, 0, len(us.Users))
	for _, u := range us.Users {
		out = append(out, bot.DVSUser{User: u.User, Roles: append([]string{}, u.Roles...)})
	}
	return out, nil
}

// Roles lists the role ids the DVS knows (GET /roles), in its order.
func (c *Client) Roles(ctx context.Context) ([]string, error) {
	var out struct {
		Roles []struct {
			ID string `json:"id"`
		} `json:"roles"`
	}
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/roles"}, &out); err != nil {
		return nil, c.fail(err, subject{})
	}
	ids := make([]string, 0, len(out.Roles))
	for _, r := range out.Roles {
		ids = append(ids, r.ID)
	}
	return ids, nil
}

// BackupCount is how many backups Backups asks for.
const BackupCount = 14

// Backups lists the backups that hold the institution's data, newest
// first.
func (c *Client) Backups(ctx context.Context, inst *bot.Institution) ([]bot.Backup, error) {
	org, s, err := c.scope(inst)
	if err != nil {
		return nil, err
	}
	bs, err := c.ListBackups(ctx, org, BackupCount)
	if err != nil {
		return nil, c.fail(err, s)
	}
	out := make([]bot.Backup, len(bs))
	for i, b := range bs {
		out[i] = b.Backup
	}
	return out, nil
}

// Export copies the institution's documents registered from day from
// through day to: it starts an export job, polls its progress (reporting
// each change to progress) until it ends, and returns the result's
// location, size and SHA-256. When ctx ends the job is cancelled.
func (c *Client) Export(ctx context.Context, inst *bot.Institution, from, to time.Time, progress bot.Progress) (*bot.Outcome, error) {
	org, s, err := c.scope(inst)
	if err != nil {
		return nil, err
	}
	s.From, s.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
	s.What = "export"
	var ex wireExport
	_, err = c.do(ctx, call{method: http.MethodPost, path: "/orgs/" + esc(org) + "/exports",
		body: wireExportStart{From: s.From, To: s.To}, idemKey: newKey()}, &ex)
	if err != nil {
		return nil, c.fail(err, s)
	}
	c.log.Info("dvs export started", "id", ex.ID, "org", org, "from", s.From, "to", s.To, "total", ex.Total)
	lastDone, lastTotal := -1, -1
	report := func(e wireExport) {
		if progress != nil && (e.Done != lastDone || e.Total != lastTotal) {
			lastDone, lastTotal = e.Done, e.Total
			progress(e.Done, e.Total)
		}
	}
	report(ex)
	for ex.Status == "running" || ex.Status == "queued" {
		if err := c.sleep(ctx, c.cfg.PollInterval); err != nil {
			c.cancelExport(ex.ID)
			return nil, c.fail(err, s)
		}
		var next wireExport
		if _, err := c.do(ctx, call{method: http.MethodGet, path: "/exports/" + esc(ex.ID)}, &next); err != nil {
			if ctx.Err() != nil {
				c.cancelExport(ex.ID)
			}
			return nil, c.fail(err, s)
		}
		ex = next
		report(ex)
	}
	kv := []any{"Institution", inst.Code, "From", s.From, "To", s.To, "Count", ex.Documents}
	switch ex.Status {
	case "succeeded":
	case "cancelled":
		return nil, bot.Wrap(fmt.Errorf("dvs: export %s cancelled", ex.ID), bot.EUNAVAILABLE, "dvs.cancelled")
	default:
		return nil, bot.Wrap(fmt.Errorf("dvs: export %s %s: %s", ex.ID, ex.Status, ex.Detail), bot.EUNAVAILABLE, "dvs.export_failed", "Detail", ex.Detail)
	}
	if ex.Documents == 0 || ex.Location == "" {
		return &bot.Outcome{Summary: bot.P("dvs.export_empty", kv...)}, nil
	}
	c.log.Info("dvs export done", "id", ex.ID, "documents", ex.Documents, "bytes", ex.SizeBytes, "sha256", ex.SHA256)
	return &bot.Outcome{
		Summary: bot.P("dvs.export_done", kv...),
		Details: []bot.Phrase{
			bot.P("dvs.export_location", "Location", ex.Location),
			bot.P("dvs.export_sha", "SHA256", ex.SHA256),
			bot.P("dvs.export_size", SizeArgs(ex.SizeBytes)...),
			bot.P("dvs.export_id", "ID", ex.ID),
		},
	}, nil
}

// wireRestore is a restore job as the contract returns it.
type wireRestore struct {
	ID        string `json:"id"`
	Org       string `json:"org"`
	BackupID  string `json:"backup_id"`
	Status    string `json:"status"` // running, succeeded, failed
	Done      int    `json:"done"`
	Total     int    `json:"total"`
	Documents int    `json:"documents"`
	Detail    string `json:"detail,omitempty"`
}

// Restore puts the institution's documents back as backup holds them: it
// starts a restore job (POST /orgs/{org}/restores, with an idempotency
// key, so a retried start is one job), polls it (reporting progress) until
// it ends, and returns how many documents came back.
func (c *Client) Restore(ctx context.Context, inst *bot.Institution, backup string, progress bot.Progress) (*bot.Outcome, error) {
	org, s, err := c.scope(inst)
	if err != nil {
		return nil, err
	}
	s.Backup = backup
	var rs wireRestore
	_, err = c.do(ctx, call{method: http.MethodPost, path: "/orgs/" + esc(org) + "/restores",
		body: map[string]string{"backup_id": backup}, idemKey: newKey()}, &rs)
	if err != nil {
		return nil, c.fail(err, s)
	}
	c.log.Info("dvs restore started", "id", rs.ID, "org", org, "backup", backup)
	last := -1
	report := func(r wireRestore) {
		if progress != nil && r.Done != last {
			last = r.Done
			progress(r.Done, r.Total)
		}
	}
	report(rs)
	for rs.Status == "running" || rs.Status == "queued" {
		if err := c.sleep(ctx, c.cfg.PollInterval); err != nil {
			return nil, c.fail(err, s)
		}
		var next wireRestore
		if _, err := c.do(ctx, call{method: http.MethodGet, path: "/restores/" + esc(rs.ID)}, &next); err != nil {
			return nil, c.fail(err, s)
		}
		rs = next
		report(rs)
	}
	if rs.Status != "succeeded" {
		return nil, bot.Wrap(fmt.Errorf("dvs: restore %s %s: %s", rs.ID, rs.Status, rs.Detail), bot.EUNAVAILABLE, "dvs.restore_failed", "Detail", rs.Detail)
	}
	c.log.Info("dvs restore done", "id", rs.ID, "documents", rs.Documents)
	return &bot.Outcome{Summary: bot.P("dvs.restore_done", "Institution", inst.Code, "Backup", backup, "Count", rs.Documents),
		Details: []bot.Phrase{bot.P("dvs.restore_id", "ID", rs.ID)}}, nil
}

// cancelExport asks the DVS to stop an export, best effort, after the
// caller's context ended.
func (c *Client) cancelExport(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
	defer cancel()
	if _, err := c.do(ctx, call{method: http.MethodDelete, path: "/exports/" + esc(id), noRetry: true}, nil); err != nil {
		c.log.Warn("dvs export cancel failed", "id", id, "err", err)
	}
}

// Health asks the DVS how it is. A DVS that answers "unavailable" (HTTP
// 503) is a health (Up false), not an error; no answer at all is an
// EUNAVAILABLE error with a health that says so. Probes are not retried:
// the monitor asks again a minute later.
func (c *Client) Health(ctx context.Context) (bot.Health, error) {
	var h wireHealth
	status, err := c.do(ctx, call{method: http.MethodGet, path: "/health", noRetry: true, accept: []int{http.StatusServiceUnavailable}}, &h)
	now := time.Now().UTC()
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusServiceUnavailable {
			return bot.Health{Service: "DVS", Up: false, Status: "unavailable", Detail: "HTTP 503", At: now}, nil
		}
		e := c.fail(err, subject{What: "health"})
		return bot.Health{Service: "DVS", Up: false, Status: "unreachable", Detail: bot.UserMessage(e, bot.EN), At: now}, e
	}
	if h.Status == "" {
		h.Status = "operational"
	}
	if status == http.StatusServiceUnavailable {
		h.Status = "unavailable"
	}
	at := h.CheckedAt.UTC()
	if at.IsZero() {
		at = now
	}
	return bot.Health{Service: "DVS", Up: h.Status != "unavailable", Status: h.Status, Detail: h.Detail, At: at}, nil
}

// SizeArgs returns a byte count as phrase arguments SizeLV and SizeEN
// ("18,4 GB" and "18.4 GB").
func SizeArgs(n int64) []any {
	lv, en := HumanSize(n, bot.LV), HumanSize(n, bot.EN)
	return []any{"SizeLV", lv, "SizeEN", en}
}

// HumanSize renders a byte count for people: 1 decimal, binary units,
// the decimal separator of the language.
func HumanSize(n int64, l bot.Lang) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	s := strconv.FormatFloat(f, 'f', 1, 64)
	if i == 0 {
		s = strconv.FormatInt(n, 10)
	}
	if l == bot.LV {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " " + units[i]
}

// query builds URL query values from pairs, skipping empty values.
func query(kv ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	return q
}
