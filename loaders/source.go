// Package loaders fetches the data merino-go serves and keeps it fresh.
//
// A Source yields the bytes of one data set (a local file, or an http(s) URL) and tells cheaply
// whether they changed since the last fetch (modification time; ETag / Last-Modified). A Syncer
// polls a Source on an interval and hands changed bytes to an Apply function that parses them,
// builds a new snapshot off to the side, validates it and swaps it in. Whatever fails — the
// fetch, the parse, the validation — the snapshot being served stays: a bad or unreachable
// source never replaces good data.
//
// Sub-packages hold the parsers of each source format.
package loaders

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/gcs"
)

// Version identifies one content of a source, so that the next fetch can skip unchanged data.
type Version struct {
	// ETag and LastModified come from an HTTP response.
	ETag         string
	LastModified string
	// ModTime and Size come from a file's metadata.
	ModTime time.Time
	Size    int64
	// Generation is a Cloud Storage object's generation.
	Generation string
}

// Source yields the bytes of one data set.
type Source interface {
	// Fetch returns the current content and its version, or changed=false (and no data) when
	// the content is still prev.
	Fetch(ctx context.Context, prev Version) (data []byte, v Version, changed bool, err error)
	// String names the source for logs and metrics (a path, or a URL without credentials).
	String() string
}

// HTTPOptions are the timeouts of an http(s) or gs:// source, and the size limit of any.
type HTTPOptions struct {
	// MaxBytes is the largest content the source may have (0: DefaultMaxSourceBytes). A
	// larger one is a *SizeError, found without reading past the limit.
	MaxBytes       int64
	ConnectTimeout time.Duration
	RequestTimeout time.Duration
	// GCSEndpoint is where gs:// objects are read (the Cloud Storage JSON API); default
	// https://storage.googleapis.com. Tests point it at a fake.
	GCSEndpoint string
	// GCSTokens authorises the reads of an explicit GCSEndpoint (nil: anonymous). Without a
	// GCSEndpoint, the process's access set by SetGCSAccess applies.
	GCSTokens gcs.Tokens
}

// NewSource returns the source a config value names: an http:// or https:// URL, a
// gs://bucket/object Cloud Storage object, or else a local file path.
func NewSource(spec string, opts HTTPOptions) (Source, error) {
	if spec == "" {
		return nil, errors.New("no source given")
	}
	lower := strings.ToLower(spec)
	if strings.HasPrefix(lower, "gs://") {
		bucket, object, ok := strings.Cut(spec[len("gs://"):], "/")
		if !ok || bucket == "" || object == "" {
			return nil, fmt.Errorf("cannot use %q as a source: want gs://bucket/object", spec)
		}
		return newGCSSource(bucket, object, opts), nil
	}
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		u, err := url.Parse(spec)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("cannot use %q as a source URL: host missing or URL malformed", spec)
		}
		return newHTTPSource(spec, u.Redacted(), opts), nil
	}
	if strings.Contains(spec, "://") {
		return nil, fmt.Errorf("cannot use %q as a source: only file paths, http(s) URLs and gs:// objects are supported", spec)
	}
	return &fileSource{path: spec, max: opts.withDefaults().MaxBytes}, nil
}

// fileSource reads a local file; its version is the modification time and size.
type fileSource struct {
	path string
	max  int64
}

func (f *fileSource) String() string { return f.path }

func (f *fileSource) Fetch(_ context.Context, prev Version) ([]byte, Version, bool, error) {
	st, err := os.Stat(f.path)
	if err != nil {
		return nil, prev, false, fmt.Errorf("cannot stat %q: %w", f.path, err)
	}
	if st.IsDir() {
		return nil, prev, false, fmt.Errorf("cannot read %q: it is a directory", f.path)
	}
	v := Version{ModTime: st.ModTime(), Size: st.Size()}
	if v.ModTime.Equal(prev.ModTime) && v.Size == prev.Size {
		return nil, prev, false, nil
	}
	if st.Size() > f.max {
		return nil, prev, false, &SizeError{Source: f.path, Limit: f.max, Size: st.Size()}
	}
	data, err := readFileAtMost(f.path, st.Size(), f.max)
	if err != nil {
		return nil, prev, false, err
	}
	return data, v, true, nil
}

