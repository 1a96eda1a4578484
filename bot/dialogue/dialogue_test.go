package dialogue_test

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"itbot/bot"
	"itbot/bot/dialogue"
)

const (
	anna  = "anna.berzina@lgia.gov.lv"   // LGIA employee, lv
	janis = "janis.ozols@lgia.gov.lv"    // LGIA employee, en
	ilze  = "ilze.liepa@lgia.gov.lv"     // LGIA IT contact, lv
	maris = "maris.egle@vvd.gov.lv"      // VVD (contract expired)
	laura = "laura.koka@vid.gov.lv"      // VID (outside the sector)
	krist = "kristaps.lapsa@vraa.gov.lv" // agency operator
)

// TestSlotFilling asks for each missing slot in turn and creates the
// request the answers describe, with the first message's origin.
func TestSlotFilling(t *testing.T) {
	cases := []struct {
		name   string
		who    string
		turns  []string // the last one confirms
		typ    bot.Type
		params bot.Params
		asks   []string // a phrase of each question, in order
	}{
		{"licence in two turns", anna, []string{"Lūdzu piešķiriet licenci", "janis.ozols@lgia.gov.lv", "jā"},
			bot.TypeLicenceAssign, bot.Params{User: janis}, []string{"Kuram lietotājam piešķirt licenci"}},
		{"shared member in three turns", janis, []string{"Please give access to the shared mailbox", "info@lgia.gov.lv", "anna.berzina@lgia.gov.lv", "yes"},
			bot.TypeSharedMemberAdd, bot.Params{Mailbox: "info@lgia.gov.lv", User: anna, Permission: bot.PermFullAccess},
			[]string{"Which shared mailbox", "Who should get access to info@lgia.gov.lv"}},
		{"dvs role, inflected answer", anna, []string{"Piešķiriet DVS tiesības anna.berzina@lgia.gov.lv", "lietvedim", "jā"},
			bot.TypeDVSRightsGrant, bot.Params{User: anna, Role: "lietvedis"}, []string{"Kādu DVS lomu piešķirt lietotājam anna.berzina@lgia.gov.lv"}},
		{"dvs copy, period in words", anna, []string{"Vajag DVS dokumentu kopijas", "no 2024. gada 1. janvāra līdz 30. jūnijam", "jā"},
			bot.TypeDVSCopy, bot.Params{From: "2024-01-01", To: "2024-06-30"}, []string{"Par kuru periodu"}},
		{"dvs copy, one date at a time", janis, []string{"I need copies of the DVS documents", "2025-03-01", "2025-03-31", "yes"},
			bot.TypeDVSCopy, bot.Params{From: "2025-03-01", To: "2025-03-31"}, []string{"For which period", "Until which date (the period starts on 2025-03-01)"}},
		{"spam sender from an URL", janis, []string{"please block this sender", "https://www.lotto-win.biz/claim", "yes"},
			bot.TypeSpamBlock, bot.Params{Sender: "lotto-win.biz"}, []string{"Which sender or domain should be blocked"}},
		{"shared mailbox name completed", anna, []string{"Izveidojiet kopīgo pastkasti", "lietvediba", "jā"},
			bot.TypeSharedCreate, bot.Params{Mailbox: "lietvediba@lgia.gov.lv"}, []string{"Kāda būs koplietošanas pastkastes adrese"}},
		{"technical mailbox gets an owner", anna, []string{"Vajag tehnisko pastkasti skeneris@lgia.gov.lv", "jā"},
			bot.TypeMailboxCreate, bot.Params{User: "skeneris@lgia.gov.lv", Kind: bot.MailboxTechnical, Owner: anna}, nil},
		{"optional detail in an answer", anna, []string{"Lūdzu piešķiriet licenci", "janis.ozols@lgia.gov.lv, E5 licenci", "jā"},
			bot.TypeLicenceAssign, bot.Params{User: janis, SKU: "E5"}, []string{"Kuram lietotājam"}},
		{"incident carries the text", janis, []string{"DVS is very slow today, documents won't load", "yes"},
			bot.TypeDVSIncident, bot.Params{Text: "DVS is very slow today, documents won't load"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			for i, text := range tc.turns {
				rs := e.say(t, tc.who, "c1", text)
				out := all(rs)
				switch {
				case i < len(tc.asks):
					contains(t, out, tc.asks[i])
				case i == len(tc.turns)-2:
					contains(t, out, "/it confirm ", "/it discard ")
				}
			}
			got := requests(t, e)
			if len(got) != 1 {
				t.Fatalf("%d requests, want 1", len(got))
			}
			r := got[0]
			p := r.Params
			p.SKU = strings.ToUpper(p.SKU)
			if r.Type != tc.typ || !reflect.DeepEqual(p, tc.params) {
				t.Fatalf("got %s %+v, want %s %+v", r.Type, p, tc.typ, tc.params)
			}
			if r.Origin.Platform != "test" || r.Origin.Channel != "c1" || r.Origin.UserID != tc.who || r.Origin.MessageID == "" {
				t.Fatalf("origin %+v", r.Origin)
			}
			if n := dialogues(t, e); n != 0 {
				t.Fatalf("%d dialogues left open", n)
			}
		})
	}
}

