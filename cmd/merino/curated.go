package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/curated"
	"github.com/mozilla-services/merino-go/curated/corpus"
	"github.com/mozilla-services/merino-go/curated/engagement"
	"github.com/mozilla-services/merino-go/curated/sampler"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/manifest"
)

// newCurated wires New Tab's curated recommendations: the corpus client (GraphQL or recorded
// files), the engagement and prior syncers, and the sampler. icons is the favicon manifest
// (nil: no icons).
func newCurated(cfg *config.Config, icons *manifest.Holder, log *slog.Logger) (*curated.Provider, []*loaders.Syncer, error) {
	c := cfg.CuratedSettings()
	if c == nil {
		return nil, nil, nil
	}
	s, err := sampler.New(c.Sampler, c.RandomSeed)
	if err != nil {
		return nil, nil, fmt.Errorf("curated_recommendations.rankers.thompson_sampling.sampler: %w", err)
	}
	var transport corpus.Transport
	switch c.Backend {
	case "file":
		transport = corpus.Files{Dir: c.FileDir}
	default:
		transport = corpus.NewGraphQL(c.Endpoint, c.ClientName, versionCommit(cfg.VersionFile), c.ConnectTimeout, c.RequestTimeout)
	}
	clog := log.With("logger", "merino.curated_recommendations")
	var ic corpus.Icons
	if icons != nil {
		ic = icons
	}
	client := corpus.NewClient(corpus.Options{
		Transport: transport, Icons: ic,
		RetryCount: c.RetryCount, RetryInitial: c.RetryWaitInitial, RetryJitter: c.RetryWaitJitter,
		BreakerThreshold: c.BreakerThreshold, BreakerRecover: c.BreakerRecover,
		Sampler: s, Log: clog,
	})
	opts := curated.Options{Client: client, TTLMin: c.CacheTTLMin, TTLMax: c.CacheTTLMax,
		Engagement: &engagement.Holder{MaxSize: c.Engagement.MaxSize}, Sampler: s, Log: clog}
	var syncers []*loaders.Syncer
	if c.Engagement.Source != "" {
		src, err := loaders.NewSource(c.Engagement.Source, loaders.HTTPOptions{})
		if err != nil {
			return nil, nil, fmt.Errorf("curated_recommendations.gcs.engagement.source: %w", err)
		}
		syncers = append(syncers, loaders.NewSyncer("curated_engagement", src, c.Engagement.Interval, opts.Engagement.Apply, log))
	}
	if c.Prior.Source != "" {
		src, err := loaders.NewSource(c.Prior.Source, loaders.HTTPOptions{})
		if err != nil {
			return nil, nil, fmt.Errorf("curated_recommendations.gcs.prior.source: %w", err)
		}
		opts.Priors = &engagement.PriorHolder{MaxSize: c.Prior.MaxSize}
		syncers = append(syncers, loaders.NewSyncer("curated_prior", src, c.Prior.Interval, opts.Priors.Apply, log))
	}
	return curated.New(opts), syncers, nil
}

// versionCommit is the commit of the Dockerflow version file, sent as
// apollographql-client-version ("" when the file is missing).
func versionCommit(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var v struct {
		Commit string `json:"commit"`
	}
	_ = json.Unmarshal(data, &v)
	return v.Commit
}
