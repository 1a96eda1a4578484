package commands

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"itbot/bot"
)

func init() {
	register(90, registerAdmin)
}

func registerAdmin(r *bot.Router, d *Deps) {
	admin := []bot.Role{bot.RoleAdmin}
	h := func(f func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error) bot.Handler {
		return bot.HandlerFunc(f)
	}
	r.Handle(&bot.Spec{Names: []string{"institution add", "iestāde pievienot", "iestade pievienot"}, Roles: admin, MinArgs: 3, Help: "help.institution_add",
		UsageLV: "iestāde pievienot KODS DOMĒNS[,DOMĒNS] NOSAUKUMS [--nozare ja|ne] [--en NAME]",
		UsageEN: "institution add CODE DOMAIN[,DOMAIN] NAME [--sector yes|no] [--en NAME]",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			pos, o := flags(c.Args)
			if len(pos) < 3 {
				return c.Usage()
			}
			inst := &bot.Institution{Code: strings.ToUpper(pos[0]), Domains: strings.Split(pos[1], ","), NameLV: strings.Join(pos[2:], " "), InSector: true}
			if v, ok := firstOpt(o, "sector", "nozare"); ok {
				inst.InSector = yes(v)
			}
			if v, ok := o["en"]; ok {
				inst.NameEN = v
			}
			if old, err := d.Bot.Store.Institution(ctx, inst.Code); err == nil {
				inst.Contract = old.Contract
				inst.DVSOrgID = old.DVSOrgID
			}
			if err := d.Bot.Store.PutInstitution(ctx, inst); err != nil {
				return err
			}
			d.Bot.Log.Info("audit: institution saved", "actor", c.Person.Email, "code", inst.Code)
			return text(ctx, w, bot.Tr(c.Lang, "cmd.institution_saved", bot.Args{"Code": inst.Code}))
		})})
	r.Handle(&bot.Spec{Names: []string{"institution list", "iestāde saraksts", "iestade saraksts", "iestādes", "iestades"}, Roles: []bot.Role{bot.RoleAdmin, bot.RoleOperator}, Help: "help.institution_list",
		UsageLV: "iestādes", UsageEN: "institution list",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			is, err := d.Bot.Store.Institutions(ctx)
			if err != nil {
				return err
			}
			sort.Slice(is, func(i, j int) bool { return is[i].Code < is[j].Code })
			var b strings.Builder
			b.WriteString(bot.Tr(c.Lang, "cmd.institutions_title", nil))
			for _, i := range is {
				fmt.Fprintf(&b, "\n  %-6s %-40s %s · %s", i.Code, i.Name(c.Lang), strings.Join(i.Domains, ","), eligibility(i, d.Bot.Now(), c.Lang))
			}
			return say(ctx, w, bot.Reply{Kind: bot.KindList, Text: b.String()})
		})})
	r.Handle(&bot.Spec{Names: []string{"institution show", "iestāde skatīt", "iestade skatit"}, Roles: []bot.Role{bot.RoleAdmin, bot.RoleOperator}, MinArgs: 1, Help: "help.institution_show",
		UsageLV: "iestāde skatīt KODS", UsageEN: "institution show CODE",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			i, err := d.Bot.Store.Institution(ctx, strings.ToUpper(c.Arg(0)))
			if err != nil {
				return err
			}
			people, _ := d.Bot.Store.People(ctx, i.Code)
			rep := bot.Reply{Kind: bot.KindCard, Title: i.Code + " · " + i.Name(c.Lang), Fields: []bot.Field{
				{Label: bot.Tr(c.Lang, "cmd.f_domains", nil), Value: strings.Join(i.Domains, ", ")},
				{Label: bot.Tr(c.Lang, "cmd.f_eligibility", nil), Value: eligibility(i, d.Bot.Now(), c.Lang)},
				{Label: bot.Tr(c.Lang, "cmd.f_contract", nil), Value: contractText(i.Contract)},
				{Label: bot.Tr(c.Lang, "cmd.f_people", nil), Value: fmt.Sprint(len(people))},
			}}
			return say(ctx, w, rep)
		})})
	r.Handle(&bot.Spec{Names: []string{"institution contract", "iestāde līgums", "iestade ligums"}, Roles: admin, MinArgs: 3, Help: "help.institution_contract",
		UsageLV: "iestāde līgums KODS NUMURS NO [LĪDZ]", UsageEN: "institution contract CODE NUMBER FROM [TO]",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			i, err := d.Bot.Store.Institution(ctx, strings.ToUpper(c.Arg(0)))
			if err != nil {
				return err
			}
			from, err := time.Parse("2006-01-02", c.Arg(2))
			if err != nil {
				return bot.Errorf(bot.EINVALID, "params.bad_dates", "From", c.Arg(2), "To", c.Arg(3))
			}
			var to time.Time
			if c.Arg(3) != "" {
				if to, err = time.Parse("2006-01-02", c.Arg(3)); err != nil || to.Before(from) {
					return bot.Errorf(bot.EINVALID, "params.bad_dates", "From", c.Arg(2), "To", c.Arg(3))
				}
			}
			i.Contract = bot.Contract{Number: c.Arg(1), ValidFrom: from, ValidTo: to}
			if err := d.Bot.Store.PutInstitution(ctx, i); err != nil {
				return err
			}
			d.Bot.Log.Info("audit: contract saved", "actor", c.Person.Email, "code", i.Code, "contract", i.Contract.Number)
			return text(ctx, w, bot.Tr(c.Lang, "cmd.contract_saved", bot.Args{"Code": i.Code, "Contract": contractText(i.Contract)}))
		})})
	r.Handle(&bot.Spec{Names: []string{"person add", "persona pievienot"}, Roles: admin, MinArgs: 1, Help: "help.person_add",
		UsageLV: "persona pievienot E-PASTS [LOMA...] [--vards \"VĀRDS UZVĀRDS\"] [--valoda lv|en]",
		UsageEN: "person add EMAIL [ROLE...] [--name \"NAME\"] [--lang lv|en]",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			pos, o := flags(c.Args)
			email, err := bot.NormalizeAddress(pos[0])
			if err != nil {
				return err
			}
			inst, err := d.Bot.Store.InstitutionByDomain(ctx, email)
			if err != nil {
				return bot.Errorf(bot.EINVALID, "cmd.unknown_domain", "Domain", bot.Domain(email))
			}
			p := &bot.Person{Email: email, Institution: inst.Code, Lang: bot.LV}
			if old, err := d.Bot.Store.Person(ctx, email); err == nil {
				p = old
			}
			for _, rs := range pos[1:] {
				role, ok := bot.ParseRole(rs)
				if !ok {
					return bot.Errorf(bot.EINVALID, "cmd.bad_role", "Value", rs, "KnownLV", bot.RoleLabels(bot.AllRoles, bot.LV), "KnownEN", bot.RoleLabels(bot.AllRoles, bot.EN))
				}
				if !p.Has(role) {
					p.Roles = append(p.Roles, role)
				}
			}
			if v, ok := firstOpt(o, "name", "vards"); ok {
				p.Name = v
			}
			if v, ok := firstOpt(o, "lang", "valoda"); ok {
				if l, ok := bot.ParseLang(v); ok {
					p.Lang = l
				}
			}
			if err := d.Bot.Store.PutPerson(ctx, p); err != nil {
				return err
			}
			d.Bot.Log.Info("audit: person saved", "actor", c.Person.Email, "person", p.Email, "roles", p.Roles)
			return text(ctx, w, bot.Tr(c.Lang, "cmd.person_saved", bot.Args{"Email": p.Email, "Institution": p.Institution}))
		})})
	r.Handle(&bot.Spec{Names: []string{"person role", "persona loma"}, Roles: admin, MinArgs: 2, Help: "help.person_role",
		UsageLV: "persona loma E-PASTS +LOMA|-LOMA", UsageEN: "person role EMAIL +ROLE|-ROLE",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			email, err := bot.NormalizeAddress(c.Arg(0))
			if err != nil {
				return err
			}
			p, err := d.Bot.Store.Person(ctx, email)
			if err != nil {
				return bot.Errorf(bot.ENOTFOUND, "cmd.unknown_person", "Email", email)
			}
			for _, a := range c.Args[1:] {
				remove := strings.HasPrefix(a, "-")
				role, ok := bot.ParseRole(strings.TrimLeft(a, "+-"))
				if !ok {
					return bot.Errorf(bot.EINVALID, "cmd.bad_role", "Value", a, "KnownLV", bot.RoleLabels(bot.AllRoles, bot.LV), "KnownEN", bot.RoleLabels(bot.AllRoles, bot.EN))
				}
				var kept []bot.Role
				for _, x := range p.Roles {
					if x != role {
						kept = append(kept, x)
					}
				}
				if !remove {
					kept = append(kept, role)
				}
				p.Roles = kept
			}
			if len(p.Roles) == 0 {
				p.Roles = []bot.Role{bot.RoleEmployee}
			}
			if err := d.Bot.Store.PutPerson(ctx, p); err != nil {
				return err
			}
			d.Bot.Log.Info("audit: roles changed", "actor", c.Person.Email, "person", p.Email, "roles", p.Roles)
			return text(ctx, w, bot.Tr(c.Lang, "cmd.person_saved", bot.Args{"Email": p.Email, "Institution": p.Institution}))
		})})
	r.Handle(&bot.Spec{Names: []string{"person link", "persona piesaistīt", "persona piesaistit"}, Roles: admin, MinArgs: 3, Help: "help.person_link",
		UsageLV: "persona piesaistīt E-PASTS slack|mattermost|mailbox LIETOTĀJA-ID", UsageEN: "person link EMAIL slack|mattermost|mailbox USER-ID",
		Handler: h(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
			email, err := bot.NormalizeAddress(c.Arg(0))
			if err != nil {
				return err
			}
			p, err := d.Bot.Store.Person(ctx, email)
			if err != nil {
				return bot.Errorf(bot.ENOTFOUND, "cmd.unknown_person", "Email", email)
			}
			if p.Identities == nil {
				p.Identities = map[string]string{}
			}
			p.Identities[bot.Fold(c.Arg(1))] = c.Arg(2)
			if err := d.Bot.Store.PutPerson(ctx, p); err != nil {
				return err
			}
			d.Bot.Log.Info("audit: identity linked", "actor", c.Person.Email, "person", p.Email, "platform", c.Arg(1))
			return text(ctx, w, bot.Tr(c.Lang, "cmd.person_saved", bot.Args{"Email": p.Email, "Institution": p.Institution}))
		})})
}

func firstOpt(o map[string]string, keys ...string) (string, bool) {
	for _, k := range keys {
		if v, ok := o[k]; ok {
			return v, true
		}
	}
	return "", false
}

func yes(s string) bool {
	switch bot.Fold(s) {
	case "yes", "ja", "true", "1", "y":
		return true
	}
	return false
}

func contractText(c bot.Contract) string {
	if c.Number == "" {
		return "—"
	}
	to := "…"
	if !c.ValidTo.IsZero() {
		to = c.ValidTo.Format("2006-01-02")
	}
	return c.Number + " (" + c.ValidFrom.Format("2006-01-02") + " – " + to + ")"
}

func eligibility(i *bot.Institution, now time.Time, l bot.Lang) string {
	if err := i.Eligible(now); err != nil {
		return "✗ " + bot.ErrorCode(err)
	}
	return "✓ " + bot.Tr(l, "cmd.eligible", nil)
}
