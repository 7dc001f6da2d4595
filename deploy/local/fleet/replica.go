package fleet

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// Replica is one merino-go process of the fleet, on a fixed address: each Start runs a new
// process there (a new generation, with its own log file).
type Replica struct {
	Name      string
	Addr      string // the public listener, host:port
	AdminAddr string // the admin listener (/metrics), host:port

	bin, repo, dir string
	env            []string

	mu         sync.Mutex
	cmd        *exec.Cmd
	exited     chan struct{}
	generation int
	logPath    string
}

// URL is the replica's own base URL, bypassing the load balancer.
func (r *Replica) URL() string { return "http://" + r.Addr }

// AdminURL is its admin listener's base URL.
func (r *Replica) AdminURL() string { return "http://" + r.AdminAddr }

// LogPath is the log file of the current (or last) process.
func (r *Replica) LogPath() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logPath
}

// Start runs a new process and returns once it answers /__lbheartbeat__: it has loaded its
// data sets (merino serve loads them before it listens) and listens. It fails when the
// previous process still runs, or when the new one exits or stays silent for 60 s.
func (r *Replica) Start() error {
	r.mu.Lock()
	if r.cmd != nil && !closed(r.exited) {
		r.mu.Unlock()
		return fmt.Errorf("replica %s: the previous process still runs", r.Name)
	}
	r.generation++
	r.logPath = filepath.Join(r.dir, fmt.Sprintf("%s.%d.log", r.Name, r.generation))
	log, err := os.Create(r.logPath)
	if err != nil {
		r.mu.Unlock()
		return fmt.Errorf("replica %s: cannot create its log: %w", r.Name, err)
	}
	cmd := exec.Command(r.bin, "serve")
	cmd.Dir = r.repo
	cmd.Env = append(os.Environ(), r.env...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		r.mu.Unlock()
		log.Close()
		return fmt.Errorf("replica %s: cannot start %s: %w", r.Name, r.bin, err)
	}
	exited := make(chan struct{})
	r.cmd, r.exited = cmd, exited
	r.mu.Unlock()
	go func() {
		_ = cmd.Wait()
		log.Close()
		close(exited)
	}()

	url := r.URL() + LivenessPath
	var last string // the last answer, for the error
	for deadline := time.Now().Add(60 * time.Second); ; {
		code, _, err := fasthttp.GetTimeout(nil, url, time.Second)
		if err == nil && code == 200 {
			return nil
		}
		if err != nil {
			last = err.Error()
		} else {
			last = fmt.Sprint("status ", code)
		}
		select {
		case <-exited:
			return fmt.Errorf("replica %s exited at start (%s): %s", r.Name, cmd.ProcessState, r.logTail())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.Kill()
			return fmt.Errorf("replica %s did not answer %s within 60 s (last: %s): %s", r.Name, url, last, r.logTail())
		}
	}
}

func closed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func (r *Replica) logTail() string {
	b, _ := os.ReadFile(r.LogPath())
	if len(b) > 2048 {
		b = b[len(b)-2048:]
	}
	return strings.TrimSpace(string(b))
}

// current returns the running process and its exit channel; nil when none was started.
func (r *Replica) current() (*exec.Cmd, chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cmd, r.exited
}

// Running says whether the current process has not exited.
func (r *Replica) Running() bool {
	cmd, exited := r.current()
	return cmd != nil && !closed(exited)
}

// Signal sends SIGTERM: the process drains (http.shutdown_delay_sec, then
// http.shutdown_grace_sec) and exits; Wait waits for that.
func (r *Replica) Signal() error {
	cmd, exited := r.current()
	if cmd == nil || closed(exited) {
		return fmt.Errorf("replica %s is not running", r.Name)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("replica %s: cannot signal: %w", r.Name, err)
	}
	return nil
}

// Wait waits for the current process to exit, and says how it did: nil for exit status 0.
func (r *Replica) Wait(timeout time.Duration) error {
	cmd, exited := r.current()
	if cmd == nil {
		return nil
	}
	select {
	case <-exited:
	case <-time.After(timeout):
		return fmt.Errorf("replica %s did not exit within %v of its signal", r.Name, timeout)
	}
	if !cmd.ProcessState.Success() {
		return fmt.Errorf("replica %s exited with %s: %s", r.Name, cmd.ProcessState, r.logTail())
	}
	return nil
}

// Kill sends SIGKILL (a crash: no drain, open connections reset) and waits for the exit.
func (r *Replica) Kill() error {
	cmd, exited := r.current()
	if cmd == nil || closed(exited) {
		return fmt.Errorf("replica %s is not running", r.Name)
	}
	if err := cmd.Process.Kill(); err != nil {
		return fmt.Errorf("replica %s: cannot kill: %w", r.Name, err)
	}
	<-exited
	return nil
}

// Stop ends the current process quickly: SIGTERM, then a second signal, which cuts the
// drain delay short (in-flight requests still finish); SIGKILL after 15 s.
func (r *Replica) Stop() {
	cmd, exited := r.current()
	if cmd == nil || closed(exited) {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(50 * time.Millisecond) // the first signal starts the drain, the second ends its delay
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}
