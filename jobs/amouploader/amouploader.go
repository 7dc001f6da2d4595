// Package amouploader is `merino job amo-rs-uploader upload`: the supported add-ons as
// Remote Settings suggestions, as merino-py's merino/jobs/amo_rs_uploader does. Each add-on's
// static data (suggest/amo.Addons) is merged with its icon and rating from the AMO API
// (through suggest/amo, as the dynamic amo provider fetches them), keyed and ordered as
// merino-py's records are, and uploaded as one chunked record.
//
// Deliberate differences: an add-on without keywords (uBlock Origin) is skipped with a warning
// (merino-py raises KeyError after deleting the old records); when no add-on could be fetched
// the job fails without writing (merino-py deletes every record); add-ons keep the supported
// order (merino-py's follows the order AMO answered in); unchanged records are not re-sent.
package amouploader

import (
	"context"
	"flag"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jobs/publisher"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/pystr"
	"github.com/mozilla-services/merino-go/suggest/amo"
)

// Job is `merino job amo-rs-uploader upload`.
var Job = &jobs.Job{
	Command:    "amo-rs-uploader",
	Subcommand: "upload",
	Help:       "upload the AMO add-on suggestions (static data plus AMO's icons and ratings) to Remote Settings",
	Setup:      setup,
}

func setup(fs *flag.FlagSet, d *jobs.Defaults) func(context.Context, *jobs.Env) error {
	rs := publisher.AddFlags(fs, d, publisher.Plain, d.RSBucket, publisher.DefaultCollection, true)
	chunkSize := fs.Int("chunk-size", d.RSChunkSize, "suggestions per record (remote_settings.chunk_size)")
	recordType := fs.String("record-type", d.AMORecordType, "the records' type and id prefix (jobs.amo_rs_uploader.record_type)")
	score := fs.Float64("score", d.AMOScore, "the score of each suggestion (providers.amo.score)")
	apiURL := d.AMOAPIURL
	return func(ctx context.Context, env *jobs.Env) error {
		switch {
		case *chunkSize < 1:
			return jobs.Usagef("--chunk-size must be at least 1, got %d", *chunkSize)
		case math.IsNaN(*score) || math.IsInf(*score, 0):
			return jobs.Usagef("--score must be a number, got %v", *score)
		}
		pub, err := rs.New(env, publisher.Plain)
		if err != nil {
			return err
		}
		return upload(ctx, env, pub, rs, apiURL, *recordType, *chunkSize, *score)
	}
}

func upload(ctx context.Context, env *jobs.Env, pub *publisher.Publisher, rs *publisher.Settings, apiURL, recordType string, chunkSize int, score float64) error {
	log := env.Logger("merino.jobs.amo_rs_uploader")
	log.Info("Fetching addons data from AMO")
	slugs := make([]string, len(amo.Addons))
	for i, a := range amo.Addons {
		slugs[i] = a.Slug
	}
	src, err := amo.NewSource(apiURL, slugs, loaders.HTTPOptions{ConnectTimeout: 10 * time.Second, RequestTimeout: 30 * time.Second}, log)
	if err != nil {
		return jobs.Usagef("amo.dynamic.api_url: %v", err)
	}
	doc, _, _, err := src.Fetch(ctx, loaders.Version{})
	if err != nil {
		return fmt.Errorf("AMO: %w; nothing was written", err)
	}
	details, err := amo.Parse(doc, log)
	if err != nil {
		return fmt.Errorf("AMO: %w; nothing was written", err)
	}

	var suggestions []jsonw.Object
	for _, a := range amo.Addons {
		d, ok := details[a.Slug]
		if !ok {
			continue // its failure is logged by the source or the parser
		}
		if len(a.Keywords) == 0 {
			log.Warn(fmt.Sprintf("Add-on %s has no keywords: skipped", a.Slug), "addon", a.Slug)
			continue
		}
		kws := make([]string, len(a.Keywords))
		for i, k := range a.Keywords {
			kws[i] = pystr.Lower(k)
		}
		slices.Sort(kws)
		// merino-py: ADDON_DATA (name, description, url, guid) | dynamic data, then "title"
		// replaces "name" at the end, then the keywords.
		suggestions = append(suggestions, publisher.WithScore(jsonw.Object{
			{Key: "description", Value: a.Description}, {Key: "url", Value: a.URL}, {Key: "guid", Value: a.GUID},
			{Key: "icon", Value: d.Icon}, {Key: "rating", Value: d.Rating}, {Key: "number_of_ratings", Value: d.NumberOfRatings},
			{Key: "title", Value: a.Name}, {Key: "keywords", Value: kws},
		}, score))
	}
	if len(suggestions) == 0 && !rs.AllowEmpty {
		return fmt.Errorf("AMO: no add-on could be read: refusing to replace the published %s records with nothing (--allow-empty allows it)", recordType)
	}
	log.Info(fmt.Sprintf("%d add-ons fetched from AMO", len(suggestions)))

	existing, err := pub.Records(ctx)
	if err != nil {
		return pub.Failed(err)
	}
	up := pub.Chunked(recordType, chunkSize, len(suggestions), existing)
	defer pub.Progress(env, log, "amo-rs-uploader upload", len(up.PlannedIDs())).Finish()
	if !rs.KeepExisting {
		if err := up.DeleteStale(ctx); err != nil {
			return pub.Failed(err)
		}
	}
	for _, s := range suggestions {
		if err := up.Add(ctx, s); err != nil {
			return pub.Failed(err)
		}
	}
	if err := up.Finish(ctx); err != nil {
		return pub.Failed(err)
	}
	sum, err := pub.Finish(ctx)
	if err != nil {
		return err
	}
	env.Summary("amo-rs-uploader upload: %s", sum)
	return nil
}
