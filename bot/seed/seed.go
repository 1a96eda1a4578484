// Package seed holds the sandbox's directory: the institutions and people a
// fresh sandbox knows, a few in every role, so every rule can be tried.
package seed

import (
	"context"
	"time"

	"itbot/bot"
)

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// Institutions are the institutions a fresh sandbox knows: the
// agency, one in-sector institution with a valid contract, one whose
// contract has expired, and one outside the sector.
// Institutions returns the sandbox institutions.
func Institutions() []*bot.Institution {
	return []*bot.Institution{
		{Code: "VRAA", NameLV: "Valsts reģionālās attīstības aģentūra", NameEN: "State Regional Development Agency",
			InSector: true, Domains: []string{"vraa.gov.lv"}, DVSOrgID: "VRAA",
			Contract: bot.Contract{Number: "VRAA-IT-2020/1", ValidFrom: date("2020-01-01")}},
		{Code: "LGIA", NameLV: "Latvijas Ģeotelpiskās informācijas aģentūra", NameEN: "Latvian Geospatial Information Agency",
			InSector: true, Domains: []string{"lgia.gov.lv"}, DVSOrgID: "LGIA",
			Contract:    bot.Contract{Number: "VRAA-IT-2024/14", ValidFrom: date("2024-01-01"), ValidTo: date("2027-12-31")},
			LicencePool: map[string]int{"E3": 25, "E1": 10, "EXO1": 15}},
		{Code: "VVD", NameLV: "Valsts vides dienests", NameEN: "State Environmental Service",
			InSector: true, Domains: []string{"vvd.gov.lv"}, DVSOrgID: "VVD",
			Contract: bot.Contract{Number: "VRAA-IT-2022/7", ValidFrom: date("2022-01-01"), ValidTo: date("2025-12-31")}},
		{Code: "VID", NameLV: "Valsts ieņēmumu dienests", NameEN: "State Revenue Service",
			InSector: false, Domains: []string{"vid.gov.lv"}},
	}
}

// People are the sandbox's people, a few in each role.
// People returns the sandbox people.
func People() []*bot.Person {
	return []*bot.Person{
		{Email: "kristaps.lapsa@vraa.gov.lv", Name: "Kristaps Lapsa", Institution: "VRAA", Roles: []bot.Role{bot.RoleOperator}, Lang: bot.LV},
		{Email: "dace.avotina@vraa.gov.lv", Name: "Dace Avotiņa", Institution: "VRAA", Roles: []bot.Role{bot.RoleApprover, bot.RoleOperator}, Lang: bot.LV},
		{Email: "admin@vraa.gov.lv", Name: "Sistēmas administrators", Institution: "VRAA", Roles: []bot.Role{bot.RoleAdmin, bot.RoleOperator}, Lang: bot.EN},
		{Email: "anna.berzina@lgia.gov.lv", Name: "Anna Bērziņa", Institution: "LGIA", Roles: []bot.Role{bot.RoleEmployee}, Lang: bot.LV},
		{Email: "janis.ozols@lgia.gov.lv", Name: "Jānis Ozols", Institution: "LGIA", Roles: []bot.Role{bot.RoleEmployee}, Lang: bot.EN},
		{Email: "ilze.liepa@lgia.gov.lv", Name: "Ilze Liepa", Institution: "LGIA", Roles: []bot.Role{bot.RoleITContact}, Lang: bot.LV},
		{Email: "peteris.kalnins@lgia.gov.lv", Name: "Pēteris Kalniņš", Institution: "LGIA", Roles: []bot.Role{bot.RoleExpertGroup}, Lang: bot.LV},
		{Email: "maris.egle@vvd.gov.lv", Name: "Māris Egle", Institution: "VVD", Roles: []bot.Role{bot.RoleITContact}, Lang: bot.LV},
		{Email: "laura.koka@vid.gov.lv", Name: "Laura Koka", Institution: "VID", Roles: []bot.Role{bot.RoleEmployee}, Lang: bot.LV},
	}
}

// Directory adds the sandbox institutions and people that are not in
// the store yet; what an admin changed is kept.
func Directory(ctx context.Context, st bot.DirectoryStore) error {
	for _, i := range Institutions() {
		if _, err := st.Institution(ctx, i.Code); err == nil {
			continue
		}
		if err := st.PutInstitution(ctx, i); err != nil {
			return err
		}
	}
	for _, p := range People() {
		if _, err := st.Person(ctx, p.Email); err == nil {
			continue
		}
		if err := st.PutPerson(ctx, p); err != nil {
			return err
		}
	}
	return nil
}
