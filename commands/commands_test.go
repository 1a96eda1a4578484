package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"itbot/bot"
	"itbot/bottest"
	"itbot/commands"
)

const sysadmin = "admin@vraa.gov.lv"

func text(rs []bot.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Title + "\n" + r.Text + "\n")
		for _, f := range r.Fields {
			b.WriteString(f.Label + ": " + f.Value + "\n")
		}
	}
	return b.String()
}

func TestAdminCommands(t *testing.T) {
	e := bottest.New(t)
	ctx := context.Background()
	steps := []struct{ who, cmd, want string }{
		{sysadmin, `/it institution add DAP daba.gov.lv "Dabas aizsardzības pārvalde" --en "Nature Conservation Agency"`, "Institution DAP saved."},
		{sysadmin, `/it institution contract DAP VRAA-IT-2026/3 2026-01-01 2026-12-31`, "VRAA-IT-2026/3 (2026-01-01 – 2026-12-31)"},
		{sysadmin, `/it institution contract DAP X 2026-12-31 2026-01-01`, "YYYY-MM-DD"},
		{sysadmin, `/it person add inese.kalva@daba.gov.lv it_contact --name "Inese Kalva"`, "inese.kalva@daba.gov.lv (DAP) saved."},
		{sysadmin, `/it person add x@unknown.lv`, "belongs to no registered institution"},
		{sysadmin, `/it person add y@daba.gov.lv superuser`, "is not a role"},
		{sysadmin, `/it person role inese.kalva@daba.gov.lv +expert_group -it_contact`, "saved"},
		{sysadmin, `/it person link inese.kalva@daba.gov.lv slack U0DAP1`, "saved"},
		{sysadmin, `/it institution list`, "DAP"},
		{sysadmin, `/it institution show DAP`, "daba.gov.lv"},
		{"anna.berzina@lgia.gov.lv", `/it institution add X x.lv X`, "admin"},
		{sysadmin, `/it institution add LGIA2 lgia.gov.lv Dublikāts`, "already belongs to LGIA"},
	}
	for _, s := range steps {
		if got := text(e.Say(s.who, s.cmd)); !strings.Contains(got, s.want) {
			t.Fatalf("%s: got %q want %q", s.cmd, got, s.want)
		}
	}
	p, err := e.Store.PersonByIdentity(ctx, "slack", "U0DAP1")
	if err != nil || p.Email != "inese.kalva@daba.gov.lv" || !p.Has(bot.RoleExpertGroup) || p.Has(bot.RoleITContact) || p.Name != "Inese Kalva" {
		t.Fatalf("person: %+v %v", p, err)
	}
	// The new institution can use the service at once.
	got := text(e.Say("inese.kalva@daba.gov.lv", "/it spam block lotto-win.biz"))
	if !strings.Contains(got, "IT-2026-000001") {
		t.Fatalf("new institution request: %s", got)
	}
}

