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
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is the validated configuration of one merino-go process.
type Config struct {
	// Env is the environment whose layer was applied: development, testing, stage or
	// production.
	Env         string
	VersionFile string
	// Debug allows the development provider types (fixed, debug, null, wiki_fruit).
	// development and testing set it; production refuses it.
	Debug    bool
	HTTP     HTTP
	Runtime  Runtime
	Web      Web
	Logging  Logging
	Location Location
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
	// ShutdownDelay is how long SIGTERM keeps accepting, /__lbheartbeat__ answering 503, before
	// the listener closes and in-flight requests drain (within ShutdownGrace).
	ShutdownDelay time.Duration
	// MaxConnections caps the public listener's open connections; 0 = from the file limit.
	MaxConnections int
	// MaxConnectionsPerIP caps one client address's connections; 0 = no cap.
	MaxConnectionsPerIP int
	// AdminMaxConnections caps the admin listener's open connections.
	AdminMaxConnections int
	// AdminToken, when set, is the Bearer token /debug/pprof/* and the admin heartbeat need.
	AdminToken string
	// ReusePort sets SO_REUSEPORT on the public listener (a rollout on one host).
	ReusePort bool
	// PublicHost is the host of absolute redirect URLs; "" makes them relative.
	PublicHost string
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
	c.Debug = r.boolean("debug")

	c.HTTP = HTTP{
		Listen:                r.str("http.listen"),
		AdminListen:           r.str("http.admin_listen"),
		ReadTimeout:           time.Duration(r.integer("http.read_timeout_sec", 1, 3600)) * time.Second,
		WriteTimeout:          time.Duration(r.integer("http.write_timeout_sec", 1, 3600)) * time.Second,
		MaxRequestHeaderBytes: r.integer("http.max_request_header_bytes", 1024, 1<<20),
		ShutdownGrace:         time.Duration(r.integer("http.shutdown_grace_sec", 0, 3600)) * time.Second,
		ShutdownDelay:         time.Duration(r.integer("http.shutdown_delay_sec", 0, 3600)) * time.Second,
		MaxConnections:        r.integer("http.max_connections", 0, 1<<24),
		MaxConnectionsPerIP:   r.integer("http.max_connections_per_ip", 0, 1<<24),
		AdminMaxConnections:   r.integer("http.admin_max_connections", 1, 1<<16),
		AdminToken:            r.str("http.admin_token"),
		ReusePort:             r.boolean("http.reuse_port"),
		PublicHost:            r.str("http.public_host"),
		MutexProfileFraction:  r.integer("http.admin_mutex_profile_fraction", 0, 1<<20),
		BlockProfileRate:      r.integer("http.admin_block_profile_rate", 0, 1<<30),
	}

	// merino-py's validator: at most 0.2 s in production, 1 s in testing, 600 s in development;
	// it sets none for stage, which takes the widest.
	maxTimeout := map[string]float64{"production": 0.2, "testing": 1.0, "development": 600, "stage": 600}[c.Env]
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
		c.Sections[name] = sections[name](&Table{r: r, base: name, c: c})
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
}

// sections maps a top-level section ([manifest], [redis], [mars], ...) to the function that
// reads it; each registers itself from its own file (in package config: sections["x"] = ...;
// elsewhere: NewSection) and its value is kept in Config.Sections under its name. A section's
// keys are read whether or not anything uses it, so that a typo in one is still an error.
var sections = map[string]func(tr *tableReader) any{}

// Section is a top-level section declared with NewSection: a typed handle on its value.
type Section[T any] struct{ name string }

// NewSection declares the top-level section name, read by read when a configuration loads
// (each key with its default, bad values reported with Table.Fail), from the file or package
// that uses it. Call it once, from a package-level variable or init; the value of a loaded
// configuration is s.Get(c).
func NewSection[T any](name string, read func(t *Table) T) *Section[T] {
	if _, dup := sections[name]; dup {
		panic("BUG: config section " + name + " declared twice")
	}
	sections[name] = func(t *Table) any { return read(t) }
	return &Section[T]{name: name}
}

// Get returns the section's value in c (T's zero value for a Config not made by Load).
func (s *Section[T]) Get(c *Config) T {
	v, _ := c.Sections[s.name].(T)
	return v
}

// Table reads the keys of one table (a top-level section such as [manifest], a
// [providers.<id>] table, a nested provider table), each with its default. Every value is
// checked as it is read; the first bad one is kept as the error Load returns, naming the
// key's dotted path and where it was set. A Table is valid only while Load runs.
type Table struct {
	r    *reader
	base string
	c    *Config
}

// tableReader is Table under its first name, which the section readers of package config use.
type tableReader = Table

func (pr *Table) key(name string) string {
	if name == "" {
		return pr.base
	}
	return join(pr.base, name)
}

func (pr *Table) opt(name string) (any, bool) { return pr.r.lookup(pr.key(name)) }

// Path is the dotted key path of name in the table (providers.x.inner), for messages; ""
// is the table's own.
func (pr *Table) Path(name string) string { return pr.key(name) }

// Config is the configuration being loaded: its global keys (http, runtime, web, logging,
// location, debug) are read; sections may not be yet.
func (pr *Table) Config() *Config { return pr.c }

