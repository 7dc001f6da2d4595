// Package gcstest is a fake Google Cloud Storage for tests, speaking over loopback the part of
// the JSON API that gcs.Client and merino serve's gs:// sources use: object metadata, media
// downloads (optionally pinned to a generation), listings with prefix, delimiter and pages,
// multipart and media uploads, resumable uploads (chunks a multiple of 256 KiB answered 308
// with the Range held, the last one with the total, cancellation answered 499), deletes, and
// the allUsers READER grant of objectAccessControls.insert. Objects live in memory with
// their generation, content type, cache control and metadata; generation preconditions
// (ifGenerationMatch) are enforced as Cloud Storage does, with 412.
//
// Tests can require a bearer token (RequireToken), inject faults (an error status with
// Cloud Storage's error document, a dropped connection, a download cut after some bytes, a
// chunk partly kept), make a bucket refuse ACLs as uniform bucket-level access does, and read
// the log of every request.
package gcstest

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Operations, as Request.Op and Fault.Op name them.
const (
	OpGet      = "get"     // object metadata
	OpMedia    = "media"   // download
	OpList     = "list"    // listing
	OpUpload   = "upload"  // multipart or media upload
	OpStart    = "start"   // resumable upload: session start
	OpChunk    = "chunk"   // resumable upload: a PUT to the session
	OpCancel   = "cancel"  // resumable upload: DELETE of the session
	OpDelete   = "delete"  // object delete
	OpACL      = "acl"     // objectAccessControls.insert
	OpWrite    = "write"   // (Fault only) every mutating operation
	chunkQuant = 256 << 10 // what every chunk but the last must be a multiple of
	maxObject  = 256 << 20 // a bound on what the fake keeps
)

// Object is a stored object.
type Object struct {
	Bucket, Name              string
	Data                      []byte
	ContentType, CacheControl string
	Metadata                  map[string]string
	Generation                int64
	// Public is set once allUsers was granted READER.
	Public  bool
	Updated time.Time
}

// Request is one request the server received.
type Request struct {
	Method string
	// Op is the operation it was recognised as ("" for none).
	Op             string
	Bucket, Object string
	// Query is the raw query; Authorization the header (tests check it was sent, or not).
	Query, Authorization string
	ContentType          string
	ContentRange         string
	// Status is what the fake answered (0 for a dropped connection).
	Status int
}

// Fault makes matching requests fail.
type Fault struct {
	// Op selects the operation (OpWrite: every mutating one; "": any); Object, when set,
	// the object name.
	Op, Object string
	// After lets that many matching requests through first; Times is how many fail (0: all).
	After, Times int
	// Status and Message make the error answered (Cloud Storage's error document).
	Status  int
	Message string
	// Drop closes the connection without an answer.
	Drop bool
	// CutAfter, for a download, sends the headers and this many bytes of the body, then
	// closes the connection.
	CutAfter int
	// Keep, for a chunk, stores this many of its bytes (a multiple of 256 KiB) before the
	// connection drops: the client must resume from there.
	Keep int

	seen, failed int
}

type bucket struct {
	objects map[string]*Object
	uniform bool
}

type session struct {
	bucket, name string
	attrs        objectJSON
	ifGen        *int64
	data         []byte
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	buckets  map[string]*bucket
	sessions map[string]*session
	gen      int64
	nextID   int
	log      []Request
	faults   []*Fault
	token    func(string) bool
	pageSize int
	clock    func() time.Time
}

