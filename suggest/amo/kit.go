package amo

import (
	"fmt"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

// apiURL is merino-py's own section for the API URL, [amo.dynamic] api_url
// (MERINO_AMO__DYNAMIC__API_URL): read whether or not an amo provider is enabled, and the
// default of a provider's api_url.
var apiURL = config.NewSection("amo", func(t *config.Table) string {
	u := t.Str("dynamic.api_url", DefaultAPIURL)
	if !config.IsHTTPURL(u) && !t.Failed() {
		t.Fail("dynamic.api_url", "must be an absolute http(s) URL without query or fragment, got %q", u)
	}
	return u
})

// APIURL is c's amo.dynamic.api_url (the amo uploader job's default too).
func APIURL(c *config.Config) string { return apiURL.Get(c) }

func init() {
	kit.Register(kit.Type[Settings]{
		Name:  "amo",
		Score: 0.25,
		Read: func(t *kit.Table, s *Settings) {
			s.Backend = t.Str("backend", "static")
			s.MinChars = t.Int("min_chars", 4, 0, 1024)
			s.APIURL = t.Str("api_url", "")
			s.ResyncInterval = t.Seconds("resync_interval_sec", 86400)
			switch {
			case t.Failed():
			case s.Backend != "static" && s.Backend != "dynamic":
				t.Fail("backend", "must be static or dynamic, got %q", s.Backend)
			case s.APIURL != "" && !config.IsHTTPURL(s.APIURL):
				t.Fail("api_url", "must be an absolute http(s) URL without query or fragment, got %q", s.APIURL)
			}
		},
		New: func(s *Settings, env *kit.Env) (suggest.Provider, error) {
			if s.APIURL == "" {
				s.APIURL = apiURL.Get(env.Config)
			}
			p, err := New(*s, Addons)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", env.Path(""), err)
			}
			if s.Backend == "static" {
				// merino-py's static backend: fixed icons and ratings, nothing to refresh.
				p.Merge(StaticDetails(Addons))
				return p, nil
			}
			slugs := make([]string, len(Addons))
			for i, a := range Addons {
				slugs[i] = a.Slug
			}
			log := env.Log()
			src, err := NewSource(s.APIURL, slugs, loaders.HTTPOptions{}, log)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", env.Path("api_url"), err)
			}
			env.Sync(env.Name(), src, s.ResyncInterval, Loader(p, log), log)
			return p, nil
		},
	})
}
