// Package server is merino-go's HTTP face: fasthttp handlers for Firefox's API (suggest,
// providers, Dockerflow, docs), the middleware every response passes (request id, CORS), and
// the admin listener (/metrics, pprof). It depends on suggest's small Provider/Set interface,
// never on an index.
//
// Responses are byte-for-byte those of merino-py (FastAPI/Starlette): the same status codes,
// bodies and headers, written by hand into pooled buffers.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/clientip"
	"github.com/mozilla-services/merino-go/flags"
	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/mozlog"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/useragent"
)

// Options configure a Server. They are read once, at construction.
type Options struct {
	Providers *suggest.Set
	// Limits of [web.api.v1].
	ClientVariantMax          int
	QueryCharacterMax         int
	ClientVariantCharacterMax int
	HeaderCharacterMax        int
	// SuggestionsTTL is runtime.default_suggestions_response_ttl_sec.
	SuggestionsTTL int
	// VersionFile is served by /__version__.
	VersionFile string

	ReadTimeout           time.Duration
	WriteTimeout          time.Duration
	MaxRequestHeaderBytes int
	// MaxConnectionsPerIP caps one IPv4 client's open connections (0: no cap).
	MaxConnectionsPerIP int
	// PublicHost is http.public_host: the host of the trailing-slash redirect's absolute
	// Location; "" makes the Location relative.
	PublicHost string

	// Who is asking. GeoIP nil turns geolocation off; Trust nil never trusts X-Forwarded-For;
	// a valid ClientIPOverride replaces every client's address; UserAgents nil parses nothing
	// (every client is Other/other/other).
	GeoIP            *geoip.Reader
	Trust            *clientip.Trust
	ClientIPOverride netip.Addr
	UserAgents       *useragent.Parser
	// Flags are the feature flags; each request gets its own decisions (session = `sid`).
	Flags *flags.Set

	// Checks are /__heartbeat__'s readiness checks: one per data set that must be loaded.
	Checks []Check

	// Weather answers /api/v1/weather/hourly-forecasts. nil means merino-py's rule: the
	// provider with id "accuweather", if it has hourly forecasts; without one the endpoint
	// answers [] with max-age=0.
	Weather HourlyForecaster

	// Manifest holds the favicon manifest served by /api/v1/manifest (nil: always 404);
	// ManifestTTL is runtime.default_manifest_response_ttl_sec.
	Manifest    Manifest
	ManifestTTL int

	// NewTab answers the curated-recommendations endpoints (nil: they answer 404).
	NewTab NewTab

	// RequestLog receives web.suggest.request records; nil turns them off
	// (logging.log_suggest_request = false).
	RequestLog        *mozlog.Writer
	LogQuery          bool
	ExcludedProviders []string

	Log *slog.Logger
}

// Server serves the public API. Create it with New; it is safe for concurrent use.
type Server struct {
	opts         Options
	log          *slog.Logger
	cacheControl []byte // "private, max-age=<ttl>", fixed at startup
	providersDoc []byte // /api/v1/providers body, fixed at startup
	weather      HourlyForecaster
	metrics      *httpMetrics
	http         *fasthttp.Server
	pool         sync.Pool   // *exchange
	draining     atomic.Bool // set by Drain
}

