package calendar

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
)

// RunCalendarCLI runs `itbot calendar YEAR [--no-transfers]` with the default
// Config: it writes the facts of YEAR to stdout in the WriteYear format.
// args are the arguments after "calendar". It returns flag.ErrHelp for -h.
func RunCalendarCLI(args []string, stdout io.Writer) error {
	return RunCalendarCLIConfig(Config{}, args, stdout)
}

// RunCalendarCLIConfig is RunCalendarCLI with a configured calendar;
// --no-transfers overrides cfg.Transfers.
func RunCalendarCLIConfig(cfg Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("calendar", flag.ContinueOnError)
	fs.SetOutput(stdout)
	noTransfers := fs.Bool("no-transfers", false, "ignore the Cabinet transfers of working days")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: itbot calendar YEAR [--no-transfers]")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errors.New("calendar: want exactly one YEAR argument")
	}
	year, err := strconv.Atoi(pos[0])
	if err != nil || year < 1 || year > 9999 {
		return fmt.Errorf("calendar: invalid year %q", pos[0])
	}
	if *noTransfers {
		cfg = cfg.WithTransfers(false)
	}
	c, err := New(cfg)
	if err != nil {
		return err
	}
	return c.WriteYear(stdout, year)
}

// parseInterspersed parses flags that may come before or after positional
// arguments and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
