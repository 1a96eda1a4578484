package bot_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"itbot/adapters/sandbox"
	"itbot/bot"
	"itbot/bottest"
	"itbot/store"
)

const (
	anna  = "anna.berzina@lgia.gov.lv"    // LGIA employee, Latvian
	janis = "janis.ozols@lgia.gov.lv"     // LGIA employee, English
	ilze  = "ilze.liepa@lgia.gov.lv"      // LGIA IT contact
	peter = "peteris.kalnins@lgia.gov.lv" // LGIA expert group
	oper  = "kristaps.lapsa@vraa.gov.lv"  // agency operator
	maris = "maris.egle@vvd.gov.lv"       // VVD: expired contract
	laura = "laura.koka@vid.gov.lv"       // VID: outside the sector
)

func lastText(rs []bot.Reply) string {
	if len(rs) == 0 {
		return ""
	}
	r := rs[len(rs)-1]
	return r.Title + "\n" + r.Text
}

func firstID(t *testing.T, rs []bot.Reply) string {
	t.Helper()
	for _, r := range rs {
		if r.Request != nil {
			return r.Request.ID
		}
	}
	t.Fatalf("no request in replies: %+v", rs)
	return ""
}

func TestApprovalFlowExecutesAgainstTenant(t *testing.T) {
	e := bottest.New(t)
	tn, _ := e.Sandbox()
	id := firstID(t, e.Say(anna, "/it licence piešķirt peteris.kalnins@lgia.gov.lv E3"))
	if r := e.Request(id); r.State != bot.StateAwaitingApproval || r.SLA.DueAt.IsZero() {
		t.Fatalf("after create: %s due %v", r.State, r.SLA.DueAt)
	}
	// Nobody approves their own request; an employee approves nothing.
	if got := lastText(e.Say(anna, "/it approve "+id)); !strings.Contains(got, "Savu pieteikumu nevar apstiprināt pats") {
		t.Fatalf("own approval: %q", got)
	}
	// Another employee does not see it (nor learn that it exists).
	if got := lastText(e.Say(janis, "/it approve "+id)); !strings.Contains(got, "was not found (or it is not your institution's)") {
		t.Fatalf("employee approval: %q", got)
	}
	// The IT contact of another institution does not even see it.
	if got := lastText(e.Say(maris, "/it approve "+id)); !strings.Contains(got, "nav atrasts") {
		t.Fatalf("foreign approval: %q", got)
	}
	if r := e.Request(id); r.State != bot.StateAwaitingApproval {
		t.Fatalf("refusals changed state to %s", r.State)
	}
	e.Say(ilze, "/it apstiprināt "+id)
	r := e.Request(id)
	if r.State != bot.StateDone || r.ApprovedBy != ilze || r.Outcome == nil {
		t.Fatalf("after approval: %+v", r)
	}
	u, err := tn.User(peter)
	if err != nil || strings.Join(u.SKUs, ",") != "E3" || u.UsageLocation != "LV" {
		t.Fatalf("tenant user: %+v %v", u, err)
	}
	evs, _ := e.Store.Events(context.Background(), id)
	var kinds []string
	for _, ev := range evs {
		kinds = append(kinds, string(ev.Kind)+":"+string(ev.To))
	}
	want := "created:new transition:awaiting_approval transition:approved transition:in_progress transition:done"
	if strings.Join(kinds, " ") != want {
		t.Fatalf("trail %q\nwant  %q", strings.Join(kinds, " "), want)
	}
	// Every change was posted to the thread and the operators.
	var toOps, toThread int
	for _, n := range e.Test.Notices() {
		if n.To.Channel == "ops" {
			toOps++
		} else if n.Request != nil && n.Request.ID == id {
			toThread++
		}
	}
	if toOps < 4 || toThread < 4 {
		t.Fatalf("notices: ops %d thread %d", toOps, toThread)
	}
	// A done request cannot be approved again.
	if got := lastText(e.Say(oper, "/it approve "+id)); !strings.Contains(got, "nevar pārvietot") {
		t.Fatalf("approve done: %q", got)
	}
}

