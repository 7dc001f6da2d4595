package wikipediaindexer

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/mozilla-services/merino-go/gcs"
	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jobs/wikimedia"
)

// CopyExport is `merino job wikipedia-indexer copy-export`.
var CopyExport = &jobs.Job{
	Command:    "wikipedia-indexer",
	Subcommand: "copy-export",
	Help:       "stream the newest CirrusSearch export of a wiki from Wikimedia into Cloud Storage",
	Setup: func(fs *flag.FlagSet, d *jobs.Defaults) func(context.Context, *jobs.Env) error {
		o := &copyOptions{}
		o.flags(fs, d, "the wiki whose export to copy")
		fs.StringVar(&o.exportBaseURL, "export-base-url", d.WikipediaIndexer.ExportBaseURL, "Wikimedia's CirrusSearch dumps listing")
		return o.run
	},
}

type copyOptions struct {
	common
	exportBaseURL string
}

func (o *copyOptions) run(ctx context.Context, env *jobs.Env) error {
	bucket, prefix, err := o.check()
	if err != nil {
		return err
	}
	log := env.Logger("merino.jobs.wikipedia_indexer.filemanager")
	client, err := env.GCS(o.gcsEndpoint, gcs.ScopeReadWrite)
	if err != nil {
		return err
	}
	dl, err := env.Downloader(log)
	if err != nil {
		return err
	}
	log.Info(fmt.Sprintf("Ensuring latest %s dump is on GCS", o.language), "gcs_path", o.gcsPath, "gcp_project", o.gcpProject)
	latest, latestDate, err := latestCopy(ctx, client, bucket, prefix, o.language)
	if err != nil {
		return err
	}
	if latest == nil {
		log.Warn("No existing GCS file found, will stream latest from Wikimedia")
	}
	exp, err := wikimedia.LatestExport(ctx, dl, o.exportBaseURL, o.language, latestDate, log)
	if err != nil {
		return err
	}
	if exp == nil {
		if latest == nil {
			return fmt.Errorf("no complete %s CirrusSearch export found under %s", o.language, o.exportBaseURL)
		}
		log.Info("Currently up to date")
		env.Summary("%swiki: up to date, gs://%s/%s", o.language, bucket, latest.Name)
		return nil
	}
	log.Info("latest_dump_shards", "shard_count", len(exp.Shards), "first_shard", exp.Shards[0])
	name := objectName(prefix, o.language, wikimedia.ShardDate(exp.Shards[0]))
	total := shardsSize(ctx, dl, exp.Shards, log)
	log.Info(fmt.Sprintf("Writing to GCS: gs://%s/%s", bucket, name))
	log.Info(fmt.Sprintf("Total File Size: %d", total))
	log.Info(fmt.Sprintf("Shard count: %d", len(exp.Shards)))
	progress := env.Progress(log, "wikipedia-indexer copy-export", "bytes", total)
	defer progress.Finish()
	w := client.NewWriter(ctx, bucket, name, gcs.Attrs{ContentType: "application/octet-stream"})
	if err := copyShards(ctx, dl, exp.Shards, w, progress); err != nil {
		w.Abort()
		log.Error(fmt.Sprintf("Unexpected error during GCS streaming for %s: %v", name, err))
		return fmt.Errorf("failed to stream dump to GCS: %w", err)
	}
	if err := w.Close(); err != nil {
		log.Error(fmt.Sprintf("Unexpected error during GCS streaming for %s: %v", name, err))
		return fmt.Errorf("failed to stream dump to GCS: %w", err)
	}
	env.Summary("%swiki: copied the export of %s, %d shards, %s, to gs://%s/%s",
		o.language, exp.Date.Format("2006-01-02"), len(exp.Shards), jobs.PrettySize(w.Object().Size), bucket, name)
	return nil
}

// shardsSize adds the shards' lengths for the progress bar (0 when one is unknown).
func shardsSize(ctx context.Context, dl *jobs.Downloader, shards []string, log *slog.Logger) int64 {
	var total int64
	for _, u := range shards {
		n, err := dl.Size(ctx, u, "a shard")
		if err != nil || n < 0 {
			log.Warn(fmt.Sprintf("Could not determine size of %s: %v", u, err))
			return 0
		}
		total += n
	}
	return total
}

// copyShards streams the shards' raw bytes, in order, into w: bzip2 streams concatenate into
// one valid file, so nothing is decompressed. A shard that does not start as a bzip2 stream
// (an HTML error page served as 200, say) stops the copy.
func copyShards(ctx context.Context, dl *jobs.Downloader, shards []string, w io.Writer, progress *jobs.Progress) error {
	for i, u := range shards {
		name := fmt.Sprintf("shard %d of %d", i+1, len(shards))
		body, _, err := dl.Open(ctx, u, name)
		if err != nil {
			return err
		}
		br := bufio.NewReaderSize(body, 1<<20)
		if magic, err := br.Peek(3); err != nil || string(magic) != "BZh" {
			body.Close()
			return fmt.Errorf("%s (%s) is not a bzip2 stream", name, u)
		}
		_, err = io.Copy(w, jobs.CountBytes(br, progress))
		body.Close()
		if err != nil {
			var gerr *gcs.Error
			if errors.As(err, &gerr) {
				return err
			}
			return fmt.Errorf("cannot read %s (%s): %w", name, u, err)
		}
	}
	return nil
}
