package exchangetest

import "time"

// Part numbers of the sandbox tenant's licences.
const (
	PartE1    = "STANDARDPACK"
	PartE3    = "ENTERPRISEPACK"
	PartE5    = "ENTERPRISEPREMIUM"
	PartEXO1  = "EXCHANGESTANDARD"
	PartEXO2  = "EXCHANGEENTERPRISE"
	PartKiosk = "EXCHANGEDESKLESS"
	PartF3    = "SPE_F1"
)

// SandboxTenant returns the tenant the sandbox and the tests start from:
// the VARAM sector's shared tenant with the domains vraa.gov.lv,
// lgia.gov.lv, vvd.gov.lv, daba.gov.lv and varam.gov.lv (vid.gov.lv is in
// another tenant), licence pools with a few free units (E5 has none), the
// people of the sandbox directory with mailboxes and usage, a user without
// a usage location or licence (karlis.vitols@lgia.gov.lv) and a shared
// mailbox (lietvediba@lgia.gov.lv). now is the tenant's clock.
func SandboxTenant(now func() time.Time) *Tenant {
	t := NewTenant()
	t.Now = now
	t.AddDomain("vraa.gov.lv", "lgia.gov.lv", "vvd.gov.lv", "daba.gov.lv", "varam.gov.lv")
	t.SetUnits(PartE1, 120, 110)
	t.SetUnits(PartE3, 300, 290)
	t.SetUnits(PartE5, 20, 20)
	t.SetUnits(PartEXO1, 60, 55)
	t.SetUnits(PartEXO2, 10, 8)
	t.SetUnits(PartKiosk, 40, 30)
	t.SetUnits(PartF3, 0, 0)
	sku := func(part string) string { return t.skuLocked(part).SkuID }
	clock := t.now()
	at := func(days int) time.Time { return clock.AddDate(0, 0, -days) }
	type person struct {
		upn, name string
		skus      []string
		sizeMB    int64
		items     int
		sent, rcv int
		last      int // days since the last activity
		created   int // days since creation
	}
	for _, p := range []person{
		{"kristaps.lapsa@vraa.gov.lv", "Kristaps Lapsa", []string{sku(PartE3)}, 8200, 41200, 310, 1420, 0, 2900},
		{"dace.avotina@vraa.gov.lv", "Dace Avotiņa", []string{sku(PartE3)}, 15600, 73400, 420, 2210, 0, 3400},
		{"admin@vraa.gov.lv", "Sistēmas administrators", []string{sku(PartE3)}, 310, 900, 12, 80, 3, 3650},
		{"anna.berzina@lgia.gov.lv", "Anna Bērziņa", []string{sku(PartE3)}, 4100, 18800, 96, 640, 1, 1500},
		{"janis.ozols@lgia.gov.lv", "Jānis Ozols", []string{sku(PartE1)}, 2300, 9100, 40, 310, 2, 900},
		{"ilze.liepa@lgia.gov.lv", "Ilze Liepa", []string{sku(PartE3)}, 9900, 52000, 205, 1190, 0, 2400},
		{"peteris.kalnins@lgia.gov.lv", "Pēteris Kalniņš", []string{sku(PartE3)}, 48700, 120500, 350, 2600, 0, 4100},
		{"skeneris@lgia.gov.lv", "LGIA skeneris", []string{sku(PartEXO1)}, 1200, 5400, 610, 0, 0, 700},
		{"maris.egle@vvd.gov.lv", "Māris Egle", []string{sku(PartE3)}, 6100, 30100, 150, 980, 1, 2000},
	} {
		t.AddUser(User{UPN: p.upn, DisplayName: p.name, UsageLocation: "LV", AccountEnabled: true, SkuIDs: p.skus, Created: at(p.created),
			Mailbox: &Mailbox{SizeBytes: p.sizeMB << 20, Items: p.items, Sent: p.sent, Received: p.rcv, LastActivity: at(p.last)}})
	}
	t.AddUser(User{UPN: "karlis.vitols@lgia.gov.lv", DisplayName: "Kārlis Vītols", AccountEnabled: true, Created: at(3)})
	t.AddUser(User{UPN: "aiga.rozite@lgia.gov.lv", DisplayName: "Aiga Rozīte", UsageLocation: "LV", AccountEnabled: false, SkuIDs: []string{sku(PartE1)}, Created: at(1800),
		Mailbox: &Mailbox{SizeBytes: 700 << 20, Items: 3100, LastActivity: at(240)}})
	t.AddShared("lietvediba@lgia.gov.lv", "LGIA lietvedība")
	return t
}
