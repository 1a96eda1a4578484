package sla

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"itbot/bot/calendar"
)

// ParseTime parses a command-line instant: RFC 3339 with an offset
// ("2026-12-23T16:30:00+02:00", seconds optional) or a local Europe/Riga time
// without one ("2026-12-23T16:30", "2026-12-23T16:30:05", "2026-12-23 16:30").
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.In(calendar.Location()), nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, calendar.Location()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("sla: invalid time %q: want 2026-12-23T16:30 (Riga time) or RFC 3339 with an offset", s)
}

// ParsePause parses "FROM/TO" (each as ParseTime); an empty TO ("FROM/")
// means the clock is still stopped. TO must be after FROM.
func ParsePause(s string) (Pause, error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Pause{}, fmt.Errorf("sla: invalid pause %q: want FROM/TO, e.g. 2026-11-23T14:00/2026-11-25T09:00", s)
	}
	from, err := ParseTime(a)
	if err != nil {
		return Pause{}, err
	}
	p := Pause{From: from}
	if strings.TrimSpace(b) != "" {
		if p.To, err = ParseTime(b); err != nil {
			return Pause{}, err
		}
		if !p.To.After(p.From) {
			return Pause{}, fmt.Errorf("sla: invalid pause %q: TO is not after FROM", s)
		}
	}
	return p, nil
}

type pauseList []Pause

// String implements flag.Value.
func (l *pauseList) String() string { return fmt.Sprint(len(*l), " pauses") }

// Set implements flag.Value: it parses and appends one FROM/TO pause.
func (l *pauseList) Set(s string) error {
	p, err := ParsePause(s)
	if err != nil {
		return err
	}
	*l = append(*l, p)
	return nil
}

// RunDueCLI runs `itbot sla due --at TIME [--policy 1d] [--pause FROM/TO]...
// [--no-transfers]` with the default calendar. args are the arguments after
// "due". It prints the due time in RFC 3339 with the Riga offset, e.g.
// "2026-11-24T10:00:00+02:00", or "paused (6h0m0s of business time left)" if
// the last pause is still open. It returns flag.ErrHelp for -h.
func RunDueCLI(args []string, stdout io.Writer) error {
	return RunDueCLIConfig(calendar.Config{}, args, stdout)
}

// RunDueCLIConfig is RunDueCLI with a configured calendar; --no-transfers
// overrides cfg.Transfers.
func RunDueCLIConfig(cfg calendar.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sla due", flag.ContinueOnError)
	fs.SetOutput(stdout)
	at := fs.String("at", "", "start `TIME`: 2026-12-23T16:30 (Riga time) or RFC 3339 with offset (required)")
	policy := fs.String("policy", DefaultPolicy.String(), "SLA `policy`: 1d, 2d, 4h, 30m, 1d4h")
	var pauses pauseList
	fs.Var(&pauses, "pause", "clock pause `FROM/TO` (repeatable; FROM/ = still paused)")
	noTransfers := fs.Bool("no-transfers", false, "ignore the Cabinet transfers of working days")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: itbot sla due --at TIME [--policy 1d] [--pause FROM/TO]... [--no-transfers]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("sla: unexpected argument %q", fs.Arg(0))
	}
	if *at == "" {
		return errors.New("sla: --at is required, e.g. --at 2026-12-23T16:30")
	}
	start, err := ParseTime(*at)
	if err != nil {
		return err
	}
	p, err := ParsePolicy(*policy)
	if err != nil {
		return err
	}
	if *noTransfers {
		cfg = cfg.WithTransfers(false)
	}
	cal, err := calendar.New(cfg)
	if err != nil {
		return err
	}
	k := NewClock(cal)
	due := k.Due(start, p, pauses)
	if due.IsZero() {
		var open Pause
		for _, pz := range pauses {
			if pz.Open() {
				open = pz
			}
		}
		left := k.Remaining(open.From, start, p, pauses)
		_, err = fmt.Fprintf(stdout, "paused (%s of business time left)\n", left)
		return err
	}
	_, err = fmt.Fprintln(stdout, due.In(calendar.Location()).Format(time.RFC3339))
	return err
}
