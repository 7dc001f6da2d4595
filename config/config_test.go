package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/geolocation"
	"github.com/mozilla-services/merino-go/suggest/kit"
	"github.com/mozilla-services/merino-go/suggest/kit/kittest"
	"github.com/mozilla-services/merino-go/suggest/toppicks"
)

// The configuration with every provider type of the binary linked (suggest/all): the tests
// that read [providers.<id>] tables are here, in the external test package.

func env(vars ...string) Environ {
	return func() []string { return vars }
}

func load(t *testing.T, vars ...string) *Config {
	t.Helper()
	return kittest.Load(t, vars...)
}

// providers returns the common settings of c's providers, in config order.
func providers(c *Config) []suggest.Base {
	var out []suggest.Base
	for _, n := range kit.Configured(c) {
		out = append(out, n.Base())
	}
	return out
}

// topPicks builds c's providers and returns the top_picks provider id's settings.
func topPicks(t *testing.T, c *Config, id string) toppicks.Settings {
	t.Helper()
	return kittest.Provider[*toppicks.Provider](t, kittest.Build(t, c), id).Settings
}

func TestDefaultsAndLayers(t *testing.T) {
	c := load(t)
	if c.Env != "development" || c.HTTP.Listen != "127.0.0.1:8000" || c.HTTP.AdminListen != "127.0.0.1:8001" {
		t.Errorf("development defaults: %+v", c.HTTP)
	}
	if c.Logging.Format != "pretty" || c.Logging.Level != "INFO" || c.Logging.LogQuery || !c.Logging.LogSuggestRequest {
		t.Errorf("logging: %+v", c.Logging)
	}
	if c.Runtime.QueryTimeout != 200*time.Millisecond || c.Runtime.SuggestionsTTL != 300 || c.Runtime.ManifestTTL != 28800 {
		t.Errorf("runtime: %+v", c.Runtime)
	}
	if c.Web != (Web{ClientVariantMax: 10, QueryCharacterMax: 500, ClientVariantCharacterMax: 100, HeaderCharacterMax: 100}) {
		t.Errorf("web: %+v", c.Web)
	}
	ps := providers(c)
	tp := topPicks(t, c, "top_picks")
	if len(ps) != 3 || ps[0].Name != "top_picks" || ps[1].Name != "adm" || ps[2].Name != "wikipedia" ||
		tp.FilePath != "data/top_picks.json" ||
		ps[0].Score != 0.25 || !ps[0].EnabledByDefault || ps[0].QueryTimeout != 200*time.Millisecond {
		t.Errorf("providers: %+v", ps)
	}
	if tp.Index.QueryCharLimit != 4 || tp.Index.FirefoxCharLimit != 2 || tp.ResyncInterval != 12*time.Hour || len(tp.DomainBlocklist) != 12 {
		t.Errorf("top picks: %+v", tp)
	}

	c = load(t, "MERINO_ENV=testing")
	if c.Env != "testing" || len(providers(c)) != 0 || c.Web.ClientVariantMax != 5 || c.HTTP.AdminListen != "" || c.Runtime.QueryTimeout != 500*time.Millisecond {
		t.Errorf("testing: %+v", c)
	}
	c = load(t, "MERINO_ENV=production")
	if ps := providers(c); c.HTTP.Listen != "0.0.0.0:8000" || c.Logging.Format != "mozlog" || len(ps) != 3 || ps[0].Name != "adm" {
		t.Errorf("production: %+v %+v", c.HTTP, ps)
	}
}

