package gcs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Object is an object resource of the JSON API, the fields merino-go uses.
type Object struct {
	Bucket string `json:"bucket"`
	Name   string `json:"name"`
	// Generation and Size are int64s the API sends as strings.
	Generation   int64             `json:"generation,string"`
	Size         int64             `json:"size,string"`
	ContentType  string            `json:"contentType"`
	CacheControl string            `json:"cacheControl"`
	Updated      string            `json:"updated"`
	MD5Hash      string            `json:"md5Hash"`
	CRC32C       string            `json:"crc32c"`
	Metadata     map[string]string `json:"metadata,omitempty"`
}

// Attrs are what an upload sets on the object.
type Attrs struct {
	ContentType  string
	CacheControl string
	Metadata     map[string]string
	// IfGenerationMatch, when set, makes the write conditional: 0 = only if the object does
	// not exist (upload-if-absent), n = only if its live generation is n. A failed condition
	// is an *Error with status 412 (IsPrecondition).
	IfGenerationMatch *int64
}

// IfAbsent is the IfGenerationMatch of an upload that must not replace an object.
func IfAbsent() *int64 { var zero int64; return &zero }

// Error is a request Cloud Storage refused, or could not be sent.
type Error struct {
	// Method and Path say which request: the path without the endpoint, object names
	// unescaped for reading.
	Method, Path string
	// Status is the HTTP status, 0 when no answer came.
	Status int
	// Message is Cloud Storage's error message, or the transport error.
	Message string
	err     error
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s %s: %s", e.Method, e.Path, e.Message)
	}
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.Path, e.Status, e.Message)
}

func (e *Error) Unwrap() error { return e.err }

// retryable: no answer, a timeout, too many requests, a server error.
func (e *Error) retryable() bool {
	return e.Status == 0 || e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// IsNotFound reports whether err is Cloud Storage's 404.
func IsNotFound(err error) bool { return statusIs(err, http.StatusNotFound) }

// IsPrecondition reports whether err is a failed generation precondition (412): for an
// upload with IfAbsent, the object was already there.
func IsPrecondition(err error) bool { return statusIs(err, http.StatusPreconditionFailed) }

func statusIs(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}

// Options configure a Client.
type Options struct {
	Access
	// UserAgent identifies the caller.
	UserAgent string
	// MaxTries bounds the attempts of a request that may be retried (default 4); RetryWait
	// is the first wait, doubled each time (default 1 s).
	MaxTries  int
	RetryWait time.Duration
	// ChunkSize is the size of a resumable upload's chunks, rounded down to a multiple of
	// 256 KiB (default 40 MiB, merino-py's).
	ChunkSize int
	// HTTP, when set, sends the requests (default: a client with connect and header timeouts
	// and no overall one, for long uploads).
	HTTP *http.Client
}

// Client speaks the JSON API. It is safe for concurrent use.
type Client struct {
	opts Options
	http *http.Client
}

// chunkQuantum is what the size of a resumable upload's every chunk but the last must be a
// multiple of.
const chunkQuantum = 256 << 10

// New returns a client.
func New(opts Options) (*Client, error) {
	if opts.Endpoint == "" {
		opts.Endpoint = DefaultEndpoint
	}
	opts.Endpoint = strings.TrimRight(opts.Endpoint, "/")
	if err := CheckEndpoint(opts.Endpoint); err != nil {
		return nil, err
	}
	if opts.MaxTries <= 0 {
		opts.MaxTries = 4
	}
	if opts.RetryWait <= 0 {
		opts.RetryWait = time.Second
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = 40 << 20
	}
	opts.ChunkSize = max(opts.ChunkSize/chunkQuantum*chunkQuantum, chunkQuantum)
	if opts.UserAgent == "" {
		opts.UserAgent = "merino-go"
	}
	hc := opts.HTTP
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 2 * time.Minute,
			MaxIdleConnsPerHost:   8,
		}}
	}
	return &Client{opts: opts, http: hc}, nil
}

// Ready gets a token when the client has credentials: a run checks it can authenticate
// before its work, not at its first write. Anonymous clients are always ready.
func (c *Client) Ready(ctx context.Context) error {
	if c.opts.Tokens == nil {
		return nil
	}
	_, err := c.opts.Tokens.Token(ctx)
	return err
}

// objectPath is the JSON API path of an object: its name is one escaped path segment
// (a/b.json → a%2Fb.json).
func objectPath(bucket, name string) string {
	return "/storage/v1/b/" + url.PathEscape(bucket) + "/o/" + url.PathEscape(name)
}

