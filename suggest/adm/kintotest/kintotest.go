// Package kintotest is a fake Remote Settings (Kinto) server for tests: it speaks the read
// API the loader uses over loopback — server info, the monitor/changes and collection
// changesets (with `_expected` required, as the reference server does), attachments — from a
// directory laid out like ../shared/data/application-services/kinto-fixture/, and lets a test
// publish records, corrupt attachments and inject failures.
package kintotest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Bucket and Collection are the fixture's.
const (
	Bucket     = "main"
	Collection = "quicksuggest"
)

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the API root, `http://127.0.0.1:port/v1`.
	URL string

	mu        sync.Mutex
	records   map[string]map[string]any
	files     map[string][]byte // attachment location -> bytes served
	info      map[string]any
	timestamp int64
	status    int // non-zero: every request fails with it
	requests  []string
}

// New starts a fake serving the fixture in dir (changeset-main-quicksuggest.json,
// attachments/, icon-attachments.json, server-info.json). It stops when the test ends.
func New(t testing.TB, dir string) *Server {
	t.Helper()
	s := &Server{records: map[string]map[string]any{}, files: map[string][]byte{}}
	var cs struct {
		Timestamp int64            `json:"timestamp"`
		Changes   []map[string]any `json:"changes"`
	}
	readJSON(t, filepath.Join(dir, "changeset-main-quicksuggest.json"), &cs)
	s.timestamp = cs.Timestamp
	for _, r := range cs.Changes {
		s.records[r["id"].(string)] = r
	}
	readJSON(t, filepath.Join(dir, "server-info.json"), &s.info)
	var icons map[string]struct {
		DataUTF8 string `json:"data_utf8"`
	}
	readJSON(t, filepath.Join(dir, "icon-attachments.json"), &icons)
	for loc, ic := range icons {
		s.files[loc] = []byte(ic.DataUTF8)
	}
	root := filepath.Join(dir, "attachments")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		s.files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/v1"
	s.info["url"] = s.URL + "/"
	caps := s.info["capabilities"].(map[string]any)
	caps["attachments"].(map[string]any)["base_url"] = srv.URL + "/attachments/"
	return s
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// Publish adds or replaces a record with an attachment holding data (its hash and size
// computed), bumping the collection timestamp. fields are extra record fields (country, ...).
func (s *Server) Publish(id, typ string, data []byte, fields map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timestamp++
	loc := "main-workspace/quicksuggest/" + id + ".json"
	sum := sha256.Sum256(data)
	r := map[string]any{
		"id": id, "type": typ, "last_modified": s.timestamp,
		"attachment": map[string]any{"filename": id + ".json", "mimetype": "application/json", "location": loc, "hash": hex.EncodeToString(sum[:]), "size": len(data)},
	}
	for k, v := range fields {
		r[k] = v
	}
	s.records[id] = r
	s.files[loc] = append([]byte(nil), data...)
}

// Delete removes a record, bumping the collection timestamp.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timestamp++
	delete(s.records, id)
}

// Touch bumps the collection timestamp without changing any record the AMP loader reads (as a
// change to another record type would).
func (s *Server) Touch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timestamp++
}

// ServeBytes makes the attachment of record id serve data instead of what its hash describes
// (a corrupted or truncated CDN object).
func (s *Server) ServeBytes(id string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	loc := s.records[id]["attachment"].(map[string]any)["location"].(string)
	s.files[loc] = data
}

// Fail makes every request answer with status (0 restores service).
func (s *Server) Fail(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = status
}

// Requests returns the paths (with queries) requested so far, and forgets them.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.requests
	s.requests = nil
	return r
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.URL.RequestURI())
	if r.Method != http.MethodGet {
		s.kintoError(w, http.StatusMethodNotAllowed, 115, "Method not allowed on this endpoint.")
		return
	}
	if s.status != 0 {
		w.Header().Set("Retry-After", "30")
		s.kintoError(w, s.status, 999, "Service unavailable due to high load, please retry later.")
		return
	}
	path := r.URL.Path
	switch {
	case path == "/v1/" || path == "/v1":
		writeJSON(w, s.info)
	case path == "/v1/buckets/monitor/collections/changes/changeset":
		if !s.expected(w, r) {
			return
		}
		changes := []any{}
		q := r.URL.Query()
		if (q.Get("bucket") == "" || q.Get("bucket") == Bucket) && (q.Get("collection") == "" || q.Get("collection") == Collection) {
			changes = append(changes, map[string]any{
				"id": "00000000-0000-0000-0000-000000000001", "last_modified": s.timestamp,
				"bucket": Bucket, "collection": Collection, "host": r.Host,
			})
		}
		writeJSON(w, map[string]any{"metadata": map[string]any{}, "timestamp": s.timestamp, "changes": changes})
	case path == "/v1/buckets/"+Bucket+"/collections/"+Collection+"/changeset":
		if !s.expected(w, r) {
			return
		}
		list := make([]map[string]any, 0, len(s.records))
		for _, rec := range s.records {
			list = append(list, rec)
		}
		sort.Slice(list, func(i, j int) bool { return num(list[i]["last_modified"]) > num(list[j]["last_modified"]) })
		w.Header().Set("Last-Modified", fmt.Sprint(s.timestamp))
		writeJSON(w, map[string]any{
			"metadata":  map[string]any{"id": Collection, "bucket": Bucket, "last_modified": s.timestamp, "signatures": []any{}},
			"timestamp": s.timestamp,
			"changes":   list,
		})
	case strings.HasPrefix(path, "/attachments/"):
		b, ok := s.files[strings.TrimPrefix(path, "/attachments/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	case strings.HasPrefix(path, "/v1/buckets/"):
		s.kintoError(w, http.StatusNotFound, 111, "The resource you are looking for could not be found.")
	default:
		s.kintoError(w, http.StatusNotFound, 111, "The resource you are looking for could not be found.")
	}
}

// expected enforces the reference server's mandatory `_expected` parameter.
func (s *Server) expected(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Query().Has("_expected") {
		return true
	}
	s.kintoError(w, http.StatusBadRequest, 107, "_expected Required")
	return false
}

func (s *Server) kintoError(w http.ResponseWriter, code, errno int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "errno": errno, "error": http.StatusText(code), "message": msg})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func num(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case int64:
		return float64(n)
	case int:
		return float64(n)
	}
	return 0
}
