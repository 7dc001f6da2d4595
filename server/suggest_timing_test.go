package server

import (
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"

	"github.com/mozilla-services/merino-go/clientip"
	"github.com/mozilla-services/merino-go/flags"
	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/index/domains"
	"github.com/mozilla-services/merino-go/mozlog"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/adm"
	"github.com/mozilla-services/merino-go/suggest/toppicks"
	"github.com/mozilla-services/merino-go/useragent"
)

// benchServer serves the bundled 745-site sample, as `make run` does, with nothing of the
// middleware (the skeleton's baseline).
func benchServer(tb testing.TB) *Server { return newBenchServer(tb, false) }

// benchServerFull adds who-is-asking and logging as production runs them: geolocation on the
// bundled test database, X-Forwarded-For from loopback, the user-agent cache, flags and a
// web.suggest.request record per request (to io.Discard).
func benchServerFull(tb testing.TB) *Server { return newBenchServer(tb, true) }

func newBenchServer(tb testing.TB, full bool) *Server {
	tb.Helper()
	p := toppicks.New(toppicks.Settings{Base: suggest.Base{Name: "top_picks", Score: 0.25, EnabledByDefault: true, QueryTimeout: 200 * time.Millisecond}, Index: domains.Options{QueryCharLimit: 4, FirefoxCharLimit: 2}})
	data, err := os.ReadFile("../data/top_picks.json")
	if err != nil {
		tb.Fatal(err)
	}
	apply := toppicks.Loader(p, slog.New(slog.DiscardHandler))
	if _, err := apply(data); err != nil {
		tb.Fatal(err)
	}
	set, err := suggest.NewSet([]suggest.Provider{p}, 200*time.Millisecond, nil)
	if err != nil {
		tb.Fatal(err)
	}
	opts := Options{
		Providers: set, ClientVariantMax: 10, QueryCharacterMax: 500, ClientVariantCharacterMax: 100,
		HeaderCharacterMax: 100, SuggestionsTTL: 300, MaxRequestHeaderBytes: 8192,
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second,
	}
	if full {
		if opts.GeoIP, err = geoip.Open("../data/GeoLite2-City-Test.mmdb"); err != nil {
			tb.Fatal(err)
		}
		if opts.Trust, err = clientip.NewTrust([]string{"127.0.0.1"}); err != nil {
			tb.Fatal(err)
		}
		if opts.UserAgents, err = useragent.NewParser(1000); err != nil {
			tb.Fatal(err)
		}
		opts.Flags = flags.New([]flags.Flag{{Name: "f", Enabled: 0.5, Scheme: flags.Session}})
		opts.RequestLog = mozlog.NewWriter(io.Discard, false, "merino", slog.LevelInfo)
		opts.ExcludedProviders = []string{"accuweather", "geolocation"}
	}
	return New(opts)
}

// keystrokes is what Firefox sends while a user types "google" then "amazon", with a hit,
// misses and a misspelling among them.
var keystrokes = []string{
	"/api/v1/suggest?q=g", "/api/v1/suggest?q=go", "/api/v1/suggest?q=goo", "/api/v1/suggest?q=goog",
	"/api/v1/suggest?q=googl", "/api/v1/suggest?q=google", "/api/v1/suggest?q=amaz&client_variants=a,b",
	"/api/v1/suggest?q=goolge&providers=top_picks", "/api/v1/suggest?q=how+to+cook+rice",
}

func newCtx(uri string) *fasthttp.RequestCtx {
	var req fasthttp.Request
	req.SetRequestURI(uri)
	req.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0")
	req.Header.Set("Accept-Language", "en-US,en;q=0.5")
	req.Header.Set("X-Forwarded-For", "216.160.83.56")
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1234}, nil)
	return &ctx
}

// benchServerAdm serves the bundled AMP sample (data/amp.json) through the file backend's
// real loader, with the user-agent parser so segments resolve as in production.
func benchServerAdm(tb testing.TB) *Server {
	tb.Helper()
	p := adm.New(adm.Settings{Base: suggest.Base{Name: "adm", Score: 0.31, EnabledByDefault: true, QueryTimeout: 200 * time.Millisecond}, Fuzzy: true, MinSubstitutionLen: 7})
	data, err := os.ReadFile("../data/amp.json")
	if err != nil {
		tb.Fatal(err)
	}
	apply := adm.FileLoader(p, []adm.Segment{{Country: "US", FormFactor: adm.Desktop}}, adm.LoadOptions{ProviderID: "adm"}, slog.New(slog.DiscardHandler))
	if _, err := apply(data); err != nil {
		tb.Fatal(err)
	}
	set, err := suggest.NewSet([]suggest.Provider{p}, 200*time.Millisecond, nil)
	if err != nil {
		tb.Fatal(err)
	}
	uas, err := useragent.NewParser(1000)
	if err != nil {
		tb.Fatal(err)
	}
	return New(Options{
		Providers: set, ClientVariantMax: 10, QueryCharacterMax: 500, ClientVariantCharacterMax: 100,
		HeaderCharacterMax: 100, SuggestionsTTL: 300, MaxRequestHeaderBytes: 8192, UserAgents: uas,
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second,
	})
}