func TestQueueLanguageHelp(t *testing.T) {
	e := bottest.New(t)
	e.Sandbox()
	e.Say("anna.berzina@lgia.gov.lv", "/it shared create a1@lgia.gov.lv")
	e.Clock.Advance(60 * 60 * 1e9)
	e.Say("janis.ozols@lgia.gov.lv", "/it report accounts")
	e.Say("anna.berzina@lgia.gov.lv", "/it konsultācija Kā pieslēgt kopīgo pastkasti telefonā?")
	steps := []struct{ who, cmd, want, not string }{
		{"kristaps.lapsa@vraa.gov.lv", "/it queue", "Rindā 3 pieteikumi", ""},
		{"kristaps.lapsa@vraa.gov.lv", "/it rinda veids=report.accounts", "Rindā 1 pieteikums", "a1@"},
		{"kristaps.lapsa@vraa.gov.lv", "/it queue state=approved", "Konsultācija", "a1@"},
		{"kristaps.lapsa@vraa.gov.lv", "/it queue type=nonsense", "Nezināms pieteikuma veids", ""},
		{"kristaps.lapsa@vraa.gov.lv", "/it queue state=nonsense", "nav pieteikuma stāvoklis", ""},
		{"anna.berzina@lgia.gov.lv", "/it valoda en", "I will answer in English", ""},
		{"anna.berzina@lgia.gov.lv", "/it requests", "Your open requests (2)", ""},
		{"anna.berzina@lgia.gov.lv", "/it help spam", "spam allow", "licence"},
		{"anna.berzina@lgia.gov.lv", "/it help", "itbot commands", "institution add"},
		{"anna.berzina@lgia.gov.lv", "/it help zzz", "No commands start with", ""},
		{"anna.berzina@lgia.gov.lv", "/it new", "What would you like to request?", ""},
		{"anna.berzina@lgia.gov.lv", "/it status IT-2026-000001", "awaiting approval", ""},
		{"anna.berzina@lgia.gov.lv", "/it status", "Usage: /it status ID", ""},
		{"anna.berzina@lgia.gov.lv", "/it", "itbot commands", ""},
	}
	for _, s := range steps {
		got := text(e.Say(s.who, s.cmd))
		if !strings.Contains(got, s.want) || (s.not != "" && strings.Contains(got, s.not)) {
			t.Fatalf("%s: got %q want %q without %q", s.cmd, got, s.want, s.not)
		}
	}
	// The language is remembered.
	if p := e.Person("anna.berzina@lgia.gov.lv"); p.Lang != bot.EN {
		t.Fatalf("language not stored: %q", p.Lang)
	}
}

func TestQueueOrderByDue(t *testing.T) {
	e := bottest.New(t)
	e.Sandbox()
	e.Say("anna.berzina@lgia.gov.lv", "/it shared create b1@lgia.gov.lv")
	e.Clock.Advance(-2 * 60 * 60 * 1e9) // created earlier: due earlier
	e.Say("anna.berzina@lgia.gov.lv", "/it shared create b2@lgia.gov.lv")
	got := text(e.Say("kristaps.lapsa@vraa.gov.lv", "/it queue"))
	if strings.Index(got, "b2@") > strings.Index(got, "b1@") {
		t.Fatalf("not by due time:\n%s", got)
	}
}

// TestApprovals: what waits for my approval, for an IT contact (her
// institution's, not her own, not the agency's to decide) and for an
// agency approver (every institution's).
func TestApprovals(t *testing.T) {
	e := bottest.New(t)
	e.Say("anna.berzina@lgia.gov.lv", "/it licence assign janis.ozols@lgia.gov.lv E3")
	e.Say("janis.ozols@lgia.gov.lv", "/it spam allow partner-firma.lv")
	e.Say("ilze.liepa@lgia.gov.lv", "/it dvs restore lgia-20261120") // the agency's to approve
	text := func(who string) string {
		var b strings.Builder
		for _, r := range e.Say(who, "/it apstiprināšanai") {
			b.WriteString(r.Text)
			for _, x := range r.Buttons {
				b.WriteString(" [" + x.Command + "]")
			}
		}
		return b.String()
	}
	ilze := text("ilze.liepa@lgia.gov.lv")
	if !strings.Contains(ilze, "gaida 2 pieteikumi") || !strings.Contains(ilze, "IT-2026-000001") || !strings.Contains(ilze, "IT-2026-000002") ||
		strings.Contains(ilze, "IT-2026-000003") || !strings.Contains(ilze, "[/it approve IT-2026-000001]") {
		t.Errorf("IT contact: %s", ilze)
	}
	dace := text("dace.avotina@vraa.gov.lv")
	if !strings.Contains(dace, "gaida 3 pieteikumi") || !strings.Contains(dace, "IT-2026-000003") {
		t.Errorf("agency approver: %s", dace)
	}
	if got := text("anna.berzina@lgia.gov.lv"); !strings.Contains(got, "lomās") {
		t.Errorf("an employee: %s", got)
	}
}

