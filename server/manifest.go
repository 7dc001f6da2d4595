package server

import (
	"bytes"
	"strconv"

	"github.com/VictoriaMetrics/metrics"
	"github.com/valyala/fasthttp"
)

// merino-py's manifest.request.* statsd counters; manifest.request.timing is the route's
// merino_http_request_duration_seconds.
var (
	manifestSuccess     = metrics.NewCounter(`merino_manifest_requests_total{result="success"}`)
	manifestNotModified = metrics.NewCounter(`merino_manifest_requests_total{result="not_modified"}`)
	manifestError       = metrics.NewCounter(`merino_manifest_requests_total{result="error"}`)
)

var detailManifestNotFound = []byte(`{"detail":"Manifest not found"}`)

// Manifest is the small interface through which /api/v1/manifest reaches its data (a
// manifest.Holder).
type Manifest interface {
	// Current returns the document and its quoted ETag, ok false when none is loaded. The
	// bytes are read-only and stay valid for as long as they are referenced.
	Current() (body, etag []byte, ok bool)
}

// manifest answers /api/v1/manifest as merino-py does: the manifest rendered at load time with
// `Cache-Control: private, max-age=<runtime.default_manifest_response_ttl_sec>` and its ETag; a
// 304 with no body when If-None-Match is exactly that ETag (plain byte equality: no weak tags,
// no lists, as merino-py compares); 404 {"detail":"Manifest not found"} without either header
// when nothing is loaded. The body is the snapshot's own bytes, shared by every response and
// never written to; the snapshot stays alive while the response refers to it.
func (s *Server) manifest(ctx *fasthttp.RequestCtx, _ *exchange) {
	var body, etag []byte
	ok := false
	if s.opts.Manifest != nil {
		body, etag, ok = s.opts.Manifest.Current()
	}
	if !ok {
		manifestError.Inc()
		writeJSON(ctx, fasthttp.StatusNotFound, detailManifestNotFound)
		return
	}
	// SetCanonical copies the value: building it on the stack costs no allocation.
	var cc [48]byte
	ctx.Response.Header.SetCanonical(headerCacheControl, strconv.AppendInt(append(cc[:0], "private, max-age="...), int64(s.opts.ManifestTTL), 10))
	ctx.Response.Header.SetCanonical(headerETag, etag)
	if inm := ctx.Request.Header.Peek(fasthttp.HeaderIfNoneMatch); inm != nil && bytes.Equal(inm, etag) {
		manifestNotModified.Inc()
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return
	}
	manifestSuccess.Inc()
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.Response.Header.SetContentTypeBytes(contentTypeJSON)
	ctx.Response.SetBodyRaw(body)
}

var headerETag = []byte(fasthttp.HeaderETag)
