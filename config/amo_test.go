package config

import (
	"strings"
	"testing"
	"time"
)

func TestAMO(t *testing.T) {
	// merino-py disables amo by default: a provider named amo is not created.
	c := load(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__AMO__TYPE=amo")
	for _, p := range c.Providers {
		if p.ID == "amo" {
			t.Errorf("the disabled amo provider was created: %+v", p)
		}
	}
	if got := c.Sections["amo"]; got != AMOAPIURL {
		t.Errorf("[amo.dynamic] api_url: %v", got)
	}

	// Enabled under another id, with the defaults.
	c = load(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__ADDONS__TYPE=amo")
	if len(c.Providers) != 1 {
		t.Fatalf("providers: %+v", c.Providers)
	}
	p := c.Providers[0]
	want := AMO{Backend: "static", MinChars: 4, APIURL: AMOAPIURL, ResyncInterval: 86400 * time.Second}
	if p.ID != "addons" || p.Score != 0.25 || p.AMO() == nil || *p.AMO() != want {
		t.Errorf("defaults: %+v %+v", p, p.AMO())
	}
	if p.TopPicks() != nil {
		t.Error("an amo provider has top_picks settings")
	}

	// Every key set; merino-py's [amo.dynamic] api_url is the default of the provider's.
	c = load(t, "MERINO_ENV=testing", "MERINO_RUNTIME__DISABLED_PROVIDERS=[]", "MERINO_PROVIDERS__AMO__TYPE=amo",
		"MERINO_PROVIDERS__AMO__BACKEND=dynamic", "MERINO_PROVIDERS__AMO__MIN_CHARS=3", "MERINO_PROVIDERS__AMO__SCORE=0.3",
		"MERINO_PROVIDERS__AMO__RESYNC_INTERVAL_SEC=60", "MERINO_AMO__DYNAMIC__API_URL=http://127.0.0.1:9/amo/")
	want = AMO{Backend: "dynamic", MinChars: 3, APIURL: "http://127.0.0.1:9/amo/", ResyncInterval: time.Minute}
	if len(c.Providers) != 1 || *c.Providers[0].AMO() != want || c.Providers[0].Score != 0.3 {
		t.Errorf("set: %+v", c.Providers)
	}
	c = load(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__X__TYPE=amo", "MERINO_PROVIDERS__X__API_URL=https://a.test/api/",
		"MERINO_AMO__DYNAMIC__API_URL=http://127.0.0.1:9/amo/")
	if got := c.Providers[0].AMO().APIURL; got != "https://a.test/api/" {
		t.Errorf("provider api_url: %q", got)
	}

	f := func(want string, vars ...string) {
		t.Helper()
		_, err := Load(env(append([]string{"MERINO_ENV=testing", "MERINO_PROVIDERS__X__TYPE=amo"}, vars...)...))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", vars, err, want)
		}
	}
	f("providers.x.backend: must be static or dynamic", "MERINO_PROVIDERS__X__BACKEND=api")
	f("providers.x.min_chars", "MERINO_PROVIDERS__X__MIN_CHARS=-1")
	f("providers.x.api_url: must be an absolute http(s) URL", "MERINO_PROVIDERS__X__API_URL=addons.mozilla.org")
	f("providers.x.api_url: must be an absolute http(s) URL", "MERINO_PROVIDERS__X__API_URL=https://a.test/?x=1")
	f("amo.dynamic.api_url: must be an absolute http(s) URL", "MERINO_AMO__DYNAMIC__API_URL=ftp://a.test/")
	f("providers.x.resync_interval_sec", "MERINO_PROVIDERS__X__RESYNC_INTERVAL_SEC=0")
}
