package server

import (
	_ "embed"

	"github.com/valyala/fasthttp"
)

// The API documentation is a static page and an OpenAPI document shipped in the binary: the
// page needs no CDN (merino-py's Swagger UI loads one), so it works offline and behind strict
// content security policies.
var (
	//go:embed static/docs.html
	docsHTML []byte
	//go:embed static/openapi.json
	openAPIJSON []byte
)

func (s *Server) docs(ctx *fasthttp.RequestCtx, _ *exchange) {
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.Response.Header.SetContentType("text/html; charset=utf-8")
	ctx.Response.SetBodyRaw(docsHTML)
}

func (s *Server) openAPI(ctx *fasthttp.RequestCtx, _ *exchange) {
	writeJSON(ctx, fasthttp.StatusOK, openAPIJSON)
}
