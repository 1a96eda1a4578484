package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"itbot/adapters/exchange"
	"itbot/adapters/exchange/exchangetest"
	"itbot/adapters/mailbox"
)

// The IT mailbox (config section mailbox, see docs/mailbox.md): mail to
// the IT service desk's mailbox, read through Microsoft Graph, becomes
// requests and comments; the answers and every update go back as replies
// in the same thread. The Graph credentials are the exchange section's
// unless the mailbox section gives its own.
//
// In sandbox mode the adapter stays off unless a tenant is configured
// (the exchange wiring's emulator is private to it); `itbot mailbox try
// FILE.eml …` runs the real adapter against an emulated mailbox of its
// own instead, delivering the given mails and printing the answers.

// readMailboxConfig decodes the mailbox section strictly and fills the
// Graph credentials from the exchange section when it gives none. ok is
// false when the section is absent or names no mailbox.
func readMailboxConfig(cfg *Config) (mc mailbox.Config, ok bool, err error) {
	if _, present := cfg.Sections["mailbox"]; !present {
		return mc, false, nil
	}
	if err := strictSection(cfg, "mailbox", &mc); err != nil {
		return mc, false, err
	}
	if !mc.On() {
		return mc, false, nil
	}
	var xc exchange.Config
	if err := strictSection(cfg, "exchange", &xc); err != nil {
		return mc, false, err
	}
	mc = mc.FillCredentials(xc)
	if err := mc.WithDefaults().Validate(false); err != nil && mc.TenantID != "" {
		return mc, false, fmt.Errorf("config section mailbox: %w", err)
	}
	return mc, true, nil
}

// newMailbox builds the adapter for the configured tenant; nil when the
// mailbox is off (no section, or sandbox mode without a tenant).
func newMailbox(a *App) (*mailbox.Adapter, error) {
	mc, ok, err := readMailboxConfig(a.Cfg)
	if err != nil || !ok {
		return nil, err
	}
	if mc.TenantID == "" {
		if a.Bot.Sandbox {
			a.Log.Info("mailbox: no tenant configured; off in sandbox mode (try: itbot mailbox try FILE.eml)")
			return nil, nil
		}
		return nil, errors.New("config section mailbox: tenant_id is required (here or in the exchange section)")
	}
	return mailbox.New(mc, mailbox.Deps{Bot: a.Bot, Router: a.Router, Log: a.Log})
}

func setupMailbox(ctx context.Context, a *App) error {
	ad, err := newMailbox(a)
	if err != nil || ad == nil {
		return err
	}
	// Registered in one-shot commands too: their notices wait in the
	// outbox (the store) until `itbot serve` sends them.
	a.Bot.Notify.Add(ad)
	if !a.Serving {
		return nil
	}
	a.Go(ad.Run)
	a.KeepAlive("mailbox")
	a.Log.Info("mailbox: reading the IT mailbox", "address", ad.Config().Address, "every", ad.Config().PollInterval)
	return nil
}

func cmdMailbox(c *cli, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: itbot mailbox check|poll|reset|try FILE.eml…")
	}
	if args[0] == "try" {
		return cmdMailboxTry(c, args[1:])
	}
	a, err := c.app(false)
	if err != nil {
		return err
	}
	defer a.Close()
	ad, err := newMailbox(a)
	if err != nil {
		return err
	}
	if ad == nil {
		return errors.New("no mailbox configured (a mailbox section with an address, and a tenant; see docs/mailbox.md)")
	}
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Minute)
	defer cancel()
	switch args[0] {
	case "check":
		res, err := ad.Check(ctx)
		if err != nil {
			return err
		}
		cfg := ad.Config()
		pos := "none yet (the first poll reads mail from " + cfg.InitialBacklog.String() + " back)"
		if res.Link != "" {
			pos = "stored"
		}
		fmt.Fprintf(c.stdout, "mailbox          %s\nprocessed folder %s (%s)\nreview folder    %s (%s)\ndelta position   %s\n",
			res.Mailbox, cfg.ProcessedFolder, res.Processed, cfg.ReviewFolder, res.Review, pos)
	case "poll":
		st, err := ad.Poll(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "seen %d, handled %d, review %d, ignored %d, duplicates %d, replies sent %d\n",
			st.Seen, st.Handled, st.Review, st.Ignored, st.Duplicates, st.Sent)
	case "reset":
		if err := ad.Forget(ctx); err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, "delta position dropped; the next poll starts a new round (handled mail is not repeated)")
	default:
		return fmt.Errorf("unknown: mailbox %s (check, poll, reset or try)", args[0])
	}
	return nil
}

