package mailbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"itbot/adapters/exchange/exchangetest"
)

func TestCleanBody(t *testing.T) {
	for _, tc := range []struct {
		name string
		html bool
		in   string
		want string
	}{
		{"plain", false, "Labdien!\r\n\r\n\r\nLūdzu palīdziet.\r\nPaldies", "Labdien!\n\nLūdzu palīdziet.\nPaldies"},
		{"outlook lv header block", false, "APSTIPRINU\n\nNo: VRAA IT <it@vraa.gov.lv>\nNosūtīts: pirmdiena, 2026. gada 23. novembris 10:00\nKam: Ilze\nTēma: RE: x\n\nvecais teksts", "APSTIPRINU"},
		{"outlook en header block", false, "Yes.\n\nFrom: IT <it@vraa.gov.lv>\nSent: Monday\nTo: Janis\nSubject: x\n\nold", "Yes."},
		{"from line alone is text", false, "From: the Riga office we need two licences.\nThanks", "From: the Riga office we need two licences.\nThanks"},
		{"gmail attribution", false, "Thanks!\n\nOn Mon, 23 Nov 2026 at 10:00, VRAA IT <it@vraa.gov.lv> wrote:\n> old\n> older", "Thanks!"},
		{"wrapped attribution", false, "Thanks!\nOn Mon, 23 Nov 2026 at 10:00, VRAA IT <\nit@vraa.gov.lv> wrote:\n> old", "Thanks!"},
		{"latvian attribution", false, "Paldies!\n\n2026. gada 23. nov. 10:00 VRAA IT rakstīja:\n> vecs", "Paldies!"},
		{"original message", false, "Skat. zemāk.\n-----Original Message-----\nFrom: x", "Skat. zemāk."},
		{"underscore divider", false, "Labi.\n________________________________\nNo: x", "Labi."},
		{"signature", false, "Lūdzu pievienot.\n-- \nJānis Ozols\nLGIA", "Lūdzu pievienot."},
		{"quoted lines dropped", false, "> citāts\nMana atbilde\n> vēl", "Mana atbilde"},
		{"mobile", false, "Labi\n\nSent from my iPhone", "Labi"},
		{"nbsp and zero width", false, "a\u00a0b\u200bc\ufeff", "a bc"},
		{"html paragraphs", true, "<html><head><style>p{}</style><title>t</title></head><body><p>Pirmā</p><p>Otrā<br>rinda</p><ul><li>viens</li><li>divi</li></ul></body></html>", "Pirmā\nOtrā\nrinda\n• viens\n• divi"},
		{"html entities and script", true, "<div>A &amp; B &lt;x&gt;&nbsp;C</div><script>alert(1)</script><div>D</div>", "A & B <x> C\nD"},
		{"html outlook web reply", true, "<div>Jā</div><hr><div id=\"divRplyFwdMsg\"><b>From:</b> IT</div><div>old</div>", "Jā"},
		{"html gmail quote", true, "<div>ok</div><div class=\"gmail_quote\">On … wrote:<blockquote>old</blockquote></div>", "ok"},
		{"html cite blockquote", true, "<p>labi</p><blockquote type=\"cite\">vecs</blockquote>", "labi"},
		{"html plain blockquote kept", true, "<p>Kļūda:</p><blockquote>Error 500</blockquote>", "Kļūda:\nError 500"},
		{"html table", true, "<table><tr><td>Vārds</td><td>Anna</td></tr><tr><td>E-pasts</td><td>a@b.lv</td></tr></table>", "Vārds  Anna\nE-pasts  a@b.lv"},
		{"html invalid utf8", true, "<p>a\xffb</p>", "a\uFFFDb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CleanBody(tc.in, tc.html)
			if got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// The sample mails clean to what their writers wrote.
func TestCleanSamples(t *testing.T) {
	for name, want := range map[string]string{
		"lv_licence_outlook.eml":    "Labdien!\n\nLūdzu piešķiriet licenci E3 lietotājam janis.ozols@lgia.gov.lv.\n\nPaldies!\nIlze Liepa\nLGIA IT kontaktpersona",
		"en_shared_plain.eml":       "Hello,\n\nplease create a shared mailbox lietvediba2@lgia.gov.lv for our records team.\n\nRegards,\nJanis",
		"en_comment_reply_html.eml": "Please also give Anna Berzina full access to it.\n\nThanks,\nJanis",
		"lv_approve_reply.eml":      "APSTIPRINU\n\nIlze",
		"en_approve_unverified.eml": "Approve.",
		"lv_consult_newsender.eml":  "Labdien!\n\nKā iestatīt automātisko atbildi programmā Outlook, kad esmu atvaļinājumā?\n\nAr cieņu,\nLīga Bērza",
	} {
		raw, err := os.ReadFile(filepath.Join("testdata", "mail", name))
		if err != nil {
			t.Fatal(err)
		}
		m, err := exchangetest.ParseMIME(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := CleanBody(m.Body, m.BodyHTML); got != want {
			t.Errorf("%s:\ngot  %q\nwant %q", name, got, want)
		}
	}
}

func TestLimit(t *testing.T) {
	s := strings.Repeat("ā", 10) // 20 bytes
	got := Limit(s, 9)
	if !utf8.ValidString(got) || len(got) > 9 || !strings.HasSuffix(got, "…") {
		t.Fatalf("%q", got)
	}
	if Limit("abc", 9) != "abc" {
		t.Fatal("short text changed")
	}
}

func TestSubjects(t *testing.T) {
	for _, tc := range []struct{ in, id, base string }{
		{"RE: [IT-2026-000123] Licence", "IT-2026-000123", "Licence"},
		{"ATB: AW: Re: [it-2026-123] x", "IT-2026-000123", "x"},
		{"Fwd: par IT-2026-000042 pieteikumu", "IT-2026-000042", "par IT-2026-000042 pieteikumu"},
		{"Pārs: Jautājums", "", "Jautājums"},
		{"IT-2026-12 nav numurs", "", "IT-2026-12 nav numurs"},
		{"RE: RE: ", "", ""},
	} {
		if got := SubjectID(tc.in); got != tc.id {
			t.Errorf("SubjectID(%q) = %q, want %q", tc.in, got, tc.id)
		}
		if got := BaseSubject(tc.in); got != tc.base {
			t.Errorf("BaseSubject(%q) = %q, want %q", tc.in, got, tc.base)
		}
	}
	if got := replySubject("ATB: [IT-2026-000001] Licence", "IT-2026-000001"); got != "RE: [IT-2026-000001] Licence" {
		t.Errorf("replySubject %q", got)
	}
}

func TestFindDecision(t *testing.T) {
	for _, tc := range []struct {
		in   string
		d    Decision
		rest string
	}{
		{"APSTIPRINU", Approve, ""},
		{"Apstiprinu.\n\nIlze", Approve, "Ilze"},
		{"approve", Approve, ""},
		{"Approved!", Approve, ""},
		{"NORAIDU — nav budžeta", Reject, "nav budžeta"},
		{"Reject: not needed", Reject, "not needed"},
		{"Es neapstiprinu", NoDecision, ""},
		{"Lūdzu apstipriniet", NoDecision, ""},
		{"", NoDecision, ""},
	} {
		d, rest := FindDecision(tc.in)
		if d != tc.d || rest != tc.rest {
			t.Errorf("FindDecision(%q) = %v %q, want %v %q", tc.in, d, rest, tc.d, tc.rest)
		}
	}
}

func TestAutomated(t *testing.T) {
	h := func(kv ...string) []Header {
		var out []Header
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, Header{kv[i], kv[i+1]})
		}
		return out
	}
	for _, tc := range []struct {
		from, subject string
		hs            []Header
		auto          bool
	}{
		{"anna@lgia.gov.lv", "Licence", nil, false},
		{"anna@lgia.gov.lv", "Licence", h("Auto-Submitted", "no"), false},
		{"anna@lgia.gov.lv", "Licence", h("Auto-Submitted", "auto-replied"), true},
		{"anna@lgia.gov.lv", "Licence", h("Auto-Submitted", "auto-generated; owner-email=x"), true},
		{"anna@lgia.gov.lv", "Licence", h("X-Auto-Response-Suppress", "All"), true},
		{"anna@lgia.gov.lv", "Licence", h("Precedence", "bulk"), true},
		{"anna@lgia.gov.lv", "Licence", h("X-MS-Exchange-Message-Is-Ndr", ""), true},
		{"anna@lgia.gov.lv", "x", h("Content-Type", "multipart/report; report-type=delivery-status"), true},
		{"MAILER-DAEMON@x.lv", "x", nil, false}, // case: addresses arrive lower-cased
		{"mailer-daemon@x.lv", "x", nil, true},
		{"postmaster@lgia.gov.lv", "x", nil, true},
		{"microsoftexchange329e71ec88ae4615bbc36ab6ce41109e@vraa.gov.lv", "x", nil, true},
		{"anna@lgia.gov.lv", "Automātiskā atbilde: Licence", nil, true},
		{"anna@lgia.gov.lv", "Automatic reply: Licence", nil, true},
		{"anna@lgia.gov.lv", "Out of Office", nil, true},
		{"anna@lgia.gov.lv", "Undeliverable: Licence", nil, true},
		{"anna@lgia.gov.lv", "Nepiegādājams: Licence", nil, true},
		{"anna@lgia.gov.lv", "Automātiskā atbilde Outlook nestrādā", nil, false},
		{"anna@lgia.gov.lv", "My out of office does not work", nil, false},
	} {
		if got, why := Automated(tc.from, tc.subject, tc.hs); got != tc.auto {
			t.Errorf("Automated(%q, %q, %v) = %v (%s)", tc.from, tc.subject, tc.hs, got, why)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	ar := func(v string) Header { return Header{"Authentication-Results", v} }
	pass := "spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=lgia.gov.lv; dkim=pass header.d=lgia.gov.lv;dmarc=pass action=none header.from=lgia.gov.lv;compauth=pass reason=100"
	for _, tc := range []struct {
		name  string
		from  string
		hs    []Header
		trust bool
		want  Auth
	}{
		{"pass", "ilze@lgia.gov.lv", []Header{ar(pass)}, false, AuthPass},
		{"pass for the parent domain", "ilze@mail.lgia.gov.lv", []Header{ar(pass)}, false, AuthPass},
		{"pass for another domain", "ilze@vraa.gov.lv", []Header{ar(pass)}, false, AuthNone},
		{"no header", "ilze@lgia.gov.lv", nil, false, AuthNone},
		{"none", "ilze@lgia.gov.lv", []Header{ar("spf=none; dkim=none; dmarc=none action=none header.from=lgia.gov.lv")}, false, AuthNone},
		{"bestguesspass", "ilze@lgia.gov.lv", []Header{ar("dmarc=bestguesspass action=none header.from=lgia.gov.lv")}, false, AuthNone},
		{"fail", "ilze@lgia.gov.lv", []Header{ar("dmarc=fail action=quarantine header.from=lgia.gov.lv;compauth=fail reason=000")}, false, AuthFail},
		{"compauth fail", "ilze@lgia.gov.lv", []Header{ar("dmarc=none action=none header.from=lgia.gov.lv;compauth=fail reason=001")}, false, AuthFail},
		{"forged lower header ignored", "ilze@lgia.gov.lv", []Header{ar("dmarc=fail header.from=lgia.gov.lv"), ar(pass)}, false, AuthFail},
		{"forged header without ours", "ilze@lgia.gov.lv", []Header{ar("dmarc=none header.from=lgia.gov.lv"), ar(pass)}, false, AuthNone},
		{"pass in a comment", "ilze@lgia.gov.lv", []Header{ar("dmarc=none (dmarc=pass) header.from=lgia.gov.lv")}, false, AuthNone},
		{"internal untrusted", "ilze@lgia.gov.lv", []Header{{"X-MS-Exchange-Organization-AuthAs", "Internal"}}, false, AuthNone},
		{"internal trusted", "ilze@lgia.gov.lv", []Header{{"X-MS-Exchange-Organization-AuthAs", "Internal"}}, true, AuthPass},
		{"anonymous trusted", "ilze@lgia.gov.lv", []Header{{"X-MS-Exchange-Organization-AuthAs", "Anonymous"}}, true, AuthNone},
		{"fail beats internal", "ilze@lgia.gov.lv", []Header{ar("dmarc=fail header.from=lgia.gov.lv"), {"X-MS-Exchange-Organization-AuthAs", "Internal"}}, true, AuthFail},
	} {
		if got := Authenticate(tc.from, tc.hs, tc.trust); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
