package nlu

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// ErrUsage is returned by RunParseCLI when no text is given.
var ErrUsage = errors.New(`usage: itbot parse [-now YYYY-MM-DD] "TEXT"`)

// RunParseCLI implements the "itbot parse" subcommand: it parses the text
// given as arguments (joined with spaces) and writes Result.JSON and a
// newline to stdout. -now sets the reference date for relative dates
// (default: today).
func RunParseCLI(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("parse", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	nowFlag := fs.String("now", "", "reference date YYYY-MM-DD for relative dates")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	text := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if text == "" {
		return ErrUsage
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse("2006-01-02", *nowFlag)
		if err != nil {
			return fmt.Errorf("%w: -now: %v", ErrUsage, err)
		}
		now = t
	}
	out := append(Parse(text, now).JSON(), '\n')
	_, err := stdout.Write(out)
	return err
}
