package exchange

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"itbot/bot"
)

// reportRow is one CSV row; get reads a column by name.
type reportRow struct {
	head map[string]int // column name -> index, shared by the rows
	vals []string
}

// get returns the value of column col, "" if there is none.
func (r reportRow) get(col string) string {
	if i, ok := r.head[col]; ok && i < len(r.vals) {
		return r.vals[i]
	}
	return ""
}

// ParseReportCSV reads a Graph usage report: a CSV with a UTF-8 byte order
// mark and a header row. Rows are keyed by the lower-case "User Principal
// Name"; concealed reports whether the tenant conceals user names (the
// names are then 32-digit hashes).
func ParseReportCSV(data []byte) (rows map[string]reportRow, concealed bool, err error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err == io.EOF {
		return map[string]reportRow{}, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("report csv header: %w", err)
	}
	cols := make(map[string]int, len(head))
	for i := range head {
		cols[strings.TrimSpace(head[i])] = i
	}
	upnCol, ok := cols["User Principal Name"]
	rows = map[string]reportRow{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, fmt.Errorf("report csv: %w", err)
		}
		if !ok || upnCol >= len(rec) {
			continue
		}
		row := reportRow{head: cols, vals: rec}
		upn := strings.ToLower(strings.TrimSpace(rec[upnCol]))
		if upn == "" {
			continue
		}
		if isConcealed(upn) {
			concealed = true
		}
		rows[upn] = row
	}
	return rows, concealed, nil
}

var reHash = regexp.MustCompile(`^[0-9a-f]{32}$`)

// isConcealed reports whether a report's user name is a concealed hash.
func isConcealed(upn string) bool {
	return !strings.Contains(upn, "@") && reHash.MatchString(strings.ToLower(upn))
}

// reportUser is a directory user for the report.
type reportUser struct {
	UPN, Name string
	Enabled   bool
	Created   time.Time
	SkuIDs    []string
}

// domainUsers lists the users whose UPN is in the institution's domains
// (an advanced query: ConsistencyLevel eventual and $count).
func (x *Exchange) domainUsers(ctx context.Context, inst *bot.Institution) ([]reportUser, error) {
	var fs []string
	for _, d := range inst.Domains {
		fs = append(fs, "endswith(userPrincipalName,'@"+strings.ReplaceAll(strings.ToLower(d), "'", "''")+"')")
	}
	filter := strings.Join(fs, " or ")
	count := true
	top := int32(999)
	cfg := &users.UsersRequestBuilderGetRequestConfiguration{
		Headers: consistencyEventual(),
		QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Filter: &filter, Count: &count, Top: &top,
			Select: []string{"id", "userPrincipalName", "displayName", "accountEnabled", "createdDateTime", "assignedLicenses"}},
	}
	var out []reportUser
	b := x.users()
	for page := 0; page < 1000; page++ {
		res, err := b.Get(ctx, cfg)
		if err != nil {
			return nil, x.translate("list users", subject{}, err)
		}
		for _, u := range res.GetValue() {
			i := toUserInfo(u)
			ru := reportUser{UPN: i.UPN, Name: i.DisplayName, Enabled: i.Enabled, SkuIDs: i.SkuIDs}
			if c := u.GetCreatedDateTime(); c != nil {
				ru.Created = *c
			}
			if inst.Owns(ru.UPN) {
				out = append(out, ru)
			}
		}
		next := res.GetOdataNextLink()
		if next == nil || *next == "" {
			break
		}
		b = users.NewUsersRequestBuilder(*next, x.graph)
		cfg = &users.UsersRequestBuilderGetRequestConfiguration{Headers: consistencyEventual()}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UPN < out[j].UPN })
	return out, nil
}

// fetchReport downloads one report (Graph answers with a redirect to the
// CSV, which the SDK follows).
func (x *Exchange) fetchReport(ctx context.Context, name string) (map[string]reportRow, bool, error) {
	period := x.cfg.ReportPeriod
	r := x.reports()
	var data []byte
	var err error
	switch name {
	case "getMailboxUsageDetail":
		data, err = r.GetMailboxUsageDetailWithPeriod(&period).Get(ctx, nil)
	case "getEmailActivityUserDetail":
		data, err = r.GetEmailActivityUserDetailWithPeriod(&period).Get(ctx, nil)
	case "getOffice365ActiveUserDetail":
		data, err = r.GetOffice365ActiveUserDetailWithPeriod(&period).Get(ctx, nil)
	}
	if err != nil {
		return nil, false, x.translate(name, subject{}, err)
	}
	rows, concealed, err := ParseReportCSV(data)
	if err != nil {
		return nil, false, bot.Wrap(err, bot.EUNAVAILABLE, "exo.report_unreadable", "Report", name)
	}
	return rows, concealed, nil
}

func mb(bytes string) string {
	n, err := strconv.ParseInt(strings.TrimSpace(bytes), 10, 64)
	if err != nil {
		return ""
	}
	return strconv.FormatInt((n+1<<19)>>20, 10)
}

func latest(dates ...string) string {
	best := ""
	for _, d := range dates {
		if d = strings.TrimSpace(d); d > best {
			best = d
		}
	}
	return best
}