// New returns a server for the given providers and limits.
func New(opts Options) *Server {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	opts.Checks = sortedChecks(opts.Checks)
	s := &Server{
		opts:         opts,
		log:          opts.Log,
		cacheControl: []byte("private, max-age=" + strconv.Itoa(opts.SuggestionsTTL)),
		metrics:      newHTTPMetrics(),
	}
	s.providersDoc = appendProviders(nil, opts.Providers.All())
	s.weather = hourlyForecaster(&opts)
	s.pool.New = func() any { return new(exchange) }
	s.http = &fasthttp.Server{
		Handler:               s.Handle,
		Name:                  "",
		NoDefaultServerHeader: true,
		NoDefaultContentType:  true,
		ReadTimeout:           opts.ReadTimeout,
		WriteTimeout:          opts.WriteTimeout,
		IdleTimeout:           60 * time.Second,
		ReadBufferSize:        max(opts.MaxRequestHeaderBytes, 4096),
		// Firefox's only bodies are New Tab's JSON requests, usually under a kilobyte; a
		// request listing thousands of followed or blocked sections (merino-py has no limit)
		// still fits in a MiB.
		MaxRequestBodySize:            1 << 20,
		DisablePreParseMultipartForm:  true,
		CloseOnShutdown:               true,
		DisableHeaderNamesNormalizing: false,
		MaxConnsPerIP:                 opts.MaxConnectionsPerIP,
		// fasthttp's messages about requests it cannot parse quote the request: only with
		// logging.log_query, and then marked sensitive.
		SecureErrorLogMessage: !opts.LogQuery,
		Logger:                fasthttpLogger{log: opts.Log, sensitive: opts.LogQuery},
		ErrorHandler:          requestError,
	}
	return s
}

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.http.Serve(ln) }

// Shutdown stops accepting connections and waits, until ctx is done, for in-flight requests
// to finish.
func (s *Server) Shutdown(ctx context.Context) error { return s.http.ShutdownWithContext(ctx) }

// Drain starts a graceful stop: /__lbheartbeat__ answers 503 and every response closes its
// connection, so that load balancers and clients move away while the listener still accepts.
// The caller closes the listener later, with Shutdown.
func (s *Server) Drain() {
	if !s.draining.Swap(true) {
		drainingGauge.Set(1)
	}
}

var drainingGauge = metrics.NewGauge("merino_http_draining", nil)

// Handle is the fasthttp handler of the public listener: request id and CORS around the
// routes, as merino-py's middleware stack does.
func (s *Server) Handle(ctx *fasthttp.RequestCtx) {
	x := s.pool.Get().(*exchange)
	defer func() {
		x.reset()
		s.pool.Put(x)
	}()

	start := time.Now()
	x.requestID = appendRequestID(x.requestID[:0], ctx.Request.Header.Peek("X-Request-Id"))
	x.req.UserAgent = s.userAgent(ctx)
	origin := ctx.Request.Header.Peek(fasthttp.HeaderOrigin)

	route := -1
	if hasFraming(&ctx.Request.Header) && framedTwice(ctx.Request.Header.RawHeaders()) {
		s.rejectFraming(ctx)
	} else if len(origin) > 0 && ctx.IsOptions() && len(ctx.Request.Header.Peek(fasthttp.HeaderAccessControlRequestMethod)) > 0 {
		preflight(ctx)
		route = lookup(string(ctx.Path()))
	} else {
		route = s.route(ctx, x)
		if len(origin) > 0 {
			allowOrigin(ctx, origin)
		}
	}
	ctx.Response.Header.SetCanonical(headerRequestID, x.requestID)
	if s.draining.Load() {
		ctx.SetConnectionClose()
	}
	s.metrics.observe(route, ctx.Method(), ctx.Response.StatusCode(), x.req.UserAgent.FormFactor, time.Since(start))
}

var headerRequestID = []byte("X-Request-Id")

// route dispatches on the path and returns the route's index (-1: unknown path). Each route
// answers its one method only (GET, or POST for the curated recommendations); FastAPI adds
// no HEAD.
func (s *Server) route(ctx *fasthttp.RequestCtx, x *exchange) int {
	path := routePath(ctx, x)
	i := lookup(string(path))
	if i < 0 {
		s.notFound(ctx, x, path)
		return i
	}
	if m := routes[i].method; string(ctx.Method()) != m {
		ctx.Response.Header.Set(fasthttp.HeaderAllow, m)
		writeJSON(ctx, fasthttp.StatusMethodNotAllowed, detailMethodNotAllowed)
		return i
	}
	routes[i].h(s, ctx, x)
	return i
}

type handler func(s *Server, ctx *fasthttp.RequestCtx, x *exchange)

