package server

import "github.com/valyala/fasthttp"

// heartbeat answers /__heartbeat__ and /__lbheartbeat__: 200 with an empty body and no
// content type, as merino-py's Dockerflow router does.
func (s *Server) heartbeat(ctx *fasthttp.RequestCtx, _ *exchange) {
	ctx.SetStatusCode(fasthttp.StatusOK)
}
