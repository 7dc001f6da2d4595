package loaders

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeGCS speaks the part of the Cloud Storage JSON API a gs:// source uses: object metadata
// (with its generation) and media downloads pinned to a generation.
type fakeGCS struct {
	mu         sync.Mutex
	generation string
	body       string
	metaHits   int
	mediaHits  int
}

func (f *fakeGCS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	// The object name arrives percent-encoded (a/b.json → a%2Fb.json).
	if r.URL.EscapedPath() != "/storage/v1/b/merino-bucket/o/dir%2Ftop_picks.json" {
		http.Error(w, `{"error":{"code":404,"message":"No such object"}}`, http.StatusNotFound)
		return
	}
	if r.URL.Query().Get("alt") == "media" {
		f.mediaHits++
		if r.URL.Query().Get("generation") != f.generation {
			http.Error(w, `{"error":{"code":404}}`, http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte(f.body))
		return
	}
	f.metaHits++
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"kind":"storage#object","name":"dir/top_picks.json","bucket":"merino-bucket","generation":"` + f.generation + `","size":"` + "5" + `"}`))
}

func TestGCSSource(t *testing.T) {
	fake := &fakeGCS{generation: "1700000000000001", body: "first"}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	src, err := NewSource("gs://merino-bucket/dir/top_picks.json", HTTPOptions{GCSEndpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	data, v, changed, err := src.Fetch(ctx, Version{})
	if err != nil || !changed || string(data) != "first" || v.Generation != "1700000000000001" {
		t.Fatalf("first fetch: %q %+v %v %v", data, v, changed, err)
	}
	// Unchanged: one metadata request, no download.
	data, v2, changed, err := src.Fetch(ctx, v)
	if err != nil || changed || data != nil || v2 != v || fake.metaHits != 2 || fake.mediaHits != 1 {
		t.Fatalf("unchanged: %q %v %v meta=%d media=%d", data, changed, err, fake.metaHits, fake.mediaHits)
	}
	fake.mu.Lock()
	fake.generation, fake.body = "1700000000000002", "second"
	fake.mu.Unlock()
	data, v, changed, err = src.Fetch(ctx, v)
	if err != nil || !changed || string(data) != "second" || v.Generation != "1700000000000002" {
		t.Fatalf("changed: %q %+v %v %v", data, v, changed, err)
	}

	missing, _ := NewSource("gs://merino-bucket/nope.json", HTTPOptions{GCSEndpoint: srv.URL})
	if _, _, _, err := missing.Fetch(ctx, Version{}); err == nil || !strings.Contains(err.Error(), "HTTP 404") || !strings.Contains(err.Error(), "gs://merino-bucket/nope.json") {
		t.Errorf("missing object: %v", err)
	}
}

func TestGCSSourceBadMetadata(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"kind":"storage#object"}`))
	}))
	defer srv.Close()
	src, _ := NewSource("gs://b/o", HTTPOptions{GCSEndpoint: srv.URL})
	if _, _, _, err := src.Fetch(context.Background(), Version{}); err == nil || !strings.Contains(err.Error(), "no generation") {
		t.Errorf("got %v", err)
	}
}
