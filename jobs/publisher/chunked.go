package publisher

import (
	"context"
	"fmt"
	"strconv"

	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/kinto"
)

// Chunked uploads items in records of at most a chunk size each: merino-py's
// ChunkedRemoteSettingsUploader. Items are added one by one; each full chunk is uploaded at
// once and Finish uploads the last. A chunk's record is {"id": "<type>-<start>-<end>",
// "type": <type>} (or what WithRecord makes), its attachment the JSON array of its items.
// start and end are item indexes, zero-padded to the digits of the total (total 1999, chunk
// 500: -0000-0500 ... -1500-1999), not padded when the total is unknown (0).
//
// Unlike merino-py, which deletes every record of the type and uploads every chunk again,
// a chunk whose record is already published with the same fields and attachment is not sent,
// and DeleteStale deletes only the records this run does not produce: a run over unchanged
// data writes nothing, and leaves a collection under review alone.
type Chunked struct {
	p          *Publisher
	recordType string
	size       int
	total      int
	places     int
	record     func(start, end string) jsonw.Object
	existing   map[string]kinto.Record
	items      []any
	start      int
}

// Chunked returns a chunked uploader of recordType records of size items; total is the
// number of items that will be added (0 if unknown). existing are the collection's records
// (from Records), against which chunks are found unchanged.
func (p *Publisher) Chunked(recordType string, size, total int, existing []kinto.Record) *Chunked {
	c := &Chunked{p: p, recordType: recordType, size: size, total: total, existing: map[string]kinto.Record{}}
	if total > 0 {
		c.places = len(strconv.Itoa(total))
	}
	c.record = func(start, end string) jsonw.Object {
		return jsonw.Object{{Key: "id", Value: recordType + "-" + start + "-" + end}, {Key: "type", Value: recordType}}
	}
	for _, r := range existing {
		c.existing[r.ID()] = r
	}
	return c
}

// WithRecord replaces the record of a chunk (the relevancy uploader's per-category records).
func (c *Chunked) WithRecord(record func(start, end string) jsonw.Object) *Chunked {
	c.record = record
	return c
}

func (c *Chunked) chunkRecord(start, end int) jsonw.Object {
	return c.record(fmt.Sprintf("%0*d", c.places, start), fmt.Sprintf("%0*d", c.places, end))
}

// PlannedIDs returns the ids of the records the total number of items will make.
func (c *Chunked) PlannedIDs() []string {
	var ids []string
	for start := 0; start < c.total; start += c.size {
		id, _ := c.chunkRecord(start, min(start+c.size, c.total)).Get("id")
		ids = append(ids, id.(string))
	}
	return ids
}

// DeleteStale deletes the existing records of the uploader's type whose ids are not planned:
// merino-py's delete_records, less the records about to be written again.
func (c *Chunked) DeleteStale(ctx context.Context) error {
	c.p.chunkLog.Info("Deleting records with type: " + c.recordType)
	keep := map[string]bool{}
	for _, id := range c.PlannedIDs() {
		keep[id] = true
	}
	for _, id := range sortedIDs(c.existing) {
		if r := c.existing[id]; r.String("type") == c.recordType && !keep[id] {
			if err := c.p.Delete(ctx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// Add adds an item (any value jsonw.Python writes); a chunk that becomes full is uploaded.
func (c *Chunked) Add(ctx context.Context, item any) error {
	c.items = append(c.items, item)
	if len(c.items) == c.size {
		return c.flush(ctx)
	}
	return nil
}

// Finish uploads the last chunk, if it has items.
func (c *Chunked) Finish(ctx context.Context) error { return c.flush(ctx) }

func (c *Chunked) flush(ctx context.Context) error {
	if len(c.items) == 0 {
		return nil
	}
	end := c.start + len(c.items)
	rec := c.chunkRecord(c.start, end)
	id, _ := rec.Get("id")
	old := c.existing[id.(string)]
	if _, err := c.p.Upload(ctx, rec, Attachment(c.items), old, Changed(rec, old)); err != nil {
		return err
	}
	c.start = end
	c.items = c.items[:0]
	return nil
}

// WithScore is merino-py's suggestion score fallback: when fallback is not zero (Python's
// truthiness) and the suggestion has no "score", one is appended as its last key. An item's
// own score wins, and --score 0 adds none.
func WithScore(suggestion jsonw.Object, fallback float64) jsonw.Object {
	if fallback == 0 {
		return suggestion
	}
	if _, ok := suggestion.Get("score"); ok {
		return suggestion
	}
	return append(suggestion, jsonw.Member{Key: "score", Value: fallback})
}
