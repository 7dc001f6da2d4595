package amo_test

import (
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/suggest/amo"
	"github.com/mozilla-services/merino-go/suggest/kit"
	"github.com/mozilla-services/merino-go/suggest/kit/kittest"
)

func TestConfig(t *testing.T) {
	// merino-py disables amo by default: a provider named amo is not created.
	c := kittest.Load(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__AMO__TYPE=amo")
	if n := kit.Configured(c); len(n) != 0 {
		t.Errorf("the disabled amo provider was configured: %v", n[0].Path())
	}

	// Enabled under another id, with the defaults; [amo.dynamic] api_url is the default of the
	// provider's.
	b := kittest.Build(t, kittest.Load(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__ADDONS__TYPE=amo"))
	p := kittest.Provider[*amo.Provider](t, b, "addons")
	if p.Score != 0.25 || p.Backend != "static" || p.MinChars != 4 || p.APIURL != amo.DefaultAPIURL || p.ResyncInterval != 86400*time.Second {
		t.Errorf("defaults: %+v", p.Settings)
	}
	if len(b.Syncers) != 0 {
		t.Error("the static backend has nothing to refresh")
	}

	// Every key set.
	b = kittest.Build(t, kittest.Load(t, "MERINO_ENV=testing", "MERINO_RUNTIME__DISABLED_PROVIDERS=[]", "MERINO_PROVIDERS__AMO__TYPE=amo",
		"MERINO_PROVIDERS__AMO__BACKEND=dynamic", "MERINO_PROVIDERS__AMO__MIN_CHARS=3", "MERINO_PROVIDERS__AMO__SCORE=0.3",
		"MERINO_PROVIDERS__AMO__RESYNC_INTERVAL_SEC=60", "MERINO_AMO__DYNAMIC__API_URL=http://127.0.0.1:9/amo/"))
	p = kittest.Provider[*amo.Provider](t, b, "amo")
	if p.Backend != "dynamic" || p.MinChars != 3 || p.APIURL != "http://127.0.0.1:9/amo/" || p.ResyncInterval != time.Minute || p.Score != 0.3 {
		t.Errorf("set: %+v", p.Settings)
	}
	if len(b.Syncers) != 1 || b.Syncers[0].Name() != "amo" {
		t.Errorf("the dynamic backend has one syncer: %d", len(b.Syncers))
	}
	b = kittest.Build(t, kittest.Load(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__X__TYPE=amo", "MERINO_PROVIDERS__X__API_URL=https://a.test/api/",
		"MERINO_AMO__DYNAMIC__API_URL=http://127.0.0.1:9/amo/"))
	if got := kittest.Provider[*amo.Provider](t, b, "x").APIURL; got != "https://a.test/api/" {
		t.Errorf("provider api_url: %q", got)
	}

	f := kittest.Fails(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__X__TYPE=amo")
	f("providers.x.backend: must be static or dynamic", "MERINO_PROVIDERS__X__BACKEND=api")
	f("providers.x.min_chars", "MERINO_PROVIDERS__X__MIN_CHARS=-1")
	f("providers.x.api_url: must be an absolute http(s) URL", "MERINO_PROVIDERS__X__API_URL=addons.mozilla.org")
	f("providers.x.api_url: must be an absolute http(s) URL", "MERINO_PROVIDERS__X__API_URL=https://a.test/?x=1")
	f("amo.dynamic.api_url: must be an absolute http(s) URL", "MERINO_AMO__DYNAMIC__API_URL=ftp://a.test/")
	f("providers.x.resync_interval_sec", "MERINO_PROVIDERS__X__RESYNC_INTERVAL_SEC=0")
}
