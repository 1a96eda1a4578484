package main

import (
	"context"
)

func init() {
	addPlugin(plugin{name: "sandbox", order: 10, setup: func(ctx context.Context, a *App) error {
		if !a.Bot.Sandbox {
			return nil
		}
		return seedDirectory(ctx, a.Store)
	}})
}
