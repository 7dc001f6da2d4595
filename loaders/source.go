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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/gcs"
)

// MaxSourceBytes bounds what one fetch may read: a source that grows past it is an error, not
// an out-of-memory kill.
const MaxSourceBytes = 512 << 20

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

// HTTPOptions are the timeouts of an http(s) or gs:// source.
type HTTPOptions struct {
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
		return newAuthorizedGCSSource(bucket, object, opts), nil
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
	return &fileSource{path: spec}, nil
}

// fileSource reads a local file; its version is the modification time and size.
type fileSource struct{ path string }

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
	if st.Size() > MaxSourceBytes {
		return nil, prev, false, fmt.Errorf("cannot read %q: %d bytes is more than the %d allowed", f.path, st.Size(), MaxSourceBytes)
	}
	data, err := os.ReadFile(f.path)
	if err != nil {
		return nil, prev, false, fmt.Errorf("cannot read %q: %w", f.path, err)
	}
	return data, v, true, nil
}

// httpSource GETs a URL with If-None-Match / If-Modified-Since, so that unchanged data costs
// one small request.
type httpSource struct {
	url, name string
	client    *fasthttp.Client
	timeout   time.Duration
}

func newHTTPSource(rawURL, name string, opts HTTPOptions) *httpSource {
	opts = opts.withDefaults()
	return &httpSource{
		url:     rawURL,
		name:    name,
		timeout: opts.RequestTimeout,
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
	return o
}

func newClient(opts HTTPOptions) *fasthttp.Client { return NewHTTPClient(opts, MaxSourceBytes) }

// NewHTTPClient is the fasthttp client every loader fetches with: opts' connect timeout on
// dialing, its request timeout on reads and writes, bodies bounded by maxBody, and URLs sent
// as configured (a Cloud Storage object name's escaped slashes, %2F, must stay escaped).
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
	if prev.ETag != "" {
		req.Header.Set(fasthttp.HeaderIfNoneMatch, prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set(fasthttp.HeaderIfModifiedSince, prev.LastModified)
	}
	if err := do(ctx, h.client, req, resp, h.timeout); err != nil {
		return nil, prev, false, fmt.Errorf("cannot fetch %s: %w", h.name, err)
	}
	switch code := resp.StatusCode(); {
	case code == fasthttp.StatusNotModified:
		return nil, prev, false, nil
	case code != fasthttp.StatusOK:
		return nil, prev, false, fmt.Errorf("cannot fetch %s: HTTP %d", h.name, code)
	}
	v := Version{
		ETag:         string(resp.Header.Peek(fasthttp.HeaderETag)),
		LastModified: string(resp.Header.Peek(fasthttp.HeaderLastModified)),
	}
	if v.ETag != "" && v.ETag == prev.ETag {
		// A server that ignores If-None-Match but sends the same ETag: nothing changed.
		return nil, prev, false, nil
	}
	return append([]byte(nil), resp.Body()...), v, true, nil
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
}

func newGCSSource(bucket, object string, opts HTTPOptions) *gcsSource {
	opts = opts.withDefaults()
	base := strings.TrimRight(opts.GCSEndpoint, "/") + "/storage/v1/b/" + url.PathEscape(bucket) + "/o/" + url.PathEscape(object)
	return &gcsSource{bucket: bucket, object: object, meta: base, media: base + "?alt=media&generation=",
		client: newClient(opts), timeout: opts.RequestTimeout}
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
	}
	if err := json.Unmarshal(resp.Body(), &meta); err != nil || meta.Generation == "" {
		return nil, prev, false, fmt.Errorf("cannot read the metadata of %s: no generation in the answer", g)
	}
	if meta.Generation == prev.Generation {
		return nil, prev, false, nil
	}
	// Ask for that generation, so a write between the two requests cannot mix versions.
	req.SetRequestURI(g.media + url.QueryEscape(meta.Generation))
	resp.Reset()
	if err := do(ctx, g.client, req, resp, g.timeout); err != nil {
		return nil, prev, false, fmt.Errorf("cannot download %s: %w", g, err)
	}
	if code := resp.StatusCode(); code != fasthttp.StatusOK {
		return nil, prev, false, fmt.Errorf("cannot download %s generation %s: HTTP %d", g, meta.Generation, code)
	}
	return append([]byte(nil), resp.Body()...), Version{Generation: meta.Generation}, true, nil
}