func TestPreApprovedRolesAndManualWork(t *testing.T) {
	e := bottest.New(t)
	tn, _ := e.Sandbox()
	// An IT contact's change request is pre-approved and executed at once.
	id := firstID(t, e.Say(ilze, "/it spam allow partner-firma.lv"))
	if r := e.Request(id); r.State != bot.StateDone {
		t.Fatalf("IT contact request: %s", r.State)
	}
	if l := tn.SpamLists("LGIA"); !strings.Contains(strings.Join(l.Allowed, ","), "partner-firma.lv") {
		t.Fatalf("spam lists %+v", l)
	}
	// A consultation needs no approval and is worked by hand.
	id = firstID(t, e.Say(anna, "/it konsultācija Kā iestatīt automātisko atbildi?"))
	if r := e.Request(id); r.State != bot.StateApproved {
		t.Fatalf("consult: %s", r.State)
	}
	if got := lastText(e.Say(anna, "/it take "+id)); !strings.Contains(got, "operator") {
		t.Fatalf("employee take: %q", got)
	}
	e.Say(oper, "/it take "+id)
	if r := e.Request(id); r.State != bot.StateInProgress || r.Assignee != oper {
		t.Fatalf("taken: %+v", r)
	}
	e.Say(oper, "/it done "+id+" Atbilde nosūtīta e-pastā")
	if r := e.Request(id); r.State != bot.StateDone {
		t.Fatalf("done: %s", r.State)
	}
}

func TestRejectCancelCommentWaitResume(t *testing.T) {
	e := bottest.New(t)
	e.Sandbox()
	id := firstID(t, e.Say(anna, "/it shared create lietvediba@lgia.gov.lv"))
	if got := lastText(e.Say(ilze, "/it reject "+id)); !strings.Contains(got, "Lietojums: /it noraidīt ID IEMESLS") {
		t.Fatalf("reject without reason: %q", got)
	}
	e.Say(ilze, "/it reject "+id+" nav vajadzības")
	if r := e.Request(id); r.State != bot.StateRejected || r.ClosedAt.IsZero() {
		t.Fatalf("rejected: %+v", r)
	}
	id2 := firstID(t, e.Say(anna, "/it shared create info2@lgia.gov.lv"))
	e.Say(anna, "/it comment "+id2+" steidzami, lūdzu")
	e.Say(oper, "/it wait "+id2+" info kam jābūt piekļuvei?")
	r := e.Request(id2)
	if r.State != bot.StateAwaitingInfo || !r.SLA.DueAt.IsZero() {
		t.Fatalf("waiting: %s due %v", r.State, r.SLA.DueAt)
	}
	e.Say(oper, "/it resume "+id2)
	if r := e.Request(id2); r.State != bot.StateAwaitingApproval || r.SLA.DueAt.IsZero() {
		t.Fatalf("resumed to %s due %v", r.State, r.SLA.DueAt)
	}
	if got := lastText(e.Say(janis, "/it cancel "+id2)); !strings.Contains(got, "was not found") {
		t.Fatalf("cancel by another employee: %q", got)
	}
	e.Say(anna, "/it atcelt "+id2)
	if r := e.Request(id2); r.State != bot.StateCancelled {
		t.Fatalf("cancelled: %s", r.State)
	}
	evs, _ := e.Store.Events(context.Background(), id2)
	found := false
	for _, ev := range evs {
		if ev.Kind == bot.EventComment && ev.Note == "steidzami, lūdzu" {
			found = true
		}
	}
	if !found {
		t.Fatal("comment not in the trail")
	}
}