// reportHeader is the account report's CSV header in l.
func reportHeader(l bot.Lang) []string {
	return strings.Split(bot.Tr(l, "exo.report_header", nil), ";")
}

// AccountReport builds the institution's account report: one row per user
// of its domains with what the Exchange admin centre shows (mailbox size
// and quota, item count, last activity, licences, account enabled,
// created), from Graph's usage reports and the users' assigned licences.
// It is a CSV file plus a summary. A tenant that conceals user names in
// reports is detected: the usage columns are left empty, the summary says
// why, and the operators are told.
func (x *Exchange) AccountReport(ctx context.Context, inst *bot.Institution) (*bot.Outcome, error) {
	if err := inScope(inst); err != nil {
		return nil, err
	}
	ks, err := x.listSKUs(ctx)
	if err != nil {
		return nil, err
	}
	skuName := map[string]string{}
	for _, k := range ks {
		skuName[strings.ToLower(k.ID)] = k.Name
	}
	us, err := x.domainUsers(ctx, inst)
	if err != nil {
		return nil, err
	}
	usage, c1, err := x.fetchReport(ctx, "getMailboxUsageDetail")
	if err != nil {
		return nil, err
	}
	activity, c2, err := x.fetchReport(ctx, "getEmailActivityUserDetail")
	if err != nil {
		return nil, err
	}
	active, c3, err := x.fetchReport(ctx, "getOffice365ActiveUserDetail")
	if err != nil {
		return nil, err
	}
	// The tenant's own setting says it (adminReportSettings); the hashed
	// names in the files are the fallback when the setting cannot be read
	// (no ReportSettings.Read.All).
	concealed := c1 || c2 || c3
	if rs, err := x.adminAPI().ReportSettings().Get(ctx, nil); err == nil && rs.GetDisplayConcealedNames() != nil {
		concealed = *rs.GetDisplayConcealedNames()
	} else if err != nil {
		x.log.Info("report settings not readable; telling concealed names from the files", "err", err)
	}
	var buf bytes.Buffer
	// For Latvian Excel: UTF-8 with a byte-order mark (the Latvian
	// letters), semicolons (the list separator of the Latvian locale),
	// column names in the requester's language.
	l := bot.LangOf(ctx)
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.Write(reportHeader(l))
	enabled, licensed, items := 0, 0, 0
	var sizeMB int64
	refresh := ""
	for _, u := range us {
		var lic []string
		for _, id := range u.SkuIDs {
			if n, ok := skuName[strings.ToLower(id)]; ok {
				lic = append(lic, n)
			} else {
				lic = append(lic, id)
			}
		}
		sort.Strings(lic)
		if u.Enabled {
			enabled++
		}
		if len(lic) > 0 {
			licensed++
		}
		created := ""
		if !u.Created.IsZero() {
			created = u.Created.In(bot.TimeZone).Format("2006-01-02")
		}
		m, a, o := usage[u.UPN], activity[u.UPN], active[u.UPN]
		row := []string{u.UPN, u.Name, yesNo(u.Enabled, l), created, strings.Join(lic, ", "),
			mb(m.get("Storage Used (Byte)")), mb(m.get("Prohibit Send/Receive Quota (Byte)")), m.get("Item Count"),
			latest(m.get("Last Activity Date"), a.get("Last Activity Date"), o.get("Exchange Last Activity Date")),
			a.get("Send Count"), a.get("Receive Count"), latest(m.get("Report Refresh Date"), a.get("Report Refresh Date"), o.get("Report Refresh Date"))}
		if n, err := strconv.ParseInt(row[5], 10, 64); err == nil {
			sizeMB += n
		}
		if n, err := strconv.Atoi(row[7]); err == nil {
			items += n
		}
		refresh = latest(refresh, row[11])
		w.Write(row)
	}
	w.Flush()
	day := x.opt.Now().In(bot.TimeZone).Format("2006-01-02")
	out := &bot.Outcome{
		Summary: bot.P("exo.report_summary", "Institution", inst.Code, "Users", len(us), "Enabled", enabled, "Licensed", licensed, "SizeMB", sizeMB, "Items", items, "Period", x.cfg.ReportPeriod),
		Files:   []bot.File{{Name: "konti-" + inst.Code + "-" + day + ".csv", Mime: "text/csv; charset=utf-8", Data: buf.Bytes()}},
	}
	if refresh != "" {
		out.Details = append(out.Details, bot.P("exo.report_refreshed", "Date", refresh))
	}
	if concealed {
		out.Details = append(out.Details, bot.P("exo.report_concealed"))
		x.log.Warn("the tenant conceals user names in usage reports: the account report has no usage data", "institution", inst.Code)
		if x.opt.Notify != nil {
			x.opt.Notify(ctx, bot.P("exo.ops_concealed", "Institution", inst.Code))
		}
	}
	x.log.Info("account report built", "institution", inst.Code, "users", len(us), "concealed", concealed)
	return out, nil
}

func yesNo(b bool, l bot.Lang) string {
	if b {
		return bot.Tr(l, "exo.yes", nil)
	}
	return bot.Tr(l, "exo.no", nil)
}
