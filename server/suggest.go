package server

import (
	"context"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/acceptlang"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/suggest"
)

// params are the suggest query parameters, each the last occurrence (Starlette keeps the last
// of repeated parameters). Values are strings that borrow the request's buffers: valid until
// the response is written.
type params struct {
	q, country, region, city, source, providers, clientVariants, requestType string
	// sid and seq are not API parameters: the request log and feature flags read them.
	sid, seq string

	hasQ, hasCountry, hasRegion, hasCity, hasSource, hasProviders, hasClientVariants, hasRequestType, hasSID bool
}

// parseParams reads the query string. Invalid UTF-8 is repaired as Starlette's decoder does
// (each maximal invalid sequence becomes U+FFFD) into x.scratch.
func parseParams(ctx *fasthttp.RequestCtx, x *exchange) params {
	var p params
	for k, v := range ctx.QueryArgs().All() {
		var dst *string
		var has *bool
		switch string(k) {
		case "q":
			dst, has = &p.q, &p.hasQ
		case "country":
			dst, has = &p.country, &p.hasCountry
		case "region":
			dst, has = &p.region, &p.hasRegion
		case "city":
			dst, has = &p.city, &p.hasCity
		case "source":
			dst, has = &p.source, &p.hasSource
		case "providers":
			dst, has = &p.providers, &p.hasProviders
		case "client_variants":
			dst, has = &p.clientVariants, &p.hasClientVariants
		case "request_type":
			dst, has = &p.requestType, &p.hasRequestType
		case "sid":
			dst, has = &p.sid, &p.hasSID
		case "seq":
			var ignored bool
			dst, has = &p.seq, &ignored
		default:
			continue
		}
		*dst, *has = x.text(v), true
	}
	return p
}

// text returns b as a string without copying when it is valid UTF-8 (the string borrows the
// request buffer), else a repaired copy in x.scratch.
func (x *exchange) text(b []byte) string {
	if utf8.Valid(b) {
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	start := len(x.scratch)
	x.scratch = appendRepairedUTF8(x.scratch, b)
	// x.scratch may move when it grows; strings made earlier keep the old array alive, which
	// is what they need.
	out := x.scratch[start:]
	return unsafe.String(unsafe.SliceData(out), len(out))
}

// appendRepairedUTF8 replaces each maximal invalid subsequence with U+FFFD, as Python's
// bytes.decode("utf-8", "replace") does (Go's strings.ToValidUTF8 would merge runs).
func appendRepairedUTF8(dst, b []byte) []byte {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r != utf8.RuneError || n > 1 {
			dst = append(dst, b[:n]...)
			b = b[n:]
			continue
		}
		dst = append(dst, "\uFFFD"...)
		b = b[maximalSubpart(b):]
	}
	return dst
}

// maximalSubpart is the length of the invalid sequence at the start of b (Unicode §3.9, "U+FFFD
// substitution of maximal subparts"): a lead byte and the continuation bytes that could still
// have completed it.
func maximalSubpart(b []byte) int {
	c := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c >= 0xE1 && c <= 0xEC, c == 0xEE, c == 0xEF:
		need = 2
	case c == 0xED:
		need, hi = 2, 0x9F
	case c == 0xF0:
		need, lo = 3, 0x90
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	case c == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 1
	}
	i := 1
	for ; i <= need && i < len(b); i++ {
		if b[i] < lo || b[i] > hi {
			break
		}
		lo, hi = 0x80, 0xBF
	}
	return i
}

// suggest is GET /api/v1/suggest, step for step as merino-py's handler.
func (s *Server) suggest(ctx *fasthttp.RequestCtx, x *exchange) {
	var p params
	status, err := s.suggestErr(ctx, x, &p)
	// A type switch, not errors.As: As needs its target on the heap, which would cost an
	// allocation on every 400.
	switch e := err.(type) {
	case nil:
		if status == fasthttp.StatusNoContent {
			s.logSuggest(ctx, x, &p, status)
			ctx.SetStatusCode(status) // no body, no content type, no Cache-Control
			return
		}
	case validationError:
		x.buf = appendValidationBody(x.buf[:0], x.errs)
		s.log.Warn("HTTP 400: request validation error for path: /api/v1/suggest")
		status = fasthttp.StatusBadRequest
	case *suggest.Error:
		x.buf = appendDetail(x.buf[:0], e.Detail)
		status = e.Status
	default:
		s.log.Error("suggest failed", "error", err.Error())
		x.buf = appendDetail(x.buf[:0], "Internal Server Error")
		status = fasthttp.StatusInternalServerError
	}
	s.logSuggest(ctx, x, &p, status)
	sendJSON(ctx, status, x)
}

