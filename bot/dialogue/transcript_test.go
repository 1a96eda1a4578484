package dialogue_test

import "testing"

// TestTranscriptLV is a Latvian conversation through the console adapter:
// slot filling with a refused and a completed address, typed confirmation,
// approval by button, a consultation, a status question, rejection with a
// reason, cancel, expiry and unknown text.
func TestTranscriptLV(t *testing.T) {
	e := newEnv(t)
	got := transcript(t, e, "anna.berzina@lgia.gov.lv", `
Lūdzu piešķiriet licenci
janis
x@vid.gov.lv
janis.ozols
jā
/it as ilze.liepa@lgia.gov.lv
Apstiprinu IT-2026-000001
/it confirm tok2
/it confirm tok2
/it as anna.berzina@lgia.gov.lv
Kā pieslēgt kopīgo pastkasti telefonā?
Kāds ir mana pieteikuma statuss?
1
Izveidojiet kopīgo pastkasti
lietvediba
jā
/it as ilze.liepa@lgia.gov.lv
Noraidu IT-2026-000003
Nav vajadzīga, izmantojiet info@lgia.gov.lv
nē
Noraidu IT-2026-000003, nav vajadzīga
jā
/it as anna.berzina@lgia.gov.lv
Vajag DVS dokumentu kopijas
par 2025. gadu
atcelt
Bloķējiet domēnu lotto-win.biz
!advance 31m
jā
printeris nestrādā
`)
	golden(t, "conversation_lv.golden", got)
}

// TestTranscriptEN is an English conversation: a refused change, a
// two-slot request confirmed by button, dates in words, a correction, a
// status question, help and unknown text.
func TestTranscriptEN(t *testing.T) {
	e := newEnv(t)
	got := transcript(t, e, "janis.ozols@lgia.gov.lv", `
please whitelist partner-firma.lv, their invoices go to junk
no
Please give access to the shared mailbox
info@lgia.gov.lv
anna.berzina@lgia.gov.lv
/it confirm tok2
I need copies of the DVS documents
for last year
make it 2025-01-01 to 2025-06-30
yes
What's the status of my request?
IT-2026-000002
Please assign an E3 licence
cancel
cancel
hello there
help
`)
	golden(t, "conversation_en.golden", got)
}

// TestTranscriptRestart stops itbot in the middle of conversations held at
// the console: the store is closed, the same file reopened under a new
// bot, router and dialogue, and the conversations go on where they were.
func TestTranscriptRestart(t *testing.T) {
	e := newEnv(t)
	var got []byte
	got = append(got, transcript(t, e, "anna.berzina@lgia.gov.lv", `
Lūdzu piešķiriet licenci
janis.ozols
/it as janis.ozols@lgia.gov.lv
I need copies of the DVS documents
`)...)
	e = e.reopen(t)
	got = append(got, "\n[restart]\n"...)
	got = append(got, transcript(t, e, "janis.ozols@lgia.gov.lv", `
for 2025
`)...)
	e = e.reopen(t)
	got = append(got, "\n[restart]\n"...)
	got = append(got, transcript(t, e, "anna.berzina@lgia.gov.lv", `
jā
/it as janis.ozols@lgia.gov.lv
/it confirm tok2
`)...)
	golden(t, "conversation_restart.golden", got)
	if n := len(requests(t, e)); n != 2 {
		t.Fatalf("%d requests after the restarts, want 2", n)
	}
}
