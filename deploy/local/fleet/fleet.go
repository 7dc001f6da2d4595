// Package fleet runs merino-go as a fleet on one machine: replicas of the binary
// (MERINO_ENV=production with deploy/local/fleet.toml: the bundled samples for data) behind
// HAProxy, sharing one redis-server for the weather cache and redis_cache, and a fake
// AccuWeather unless a real one is given. `make fleet` runs it for people
// (deploy/local/fleet.sh); the fleet test (bench/fleet_test.go) rolls and kills its
// replicas under load. Replica i listens on its own port; HAProxy checks each one on the
// endpoints the Kubernetes probes use (Check), so what the fleet proves about draining holds
// for the Deployment's settings too (deploy/kubernetes tests the link).
package fleet

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/mozilla-services/merino-go/deploy/local/haproxy"
	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

// The Dockerflow endpoints HAProxy checks, as the Kubernetes Deployment probes them:
// liveness (and the drain: 503 from SIGTERM on) and readiness (500 until every data set has
// loaded once).
const (
	LivenessPath  = "/__lbheartbeat__"
	ReadinessPath = "/__heartbeat__"
)

// Check is HAProxy's health check of every replica. A replica that starts draining is out
// of rotation within Check.Detection() (about 2.25 s), well inside the drain delay it runs
// with (http.shutdown_delay_sec, 5 s in production: the Kubernetes ConfigMap's value).
var Check = haproxy.Check{
	Paths:    []string{ReadinessPath, LivenessPath},
	Interval: time.Second, FastInterval: 250 * time.Millisecond,
	Fall: 2, Rise: 2,
}

// ConfigFile is the replicas' MERINO_CONFIG_FILE, relative to the repository root.
const ConfigFile = "deploy/local/fleet.toml"

// Env is the environment every replica runs with, before its ports and the fleet's Redis
// and AccuWeather: production, as Kubernetes runs it, with the fleet's configuration file.
var Env = []string{"MERINO_ENV=production", "MERINO_CONFIG_FILE=" + ConfigFile}

// Options configure a fleet.
type Options struct {
	// Repo is the repository root: the replicas' working directory, where fleet.toml's
	// data/ paths lead.
	Repo string
	// Binary is the merino binary the replicas run.
	Binary string
	// Dir receives the logs, HAProxy's configuration and Redis's working directory; it
	// must exist.
	Dir string
	// Replicas is how many replicas run (3 when 0).
	Replicas int
	// BasePort, when set, fixes the ports (Layout). 0: free loopback ports, and no stats
	// page.
	BasePort int
	// Env is more MERINO_* settings for every replica (later entries win).
	Env []string
	// AccuWeather is the URL of an AccuWeather the replicas use, with AccuWeatherKey; ""
	// starts weathertest's fake (every city resolves) in this process.
	AccuWeather, AccuWeatherKey string
	// RecordWeatherPaths makes the fake AccuWeather keep every request path (Paths), for
	// tests that count calls by location.
	RecordWeatherPaths bool
	// Log receives a line per step; nil: none.
	Log io.Writer
}

// Fleet is a running fleet.
type Fleet struct {
	// URL is the load balancer's: what Firefox would be pointed at.
	URL string
	// Stats is HAProxy's stats page ("" unless BasePort was set).
	Stats    string
	Replicas []*Replica
	Proxy    *haproxy.Proxy
	Redis    *weathertest.Redis
	// AccuWeather is the fake AccuWeather, nil when Options.AccuWeather named another.
	AccuWeather *weathertest.Fake
	log         io.Writer
}

