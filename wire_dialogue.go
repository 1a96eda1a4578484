package main

import (
	"context"
	"fmt"
	"time"

	"itbot/bot/dialogue"
	"itbot/bot/nlu"
	"itbot/commands"
)

// The conversational path: messages that are not slash commands go through
// bot/dialogue (recognition, slot filling, confirmation) and end as
// tracked requests. Config section: dialogue (see docs/conversations.md).
// Also the `parse` subcommand, which prints what bot/nlu recognises.

// dialogueConfig is the dialogue section.
type dialogueConfig struct {
	// Expiry is how long an unanswered dialogue stays open (default 30m).
	Expiry time.Duration `yaml:"expiry"`
}

// readDialogueConfig decodes the dialogue section strictly, so a mistyped
// key is an error rather than a silent default.
func readDialogueConfig(cfg *Config) (dialogueConfig, error) {
	var dc dialogueConfig
	_, err := cfg.Section("dialogue", &dc)
	return dc, err
}

func setupDialogue(ctx context.Context, a *App) error {
	dc, err := readDialogueConfig(a.Cfg)
	if err != nil {
		return err
	}
	if dc.Expiry < 0 {
		return fmt.Errorf("config section dialogue: expiry %s is negative", dc.Expiry)
	}
	if dc.Expiry > 0 && dc.Expiry < time.Minute {
		return fmt.Errorf("config section dialogue: expiry %s is shorter than a minute", dc.Expiry)
	}
	d := dialogue.New(a.Bot, dialogue.Options{Expiry: dc.Expiry, Help: commands.HelpText, Ack: commands.Ack, Log: a.Log})
	d.Install(a.Router)
	if a.Serving {
		every := min(d.Expiry(), 5*time.Minute)
		a.Go(func(ctx context.Context) { d.Run(ctx, every) })
	}
	return nil
}

func cmdParse(c *cli, args []string) error {
	return nlu.RunParseCLI(args, c.stdout)
}
