// Package csvuploader is `merino job csv-rs-uploader upload`: suggestions maintained in a
// spreadsheet (MDN, Pocket collections, Yelp modifiers) published to Remote Settings in
// chunked records, as merino-py's merino/jobs/csv_rs_uploader does.
//
// The CSV is read twice and never held in memory: a first pass parses and validates every
// row (any error stops the job before its first request, naming the file, row, line and
// field) and counts the suggestions, whose number sets the padding of the record ids; the
// second pass deletes the old records of the type (unless --keep-existing-records) and
// uploads the suggestions chunk by chunk, skipping chunks published unchanged (merino-py
// deletes and re-uploads everything; the end state is the same). A file that changed between
// the passes stops the job before any write. A file without data rows never deletes the
// published records unless --allow-empty is given (merino-py deletes them).
package csvuploader

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strings"

	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jobs/publisher"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/pycsv"
)

// Job is `merino job csv-rs-uploader upload`.
var Job = &jobs.Job{
	Command:    "csv-rs-uploader",
	Subcommand: "upload",
	Help:       "upload suggestions from a CSV file (models mdn, pocket, yelp) to Remote Settings",
	Setup:      setup,
}

// modelPackage is merino-py's --model-package default; the models are built in here.
const modelPackage = "merino.jobs.csv_rs_uploader"

type options struct {
	rs                                       *publisher.Settings
	csvPath, modelName, modelPkg, recordType string
	chunkSize                                int
	score                                    float64
}

func setup(fs *flag.FlagSet, d *jobs.Defaults) func(context.Context, *jobs.Env) error {
	o := newOptions(fs, d)
	return func(ctx context.Context, env *jobs.Env) error {
		return o.run(ctx, env, FileSource(o.csvPath))
	}
}

func newOptions(fs *flag.FlagSet, d *jobs.Defaults) *options {
	o := &options{}
	o.rs = publisher.AddFlags(fs, d, publisher.Plain, d.RSBucket, publisher.DefaultCollection, true)
	fs.StringVar(&o.csvPath, "csv-path", "", "the CSV file of suggestions (required)")
	fs.StringVar(&o.modelName, "model-name", "", "the suggestion model: mdn, pocket or yelp (required)")
	fs.StringVar(&o.modelPkg, "model-package", modelPackage, "merino-py's package of models; only its default is known")
	fs.StringVar(&o.recordType, "record-type", "", "the records' type and id prefix (default <model-name>-suggestions)")
	fs.IntVar(&o.chunkSize, "chunk-size", d.RSChunkSize, "suggestions per record (remote_settings.chunk_size)")
	fs.Float64Var(&o.score, "score", d.RSScore, "the score of suggestions that have none; 0 adds none (remote_settings.score)")
	return o
}

// Source is the CSV input, opened once per pass.
type Source struct {
	Name string
	Open func() (io.ReadCloser, error)
	// Version identifies the content (a file's size and modification time): it must be the
	// same before the upload pass as before the validation pass.
	Version func() (string, error)
	// Size is the input's size in bytes, for progress (0 if unknown).
	Size int64
}

// FileSource reads a file.
func FileSource(path string) Source {
	s := Source{
		Name: path,
		Open: func() (io.ReadCloser, error) { return os.Open(path) },
		Version: func() (string, error) {
			st, err := os.Stat(path)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d %d", st.Size(), st.ModTime().UnixNano()), nil
		},
	}
	if st, err := os.Stat(path); err == nil {
		s.Size = st.Size()
	}
	return s
}

