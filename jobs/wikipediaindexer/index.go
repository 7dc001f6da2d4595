package wikipediaindexer

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/mozilla-services/merino-go/gcs"
	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/loaders/wikipedia"
)

// Index is `merino job wikipedia-indexer index`.
var Index = &jobs.Job{
	Command:    "wikipedia-indexer",
	Subcommand: "index",
	Help:       "build the Wikipedia index of a wiki from its newest export in Cloud Storage",
	Setup: func(fs *flag.FlagSet, d *jobs.Defaults) func(context.Context, *jobs.Env) error {
		o := &indexOptions{}
		o.flags(fs, d, "the wiki to index")
		fs.StringVar(&o.out, "out", "", "the index directory to write, conventionally <index_dir>/<lang>wiki (required)")
		fs.StringVar(&o.blocklistURL, "blocklist-file-url", d.WikipediaIndexer.BlocklistFileURL, "the category blocklist CSV (a name column)")
		fs.StringVar(&o.blocklistFile, "category-blocklist", "", "a local category blocklist CSV, instead of --blocklist-file-url")
		fs.StringVar(&o.version, "version", d.WikipediaIndexer.IndexVersion, "merino-py's index version (recorded in the log)")
		fs.IntVar(&o.totalDocs, "total-docs", d.WikipediaIndexer.TotalDocs, "the documents expected, for progress")
		fs.StringVar(&o.esURL, "elasticsearch-url", "", "not supported: merino-go builds its own index (see --out)")
		fs.StringVar(&o.esKey, "elasticsearch-api-key", "", "not supported (see --out)")
		return o.run
	},
}

type indexOptions struct {
	common
	out, blocklistURL, blocklistFile, version, esURL, esKey string
	totalDocs                                               int
}

// maxBlocklist bounds the category blocklist download (Mozilla's is about 100 KB).
const maxBlocklist = 16 << 20

func (o *indexOptions) run(ctx context.Context, env *jobs.Env) error {
	if o.esURL != "" || o.esKey != "" {
		return jobs.Usagef("--elasticsearch-url and --elasticsearch-api-key are not supported: merino-go serves its own index; give --out, the directory the wikipedia provider's index_dir holds")
	}
	bucket, prefix, err := o.check()
	if err != nil {
		return err
	}
	if o.out == "" {
		return jobs.Usagef("--out must be given: the index directory, conventionally <index_dir>/%swiki", o.language)
	}
	if o.totalDocs <= 0 {
		return jobs.Usagef("--total-docs must be positive, got %d", o.totalDocs)
	}
	log := env.Logger("merino.jobs.wikipedia_indexer.indexer")
	var blocklist map[string]bool
	switch {
	case o.blocklistFile != "":
		f, err := os.Open(o.blocklistFile)
		if err != nil {
			return jobs.Usagef("--category-blocklist: %v", err)
		}
		blocklist, err = wikipedia.ReadCategoryBlocklist(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("--category-blocklist %q: %w", o.blocklistFile, err)
		}
	case o.blocklistURL != "":
		dl, err := env.Downloader(log)
		if err != nil {
			return err
		}
		data, err := dl.Fetch(ctx, o.blocklistURL, "the category blocklist", maxBlocklist)
		if err != nil {
			return err
		}
		if blocklist, err = wikipedia.ReadCategoryBlocklist(bytes.NewReader(data)); err != nil {
			return fmt.Errorf("the category blocklist %s: %w", o.blocklistURL, err)
		}
	}
	client, err := env.GCS(o.gcsEndpoint, gcs.ScopeReadOnly)
	if err != nil {
		return err
	}
	log.Info(fmt.Sprintf("Starting Wikipedia indexing for language: %s", o.language))
	latest, _, err := latestCopy(ctx, client, bucket, prefix, o.language)
	if err != nil {
		return err
	}
	if latest == nil {
		return fmt.Errorf("no exports available on GCS for %s under gs://%s/%s", o.language, bucket, prefix)
	}
	source := "gs://" + bucket + "/" + latest.Name
	log.Info("Start indexing", "source", source, "index", o.out, "version", o.version, "blocked_categories", len(blocklist))
	// The generation read is pinned: a copy replacing it meanwhile cannot mix into this build.
	body, err := client.Open(ctx, bucket, latest.Name, latest.Generation)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", source, err)
	}
	defer body.Close()
	progress := env.Progress(log, "wikipedia-indexer index", "documents", int64(o.totalDocs))
	defer progress.Finish()
	last := 0
	sum, err := wikipedia.Build(ctx, body, wikipedia.Options{
		Out: o.out, Lang: o.language, Source: source, CategoryBlocklist: blocklist,
		Progress: func(s wikipedia.Summary) {
			progress.Add(int64(s.Read - last))
			last = s.Read
		},
	})
	if err != nil {
		return fmt.Errorf("cannot index %s into %s: %w", source, o.out, err)
	}
	log.Info("Completed indexing", "latest_name", latest.Name, "index", o.out, "documents", sum.Kept)
	env.Summary("%s", SummaryLine(o.language, sum, o.out))
	return nil
}
