package calendar

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestWriteYearGolden(t *testing.T) {
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := c.WriteYear(&buf, 2026); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "2026.golden")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot/calendar -run Golden -update)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("WriteYear(2026) differs from %s (go test -update to accept):\ngot:\n%s\nwant:\n%s", path, buf.Bytes(), want)
	}
}

func TestRunCalendarCLIMatchesGolden(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("testdata", "2026.golden"))
	if err != nil {
		t.Skip("no golden file yet")
	}
	var buf bytes.Buffer
	if err := RunCalendarCLI([]string{"2026"}, &buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("itbot calendar 2026 differs from golden:\n%s", buf.Bytes())
	}
}
