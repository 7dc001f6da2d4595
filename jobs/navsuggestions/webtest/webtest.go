// Package webtest is a fake of the open web for the navigational suggestions job: one
// loopback listener (the job's --connect-to) that plays every site, answering by the Host of
// each request, over TLS with a certificate made on the fly for the name the client asks for
// (SNI), signed by a test certificate authority whose PEM file (CAFile) a test names in
// SSL_CERT_FILE, or over plain HTTP on the same port (the first byte tells a TLS handshake
// apart).
//
// A site is a table of paths to responses: pages, redirects (to loops if asked), 404s, images
// of any size (a huge one streamed, never held), malformed bytes, and responses that hang
// until the client gives up. Unknown hosts do not resolve: their connections are closed, as a
// failed DNS lookup looks to the job.
package webtest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Response is one path's answer.
type Response struct {
	// Status defaults to 200 (302 with Location).
	Status      int
	ContentType string
	Body        []byte
	// Location makes a redirect.
	Location string
	// Size, when larger than Body, streams that many bytes: Body, then zeros, with the
	// Content-Length announced (a 100 MB favicon without 100 MB of memory).
	Size int64
	// Chunked sends Size bytes without a Content-Length.
	Chunked bool
	// Hang answers nothing until the client goes away.
	Hang bool
}

// Request is one request received.
type Request struct {
	Host, Path, UserAgent string
	TLS                   bool
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	// Addr is host:port of the listener, for --connect-to.
	Addr string
	// CAFile is the PEM file of the test certificate authority, for SSL_CERT_FILE.
	CAFile string

	ln     net.Listener
	srv    *http.Server
	caCert *x509.Certificate
	caKey  *ecdsa.PrivateKey
	mu     sync.Mutex
	certs  map[string]*tls.Certificate
	sites  map[string]map[string]Response
	log    []Request
	sent   map[string]int64 // host+path -> body bytes written
	done   chan struct{}
}

// New starts the fake; it stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "merino-go webtest CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	caFile := filepath.Join(t.TempDir(), "webtest-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), CAFile: caFile, ln: ln, caCert: ca, caKey: key,
		certs: map[string]*tls.Certificate{}, sites: map[string]map[string]Response{}, sent: map[string]int64{}, done: make(chan struct{})}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	conns := make(chan net.Conn)
	go s.accept(conns)
	go func() { _ = s.srv.Serve(&chanListener{conns: conns, addr: ln.Addr(), done: s.done}) }()
	t.Cleanup(s.Close)
	return s
}

// Close stops the fake and ends hanging responses.
func (s *Server) Close() {
	select {
	case <-s.done:
		return
	default:
	}
	close(s.done)
	s.ln.Close()
	s.srv.Close()
}

// Site sets the responses of host, by path ("/", "/favicon.ico", ...). Paths not listed
// answer 404.
func (s *Server) Site(host string, pages map[string]Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sites[strings.ToLower(host)] = pages
}

// Requests returns the requests received so far, and forgets them.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.log
	s.log = nil
	return l
}

// caPool is the pool a client trusts the fake with (tests of the fake itself).
func (s *Server) caPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.caCert)
	return p
}

// Sent returns how many body bytes the responses to host's path have carried so far (what a
// client read of a huge response, give or take the buffers in between).
func (s *Server) Sent(host, path string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[host+path]
}

// cert returns a leaf certificate for name, signed by the CA.
func (s *Server) cert(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := hello.ServerName
	if name == "" {
		name = "127.0.0.1"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.certs[name]; c != nil {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(int64(len(s.certs) + 2)), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{name}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.caCert, &key.PublicKey, s.caKey)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	s.certs[name] = c
	return c, nil
}

// accept hands every connection to the HTTP server, wrapped in TLS when it starts with a
// handshake record (0x16).
func (s *Server) accept(out chan<- net.Conn) {
	cfg := &tls.Config{GetCertificate: s.cert}
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			br := bufio.NewReader(c)
			first, err := br.Peek(1)
			_ = c.SetReadDeadline(time.Time{})
			if err != nil {
				c.Close()
				return
			}
			var conn net.Conn = &peekedConn{Conn: c, r: br}
			if first[0] == 0x16 {
				conn = tls.Server(conn, cfg)
			}
			select {
			case out <- conn:
			case <-s.done:
				c.Close()
			}
		}()
	}
}

type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

type chanListener struct {
	conns <-chan net.Conn
	addr  net.Addr
	done  chan struct{}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error   { return nil }
func (l *chanListener) Addr() net.Addr { return l.addr }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	s.mu.Lock()
	s.log = append(s.log, Request{Host: host, Path: r.URL.RequestURI(), UserAgent: r.UserAgent(), TLS: r.TLS != nil})
	site, known := s.sites[host]
	resp, found := site[r.URL.Path]
	if !found {
		resp, found = site[r.URL.RequestURI()]
	}
	s.mu.Unlock()
	if !known {
		// No such host: drop the connection, as a failed lookup ends a fetch.
		panic(http.ErrAbortHandler)
	}
	if !found {
		http.Error(w, "<html><head><title>404 Not Found</title></head><body>Not Found</body></html>", http.StatusNotFound)
		return
	}
	if resp.Hang {
		select {
		case <-r.Context().Done():
		case <-s.done:
		case <-time.After(2 * time.Minute):
		}
		return
	}
	if resp.ContentType != "" {
		w.Header().Set("Content-Type", resp.ContentType)
	}
	status := resp.Status
	if resp.Location != "" {
		w.Header().Set("Location", resp.Location)
		if status == 0 {
			status = http.StatusFound
		}
	}
	if status == 0 {
		status = http.StatusOK
	}
	size := max(resp.Size, int64(len(resp.Body)))
	if !resp.Chunked {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	written := int64(0)
	defer func() {
		s.mu.Lock()
		s.sent[host+r.URL.Path] += written
		s.mu.Unlock()
	}()
	n, err := w.Write(resp.Body)
	written += int64(n)
	if err != nil {
		return
	}
	zeros := make([]byte, 64<<10)
	for left := size - int64(len(resp.Body)); left > 0; {
		n, err := w.Write(zeros[:min(left, int64(len(zeros)))])
		written += int64(n)
		if err != nil {
			return // the client stopped reading
		}
		left -= int64(n)
	}
}