// request is one API call; body is re-sent whole on a retry.
type request struct {
	method, path string // path: escaped, with any query
	display      string // for errors
	header       http.Header
	body         []byte
	// abs, when set, is the whole URL (a resumable session's).
	abs string
}

// send makes one attempt and returns the response with its body unread, or an *Error.
func (c *Client) send(ctx context.Context, r *request) (*http.Response, error) {
	u := r.abs
	if u == "" {
		u = c.opts.Endpoint + r.path
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, &Error{Method: r.method, Path: r.display, Message: err.Error(), err: err}
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	if err := Authorize(ctx, c.opts.Tokens, req); err != nil {
		return nil, &Error{Method: r.method, Path: r.display, Message: err.Error(), err: err}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &Error{Method: r.method, Path: r.display, Message: transportMessage(err), err: err}
	}
	return resp, nil
}

func transportMessage(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return err.Error()
}

// errorFrom reads a failed answer into an *Error with Cloud Storage's message.
func errorFrom(r *request, resp *http.Response) *Error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	var doc struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	msg := ""
	if json.Unmarshal(data, &doc) == nil {
		msg = doc.Error.Message
	}
	if msg == "" {
		msg = strings.Join(strings.Fields(string(data)), " ")
		if len(msg) > 300 {
			msg = msg[:300] + "..."
		}
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	return &Error{Method: r.method, Path: r.display, Status: resp.StatusCode, Message: msg}
}

// do sends r until an answer with one of the ok statuses comes, retrying failures that may
// pass, and returns that answer with its body unread.
func (c *Client) do(ctx context.Context, r *request, ok ...int) (*http.Response, error) {
	wait := c.opts.RetryWait
	for attempt := 1; ; attempt++ {
		resp, err := c.send(ctx, r)
		if err == nil {
			for _, s := range ok {
				if resp.StatusCode == s {
					return resp, nil
				}
			}
			err = errorFrom(r, resp)
		}
		var gerr *Error
		if !errors.As(err, &gerr) || !gerr.retryable() || attempt >= c.opts.MaxTries || ctx.Err() != nil {
			return nil, err
		}
		if err := sleep(ctx, jitter(wait)); err != nil {
			return nil, err
		}
		wait *= 2
	}
}

func jitter(d time.Duration) time.Duration {
	return d + time.Duration(rand.Int64N(int64(d)/4+1))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func decodeObject(r *request, resp *http.Response) (*Object, error) {
	defer resp.Body.Close()
	var o Object
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&o); err != nil {
		return nil, &Error{Method: r.method, Path: r.display, Status: resp.StatusCode, Message: "the answer is not an object resource: " + err.Error()}
	}
	return &o, nil
}

func display(bucket, name string) string { return "gs://" + bucket + "/" + name }

// Stat returns an object's metadata; an absent object is an error for which IsNotFound
// holds.
func (c *Client) Stat(ctx context.Context, bucket, name string) (*Object, error) {
	r := &request{method: http.MethodGet, path: objectPath(bucket, name), display: display(bucket, name)}
	resp, err := c.do(ctx, r, http.StatusOK)
	if err != nil {
		return nil, err
	}
	return decodeObject(r, resp)
}

// List returns the objects of bucket whose names start with prefix, and, with a delimiter,
// the "directories" below prefix (names up to the next delimiter), following every page.
func (c *Client) List(ctx context.Context, bucket, prefix, delimiter string) ([]Object, []string, error) {
	var objects []Object
	var prefixes []string
	token := ""
	for {
		q := url.Values{}
		if prefix != "" {
			q.Set("prefix", prefix)
		}
		if delimiter != "" {
			q.Set("delimiter", delimiter)
		}
		if token != "" {
			q.Set("pageToken", token)
		}
		path := "/storage/v1/b/" + url.PathEscape(bucket) + "/o"
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		r := &request{method: http.MethodGet, path: path, display: "gs://" + bucket + "/" + prefix + " (list)"}
		resp, err := c.do(ctx, r, http.StatusOK)
		if err != nil {
			return nil, nil, err
		}
		var page struct {
			Items         []Object `json:"items"`
			Prefixes      []string `json:"prefixes"`
			NextPageToken string   `json:"nextPageToken"`
		}
		err = json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return nil, nil, &Error{Method: r.method, Path: r.display, Status: resp.StatusCode, Message: "the answer is not a listing: " + err.Error()}
		}
		objects = append(objects, page.Items...)
		prefixes = append(prefixes, page.Prefixes...)
		if page.NextPageToken == "" {
			return objects, prefixes, nil
		}
		if page.NextPageToken == token {
			return nil, nil, &Error{Method: r.method, Path: r.display, Status: resp.StatusCode, Message: "the listing repeats its page token"}
		}
		token = page.NextPageToken
	}
}

