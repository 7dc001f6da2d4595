package loaders

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNewSource(t *testing.T) {
	// f checks that spec is refused with an error holding every one of want.
	f := func(spec string, want ...string) {
		t.Helper()
		src, err := NewSource(spec, HTTPOptions{})
		if err == nil {
			t.Fatalf("NewSource(%q) = %v, want an error", spec, src)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Fatalf("NewSource(%q) error %q does not mention %q", spec, err, w)
			}
		}
	}
	f("", "no source")
	f("ftp://x", `"ftp://x"`, "supported")
	f("gs://bucket", "want gs://bucket/object")
	f("gs:///object", "want gs://bucket/object")
	f("http://", "host missing")
	f("http:///top_picks.json", "host missing")
	f("HTTPS:///x", "host missing")
	f("http://[::1/x", "malformed")

	// g checks that spec is accepted and named name.
	g := func(spec, name string) {
		t.Helper()
		src, err := NewSource(spec, HTTPOptions{})
		if err != nil {
			t.Fatalf("NewSource(%q): %v", spec, err)
		}
		if got := src.String(); got != name {
			t.Fatalf("NewSource(%q).String() = %q, want %q", spec, got, name)
		}
	}
	g("/srv/data/top_picks.json", "/srv/data/top_picks.json")
	g("dev/top_picks.json", "dev/top_picks.json")
	g("https://cdn.example.com/top_picks.json", "https://cdn.example.com/top_picks.json")
	g("HTTP://cdn.example.com/x", "http://cdn.example.com/x")
	g("gs://merino-images/top_picks_latest.json", "gs://merino-images/top_picks_latest.json")
	// Source names go to logs and metric labels: a password in the URL must not.
	g("https://user:secret@cdn.example.com/x", "https://user:xxxxx@cdn.example.com/x")
}

func TestNewSourceRedactsCredentials(t *testing.T) {
	src, err := NewSource("https://user:secret@host/x", HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := src.String(); strings.Contains(s, "secret") {
		t.Fatalf("String() = %q, leaks the password", s)
	}
}

func TestFileSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.json")
	writeFile(t, path, "first")
	mtime := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	setModTime(t, path, mtime)

	src, err := NewSource(path, HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	data, v, changed, err := src.Fetch(ctx, Version{})
	if err != nil || !changed || string(data) != "first" {
		t.Fatalf("first fetch = %q, %v, %v; want \"first\", changed", data, changed, err)
	}
	if !v.ModTime.Equal(mtime) || v.Size != 5 {
		t.Fatalf("first fetch version = %+v, want mtime %v and size 5", v, mtime)
	}

	// Same size, same mtime, other bytes: the file must not be read at all, which is what
	// makes polling a large unchanged file cheap.
	writeFile(t, path, "FIRST")
	setModTime(t, path, mtime)
	data, v2, changed, err := src.Fetch(ctx, v)
	if err != nil || changed || data != nil {
		t.Fatalf("unchanged fetch = %q, %v, %v; want nil, unchanged", data, changed, err)
	}
	if v2 != v {
		t.Fatalf("unchanged fetch version = %+v, want the previous %+v", v2, v)
	}

	// A new mtime is a change, even at the same size.
	writeFile(t, path, "other")
	later := mtime.Add(time.Hour)
	setModTime(t, path, later)
	data, v3, changed, err := src.Fetch(ctx, v)
	if err != nil || !changed || string(data) != "other" {
		t.Fatalf("fetch after touch = %q, %v, %v; want \"other\", changed", data, changed, err)
	}
	if !v3.ModTime.Equal(later) {
		t.Fatalf("fetch after touch version = %+v, want mtime %v", v3, later)
	}

	// A new size is a change, even at the same mtime (a copy that preserves times).
	writeFile(t, path, "longer content")
	setModTime(t, path, later)
	data, v4, changed, err := src.Fetch(ctx, v3)
	if err != nil || !changed || string(data) != "longer content" {
		t.Fatalf("fetch after resize = %q, %v, %v; want the new content, changed", data, changed, err)
	}
	if v4.Size != int64(len("longer content")) {
		t.Fatalf("fetch after resize version = %+v, want size %d", v4, len("longer content"))
	}
}

func TestFileSourceErrors(t *testing.T) {
	dir := t.TempDir()
	// f checks that fetching path fails, names the path and hands prev back.
	f := func(path, want string) {
		t.Helper()
		src, err := NewSource(path, HTTPOptions{})
		if err != nil {
			t.Fatal(err)
		}
		prev := Version{Size: 7, ModTime: time.Unix(1, 0)}
		data, v, changed, err := src.Fetch(context.Background(), prev)
		if err == nil {
			t.Fatalf("Fetch(%q) = %q, want an error", path, data)
		}
		if changed || data != nil || v != prev {
			t.Fatalf("Fetch(%q) failed but returned %q, %+v, changed=%v", path, data, v, changed)
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), want) {
			t.Fatalf("Fetch(%q) error %q should name the path and say %q", path, err, want)
		}
	}
	f(filepath.Join(dir, "missing.json"), "cannot stat")
	f(dir, "directory")
}

