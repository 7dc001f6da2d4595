// Package keywords is the keyword index of sponsored (AMP) suggestions: the collapsed keyword
// table that answers exact keystroke queries, and a SymSpell delete index that rescues one-typo
// queries. It reproduces the index merino-py delegates to Rust (moz-merino-ext 0.3.3,
// src/amp/{domain,index,sym}.rs) result for result, in a more compact layout.
//
// An Index is immutable once built and safe for concurrent use. It knows suggestions only by
// their position in the builder's input; rendering them is the caller's business.
package keywords

import (
	"bytes"
	"sort"
	"unicode/utf8"
	"unsafe"
)

// FullKeyword is one run of the run-length-encoded full_keywords list of an AMP record: the
// full keyword shown for the next Repeat keywords.
type FullKeyword struct {
	Keyword string
	Repeat  uint64
}

// sameAsKey marks an entry whose full keyword is its key (moz-merino-ext's FullKeyword::Same).
const sameAsKey = ^uint32(0)

// DefaultFuzzyMinLen is moz-merino-ext's SymIndex::FUZZY_MIN_LEN: full keywords shorter than
// this (in characters) are not indexed for fuzzy matching, and shorter queries are not tried.
const DefaultFuzzyMinLen = 5

// Builder collects the keywords of suggestions, in input order. It is not safe for concurrent
// use; Build may be called once.
type Builder struct {
	// entries maps a collapsed key to its entry; a later suggestion overwrites an identical
	// key, as the Rust BTreeMap insert does.
	entries map[string]entry
	// fullIDs numbers the distinct full keywords an entry refers to.
	fullIDs  map[string]uint32
	fullList []string
	// fuzzy lists the distinct full keywords of all records, in first-appearance order: the
	// SymSpell vocabulary (moz-merino-ext's `full_keywords`).
	fuzzy     []string
	fuzzySeen map[string]bool
	n         uint32
	keywords  int
}

type entry struct {
	sugg      uint32
	minPrefix uint32 // characters the query must have
	full      uint32 // index into fullList, or sameAsKey
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	return &Builder{
		entries:   map[string]entry{},
		fullIDs:   map[string]uint32{},
		fuzzySeen: map[string]bool{},
	}
}

// Add indexes the keywords of the next suggestion and returns its number (0, 1, 2, ...).
//
// As in moz-merino-ext, keywords are zipped with the expanded full keywords and the zip stops
// at the shorter list: a record without full_keywords contributes no keyword at all. Each
// maximal run of keywords where every next one extends the previous by exactly one character
// collapses into one key (the run's last keyword), answerable from the run's first length on,
// whose full keyword is the full keyword of the run's LAST element: the whole run reports it.
func (b *Builder) Add(keywords []string, full []FullKeyword) uint32 {
	id := b.n
	b.n++
	b.keywords += len(keywords)

	// Expand the RLE lazily, without materialising huge repeat counts.
	fks := make([]string, 0, min(len(keywords), 1024))
	for _, fk := range full {
		for r := uint64(0); r < fk.Repeat && len(fks) < len(keywords); r++ {
			fks = append(fks, fk.Keyword)
		}
		if len(fks) == len(keywords) {
			break
		}
	}
	kws := keywords[:len(fks)]

	for i := 0; i < len(kws); {
		cur := kws[i]
		curLen := utf8.RuneCountInString(cur)
		j, prev := i+1, cur
		for j < len(kws) && len(kws[j]) > len(prev) && kws[j][:len(prev)] == prev &&
			utf8.RuneCountInString(kws[j]) == curLen+(j-i) {
			prev = kws[j]
			j++
		}
		last := j - 1
		b.entries[kws[last]] = entry{sugg: id, minPrefix: uint32(curLen), full: b.fullID(kws[last], fks[last])}
		i = j
	}

	// The fuzzy vocabulary is every distinct full keyword of the record, zipped or not.
	for _, fk := range full {
		if !b.fuzzySeen[fk.Keyword] {
			b.fuzzySeen[fk.Keyword] = true
			b.fuzzy = append(b.fuzzy, fk.Keyword)
		}
	}
	return id
}

