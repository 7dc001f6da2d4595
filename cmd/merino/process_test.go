package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The attack tests run the binary as operators do and attack it over loopback. These are
// their helpers: one build per test run, a process whose log lines are kept, and its
// addresses.

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
	buildOut  []byte
)

// sharedBinary builds cmd/merino once for every test of the run that asks for it.
// MERINO_TEST_BINARY names another build to attack instead (an older one, to see a test fail).
func sharedBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("MERINO_TEST_BINARY"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "merino-bin-")
		if buildErr != nil {
			return
		}
		buildOut, buildErr = exec.Command("go", "build", "-o", filepath.Join(buildDir, "merino"), ".").CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return filepath.Join(buildDir, "merino")
}

// proc is a running `merino serve`.
type proc struct {
	cmd         *exec.Cmd
	base, admin string // http://host:port of the public and admin listeners ("" = none)
	exited      chan struct{}

	mu    sync.Mutex
	lines []string
	more  chan struct{} // closed and replaced whenever a line arrives
}

var (
	servingRe = regexp.MustCompile(`"address":"http://([0-9.:]+)"`)
	adminRe   = regexp.MustCompile(`admin listener.*"address":"([0-9.:]+)"`)
)

// startProc starts `merino serve` from the repository root with env (MERINO_ENV=testing and
// MozLog lines unless env says otherwise) and waits until its listeners are up. A nofile
// above 0 runs it under `ulimit -n nofile` (soft and hard). The process is killed when the
// test ends.
func startProc(t *testing.T, bin string, nofile int, env ...string) *proc {
	t.Helper()
	repo, _ := filepath.Abs("../..")
	var c *exec.Cmd
	if nofile > 0 {
		c = exec.Command("sh", "-c", `ulimit -n `+strconv.Itoa(nofile)+` && exec "$0" serve`, bin)
	} else {
		c = exec.Command(bin, "serve")
	}
	c.Dir = repo
	c.Env = cleanEnv(append([]string{"MERINO_ENV=testing", "MERINO_LOGGING__FORMAT=mozlog", "MERINO_LOGGING__LEVEL=INFO"}, env...)...)
	stdout, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.Stderr = c.Stdout
	p := &proc{cmd: c, exited: make(chan struct{}), more: make(chan struct{})}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("merino's output:\n%s", strings.Join(p.log(), "\n"))
		}
	})
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			close(p.more)
			p.more = make(chan struct{})
			p.mu.Unlock()
		}
		io.Copy(io.Discard, stdout)
		c.Wait()
		close(p.exited)
	}()
	wantAdmin := envValue(env, "MERINO_HTTP__ADMIN_LISTEN") != ""
	deadline := time.Now().Add(30 * time.Second)
	for p.base == "" || (wantAdmin && p.admin == "") {
		if time.Now().After(deadline) {
			t.Fatal("merino did not say where it listens")
		}
		for _, l := range p.log() {
			if m := servingRe.FindStringSubmatch(l); m != nil {
				p.base = "http://" + m[1]
			}
			if m := adminRe.FindStringSubmatch(l); m != nil {
				p.admin = "http://" + m[1]
			}
		}
		p.wait(time.Second)
	}
	return p
}

// envValue is the last value env gives name ("" when unset).
func envValue(env []string, name string) string {
	v := ""
	for _, kv := range env {
		if rest, ok := strings.CutPrefix(kv, name+"="); ok {
			v = rest
		}
	}
	return v
}

// log returns the lines written so far.
func (p *proc) log() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// wait returns when a new line arrives, the process exits, or after d.
func (p *proc) wait(d time.Duration) {
	p.mu.Lock()
	more := p.more
	p.mu.Unlock()
	select {
	case <-more:
	case <-p.exited:
	case <-time.After(d):
	}
}

// waitLog waits until a line contains want and returns it.
func (p *proc) waitLog(t *testing.T, want string, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		for _, l := range p.log() {
			if strings.Contains(l, want) {
				return l
			}
		}
		if p.dead() {
			t.Fatalf("merino exited (%v) before logging %q", p.cmd.ProcessState, want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q", want)
		}
		p.wait(100 * time.Millisecond)
	}
}

func (p *proc) dead() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// alive fails the test if the process has exited.
func (p *proc) alive(t *testing.T) {
	t.Helper()
	if p.dead() {
		t.Fatalf("merino exited: %v", p.cmd.ProcessState)
	}
}

// signal sends sig to the process (not to the `sh` that started it: exec replaced it).
func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// get fetches url on a new connection and returns the status and body.
func get(url string) (int, string, error) {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// eventually retries get until ok accepts the answer, for up to within.
func eventually(t *testing.T, url string, within time.Duration, ok func(status int, body string) bool) (int, string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		status, body, err := get(url)
		if err == nil && ok(status, body) {
			return status, body
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %d %q %v", url, status, body, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// metricValue reads one series from the admin listener's /metrics (-1 when absent).
func metricValue(t *testing.T, admin, series string) float64 {
	t.Helper()
	_, body := eventually(t, admin+"/metrics", 10*time.Second, func(s int, _ string) bool { return s == 200 })
	for _, l := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %q", series, l)
			}
			return f
		}
	}
	return -1
}

// topPicksEnv configures a top_picks provider on a copy of the server fixture, as the data
// that must keep serving.
func topPicksEnv(t *testing.T) []string {
	t.Helper()
	repo, _ := filepath.Abs("../..")
	fixture, err := os.ReadFile(filepath.Join(repo, "server/testdata/top_picks.json"))
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "top_picks.json")
	if err := os.WriteFile(data, fixture, 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"MERINO_PROVIDERS__TP__TYPE=top_picks", "MERINO_PROVIDERS__TP__ENABLED_BY_DEFAULT=true",
		"MERINO_PROVIDERS__TP__TOP_PICKS_FILE_PATH=" + data, "MERINO_HTTP__ADMIN_LISTEN=127.0.0.1:0",
		"MERINO_LOGGING__LOG_SUGGEST_REQUEST=false"}
}

// hasExample accepts the top_picks answer the fixture gives for q=exam.
func hasExample(status int, body string) bool {
	return status == 200 && strings.Contains(body, `"title":"Example"`)
}
