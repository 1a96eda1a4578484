package main

import (
	"context"

	"itbot/bot"
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

// emulate records that service runs on an in-process emulator.
func (a *App) emulate(s bot.Service) {
	if a.emulated == nil {
		a.emulated = map[bot.Service]bool{}
	}
	a.emulated[s] = true
}

// setupSandboxReplay rebuilds the emulated tenant and DVS, which start
// afresh at every start, from the data file: the actions of the done
// requests run again against them, silently, oldest first. So what the
// sandbox did in an earlier run (a shared mailbox, a licence, a DVS role)
// is there again and the requests that depend on it still work.
func setupSandboxReplay(ctx context.Context, a *App) error {
	if !a.Bot.Sandbox || len(a.emulated) == 0 {
		return nil
	}
	n, err := a.Bot.Replay(ctx, func(s bot.Service) bool { return a.emulated[s] })
	if err != nil {
		return err
	}
	if n > 0 {
		a.Log.Info("sandbox: the emulated services were rebuilt from the done requests", "actions", n)
	}
	return nil
}
