// Package navsuggestions is `merino job navigational-suggestions prepare-domain-metadata`,
// merino-py's weekly Airflow task that builds the top picks manifest (top_picks_latest.json)
// merino-go's top_picks provider and /api/v1/manifest serve (jobs.md §8).
//
// The domain list comes from BigQuery (its REST API; --bigquery-endpoint for a fake) or
// --domains-file, with merino-py's curated custom domains appended. Each domain is then
// worked out on its own, concurrently: skipped when blocklisted; given its hand-picked
// favicon when it has one; else its home page is fetched (https://<domain>, then
// https://www.<domain>), checked to still belong to the domain after redirects and not to be a
// bot wall, and its title and favicon taken: candidates from <link> and <meta> icons,
// /apple-touch-icon.png, /favicon.ico and the web app manifest, an SVG first, else the best
// bitmap at least --min-favicon-width wide, measured from its header (imagesize). A domain's
// failure is its error reason, never the run's. The chosen favicons are uploaded under their
// content hash (so "upload if absent" is right for all of them), then the manifest, the errors
// file and their dated copies, and the Airflow XCom with the diff against the previous
// manifest. A manifest that cannot be uploaded fails the run (merino-py logs and carries on).
//
// --connect-to HOST:PORT sends every fetch to one address, keeping the URL's host for Host
// and TLS: the tests' fake web (webtest) plays every site. --output-dir (and --local, which
// also takes merino-py's local sample of custom domains) writes to a directory instead of a
// bucket.
package navsuggestions

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/mozilla-services/merino-go/gcs"
	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jobs/bigquery"
	"github.com/mozilla-services/merino-go/jobs/domaincategories"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/suggest/toppicks"
)

// Job is `merino job navigational-suggestions prepare-domain-metadata`.
var Job = &jobs.Job{
	Command:    "navigational-suggestions",
	Subcommand: "prepare-domain-metadata",
	Help:       "build the top picks manifest: each top domain's title and favicon, published to Cloud Storage",
	Setup: func(fs *flag.FlagSet, d *jobs.Defaults) func(context.Context, *jobs.Env) error {
		n := d.NavSuggestions
		// The cache control is set on every favicon (merino-py sets it on custom ones only).
		o := &options{env: d.Env, cacheControl: n.CacheControl}
		fs.StringVar(&o.srcProject, "src-gcp-project", n.SourceGCPProject, "the GCP project BigQuery's domain query runs in")
		fs.StringVar(&o.dstProject, "dst-gcp-project", n.DestinationGCPProject, "the GCP project of the bucket (informational: Cloud Storage needs none)")
		fs.StringVar(&o.bucket, "dst-gcs-bucket", n.DestinationGCSBucket, "the bucket the favicons and manifests are written to")
		fs.StringVar(&o.cdn, "dst-cdn-hostname", n.DestinationCDNHostname, "the CDN hostname serving the bucket (favicon URLs)")
		fs.BoolVar(&o.force, "force-upload", n.ForceUpload, "upload favicons even when the bucket has them")
		fs.BoolVar(&o.writeXCom, "write-xcom", false, "write the Airflow XCom (--xcom-path)")
		fs.IntVar(&o.minWidth, "min-favicon-width", n.MinFaviconWidth, "the narrowest favicon taken, in pixels")
		fs.BoolVar(&o.local, "local", false, "local mode: --sample-size custom domains, output to --metrics-dir (or --output-dir), no Cloud Storage")
		fs.IntVar(&o.sampleSize, "sample-size", 20, "local mode: how many custom domains")
		fs.StringVar(&o.metricsDir, "metrics-dir", "./local_data", "local mode: the output directory")
		fs.BoolVar(&o.monitor, "monitor", false, "log memory and goroutines every 25 domains")
		fs.StringVar(&o.domainsFile, "domains-file", "", "the domain list instead of BigQuery: a JSON array or JSON lines of rows (bq query --format=json), or one domain a line")
		fs.StringVar(&o.customDomains, "custom-domains", "", `a file of custom domains, one a line, instead of merino-py's; "none" for none`)
		fs.StringVar(&o.bigqueryEndpoint, "bigquery-endpoint", "", "BigQuery's API endpoint (a fake's; default Google's, with the run's credentials)")
		fs.StringVar(&o.gcsEndpoint, "gcs-endpoint", d.GCSEndpoint, "Cloud Storage JSON API endpoint (an emulator's; default Google's, with the run's credentials)")
		fs.StringVar(&o.connectTo, "connect-to", "", "HOST:PORT every site is fetched from (keeping the URL's host for Host and TLS)")
		fs.StringVar(&o.xcomPath, "xcom-path", "/airflow/xcom/return.json", "where --write-xcom writes")
		fs.StringVar(&o.outputDir, "output-dir", "", "write the favicons and manifests to this directory instead of Cloud Storage")
		fs.IntVar(&o.concurrency, "concurrency", 25, "domains worked on at once (merino-py's chunk size)")
		fs.DurationVar(&o.timeout, "timeout", defaultTimeout, "the time one request to a site may take; a domain gets six")
		return o.run
	},
}

