// Package kintotest is a fake Remote Settings (Kinto) server for tests. It speaks, over
// loopback, the read API the loader uses — server info, the monitor/changes and collection
// changesets (with `_expected` required, as the reference server does), attachments — and the
// write API the jobs use: record listing with `Next-Page` pagination, record PUT and DELETE,
// attachment POST as kinto-attachment takes it (multipart/form-data, the record created if
// missing, sha256 and size computed), collection PATCH (the review workflow's status).
//
// A test can seed it from a directory laid out like
// ../shared/data/application-services/kinto-fixture/ (New) or start empty (NewWritable), then
// publish records, corrupt attachments, require an Authorization value, inject failures by
// method and path, and read back every request the server received (Log), parsed: JSON bodies
// and the headers and bytes of multipart parts.
package kintotest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
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

	base     string // http://127.0.0.1:port
	mu       sync.Mutex
	colls    map[string]*collection // by "bucket/collection"
	files    map[string][]byte      // attachment location -> bytes served
	info     map[string]any
	clock    int64 // the last timestamp handed out: Kinto's timestamps only grow
	status   int   // non-zero: every request fails with it
	requests []string
	log      []Request
	auth     string
	faults   []*Fault
	pageSize int
}

type collection struct {
	bucket, name string
	records      map[string]map[string]any
	timestamp    int64
	metadata     map[string]any
}

// Request is one request the server received.
type Request struct {
	Method string
	// Path is the URL path, Query the raw query.
	Path, Query   string
	Authorization string
	ContentType   string
	Body          []byte
	// JSON is the parsed body of a JSON request (nil otherwise).
	JSON any
	// Parts are the parts of a multipart/form-data body.
	Parts []Part
}

// Part is one part of a multipart body.
type Part struct {
	Header textproto.MIMEHeader
	Body   []byte
}

