package mailbox

import (
	"strings"
	"testing"
	"unicode/utf8"

	"itbot/bot"
)

// FuzzCleanBody checks the body cleaning on any input: it never panics,
// its result is valid UTF-8 with no quoted (">") line, no CR and no
// surrounding space, and cleaning the result again changes nothing. The
// seed corpus (testdata/fuzz/FuzzCleanBody) holds the sample mails'
// bodies and the shapes of the common clients' replies.
func FuzzCleanBody(f *testing.F) {
	f.Add("Labdien!\n\nLūdzu palīdziet.\n-- \nAnna", false)
	f.Add("<div>Jā</div><hr><div id=\"divRplyFwdMsg\"><b>From:</b> IT</div>", true)
	f.Add("ok\nOn Mon, 23 Nov 2026 at 10:00, IT <\nit@vraa.gov.lv> wrote:\n> x", false)
	f.Add("<table><tr><td>a</td><td>b</td></tr></table><script>x</script>", true)
	f.Fuzz(func(t *testing.T, body string, isHTML bool) {
		got := CleanBody(body, isHTML)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if strings.ContainsRune(got, '\r') || strings.TrimSpace(got) != got {
			t.Fatalf("untidy: %q", got)
		}
		for _, l := range strings.Split(got, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), ">") {
				t.Fatalf("quoted line kept: %q in %q", l, got)
			}
		}
		if again := CleanBody(got, false); again != got {
			t.Fatalf("not idempotent:\nonce  %q\ntwice %q", got, again)
		}
	})
}

// FuzzAuthenticate checks the Authentication-Results reading: only the
// topmost header counts, so whatever a sender adds below it cannot change
// the verdict; a pass is only ever for the From domain.
func FuzzAuthenticate(f *testing.F) {
	f.Add("spf=pass smtp.mailfrom=lgia.gov.lv; dkim=pass header.d=lgia.gov.lv;dmarc=pass action=none header.from=lgia.gov.lv;compauth=pass reason=100", "dmarc=pass header.from=lgia.gov.lv", "ilze.liepa@lgia.gov.lv")
	f.Add("dmarc=fail action=quarantine header.from=lgia.gov.lv;compauth=fail reason=000", "dmarc=pass", "ilze@lgia.gov.lv")
	f.Add("dmarc=none (dmarc=pass) header.from=x.lv", "", "a@x.lv")
	f.Fuzz(func(t *testing.T, top, forged, from string) {
		one := Authenticate(from, []Header{{"Authentication-Results", top}}, false)
		two := Authenticate(from, []Header{{"Authentication-Results", top}, {"Authentication-Results", forged}}, false)
		if one != two {
			t.Fatalf("a lower header changed the verdict: %v -> %v", one, two)
		}
		if one == AuthPass {
			_, _, hf := authResults(top)
			if !aligned(bot.Domain(from), hf) {
				t.Fatalf("pass for %q with header.from %q", from, hf)
			}
		}
	})
}

// FuzzSubject checks the subject reading: an id found is a valid request
// id, and stripping prefixes is idempotent.
func FuzzSubject(f *testing.F) {
	f.Add("RE: [IT-2026-000123] Licence")
	f.Add("ATB: AW: Re: [it-2026-123] x")
	f.Add("Fwd: par IT-2026-000042")
	f.Fuzz(func(t *testing.T, s string) {
		if id := SubjectID(s); id != "" {
			if p, err := bot.ParseID(id); err != nil || p != id {
				t.Fatalf("SubjectID(%q) = %q", s, id)
			}
		}
		b := BaseSubject(s)
		if BaseSubject(b) != b {
			t.Fatalf("BaseSubject not idempotent: %q -> %q -> %q", s, b, BaseSubject(b))
		}
	})
}
