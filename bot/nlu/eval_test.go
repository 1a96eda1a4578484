package nlu

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// refNow is the reference time of every labelled set: relative dates in the
// labels ("par pagājušo mēnesi") were resolved against it.
var refNow = time.Date(2026, 4, 15, 10, 0, 0, 0, time.UTC)

// example is one labelled sentence.
type example struct {
	Text    string            `json:"text"`
	Intent  string            `json:"intent"`
	Slots   map[string]string `json:"slots"`
	Missing []string          `json:"missing"`
	Lang    string            `json:"lang"`
}

func loadExamples(t testing.TB, path string) []example {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			t.Skipf("labelled set %s not found: skipping (it lives in shared/ next to the repository)", path)
		}
		t.Fatal(err)
	}
	defer f.Close()
	var out []example
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var e example
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		if !IsIntent(e.Intent) {
			t.Fatalf("%s:%d: unknown intent %q", path, n, e.Intent)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// scores are the accuracy figures of one labelled set.
type scores struct {
	n, intentOK, slotsOK, allOK, langOK, langN int
}

func (s scores) pct(k int) float64 { return 100 * float64(k) / float64(max(s.n, 1)) }

// evaluate parses every example and counts: intent right; slots exactly
// right (given the intent is right); missing right where labelled; language
// right where labelled.
func evaluate(t *testing.T, exs []example, verbose bool) scores {
	var s scores
	for _, e := range exs {
		r := Parse(e.Text, refNow)
		s.n++
		want := e.Slots
		if want == nil {
			want = map[string]string{}
		}
		intentOK := r.Intent == e.Intent
		slotsOK := intentOK && maps.Equal(r.Slots, want)
		missOK := e.Missing == nil || slices.Equal(r.Missing, e.Missing)
		if intentOK {
			s.intentOK++
		}
		if slotsOK && missOK {
			s.slotsOK++
		}
		if e.Lang != "" {
			s.langN++
			if r.Lang == e.Lang {
				s.langOK++
			}
		}
		langOK := e.Lang == "" || r.Lang == e.Lang
		if slotsOK && missOK && langOK {
			s.allOK++
		} else if verbose {
			t.Logf("MISS %q\n   want %s %v missing=%v lang=%s\n   got  %s", e.Text, e.Intent, want, e.Missing, e.Lang, r.JSON())
		}
	}
	return s
}

func checkSet(t *testing.T, path string, showMisses bool, minIntent, minSlots, minLang float64) {
	exs := loadExamples(t, path)
	s := evaluate(t, exs, showMisses)
	t.Logf("%s: %d sentences; intent %.1f%%, intent+slots exact %.1f%%, lang %.1f%% (%d/%d)",
		filepath.Base(path), s.n, s.pct(s.intentOK), s.pct(s.slotsOK),
		100*float64(s.langOK)/float64(max(s.langN, 1)), s.langOK, s.langN)
	if got := s.pct(s.intentOK); got < minIntent {
		t.Errorf("intent accuracy %.1f%% below the floor %.1f%%", got, minIntent)
	}
	if got := s.pct(s.slotsOK); got < minSlots {
		t.Errorf("slot exact-match %.1f%% below the floor %.1f%%", got, minSlots)
	}
	if s.langN > 0 {
		if got := 100 * float64(s.langOK) / float64(s.langN); got < minLang {
			t.Errorf("language accuracy %.1f%% below the floor %.1f%%", got, minLang)
		}
	}
}

// TestCorpus checks the sample conversations the product owner labelled
// (shared/corpus next to the repository). Every one must be right.
func TestCorpus(t *testing.T) {
	checkSet(t, filepath.Join("..", "..", "..", "shared", "corpus", "conversations.jsonl"), true, 100, 100, 100)
}

// TestTrain checks the sentences the rules were tuned on.
func TestTrain(t *testing.T) {
	checkSet(t, filepath.Join("testdata", "train.jsonl"), true, 97, 96, 98)
}

// TestHeldOut checks sentences written before the rules were tuned and never
// tuned on: the honest estimate of accuracy on new messages.
func TestHeldOut(t *testing.T) {
	checkSet(t, filepath.Join("testdata", "heldout.jsonl"),
		// Misses are not printed unless asked for: reading them invites tuning on them.
		os.Getenv("NLU_SHOW_HELDOUT_MISSES") != "", 95, 95, 95)
}

// TestHeldOut2 checks a second held-out set, written after the first version
// of the rules existed (by then the first held-out set had been read while
// designing them) and never tuned on.
func TestHeldOut2(t *testing.T) {
	checkSet(t, filepath.Join("testdata", "heldout2.jsonl"),
		os.Getenv("NLU_SHOW_HELDOUT_MISSES") != "", 88, 86, 95)
}