// Has reports whether the table sets name.
func (pr *Table) Has(name string) bool {
	_, ok := pr.opt(name)
	return ok
}

// Sub returns the table at name (a nested table such as a provider's inner). ok is false
// when name is absent; a value that is not a table is reported.
func (pr *Table) Sub(name string) (t *Table, ok bool) {
	v, ok := pr.opt(name)
	if !ok {
		return nil, false
	}
	if _, isTable := v.(map[string]any); !isTable {
		pr.Fail(name, "must be a table, got %s", describe(v))
		return nil, false
	}
	return &Table{r: pr.r, base: pr.key(name), c: pr.c}, true
}

// List returns the tables of the list at name (an array of tables, such as a multiplexer's
// providers), def (usually empty) when absent. Each item's keys are read through its Table,
// whose path ends with the item's index.
func (pr *Table) List(name string) []*Table {
	v, ok := pr.opt(name)
	if !ok {
		return nil
	}
	list, isList := v.([]any)
	if !isList {
		pr.Fail(name, "must be a list of tables, got %s", describe(v))
		return nil
	}
	out := make([]*Table, 0, len(list))
	for i, item := range list {
		path := join(pr.key(name), strconv.Itoa(i))
		if _, isTable := item.(map[string]any); !isTable {
			pr.r.fail(path, "must be a table, got %s", describe(item))
			return nil
		}
		out = append(out, &Table{r: pr.r, base: path, c: pr.c})
	}
	return out
}

// Keys lists the table's own keys: for [providers], the order in which the tables first
// appear across the layers (merino-py lists providers in config order); else sorted.
func (pr *Table) Keys() []string {
	v, _ := pr.r.lookup(pr.base)
	m, _ := v.(map[string]any)
	if pr.base == "providers" {
		keys := make([]string, 0, len(m))
		for _, id := range pr.r.t.providerOrder {
			if _, ok := m[id]; ok {
				keys = append(keys, id)
			}
		}
		return keys
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// StringMap reads a table of strings (a keyword filter's {rule_id = "regex"}), sorted by
// key; def when absent.
func (pr *Table) StringMap(name string, def [][2]string) [][2]string {
	t, ok := pr.Sub(name)
	if !ok {
		return def
	}
	keys := t.Keys()
	out := make([][2]string, 0, len(keys))
	for _, k := range keys {
		v, _ := t.opt(k)
		out = append(out, [2]string{k, pr.r.asString(t.key(k), v)})
	}
	return out
}

// floatSeconds reads a number of seconds within (0, max] (a section's timeouts).
func floatSeconds(tr *Table, name string, def, max float64) time.Duration {
	return tr.FloatSeconds(name, def, 0.001, max)
}

// IsHTTPURL reports whether s is an absolute http(s) URL without query or fragment: the
// check of a key naming an API root.
func IsHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https") && u.RawQuery == "" && u.Fragment == ""
}

// Skip marks every key below name as read: the table is deliberately left alone.
func (pr *Table) Skip(name string) { pr.r.skip(pr.key(name)) }

// Str reads a string key, def when absent.
func (pr *Table) Str(name, def string) string {
	if v, ok := pr.opt(name); ok {
		return pr.r.asString(pr.key(name), v)
	}
	return def
}

// Int reads an integer key within [min, max], def when absent.
func (pr *Table) Int(name string, def, min, max int64) int {
	if v, ok := pr.opt(name); ok {
		return pr.r.asInt(pr.key(name), v, min, max)
	}
	return int(def)
}

// Float reads a number within [min, max], def when absent.
func (pr *Table) Float(name string, def, min, max float64) float64 {
	if v, ok := pr.opt(name); ok {
		return pr.r.asFloat(pr.key(name), v, min, max)
	}
	return def
}

// Bool reads a boolean key, def when absent.
func (pr *Table) Bool(name string, def bool) bool {
	if v, ok := pr.opt(name); ok {
		return pr.r.asBool(pr.key(name), v)
	}
	return def
}

// Strings reads a list of strings, def when absent.
func (pr *Table) Strings(name string, def []string) []string {
	if v, ok := pr.opt(name); ok {
		return pr.r.asStrList(pr.key(name), v)
	}
	return def
}

// Seconds reads a whole number of seconds (at least 1), def when absent.
func (pr *Table) Seconds(name string, def int64) time.Duration {
	return time.Duration(pr.Int(name, def, 1, 1<<31-1)) * time.Second
}

// FloatSeconds reads a (possibly fractional) number of seconds within [min, max], def when
// absent.
func (pr *Table) FloatSeconds(name string, def, min, max float64) time.Duration {
	return secondsToDuration(pr.Float(name, def, min, max))
}

// Fail reports a bad value of one key; only the first failure is kept.
func (pr *Table) Fail(name, format string, args ...any) {
	pr.r.fail(pr.key(name), format, args...)
}

// Failed reports whether a key already failed (later checks then stay quiet).
func (pr *Table) Failed() bool { return pr.r.err != nil }

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
	if c.Env == "production" && c.Debug {
		return errors.New("debug: must be false in production (it allows the development provider types)")
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
			if list, ok := isTableList(v); ok {
				for i, item := range list {
					walk(join(path, strconv.Itoa(i)), item.(map[string]any))
				}
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
