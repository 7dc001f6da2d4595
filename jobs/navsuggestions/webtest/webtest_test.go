package webtest

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// client dials every URL at the fake and trusts its CA, as the job with --connect-to and
// SSL_CERT_FILE does.
func client(s *Server, timeout time.Duration) *http.Client {
	pool := s.caPool()
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, s.Addr)
		},
		TLSClientConfig: &tls.Config{RootCAs: pool},
	}}
}

func TestServer(t *testing.T) {
	s := New(t)
	s.Site("example.com", map[string]Response{
		"/":     {ContentType: "text/html", Body: []byte("<title>Example</title>")},
		"/old":  {Location: "http://example.com/"},
		"/big":  {Body: []byte("x"), Size: 1 << 20},
		"/hang": {Hang: true},
	})
	c := client(s, 2*time.Second)
	get := func(u string) (int, string, error) {
		resp, err := c.Get(u)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	// TLS with a certificate for the name asked, and plain HTTP on the same port (the
	// redirect goes to http://).
	if code, body, err := get("https://example.com/old"); err != nil || code != 200 || body != "<title>Example</title>" {
		t.Errorf("%d %q %v", code, body, err)
	}
	reqs := s.Requests()
	if len(reqs) != 2 || !reqs[0].TLS || reqs[1].TLS || reqs[1].Path != "/" {
		t.Errorf("requests %+v", reqs)
	}
	if code, _, _ := get("https://example.com/nope"); code != 404 {
		t.Errorf("unknown path: %d", code)
	}
	if _, body, err := get("https://example.com/big"); err != nil || len(body) != 1<<20 || s.Sent("example.com", "/big") != 1<<20 {
		t.Errorf("big: %d bytes, %v", len(body), err)
	}
	if _, _, err := get("https://unknown.example/"); err == nil {
		t.Error("an unknown host answered")
	}
	c = client(s, 300*time.Millisecond)
	start := time.Now()
	if _, _, err := get("https://example.com/hang"); err == nil || !strings.Contains(err.Error(), "Timeout") || time.Since(start) > 5*time.Second {
		t.Errorf("hang: %v after %s", err, time.Since(start))
	}
}