// TestBadAnswers asks again with the reason and keeps what was said.
func TestBadAnswers(t *testing.T) {
	cases := []struct {
		name, start, bad, want string
	}{
		{"not an address", "Lūdzu piešķiriet licenci", "Jānis", "nav derīga e-pasta adrese"},
		{"name without separator", "Lūdzu piešķiriet licenci", "janis", "nav derīga e-pasta adrese"},
		{"outside the institution", "Lūdzu piešķiriet licenci", "peteris@vid.gov.lv", "nav jūsu iestādes"},
		{"bad domain", "Lūdzu bloķējiet sūtītāju", "lotto_win", "nav ne e-pasta adrese, ne domēns"},
		{"bad date", "Vajag DVS dokumentu kopijas", "kaut kad", "nav datums, ko saprotu"},
		{"dates in the wrong order", "Vajag DVS dokumentu kopijas", "2025-06-30 līdz 2025-01-01", "ir pirms sākuma"},
		{"bad id", "Kāds ir mana pieteikuma statuss?", "vakardienas", "nav pieteikuma numurs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			first := all(e.say(t, anna, "c", tc.start))
			out := all(e.say(t, anna, "c", tc.bad))
			contains(t, out, tc.want)
			// the same question follows the reason
			q := strings.Split(strings.TrimSpace(first), "\n")
			contains(t, out, q[len(q)-1])
			out = all(e.say(t, anna, "c", tc.bad))
			contains(t, out, "atcelt") // after two tries: how to stop
			if n := dialogues(t, e); n != 1 {
				t.Fatalf("%d dialogues, want the one still asking", n)
			}
		})
	}
}

// TestScopeInFirstMessage refuses an address of another institution found
// in the first message and asks for one of the person's own.
func TestScopeInFirstMessage(t *testing.T) {
	e := newEnv(t)
	out := all(e.say(t, anna, "c", "Lūdzu piešķiriet licenci anna.berzina@vid.gov.lv"))
	contains(t, out, "anna.berzina@vid.gov.lv nav jūsu iestādes", "@lgia.gov.lv", "Kuram lietotājam piešķirt licenci?")
	if len(requests(t, e)) != 0 {
		t.Fatal("a request was created")
	}
}

// TestNotEligible refuses before asking anything.
func TestNotEligible(t *testing.T) {
	for who, want := range map[string]string{maris: "beidzās 2025-12-31", laura: "nav VARAM nozarē"} {
		e := newEnv(t)
		out := all(e.say(t, who, "c", "Lūdzu piešķiriet licenci"))
		contains(t, out, want)
		if strings.Contains(out, "Kuram lietotājam") || dialogues(t, e) != 0 {
			t.Fatalf("%s: asked anyway:\n%s", who, out)
		}
	}
}

