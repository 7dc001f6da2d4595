package server

import (
	"encoding/json"
	"testing"

	"github.com/valyala/fasthttp"
)

// FuzzSuggestQuery throws arbitrary query strings and Accept-Language headers at the suggest
// handler: it must answer 200 or 400 with valid JSON, never panic or 500.
func FuzzSuggestQuery(f *testing.F) {
	for _, seed := range []string{
		"q=goog", "q=", "", "q=a&q=b", "q=%FF%FE", "q=exam&country=US&region=CA&city=x",
		"q=a&city=x", "q=a@b", "q=1", "q=a&providers=,,default,", "q=a&client_variants=,,,",
		"q=a&source=newtab&request_type=weather", "q=%00%01%E2%82", "q=" + string(make([]byte, 600)),
	} {
		f.Add(seed, "en-US,en;q=0.5")
	}
	f.Add("q=a", "*")
	f.Add("q=a", ";q=;q=,")
	s := benchServer(f)
	f.Fuzz(func(t *testing.T, query, acceptLanguage string) {
		var ctx fasthttp.RequestCtx
		var req fasthttp.Request
		req.SetRequestURI("/api/v1/suggest")
		req.URI().SetQueryString(query)
		req.Header.Set("Accept-Language", acceptLanguage)
		ctx.Init(&req, nil, nil)
		s.Handle(&ctx)
		code := ctx.Response.StatusCode()
		if code != 200 && code != 400 {
			t.Fatalf("%q %q: status %d %s", query, acceptLanguage, code, ctx.Response.Body())
		}
		if !json.Valid(ctx.Response.Body()) {
			t.Fatalf("%q %q: invalid JSON %q", query, acceptLanguage, ctx.Response.Body())
		}
	})
}