// Start starts Redis, the fake AccuWeather, the replicas and HAProxy, and returns once
// HAProxy sends traffic to every replica. Close stops them all.
func Start(o Options) (_ *Fleet, err error) {
	if o.Replicas == 0 {
		o.Replicas = 3
	}
	f := &Fleet{log: o.Log}
	if f.log == nil {
		f.log = io.Discard
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	addrs, err := allocate(o)
	if err != nil {
		return nil, err
	}
	redisDir := filepath.Join(o.Dir, "redis")
	if err := os.MkdirAll(redisDir, 0o755); err != nil {
		return nil, err
	}
	if f.Redis, err = weathertest.StartRedisServer(redisDir); err != nil {
		return nil, err
	}
	f.logf("redis-server at %s", f.Redis.URL)
	weather, key := o.AccuWeather, o.AccuWeatherKey
	if weather == "" {
		opts := []weathertest.Option{weathertest.AnyCity()}
		if !o.RecordWeatherPaths {
			opts = append(opts, weathertest.NoPaths())
		}
		if f.AccuWeather, err = weathertest.Start(opts...); err != nil {
			return nil, err
		}
		weather, key = f.AccuWeather.URL, weathertest.APIKey
		f.logf("fake AccuWeather at %s (every city resolves)", weather)
	}
	env := append(append([]string(nil), Env...),
		"MERINO_REDIS__SERVER="+f.Redis.URL,
		"MERINO_ACCUWEATHER__URL_BASE="+weather, "MERINO_ACCUWEATHER__API_KEY="+key,
	)
	env = append(env, o.Env...)
	f.Replicas = newReplicas(o, addrs, env)
	var servers []haproxy.Server
	for _, r := range f.Replicas {
		servers = append(servers, haproxy.Server{Name: r.Name, Addr: r.Addr})
	}
	for _, r := range f.Replicas {
		if err := r.Start(); err != nil {
			return nil, err
		}
		f.logf("replica %s at http://%s (admin http://%s/metrics), log %s", r.Name, r.Addr, r.AdminAddr, r.LogPath())
	}
	if f.Proxy, err = haproxy.Start(haproxy.Config{Listen: addrs.Proxy, Stats: addrs.Stats, Servers: servers, Check: Check, Dir: o.Dir}); err != nil {
		return nil, err
	}
	f.URL = "http://" + addrs.Proxy
	if addrs.Stats != "" {
		f.Stats = "http://" + addrs.Stats + "/"
	}
	for _, r := range f.Replicas {
		if _, err := f.WaitReady(r, 30*time.Second); err != nil {
			return nil, err
		}
	}
	f.logf("HAProxy at %s sends traffic to %d replicas", f.URL, len(f.Replicas))
	return f, nil
}

// newReplicas returns o.Replicas replicas on addrs, each with env and its own ports.
func newReplicas(o Options, addrs Addrs, env []string) []*Replica {
	var rs []*Replica
	for i := 0; i < o.Replicas; i++ {
		r := &Replica{
			Name: fmt.Sprintf("r%d", i), bin: o.Binary, repo: o.Repo, dir: o.Dir,
			Addr: addrs.Replicas[i], AdminAddr: addrs.Admins[i],
		}
		// A copy each: appending to env itself would let every replica share its spare
		// capacity, and so the last replica's ports.
		r.env = append(slices.Clip(env), "MERINO_HTTP__LISTEN="+r.Addr, "MERINO_HTTP__ADMIN_LISTEN="+r.AdminAddr)
		rs = append(rs, r)
	}
	return rs
}

func (f *Fleet) logf(format string, args ...any) {
	fmt.Fprintf(f.log, "fleet: "+format+"\n", args...)
}

// Addrs are a fleet's addresses, host:port each.
type Addrs struct {
	Proxy, Stats     string // HAProxy's frontend and stats page ("" for none)
	Replicas, Admins []string
}

// Layout is the addresses of a fleet with Options.BasePort set: HAProxy on base, its stats
// page (and /metrics) on base+4, replica i on base+10+i and its admin listener on
// base+20+i (deploy/prometheus/prometheus.yml scrapes make fleet's).
func Layout(base, replicas int) Addrs {
	at := func(n int) string { return fmt.Sprintf("127.0.0.1:%d", base+n) }
	a := Addrs{Proxy: at(0), Stats: at(4)}
	for i := 0; i < replicas; i++ {
		a.Replicas, a.Admins = append(a.Replicas, at(10+i)), append(a.Admins, at(20+i))
	}
	return a
}

func allocate(o Options) (Addrs, error) {
	if o.BasePort > 0 {
		return Layout(o.BasePort, o.Replicas), nil
	}
	var p Addrs
	// Hold every listener until all are chosen, so that no two are the same port.
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	free := func() (string, error) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", fmt.Errorf("cannot find a free port: %w", err)
		}
		lns = append(lns, ln)
		return ln.Addr().String(), nil
	}
	var err error
	if p.Proxy, err = free(); err != nil {
		return p, err
	}
	for i := 0; i < o.Replicas; i++ {
		a, err1 := free()
		b, err2 := free()
		if err := errors.Join(err1, err2); err != nil {
			return p, err
		}
		p.Replicas, p.Admins = append(p.Replicas, a), append(p.Admins, b)
	}
	return p, nil
}

// WaitReady waits until HAProxy sends r traffic (every check passes Rise times) and
// returns how long that took.
func (f *Fleet) WaitReady(r *Replica, timeout time.Duration) (time.Duration, error) {
	d, err := f.Proxy.WaitServer(r.Name, true, timeout)
	if err != nil {
		return d, fmt.Errorf("replica %s is not in rotation: %w (log: %s)", r.Name, err, r.LogPath())
	}
	return d, nil
}

// Roll is how one replica's restart went.
type Roll struct {
	Out     time.Duration // from SIGTERM until HAProxy took it out of rotation
	Exited  time.Duration // from SIGTERM until the process exited (the drain)
	Started time.Duration // from SIGTERM until the new process listened
	Ready   time.Duration // from SIGTERM until HAProxy sent it traffic again
}

// Roll restarts r as a rollout does: SIGTERM, wait for the drain to end, start the new
// process on the same port, wait until HAProxy sends it traffic.
func (f *Fleet) Roll(r *Replica) (Roll, error) {
	var roll Roll
	start := time.Now()
	if err := r.Signal(); err != nil {
		return roll, err
	}
	out := make(chan error, 1)
	go func() {
		d, err := f.Proxy.WaitServer(r.Name, false, 30*time.Second)
		roll.Out = d
		out <- err
	}()
	exitErr := r.Wait(30 * time.Second)
	roll.Exited = time.Since(start)
	if err := errors.Join(<-out, exitErr); err != nil {
		return roll, err
	}
	if err := r.Start(); err != nil {
		return roll, err
	}
	roll.Started = time.Since(start)
	if _, err := f.WaitReady(r, 30*time.Second); err != nil {
		return roll, err
	}
	roll.Ready = time.Since(start)
	f.logf("rolled %s: out of rotation after %v, drained and exited after %v, back after %v",
		r.Name, roll.Out.Round(time.Millisecond), roll.Exited.Round(time.Millisecond), roll.Ready.Round(time.Millisecond))
	return roll, nil
}

// Close stops HAProxy, the replicas (without waiting for their drain delay), Redis and
// the fake AccuWeather. It is safe on a fleet Start gave up on.
func (f *Fleet) Close() {
	if f.Proxy != nil {
		f.Proxy.Close()
	}
	for _, r := range f.Replicas {
		r.Stop()
	}
	if f.Redis != nil {
		f.Redis.Stop()
	}
	if f.AccuWeather != nil {
		f.AccuWeather.Close()
	}
}