// New starts a fake holding the named empty buckets; it stops when the test ends.
func New(t testing.TB, buckets ...string) *Server {
	s := &Server{buckets: map[string]*bucket{}, sessions: map[string]*session{}, gen: 1_700_000_000_000_000, clock: time.Now}
	for _, b := range buckets {
		s.buckets[b] = &bucket{objects: map[string]*Object{}}
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// RequireToken makes every request need "Authorization: Bearer <token>" with valid(token);
// others get 401 as Cloud Storage answers an expired or bad token. nil lifts it.
func (s *Server) RequireToken(valid func(token string) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = valid
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// DenyWrites makes every write answer 403 with Cloud Storage's message for an account
// without storage.objects.create.
func (s *Server) DenyWrites() {
	s.Inject(Fault{Op: OpWrite, Status: http.StatusForbidden,
		Message: "merino-jobs@example.iam.gserviceaccount.com does not have storage.objects.create access to the Google Cloud Storage object. Permission 'storage.objects.create' denied on resource (or it may not exist)."})
}

// SetUniformAccess makes bucket refuse object ACLs, as uniform bucket-level access does.
func (s *Server) SetUniformAccess(bucketName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.buckets[bucketName]; b != nil {
		b.uniform = true
	}
}

// SetPageSize makes listings answer at most n items a page (0: one page).
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// Put stores an object as a finished upload would, and returns its generation.
func (s *Server) Put(bucketName, name string, data []byte, contentType string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucketName]
	if b == nil {
		b = &bucket{objects: map[string]*Object{}}
		s.buckets[bucketName] = b
	}
	return s.store(b, bucketName, name, data, objectJSON{ContentType: contentType}).Generation
}

// Object returns a copy of a stored object, or nil.
func (s *Server) Object(bucketName, name string) *Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucketName]
	if b == nil || b.objects[name] == nil {
		return nil
	}
	o := *b.objects[name]
	o.Data = append([]byte(nil), o.Data...)
	return &o
}

// Objects returns copies of bucket's objects, sorted by name.
func (s *Server) Objects(bucketName string) []Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucketName]
	if b == nil {
		return nil
	}
	out := make([]Object, 0, len(b.objects))
	for _, o := range b.objects {
		c := *o
		c.Data = append([]byte(nil), o.Data...)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Sessions counts the resumable uploads started and neither finished nor cancelled.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// Log returns every request received so far, in order, and forgets them.
func (s *Server) Log() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.log
	s.log = nil
	return l
}

type gcsError struct {
	status int
	msg    string
}

// route parses the escaped path into an operation, bucket and object.
func route(r *http.Request) (op, bucketName, object string, ok bool) {
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil {
			return "", "", "", false
		}
		segs[i] = u
	}
	q := r.URL.Query()
	switch {
	case len(segs) == 6 && segs[0] == "upload" && segs[1] == "storage" && segs[2] == "v1" && segs[3] == "b" && segs[5] == "o":
		switch {
		case r.Method == http.MethodPost && q.Get("uploadType") == "resumable":
			return OpStart, segs[4], "", true
		case r.Method == http.MethodPost && (q.Get("uploadType") == "multipart" || q.Get("uploadType") == "media"):
			return OpUpload, segs[4], q.Get("name"), true
		case r.Method == http.MethodPut && q.Get("upload_id") != "":
			return OpChunk, segs[4], "", true
		case r.Method == http.MethodDelete && q.Get("upload_id") != "":
			return OpCancel, segs[4], "", true
		}
	case len(segs) == 5 && segs[0] == "storage" && segs[1] == "v1" && segs[2] == "b" && segs[4] == "o" && r.Method == http.MethodGet:
		return OpList, segs[3], "", true
	case len(segs) == 6 && segs[0] == "storage" && segs[1] == "v1" && segs[2] == "b" && segs[4] == "o":
		switch r.Method {
		case http.MethodGet:
			if q.Get("alt") == "media" {
				return OpMedia, segs[3], segs[5], true
			}
			return OpGet, segs[3], segs[5], true
		case http.MethodDelete:
			return OpDelete, segs[3], segs[5], true
		}
	case len(segs) == 7 && segs[0] == "storage" && segs[1] == "v1" && segs[2] == "b" && segs[4] == "o" && segs[6] == "acl" && r.Method == http.MethodPost:
		return OpACL, segs[3], segs[5], true
	}
	return "", "", "", false
}

func mutating(op string) bool {
	switch op {
	case OpUpload, OpStart, OpChunk, OpDelete, OpACL:
		return true
	}
	return false
}

