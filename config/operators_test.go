package config_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/suggest/adm"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

// MERINO_ENV=stage is merino-py's stage: production's shape, MARS's stage host, top_picks
// configured (off by default), geolocation configured (off by default).
func TestStageEnvironment(t *testing.T) {
	c := load(t, "MERINO_ENV=stage")
	if c.Env != "stage" || c.HTTP.Listen != "0.0.0.0:8000" || c.Logging.Format != "mozlog" {
		t.Errorf("stage: %+v %+v", c.HTTP, c.Logging)
	}
	if got := adm.MARSSettings(c).BaseURL; got != "https://ads.allizom.org/v1/suggest/" {
		t.Errorf("mars.base_url = %q", got)
	}
	var ids []string
	for _, p := range providers(c) {
		ids = append(ids, p.Name)
		if p.Name == "geolocation" || p.Name == "top_picks" {
			if p.EnabledByDefault {
				t.Errorf("%s is enabled by default", p.Name)
			}
		}
	}
	if strings.Join(ids, ",") != "adm,geolocation,top_picks,wikipedia" {
		t.Errorf("providers: %v", ids)
	}
	// merino-py bounds no query timeout in stage.
	if c := load(t, "MERINO_ENV=stage", "MERINO_RUNTIME__QUERY_TIMEOUT_SEC=1.5"); c.Runtime.QueryTimeout != 1500*time.Millisecond {
		t.Errorf("stage timeout: %v", c.Runtime.QueryTimeout)
	}
	for _, env := range []string{"production", "stage"} {
		var found bool
		for _, n := range kit.Configured(load(t, "MERINO_ENV="+env)) {
			found = found || (n.ID() == "geolocation" && n.Type() == "geolocation" && !n.Base().EnabledByDefault)
		}
		if !found {
			t.Errorf("%s: no geolocation provider (disabled by default)", env)
		}
	}
	if _, err := Load(env("MERINO_ENV=staging")); err == nil || !strings.Contains(err.Error(), "stage") {
		t.Errorf("unknown environment: %v", err)
	}
}

// uvicorn's FORWARDED_ALLOW_IPS is honoured when MERINO_LOCATION__FORWARDED_ALLOW_IPS is not
// set, over the files' value.
func TestUvicornForwardedAllowIPs(t *testing.T) {
	f := func(want string, vars ...string) {
		t.Helper()
		c := load(t, vars...)
		if got := strings.Join(c.Location.ForwardedAllowIPs, "|"); got != want {
			t.Errorf("%q: %q, want %q", vars, got, want)
		}
	}
	f("127.0.0.1")
	f("*", "FORWARDED_ALLOW_IPS=*")
	f("10.0.0.0/8|192.168.1.1", "FORWARDED_ALLOW_IPS= 10.0.0.0/8 ,192.168.1.1,")
	f("", "FORWARDED_ALLOW_IPS=")
	f("172.16.0.1", "FORWARDED_ALLOW_IPS=*", `MERINO_LOCATION__FORWARDED_ALLOW_IPS=["172.16.0.1"]`)
	c := load(t, "FORWARDED_ALLOW_IPS=*")
	found := false
	for _, l := range c.Effective() {
		found = found || l == `location.forwarded_allow_ips = ["*"]  # FORWARDED_ALLOW_IPS`
	}
	if !found {
		t.Errorf("check-config does not say where the value came from: %q", c.Effective())
	}
	if _, err := Load(env("FORWARDED_ALLOW_IPS=not-an-ip")); err == nil || !strings.Contains(err.Error(), "location.forwarded_allow_ips") {
		t.Errorf("a bad entry: %v", err)
	}
}

// The keys of issue 17 have their defaults and bounds.
func TestHardeningKeys(t *testing.T) {
	c := load(t, "MERINO_ENV=production")
	h := c.HTTP
	if h.ShutdownDelay != 5*time.Second || h.MaxConnections != 0 || h.MaxConnectionsPerIP != 0 || h.AdminMaxConnections != 16 ||
		h.AdminToken != "" || h.ReusePort || h.PublicHost != "" {
		t.Errorf("production http: %+v", h)
	}
	if l := c.SourceLimits(); l.MARS != 48<<20 || l.TopPicks != 16<<20 || l.Manifest != 16<<20 || l.RemoteSettings != 48<<20 {
		t.Errorf("sources: %+v", l)
	}
	if d := load(t).HTTP.ShutdownDelay; d != 0 {
		t.Errorf("development drain delay: %v", d)
	}
	for _, bad := range []string{"MERINO_HTTP__ADMIN_MAX_CONNECTIONS=0", "MERINO_SOURCES__MARS_MAX_MB=0", "MERINO_HTTP__SHUTDOWN_DELAY_SEC=-1"} {
		if _, err := Load(env(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