// TestConfirmation covers the ways a restated request is answered.
func TestConfirmation(t *testing.T) {
	start := "Lūdzu piešķiriet licenci janis.ozols@lgia.gov.lv"
	cases := []struct {
		name    string
		answers []string // "BUTTON:confirm" clicks the button
		created int
		want    string
	}{
		{"typed yes", []string{"jā"}, 1, "izveidots"},
		{"typed yes without diacritics", []string{"ja, lūdzu"}, 1, "izveidots"},
		{"typed no", []string{"nē"}, 0, "neveidoju"},
		{"button confirm", []string{"BUTTON:/it confirm"}, 1, "izveidots"},
		{"button discard", []string{"BUTTON:/it discard"}, 0, "neveidoju"},
		{"double click", []string{"BUTTON:/it confirm", "BUTTON:/it confirm"}, 1, "vairs nav atvērts"},
		{"yes twice", []string{"jā", "jā"}, 1, "Man nav atvērta jautājuma"},
		{"something else, then yes", []string{"hmm", "jā"}, 1, "izveidots"},
		{"correction, then yes", []string{"nē, peteris.kalnins@lgia.gov.lv", "jā"}, 1, "peteris.kalnins@lgia.gov.lv"},
		{"cancel", []string{"atcelt"}, 0, "pārtraucu"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			restated := e.say(t, anna, "c", start)
			var out string
			for _, a := range tc.answers {
				if cmd, ok := strings.CutPrefix(a, "BUTTON:"); ok {
					a = button(t, restated, cmd)
				}
				out = all(e.say(t, anna, "c", a))
			}
			contains(t, out, tc.want)
			if n := len(requests(t, e)); n != tc.created {
				t.Fatalf("%d requests, want %d", n, tc.created)
			}
			if n := dialogues(t, e); n != 0 {
				t.Fatalf("%d dialogues left", n)
			}
		})
	}
	t.Run("correction is what gets created", func(t *testing.T) {
		e := newEnv(t)
		e.say(t, anna, "c", start)
		contains(t, all(e.say(t, anna, "c", "nē, peteris.kalnins@lgia.gov.lv")), "Laboju", "peteris.kalnins@lgia.gov.lv")
		e.say(t, anna, "c", "jā")
		if r := requests(t, e)[0]; r.Params.User != "peteris.kalnins@lgia.gov.lv" {
			t.Fatalf("created for %s", r.Params.User)
		}
	})
	t.Run("old button after a correction", func(t *testing.T) {
		e := newEnv(t)
		old := button(t, e.say(t, anna, "c", start), "/it confirm")
		e.say(t, anna, "c", "nē, peteris.kalnins@lgia.gov.lv")
		contains(t, all(e.say(t, anna, "c", old)), "vairs nav atvērts")
		if len(requests(t, e)) != 0 {
			t.Fatal("the old restatement was created")
		}
	})
	t.Run("someone else's button", func(t *testing.T) {
		e := newEnv(t)
		cmd := button(t, e.say(t, anna, "c", start), "/it confirm")
		contains(t, all(e.say(t, ilze, "c", cmd)), "tikai tas, kurš jautāja")
		if len(requests(t, e)) != 0 || dialogues(t, e) != 1 {
			t.Fatal("another person's click acted")
		}
	})
}

// TestCancel ends a dialogue at any stage and says so.
func TestCancel(t *testing.T) {
	for _, word := range []string{"atcelt", "Atcelt!", "cancel", "stop"} {
		e := newEnv(t)
		e.say(t, anna, "c", "Izveidojiet kopīgo pastkasti")
		out := all(e.say(t, anna, "c", word))
		if !strings.Contains(out, "pārtraucu") && !strings.Contains(out, "stopped") {
			t.Fatalf("%q: %s", word, out)
		}
		if dialogues(t, e) != 0 {
			t.Fatalf("%q left the dialogue open", word)
		}
		contains(t, all(e.say(t, anna, "c", word)), "Nav nekā, ko pārtraukt")
	}
}

