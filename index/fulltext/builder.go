package fulltext

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Doc is one article as the index keeps it.
type Doc struct {
	// PageID is the article's id in the dump (the bulk action's _id or page_id), may be "".
	PageID      string
	Title       string
	OpeningText string
	Weight      uint32
}

// Builder writes an index directory. Add documents, then Commit; Abort (or a failed Commit)
// removes everything written. A Builder is not safe for concurrent use.
type Builder struct {
	out   string
	tmp   string
	lang  string
	an    *Analyzer
	bleve bleve.Builder // nil without BuildOptions.Fulltext
	table *tableBuilder
	key   []byte
	done  bool
}

// BuildOptions say what an index holds besides its completion table.
type BuildOptions struct {
	// Fulltext adds the Bleve index of titles and opening texts that the full-text fallback
	// searches (`fallback = true`). It takes most of a build's time and disk; a server
	// without the fallback never reads it.
	Fulltext bool
}

// NewBuilder starts an index that Commit will place at out (which must not exist, or be an
// index directory written by a Builder: it is then replaced). Everything is written to a
// temporary sibling directory first, on the same file system, so that the final rename is
// atomic and nothing half-written ever sits at out.
func NewBuilder(out, lang string, o BuildOptions) (*Builder, error) {
	an, err := AnalyzerFor(lang)
	if err != nil {
		return nil, fmt.Errorf("cannot build an index: %w", err)
	}
	out = filepath.Clean(out)
	if err := checkReplaceable(out); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the parent of %q: %w", out, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), filepath.Base(out)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("cannot create a build directory beside %q: %w", out, err)
	}
	// MkdirTemp makes it private; the finished index is read by the server's user too.
	_ = os.Chmod(tmp, 0o755)
	b := &Builder{out: out, tmp: tmp, lang: lang, an: an, table: newTableBuilder()}
	if o.Fulltext {
		b.bleve, err = bleve.NewBuilder(filepath.Join(tmp, BleveDir), newMapping(lang), map[string]any{
			// The offline builder writes its segments here, inside our temporary directory,
			// rather than in $TMPDIR, so that an interrupted build leaves one thing to remove.
			"buildPathPrefix": tmp,
			"batchSize":       5000,
		})
		if err != nil {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("cannot start the Bleve index in %q: %w", tmp, err)
		}
	}
	return b, nil
}

// checkReplaceable refuses to replace a directory that is not an index: out is an operator's
// path, and Commit deletes what it replaces.
func checkReplaceable(out string) error {
	st, err := os.Stat(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot use %q as the output: %w", out, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("cannot use %q as the output: it is a file", out)
	}
	if _, err := os.Stat(filepath.Join(out, MetaFile)); err != nil {
		entries, _ := os.ReadDir(out)
		if len(entries) > 0 {
			return fmt.Errorf("cannot replace %q: it exists and is not an index directory (no %s)", out, MetaFile)
		}
	}
	return nil
}

// textAnalyzers are the Bleve analyzers of the opening text, by language: stemming and stop
// words of the language where Bleve has them.
var textAnalyzers = map[string]string{"en": en.AnalyzerName, "fr": fr.AnalyzerName, "de": de.AnalyzerName, "it": it.AnalyzerName}

func newMapping(lang string) mapping.IndexMapping {
	title := mapping.NewTextFieldMapping()
	title.Analyzer = standard.Name
	title.IncludeInAll = false
	title.IncludeTermVectors = false
	title.DocValues = false
	text := mapping.NewTextFieldMapping()
	text.Analyzer = standard.Name
	if a, ok := textAnalyzers[lang]; ok {
		text.Analyzer = a
	}
	// The fallback matches the opening text but serves the title: storing the text too would
	// double the index (3.4 GB for 6.9M English articles) and the time its merges take.
	text.Store = false
	text.IncludeInAll = false
	text.IncludeTermVectors = false
	text.DocValues = false
	stored := func(m *mapping.FieldMapping) *mapping.FieldMapping {
		m.Index = false
		m.IncludeInAll = false
		m.DocValues = false
		return m
	}
	doc := mapping.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("title", title)
	doc.AddFieldMappingsAt("opening_text", text)
	doc.AddFieldMappingsAt("page_id", stored(mapping.NewKeywordFieldMapping()))
	doc.AddFieldMappingsAt("weight", stored(mapping.NewNumericFieldMapping()))
	m := mapping.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = standard.Name
	return m
}

// bleveDoc is what Bleve indexes for a Doc.
type bleveDoc struct {
	Title       string  `json:"title"`
	OpeningText string  `json:"opening_text"`
	PageID      string  `json:"page_id"`
	Weight      float64 `json:"weight"`
}

