// Package config reads merino-go's settings once, at startup, into typed structs.
//
// The layers (later wins) are the embedded configs/default.toml, configs/<MERINO_ENV>.toml, the
// file named by MERINO_CONFIG_FILE and MERINO_A__B environment variables, whose values are read
// as TOML values when they parse as one. Every value is checked here: a bad one stops startup
// with one line naming the key. Nothing on the request path looks a setting up by name.
package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is the validated configuration of one merino-go process.
type Config struct {
	// Env is the environment whose layer was applied: development, testing or production.
	Env         string
	VersionFile string
	HTTP        HTTP
	Runtime     Runtime
	Web         Web
	Logging     Logging
	Location    Location
	// Providers are the providers to create, in config order, without the disabled ones.
	Providers []Provider
	// Flags are the feature flags of [flags.<name>] tables, sorted by name.
	Flags []Flag
	// Warnings are findings that do not stop startup (unknown keys from environment variables).
	Warnings []string
	// Sections holds the top-level sections read by the entries of sections, by name.
	Sections map[string]any

	t *tree
}

// HTTP configures the listeners.
type HTTP struct {
	Listen                string
	AdminListen           string // "" = no admin listener
	ReadTimeout           time.Duration
	WriteTimeout          time.Duration
	MaxRequestHeaderBytes int
	ShutdownGrace         time.Duration
	// MutexProfileFraction and BlockProfileRate turn on the sampling behind the admin
	// listener's mutex and block profiles (0 = off).
	MutexProfileFraction int
	BlockProfileRate     int
}

// Runtime holds merino-py's [runtime] settings.
type Runtime struct {
	QueryTimeout      time.Duration
	DisabledProviders []string
	// SuggestionsTTL and ManifestTTL are Cache-Control max-age values, in seconds.
	SuggestionsTTL int
	ManifestTTL    int
}

// Web holds the limits of merino-py's [web.api.v1].
type Web struct {
	ClientVariantMax          int
	QueryCharacterMax         int
	ClientVariantCharacterMax int
	HeaderCharacterMax        int
}

// Logging configures logs.
type Logging struct {
	Level             string // DEBUG, INFO, WARNING, ERROR, CRITICAL
	Format            string // mozlog or pretty
	LogSuggestRequest bool
	LogQuery          bool
	ExcludedProviders []string
}

// Location configures geolocation and the client address.
type Location struct {
	MaxmindDatabase   string
	ClientIPOverride  string
	ForwardedAllowIPs []string
}

// Flag is one [flags.<name>] table: merino-py's feature flag.
type Flag struct {
	Name string
	// Enabled is the fraction of requests (or sessions) the flag is on for, 0..1.
	Enabled float64
	// Scheme is "session" (bucket by the sid parameter, the default) or "random".
	Scheme string
}

// Provider is one [providers.<id>] table.
type Provider struct {
	ID               string
	Type             string
	EnabledByDefault bool
	Score            float64
	// QueryTimeout is the provider's query_timeout_sec, or runtime.query_timeout_sec.
	QueryTimeout time.Duration
	// Settings holds the type's own settings, read by its entry in providerTypes: *TopPicks
	// for "top_picks", and so on.
	Settings any
}

// TopPicks returns the settings of a top_picks provider (nil for another type).
func (p *Provider) TopPicks() *TopPicks {
	tp, _ := p.Settings.(*TopPicks)
	return tp
}

