// Package kinto writes to one Remote Settings (Kinto) collection, as merino-py's jobs do
// through kinto-http.py: list the records (following Next-Page), create or replace a record
// (PUT), attach a file to it (kinto-attachment's multipart POST), delete a record, and ask for
// review of the collection (the multi-signoff workflow's status PATCH).
//
// Requests carry the Authorization header built by AuthHeader and a merino-go User-Agent.
// Idempotent requests (GET, PUT, DELETE, PATCH) are retried on network errors, 429 and 5xx
// answers, honouring Retry-After, up to Options.MaxTries attempts; an attachment POST is never
// retried alone, but Upload retries the whole PUT+POST pair, which is safe because the pair
// leaves the same record and attachment however often it runs. A Backoff header makes the
// client wait that long before its next request, as kinto-http does. Every failure is an
// *Error that names the method, the URL path, the status and Kinto's message — never the
// credentials.
//
// The read side, for the servers that load suggestions, is suggest/adm (KintoClient); kintotest fakes both sides.
package kinto

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/loaders"
)

// Options configure a Client.
type Options struct {
	// Server is the API root, with its /v1 (https://remote-settings.example/v1).
	Server             string
	Bucket, Collection string
	// Authorization is the header value AuthHeader returns ("" sends none).
	Authorization string
	// UserAgent identifies the client (merino-go/<version>).
	UserAgent      string
	ConnectTimeout time.Duration // default 10 s
	RequestTimeout time.Duration // default 60 s: attachments can be megabytes
	// MaxTries is the attempts of an idempotent request or of an upload's PUT+POST pair
	// (default 3; 1 turns retries off).
	MaxTries int
	// RetryWait is the first wait before a retry when the server names none (doubled each
	// time; default 1 s). MaxWait caps every wait, Retry-After and Backoff included
	// (default 60 s).
	RetryWait, MaxWait time.Duration
}

// Client writes to one collection. It is safe for concurrent use.
type Client struct {
	opts    Options
	root    string // the API root without a trailing slash
	origin  string // scheme://host of the root, the only place Next-Page may point to
	display string // the root without credentials, for messages
	http    *fasthttp.Client

	mu           sync.Mutex
	backoffUntil time.Time
}

// Error is a failed request.
type Error struct {
	Method string
	// Path is the URL path requested (no host, no query).
	Path string
	// Status is the HTTP status (0 when no answer came), Errno and Message Kinto's.
	Status  int
	Errno   int
	Message string
	// Err is the transport error when no answer came.
	Err error
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s %s: %v", e.Method, e.Path, e.Err)
	}
	if e.Message == "" {
		return fmt.Sprintf("%s %s: HTTP %d", e.Method, e.Path, e.Status)
	}
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.Path, e.Status, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// retryable reports whether trying again may succeed: no answer, too many requests, or a
// server-side failure.
func (e *Error) retryable() bool {
	return e.Status == 0 || e.Status == 429 || e.Status >= 500
}

// ErrUnsupportedAuth is AuthHeader's error.
var ErrUnsupportedAuth = errors.New(`unsupported value: want "Bearer <token>", "Basic <base64>" or "<user>:<password>"`)

// AuthHeader turns the --auth value of merino-py's jobs into an Authorization header: a value
// starting with "Bearer " or "Basic " (any case) is sent as is, "user:password" as HTTP Basic,
// "" as no header. kinto-http tests for a ':' first, so a bearer token holding a colon is sent
// as Basic credentials there; here the scheme prefix wins. The error never quotes the value:
// it is a secret.
func AuthHeader(auth string) (string, error) {
	lower := strings.ToLower(auth)
	switch {
	case auth == "":
		return "", nil
	case strings.HasPrefix(lower, "bearer ") || strings.HasPrefix(lower, "basic "):
		return auth, nil
	case strings.Contains(auth, ":"):
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(auth)), nil
	}
	return "", ErrUnsupportedAuth
}