// Mutating reports whether the request asked for a change (PUT, POST, PATCH, DELETE).
func (r Request) Mutating() bool {
	switch r.Method {
	case http.MethodPut, http.MethodPost, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// Fault makes matching requests fail.
type Fault struct {
	// Method and PathSuffix select requests ("" matches any).
	Method, PathSuffix string
	// After lets that many matching requests through before failing.
	After int
	// Times is how many requests fail (0: every one after After).
	Times int
	// Status and Message make the Kinto error answered; Drop closes the connection instead
	// of answering (a network failure).
	Status  int
	Message string
	Drop    bool
	// RetryAfter and Backoff set the headers of those names.
	RetryAfter, Backoff string

	seen, failed int
}

// New starts a fake serving the fixture in dir (changeset-main-quicksuggest.json,
// attachments/, icon-attachments.json, server-info.json). It stops when the test ends.
func New(t testing.TB, dir string) *Server {
	t.Helper()
	s := newServer(t)
	var cs struct {
		Timestamp int64            `json:"timestamp"`
		Changes   []map[string]any `json:"changes"`
	}
	readJSON(t, filepath.Join(dir, "changeset-main-quicksuggest.json"), &cs)
	c := s.addCollection(Bucket, Collection)
	c.timestamp = cs.Timestamp
	s.clock = cs.Timestamp
	for _, r := range cs.Changes {
		c.records[r["id"].(string)] = r
		s.clock = max(s.clock, num(r["last_modified"]))
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
	s.info["url"] = s.URL + "/"
	caps := s.info["capabilities"].(map[string]any)
	caps["attachments"].(map[string]any)["base_url"] = s.base + "/attachments/"
	return s
}

// NewWritable starts an empty fake with the given collections ("bucket/collection") and the
// server info of a writable Remote Settings. It stops when the test ends.
func NewWritable(t testing.TB, collections ...string) *Server {
	t.Helper()
	s := newServer(t)
	s.info = map[string]any{
		"project_name": "Remote Settings (fake)", "project_version": "0.0.0", "http_api_version": "1.23",
		"url":      s.URL + "/",
		"settings": map[string]any{"batch_max_requests": 25, "readonly": false},
		"capabilities": map[string]any{
			"attachments": map[string]any{"base_url": s.base + "/attachments/", "version": "6.x"},
			"signer":      map[string]any{"version": "0.0.0"},
		},
	}
	for _, bc := range collections {
		b, c, ok := strings.Cut(bc, "/")
		if !ok {
			t.Fatalf("kintotest: %q is not bucket/collection", bc)
		}
		s.addCollection(b, c)
	}
	return s
}

func newServer(t testing.TB) *Server {
	s := &Server{colls: map[string]*collection{}, files: map[string][]byte{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.base = srv.URL
	s.URL = srv.URL + "/v1"
	return s
}

func (s *Server) addCollection(bucket, name string) *collection {
	c := &collection{bucket: bucket, name: name, records: map[string]map[string]any{}, metadata: map[string]any{}}
	s.colls[bucket+"/"+name] = c
	return c
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

// tick returns a new timestamp, later than every earlier one.
func (s *Server) tick(c *collection) int64 {
	s.clock++
	c.timestamp = s.clock
	return s.clock
}

func (s *Server) fixture() *collection { return s.colls[Bucket+"/"+Collection] }

// Publish adds or replaces a record of the fixture's collection with an attachment holding
// data (its hash and size computed), bumping the collection timestamp. fields are extra
// record fields (country, ...).
func (s *Server) Publish(id, typ string, data []byte, fields map[string]any) {
	s.Seed(Bucket, Collection, map[string]any{"id": id, "type": typ}, data, fields)
}

// Seed adds or replaces a record of bucket/collection: record's fields plus fields, with
// data as its attachment when data is not nil. The attachment is stored under
// main-workspace/<collection>/<id>.json, as Remote Settings serves attachments of the
// published buckets from the workspace's files.
func (s *Server) Seed(bucket, collection string, record map[string]any, data []byte, fields map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.colls[bucket+"/"+collection]
	if c == nil {
		c = s.addCollection(bucket, collection)
	}
	r := map[string]any{}
	for k, v := range record {
		r[k] = v
	}
	for k, v := range fields {
		r[k] = v
	}
	id := r["id"].(string)
	r["last_modified"] = s.tick(c)
	if data != nil {
		loc := "main-workspace/" + collection + "/" + id + ".json"
		r["attachment"] = attachmentMeta(id+".json", loc, "application/json", data)
		s.files[loc] = append([]byte(nil), data...)
	}
	c.records[id] = r
}

func attachmentMeta(filename, location, mimetype string, data []byte) map[string]any {
	sum := sha256.Sum256(data)
	return map[string]any{"filename": filename, "mimetype": mimetype, "location": location, "hash": hex.EncodeToString(sum[:]), "size": len(data)}
}

// Delete removes a record of the fixture's collection, bumping the collection timestamp.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.fixture()
	s.tick(c)
	delete(c.records, id)
}

// Touch bumps the collection timestamp without changing any record the AMP loader reads (as a
// change to another record type would).
func (s *Server) Touch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick(s.fixture())
}

// ServeBytes makes the attachment of record id serve data instead of what its hash describes
// (a corrupted or truncated CDN object).
func (s *Server) ServeBytes(id string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	loc := s.fixture().records[id]["attachment"].(map[string]any)["location"].(string)
	s.files[loc] = data
}

// Fail makes every request answer with status (0 restores service).
func (s *Server) Fail(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = status
}

// RequireAuth makes every request under /v1/buckets/ need this Authorization value; others
// get Kinto's 401 (errno 104). "" lifts the requirement.
func (s *Server) RequireAuth(value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth = value
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// SetPageSize makes record listings answer at most n records a page, with a Next-Page
// header for the rest (0: one page, the default).
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// Requests returns the paths (with queries) requested so far, and forgets them.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.requests
	s.requests = nil
	return r
}

// Log returns every request received so far, in order, and forgets them.
func (s *Server) Log() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.log
	s.log = nil
	return l
}

// Records returns copies of the records of bucket/collection, sorted by id.
func (s *Server) Records(bucket, collection string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.colls[bucket+"/"+collection]
	if c == nil {
		return nil
	}
	out := make([]map[string]any, 0, len(c.records))
	for _, r := range c.records {
		out = append(out, clone(r))
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["id"].(string) < out[j]["id"].(string) })
	return out
}

// Attachment returns the bytes of a record's attachment, or nil.
func (s *Server) Attachment(bucket, collection, id string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.colls[bucket+"/"+collection]
	if c == nil || c.records[id] == nil {
		return nil
	}
	a, _ := c.records[id]["attachment"].(map[string]any)
	loc, _ := a["location"].(string)
	return s.files[loc]
}

// Metadata returns a copy of a collection's metadata (its review status, ...).
func (s *Server) Metadata(bucket, collection string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.colls[bucket+"/"+collection]; c != nil {
		return clone(c.metadata)
	}
	return nil
}

func clone(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 256<<20))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.URL.RequestURI())
	s.log = append(s.log, parseRequest(r, body))
	if s.status != 0 {
		w.Header().Set("Retry-After", "30")
		kintoError(w, s.status, 999, "Service unavailable due to high load, please retry later.")
		return
	}
	for _, f := range s.faults {
		if (f.Method != "" && f.Method != r.Method) || !strings.HasSuffix(r.URL.Path, f.PathSuffix) {
			continue
		}
		f.seen++
		if f.seen <= f.After || (f.Times > 0 && f.failed >= f.Times) {
			continue
		}
		f.failed++
		if f.Drop {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.Backoff != "" {
			w.Header().Set("Backoff", f.Backoff)
		}
		msg := f.Message
		if msg == "" {
			msg = http.StatusText(f.Status)
		}
		kintoError(w, f.Status, 999, msg)
		return
	}
	path := r.URL.Path
	if strings.HasPrefix(path, "/v1/buckets/") && s.auth != "" && r.Header.Get("Authorization") != s.auth {
		kintoError(w, http.StatusUnauthorized, 104, "Please authenticate yourself to use this endpoint.")
		return
	}
	switch {
	case path == "/v1/" || path == "/v1":
		if r.Method != http.MethodGet {
			kintoError(w, http.StatusMethodNotAllowed, 115, "Method not allowed on this endpoint.")
			return
		}
		writeJSON(w, http.StatusOK, s.info)
	case path == "/v1/buckets/monitor/collections/changes/changeset":
		s.monitorChanges(w, r)
	case strings.HasPrefix(path, "/attachments/"):
		b, ok := s.files[strings.TrimPrefix(path, "/attachments/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	case strings.HasPrefix(path, "/v1/buckets/"):
		s.bucketAPI(w, r, strings.Split(strings.TrimPrefix(path, "/v1/buckets/"), "/"), body)
	default:
		kintoError(w, http.StatusNotFound, 111, "The resource you are looking for could not be found.")
	}
}

func parseRequest(r *http.Request, body []byte) Request {
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Authorization: r.Header.Get("Authorization"),
		ContentType: r.Header.Get("Content-Type"), Body: body}
	mt, params, _ := mime.ParseMediaType(req.ContentType)
	switch {
	case mt == "application/json":
		_ = json.Unmarshal(body, &req.JSON)
	case strings.HasPrefix(mt, "multipart/"):
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			req.Parts = append(req.Parts, Part{Header: p.Header, Body: b})
		}
	}
	return req
}

