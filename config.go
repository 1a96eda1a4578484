package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"itbot/bot"
)

// Config is itbot's configuration: the core settings here, and one section
// per adapter that the adapter's wiring file reads with Section. Values may
// name environment variables as ${NAME}; secrets come only from there.
type Config struct {
	// Data is the bbolt file.
	Data string `yaml:"data"`
	// Sandbox runs Exchange and the DVS as in-process emulators and seeds
	// sandbox institutions and people. On when no real service is set up.
	Sandbox *bool `yaml:"sandbox"`
	// Language of the operators' channels: lv or en.
	OpsLanguage string `yaml:"ops_language"`
	HTTP        struct {
		// Listen is the HTTP address for /healthz, /readyz, /metrics and the
		// adapters' webhooks; empty disables the server.
		Listen string `yaml:"listen"`
		// MaxBodyBytes limits every inbound request body.
		MaxBodyBytes int64 `yaml:"max_body_bytes"`
		// ListenSet reports that Listen was chosen (in the file or by
		// ITBOT_LISTEN), not left at its default: a busy default port is
		// replaced by a free one, a chosen one is an error.
		ListenSet bool `yaml:"-"`
	} `yaml:"http"`
	Console struct {
		Enabled *bool  `yaml:"enabled"`
		As      string `yaml:"as"`    // the person the console speaks as
		Files   string `yaml:"files"` // where reports are saved
		Ops     string `yaml:"ops"`   // print operator notices under this name
	} `yaml:"console"`
	Log struct {
		Level  string `yaml:"level"`  // debug, info, warn, error
		Format string `yaml:"format"` // text or json
		// File receives the log; empty: stderr, except that the
		// interactive console logs to data/itbot.log so the chat stays
		// readable.
		File string `yaml:"file"`
	} `yaml:"log"`
	Policy *bot.Policy `yaml:"policy"`
	// Institutions and People are loaded into the store at start (added or
	// updated), besides what admins add in chat.
	Institutions []*bot.Institution `yaml:"institutions"`
	People       []*bot.Person      `yaml:"people"`

	// Sections holds every other top-level key: one per adapter.
	Sections map[string]yaml.Node `yaml:",inline"`
}

// DefaultConfig is what itbot runs with when no file is given.
func DefaultConfig() *Config {
	c := &Config{Data: "data/itbot.db", OpsLanguage: "lv"}
	c.HTTP.Listen = "127.0.0.1:8080"
	c.HTTP.MaxBodyBytes = 1 << 20
	c.Console.As = "anna.berzina@lgia.gov.lv"
	c.Console.Files = "data/files"
	c.Log.Level = "info"
	c.Log.Format = "text"
	return c
}

// LoadConfig reads a YAML file over the defaults. A missing file is an
// error only when explicit is set.
func LoadConfig(path string, explicit bool) (*Config, error) {
	c := DefaultConfig()
	if path == "" {
		c.envOverrides()
		return c, nil
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		c.envOverrides()
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	expanded := os.Expand(string(raw), func(k string) string { return os.Getenv(k) })
	dec := yaml.NewDecoder(strings.NewReader(expanded))
	dec.KnownFields(true)
	const unset = "\x00unset"
	def := c.HTTP.Listen
	c.HTTP.Listen = unset
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if c.HTTP.Listen == unset {
		c.HTTP.Listen = def
	} else {
		c.HTTP.ListenSet = true
	}
	c.envOverrides()
	for name := range c.Sections {
		if !knownSection(name) {
			return nil, fmt.Errorf("config %s: unknown section %q", path, name)
		}
	}
	return c, nil
}

// Section decodes the adapter section name into v; absent sections leave v
// as it is and report false.
func (c *Config) Section(name string, v any) (bool, error) {
	n, ok := c.Sections[name]
	if !ok {
		return false, nil
	}
	// Re-encode and decode strictly, so a misspelt key is an error here too.
	raw, err := yaml.Marshal(&n)
	if err != nil {
		return true, fmt.Errorf("config section %s: %w", name, err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return true, fmt.Errorf("config section %s: %w", name, err)
	}
	return true, nil
}

// sections are the config sections the parts NewApp wires read, each
// decoded strictly by its own reader.
var sections = []string{"sla", "exchange", "dvs", "availability", "dialogue", "slack", "mattermost", "mailbox", "web", "teams"}

func knownSection(name string) bool { return slices.Contains(sections, name) }

// SandboxMode reports whether to run on emulated services.
func (c *Config) SandboxMode() bool {
	if c.Sandbox != nil {
		return *c.Sandbox
	}
	return true
}

// ConsoleEnabled reports whether the console adapter reads stdin.
func (c *Config) ConsoleEnabled() bool {
	if c.Console.Enabled != nil {
		return *c.Console.Enabled
	}
	return true
}

// envOverrides applies ITBOT_DATA and ITBOT_LISTEN, which containers use
// instead of a file.
func (c *Config) envOverrides() {
	if v := os.Getenv("ITBOT_DATA"); v != "" {
		c.Data = v
	}
	if v, ok := os.LookupEnv("ITBOT_LISTEN"); ok {
		c.HTTP.Listen = v
		c.HTTP.ListenSet = true
	}
}
