// Package config holds Icarus's one typed configuration. Values come from
// defaults, then an optional JSON file, then ICARUS_* environment variables,
// then command-line flags, each overriding the one before.
package config

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Config is the whole configuration.
type Config struct {
	DataDir       string `json:"data"`     // data directory (SQLite database, backups)
	DB            string `json:"db"`       // database URL: postgres://... for PostgreSQL; "" (or sqlite:DIR) for SQLite under DataDir
	Addr          string `json:"addr"`     // listen address of serve/demo
	BaseURL       string `json:"base_url"` // public URL, used in printed links; derived from Addr when empty
	TileURL       string `json:"tile_url"` // map tile URL template; empty = no base map
	TileAttrib    string `json:"tile_attribution"`
	SuppressBelow int    `json:"suppress_below"` // public counts below this are suppressed
	SecureCookies bool   `json:"secure_cookies"` // set the Secure flag on cookies (behind TLS)
	LogLevel      string `json:"log_level"`      // debug, info, warn, error
	// Open311 holds the abuse limits of the Open311 API (docs/operations.md).
	Open311 Open311Limits `json:"open311"`
	// Reports configures residents' reports from the browser (reports.go).
	Reports Reports `json:"reports"`
	// PublicReadsPerIP limits anonymous GET/HEAD requests per client IP per
	// minute, in memory on each node (docs/operations.md); 0: no limit.
	PublicReadsPerIP int `json:"public_reads_per_ip"`
}

// Open311Limits are the rate and size limits of POST /open311/v2/requests.
// Rates are counted per fixed window in the database, so every node counts
// together; 0 turns a rate limit off.
type Open311Limits struct {
	PostPerIP    int   `json:"post_per_ip"`     // POSTs per client IP per minute
	PostPerKey   int   `json:"post_per_key"`    // POSTs per api_key per minute
	BadKeysPerIP int   `json:"bad_keys_per_ip"` // refused api_keys per client IP per 10 minutes
	MaxBodyBytes int64 `json:"max_body_bytes"`  // largest accepted form body (413 beyond)
}

// DefaultOpen311Limits are the limits when nothing is configured.
func DefaultOpen311Limits() Open311Limits {
	return Open311Limits{PostPerIP: 600, PostPerKey: 3000, BadKeysPerIP: 20, MaxBodyBytes: 64 << 10}
}

// Default returns the defaults.
func Default() Config {
	return Config{DataDir: "./icarus-data", Addr: "127.0.0.1:8080", SuppressBelow: 5, LogLevel: "info", Open311: DefaultOpen311Limits(), Reports: DefaultReports(),
		PublicReadsPerIP: 1200}
}

// Load builds the configuration from file (when non-empty) and the
// environment given as a lookup function (os.LookupEnv in production).
func Load(file string, getenv func(string) (string, bool)) (Config, error) {
	c := Default()
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return c, fmt.Errorf("config file: %w", err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return c, fmt.Errorf("config file %s: %w", file, err)
		}
	}
	str := func(name string, dst *string) {
		if v, ok := getenv(name); ok {
			*dst = v
		}
	}
	str("ICARUS_DATA", &c.DataDir)
	str("ICARUS_DB", &c.DB)
	str("ICARUS_ADDR", &c.Addr)
	str("ICARUS_BASE_URL", &c.BaseURL)
	str("ICARUS_TILE_URL", &c.TileURL)
	str("ICARUS_TILE_ATTRIBUTION", &c.TileAttrib)
	str("ICARUS_LOG_LEVEL", &c.LogLevel)
	if v, ok := getenv("ICARUS_SUPPRESS_BELOW"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return c, fmt.Errorf("ICARUS_SUPPRESS_BELOW=%q: want a whole number >= 0", v)
		}
		c.SuppressBelow = n
	}
	if v, ok := getenv("ICARUS_SECURE_COOKIES"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("ICARUS_SECURE_COOKIES=%q: want true or false", v)
		}
		c.SecureCookies = b
	}
	for _, v := range []struct {
		name string
		dst  *int
	}{
		{"ICARUS_OPEN311_POST_PER_IP", &c.Open311.PostPerIP},
		{"ICARUS_OPEN311_POST_PER_KEY", &c.Open311.PostPerKey},
		{"ICARUS_OPEN311_BAD_KEYS_PER_IP", &c.Open311.BadKeysPerIP},
		{"ICARUS_PUBLIC_READS_PER_IP", &c.PublicReadsPerIP},
	} {
		if s, ok := getenv(v.name); ok {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return c, fmt.Errorf("%s=%q: want a whole number >= 0 (0: no limit)", v.name, s)
			}
			*v.dst = n
		}
	}
	if v, ok := getenv("ICARUS_OPEN311_MAX_BODY_BYTES"); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return c, fmt.Errorf("ICARUS_OPEN311_MAX_BODY_BYTES=%q: want a number of bytes", v)
		}
		c.Open311.MaxBodyBytes = n
	}
	if err := c.Reports.load(getenv); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// Largest and smallest accepted Open311 body limits.
