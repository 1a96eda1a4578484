package slaclock

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"itbot/bot"
	"itbot/bot/calendar"
	"itbot/bot/sla"
)

// Config is the `sla` section of itbot's configuration. The zero Config is
// the default: the built-in Latvian calendar with the Cabinet transfers, a
// policy of one working day for every request type, reminders at 50 % and
// 80 % of the business time and 1 business hour before the due time, a
// breach alert at the due time, and no escalation (no target set).
//
// Example (YAML):
//
//	sla:
//	  calendar:
//	    transfers: true
//	    extra_transfers:
//	      - {dayoff: 2027-05-03, workday: 2027-05-15}
//	  policies:
//	    default: 1d
//	    dvs.incident: 4h
//	  reminders:
//	    shares: [50, 80]
//	    lead: 1h
//	  escalation:
//	    after: 2h
//	    channels: {slack: C0SUPERVISORS, mattermost: 9x1k3supervisors}
//	    person: dace.avotina@vraa.gov.lv
type Config struct {
	// Calendar configures the business calendar (transfers, extra holidays
	// and days off, service hours); see calendar.Config.
	Calendar calendar.Config `yaml:"calendar,omitempty" json:"calendar"`
	// Policies maps request types ("licence.assign", …) to SLA policies
	// ("1d", "4h", "1d4h"); the key "default" sets the policy of the other
	// types (one working day unless set).
	Policies map[string]string `yaml:"policies,omitempty" json:"policies,omitempty"`
	// Reminders configures the reminders before the due time.
	Reminders Reminders `yaml:"reminders,omitempty" json:"reminders"`
	// Escalation configures who hears of a breach that lasts.
	Escalation Escalation `yaml:"escalation,omitempty" json:"escalation"`
	// PauseForApproval stops the clock while a request waits for its
	// institution's own approver (IT contact, expert group): the agency's
	// working day starts when the institution asks. Nil means on; a type
	// the agency approves (dvs restore) is the agency's time and runs.
	PauseForApproval *bool `yaml:"pause_for_approval,omitempty" json:"pause_for_approval,omitempty"`
}

// pauseForApproval reports the PauseForApproval setting.
func (cfg Config) pauseForApproval() bool {
	return cfg.PauseForApproval == nil || *cfg.PauseForApproval
}

// Reminders configures the reminders before the due time.
type Reminders struct {
	// Enabled turns the scheduler's notices (reminders, breach alerts,
	// escalations) on or off; nil means on. Due times are kept either way.
	Enabled *bool `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	// Shares are the percentages of the business time after which a
	// reminder is posted, each between 1 and 99. Nil means [50, 80]; an
	// empty list means none.
	Shares []int `yaml:"shares" json:"shares"`
	// Lead is the business time before the due time at which a reminder is
	// posted (a Go duration: "1h", "30m"). Empty means 1h; "0" means none.
	Lead string `yaml:"lead,omitempty" json:"lead,omitempty"`
}

// Escalation configures the escalation of a breach: After business time
// after the due time, a notice goes to the supervisors' channels and to
// Person. With neither set there is no escalation.
type Escalation struct {
	// After is the business time after the breach (a Go duration). Empty
	// means 2h.
	After string `yaml:"after,omitempty" json:"after,omitempty"`
	// Channels maps a platform ("slack", "mattermost", "console") to its
	// supervisors' channel.
	Channels map[string]string `yaml:"channels,omitempty" json:"channels,omitempty"`
	// Person is the e-mail address of a supervisor who gets the escalation
	// directly, on each platform where they have an account, in their
	// language.
	Person string `yaml:"person,omitempty" json:"person,omitempty"`
}

// The defaults of Reminders and Escalation.
var (
	DefaultShares = []int{50, 80}
	DefaultLead   = time.Hour
	DefaultAfter  = 2 * time.Hour
)

// settings is a validated Config.
type settings struct {
	policies  sla.Policies
	enabled   bool
	shares    []int
	lead      time.Duration
	after     time.Duration
	channels  map[string]string
	person    string
	escalates bool
}

// parseBusiness parses a non-negative business duration; "" gives def.
func parseBusiness(what, s string, def time.Duration) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	if s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("sla: %s %q: want a duration such as 1h, 30m or 1h30m", what, s)
	}
	return d, nil
}

// validate checks cfg and fills in the defaults.
func (cfg Config) validate() (settings, error) {
	var st settings
	// The request-type table's SLA defaults, under what is configured.
	merged := map[string]string{}
	for _, t := range bot.TypeSpecs() {
		if t.SLA != "" {
			merged[string(t.Type)] = t.SLA
		}
	}
	for k, v := range cfg.Policies {
		merged[k] = v
	}
	ps, err := sla.ParsePolicies(merged)
	if err != nil {
		return st, err
	}
	for typ := range cfg.Policies {
		if typ != "default" && !bot.Type(typ).Valid() {
			return st, fmt.Errorf("sla: policies: unknown request type %q (known: default, %s)", typ, typeList())
		}
	}
	st.policies = ps
	st.enabled = cfg.Reminders.Enabled == nil || *cfg.Reminders.Enabled
	st.shares = DefaultShares
	if cfg.Reminders.Shares != nil {
		st.shares = slices.Clone(cfg.Reminders.Shares)
	}
	slices.Sort(st.shares)
	st.shares = slices.Compact(st.shares)
	for _, s := range st.shares {
		if s < 1 || s > 99 {
			return st, fmt.Errorf("sla: reminders: share %d%%: want a percentage between 1 and 99", s)
		}
	}
	if st.lead, err = parseBusiness("reminders: lead", cfg.Reminders.Lead, DefaultLead); err != nil {
		return st, err
	}
	if st.after, err = parseBusiness("escalation: after", cfg.Escalation.After, DefaultAfter); err != nil {
		return st, err
	}
	st.channels = map[string]string{}
	for p, ch := range cfg.Escalation.Channels {
		p, ch = strings.TrimSpace(p), strings.TrimSpace(ch)
		if p == "" || ch == "" {
			return st, fmt.Errorf("sla: escalation: channels: want platform: channel, got %q: %q", p, ch)
		}
		st.channels[p] = ch
	}
	if cfg.Escalation.Person != "" {
		if st.person, err = bot.NormalizeAddress(cfg.Escalation.Person); err != nil {
			return st, fmt.Errorf("sla: escalation: person %q is not an e-mail address", cfg.Escalation.Person)
		}
	}
	st.escalates = st.after > 0 && (len(st.channels) > 0 || st.person != "")
	return st, nil
}

func typeList() string {
	ts := bot.Types()
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// fingerprintVersion changes when the way SLA fields are derived changes,
// so stored requests are re-timed once after an upgrade.
const fingerprintVersion = "slaclock/1"

// fingerprint identifies everything that decides a request's SLA fields.
func (cfg Config) fingerprint() string {
	b, _ := json.Marshal(struct {
		V   string
		Cfg Config
	}{fingerprintVersion, cfg})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}
