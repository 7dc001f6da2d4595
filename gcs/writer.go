package gcs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Writer streams an object of unknown size through a resumable upload: its bytes are sent in
// chunks of Options.ChunkSize as they are written, and the object appears only when Close
// finishes the upload. Until then nothing is visible in the bucket, and Abort (or a failed
// Close) cancels the session, so an interrupted copy never leaves a partial object.
//
// A chunk that fails to arrive is resent from the offset Cloud Storage says it kept. Memory is
// one chunk. A Writer is not safe for concurrent use.
type Writer struct {
	c            *Client
	ctx          context.Context
	bucket, name string
	attrs        Attrs
	session      string // the session URI: a capability, never logged
	buf          []byte
	offset       int64 // bytes Cloud Storage holds before buf[0]
	err          error
	obj          *Object
	done         bool
}

// NewWriter starts nothing yet: the session is opened with the first chunk (or by Close,
// for an object smaller than a chunk).
func (c *Client) NewWriter(ctx context.Context, bucket, name string, a Attrs) *Writer {
	return &Writer{c: c, ctx: ctx, bucket: bucket, name: name, attrs: a}
}

// Write buffers p, sending every full chunk.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.done {
		return 0, errors.New("gcs: write after Close")
	}
	if w.buf == nil {
		w.buf = make([]byte, 0, w.c.opts.ChunkSize)
	}
	n := 0
	for len(p) > 0 {
		if len(w.buf) == cap(w.buf) {
			// Sent only now that more bytes follow: the last chunk must carry the total.
			if err := w.flush(false); err != nil {
				w.err = err
				return n, err
			}
			continue
		}
		k := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+k]
		p = p[k:]
		n += k
	}
	return n, nil
}

// Close sends the last chunk and returns once the object exists. On failure the session is
// cancelled.
func (w *Writer) Close() error {
	if w.done {
		return w.err
	}
	if w.err == nil {
		w.err = w.flush(true)
	}
	w.done = true
	if w.err != nil {
		w.cancel()
	}
	return w.err
}

// Abort cancels the upload: no object is created. It is safe after Close (a no-op then).
func (w *Writer) Abort() {
	if w.done && w.obj != nil {
		return
	}
	w.done = true
	if w.err == nil {
		w.err = errors.New("gcs: upload aborted")
	}
	w.cancel()
}

// Object is the finished object, after a successful Close.
func (w *Writer) Object() *Object { return w.obj }

// cancel deletes the session (Cloud Storage answers 499). It runs on its own context: the
// caller's may be the cancelled one that caused the abort.
func (w *Writer) cancel() {
	if w.session == "" {
		return
	}
	ctx, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	r := &request{method: http.MethodDelete, abs: w.session, display: display(w.bucket, w.name) + " (cancel upload)"}
	if resp, err := w.c.send(ctx, r); err == nil {
		resp.Body.Close()
	}
	w.session = ""
}

func (w *Writer) start() error {
	r := &request{
		method: http.MethodPost, path: uploadPath(w.bucket, "resumable", w.attrs), display: display(w.bucket, w.name),
		header: http.Header{"Content-Type": {"application/json; charset=UTF-8"}},
		body:   metadataJSON(w.name, w.attrs),
	}
	if w.attrs.ContentType != "" {
		r.header.Set("X-Upload-Content-Type", w.attrs.ContentType)
	}
	resp, err := w.c.do(w.ctx, r, http.StatusOK, http.StatusCreated)
	if err != nil {
		return err
	}
	resp.Body.Close()
	w.session = resp.Header.Get("Location")
	if w.session == "" {
		return &Error{Method: r.method, Path: r.display, Status: resp.StatusCode, Message: "no session URI (Location) in the answer"}
	}
	return nil
}