func (s *Server) monitorChanges(w http.ResponseWriter, r *http.Request) {
	if !expected(w, r) {
		return
	}
	changes := []any{}
	q := r.URL.Query()
	keys := make([]string, 0, len(s.colls))
	for k := range s.colls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := s.colls[k]
		if (q.Get("bucket") == "" || q.Get("bucket") == c.bucket) && (q.Get("collection") == "" || q.Get("collection") == c.name) {
			changes = append(changes, map[string]any{
				"id": "00000000-0000-0000-0000-000000000001", "last_modified": c.timestamp,
				"bucket": c.bucket, "collection": c.name, "host": r.Host,
			})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"metadata": map[string]any{}, "timestamp": s.clock, "changes": changes})
}

// bucketAPI serves /v1/buckets/<b>/collections/<c>[/changeset | /records[/<id>[/attachment]]].
func (s *Server) bucketAPI(w http.ResponseWriter, r *http.Request, parts []string, body []byte) {
	if len(parts) < 3 || parts[1] != "collections" {
		kintoError(w, http.StatusNotFound, 111, "The resource you are looking for could not be found.")
		return
	}
	c := s.colls[parts[0]+"/"+parts[2]]
	if c == nil {
		kintoError(w, http.StatusNotFound, 111, "The resource you are looking for could not be found.")
		return
	}
	rest := parts[3:]
	method := r.Method
	switch {
	case len(rest) == 0 && method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"data": c.meta()})
	case len(rest) == 0 && method == http.MethodPatch:
		data, ok := dataOf(w, body)
		if !ok {
			return
		}
		for k, v := range data {
			c.metadata[k] = v
		}
		c.metadata["last_modified"] = s.tick(c)
		writeJSON(w, http.StatusOK, map[string]any{"data": c.meta()})
	case len(rest) == 1 && rest[0] == "changeset" && method == http.MethodGet:
		if !expected(w, r) {
			return
		}
		w.Header().Set("Last-Modified", fmt.Sprint(c.timestamp))
		writeJSON(w, http.StatusOK, map[string]any{
			"metadata":  map[string]any{"id": c.name, "bucket": c.bucket, "last_modified": c.timestamp, "signatures": []any{}},
			"timestamp": c.timestamp,
			"changes":   c.sorted(),
		})
	case len(rest) == 1 && rest[0] == "records" && method == http.MethodGet:
		s.list(w, r, c)
	case len(rest) == 2 && rest[0] == "records" && method == http.MethodGet:
		rec := c.records[rest[1]]
		if rec == nil {
			kintoError(w, http.StatusNotFound, 111, "The resource you are looking for could not be found.")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": rec})
	case len(rest) == 2 && rest[0] == "records" && method == http.MethodPut:
		s.put(w, c, rest[1], body)
	case len(rest) == 2 && rest[0] == "records" && method == http.MethodDelete:
		rec := c.records[rest[1]]
		if rec == nil {
			kintoError(w, http.StatusNotFound, 111, "The resource you are looking for could not be found.")
			return
		}
		if a, ok := rec["attachment"].(map[string]any); ok {
			delete(s.files, fmt.Sprint(a["location"]))
		}
		delete(c.records, rest[1])
		s.edited(c)
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": rest[1], "last_modified": s.tick(c), "deleted": true}})
	case len(rest) == 3 && rest[0] == "records" && rest[2] == "attachment" && method == http.MethodPost:
		s.attach(w, r, c, rest[1], body)
	case len(rest) <= 3:
		kintoError(w, http.StatusMethodNotAllowed, 115, "Method not allowed on this endpoint.")
	default:
		kintoError(w, http.StatusNotFound, 111, "The resource you are looking for could not be found.")
	}
}

