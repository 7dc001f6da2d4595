package server_test

import (
	"encoding/json"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/manifest"
	"github.com/mozilla-services/merino-go/server"
)

// mockManifestBody is merino-py's answer for its integration-test manifest
// (tests/integration/api/conftest.py mock_manifest): the URL in HttpUrl form.
const mockManifestBody = `{"domains":[{"rank":1,"domain":"spotify","categories":["Entertainment"],"serp_categories":[0],"url":"https://www.spotify.com/","title":"Spotify","icon":"https://test.com/spotify-favicon.ico"}],"partners":[]}`

func manifestOptions(t *testing.T, docs ...string) (server.Options, *manifest.Holder) {
	t.Helper()
	h := &manifest.Holder{}
	for _, doc := range docs {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Apply(data); err != nil {
			t.Fatal(err)
		}
	}
	opts := defaultOptions(newTopPicks(t, "top_picks", true))
	opts.Manifest = h
	opts.ManifestTTL = 28800
	return opts, h
}

// merino-py's tests/integration/api/v1/manifest/test_manifest.py, with whole bodies.
func TestManifest(t *testing.T) {
	opts, h := manifestOptions(t, "../manifest/testdata/valid/mock_manifest.json")
	ts := start(t, opts)

	r := ts.get(t, "/api/v1/manifest")
	if r.status != 200 || r.body != mockManifestBody {
		t.Fatalf("got %d %s\nwant 200 %s", r.status, r.body, mockManifestBody)
	}
	etag := r.header.Get("ETag")
	want := map[string]string{
		"Cache-Control": "private, max-age=28800",
		"Content-Type":  "application/json",
		"ETag":          string(h.Load().ETag),
		"X-Request-Id":  rid,
	}
	for k, v := range want {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 3 {
		t.Errorf("ETag %q is not quoted", etag)
	}

	// If-None-Match equal to the ETag: 304, empty body, ETag and Cache-Control.
	nm := ts.get(t, "/api/v1/manifest", "If-None-Match", etag)
	if nm.status != 304 || nm.body != "" {
		t.Errorf("If-None-Match %s: got %d %q, want 304 and no body", etag, nm.status, nm.body)
	}
	if nm.header.Get("ETag") != etag || nm.header.Get("Cache-Control") != "private, max-age=28800" || nm.header.Get("X-Request-Id") != rid {
		t.Errorf("304 headers: %v", nm.header)
	}
	if ct := nm.header.Get("Content-Type"); ct != "" {
		t.Errorf("304 has Content-Type %q", ct)
	}

	// Anything but the exact tag is a full answer: merino-py compares strings, it does not
	// parse weak tags or lists.
	for _, inm := range []string{`"stale-etag"`, "W/" + etag, etag + `, "other"`, strings.Trim(etag, `"`), "*"} {
		r := ts.get(t, "/api/v1/manifest", "If-None-Match", inm)
		if r.status != 200 || r.body != mockManifestBody || r.header.Get("ETag") != etag {
			t.Errorf("If-None-Match %s: got %d %s (ETag %q)", inm, r.status, r.body, r.header.Get("ETag"))
		}
	}

	// HEAD is not a route method, as in FastAPI.
	if r := ts.do(t, "HEAD", "/api/v1/manifest"); r.status != 405 {
		t.Errorf("HEAD: %d", r.status)
	}

	// New content, new tag: the old tag no longer matches, the new one does.
	data, err := os.ReadFile("../manifest/testdata/valid/lax.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Apply(data); err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile("../manifest/testdata/valid/lax.golden")
	if err != nil {
		t.Fatal(err)
	}
	r2 := ts.get(t, "/api/v1/manifest", "If-None-Match", etag)
	if r2.status != 200 || r2.body != string(golden) {
		t.Errorf("after a change: got %d %s\nwant 200 %s", r2.status, r2.body, golden)
	}
	etag2 := r2.header.Get("ETag")
	if etag2 == etag || etag2 == "" {
		t.Errorf("ETag did not change: %q then %q", etag, etag2)
	}
	if r := ts.get(t, "/api/v1/manifest", "If-None-Match", etag2); r.status != 304 {
		t.Errorf("the new ETag gave %d", r.status)
	}

	// An empty manifest does not replace the served one.
	if _, err := h.Apply([]byte(`{"domains":[],"partners":[]}`)); err == nil {
		t.Error("an empty manifest was applied")
	}
	if r := ts.get(t, "/api/v1/manifest"); r.status != 200 || r.header.Get("ETag") != etag2 {
		t.Errorf("after an empty manifest: %d, ETag %q", r.status, r.header.Get("ETag"))
	}
}

func TestManifestNotFound(t *testing.T) {
	empty, _ := manifestOptions(t)
	none := defaultOptions()
	for name, opts := range map[string]server.Options{"empty holder": empty, "no holder": none} {
		ts := start(t, opts)
		for _, headers := range [][]string{nil, {"If-None-Match", `"x"`}} {
			r := ts.get(t, "/api/v1/manifest", headers...)
			if r.status != 404 || r.body != `{"detail":"Manifest not found"}` {
				t.Errorf("%s: got %d %s", name, r.status, r.body)
			}
			if r.header.Get("Cache-Control") != "" || r.header.Get("ETag") != "" {
				t.Errorf("%s: 404 with Cache-Control %q, ETag %q", name, r.header.Get("Cache-Control"), r.header.Get("ETag"))
			}
			if r.header.Get("Content-Type") != "application/json" || r.header.Get("X-Request-Id") != rid {
				t.Errorf("%s: 404 headers %v", name, r.header)
			}
		}
	}
}

// The bundled sample that `make run` serves. Its ETag is the hash of the body, and the
// expected value is the hash of pydantic 2.13.4's rendering of data/manifest.json with
// merino-py's models: equal tags mean byte-identical bodies. Regenerating the sample changes it.
func TestManifestBundledSample(t *testing.T) {
	opts, _ := manifestOptions(t, "../data/manifest.json")
	ts := start(t, opts)
	r := ts.get(t, "/api/v1/manifest")
	if r.status != 200 {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	if got, want := r.header.Get("ETag"), `"ff7b2dc88c41a4aafaa22f8af462b1f1"`; got != want {
		t.Errorf("ETag %s, want %s (merino-py's body)", got, want)
	}
	var doc struct {
		Domains []struct {
			Rank           int      `json:"rank"`
			Domain         string   `json:"domain"`
			Categories     []string `json:"categories"`
			SerpCategories []int    `json:"serp_categories"`
			URL            string   `json:"url"`
			Title          string   `json:"title"`
			Icon           string   `json:"icon"`
		} `json:"domains"`
		Partners []map[string]string `json:"partners"`
	}
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Domains) != 745 || doc.Partners == nil || len(doc.Partners) != 0 {
		t.Fatalf("%d domains, partners %v", len(doc.Domains), doc.Partners)
	}
	first := doc.Domains[0]
	if first.Rank != 1 || first.Domain != "google" || first.URL != "https://www.google.com/" || first.Title != "Google" ||
		len(first.SerpCategories) != 1 || first.SerpCategories[0] != 18 {
		t.Errorf("first domain %+v", first)
	}
	if strings.Contains(r.body, `"source"`) {
		t.Error("the extra key source is served")
	}
	if !strings.HasPrefix(r.body, `{"domains":[{"rank":1,"domain":"google","categories":["Search Engines"],"serp_categories":[18],"url":"https://www.google.com/","title":"Google","icon":"`) {
		t.Errorf("body starts %.200s", r.body)
	}
}

// BenchmarkManifestHandler drives the handler directly on the bundled sample: a full answer
// (the shared body, no copy) and a 304.
func BenchmarkManifestHandler(b *testing.B) {
	h := &manifest.Holder{}
	data, err := os.ReadFile("../data/manifest.json")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.Apply(data); err != nil {
		b.Fatal(err)
	}
	opts := defaultOptions()
	opts.Manifest = h
	opts.ManifestTTL = 28800
	srv := server.New(opts)
	for _, bc := range []struct {
		name   string
		inm    string
		status int
	}{{"200", "", 200}, {"304", string(h.Load().ETag), 304}} {
		b.Run(bc.name, func(b *testing.B) {
			var req fasthttp.Request
			req.SetRequestURI("/api/v1/manifest")
			if bc.inm != "" {
				req.Header.Set("If-None-Match", bc.inm)
			}
			var ctx fasthttp.RequestCtx
			ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1234}, nil)
			b.ReportAllocs()
			for b.Loop() {
				req.CopyTo(&ctx.Request)
				ctx.Response.Reset()
				srv.Handle(&ctx)
				if ctx.Response.StatusCode() != bc.status {
					b.Fatalf("status %d", ctx.Response.StatusCode())
				}
			}
		})
	}
}
