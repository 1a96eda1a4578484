package dialogue

import (
	"slices"
	"strings"
	"testing"
	"time"

	"itbot/bot"
)

func TestIDIn(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	cases := []struct{ in, want string }{
		{"IT-2026-000123", "IT-2026-000123"},
		{"it-2025-7", "IT-2025-000007"},
		{"par pieteikumu IT 2026-42 lūdzu", "IT-2026-000042"},
		{"IT2026-5", "IT-2026-000005"},
		{"123", "IT-2026-000123"},
		{"#9", "IT-2026-000009"},
		{"0", ""},
		{"1234567", ""},
		{"vakar", ""},
		{"", ""},
	}
	for _, c := range cases {
		got, err := idIn(c.in, now)
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("idIn(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestIsoDates(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"2025-01-01 līdz 2025-06-30", []string{"2025-01-01", "2025-06-30"}},
		{"from 1.3.2025 to 2025-03-31", []string{"2025-03-01", "2025-03-31"}},
		{"31.12.2024", []string{"2024-12-31"}},
		{"2025-02-30", nil},
		{"2025-13-01", nil},
		{"par 2025. gadu", nil},
	}
	for _, c := range cases {
		if got := isoDates(c.in); !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("isoDates(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestLocalPart(t *testing.T) {
	cases := []struct {
		in    string
		plain bool
		want  string
	}{
		{"janis.ozols", false, "janis.ozols"},
		{"Janis.Ozols.", false, "janis.ozols"},
		{"janis", false, ""},
		{"janis", true, "janis"},
		{"lietvediba", true, "lietvediba"},
		{"it", true, ""},
		{"IT-2026-000999", false, ""},
		{"12345", true, ""},
		{"jānis.ozols", false, ""},
		{"janis ozols", false, ""},
		{"a..b", false, ""},
	}
	for _, c := range cases {
		got, ok := localPart(c.in, c.plain)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("localPart(%q, %v) = %q, %v; want %q", c.in, c.plain, got, ok, c.want)
		}
	}
}

func TestReasonIn(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Noraidu IT-2026-000043, nav vajadzības", "nav vajadzības"},
		{"Noraidu IT-2026-000043 jo darbinieks aiziet", "darbinieks aiziet"},
		{"Reject IT-2026-000043 because it is a duplicate", "it is a duplicate"},
		{"I want to reject IT-2026-000003", ""},
		{"Noraidu IT-2026-000043 - ok", ""},
		{"Noraidu bez numura", ""},
	}
	for _, c := range cases {
		if got := reasonIn(c.in); got != c.want {
			t.Errorf("reasonIn(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestOneEdit(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"licence", "licence", true}, {"lisence", "licence", true}, {"licenc", "licence", true},
		{"licencee", "licence", true}, {"lcence", "licence", true}, {"lisense", "licence", false},
		{"spam", "spams", true}, {"abc", "abcde", false}, {"", "a", true}, {"ab", "ba", false},
	}
	for _, c := range cases {
		if got := oneEdit(c.a, c.b); got != c.want || oneEdit(c.b, c.a) != c.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if want := bot.Levenshtein(c.a, c.b) <= 1; want != c.want {
			t.Errorf("case %q/%q disagrees with Levenshtein", c.a, c.b)
		}
	}
}

func TestSenderCandidates(t *testing.T) {
	got := senderCandidates("please allow https://www.Partner-Firma.lv/invoices and info@x.lv, thanks.")
	want := []string{"partner-firma.lv", "info@x.lv"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestTipIDs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Kā pieslēgt kopīgo pastkasti telefonā?", []string{"dlg.tip.phone", "dlg.tip.shared"}},
		{"How do I set an automatic reply?", []string{"dlg.tip.autoreply"}},
		{"Kur mainīt paroli?", []string{"dlg.tip.password"}},
		{"Kāpēc vēstules nonāk mēstulēs?", []string{"dlg.tip.junk"}},
		{"Kas ir labākā kafija?", []string{"dlg.tip.general"}},
	}
	for _, c := range cases {
		if got := tipIDs(c.in); !slices.Equal(got, c.want) {
			t.Errorf("tipIDs(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	for _, tp := range tipTopics {
		if !known(tp.id) {
			t.Errorf("tip %s has no text", tp.id)
		}
	}
}

// TestTextsBothLanguages checks every dialogue text reads differently in
// Latvian and English (a copy-paste slip shows as equal strings).
func TestTextsBothLanguages(t *testing.T) {
	for _, id := range bot.TextIDs() {
		if !strings.HasPrefix(id, "dlg.") || id == "dlg.status_line" {
			continue
		}
		if bot.Tr(bot.LV, id, nil) == bot.Tr(bot.EN, id, nil) {
			t.Errorf("%s: the same in both languages", id)
		}
	}
}

// FuzzAnswerReaders feeds arbitrary answers to the readers: they never
// panic and whatever they return is well formed.
func FuzzAnswerReaders(f *testing.F) {
	for _, s := range []string{"IT-2026-000001", "123", "2025-01-01 līdz 2025-06-30", "31.12.2024", "janis.ozols",
		"https://www.firma.lv/x", "Noraidu IT-2026-1, jo nē", "<a@b.lv>", "\xff\xfe", "9999-99-99", "IT-0000-000000"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if id, err := idIn(s, now); err == nil {
			if back, err := bot.ParseID(id); err != nil || back != id {
				t.Fatalf("idIn(%q) = %q, which ParseID reads as %q, %v", s, id, back, err)
			}
		}
		for _, d := range isoDates(s) {
			if _, err := time.Parse("2006-01-02", d); err != nil {
				t.Fatalf("isoDates(%q) gave %q", s, d)
			}
		}
		if w, ok := localPart(s, true); ok && (strings.ContainsAny(w, "@ \t\n") || w == "") {
			t.Fatalf("localPart(%q) = %q", s, w)
		}
		for _, a := range addresses(s) {
			if !strings.Contains(a, "@") {
				t.Fatalf("addresses(%q) gave %q", s, a)
			}
		}
		if isASCII(s) && oneEdit(s, "licence") != (bot.Levenshtein(s, "licence") <= 1) {
			t.Fatalf("oneEdit(%q, licence) disagrees with Levenshtein", s)
		}
		senderCandidates(s)
		reasonIn(s)
		tipIDs(s)
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