// Load reads the configuration from the embedded layers, MERINO_CONFIG_FILE and the
// environment. A nil environ means the process environment.
func Load(environ Environ) (*Config, error) {
	if environ == nil {
		environ = os.Environ
	}
	t, envName, err := layers(environ)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	r := &reader{t: t, used: map[string]bool{}}
	c := &Config{Env: envName, t: t}
	c.read(r)
	if r.err != nil {
		return nil, fmt.Errorf("config: %w", r.err)
	}
	errs, warnings := r.unknown()
	if len(errs) > 0 {
		return nil, fmt.Errorf("config: %s", errs[0])
	}
	c.Warnings = warnings
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

func (c *Config) read(r *reader) {
	c.VersionFile = r.str("version_file")

	c.HTTP = HTTP{
		Listen:                r.str("http.listen"),
		AdminListen:           r.str("http.admin_listen"),
		ReadTimeout:           time.Duration(r.integer("http.read_timeout_sec", 1, 3600)) * time.Second,
		WriteTimeout:          time.Duration(r.integer("http.write_timeout_sec", 1, 3600)) * time.Second,
		MaxRequestHeaderBytes: r.integer("http.max_request_header_bytes", 1024, 1<<20),
		ShutdownGrace:         time.Duration(r.integer("http.shutdown_grace_sec", 0, 3600)) * time.Second,
		MutexProfileFraction:  r.integer("http.admin_mutex_profile_fraction", 0, 1<<20),
		BlockProfileRate:      r.integer("http.admin_block_profile_rate", 0, 1<<30),
	}

	// merino-py's validator: at most 0.2 s in production, 1 s in testing, 600 s in development.
	maxTimeout := map[string]float64{"production": 0.2, "testing": 1.0, "development": 600}[c.Env]
	c.Runtime = Runtime{
		QueryTimeout:      r.seconds("runtime.query_timeout_sec", 0.001, maxTimeout),
		DisabledProviders: r.strList("runtime.disabled_providers"),
		SuggestionsTTL:    r.integer("runtime.default_suggestions_response_ttl_sec", 0, 1<<31-1),
		ManifestTTL:       r.integer("runtime.default_manifest_response_ttl_sec", 0, 1<<31-1),
	}

	c.Web = Web{
		ClientVariantMax:          r.integer("web.api.v1.client_variant_max", 0, 50),
		QueryCharacterMax:         r.integer("web.api.v1.query_character_max", 6, 500),
		ClientVariantCharacterMax: r.integer("web.api.v1.client_variant_character_max", 1, 100),
		HeaderCharacterMax:        r.integer("web.api.v1.header_character_max", 1, 8192),
	}

	c.Logging = Logging{
		Level:             strings.ToUpper(r.str("logging.level")),
		Format:            r.str("logging.format"),
		LogSuggestRequest: r.boolean("logging.log_suggest_request"),
		LogQuery:          r.boolean("logging.log_query"),
		ExcludedProviders: r.strList("logging.excluded_providers"),
	}

	c.Location = Location{
		MaxmindDatabase:   r.str("location.maxmind_database"),
		ClientIPOverride:  r.str("location.client_ip_override"),
		ForwardedAllowIPs: r.strList("location.forwarded_allow_ips"),
	}

	c.Sections = map[string]any{}
	names := make([]string, 0, len(sections))
	for name := range sections {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c.Sections[name] = sections[name](&tableReader{r: r, base: name})
	}

	if table, ok := r.t.root["flags"].(map[string]any); ok {
		names := make([]string, 0, len(table))
		for name := range table {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			base := "flags." + name
			f := Flag{Name: name, Scheme: "session"}
			f.Enabled = r.float(base+".enabled", 0, 1)
			if v, ok := r.lookup(base + ".scheme"); ok {
				f.Scheme = r.asString(base+".scheme", v)
				if f.Scheme != "session" && f.Scheme != "random" && r.err == nil {
					r.fail(base+".scheme", "must be session or random, got %q", f.Scheme)
				}
			}
			c.Flags = append(c.Flags, f)
		}
	}

	disabled := map[string]bool{}
	for _, id := range c.Runtime.DisabledProviders {
		disabled[id] = true
	}
	for _, id := range r.t.providerOrder {
		if disabled[id] {
			// merino-py never instantiates a disabled provider, so its table is not checked:
			// a deployment may keep settings for a type this build does not have.
			r.skip("providers." + id)
			continue
		}
		p, ok := r.provider(id, c.Runtime.QueryTimeout)
		if ok && r.err == nil {
			c.Providers = append(c.Providers, p)
		}
	}
}

// provider reads [providers.<id>]. A table without `type` is not a provider (merino-py's
// rule); its keys are then reported as unknown.
func (r *reader) provider(id string, defaultTimeout time.Duration) (Provider, bool) {
	base := "providers." + id
	if _, ok := r.t.root["providers"].(map[string]any)[id].(map[string]any); !ok {
		r.fail(base, "must be a table")
		return Provider{}, false
	}
	typ, ok := r.lookup(base + ".type")
	if !ok {
		return Provider{}, false
	}
	p := Provider{ID: id, Type: r.asString(base+".type", typ), QueryTimeout: defaultTimeout}
	if id == "" || strings.ContainsAny(id, ", ") {
		r.fail(base, "a provider id may not be empty or contain commas or spaces")
	}
	if v, ok := r.lookup(base + ".enabled_by_default"); ok {
		p.EnabledByDefault = r.asBool(base+".enabled_by_default", v)
	}
	timeoutSet := false
	if v, ok := r.lookup(base + ".query_timeout_sec"); ok {
		p.QueryTimeout = secondsToDuration(r.asFloat(base+".query_timeout_sec", v, 0.001, 600))
		timeoutSet = true
	}
	read, ok := providerTypes[p.Type]
	if !ok {
		r.fail(base+".type", "unknown provider type %q (known: %s)", p.Type, strings.Join(KnownTypes(), ", "))
		return p, true
	}
	pr := &tableReader{r: r, base: base}
	p.Score, p.Settings = read(pr)
	// A type with merino-py's own default timeout (accuweather's 5 s) says so.
	if d, ok := p.Settings.(interface{ DefaultQueryTimeout() time.Duration }); ok && !timeoutSet {
		p.QueryTimeout = d.DefaultQueryTimeout()
	}
	if v, ok := r.lookup(base + ".score"); ok {
		p.Score = r.asFloat(base+".score", v, 0, 1)
	}
	return p, true
}

// providerTypes maps each provider type to the function that reads its own keys and returns
// its default score and its settings. Each type registers itself from its own file.
var providerTypes = map[string]func(pr *tableReader) (defaultScore float64, settings any){}

// sections maps a top-level section a provider type uses ([mars], [remote_settings],
// [manifest], ...) to the function that reads it; each registers itself from its own file and
// its value is kept in Config.Sections under its name. A section's keys are read whether or not
// a provider uses it, so that a typo in one is still an error.
var sections = map[string]func(tr *tableReader) any{}

// tableReader reads the keys of one table ([providers.<id>] or a top-level section such as
// [mars]), each with its default.
type tableReader struct {
	r    *reader
	base string
}

func (pr *tableReader) key(name string) string { return pr.base + "." + name }

func (pr *tableReader) opt(name string) (any, bool) { return pr.r.lookup(pr.key(name)) }

// Str reads a string key, def when absent.
func (pr *tableReader) Str(name, def string) string {
	if v, ok := pr.opt(name); ok {
		return pr.r.asString(pr.key(name), v)
	}
	return def
}

// Int reads an integer key within [min, max], def when absent.
func (pr *tableReader) Int(name string, def, min, max int64) int {
	if v, ok := pr.opt(name); ok {
		return pr.r.asInt(pr.key(name), v, min, max)
	}
	return int(def)
}

// Float reads a number within [min, max], def when absent.
func (pr *tableReader) Float(name string, def, min, max float64) float64 {
	if v, ok := pr.opt(name); ok {
		return pr.r.asFloat(pr.key(name), v, min, max)
	}
	return def
}

// Bool reads a boolean key, def when absent.
func (pr *tableReader) Bool(name string, def bool) bool {
	if v, ok := pr.opt(name); ok {
		return pr.r.asBool(pr.key(name), v)
	}
	return def
}

// Strings reads a list of strings, def when absent.
func (pr *tableReader) Strings(name string, def []string) []string {
	if v, ok := pr.opt(name); ok {
		return pr.r.asStrList(pr.key(name), v)
	}
	return def
}

// Seconds reads a whole number of seconds (at least 1), def when absent.
func (pr *tableReader) Seconds(name string, def int64) time.Duration {
	return time.Duration(pr.Int(name, def, 1, 1<<31-1)) * time.Second
}

// Fail reports a bad value of one key; only the first failure is kept.
func (pr *tableReader) Fail(name, format string, args ...any) {
	pr.r.fail(pr.key(name), format, args...)
}

// Failed reports whether a key already failed (later checks then stay quiet).
func (pr *tableReader) Failed() bool { return pr.r.err != nil }

// KnownTypes lists the provider types this build can create, sorted.
func KnownTypes() []string {
	types := make([]string, 0, len(providerTypes))
	for t := range providerTypes {
		types = append(types, t)
	}
	sort.Strings(types)
	return types
}

func (c *Config) validate() error {
	if err := checkListen("http.listen", c.HTTP.Listen); err != nil {
		return err
	}
	if c.HTTP.AdminListen != "" {
		if err := checkListen("http.admin_listen", c.HTTP.AdminListen); err != nil {
			return err
		}
		if c.HTTP.AdminListen == c.HTTP.Listen && !strings.HasSuffix(c.HTTP.Listen, ":0") {
			return errors.New("http.admin_listen: must differ from http.listen: /metrics and pprof are never served on the public listener")
		}
	}
	switch c.Logging.Level {
	case "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL":
	default:
		return fmt.Errorf("logging.level: must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got %q", c.Logging.Level)
	}
	switch c.Logging.Format {
	case "mozlog", "pretty":
	default:
		return fmt.Errorf("logging.format: must be mozlog or pretty, got %q", c.Logging.Format)
	}
	if c.Env == "production" && c.Logging.Format != "mozlog" {
		return errors.New("logging.format: production requires mozlog")
	}
	for _, entry := range c.Location.ForwardedAllowIPs {
		if entry == "*" {
			continue
		}
		if _, _, err := net.ParseCIDR(entry); err == nil {
			continue
		}
		if net.ParseIP(entry) == nil {
			return fmt.Errorf("location.forwarded_allow_ips: %q is neither an IP address, a CIDR network nor \"*\"", entry)
		}
	}
	if o := c.Location.ClientIPOverride; o != "" && net.ParseIP(o) == nil {
		return fmt.Errorf("location.client_ip_override: %q is not an IP address", o)
	}
	return nil
}

func checkListen(key, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s: %q is not host:port: %v", key, addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%s: %q has an invalid port", key, addr)
	}
	if host != "" && net.ParseIP(host) == nil && host != "localhost" {
		return fmt.Errorf("%s: %q: the host must be an IP address or localhost", key, addr)
	}
	return nil
}

// Effective lists every configured key with its effective value and origin, one per line,
// sorted, with secrets masked: what `merino check-config` prints.
func (c *Config) Effective() []string {
	var lines []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			path := join(prefix, k)
			if sub, ok := v.(map[string]any); ok {
				walk(path, sub)
				continue
			}
			val := formatValue(v)
			if secretKey(path) && val != `""` {
				val = `"********"`
			}
			lines = append(lines, fmt.Sprintf("%s = %s  # %s", path, val, c.t.origin[path]))
		}
	}
	walk("", c.t.root)
	sort.Strings(lines)
	return lines
}

func secretKey(path string) bool {
	last := path[strings.LastIndexByte(path, '.')+1:]
	if last == "auth" { // remote_settings.auth, the jobs' Remote Settings credentials
		return true
	}
	for _, s := range []string{"key", "password", "secret", "token", "credentials"} {
		if strings.Contains(last, s) {
			return true
		}
	}
	return false
}

func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case []any:
		parts := make([]string, len(x))
		for i, item := range x {
			parts[i] = formatValue(item)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	default:
		return fmt.Sprint(x)
	}
}