const (
	MinOpen311Body = 1 << 10
	MaxOpen311Body = 1 << 20
)

// Validate checks the values.
func (c Config) Validate() error {
	if c.SuppressBelow < 0 {
		return fmt.Errorf("suppress_below must be >= 0")
	}
	if c.DB != "" && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") && !strings.HasPrefix(c.DB, "sqlite:") {
		return fmt.Errorf("database URL must start with postgres://, postgresql:// or sqlite:")
	}
	if c.PublicReadsPerIP < 0 {
		return fmt.Errorf("public_reads_per_ip must be >= 0 (0: no limit)")
	}
	if l := c.Open311; l.PostPerIP < 0 || l.PostPerKey < 0 || l.BadKeysPerIP < 0 {
		return fmt.Errorf("open311 rate limits must be >= 0 (0: no limit)")
	}
	if b := c.Open311.MaxBodyBytes; b < MinOpen311Body || b > MaxOpen311Body {
		return fmt.Errorf("open311 max_body_bytes %d: want %d to %d", b, MinOpen311Body, MaxOpen311Body)
	}
	if err := c.Reports.validate(); err != nil {
		return err
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log level %q: want debug, info, warn or error", c.LogLevel)
	}
	return nil
}

// DataFlag registers --data and --db on fs, writing into c.
func (c *Config) DataFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", c.DataDir, "the data `DIR` (SQLite database, backups, uploads)")
	fs.StringVar(&c.DB, "db", c.DB, "database `URL`: postgres://user@host:5432/icarus for PostgreSQL (env ICARUS_DB); default SQLite under --data")
}

// Postgres reports whether the configured database is PostgreSQL.
func (c Config) Postgres() bool {
	return strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://")
}

// ServeFlags registers the flags of serve and demo on fs.
func (c *Config) ServeFlags(fs *flag.FlagSet) {
	c.DataFlag(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address `HOST:PORT`")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public `URL` of this server (for printed links)")
	fs.StringVar(&c.TileURL, "tile-url", c.TileURL, "map tile `URL` template, e.g. https://tile.example.org/{z}/{x}/{y}.png (none by default)")
	fs.IntVar(&c.SuppressBelow, "suppress-below", c.SuppressBelow, "suppress public counts below `N`")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", c.SecureCookies, "mark cookies Secure (serve behind TLS)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log `level`: debug, info, warn, error")
	fs.IntVar(&c.PublicReadsPerIP, "public-reads-per-ip", c.PublicReadsPerIP, "anonymous GET/HEAD requests per client IP per minute on this node, `N` (0: no limit)")
	fs.IntVar(&c.Open311.PostPerIP, "open311-post-per-ip", c.Open311.PostPerIP, "Open311 POSTs per client IP per minute, `N` (0: no limit)")
	fs.IntVar(&c.Open311.PostPerKey, "open311-post-per-key", c.Open311.PostPerKey, "Open311 POSTs per api_key per minute, `N` (0: no limit)")
	fs.IntVar(&c.Open311.BadKeysPerIP, "open311-bad-keys-per-ip", c.Open311.BadKeysPerIP, "refused Open311 api_keys per client IP per 10 minutes, `N` (0: no limit)")
	c.Reports.flags(fs)
	fs.Int64Var(&c.Open311.MaxBodyBytes, "open311-max-body", c.Open311.MaxBodyBytes, "largest Open311 POST body in `BYTES` (1024 to 1048576)")
}
