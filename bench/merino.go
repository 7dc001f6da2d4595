package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// merinoProc is a merino-go server the bench built and started for itself.
type merinoProc struct {
	cmd     *exec.Cmd
	url     string
	admin   string // base URL of the admin listener (/metrics)
	dir     string // temp dir holding the binary and the server's log
	logPath string
	exited  chan struct{}
}

// findData returns the repository root and the shared data directory: data when given,
// else ../shared/data beside the repository.
func findData(data string) (repo, shared string, err error) {
	if repo, err = findRepo(); err != nil {
		return "", "", err
	}
	if data == "" {
		data = filepath.Join(repo, "..", "shared", "data")
	}
	return repo, data, nil
}

// findRepo returns the root of the merino-go work tree that holds the working directory.
func findRepo() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(data, []byte("module github.com/mozilla-services/merino-go\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the merino-go repository above the working directory")
		}
		dir = parent
	}
}

// freePort returns a loopback port nobody listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("cannot find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startMerino builds ./cmd/merino once into a temp dir and runs it with MERINO_ENV=development
// on a free loopback port, with its admin listener (/metrics) on another free port (never
// the default 8001, where a developer's server may run), and waits until /__lbheartbeat__
// answers. env adds MERINO_* settings; later entries win. The server's output goes to a
// log file, whose tail is shown when the server fails to start.
func startMerino(ctx context.Context, repo string, env []string) (*merinoProc, error) {
	dir, err := os.MkdirTemp("", "merino-bench-")
	if err != nil {
		return nil, fmt.Errorf("cannot create a temp dir: %w", err)
	}
	bin := filepath.Join(dir, "merino")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/merino")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cannot build merino: %w\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	adminPort, err := freePort()
	for err == nil && adminPort == port {
		adminPort, err = freePort()
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	m := &merinoProc{url: fmt.Sprintf("http://127.0.0.1:%d", port), admin: fmt.Sprintf("http://127.0.0.1:%d", adminPort), dir: dir, logPath: filepath.Join(dir, "merino.log"), exited: make(chan struct{})}
	logf, err := os.Create(m.logPath)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cannot create the server log: %w", err)
	}
	m.cmd = exec.Command(bin, "serve")
	m.cmd.Dir = repo
	m.cmd.Env = append(os.Environ(), "MERINO_ENV=development",
		fmt.Sprintf("MERINO_HTTP__LISTEN=127.0.0.1:%d", port), fmt.Sprintf("MERINO_HTTP__ADMIN_LISTEN=127.0.0.1:%d", adminPort))
	m.cmd.Env = append(m.cmd.Env, env...)
	m.cmd.Stdout, m.cmd.Stderr = logf, logf
	if err := m.cmd.Start(); err != nil {
		logf.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cannot start merino: %w", err)
	}
	go func() {
		_ = m.cmd.Wait()
		logf.Close()
		close(m.exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, _, err := fasthttp.GetTimeout(nil, m.url+"/__lbheartbeat__", time.Second)
		if err == nil && code == 200 {
			return m, nil
		}
		select {
		case <-m.exited:
			tail := m.logTail()
			os.RemoveAll(dir)
			return nil, fmt.Errorf("merino exited before it was ready:\n%s", tail)
		case <-ctx.Done():
			m.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			tail := m.logTail()
			m.stop()
			return nil, fmt.Errorf("merino did not answer /__lbheartbeat__ within 60s:\n%s", tail)
		}
	}
}

func (m *merinoProc) logTail() string {
	data, _ := os.ReadFile(m.logPath)
	if len(data) > 4096 {
		data = data[len(data)-4096:]
	}
	return string(data)
}

// stop sends SIGTERM, waits for the graceful shutdown, then kills, and removes the temp dir.
func (m *merinoProc) stop() {
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.exited:
	case <-time.After(15 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.exited
	}
	os.RemoveAll(m.dir)
}

// parseTarget turns a base URL (http://host:port) into the generator's target.
func parseTarget(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return target{}, fmt.Errorf("cannot parse --url: %w", err)
	}
	if u.Scheme != "http" {
		return target{}, fmt.Errorf("--url %q: only http:// is supported (the bench measures the server, not TLS)", raw)
	}
	if u.Host == "" {
		return target{}, fmt.Errorf("--url %q has no host", raw)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return target{addr: addr, host: u.Host}, nil
}

// listProviders returns the provider ids the server lists at /api/v1/providers.
func listProviders(base string) (map[string]bool, error) {
	code, body, err := fasthttp.GetTimeout(nil, strings.TrimRight(base, "/")+"/api/v1/providers", 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("cannot list providers: %w", err)
	}
	if code != 200 {
		return nil, fmt.Errorf("cannot list providers: /api/v1/providers answered %d", code)
	}
	var list []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("cannot parse /api/v1/providers: %w", err)
	}
	out := map[string]bool{}
	for _, p := range list {
		out[p.ID] = true
	}
	return out, nil
}
