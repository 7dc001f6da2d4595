package main

import (
	"fmt"
	"log/slog"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/index/domains"
	"github.com/mozilla-services/merino-go/loaders"
	ltoppicks "github.com/mozilla-services/merino-go/loaders/toppicks"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/toppicks"
)

// newProvider creates one configured provider and, for providers that load data, the syncer
// that keeps it fresh.
func newProvider(pc config.Provider, log *slog.Logger) (suggest.Provider, *loaders.Syncer, error) {
	switch pc.Type {
	case "top_picks":
		tp := pc.TopPicks
		p := toppicks.New(toppicks.Settings{
			ID:               pc.ID,
			Score:            pc.Score,
			EnabledByDefault: pc.EnabledByDefault,
			Timeout:          pc.QueryTimeout,
		})
		src, err := loaders.NewSource(tp.FilePath, loaders.HTTPOptions{})
		if err != nil {
			return nil, nil, fmt.Errorf("providers.%s.top_picks_file_path: %w", pc.ID, err)
		}
		plog := log.With("provider", pc.ID)
		apply := ltoppicks.Loader(p, ltoppicks.Options{
			Index:     domains.Options{QueryCharLimit: tp.QueryCharLimit, FirefoxCharLimit: tp.FirefoxCharLimit},
			Blocklist: tp.DomainBlocklist,
		}, plog)
		return p, loaders.NewSyncer(pc.ID, src, tp.ResyncInterval, apply, plog), nil
	default:
		// config.Load rejects unknown types; reaching this is a bug.
		return nil, nil, fmt.Errorf("BUG: providers.%s.type: no constructor for %q", pc.ID, pc.Type)
	}
}
