package loaders

import (
	"context"
	"errors"
	"fmt"
)

// DefaultMaxSourceBytes bounds a source whose configuration gives no limit of its own
// (HTTPOptions.MaxBytes = 0). Every data set merino-go serves is far smaller: a MARS segment
// is about 12 MB, the top picks and the manifest about 1 MB.
const DefaultMaxSourceBytes = 64 << 20

// SizeError says that a source's content is larger than its limit. The content was not read
// past the limit (a file's size or a Content-Length said so before reading, or a stream was
// cut at the limit), and the source remembers it: while it stays the same (same ETag,
// Last-Modified, file time and size, or Cloud Storage generation), later fetches return this
// error again without downloading it.
type SizeError struct {
	Source string
	Limit  int64
	// Size is the announced size, or -1 when the stream was cut at the limit.
	Size int64
}

func (e *SizeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%s is larger than its %d-byte limit: stopped reading there", e.Source, e.Limit)
	}
	return fmt.Sprintf("%s is %d bytes, more than its %d-byte limit", e.Source, e.Size, e.Limit)
}

// IsTooLarge reports whether err says a source was over its size limit.
func IsTooLarge(err error) bool {
	var se *SizeError
	return errors.As(err, &se)
}

// builds admits one fetch-and-build at a time across every syncer of the process: each holds
// a whole source and the snapshot built from it, so concurrent refreshes (ten MARS segments
// on one interval) would add their peaks up. Startup's SyncAll is bounded by its own n instead.
var builds = make(chan struct{}, 1)

// acquireBuild waits for the build slot, or for ctx to end.
func acquireBuild(ctx context.Context) error {
	select {
	case builds <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func releaseBuild() { <-builds }
