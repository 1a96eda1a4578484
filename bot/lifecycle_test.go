package bot_test

import (
	"fmt"
	"testing"

	"itbot/bot"
)

func TestLifecycleGraph(t *testing.T) {
	allowed := map[bot.State][]bot.State{
		bot.StateNew:                 {bot.StateAwaitingApproval, bot.StateApproved, bot.StateRejected, bot.StateCancelled, bot.StateAwaitingInfo},
		bot.StateAwaitingApproval:    {bot.StateApproved, bot.StateRejected, bot.StateCancelled, bot.StateAwaitingInfo},
		bot.StateApproved:            {bot.StateInProgress, bot.StateCancelled, bot.StateAwaitingInfo, bot.StateAwaitingProcurement},
		bot.StateInProgress:          {bot.StateDone, bot.StateFailed, bot.StateAwaitingInfo, bot.StateAwaitingProcurement, bot.StateCancelled},
		bot.StateFailed:              {bot.StateInProgress, bot.StateCancelled},
		bot.StateAwaitingInfo:        {bot.StateNew, bot.StateAwaitingApproval, bot.StateApproved, bot.StateInProgress, bot.StateCancelled},
		bot.StateAwaitingProcurement: {bot.StateApproved, bot.StateInProgress, bot.StateCancelled},
	}
	for _, from := range bot.AllStates {
		for _, to := range bot.AllStates {
			want := false
			for _, s := range allowed[from] {
				if s == to {
					want = true
				}
			}
			if got := bot.CanTransition(from, to); got != want {
				t.Errorf("%s -> %s: got %v want %v", from, to, got, want)
			}
		}
	}
	for _, s := range []bot.State{bot.StateDone, bot.StateRejected, bot.StateCancelled} {
		if !s.Terminal() || s.Open() {
			t.Errorf("%s should be terminal", s)
		}
	}
	for _, s := range []bot.State{bot.StateAwaitingInfo, bot.StateAwaitingProcurement} {
		if !s.Paused() {
			t.Errorf("%s should pause the clock", s)
		}
	}
}

func TestIDOrderPastAMillion(t *testing.T) {
	ids := []string{"IT-2025-999999", "IT-2026-000001", "IT-2026-999999", "IT-2026-1000000", "IT-2026-1000001", "IT-2027-000001"}
	for i := 1; i < len(ids); i++ {
		if !bot.IDLess(ids[i-1], ids[i]) || bot.IDLess(ids[i], ids[i-1]) {
			t.Errorf("%s should come before %s", ids[i-1], ids[i])
		}
	}
	if got := bot.FormatID(2026, 1000000); got != "IT-2026-1000000" {
		t.Errorf("FormatID = %s", got)
	}
}

// FormatID writes what fmt.Sprintf("IT-%04d-%06d") does.
func TestFormatIDIsSprintf(t *testing.T) {
	years := []int{-1, 0, 7, 99, 999, 2026, 9999, 10000, 123456}
	seqs := []uint64{0, 1, 9, 42, 99999, 999999, 1000000, 123456789012, 1<<64 - 1}
	for _, y := range years {
		for _, n := range seqs {
			if got, want := bot.FormatID(y, n), fmt.Sprintf("IT-%04d-%06d", y, n); got != want {
				t.Errorf("FormatID(%d, %d) = %q, want %q", y, n, got, want)
			}
		}
	}
}

func TestParseID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"IT-2026-000123", "IT-2026-000123"},
		{"it-2026-123", "IT-2026-000123"},
		{"[IT-2026-000001]", "IT-2026-000001"},
		{"IT-2026-0", ""},
		{"IT-26-000001", ""},
		{"IT-2026-1234567", "IT-2026-1234567"}, // past 999 999 the number widens
		{"IT-2026-0001234567", "IT-2026-1234567"},
		{"IT-2026-1234567890123", ""}, // more than 12 digits
		{"IT-2026-12a", ""},
		{"foo", ""},
	}
	for _, tc := range tests {
		got, err := bot.ParseID(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%q: want error, got %s", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %q %v want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		in    string
		toks  []string
		rest1 string
	}{
		{`licence assign a@b.lv E3`, []string{"licence", "assign", "a@b.lv", "E3"}, "assign a@b.lv E3"},
		{`mailbox create personal j@x.lv "Jānis Ozols"`, []string{"mailbox", "create", "personal", "j@x.lv", "Jānis Ozols"}, `create personal j@x.lv "Jānis Ozols"`},
		{`comment IT-2026-000001 „labi”`, []string{"comment", "IT-2026-000001", "labi"}, "IT-2026-000001 „labi”"},
		{`a "b \" c"`, []string{"a", `b " c`}, `"b \" c"`},
	}
	for _, tc := range tests {
		toks, rest, err := bot.Tokenize(tc.in)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if len(toks) != len(tc.toks) {
			t.Fatalf("%q: %q", tc.in, toks)
		}
		for i := range toks {
			if toks[i] != tc.toks[i] {
				t.Errorf("%q: token %d %q want %q", tc.in, i, toks[i], tc.toks[i])
			}
		}
		if rest[1] != tc.rest1 {
			t.Errorf("%q: rest %q want %q", tc.in, rest[1], tc.rest1)
		}
	}
	if _, _, err := bot.Tokenize(`a "unclosed`); bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("unclosed quote: %v", err)
	}
}

func TestEveryTextInBothLanguages(t *testing.T) {
	for _, id := range bot.TextIDs() {
		for _, l := range []bot.Lang{bot.LV, bot.EN} {
			for _, n := range []int{0, 1, 2, 21} {
				if s := bot.Tr(l, id, bot.Args{"Count": n}); s == "" || s == id {
					t.Errorf("%s/%s/%d renders %q", id, l, n, s)
				}
			}
		}
	}
	// Latvian's three plural forms.
	for n, want := range map[int]string{0: "0 rezerves kopiju", 1: "1 rezerves kopija", 21: "21 rezerves kopija", 5: "5 rezerves kopijas"} {
		if got := bot.P("outcome.backups", "Count", n).Render(bot.LV); got != want {
			t.Errorf("%d: %q want %q", n, got, want)
		}
	}
}
