package server

import (
	"bytes"

	"github.com/valyala/fasthttp"
)

// framedTwice reports whether raw request headers carry both Content-Length and
// Transfer-Encoding. fasthttp then reads the body by Transfer-Encoding and keeps the
// connection open; a proxy in front that read Content-Length would see a different next
// request — request smuggling. RFC 9112 §6.1 lets a server reject such a message and
// requires it to close the connection after. Names are compared as fasthttp reads them: any
// case, blanks before the colon ignored.
func framedTwice(raw []byte) bool {
	var cl, te bool
	for len(raw) > 0 {
		var line []byte
		line, raw = nextLine(raw)
		// Only names starting with c or t, of the two lengths, can match.
		if len(line) <= len(headerContentLength) || (line[0]|0x20 != 'c' && line[0]|0x20 != 't') {
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon < len(headerContentLength) {
			continue
		}
		name := bytes.TrimRight(line[:colon], " \t")
		switch len(name) {
		case len(headerContentLength):
			cl = cl || bytes.EqualFold(name, headerContentLength)
		case len(headerTransferEncoding):
			te = te || bytes.EqualFold(name, headerTransferEncoding)
		}
	}
	return cl && te
}

// nextLine splits raw headers at the end of their first line.
func nextLine(raw []byte) (line, rest []byte) {
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		return raw[:i], raw[i+1:]
	}
	return raw, nil
}

// hasFraming reports whether a request came with a Content-Length or a chunked
// Transfer-Encoding: fasthttp's "identity" length (-2) means neither, as for Firefox's GETs,
// which then skip the scan. Once it has read an empty chunked body — the classic smuggling
// request — fasthttp forgets both headers and reports a length of 0, so only the raw headers
// tell.
func hasFraming(h *fasthttp.RequestHeader) bool { return h.ContentLength() != -2 }

var (
	headerContentLength    = []byte("Content-Length")
	headerTransferEncoding = []byte("Transfer-Encoding")
)

// rejectFraming answers a request framed twice: 400, and the connection closed after it.
func (s *Server) rejectFraming(ctx *fasthttp.RequestCtx) {
	s.log.Warn("rejected a request with both Content-Length and Transfer-Encoding (possible request smuggling)",
		"remote_addr", ctx.RemoteAddr().String())
	ctx.SetConnectionClose()
	writeJSON(ctx, fasthttp.StatusBadRequest, detailBadRequest)
}