// fault returns the fault that applies to a request, if any.
func (s *Server) fault(op, object string) *Fault {
	for _, f := range s.faults {
		if f.Op != "" && f.Op != op && !(f.Op == OpWrite && mutating(op)) {
			continue
		}
		if f.Object != "" && f.Object != object {
			continue
		}
		f.seen++
		if f.seen <= f.After || (f.Times > 0 && f.failed >= f.Times) {
			continue
		}
		f.failed++
		c := *f
		return &c
	}
	return nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	op, bucketName, object, ok := route(r)
	rec := Request{Method: r.Method, Op: op, Bucket: bucketName, Object: object, Query: r.URL.RawQuery,
		Authorization: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), ContentRange: r.Header.Get("Content-Range")}
	s.mu.Lock()
	if op == OpChunk || op == OpCancel {
		if ss := s.sessions[r.URL.Query().Get("upload_id")]; ss != nil {
			rec.Object = ss.name
		}
	}
	valid := s.token
	f := s.fault(op, rec.Object)
	s.mu.Unlock()
	status := 0
	defer func() {
		rec.Status = status
		s.mu.Lock()
		s.log = append(s.log, rec)
		s.mu.Unlock()
	}()
	fail := func(code int, msg string) {
		status = code
		writeError(w, code, msg)
	}
	if !ok {
		fail(http.StatusNotFound, "Not Found")
		return
	}
	if valid != nil {
		tok, has := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !has || !valid(tok) {
			fail(http.StatusUnauthorized, "Invalid Credentials")
			return
		}
	}
	if f != nil {
		switch {
		case f.Keep > 0 && op == OpChunk:
			s.keepPart(r, f.Keep)
			panic(http.ErrAbortHandler)
		case f.Drop:
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxObject))
			panic(http.ErrAbortHandler)
		case f.CutAfter > 0 && op == OpMedia:
			s.mu.Lock()
			o := s.lookup(bucketName, object)
			s.mu.Unlock()
			if o != nil {
				status = http.StatusOK
				w.Header().Set("Content-Length", strconv.Itoa(len(o.Data)))
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write(o.Data[:min(f.CutAfter, len(o.Data))])
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler)
			}
		case f.Status != 0:
			fail(f.Status, f.Message)
			return
		}
	}
	var err *gcsError
	switch op {
	case OpGet, OpMedia:
		status, err = s.get(w, r, op, bucketName, object)
	case OpList:
		status, err = s.list(w, r, bucketName)
	case OpUpload:
		status, err = s.upload(w, r, bucketName, &rec)
	case OpStart:
		status, err = s.start(w, r, bucketName, &rec)
	case OpChunk:
		status, err = s.chunk(w, r)
	case OpCancel:
		s.mu.Lock()
		delete(s.sessions, r.URL.Query().Get("upload_id"))
		s.mu.Unlock()
		// Cloud Storage's answer to a cancelled session.
		status = 499
		w.WriteHeader(499)
	case OpDelete:
		status, err = s.delete(w, r, bucketName, object)
	case OpACL:
		status, err = s.acl(w, r, bucketName, object)
	}
	if err != nil {
		fail(err.status, err.msg)
	}
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": code, "message": msg, "errors": []any{map[string]any{"message": msg, "domain": "global", "reason": strings.ToLower(strings.ReplaceAll(http.StatusText(code), " ", ""))}},
	}})
}

// lookup returns the live object, or nil; the caller holds s.mu.
func (s *Server) lookup(bucketName, name string) *Object {
	if b := s.buckets[bucketName]; b != nil {
		return b.objects[name]
	}
	return nil
}

func noBucket(string) *gcsError {
	return &gcsError{http.StatusNotFound, "The specified bucket does not exist."}
}

func noObject(bucketName, name string) *gcsError {
	return &gcsError{http.StatusNotFound, "No such object: " + bucketName + "/" + name}
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, op, bucketName, name string) (int, *gcsError) {
	s.mu.Lock()
	b := s.buckets[bucketName]
	var o *Object
	if b != nil {
		o = b.objects[name]
	}
	var c Object
	if o != nil {
		c = *o
	}
	s.mu.Unlock()
	switch {
	case b == nil:
		return 0, noBucket(bucketName)
	case o == nil:
		return 0, noObject(bucketName, name)
	}
	if g := r.URL.Query().Get("generation"); g != "" && g != strconv.FormatInt(c.Generation, 10) {
		// Only the live generation is kept.
		return 0, noObject(bucketName, name)
	}
	if op == OpMedia {
		w.Header().Set("Content-Type", c.ContentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(c.Data)))
		w.Header().Set("X-Goog-Generation", strconv.FormatInt(c.Generation, 10))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(c.Data)
		return http.StatusOK, nil
	}
	writeJSON(w, http.StatusOK, resource(&c))
	return http.StatusOK, nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// resource is the object resource of the JSON API.
