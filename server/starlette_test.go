package server_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/clientip"
	"github.com/mozilla-services/merino-go/server"
)

// rawGet sends a hand-written request (so that headers may repeat or paths stay as typed)
// and returns the status, the Location and the body.
func rawGet(t *testing.T, ts *testServer, raw string) (int, string, string) {
	t.Helper()
	c := sendRaw(t, ts, raw)
	defer c.Close()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// sendRaw opens a connection to ts and writes raw on it; the caller closes it.
func sendRaw(t *testing.T, ts *testServer, raw string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(ts.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	return c
}

// Starlette routes on the decoded path without normalising it: "//api/v1/suggest" is not
// the suggest route.
func TestPathsAreNotNormalised(t *testing.T) {
	ts := start(t, defaultOptions(newTopPicks(t, "top_picks", true)))
	f := func(path string, status int, want string) {
		t.Helper()
		got, loc, b := rawGet(t, ts, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
		if got != status || !strings.Contains(b+loc, want) {
			t.Errorf("%s: %d %q %s, want %d with %q", path, got, loc, b, status, want)
		}
	}
	f("//api/v1/suggest?q=exam", 404, `{"detail":"Not Found"}`)
	f("/api//v1/suggest?q=exam", 404, `{"detail":"Not Found"}`)
	f("/api/v1/./suggest?q=exam", 404, `{"detail":"Not Found"}`)
	f("/api/v2/../v1/suggest?q=exam", 404, `{"detail":"Not Found"}`)
	f("/api/v1/suggest//?q=exam", 404, `{"detail":"Not Found"}`)
	f("/api/v1/%2e/suggest?q=exam", 404, `{"detail":"Not Found"}`)
	// Escapes are decoded before routing, as uvicorn does.
	f("/api/v1/%73uggest?q=exam", 200, `"title":"Example"`)
	f("/api%2Fv1%2Fsuggest?q=exam", 200, `"title":"Example"`)
	f("/api/v1/suggest?q=exam", 200, `"title":"Example"`)
	f("/api/v1/suggest/?q=exam", 307, `/api/v1/suggest?q=exam`)
}

// The trailing-slash redirect never carries the client's Host: relative without
// http.public_host; on the public host with it, https when a trusted proxy says so.
func TestRedirectLocation(t *testing.T) {
	f := func(publicHost string, trust []string, headers, want string) {
		t.Helper()
		opts := defaultOptions()
		opts.PublicHost = publicHost
		if trust != nil {
			tr, err := clientip.NewTrust(trust)
			if err != nil {
				t.Fatal(err)
			}
			opts.Trust = tr
		}
		ts := start(t, opts)
		status, loc, _ := rawGet(t, ts, "GET /api/v1/suggest/?q=a%20b&x=%C3%A9 HTTP/1.1\r\nHost: evil.example\r\n"+headers+"\r\n")
		if status != 307 || loc != want {
			t.Errorf("public_host %q, trust %v, %q: %d %q, want %q", publicHost, trust, headers, status, loc, want)
		}
	}
	const path = "/api/v1/suggest?q=a%20b&x=%C3%A9"
	f("", nil, "", path)
	f("", []string{"127.0.0.1"}, "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\n", path)
	f("merino.example", nil, "", "http://merino.example"+path)
	f("merino.example", nil, "X-Forwarded-Proto: https\r\n", "http://merino.example"+path)
	f("merino.example", []string{"127.0.0.1"}, "X-Forwarded-Proto: https\r\n", "https://merino.example"+path)
	f("merino.example", []string{"*"}, "X-Forwarded-Proto: HTTPS \r\n", "https://merino.example"+path)
	f("merino.example", []string{"10.0.0.0/8"}, "X-Forwarded-Proto: https\r\n", "http://merino.example"+path)
	f("merino.example", []string{"127.0.0.1"}, "X-Forwarded-Proto: http\r\n", "http://merino.example"+path)
	f("merino.example", []string{"127.0.0.1"}, "X-Forwarded-Proto: https\r\nX-Forwarded-Proto: http\r\n", "http://merino.example"+path)
}

// Of two User-Agent headers the first is read, as Starlette's headers.get() does.
func TestFirstUserAgentWins(t *testing.T) {
	ts, logs := startWho(t, whoOptions{}, newTopPicks(t, "top_picks", true))
	status, _, _ := rawGet(t, ts, "GET /api/v1/suggest?q=exam HTTP/1.1\r\nHost: x\r\nUser-Agent: "+firefoxUA+"\r\nuser-agent: curl/8.5.0\r\n\r\n")
	if status != 200 {
		t.Fatal(status)
	}
	recs := logs.records(t)
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	if f := recs[0]["Fields"].(map[string]any); !strings.HasPrefix(f["browser"].(string), "Firefox") {
		t.Errorf("browser %v: the second User-Agent was read", f["browser"])
	}
}

// The Accept-Language limit counts the header as Starlette reads it, latin-1: one character
// per byte, and the 400's input is that reading.
func TestAcceptLanguageLatin1(t *testing.T) {
	ts := start(t, defaultOptions(newTopPicks(t, "top_picks", true)))
	f := func(path, value string, status int, wantInput string) {
		t.Helper()
		r := ts.get(t, path, "Accept-Language", value)
		if r.status != status {
			t.Fatalf("%s %d bytes: %d %s", path, len(value), r.status, r.body)
		}
		if status != 400 {
			return
		}
		var body struct {
			Detail []struct {
				Input string `json:"input"`
			} `json:"detail"`
		}
		if err := json.Unmarshal([]byte(r.body), &body); err != nil || len(body.Detail) != 1 || body.Detail[0].Input != wantInput {
			t.Errorf("%s: %v %s", path, err, r.body)
		}
	}
	for _, path := range []string{"/api/v1/suggest?q=exam", "/api/v1/weather/hourly-forecasts"} {
		f(path, strings.Repeat("é", 50), 200, "")
		f(path, strings.Repeat("é", 60), 400, strings.Repeat("Ã©", 60))
		f(path, strings.Repeat("a", 100), 200, "")
		f(path, strings.Repeat("a", 101), 400, strings.Repeat("a", 101))
	}
}

// /openapi.json lists every route served, but the documentation's own.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	ts := start(t, defaultOptions())
	var doc struct {
		Paths map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(ts.get(t, "/openapi.json").body), &doc); err != nil {
		t.Fatal(err)
	}
	for _, path := range server.Routes() {
		switch path {
		case "/", "/docs", "/openapi.json":
			continue // FastAPI leaves them out too
		}
		if _, ok := doc.Paths[path]; !ok {
			t.Errorf("/openapi.json lacks %s", path)
		}
	}
	routes := map[string]bool{}
	for _, path := range server.Routes() {
		routes[path] = true
	}
	for path := range doc.Paths {
		if !routes[path] {
			t.Errorf("/openapi.json lists %s, which is not a route", path)
		}
		// The New Tab routes answer only when curated recommendations are configured.
		if strings.HasPrefix(path, "/api/v1/curated-recommendations") {
			continue
		}
		if r := ts.get(t, path); r.status == 404 && r.body == `{"detail":"Not Found"}` {
			t.Errorf("/openapi.json lists %s, which is not served", path)
		}
	}
}
