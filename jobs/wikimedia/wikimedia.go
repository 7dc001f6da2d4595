// Package wikimedia reads Wikimedia's public REST API: the most viewed articles of a
// project on a day (the pageviews "top" endpoint), which the offline Wikipedia uploader ranks.
// Wikimedia refuses clients without an identifying User-Agent, so every request carries one.
package wikimedia

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/loaders"
)

// DefaultPageviewsURL is the pageviews top endpoint merino-py requests.
const DefaultPageviewsURL = "https://wikimedia.org/api/rest_v1/metrics/pageviews/top"

// AccessTypes are the access values the API knows.
var AccessTypes = []string{"all-access", "desktop", "mobile-app", "mobile-web"}

// Article is one entry of a day's top list.
type Article struct {
	Article string `json:"article"`
	Views   int64  `json:"views"`
	Rank    int    `json:"rank"`
}

// Client reads the pageviews API. It is safe for concurrent use.
type Client struct {
	base    string
	ua      string
	http    *fasthttp.Client
	timeout time.Duration
}

// NewClient returns a client of the pageviews top endpoint at base (DefaultPageviewsURL, or a
// fake's), identifying itself as userAgent. Requests time out after timeout (merino-py: 5 s).
func NewClient(base, userAgent string, timeout time.Duration) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" {
		return nil, fmt.Errorf("cannot use %q as the pageviews URL: want an absolute http(s) URL", base)
	}
	if userAgent == "" {
		return nil, fmt.Errorf("a User-Agent is required: Wikimedia refuses anonymous clients")
	}
	hc := loaders.NewHTTPClient(loaders.HTTPOptions{ConnectTimeout: timeout, RequestTimeout: timeout}, 64<<20)
	hc.Name = userAgent
	return &Client{base: strings.TrimRight(base, "/"), ua: userAgent, http: hc, timeout: timeout}, nil
}

// project is what a language code may be (en, zh-yue, be-tarask): it goes into the path.
var project = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// ValidLanguage reports whether lang can name a Wikipedia (<lang>.wikipedia.org).
func ValidLanguage(lang string) bool { return project.MatchString(lang) && len(lang) <= 20 }

// Top returns the most viewed articles of <lang>.wikipedia.org for access on the UTC date of
// day: GET <base>/<lang>.wikipedia.org/<access>/YYYY/MM/DD, items[0].articles of the answer.
func (c *Client) Top(ctx context.Context, lang, access string, day time.Time) ([]Article, error) {
	if !ValidLanguage(lang) {
		return nil, fmt.Errorf("cannot use %q as a Wikipedia language", lang)
	}
	u := fmt.Sprintf("%s/%s.wikipedia.org/%s/%s", c.base, lang, url.PathEscape(access), day.UTC().Format("2006/01/02"))
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(u)
	req.Header.Set(fasthttp.HeaderUserAgent, c.ua)
	req.Header.Set(fasthttp.HeaderAccept, "application/json")
	timeout := c.timeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := c.http.DoTimeout(req, resp, timeout); err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if code := resp.StatusCode(); code != fasthttp.StatusOK {
		var problem struct {
			Detail string `json:"detail"`
			Title  string `json:"title"`
		}
		_ = json.Unmarshal(resp.Body(), &problem)
		msg := problem.Detail
		if msg == "" {
			msg = problem.Title
		}
		if msg != "" {
			return nil, fmt.Errorf("GET %s: HTTP %d: %s", u, code, strings.Join(strings.Fields(msg), " "))
		}
		return nil, fmt.Errorf("GET %s: HTTP %d", u, code)
	}
	var body struct {
		Items []struct {
			Articles []Article `json:"articles"`
		} `json:"items"`
	}
	if err := json.Unmarshal(resp.Body(), &body); err != nil {
		return nil, fmt.Errorf("GET %s: not a pageviews answer: %w", u, err)
	}
	if len(body.Items) == 0 {
		return nil, fmt.Errorf("GET %s: the answer has no items", u)
	}
	return body.Items[0].Articles, nil
}