func (b *Builder) fullID(key, full string) uint32 {
	if key == full {
		return sameAsKey
	}
	id, ok := b.fullIDs[full]
	if !ok {
		id = uint32(len(b.fullList))
		b.fullIDs[full] = id
		b.fullList = append(b.fullList, full)
	}
	return id
}

// Options tune an index.
type Options struct {
	// FuzzyMinLen is the shortest full keyword (and query) in characters the fuzzy index
	// considers; 0 means DefaultFuzzyMinLen. A negative value disables the fuzzy index.
	FuzzyMinLen int
}

// Index answers exact and fuzzy keyword queries.
type Index struct {
	// keys holds every collapsed key, sorted bytewise, back to back; key i is
	// keys[offs[i]:offs[i+1]].
	keys []byte
	offs []uint32
	ents []entry
	full []string
	// runStart is, for each block of runBlock keys, the earliest length (in characters) at
	// which one of its runs answers.
	runStart []uint32

	sym symIndex

	suggestions int
	keywords    int
	fullCount   int
}

// Build finishes the index. The builder must not be used afterwards.
func (b *Builder) Build(opts Options) *Index {
	ix := &Index{full: b.fullList, suggestions: int(b.n), keywords: b.keywords, fullCount: len(b.fuzzy)}
	sorted := make([]string, 0, len(b.entries))
	size := 0
	for k := range b.entries {
		sorted = append(sorted, k)
		size += len(k)
	}
	sort.Strings(sorted)
	ix.keys = make([]byte, 0, size)
	ix.offs = make([]uint32, 0, len(sorted)+1)
	ix.ents = make([]entry, 0, len(sorted))
	for _, k := range sorted {
		ix.offs = append(ix.offs, uint32(len(ix.keys)))
		ix.keys = append(ix.keys, k...)
		ix.ents = append(ix.ents, b.entries[k])
	}
	ix.offs = append(ix.offs, uint32(len(ix.keys)))
	ix.runStart = make([]uint32, (len(ix.ents)+runBlock-1)/runBlock)
	for i, e := range ix.ents {
		if b := i / runBlock; i%runBlock == 0 || e.minPrefix < ix.runStart[b] {
			ix.runStart[b] = e.minPrefix
		}
	}
	minLen := opts.FuzzyMinLen
	if minLen == 0 {
		minLen = DefaultFuzzyMinLen
	}
	if minLen > 0 {
		ix.sym = buildSym(b.fuzzy, minLen)
	}
	*b = Builder{}
	return ix
}

func (ix *Index) key(i int) []byte { return ix.keys[ix.offs[i]:ix.offs[i+1]] }

// Hit is one match: the suggestion's number and the full keyword to report.
//
// FullKeyword may point into the index's memory; it stays valid as long as the index is
// reachable and must not be modified.
type Hit struct {
	Suggestion  uint32
	FullKeyword string
}

// Lookup is moz-merino-ext's exact query: among the keys >= q in byte order that start with
// q, the first whose collapsed run starts at or before len(q) characters wins. This is an exact
// match against the original keyword lists, except that every keyword of a collapsed run
// reports the run's last full keyword. It does not allocate.
func (ix *Index) Lookup(q []byte) (Hit, bool) {
	n := len(ix.ents)
	i := sort.Search(n, func(i int) bool { return bytes.Compare(ix.key(i), q) >= 0 })
	qlen := -1
	// The answer is nearly always among the first keys; a query shorter than every run
	// under it (one letter against a production segment: ~20,000 keys) would otherwise be
	// answered by reading them all.
	for stop := min(n, i+lookupScan); i < stop; i++ {
		if !bytes.HasPrefix(ix.key(i), q) {
			return Hit{}, false
		}
		if qlen < 0 {
			qlen = utf8.RuneCount(q)
		}
		if e := &ix.ents[i]; uint64(qlen) >= uint64(e.minPrefix) {
			return Hit{Suggestion: e.sugg, FullKeyword: ix.fullKeyword(i, e)}, true
		}
	}
	// The keys that start with q end at end; skip the blocks whose every run starts later
	// than qlen characters.
	end := i + sort.Search(n-i, func(j int) bool { return !bytes.HasPrefix(ix.key(i+j), q) })
	if qlen < 0 {
		qlen = utf8.RuneCount(q)
	}
	for i < end {
		if i%runBlock == 0 && uint64(ix.runStart[i/runBlock]) > uint64(qlen) {
			i += runBlock
			continue
		}
		if e := &ix.ents[i]; uint64(qlen) >= uint64(e.minPrefix) {
			return Hit{Suggestion: e.sugg, FullKeyword: ix.fullKeyword(i, e)}, true
		}
		i++
	}
	return Hit{}, false
}

