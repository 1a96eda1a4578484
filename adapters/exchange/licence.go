package exchange

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/google/uuid"

	"itbot/bot"
)

// knownSKUs maps Microsoft part numbers to the friendly name itbot shows
// and the other names people use for them.
var knownSKUs = []struct {
	part, friendly string
	names          []string
}{
	{"STANDARDPACK", "E1", []string{"E1", "Office 365 E1", "O365 E1"}},
	{"ENTERPRISEPACK", "E3", []string{"E3", "Office 365 E3", "O365 E3"}},
	{"ENTERPRISEPREMIUM", "E5", []string{"E5", "Office 365 E5", "O365 E5"}},
	{"SPE_E3", "M365 E3", []string{"M365 E3", "Microsoft 365 E3"}},
	{"SPE_E5", "M365 E5", []string{"M365 E5", "Microsoft 365 E5"}},
	{"EXCHANGESTANDARD", "EXO1", []string{"EXO1", "Exchange Online Plan 1", "Exchange Online (Plan 1)", "Exchange Plan 1", "Plan 1", "P1"}},
	{"EXCHANGEENTERPRISE", "EXO2", []string{"EXO2", "Exchange Online Plan 2", "Exchange Online (Plan 2)", "Exchange Plan 2", "Plan 2", "P2"}},
	{"EXCHANGEDESKLESS", "Kiosk", []string{"Kiosk", "Exchange Online Kiosk", "EXOK"}},
	{"SPE_F1", "F3", []string{"F3", "Microsoft 365 F3", "M365 F3"}},
	{"O365_BUSINESS_ESSENTIALS", "Business Basic", []string{"Business Basic", "Microsoft 365 Business Basic"}},
	{"O365_BUSINESS_PREMIUM", "Business Standard", []string{"Business Standard", "Microsoft 365 Business Standard"}},
}

