// The remote_settings backend: it loads AMP suggestions from Remote Settings (Kinto), the source
// Firefox itself and the older Merinos read (reference/rust-merino-and-suggest.md §9): the
// collection's records of type `data` or `amp` carry JSON attachments of AMP suggestion
// objects, and `icon-<id>` records carry the icons they name.
//
// A sync asks the monitor/changes changeset for the collection's timestamp (one small request
// when nothing changed), then the collection's changeset, and downloads only attachments whose
// hash it has not seen, checking every one against the record's sha256 and size. It rebuilds
// only when a relevant record (data, amp or icon) was added, changed or removed.

package adm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/loaders"
)

// KintoOptions configure a client: the API root (`.../v1`), the bucket and collection, timeouts.
type KintoOptions struct {
	Server         string
	Bucket         string
	Collection     string
	ConnectTimeout time.Duration
	RequestTimeout time.Duration
	// MaxBytes bounds each response: the changeset and every attachment (0:
	// loaders.DefaultMaxSourceBytes).
	MaxBytes int64
}

// KintoClient speaks the Kinto read API of one collection. It is safe for concurrent use.
type KintoClient struct {
	root    *url.URL // the API root, with a trailing slash
	opts    KintoOptions
	http    *fasthttp.Client
	timeout time.Duration
}

// NewKintoClient checks the options and returns a client.
func NewKintoClient(opts KintoOptions) (*KintoClient, error) {
	u, err := url.Parse(opts.Server)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("cannot use %q as the Remote Settings server: want an absolute http(s) URL", opts.Server)
	}
	if opts.Bucket == "" || opts.Collection == "" || strings.ContainsAny(opts.Bucket+opts.Collection, "/?#") {
		return nil, fmt.Errorf("cannot use bucket %q and collection %q: both must be plain names", opts.Bucket, opts.Collection)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 5 * time.Second
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 30 * time.Second
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = loaders.DefaultMaxSourceBytes
	}
	return &KintoClient{
		root:    u,
		opts:    opts,
		timeout: opts.RequestTimeout,
		http: loaders.NewHTTPClient(loaders.HTTPOptions{
			ConnectTimeout: opts.ConnectTimeout, RequestTimeout: opts.RequestTimeout,
		}, int(opts.MaxBytes)),
	}, nil
}

// String names the collection for logs.
func (c *KintoClient) String() string {
	return fmt.Sprintf("%sbuckets/%s/collections/%s", c.root.Redacted(), c.opts.Bucket, c.opts.Collection)
}

func (c *KintoClient) endpoint(path string, query url.Values) string {
	u := *c.root
	u.Path += path
	u.RawQuery = query.Encode()
	return u.String()
}

// get fetches a URL and returns its body on 200; any other status is an error that quotes
// Kinto's error message when the body is one.
func (c *KintoClient) get(ctx context.Context, rawURL string) ([]byte, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(rawURL)
	req.Header.SetMethod(fasthttp.MethodGet)
	req.Header.Set(fasthttp.HeaderAccept, "application/json")
	timeout := c.timeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	if err := c.http.DoTimeout(req, resp, timeout); errors.Is(err, fasthttp.ErrBodyTooLarge) {
		return nil, &loaders.SizeError{Source: redact(rawURL), Limit: c.opts.MaxBytes, Size: -1}
	} else if err != nil {
		return nil, fmt.Errorf("cannot fetch %s: %w", redact(rawURL), err)
	}
	if code := resp.StatusCode(); code != fasthttp.StatusOK {
		var kerr struct {
			Message string `json:"message"`
		}
		msg := ""
		if json.Unmarshal(resp.Body(), &kerr) == nil && kerr.Message != "" {
			msg = ": " + clip(kerr.Message)
		}
		return nil, fmt.Errorf("cannot fetch %s: HTTP %d%s", redact(rawURL), code, msg)
	}
	return append([]byte(nil), resp.Body()...), nil
}

func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return clip(raw)
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// AttachmentsBaseURL reads the server info (`GET <root>`) for
// capabilities.attachments.base_url, where attachment locations are relative to.
func (c *KintoClient) AttachmentsBaseURL(ctx context.Context) (*url.URL, error) {
	body, err := c.get(ctx, c.root.String())
	if err != nil {
		return nil, err
	}
	var info struct {
		Capabilities struct {
			Attachments struct {
				BaseURL string `json:"base_url"`
			} `json:"attachments"`
		} `json:"capabilities"`
	}
	if err := json.Unmarshal(body, &info); err != nil {
		return nil, fmt.Errorf("cannot read the server info: %w", err)
	}
	base, err := url.Parse(info.Capabilities.Attachments.BaseURL)
	if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") {
		return nil, fmt.Errorf("cannot use the attachments base URL %q of the server info", clip(info.Capabilities.Attachments.BaseURL))
	}
	return base, nil
}

