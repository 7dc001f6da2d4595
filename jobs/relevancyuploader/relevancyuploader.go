// Package relevancyuploader is `merino job relevancy-csv-rs-uploader upload`: tables of
// hashed domains per interest category for Firefox's relevancy component, as merino-py's
// merino/jobs/relevancy_uploader publishes them.
//
// Each distinct domain of the CSV's domain column is keyed (domaincategories.Key) and looked
// up in the domain → category table (the embedded production one, merino-py's testing one
// when MERINO_ENV is testing, or --categories-mapping-path); each of its categories gets
// {"domain": <key>}, an unknown domain goes to Inconclusive. Every category is then uploaded
// as chunked records "<Category>-<start>-<end>" of type category_to_domains, carrying the
// category and --version in record_custom_details.
//
// Deliberate differences from merino-py: --categories-mapping-path is honoured (merino-py
// ignores it); an empty domain is an error naming its row; a file without data rows never
// deletes the published records unless --allow-empty; records of the version that this run
// writes again unchanged are neither deleted nor re-sent.
package relevancyuploader

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jobs/domaincategories"
	"github.com/mozilla-services/merino-go/jobs/publisher"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/kinto"
	"github.com/mozilla-services/merino-go/pycsv"
)

// Job is `merino job relevancy-csv-rs-uploader upload`.
var Job = &jobs.Job{
	Command:    "relevancy-csv-rs-uploader",
	Subcommand: "upload",
	Help:       "upload hashed domains per interest category (category_to_domains records) to Remote Settings",
	Setup:      setup,
}

// recordType is merino-py's RELEVANCY_RECORD_TYPE.
const recordType = "category_to_domains"

func setup(fs *flag.FlagSet, d *jobs.Defaults) func(context.Context, *jobs.Env) error {
	rs := publisher.AddFlags(fs, d, publisher.Plain, d.RSBucket, "content-relevance", true)
	csvPath := fs.String("csv-path", "", "the CSV of domains, with domain and categories columns (required)")
	mappingPath := fs.String("categories-mapping-path", "", `a JSON table {"<base64 md5 of a domain>": [<category code>, ...]} replacing the built-in one`)
	chunkSize := fs.Int("chunk-size", d.RSChunkSize, "domains per record (remote_settings.chunk_size)")
	version := fs.Int("version", 1, "the version of the classification, in each record; records of this version are replaced")
	env := d.Env
	return func(ctx context.Context, e *jobs.Env) error {
		switch {
		case *csvPath == "":
			return jobs.Usagef("--csv-path must be given")
		case *chunkSize < 1:
			return jobs.Usagef("--chunk-size must be at least 1, got %d", *chunkSize)
		}
		pub, err := rs.New(e, publisher.Plain)
		if err != nil {
			return err
		}
		mapping, err := loadMapping(*mappingPath, env)
		if err != nil {
			return err
		}
		u := &uploader{env: e, pub: pub, rs: rs, version: *version, chunkSize: *chunkSize, mapping: mapping}
		return u.run(ctx, *csvPath)
	}
}

func loadMapping(path, env string) (domaincategories.Mapping, error) {
	if path == "" {
		return domaincategories.ForEnv(env)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--categories-mapping-path: %w", err)
	}
	defer f.Close()
	m, err := domaincategories.Read(f)
	if err != nil {
		return nil, fmt.Errorf("--categories-mapping-path %s: %w", path, err)
	}
	return m, nil
}

type uploader struct {
	env       *jobs.Env
	pub       *publisher.Publisher
	rs        *publisher.Settings
	version   int
	chunkSize int
	mapping   domaincategories.Mapping
}

// category is one category's domains, in the order they were classified.
type category struct {
	cat     domaincategories.Category
	domains []string // keys
}

