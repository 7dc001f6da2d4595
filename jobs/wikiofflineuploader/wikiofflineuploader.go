// Package wikiofflineuploader is `merino job wiki-offline-uploader upload`: Firefox's offline
// Wikipedia suggestions, the ~7,000 most viewed pages of each language with prefix keywords,
// published to Remote Settings as merino-py's merino/jobs/wikipedia_offline_uploader does.
//
// For each language the job fetches the pageviews top lists of the last --days days (the
// newest is the day before yesterday, UTC) from Wikimedia's REST API, ranks the titles by
// total views (frequency) or over the newest days until 8,000 titles are seen (recency), drops
// internal pages and blocklisted titles, and turns the titles into suggestions with merino-py's
// keyword rules. Each language is one record, data-wikipedia-<lang>, targeted at its locales.
//
// Deliberate differences from merino-py: recency mode applies the blocklists (merino-py
// compares titles with their base64 form) and walks the days newest first (merino-py oldest
// first); a language none of whose days could be fetched fails the job before any write
// (merino-py uploads an empty list); ties in views are broken by title; an unknown
// --relevance-type or --access-type is a usage error; records that did not change are not
// sent again.
package wikiofflineuploader

import (
	"context"
	"flag"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jobs/publisher"
	"github.com/mozilla-services/merino-go/jobs/wikimedia"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/kinto"
)

// Job is `merino job wiki-offline-uploader upload`.
var Job = &jobs.Job{
	Command:    "wiki-offline-uploader",
	Subcommand: "upload",
	Help:       "upload the most viewed Wikipedia pages of each language as offline suggestions to Remote Settings",
	Setup:      setup,
}

// recordType is merino-py's RECORD_TYPE.
const recordType = "wikipedia"

// locales are merino-py's LOCALES_MAPPING: the Firefox locales of each language's record.
var locales = map[string][]string{
	"en": {"en-US", "en-CA", "en-GB"},
	"fr": {"fr", "fr-FR"},
	"de": {"de", "de-DE"},
	"it": {"it", "it-IT"},
	"pl": {"pl", "pl-PL"},
}

type options struct {
	rs                                         *publisher.Settings
	score                                      float64
	languages, relevance, access, pageviewsURL string
	days                                       int
	concurrency                                int
}

func setup(fs *flag.FlagSet, d *jobs.Defaults) func(context.Context, *jobs.Env) error {
	o := &options{}
	o.rs = publisher.AddFlags(fs, d, publisher.Plain, "main-workspace", publisher.DefaultCollection, true)
	fs.Float64Var(&o.score, "score", d.RSScore, "the score of each suggestion (remote_settings.score)")
	fs.StringVar(&o.languages, "languages", "en,fr,de,it,pl", "comma-separated Wikipedia languages")
	fs.IntVar(&o.days, "days", 90, "the number of days of page views to rank by")
	fs.StringVar(&o.relevance, "relevance-type", "frequency", "frequency (views over all days) or recency (the newest days until 8,000 titles)")
	fs.StringVar(&o.access, "access-type", "all-access", "all-access, desktop, mobile-app or mobile-web")
	fs.StringVar(&o.pageviewsURL, "pageviews-base-url", wikimedia.DefaultPageviewsURL, "the Wikimedia pageviews top endpoint")
	fs.IntVar(&o.concurrency, "concurrency", 4, "page view requests in flight")
	return func(ctx context.Context, env *jobs.Env) error { return o.run(ctx, env) }
}

