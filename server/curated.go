package server

import (
	"iter"

	"github.com/valyala/fasthttp"
)

// NewTab answers Firefox New Tab's story endpoints (curated recommendations). Each method
// appends the response body to dst and returns it with the HTTP status (200, or 400 with a
// JSON body); an error is a failure merino-py answers with a plain-text 500. The server stays
// ignorant of how stories are chosen: it only carries bytes.
type NewTab interface {
	Recommend(dst []byte, contentType, body []byte) ([]byte, int, error)
	Legacy115(dst []byte, query iter.Seq2[[]byte, []byte]) ([]byte, int, error)
	Legacy114(dst []byte, query iter.Seq2[[]byte, []byte]) ([]byte, int, error)
}

const curatedPath = "/api/v1/curated-recommendations"

var bodyInternalError = []byte("Internal Server Error")

// newTab writes what a NewTab method returned.
func (s *Server) newTab(ctx *fasthttp.RequestCtx, x *exchange, call func(dst []byte) ([]byte, int, error)) {
	if s.opts.NewTab == nil {
		writeJSON(ctx, fasthttp.StatusNotFound, detailNotFound)
		return
	}
	out, status, err := call(x.buf[:0])
	x.buf = out
	if err != nil {
		// Starlette's default for an unhandled exception.
		ctx.SetStatusCode(fasthttp.StatusInternalServerError)
		ctx.Response.Header.SetContentType("text/plain; charset=utf-8")
		ctx.Response.SetBodyRaw(bodyInternalError)
		return
	}
	sendJSON(ctx, status, x)
}

func (s *Server) curatedRecommendations(ctx *fasthttp.RequestCtx, x *exchange) {
	s.newTab(ctx, x, func(dst []byte) ([]byte, int, error) {
		return s.opts.NewTab.Recommend(dst, ctx.Request.Header.ContentType(), ctx.PostBody())
	})
}

func (s *Server) curatedLegacy115(ctx *fasthttp.RequestCtx, x *exchange) {
	s.newTab(ctx, x, func(dst []byte) ([]byte, int, error) {
		return s.opts.NewTab.Legacy115(dst, ctx.QueryArgs().All())
	})
}

func (s *Server) curatedLegacy114(ctx *fasthttp.RequestCtx, x *exchange) {
	s.newTab(ctx, x, func(dst []byte) ([]byte, int, error) {
		return s.opts.NewTab.Legacy114(dst, ctx.QueryArgs().All())
	})
}