// TestRequestsByStateAndSearch: "/it pieteikumi" takes a state in either
// language; "/it meklēt" finds what the person may see; an operator's done
// note is the requester's answer.
func TestRequestsByStateAndSearch(t *testing.T) {
	e := bottest.New(t)
	e.Say("anna.berzina@lgia.gov.lv", "/it licence assign janis.ozols@lgia.gov.lv E3")
	e.Say("anna.berzina@lgia.gov.lv", "/it konsultācija Kā iestatīt automātisko atbildi?")
	e.Say("janis.ozols@lgia.gov.lv", "/it konsultācija Printer on the third floor")
	text := func(who, cmd string) string {
		var b strings.Builder
		for _, r := range e.Say(who, cmd) {
			b.WriteString(r.Text + "\n")
		}
		return b.String()
	}
	for _, cmd := range []string{"/it pieteikumi gaida apstiprinājumu", "/it requests awaiting_approval", "/it requests \"awaiting approval\""} {
		if got := text("anna.berzina@lgia.gov.lv", cmd); !strings.Contains(got, "IT-2026-000001") || strings.Contains(got, "IT-2026-000002") {
			t.Errorf("%s: %s", cmd, got)
		}
	}
	if got := text("anna.berzina@lgia.gov.lv", "/it pieteikumi zaļš"); !strings.Contains(got, "nav pieteikuma stāvoklis") {
		t.Errorf("bad state: %s", got)
	}
	if got := text("anna.berzina@lgia.gov.lv", "/it meklēt automatisko"); !strings.Contains(got, "IT-2026-000002") || strings.Contains(got, "IT-2026-000003") {
		t.Errorf("anna's search: %s", got)
	}
	if got := text("anna.berzina@lgia.gov.lv", "/it meklēt printer"); strings.Contains(got, "IT-2026-000003") {
		t.Errorf("an employee found another's request: %s", got)
	}
	if got := text("ilze.liepa@lgia.gov.lv", "/it meklēt printer"); !strings.Contains(got, "IT-2026-000003") {
		t.Errorf("the IT contact's search: %s", got)
	}
	e.Say("kristaps.lapsa@vraa.gov.lv", "/it done IT-2026-000002 Iestatījumi → Pasts → Automātiskās atbildes")
	if r := e.Request("IT-2026-000002"); r.Outcome == nil || !strings.Contains(r.Outcome.Summary.Render(bot.LV), "Atbilde: Iestatījumi") {
		t.Errorf("outcome %+v", r.Outcome)
	}
}

