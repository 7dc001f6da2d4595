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

// manifest answers /api/v1/manifest as merino-py does: the manifest rendered at load time with
// `Cache-Control: private, max-age=<runtime.default_manifest_response_ttl_sec>` and its ETag; a
// 304 with no body when If-None-Match is exactly that ETag (plain byte equality: no weak tags,
// no lists, as merino-py compares); 404 {"detail":"Manifest not found"} without either header
// when nothing is loaded. The body is the snapshot's own bytes, shared by every response and
// never written to; the snapshot stays alive while the response refers to it.
func (s *Server) manifest(ctx *fasthttp.RequestCtx, _ *exchange) {
	snap := s.opts.Manifest.Load()
	if snap == nil {
		manifestError.Inc()
		writeJSON(ctx, fasthttp.StatusNotFound, detailManifestNotFound)
		return
	}
	// SetCanonical copies the value: building it on the stack costs no allocation.
	var cc [48]byte
	ctx.Response.Header.SetCanonical(headerCacheControl, strconv.AppendInt(append(cc[:0], "private, max-age="...), int64(s.opts.ManifestTTL), 10))
	ctx.Response.Header.SetCanonical(headerETag, snap.ETag)
	if inm := ctx.Request.Header.Peek(fasthttp.HeaderIfNoneMatch); inm != nil && bytes.Equal(inm, snap.ETag) {
		manifestNotModified.Inc()
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return
	}
	manifestSuccess.Inc()
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.Response.Header.SetContentTypeBytes(contentTypeJSON)
	ctx.Response.SetBodyRaw(snap.Body)
}

var headerETag = []byte(fasthttp.HeaderETag)