// Add indexes one document: its title becomes a completion entry with its weight, and the
// document goes to Bleve when the index has a full-text part.
func (b *Builder) Add(d Doc) error {
	if b.done {
		return errors.New("BUG: Add after Commit or Abort")
	}
	b.key = b.an.AppendKey(b.key[:0], TruncateInput(d.Title))
	id := strconv.Itoa(b.table.len())
	if err := b.table.add(b.key, d.Title, d.Weight); err != nil {
		return err
	}
	if b.bleve == nil {
		return nil
	}
	err := b.bleve.Index(id, bleveDoc{Title: d.Title, OpeningText: d.OpeningText, PageID: d.PageID, Weight: float64(d.Weight)})
	if err != nil {
		return fmt.Errorf("cannot index %q: %w", d.Title, err)
	}
	return nil
}

// Len is the number of documents added.
func (b *Builder) Len() int { return b.table.len() }

// Commit finishes the Bleve index, writes the completion table and meta.json, and moves the
// directory into place, replacing a previous index there. The previous index's files are
// unlinked, not rewritten: a server that still has it open keeps reading it until it closes
// it. ctx is checked between the steps; cancelling it aborts the build.
func (b *Builder) Commit(ctx context.Context, source string) (Meta, error) {
	if b.done {
		return Meta{}, errors.New("BUG: Commit after Commit or Abort")
	}
	meta, err := b.commit(ctx, source)
	if err != nil {
		b.Abort()
		return Meta{}, err
	}
	b.done = true
	return meta, nil
}

func (b *Builder) commit(ctx context.Context, source string) (Meta, error) {
	if b.table.len() == 0 {
		return Meta{}, errors.New("cannot build an index without documents")
	}
	if b.bleve != nil {
		if err := b.bleve.Close(); err != nil {
			return Meta{}, fmt.Errorf("cannot finish the Bleve index: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return Meta{}, err
	}
	if err := writeFileSync(filepath.Join(b.tmp, CompletionFile), b.table.writeTo); err != nil {
		return Meta{}, err
	}
	// Every file is checksummed now that none will change: Open verifies each one it reads.
	files, err := sumFiles(b.tmp)
	if err != nil {
		return Meta{}, err
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	meta := Meta{
		Format:    FormatVersion,
		Lang:      b.lang,
		Analyzer:  b.an.Name(),
		BuildID:   time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(id[:]),
		Created:   time.Now().UTC().Truncate(time.Second),
		Documents: b.table.len(),
		Fulltext:  b.bleve != nil,
		Source:    source,
		Files:     files,
	}
	mj, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return Meta{}, err
	}
	mj = append(mj, '\n')
	if err := writeFileSync(filepath.Join(b.tmp, MetaFile), func(w io.Writer) error { _, err := w.Write(mj); return err }); err != nil {
		return Meta{}, err
	}
	if err := ctx.Err(); err != nil {
		return Meta{}, err
	}
	return meta, b.moveIntoPlace()
}

// moveIntoPlace renames the build directory to out. A directory cannot be renamed over a
// non-empty one, so a previous index is first renamed aside and removed afterwards; between
// the two renames out is briefly absent, which a server polling it reads as "no change".
func (b *Builder) moveIntoPlace() error {
	if err := checkReplaceable(b.out); err != nil {
		return err
	}
	var old string
	if _, err := os.Stat(b.out); err == nil {
		old = b.tmp + ".old"
		if err := os.Rename(b.out, old); err != nil {
			return fmt.Errorf("cannot move the previous index %q aside: %w", b.out, err)
		}
	}
	if err := os.Rename(b.tmp, b.out); err != nil {
		if old != "" {
			_ = os.Rename(old, b.out)
		}
		return fmt.Errorf("cannot move the new index to %q: %w", b.out, err)
	}
	syncDir(filepath.Dir(b.out))
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("the new index is in place, but the previous one could not be removed from %q: %w", old, err)
		}
	}
	return nil
}

// Abort removes everything the builder wrote. It is safe to call more than once.
func (b *Builder) Abort() {
	if b.done {
		return
	}
	b.done = true
	// The Bleve builder is not closed: closing it merges every segment written so far (minutes
	// on a large dump, after an operator's ^C), and it holds no file open between batches.
	_ = os.RemoveAll(b.tmp)
}

// TempDir is the temporary build directory (for tests and progress output).
func (b *Builder) TempDir() string { return b.tmp }

// writeFileSync creates path, lets write fill it, and syncs it to disk.
func writeFileSync(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("cannot create %q: %w", path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %q: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("cannot sync %q: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write %q: %w", path, err)
	}
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// TruncateInput cuts s to MaxInputLength UTF-16 code units, never splitting a surrogate pair,
// as the completion field's max_input_length does before analysis.
func TruncateInput(s string) string {
	units := 0
	for i, r := range s {
		u := 1
		if r >= 0x10000 {
			u = 2
		}
		if units+u > MaxInputLength {
			return s[:i]
		}
		units += u
	}
	return s
}
