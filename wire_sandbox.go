package main

import (
	"context"
	"itbot/bot/seed"
)

func init() {
	addPlugin(plugin{name: "sandbox", order: 10, setup: func(ctx context.Context, a *App) error {
		if !a.Bot.Sandbox {
			return nil
		}
		return seed.Directory(ctx, a.Store)
	}})
}
