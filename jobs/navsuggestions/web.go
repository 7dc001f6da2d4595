package navsuggestions

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/mozilla-services/merino-go/jobs"
)

// requestHeaders are merino-py's REQUEST_HEADERS: a Firefox 114 on macOS, so that sites answer
// the page a browser gets.
var requestHeaders = http.Header{
	"User-Agent":                {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:109.0) Gecko/20100101 Firefox/114.0"},
	"Accept":                    {"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"},
	"Accept-Language":           {"en-GB,en-US;q=0.9,en;q=0.8"},
	"Dnt":                       {"1"},
	"Upgrade-Insecure-Requests": {"1"},
	"Sec-Fetch-Dest":            {"document"},
	"Sec-Fetch-Mode":            {"navigate"},
	"Sec-Fetch-User":            {"?1"},
}

// Limits of what one response may bring: a page is cut there (and parsed as far as it
// came); a favicon over its limit is not taken at all, so a 100 MB "favicon" is never read
// whole.
const (
	maxPageBytes    = 5 << 20
	maxImageBytes   = 2 << 20
	maxManifest     = 1 << 20
	maxRedirects    = 10
	defaultTimeout  = 15 * time.Second // merino-py's TIMEOUT, per request
	budgetPerDomain = 6                // a domain's requests together may take this many timeouts
)

var (
	errTooLarge     = errors.New("the response is larger than allowed")
	errTooRedirects = fmt.Errorf("stopped after %d redirects", maxRedirects)
)

// web fetches pages and images of the open web. With connectTo set, every connection goes to
// that address, whatever the URL's host, which stays the request's Host and the TLS server
// name: one loopback server can play every site. Certificates are verified against the
// system roots and SSL_CERT_FILE's.
type web struct {
	transport *http.Transport
	timeout   time.Duration
}

func newWeb(connectTo string, timeout time.Duration) (*web, error) {
	roots, err := jobs.RootCAs()
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if connectTo != "" {
				addr = connectTo
			}
			return dialer.DialContext(ctx, network, addr)
		},
		TLSClientConfig:       &tls.Config{RootCAs: roots},
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          200,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       30 * time.Second,
	}
	if connectTo != "" {
		t.Proxy = nil
	}
	return &web{transport: t, timeout: timeout}, nil
}

// client returns a client following redirects with jar's cookies (nil: none): a scrape keeps
// its cookies across redirects as merino-py's requests session does.
func (w *web) client(jar http.CookieJar) *http.Client {
	return &http.Client{Transport: w.transport, Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return errTooRedirects
		}
		return nil
	}}
}

func newJar() http.CookieJar {
	jar, _ := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	return jar
}

// response is what a fetch brought.
type response struct {
	// URL is the final URL, after redirects.
	URL         *url.URL
	Status      int
	ContentType string
	Body        []byte
}

// get fetches rawURL with merino-py's headers within the per-request timeout. A body over
// max is cut there when cut is set, else the fetch fails with errTooLarge.
func (w *web) get(ctx context.Context, c *http.Client, rawURL string, max int64, cut bool) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, fmt.Errorf("cannot fetch %q: not an http(s) URL", clip(rawURL))
	}
	for k, v := range requestHeaders {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > max && !cut {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > max {
		if !cut {
			return nil, errTooLarge
		}
		body = body[:max]
	}
	return &response{URL: resp.Request.URL, Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: body}, nil
}
