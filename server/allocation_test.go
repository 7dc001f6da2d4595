//go:build !race

package server

import (
	"testing"

	"github.com/valyala/fasthttp"
)

// The suggest path allocates nothing once pools are warm: parsing, validation, the top picks
// lookup, the JSON answer and the request id.
func TestAllocsSuggestTopPicks(t *testing.T) {
	t.Run("skeleton", func(t *testing.T) { allocs(t, benchServer(t), keystrokes) })
	// With geolocation, the user agent, flags and the request log on: still nothing.
	t.Run("full", func(t *testing.T) { allocs(t, benchServerFull(t), keystrokes) })
	t.Run("adm", func(t *testing.T) { allocs(t, benchServerAdm(t), admKeystrokes) })
}

func allocs(t *testing.T, s *Server, keystrokes []string) {
	for _, uri := range append(keystrokes,
		"/api/v1/suggest?q=exam&country=US&region=CA,SF&city=Milton&source=urlbar",
		"/api/v1/suggest?q=a@b.c",
		"/api/v1/suggest?q=x&source=nope", // a 400 body
		"/api/v1/suggest?q=exam&sid=abc&seq=12&client_variants=a,b",
	) {
		ctx := newCtx(uri)
		var req fasthttp.Request
		ctx.Request.CopyTo(&req)
		run := func() {
			req.CopyTo(&ctx.Request)
			ctx.Response.Reset()
			s.Handle(ctx)
		}
		for i := 0; i < 10; i++ {
			run() // warm the pools
		}
		if n := testing.AllocsPerRun(200, run); n != 0 {
			t.Errorf("%s: %v allocations per request", uri, n)
		}
	}
}