// Open streams an object's bytes; generation 0 reads the live one. The caller closes the
// reader.
func (c *Client) Open(ctx context.Context, bucket, name string, generation int64) (io.ReadCloser, error) {
	path := objectPath(bucket, name) + "?alt=media"
	if generation != 0 {
		path += "&generation=" + strconv.FormatInt(generation, 10)
	}
	r := &request{method: http.MethodGet, path: path, display: display(bucket, name)}
	resp, err := c.do(ctx, r, http.StatusOK)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// ReadAll downloads an object of at most max bytes.
func (c *Client) ReadAll(ctx context.Context, bucket, name string, max int64) ([]byte, error) {
	rc, err := c.Open(ctx, bucket, name, 0)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, &Error{Method: http.MethodGet, Path: display(bucket, name), Message: "cannot read the download: " + err.Error(), err: err}
	}
	if int64(len(data)) > max {
		return nil, &Error{Method: http.MethodGet, Path: display(bucket, name), Message: fmt.Sprintf("the object is larger than the %d bytes allowed", max)}
	}
	return data, nil
}

// metadataJSON is the object resource an upload starts with.
func metadataJSON(name string, a Attrs) []byte {
	m := map[string]any{"name": name}
	if a.ContentType != "" {
		m["contentType"] = a.ContentType
	}
	if a.CacheControl != "" {
		m["cacheControl"] = a.CacheControl
	}
	if len(a.Metadata) > 0 {
		m["metadata"] = a.Metadata
	}
	b, _ := json.Marshal(m)
	return b
}

func uploadPath(bucket, uploadType string, a Attrs) string {
	q := url.Values{"uploadType": {uploadType}}
	if a.IfGenerationMatch != nil {
		q.Set("ifGenerationMatch", strconv.FormatInt(*a.IfGenerationMatch, 10))
	}
	return "/upload/storage/v1/b/" + url.PathEscape(bucket) + "/o?" + q.Encode()
}

// Upload writes a small object in one multipart request (metadata and bytes). It is
// retried: the bytes are whole in memory, and writing them twice leaves the same object.
func (c *Client) Upload(ctx context.Context, bucket, name string, data []byte, a Attrs) (*Object, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", "application/json; charset=UTF-8")
	part, _ := mw.CreatePart(h)
	_, _ = part.Write(metadataJSON(name, a))
	h = textproto.MIMEHeader{}
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	part, _ = mw.CreatePart(h)
	_, _ = part.Write(data)
	_ = mw.Close()
	r := &request{
		method: http.MethodPost, path: uploadPath(bucket, "multipart", a), display: display(bucket, name),
		header: http.Header{"Content-Type": {"multipart/related; boundary=" + mw.Boundary()}},
		body:   body.Bytes(),
	}
	resp, err := c.do(ctx, r, http.StatusOK)
	if err != nil {
		return nil, err
	}
	return decodeObject(r, resp)
}

// Delete removes an object (its live generation).
func (c *Client) Delete(ctx context.Context, bucket, name string) error {
	r := &request{method: http.MethodDelete, path: objectPath(bucket, name), display: display(bucket, name)}
	resp, err := c.do(ctx, r, http.StatusNoContent, http.StatusOK)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// MakePublic grants allUsers read access to an object, what merino-py's blob.make_public()
// amounts to: one entry added to the object's ACL (objectAccessControls.insert), the others
// kept. A bucket with uniform bucket-level access refuses it with 400: its objects are as
// public as the bucket's IAM policy makes them, and the caller should only warn.
func (c *Client) MakePublic(ctx context.Context, bucket, name string) error {
	r := &request{
		method: http.MethodPost, path: objectPath(bucket, name) + "/acl", display: display(bucket, name) + " (acl)",
		header: http.Header{"Content-Type": {"application/json; charset=UTF-8"}},
		body:   []byte(`{"entity":"allUsers","role":"READER"}`),
	}
	resp, err := c.do(ctx, r, http.StatusOK)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// PublicURL is the address Cloud Storage serves a public object at, as google-cloud-storage's
// blob.public_url writes it: the name percent-encoded except for letters, digits, "_.-~/".
func PublicURL(bucket, name string) string {
	const hex = "0123456789ABCDEF"
	b := []byte("https://storage.googleapis.com/" + bucket + "/")
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || strings.IndexByte("_.-~/", ch) >= 0 {
			b = append(b, ch)
			continue
		}
		b = append(b, '%', hex[ch>>4], hex[ch&15])
	}
	return string(b)
}
