package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Attacks on the process as issue 17 found them: each reproduces the attack over loopback
// and checks that the process lives, answers with its last good data, and shows the failure
// in its metrics and logs.

// flood opens n connections to addr (host:port) and keeps them open, idle, until the test
// ends. Connections the kernel cannot complete are skipped.
func flood(t *testing.T, addr string, n int) []net.Conn {
	t.Helper()
	var conns []net.Conn
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			continue
		}
		conns = append(conns, c)
	}
	t.Cleanup(func() { closeAll(conns) })
	return conns
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		c.Close()
	}
}

func hostPort(url string) string { return strings.TrimPrefix(url, "http://") }

// TestFileDescriptorFlood: a connection flood past the process's file limit made accept fail
// and the server exit. Accept errors are transient now, and a connection cap keeps the
// process below its limit.
func TestFileDescriptorFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary under a lowered ulimit -n")
	}
	bin := sharedBinary(t)

	t.Run("running out of descriptors is survived", func(t *testing.T) {
		// No cap: the flood exhausts the 256 descriptors and accept fails with EMFILE.
		p := startProc(t, bin, 256, append(topPicksEnv(t), "MERINO_HTTP__MAX_CONNECTIONS=100000")...)
		conns := flood(t, hostPort(p.base), 400)
		p.waitLog(t, "cannot accept a connection", 10*time.Second)
		time.Sleep(500 * time.Millisecond)
		p.alive(t)
		closeAll(conns)
		eventually(t, p.base+"/api/v1/suggest?q=exam", 10*time.Second, hasExample)
		if n := metricValue(t, p.admin, `merino_http_accept_errors_total{listener="public"}`); n < 1 {
			t.Errorf("accept errors counted: %v", n)
		}
	})

	t.Run("the connection cap answers 503 and keeps descriptors", func(t *testing.T) {
		// The default cap under a 256 limit leaves descriptors for everything else.
		p := startProc(t, bin, 256, topPicksEnv(t)...)
		conns := flood(t, hostPort(p.base), 400)
		// A connection over the cap is answered at once and closed.
		last := conns[len(conns)-1]
		last.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(last), nil)
		if err != nil {
			t.Fatalf("a connection over the cap: %v", err)
		}
		if resp.StatusCode != 503 || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("over the cap: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		p.alive(t)
		if n := metricValue(t, p.admin, `merino_http_rejected_connections_total{listener="public"}`); n < 1 {
			t.Errorf("rejected connections counted: %v", n)
		}
		if strings.Contains(strings.Join(p.log(), "\n"), "cannot accept a connection") {
			t.Error("the cap did not keep the process below its descriptor limit")
		}
		p.waitLog(t, "connection cap reached", 5*time.Second)
		closeAll(conns)
		eventually(t, p.base+"/api/v1/suggest?q=exam", 10*time.Second, hasExample)
	})

	t.Run("the admin listener times idle connections out", func(t *testing.T) {
		p := startProc(t, bin, 256, append(topPicksEnv(t), "MERINO_HTTP__READ_TIMEOUT_SEC=1")...)
		flood(t, hostPort(p.admin), 300)
		p.alive(t)
		// Its small cap and its timeouts free it within the read timeout.
		eventually(t, p.admin+"/metrics", 10*time.Second, func(s int, _ string) bool { return s == 200 })
		eventually(t, p.base+"/api/v1/suggest?q=exam", 10*time.Second, hasExample)
		if n := metricValue(t, p.admin, `merino_http_rejected_connections_total{listener="admin"}`); n < 1 {
			t.Errorf("admin rejections counted: %v", n)
		}
	})
}

// TestSigtermDrain: SIGTERM closed the listener at once, so every rollout showed errors. Now
// the listener keeps accepting for http.shutdown_delay_sec while /__lbheartbeat__ answers
// 503 and responses close their connections; then it closes, in-flight requests finish, and
// the process exits 0.
func TestSigtermDrain(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	p := startProc(t, sharedBinary(t), 0, append(topPicksEnv(t), "MERINO_HTTP__SHUTDOWN_DELAY_SEC=2")...)
	suggestURL := p.base + "/api/v1/suggest?q=exam"
	eventually(t, suggestURL, 5*time.Second, hasExample)

	// Load: four clients, each request on a new connection, from before the signal until
	// the listener closes.
	type result struct {
		at  time.Time
		err error
		ok  bool
	}
	results := make(chan result, 100000)
	stopLoad := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stopLoad:
					return
				default:
				}
				status, body, err := get(suggestURL)
				results <- result{time.Now(), err, hasExample(status, body)}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	signalled := time.Now()
	p.signal(t, syscall.SIGTERM)
	p.waitLog(t, "draining", 5*time.Second)

	// Load balancers are told to go, on a connection that is closed after the answer.
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(p.base + "/__lbheartbeat__")
	if err != nil {
		t.Fatalf("lbheartbeat while draining: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || !resp.Close {
		t.Errorf("lbheartbeat while draining: %d, close %v", resp.StatusCode, resp.Close)
	}
	if v := metricValue(t, p.admin, "merino_http_draining"); v != 1 {
		t.Errorf("merino_http_draining = %v", v)
	}

	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		t.Fatal("merino did not exit after the drain")
	}
	close(stopLoad)
	wg.Wait()
	close(results)
	if p.cmd.ProcessState.ExitCode() != 0 {
		t.Errorf("exit: %v", p.cmd.ProcessState)
	}
	// Every request sent within the delay was answered with the data; after it, the port is
	// closed (new connections are refused, as a load balancer expects by then).
	var during, failed int
	for r := range results {
		if r.at.After(signalled) && r.at.Before(signalled.Add(1800*time.Millisecond)) {
			during++
			if !r.ok {
				failed++
				t.Logf("failed during the delay at +%v: %v", r.at.Sub(signalled), r.err)
			}
		}
	}
	if during < 20 || failed > 0 {
		t.Errorf("during the drain delay: %d requests, %d failed", during, failed)
	}
	if _, _, err := get(suggestURL); err == nil {
		t.Error("the port still answers after the process exited")
	}
}