// routes are the public API's paths; their index is the metrics' route label.
var routes = [...]struct {
	path   string
	method string // the one method the route answers
	h      handler
}{
	{"/api/v1/suggest", fasthttp.MethodGet, (*Server).suggest},
	{"/api/v1/providers", fasthttp.MethodGet, (*Server).providers},
	{"/api/v1/manifest", fasthttp.MethodGet, (*Server).manifest},
	{"/api/v1/weather/hourly-forecasts", fasthttp.MethodGet, (*Server).weatherHourly},
	{curatedPath, fasthttp.MethodPost, (*Server).curatedRecommendations},
	{curatedPath + "/legacy-115-129", fasthttp.MethodGet, (*Server).curatedLegacy115},
	{curatedPath + "/legacy-114", fasthttp.MethodGet, (*Server).curatedLegacy114},
	{"/__heartbeat__", fasthttp.MethodGet, (*Server).heartbeat},
	{"/__lbheartbeat__", fasthttp.MethodGet, (*Server).lbheartbeat},
	{"/__version__", fasthttp.MethodGet, (*Server).version},
	{"/__error__", fasthttp.MethodGet, (*Server).errorEndpoint},
	{"/", fasthttp.MethodGet, (*Server).root},
	{"/docs", fasthttp.MethodGet, (*Server).docs},
	{"/openapi.json", fasthttp.MethodGet, (*Server).openAPI},
}

// Routes lists the paths the public listener serves, in route order.
func Routes() []string {
	paths := make([]string, len(routes))
	for i := range routes {
		paths[i] = routes[i].path
	}
	return paths
}

// lookup finds a route by exact path; a switch the compiler turns into a binary search.
func lookup(path string) int {
	for i := range routes {
		if routes[i].path == path {
			return i
		}
	}
	return -1
}

var (
	detailNotFound         = []byte(`{"detail":"Not Found"}`)
	detailMethodNotAllowed = []byte(`{"detail":"Method Not Allowed"}`)
)

// notFound is Starlette's router: a path that matches a route once a trailing slash is added
// or removed is redirected (307) there, query string kept (see appendRedirect); anything
// else is 404.
func (s *Server) notFound(ctx *fasthttp.RequestCtx, x *exchange, path []byte) {
	var other string
	if n := len(path); n > 1 && path[n-1] == '/' {
		other = string(path[:n-1])
	} else {
		other = string(path) + "/"
	}
	if lookup(other) >= 0 {
		x.scratch2 = s.appendRedirect(x.scratch2[:0], ctx, other)
		ctx.Response.Header.SetBytesV(fasthttp.HeaderLocation, x.scratch2)
		ctx.SetStatusCode(fasthttp.StatusTemporaryRedirect)
		return
	}
	writeJSON(ctx, fasthttp.StatusNotFound, detailNotFound)
}

// writeJSON sets a constant JSON body (one that lives as long as the process).
func writeJSON(ctx *fasthttp.RequestCtx, status int, body []byte) {
	ctx.SetStatusCode(status)
	ctx.Response.Header.SetContentTypeBytes(contentTypeJSON)
	ctx.Response.SetBodyRaw(body)
}

// sendJSON hands x.buf to the response as its body and takes the response's previous body
// buffer in exchange: fasthttp writes the response after the handler returns, when x is
// already back in the pool, so the bytes must belong to the response by then. No copy, no
// allocation once both buffers have grown.
func sendJSON(ctx *fasthttp.RequestCtx, status int, x *exchange) {
	ctx.SetStatusCode(status)
	ctx.Response.Header.SetContentTypeBytes(contentTypeJSON)
	x.buf = ctx.Response.SwapBody(x.buf)[:0]
}

var contentTypeJSON = []byte("application/json")

// exchange is the per-request scratch space, pooled: nothing on the suggest path allocates
// once the pool is warm.
type exchange struct {
	requestID   []byte
	req         suggest.Request
	chosen      []suggest.Provider
	out         []suggest.Suggestion
	errs        []fieldError
	buf         []byte
	scratch     []byte // backing store for repaired (invalid UTF-8) parameter values
	scratch2    []byte // a per-request header value (weather's Cache-Control, a Location)
	path        []byte // the decoded path, when fasthttp's normalised one is not Starlette's
	pii         piiType
	flags       flags.Decisions
	logLocation logLocation
}

