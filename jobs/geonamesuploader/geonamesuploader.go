// Package geonamesuploader is `merino job geonames-uploader upload`: GeoNames places (cities
// and administrative divisions) and their alternate names, published to Remote Settings for
// Firefox's client-side place matching, as merino-py's merino/jobs/geonames_uploader does.
//
// For each configured country (merino-py's seven, or --country-config), the job downloads
// <CC>.zip and alternatenames/<CC>.zip from GeoNames, keeps the places above the country's
// smallest population threshold, splits them into population partitions (one record each),
// and makes one alternates record per partition and language. A record whose fields and
// attachment bytes (Python's json.dumps, compared by sha256) are already published is not
// sent again, so a second run over the same data writes nothing; records of a configured
// country that the run no longer produces are deleted.
//
// Deliberate differences from merino-py: every country is downloaded and checked before the
// first write (merino-py writes country by country and fails midway on a bad download); a
// bad row stops the job naming the file, line and column; an unmapped locale is a usage error
// found before any request; all record fields are compared, so a removed field is noticed;
// the summary counts all countries (merino-py's shows the last one); a dump without rows
// never deletes a country's records without --allow-empty.
package geonamesuploader

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jobs/publisher"
	"github.com/mozilla-services/merino-go/kinto"
)

// Job is `merino job geonames-uploader upload`.
var Job = &jobs.Job{
	Command:    "geonames-uploader",
	Subcommand: "upload",
	Help:       "upload GeoNames places and alternate names to Remote Settings",
	Setup:      setup,
}

type options struct {
	rs                                  *publisher.Settings
	alternatesRecordType, alternatesURL string
	geonamesRecordType, geonamesURL     string
	forceReupload                       bool
	countryConfig                       string
}

func setup(fs *flag.FlagSet, d *jobs.Defaults) func(context.Context, *jobs.Env) error {
	o := &options{}
	o.rs = publisher.AddFlags(fs, d, publisher.RS, d.RSBucket, publisher.DefaultCollection, false)
	fs.StringVar(&o.alternatesRecordType, "alternates-record-type", d.AlternatesRecordType, "the type of alternates records (jobs.geonames_uploader.alternates_record_type)")
	fs.StringVar(&o.alternatesURL, "alternates-url-format", d.AlternatesURLFormat, "URL of a country's alternate names zip, with {country} (jobs.geonames_uploader.alternates_url_format)")
	fs.StringVar(&o.geonamesRecordType, "geonames-record-type", d.GeonamesRecordType, "the type of geonames records (jobs.geonames_uploader.geonames_record_type)")
	fs.StringVar(&o.geonamesURL, "geonames-url-format", d.GeonamesURLFormat, "URL of a country's geonames zip, with {country} (jobs.geonames_uploader.geonames_url_format)")
	fs.BoolVar(&o.forceReupload, "force-reupload", false, "upload every record even when it has not changed")
	fs.StringVar(&o.countryConfig, "country-config", "", "a JSON file of the countries to upload, their partitions and locales (default: merino-py's seven countries)")
	return func(ctx context.Context, env *jobs.Env) error { return o.run(ctx, env) }
}