func TestEnvOverrides(t *testing.T) {
	c := load(t,
		"MERINO_HTTP__LISTEN=127.0.0.1:9000",            // not TOML: a string
		"MERINO_RUNTIME__QUERY_TIMEOUT_SEC=0.15",        // float
		"MERINO_WEB__API__V1__CLIENT_VARIANT_MAX=7",     // int
		"MERINO_LOGGING__LOG_QUERY=true",                // bool
		`MERINO_LOGGING__EXCLUDED_PROVIDERS=["a","b"]`,  // list
		"MERINO_RUNTIME__DISABLED_PROVIDERS=amo",        // a bare word for a list
		`MERINO_LOCATION__CLIENT_IP_OVERRIDE="1.2.3.4"`, // a quoted TOML string
		"MERINO_PROVIDERS__TOP_PICKS__SCORE=1",          // an int where a float is expected
		"MERINO_PROVIDERS__TOP_PICKS__QUERY_TIMEOUT_SEC=0.05",
		"MERINO_HTTP__ADMIN_LISTEN=",                         // empty: the empty string
		"MERINO_PROVIDERS__WIKIPEDIA__ES_URL=http://es:9200", // merino-py's, unknown here: a warning
		"OTHER=ignored",
	)
	if c.HTTP.Listen != "127.0.0.1:9000" || c.HTTP.AdminListen != "" {
		t.Errorf("http: %+v", c.HTTP)
	}
	if c.Runtime.QueryTimeout != 150*time.Millisecond || c.Web.ClientVariantMax != 7 || !c.Logging.LogQuery {
		t.Errorf("typed values: %+v %+v %+v", c.Runtime, c.Web, c.Logging)
	}
	if strings.Join(c.Logging.ExcludedProviders, ",") != "a,b" || strings.Join(c.Runtime.DisabledProviders, ",") != "amo" {
		t.Errorf("lists: %q %q", c.Logging.ExcludedProviders, c.Runtime.DisabledProviders)
	}
	if c.Location.ClientIPOverride != "1.2.3.4" {
		t.Errorf("quoted: %q", c.Location.ClientIPOverride)
	}
	if ps := providers(c); len(ps) != 3 || ps[0].Score != 1 || ps[0].QueryTimeout != 50*time.Millisecond {
		t.Errorf("provider: %+v", ps)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "providers.wikipedia.es_url") {
		t.Errorf("warnings: %q", c.Warnings)
	}
	// A provider table created from the environment alone.
	c = load(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__TP__TYPE=top_picks", "MERINO_PROVIDERS__TP__TOP_PICKS_FILE_PATH=x.json")
	if ps := providers(c); len(ps) != 1 || ps[0].Name != "tp" || ps[0].EnabledByDefault {
		t.Errorf("env provider: %+v", ps)
	}
}

func TestConfigFileAndProviderOrder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "merino.toml")
	doc := `
[providers.zeta]
type = "top_picks"
top_picks_file_path = "https://cdn.example/top_picks.json"
enabled_by_default = true

[providers.alpha]
type = "top_picks"
top_picks_file_path = "a.json"
query_char_limit = 5
firefox_char_limit = 3
domain_blocklist = []
`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	devPath := filepath.Join(dir, "dev.toml")
	if err := os.WriteFile(devPath, []byte(doc+"\n[providers.top_picks]\nscore = 0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// testing.toml has no providers: the file's tables come in file order, then a table the
	// environment creates.
	c := load(t, "MERINO_ENV=testing", "MERINO_CONFIG_FILE="+path, "MERINO_PROVIDERS__OMEGA__TYPE=top_picks", "MERINO_PROVIDERS__OMEGA__TOP_PICKS_FILE_PATH=o.json")
	var ids []string
	for _, p := range providers(c) {
		ids = append(ids, p.Name)
	}
	if strings.Join(ids, ",") != "zeta,alpha,omega" {
		t.Errorf("order: %q", ids)
	}
	alpha := topPicks(t, c, "alpha")
	if alpha.Index.QueryCharLimit != 5 || len(alpha.DomainBlocklist) != 0 || !providers(c)[0].EnabledByDefault {
		t.Errorf("values: %+v %+v", providers(c)[0], alpha)
	}
	// In development, the environment's providers come first and the file's [providers.top_picks]
	// changes a value, not the order.
	c = load(t, "MERINO_CONFIG_FILE="+devPath)
	if ps := providers(c); ps[0].Name != "top_picks" || ps[0].Score != 0.1 || ps[len(ps)-1].Name != "alpha" {
		t.Errorf("development order: %+v", ps)
	}
	// Disabled providers are not created, and their tables are not checked.
	c = load(t, "MERINO_ENV=testing", "MERINO_CONFIG_FILE="+path, `MERINO_RUNTIME__DISABLED_PROVIDERS=["zeta","top_picks"]`)
	if ps := providers(c); len(ps) != 1 || ps[0].Name != "alpha" {
		t.Errorf("disabled: %+v", ps)
	}
	c = load(t, "MERINO_ENV=testing", `MERINO_RUNTIME__DISABLED_PROVIDERS=["sports"]`, "MERINO_PROVIDERS__SPORTS__TYPE=sports")
	if ps := providers(c); len(ps) != 0 {
		t.Errorf("a disabled unknown type must not fail: %+v", ps)
	}
}

// Each bad value stops startup with one line that names the key.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	file := func(doc string) string {
		t.Helper()
		p := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".toml")
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return "MERINO_CONFIG_FILE=" + p
	}
	f := func(want string, vars ...string) {
		t.Helper()
		_, err := Load(env(vars...))
		if err == nil {
			t.Errorf("%q: no error, want %q", vars, want)
			return
		}
		if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: got %q, want one line containing %q", vars, err, want)
		}
	}
	f("MERINO_ENV: unknown environment", "MERINO_ENV=staging")
	f("MERINO_CONFIG_FILE: cannot read", "MERINO_CONFIG_FILE=/nonexistent.toml")
	f("cannot parse TOML", file("[http\nlisten="))
	f("http.read_timeout_sec: must be an integer, got the string \"abc\" (set in MERINO_HTTP__READ_TIMEOUT_SEC)", "MERINO_HTTP__READ_TIMEOUT_SEC=abc")
	f("runtime.query_timeout_sec: must be between 0.001 and 0.2, got 5", "MERINO_ENV=production", "MERINO_RUNTIME__QUERY_TIMEOUT_SEC=5")
	f("runtime.query_timeout_sec: must be a number", "MERINO_RUNTIME__QUERY_TIMEOUT_SEC=fast")
	f("web.api.v1.client_variant_max: must be between 0 and 50, got 51", "MERINO_WEB__API__V1__CLIENT_VARIANT_MAX=51")
	f("web.api.v1.query_character_max: must be between 6 and 500", "MERINO_WEB__API__V1__QUERY_CHARACTER_MAX=5")
	f("logging.level: must be DEBUG", "MERINO_LOGGING__LEVEL=LOUD")
	f("logging.format: must be mozlog or pretty", "MERINO_LOGGING__FORMAT=xml")
	f("logging.format: production requires mozlog", "MERINO_ENV=production", "MERINO_LOGGING__FORMAT=pretty")
	f("logging.log_query: must be true or false", "MERINO_LOGGING__LOG_QUERY=yes")
	f("logging.excluded_providers: item 0 must be a string", "MERINO_LOGGING__EXCLUDED_PROVIDERS=[1]")
	f("http.listen: \"nohost\" is not host:port", "MERINO_HTTP__LISTEN=nohost")
	f("http.admin_listen: must differ from http.listen", "MERINO_HTTP__ADMIN_LISTEN=127.0.0.1:8000")
	f("location.forwarded_allow_ips: \"10.0.0.300\" is neither", `MERINO_LOCATION__FORWARDED_ALLOW_IPS=["10.0.0.300"]`)
	f("location.client_ip_override: \"me\" is not an IP address", "MERINO_LOCATION__CLIENT_IP_OVERRIDE=me")
	f("providers.top_picks.type: unknown provider type \"sports\"", "MERINO_PROVIDERS__TOP_PICKS__TYPE=sports")
	f("providers.top_picks.score: must be between 0 and 1, got 1.5", "MERINO_PROVIDERS__TOP_PICKS__SCORE=1.5")
	f("providers.top_picks.top_picks_file_path: required", "MERINO_PROVIDERS__TOP_PICKS__TOP_PICKS_FILE_PATH=")
	f("providers.top_picks.firefox_char_limit: must not exceed query_char_limit (4), got 5", "MERINO_PROVIDERS__TOP_PICKS__FIREFOX_CHAR_LIMIT=5")
	f("providers.top_picks.query_timeout_sec: must be between", "MERINO_PROVIDERS__TOP_PICKS__QUERY_TIMEOUT_SEC=0")
	f("http.listne: unknown key", file("[http]\nlistne = \"x\""))
	f("providers.tp.top_pick_file_path: unknown key", file("[providers.tp]\ntype = \"top_picks\"\ntop_picks_file_path=\"a\"\ntop_pick_file_path = \"x\""))
	f("MERINO_HTTP: http is a table; set its keys instead", "MERINO_HTTP=1")
	f("MERINO_HTTP__LISTEN__PORT: http.listen is a value, not a table", "MERINO_HTTP__LISTEN__PORT=1")
	f("malformed variable name", "MERINO_HTTP____LISTEN=x")
}