// admKeystrokes type "amazon" and a misspelt keyword in the fuzzy branch.
var admKeystrokes = []string{
	"/api/v1/suggest?q=am&providers=adm", "/api/v1/suggest?q=ama&providers=adm", "/api/v1/suggest?q=amaz&providers=adm",
	"/api/v1/suggest?q=amazon&providers=adm", "/api/v1/suggest?q=nothing+here&providers=adm",
	"/api/v1/suggest?q=amazn&providers=adm&client_variants=amp-fuzzy-matching-treatment",
}

// BenchmarkSuggestHandler drives the handler directly: parsing, validation, lookup and JSON.
// "skeleton" has no middleware; "full" adds geolocation, the user agent, flags and the request
// log, so the ratio of the two is what knowing who asks costs.
func BenchmarkSuggestHandler(b *testing.B) {
	b.Run("skeleton", func(b *testing.B) { benchHandler(b, benchServer(b)) })
	b.Run("full", func(b *testing.B) { benchHandler(b, benchServerFull(b)) })
	b.Run("adm", func(b *testing.B) { benchHandlerURIs(b, benchServerAdm(b), admKeystrokes) })
}

func benchHandler(b *testing.B, s *Server) { benchHandlerURIs(b, s, keystrokes) }

func benchHandlerURIs(b *testing.B, s *Server, keystrokes []string) {
	ctxs := make([]*fasthttp.RequestCtx, len(keystrokes))
	reqs := make([]fasthttp.Request, len(keystrokes))
	for i, u := range keystrokes {
		ctxs[i] = newCtx(u)
		ctxs[i].Request.CopyTo(&reqs[i])
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := i % len(ctxs)
		ctx := ctxs[k]
		reqs[k].CopyTo(&ctx.Request) // a fresh, unparsed request each time
		ctx.Response.Reset()
		s.Handle(ctx)
		if ctx.Response.StatusCode() != 200 {
			b.Fatalf("%s: %d", keystrokes[k], ctx.Response.StatusCode())
		}
	}
}

// benchHTTP runs handler behind a real fasthttp server on an in-memory listener and measures
// whole requests with fasthttp's client, in parallel.
func benchHTTP(b *testing.B, handler fasthttp.RequestHandler, uris []string) {
	ln := fasthttputil.NewInmemoryListener()
	srv := &fasthttp.Server{Handler: handler, NoDefaultServerHeader: true}
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Shutdown() }()
	client := &fasthttp.Client{Dial: func(string) (net.Conn, error) { return ln.Dial() }, MaxConnsPerHost: 1024}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		for i := 0; pb.Next(); i++ {
			req.SetRequestURI("http://merino" + uris[i%len(uris)])
			req.Header.Set("Accept-Language", "en-US,en;q=0.5")
			if err := client.Do(req, resp); err != nil || resp.StatusCode() != 200 {
				b.Fatalf("%v %d", err, resp.StatusCode())
			}
		}
	})
}

// BenchmarkSuggestTopPicks is the whole HTTP path for the keystroke mix. Compare it with
// BenchmarkFixedBody, measured in the same run: the ratio is what merino-go costs beyond
// fasthttp itself.
func BenchmarkSuggestTopPicks(b *testing.B) {
	benchHTTP(b, benchServer(b).Handle, keystrokes)
}

// BenchmarkFixedBody is the ceiling: a handler that writes a fixed small body.
func BenchmarkFixedBody(b *testing.B) {
	body := []byte(`{"suggestions":[],"request_id":"0","client_variants":[],"server_variants":[]}`)
	benchHTTP(b, func(ctx *fasthttp.RequestCtx) {
		ctx.Response.Header.SetContentTypeBytes(contentTypeJSON)
		ctx.Response.SetBodyRaw(body)
	}, []string{"/api/v1/suggest?q=goog"})
}
