package server

import (
	"math/rand/v2"
	"strings"

	"github.com/valyala/fasthttp"
)

// appendRequestID is asgi-correlation-id's rule: an incoming X-Request-ID that Python's
// uuid.UUID() reads as a version-4 UUID is used verbatim (braces, dashes and urn:uuid: prefix
// as sent); otherwise a new uuid4().hex (32 lower-case hex digits) is made.
func appendRequestID(dst, incoming []byte) []byte {
	if len(incoming) > 0 && isUUID4(incoming) {
		return append(dst, incoming...)
	}
	return appendUUID4Hex(dst)
}

// isUUID4 follows uuid.UUID(hex): remove "urn:" and "uuid:", strip braces at both ends, drop
// dashes; 32 hex digits must remain, with the RFC 4122 variant and version 4. (Python's int()
// would also take a sign, a 0x prefix or underscores in the digits; no client sends those.)
func isUUID4(b []byte) bool {
	if len(b) > 64 {
		return false
	}
	var s [64]byte
	t := append(s[:0], b...)
	t = removeAll(t, "urn:")
	t = removeAll(t, "uuid:")
	for len(t) > 0 && (t[0] == '{' || t[0] == '}') {
		t = t[1:]
	}
	for len(t) > 0 && (t[len(t)-1] == '{' || t[len(t)-1] == '}') {
		t = t[:len(t)-1]
	}
	var hex [32]byte
	n := 0
	for _, c := range t {
		if c == '-' {
			continue
		}
		if n == len(hex) || !isHex(c) {
			return false
		}
		hex[n] = c
		n++
	}
	if n != 32 {
		return false
	}
	// Digit 12 holds the version; digit 16's top bits the variant (10xx = RFC 4122).
	variant := hexValue(hex[16])
	return hex[12] == '4' && variant >= 8 && variant <= 11
}

func removeAll(b []byte, sub string) []byte {
	out := b[:0]
	for i := 0; i < len(b); {
		if i+len(sub) <= len(b) && string(b[i:i+len(sub)]) == sub {
			i += len(sub)
			continue
		}
		out = append(out, b[i])
		i++
	}
	return out
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexValue(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

const hexDigits = "0123456789abcdef"

// appendUUID4Hex appends a random version-4 UUID as 32 hex digits. Request ids are not
// secrets; math/rand/v2's global source is seeded from the OS, lock-free and allocation-free.
func appendUUID4Hex(dst []byte) []byte {
	var u [16]byte
	a, b := rand.Uint64(), rand.Uint64()
	for i := 0; i < 8; i++ {
		u[i] = byte(a >> (8 * i))
		u[8+i] = byte(b >> (8 * i))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	for _, c := range u {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0x0f])
	}
	return dst
}

// CORS as merino-py configures Starlette's CORSMiddleware: any origin, no credentials,
// methods GET, OPTIONS and HEAD, only the CORS-safelisted request headers.
var (
	corsAllowMethods = []byte("GET, OPTIONS, HEAD")
	corsAllowHeaders = []byte("Accept, Accept-Language, Content-Language, Content-Type")
	corsMaxAge       = []byte("600")
	star             = []byte("*")
	bodyOK           = []byte("OK")
)

// preflight answers a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method)
// on any path, before routing, as Starlette does.
func preflight(ctx *fasthttp.RequestCtx) {
	h := &ctx.Response.Header
	h.SetBytesV(fasthttp.HeaderAccessControlAllowOrigin, star)
	h.SetBytesV(fasthttp.HeaderAccessControlAllowMethods, corsAllowMethods)
	h.SetBytesV(fasthttp.HeaderAccessControlMaxAge, corsMaxAge)
	h.SetBytesV(fasthttp.HeaderAccessControlAllowHeaders, corsAllowHeaders)

	var failures []byte
	switch string(ctx.Request.Header.Peek(fasthttp.HeaderAccessControlRequestMethod)) {
	case "GET", "OPTIONS", "HEAD":
	default:
		failures = append(failures, "method"...)
	}
	if requested := ctx.Request.Header.Peek(fasthttp.HeaderAccessControlRequestHeaders); requested != nil {
		if !safelisted(requested) {
			if len(failures) > 0 {
				failures = append(failures, ", "...)
			}
			failures = append(failures, "headers"...)
		}
	}
	ctx.Response.Header.SetContentType("text/plain; charset=utf-8")
	if len(failures) > 0 {
		ctx.SetStatusCode(fasthttp.StatusBadRequest)
		ctx.SetBodyString("Disallowed CORS " + string(failures))
		return
	}
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.Response.SetBodyRaw(bodyOK)
}

// safelisted reports whether every comma-separated requested header (case-insensitive, trimmed)
// is one Starlette always allows. Preflights are rare; this favours clarity over allocations.
func safelisted(requested []byte) bool {
	for name := range strings.SplitSeq(string(requested), ",") {
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "accept", "accept-language", "content-language", "content-type":
		default:
			return false
		}
	}
	return true
}

// allowOrigin adds the CORS header of a simple (non-preflight) response. With a Cookie in the
// request Starlette echoes the origin and adds Vary: Origin instead of "*".
func allowOrigin(ctx *fasthttp.RequestCtx, origin []byte) {
	if len(ctx.Request.Header.Peek(fasthttp.HeaderCookie)) > 0 {
		ctx.Response.Header.SetBytesV(fasthttp.HeaderAccessControlAllowOrigin, origin)
		ctx.Response.Header.Add(fasthttp.HeaderVary, "Origin")
		return
	}
	ctx.Response.Header.SetBytesV(fasthttp.HeaderAccessControlAllowOrigin, star)
}