// readFileAtMost reads a file measured at size bytes into a buffer of that size, and fails
// rather than read more than max (it may have grown since it was measured).
func readFileAtMost(path string, size, max int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %w", path, err)
	}
	defer fh.Close()
	buf := bytes.NewBuffer(make([]byte, 0, min(size, max)+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(fh, max+1)); err != nil {
		return nil, fmt.Errorf("cannot read %q: %w", path, err)
	}
	if int64(buf.Len()) > max {
		return nil, &SizeError{Source: path, Limit: max, Size: -1}
	}
	return buf.Bytes(), nil
}

// httpSource GETs a URL with If-None-Match / If-Modified-Since, so that unchanged data costs
// one small request.
type httpSource struct {
	url, name string
	client    *fasthttp.Client
	timeout   time.Duration
	max       int64

	// rejected is the version of the last content refused for its size (Fetch calls are
	// serialised by the syncer): asked for with it, an unchanged source answers 304 and
	// costs no download.
	rejected    Version
	rejectedErr *SizeError
}

func newHTTPSource(rawURL, name string, opts HTTPOptions) *httpSource {
	opts = opts.withDefaults()
	return &httpSource{
		url:     rawURL,
		name:    name,
		timeout: opts.RequestTimeout,
		max:     opts.MaxBytes,
		client:  newClient(opts),
	}
}

func (o HTTPOptions) withDefaults() HTTPOptions {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.GCSEndpoint == "" {
		o.GCSEndpoint = "https://storage.googleapis.com"
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxSourceBytes
	}
	return o
}

func newClient(opts HTTPOptions) *fasthttp.Client { return NewHTTPClient(opts, int(opts.MaxBytes)) }

// NewHTTPClient is the fasthttp client every loader fetches with: opts' connect timeout on
// dialing, its request timeout on reads and writes, bodies bounded by maxBody (fasthttp stops
// reading there: a Content-Length above it is refused before the body, a chunked stream is
// cut at it), and URLs sent as configured (a Cloud Storage object name's escaped slashes, %2F, must stay escaped).
// Zero timeouts are left to the caller's defaults.
func NewHTTPClient(opts HTTPOptions, maxBody int) *fasthttp.Client {
	connect := opts.ConnectTimeout
	return &fasthttp.Client{
		Name: "merino-go",
		Dial: func(addr string) (net.Conn, error) {
			return fasthttp.DialTimeout(addr, connect)
		},
		MaxResponseBodySize:    maxBody,
		ReadTimeout:            opts.RequestTimeout,
		WriteTimeout:           opts.RequestTimeout,
		DisablePathNormalizing: true,
	}
}

func (h *httpSource) String() string { return h.name }

func (h *httpSource) Fetch(ctx context.Context, prev Version) ([]byte, Version, bool, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(h.url)
	req.Header.SetMethod(fasthttp.MethodGet)
	// After a refusal, ask whether the refused content is still there: a 304 then means it
	// is, and it is not downloaded again.
	cond := prev
	if h.rejectedErr != nil {
		cond = h.rejected
	}
	if cond.ETag != "" {
		req.Header.Set(fasthttp.HeaderIfNoneMatch, cond.ETag)
	}
	if cond.LastModified != "" {
		req.Header.Set(fasthttp.HeaderIfModifiedSince, cond.LastModified)
	}
	err := do(ctx, h.client, req, resp, h.timeout)
	v := Version{
		ETag:         string(resp.Header.Peek(fasthttp.HeaderETag)),
		LastModified: string(resp.Header.Peek(fasthttp.HeaderLastModified)),
	}
	if errors.Is(err, fasthttp.ErrBodyTooLarge) {
		size := int64(resp.Header.ContentLength())
		if size <= h.max {
			size = -1 // chunked, or cut at the limit
		}
		h.rejected, h.rejectedErr = v, &SizeError{Source: h.name, Limit: h.max, Size: size}
		return nil, prev, false, h.rejectedErr
	}
	if err != nil {
		return nil, prev, false, fmt.Errorf("cannot fetch %s: %w", h.name, err)
	}
	switch code := resp.StatusCode(); {
	case code == fasthttp.StatusNotModified && h.rejectedErr != nil:
		return nil, prev, false, h.rejectedErr
	case code == fasthttp.StatusNotModified:
		return nil, prev, false, nil
	case code != fasthttp.StatusOK:
		return nil, prev, false, fmt.Errorf("cannot fetch %s: HTTP %d", h.name, code)
	}
	h.rejected, h.rejectedErr = Version{}, nil
	if v.ETag != "" && v.ETag == prev.ETag {
		// A server that ignores If-None-Match but sends the same ETag: nothing changed.
		return nil, prev, false, nil
	}
	// The body's buffer becomes the caller's, without a copy (a big body is not kept twice,
	// nor pooled afterwards).
	return resp.SwapBody(nil), v, true, nil
}

