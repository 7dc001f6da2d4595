package haproxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// backend is a stand-in for a merino-go replica: its two Dockerflow endpoints answer what
// the test sets, and every other request is counted and answered with the X-Forwarded-For
// headers it came with.
type backend struct {
	name              string
	addr              string
	heartbeat, lbbeat atomic.Int32 // status codes
	requests          atomic.Int64
	srv               *http.Server
	mu                sync.Mutex
	ln                net.Listener
}

func startBackend(t *testing.T, name string) *backend {
	t.Helper()
	b := &backend{name: name}
	b.heartbeat.Store(200)
	b.lbbeat.Store(200)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.addr = ln.Addr().String()
	b.serve(ln)
	t.Cleanup(b.stop)
	return b
}

func (b *backend) serve(ln net.Listener) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ln = ln
	b.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/__heartbeat__":
			w.WriteHeader(int(b.heartbeat.Load()))
		case "/__lbheartbeat__":
			w.WriteHeader(int(b.lbbeat.Load()))
		default:
			b.requests.Add(1)
			fmt.Fprintf(w, "%s %q", b.name, r.Header.Values("X-Forwarded-For"))
		}
	})}
	go b.srv.Serve(ln)
}

// stop closes the listener and every connection: a crashed replica.
func (b *backend) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.srv.Close()
}

// restart listens on the same address again.
func (b *backend) restart(t *testing.T) {
	ln, err := net.Listen("tcp", b.addr)
	if err != nil {
		t.Fatal(err)
	}
	b.serve(ln)
}

var testCheck = Check{Paths: []string{"/__heartbeat__", "/__lbheartbeat__"}, Interval: 200 * time.Millisecond, FastInterval: 100 * time.Millisecond, Fall: 2, Rise: 1}

