package main

import (
	"fmt"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/loaders"
	lamo "github.com/mozilla-services/merino-go/loaders/amo"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/amo"
)

func init() {
	constructors["amo"] = func(pc config.Provider, w *wiring) (suggest.Provider, []*loaders.Syncer, error) {
		ac := pc.AMO()
		p, err := amo.New(amo.Settings{
			ID:               pc.ID,
			Score:            pc.Score,
			EnabledByDefault: pc.EnabledByDefault,
			Timeout:          pc.QueryTimeout,
			MinChars:         ac.MinChars,
		}, amo.Addons)
		if err != nil {
			return nil, nil, fmt.Errorf("providers.%s: %w", pc.ID, err)
		}
		if ac.Backend == "static" {
			// merino-py's static backend: fixed icons and ratings, nothing to refresh.
			p.Merge(amo.StaticDetails(amo.Addons))
			return p, nil, nil
		}
		slugs := make([]string, len(amo.Addons))
		for i, a := range amo.Addons {
			slugs[i] = a.Slug
		}
		log := w.log.With("provider", pc.ID)
		src, err := lamo.NewSource(ac.APIURL, slugs, loaders.HTTPOptions{}, log)
		if err != nil {
			return nil, nil, fmt.Errorf("providers.%s.api_url: %w", pc.ID, err)
		}
		return p, []*loaders.Syncer{loaders.NewSyncer(pc.ID, src, ac.ResyncInterval, lamo.Loader(p, log), log)}, nil
	}
}