// skuKey folds a licence name for matching: case, diacritics, spaces and
// punctuation do not count ("Exchange Online (Plan 1)" = "exchangeonlineplan1").
func skuKey(s string) string {
	var b strings.Builder
	for _, r := range bot.Fold(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Licence is a licence the tenant subscribes to, with its unit pool.
type Licence struct {
	ID       string // skuId (a GUID)
	Part     string // skuPartNumber: ENTERPRISEPACK
	Name     string // the friendly name itbot shows: E3
	Enabled  int    // prepaidUnits.enabled: units bought or leased
	Consumed int    // consumedUnits: units assigned
}

// Free returns the free units.
func (k Licence) Free() int { return max(0, k.Enabled-k.Consumed) }

// friendly returns the friendly name of a part number.
func friendly(part string) string {
	for _, k := range knownSKUs {
		if strings.EqualFold(k.part, part) {
			return k.friendly
		}
	}
	return part
}

// partFor returns the part number a name means ("" if none is known).
func (x *Exchange) partFor(name string) string {
	key := skuKey(name)
	for alias, part := range x.cfg.Licences.Aliases {
		if skuKey(alias) == key {
			return part
		}
	}
	for _, k := range knownSKUs {
		if skuKey(k.part) == key {
			return k.part
		}
		for _, n := range k.names {
			if skuKey(n) == key {
				return k.part
			}
		}
	}
	return ""
}

// listSKUs reads subscribedSkus.
func (x *Exchange) listSKUs(ctx context.Context) ([]Licence, error) {
	res, err := x.subscribedSkus().Get(ctx, nil)
	if err != nil {
		return nil, x.translate("subscribedSkus", subject{}, err)
	}
	var out []Licence
	for _, s := range res.GetValue() {
		k := Licence{Part: deref(s.GetSkuPartNumber())}
		if id := s.GetSkuId(); id != nil {
			k.ID = id.String()
		}
		k.Name = friendly(k.Part)
		if c := s.GetConsumedUnits(); c != nil {
			k.Consumed = int(*c)
		}
		if p := s.GetPrepaidUnits(); p != nil && p.GetEnabled() != nil {
			k.Enabled = int(*p.GetEnabled())
		}
		out = append(out, k)
	}
	return out, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func names(ks []Licence) string {
	var ns []string
	for _, k := range ks {
		ns = append(ns, k.Name)
	}
	sort.Strings(ns)
	return strings.Join(ns, ", ")
}

// resolve finds a licence by friendly name, part number or sku id among
// the tenant's subscriptions; empty means the personal default.
func (x *Exchange) resolve(ctx context.Context, name string) (Licence, error) {
	if strings.TrimSpace(name) == "" {
		name = x.cfg.Licences.Personal
	}
	ks, err := x.listSKUs(ctx)
	if err != nil {
		return Licence{}, err
	}
	part := x.partFor(name)
	for _, k := range ks {
		if strings.EqualFold(k.ID, strings.TrimSpace(name)) || strings.EqualFold(k.Part, strings.TrimSpace(name)) || part != "" && strings.EqualFold(k.Part, part) {
			return k, nil
		}
	}
	if part != "" {
		return Licence{}, bot.Errorf(bot.EINVALID, "exo.sku_not_in_tenant", "SKU", friendly(part), "Known", names(ks))
	}
	return Licence{}, bot.Errorf(bot.EINVALID, "exo.sku_unknown", "SKU", name, "Known", names(ks))
}

// userInfo is what the adapter reads of a user.
type userInfo struct {
	ID, UPN, DisplayName, UsageLocation string
	Enabled                             bool
	SkuIDs                              []string
	// ByGroup maps a licence the user holds through a group (group-based
	// licensing; licenseAssignmentStates' assignedByGroup) to the group's
	// id, by sku id in lower case.
	ByGroup map[string]string
	// fresh is set when this call created the user or set its usage
	// location: the directory may not show it everywhere yet.
	fresh bool
}

var userSelect = []string{"id", "userPrincipalName", "displayName", "usageLocation", "accountEnabled", "assignedLicenses", "licenseAssignmentStates", "createdDateTime"}

func toUserInfo(u models.Userable) *userInfo {
	i := &userInfo{ID: deref(u.GetId()), UPN: strings.ToLower(deref(u.GetUserPrincipalName())), DisplayName: deref(u.GetDisplayName()), UsageLocation: deref(u.GetUsageLocation())}
	if e := u.GetAccountEnabled(); e != nil {
		i.Enabled = *e
	}
	for _, l := range u.GetAssignedLicenses() {
		if id := l.GetSkuId(); id != nil {
			i.SkuIDs = append(i.SkuIDs, id.String())
		}
	}
	for _, st := range u.GetLicenseAssignmentStates() {
		if g, id := st.GetAssignedByGroup(), st.GetSkuId(); g != nil && *g != "" && id != nil {
			if i.ByGroup == nil {
				i.ByGroup = map[string]string{}
			}
			i.ByGroup[strings.ToLower(id.String())] = *g
		}
	}
	return i
}

// getUser reads a user by UPN; the raw Graph error is returned so callers
// can tell "not found" apart.
func (x *Exchange) getUser(ctx context.Context, upn string) (*userInfo, error) {
	u, err := x.users().ByUserId(upn).Get(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: userSelect},
	})
	if err != nil {
		return nil, err
	}
	return toUserInfo(u), nil
}

// AccountExists implements bot.Exchange: GET users/{upn}; a 404 is no
// account.
func (x *Exchange) AccountExists(ctx context.Context, inst *bot.Institution, address string) (bool, error) {
	upn, err := normalize(address)
	if err != nil {
		return false, err
	}
	if err := inScope(inst, upn); err != nil {
		return false, err
	}
	if _, err := x.getUser(ctx, upn); err != nil {
		if terr := x.translate("get user", subject{User: upn}, err); bot.ErrorCode(terr) == bot.ENOTFOUND {
			return false, nil
		}
		return false, x.translate("get user", subject{User: upn}, err)
	}
	return true, nil
}

// AssignLicence assigns a licence (friendly name, part number or sku id;
// empty: the personal default) to a user of the institution. A user
// without a usage location gets Config.UsageLocation first. With no free
// unit it returns ENOLICENCE and the request waits for procurement.
func (x *Exchange) AssignLicence(ctx context.Context, inst *bot.Institution, user, skuName string) (*bot.Outcome, error) {
	user, err := normalize(user)
	if err != nil {
		return nil, err
	}
	if err := inScope(inst, user); err != nil {
		return nil, err
	}
	k, err := x.resolve(ctx, skuName)
	if err != nil {
		return nil, err
	}
	u, err := x.getUser(ctx, user)
	if err != nil {
		return nil, x.translate("get user", subject{User: user}, err)
	}
	return x.assign(ctx, u, k)
}

// assign gives u the licence k, idempotently.
func (x *Exchange) assign(ctx context.Context, u *userInfo, k Licence) (*bot.Outcome, error) {
	if slices.ContainsFunc(u.SkuIDs, func(id string) bool { return strings.EqualFold(id, k.ID) }) {
		return &bot.Outcome{Summary: bot.P("exo.licence_already", "SKU", k.Name, "User", u.UPN)}, nil
	}
	if k.Free() <= 0 {
		x.log.Info("no free licence", "sku", k.Part, "enabled", k.Enabled, "consumed", k.Consumed, "user", u.UPN)
		return nil, bot.Errorf(bot.ENOLICENCE, "exo.no_free_units", "SKU", k.Name, "Enabled", k.Enabled)
	}
	var details []bot.Phrase
	if u.UsageLocation == "" {
		patch := models.NewUser()
		loc := x.cfg.UsageLocation
		patch.SetUsageLocation(&loc)
		if _, err := x.users().ByUserId(u.ID).Patch(ctx, patch, nil); err != nil {
			return nil, x.translate("set usage location", subject{User: u.UPN}, err)
		}
		u.UsageLocation = loc
		u.fresh = true
		details = append(details, bot.P("exo.usage_location_set", "User", u.UPN, "Location", loc))
	}
	id, err := uuid.Parse(k.ID)
	if err != nil {
		return nil, bot.Wrap(err, bot.EINTERNAL, "error.internal")
	}
	body := users.NewItemAssignLicensePostRequestBody()
	lic := models.NewAssignedLicense()
	lic.SetSkuId(&id)
	lic.SetDisabledPlans([]uuid.UUID{})
	body.SetAddLicenses([]models.AssignedLicenseable{lic})
	body.SetRemoveLicenses([]uuid.UUID{})
	if err := x.settle(ctx, u, func() error {
		_, err := x.users().ByUserId(u.ID).AssignLicense().Post(ctx, body, nil)
		return err
	}); err != nil {
		return nil, x.translate("assign licence", subject{User: u.UPN, SKU: k.Name}, err)
	}
	u.SkuIDs = append(u.SkuIDs, k.ID)
	x.log.Info("licence assigned", "user", u.UPN, "sku", k.Part)
	details = append(details, bot.P("exo.free_left", "SKU", k.Name, "Free", k.Free()-1))
	return &bot.Outcome{Summary: bot.P("exo.licence_assigned", "SKU", k.Name, "User", u.UPN), Details: details}, nil
}

// RevokeLicence removes a licence from a user of the institution; with no
// licence named, every licence the user holds.
func (x *Exchange) RevokeLicence(ctx context.Context, inst *bot.Institution, user, skuName string) (*bot.Outcome, error) {
	user, err := normalize(user)
	if err != nil {
		return nil, err
	}
	if err := inScope(inst, user); err != nil {
		return nil, err
	}
	ks, err := x.listSKUs(ctx)
	if err != nil {
		return nil, err
	}
	u, err := x.getUser(ctx, user)
	if err != nil {
		return nil, x.translate("get user", subject{User: user}, err)
	}
	var remove []Licence
	if strings.TrimSpace(skuName) == "" {
		for _, k := range ks {
			if slices.ContainsFunc(u.SkuIDs, func(id string) bool { return strings.EqualFold(id, k.ID) }) {
				remove = append(remove, k)
			}
		}
		if len(remove) == 0 {
			return &bot.Outcome{Summary: bot.P("exo.licence_none_held", "User", user)}, nil
		}
	} else {
		k, err := x.resolve(ctx, skuName)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(u.SkuIDs, func(id string) bool { return strings.EqualFold(id, k.ID) }) {
			return &bot.Outcome{Summary: bot.P("exo.licence_not_held", "SKU", k.Name, "User", user)}, nil
		}
		remove = []Licence{k}
	}
	// A licence the user holds through a group cannot be removed from the
	// user (group-based licensing): say which group; with no licence named,
	// only the directly assigned ones are removed.
	var direct []Licence
	for _, k := range remove {
		if g := u.ByGroup[strings.ToLower(k.ID)]; g != "" {
			if strings.TrimSpace(skuName) != "" {
				return nil, bot.Errorf(bot.ECONFLICT, "exo.licence_by_group", "SKU", k.Name, "User", user, "Group", g)
			}
			continue
		}
		direct = append(direct, k)
	}
	if len(direct) == 0 {
		return nil, bot.Errorf(bot.ECONFLICT, "exo.licence_by_group", "SKU", remove[0].Name, "User", user, "Group", u.ByGroup[strings.ToLower(remove[0].ID)])
	}
	remove = direct
	body := users.NewItemAssignLicensePostRequestBody()
	body.SetAddLicenses([]models.AssignedLicenseable{})
	var ids []uuid.UUID
	var ns []string
	for _, k := range remove {
		id, err := uuid.Parse(k.ID)
		if err != nil {
			return nil, bot.Wrap(err, bot.EINTERNAL, "error.internal")
		}
		ids = append(ids, id)
		ns = append(ns, k.Name)
	}
	body.SetRemoveLicenses(ids)
	if _, err := x.users().ByUserId(u.ID).AssignLicense().Post(ctx, body, nil); err != nil {
		return nil, x.translate("revoke licence", subject{User: user, SKU: strings.Join(ns, ", ")}, err)
	}
	x.log.Info("licence revoked", "user", user, "skus", ns)
	return &bot.Outcome{Summary: bot.P("exo.licence_revoked", "SKU", strings.Join(ns, ", "), "User", user)}, nil
}

// FreeLicences returns the free units of a licence (empty: the personal
// default), for the procurement check.
func (x *Exchange) FreeLicences(ctx context.Context, skuName string) (int, error) {
	k, err := x.resolve(ctx, skuName)
	if err != nil {
		return 0, err
	}
	return k.Free(), nil
}

// consistencyEventual is the header Graph's advanced queries need.
func consistencyEventual() *abs.RequestHeaders {
	h := abs.NewRequestHeaders()
	h.Add("ConsistencyLevel", "eventual")
	return h
}

// Licences lists the licences the tenant subscribes to, with their units.
func (x *Exchange) Licences(ctx context.Context) ([]Licence, error) { return x.listSKUs(ctx) }

// settle runs call and, when u was just created or changed, retries it a
// few times while the directory has not caught up (Entra ID replicates: a
// new user may be "not found", a new usage location may not be seen yet
// for a moment). The waits are 0.5 s, 1 s, 2 s, within Config.MaxWait.
func (x *Exchange) settle(ctx context.Context, u *userInfo, call func() error) error {
	wait, waited := 500*time.Millisecond, time.Duration(0)
	for attempt := 0; ; attempt++ {
		err := call()
		if err == nil || !u.fresh || attempt >= 3 || waited+wait > x.cfg.MaxWait {
			return err
		}
		c, ok := asCall(err)
		if !ok || !(c.status == http.StatusNotFound || strings.Contains(strings.ToLower(c.message), "usage location")) {
			return err
		}
		x.log.Info("directory not caught up yet: retrying", "user", u.UPN, "status", c.status, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		waited += wait
		wait *= 2
	}
}