func (c *collection) meta() map[string]any {
	m := map[string]any{"id": c.name, "last_modified": c.timestamp}
	for k, v := range c.metadata {
		m[k] = v
	}
	return m
}

// sorted returns the records newest first, Kinto's default order.
func (c *collection) sorted() []map[string]any {
	list := make([]map[string]any, 0, len(c.records))
	for _, rec := range c.records {
		list = append(list, rec)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := num(list[i]["last_modified"]), num(list[j]["last_modified"])
		if a != b {
			return a > b
		}
		return fmt.Sprint(list[i]["id"]) < fmt.Sprint(list[j]["id"])
	})
	return list
}

// edited puts a collection under review back to work in progress, as any write to a
// workspace does.
func (s *Server) edited(c *collection) {
	if _, ok := c.metadata["status"]; ok {
		c.metadata["status"] = "work-in-progress"
	}
}

// list answers a record listing, a page at a time when a page size is set (the server's, or
// the request's _limit); Next-Page is an absolute URL, as Kinto sends it.
func (s *Server) list(w http.ResponseWriter, r *http.Request, c *collection) {
	all := c.sorted()
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("_token"))
	limit := s.pageSize
	if l, err := strconv.Atoi(q.Get("_limit")); err == nil && l > 0 {
		limit = l
	}
	if offset < 0 || offset > len(all) {
		kintoError(w, http.StatusBadRequest, 107, "_token is invalid")
		return
	}
	page := all[offset:]
	if limit > 0 && len(page) > limit {
		page = page[:limit]
		next := url.Values{"_token": {strconv.Itoa(offset + limit)}, "_limit": {strconv.Itoa(limit)}}
		w.Header().Set("Next-Page", s.URL+r.URL.Path[len("/v1"):]+"?"+next.Encode())
	}
	w.Header().Set("ETag", fmt.Sprintf(`"%d"`, c.timestamp))
	w.Header().Set("Total-Records", strconv.Itoa(len(all)))
	writeJSON(w, http.StatusOK, map[string]any{"data": page})
}