// validationError means x.errs holds the request's validation errors.
type validationError struct{}

func (validationError) Error() string { return "request validation failed" }

var errValidation error = validationError{}

var errLocationTriple = &suggest.Error{
	Status: fasthttp.StatusBadRequest,
	Detail: "Invalid query parameters: `city`, `region`, and `country` are either all present or all omitted.",
}

// suggestErr does the work and leaves the body in x.buf; the caller maps errors to responses.
func (s *Server) suggestErr(ctx *fasthttp.RequestCtx, x *exchange, pp *params) (int, error) {
	*pp = parseParams(ctx, x)
	p := pp
	rawAcceptLanguage := ctx.Request.Header.Peek(fasthttp.HeaderAcceptLanguage)
	acceptLanguage := x.text(rawAcceptLanguage)
	if s.validate(p, rawAcceptLanguage, x) {
		return 0, errValidation
	}

	x.chosen = s.opts.Providers.Resolve(x.chosen[:0], p.providers, p.hasProviders)

	// Email-shaped queries are answered with nothing before anything else looks at them.
	if strings.IndexByte(p.q, '@') >= 0 {
		x.pii = piiEmail
		piiEmailTotal.Inc()
		x.buf = s.appendResponse(x.buf[:0], x, p)
		ctx.Response.Header.SetCanonical(headerCacheControl, s.cacheControl)
		return fasthttp.StatusOK, nil
	}

	req := &x.req
	req.Query = p.q
	req.IsSoftPII = hasDigit(p.q)
	x.pii = nonPII
	if req.IsSoftPII {
		x.pii = piiNumeric
		piiNumericTotal.Inc()
	}
	s.locate(ctx, x)
	x.logLocation.from(&req.Location)
	x.flags.Reset(s.opts.Flags, p.sid, p.hasSID)
	req.Flags = &x.flags
	req.Languages = acceptlang.Parse(acceptLanguage, req.Languages[:0])
	if (p.country != "" || p.region != "" || p.city != "") && (p.country == "" || p.region == "" || p.city == "") {
		return 0, errLocationTriple
	}
	if p.country != "" {
		req.Location.Country, req.Location.City = p.country, p.city
		req.Location.Regions = splitComma(req.Location.Regions[:0], p.region, -1)
	}
	req.Source = p.source
	if !p.hasSource {
		req.Source = "unknown"
	}
	req.RequestType = p.requestType
	if p.clientVariants != "" {
		req.ClientVariants = splitComma(req.ClientVariants[:0], p.clientVariants, -1)
	}

	for _, prov := range x.chosen {
		if err := prov.Validate(req); err != nil {
			return 0, err
		}
	}
	// Not ctx: fasthttp cancels a RequestCtx's context when shutdown starts, and a graceful
	// shutdown must let requests in flight finish. The providers' deadline bounds the wait.
	x.out = s.opts.Providers.Query(context.Background(), req, x.chosen, x.out[:0])
	// merino-py's weather special cases, from the answer's typed fields: the no-location
	// sentinel alone is a 204 with no body; the one suggestion of a request for one provider
	// that carries a TTL (a weather report) sets max-age to it and loses its custom_details.
	if len(x.out) == 1 && x.out[0].NoContent {
		return fasthttp.StatusNoContent, nil
	}
	if req.IsSoftPII && len(x.out) > 0 {
		piiNumericFalsePos.Inc()
	}
	suggestionsPerRequest.Update(float64(len(x.out)))
	cacheControl := s.cacheControl
	if len(x.chosen) == 1 && len(x.out) == 1 && x.out[0].HasTTL {
		x.out[0].Details = nil
		cacheControl = appendCacheControl(x.scratch2[:0], x.out[0].TTL)
		x.scratch2 = cacheControl
	}
	x.buf = s.appendResponse(x.buf[:0], x, p)
	ctx.Response.Header.SetCanonical(headerCacheControl, cacheControl)
	return fasthttp.StatusOK, nil
}

// appendCacheControl writes "private, max-age=<ttl>".
func appendCacheControl(dst []byte, ttl int) []byte {
	dst = append(dst, "private, max-age="...)
	return strconv.AppendInt(dst, int64(ttl), 10)
}

var headerCacheControl = []byte("Cache-Control")

