package adm_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/suggest/adm"
	"github.com/mozilla-services/merino-go/suggest/kit/kittest"
)

// The adm keys and the [mars] and [remote_settings] sections, with their defaults.
func TestConfig(t *testing.T) {
	c := kittest.Load(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__ADM__TYPE=adm")
	p := kittest.Provider[*adm.Provider](t, kittest.Build(t, c), "adm")
	if p.Score != 0.31 || p.Backend != "mars" || p.ResyncInterval != time.Hour || !p.Fuzzy || p.MinSubstitutionLen != 7 {
		t.Errorf("defaults: %+v", p.Settings)
	}
	m, rs := adm.MARSSettings(c), c.RemoteSettings()
	if m.BaseURL != "https://ads.mozilla.org/v1/suggest/" || m.SuggestionURLPath != "data" || strings.Join(m.Countries, ",") != "US" ||
		strings.Join(m.FormFactors, ",") != "desktop" || m.ConnectTimeout != 5*time.Second || m.RequestTimeout != 10*time.Second {
		t.Errorf("mars defaults: %+v", m)
	}
	if rs.Server != "https://firefox.settings.services.mozilla.com/v1" || rs.Bucket != "main" || rs.Collection != "quicksuggest" {
		t.Errorf("remote_settings defaults: %+v", rs)
	}

	c = kittest.Load(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__ADM__TYPE=adm", "MERINO_PROVIDERS__ADM__BACKEND=file",
		"MERINO_PROVIDERS__ADM__FILE_PATH=data/amp.json", "MERINO_PROVIDERS__ADM__FUZZY__ENABLED=false",
		"MERINO_PROVIDERS__ADM__FUZZY__MIN_SUBSTITUTION_LEN=5", "MERINO_MARS__COUNTRIES=[\"US\",\"DE\"]", "MERINO_MARS__FORM_FACTORS=phone")
	b := kittest.Build(t, c)
	p = kittest.Provider[*adm.Provider](t, b, "adm")
	if p.Backend != "file" || p.FilePath != "data/amp.json" || p.Fuzzy || p.MinSubstitutionLen != 5 {
		t.Errorf("overrides: %+v", p.Settings)
	}
	if m := adm.MARSSettings(c); strings.Join(m.Countries, ",") != "US,DE" || strings.Join(m.FormFactors, ",") != "phone" {
		t.Errorf("mars overrides: %+v", m)
	}
	if len(b.Syncers) != 1 || b.Syncers[0].Name() != "adm" {
		t.Errorf("the file backend has one syncer named for the provider: %d", len(b.Syncers))
	}

	// mars: one syncer per segment.
	c = kittest.Load(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__ADS__TYPE=adm", "MERINO_MARS__COUNTRIES=[\"US\",\"DE\",\"US\"]")
	var names []string
	for _, s := range kittest.Build(t, c).Syncers {
		names = append(names, s.Name())
	}
	if strings.Join(names, " ") != "ads/US/desktop ads/DE/desktop" {
		t.Errorf("mars syncers: %q", names)
	}
}

func TestConfigErrors(t *testing.T) {
	f := kittest.Fails(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__ADM__TYPE=adm")
	f("providers.adm.backend: must be mars, remote_settings or file", "MERINO_PROVIDERS__ADM__BACKEND=rs")
	f("providers.adm.file_path: required by the file backend", "MERINO_PROVIDERS__ADM__BACKEND=file")
	f("mars.form_factors: must hold desktop or phone", "MERINO_MARS__FORM_FACTORS=tablet")
	f("mars.base_url: must be an absolute http(s) URL", "MERINO_MARS__BASE_URL=ads.mozilla.org")
	f("remote_settings.server: must be an absolute http(s) URL", "MERINO_REMOTE_SETTINGS__SERVER=/v1")
	f("providers.adm.fuzzy.enabled: must be true or false", "MERINO_PROVIDERS__ADM__FUZZY__ENABLED=1")
}