// classify reads the CSV and returns the categories in first-appearance order.
func (u *uploader) classify(path string) ([]*category, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read the CSV: %w", err)
	}
	defer f.Close()
	d := pycsv.NewDictReader(f)
	h, err := d.Header()
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	if h == nil {
		return nil, 0, fmt.Errorf("%s is empty: it has no header row", path)
	}
	for _, c := range []string{"domain", "categories"} {
		if !h.Has(c) {
			return nil, 0, fmt.Errorf("%s: the header lacks column %q", path, c)
		}
	}
	var cats []*category
	byCat := map[domaincategories.Category]*category{}
	add := func(c domaincategories.Category, key string) {
		if byCat[c] == nil {
			byCat[c] = &category{cat: c}
			cats = append(cats, byCat[c])
		}
		byCat[c].domains = append(byCat[c].domains, key)
	}
	seen := map[string]bool{}
	rows := 0
	for {
		rec, err := d.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", path, err)
		}
		rows++
		domain, ok := h.Get(rec, "domain")
		if _, hasCats := h.Get(rec, "categories"); !ok || !hasCats || domain == "" {
			return nil, 0, fmt.Errorf("%s: row %d (line %d): domain: must not be empty (the row has %d fields)", path, d.Row(), d.StartLine(), len(rec))
		}
		if seen[domain] {
			continue
		}
		seen[domain] = true
		key := domaincategories.Key(domain)
		if list := u.mapping[key]; len(list) > 0 {
			for _, c := range list {
				add(c, key)
			}
		} else {
			add(domaincategories.Inconclusive, key)
		}
	}
	return cats, rows, nil
}

func (u *uploader) run(ctx context.Context, path string) error {
	log := u.env.Logger("merino.jobs.relevancy_uploader")
	cats, rows, err := u.classify(path)
	if err != nil {
		return err
	}
	if rows == 0 && !u.rs.AllowEmpty {
		return fmt.Errorf("%s has no data rows: refusing to replace the published version %d records with nothing (--allow-empty allows it)", path, u.version)
	}
	existing, err := u.pub.Records(ctx)
	if err != nil {
		return u.pub.Failed(err)
	}
	uploaders := make([]*publisher.Chunked, len(cats))
	planned := map[string]bool{}
	total := 0
	for i, c := range cats {
		name, code := c.cat.String(), int(c.cat)
		uploaders[i] = u.pub.Chunked(recordType, u.chunkSize, len(c.domains), existing).WithRecord(func(start, end string) jsonw.Object {
			return jsonw.Object{
				{Key: "id", Value: name + "-" + start + "-" + end},
				{Key: "type", Value: recordType},
				{Key: "record_custom_details", Value: jsonw.Object{{Key: "category_to_domains", Value: jsonw.Object{
					{Key: "category", Value: strings.ToLower(name)}, {Key: "category_code", Value: code}, {Key: "version", Value: u.version},
				}}}},
			}
		})
		for _, id := range uploaders[i].PlannedIDs() {
			planned[id] = true
			total++
		}
		log.Info(fmt.Sprintf("%s: %d domains", name, len(c.domains)))
	}
	defer u.pub.Progress(u.env, log, "relevancy-csv-rs-uploader upload", total).Finish()
	if !u.rs.KeepExisting {
		// merino-py deletes every record of the version, whatever its type, before uploading:
		// that is how a new classification version is staged beside the old one.
		log.Info("Deleting records with type: " + recordType)
		for _, r := range existing {
			if sameVersion(r, u.version) && !planned[r.ID()] {
				if err := u.pub.Delete(ctx, r.ID()); err != nil {
					return u.pub.Failed(err)
				}
			}
		}
	}
	for i, c := range cats {
		for _, key := range c.domains {
			if err := uploaders[i].Add(ctx, jsonw.Object{{Key: "domain", Value: key}}); err != nil {
				return u.pub.Failed(err)
			}
		}
		if err := uploaders[i].Finish(ctx); err != nil {
			return u.pub.Failed(err)
		}
	}
	sum, err := u.pub.Finish(ctx)
	if err != nil {
		return err
	}
	u.env.Summary("relevancy-csv-rs-uploader upload: %s", sum)
	return nil
}

// sameVersion reports whether record_custom_details.category_to_domains.version is version.
func sameVersion(r kinto.Record, version int) bool {
	details, _ := r["record_custom_details"].(map[string]any)
	c2d, _ := details["category_to_domains"].(map[string]any)
	v, ok := c2d["version"].(interface{ Float64() (float64, error) })
	if !ok {
		return false
	}
	f, err := v.Float64()
	return err == nil && f == float64(version)
}
