package main

import (
	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/loaders"
	lwikipedia "github.com/mozilla-services/merino-go/loaders/wikipedia"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/breaker"
	"github.com/mozilla-services/merino-go/suggest/wikipedia"
)

func init() {
	constructors["wikipedia"] = func(pc config.Provider, w *wiring) (suggest.Provider, []*loaders.Syncer, error) {
		wc := pc.Wikipedia()
		p := wikipedia.New(wikipedia.Settings{
			ID:               pc.ID,
			Score:            pc.Score,
			EnabledByDefault: pc.EnabledByDefault,
			Timeout:          pc.QueryTimeout,
			Languages:        wc.Languages,
			MaxSuggestions:   wc.MaxSuggestions,
			TitleBlocklist:   wc.TitleBlocklist,
			Fallback:         wc.Fallback,
			FailureThreshold: wc.CircuitBreakerFailureThreshold,
			RecoverTimeout:   wc.CircuitBreakerRecoverTimeout,
		})
		// One syncer per language: each watches <index_dir>/<lang>wiki/meta.json and swaps a
		// newly built index in (hot reload); a missing one is logged once and serves nothing.
		var syncers []*loaders.Syncer
		for _, lang := range wc.Languages {
			dir := lwikipedia.IndexDir(wc.IndexDir, lang)
			log := w.log.With("provider", pc.ID, "lang", lang)
			src := lwikipedia.NewIndexSource(dir, log)
			syncers = append(syncers, loaders.NewSyncer(pc.ID+"-"+lang, src, wc.ResyncInterval, lwikipedia.Loader(p, lang, dir), log))
		}
		b := breaker.New(wc.CircuitBreakerFailureThreshold, wc.CircuitBreakerRecoverTimeout, nil)
		return breaker.Wrap(p, b, nil), syncers, nil
	}
}
