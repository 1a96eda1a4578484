package main

import (
	"context"

	"itbot/bot/seed"
)

// setupSandbox seeds the sandbox's institutions and people when there are
// no real services. The emulated Exchange tenant and DVS are wired by
// setupExchange and setupDVS, which start their emulators on loopback.
func setupSandbox(ctx context.Context, a *App) error {
	if !a.Bot.Sandbox {
		return nil
	}
	return seed.Directory(ctx, a.Store)
}