func TestRefusalsInBothLanguages(t *testing.T) {
	e := bottest.New(t)
	e.Sandbox()
	// janis prefers English; anna Latvian.
	tests := []struct {
		who, cmd, want string
	}{
		{maris, "/it licence assign maris.egle@vvd.gov.lv", "Iestādes „Valsts vides dienests” pakalpojuma līgums Nr. VRAA-IT-2022/7 beidzās 2025-12-31. Pieteikumus varēs iesniegt, kad līgums būs pagarināts."},
		{laura, "/it licence assign laura.koka@vid.gov.lv", "Iestāde „Valsts ieņēmumu dienests” nav VARAM nozarē, tāpēc IT dienesta pakalpojumi tai nav pieejami."},
		{anna, "/it licence assign x@vvd.gov.lv", "x@vvd.gov.lv nav jūsu iestādes („Latvijas Ģeotelpiskās informācijas aģentūra”) konts. Var pieprasīt darbības tikai ar savas iestādes kontiem (@lgia.gov.lv)."},
		{janis, "/it licence assign x@vvd.gov.lv", "x@vvd.gov.lv is not an account of your institution (\"Latvian Geospatial Information Agency\"). You may only request actions on your own institution's accounts (@lgia.gov.lv)."},
		{janis, "/it licence assign not-an-address", "\"not-an-address\" is not a valid e-mail address."},
		{anna, "/it licence", "Nezināma komanda: „licence”."},
		{janis, "/it show IT-2026-000999", "Request IT-2026-000999 was not found"},
		{janis, "/it show 12", "Request IT-2026-000012 was not found"}, // a bare number is this year's request
		{janis, "/it show abc", "\"ABC\" is not a request id."},
		{anna, "/it queue", "Komandu „queue” var lietot tikai šādās lomās: operators, apstiprinātājs, administrators."},
		{janis, "/help", "I do not know the command /help. My commands start with /it"},
	}
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) {
			rs := e.Say(tc.who, tc.cmd)
			if len(rs) != 1 || rs[0].Kind != bot.KindError || !strings.Contains(rs[0].Text, tc.want) {
				t.Fatalf("got %+v\nwant %q", rs, tc.want)
			}
		})
	}
	// Nothing was created by any refusal.
	rs, _ := e.Store.Requests(context.Background(), bot.RequestFilter{})
	if len(rs) != 0 {
		t.Fatalf("refusals created %d requests", len(rs))
	}
}

func TestNoFreeLicenceWaitsForProcurement(t *testing.T) {
	e := bottest.New(t)
	tn, _ := e.Sandbox()
	sku, err := tn.SKU("E1")
	if err != nil {
		t.Fatal(err)
	}
	if err := tn.SetUnits("E1", sku.Enabled-sku.Free()); err != nil { // the pool is used up
		t.Fatal(err)
	}
	id := firstID(t, e.Say(ilze, "/it licence assign janis.ozols@lgia.gov.lv E1"))
	r := e.Request(id)
	if r.State != bot.StateAwaitingProcurement || !r.SLA.DueAt.IsZero() {
		t.Fatalf("no licence: %s due %v", r.State, r.SLA.DueAt)
	}
	ctx := context.Background()
	if n, _ := e.Bot.CheckProcurement(ctx); n != 0 {
		t.Fatalf("ran %d without units", n)
	}
	if err := tn.AddUnits("E1", 5); err != nil {
		t.Fatal(err)
	}
	if n, err := e.Bot.CheckProcurement(ctx); n != 1 || err != nil {
		t.Fatalf("procurement check ran %d: %v", n, err)
	}
	if r := e.Request(id); r.State != bot.StateDone {
		t.Fatalf("after units: %s", r.State)
	}
}

