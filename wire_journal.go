package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"itbot/bot"
)

// The inbound journal (see docs/slack.md, "What survives a crash"): the
// hourly pruning of remembered delivery keys, and the `journal`
// subcommand that lists, retries or drops the deliveries set aside after
// failing too often.

// journalKeep is how long handled deliveries' keys are remembered: longer
// than any platform retries or replays a delivery (Slack: a few minutes;
// a signed request is refused after five).
const journalKeep = 48 * time.Hour

// setupJournal prunes old delivery keys hourly in the long-running mode.
func setupJournal(ctx context.Context, a *App) error {
	if !a.Serving {
		return nil
	}
	a.Go(func(ctx context.Context) {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if n, err := a.Store.JournalPrune(ctx, time.Now().Add(-journalKeep)); err != nil && ctx.Err() == nil {
				a.Log.Warn("journal prune", "err", err)
			} else if n > 0 {
				a.Log.Info("journal: forgot old delivery keys", "count", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	return nil
}

// cmdJournal is `itbot journal list | retry PLATFORM SEQ | drop PLATFORM
// SEQ`. A retried delivery runs when `itbot serve` next sweeps the journal.
func cmdJournal(c *cli, args []string) error {
	usage := fmt.Errorf("usage: itbot journal list | retry PLATFORM SEQ | drop PLATFORM SEQ")
	if len(args) == 0 {
		return usage
	}
	a, err := c.app(false)
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "list":
		dead, err := a.Store.JournalDead(c.ctx, "")
		if err != nil {
			return err
		}
		if len(dead) == 0 {
			fmt.Fprintln(c.stdout, "no deliveries set aside")
			return nil
		}
		fmt.Fprintf(c.stdout, "%-12s %8s %-12s %-20s %8s  %s\n", "PLATFORM", "SEQ", "KIND", "RECEIVED", "ATTEMPTS", "LAST ERROR")
		for _, in := range dead {
			fmt.Fprintf(c.stdout, "%-12s %8d %-12s %-20s %8d  %s\n", in.Platform, in.Seq, in.Kind, bot.FormatTime(in.At), in.Attempts, in.Error)
		}
		return nil
	case "retry", "drop":
		if len(args) != 3 {
			return usage
		}
		seq, err := strconv.ParseUint(args[2], 10, 64)
		if err != nil {
			return usage
		}
		if args[0] == "retry" {
			err = a.Store.JournalRetry(c.ctx, args[1], seq)
		} else {
			err = a.Store.JournalDrop(c.ctx, args[1], seq)
		}
		if err != nil {
			return fmt.Errorf("%s", bot.UserMessage(err, bot.EN))
		}
		fmt.Fprintf(c.stdout, "%s %d: %s\n", args[1], seq, map[string]string{"retry": "will run at the next sweep", "drop": "dropped"}[args[0]])
		return nil
	}
	return usage
}