func resource(o *Object) map[string]any {
	sum := md5.Sum(o.Data)
	var crc [4]byte
	binary.BigEndian.PutUint32(crc[:], crc32.Checksum(o.Data, crc32.MakeTable(crc32.Castagnoli)))
	m := map[string]any{
		"kind": "storage#object", "id": fmt.Sprintf("%s/%s/%d", o.Bucket, o.Name, o.Generation),
		"name": o.Name, "bucket": o.Bucket, "generation": strconv.FormatInt(o.Generation, 10), "metageneration": "1",
		"contentType": o.ContentType, "size": strconv.Itoa(len(o.Data)),
		"md5Hash": base64.StdEncoding.EncodeToString(sum[:]), "crc32c": base64.StdEncoding.EncodeToString(crc[:]),
		"updated": o.Updated.UTC().Format("2006-01-02T15:04:05.000Z"), "storageClass": "STANDARD",
	}
	if o.CacheControl != "" {
		m["cacheControl"] = o.CacheControl
	}
	if len(o.Metadata) > 0 {
		m["metadata"] = o.Metadata
	}
	return m
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, bucketName string) (int, *gcsError) {
	q := r.URL.Query()
	prefix, delim, token := q.Get("prefix"), q.Get("delimiter"), q.Get("pageToken")
	s.mu.Lock()
	b := s.buckets[bucketName]
	if b == nil {
		s.mu.Unlock()
		return 0, noBucket(bucketName)
	}
	names := make([]string, 0, len(b.objects))
	for n := range b.objects {
		names = append(names, n)
	}
	sort.Strings(names)
	var items []map[string]any
	prefixes := map[string]bool{}
	next := ""
	count := 0
	for _, n := range names {
		if !strings.HasPrefix(n, prefix) || n < token {
			continue
		}
		if s.pageSize > 0 && count == s.pageSize {
			next = n
			break
		}
		count++
		if delim != "" {
			if i := strings.Index(n[len(prefix):], delim); i >= 0 {
				prefixes[n[:len(prefix)+i+len(delim)]] = true
				continue
			}
		}
		items = append(items, resource(b.objects[n]))
	}
	s.mu.Unlock()
	doc := map[string]any{"kind": "storage#objects"}
	if len(items) > 0 {
		doc["items"] = items
	}
	if len(prefixes) > 0 {
		var ps []string
		for p := range prefixes {
			ps = append(ps, p)
		}
		sort.Strings(ps)
		doc["prefixes"] = ps
	}
	if next != "" {
		doc["nextPageToken"] = next
	}
	writeJSON(w, http.StatusOK, doc)
	return http.StatusOK, nil
}

// objectJSON is the metadata part of an upload.
type objectJSON struct {
	Name         string            `json:"name"`
	ContentType  string            `json:"contentType"`
	CacheControl string            `json:"cacheControl"`
	Metadata     map[string]string `json:"metadata"`
}

func ifGeneration(r *http.Request) (*int64, *gcsError) {
	v := r.URL.Query().Get("ifGenerationMatch")
	if v == "" {
		return nil, nil
	}
	g, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, &gcsError{http.StatusBadRequest, "Invalid argument: ifGenerationMatch"}
	}
	return &g, nil
}