// validate checks every parameter as FastAPI does, in declaration order (q, country, region,
// city, source, client_variants, request_type, then the Accept-Language header), collecting
// all errors into x.errs. Lengths count code points, as Python's len().
func (s *Server) validate(p *params, acceptLanguage []byte, x *exchange) bool {
	maxQ := s.opts.QueryCharacterMax
	if !p.hasQ {
		x.errs = append(x.errs, missing("q"))
	} else if utf8.RuneCountInString(p.q) > maxQ {
		x.errs = append(x.errs, tooLong("query", "q", p.q, maxQ))
	}
	s.validateLocation(p, x, maxQ)
	if p.hasSource {
		switch p.source {
		case "urlbar", "newtab", "unknown":
		default:
			x.errs = append(x.errs, notSource(p.source))
		}
	}
	if p.hasClientVariants && utf8.RuneCountInString(p.clientVariants) > s.opts.ClientVariantCharacterMax {
		x.errs = append(x.errs, tooLong("query", "client_variants", p.clientVariants, s.opts.ClientVariantCharacterMax))
	}
	if p.hasRequestType && p.requestType != "location" && p.requestType != "weather" {
		x.errs = append(x.errs, notRequestType(p.requestType))
	}
	s.validateAcceptLanguage(acceptLanguage, x)
	return len(x.errs) > 0
}

// validateLocation checks country (2 characters), region and city (at most maxQ).
func (s *Server) validateLocation(p *params, x *exchange, maxQ int) {
	if p.hasCountry {
		switch n := utf8.RuneCountInString(p.country); {
		case n < 2:
			x.errs = append(x.errs, tooShort("country", p.country, 2))
		case n > 2:
			x.errs = append(x.errs, tooLong("query", "country", p.country, 2))
		}
	}
	if p.hasRegion && utf8.RuneCountInString(p.region) > maxQ {
		x.errs = append(x.errs, tooLong("query", "region", p.region, maxQ))
	}
	if p.hasCity && utf8.RuneCountInString(p.city) > maxQ {
		x.errs = append(x.errs, tooLong("query", "city", p.city, maxQ))
	}
}

// validateAcceptLanguage checks the header's length (header_character_max). Starlette decodes
// header values as latin-1, one character per byte: the limit counts bytes, and the error's
// input is that reading (60 × "é" sent as UTF-8 is 120 characters of "Ã©").
func (s *Server) validateAcceptLanguage(raw []byte, x *exchange) {
	if len(raw) > s.opts.HeaderCharacterMax {
		x.errs = append(x.errs, tooLong("header", "accept-language", x.latin1(raw), s.opts.HeaderCharacterMax))
	}
}

// latin1 returns b decoded as latin-1 (each byte the code point of its value), in x.scratch.
func (x *exchange) latin1(b []byte) string {
	start := len(x.scratch)
	for _, c := range b {
		x.scratch = utf8.AppendRune(x.scratch, rune(c))
	}
	out := x.scratch[start:]
	return unsafe.String(unsafe.SliceData(out), len(out))
}

// hasDigit is merino-py's numeric soft-PII test: Python's re `\d`, any Unicode decimal digit.
func hasDigit(s string) bool {
	for _, r := range s {
		if r >= '0' && r <= '9' || r >= utf8.RuneSelf && unicode.Is(unicode.Nd, r) {
			return true
		}
	}
	return false
}

// splitComma appends the parts of s split on commas, at most limit parts (-1: all), as
// Python's str.split(",") (so "" gives [""]).
func splitComma(dst []string, s string, limit int) []string {
	for n := 0; limit < 0 || n < limit; n++ {
		part, rest, more := strings.Cut(s, ",")
		dst = append(dst, part)
		if !more {
			break
		}
		s = rest
	}
	return dst
}

// appendResponse writes merino-py's SuggestResponse: suggestions, request_id, client_variants
// (the parameter's first client_variant_max comma-separated parts), server_variants (always
// empty).
func (s *Server) appendResponse(dst []byte, x *exchange, p *params) []byte {
	dst = append(dst, `{"suggestions":[`...)
	for i := range x.out {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = x.out[i].AppendJSON(dst)
	}
	dst = append(dst, `],"request_id":`...)
	dst = jsonw.AppendStringBytes(dst, x.requestID)
	dst = append(dst, `,"client_variants":[`...)
	if p.clientVariants != "" {
		cv := p.clientVariants
		for n := 0; n < s.opts.ClientVariantMax; n++ {
			part, rest, more := strings.Cut(cv, ",")
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = jsonw.AppendString(dst, part)
			if !more {
				break
			}
			cv = rest
		}
	}
	return append(dst, `],"server_variants":[]}`...)
}