// idPattern is Kinto's default record id pattern (and what bucket and collection ids allow),
// so ids go into URLs unescaped.
var idPattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_-]*$`)

// New checks the options and returns a client.
func New(opts Options) (*Client, error) {
	u, err := url.Parse(opts.Server)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("cannot use %q as the Remote Settings server: want an absolute http(s) URL such as https://remote-settings.example/v1", redact(opts.Server))
	}
	if !idPattern.MatchString(opts.Bucket) || !idPattern.MatchString(opts.Collection) {
		return nil, fmt.Errorf("cannot use bucket %q and collection %q: both must be Kinto ids (letters, digits, _ and -)", opts.Bucket, opts.Collection)
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 10 * time.Second
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 60 * time.Second
	}
	if opts.MaxTries <= 0 {
		opts.MaxTries = 3
	}
	if opts.RetryWait <= 0 {
		opts.RetryWait = time.Second
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = time.Minute
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "merino-go"
	}
	hc := loaders.NewHTTPClient(loaders.HTTPOptions{ConnectTimeout: opts.ConnectTimeout, RequestTimeout: opts.RequestTimeout}, loaders.DefaultMaxSourceBytes)
	hc.Name = opts.UserAgent
	return &Client{
		opts:    opts,
		root:    strings.TrimRight(opts.Server, "/"),
		origin:  u.Scheme + "://" + u.Host,
		display: strings.TrimRight(redact(opts.Server), "/"),
		http:    hc,
	}, nil
}

func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return raw
}

// String names the collection for logs: the server (without credentials), bucket and
// collection.
func (c *Client) String() string {
	return c.display + "/buckets/" + c.opts.Bucket + "/collections/" + c.opts.Collection
}

// Bucket returns the bucket written to.
func (c *Client) Bucket() string { return c.opts.Bucket }

func (c *Client) collectionPath() string {
	return "/buckets/" + c.opts.Bucket + "/collections/" + c.opts.Collection
}

func (c *Client) recordPath(id string) (string, error) {
	if !idPattern.MatchString(id) {
		return "", fmt.Errorf("cannot use %q as a record id: want letters, digits, _ and -", id)
	}
	return c.collectionPath() + "/records/" + id, nil
}

// request is one HTTP exchange to send.
type request struct {
	method      string
	url         string
	contentType string
	body        []byte
	idempotent  bool
	// goneOnRetry makes a 404 answer to a retry a success (a DELETE whose first attempt
	// went through unanswered).
	goneOnRetry bool
}

// response is what came back: the status, Next-Page and the body (copied).
type response struct {
	status   int
	nextPage string
	body     []byte
}

// do sends r, retrying an idempotent request as the package doc says.
func (c *Client) do(ctx context.Context, r request) (*response, error) {
	tries := 1
	if r.idempotent {
		tries = c.opts.MaxTries
	}
	wait := c.opts.RetryWait
	for attempt := 1; ; attempt++ {
		resp, retryAfter, err := c.once(ctx, r)
		if err == nil {
			return resp, nil
		}
		var kerr *Error
		if !errors.As(err, &kerr) {
			return nil, err
		}
		if attempt > 1 && r.goneOnRetry && kerr.Status == fasthttp.StatusNotFound {
			return &response{status: kerr.Status}, nil
		}
		if !kerr.retryable() || attempt >= tries {
			return nil, err
		}
		d := wait
		if retryAfter > 0 {
			d = retryAfter
		}
		if err := c.sleep(ctx, d); err != nil {
			return nil, err
		}
		wait *= 2
	}
}

// once sends one request. It waits out a Backoff announced by an earlier answer first.
func (c *Client) once(ctx context.Context, r request) (*response, time.Duration, error) {
	c.mu.Lock()
	until := c.backoffUntil
	c.mu.Unlock()
	if d := time.Until(until); d > 0 {
		if err := c.sleep(ctx, d); err != nil {
			return nil, 0, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(r.url)
	req.Header.SetMethod(r.method)
	req.Header.Set(fasthttp.HeaderAccept, "application/json")
	if c.opts.Authorization != "" {
		req.Header.Set(fasthttp.HeaderAuthorization, c.opts.Authorization)
	}
	if r.contentType != "" {
		req.Header.SetContentType(r.contentType)
		req.SetBodyRaw(r.body)
	}
	path := string(req.URI().Path())
	timeout := c.opts.RequestTimeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	if err := c.http.DoTimeout(req, resp, timeout); err != nil {
		return nil, 0, &Error{Method: r.method, Path: path, Err: err}
	}
	if b := resp.Header.Peek("Backoff"); len(b) > 0 {
		if secs, err := strconv.Atoi(string(b)); err == nil && secs > 0 {
			c.mu.Lock()
			c.backoffUntil = time.Now().Add(min(time.Duration(secs)*time.Second, c.opts.MaxWait))
			c.mu.Unlock()
		}
	}
	status := resp.StatusCode()
	if status >= 200 && status < 300 {
		return &response{status: status, nextPage: string(resp.Header.Peek("Next-Page")), body: bytes.Clone(resp.Body())}, 0, nil
	}
	var kerr struct {
		Errno   int    `json:"errno"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(resp.Body(), &kerr)
	var retryAfter time.Duration
	if secs, err := strconv.Atoi(string(resp.Header.Peek(fasthttp.HeaderRetryAfter))); err == nil && secs > 0 {
		retryAfter = min(time.Duration(secs)*time.Second, c.opts.MaxWait)
	}
	return nil, retryAfter, &Error{Method: r.method, Path: path, Status: status, Errno: kerr.Errno, Message: oneLine(kerr.Message)}
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(min(d, c.opts.MaxWait))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// oneLine keeps a server's message to one short line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// Record is a record as listed: its fields decoded with numbers kept exact (json.Number).
type Record map[string]any