type options struct {
	env                                 string
	srcProject, dstProject, bucket, cdn string
	force, writeXCom, local, monitor    bool
	minWidth, sampleSize, concurrency   int
	metricsDir, domainsFile             string
	customDomains, bigqueryEndpoint     string
	gcsEndpoint, connectTo, xcomPath    string
	outputDir, cacheControl             string
	timeout                             time.Duration
}

// check rejects bad flags before any request.
func (o *options) check() error {
	switch {
	case o.minWidth < 0:
		return jobs.Usagef("--min-favicon-width must not be negative, got %d", o.minWidth)
	case o.concurrency < 1 || o.concurrency > 1000:
		return jobs.Usagef("--concurrency must be between 1 and 1000, got %d", o.concurrency)
	case o.timeout <= 0:
		return jobs.Usagef("--timeout must be positive, got %s", o.timeout)
	case o.sampleSize < 1:
		return jobs.Usagef("--sample-size must be positive, got %d", o.sampleSize)
	}
	if o.connectTo != "" {
		host, port, err := net.SplitHostPort(o.connectTo)
		if err != nil || host == "" || port == "" {
			return jobs.Usagef("--connect-to: want HOST:PORT, got %q", o.connectTo)
		}
	}
	if o.local && o.outputDir == "" {
		o.outputDir = o.metricsDir
	}
	if o.outputDir == "" && o.bucket == "" {
		return jobs.Usagef("--dst-gcs-bucket must be given (or --output-dir for a local run)")
	}
	if !o.local && o.domainsFile == "" && o.srcProject == "" {
		return jobs.Usagef("--src-gcp-project must be given for BigQuery's domain list (or --domains-file)")
	}
	return nil
}

