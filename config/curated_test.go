package config

import (
	"strings"
	"testing"
	"time"
)

func TestCuratedDefaults(t *testing.T) {
	c := load(t, "MERINO_ENV=testing").CuratedSettings()
	want := Curated{Backend: "graphql", Endpoint: "https://client-api.getpocket.com", ClientName: "merino-py",
		ConnectTimeout: time.Second, RequestTimeout: 5 * time.Second, RetryCount: 3,
		RetryWaitInitial: 500 * time.Millisecond, RetryWaitJitter: time.Second,
		CacheTTLMin: 110 * time.Second, CacheTTLMax: 170 * time.Second, BreakerThreshold: 1, BreakerRecover: 30 * time.Second,
		Engagement: CuratedBlob{Interval: 30 * time.Second, MaxSize: 5_000_000},
		Prior:      CuratedBlob{Interval: 600 * time.Second, MaxSize: 1_000_000},
		Sampler:    "beta"}
	if *c != want {
		t.Errorf("got  %+v\nwant %+v", *c, want)
	}
	dev := load(t).CuratedSettings()
	if dev.Backend != "file" || dev.FileDir != "data/curated" || dev.Engagement.Source != "data/curated/engagement.json" || dev.Prior.Source != "data/curated/prior.json" {
		t.Errorf("development: %+v", dev)
	}
}

func TestCuratedKeys(t *testing.T) {
	c := load(t, "MERINO_ENV=testing",
		"MERINO_CURATED_RECOMMENDATIONS__CORPUS_API__ENDPOINT=http://127.0.0.1:9/graphql",
		"MERINO_CURATED_RECOMMENDATIONS__CORPUS_API__RETRY_WAIT_INITIAL_SECONDS=0.01",
		"MERINO_CURATED_RECOMMENDATIONS__CORPUS_API__CACHE_TTL_MIN=1",
		"MERINO_CURATED_RECOMMENDATIONS__CORPUS_API__CACHE_TTL_MAX=2",
		"MERINO_CURATED_RECOMMENDATIONS__RANKERS__THOMPSON_SAMPLING__SAMPLER=mean",
		"MERINO_CURATED_RECOMMENDATIONS__RANDOM_SEED=42",
		"MERINO_CURATED_RECOMMENDATIONS__GCS__BUCKET_NAME=merino-airflow-data-prod",
		"MERINO_CURATED_RECOMMENDATIONS__GCS__PRIOR__SOURCE=/tmp/prior.json",
	).CuratedSettings()
	if c.Endpoint != "http://127.0.0.1:9/graphql" || c.RetryWaitInitial != 10*time.Millisecond || c.CacheTTLMin != time.Second ||
		c.CacheTTLMax != 2*time.Second || c.Sampler != "mean" || c.RandomSeed != 42 {
		t.Errorf("%+v", c)
	}
	// merino-py's bucket and blob keys name a gs:// object; an explicit source wins.
	if c.Engagement.Source != "gs://merino-airflow-data-prod/newtab-merino-exports/engagement/latest.json" || c.Prior.Source != "/tmp/prior.json" {
		t.Errorf("sources %q %q", c.Engagement.Source, c.Prior.Source)
	}
	for _, bad := range []struct{ env, key string }{
		{"MERINO_CURATED_RECOMMENDATIONS__CORPUS_API__BACKEND=redis", "corpus_api.backend"},
		{"MERINO_CURATED_RECOMMENDATIONS__CORPUS_API__BACKEND=file", "corpus_api.file_dir"},
		{"MERINO_CURATED_RECOMMENDATIONS__CORPUS_API__ENDPOINT=client-api.getpocket.com", "corpus_api.endpoint"},
		{"MERINO_CURATED_RECOMMENDATIONS__CORPUS_API__CACHE_TTL_MIN=500", "corpus_api.cache_ttl_min"},
		{"MERINO_CURATED_RECOMMENDATIONS__RANKERS__THOMPSON_SAMPLING__SAMPLER=median", "thompson_sampling.sampler"},
		{"MERINO_CURATED_RECOMMENDATIONS__CORPUS_API__RETRY_COUNT=0", "corpus_api.retry_count"},
		{"MERINO_CURATED_RECOMMENDATIONS__RANDOM_SEED=-1", "random_seed"},
	} {
		if _, err := Load(env("MERINO_ENV=testing", bad.env)); err == nil || !strings.Contains(err.Error(), bad.key) {
			t.Errorf("%s: %v", bad.env, err)
		}
	}
}
