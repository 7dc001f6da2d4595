package server

import (
	"bytes"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/httpurl"
)

// Routing as Starlette routes: on the percent-decoded path and nothing more. fasthttp's
// Path() also collapses "//" and resolves "." and ".." segments, so "//api/v1/suggest" would
// reach the suggest handler where merino-py answers 404.

// routePath returns the path to route on. It is ctx.Path() unless the original path holds
// something fasthttp normalises ("//", a dot segment, a percent escape); then the decoded
// original, in x.path (valid until x is reset).
func routePath(ctx *fasthttp.RequestCtx, x *exchange) []byte {
	orig := ctx.URI().PathOriginal()
	if bytes.IndexByte(orig, '%') < 0 && !bytes.Contains(orig, slashSlash) && !bytes.Contains(orig, slashDot) {
		return ctx.Path()
	}
	// As Python's urllib.parse.unquote decodes it: an invalid escape stays as it is, and
	// '+' is not a space in a path.
	x.path = httpurl.AppendPercentDecode(x.path[:0], b2s(orig))
	return x.path
}

var (
	slashSlash = []byte("//")
	slashDot   = []byte("/.")
)

// appendRedirect writes the Location of Starlette's trailing-slash redirect to path, with
// the request's query string. With http.public_host set it is absolute, on that host, with
// https when a trusted proxy said so in X-Forwarded-Proto (uvicorn's rule); otherwise it is
// relative. Starlette writes the request's own Host there: a client could put any host in a
// redirect merino serves, so merino-go never does (a deliberate difference).
func (s *Server) appendRedirect(dst []byte, ctx *fasthttp.RequestCtx, path string) []byte {
	if s.opts.PublicHost != "" {
		if s.forwardedHTTPS(ctx) {
			dst = append(dst, "https://"...)
		} else {
			dst = append(dst, "http://"...)
		}
		dst = append(dst, s.opts.PublicHost...)
	}
	dst = append(dst, path...)
	if q := ctx.URI().QueryString(); len(q) > 0 {
		dst = append(dst, '?')
		// Starlette's RedirectResponse quotes the URL with these characters safe.
		dst = httpurl.AppendQuote(dst, b2s(q), ":/%#?=@[]!$&'()*+,;")
	}
	return dst
}

// forwardedHTTPS reports whether a trusted peer sent X-Forwarded-Proto: https (the last such
// header, as uvicorn reads them).
func (s *Server) forwardedHTTPS(ctx *fasthttp.RequestCtx) bool {
	if s.opts.Trust == nil || !s.opts.Trust.Trusted(peerAddr(ctx)) {
		return false
	}
	var proto []byte
	for k, v := range ctx.Request.Header.All() {
		if strings.EqualFold(b2s(k), "X-Forwarded-Proto") {
			proto = v
		}
	}
	return strings.EqualFold(strings.TrimSpace(b2s(proto)), "https")
}

// firstUserAgent returns the first User-Agent of the request: Starlette's headers.get()
// gives the first of repeated headers, fasthttp's UserAgent() the last. It scans the raw
// headers (the answer borrows them, valid during the request); a request built without raw
// headers (tests) gives UserAgent().
func firstUserAgent(h *fasthttp.RequestHeader) []byte {
	raw := h.RawHeaders()
	for len(raw) > 0 {
		var line []byte
		line, raw = nextLine(raw)
		if len(line) <= len(headerUserAgent) || line[0]|0x20 != 'u' {
			continue
		}
		name, value, ok := bytes.Cut(line, []byte{':'})
		if ok && bytes.EqualFold(bytes.TrimRight(name, " \t"), headerUserAgent) {
			return bytes.Trim(value, " \t\r")
		}
	}
	return h.UserAgent()
}

var headerUserAgent = []byte("User-Agent")
