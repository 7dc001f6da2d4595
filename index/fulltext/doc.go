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
//	meta.json        format, language, build id, counts (written last: its presence marks a
//	                 complete index)
//	completion.bin   the completion table, checksummed
//	bleve/           the scorch index: title, opening_text, page id and weight of each article
//
// Builder writes into a temporary sibling directory and renames it into place at the end, so
// an interrupted build never leaves a half-written index where a server looks.
package fulltext
