package publisher

import (
	"context"
	"fmt"
	"strconv"

	"github.com/mozilla-services/merino-go/jobs/kinto"
	"github.com/mozilla-services/merino-go/jsonw"
)

// Chunked uploads items in records of at most a chunk size each: merino-py's
// ChunkedRemoteSettingsUploader. Items are added one by one; each full chunk is uploaded at
// once and Finish uploads the last. A chunk's record is {"id": "<type>-<start>-<end>",
// "type": <type>} (or what WithRecord makes), its attachment the JSON array of its items.
// start and end are item indexes, zero-padded to the digits of the total when the total is
// known (total 1999, chunk 500: -0000-0500 ... -1500-1999), not padded otherwise.
type Chunked struct {
	p          *Publisher
	recordType string
	size       int
	places     int
	record     func(start, end string) jsonw.Object
	items      []any
	start      int
}

// Chunked returns a chunked uploader of recordType records of size items; total is the
// number of items that will be added (0 if unknown).
func (p *Publisher) Chunked(recordType string, size, total int) *Chunked {
	c := &Chunked{p: p, recordType: recordType, size: size}
	if total > 0 {
		c.places = len(strconv.Itoa(total))
	}
	c.record = func(start, end string) jsonw.Object {
		return jsonw.Object{{Key: "id", Value: recordType + "-" + start + "-" + end}, {Key: "type", Value: recordType}}
	}
	return c
}

// WithRecord replaces the record of a chunk (the relevancy uploader's per-category records).
func (c *Chunked) WithRecord(record func(start, end string) jsonw.Object) *Chunked {
	c.record = record
	return c
}

// DeleteRecords deletes every record whose type is the uploader's.
func (c *Chunked) DeleteRecords(ctx context.Context) error {
	c.p.chunkLog.Info("Deleting records with type: " + c.recordType)
	return c.p.DeleteWhere(ctx, func(r kinto.Record) bool { return r.String("type") == c.recordType })
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
	rec := c.record(fmt.Sprintf("%0*d", c.places, c.start), fmt.Sprintf("%0*d", c.places, end))
	if _, err := c.p.Upload(ctx, rec, Attachment(c.items), nil, true); err != nil {
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