func (o *options) run(ctx context.Context, env *jobs.Env) error {
	if err := o.check(); err != nil {
		return err
	}
	log := env.Logger("merino.jobs.navigational_suggestions")
	mapping, err := domaincategories.ForEnv(o.env)
	if err != nil {
		return err
	}
	custom := CustomDomains()
	switch o.customDomains {
	case "":
	case "none":
		custom = nil
	default:
		data, err := os.ReadFile(o.customDomains)
		if err != nil {
			return jobs.Usagef("--custom-domains: %v", err)
		}
		custom = nil
		for _, l := range strings.Split(string(data), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				custom = append(custom, l)
			}
		}
	}
	web, err := newWeb(o.connectTo, o.timeout)
	if err != nil {
		return err
	}

	// The domain list, every row checked before the first request to a site or a bucket.
	domains, err := o.domains(ctx, env, log, custom)
	if err != nil {
		return err
	}
	st, err := o.store(ctx, env, log)
	if err != nil {
		return err
	}

	p := &processor{web: web, store: st, minWidth: o.minWidth, blocklist: map[string]bool{}, force: o.force,
		log: env.Logger("merino.jobs.navigational_suggestions.processing.domain_processor")}
	for _, b := range toppicks.Blocklist {
		p.blocklist[b] = true
	}
	if o.cdn != "" {
		p.cdnPrefix = "https://" + o.cdn
	}
	start := time.Now()
	results := o.processAll(ctx, env, log, p, domains)
	if err := ctx.Err(); err != nil {
		return err
	}

	// Partners' favicons, re-hosted.
	var partners []partnerEntry
	f := &fetcher{w: web, client: web.client(nil), cache: map[string]*response{}}
	for _, pf := range partnerFavicons {
		u, err := p.rehost(ctx, ctx, f, pf.icon)
		if err != nil {
			log.Warn(fmt.Sprintf("Failed to upload the favicon of partner %s: %v", pf.domain, err))
			u = ""
		}
		partners = append(partners, partnerEntry{pf, u})
	}
	log.Info("Partner favicons uploaded to GCS")

	entries := topPicks(domains, results, mapping)
	manifest := manifestJSON(entries, partners)
	errorsDoc, nErrors := errorsJSON(domains, results)
	log.Info(fmt.Sprintf("Found %d domains with favicon extraction errors", nErrors))

	previous, previousName, err := st.previous(ctx)
	if err != nil {
		return fmt.Errorf("cannot read the previous manifest: %w", err)
	}
	if previous == nil {
		log.Info("No previous manifest: the diff counts every domain as new")
	} else {
		log.Info("Comparing with " + st.where(previousName))
	}
	stamp := env.Now().Format("20060102150405")
	dated := stamp + "_top_picks.json"
	d := diff(entries, previous, dated)
	for _, doc := range []struct {
		name string
		data []byte
		// replace: the latest files are overwritten, a dated one only created
		replace bool
	}{{latestTopPicks, manifest, true}, {dated, manifest, false}, {latestErrors, errorsDoc, true}, {stamp + "_errors.json", errorsDoc, false}} {
		if err := st.putDocument(ctx, doc.name, doc.data, doc.replace); err != nil {
			return err
		}
	}
	log.Info("Top pick contents uploaded to GCS", "public_url", st.where(latestTopPicks))

	if o.writeXCom {
		topPickURL := gcs.PublicURL(o.bucket, dated)
		if o.outputDir != "" {
			abs, _ := filepath.Abs(st.where(dated))
			topPickURL = "file://" + filepath.ToSlash(abs)
		}
		xcom := jsonw.Python.Marshal(jsonw.Object{{Key: "top_pick_url", Value: topPickURL}, {Key: "diff", Value: d}})
		if err := os.MkdirAll(filepath.Dir(o.xcomPath), 0o755); err != nil {
			return fmt.Errorf("cannot write the XCom: %w", err)
		}
		if err := os.WriteFile(o.xcomPath, xcom, 0o644); err != nil {
			return fmt.Errorf("cannot write the XCom: %w", err)
		}
	}
	withIcon, customUsed := 0, 0
	for _, r := range results {
		if r.Icon != "" {
			withIcon++
			if r.Custom {
				customUsed++
			}
		}
	}
	if o.local {
		if err := o.saveMetrics(env, domains, results, time.Since(start)); err != nil {
			return err
		}
	}
	env.Summary("%d domains: %d with a favicon (%d custom), %d in the manifest, %d errors; %s (%s) in %s",
		len(domains), withIcon, customUsed, len(entries), nErrors, st.where(latestTopPicks), dated, time.Since(start).Round(time.Millisecond))
	return nil
}

// domains returns the list to work on.
func (o *options) domains(ctx context.Context, env *jobs.Env, log *slog.Logger, custom []string) ([]Domain, error) {
	if o.local {
		ds := localSample(custom, o.sampleSize)
		log.Info(fmt.Sprintf("Generated %d local test domains", len(ds)))
		return ds, nil
	}
	var ds []Domain
	if o.domainsFile != "" {
		var err error
		if ds, err = readDomainsFile(o.domainsFile); err != nil {
			return nil, fmt.Errorf("--domains-file %w", err)
		}
	} else {
		bq, err := bigquery.New(o.bigqueryEndpoint, o.srcProject, env.UserAgent())
		if err != nil {
			return nil, jobs.Usagef("--bigquery-endpoint: %v", err)
		}
		rows, err := bq.Query(ctx, domainQuery)
		if err != nil {
			return nil, err
		}
		if ds, err = fromBigQuery(rows); err != nil {
			return nil, err
		}
	}
	log.Info("Domain data download complete", "domains", len(ds))
	ds, dups, err := withCustomDomains(ds, custom)
	if err != nil {
		return nil, err
	}
	log.Info(fmt.Sprintf("Added %d custom domains (%d were duplicates)", len(custom)-dups, dups))
	return ds, nil
}

func (o *options) store(ctx context.Context, env *jobs.Env, log *slog.Logger) (store, error) {
	if o.outputDir != "" {
		return &dirStore{dir: o.outputDir, cdn: o.cdn}, nil
	}
	c, err := env.GCS(o.gcsEndpoint, gcs.ScopeReadWrite)
	if err != nil {
		return nil, err
	}
	// Credentials that do not work fail the run now, not after every site was scraped.
	if err := c.Ready(ctx); err != nil {
		return nil, err
	}
	return &gcsStore{c: c, bucket: o.bucket, cdn: o.cdn, cache: o.cacheControl, log: log}, nil
}