var kintoID = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_-]*$`)

func (o *options) config() (*Config, error) {
	cfg := Builtin()
	if o.countryConfig != "" {
		f, err := os.Open(o.countryConfig)
		if err != nil {
			return nil, jobs.Usagef("--country-config: %v", err)
		}
		defer f.Close()
		if cfg, err = ReadConfig(f); err != nil {
			return nil, jobs.Usagef("--country-config %s: %v", o.countryConfig, err)
		}
	}
	if err := cfg.Validate(); err != nil {
		if o.countryConfig != "" {
			return nil, jobs.Usagef("--country-config %s: %v", o.countryConfig, err)
		}
		return nil, jobs.Usagef("%v", err)
	}
	for _, f := range [][2]string{{"geonames-url-format", o.geonamesURL}, {"alternates-url-format", o.alternatesURL}} {
		if !strings.Contains(f[1], "{country}") {
			return nil, jobs.Usagef("--%s: %q has no {country}", f[0], f[1])
		}
	}
	for _, f := range [][2]string{{"geonames-record-type", o.geonamesRecordType}, {"alternates-record-type", o.alternatesRecordType}} {
		if !kintoID.MatchString(f[1]) {
			return nil, jobs.Usagef("--%s: %q is not a Kinto id (letters, digits, _ and -)", f[0], f[1])
		}
	}
	return cfg, nil
}

// countryPlan is what the run will publish for a country.
type countryPlan struct {
	country    Country
	geonames   []*geonamesRecord
	alternates []planned
}

func (o *options) run(ctx context.Context, env *jobs.Env) error {
	cfg, err := o.config()
	if err != nil {
		return err
	}
	pub, err := o.rs.New(env, publisher.RS)
	if err != nil {
		return err
	}
	log := env.Logger("merino.jobs.geonames_uploader")
	dir, err := os.MkdirTemp("", "merino-geonames-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dl, err := newDownloader(env, env.Logger("merino.jobs.geonames_uploader.downloader"), dir)
	if err != nil {
		return err
	}

	// Everything is downloaded and checked before the first write.
	langs := cfg.languages()
	plans := make([]*countryPlan, 0, len(cfg.Countries))
	for _, co := range cfg.Countries {
		plan, err := o.prepare(ctx, dl, cfg, co, langs)
		if err != nil {
			return fmt.Errorf("%w; nothing was written", err)
		}
		plans = append(plans, plan)
	}

	existing, err := pub.Records(ctx)
	if err != nil {
		return pub.Failed(err)
	}
	configured := map[string]bool{}
	for _, co := range cfg.Countries {
		configured[co.Code] = true
	}
	// Records of the configured countries, by type then country then id; others are never
	// touched.
	byType := map[string]map[string]map[string]kinto.Record{}
	for _, r := range existing {
		c, typ := r.String("country"), r.String("type")
		if !configured[c] || r.ID() == "" || (typ != o.geonamesRecordType && typ != o.alternatesRecordType) {
			continue
		}
		if byType[typ] == nil {
			byType[typ] = map[string]map[string]kinto.Record{}
		}
		if byType[typ][c] == nil {
			byType[typ][c] = map[string]kinto.Record{}
		}
		byType[typ][c][r.ID()] = r
	}
	total := 0
	for _, p := range plans {
		total += len(p.geonames) + len(p.alternates)
	}
	defer pub.Progress(env, log, "geonames-uploader upload", total).Finish()

	var geo, alt publisher.Counts
	for _, p := range plans {
		before := pub.Counts
		log.Info(fmt.Sprintf("Uploading geonames records for country '%s'", p.country.Code))
		recs := make([]planned, len(p.geonames))
		for i, r := range p.geonames {
			recs[i] = r.planned
		}
		if err := o.replace(ctx, pub, recs, byType[o.geonamesRecordType][p.country.Code]); err != nil {
			return pub.Failed(err)
		}
		geo = add(geo, diff(pub.Counts, before))
		before = pub.Counts
		log.Info(fmt.Sprintf("Uploading alternates records for country '%s'", p.country.Code))
		if len(p.geonames) == 0 {
			log.Info(fmt.Sprintf("No geonames records for country '%s'", p.country.Code))
		}
		if err := o.replace(ctx, pub, p.alternates, byType[o.alternatesRecordType][p.country.Code]); err != nil {
			return pub.Failed(err)
		}
		alt = add(alt, diff(pub.Counts, before))
	}
	log.Info(fmt.Sprintf("Geonames records: %d uploaded, %d skipped, %d deleted", geo.Uploaded, geo.Unchanged, geo.Deleted))
	log.Info(fmt.Sprintf("Alternates records: %d uploaded, %d skipped, %d deleted", alt.Uploaded, alt.Unchanged, alt.Deleted))
	log.Info(fmt.Sprintf("Total record count: %d", geo.Uploaded+geo.Unchanged+alt.Uploaded+alt.Unchanged))
	sum, err := pub.Finish(ctx)
	if err != nil {
		return err
	}
	env.Summary("geonames-uploader upload: %s", sum)
	return nil
}

// prepare downloads and reads a country's dumps and builds its records.
func (o *options) prepare(ctx context.Context, dl *downloader, cfg *Config, co Country, langs map[string]bool) (*countryPlan, error) {
	plan := &countryPlan{country: co}
	zipName, txt := co.Code+".zip", co.Code+".txt"
	path, err := dl.fetch(ctx, strings.ReplaceAll(o.geonamesURL, "{country}", co.Code), zipName)
	if err != nil {
		return nil, err
	}
	var places []geoname
	rows := 0
	err = member(path, zipName, txt, func(r io.Reader) error {
		var err error
		places, rows, err = readGeonames(r, txt, co.Partitions[0].Threshold)
		return err
	})
	os.Remove(path)
	if err != nil {
		return nil, err
	}
	if rows == 0 && !o.rs.AllowEmpty {
		return nil, fmt.Errorf("%s in %s has no rows: refusing to delete the published %s records (--allow-empty allows it)", txt, zipName, co.Code)
	}
	dl.log.Info(fmt.Sprintf("%s: %d rows, %d places of at least %d people", txt, rows, len(places), co.Partitions[0].Threshold))
	plan.geonames = buildGeonames(co, o.geonamesRecordType, places)
	if len(plan.geonames) == 0 {
		return plan, nil
	}
	altZip := "alternatenames/" + zipName
	path, err = dl.fetch(ctx, strings.ReplaceAll(o.alternatesURL, "{country}", co.Code), altZip)
	if err != nil {
		return nil, err
	}
	err = member(path, altZip, txt, func(r io.Reader) error {
		alts, _, err := readAlternates(r, altZip+" "+txt, ids(plan.geonames), langs)
		if err == nil {
			plan.alternates = buildAlternates(cfg, co, o.alternatesRecordType, plan.geonames, alts)
		}
		return err
	})
	os.Remove(path)
	return plan, err
}

// replace uploads the planned records that changed and deletes the existing records of the
// same type and country that are not planned.
func (o *options) replace(ctx context.Context, pub *publisher.Publisher, recs []planned, existing map[string]kinto.Record) error {
	keep := map[string]bool{}
	for _, r := range recs {
		keep[r.id] = true
		old := existing[r.id]
		if _, err := pub.Upload(ctx, r.data, r.attachment, old, o.forceReupload || publisher.Changed(r.data, old)); err != nil {
			return err
		}
	}
	for _, id := range jobs.SortedKeys(existing) {
		if !keep[id] {
			if err := pub.Delete(ctx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

func diff(a, b publisher.Counts) publisher.Counts {
	return publisher.Counts{Uploaded: a.Uploaded - b.Uploaded, Unchanged: a.Unchanged - b.Unchanged, Deleted: a.Deleted - b.Deleted, Bytes: a.Bytes - b.Bytes}
}

func add(a, b publisher.Counts) publisher.Counts {
	return publisher.Counts{Uploaded: a.Uploaded + b.Uploaded, Unchanged: a.Unchanged + b.Unchanged, Deleted: a.Deleted + b.Deleted, Bytes: a.Bytes + b.Bytes}
}
