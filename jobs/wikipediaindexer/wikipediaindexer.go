// Package wikipediaindexer is `merino job wikipedia-indexer copy-export` and `... index`,
// merino-py's weekly Airflow tasks for the Wikipedia suggestions (jobs.md §9).
//
// copy-export finds the newest complete CirrusSearch export of a wiki on Wikimedia's dumps
// site that is newer than the copy in the bucket, and streams its bzip2 shards, in order and
// without decompressing them, into one Cloud Storage object through a resumable upload: no
// local copy is made, and a failure anywhere cancels the upload, so no partial dump ever
// appears. index reads the newest copy from the bucket and builds merino-go's index of it
// with the builder `merino index wikipedia` uses (loaders/wikipedia.Build), written beside
// --out and renamed into place: a server whose wikipedia provider watches that directory
// swaps the new index in. merino-py's Elasticsearch flags are refused: there is no
// Elasticsearch.
package wikipediaindexer

import (
	"context"
	"flag"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mozilla-services/merino-go/gcs"
	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/loaders/wikipedia"
)

// common are the flags both subcommands share, with merino-py's names.
type common struct {
	language, gcsPath, gcpProject, gcsEndpoint string
	supported                                  []string
}

func (c *common) flags(fs *flag.FlagSet, d *jobs.Defaults, what string) {
	fs.StringVar(&c.language, "language", "en", what+" (one of suggest_supported_languages)")
	fs.StringVar(&c.gcsPath, "gcs-path", d.WikipediaIndexer.GCSPath, "the bucket, or bucket/prefix, holding the exports")
	fs.StringVar(&c.gcpProject, "gcp-project", d.WikipediaIndexer.GCPProject, "the GCP project of the bucket (informational: Cloud Storage needs none)")
	fs.StringVar(&c.gcsEndpoint, "gcs-endpoint", d.GCSEndpoint, "Cloud Storage JSON API endpoint (an emulator's; default Google's, with the run's credentials)")
	c.supported = d.SupportedLanguages
}

// check validates the shared flags before any request.
func (c *common) check() (bucket, prefix string, err error) {
	if !slices.Contains(c.supported, c.language) {
		return "", "", jobs.Usagef("--language: unsupported language %q. Must be one of: %s", c.language, strings.Join(c.supported, ", "))
	}
	bucket, prefix, _ = strings.Cut(strings.TrimPrefix(c.gcsPath, "gs://"), "/")
	prefix = strings.Trim(prefix, "/")
	if !validBucket(bucket) {
		return "", "", jobs.Usagef("--gcs-path: want a bucket or bucket/prefix, got %q", c.gcsPath)
	}
	return bucket, prefix, nil
}

var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$`)

func validBucket(b string) bool { return bucketName.MatchString(b) }

// dumpPattern matches the copies in the bucket: <prefix>/<lang>wiki-<YYYYMMDD>-cirrussearch-
// content.json.bz2 (merino-py's file_pattern; the old gzip layout is ignored).
func dumpPattern(lang string) *regexp.Regexp {
	return regexp.MustCompile(`(?:.*/|^)` + regexp.QuoteMeta(lang) + `wiki-(\d+)-cirrussearch-content\.json\.bz2$`)
}

// objectName is the name of the copy of an export made on date (YYYYMMDD).
func objectName(prefix, lang, date string) string {
	name := lang + "wiki-" + date + "-cirrussearch-content.json.bz2"
	if prefix == "" {
		return name // merino-py writes "/<name>" here, a leading-slash bug not kept
	}
	return prefix + "/" + name
}

// latestCopy returns the newest copy of lang's dump in the bucket (nil when none) and its
// date; a name whose date does not parse counts as the oldest, as in merino-py.
func latestCopy(ctx context.Context, c *gcs.Client, bucket, prefix, lang string) (*gcs.Object, time.Time, error) {
	objs, _, err := c.List(ctx, bucket, prefix, "")
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("cannot list the exports in gs://%s/%s: %w", bucket, prefix, err)
	}
	re := dumpPattern(lang)
	var best *gcs.Object
	var bestDate time.Time
	for i := range objs {
		m := re.FindStringSubmatch(objs[i].Name)
		if m == nil {
			continue
		}
		date, err := time.Parse("20060102", m[1])
		if err != nil {
			date = time.Time{}
		}
		if best == nil || !date.Before(bestDate) {
			best, bestDate = &objs[i], date
		}
	}
	return best, bestDate, nil
}

// SummaryLine is the line `merino index wikipedia` and `wikipedia-indexer index` print when
// an index is built.
func SummaryLine(lang string, sum wikipedia.Summary, out string) string {
	rate := float64(sum.Read) / sum.Elapsed.Seconds()
	return fmt.Sprintf("wikipedia %s: %d documents in, %d kept, %d blocked, %d other namespace, %d rejected, %d corrupt lines; %s (%.0f documents/s); index %s at %s",
		lang, sum.Read, sum.Kept, sum.Blocked, sum.OtherNamespace, sum.Rejected, sum.Corrupt,
		sum.Elapsed.Round(time.Millisecond), rate, FormatBytes(sum.IndexBytes), out)
}

// FormatBytes writes a size in binary units (the index summary's).
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