// ID returns the record's id ("" when it has none).
func (r Record) ID() string { s, _ := r["id"].(string); return s }

// String returns a string field ("" when absent or not a string).
func (r Record) String(key string) string { s, _ := r[key].(string); return s }

// AttachmentHash returns attachment.hash ("" when there is none).
func (r Record) AttachmentHash() string {
	a, _ := r["attachment"].(map[string]any)
	h, _ := a["hash"].(string)
	return h
}

// Records lists every record of the collection, following Next-Page links.
func (c *Client) Records(ctx context.Context) ([]Record, error) {
	next := c.root + c.collectionPath() + "/records"
	var all []Record
	for next != "" {
		resp, err := c.do(ctx, request{method: fasthttp.MethodGet, url: next, idempotent: true})
		if err != nil {
			return nil, err
		}
		var page struct {
			Data []Record `json:"data"`
		}
		dec := json.NewDecoder(bytes.NewReader(resp.body))
		dec.UseNumber()
		if err := dec.Decode(&page); err != nil || page.Data == nil {
			return nil, fmt.Errorf("cannot read the records of %s: the answer has no data list", c)
		}
		all = append(all, page.Data...)
		next = resp.nextPage
		// Next-Page is absolute; the credentials only ever go to the configured server.
		if next != "" && !strings.HasPrefix(next, c.origin+"/") {
			return nil, fmt.Errorf("cannot follow Next-Page %q: it leaves %s", next, c.origin)
		}
	}
	return all, nil
}

// Put creates or replaces a record with exactly data (which holds its "id"), sent as
// {"data": data}. It reports whether the record was created.
func (c *Client) Put(ctx context.Context, data jsonw.Object) (created bool, err error) {
	id, _ := data.Get("id")
	ids, _ := id.(string)
	path, err := c.recordPath(ids)
	if err != nil {
		return false, err
	}
	body := jsonw.Python.Marshal(jsonw.Object{{Key: "data", Value: data}})
	resp, err := c.do(ctx, request{method: fasthttp.MethodPut, url: c.root + path, contentType: "application/json", body: body, idempotent: true})
	if err != nil {
		return false, err
	}
	return resp.status == fasthttp.StatusCreated, nil
}