// do sends req within timeout, or less when ctx has an earlier deadline.
func do(ctx context.Context, client *fasthttp.Client, req *fasthttp.Request, resp *fasthttp.Response, timeout time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return client.DoTimeout(req, resp, timeout)
}

// gcsSource reads a Cloud Storage object through the JSON API: a small metadata request
// tells its generation, and the object is downloaded only when the generation moved — the
// "check a cheap version marker often, download only on change" of merino-py's
// SyncedGcsBlob ADR. Both requests carry a bearer token when the access has credentials
// (private buckets; see SetGCSAccess).
type gcsSource struct {
	tokens         gcs.Tokens
	bucket, object string
	meta, media    string // URL prefixes
	client         *fasthttp.Client
	timeout        time.Duration
	max            int64
}

// newGCSSource is a gs:// source read with opts' access (gcsAccess): its endpoint and tokens.
func newGCSSource(bucket, object string, opts HTTPOptions) *gcsSource {
	a := opts.gcsAccess()
	opts.GCSEndpoint = a.Endpoint
	opts = opts.withDefaults()
	base := strings.TrimRight(opts.GCSEndpoint, "/") + "/storage/v1/b/" + url.PathEscape(bucket) + "/o/" + url.PathEscape(object)
	return &gcsSource{tokens: a.Tokens, bucket: bucket, object: object, meta: base, media: base + "?alt=media&generation=",
		client: newClient(withFloor(opts, 1<<20)), timeout: opts.RequestTimeout, max: opts.MaxBytes}
}

// withFloor raises opts' size limit to at least floor: the one client of a gs:// source also
// reads the object's metadata.
func withFloor(opts HTTPOptions, floor int64) HTTPOptions {
	opts.MaxBytes = max(opts.MaxBytes, floor)
	return opts
}

func (g *gcsSource) String() string { return "gs://" + g.bucket + "/" + g.object }

func (g *gcsSource) Fetch(ctx context.Context, prev Version) ([]byte, Version, bool, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(g.meta)
	if err := g.authorize(ctx, req); err != nil {
		return nil, prev, false, fmt.Errorf("cannot read %s: %w", g, err)
	}
	if err := do(ctx, g.client, req, resp, g.timeout); err != nil {
		return nil, prev, false, fmt.Errorf("cannot read the metadata of %s: %w", g, err)
	}
	if code := resp.StatusCode(); code != fasthttp.StatusOK {
		return nil, prev, false, fmt.Errorf("cannot read the metadata of %s: HTTP %d", g, code)
	}
	var meta struct {
		Generation string `json:"generation"`
		Size       string `json:"size"` // the JSON API's uint64s are strings
	}
	if err := json.Unmarshal(resp.Body(), &meta); err != nil || meta.Generation == "" {
		return nil, prev, false, fmt.Errorf("cannot read the metadata of %s: no generation in the answer", g)
	}
	if meta.Generation == prev.Generation {
		return nil, prev, false, nil
	}
	// The size is known before the download: an object over the limit is never fetched.
	if size, err := strconv.ParseInt(meta.Size, 10, 64); err == nil && size > g.max {
		return nil, prev, false, &SizeError{Source: g.String(), Limit: g.max, Size: size}
	}
	// Ask for that generation, so a write between the two requests cannot mix versions.
	req.SetRequestURI(g.media + url.QueryEscape(meta.Generation))
	resp.Reset()
	if err := do(ctx, g.client, req, resp, g.timeout); errors.Is(err, fasthttp.ErrBodyTooLarge) {
		return nil, prev, false, &SizeError{Source: g.String(), Limit: g.max, Size: -1}
	} else if err != nil {
		return nil, prev, false, fmt.Errorf("cannot download %s: %w", g, err)
	}
	if code := resp.StatusCode(); code != fasthttp.StatusOK {
		return nil, prev, false, fmt.Errorf("cannot download %s generation %s: HTTP %d", g, meta.Generation, code)
	}
	if len(resp.Body()) > int(g.max) {
		// The metadata said otherwise; the client's own bound is at least 1 MB.
		return nil, prev, false, &SizeError{Source: g.String(), Limit: g.max, Size: int64(len(resp.Body()))}
	}
	return resp.SwapBody(nil), Version{Generation: meta.Generation}, true, nil
}
