package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mozilla-services/merino-go/index/fulltext"
	"github.com/mozilla-services/merino-go/jobs/wikipediaindexer"
	"github.com/mozilla-services/merino-go/loaders/wikipedia"
)

const indexUsage = `usage: merino index wikipedia --input FILE --out DIR [--lang en] [--fulltext] [--category-blocklist FILE.csv] [--max-docs N]

Builds the Wikipedia index of one language from a CirrusSearch content dump (the Elasticsearch
bulk format, .json or .json.gz, or JSON lines; "-" reads standard input). --lang is en, fr,
de, it or pl, each analysed as merino-py's indexer analyses it. DIR is conventionally
<index_dir>/<lang>wiki. The index is built beside DIR and moved into place at the end: an
interrupted build leaves DIR as it was, and a server watching DIR swaps the new index in.
--fulltext adds the full-text index that the provider's fallback (fallback = true) searches;
it takes most of the build's time and disk, and a server without the fallback never reads it.
`

// indexCommand runs `merino index <kind> ...`.
func indexCommand(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runIndex(ctx, args, stdout, stderr)
}

func runIndex(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "wikipedia" {
		fmt.Fprint(stderr, indexUsage)
		return 2
	}
	fs := flag.NewFlagSet("merino index wikipedia", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, indexUsage) }
	input := fs.String("input", "", "the CirrusSearch dump (.json, .json.gz, .json.bz2, JSON lines; - for stdin)")
	out := fs.String("out", "", "the index directory to write, e.g. <index_dir>/enwiki")
	lang := fs.String("lang", "en", "the wiki's language code")
	blocklist := fs.String("category-blocklist", "", "a CSV of categories to drop (name,seed,parent,level,topic)")
	maxDocs := fs.Int64("max-docs", wikipedia.DefaultMaxDocs, "N of merino-py's weight formula")
	ft := fs.Bool("fulltext", false, "add the full-text index the fallback searches")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "merino index wikipedia: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	switch {
	case *input == "":
		return fatal(stderr, errors.New("index wikipedia: --input is required"))
	case *out == "":
		return fatal(stderr, errors.New("index wikipedia: --out is required"))
	case *maxDocs <= 0:
		return fatal(stderr, fmt.Errorf("index wikipedia: --max-docs must be positive, got %d", *maxDocs))
	}
	if _, err := fulltext.AnalyzerFor(*lang); err != nil {
		return fatal(stderr, fmt.Errorf("index wikipedia: --lang: %w", err))
	}
	if os.Getenv("GOGC") == "" {
		// The heap is mostly the titles' arena, pointer-free: collecting it more often is
		// cheap, and keeps the peak near the live size (6.9M English titles: 0.77 GB of
		// RSS instead of 0.97 GB at the default 100).
		debug.SetGCPercent(25)
	}
	opts := wikipedia.Options{Out: *out, Lang: *lang, Source: *input, MaxDocs: *maxDocs, Fulltext: *ft}
	if *blocklist != "" {
		f, err := os.Open(*blocklist)
		if err != nil {
			return fatal(stderr, fmt.Errorf("index wikipedia: --category-blocklist: %w", err))
		}
		opts.CategoryBlocklist, err = wikipedia.ReadCategoryBlocklist(f)
		f.Close()
		if err != nil {
			return fatal(stderr, fmt.Errorf("index wikipedia: --category-blocklist %q: %w", *blocklist, err))
		}
	}
	var in io.Reader
	var size int64
	if *input == "-" {
		in = os.Stdin
	} else {
		f, err := os.Open(*input)
		if err != nil {
			return fatal(stderr, fmt.Errorf("index wikipedia: --input: %w", err))
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
		in = f
	}
	counted := &countingReader{r: in}
	if isTerminal(stderr) {
		bar := &progressBar{w: stderr, total: size, read: &counted.n}
		opts.Progress = bar.update
		defer bar.clear()
	}
	sum, err := wikipedia.Build(ctx, counted, opts)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "\nmerino: index wikipedia: interrupted; %s was left as it was\n", *out)
			return 130
		}
		return fatal(stderr, fmt.Errorf("index wikipedia: %w", err))
	}
	fmt.Fprintln(stdout, wikipediaindexer.SummaryLine(*lang, sum, *out))
	return 0
}

// isTerminal reports whether w is a character device (a terminal): progress bars are drawn
// only there, never into a log file or a pipe. A mode check suffices on the platforms merino
// runs on, so golang.org/x/term is not needed.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// countingReader counts the bytes read from the input file (compressed bytes for a .gz),
// which against the file size gives the progress.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// progressBar draws one line, redrawn at most five times a second.
type progressBar struct {
	w     io.Writer
	total int64
	read  *atomic.Int64
	last  time.Time
	drawn bool
}

func (b *progressBar) update(s wikipedia.Summary) {
	now := time.Now()
	if now.Sub(b.last) < 200*time.Millisecond {
		return
	}
	b.last = now
	rate := float64(s.Read) / s.Elapsed.Seconds()
	const width = 30
	bar := ""
	pct := ""
	if b.total > 0 {
		frac := min(float64(b.read.Load())/float64(b.total), 1)
		filled := int(frac * width)
		for i := 0; i < width; i++ {
			if i < filled {
				bar += "#"
			} else {
				bar += "."
			}
		}
		bar = "[" + bar + "] "
		pct = fmt.Sprintf("%3.0f%% ", frac*100)
	}
	fmt.Fprintf(b.w, "\r%s%s%d documents, %d kept, %.0f documents/s ", bar, pct, s.Read, s.Kept, rate)
	b.drawn = true
}

func (b *progressBar) clear() {
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
	}
}
