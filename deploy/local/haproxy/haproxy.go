// Package haproxy runs HAProxy (Debian's haproxy, 2.2 or later) in front of merino-go
// replicas on loopback, and reads its view of them through the runtime API. It is what the
// local fleet (deploy/local) and the one-host rollout measure (bench/rollout) put between
// the load generator and the servers: one configuration template (haproxy.cfg.tmpl), whose
// health checks follow the Dockerflow endpoints as the Kubernetes probes do.
package haproxy

import (
	"bufio"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"time"
)

//go:embed haproxy.cfg.tmpl
var configTemplate string

var tmpl = template.Must(template.New("haproxy.cfg").Funcs(template.FuncMap{
	"ms": func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) + "ms" },
}).Parse(configTemplate))

// ErrNotInstalled says that haproxy is not on PATH.
var ErrNotInstalled = errors.New("haproxy is not on PATH (Debian: apt-get install haproxy)")

// Server is one backend server.
type Server struct {
	Name string // a config identifier: letters, digits, '-', '_', '.'
	Addr string // host:port
}

// Check is the backend's health check. Without Paths there is none: every server always
// gets traffic (bench/rollout, where an old and a new process take turns on one port).
type Check struct {
	// Paths must each answer 200 over a fresh connection, in order, for a check to pass.
	Paths []string
	// Interval is the time between checks of a server in a steady state; FastInterval
	// between checks of a server that has just failed one (or passed one while down).
	Interval, FastInterval time.Duration
	// Fall is how many failed checks in a row take a server out, Rise how many passed
	// checks bring it back.
	Fall, Rise int
}

// Detection is the longest a failing server keeps getting new requests, from the moment
// it starts failing its checks: up to one Interval until the next check, then Fall-1 fast
// checks, each of which may wait out its 1 s timeout (`timeout check`).
func (c Check) Detection() time.Duration {
	if len(c.Paths) == 0 {
		return 0
	}
	return c.Interval + time.Duration(c.Fall-1)*(c.FastInterval+time.Second)
}

// Config is one HAProxy: a frontend, a backend of servers and its checks.
type Config struct {
	Listen  string // the frontend: host:port
	Stats   string // the stats page and HAProxy's Prometheus exporter (/metrics): host:port, "" for none
	Servers []Server
	Check   Check
	// Dir holds haproxy.cfg, the runtime API socket and haproxy.log; it must exist.
	Dir string
}

// Proxy is a running haproxy.
type Proxy struct {
	cfg     Config
	socket  string
	LogPath string
	cmd     *exec.Cmd
	exited  chan struct{}
}

// Render writes the configuration c describes, with its runtime API socket at socket.
func Render(w io.Writer, c Config, socket string) error {
	for _, s := range c.Servers {
		if s.Name == "" || strings.ContainsAny(s.Name, " \t\n#") {
			return fmt.Errorf("haproxy: bad server name %q", s.Name)
		}
	}
	if len(c.Check.Paths) > 0 && (c.Check.Interval <= 0 || c.Check.FastInterval <= 0 || c.Check.Fall < 1 || c.Check.Rise < 1) {
		return fmt.Errorf("haproxy: a check needs positive intervals, fall and rise, got %+v", c.Check)
	}
	return tmpl.Execute(w, struct {
		Config
		Socket string
	}{c, socket})
}

// Start writes the configuration into c.Dir and starts haproxy in the foreground (-db),
// its output in haproxy.log; it returns once the runtime API answers. Close stops it.
func Start(c Config) (*Proxy, error) {
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		return nil, ErrNotInstalled
	}
	p := &Proxy{cfg: c, socket: filepath.Join(c.Dir, "haproxy.sock"), LogPath: filepath.Join(c.Dir, "haproxy.log"), exited: make(chan struct{})}
	path := filepath.Join(c.Dir, "haproxy.cfg")
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cannot write the haproxy configuration: %w", err)
	}
	if err := errors.Join(Render(f, c, p.socket), f.Close()); err != nil {
		return nil, err
	}
	log, err := os.Create(p.LogPath)
	if err != nil {
		return nil, fmt.Errorf("cannot create the haproxy log: %w", err)
	}
	p.cmd = exec.Command(bin, "-f", path, "-db")
	p.cmd.Stdout, p.cmd.Stderr = log, log
	if err := p.cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("cannot start haproxy: %w", err)
	}
	go func() {
		_ = p.cmd.Wait()
		log.Close()
		close(p.exited)
	}()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, err = p.command("show info"); err == nil {
			if err := p.markDown(); err != nil {
				p.Close()
				return nil, err
			}
			return p, nil
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("haproxy exited at start (%s): %s", path, p.logTail())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.Close()
			return nil, fmt.Errorf("haproxy's runtime API did not answer: %w", err)
		}
	}
}