// cmdMailboxTry answers sample mails in sandbox mode: an emulated tenant
// with the IT mailbox gets the files, the real adapter reads it through
// the SDK once, and the answers are printed. It runs on a throw-away data
// file (the sandbox directory, freshly seeded), so the samples neither
// change the sandbox's requests nor depend on them.
func cmdMailboxTry(c *cli, files []string) error {
	if len(files) == 0 {
		return errors.New("usage: itbot mailbox try FILE.eml… (samples: adapters/mailbox/testdata/mail/)")
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "itbot-mailbox-try-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	scratch := *cfg
	scratch.Data = filepath.Join(tmp, "itbot.db")
	scratch.Log.File = filepath.Join(tmp, "itbot.log")
	c.cfgCache = &scratch
	defer func() { c.cfgCache = cfg }()
	fmt.Fprintln(c.stdout, "(a throw-away copy of the sandbox: the samples do not touch "+cfg.Data+")")
	a, err := c.app(false)
	if err != nil {
		return err
	}
	defer a.Close()
	if !a.Bot.Sandbox {
		return errors.New("mailbox try runs only in sandbox mode: it answers from an emulated mailbox")
	}
	mc, _, err := readMailboxConfig(a.Cfg)
	if err != nil {
		return err
	}
	if mc.Address == "" {
		mc.Address = "it@vraa.gov.lv"
	}
	ten := exchangetest.SandboxTenant(a.Bot.Now)
	ten.AddShared(mc.Address, "IT dienests")
	srv := exchangetest.NewServer(ten)
	defer srv.Close()
	tok := make([]byte, 16)
	rand.Read(tok)
	srv.Token = hex.EncodeToString(tok)
	mc.TenantID, mc.GraphBaseURL = ten.ID, srv.GraphURL()
	mc.ClientID, mc.ClientSecret, mc.CertificatePath = "", "", ""
	ad, err := mailbox.New(mc, mailbox.Deps{Bot: a.Bot, Router: a.Router, Log: a.Log, Credential: exchange.StaticCredential(srv.Token)})
	if err != nil {
		return err
	}
	a.Bot.Notify.Add(ad)
	ctx, cancel := context.WithTimeout(c.ctx, 2*time.Minute)
	defer cancel()
	if err := ad.Forget(ctx); err != nil { // a previous try's position points at its own, gone, emulator
		return err
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		m, err := exchangetest.ParseMIME(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		m.Received = a.Bot.Now()
		if _, err := ten.Deliver(mc.Address, m); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "→ %s: from %s, %q\n", filepath.Base(f), m.From.Address, m.Subject)
	}
	st, err := ad.Poll(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "\nseen %d, handled %d, review %d, ignored %d, duplicates %d, replies sent %d\n",
		st.Seen, st.Handled, st.Review, st.Ignored, st.Duplicates, st.Sent)
	for _, m := range ten.Sent(mc.Address) {
		var to []string
		for _, x := range m.To {
			to = append(to, x.Address)
		}
		fmt.Fprintf(c.stdout, "\n← to %s: %s\n", strings.Join(to, ", "), m.Subject)
		for _, l := range strings.Split(mailbox.CleanBody(m.Body, m.BodyHTML), "\n") {
			fmt.Fprintln(c.stdout, "   "+l)
		}
	}
	for _, f := range []string{mc.WithDefaults().ProcessedFolder, mc.WithDefaults().ReviewFolder} {
		if ms := ten.Messages(mc.Address, f); len(ms) > 0 {
			fmt.Fprintf(c.stdout, "\nfolder %s: %d\n", f, len(ms))
		}
	}
	return nil
}