func TestFailedActionIsRetryable(t *testing.T) {
	e := bottest.New(t)
	tn, _ := e.Sandbox()
	tn.FailNext("AssignLicence", bot.Errorf(bot.EUNAVAILABLE, "sbx.throttled"))
	id := firstID(t, e.Say(ilze, "/it licence assign janis.ozols@lgia.gov.lv E3"))
	if r := e.Request(id); r.State != bot.StateFailed || r.LastError == nil {
		t.Fatalf("after fault: %+v", r)
	}
	if got := lastText(e.Say(anna, "/it retry "+id)); !strings.Contains(got, "operator") {
		t.Fatalf("employee retry: %q", got)
	}
	e.Say(oper, "/it retry "+id)
	if r := e.Request(id); r.State != bot.StateDone || r.Attempts != 2 {
		t.Fatalf("after retry: %s attempts %d", r.State, r.Attempts)
	}
}

func TestExecuteRunsOnce(t *testing.T) {
	e := bottest.New(t)
	e.Sandbox()
	ctx := context.Background()
	id := firstID(t, e.Say(anna, "/it licence assign janis.ozols@lgia.gov.lv E3"))
	// Approve without executing, then race executions.
	_, err := e.Store.UpdateRequest(ctx, id, func(r *bot.Request, h []bot.Event) ([]bot.Event, error) {
		r.State, r.ApprovedBy = bot.StateApproved, ilze
		return []bot.Event{{Kind: bot.EventTransition, From: bot.StateAwaitingApproval, To: bot.StateApproved}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.Bot.Execute(ctx, bot.System, id); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			} else if bot.ErrorCode(err) != bot.ECONFLICT {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if r := e.Request(id); ok != 1 || r.Attempts != 1 || r.State != bot.StateDone {
		t.Fatalf("ran %d times; attempts %d state %s", ok, r.Attempts, r.State)
	}
}

func TestCrashRestartFlagsInProgress(t *testing.T) {
	e := bottest.New(t)
	e.Sandbox()
	ctx := context.Background()
	id := firstID(t, e.Say(anna, "/it licence assign janis.ozols@lgia.gov.lv E3"))
	// The process dies after the request moved to in_progress.
	e.Store.UpdateRequest(ctx, id, func(r *bot.Request, h []bot.Event) ([]bot.Event, error) {
		r.State = bot.StateInProgress
		return []bot.Event{{Kind: bot.EventTransition, From: bot.StateAwaitingApproval, To: bot.StateInProgress, Phrase: bot.P("event.executing")}}, nil
	})
	// Another request an operator took to work on by hand: nothing of the
	// bot's runs, so a restart leaves it alone.
	taken := firstID(t, e.Say(anna, "/it konsultācija kā pievienot kopīgo kalendāru"))
	if reps := e.Say(oper, "/it take "+taken); e.Request(taken).State != bot.StateInProgress {
		t.Fatalf("take: %+v", reps)
	}
	e.Say(anna, "/it comment "+taken+" paldies")
	e.Store.Close()

	st, err := store.Open(e.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := bot.New(st, slog.New(slog.DiscardHandler))
	b.Now = e.Clock.Now
	b.Exchange = sandbox.NewExchange(func() *sandbox.Tenant { tn := sandbox.NewTenant(); sandbox.SeedTenant(tn); return tn }())
	n, err := b.Recover(ctx)
	if err != nil || n != 1 {
		t.Fatalf("recover flagged %d: %v", n, err)
	}
	r, _ := st.Request(ctx, id)
	if !r.NeedsAttention || r.State != bot.StateInProgress {
		t.Fatalf("after restart: %+v", r)
	}
	if r, _ := st.Request(ctx, taken); r.NeedsAttention {
		t.Errorf("the request an operator took is flagged as cut short by a crash")
	}
	evs, _ := st.Events(ctx, id)
	if last := evs[len(evs)-1]; last.Kind != bot.EventAttention {
		t.Fatalf("last event %+v", last)
	}
	// Flagging twice is a no-op; an operator can retry.
	if n, _ := b.Recover(ctx); n != 0 {
		t.Fatalf("flagged again: %d", n)
	}
	op, _ := st.Person(ctx, oper)
	if r, err := b.Retry(ctx, bot.Actor{Person: op, Platform: "test"}, id); err != nil || r.State != bot.StateDone {
		t.Fatalf("retry after crash: %+v %v", r, err)
	}
}

// TestConsultationForPotentialRecipients: a sector institution without a
// valid contract may still ask a consultation (how to renew); actions and
// institutions outside the sector stay refused.
func TestConsultationForPotentialRecipients(t *testing.T) {
	e := bottest.New(t)
	rs := e.Say(maris, "/it konsultācija Kā pagarināt pakalpojuma līgumu?")
	if len(rs) != 1 || rs[0].Kind == bot.KindError || !strings.Contains(rs[0].Text, "IT-2026-") {
		t.Fatalf("consultation from an expired contract: %+v", rs)
	}
	if rs := e.Say(maris, "/it informācija Kāds ir līguma statuss?"); len(rs) != 1 || rs[0].Kind != bot.KindError {
		t.Errorf("an information request needs the contract: %+v", rs)
	}
	if rs := e.Say(laura, "/it konsultācija Vai varam pievienoties?"); len(rs) != 1 || rs[0].Kind != bot.KindError {
		t.Errorf("an institution outside the sector: %+v", rs)
	}
	got, _ := e.Store.Requests(context.Background(), bot.RequestFilter{})
	if len(got) != 1 || got[0].Institution != "VVD" || got[0].Type != bot.TypeConsult {
		t.Errorf("requests %+v", got)
	}
}

// TestSameRequestTwice: a second request for exactly the same action while
// the first is open shows the first instead; a second take and a second
// cancel say so and change nothing.
func TestSameRequestTwice(t *testing.T) {
	e := bottest.New(t)
	first := lastText(e.Say(anna, "/it licence assign janis.ozols@lgia.gov.lv E3"))
	id := reqIDOf(t, first)
	got := lastText(e.Say(janis, "/it licence assign Janis.Ozols@lgia.gov.lv E3"))
	if !strings.Contains(got, id+" already asks for exactly this") {
		t.Errorf("duplicate: %q", got)
	}
	if got := lastText(e.Say(anna, "/it licence assign janis.ozols@lgia.gov.lv E5")); strings.Contains(got, "jau prasa") {
		t.Errorf("another licence is not the same request: %q", got)
	}
	rs, _ := e.Store.Requests(context.Background(), bot.RequestFilter{})
	if len(rs) != 2 {
		t.Fatalf("%d requests, want 2", len(rs))
	}
	e.Say(oper, "/it take "+id)
	before, _ := e.Store.Events(context.Background(), id)
	if got := lastText(e.Say(oper, "/it take "+id)); !strings.Contains(got, "jau ir pie "+oper) {
		t.Errorf("second take: %q", got)
	}
	e.Say(anna, "/it cancel "+id+" vairs nevajag")
	if got := lastText(e.Say(anna, "/it cancel "+id)); !strings.Contains(got, "jau ir „atcelts”") {
		t.Errorf("second cancel: %q", got)
	}
	after, _ := e.Store.Events(context.Background(), id)
	if len(after) != len(before)+1 {
		t.Errorf("events: %d before, %d after (only the first cancel may add one)", len(before), len(after))
	}
	// Closed, the same request may be asked again.
	if got := lastText(e.Say(anna, "/it licence assign janis.ozols@lgia.gov.lv E3")); strings.Contains(got, "jau prasa") {
		t.Errorf("after the first was cancelled: %q", got)
	}
}

func reqIDOf(t *testing.T, s string) string {
	t.Helper()
	i := strings.Index(s, "IT-2026-")
	if i < 0 {
		t.Fatalf("no request id in %q", s)
	}
	return s[i : i+len("IT-2026-000001")]
}

// TestBareNumberIsThisYearsRequest: "1" means IT-<this year>-000001 in
// show and approve.
func TestBareNumberIsThisYearsRequest(t *testing.T) {
	e := bottest.New(t)
	e.Say(anna, "/it spam allow partner-firma.lv")
	if got := lastText(e.Say(anna, "/it skatīt 1")); !strings.Contains(got, "IT-2026-000001") {
		t.Errorf("show 1: %q", got)
	}
	e.Say(ilze, "/it apstiprināt #1")
	if r := e.Request("IT-2026-000001"); r.ApprovedBy != ilze {
		t.Errorf("approve #1: approved by %q, state %s", r.ApprovedBy, r.State)
	}
}

// TestAnswerResumesWaitingForInfo: the requester's comment on a request
// waiting for information resumes it (and its SLA clock); another
// person's comment does not.
func TestAnswerResumesWaitingForInfo(t *testing.T) {
	e := bottest.New(t)
	e.Say(ilze, "/it konsultācija Kā iestatīt pārsūtīšanu?")
	e.Say(oper, "/it wait IT-2026-000001 info Kurai pastkastei?")
	if r := e.Request("IT-2026-000001"); r.State != bot.StateAwaitingInfo {
		t.Fatalf("state %s", r.State)
	}
	e.Say(oper, "/it comment IT-2026-000001 Gaidām atbildi")
	if r := e.Request("IT-2026-000001"); r.State != bot.StateAwaitingInfo {
		t.Fatalf("another person's comment resumed it: %s", r.State)
	}
	e.Say(ilze, "/it comment 1 Pastkastei info@lgia.gov.lv")
	r := e.Request("IT-2026-000001")
	if r.State != bot.StateApproved || r.SLA.DueAt.IsZero() {
		t.Errorf("after the answer: %s, due %v", r.State, r.SLA.DueAt)
	}
}

// TestFixAndCloseFailed: the requester corrects a request waiting for
// approval; a failed one is corrected (and run again) by agency staff, or
// closed by hand; corrections are checked as at creation.
func TestFixAndCloseFailed(t *testing.T) {
	e := bottest.New(t) // no Exchange: approved licences fail
	e.Say(anna, "/it licence assign janis.ozols@lgia.gov.lv E3")
	e.Say(anna, "/it labot 1 sku=E5")
	if r := e.Request("IT-2026-000001"); r.Params.SKU != "E5" || r.State != bot.StateAwaitingApproval {
		t.Fatalf("after the fix: %+v", r)
	}
	if got := lastText(e.Say(anna, "/it labot 1 user=x@vvd.gov.lv")); !strings.Contains(got, "nav jūsu iestādes") {
		t.Errorf("out of scope: %q", got)
	}
	if got := lastText(e.Say(anna, "/it labot 1 colour=red")); !strings.Contains(got, "nav parametra „colour”") || !strings.Contains(got, "user, sku") {
		t.Errorf("unknown parameter: %q", got)
	}
	e.Say(ilze, "/it apstiprināt 1")
	r := e.Request("IT-2026-000001")
	if r.State != bot.StateFailed {
		t.Fatalf("state %s", r.State)
	}
	if got := lastText(e.Say(anna, "/it labot 1 sku=E3")); !strings.Contains(got, "aģentūras darbinieki") {
		t.Errorf("an employee fixing a failed request: %q", got)
	}
	e.Say("dace.avotina@vraa.gov.lv", "/it fix 1 sku=E3")
	if r2 := e.Request("IT-2026-000001"); r2.Params.SKU != "E3" || r2.Attempts != r.Attempts+1 {
		t.Errorf("fixed and run again: sku %s, attempts %d → %d", r2.Params.SKU, r.Attempts, r2.Attempts)
	}
	e.Say(oper, "/it done 1 piešķirts ar roku")
	if r := e.Request("IT-2026-000001"); r.State != bot.StateDone {
		t.Errorf("closing a failed request by hand: %s", r.State)
	}
}
