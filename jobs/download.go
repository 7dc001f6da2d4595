package jobs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"
)

// RootCAs is the certificate pool HTTPS clients of jobs verify servers with: the system's,
// plus the certificates in the file SSL_CERT_FILE names, read at each call. (Go reads that
// variable once per process, at the first TLS handshake; reading it here lets each run name
// its own, and tests trust their own certificate authority through it.)
func RootCAs() (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if file := os.Getenv("SSL_CERT_FILE"); file != "" {
		pem, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("cannot read SSL_CERT_FILE: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("SSL_CERT_FILE %q holds no PEM certificate", file)
		}
	}
	return pool, nil
}

// Downloader fetches files for a job over HTTP, streaming: a body is handed over as it
// arrives, never held whole. Every request carries the job's User-Agent (Wikimedia refuses
// anonymous clients). It is safe for concurrent use.
type Downloader struct {
	client *http.Client
	ua     string
	log    *slog.Logger
}

// Downloader returns a downloader that logs to log.
func (e *Env) Downloader(log *slog.Logger) (*Downloader, error) {
	roots, err := RootCAs()
	if err != nil {
		return nil, err
	}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: roots},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: time.Minute,
	}
	return &Downloader{client: &http.Client{Transport: transport}, ua: e.UserAgent(), log: log}, nil
}

func (d *Downloader) request(ctx context.Context, method, rawURL, file string) (*http.Response, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", fmt.Errorf("cannot download %s: %q is not an http(s) URL", file, rawURL)
	}
	shown := u.Redacted()
	req, err := http.NewRequestWithContext(ctx, method, rawURL, nil)
	if err != nil {
		return nil, shown, fmt.Errorf("cannot download %s: %w", file, err)
	}
	req.Header.Set("User-Agent", d.ua)
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, shown, fmt.Errorf("cannot download %s from %s: %w", file, shown, unwrapURL(err))
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, shown, fmt.Errorf("cannot download %s: %s %s: HTTP %d", file, method, shown, resp.StatusCode)
	}
	return resp, shown, nil
}

// Open GETs rawURL, which names file in messages ("US.zip"), and returns its body, which the
// caller closes, and its length (-1 when unknown). An answer other than 200 is an error
// naming the file, the URL (without credentials) and the status.
func (d *Downloader) Open(ctx context.Context, rawURL, file string) (io.ReadCloser, int64, error) {
	d.log.Info("Sending request: " + redacted(rawURL))
	resp, shown, err := d.request(ctx, http.MethodGet, rawURL, file)
	if err != nil {
		return nil, 0, err
	}
	size := "??? bytes"
	if resp.ContentLength >= 0 {
		size = PrettySize(resp.ContentLength)
	}
	d.log.Info(fmt.Sprintf("Downloading %s (%s)", shown, size))
	return resp.Body, resp.ContentLength, nil
}

// Size asks for the length of rawURL with HEAD (-1 when the server does not say).
func (d *Downloader) Size(ctx context.Context, rawURL, file string) (int64, error) {
	resp, _, err := d.request(ctx, http.MethodHead, rawURL, file)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.ContentLength, nil
}

// Fetch reads a small file whole; more than max bytes is an error.
func (d *Downloader) Fetch(ctx context.Context, rawURL, file string, max int64) ([]byte, error) {
	resp, shown, err := d.request(ctx, http.MethodGet, rawURL, file)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("cannot download %s from %s: %w", file, shown, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("cannot download %s from %s: more than %s", file, shown, PrettySize(max))
	}
	return data, nil
}

func redacted(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return raw
}

func unwrapURL(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}