func (o *options) check() ([]string, error) {
	var langs []string
	for _, l := range strings.Split(o.languages, ",") {
		l = strings.TrimSpace(l)
		if !wikimedia.ValidLanguage(l) {
			return nil, jobs.Usagef("--languages: %q is not a Wikipedia language code", l)
		}
		if !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	switch {
	case o.days < 1 || o.days > 3660:
		return nil, jobs.Usagef("--days must be between 1 and 3660, got %d", o.days)
	case o.relevance != "frequency" && o.relevance != "recency":
		return nil, jobs.Usagef("--relevance-type must be frequency or recency, got %q", o.relevance)
	case !slices.Contains(wikimedia.AccessTypes, o.access):
		return nil, jobs.Usagef("--access-type must be one of %s, got %q", strings.Join(wikimedia.AccessTypes, ", "), o.access)
	case math.IsNaN(o.score) || math.IsInf(o.score, 0):
		return nil, jobs.Usagef("--score must be a number, got %v", o.score)
	case o.concurrency < 1 || o.concurrency > 64:
		return nil, jobs.Usagef("--concurrency must be between 1 and 64, got %d", o.concurrency)
	}
	return langs, nil
}

func (o *options) run(ctx context.Context, env *jobs.Env) error {
	langs, err := o.check()
	if err != nil {
		return err
	}
	client, err := wikimedia.NewClient(o.pageviewsURL, env.UserAgent(), 5*time.Second)
	if err != nil {
		return jobs.Usagef("--pageviews-base-url: %v", err)
	}
	pub, err := o.rs.New(env, publisher.Plain)
	if err != nil {
		return err
	}
	blocked, err := blocklist()
	if err != nil {
		return err
	}
	log := env.Logger("merino.jobs.wikipedia_offline_uploader")

	// Every language's days are fetched and ranked before the first write.
	days := o.fetch(ctx, env, client, langs)
	if err := ctx.Err(); err != nil {
		return err
	}
	attachments := make(map[string][]byte, len(langs))
	for _, lang := range langs {
		var ok [][]wikimedia.Article
		var failed []string
		for _, d := range days[lang] {
			if d.err != nil {
				failed = append(failed, d.err.Error())
				continue
			}
			ok = append(ok, d.articles)
		}
		if len(ok) == 0 {
			return fmt.Errorf("Wikimedia: no page views of %swiki could be fetched (%s); nothing was written", lang, failed[0])
		}
		if len(failed) > 0 {
			log.Warn(fmt.Sprintf("%s: %d of %d days could not be fetched, the first: %s", lang, len(failed), len(days[lang]), failed[0]))
		}
		sugs := suggestions(lang, rank(ok, o.relevance == "recency", blocked), o.score)
		log.Info(fmt.Sprintf("%s: %d suggestions from %d days", lang, len(sugs), len(ok)))
		if len(sugs) == 0 && !o.rs.AllowEmpty {
			return fmt.Errorf("%s: no suggestions: refusing to replace the published data-wikipedia-%s record with nothing (--allow-empty allows it); nothing was written", lang, lang)
		}
		attachments[lang] = publisher.Attachment(sugs)
	}

	existing, err := pub.Records(ctx)
	if err != nil {
		return pub.Failed(err)
	}
	byID := map[string]kinto.Record{}
	for _, r := range existing {
		byID[r.ID()] = r
	}
	defer pub.Progress(env, log, "wiki-offline-uploader upload", len(langs)).Finish()
	for _, lang := range langs {
		id := "data-" + recordType + "-" + lang
		if !o.rs.KeepExisting {
			log.Info(fmt.Sprintf("Deleting records with type: %s for language: %s", recordType, lang))
			for _, r := range existing {
				// Older runs chunked the records: data-wikipedia-en-0-999.
				if r.String("type") == recordType && r.ID() != id && strings.HasPrefix(r.ID(), id+"-") {
					if err := pub.Delete(ctx, r.ID()); err != nil {
						return pub.Failed(err)
					}
				}
			}
		}
		rec := jsonw.Object{{Key: "id", Value: id}, {Key: "type", Value: recordType}}
		if l := locales[lang]; len(l) > 0 {
			rec = append(rec, jsonw.Member{Key: "filter_expression", Value: kinto.FilterExpression(nil, l)})
		}
		old := byID[id]
		if _, err := pub.Upload(ctx, rec, attachments[lang], old, publisher.Changed(rec, old)); err != nil {
			return pub.Failed(err)
		}
	}
	sum, err := pub.Finish(ctx)
	if err != nil {
		return err
	}
	env.Summary("wiki-offline-uploader upload: %s", sum)
	return nil
}

// day is one fetched top list, or why it could not be.
type day struct {
	articles []wikimedia.Article
	err      error
}

// fetch gets every language's days, newest first: the UTC dates 2 to days+1 days ago, as
// merino-py requests them.
func (o *options) fetch(ctx context.Context, env *jobs.Env, client *wikimedia.Client, langs []string) map[string][]day {
	log := env.Logger("merino.jobs.wikipedia_offline_uploader.downloader")
	progress := env.Progress(log, "wiki-offline-uploader: page views", "days", int64(len(langs)*o.days))
	defer progress.Finish()
	now := env.Now().UTC()
	out := map[string][]day{}
	type job struct {
		lang string
		i    int
	}
	jobsCh := make(chan job)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, l := range langs {
		out[l] = make([]day, o.days)
	}
	for range o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobsCh {
				date := now.AddDate(0, 0, -(j.i + 2))
				articles, err := client.Top(ctx, j.lang, o.access, date)
				mu.Lock()
				out[j.lang][j.i] = day{articles: articles, err: err}
				mu.Unlock()
				progress.Add(1)
			}
		}()
	}
	for _, l := range langs {
		for i := range o.days {
			select {
			case jobsCh <- job{l, i}:
			case <-ctx.Done():
			}
		}
	}
	close(jobsCh)
	wg.Wait()
	return out
}
