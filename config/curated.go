package config

import (
	"strings"
	"time"
)

// Curated configures New Tab's curated recommendations ([curated_recommendations]): merino-py's
// keys and defaults, plus merino-go's own (endpoint, backend, file_dir, client_name, the
// timeouts, the engagement and prior sources, the sampler and the seed).
type Curated struct {
	// Backend is "graphql" (the curated-corpus API at Endpoint) or "file" (recorded responses in
	// FileDir).
	Backend, Endpoint, FileDir string
	// ClientName is the apollographql-client-name header (merino-py's dashboards key on it).
	ClientName                        string
	ConnectTimeout, RequestTimeout    time.Duration
	RetryCount                        int
	RetryWaitInitial, RetryWaitJitter time.Duration
	CacheTTLMin, CacheTTLMax          time.Duration
	BreakerThreshold                  int
	BreakerRecover                    time.Duration

	// Engagement and Prior are the two data sets' loaders.Source specs ("" = none).
	Engagement, Prior CuratedBlob

	// Sampler is "beta" or "mean" (rankers.thompson_sampling.sampler); RandomSeed seeds the
	// discrete draws (0 = unseeded).
	Sampler    string
	RandomSeed uint64
}

// CuratedBlob is one data set: where it is read from, how often, how large it may be.
type CuratedBlob struct {
	Source   string
	Interval time.Duration
	MaxSize  int
}

func init() {
	sections["curated_recommendations"] = func(tr *tableReader) any {
		c := &Curated{
			Backend:          tr.Str("corpus_api.backend", "graphql"),
			Endpoint:         tr.Str("corpus_api.endpoint", "https://client-api.getpocket.com"),
			FileDir:          tr.Str("corpus_api.file_dir", ""),
			ClientName:       tr.Str("corpus_api.client_name", "merino-py"),
			ConnectTimeout:   floatSeconds(tr, "corpus_api.connect_timeout_sec", 1.0, 600),
			RequestTimeout:   floatSeconds(tr, "corpus_api.request_timeout_sec", 5.0, 600),
			RetryCount:       tr.Int("corpus_api.retry_count", 3, 1, 100),
			RetryWaitInitial: tr.FloatSeconds("corpus_api.retry_wait_initial_seconds", 0.5, 0, 600),
			RetryWaitJitter:  tr.FloatSeconds("corpus_api.retry_wait_jitter_seconds", 1.0, 0, 600),
			CacheTTLMin:      tr.FloatSeconds("corpus_api.cache_ttl_min", 110, 0.001, 86400),
			CacheTTLMax:      tr.FloatSeconds("corpus_api.cache_ttl_max", 170, 0.001, 86400),
			BreakerThreshold: tr.Int("corpus_api.circuit_breaker_failure_threshold", 1, 1, 1<<31-1),
			BreakerRecover:   floatSeconds(tr, "corpus_api.circuit_breaker_recover_timeout_sec", 30, 86400),
			Sampler:          tr.Str("rankers.thompson_sampling.sampler", "beta"),
			RandomSeed:       uint64(tr.Int("random_seed", 0, 0, 1<<62)),
		}
		// merino-py's testing knob: read so that deployments carrying it start, not used.
		_ = tr.Int("rankers.thompson_sampling.test_repeat_count", 1, 0, 1<<20)
		bucket := tr.Str("gcs.bucket_name", "")
		_ = tr.Str("gcs.gcp_project", "")
		blob := func(name, defBlob string, defMax, defInterval int64) CuratedBlob {
			b := CuratedBlob{
				Source:   tr.Str("gcs."+name+".source", ""),
				MaxSize:  tr.Int("gcs."+name+".max_size", defMax, 1, 1<<40),
				Interval: tr.Seconds("gcs."+name+".cron_interval_seconds", defInterval),
			}
			blobName := tr.Str("gcs."+name+".blob_name", defBlob)
			if b.Source == "" && bucket != "" {
				// merino-py's bucket and blob keys name a Cloud Storage object.
				b.Source = "gs://" + bucket + "/" + blobName
			}
			return b
		}
		c.Engagement = blob("engagement", "newtab-merino-exports/engagement/latest.json", 5_000_000, 30)
		c.Prior = blob("prior", "newtab-merino-exports/priors/latest.json", 1_000_000, 600)
		_ = blob("local_model", "newtab-merino-exports/local_model/latest.json", 10_000, 600) // defined, unused (as in merino-py)

		switch {
		case tr.Failed():
		case c.Backend != "graphql" && c.Backend != "file":
			tr.Fail("corpus_api.backend", "must be graphql or file, got %q", c.Backend)
		case c.Backend == "file" && c.FileDir == "":
			tr.Fail("corpus_api.file_dir", "must name a directory when corpus_api.backend is file")
		case c.Backend == "graphql" && !strings.HasPrefix(c.Endpoint, "http://") && !strings.HasPrefix(c.Endpoint, "https://"):
			tr.Fail("corpus_api.endpoint", "must be an http:// or https:// URL, got %q", c.Endpoint)
		case c.CacheTTLMin > c.CacheTTLMax:
			tr.Fail("corpus_api.cache_ttl_min", "must not exceed cache_ttl_max (%v > %v)", c.CacheTTLMin.Seconds(), c.CacheTTLMax.Seconds())
		case c.Sampler != "beta" && c.Sampler != "mean":
			tr.Fail("rankers.thompson_sampling.sampler", "must be beta or mean, got %q", c.Sampler)
		}
		return c
	}
}

// CuratedSettings returns the [curated_recommendations] section.
func (c *Config) CuratedSettings() *Curated {
	s, _ := c.Sections["curated_recommendations"].(*Curated)
	return s
}
