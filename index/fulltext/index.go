package fulltext

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// FormatVersion is written to meta.json; Open refuses other versions. Version 2 analyses each
// language with its own analyzer (format 1 analysed every language as English), records which,
// and checksums every file.
const FormatVersion = 2

// The files of an index directory.
const (
	MetaFile       = "meta.json"
	CompletionFile = "completion.bin"
	BleveDir       = "bleve"
)

// Meta describes one built index. Its file is written last: a directory without it is not an
// index.
type Meta struct {
	Format int    `json:"format"`
	Lang   string `json:"lang"`
	// Analyzer names the analysis of the completion keys (Analyzer.Name): queries are
	// analysed with the same one.
	Analyzer  string    `json:"analyzer"`
	BuildID   string    `json:"build_id"`
	Created   time.Time `json:"created"`
	Documents int       `json:"documents"`
	// Fulltext tells whether the index has its Bleve part (BuildOptions.Fulltext).
	Fulltext bool `json:"fulltext"`
	// Source names the dump the index was built from, for operators.
	Source string `json:"source,omitempty"`
	// Files are the size and CRC-32C of every other file of the directory, by slash-separated
	// path relative to it: Open reads nothing that does not match.
	Files map[string]FileSum `json:"files"`
}

// FileSum is one file's size and checksum.
type FileSum struct {
	Size   int64  `json:"size"`
	CRC32C uint32 `json:"crc32c"`
}

// ErrCorrupt is wrapped by every error of Open that finds an index's files damaged or
// changed since they were built.
var ErrCorrupt = errors.New("corrupt index")

// ErrNoFulltext is returned by Search and Document on an index opened without its full-text
// part, and by Open when asked for a part the index was built without.
var ErrNoFulltext = errors.New("no full-text part")

// Index is an opened index directory: the completion table in memory and, when asked for,
// the Bleve index, read-only. It is safe for concurrent use until Close.
type Index struct {
	Meta       Meta
	Completion *Completion
	// Analyzer is the analysis the completion keys were built with: queries must go through
	// it.
	Analyzer *Analyzer
	dir      string
	// bleve is nil unless opened with OpenOptions.Fulltext; it reads the private copy in
	// copyDir, which Close removes.
	bleve     bleve.Index
	copyDir   string
	closeOnce sync.Once
	closeErr  error
}

