package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"itbot/bot"
	"itbot/bot/export"
)

// cmdExport is `itbot export [--from DATE] [--to DATE] [--institution
// CODE]`: the requests received in the period, with their whole audit
// history, as JSON Lines on standard output (docs/export.md). It streams:
// the store is read a few hundred requests at a time.
func cmdExport(c *cli, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	from := fs.String("from", "", "first day received, YYYY-MM-DD (Riga time; default: the beginning)")
	to := fs.String("to", "", "last day received, YYYY-MM-DD (Riga time, inclusive; default: today)")
	inst := fs.String("institution", "", "one institution's code (default: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export: unexpected %q; usage: itbot export [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--institution CODE]", fs.Arg(0))
	}
	var f bot.ExportFilter
	day := func(name, v string) (time.Time, error) {
		t, err := time.ParseInLocation("2006-01-02", v, bot.TimeZone)
		if err != nil {
			return t, fmt.Errorf("export: --%s %q: want a date YYYY-MM-DD", name, v)
		}
		return t, nil
	}
	var err error
	if *from != "" {
		if f.From, err = day("from", *from); err != nil {
			return err
		}
	}
	if *to != "" {
		t, err := day("to", *to)
		if err != nil {
			return err
		}
		f.To = t.AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return errors.New("export: --from is after --to")
	}
	f.Institution = strings.ToUpper(strings.TrimSpace(*inst))
	a, err := c.app(false)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := export.Write(c.ctx, a.Store, f, c.stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "itbot export: %d requests\n", n)
	return nil
}