// precondition checks ifGenerationMatch against the live object; the caller holds s.mu.
func (s *Server) precondition(b *bucket, name string, ifGen *int64) *gcsError {
	if ifGen == nil {
		return nil
	}
	live := int64(0)
	if o := b.objects[name]; o != nil {
		live = o.Generation
	}
	if live != *ifGen {
		return &gcsError{http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold."}
	}
	return nil
}

// store writes an object; the caller holds s.mu.
func (s *Server) store(b *bucket, bucketName, name string, data []byte, meta objectJSON) *Object {
	s.gen++
	o := &Object{Bucket: bucketName, Name: name, Data: data, ContentType: meta.ContentType, CacheControl: meta.CacheControl,
		Metadata: meta.Metadata, Generation: s.gen, Updated: s.clock()}
	if o.ContentType == "" {
		o.ContentType = "application/octet-stream"
	}
	b.objects[name] = o
	return o
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request, bucketName string, rec *Request) (int, *gcsError) {
	ifGen, gerr := ifGeneration(r)
	if gerr != nil {
		return 0, gerr
	}
	var meta objectJSON
	var data []byte
	if r.URL.Query().Get("uploadType") == "media" {
		meta.Name = r.URL.Query().Get("name")
		meta.ContentType = r.Header.Get("Content-Type")
		d, err := io.ReadAll(io.LimitReader(r.Body, maxObject))
		if err != nil {
			return 0, &gcsError{http.StatusBadRequest, "cannot read the body"}
		}
		data = d
	} else {
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/related" {
			return 0, &gcsError{http.StatusBadRequest, "Content-Type must be multipart/related"}
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		p1, err := mr.NextPart()
		if err != nil || !strings.HasPrefix(p1.Header.Get("Content-Type"), "application/json") {
			return 0, &gcsError{http.StatusBadRequest, "the first part must be the object's JSON metadata"}
		}
		if err := json.NewDecoder(p1).Decode(&meta); err != nil {
			return 0, &gcsError{http.StatusBadRequest, "Metadata part is too large or invalid JSON"}
		}
		p2, err := mr.NextPart()
		if err != nil {
			return 0, &gcsError{http.StatusBadRequest, "the second part (the media) is missing"}
		}
		if meta.ContentType == "" {
			meta.ContentType = p2.Header.Get("Content-Type")
		}
		data, err = io.ReadAll(io.LimitReader(p2, maxObject))
		if err != nil {
			return 0, &gcsError{http.StatusBadRequest, "cannot read the media part"}
		}
	}
	if meta.Name == "" {
		return 0, &gcsError{http.StatusBadRequest, "Required: object name"}
	}
	rec.Object = meta.Name
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucketName]
	if b == nil {
		return 0, noBucket(bucketName)
	}
	if err := s.precondition(b, meta.Name, ifGen); err != nil {
		return 0, err
	}
	o := s.store(b, bucketName, meta.Name, data, meta)
	writeJSON(w, http.StatusOK, resource(o))
	return http.StatusOK, nil
}

func (s *Server) start(w http.ResponseWriter, r *http.Request, bucketName string, rec *Request) (int, *gcsError) {
	ifGen, gerr := ifGeneration(r)
	if gerr != nil {
		return 0, gerr
	}
	var meta objectJSON
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&meta); err != nil || meta.Name == "" {
		return 0, &gcsError{http.StatusBadRequest, "the body must be the object's JSON metadata with a name"}
	}
	if meta.ContentType == "" {
		meta.ContentType = r.Header.Get("X-Upload-Content-Type")
	}
	rec.Object = meta.Name
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucketName]
	if b == nil {
		return 0, noBucket(bucketName)
	}
	if err := s.precondition(b, meta.Name, ifGen); err != nil {
		return 0, err
	}
	s.nextID++
	id := fmt.Sprintf("session-%d", s.nextID)
	s.sessions[id] = &session{bucket: bucketName, name: meta.Name, attrs: meta, ifGen: ifGen}
	w.Header().Set("Location", s.URL+"/upload/storage/v1/b/"+url.PathEscape(bucketName)+"/o?uploadType=resumable&upload_id="+id)
	w.WriteHeader(http.StatusOK)
	return http.StatusOK, nil
}

// keepPart stores the first keep bytes of a chunk, as a connection lost mid-chunk may leave.
func (s *Server) keepPart(r *http.Request, keep int) {
	first, _, _, ok := parseRange(r.Header.Get("Content-Range"))
	body, _ := io.ReadAll(io.LimitReader(r.Body, int64(keep)))
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.sessions[r.URL.Query().Get("upload_id")]
	if ss == nil || !ok || first != int64(len(ss.data)) {
		return
	}
	ss.data = append(ss.data, body...)
}

// parseRange reads "bytes a-b/total" or "bytes */total" (total "*" is -1); first is -1 for
// "*".
func parseRange(h string) (first, last, total int64, ok bool) {
	rest, found := strings.CutPrefix(h, "bytes ")
	span, tot, found2 := strings.Cut(rest, "/")
	if !found || !found2 {
		return 0, 0, 0, false
	}
	total = -1
	if tot != "*" {
		v, err := strconv.ParseInt(tot, 10, 64)
		if err != nil || v < 0 {
			return 0, 0, 0, false
		}
		total = v
	}
	if span == "*" {
		return -1, -1, total, true
	}
	a, b, found3 := strings.Cut(span, "-")
	fa, err1 := strconv.ParseInt(a, 10, 64)
	fb, err2 := strconv.ParseInt(b, 10, 64)
	if !found3 || err1 != nil || err2 != nil || fa < 0 || fb < fa {
		return 0, 0, 0, false
	}
	return fa, fb, total, true
}