// ReadMeta reads dir's meta.json.
func ReadMeta(dir string) (Meta, error) {
	var m Meta
	data, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if err != nil {
		return m, fmt.Errorf("cannot read the index metadata: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("cannot parse %q: %w", filepath.Join(dir, MetaFile), err)
	}
	if m.Format == 1 {
		return m, fmt.Errorf("cannot open %q: it was built by an older merino-go (index format 1, which analysed every language as English): rebuild it with `merino index wikipedia`", dir)
	}
	if m.Format != FormatVersion {
		return m, fmt.Errorf("cannot open %q: index format %d, this build reads %d: rebuild it with this build's `merino index wikipedia`", dir, m.Format, FormatVersion)
	}
	return m, nil
}

// OpenOptions say what Open reads.
type OpenOptions struct {
	// Fulltext opens the Bleve index too, for Search and Document. Without it only
	// meta.json and the completion table are read, and Bleve's files are never touched.
	Fulltext bool
	// CopyDir is where the private copy of the Bleve index goes (see Open); "" is the
	// system's temporary directory.
	CopyDir string
}

// Open opens the index directory dir read-only and verifies everything it reads, so that a
// damaged index is refused with an error instead of crashing the process:
//
//   - the completion table is read whole into memory (never mapped: a later change of the
//     file cannot reach it), checked against meta.json's checksum, then for bounds and order;
//   - with o.Fulltext, Bleve's files are copied into a private directory under o.CopyDir,
//     checksummed as they are copied, and the copy is opened and probed (inside a recover:
//     Bleve panics on some damaged segments). Bleve memory-maps its segments, and a mapped
//     file that is truncated or rewritten in place (cp over a served index) kills the
//     process with SIGBUS; nobody else writes the private copy.
//
// Operators publish a new index by renaming a complete directory into place (`merino index
// wikipedia` does), never by copying files over a served one; an index changed in place is
// refused at its next load, and the one being served goes on from what was verified.
func Open(dir string, o OpenOptions) (*Index, error) {
	meta, err := ReadMeta(dir)
	if err != nil {
		return nil, err
	}
	an, err := AnalyzerNamed(meta.Analyzer)
	if err != nil {
		return nil, fmt.Errorf("cannot open %q: %w", dir, err)
	}
	if o.Fulltext && !meta.Fulltext {
		return nil, fmt.Errorf("cannot open the full-text part of %q: %w (`merino index wikipedia --fulltext` builds one)", dir, ErrNoFulltext)
	}
	data, err := readVerified(dir, CompletionFile, meta.Files)
	if err != nil {
		return nil, err
	}
	c, err := unmarshalCompletion(data, true)
	if err != nil {
		return nil, fmt.Errorf("cannot load %q: %w", filepath.Join(dir, CompletionFile), err)
	}
	if c.Len() != meta.Documents {
		return nil, fmt.Errorf("%w: %q has %d completion entries for %d documents", ErrCorrupt, dir, c.Len(), meta.Documents)
	}
	ix := &Index{Meta: meta, Completion: c, Analyzer: an, dir: dir}
	if o.Fulltext {
		if err := ix.openFulltext(o.CopyDir); err != nil {
			return nil, err
		}
	}
	return ix, nil
}

// Dir is the directory the index was opened from.
func (ix *Index) Dir() string { return ix.dir }

// Fulltext reports whether the Bleve index is open (OpenOptions.Fulltext).
func (ix *Index) Fulltext() bool { return ix.bleve != nil }

// Close closes the Bleve index and removes its private copy; later calls do nothing. The
// completion table stays usable (it is plain memory); Search and Document fail from now on.
func (ix *Index) Close() error {
	ix.closeOnce.Do(func() {
		if ix.bleve != nil {
			ix.closeErr = ix.bleve.Close()
			releaseCopy(ix.copyDir)
		}
	})
	return ix.closeErr
}

// Document fetches a stored document by its Bleve id: the decimal position at which the
// builder added it (the completion table is sorted, so this is not an entry index). ok is
// false when there is no such document. The opening text is indexed, not stored: it comes
// back empty.
func (ix *Index) Document(ctx context.Context, id string) (d Doc, ok bool, err error) {
	if ix.bleve == nil {
		return d, false, ErrNoFulltext
	}
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery([]string{id}), 1, 0, false)
	req.Fields = []string{"title", "page_id", "weight"}
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return d, false, fmt.Errorf("cannot fetch document %q: %w", id, err)
	}
	if len(res.Hits) == 0 {
		return d, false, nil
	}
	return docFromFields(res.Hits[0].Fields), true, nil
}

func docFromFields(f map[string]any) Doc {
	var d Doc
	d.Title, _ = f["title"].(string)
	d.PageID, _ = f["page_id"].(string)
	if w, ok := f["weight"].(float64); ok && w >= 0 && w <= 1<<32-1 {
		d.Weight = uint32(w)
	}
	return d
}

// MinFallbackRunes is the shortest query the full-text fallback answers: shorter ones match
// too much to mean anything.
const MinFallbackRunes = 4

// Search is the full-text fallback: the best k titles for q, matched with typo tolerance
// (edit distance 1, first character exact) on the title and plainly on the opening text, all
// query words required in one field, ranked by Bleve's relevance. q is matched as text, never
// parsed as query syntax. It appends the titles to dst.
func (ix *Index) Search(ctx context.Context, dst []string, q string, k int) ([]string, error) {
	if utf8.RuneCountInString(q) < MinFallbackRunes || k <= 0 {
		return dst, nil
	}
	if ix.bleve == nil {
		return dst, ErrNoFulltext
	}
	title := query.NewMatchQuery(q)
	title.SetField("title")
	title.SetFuzziness(1)
	title.SetPrefix(1)
	title.SetOperator(query.MatchQueryOperatorAnd)
	title.SetBoost(3)
	text := query.NewMatchQuery(q)
	text.SetField("opening_text")
	text.SetOperator(query.MatchQueryOperatorAnd)
	req := bleve.NewSearchRequestOptions(query.NewDisjunctionQuery([]query.Query{title, text}), k, 0, false)
	req.Fields = []string{"title"}
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return dst, fmt.Errorf("cannot search %q: %w", ix.dir, err)
	}
	for _, h := range res.Hits {
		if t, ok := h.Fields["title"].(string); ok {
			dst = append(dst, t)
		}
	}
	return dst, nil
}