func (x *exchange) reset() {
	x.req.Reset()
	clear(x.chosen)
	x.chosen = x.chosen[:0]
	clear(x.out)
	x.out = x.out[:0]
	x.errs = x.errs[:0]
	x.buf = x.buf[:0]
	x.scratch = x.scratch[:0]
	x.scratch2 = x.scratch2[:0]
	x.path = x.path[:0]
	x.pii = piiUnset
	x.logLocation = logLocation{}
	x.flags = flags.Decisions{}
	// A buffer that grew for one hostile request is not kept for every later one.
	if cap(x.buf) > 1<<20 {
		x.buf = nil
	}
	if cap(x.scratch) > 1<<20 {
		x.scratch = nil
	}
}

// requestError answers requests fasthttp could not parse (oversized headers, timeouts,
// garbage) with a JSON body like every other error, instead of fasthttp's plain text.
func requestError(ctx *fasthttp.RequestCtx, err error) {
	var small *fasthttp.ErrSmallBuffer
	var netErr net.Error
	switch {
	case errors.As(err, &small):
		writeJSON(ctx, fasthttp.StatusRequestHeaderFieldsTooLarge, detailHeadersTooLarge)
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		writeJSON(ctx, fasthttp.StatusRequestEntityTooLarge, detailBodyTooLarge)
	case errors.As(err, &netErr) && netErr.Timeout():
		writeJSON(ctx, fasthttp.StatusRequestTimeout, detailRequestTimeout)
	default:
		writeJSON(ctx, fasthttp.StatusBadRequest, detailBadRequest)
	}
}

var (
	detailHeadersTooLarge = []byte(`{"detail":"Request Header Fields Too Large"}`)
	detailRequestTimeout  = []byte(`{"detail":"Request Timeout"}`)
	detailBodyTooLarge    = []byte(`{"detail":"Request Entity Too Large"}`)
	detailBadRequest      = []byte(`{"detail":"Bad Request"}`)
)

// fasthttpLogger sends fasthttp's own messages (malformed requests, ...) to slog. With
// sensitive set they may quote requests, and say so.
type fasthttpLogger struct {
	log       *slog.Logger
	sensitive bool
}

func (l fasthttpLogger) Printf(format string, args ...any) {
	if l.sensitive {
		l.log.Debug(fmt.Sprintf(format, args...), "logger", "fasthttp", "sensitive", true)
		return
	}
	l.log.Debug(redactQuoted(fmt.Sprintf(format, args...)), "logger", "fasthttp")
}

// redactQuoted replaces what fasthttp quotes (%q) in a message — request lines, header
// values — by "…", keeping quoted addresses (ip:port). SecureErrorLogMessage leaves some
// quotes in (an invalid request URI), so every message goes through this when queries must
// not be logged. Malformed requests are rare; clarity wins over allocations here.
func redactQuoted(msg string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '"')
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		b.WriteString(msg[:i+1])
		msg = msg[i+1:]
		end := 0
		for end < len(msg) && msg[end] != '"' {
			if msg[end] == '\\' {
				end++
			}
			end++
		}
		if end > len(msg) {
			end = len(msg)
		}
		if quoted := msg[:end]; isAddress(quoted) {
			b.WriteString(quoted)
		} else {
			b.WriteString("…")
		}
		b.WriteByte('"')
		if end < len(msg) {
			end++
		}
		msg = msg[end:]
	}
}

// isAddress reports whether s is a host:port of an IP address.
func isAddress(s string) bool {
	_, err := netip.ParseAddrPort(s)
	return err == nil
}

// readVersion reads the Dockerflow version file on each call: it is small, rarely asked for,
// and a deployment may write it after startup.
func readVersion(path string) ([]byte, error) { return os.ReadFile(path) }