// flush sends the buffer: a whole number of quanta of it when more follows, all of it (with
// the total size) when final.
func (w *Writer) flush(final bool) error {
	if w.session == "" {
		if err := w.start(); err != nil {
			return err
		}
	}
	d := display(w.bucket, w.name)
	wait := w.c.opts.RetryWait
	failures := 0
	for {
		n := len(w.buf)
		if !final {
			n -= n % chunkQuantum
			if n == 0 {
				return nil
			}
		}
		target := w.offset + int64(n)
		total := "*"
		if final {
			total = strconv.FormatInt(w.offset+int64(len(w.buf)), 10)
		}
		rng := "bytes */" + total
		if n > 0 {
			rng = fmt.Sprintf("bytes %d-%d/%s", w.offset, w.offset+int64(n)-1, total)
		}
		r := &request{method: http.MethodPut, abs: w.session, display: d, header: http.Header{"Content-Range": {rng}}, body: w.buf[:n:n]}
		if n == 0 {
			r.body = []byte{}
		}
		resp, err := w.c.send(w.ctx, r)
		if err == nil {
			switch resp.StatusCode {
			case http.StatusOK, http.StatusCreated:
				if !final {
					resp.Body.Close()
					return &Error{Method: r.method, Path: d, Status: resp.StatusCode, Message: "the upload finished before its last chunk"}
				}
				return w.finish(r, resp)
			case http.StatusPermanentRedirect:
				resp.Body.Close()
				if err := w.advance(resp.Header.Get("Range"), r); err != nil {
					return err
				}
				if !final && w.offset >= target {
					return nil
				}
				continue
			}
			err = errorFrom(r, resp)
		}
		var gerr *Error
		failures++
		if !errors.As(err, &gerr) || !gerr.retryable() || failures >= w.c.opts.MaxTries || w.ctx.Err() != nil {
			return err
		}
		if err := sleep(w.ctx, jitter(wait)); err != nil {
			return err
		}
		wait *= 2
		// Ask how much arrived before resending.
		if err := w.status(); err != nil {
			return err
		}
		if w.obj != nil {
			return nil
		}
	}
}

// status asks the session how many bytes it holds (an empty PUT with "bytes */*").
func (w *Writer) status() error {
	r := &request{method: http.MethodPut, abs: w.session, display: display(w.bucket, w.name), header: http.Header{"Content-Range": {"bytes */*"}}, body: []byte{}}
	resp, err := w.c.do(w.ctx, r, http.StatusPermanentRedirect, http.StatusOK, http.StatusCreated)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusPermanentRedirect {
		return w.finish(r, resp)
	}
	resp.Body.Close()
	return w.advance(resp.Header.Get("Range"), r)
}

// finish takes the object resource of the answer that completed the upload: every byte is
// held, none is left to send.
func (w *Writer) finish(r *request, resp *http.Response) error {
	obj, err := decodeObject(r, resp)
	if err != nil {
		return err
	}
	w.obj, w.offset, w.buf = obj, obj.Size, w.buf[:0]
	return nil
}

// advance drops from the buffer what the session says it holds: Range "bytes=0-N" (none when
// absent).
func (w *Writer) advance(rng string, r *request) error {
	held := int64(0)
	if rng != "" {
		last, ok := strings.CutPrefix(rng, "bytes=0-")
		v, err := strconv.ParseInt(last, 10, 64)
		if !ok || err != nil || v < 0 {
			return &Error{Method: r.method, Path: r.display, Status: http.StatusPermanentRedirect, Message: fmt.Sprintf("cannot read the Range %q of the answer", rng)}
		}
		held = v + 1
	}
	drop := held - w.offset
	if drop < 0 || drop > int64(len(w.buf)) {
		return &Error{Method: r.method, Path: r.display, Status: http.StatusPermanentRedirect, Message: fmt.Sprintf("the session holds %d bytes, not between %d and %d", held, w.offset, w.offset+int64(len(w.buf)))}
	}
	k := copy(w.buf, w.buf[drop:])
	w.buf = w.buf[:k]
	w.offset = held
	return nil
}
