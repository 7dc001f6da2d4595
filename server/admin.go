package server

import (
	"bytes"

	"github.com/VictoriaMetrics/metrics"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/pprofhandler"
)

// AdminHandler serves the admin listener: /metrics (Prometheus text, with Go runtime and
// process metrics) and /debug/pprof/*, nothing else. It is never mounted on the public
// listener: profiles and metrics are for operators, not for the Internet.
func AdminHandler(ctx *fasthttp.RequestCtx) {
	path := ctx.Path()
	switch {
	case string(path) == "/metrics":
		ctx.Response.Header.SetContentType("text/plain; version=0.0.4; charset=utf-8")
		metrics.WritePrometheus(ctx, true)
	case bytes.HasPrefix(path, []byte("/debug/pprof/")) || string(path) == "/debug/pprof":
		pprofhandler.PprofHandler(ctx)
	default:
		writeJSON(ctx, fasthttp.StatusNotFound, detailNotFound)
	}
}

// NewAdminServer returns the fasthttp server of the admin listener.
func NewAdminServer() *fasthttp.Server {
	return &fasthttp.Server{
		Handler:               AdminHandler,
		NoDefaultServerHeader: true,
		CloseOnShutdown:       true,
		// A CPU profile streams for its whole duration; do not cut it off.
		WriteTimeout: 0,
	}
}
