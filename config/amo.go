package config

import (
	"net/url"
	"time"
)

// AMO configures an amo provider (add-on suggestions).
type AMO struct {
	// Backend is "static" (merino-py's hard-coded icons and ratings) or "dynamic" (icons and
	// ratings refreshed from the AMO API every ResyncInterval).
	Backend  string
	MinChars int
	// APIURL is the AMO add-on detail endpoint; each add-on's slug is appended to it.
	APIURL         string
	ResyncInterval time.Duration
}

// AMOAPIURL is merino-py's amo.dynamic.api_url.
const AMOAPIURL = "https://addons.mozilla.org/api/v5/addons/addon/"

// AMO returns the settings of an amo provider (nil for another type).
func (p *Provider) AMO() *AMO {
	a, _ := p.Settings.(*AMO)
	return a
}

func init() {
	// merino-py keeps the API URL in its own section, [amo.dynamic] api_url
	// (MERINO_AMO__DYNAMIC__API_URL); it is read here so that it is a known key whether or not
	// an amo provider is enabled, and it is the default of a provider's api_url.
	sections["amo"] = func(tr *tableReader) any {
		u := tr.Str("dynamic.api_url", AMOAPIURL)
		if !isHTTPURL(u) && !tr.Failed() {
			tr.Fail("dynamic.api_url", "must be an absolute http(s) URL without query or fragment, got %q", u)
		}
		return u
	}
	providerTypes["amo"] = func(pr *tableReader) (float64, any) {
		section := &Table{r: pr.r, base: "amo", c: pr.c}
		a := &AMO{
			Backend:        pr.Str("backend", "static"),
			MinChars:       pr.Int("min_chars", 4, 0, 1024),
			APIURL:         pr.Str("api_url", section.Str("dynamic.api_url", AMOAPIURL)),
			ResyncInterval: pr.Seconds("resync_interval_sec", 86400),
		}
		switch {
		case pr.Failed():
		case a.Backend != "static" && a.Backend != "dynamic":
			pr.Fail("backend", "must be static or dynamic, got %q", a.Backend)
		case !isHTTPURL(a.APIURL):
			pr.Fail("api_url", "must be an absolute http(s) URL without query or fragment, got %q", a.APIURL)
		}
		return 0.25, a
	}
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https") && u.RawQuery == "" && u.Fragment == ""
}
