package wikipedia

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/mozilla-services/merino-go/index/fulltext"
	"github.com/mozilla-services/merino-go/loaders"
)

// IndexDir is where a language's index lives under index_dir: <index_dir>/<lang>wiki, the
// directory `merino index wikipedia --out` writes.
func IndexDir(indexDir, lang string) string { return filepath.Join(indexDir, lang+"wiki") }

// IndexSource is a loaders.Source that watches one index directory: its content is the
// directory's meta.json, whose build id changes with every build, so a Syncer polling it
// notices a new index. A missing index is not an error: it is logged once (that language
// answers nothing) and reads as unchanged until the directory appears.
type IndexSource struct {
	dir   string
	log   *slog.Logger
	once  sync.Once
	inner loaders.Source
}

// NewIndexSource watches dir.
func NewIndexSource(dir string, log *slog.Logger) *IndexSource {
	src, _ := loaders.NewSource(filepath.Join(dir, fulltext.MetaFile), loaders.HTTPOptions{})
	return &IndexSource{dir: dir, log: log, inner: src}
}

// String implements loaders.Source.
func (s *IndexSource) String() string { return s.dir }

// Fetch implements loaders.Source.
func (s *IndexSource) Fetch(ctx context.Context, prev loaders.Version) ([]byte, loaders.Version, bool, error) {
	if _, err := os.Stat(filepath.Join(s.dir, fulltext.MetaFile)); errors.Is(err, fs.ErrNotExist) {
		s.once.Do(func() {
			s.log.Warn("no Wikipedia index: this language answers nothing until one is built", "index", s.dir)
		})
		return nil, prev, false, nil
	}
	return s.inner.Fetch(ctx, prev)
}

// Loader returns the Apply function of a Syncer on NewIndexSource(dir): it opens the index
// in dir, verifies it (fulltext.Open: checksums, and a probe of Bleve when the provider's
// fallback needs it), and swaps it in as language lang of p. The meta.json bytes only tell
// that something changed; the index is read from dir itself. A failure leaves the current
// index serving. An index found corrupt, or without the full-text part the fallback needs, is
// not read again until a new build replaces it (a new build id): verifying a large one costs
// seconds of I/O, and the syncer retries.
func Loader(p *Provider, lang, dir string) func([]byte) (int, error) {
	var current string // build id being served
	var corruptID string
	var corruptErr error
	return func([]byte) (int, error) {
		meta, err := fulltext.ReadMeta(dir)
		if err != nil {
			return 0, err
		}
		if meta.BuildID == current && current != "" {
			return meta.Documents, nil
		}
		if meta.BuildID == corruptID && corruptID != "" {
			return 0, corruptErr
		}
		if meta.Lang != "" && meta.Lang != lang {
			return 0, fmt.Errorf("cannot serve %q as %s: it was built for %q", dir, lang, meta.Lang)
		}
		ix, err := fulltext.Open(dir, fulltext.OpenOptions{Fulltext: p.Fallback})
		if err != nil {
			if errors.Is(err, fulltext.ErrCorrupt) || errors.Is(err, fulltext.ErrNoFulltext) {
				corruptID, corruptErr = meta.BuildID, err
			}
			return 0, err
		}
		if ix.Completion.Len() == 0 {
			ix.Close()
			return 0, fmt.Errorf("%w (%s)", loaders.ErrEmpty, dir)
		}
		old := p.Current(lang)
		if err := p.Swap(lang, ix); err != nil {
			ix.Close()
			return 0, err
		}
		current = ix.Meta.BuildID
		if old != nil && old.Completion.Bytes() >= freeAbove {
			freeReplaced()
		}
		return ix.Completion.Len(), nil
	}
}

// freeAbove is the size of a replaced table worth returning to the system at once.
const freeAbove = 64 << 20

// freeReplaced returns the memory of a replaced index to the system: "build aside, swap,
// free". Left to the garbage collector, hundreds of megabytes would stay resident until the
// heap doubled, so every reload would add the size of a table to the process's memory. The
// short wait lets the queries that loaded the old table finish with it first.
func freeReplaced() {
	time.Sleep(100 * time.Millisecond)
	debug.FreeOSMemory()
}