// lookupScan is how many keys Lookup reads one by one before it skips by blocks.
const lookupScan = 8

// runBlock is the size of the blocks of keys Index.runStart summarises.
const runBlock = 64

func (ix *Index) fullKeyword(i int, e *entry) string {
	if e.full != sameAsKey {
		return ix.full[e.full]
	}
	k := ix.key(i)
	if len(k) == 0 {
		return ""
	}
	// The key bytes are never modified after Build: a string view of them is safe.
	return unsafe.String(&k[0], len(k))
}

// Fuzzy appends to dst, in moz-merino-ext's order (the order in which full keywords first
// appeared in the data), the exact Lookup of every indexed full keyword at Damerau-Levenshtein
// distance exactly 1 from q (equal strings excluded; q must have at least FuzzyMinLen
// characters). A candidate whose own lookup finds nothing adds nothing. De-duplication by
// block id and merino-py's guardrails are the caller's: they depend on the suggestions.
//
// With a stack-backed dst and a query of up to maxFuzzyQuery characters it does not allocate.
func (ix *Index) Fuzzy(q []byte, dst []Hit) []Hit {
	var ids [64]uint32
	cands := ix.sym.candidates(q, ids[:0])
	for _, id := range cands {
		h, ok := ix.Lookup(ix.sym.word(id))
		if ok {
			dst = append(dst, h)
		}
	}
	return dst
}

// Stats describes an index, with moz-merino-ext's stats() names where they exist.
type Stats struct {
	// KeywordIndexSize is the number of collapsed keys (keyword_index_size).
	KeywordIndexSize int
	// Suggestions is suggestions_count; Keywords the keywords given to the builder.
	Suggestions int
	Keywords    int
	// FullKeywords is full_keywords_count; FuzzyKeywords the ones long enough for the fuzzy
	// index (fuzzy_keywords_count); DeleteIndexSize its distinct keys (fuzzy_delete_index_size,
	// counted by hash).
	FullKeywords    int
	FuzzyKeywords   int
	DeleteIndexSize int
	// Bytes is the memory the index holds (keys, entries, full keywords, fuzzy index),
	// excluding Go's per-object overhead.
	Bytes int
}

// Stats returns the index's counts and size.
func (ix *Index) Stats() Stats {
	s := Stats{
		KeywordIndexSize: len(ix.ents),
		Suggestions:      ix.suggestions,
		Keywords:         ix.keywords,
		FullKeywords:     ix.fullCount,
		FuzzyKeywords:    len(ix.sym.wordOffs) - 1,
		DeleteIndexSize:  ix.sym.distinct,
	}
	if s.FuzzyKeywords < 0 {
		s.FuzzyKeywords = 0
	}
	s.Bytes = cap(ix.keys) + 4*cap(ix.offs) + int(unsafe.Sizeof(entry{}))*cap(ix.ents) + 16*cap(ix.full) + 4*cap(ix.runStart)
	for _, f := range ix.full {
		s.Bytes += len(f)
	}
	s.Bytes += ix.sym.bytes()
	return s
}

// Len is the number of collapsed keys.
func (ix *Index) Len() int { return len(ix.ents) }
