package config

import (
	"strings"
	"testing"
	"time"
)

func TestADM(t *testing.T) {
	c := load(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__ADM__TYPE=adm")
	a := c.Providers[0].ADM()
	if c.Providers[0].Score != 0.31 || a.Backend != "mars" || a.ResyncInterval != time.Hour || !a.FuzzyEnabled || a.FuzzyMinSubstitutionLen != 7 {
		t.Errorf("defaults: score %v, %+v", c.Providers[0].Score, a)
	}
	m, rs := c.MARS(), c.RemoteSettings()
	if m.BaseURL != "https://ads.mozilla.org/v1/suggest/" || m.SuggestionURLPath != "data" || strings.Join(m.Countries, ",") != "US" ||
		strings.Join(m.FormFactors, ",") != "desktop" || m.ConnectTimeout != 5*time.Second || m.RequestTimeout != 10*time.Second {
		t.Errorf("mars defaults: %+v", m)
	}
	if rs.Server != "https://firefox.settings.services.mozilla.com/v1" || rs.Bucket != "main" || rs.Collection != "quicksuggest" {
		t.Errorf("remote_settings defaults: %+v", rs)
	}

	c = load(t, "MERINO_ENV=testing", "MERINO_PROVIDERS__ADM__TYPE=adm", "MERINO_PROVIDERS__ADM__BACKEND=file",
		"MERINO_PROVIDERS__ADM__FILE_PATH=data/amp.json", "MERINO_PROVIDERS__ADM__FUZZY__ENABLED=false",
		"MERINO_PROVIDERS__ADM__FUZZY__MIN_SUBSTITUTION_LEN=5", "MERINO_MARS__COUNTRIES=[\"US\",\"DE\"]", "MERINO_MARS__FORM_FACTORS=phone")
	a = c.Providers[0].ADM()
	if a.Backend != "file" || a.FilePath != "data/amp.json" || a.FuzzyEnabled || a.FuzzyMinSubstitutionLen != 5 {
		t.Errorf("overrides: %+v", a)
	}
	if m := c.MARS(); strings.Join(m.Countries, ",") != "US,DE" || strings.Join(m.FormFactors, ",") != "phone" {
		t.Errorf("mars overrides: %+v", m)
	}
}

func TestADMErrors(t *testing.T) {
	f := func(want string, vars ...string) {
		t.Helper()
		_, err := Load(env(append([]string{"MERINO_ENV=testing", "MERINO_PROVIDERS__ADM__TYPE=adm"}, vars...)...))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: err = %v, want %q", vars, err, want)
		}
	}
	f("providers.adm.backend: must be mars, remote_settings or file", "MERINO_PROVIDERS__ADM__BACKEND=rs")
	f("providers.adm.file_path: required by the file backend", "MERINO_PROVIDERS__ADM__BACKEND=file")
	f("mars.form_factors: must hold desktop or phone", "MERINO_MARS__FORM_FACTORS=tablet")
	f("mars.base_url: must be an absolute http(s) URL", "MERINO_MARS__BASE_URL=ads.mozilla.org")
	f("remote_settings.server: must be an absolute http(s) URL", "MERINO_REMOTE_SETTINGS__SERVER=/v1")
	f("providers.adm.fuzzy.enabled: must be true or false", "MERINO_PROVIDERS__ADM__FUZZY__ENABLED=1")
}
