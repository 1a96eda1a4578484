package dialogue

import (
	"slices"
	"sync"
	"testing"

	"itbot/bot"
	"itbot/bot/nlu"
	_ "itbot/commands" // registers the request types
)

// TestSlotsFromTable: the slots the conversation takes for a request type
// come from the type's table; they must be the lists nlu reports slots for,
// or the conversation asks for what nlu never fills or ignores what it
// found.
func TestSlotsFromTable(t *testing.T) {
	eq := func(a, b []string) bool { return len(a) == 0 && len(b) == 0 || slices.Equal(a, b) }
	n := 0
	for _, s := range bot.TypeSpecs() {
		for _, ps := range s.Params {
			if ps.Slot != "" && nlu.QuestionKey(ps.Slot) == "" {
				t.Errorf("%s: parameter %s has slot %q, which nlu does not know", s.Type, ps.Name, ps.Slot)
			}
		}
		in := string(s.Type)
		if !nlu.IsIntent(in) {
			continue // no message starts it; only the command line does
		}
		n++
		if got, want := requiredSlots(in), nlu.Required(in); !eq(got, want) {
			t.Errorf("%s: required slots %v from the table, nlu has %v", in, got, want)
		}
		if got, want := optionalSlots(in), nlu.Optional(in); !eq(got, want) {
			t.Errorf("%s: optional slots %v from the table, nlu has %v", in, got, want)
		}
	}
	if n == 0 {
		t.Fatal("no request type is an nlu intent")
	}
	// Every intent is a request type or one the conversation handles
	// itself, with nlu's lists.
	own := []string{nlu.IntentRequestStatus, nlu.IntentRequestApprove, nlu.IntentRequestReject, nlu.IntentServiceStatus, nlu.IntentHelp, nlu.IntentUnknown}
	for _, in := range nlu.Intents() {
		if _, ok := requestType(in); ok {
			continue
		}
		if !slices.Contains(own, in) {
			t.Errorf("intent %s is no request type", in)
		}
		if !eq(requiredSlots(in), nlu.Required(in)) || !eq(optionalSlots(in), nlu.Optional(in)) {
			t.Errorf("%s: slots %v %v, nlu has %v %v", in, requiredSlots(in), optionalSlots(in), nlu.Required(in), nlu.Optional(in))
		}
	}
}

// testRestore is a type the dialogue package has never heard of, as a new
// command family would register it.
const testRestore bot.Type = "test.dvs.restore"

var registerRestore sync.Once

func restoreType() {
	registerRestore.Do(func() {
		bot.RegisterTexts(
			bot.T("test.param.backup", "Rezerves kopija", "Backup"),
			bot.T("test.ask.when", "Kurā dienā atjaunot?", "On which day should it be restored?"),
		)
		bot.RegisterType(bot.TypeSpec{Type: testRestore, Order: 10000, LV: "DVS atjaunošana", EN: "DVS restore",
			Params: []bot.ParamSpec{
				{Name: "backup", Kind: bot.ParamWord, Required: true, Label: "test.param.backup"},
				{Name: "when", Kind: bot.ParamDate, Required: true, Slot: nlu.SlotFrom, Ask: "test.ask.when"},
			}})
	})
}

// TestRestateNewType: a new type's restatement, slots and questions come
// from its table entry, with no edit to the dialogue.
func TestRestateNewType(t *testing.T) {
	restoreType()
	in := string(testRestore)
	if got := requiredSlots(in); !slices.Equal(got, []string{nlu.SlotFrom}) {
		t.Fatalf("required slots %v", got)
	}
	st := &state{Person: "anna.berzina@lgia.gov.lv", Intent: in, Slots: map[string]string{nlu.SlotFrom: "2026-03-01"}}
	tu := &turn{lang: bot.LV, inst: &bot.Institution{Domains: []string{"lgia.gov.lv"}}}
	p := tu.params(st)
	if p.Get("when") != "2026-03-01" || len(p.Extra) != 1 {
		t.Fatalf("params %+v", p)
	}
	p.Set("backup", "B-7")
	fs := tu.fields(testRestore, p)
	if len(fs) != 1 || fs[0] != (bot.Field{Label: "Rezerves kopija", Value: "B-7"}) {
		t.Fatalf("fields %+v", fs)
	}
	if q := tu.question(st, nlu.SlotFrom).Text; q != "Kurā dienā atjaunot?" {
		t.Fatalf("question %q", q)
	}
}

// TestRestateText clips free text and keeps the table's labels.
func TestRestateText(t *testing.T) {
	tu := &turn{lang: bot.EN}
	long := make([]rune, 400)
	for i := range long {
		long[i] = 'ā'
	}
	fs := tu.fields(bot.TypeConsult, bot.Params{Text: string(long)})
	if len(fs) != 1 || fs[0].Label != "Text" || fs[0].Value != string(long[:297])+"…" {
		t.Fatalf("fields %+v", fs)
	}
}