func start(t *testing.T, check Check, backends ...*backend) (*Proxy, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
	var servers []Server
	for _, b := range backends {
		servers = append(servers, Server{Name: b.name, Addr: b.addr})
	}
	p, err := Start(Config{Listen: listen, Servers: servers, Check: check, Dir: t.TempDir()})
	if errors.Is(err, ErrNotInstalled) {
		t.Skip("haproxy is not on PATH: install Debian's haproxy (deploy/local/fleet.sh deps) to run the HAProxy tests")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p, "http://" + listen
}

func get(t *testing.T, url string, xff ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for _, v := range xff {
		req.Header.Add("X-Forwarded-For", v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func waitServer(t *testing.T, p *Proxy, name string, up bool) time.Duration {
	t.Helper()
	d, err := p.WaitServer(name, up, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// spread sends n requests and returns how many each backend answered; every one must be a 200.
func spread(t *testing.T, url string, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	for range n {
		code, body := get(t, url+"/api/v1/suggest?q=a")
		if code != 200 {
			t.Fatalf("status %d: %s", code, body)
		}
		got[strings.Fields(body)[0]]++
	}
	return got
}

// The checks gate traffic as the fleet needs: readiness (/__heartbeat__ 500 keeps a replica
// out), the drain (/__lbheartbeat__ 503 takes it out within Detection), a crash (a refused
// connection takes it out, and the requests sent to it are retried on the other), and the
// return of a replica.
func TestChecksGateTraffic(t *testing.T) {
	a, b := startBackend(t, "a"), startBackend(t, "b")
	b.heartbeat.Store(500) // b has not loaded its data yet
	p, url := start(t, testCheck, a, b)
	waitServer(t, p, "a", true)
	s, _ := p.Server("b")
	for i := 0; i < 100 && s.CheckStatus == "INI"; i++ { // not checked yet, and down until it is
		if s.Up {
			t.Fatalf("b gets traffic before its first check: %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
		s, _ = p.Server("b")
	}
	if s.Up || s.CheckStatus != "L7STS" {
		t.Fatalf("b with /__heartbeat__ 500: %+v", s)
	}
	if got := spread(t, url, 10); got["a"] != 10 {
		t.Fatalf("b is not ready, yet: %v", got)
	}

	b.heartbeat.Store(200)
	waitServer(t, p, "b", true)
	if got := spread(t, url, 10); got["a"] != 5 || got["b"] != 5 {
		t.Fatalf("round robin over two ready backends: %v", got)
	}

	b.lbbeat.Store(503) // b starts its drain
	if d := waitServer(t, p, "b", false); d > testCheck.Detection() {
		t.Errorf("b left the rotation after %v, want within %v", d, testCheck.Detection())
	}
	if got := spread(t, url, 10); got["a"] != 10 {
		t.Fatalf("b drains, yet: %v", got)
	}
	b.lbbeat.Store(200)
	waitServer(t, p, "b", true)

	a.stop() // a crashes
	if got := spread(t, url, 10); got["b"] != 10 {
		t.Fatalf("a is gone: %v", got)
	}
	if s, _ := p.Server("a"); s.Up || s.Status != "DOWN" {
		t.Errorf("a refused a connection and is still %+v", s)
	}
	a.restart(t)
	waitServer(t, p, "a", true)
}

// The client's address ends one X-Forwarded-For header, after what the client sent.
func TestForwardedFor(t *testing.T) {
	a := startBackend(t, "a")
	_, url := start(t, Check{}, a)
	f := func(sent []string, want string) {
		t.Helper()
		_, body := get(t, url+"/x", sent...)
		if got := strings.TrimPrefix(body, "a "); got != want {
			t.Errorf("X-Forwarded-For %q reaches the replica as %s, want %s", sent, got, want)
		}
	}
	f(nil, `["127.0.0.1"]`)
	f([]string{"203.0.113.9"}, `["203.0.113.9, 127.0.0.1"]`)
	f([]string{"198.51.100.1, 203.0.113.9"}, `["198.51.100.1, 203.0.113.9, 127.0.0.1"]`)
	// Of several headers the last counts, as merino-go (and uvicorn) read them.
	f([]string{"198.51.100.1", "203.0.113.9"}, `["203.0.113.9, 127.0.0.1"]`)
}

// Without a check every server gets traffic whatever its endpoints say (bench/rollout).
func TestNoCheck(t *testing.T) {
	a := startBackend(t, "a")
	a.lbbeat.Store(503)
	p, url := start(t, Check{}, a)
	if s, _ := p.Server("a"); !s.Up || s.Status != "no check" {
		t.Fatalf("%+v", s)
	}
	if got := spread(t, url, 3); got["a"] != 3 {
		t.Fatal(got)
	}
}

func TestRenderRefusesBadSettings(t *testing.T) {
	f := func(c Config, want string) {
		t.Helper()
		err := Render(io.Discard, c, "/tmp/s")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want %q", c, err, want)
		}
	}
	f(Config{Servers: []Server{{Name: "a b", Addr: "127.0.0.1:1"}}}, `bad server name "a b"`)
	f(Config{Servers: []Server{{Name: "", Addr: "127.0.0.1:1"}}}, `bad server name ""`)
	f(Config{Check: Check{Paths: []string{"/x"}}}, "positive intervals")
	var buf bytes.Buffer
	if err := Render(&buf, Config{Listen: "127.0.0.1:1", Servers: []Server{{Name: "r0", Addr: "127.0.0.1:2"}}, Check: testCheck}, "/tmp/s"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"http-check send meth GET uri /__heartbeat__", "http-check send meth GET uri /__lbheartbeat__",
		"check inter 200ms fastinter 100ms fall 2 rise 1", "server r0 127.0.0.1:2", "stats socket /tmp/s"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("no %q in\n%s", want, buf.String())
		}
	}
}

func TestParseStat(t *testing.T) {
	// The columns `show stat` starts with (HAProxy 2.6), in another order to show they are
	// found by name; frontends and backends are left out.
	const out = "# svname,pxname,scur,stot,status,check_status,last_chk,\n" +
		"FRONTEND,merino,3,100,OPEN,,,\n" +
		"r0,merino,1,40,UP,L7OK,,\n" +
		"r1,merino,0,12,UP 1/2,L7STS,Service Unavailable,\n" +
		"r2,merino,0,7,DOWN,L4CON,Connection refused,\n" +
		"BACKEND,merino,1,59,UP,,,\n" +
		"stats,FRONTEND,0,1,OPEN,,,\n"
	got, err := parseStat([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []ServerState{
		{Name: "r0", Status: "UP", Up: true, CheckStatus: "L7OK", Sessions: 40, Current: 1},
		{Name: "r1", Status: "UP 1/2", Up: true, CheckStatus: "L7STS", LastCheck: "Service Unavailable", Sessions: 12},
		{Name: "r2", Status: "DOWN", CheckStatus: "L4CON", LastCheck: "Connection refused", Sessions: 7},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if _, err := parseStat([]byte("# pxname,svname\n")); err == nil {
		t.Error("stats without a status column parsed")
	}
}

func TestDetection(t *testing.T) {
	// The next check within Interval, then Fall-1 fast checks, each up to its 1 s timeout.
	c := Check{Paths: []string{"/"}, Interval: time.Second, FastInterval: 250 * time.Millisecond, Fall: 3, Rise: 2}
	if d := c.Detection(); d != 3500*time.Millisecond {
		t.Errorf("detection %v, want 3.5s", d)
	}
	if d := (Check{}).Detection(); d != 0 {
		t.Errorf("no check: detection %v", d)
	}
}