// markDown takes every checked server out of rotation until its checks pass Rise times:
// HAProxy 2.6 starts them up, before their first check, and would send a replica that has
// not loaded its data requests until that check fails. (The runtime API answers within
// milliseconds of the start, before anyone using the fleet sends a request.)
func (p *Proxy) markDown() error {
	if len(p.cfg.Check.Paths) == 0 {
		return nil
	}
	for _, s := range p.cfg.Servers {
		out, err := p.command("set server merino/" + s.Name + " health down")
		if err != nil || len(strings.TrimSpace(string(out))) > 0 {
			return fmt.Errorf("cannot mark server %s down at start: %v %s", s.Name, err, out)
		}
	}
	return nil
}

func (p *Proxy) logTail() string {
	b, _ := os.ReadFile(p.LogPath)
	if len(b) > 2048 {
		b = b[len(b)-2048:]
	}
	return strings.TrimSpace(string(b))
}

// Close stops haproxy (SIGINT: a hard stop, its connections close) and waits for it.
func (p *Proxy) Close() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// command sends one runtime API command and returns the answer.
func (p *Proxy) command(cmd string) ([]byte, error) {
	c, err := net.DialTimeout("unix", p.socket, time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(c, cmd+"\n"); err != nil {
		return nil, err
	}
	return io.ReadAll(bufio.NewReader(c))
}

// ServerState is HAProxy's view of one backend server (`show stat`).
type ServerState struct {
	Name string
	// Status is UP, DOWN, or a transition ("UP 1/2": up, one failed check of two), MAINT,
	// DRAIN or no check.
	Status string
	// Up says the server gets new requests (UP, or UP in a transition to DOWN).
	Up bool
	// CheckStatus is the last check's result (L7OK, L7STS, L4CON, ...) and LastCheck its
	// detail ("Connection refused", "Service Unavailable").
	CheckStatus, LastCheck string
	Sessions               int64 // sessions (requests, with keep-alive) sent to it so far
	Current                int64 // sessions open with it now
}

// Servers returns the state of every server of the backend.
func (p *Proxy) Servers() ([]ServerState, error) {
	out, err := p.command("show stat")
	if err != nil {
		return nil, fmt.Errorf("cannot read haproxy's stats: %w", err)
	}
	return parseStat(out)
}

// parseStat reads `show stat`'s CSV: a "# pxname,svname,..." header, then one row per
// frontend, server and backend; the columns are found by name.
func parseStat(out []byte) ([]ServerState, error) {
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(out), "# ")))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		return nil, fmt.Errorf("cannot parse haproxy's stats: %v %q", err, out)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, name := range []string{"pxname", "svname", "status", "check_status", "last_chk", "stot", "scur"} {
		if _, ok := col[name]; !ok {
			return nil, fmt.Errorf("haproxy's stats have no %s column", name)
		}
	}
	var states []ServerState
	for _, row := range rows[1:] {
		get := func(name string) string {
			if i := col[name]; i < len(row) {
				return row[i]
			}
			return ""
		}
		if get("pxname") != "merino" || get("svname") == "FRONTEND" || get("svname") == "BACKEND" {
			continue
		}
		s := ServerState{Name: get("svname"), Status: get("status"), CheckStatus: get("check_status"), LastCheck: get("last_chk")}
		s.Up = s.Status == "no check" || strings.HasPrefix(s.Status, "UP")
		s.Sessions, _ = strconv.ParseInt(get("stot"), 10, 64)
		s.Current, _ = strconv.ParseInt(get("scur"), 10, 64)
		states = append(states, s)
	}
	return states, nil
}

// Server returns the state of the named server.
func (p *Proxy) Server(name string) (ServerState, error) {
	states, err := p.Servers()
	if err != nil {
		return ServerState{}, err
	}
	for _, s := range states {
		if s.Name == name {
			return s, nil
		}
	}
	return ServerState{}, fmt.Errorf("haproxy has no server %q", name)
}

// WaitServer polls the named server's state every 10 ms until its Up is up and returns how
// long that took, or an error after timeout.
func (p *Proxy) WaitServer(name string, up bool, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	for {
		s, err := p.Server(name)
		if err == nil && s.Up == up {
			return time.Since(start), nil
		}
		if time.Since(start) > timeout {
			if err == nil {
				err = fmt.Errorf("haproxy: server %s is %s (last check %s %s) after %v", name, s.Status, s.CheckStatus, s.LastCheck, timeout)
			}
			return time.Since(start), err
		}
		time.Sleep(10 * time.Millisecond)
	}
}