var kintoID = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_-]*$`)

// Run runs the job with the flags args on src instead of --csv-path's file: tests feed it
// generated input.
func Run(ctx context.Context, env *jobs.Env, d *jobs.Defaults, args []string, src Source) error {
	fs := flag.NewFlagSet("csv-rs-uploader upload", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := newOptions(fs, d)
	if err := fs.Parse(args); err != nil {
		return jobs.Usagef("%v", err)
	}
	return o.run(ctx, env, src)
}

func (o *options) run(ctx context.Context, env *jobs.Env, src Source) error {
	switch {
	case o.csvPath == "":
		return jobs.Usagef("--csv-path must be given")
	case o.modelName == "":
		return jobs.Usagef("--model-name must be given")
	case models[o.modelName] == nil:
		return jobs.Usagef("--model-name: suggestion model %q not found (known: %s)", o.modelName, strings.Join(jobs.SortedKeys(models), ", "))
	case o.modelPkg != modelPackage:
		return jobs.Usagef("--model-package: merino-go has the models of %s only, not %q", modelPackage, o.modelPkg)
	case o.chunkSize < 1:
		return jobs.Usagef("--chunk-size must be at least 1, got %d", o.chunkSize)
	case math.IsNaN(o.score) || math.IsInf(o.score, 0):
		return jobs.Usagef("--score must be a number, got %v", o.score)
	}
	recordType := o.recordType
	if recordType == "" {
		recordType = o.modelName + "-suggestions"
	}
	if !kintoID.MatchString(recordType) {
		return jobs.Usagef("--record-type: %q is not a Kinto id (letters, digits, _ and -)", recordType)
	}
	pub, err := o.rs.New(env, publisher.Plain)
	if err != nil {
		return err
	}
	log := env.Logger("merino.jobs.csv_rs_uploader")
	mk := models[o.modelName]

	// Pass 1: every row valid, before any request.
	version, err := src.Version()
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", src.Name, err)
	}
	progress := env.Progress(log, "csv-rs-uploader: checking "+src.Name, "bytes", src.Size)
	rows, total, err := readSuggestions(src, mk(), progress, func(jsonw.Object) error { return nil })
	progress.Finish()
	if err != nil {
		return err
	}
	log.Info(fmt.Sprintf("Read %d rows, %d suggestions from %s", rows, total, src.Name))
	if rows == 0 && !o.rs.AllowEmpty {
		return fmt.Errorf("%s has no data rows: refusing to replace the published %s records with nothing (--allow-empty allows it)", src.Name, recordType)
	}

	// Pass 2: delete, then upload chunk by chunk.
	if v, err := src.Version(); err != nil || v != version {
		return fmt.Errorf("%s changed while it was being read; nothing was written", src.Name)
	}
	existing, err := pub.Records(ctx)
	if err != nil {
		return pub.Failed(err)
	}
	chunks := (total + o.chunkSize - 1) / o.chunkSize
	progress = pub.Progress(env, log, "csv-rs-uploader upload", chunks)
	defer progress.Finish()
	up := pub.Chunked(recordType, o.chunkSize, total, existing)
	if !o.rs.KeepExisting {
		if err := up.DeleteStale(ctx); err != nil {
			return pub.Failed(err)
		}
		progress.SetTotal(int64(chunks + pub.Counts.Deleted))
	}
	_, n, err := readSuggestions(src, mk(), nil, func(s jsonw.Object) error {
		return up.Add(ctx, publisher.WithScore(s, o.score))
	})
	if err == nil && n != total {
		err = fmt.Errorf("%s changed while it was being read: %d suggestions, then %d", src.Name, total, n)
	}
	if err == nil {
		err = up.Finish(ctx)
	}
	if err != nil {
		return pub.Failed(err)
	}
	sum, err := pub.Finish(ctx)
	if err != nil {
		return err
	}
	env.Summary("csv-rs-uploader upload: %s", sum)
	return nil
}

// readSuggestions reads src through m and calls each for every suggestion, in order. It
// returns the number of data rows and of suggestions.
func readSuggestions(src Source, m model, progress *jobs.Progress, each func(jsonw.Object) error) (rows, suggestions int, err error) {
	f, err := src.Open()
	if err != nil {
		return 0, 0, fmt.Errorf("cannot open %s: %w", src.Name, err)
	}
	defer f.Close()
	d := pycsv.NewDictReader(jobs.CountBytes(f, progress))
	h, err := d.Header()
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", src.Name, err)
	}
	if h == nil {
		return 0, 0, fmt.Errorf("%s is empty: it has no header row", src.Name)
	}
	if err := m.check(h); err != nil {
		return 0, 0, fmt.Errorf("%s: %w", src.Name, err)
	}
	for {
		rec, err := d.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rows, suggestions, fmt.Errorf("%s: %w", src.Name, err)
		}
		rows++
		s, err := m.row(h, rec)
		if err != nil {
			return rows, suggestions, fmt.Errorf("%s: row %d (line %d): %w", src.Name, d.Row(), d.StartLine(), err)
		}
		if s != nil {
			suggestions++
			if err := each(s); err != nil {
				return rows, suggestions, err
			}
		}
	}
	for _, s := range m.finish() {
		suggestions++
		if err := each(s); err != nil {
			return rows, suggestions, err
		}
	}
	return rows, suggestions, nil
}
