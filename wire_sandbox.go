package main

import (
	"context"

	"itbot/adapters/sandbox"
	"itbot/bot/seed"
)

// The sandbox plugin: with no real services configured, itbot runs on an
// in-process emulated Exchange tenant and DVS and seeds the sandbox
// institutions and people. Adapters for the real services (wired later in
// order) replace these when configured.
func init() {
	addPlugin(plugin{name: "sandbox", order: 10, setup: func(ctx context.Context, a *App) error {
		if !a.Bot.Sandbox {
			return nil
		}
		if err := seed.Directory(ctx, a.Store); err != nil {
			return err
		}
		tn := sandbox.NewTenant()
		if err := sandbox.SeedTenant(tn); err != nil {
			return err
		}
		ds := sandbox.NewDVSState()
		if err := sandbox.SeedDVS(ds); err != nil {
			return err
		}
		a.Bot.Exchange = sandbox.NewExchange(tn)
		a.Bot.DVS = sandbox.NewDVS(ds)
		return nil
	}})
}
