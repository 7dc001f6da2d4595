// The dynamic backend: the add-ons' details (icon, rating, number of ratings) from the
// addons.mozilla.org API, as merino-py's dynamic AMO backend reads them: one
// `GET <api_url>/<slug>` per supported add-on, redirects followed, each answer read on its own.
//
// Source fetches every add-on and returns one combined document, {"<slug>": <AMO response>,
// ...}, holding the add-ons whose request succeeded, so that the standard loaders.Syncer drives
// the refresh (daily, keeping the last good data). Loader is the Syncer's apply function: it
// parses the combined document and merges the details into the provider; an add-on that is
// missing or unreadable this time keeps what it had, as in merino-py.

package amo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/pystr"
)

// DefaultAPIURL is merino-py's amo.dynamic.api_url.
const DefaultAPIURL = "https://addons.mozilla.org/api/v5/addons/addon/"

// maxResponseBytes bounds one add-on's answer (a real one is a few KB).
const maxResponseBytes = 4 << 20

// maxRedirects bounds the redirects followed (httpx's follow_redirects allows 20).
const maxRedirects = 20

// Source fetches the AMO API details of a fixed list of add-ons.
type Source struct {
	base    string // api_url without its trailing slashes
	name    string // base, credentials removed, for logs
	slugs   []string
	client  *fasthttp.Client
	timeout time.Duration
	log     *slog.Logger
}

// NewSource returns a source for the add-ons slugs under apiURL. Each add-on's URL is apiURL
// and the slug joined by exactly one '/' (merino-py formats f"{api_url}/{slug}", which with its
// default api_url, ending in '/', requests ".../addon//<slug>"; AMO answers both, and one
// slash is the documented path).
func NewSource(apiURL string, slugs []string, opts loaders.HTTPOptions, log *slog.Logger) (*Source, error) {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("cannot use %q as the AMO API URL: want an absolute http(s) URL", apiURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("cannot use %q as the AMO API URL: the add-on slug is appended to its path, so it may not have a query or fragment", apiURL)
	}
	if len(slugs) == 0 {
		return nil, errors.New("no add-ons to fetch")
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 10 * time.Second // merino-py's AMO_CONNECT_TIMEOUT
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 30 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	base := strings.TrimRight(apiURL, "/")
	return &Source{
		base:    base,
		name:    strings.TrimRight(u.Redacted(), "/") + "/<slug>",
		slugs:   slugs,
		timeout: opts.RequestTimeout,
		log:     log,
		client:  loaders.NewHTTPClient(opts, maxResponseBytes),
	}, nil
}

// String implements loaders.Source.
func (s *Source) String() string { return s.name }

// Fetch implements loaders.Source: every add-on is requested concurrently; those that answer
// 2xx with a JSON body make the combined document. A request that fails is logged and left
// out (merino-py's partial refresh); when none succeeds, Fetch fails. The version is a hash of
// the combined document, so an unchanged AMO costs no rebuild.
func (s *Source) Fetch(ctx context.Context, prev loaders.Version) ([]byte, loaders.Version, bool, error) {
	bodies := make([][]byte, len(s.slugs))
	errs := make([]error, len(s.slugs))
	var wg sync.WaitGroup
	for i, slug := range s.slugs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies[i], errs[i] = s.fetchOne(ctx, slug)
		}()
	}
	wg.Wait()

	var doc bytes.Buffer
	doc.WriteByte('{')
	n := 0
	var firstErr error
	for i, slug := range s.slugs {
		if errs[i] != nil {
			s.log.Error("cannot fetch an add-on from AMO", "addon", slug, "error", errs[i].Error())
			if firstErr == nil {
				firstErr = errs[i]
			}
			continue
		}
		if n > 0 {
			doc.WriteByte(',')
		}
		key, _ := json.Marshal(slug)
		doc.Write(key)
		doc.WriteByte(':')
		doc.Write(bodies[i])
		n++
	}
	doc.WriteByte('}')
	if n == 0 {
		return nil, prev, false, fmt.Errorf("cannot fetch any add-on from %s: %w", s.name, firstErr)
	}
	sum := sha256.Sum256(doc.Bytes())
	v := loaders.Version{ETag: hex.EncodeToString(sum[:])}
	if v.ETag == prev.ETag {
		return nil, prev, false, nil
	}
	return doc.Bytes(), v, true, nil
}

// fetchOne returns one add-on's answer, which must be 2xx and valid JSON.
func (s *Source) fetchOne(ctx context.Context, slug string) ([]byte, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	// The slug is escaped as a path segment; the supported slugs need no escaping.
	req.SetRequestURI(s.base + "/" + url.PathEscape(slug))
	req.Header.SetMethod(fasthttp.MethodGet)
	req.Header.Set(fasthttp.HeaderAccept, "application/json")
	timeout := s.timeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	if timeout <= 0 {
		return nil, context.DeadlineExceeded
	}
	req.SetTimeout(timeout)
	if err := s.client.DoRedirects(req, resp, maxRedirects); err != nil {
		return nil, err
	}
	if code := resp.StatusCode(); code < 200 || code > 299 {
		return nil, fmt.Errorf("HTTP %d", code)
	}
	body := resp.Body()
	if !json.Valid(body) {
		// merino-py: "Problem with Addons API formatting."
		return nil, errors.New("the answer is not JSON")
	}
	return bytes.Clone(body), nil
}

