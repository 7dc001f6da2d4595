package weathertest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Redis is a redis-server child process on a loopback port, in a temporary directory,
// with persistence off.
type Redis struct {
	// Addr is host:port, URL is redis://host:port.
	Addr, URL string
	cmd       *exec.Cmd
	exited    chan struct{}
}

// ErrNoRedis says that redis-server is not on PATH.
var ErrNoRedis = errors.New("redis-server is not on PATH: install Debian's redis-server")

// StartRedis starts a redis-server for the test, stopped when it ends. The test is skipped
// when redis-server is not on PATH (Debian: apt-get install redis-server).
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	r, err := StartRedisServer(t.TempDir())
	if errors.Is(err, ErrNoRedis) {
		t.Skip("redis-server is not on PATH: install Debian's redis-server to run the Redis tests")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// StartRedisServer starts a redis-server on a free loopback port with dir as its working
// directory, and waits until it answers PING. The caller stops it with Stop. It returns
// ErrNoRedis when redis-server is not on PATH.
func StartRedisServer(dir string) (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNoRedis
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("cannot find a free port: %w", err)
	}
	r := &Redis{Addr: "127.0.0.1:" + strconv.Itoa(port), exited: make(chan struct{})}
	r.URL = "redis://" + r.Addr
	r.cmd = exec.Command(bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning")
	if err := r.cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start redis-server: %w", err)
	}
	go func() {
		r.cmd.Wait()
		close(r.exited)
	}()
	// Wait until it answers PING; give up after ten seconds.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := ping(r.Addr)
		if err == nil {
			return r, nil
		}
		if time.Now().After(deadline) {
			r.Stop()
			return nil, fmt.Errorf("redis-server on %s did not answer: %w", r.Addr, err)
		}
		select {
		case <-r.exited:
			return nil, fmt.Errorf("redis-server on %s exited at startup", r.Addr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Stop kills the server and waits for it to exit; calling it again does nothing.
func (r *Redis) Stop() {
	select {
	case <-r.exited:
		return
	default:
	}
	r.cmd.Process.Kill()
	<-r.exited
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("unexpected answer %q", line)
	}
	return nil
}
