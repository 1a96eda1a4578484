package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"itbot/adapters/exchange"
	"itbot/adapters/exchange/exchangetest"
	"itbot/bot"
)

// Exchange Online (config section exchange, see docs/exchange.md): the
// real adapter on Microsoft Graph and the Exchange admin API, the
// periodic procurement check (requests waiting for licences run when units
// appear) and the pending-mailbox check (new mailboxes close when Exchange
// has prepared them), and the `exchange` subcommand.
//
// In sandbox mode with no tenant_id the wire-level emulator
// (exchangetest) serves a seeded tenant on a loopback port and the real
// adapter talks to it, so `go run .` runs the production Graph code.

// exchangeSetup builds the adapter from the config: the real tenant when
// tenant_id is set, the emulator in sandbox mode, nothing otherwise. The
// other settings (licence policy, intervals, bounds) apply to both.
func exchangeSetup(a *App) (*exchange.Exchange, exchange.Config, error) {
	var cfg exchange.Config
	if err := strictSection(a.Cfg, "exchange", &cfg); err != nil {
		return nil, cfg, err
	}
	opt := exchange.Options{
		KV: a.Store, Log: a.Log.With("adapter", "exchange"), Now: a.Bot.Now,
		Notify: func(ctx context.Context, p bot.Phrase) {
			a.Bot.Notify.ToOps(ctx, nil, bot.Address{}, func(l bot.Lang) bot.Reply {
				return bot.Reply{Kind: bot.KindText, Text: p.Render(l)}
			})
		},
	}
	switch {
	case cfg.TenantID != "":
	case a.Bot.Sandbox:
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, cfg, fmt.Errorf("exchange sandbox emulator: %w", err)
		}
		tok := make([]byte, 16)
		rand.Read(tok)
		ten := exchangetest.SandboxTenant(a.Bot.Now)
		ten.ReadyAfterPolls = 1
		srv := exchangetest.Listen(ten, ln)
		srv.Token = hex.EncodeToString(tok)
		a.OnClose(srv.Close)
		cfg.TenantID, cfg.GraphBaseURL, cfg.AdminBaseURL = ten.ID, srv.GraphURL(), srv.AdminURL()
		if cfg.PendingCheck == 0 {
			cfg.PendingCheck = 20 * time.Second
		}
		opt.Credential = exchange.StaticCredential(srv.Token)
		a.Log.Info("exchange: sandbox tenant emulator", "url", srv.URL())
		a.emulate(bot.ServiceExchange)
	default:
		return nil, cfg, nil
	}
	x, err := exchange.New(cfg, opt)
	if err != nil {
		return nil, cfg, err
	}
	return x, cfg.WithDefaults(), nil
}

func setupExchange(ctx context.Context, a *App) error {
	x, cfg, err := exchangeSetup(a)
	if err != nil || x == nil {
		return err
	}
	a.Exchange, a.Bot.Exchange = x, x
	if !a.Serving {
		return nil
	}
	every := func(name string, d time.Duration, check func(context.Context) (int, error)) {
		if d <= 0 {
			return
		}
		a.Go(func(ctx context.Context) {
			t := time.NewTicker(d)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				n, err := check(ctx)
				if err != nil {
					a.Log.Warn(name, "err", err)
				} else if n > 0 {
					a.Log.Info(name, "executed", n)
				}
			}
		})
	}
	every("procurement check", cfg.ProcurementCheck, a.Bot.CheckProcurement)
	every("pending mailbox check", cfg.PendingCheck, a.Bot.CheckPending)
	return nil
}

// cmdExchange checks the connection: the subscribed licences with their
// free units, or Exchange Online's service health.
func cmdExchange(c *cli, args []string) error {
	what := "licences"
	if len(args) > 0 {
		what = args[0]
	}
	if what != "licences" && what != "licenses" && what != "health" && what != "preflight" {
		return fmt.Errorf("usage: itbot exchange licences|health|preflight")
	}
	a, err := c.app(false)
	if err != nil {
		return err
	}
	defer a.Close()
	x := a.Exchange
	if x == nil {
		return errors.New("exchange: no exchange.tenant_id and not in sandbox mode: nothing to check (see docs/exchange.md)")
	}
	ctx, cancel := context.WithTimeout(c.ctx, 2*time.Minute)
	defer cancel()
	if what == "preflight" {
		failed := 0
		for _, ch := range x.Preflight(ctx) {
			mark := "ok  "
			if !ch.OK {
				mark, failed = "FAIL", failed+1
			}
			fmt.Fprintf(c.stdout, "%s %s: %s\n", mark, ch.Feature, ch.Detail)
			if ch.Fix != "" {
				fmt.Fprintf(c.stdout, "     fix: %s\n", ch.Fix)
			}
		}
		if failed > 0 {
			return fmt.Errorf("exchange preflight: %d check(s) failed", failed)
		}
		return nil
	}
	if what == "health" {
		h, err := x.Health(ctx)
		if err != nil {
			return fmt.Errorf("%s", bot.UserMessage(err, bot.EN))
		}
		fmt.Fprintf(c.stdout, "%s: %s (up: %v)\n", h.Detail, h.Status, h.Up)
		return nil
	}
	ls, err := x.Licences(ctx)
	if err != nil {
		return fmt.Errorf("%s", bot.UserMessage(err, bot.EN))
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].Name < ls[j].Name })
	fmt.Fprintf(c.stdout, "%-16s %-26s %8s %8s %6s\n", "LICENCE", "PART NUMBER", "BOUGHT", "ASSIGNED", "FREE")
	for _, l := range ls {
		fmt.Fprintf(c.stdout, "%-16s %-26s %8d %8d %6d\n", l.Name, strings.ToUpper(l.Part), l.Enabled, l.Consumed, l.Free())
	}
	return nil
}