// TestExpiry drops a dialogue left unanswered for longer than the expiry.
func TestExpiry(t *testing.T) {
	t.Run("answer after expiry", func(t *testing.T) {
		e := newEnv(t)
		e.say(t, anna, "c", "Lūdzu piešķiriet licenci")
		e.Clock.Advance(29 * time.Minute)
		contains(t, all(e.say(t, anna, "c", "hmm")), "Kuram lietotājam") // still open, and the clock restarts
		e.Clock.Advance(30*time.Minute + time.Second)
		out := all(e.say(t, anna, "c", "janis.ozols@lgia.gov.lv"))
		contains(t, out, "30 minūtes nebija atbildes", "nekas netika izveidots")
		if strings.Contains(out, "/it confirm") || dialogues(t, e) != 0 {
			t.Fatalf("the expired dialogue went on:\n%s", out)
		}
	})
	t.Run("new request after expiry", func(t *testing.T) {
		e := newEnv(t)
		e.say(t, anna, "c", "Lūdzu piešķiriet licenci")
		e.Clock.Advance(time.Hour)
		out := all(e.say(t, anna, "c", "Izveidojiet kopīgo pastkasti info2@lgia.gov.lv"))
		contains(t, out, "nebija atbildes", "Koplietošanas pastkastes izveide", "/it confirm")
	})
	t.Run("button after expiry", func(t *testing.T) {
		e := newEnv(t)
		cmd := button(t, e.say(t, anna, "c", "Lūdzu piešķiriet licenci janis.ozols@lgia.gov.lv"), "/it confirm")
		e.Clock.Advance(31 * time.Minute)
		contains(t, all(e.say(t, anna, "c", cmd)), "nebija atbildes")
		if len(requests(t, e)) != 0 {
			t.Fatal("an expired confirmation created a request")
		}
	})
	t.Run("configured expiry", func(t *testing.T) {
		e := newEnvWith(t, func(o *dialogue.Options) { o.Expiry = 5 * time.Minute })
		e.say(t, anna, "c", "Lūdzu piešķiriet licenci")
		e.Clock.Advance(6 * time.Minute)
		contains(t, all(e.say(t, anna, "c", "janis.ozols@lgia.gov.lv")), "5 minūtes")
	})
	t.Run("sweep", func(t *testing.T) {
		e := newEnv(t)
		e.say(t, anna, "c1", "Lūdzu piešķiriet licenci janis.ozols@lgia.gov.lv") // waits for yes/no: has a token
		e.Clock.Advance(20 * time.Minute)
		e.say(t, anna, "c2", "Izveidojiet kopīgo pastkasti")
		e.Clock.Advance(15 * time.Minute)
		n, err := e.D.Sweep(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("swept %d, %v; want 1", n, err)
		}
		if dialogues(t, e) != 1 {
			t.Fatal("the live dialogue was swept")
		}
		toks := 0
		e.Store.Scan(context.Background(), dialogue.Bucket, "t", "u", func(string, []byte) error { toks++; return nil })
		if toks != 0 {
			t.Fatalf("%d tokens left", toks)
		}
	})
}

// TestRestart stops the process in the middle of a dialogue: a new store
// handle on the same file, a new bot and router continue it.
func TestRestart(t *testing.T) {
	t.Run("while asking", func(t *testing.T) {
		e := newEnv(t)
		e.say(t, anna, "c", "Lūdzu piešķiriet licenci")
		e2 := e.reopen(t)
		out := all(e2.say(t, anna, "c", "janis.ozols@lgia.gov.lv"))
		contains(t, out, "Pārbaudiet", "janis.ozols@lgia.gov.lv")
		e2.say(t, anna, "c", "jā")
		rs := requests(t, e2)
		if len(rs) != 1 || rs[0].Params.User != janis || rs[0].Origin.Channel != "c" {
			t.Fatalf("after restart: %+v", rs)
		}
	})
	t.Run("while confirming, by button", func(t *testing.T) {
		e := newEnv(t)
		cmd := button(t, e.say(t, anna, "c", "Lūdzu piešķiriet licenci janis.ozols@lgia.gov.lv"), "/it confirm")
		e2 := e.reopen(t)
		contains(t, all(e2.say(t, anna, "c", cmd)), "IT-2026-000001")
		if len(requests(t, e2)) != 1 {
			t.Fatal("no request after the restart")
		}
	})
}

