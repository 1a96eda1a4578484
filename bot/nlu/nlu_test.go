package nlu

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"Pastkastē": "pastkaste",
		"ĀČĒĢĪĶĻŅŠŪŽ āčēģīķļņšūž":       "acegiklnsuz acegiklnsuz",
		"Lūdzu izveidojiet":             "ludzu izveidojiet",
		"already ascii":                 "already ascii",
		"E-pasts “Info”":                "e-pasts \"info\"",
		"Grüße, Õun":                    "grusse, oun",
		"":                              "",
		"a\u0304":                       "a", // combining macron dropped
		"IT-2026-000042 Kopīgā Vēstule": "it-2026-000042 kopiga vestule",
	}
	for in, want := range cases {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClosest(t *testing.T) {
	cands := []string{"licence", "mailbox", "shared", "spam", "palīdzība"}
	cases := map[string]string{
		"licnce":    "licence",
		"LICENCE":   "licence",
		"mailbx":    "mailbox",
		"palidziba": "palīdzība",
		"spm":       "spam",
		"xyzzy":     "",
		"":          "",
		"report":    "",
	}
	for in, want := range cases {
		if got := Closest(in, cands); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseYesNo(t *testing.T) {
	yes := []string{"jā", "Jā!", "ja", "Jā, lūdzu", "lūdzu", "yes", "Y", "ok", "OK.", "apstiprinu", "labi"}
	no := []string{"nē", "Nē, paldies", "ne", "no", "No.", "atcelt", "cancel", "nevajag"}
	neither := []string{"", "varbūt", "maybe later", "kas tas ir?", "izveidojiet pastkasti"}
	for _, s := range yes {
		if y, n := ParseYesNo(s); !y || n {
			t.Errorf("ParseYesNo(%q) = %v,%v, want yes", s, y, n)
		}
	}
	for _, s := range no {
		if y, n := ParseYesNo(s); y || !n {
			t.Errorf("ParseYesNo(%q) = %v,%v, want no", s, y, n)
		}
	}
	for _, s := range neither {
		if y, n := ParseYesNo(s); y || n {
			t.Errorf("ParseYesNo(%q) = %v,%v, want neither", s, y, n)
		}
	}
}

func TestIsCancel(t *testing.T) {
	for _, s := range []string{"atcelt", "Atcelt!", "cancel", "STOP", "stop please", "lūdzu atcelt"} {
		if !IsCancel(s) {
			t.Errorf("IsCancel(%q) = false", s)
		}
	}
	for _, s := range []string{"", "jā", "please do not stop the mailbox migration", "turpināt"} {
		if IsCancel(s) {
			t.Errorf("IsCancel(%q) = true", s)
		}
	}
}

func TestRequiredTable(t *testing.T) {
	want := map[string][]string{
		IntentLicenceAssign:      {SlotUser},
		IntentSharedCreate:       {SlotMailbox},
		IntentSharedMemberAdd:    {SlotMailbox, SlotUser},
		IntentSharedMemberRemove: {SlotMailbox, SlotUser},
		IntentSpamAllow:          {SlotSender},
		IntentSpamBlock:          {SlotSender},
		IntentDVSRightsGrant:     {SlotUser, SlotRole},
		IntentDVSRightsRevoke:    {SlotUser},
		IntentDVSCopy:            {SlotFrom, SlotTo},
		IntentRequestStatus:      {SlotID},
		IntentRequestApprove:     {SlotID},
		IntentRequestReject:      {SlotID},
		IntentHelp:               nil,
		"no.such.intent":         nil,
	}
	for in, w := range want {
		if got := Required(in); !slices.Equal(got, w) {
			t.Errorf("Required(%q) = %v, want %v", in, got, w)
		}
	}
	if got := len(Intents()); got != 24 {
		t.Errorf("%d intents, want 24", got)
	}
	for _, in := range Intents() {
		if !IsIntent(in) {
			t.Errorf("IsIntent(%q) = false", in)
		}
		for _, s := range append(Required(in), Optional(in)...) {
			if QuestionKey(s) == "" || Question(s, "lv") == "" || Question(s, "en") == "" {
				t.Errorf("slot %q of %s has no question", s, in)
			}
		}
	}
	r := Required(IntentSharedMemberAdd)
	r[0] = "changed"
	if Required(IntentSharedMemberAdd)[0] != SlotMailbox {
		t.Error("Required returned the table's own slice")
	}
}

func TestJSON(t *testing.T) {
	now := time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)
	cases := []struct{ text, want string }{
		{"Lūdzu piešķiriet licenci", `{"intent":"licence.assign","slots":{},"missing":["user"],"lang":"lv"}`},
		{"Please assign an E3 licence to janis.ozols@vraa.gov.lv",
			`{"intent":"licence.assign","slots":{"sku":"E3","user":"janis.ozols@vraa.gov.lv"},"missing":[],"lang":"en"}`},
		{"", `{"intent":"unknown","slots":{},"missing":[],"lang":"en"}`},
	}
	for _, c := range cases {
		got := string(Parse(c.text, now).JSON())
		if got != c.want {
			t.Errorf("JSON(%q)\n got %s\nwant %s", c.text, got, c.want)
		}
	}
	// A zero Result still renders the arrays and the object.
	if got := string(Result{Intent: IntentHelp, Lang: "en"}.JSON()); got != `{"intent":"help","slots":{},"missing":[],"lang":"en"}` {
		t.Errorf("zero Result JSON = %s", got)
	}
	// Newlines and quotes in values stay on one line.
	r := Result{Intent: IntentMailboxCreate, Slots: map[string]string{SlotDisplayName: "A \"B\"\nC"}, Lang: "lv"}
	b := r.JSON()
	if bytes.ContainsRune(b, '\n') {
		t.Errorf("JSON has a newline: %s", b)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
}

func TestDates(t *testing.T) {
	now := time.Date(2026, 4, 15, 10, 0, 0, 0, time.UTC)
	cases := []struct{ text, from, to string }{
		{"no 2024. gada 1. janvāra līdz 30. jūnijam", "2024-01-01", "2024-06-30"},
		{"no 1. janvāra līdz 30. jūnijam 2024", "2024-01-01", "2024-06-30"},
		{"par 2025. gadu", "2025-01-01", "2025-12-31"},
		{"2025. gada martā", "2025-03-01", "2025-03-31"},
		{"2024. gada februārī", "2024-02-01", "2024-02-29"},
		{"par pagājušo mēnesi", "2026-03-01", "2026-03-31"},
		{"pagajusaja menesi", "2026-03-01", "2026-03-31"},
		{"par pagājušo gadu", "2025-01-01", "2025-12-31"},
		{"pērn", "2025-01-01", "2025-12-31"},
		{"šogad", "2026-01-01", "2026-12-31"},
		{"2025. gada 2. ceturksnī", "2025-04-01", "2025-06-30"},
		{"from 1 January 2024 to 30 June 2024", "2024-01-01", "2024-06-30"},
		{"from January 1, 2024 to June 30, 2024", "2024-01-01", "2024-06-30"},
		{"for 2025", "2025-01-01", "2025-12-31"},
		{"between 2024-01-01 and 2024-03-31", "2024-01-01", "2024-03-31"},
		{"no 01.02.2025 līdz 28.02.2025", "2025-02-01", "2025-02-28"},
		{"for March 2025", "2025-03-01", "2025-03-31"},
		{"Q3 2025", "2025-07-01", "2025-09-30"},
		{"last month", "2026-03-01", "2026-03-31"},
		{"last year", "2025-01-01", "2025-12-31"},
		{"last quarter", "2026-01-01", "2026-03-31"},
		{"last week", "2026-04-06", "2026-04-12"},
		{"no janvāra līdz martam 2025", "2025-01-01", "2025-03-31"},
		{"from June to August 2025", "2025-06-01", "2025-08-31"},
		{"from jan to mar", "", ""},
		{"since 2025-05-01", "2025-05-01", ""},
		{"līdz 2025. gada 31. maijam", "", "2025-05-31"},
		{"2025-02-30", "", ""},
		{"nothing here", "", ""},
		{"kļūda 500", "", ""},
		{"par 2025. gada jan", "2025-01-01", "2025-01-31"}, // the month token is longer than the word
		{"00000000000000000000000 kopij0000000000 gAd0 0 jAn", "", ""},
	}
	for _, c := range cases {
		from, to := findPeriod(Normalize(c.text), now)
		if from != c.from || to != c.to {
			t.Errorf("%q: got %q..%q, want %q..%q", c.text, from, to, c.from, c.to)
		}
	}
	// January: "last month" is December of the year before.
	jan := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	if from, to := findPeriod("last month", jan); from != "2025-12-01" || to != "2025-12-31" {
		t.Errorf("last month in January: %s..%s", from, to)
	}
}

func TestEntities(t *testing.T) {
	es := findEntities("Sūtiet uz Anna.Berzina@VID.gov.lv, bloķēt www.spam-x.com un it-2026-42; 1.janvārī; e.g. file.docx")
	var got []string
	for _, e := range es {
		got = append(got, string(e.kind)+":"+e.value)
	}
	want := []string{"e:anna.berzina@vid.gov.lv", "d:spam-x.com", "i:IT-2026-000042"}
	if !slices.Equal(got, want) {
		t.Errorf("entities = %v, want %v", got, want)
	}
}

func TestSlotsGrammar(t *testing.T) {
	now := time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		text, intent, user, mailbox string
	}{
		{"Pievienojiet anna@vid.gov.lv pastkastei info@vid.gov.lv", IntentSharedMemberAdd, "anna@vid.gov.lv", "info@vid.gov.lv"},
		{"Pastkastei info@vid.gov.lv pievienojiet lietotāju anna@vid.gov.lv", IntentSharedMemberAdd, "anna@vid.gov.lv", "info@vid.gov.lv"},
		{"Add anna@vid.gov.lv to the shared mailbox info@vid.gov.lv", IntentSharedMemberAdd, "anna@vid.gov.lv", "info@vid.gov.lv"},
		{"Give send as on info@vid.gov.lv to anna@vid.gov.lv", IntentSharedMemberAdd, "anna@vid.gov.lv", "info@vid.gov.lv"},
		{"Noņemiet lietotājam anna@vid.gov.lv piekļuvi pastkastei info@vid.gov.lv", IntentSharedMemberRemove, "anna@vid.gov.lv", "info@vid.gov.lv"},
		{"Add me to the shared mailbox info@vid.gov.lv", IntentSharedMemberAdd, "", "info@vid.gov.lv"},
		{"Pievienojiet lietotāju anna@vid.gov.lv kopīgajai pastkastei", IntentSharedMemberAdd, "anna@vid.gov.lv", ""},
	}
	for _, c := range cases {
		r := Parse(c.text, now)
		if r.Intent != c.intent || r.Slots[SlotUser] != c.user || r.Slots[SlotMailbox] != c.mailbox {
			t.Errorf("%q: got %s", c.text, r.JSON())
		}
	}
}

func TestRunParseCLI(t *testing.T) {
	var out bytes.Buffer
	if err := RunParseCLI([]string{"-now", "2026-04-15", "DVS", "dokumentu", "kopijas", "par", "pagājušo", "mēnesi"}, &out); err != nil {
		t.Fatal(err)
	}
	want := `{"intent":"dvs.copy","slots":{"from":"2026-03-01","to":"2026-03-31"},"missing":[],"lang":"lv"}` + "\n"
	if out.String() != want {
		t.Errorf("got %s want %s", out.String(), want)
	}
	if err := RunParseCLI(nil, &out); !errors.Is(err, ErrUsage) {
		t.Errorf("no text: err = %v", err)
	}
	if err := RunParseCLI([]string{"-now", "yesterday", "help"}, &out); !errors.Is(err, ErrUsage) {
		t.Errorf("bad -now: err = %v", err)
	}
	out.Reset()
	if err := RunParseCLI([]string{"status IT-2026-000017"}, &out); err != nil || !strings.Contains(out.String(), `"id":"IT-2026-000017"`) {
		t.Errorf("got %q, %v", out.String(), err)
	}
}

func TestLongAndOddInput(t *testing.T) {
	now := time.Now()
	long := strings.Repeat("Lūdzu izveidojiet kopīgo pastkasti info@vid.gov.lv. ", 500)
	if r := Parse(long, now); r.Intent != IntentSharedCreate {
		t.Errorf("long text: %s", r.JSON())
	}
	for _, s := range []string{"\xff\xfe", "@@@", "IT-", "a@b", "....", "\x00", "zzeml0 zzeml99 zzid5"} {
		r := Parse(s, now)
		if !IsIntent(r.Intent) || r.Missing == nil || (r.Lang != "lv" && r.Lang != "en") {
			t.Errorf("%q: %+v", s, r)
		}
	}
}

// TestConcurrentParse runs Parse from many goroutines; with -race it checks
// that the package keeps no shared mutable state.
func TestConcurrentParse(t *testing.T) {
	now := time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)
	want := make([]string, len(benchMix))
	for i, s := range benchMix {
		want[i] = string(Parse(s, now).JSON())
	}
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 50; i++ {
				k := (g + i) % len(benchMix)
				if got := string(Parse(benchMix[k], now).JSON()); got != want[k] {
					t.Errorf("concurrent parse of %q: %s, want %s", benchMix[k], got, want[k])
					return
				}
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
}