func TestEffectiveMasksSecrets(t *testing.T) {
	c := load(t, "MERINO_ACCUWEATHER__API_KEY=hunter2", "MERINO_ENV=testing")
	out := strings.Join(c.Effective(), "\n")
	if strings.Contains(out, "hunter2") || !strings.Contains(out, `accuweather.api_key = "********"  # MERINO_ACCUWEATHER__API_KEY`) {
		t.Errorf("effective:\n%s", out)
	}
	if !strings.Contains(out, `http.listen = "127.0.0.1:0"  # configs/testing.toml`) {
		t.Errorf("origin missing:\n%s", out)
	}
}

func TestFlagsAndGeolocation(t *testing.T) {
	c := load(t, "MERINO_ENV=testing", "MERINO_FLAGS__ROLLOUT__ENABLED=0.25", "MERINO_PROVIDERS__GEO__TYPE=geolocation")
	if len(c.Flags) != 2 || c.Flags[0].Name != "rollout" || c.Flags[0].Enabled != 0.25 || c.Flags[0].Scheme != "session" ||
		c.Flags[1].Name != "search-term-submission" || c.Flags[1].Scheme != "random" {
		t.Errorf("flags: %+v", c.Flags)
	}
	g := kittest.Provider[*geolocation.Provider](t, kittest.Build(t, c), "geo")
	if g.URL != "https://merino.services.mozilla.com/" || g.Score != 0 {
		t.Errorf("geolocation: %+v", g.Settings)
	}
	for _, bad := range [][]string{
		{"MERINO_FLAGS__X__ENABLED=1.5"},
		{"MERINO_FLAGS__X__ENABLED=0.5", "MERINO_FLAGS__X__SCHEME=sometimes"},
	} {
		if _, err := Load(env(bad...)); err == nil || !strings.Contains(err.Error(), "flags.x.") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestManifestSection(t *testing.T) {
	c := load(t, "MERINO_MANIFEST__SOURCE=gs://bucket/top_picks_latest.json", "MERINO_MANIFEST__RESYNC_INTERVAL_SEC=60")
	m := c.ManifestSettings()
	if m.Source != "gs://bucket/top_picks_latest.json" || m.ResyncInterval != time.Minute {
		t.Errorf("%+v", m)
	}
	if _, err := Load(env("MERINO_MANIFEST__RESYNC_INTERVAL_SEC=0")); err == nil || !strings.Contains(err.Error(), "manifest.resync_interval_sec") {
		t.Errorf("got %v", err)
	}
}

func TestTypeDefaultTimeout(t *testing.T) {
	c := load(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__ACCUWEATHER__TYPE=accuweather")
	if d := providers(c)[0].QueryTimeout; d != 5*time.Second {
		t.Errorf("accuweather default timeout %v", d)
	}
	c = load(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__ACCUWEATHER__TYPE=accuweather", "MERINO_PROVIDERS__ACCUWEATHER__QUERY_TIMEOUT_SEC=1")
	if d := providers(c)[0].QueryTimeout; d != time.Second {
		t.Errorf("explicit timeout %v", d)
	}
}
