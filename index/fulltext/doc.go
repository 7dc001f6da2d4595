// Package fulltext is merino-go's replacement for the Elasticsearch index behind merino-py's
// Wikipedia provider: a completion table that answers "the best titles starting with this
// prefix" in about a microsecond, beside a Bleve (scorch) index that keeps the documents and
// answers the optional full-text fallback.
//
// Elasticsearch's completion suggester is a weighted FST: the analysed title is a path, the
// weight decides the order. Bleve has no such structure, and its PrefixQuery with a field sort
// takes hundreds of milliseconds on a million titles, so the completion semantics are rebuilt
// here at index time: every analysed title (see AppendKey) is a key in a sorted table, a prefix
// is a contiguous range of it, and a segment tree over the weights gives the heaviest entries
// of any range in O(log n) without visiting the range. The table is loaded whole into memory:
// a lookup never touches the disk, never locks and never allocates.
//
// An index directory, written by Builder and read by Open, holds:
//
//	meta.json        format, language, analyzer, build id, counts, and the size and CRC-32C
//	                 of every other file (written last: its presence marks a complete index)
//	completion.bin   the completion table, checksummed again inside
//	bleve/           the scorch index: title, opening_text, page id and weight of each article
//
// Builder writes into a temporary sibling directory and renames it into place at the end, so
// an interrupted build never leaves a half-written index where a server looks.
//
// Open trusts nothing it reads: every file is checked against meta.json before use, the
// completion table is read into memory rather than mapped, and the Bleve index (opened only
// for the full-text fallback) is read from a private, verified copy and probed inside a
// recover. A damaged index is refused with ErrCorrupt; a served one cannot be disturbed by
// its files changing afterwards. Indexes are published by renaming a complete directory into
// place, never by writing into one that is served.
package fulltext
