package main

import (
	"fmt"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/index/domains"
	"github.com/mozilla-services/merino-go/loaders"
	ltoppicks "github.com/mozilla-services/merino-go/loaders/toppicks"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/toppicks"
)

func init() {
	constructors["top_picks"] = func(pc config.Provider, w *wiring) (suggest.Provider, []*loaders.Syncer, error) {
		tp := pc.TopPicks()
		p := toppicks.New(toppicks.Settings{
			ID:               pc.ID,
			Score:            pc.Score,
			EnabledByDefault: pc.EnabledByDefault,
			Timeout:          pc.QueryTimeout,
		})
		src, err := loaders.NewSource(tp.FilePath, loaders.HTTPOptions{MaxBytes: w.cfg.SourceLimits().TopPicks})
		if err != nil {
			return nil, nil, fmt.Errorf("providers.%s.top_picks_file_path: %w", pc.ID, err)
		}
		log := w.log.With("provider", pc.ID)
		apply := ltoppicks.Loader(p, ltoppicks.Options{
			Index:     domains.Options{QueryCharLimit: tp.QueryCharLimit, FirefoxCharLimit: tp.FirefoxCharLimit},
			Blocklist: tp.DomainBlocklist,
		}, log)
		return p, []*loaders.Syncer{loaders.NewSyncer(pc.ID, src, tp.ResyncInterval, apply, log)}, nil
	}
}
