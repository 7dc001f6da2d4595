// Package amotest is a fake addons.mozilla.org API for tests, over loopback: GET
// /api/v5/addons/addon/<slug> redirects to the slash-terminated path (Django's APPEND_SLASH),
// which answers the add-on detail object of addon_detail.json (the shape addons-server
// documents) with the add-on's own slug, guid, name, icon and ratings, for every add-on of
// suggest/amo.Addons. A test may make a slug answer a status or a raw body instead, or change
// its average rating.
package amotest

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mozilla-services/merino-go/suggest/amo"
)

//go:embed addon_detail.json
var detail []byte

// Detail returns the add-on detail object the fake answers (for parsers' tests).
func Detail() []byte { return append([]byte(nil), detail...) }

// Prefix is the path of the add-on detail endpoint.
const Prefix = "/api/v5/addons/addon/"

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server
	// APIURL is merino-py's amo.dynamic.api_url pointed at the fake (ends in '/').
	APIURL string

	mu       sync.Mutex
	average  map[string]any // slug → ratings.average
	override map[string]func(w http.ResponseWriter)
	requests atomic.Int64
	paths    sync.Map
}

// New starts a fake that stops when the test ends. Every add-on's average rating starts at
// 4.5586.
func New(t testing.TB) *Server {
	t.Helper()
	f := &Server{average: map[string]any{}, override: map[string]func(http.ResponseWriter){}}
	byslug := map[string]amo.Addon{}
	for _, a := range amo.Addons {
		byslug[a.Slug] = a
		f.average[a.Slug] = 4.5586
	}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		f.paths.Store(r.URL.Path, true)
		rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
		if !ok || r.Method != http.MethodGet {
			http.Error(w, `{"detail":"Not found."}`, http.StatusNotFound)
			return
		}
		if !strings.HasSuffix(rest, "/") {
			http.Redirect(w, r, Prefix+rest+"/", http.StatusMovedPermanently)
			return
		}
		slug := strings.TrimSuffix(rest, "/")
		f.mu.Lock()
		over, avg := f.override[slug], f.average[slug]
		f.mu.Unlock()
		if over != nil {
			over(w)
			return
		}
		a, ok := byslug[slug]
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"detail":"Not found."}`))
			return
		}
		var obj map[string]any
		if err := json.Unmarshal(detail, &obj); err != nil {
			panic(err)
		}
		obj["slug"], obj["guid"], obj["name"] = a.Slug, a.GUID, map[string]string{"en-US": a.Name}
		obj["icon_url"] = Icon(a.Slug)
		ratings := obj["ratings"].(map[string]any)
		ratings["average"], ratings["count"] = avg, a.Static.NumberOfRatings
		body, _ := json.Marshal(obj)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	f.APIURL = f.URL + Prefix
	t.Cleanup(f.Close)
	return f
}

// Icon is the icon_url the fake answers for slug.
func Icon(slug string) string {
	return "https://addons.mozilla.org/user-media/addon_icons/" + slug + "-64.png?modified=1"
}

// Set makes slug answer with h (nil restores the normal answer).
func (f *Server) Set(slug string, h func(w http.ResponseWriter)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h == nil {
		delete(f.override, slug)
	} else {
		f.override[slug] = h
	}
}

// SetAverage sets the ratings.average of slug (any JSON value).
func (f *Server) SetAverage(slug string, v any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.average[slug] = v
}

// Requests returns the number of requests served.
func (f *Server) Requests() int64 { return f.requests.Load() }

// Requested reports whether path was asked for.
func (f *Server) Requested(path string) bool {
	_, ok := f.paths.Load(path)
	return ok
}

// Status returns an answer of code with body.
func Status(code int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}