func dataOf(w http.ResponseWriter, body []byte) (map[string]any, bool) {
	var req struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Data == nil {
		kintoError(w, http.StatusBadRequest, 107, "body: Invalid JSON or missing data")
		return nil, false
	}
	return req.Data, true
}

// put replaces a record: the fields of the body's data (so an omitted attachment is gone).
func (s *Server) put(w http.ResponseWriter, c *collection, id string, body []byte) {
	data, ok := dataOf(w, body)
	if !ok {
		return
	}
	if v, has := data["id"]; has && v != id {
		kintoError(w, http.StatusBadRequest, 107, "data.id does not match the record id in the URL")
		return
	}
	status := http.StatusOK
	if c.records[id] == nil {
		status = http.StatusCreated
	}
	data["id"] = id
	data["last_modified"] = s.tick(c)
	c.records[id] = data
	s.edited(c)
	writeJSON(w, status, map[string]any{"data": data, "permissions": map[string]any{"write": []any{"account:fake"}}})
}

// attach takes a kinto-attachment upload: one file part named "attachment".
func (s *Server) attach(w http.ResponseWriter, r *http.Request, c *collection, id string, body []byte) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		kintoError(w, http.StatusBadRequest, 107, "Content-Type should be multipart/form-data")
		return
	}
	form, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).ReadForm(64 << 20)
	if err != nil {
		kintoError(w, http.StatusBadRequest, 107, "cannot read the multipart body: "+err.Error())
		return
	}
	files := form.File["attachment"]
	if len(files) != 1 {
		kintoError(w, http.StatusBadRequest, 107, "Attachment missing.")
		return
	}
	fh := files[0]
	f, err := fh.Open()
	if err != nil {
		kintoError(w, http.StatusBadRequest, 107, err.Error())
		return
	}
	data, _ := io.ReadAll(f)
	f.Close()
	rec := c.records[id]
	status := http.StatusCreated
	if rec == nil {
		rec = map[string]any{"id": id}
		c.records[id] = rec
	}
	if old, ok := rec["attachment"].(map[string]any); ok {
		delete(s.files, fmt.Sprint(old["location"]))
	}
	loc := c.bucket + "/" + c.name + "/" + fh.Filename
	meta := attachmentMeta(fh.Filename, loc, fh.Header.Get("Content-Type"), data)
	rec["attachment"] = meta
	rec["last_modified"] = s.tick(c)
	s.files[loc] = data
	s.edited(c)
	writeJSON(w, status, meta)
}

// expected enforces the reference server's mandatory `_expected` parameter.
func expected(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Query().Has("_expected") {
		return true
	}
	kintoError(w, http.StatusBadRequest, 107, "_expected Required")
	return false
}

func kintoError(w http.ResponseWriter, code, errno int, msg string) {
	writeJSON(w, code, map[string]any{"code": code, "errno": errno, "error": http.StatusText(code), "message": msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func num(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case int64:
		return n
	case int:
		return int64(n)
	case json.Number:
		i, _ := n.Int64()
		return i
	}
	return 0
}
