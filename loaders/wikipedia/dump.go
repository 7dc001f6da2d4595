// Package wikipedia reads Wikipedia CirrusSearch content dumps and builds merino-go's
// Wikipedia indexes from them (index/fulltext), as merino-py's wikipedia_indexer job fills
// Elasticsearch: namespace 0, a category blocklist, and merino-py's weight for each title.
//
// A dump is the Elasticsearch bulk format, an action line ({"index":{"_id":...}}) then a
// document line, or JSON lines with one document per line; plain, gzip- or bzip2-compressed
// (detected by its magic bytes, not its name; Wikimedia's dumps are bzip2 streams, one per
// shard, concatenated). It is streamed, never loaded whole; a line that does not
// parse is counted and skipped, and the build goes on.
package wikipedia

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// MaxLineBytes bounds one line of a dump. CirrusSearch documents carry the whole article
// text, a few hundred KB at most; a longer line is counted as corrupt and skipped.
const MaxLineBytes = 64 << 20

// Article is the part of a CirrusSearch document the indexer uses.
type Article struct {
	// ID is the bulk action's _id, else the document's page_id, else "".
	ID        string
	Title     string
	Namespace int
	// The quality-score inputs of merino-py's Scorer (reference §3.3.1).
	IncomingLinks   float64
	TextBytes       float64
	PopularityScore float64
	// ExternalLinks counts `external_links`, the field merino-py reads. CirrusSearch names it
	// `external_link`, which merino-py therefore never counts; neither does this.
	ExternalLinks int
	Headings      int
	Redirects     int
	Categories    []string
	OpeningText   string
	// Weight is set (HasWeight) when the document is already a merino-py suggestion document
	// (its `suggest.weight`, as in merino-py's Elasticsearch seed data); it is then used as is.
	Weight    int64
	HasWeight bool
}

// Reader streams the articles of a dump. It is not safe for concurrent use.
type Reader struct {
	br        *bufio.Reader
	closer    io.Closer
	line      int
	pendingID *string // the _id of an action line waiting for its document
	// Corrupt counts lines that were skipped: bad JSON, wrong field types, too long.
	Corrupt int
	// Actions counts bulk action lines.
	Actions int
}

// NewReader returns a reader of r, decompressing it when it starts with the gzip or the bzip2
// magic. A bzip2 input may be several streams one after the other (a multi-stream file, as
// Wikimedia's sharded dumps concatenated): all are read.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(4)
	if len(magic) == 4 && string(magic[:3]) == "BZh" && '1' <= magic[3] && magic[3] <= '9' {
		return &Reader{br: bufio.NewReaderSize(bzip2.NewReader(br), 64<<10)}, nil
	}
	if len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("cannot read the gzip stream: %w", err)
		}
		return &Reader{br: bufio.NewReaderSize(zr, 64<<10), closer: zr}, nil
	}
	return &Reader{br: br}, nil
}

// Line is the number of lines read so far.
func (r *Reader) Line() int { return r.line }

// Next returns the next article, or io.EOF at the end. Corrupt lines are skipped and counted;
// only a read error of the underlying stream (a truncated gzip file, say) is returned.
func (r *Reader) Next() (*Article, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			return nil, err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue // a blank line, or an over-long one readLine discarded
		}
		var raw rawDoc
		if err := json.Unmarshal(line, &raw); err != nil {
			r.Corrupt++
			r.pendingID = nil
			continue
		}
		if id, isAction := raw.action(); isAction {
			r.Actions++
			r.pendingID = id
			continue
		}
		a, err := raw.article()
		if err != nil {
			r.Corrupt++
			r.pendingID = nil
			continue
		}
		if r.pendingID != nil {
			a.ID = *r.pendingID
			r.pendingID = nil
		}
		return a, nil
	}
}