// CollectionTimestamp reads the collection's current timestamp from the monitor/changes
// changeset: what Firefox and Rust Merino poll before fetching anything bigger.
func (c *KintoClient) CollectionTimestamp(ctx context.Context) (int64, error) {
	body, err := c.get(ctx, c.endpoint("buckets/monitor/collections/changes/changeset", url.Values{
		"_expected": {"0"}, "bucket": {c.opts.Bucket}, "collection": {c.opts.Collection},
	}))
	if err != nil {
		return 0, err
	}
	var cs struct {
		Changes []struct {
			Bucket       string `json:"bucket"`
			Collection   string `json:"collection"`
			LastModified int64  `json:"last_modified"`
		} `json:"changes"`
	}
	if err := json.Unmarshal(body, &cs); err != nil {
		return 0, fmt.Errorf("cannot read the monitor/changes changeset: %w", err)
	}
	for _, ch := range cs.Changes {
		if ch.Bucket == c.opts.Bucket && ch.Collection == c.opts.Collection {
			return ch.LastModified, nil
		}
	}
	return 0, fmt.Errorf("the server does not list the collection %s/%s in monitor/changes", c.opts.Bucket, c.opts.Collection)
}

// Attachment is a record's attachment metadata.
type Attachment struct {
	Location string `json:"location"`
	Hash     string `json:"hash"`
	Size     int64  `json:"size"`
	Mimetype string `json:"mimetype"`
}

// Record is the part of a Remote Settings record the loader reads.
type Record struct {
	ID           string      `json:"id"`
	Type         string      `json:"type"`
	LastModified int64       `json:"last_modified"`
	Deleted      bool        `json:"deleted"`
	Country      *string     `json:"country"`
	FormFactor   *string     `json:"form_factor"`
	Attachment   *Attachment `json:"attachment"`
}

// Changeset is a collection changeset.
type Changeset struct {
	Timestamp int64    `json:"timestamp"`
	Changes   []Record `json:"changes"`
}

// Changeset fetches the collection's records (`changeset?_expected=<timestamp>`; the value
// only busts caches, and the server requires it).
func (c *KintoClient) Changeset(ctx context.Context, expected int64) (*Changeset, error) {
	body, err := c.get(ctx, c.endpoint(fmt.Sprintf("buckets/%s/collections/%s/changeset", url.PathEscape(c.opts.Bucket), url.PathEscape(c.opts.Collection)),
		url.Values{"_expected": {strconv.FormatInt(expected, 10)}}))
	if err != nil {
		return nil, err
	}
	var cs Changeset
	if err := json.Unmarshal(body, &cs); err != nil {
		return nil, fmt.Errorf("cannot read the changeset: %w", err)
	}
	if cs.Changes == nil {
		return nil, errors.New(`cannot read the changeset: no "changes"`)
	}
	return &cs, nil
}

// AttachmentURL resolves a location against the attachments base URL (Python's urljoin).
func AttachmentURL(base *url.URL, location string) (string, error) {
	ref, err := url.Parse(location)
	if err != nil {
		return "", fmt.Errorf("cannot use the attachment location %q: %w", clip(location), err)
	}
	return base.ResolveReference(ref).String(), nil
}

// ErrIntegrity is wrapped by Download when an attachment's bytes do not match the record.
var ErrIntegrity = errors.New("attachment does not match its record")

// Download fetches an attachment and checks its size and sha256 against the record.
func (c *KintoClient) Download(ctx context.Context, base *url.URL, a *Attachment) ([]byte, error) {
	u, err := AttachmentURL(base, a.Location)
	if err != nil {
		return nil, err
	}
	body, err := c.get(ctx, u)
	if err != nil {
		return nil, err
	}
	if err := Verify(body, a); err != nil {
		return nil, fmt.Errorf("cannot use %s: %w", redact(u), err)
	}
	return body, nil
}

// Verify checks bytes against an attachment's size and sha256 hash.
func Verify(data []byte, a *Attachment) error {
	if int64(len(data)) != a.Size {
		return fmt.Errorf("%w: %d bytes, the record says %d", ErrIntegrity, len(data), a.Size)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); !strings.EqualFold(got, a.Hash) {
		return fmt.Errorf("%w: sha256 %s, the record says %s", ErrIntegrity, got, clip(a.Hash))
	}
	return nil
}