// switchingSource serves a good top picks file under ETag "good" until big is set, then a
// 600 MB stream of junk, generated as it goes, under ETag "big". It honours If-None-Match and
// counts the junk it wrote and the downloads of each.
type switchingSource struct {
	good                  []byte
	big                   atomic.Bool
	junkWritten, junkGets atomic.Int64
	bigNotModified        atomic.Int64
}

func (s *switchingSource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	etag := `"good"`
	if s.big.Load() {
		etag = `"big"`
	}
	if r.Header.Get("If-None-Match") == etag {
		if s.big.Load() {
			s.bigNotModified.Add(1)
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	if !s.big.Load() {
		w.Write(s.good)
		return
	}
	s.junkGets.Add(1)
	chunk := []byte(strings.Repeat(`{"domains":[`, 64<<10/12))
	for sent := 0; sent < 600<<20; sent += len(chunk) {
		n, err := w.Write(chunk)
		s.junkWritten.Add(int64(n))
		if err != nil {
			return
		}
	}
}

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// TestOversizedSource: every source could be 512 MB and was buffered whole, and re-read on
// every retry; a 600 MB stream took the process to 2 GB. Now a source is read up to its
// limit and no further, refused, not downloaded again while unchanged, and the last good
// data keeps serving.
func TestOversizedSource(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	repo, _ := filepath.Abs("../..")
	good, err := os.ReadFile(filepath.Join(repo, "server/testdata/top_picks.json"))
	if err != nil {
		t.Fatal(err)
	}
	src := &switchingSource{good: good}
	upstream := httptest.NewServer(src)
	defer upstream.Close()
	p := startProc(t, sharedBinary(t), 0,
		"MERINO_PROVIDERS__TP__TYPE=top_picks", "MERINO_PROVIDERS__TP__ENABLED_BY_DEFAULT=true",
		"MERINO_PROVIDERS__TP__TOP_PICKS_FILE_PATH="+upstream.URL+"/top_picks.json",
		"MERINO_PROVIDERS__TP__RESYNC_INTERVAL_SEC=1", "MERINO_SOURCES__TOP_PICKS_MAX_MB=8",
		"MERINO_HTTP__ADMIN_LISTEN=127.0.0.1:0", "MERINO_LOGGING__LOG_SUGGEST_REQUEST=false")
	suggestURL := p.base + "/api/v1/suggest?q=exam"
	eventually(t, suggestURL, 5*time.Second, hasExample)
	before := peakRSS(t, p.cmd.Process.Pid)

	src.big.Store(true)
	p.waitLog(t, "larger than its 8388608-byte limit", 20*time.Second)
	// Retries ask whether the refused content is still there, and do not download it.
	deadline := time.Now().Add(20 * time.Second)
	for src.bigNotModified.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no conditional retry: %d downloads of the junk", src.junkGets.Load())
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.alive(t)
	eventually(t, suggestURL, 5*time.Second, hasExample)
	if n := src.junkGets.Load(); n != 1 {
		t.Errorf("the junk was downloaded %d times", n)
	}
	if w := src.junkWritten.Load(); w > 8<<20+32<<20 {
		t.Errorf("%d MB of junk were sent: the server read past its limit", w>>20)
	}
	if n := metricValue(t, p.admin, `merino_source_too_large_total{source="tp"}`); n < 1 {
		t.Errorf("merino_source_too_large_total = %v", n)
	}
	after := peakRSS(t, p.cmd.Process.Pid)
	t.Logf("peak RSS %d MB before the junk, %d MB after", before>>20, after>>20)
	if after-before > 100<<20 {
		t.Errorf("peak RSS grew from %d MB to %d MB", before>>20, after>>20)
	}
}