// TestQueuePagesThroughNextCommand: the queue shows a page, says how many
// there are and offers the next page (button and command); following them
// shows every open request once. An employee's list is a page too.
func TestQueuePagesThroughNextCommand(t *testing.T) {
	e := bottest.New(t)
	const n = commands.QueuePage*2 + 5
	for i := range n {
		reps := e.Say("anna.berzina@lgia.gov.lv", fmt.Sprintf("/it licence assign p%02d@lgia.gov.lv E3", i))
		if len(reps) == 0 || reps[0].Request == nil {
			t.Fatalf("request %d: %+v", i, reps)
		}
	}
	seen := map[string]int{}
	cmd := "/it rinda"
	for pages := 1; ; pages++ {
		reps := e.Say("kristaps.lapsa@vraa.gov.lv", cmd)
		if len(reps) != 1 {
			t.Fatalf("%q: %+v", cmd, reps)
		}
		rep := reps[0]
		for _, line := range strings.Split(rep.Text, "\n") {
			if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "IT-2026-") {
				seen[f[0]]++
			}
		}
		if pages == 1 && !strings.Contains(rep.Text, fmt.Sprint(n)) {
			t.Errorf("the first page does not say how many there are (%d):\n%s", n, rep.Text)
		}
		if len(rep.Buttons) == 0 {
			if pages != 3 {
				t.Errorf("%d pages, want 3", pages)
			}
			break
		}
		if pages > 3 {
			t.Fatal("more pages than requests")
		}
		cmd = rep.Buttons[0].Command
		if !strings.Contains(rep.Text, cmd) || !strings.Contains(cmd, "pēc=") {
			t.Errorf("the next page's command %q is not said in Latvian in the text:\n%s", cmd, rep.Text)
		}
	}
	if len(seen) != n {
		t.Errorf("%d requests seen, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("%s shown %d times", id, k)
		}
	}
	// In English the next page's command reads "queue … after=".
	dace := e.Person("dace.avotina@vraa.gov.lv")
	dace.Lang = bot.EN
	if err := e.Store.PutPerson(context.Background(), dace); err != nil {
		t.Fatal(err)
	}
	if reps := e.Say(dace.Email, "/it queue"); len(reps) != 1 || len(reps[0].Buttons) != 1 ||
		!strings.HasPrefix(reps[0].Buttons[0].Command, "/it queue after=") || !strings.Contains(reps[0].Text, "20 of 45 shown") {
		t.Errorf("in English: %+v", reps)
	}
	mine := text(e.Say("anna.berzina@lgia.gov.lv", "/it requests"))
	if !strings.Contains(mine, fmt.Sprint(n)) || strings.Count(mine, "IT-2026-") != n {
		t.Errorf("Anna's open requests:\n%s", mine)
	}
}

// TestAccountReportInRequesterLanguage: the report file is for Latvian
// Excel (byte-order mark, semicolons) with its columns in the requester's
// language.
func TestAccountReportInRequesterLanguage(t *testing.T) {
	for _, tc := range []struct{ who, col string }{
		{"anna.berzina@lgia.gov.lv", "Pastkastes izmērs, MB"},
		{"janis.ozols@lgia.gov.lv", "Mailbox size (MB)"},
	} {
		e := bottest.New(t)
		e.Sandbox()
		reps := e.Say(tc.who, "/it report accounts")
		if len(reps) == 0 || reps[0].Request == nil {
			t.Fatalf("%s: %+v", tc.who, reps)
		}
		id := reps[0].Request.ID
		e.Say("ilze.liepa@lgia.gov.lv", "/it approve "+id)
		r := e.Request(id)
		if r.Outcome == nil || len(r.Outcome.Files) != 1 {
			t.Fatalf("%s: %s, outcome %+v", tc.who, r.State, r.Outcome)
		}
		data := string(r.Outcome.Files[0].Data)
		header, _, _ := strings.Cut(strings.TrimPrefix(data, "\ufeff"), "\n")
		if !strings.HasPrefix(data, "\ufeff") || !strings.Contains(header, ";"+tc.col+";") {
			t.Errorf("%s: header %q", tc.who, header)
		}
	}
}

// TestMultiWordOptionValues: an option's value may be several words,
// quoted or not; the positional name stays whole.
func TestMultiWordOptionValues(t *testing.T) {
	for _, line := range []string{
		`/it institution add ZZZ zzz.gov.lv Zaļā zemes aģentūra --en Green Land Agency --sector no`,
		`/it institution add ZZZ zzz.gov.lv "Zaļā zemes aģentūra" --en "Green Land Agency" --sector no`,
	} {
		e := bottest.New(t)
		e.Say(sysadmin, line)
		i, err := e.Store.Institution(context.Background(), "ZZZ")
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if i.NameLV != "Zaļā zemes aģentūra" || i.NameEN != "Green Land Agency" || i.InSector {
			t.Errorf("%s: stored %q / %q, sector %v", line, i.NameLV, i.NameEN, i.InSector)
		}
	}
}

