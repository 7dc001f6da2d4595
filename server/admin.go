package server

import (
	"bytes"
	"context"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http/pprof"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"
	"github.com/valyala/fasthttp/pprofhandler"
)

// AdminOptions configure the admin listener's server.
type AdminOptions struct {
	// ReadTimeout and WriteTimeout are the public listener's (http.read_timeout_sec,
	// http.write_timeout_sec): idle and slow connections are closed as there.
	ReadTimeout, WriteTimeout time.Duration
	// Token, when set, is the Bearer token /debug/pprof/* and /__heartbeat__ require.
	Token string
	// TokenRequired turns /debug/pprof/* and /__heartbeat__ off while Token is empty
	// (production: profiles and internal details are never unauthenticated).
	TokenRequired bool
	// Checks are the data sets whose full state /__heartbeat__ reports here (the public
	// heartbeat keeps errors generic).
	Checks []Check
	Log    *slog.Logger
}

// Admin serves the admin listener: /metrics (Prometheus text, with Go runtime and process
// metrics), /debug/pprof/* and the detailed /__heartbeat__, nothing else. It is never
// mounted on the public listener: profiles and metrics are for operators, not for the
// Internet.
type Admin struct {
	opts AdminOptions
	http *fasthttp.Server
}

// NewAdmin returns the admin listener's server.
func NewAdmin(o AdminOptions) *Admin {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	o.Checks = sortedChecks(o.Checks)
	a := &Admin{opts: o}
	a.http = &fasthttp.Server{
		Handler:               a.Handle,
		NoDefaultServerHeader: true,
		CloseOnShutdown:       true,
		// fasthttp arms the write deadline once the handler has returned, so a CPU profile
		// computed for ?seconds=N is not cut off by it.
		ReadTimeout:  o.ReadTimeout,
		WriteTimeout: o.WriteTimeout,
		IdleTimeout:  o.ReadTimeout,
		Logger:       fasthttpLogger{log: o.Log},
		ErrorHandler: requestError,
	}
	return a
}

// Serve accepts connections on ln until Shutdown.
func (a *Admin) Serve(ln net.Listener) error { return a.http.Serve(ln) }

// Shutdown stops accepting connections and waits, until ctx is done, for requests in flight.
func (a *Admin) Shutdown(ctx context.Context) error { return a.http.ShutdownWithContext(ctx) }

// Handle is the admin listener's handler.
func (a *Admin) Handle(ctx *fasthttp.RequestCtx) {
	path := ctx.Path()
	switch {
	case string(path) == "/metrics":
		ctx.Response.Header.SetContentType("text/plain; version=0.0.4; charset=utf-8")
		metrics.WritePrometheus(ctx, true)
	case bytes.HasPrefix(path, []byte("/debug/pprof/")) || string(path) == "/debug/pprof":
		if !a.authorized(ctx) {
			return
		}
		if len(path) <= len("/debug/pprof/") {
			// fasthttp's handler answers 404 for the index page (it rejects a trailing slash).
			pprofIndex(ctx)
			return
		}
		pprofhandler.PprofHandler(ctx)
	case string(path) == "/__heartbeat__":
		if a.authorized(ctx) {
			body, status := appendHeartbeat(nil, a.opts.Checks, time.Now(), true)
			ctx.SetStatusCode(status)
			ctx.Response.Header.SetContentTypeBytes(contentTypeJSON)
			ctx.Response.SetBodyRaw(body)
		}
	default:
		writeJSON(ctx, fasthttp.StatusNotFound, detailNotFound)
	}
}

var pprofIndex = fasthttpadaptor.NewFastHTTPHandlerFunc(pprof.Index)

var (
	detailUnauthorized = []byte(`{"detail":"Not authenticated"}`)
	detailNeedsToken   = []byte(`{"detail":"Forbidden: set http.admin_token to use this endpoint"}`)
	bearer             = []byte("Bearer ")
)

// authorized checks the request's Bearer token (in constant time) and answers 401 or 403
// when it does not pass.
func (a *Admin) authorized(ctx *fasthttp.RequestCtx) bool {
	if a.opts.Token == "" {
		if a.opts.TokenRequired {
			writeJSON(ctx, fasthttp.StatusForbidden, detailNeedsToken)
			return false
		}
		return true
	}
	got, ok := bytes.CutPrefix(ctx.Request.Header.Peek(fasthttp.HeaderAuthorization), bearer)
	if ok && subtle.ConstantTimeCompare(got, []byte(a.opts.Token)) == 1 {
		return true
	}
	ctx.Response.Header.Set(fasthttp.HeaderWWWAuthenticate, "Bearer")
	writeJSON(ctx, fasthttp.StatusUnauthorized, detailUnauthorized)
	return false
}

// AdminHandler serves /metrics and /debug/pprof/* without a token: the admin handler of a
// process with no checks, for tests and tools.
func AdminHandler(ctx *fasthttp.RequestCtx) { openAdmin.Handle(ctx) }

var openAdmin = NewAdmin(AdminOptions{})