// TestConversationsApart keeps one dialogue per person and conversation.
func TestConversationsApart(t *testing.T) {
	e := newEnv(t)
	e.say(t, anna, "c1", "Lūdzu piešķiriet licenci")
	e.say(t, anna, "c2", "Izveidojiet kopīgo pastkasti")
	e.say(t, ilze, "c1", "Lūdzu noņemiet licenci")
	contains(t, all(e.say(t, anna, "c2", "lietvediba")), "lietvediba@lgia.gov.lv")
	contains(t, all(e.say(t, anna, "c1", "janis.ozols")), "Licences piešķiršana", "janis.ozols@lgia.gov.lv")
	contains(t, all(e.say(t, ilze, "c1", "peteris.kalnins@lgia.gov.lv")), "Licences noņemšana", "peteris.kalnins@lgia.gov.lv")
	if n := dialogues(t, e); n != 3 {
		t.Fatalf("%d dialogues, want 3", n)
	}
}

// TestSwitch takes a clear new request in the middle of a dialogue as a
// new start.
func TestSwitch(t *testing.T) {
	e := newEnv(t)
	e.say(t, anna, "c", "Lūdzu piešķiriet licenci")
	out := all(e.say(t, anna, "c", "Lūdzu izveidojiet kopīgo pastkasti lietvediba@lgia.gov.lv"))
	contains(t, out, "atmetu", "Koplietošanas pastkastes izveide", "lietvediba@lgia.gov.lv")
	// help in the middle answers and asks again
	e2 := newEnv(t)
	e2.say(t, anna, "c", "Lūdzu piešķiriet licenci")
	out = all(e2.say(t, anna, "c", "palīdzība"))
	contains(t, out, "/it licence piešķirt", "Kuram lietotājam piešķirt licenci?")
}

// TestConsult answers a question at once and files it for the operators.
func TestConsult(t *testing.T) {
	cases := []struct{ who, text, tip string }{
		{anna, "Kā iestatīt automātisko atbildi programmā Outlook?", "Automātiskās atbildes"},
		{janis, "How do I add a shared mailbox in Outlook?", "Add shared folder or mailbox"},
		{anna, "Kā nomainīt paroli?", "mysignins.microsoft.com"},
		{janis, "Who decides the colour of the office walls?", "/it help"},
	}
	for _, tc := range cases {
		e := newEnv(t)
		out := all(e.say(t, tc.who, "c", tc.text))
		contains(t, out, tc.tip)
		rs := requests(t, e)
		if strings.Contains(out, "IT-2026-000001") != (len(rs) == 1) {
			t.Fatalf("%q: %s", tc.text, out)
		}
		if len(rs) == 1 && (rs[0].Type != bot.TypeConsult || rs[0].Params.Text != tc.text) {
			t.Fatalf("%q: %+v", tc.text, rs[0])
		}
	}
}

// TestStatus answers from the request, as far as the person may see it.
func TestStatus(t *testing.T) {
	e := newEnv(t)
	e.say(t, anna, "c", "Lūdzu piešķiriet licenci janis.ozols@lgia.gov.lv")
	e.say(t, anna, "c", "jā")
	contains(t, all(e.say(t, anna, "c", "Kas notiek ar IT-2026-000001?")), "gaida apstiprinājumu", "Termiņš 2026-11-24 10:00")
	contains(t, all(e.say(t, ilze, "c", "Kāds ir statuss IT-2026-1?")), "IT-2026-000001 · Licences piešķiršana")
	contains(t, all(e.say(t, krist, "c", "status IT-2026-000001")), "IT-2026-000001")
	contains(t, all(e.say(t, janis, "c", "What's the status of IT-2026-000001?")), "was not found")
	contains(t, all(e.say(t, maris, "c", "Kāds ir statuss IT-2026-000001?")), "nav atrasts")
}

