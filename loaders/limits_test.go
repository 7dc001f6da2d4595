package loaders

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"
)

// junkServer streams total bytes of junk, generated as it goes, under ETag "big"; it
// honours If-None-Match and counts what it wrote.
type junkServer struct {
	total         int64
	contentLength bool // announce the length instead of streaming chunks
	written       atomic.Int64
	bodies        atomic.Int64 // 200 answers started
	notModified   atomic.Int64
}

func (j *junkServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("If-None-Match") == `"big"` {
		j.notModified.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	j.bodies.Add(1)
	w.Header().Set("ETag", `"big"`)
	if j.contentLength {
		w.Header().Set("Content-Length", strconv.FormatInt(j.total, 10))
	}
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte('a' + i%26)
	}
	for sent := int64(0); sent < j.total; sent += int64(len(chunk)) {
		n, err := w.Write(chunk)
		j.written.Add(int64(n))
		if err != nil {
			return // the client stopped reading
		}
	}
}

// A 600 MB source is read up to its limit and no further, refused with a SizeError, and not
// downloaded again while its ETag stays: the retry costs a 304.
func TestHTTPSourceOversized(t *testing.T) {
	for _, cl := range []bool{false, true} {
		t.Run(fmt.Sprintf("content-length %v", cl), func(t *testing.T) {
			junk := &junkServer{total: 600 << 20, contentLength: cl}
			srv := httptest.NewServer(junk)
			defer srv.Close()
			const limit = 1 << 20
			src, err := NewSource(srv.URL+"/segment", HTTPOptions{MaxBytes: limit})
			if err != nil {
				t.Fatal(err)
			}
			prev := Version{ETag: `"good"`}
			for i := 0; i < 3; i++ {
				data, v, changed, err := src.Fetch(context.Background(), prev)
				var se *SizeError
				if !errors.As(err, &se) || se.Limit != limit || data != nil || changed || v != prev {
					t.Fatalf("fetch %d: %v %+v %v %d bytes", i, err, v, changed, len(data))
				}
				if cl && se.Size != 600<<20 {
					t.Errorf("announced size: %d", se.Size)
				}
			}
			if junk.bodies.Load() != 1 || junk.notModified.Load() != 2 {
				t.Errorf("downloads %d, 304s %d: want 1 and 2", junk.bodies.Load(), junk.notModified.Load())
			}
			// What the server got out before the client hung up: the limit plus socket buffers.
			time.Sleep(100 * time.Millisecond)
			if w := junk.written.Load(); w > limit+16<<20 {
				t.Errorf("the server wrote %d MB: the client read past its limit", w>>20)
			}
		})
	}
}

// A file over its limit is refused from its size, without being read.
func TestFileSourceOversized(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(path, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := NewSource(path, HTTPOptions{MaxBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = src.Fetch(context.Background(), Version{})
	var se *SizeError
	if !errors.As(err, &se) || se.Size != 2048 || se.Limit != 1024 {
		t.Fatalf("%v", err)
	}
	// Under the limit it reads as before.
	if err := os.WriteFile(path, []byte(`{"ok":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	data, _, changed, err := src.Fetch(context.Background(), Version{})
	if err != nil || !changed || string(data) != `{"ok":1}` {
		t.Fatalf("%q %v %v", data, changed, err)
	}
}

// A Cloud Storage object over its limit is refused from its metadata: never downloaded.
func TestGCSSourceOversized(t *testing.T) {
	fake := &fakeGCS{generation: "1", body: "first"} // its metadata says 5 bytes
	srv := httptest.NewServer(fake)
	defer srv.Close()
	src, err := NewSource("gs://merino-bucket/dir/top_picks.json", HTTPOptions{GCSEndpoint: srv.URL, MaxBytes: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, _, _, err := src.Fetch(context.Background(), Version{}); !IsTooLarge(err) {
			t.Fatalf("%v", err)
		}
	}
	if fake.mediaHits != 0 {
		t.Errorf("downloaded %d times", fake.mediaHits)
	}
}

// An oversized source is an error of its own in the metrics, and the snapshot stays.
func TestSyncerCountsOversized(t *testing.T) {
	junk := &junkServer{total: 4 << 20}
	srv := httptest.NewServer(junk)
	defer srv.Close()
	src, err := NewSource(srv.URL, HTTPOptions{MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	a := &applier{}
	s := newTestSyncer(t, src, a)
	if _, err := s.Sync(context.Background()); !IsTooLarge(err) {
		t.Fatalf("%v", err)
	}
	too := metrics.GetOrCreateCounter(fmt.Sprintf("merino_source_too_large_total{source=%q}", s.Name())).Get()
	if too != 1 || errorCount(s) != 1 {
		t.Errorf("too large %d, errors %d", too, errorCount(s))
	}
	if calls, _ := a.state(); calls != 0 {
		t.Errorf("apply called %d times", calls)
	}
}

// Syncers build one at a time, however many refresh together: their peaks do not add up.
func TestSyncersBuildOneAtATime(t *testing.T) {
	var running, most atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		src := sourceFunc(func(context.Context, Version) ([]byte, Version, bool, error) {
			n := running.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			return []byte("x"), Version{ETag: "1"}, true, nil
		})
		s := NewSyncer(uniqueName(t), src, time.Hour, func([]byte) (int, error) {
			time.Sleep(10 * time.Millisecond)
			running.Add(-1)
			return 1, nil
		}, discard)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Sync(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Errorf("%d fetches and builds ran at once", most.Load())
	}
}
