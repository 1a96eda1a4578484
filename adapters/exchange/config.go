package exchange

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Config is the "exchange" section of itbot's configuration.
type Config struct {
	// TenantID is the Microsoft Entra tenant id (a GUID).
	TenantID string `yaml:"tenant_id"`
	// ClientID is the registered app's application (client) id.
	ClientID string `yaml:"client_id"`
	// ClientSecret authenticates the app; give it as ${ENV_VAR}, never
	// inline. Either it or CertificatePath.
	ClientSecret string `yaml:"client_secret"`
	// CertificatePath is a PEM or PKCS#12 file with the app's certificate
	// and private key; CertificatePassword opens it (as ${ENV_VAR}).
	CertificatePath     string `yaml:"certificate_path"`
	CertificatePassword string `yaml:"certificate_password"`
	// GraphBaseURL overrides https://graph.microsoft.com/v1.0 (national
	// clouds, the emulator).
	GraphBaseURL string `yaml:"graph_base_url"`
	// AdminBaseURL overrides https://outlook.office365.com/adminapi/beta,
	// the Exchange Online admin API; the tenant id and /InvokeCommand are
	// appended.
	AdminBaseURL string `yaml:"admin_base_url"`
	// Licences is the licence policy.
	Licences LicencePolicy `yaml:"licences"`
	// UsageLocation is set on a user who has none before a licence is
	// assigned (LV by default).
	UsageLocation string `yaml:"usage_location"`
	// ProcurementCheck is how often requests waiting for licences are
	// checked against the free units (15m by default; 0 keeps the default,
	// negative disables).
	ProcurementCheck time.Duration `yaml:"procurement_check"`
	// PendingCheck is how often new mailboxes still being prepared are
	// checked (2m by default).
	PendingCheck time.Duration `yaml:"pending_check"`
	// MaxWait bounds the time one call waits out throttling (60s by
	// default); after it the action fails as temporarily unavailable and
	// stays retryable.
	MaxWait time.Duration `yaml:"max_wait"`
	// MaxRetries bounds the retries of one call (3 by default, at most 10).
	MaxRetries int `yaml:"max_retries"`
	// ReportPeriod is the usage reports' period: D7, D30, D90 or D180 (D30
	// by default).
	ReportPeriod string `yaml:"report_period"`
	// SpamPolicyPrefix names the per-institution anti-spam policy and rule
	// ("itbot-" by default: itbot-LGIA).
	SpamPolicyPrefix string `yaml:"spam_policy_prefix"`
}

// LicencePolicy says which licence new mailboxes get and what people may
// call licences.
type LicencePolicy struct {
	// Personal is the licence of a new personal mailbox and of "licence
	// assign" without a licence named (E3 by default).
	Personal string `yaml:"personal"`
	// Technical is the licence of a new technical mailbox (EXO1, Exchange
	// Online Plan 1, by default).
	Technical string `yaml:"technical"`
	// Aliases adds names people may use for a part number, e.g.
	// {"A3": "M365EDU_A3_FACULTY"}.
	Aliases map[string]string `yaml:"aliases"`
}

func (c Config) withDefaults() Config {
	if c.GraphBaseURL == "" {
		c.GraphBaseURL = "https://graph.microsoft.com/v1.0"
	}
	if c.AdminBaseURL == "" {
		c.AdminBaseURL = "https://outlook.office365.com/adminapi/beta"
	}
	if c.Licences.Personal == "" {
		c.Licences.Personal = "E3"
	}
	if c.Licences.Technical == "" {
		c.Licences.Technical = "EXO1"
	}
	if c.UsageLocation == "" {
		c.UsageLocation = "LV"
	}
	c.UsageLocation = strings.ToUpper(c.UsageLocation)
	if c.ProcurementCheck == 0 {
		c.ProcurementCheck = 15 * time.Minute
	}
	if c.PendingCheck == 0 {
		c.PendingCheck = 2 * time.Minute
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
	if c.ReportPeriod == "" {
		c.ReportPeriod = "D30"
	}
	if c.SpamPolicyPrefix == "" {
		c.SpamPolicyPrefix = "itbot-"
	}
	return c
}

// WithDefaults returns c with every unset setting at its default.
func (c Config) WithDefaults() Config { return c.withDefaults() }

// Validate checks the settings; haveCredential says a credential is given
// some other way (no secret or certificate needed then).
func (c Config) Validate(haveCredential bool) error {
	if c.TenantID == "" {
		return fmt.Errorf("exchange: tenant_id is required")
	}
	if !haveCredential {
		if c.ClientID == "" {
			return fmt.Errorf("exchange: client_id is required")
		}
		if c.ClientSecret == "" && c.CertificatePath == "" {
			return fmt.Errorf("exchange: set client_secret (as ${ENV_VAR}) or certificate_path")
		}
	}
	switch c.ReportPeriod {
	case "D7", "D30", "D90", "D180":
	default:
		return fmt.Errorf("exchange: report_period %q: use D7, D30, D90 or D180", c.ReportPeriod)
	}
	if len(c.UsageLocation) != 2 {
		return fmt.Errorf("exchange: usage_location %q: use a two-letter country code such as LV", c.UsageLocation)
	}
	return nil
}

// Credential builds the app's client credential: a certificate when
// CertificatePath is set, else the client secret.
func (c Config) Credential() (azcore.TokenCredential, error) {
	if c.CertificatePath != "" {
		data, err := os.ReadFile(c.CertificatePath)
		if err != nil {
			return nil, fmt.Errorf("exchange: certificate: %w", err)
		}
		var pw []byte
		if c.CertificatePassword != "" {
			pw = []byte(c.CertificatePassword)
		}
		certs, key, err := azidentity.ParseCertificates(data, pw)
		if err != nil {
			return nil, fmt.Errorf("exchange: certificate %s: %w", c.CertificatePath, err)
		}
		return azidentity.NewClientCertificateCredential(c.TenantID, c.ClientID, certs, key, nil)
	}
	return azidentity.NewClientSecretCredential(c.TenantID, c.ClientID, c.ClientSecret, nil)
}
