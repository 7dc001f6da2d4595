package server

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/useragent"
)

// Who is asking: merino-py's user agent, geolocation and logging middleware, applied in the
// handlers that need them.

// userAgent parses the User-Agent header (cached by the parser; a hit allocates nothing).
func (s *Server) userAgent(ctx *fasthttp.RequestCtx) useragent.Info {
	if s.opts.UserAgents == nil {
		return useragent.Info{Browser: "Other", OSFamily: "other", FormFactor: "other"}
	}
	return s.opts.UserAgents.Parse(firstUserAgent(&ctx.Request.Header))
}

// clientIP is uvicorn's --proxy-headers rule: location.client_ip_override if set, else the TCP
// peer, replaced by an X-Forwarded-For entry only when the peer is trusted. When several
// X-Forwarded-For headers arrive, uvicorn reads the last.
func (s *Server) clientIP(ctx *fasthttp.RequestCtx) netip.Addr {
	if s.opts.ClientIPOverride.IsValid() {
		return s.opts.ClientIPOverride
	}
	peer := peerAddr(ctx)
	if s.opts.Trust == nil {
		return peer
	}
	var xff []byte
	for k, v := range ctx.Request.Header.All() {
		if len(k) == len(headerXFF) && strings.EqualFold(b2s(k), headerXFF) {
			xff = v
		}
	}
	return s.opts.Trust.ClientIP(peer, xff)
}

const headerXFF = "X-Forwarded-For"

// peerAddr is the TCP peer's address, IPv4-mapped addresses unmapped (invalid when the
// connection is not TCP).
func peerAddr(ctx *fasthttp.RequestCtx) netip.Addr {
	var peer netip.Addr
	if a, ok := ctx.RemoteAddr().(*net.TCPAddr); ok {
		peer, _ = netip.AddrFromSlice(a.IP)
		peer = peer.Unmap()
	}
	return peer
}

// locate fills the request's location from the client's address. An invalid address (none,
// or an X-Forwarded-For entry that is not an IP) is logged, as merino-py does; an address the
// database does not know is silent. Both leave the location empty.
func (s *Server) locate(ctx *fasthttp.RequestCtx, x *exchange) {
	if s.opts.GeoIP == nil {
		return
	}
	ip := s.clientIP(ctx)
	if !ip.IsValid() {
		s.log.Warn("Invalid IP address for geolocation parsing")
		return
	}
	x.req.ClientIP = ip
	found, err := s.opts.GeoIP.Lookup(ip, &x.req.Location)
	if err != nil {
		s.log.Error("geolocation lookup failed", "error", err.Error())
		x.req.Location.Reset()
		return
	}
	x.req.HasLocation = found
}

// piiType is merino-py's basic_detect result; the request log skips all but nonPII.
type piiType uint8

const (
	piiUnset piiType = iota // validation failed before the handler looked at q
	nonPII
	piiEmail
	piiNumeric
)