func (s *Server) chunk(w http.ResponseWriter, r *http.Request) (int, *gcsError) {
	id := r.URL.Query().Get("upload_id")
	first, last, total, ok := parseRange(r.Header.Get("Content-Range"))
	if !ok {
		return 0, &gcsError{http.StatusBadRequest, "Failed to parse Content-Range header."}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxObject))
	if err != nil {
		return 0, &gcsError{http.StatusBadRequest, "cannot read the chunk"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.sessions[id]
	if ss == nil {
		return 0, &gcsError{http.StatusNotFound, "No such upload session (it was cancelled or has expired)."}
	}
	held := int64(len(ss.data))
	if first >= 0 {
		if int64(len(body)) != last-first+1 {
			return 0, &gcsError{http.StatusBadRequest, "The Content-Range does not match the body's length."}
		}
		if first > held {
			return 0, &gcsError{http.StatusBadRequest, fmt.Sprintf("Invalid request: the chunk starts at %d, the session holds %d bytes.", first, held)}
		}
		final := total >= 0 && last+1 == total
		if !final && len(body)%chunkQuant != 0 {
			return 0, &gcsError{http.StatusBadRequest, "Invalid request. The chunk size must be a multiple of 256 KiB, except for the last chunk."}
		}
		if held+int64(len(body))-(held-first) > maxObject {
			return 0, &gcsError{http.StatusBadRequest, "the fake keeps objects up to 256 MiB"}
		}
		// Bytes the session already holds are not taken again.
		ss.data = append(ss.data, body[held-first:]...)
		held = int64(len(ss.data))
	}
	if total >= 0 && held == total {
		b := s.buckets[ss.bucket]
		if err := s.precondition(b, ss.name, ss.ifGen); err != nil {
			delete(s.sessions, id)
			return 0, err
		}
		o := s.store(b, ss.bucket, ss.name, ss.data, ss.attrs)
		delete(s.sessions, id)
		writeJSON(w, http.StatusOK, resource(o))
		return http.StatusOK, nil
	}
	if total >= 0 && held > total {
		return 0, &gcsError{http.StatusBadRequest, "The session holds more bytes than the total given."}
	}
	if held > 0 {
		w.Header().Set("Range", fmt.Sprintf("bytes=0-%d", held-1))
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusPermanentRedirect)
	return http.StatusPermanentRedirect, nil
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request, bucketName, name string) (int, *gcsError) {
	ifGen, gerr := ifGeneration(r)
	if gerr != nil {
		return 0, gerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucketName]
	switch {
	case b == nil:
		return 0, noBucket(bucketName)
	case b.objects[name] == nil:
		return 0, noObject(bucketName, name)
	}
	if err := s.precondition(b, name, ifGen); err != nil {
		return 0, err
	}
	delete(b.objects, name)
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent, nil
}

func (s *Server) acl(w http.ResponseWriter, r *http.Request, bucketName, name string) (int, *gcsError) {
	var entry struct {
		Entity string `json:"entity"`
		Role   string `json:"role"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&entry); err != nil || entry.Entity == "" || entry.Role == "" {
		return 0, &gcsError{http.StatusBadRequest, "Required: entity and role"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucketName]
	switch {
	case b == nil:
		return 0, noBucket(bucketName)
	case b.uniform:
		return 0, &gcsError{http.StatusBadRequest, "Cannot use ACL API to update object policy when uniform bucket-level access is enabled."}
	case b.objects[name] == nil:
		return 0, noObject(bucketName, name)
	}
	if entry.Entity == "allUsers" && entry.Role == "READER" {
		b.objects[name].Public = true
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": "storage#objectAccessControl", "entity": entry.Entity, "role": entry.Role, "bucket": bucketName, "object": name})
	return http.StatusOK, nil
}

// Bytes is a helper for tests: the data of an object, or nil.
func (s *Server) Bytes(bucketName, name string) []byte {
	if o := s.Object(bucketName, name); o != nil {
		return o.Data
	}
	return nil
}
