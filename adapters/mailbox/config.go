package mailbox

import (
	"fmt"
	"strings"
	"time"

	"itbot/adapters/exchange"
	"itbot/bot"
)

// Config is the "mailbox" section of itbot's configuration.
type Config struct {
	// Address is the IT mailbox (its address or Entra user id). Empty
	// leaves the adapter off.
	Address string `yaml:"address"`
	// Aliases are the mailbox's other addresses: mail from any of them is
	// the bot's own and is never answered.
	Aliases []string `yaml:"aliases"`
	// PollInterval is how often the inbox is read (30s by default).
	PollInterval time.Duration `yaml:"poll_interval"`
	// ProcessedFolder receives handled mail ("Apstrādāts"); ReviewFolder
	// mail the bot could not understand or would not act on ("Jāpārskata").
	// Both are child folders of the inbox, created when missing.
	ProcessedFolder string `yaml:"processed_folder"`
	ReviewFolder    string `yaml:"review_folder"`
	// RepliesPerHour limits the mail the bot sends to one address in an
	// hour (20 by default); a secret for the requester is never held back.
	RepliesPerHour int `yaml:"replies_per_hour"`
	// PageSize is the delta page size asked for (Prefer:
	// odata.maxpagesize; 25 by default, at most 200).
	PageSize int `yaml:"page_size"`
	// InitialBacklog is how far back the very first poll reads mail that
	// is already in the inbox (24h by default); older mail is left alone.
	InitialBacklog time.Duration `yaml:"initial_backlog"`
	// TrustInternal accepts "X-MS-Exchange-Organization-AuthAs: Internal"
	// (mail sent inside the tenant, which Exchange stamps and strips from
	// outside mail) as authenticated, like a DMARC pass. Off by default.
	TrustInternal bool `yaml:"trust_internal"`
	// MaxWait bounds the time one call waits out throttling (60s by
	// default); MaxRetries the retries of one call (3 by default).
	MaxWait    time.Duration `yaml:"max_wait"`
	MaxRetries int           `yaml:"max_retries"`

	// The app's Graph credentials. Empty: the exchange section's (the
	// wiring fills them in).
	TenantID            string `yaml:"tenant_id"`
	ClientID            string `yaml:"client_id"`
	ClientSecret        string `yaml:"client_secret"`
	CertificatePath     string `yaml:"certificate_path"`
	CertificatePassword string `yaml:"certificate_password"`
	GraphBaseURL        string `yaml:"graph_base_url"`
}

// Default folder names.
const (
	DefaultProcessedFolder = "Apstrādāts"
	DefaultReviewFolder    = "Jāpārskata"
)

// WithDefaults returns c with every unset setting at its default.
func (c Config) WithDefaults() Config {
	if c.PollInterval <= 0 {
		c.PollInterval = 30 * time.Second
	}
	if c.ProcessedFolder == "" {
		c.ProcessedFolder = DefaultProcessedFolder
	}
	if c.ReviewFolder == "" {
		c.ReviewFolder = DefaultReviewFolder
	}
	if c.RepliesPerHour <= 0 {
		c.RepliesPerHour = 20
	}
	if c.PageSize <= 0 {
		c.PageSize = 25
	}
	if c.PageSize > 200 {
		c.PageSize = 200
	}
	if c.InitialBacklog == 0 {
		c.InitialBacklog = 24 * time.Hour
	}
	if c.MaxWait <= 0 {
		c.MaxWait = 60 * time.Second
	}
	if c.MaxRetries <= 0 {
		c.MaxRetries = 3
	}
	if c.MaxRetries > 10 {
		c.MaxRetries = 10
	}
	if c.GraphBaseURL == "" {
		c.GraphBaseURL = "https://graph.microsoft.com/v1.0"
	}
	c.Address = strings.ToLower(strings.TrimSpace(c.Address))
	for i, a := range c.Aliases {
		c.Aliases[i] = strings.ToLower(strings.TrimSpace(a))
	}
	return c
}

// On reports whether the adapter is configured.
func (c Config) On() bool { return strings.TrimSpace(c.Address) != "" }

// Validate checks the settings; haveCredential says a credential is given
// some other way.
func (c Config) Validate(haveCredential bool) error {
	if !c.On() {
		return fmt.Errorf("mailbox: address is required (the IT mailbox, e.g. it@vraa.gov.lv)")
	}
	if strings.Contains(c.Address, "@") {
		if _, err := bot.NormalizeAddress(c.Address); err != nil {
			return fmt.Errorf("mailbox: address %q is not an e-mail address", c.Address)
		}
	}
	for _, a := range c.Aliases {
		if _, err := bot.NormalizeAddress(a); err != nil {
			return fmt.Errorf("mailbox: alias %q is not an e-mail address", a)
		}
	}
	if c.ProcessedFolder == c.ReviewFolder {
		return fmt.Errorf("mailbox: processed_folder and review_folder must differ (both %q)", c.ReviewFolder)
	}
	if c.InitialBacklog < 0 {
		return fmt.Errorf("mailbox: initial_backlog must not be negative")
	}
	if !haveCredential {
		if c.TenantID == "" {
			return fmt.Errorf("mailbox: tenant_id is required (or an exchange section with one)")
		}
		if c.ClientID == "" {
			return fmt.Errorf("mailbox: client_id is required (or an exchange section with one)")
		}
		if c.ClientSecret == "" && c.CertificatePath == "" {
			return fmt.Errorf("mailbox: set client_secret (as ${ENV_VAR}) or certificate_path, or rely on the exchange section's")
		}
	}
	return nil
}

// exchangeConfig is the part of an exchange.Config that builds the
// credential.
func (c Config) exchangeConfig() exchange.Config {
	return exchange.Config{TenantID: c.TenantID, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		CertificatePath: c.CertificatePath, CertificatePassword: c.CertificatePassword}
}

// FillCredentials copies the Graph credentials of an exchange section
// into the settings left empty.
func (c Config) FillCredentials(x exchange.Config) Config {
	if c.TenantID == "" && c.ClientID == "" && c.ClientSecret == "" && c.CertificatePath == "" {
		c.TenantID, c.ClientID, c.ClientSecret = x.TenantID, x.ClientID, x.ClientSecret
		c.CertificatePath, c.CertificatePassword = x.CertificatePath, x.CertificatePassword
	}
	if c.GraphBaseURL == "" {
		c.GraphBaseURL = x.GraphBaseURL
	}
	return c
}