// logSuggest writes the web.suggest.request record (merino-py's logging middleware), field for
// field: sensitive, then MozLog's request fields, then the request's. It is skipped when
// logging.log_suggest_request is off, when `providers` (stripped, lower-cased) is one of
// logging.excluded_providers, and for any request whose query was not plain text (e-mail or
// digits) or that failed validation. The query itself is blanked unless logging.log_query.
func (s *Server) logSuggest(ctx *fasthttp.RequestCtx, x *exchange, p *params, status int) {
	w := s.opts.RequestLog
	if w == nil || x.pii != nonPII || !w.Enabled(0) {
		return
	}
	if p.hasProviders && s.excluded(p.providers) {
		return
	}
	now := time.Now()
	r := w.Begin(now, 0, "web.suggest.request", "")
	r.Bool("sensitive", true)
	r.Int("errno", 0)
	var tbuf [32]byte
	r.String("time", b2s(appendPythonISO(tbuf[:0], now)))
	r.String("path", b2s(ctx.Path()))
	r.String("method", b2s(ctx.Method()))
	if s.opts.LogQuery {
		r.String("query", p.q)
	} else {
		r.String("query", "")
	}
	r.Int("code", int64(status))
	r.String("rid", b2s(x.requestID))
	r.StringOrNull("session_id", p.sid, p.hasSID)
	var dbuf [64]byte
	if digits, ok := decimal(dbuf[:0], p.seq); ok {
		r.Raw("sequence_no", digits)
	} else {
		r.Null("sequence_no")
	}
	r.String("client_variants", p.clientVariants)
	r.String("requested_providers", p.providers)
	// The address's location, as merino-py's middleware logs it: not the city, region and
	// country parameters that override it for the providers.
	loc := &x.logLocation
	r.StringOrNull("country", loc.country, loc.country != "")
	r.StringOrNull("region", loc.region, loc.hasRegion)
	r.StringOrNull("city", loc.city, loc.city != "")
	if loc.dma != 0 {
		r.Int("dma", int64(loc.dma))
	} else {
		r.Null("dma")
	}
	r.String("browser", x.req.UserAgent.Browser)
	r.String("os_family", x.req.UserAgent.OSFamily)
	r.String("form_factor", x.req.UserAgent.FormFactor)
	r.Finish()
}

// logLocation is what the request log says of the client's location: the geolocation of its
// address. The strings borrow the geolocation database's.
type logLocation struct {
	country, region, city string
	hasRegion             bool
	dma                   int
}

func (l *logLocation) from(loc *geoip.Location) {
	*l = logLocation{country: loc.Country, city: loc.City, dma: int(loc.DMA)}
	if len(loc.Regions) > 0 {
		l.region, l.hasRegion = loc.Regions[0], true
	}
}

// excluded compares `providers` as merino-py does: the whole value, stripped and lower-cased,
// against each excluded id (so "accuweather" is excluded, "accuweather,adm" is not).
func (s *Server) excluded(providers string) bool {
	v := strings.TrimSpace(providers)
	for _, e := range s.opts.ExcludedProviders {
		if strings.EqualFold(v, e) && isASCII(v) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// decimal is Python's `int(seq) if seq.isdecimal()`: the digits (any Unicode decimal digit),
// as a JSON number without leading zeros, or false. Python's int has no size limit, and a JSON
// number need not have one either, so the digits are written as they are.
func decimal(out []byte, seq string) ([]byte, bool) {
	if seq == "" || len(seq) > 64 {
		return nil, false
	}
	start := len(out)
	for _, r := range seq {
		d, ok := digitValue(r)
		if !ok {
			return nil, false
		}
		if len(out) == start && d == 0 {
			continue
		}
		out = append(out, byte('0'+d))
	}
	if len(out) == start {
		out = append(out, '0')
	}
	return out, true
}

// digitValue is the value of a Unicode decimal digit (category Nd). Every Nd range of the
// Unicode tables starts at a digit zero and runs in whole tens, so the value is the offset from
// the range start modulo ten.
func digitValue(r rune) (int, bool) {
	if r >= '0' && r <= '9' {
		return int(r - '0'), true
	}
	for _, rg := range unicode.Nd.R16 {
		if lo, hi := rune(rg.Lo), rune(rg.Hi); r >= lo && r <= hi && rg.Stride == 1 {
			return int(r-lo) % 10, true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if lo, hi := rune(rg.Lo), rune(rg.Hi); r >= lo && r <= hi && rg.Stride == 1 {
			return int(r-lo) % 10, true
		}
	}
	return 0, false
}

// appendPythonISO is datetime.isoformat() of a naive local time: microseconds, omitted when
// zero, as Python does.
func appendPythonISO(dst []byte, t time.Time) []byte {
	t = t.Local()
	dst = t.AppendFormat(dst, "2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		dst = append(dst, '.')
		var b [8]byte
		digits := strconv.AppendInt(b[:0], int64(us+1_000_000), 10) // "1" + six zero-padded digits
		dst = append(dst, digits[1:]...)
	}
	return dst
}

// b2s views bytes as a string without copying; the bytes must not change while it is used.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
