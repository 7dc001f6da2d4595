package main

import (
	"fmt"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/geolocation"
)

func init() {
	constructors["geolocation"] = func(pc config.Provider, _ *wiring) (suggest.Provider, []*loaders.Syncer, error) {
		g := pc.Settings.(*config.Geolocation)
		u, err := httpurl.Normalize(g.URL)
		if err != nil {
			return nil, nil, fmt.Errorf("providers.%s.dummy_url: %w", pc.ID, err)
		}
		return geolocation.New(geolocation.Settings{
			ID: pc.ID, EnabledByDefault: pc.EnabledByDefault, Timeout: pc.QueryTimeout, URL: u, Title: g.Title,
		}), nil, nil
	}
}