// Close releases the decompressor, if any (not the underlying reader).
func (r *Reader) Close() error {
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// readLine returns the next line without its newline. A line longer than MaxLineBytes is
// discarded whole and counted as corrupt; the result is then an empty slice.
func (r *Reader) readLine() ([]byte, error) {
	var long []byte
	tooLong := false
	for {
		chunk, err := r.br.ReadSlice('\n')
		if err == nil || (errors.Is(err, io.EOF) && (len(chunk) > 0 || long != nil)) {
			r.line++
			if tooLong || len(long)+len(chunk) > MaxLineBytes {
				r.Corrupt++
				return []byte{}, nil
			}
			if long != nil {
				return append(long, chunk...), nil
			}
			return chunk, nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			if !tooLong {
				if len(long)+len(chunk) > MaxLineBytes {
					tooLong = true
					long = nil
				} else {
					long = append(long, chunk...)
				}
			}
			continue
		}
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("cannot read line %d: %w", r.line+1, err)
	}
}

// rawDoc holds every field the reader looks at, for both action and document lines. Lists
// are kept raw: only their lengths matter, except categories.
type rawDoc struct {
	Index  *bulkAction `json:"index"`
	Create *bulkAction `json:"create"`
	Delete *bulkAction `json:"delete"`
	Update *bulkAction `json:"update"`

	Title           *string           `json:"title"`
	Namespace       *float64          `json:"namespace"`
	PageID          *json.Number      `json:"page_id"`
	IncomingLinks   *float64          `json:"incoming_links"`
	TextBytes       *float64          `json:"text_bytes"`
	PopularityScore *float64          `json:"popularity_score"`
	ExternalLinks   []json.RawMessage `json:"external_links"`
	Heading         []json.RawMessage `json:"heading"`
	Redirect        []json.RawMessage `json:"redirect"`
	Category        []string          `json:"category"`
	OpeningText     *string           `json:"opening_text"`
	Suggest         *struct {
		Weight *float64 `json:"weight"`
	} `json:"suggest"`
}

type bulkAction struct {
	ID json.RawMessage `json:"_id"`
}

// action reports whether the line is a bulk action line, and its _id.
func (d *rawDoc) action() (*string, bool) {
	if d.Title != nil {
		return nil, false
	}
	var a *bulkAction
	switch {
	case d.Index != nil:
		a = d.Index
	case d.Create != nil:
		a = d.Create
	case d.Update != nil:
		a = d.Update
	case d.Delete != nil:
		// A delete has no document line; whatever follows is its own line.
		return nil, true
	default:
		return nil, false
	}
	if len(a.ID) == 0 {
		return nil, true
	}
	var s string
	if err := json.Unmarshal(a.ID, &s); err == nil {
		return &s, true
	}
	var n json.Number
	if err := json.Unmarshal(a.ID, &n); err == nil {
		s = n.String()
		return &s, true
	}
	return nil, true
}

var errBadField = errors.New("field out of range")

func (d *rawDoc) article() (*Article, error) {
	a := &Article{
		ExternalLinks: len(d.ExternalLinks),
		Headings:      len(d.Heading),
		Redirects:     len(d.Redirect),
		Categories:    d.Category,
	}
	if d.Title != nil {
		a.Title = *d.Title
	}
	if d.Namespace != nil {
		if *d.Namespace != float64(int(*d.Namespace)) {
			return nil, errBadField
		}
		a.Namespace = int(*d.Namespace)
	}
	if d.PageID != nil {
		a.ID = d.PageID.String()
		if _, err := strconv.ParseFloat(a.ID, 64); err != nil {
			return nil, errBadField
		}
	}
	if d.IncomingLinks != nil {
		a.IncomingLinks = *d.IncomingLinks
	}
	if d.TextBytes != nil {
		a.TextBytes = *d.TextBytes
	}
	if d.PopularityScore != nil {
		a.PopularityScore = *d.PopularityScore
	}
	if d.OpeningText != nil {
		a.OpeningText = *d.OpeningText
	}
	if d.Suggest != nil && d.Suggest.Weight != nil {
		w := *d.Suggest.Weight
		// Elasticsearch accepts completion weights from 0 to 2^31-1 only.
		if w < 0 || w > 1<<31-1 || w != float64(int64(w)) {
			return nil, errBadField
		}
		a.Weight, a.HasWeight = int64(w), true
	}
	return a, nil
}