// TestDecisions approves and rejects through the dialogue.
func TestDecisions(t *testing.T) {
	e := newEnv(t)
	e.say(t, anna, "c", "Lūdzu piešķiriet licenci janis.ozols@lgia.gov.lv")
	e.say(t, anna, "c", "jā")
	e.say(t, anna, "c", "Izveidojiet kopīgo pastkasti lietvediba@lgia.gov.lv")
	e.say(t, anna, "c", "jā")

	contains(t, all(e.say(t, anna, "c", "Apstiprinu IT-2026-000001")), "Savu pieteikumu nevar apstiprināt")
	contains(t, all(e.say(t, janis, "c", "I approve IT-2026-000001")), "was not found") // not his to see

	out := all(e.say(t, ilze, "c", "Es gribu apstiprināt pieteikumu"))
	contains(t, out, "Kuru pieteikumu apstiprināt?", "Gaida jūsu apstiprinājumu:", "IT-2026-000001", "IT-2026-000002")
	contains(t, all(e.say(t, ilze, "c", "IT-2026-000001")), "Apstiprināt IT-2026-000001?")
	contains(t, all(e.say(t, ilze, "c", "jā")), "apstiprināts")
	if r := e.Request("IT-2026-000001"); r.State != bot.StateDone || r.ApprovedBy != ilze {
		t.Fatalf("after approval: %s by %s", r.State, r.ApprovedBy)
	}
	contains(t, all(e.say(t, ilze, "c", "Apstiprinu IT-2026-000001")), "negaida apstiprinājumu")

	contains(t, all(e.say(t, ilze, "c", "Noraidu IT-2026-000002")), "Kāpēc noraidāt IT-2026-000002?")
	contains(t, all(e.say(t, ilze, "c", "x")), "iemeslu dažos vārdos")
	contains(t, all(e.say(t, ilze, "c", "Izmantojiet esošo info@lgia.gov.lv")), "Noraidīt IT-2026-000002?", "Iemesls: Izmantojiet esošo")
	e.say(t, ilze, "c", "jā")
	r := e.Request("IT-2026-000002")
	evs, _ := e.Store.Events(context.Background(), r.ID)
	if r.State != bot.StateRejected || evs[len(evs)-1].Note != "Izmantojiet esošo info@lgia.gov.lv" {
		t.Fatalf("after rejection: %s %+v", r.State, evs[len(evs)-1])
	}
}

// TestNeverSilent answers every message with something to read.
func TestNeverSilent(t *testing.T) {
	e := newEnv(t)
	texts := []string{"", "?", "jā", "nē", "asdf qwer", "printeris nestrādā", "👍", "hello", "Sveiki!",
		"licence", "spam", "dvs", "IT-2026-000999", "12345", strings.Repeat("ā", 5000), "<script>alert(1)</script>"}
	for i, text := range texts {
		for _, ch := range []string{"same", "fresh-" + strconv.Itoa(i)} { // in a dialogue, and alone
			out := all(e.say(t, anna, ch, text))
			if strings.TrimSpace(out) == "" {
				t.Fatalf("%q: empty answer", text)
			}
		}
	}
	if rs := requests(t, e); len(rs) != 0 {
		t.Fatalf("noise created %d requests", len(rs))
	}
	contains(t, all(e.say(t, anna, "c2", "spam filtrs")), "/it spam")
	contains(t, all(e.say(t, anna, "c3", "komentārs pieteikumam")), "/it komentārs")
}

// TestBackupStatus is answered directly: no confirmation.
func TestBackupStatus(t *testing.T) {
	e := newEnv(t)
	out := all(e.say(t, anna, "c", "Kad pēdējo reizi tika veikta DVS rezerves kopija?"))
	if strings.Contains(out, "/it confirm") {
		t.Fatalf("asked to confirm a look-up:\n%s", out)
	}
	rs := requests(t, e)
	if len(rs) != 1 || rs[0].Type != bot.TypeDVSBackupStatus {
		t.Fatalf("requests: %+v", rs)
	}
}

