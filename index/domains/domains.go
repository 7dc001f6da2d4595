// Package domains is the Top Picks index: navigational suggestions found by a prefix of a
// site's second-level domain label ("goog" → google) or of a known misspelling of it.
//
// It reproduces merino-py's three-map build (top_picks backend build_index) exactly:
//   - short: queries of firefox_char_limit..query_char_limit-1 characters, filled from domains
//     that are themselves shorter than query_char_limit (and from their short similars);
//   - primary: prefixes of at least query_char_limit characters of every domain;
//   - secondary: the same for every similar (misspelling), consulted when primary misses.
//
// The first domain added for a key wins, so file order (rank) decides ties. An Index is
// immutable once built and safe for concurrent reads.
package domains

import "unicode/utf8"

// Options are the two length limits of merino-py's top_picks provider.
type Options struct {
	// QueryCharLimit is query_char_limit: the shortest query the primary and secondary maps
	// answer (4).
	QueryCharLimit int
	// FirefoxCharLimit is firefox_char_limit: the shortest query answered at all (2).
	FirefoxCharLimit int
}

// Builder collects domains in file order. Lengths are counted in code points, as Python's
// len() counts them.
type Builder struct {
	opts                      Options
	short, primary, secondary map[string]int32
	queryMax                  int
	n                         int32
}

// NewBuilder returns an empty builder.
func NewBuilder(opts Options) *Builder {
	return &Builder{
		opts:      opts,
		short:     map[string]int32{},
		primary:   map[string]int32{},
		secondary: map[string]int32{},
		queryMax:  opts.QueryCharLimit,
	}
}

// Add indexes one domain label (already stripped and lower-cased by the caller, as merino-py
// does) and its similars (used as given, as merino-py does) and returns the id that Lookup
// will answer with for it: ids count up from 0 in the order of Add.
func (b *Builder) Add(domain string, similars []string) int32 {
	id := b.n
	b.n++
	qcl, fcl := b.opts.QueryCharLimit, b.opts.FirefoxCharLimit
	n := utf8.RuneCountInString(domain)
	b.queryMax = max(b.queryMax, n)
	if fcl <= n && n <= qcl-1 {
		addPrefixes(b.short, domain, fcl, n, id)
		for _, s := range similars {
			if sn := utf8.RuneCountInString(s); sn < qcl {
				addPrefixes(b.short, s, fcl, sn, id)
			}
		}
	}
	addPrefixes(b.primary, domain, qcl, n, id)
	for _, s := range similars {
		sn := utf8.RuneCountInString(s)
		b.queryMax = max(b.queryMax, sn)
		addPrefixes(b.secondary, s, qcl, sn, id)
	}
	return id
}

// addPrefixes maps every prefix of s of from..to code points to id, unless taken.
func addPrefixes(m map[string]int32, s string, from, to int, id int32) {
	count := 0
	for i := range s {
		if count >= from && count <= to {
			if _, taken := m[s[:i]]; !taken {
				m[s[:i]] = id
			}
		}
		count++
	}
	if count >= from && count <= to {
		if _, taken := m[s]; !taken {
			m[s] = id
		}
	}
}

// Build returns the immutable index. The builder must not be used afterwards.
func (b *Builder) Build() *Index {
	idx := &Index{opts: b.opts, short: b.short, primary: b.primary, secondary: b.secondary, queryMax: b.queryMax, size: int(b.n)}
	b.short, b.primary, b.secondary = nil, nil, nil
	return idx
}

// Index answers normalised queries with the id of a domain.
type Index struct {
	opts                      Options
	short, primary, secondary map[string]int32
	queryMax                  int
	size                      int
}

// Len is the number of domains added.
func (idx *Index) Len() int { return idx.size }

// Keys is the number of distinct keys in the three maps, for metrics.
func (idx *Index) Keys() int { return len(idx.short) + len(idx.primary) + len(idx.secondary) }

// QueryMax is the longest domain or similar, in code points: longer queries never match.
func (idx *Index) QueryMax() int { return idx.queryMax }

// Lookup returns the id for a query that is already normalised (stripped, lower-cased, as
// merino-py's normalize_query does). It does not allocate: indexing a map with string(b)
// does not copy b.
func (idx *Index) Lookup(q []byte) (int32, bool) {
	qcl, fcl := idx.opts.QueryCharLimit, idx.opts.FirefoxCharLimit
	n := utf8.RuneCount(q)
	switch {
	case fcl <= n && n < qcl:
		id, ok := idx.short[string(q)]
		return id, ok
	case qcl <= n && n <= idx.queryMax:
		if id, ok := idx.primary[string(q)]; ok {
			return id, true
		}
		id, ok := idx.secondary[string(q)]
		return id, ok
	}
	return 0, false
}
