package loaders

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/gcs"
	"github.com/mozilla-services/merino-go/gcs/gcstest"
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

// TestGCSSourcePrivate reads a private bucket with a token from a (fake) metadata server, the
// way merino serve does on GKE: SetGCSAccess with gcs.Resolve's answer for Google's endpoint.
func TestGCSSourcePrivate(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	t.Setenv(gcs.EnvAccessToken, "")
	meta := gcstest.NewMetadata(t, time.Hour)
	t.Setenv("GCE_METADATA_HOST", meta.Host)
	fake := gcstest.New(t, "private")
	fake.Put("private", "dir/top_picks.json", []byte(`{"domains": []}`), "application/json")
	fake.RequireToken(meta.AcceptedFor(time.Hour))

	anonymous, _ := NewSource("gs://private/dir/top_picks.json", HTTPOptions{GCSEndpoint: fake.URL})
	if _, _, _, err := anonymous.Fetch(context.Background(), Version{}); err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("an anonymous read of a private bucket: %v", err)
	}

	SetGCSAccess(gcs.Access{Endpoint: fake.URL, Tokens: gcs.DefaultTokens(gcs.ScopeReadOnly)})
	defer defaultGCS.Store(nil)
	src, err := NewSource("gs://private/dir/top_picks.json", HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fake.Log()
	data, v, changed, err := src.Fetch(context.Background(), Version{})
	if err != nil || !changed || string(data) != `{"domains": []}` {
		t.Fatalf("%q %v %v", data, changed, err)
	}
	fake.Put("private", "dir/top_picks.json", []byte(`{"domains": [1]}`), "application/json")
	data, _, changed, err = src.Fetch(context.Background(), v)
	if err != nil || !changed || string(data) != `{"domains": [1]}` {
		t.Fatalf("%q %v %v", data, changed, err)
	}
	var ops []string
	for _, r := range fake.Log() {
		ops = append(ops, r.Op+" "+r.Authorization)
	}
	if strings.Join(ops, ",") != "get Bearer tok-1,media Bearer tok-1,get Bearer tok-1,media Bearer tok-1" || meta.Issued() != 1 {
		t.Errorf("requests %v, %d tokens", ops, meta.Issued())
	}
	// A source with credentials whose token cannot be had fails its fetch, naming the
	// source; the snapshot being served stays (the syncer's rule).
	t.Setenv("GCE_METADATA_HOST", "127.0.0.1:1")
	SetGCSAccess(gcs.Access{Endpoint: fake.URL, Tokens: gcs.DefaultTokens(gcs.ScopeReadOnly)})
	src, _ = NewSource("gs://private/dir/top_picks.json", HTTPOptions{})
	if _, _, _, err := src.Fetch(context.Background(), Version{}); err == nil || !strings.Contains(err.Error(), "cannot read gs://private/dir/top_picks.json") {
		t.Errorf("no token: %v", err)
	}
}