// processAll works out every domain, o.concurrency at a time, and returns the results in
// input order.
func (o *options) processAll(ctx context.Context, env *jobs.Env, log *slog.Logger, p *processor, domains []Domain) []result {
	log.Info(fmt.Sprintf("Starting to process %d domains", len(domains)))
	results := make([]result, len(domains))
	progress := env.Progress(log, "navigational-suggestions", "domains", int64(len(domains)))
	defer progress.Finish()
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for range min(o.concurrency, len(domains)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				siteCtx, cancel := context.WithTimeout(ctx, budgetPerDomain*o.timeout)
				results[i] = p.process(ctx, siteCtx, domains[i])
				cancel()
				progress.Add(1)
				if o.monitor {
					mu.Lock()
					done++
					if done%25 == 0 {
						var m runtime.MemStats
						runtime.ReadMemStats(&m)
						log.Info(fmt.Sprintf("Processed %d/%d domains", done, len(domains)), "heap_inuse", m.HeapInuse, "goroutines", runtime.NumGoroutine())
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range domains {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	found := 0
	for _, r := range results {
		if r.Icon != "" {
			found++
		}
	}
	log.Info(fmt.Sprintf("Completed processing: %d domains, found favicons for %d", len(domains), found))
	return results
}

// saveMetrics writes local mode's metrics_<YYYYmmdd_HHMMSS>.json (merino-py's
// LocalMetricsCollector report).
func (o *options) saveMetrics(env *jobs.Env, domains []Domain, results []result, elapsed time.Duration) error {
	type record struct {
		Domain            string  `json:"domain"`
		Success           bool    `json:"success"`
		UsedCustomFavicon bool    `json:"used_custom_favicon"`
		URL               *string `json:"url"`
		Title             *string `json:"title"`
	}
	rep := struct {
		TotalDomains        int      `json:"total_domains"`
		FaviconsFound       int      `json:"favicons_found"`
		FaviconSuccessRate  float64  `json:"favicon_success_rate"`
		CustomFaviconsUsed  int      `json:"custom_favicons_used"`
		ScrapedFaviconsUsed int      `json:"scraped_favicons_used"`
		CustomFaviconRate   float64  `json:"custom_favicon_rate"`
		URLsFound           int      `json:"urls_found"`
		URLSuccessRate      float64  `json:"url_success_rate"`
		TitlesFound         int      `json:"titles_found"`
		TitleSuccessRate    float64  `json:"title_success_rate"`
		ElapsedSeconds      float64  `json:"elapsed_seconds"`
		ProcessingRate      float64  `json:"processing_rate"`
		Timestamp           string   `json:"timestamp"`
		Domains             []record `json:"domains"`
	}{TotalDomains: len(domains), ElapsedSeconds: elapsed.Seconds(), Timestamp: env.Now().Format("2006-01-02T15:04:05.000000")}
	for i, d := range domains {
		r := results[i]
		rec := record{Domain: d.Domain, Success: r.Icon != "", UsedCustomFavicon: r.Custom && r.Icon != ""}
		if r.URL != "" {
			rep.URLsFound++
			rec.URL = &r.URL
		}
		if r.Title != "" {
			rep.TitlesFound++
			rec.Title = &r.Title
		}
		if r.Icon != "" {
			rep.FaviconsFound++
			if r.Custom {
				rep.CustomFaviconsUsed++
			} else {
				rep.ScrapedFaviconsUsed++
			}
		}
		rep.Domains = append(rep.Domains, rec)
	}
	n := float64(max(1, len(domains)))
	rep.FaviconSuccessRate = float64(rep.FaviconsFound) / n
	rep.URLSuccessRate = float64(rep.URLsFound) / n
	rep.TitleSuccessRate = float64(rep.TitlesFound) / n
	if rep.FaviconsFound > 0 {
		rep.CustomFaviconRate = float64(rep.CustomFaviconsUsed) / float64(rep.FaviconsFound)
	}
	rep.ProcessingRate = float64(len(domains)) / max(elapsed.Seconds(), 0.1)
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(o.outputDir, "metrics_"+env.Now().Format("20060102_150405")+".json")
	if err := writeFileAtomic(path, append(data, '\n')); err != nil {
		return fmt.Errorf("cannot write the metrics: %w", err)
	}
	return nil
}
