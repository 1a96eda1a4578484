package commands_test

import (
	"strings"
	"testing"

	"itbot/bot"
	"itbot/commands"
)

// TestDVSRestoreNeedsTheAgency: a restore asked by the institution's own
// IT contact still waits for an agency approver; the contact cannot
// approve it; the approver's decision runs it through the real client
// against the simulator, which records the restore.
func TestDVSRestoreNeedsTheAgency(t *testing.T) {
	e := newDVSEnv(t, nil)
	inst, err := e.Bot.Store.Institution(t.Context(), "LGIA")
	if err != nil {
		t.Fatal(err)
	}
	bs, err := e.client.Backups(t.Context(), inst)
	if err != nil {
		t.Fatal(err)
	}
	good, bad := "", ""
	for _, b := range bs {
		if good == "" && b.Status == "succeeded" && b.Verified == "verified" {
			good = b.ID
		}
		if bad == "" && (b.Status == "failed" || b.Verified == "failed") {
			bad = b.ID
		}
	}
	if good == "" || bad == "" {
		t.Fatalf("backups %+v", bs)
	}

	// Approvers are asked by direct message on the platforms they are
	// linked on.
	for _, who := range []string{"dace.avotina@vraa.gov.lv", "peteris.kalnins@lgia.gov.lv"} {
		p := e.Person(who)
		p.Identities = map[string]string{"test": who}
		if err := e.Store.PutPerson(t.Context(), p); err != nil {
			t.Fatal(err)
		}
	}
	out := e.expect(t, lgiaContact, "/it dvs atjaunot "+good, "nosūtīts apstiprināšanai aģentūras apstiprinātājam")
	id := lastID(t, out)
	r := e.Request(id)
	if r.State != bot.StateAwaitingApproval || r.Type != commands.TypeDVSRestore || r.Params.Get("backup") != good {
		t.Fatalf("request %+v", r)
	}
	if !strings.Contains(bot.Describe(r, bot.LV), "DVS atjaunošana no rezerves kopijas: "+good) {
		t.Errorf("describe: %s", bot.Describe(r, bot.LV))
	}
	asked := map[string]bool{}
	for _, n := range e.Test.Notices() {
		if n.To.User != "" && n.Request != nil && n.Request.ID == id {
			asked[n.To.User] = true
		}
	}
	if !asked["dace.avotina@vraa.gov.lv"] || asked["peteris.kalnins@lgia.gov.lv"] {
		t.Errorf("approval asked of %v; want the agency's approver, not the institution's expert group", asked)
	}
	// The institution's expert group may not approve an agency-approved type.
	e.expect(t, "peteris.kalnins@lgia.gov.lv", "/it apstiprināt "+id, "")
	if e.Request(id).State != bot.StateAwaitingApproval {
		t.Fatalf("approved by the institution's expert group")
	}
	if n := e.sim.CallsTo("POST", "/orgs/"); n != 0 {
		t.Fatalf("DVS called before approval: %d", n)
	}
	e.expect(t, "dace.avotina@vraa.gov.lv", "/it approve "+id, "")
	r = e.Request(id)
	if r.State != bot.StateDone || r.Outcome == nil || r.Outcome.Summary.ID != "dvs.restore_done" {
		t.Fatalf("after approval: %s %+v %v", r.State, r.Outcome, r.LastError)
	}
	if rs := e.sim.State().Restores(); len(rs) != 1 || rs[0].Backup != good {
		t.Fatalf("simulator restores %+v", rs)
	}

	// A failed backup: refused by the DVS, kept as failed with a reason.
	out = e.expect(t, lgiaContact, "/it dvs restore "+bad, "")
	id = lastID(t, out)
	e.expect(t, "dace.avotina@vraa.gov.lv", "/it approve "+id, "")
	r = e.Request(id)
	if r.State != bot.StateFailed || r.LastError == nil || r.LastError.ID != "dvs.backup_unusable" {
		t.Fatalf("unusable backup: %s %+v", r.State, r.LastError)
	}
	// No backup named: the usage, in the person's language.
	e.expect(t, lgiaContact, "/it dvs atjaunot", "dvs atjaunot REZERVES_KOPIJA")
}