// TestUnknownLicenceRefusedAtCreation: a licence the tenant does not have
// is refused when the request is made, with the ones it has — not after an
// approver approved it; nothing is stored.
func TestUnknownLicenceRefusedAtCreation(t *testing.T) {
	e := bottest.New(t)
	e.Sandbox()
	out := text(e.Say("anna.berzina@lgia.gov.lv", "/it licence assign janis.ozols@lgia.gov.lv E7"))
	if !strings.Contains(out, "E7") || !strings.Contains(out, "E3") {
		t.Errorf("answer: %s", out)
	}
	if rs, _ := e.Store.Requests(context.Background(), bot.RequestFilter{}); len(rs) != 0 {
		t.Errorf("%d requests stored", len(rs))
	}
}

// TestSharedMailboxMustExistAtCreation: a member change of a shared
// mailbox that does not exist is refused when asked, unless its creation
// is already requested.
func TestSharedMailboxMustExistAtCreation(t *testing.T) {
	e := bottest.New(t)
	e.Sandbox()
	out := text(e.Say("anna.berzina@lgia.gov.lv", "/it shared add nav-tadas@lgia.gov.lv janis.ozols@lgia.gov.lv"))
	if rs, _ := e.Store.Requests(context.Background(), bot.RequestFilter{}); len(rs) != 0 {
		t.Fatalf("stored a change of a mailbox that does not exist: %s", out)
	}
	e.Say("anna.berzina@lgia.gov.lv", "/it shared create jauna@lgia.gov.lv")
	out = text(e.Say("anna.berzina@lgia.gov.lv", "/it shared add jauna@lgia.gov.lv janis.ozols@lgia.gov.lv"))
	if rs, _ := e.Store.Requests(context.Background(), bot.RequestFilter{}); len(rs) != 2 {
		t.Errorf("a member of a mailbox whose creation is requested was refused: %s", out)
	}
}

// TestApprovalsPages: what waits for an IT contact comes a page at a time,
// oldest first, each once, with the next page offered.
func TestApprovalsPages(t *testing.T) {
	e := bottest.New(t)
	const n = commands.QueuePage + 7
	for i := range n {
		e.Say("anna.berzina@lgia.gov.lv", fmt.Sprintf("/it licence assign q%02d@lgia.gov.lv E3", i))
	}
	var ids []string
	cmd := "/it apstiprināšanai"
	for pages := 0; pages < 5; pages++ {
		reps := e.Say("ilze.liepa@lgia.gov.lv", cmd)
		if len(reps) != 1 {
			t.Fatalf("%q: %+v", cmd, reps)
		}
		for _, line := range strings.Split(reps[0].Text, "\n") {
			if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "IT-2026-") {
				ids = append(ids, f[0])
			}
		}
		next := ""
		for _, b := range reps[0].Buttons {
			if strings.Contains(b.Command, "pēc=") {
				next = b.Command
			}
		}
		if next == "" {
			break
		}
		cmd = next
	}
	if len(ids) != n || ids[0] != "IT-2026-000001" || ids[n-1] != fmt.Sprintf("IT-2026-%06d", n) {
		t.Errorf("%d ids, first %v last %v", len(ids), ids[:1], ids[len(ids)-1:])
	}
}

// TestMailIncidentAffectedAddress: an address of the requester's own
// domain in the text is the affected one; a partner's is only text (and
// does not make the incident "not your institution's").
func TestMailIncidentAffectedAddress(t *testing.T) {
	e := bottest.New(t)
	e.Sandbox()
	for _, tc := range []struct{ text, user string }{
		{"/it pasts incidents janis.ozols@lgia.gov.lv nevar nosūtīt vēstules", "janis.ozols@lgia.gov.lv"},
		{"/it pasts incidents neienāk vēstules no info@partneris.lv", ""},
	} {
		reps := e.Say("anna.berzina@lgia.gov.lv", tc.text)
		if len(reps) == 0 || reps[0].Request == nil || reps[0].Request.Params.User != tc.user {
			t.Errorf("%s: %+v", tc.text, reps)
		}
	}
}