// Attach uploads data as the attachment of record id, as kinto-attachment takes it: a
// multipart/form-data body of one part named "attachment", with the file name and content
// type given. kinto-attachment creates the record if it is missing and merges, not
// replaces, its fields, which is why Upload sends a PUT first. Attach is not retried (see
// Upload).
func (c *Client) Attach(ctx context.Context, id, filename, contentType string, data []byte) error {
	path, err := c.recordPath(id)
	if err != nil {
		return err
	}
	if strings.ContainsAny(filename, "\"\\\r\n") || strings.ContainsAny(contentType, "\r\n") {
		return fmt.Errorf("cannot use %q as an attachment file name", filename)
	}
	boundary := newBoundary(data)
	var body bytes.Buffer
	body.Grow(len(data) + 256)
	// Built by hand: mime/multipart's CreateFormFile would label the part
	// application/octet-stream, and merino-py's part has exactly these two headers.
	fmt.Fprintf(&body, "--%s\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n", boundary, filename, contentType)
	body.Write(data)
	fmt.Fprintf(&body, "\r\n--%s--\r\n", boundary)
	_, err = c.do(ctx, request{method: fasthttp.MethodPost, url: c.root + path + "/attachment",
		contentType: "multipart/form-data; boundary=" + boundary, body: body.Bytes()})
	return err
}

// newBoundary returns a random multipart boundary that does not occur in data.
func newBoundary(data []byte) string {
	for {
		var b [16]byte
		_, _ = rand.Read(b[:])
		s := hex.EncodeToString(b[:])
		if !bytes.Contains(data, []byte(s)) {
			return s
		}
	}
}

// Upload replaces a record with data and attaches attachment to it as <id>.json
// (application/json): merino-py's pair of requests, PUT then POST, in that order, so that
// fields dropped from the new record disappear. When the POST fails in a way a retry may fix,
// the pair is sent again, up to MaxTries times.
func (c *Client) Upload(ctx context.Context, data jsonw.Object, attachment []byte) error {
	id, _ := data.Get("id")
	ids, _ := id.(string)
	wait := c.opts.RetryWait
	for attempt := 1; ; attempt++ {
		if _, err := c.Put(ctx, data); err != nil {
			return err
		}
		err := c.Attach(ctx, ids, ids+".json", "application/json", attachment)
		var kerr *Error
		if err == nil || !errors.As(err, &kerr) || !kerr.retryable() || attempt >= c.opts.MaxTries {
			return err
		}
		if err := c.sleep(ctx, wait); err != nil {
			return err
		}
		wait *= 2
	}
}

// Delete deletes a record. A 404 answer to a retry counts as done: the earlier attempt
// deleted it.
func (c *Client) Delete(ctx context.Context, id string) error {
	path, err := c.recordPath(id)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, request{method: fasthttp.MethodDelete, url: c.root + path, idempotent: true, goneOnRetry: true})
	return err
}

// RequestReview asks for review of the collection's changes: the status PATCH the Remote
// Settings admin's "Request review" button sends, with comment for the reviewer.
func (c *Client) RequestReview(ctx context.Context, comment string) error {
	body := jsonw.Python.Marshal(jsonw.Object{{Key: "data", Value: jsonw.Object{{Key: "status", Value: "to-review"}, {Key: "last_editor_comment", Value: comment}}}})
	_, err := c.do(ctx, request{method: fasthttp.MethodPatch, url: c.root + c.collectionPath(), contentType: "application/json", body: body, idempotent: true})
	return err
}

// FilterExpression returns the JEXL targeting expression of merino-py's filter_expression:
// "env.country in ['CA', 'US']" for countries, "env.locale in ['en-GB', 'en-US']" for
// locales, both joined by " && " (countries first), items sorted; "" when both are empty, in
// which case a record has no filter_expression at all.
func FilterExpression(countries, locales []string) string {
	var terms []string
	if len(countries) > 0 {
		terms = append(terms, "env.country in ["+joinQuoted(countries)+"]")
	}
	if len(locales) > 0 {
		terms = append(terms, "env.locale in ["+joinQuoted(locales)+"]")
	}
	return strings.Join(terms, " && ")
}

func joinQuoted(items []string) string {
	sorted := append([]string(nil), items...)
	sort.Strings(sorted)
	for i, s := range sorted {
		sorted[i] = "'" + s + "'"
	}
	return strings.Join(sorted, ", ")
}