// Parse reads a combined document and returns the details of each add-on in it, by slug,
// following merino-py's reading of an AMO answer, field by field:
//   - a missing icon_url, ratings, ratings.average or ratings.count leaves the add-on out (its
//     KeyError is caught: the add-on keeps its last details);
//   - an answer that is not an object, a ratings that is not an object, or an average that is
//     not a number fails the whole refresh (merino-py's TypeError/ValueError escapes its task
//     group and nothing is updated);
//   - an icon_url that is not a string, or a count that Python's int() cannot read, leaves the
//     add-on out (merino-py would store it and fail on every query for that add-on instead).
//
// The rating is the average with one decimal, as f"{average:.1f}" writes it.
func Parse(data []byte, log *slog.Logger) (map[string]Details, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil || doc == nil {
		return nil, fmt.Errorf("not a combined AMO document: %v", err)
	}
	out := make(map[string]Details, len(doc))
	for slug, raw := range doc {
		d, ok, err := parseAddon(raw)
		if err != nil {
			return nil, fmt.Errorf("add-on %q: %w", slug, err)
		}
		if !ok {
			log.Error("Problem with Addons API formatting. Check that the API response structure hasn't changed.", "addon", slug)
			continue
		}
		out[slug] = d
	}
	return out, nil
}

func parseAddon(raw json.RawMessage) (Details, bool, error) {
	var d Details
	var obj map[string]json.RawMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
		return d, false, errors.New("the AMO answer is not an object")
	}
	rawIcon, ok := obj["icon_url"]
	if !ok {
		return d, false, nil
	}
	rawRatings, ok := obj["ratings"]
	if !ok {
		return d, false, nil
	}
	var ratings map[string]json.RawMessage
	if len(rawRatings) == 0 || rawRatings[0] != '{' || json.Unmarshal(rawRatings, &ratings) != nil {
		return d, false, errors.New(`"ratings" is not an object`)
	}
	rawAverage, ok := ratings["average"]
	if !ok {
		return d, false, nil
	}
	avg, err := number(rawAverage)
	if err != nil {
		return d, false, fmt.Errorf(`"ratings.average": %w`, err)
	}
	rawCount, ok := ratings["count"]
	if !ok {
		return d, false, nil
	}
	if len(rawIcon) == 0 || rawIcon[0] != '"' || json.Unmarshal(rawIcon, &d.Icon) != nil {
		return d, false, nil
	}
	count, ok := pyInt(rawCount)
	if !ok {
		return d, false, nil
	}
	d.Rating = strconv.FormatFloat(avg, 'f', 1, 64)
	d.NumberOfRatings = count
	return d, true, nil
}

// number reads what Python's '.1f' format accepts: an int or float (a bool is an int).
func number(raw json.RawMessage) (float64, error) {
	switch s := string(raw); {
	case s == "true":
		return 1, nil
	case s == "false":
		return 0, nil
	case len(s) > 0 && (s[0] == '-' || ('0' <= s[0] && s[0] <= '9')):
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) {
			// An integer too large for a float overflows in Python too.
			return 0, fmt.Errorf("%.40s is out of range", s)
		}
		return f, nil
	}
	return 0, fmt.Errorf("%.40s is not a number", raw)
}

// pyInt is Python's int() of a JSON value, within int64: an integer, a float truncated toward
// zero, a bool, or a string int() reads (see pystr.ParseInt).
func pyInt(raw json.RawMessage) (int64, bool) {
	s := string(raw)
	switch {
	case s == "true":
		return 1, true
	case s == "false":
		return 0, true
	case len(s) > 0 && s[0] == '"':
		var str string
		if json.Unmarshal(raw, &str) != nil {
			return 0, false
		}
		return pystr.ParseInt(str)
	case len(s) > 0 && (s[0] == '-' || ('0' <= s[0] && s[0] <= '9')):
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return v, true
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || f < -(1<<63) || f >= 1<<63 {
			return 0, false
		}
		return int64(f), true
	}
	return 0, false
}

// Loader returns the apply function of the provider's Syncer: parse the combined document and
// merge what it holds into p. A document from which no add-on could be read is
// loaders.ErrEmpty; the details being served stay.
func Loader(p *Provider, log *slog.Logger) func([]byte) (int, error) {
	return func(data []byte) (int, error) {
		details, err := Parse(data, log)
		if err != nil {
			return 0, err
		}
		if len(details) == 0 {
			return 0, fmt.Errorf("%w (no add-on could be read from AMO's answers)", loaders.ErrEmpty)
		}
		return p.Merge(details), nil
	}
}