// TestUnreadableState drops a record it cannot read instead of failing
// every message of that conversation.
func TestUnreadableState(t *testing.T) {
	e := newEnv(t)
	e.say(t, anna, "c", "Lūdzu pieškiriet licenci")
	var key string
	e.Store.Scan(context.Background(), dialogue.Bucket, "c", "d", func(k string, _ []byte) error { key = k; return nil })
	if err := e.Store.Put(context.Background(), dialogue.Bucket, key, []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	contains(t, all(e.say(t, anna, "c", "Lūdzu piešķiriet licenci")), "Kuram lietotājam")
}

// TestWithoutHooks runs the dialogue with no help or acknowledgement
// renderer from outside, as a package on its own.
func TestWithoutHooks(t *testing.T) {
	e := newEnvWith(t, func(o *dialogue.Options) { o.Help, o.Ack = nil, nil })
	contains(t, all(e.say(t, janis, "c", "help")), "Write to me freely", "Commands: /it help")
	e.say(t, janis, "c", "Please create the shared mailbox records@lgia.gov.lv")
	contains(t, all(e.say(t, janis, "c", "yes")), "✓ Request IT-2026-000001 created (awaiting approval). Due: 2026-11-24 10:00.")
}

// TestRoleAnswers reads a DVS role in the forms people type; a role the
// DVS does not have is refused when the request would be made, with its
// roles.
func TestRoleAnswers(t *testing.T) {
	e := newEnv(t)
	e.say(t, anna, "c", "Piešķiriet DVS tiesības anna.berzina@lgia.gov.lv")
	e.say(t, anna, "c", "sekretārs")
	contains(t, all(e.say(t, anna, "c", "jā")), "sekretars", "vadītājs")
	if rs := requests(t, e); len(rs) != 0 {
		t.Errorf("a request with a role the DVS does not have: %+v", rs[0].Params)
	}
	for answer, want := range map[string]string{"lasītāja lomu": "lasitajs", "arhivārs": "arhivars", "vadītājam": "vaditajs"} {
		e := newEnv(t)
		e.say(t, anna, "c", "Piešķiriet DVS tiesības anna.berzina@lgia.gov.lv")
		contains(t, all(e.say(t, anna, "c", answer)), "DVS loma: ")
		e.say(t, anna, "c", "jā")
		if r := requests(t, e)[0]; bot.Fold(r.Params.Role) != want {
			t.Errorf("%q: role %q, want %q", answer, r.Params.Role, want)
		}
	}
	e = newEnv(t)
	e.say(t, anna, "c", "Piešķiriet DVS tiesības anna.berzina@lgia.gov.lv")
	contains(t, all(e.say(t, anna, "c", "tādu, kā kolēģim Jānim no blakus kabineta")), "nav DVS loma")
}

// TestRefusedOnConfirm: the institution's contract ended between the
// restatement and the "yes"; the refusal says why and the dialogue ends.
func TestRefusedOnConfirm(t *testing.T) {
	e := newEnv(t)
	e.say(t, anna, "c", "Lūdzu piešķiriet licenci janis.ozols@lgia.gov.lv")
	inst, err := e.Store.Institution(context.Background(), "LGIA")
	if err != nil {
		t.Fatal(err)
	}
	inst.Contract.ValidTo = time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	if err := e.Store.PutInstitution(context.Background(), inst); err != nil {
		t.Fatal(err)
	}
	contains(t, all(e.say(t, anna, "c", "jā")), "beidzās 2026-10-31")
	if len(requests(t, e)) != 0 || dialogues(t, e) != 0 {
		t.Fatal("refused request left something behind")
	}
}

// flakyStore is the real bbolt store, except that CreateRequest fails
// once as if the disk were briefly unavailable.
type flakyStore struct {
	bot.Store
	failed bool
}

func (s *flakyStore) CreateRequest(ctx context.Context, r *bot.Request, evs ...bot.Event) error {
	if !s.failed {
		s.failed = true
		return bot.Errorf(bot.EUNAVAILABLE, "error.internal")
	}
	return s.Store.CreateRequest(ctx, r, evs...)
}

// TestKeptForRetry keeps a confirmed dialogue when creating the request
// failed for a reason that may pass: another "yes" creates it.
func TestKeptForRetry(t *testing.T) {
	e := newEnv(t)
	e.Bot.Store = &flakyStore{Store: e.Bot.Store}
	e.say(t, anna, "c", "Lūdzu piešķiriet licenci janis.ozols@lgia.gov.lv")
	out := all(e.say(t, anna, "c", "jā"))
	contains(t, out, "Iekšēja kļūda", "vēl nav izveidots", "/it confirm tok1")
	if len(requests(t, e)) != 0 || dialogues(t, e) != 1 {
		t.Fatal("after the failure")
	}
	contains(t, all(e.say(t, anna, "c", "/it confirm tok1")), "IT-2026-000001")
	if len(requests(t, e)) != 1 {
		t.Fatal("not created on the second try")
	}
}

// TestConcurrentYes: eight "yes" answers and clicks arriving at once
// create one request.
func TestConcurrentYes(t *testing.T) {
	e := newEnv(t)
	cmd := button(t, e.say(t, anna, "c", "Lūdzu piešķiriet licenci janis.ozols@lgia.gov.lv"), "/it confirm")
	who := e.Person(anna)
	var wg sync.WaitGroup
	for i := range 8 {
		text := "jā"
		if i%2 == 1 {
			text = cmd
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := &bot.Recorder{}
			m := &bot.Message{Platform: "test", Channel: "c", UserID: anna, Person: who, Text: text, Source: bot.SourceTyped}
			if err := e.Router.Route(context.Background(), rec, m); err != nil || len(rec.Replies) == 0 {
				t.Errorf("%q: %v", text, err)
			}
		}()
	}
	wg.Wait()
	if n := len(requests(t, e)); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// TestRestateOwner: a technical mailbox's restatement names its owner, the
// person asking, as the type's Check completes it.
func TestRestateOwner(t *testing.T) {
	e := newEnv(t)
	out := all(e.say(t, anna, "c", "Vajag tehnisko pastkasti skeneris@lgia.gov.lv"))
	contains(t, out, "Veids: tehniskā", "Adrese: skeneris@lgia.gov.lv", "Atbildīgais: "+anna)
}

// TestPleaseIsNotYes: with a restated request pending, "Lūdzu piešķiriet
// E3 licenci …" is a new request, not a "yes": the pending one is not
// created (and the person is told), the licence is restated.
func TestPleaseIsNotYes(t *testing.T) {
	e := newEnv(t)
	contains(t, all(e.say(t, ilze, "c", "Lūdzu izveidojiet kopīgo pastkasti arhivs@lgia.gov.lv")), "arhivs@lgia.gov.lv")
	out := all(e.say(t, ilze, "c", "Lūdzu piešķiriet E3 licenci janis.ozols@lgia.gov.lv"))
	contains(t, out, "netika apstiprināts", "janis.ozols@lgia.gov.lv")
	if n := len(requests(t, e)); n != 0 {
		t.Fatalf("%d requests created; the pending one must not be", n)
	}
	e.say(t, ilze, "c", "jā")
	rs := requests(t, e)
	if len(rs) != 1 || rs[0].Type != bot.TypeLicenceAssign {
		t.Fatalf("after yes: %+v", rs)
	}
	// A plain "lūdzu" still confirms.
	e.say(t, ilze, "c2", "Lūdzu izveidojiet kopīgo pastkasti arhivs@lgia.gov.lv")
	e.say(t, ilze, "c2", "lūdzu")
	if n := len(requests(t, e)); n != 2 {
		t.Errorf("after a plain lūdzu: %d requests", n)
	}
}

// The commonest complaints and questions about the services: e-mail that
// does not work becomes a tracked e-mail incident (with Exchange's health
// attached); "does the DVS work?" is answered at once from the
// availability figures, and makes no request.
func TestServiceComplaintsAndQuestions(t *testing.T) {
	e := newEnv(t)
	asked := ""
	e.Deps.ServiceStatus = func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
		asked = strings.Join(c.Args, " ")
		return w.Write(ctx, bot.Reply{Kind: bot.KindText, Text: "pieejamība"})
	}
	rs := e.say(t, anna, "c1", "Vai DVS šobrīd strādā?")
	if !strings.Contains(all(rs), "pieejamība") || asked != "" || len(requests(t, e)) != 0 {
		t.Fatalf("status now: asked %q, replies %s", asked, all(rs))
	}
	e.say(t, anna, "c1", "kāda bija e-pasta pieejamība 2026. gada oktobrī?")
	if asked != "--month 2026-10" {
		t.Errorf("status of October: asked %q", asked)
	}
	rs = e.say(t, anna, "c2", "e-pasts nestrādā kopš rīta, lietotājs janis.ozols@lgia.gov.lv")
	e.say(t, anna, "c2", "jā")
	got := requests(t, e)
	if len(got) != 1 || got[0].Type != "mail.incident" || got[0].Params.User != "janis.ozols@lgia.gov.lv" {
		t.Fatalf("e-mail incident: %+v\n%s", got, all(rs))
	}
	if got[0].Meta["exchange.health"] == "" {
		t.Errorf("Exchange's health was not attached: %v", got[0].Meta)
	}
}
