package wikipedia

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/mozilla-services/merino-go/index/fulltext"
)

// Options configure one index build.
type Options struct {
	// Out is the index directory to write, conventionally <index_dir>/<lang>wiki.
	Out string
	// Lang is the wiki's language code, recorded in the index.
	Lang string
	// Source names the input in meta.json and logs.
	Source string
	// CategoryBlocklist drops every article with one of these categories.
	CategoryBlocklist map[string]bool
	// MaxDocs is the N of the weight formula; 0 means DefaultMaxDocs.
	MaxDocs int64
	// Fulltext adds the Bleve index the full-text fallback searches
	// (fulltext.BuildOptions.Fulltext).
	Fulltext bool
	// Progress, when set, is called about every ProgressEvery documents read, on the
	// building goroutine.
	Progress func(Summary)
}

// ProgressEvery is how many documents pass between Progress calls.
const ProgressEvery = 1000

// Summary counts what a build did with its input.
type Summary struct {
	// Read counts the documents read (bulk action lines are not documents).
	Read int
	// Kept counts the documents indexed.
	Kept int
	// Blocked counts documents dropped by the category blocklist or for an empty title (the
	// two reasons merino-py's indexer counts as blocked).
	Blocked int
	// OtherNamespace counts documents outside namespace 0.
	OtherNamespace int
	// Rejected counts documents whose weight merino-py's formula cannot give (negative,
	// undefined, over Elasticsearch's limit): merino-py's bulk request drops them too.
	Rejected int
	// Corrupt counts lines that could not be parsed.
	Corrupt int
	// Elapsed is the time since the build started.
	Elapsed time.Duration
	// IndexBytes is the size of the finished index directory.
	IndexBytes int64
	// Meta is the finished index's metadata.
	Meta fulltext.Meta
}

// Build reads a dump from in and writes the index directory opts.Out. Nothing is placed at
// opts.Out unless the whole build succeeds: on an error or when ctx is cancelled, the
// temporary directory is removed and any previous index at opts.Out is left untouched.
func Build(ctx context.Context, in io.Reader, opts Options) (Summary, error) {
	start := time.Now()
	var sum Summary
	maxDocs := opts.MaxDocs
	if maxDocs <= 0 {
		maxDocs = DefaultMaxDocs
	}
	scorer := NewScorer(maxDocs)
	r, err := NewReader(in)
	if err != nil {
		return sum, err
	}
	defer r.Close()
	b, err := fulltext.NewBuilder(opts.Out, opts.Lang, fulltext.BuildOptions{Fulltext: opts.Fulltext})
	if err != nil {
		return sum, err
	}
	committed := false
	defer func() {
		if !committed {
			b.Abort()
		}
	}()
	for {
		a, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return sum, fmt.Errorf("cannot read %s: %w", opts.Source, err)
		}
		sum.Read++
		if sum.Read%256 == 0 {
			if err := ctx.Err(); err != nil {
				return sum, err
			}
		}
		if opts.Progress != nil && sum.Read%ProgressEvery == 0 {
			sum.Corrupt = r.Corrupt
			sum.Elapsed = time.Since(start)
			opts.Progress(sum)
		}
		switch {
		case a.Namespace != 0:
			sum.OtherNamespace++
			continue
		case a.Title == "" || blocked(a.Categories, opts.CategoryBlocklist):
			sum.Blocked++
			continue
		}
		w, ok := a.Weight, a.HasWeight
		if !ok {
			w, ok = scorer.Weight(a)
		}
		if !ok {
			sum.Rejected++
			continue
		}
		err = b.Add(fulltext.Doc{PageID: a.ID, Title: a.Title, OpeningText: a.OpeningText, Weight: uint32(w)})
		if err != nil {
			return sum, err
		}
		sum.Kept++
	}
	sum.Corrupt = r.Corrupt
	if sum.Kept == 0 {
		return sum, fmt.Errorf("cannot build an index from %s: no article kept (%d read, %d corrupt lines)", opts.Source, sum.Read, sum.Corrupt)
	}
	meta, err := b.Commit(ctx, opts.Source)
	if err != nil {
		return sum, err
	}
	committed = true
	sum.Meta = meta
	sum.IndexBytes = dirSize(opts.Out)
	sum.Elapsed = time.Since(start)
	return sum, nil
}

func blocked(categories []string, blocklist map[string]bool) bool {
	for _, c := range categories {
		if blocklist[c] {
			return true
		}
	}
	return false
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