// condServer is an origin that speaks conditional GET the way a CDN does: it sends an ETag and
// a Last-Modified, and answers 304 when If-None-Match holds the current ETag.
type condServer struct {
	mu           sync.Mutex
	body         string
	etag         string
	lastModified string
	status       int  // 0 means normal service
	ignoreINM    bool // answer 200 whatever If-None-Match says
	requests     int
	lastHeader   http.Header
}

func (s *condServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	s.lastHeader = r.Header.Clone()
	if s.status != 0 {
		w.WriteHeader(s.status)
		return
	}
	w.Header().Set("ETag", s.etag)
	w.Header().Set("Last-Modified", s.lastModified)
	if !s.ignoreINM && r.Header.Get("If-None-Match") == s.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write([]byte(s.body))
}

func (s *condServer) set(fn func(s *condServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

// seen returns the number of requests so far and the headers of the last one.
func (s *condServer) seen() (int, http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, s.lastHeader
}

func newCondServer(t *testing.T) (*condServer, Source) {
	t.Helper()
	cs := &condServer{body: "v1 body", etag: `"v1"`, lastModified: "Wed, 01 May 2024 12:00:00 GMT"}
	ts := httptest.NewServer(cs)
	t.Cleanup(ts.Close)
	src, err := NewSource(ts.URL+"/top_picks.json", HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cs, src
}

func TestHTTPSourceConditionalGet(t *testing.T) {
	cs, src := newCondServer(t)
	ctx := context.Background()

	data, v, changed, err := src.Fetch(ctx, Version{})
	if err != nil || !changed || string(data) != "v1 body" {
		t.Fatalf("first fetch = %q, %v, %v; want the body, changed", data, changed, err)
	}
	if v.ETag != `"v1"` || v.LastModified != "Wed, 01 May 2024 12:00:00 GMT" {
		t.Fatalf("first fetch version = %+v, want the server's ETag and Last-Modified", v)
	}
	n, h := cs.seen()
	if n != 1 || h.Get("If-None-Match") != "" || h.Get("If-Modified-Since") != "" {
		t.Fatalf("first fetch: %d requests, headers %v; want one unconditional request", n, h)
	}

	// Unchanged data costs exactly one conditional request and no body.
	data, v2, changed, err := src.Fetch(ctx, v)
	if err != nil || changed || data != nil {
		t.Fatalf("unchanged fetch = %q, %v, %v; want nil, unchanged", data, changed, err)
	}
	if v2 != v {
		t.Fatalf("unchanged fetch version = %+v, want the previous %+v", v2, v)
	}
	n, h = cs.seen()
	if n != 2 {
		t.Fatalf("unchanged fetch made %d requests in all, want 2", n)
	}
	if h.Get("If-None-Match") != `"v1"` || h.Get("If-Modified-Since") != v.LastModified {
		t.Fatalf("unchanged fetch sent If-None-Match %q, If-Modified-Since %q; want %q, %q",
			h.Get("If-None-Match"), h.Get("If-Modified-Since"), `"v1"`, v.LastModified)
	}

	cs.set(func(s *condServer) {
		s.body, s.etag, s.lastModified = "v2 body", `"v2"`, "Thu, 02 May 2024 12:00:00 GMT"
	})
	data, v3, changed, err := src.Fetch(ctx, v)
	if err != nil || !changed || string(data) != "v2 body" {
		t.Fatalf("fetch after change = %q, %v, %v; want the new body, changed", data, changed, err)
	}
	if v3.ETag != `"v2"` || v3.LastModified != "Thu, 02 May 2024 12:00:00 GMT" {
		t.Fatalf("fetch after change version = %+v, want the new ETag and Last-Modified", v3)
	}
	if n, _ := cs.seen(); n != 3 {
		t.Fatalf("fetch after change made %d requests in all, want 3", n)
	}
}

func TestHTTPSourceIgnoredIfNoneMatch(t *testing.T) {
	cs, src := newCondServer(t)
	cs.set(func(s *condServer) { s.ignoreINM = true })
	ctx := context.Background()
	_, v, _, err := src.Fetch(ctx, Version{})
	if err != nil {
		t.Fatal(err)
	}
	// The server sends the whole body again, but its ETag says it is the same content.
	data, v2, changed, err := src.Fetch(ctx, v)
	if err != nil || changed || data != nil || v2 != v {
		t.Fatalf("fetch of the same ETag = %q, %+v, %v, %v; want nil, the previous version, unchanged", data, v2, changed, err)
	}
}

func TestHTTPSourceStatusError(t *testing.T) {
	cs, src := newCondServer(t)
	ctx := context.Background()
	_, v, _, err := src.Fetch(ctx, Version{})
	if err != nil {
		t.Fatal(err)
	}
	f := func(status int, want string) {
		t.Helper()
		cs.set(func(s *condServer) { s.status = status })
		data, v2, changed, err := src.Fetch(ctx, v)
		if err == nil {
			t.Fatalf("HTTP %d: fetch = %q, want an error", status, data)
		}
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), src.String()) {
			t.Fatalf("HTTP %d: error %q should say %q and name %s", status, err, want, src)
		}
		if changed || data != nil || v2 != v {
			t.Fatalf("HTTP %d: failed fetch returned %q, %+v, changed=%v", status, data, v2, changed)
		}
	}
	f(http.StatusInternalServerError, "HTTP 500")
	f(http.StatusNotFound, "HTTP 404")
	f(http.StatusForbidden, "HTTP 403")
}

func TestHTTPSourceErrorHidesCredentials(t *testing.T) {
	cs := &condServer{status: http.StatusInternalServerError}
	ts := httptest.NewServer(cs)
	defer ts.Close()
	src, err := NewSource(strings.Replace(ts.URL, "http://", "http://user:secret@", 1)+"/x", HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = src.Fetch(context.Background(), Version{})
	if err == nil {
		t.Fatal("fetch from a failing server succeeded")
	}
	if strings.Contains(err.Error(), "secret") {
		t.Fatalf("error %q leaks the password", err)
	}
}

func TestHTTPSourceConnectionRefused(t *testing.T) {
	// A listener that was closed leaves a loopback port on which nothing listens.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	src, err := NewSource("http://"+addr+"/top_picks.json", HTTPOptions{ConnectTimeout: time.Second, RequestTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	prev := Version{ETag: `"v1"`}
	data, v, changed, err := src.Fetch(context.Background(), prev)
	if err == nil {
		t.Fatalf("fetch from a closed port = %q, want an error", data)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Fatalf("error %q does not name %s", err, addr)
	}
	if changed || data != nil || v != prev {
		t.Fatalf("failed fetch returned %q, %+v, changed=%v", data, v, changed)
	}
}

func TestHTTPSourceExpiredContext(t *testing.T) {
	cs, src := newCondServer(t)
	// A deadline already past must fail the fetch rather than wait the request timeout.
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if data, _, _, err := src.Fetch(ctx, Version{}); err == nil {
		t.Fatalf("fetch past the deadline = %q, want an error", data)
	}
	if n, _ := cs.seen(); n != 0 {
		t.Fatalf("fetch past the deadline reached the server (%d requests)", n)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func setModTime(t *testing.T, path string, mtime time.Time) {
	t.Helper()
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}
