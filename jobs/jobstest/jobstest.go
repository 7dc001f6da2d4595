// Package jobstest runs jobs in tests as `merino job` runs them, against fakes: the exit
// status, the summary line, the one-line error and the MozLog records a run writes, and
// helpers to read a fake Kinto's request log.
package jobstest

import (
	"bytes"
	"context"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/kinto/kintotest"
	"github.com/mozilla-services/merino-go/mozlog"
)

// Result is what a run left.
type Result struct {
	Code int
	// Stdout is the summary line; Stderr the log records and, last, the error line.
	Stdout, Stderr string
}

// LastLine returns the last line of stderr: the error of a failed run.
func (r Result) LastLine() string {
	lines := strings.Split(strings.TrimRight(r.Stderr, "\n"), "\n")
	return lines[len(lines)-1]
}

// Defaults are the configuration defaults of a test run: those of an empty configuration
// (MERINO_ENV=testing and nothing else), with the Remote Settings server at url.
func Defaults(t testing.TB, url string) *jobs.Defaults {
	t.Helper()
	cfg, err := config.Load(func() []string { return []string{"MERINO_ENV=testing"} })
	if err != nil {
		t.Fatal(err)
	}
	d := jobs.NewDefaults(cfg)
	d.RSServer = url
	return d
}

// Run runs `merino job args...` with job registered, the clock at now (zero: the real one),
// and returns what it left.
func Run(t testing.TB, job *jobs.Job, d *jobs.Defaults, now time.Time, args ...string) Result {
	t.Helper()
	return RunContext(context.Background(), t, job, d, now, args...)
}

// RunContext is Run with a context.
func RunContext(ctx context.Context, t testing.TB, job *jobs.Job, d *jobs.Defaults, now time.Time, args ...string) Result {
	t.Helper()
	return run(ctx, job, d, now, nil, args)
}

// RunEnv is Run with the real clock and the run's Env adjusted by set (a smaller upload
// chunk, say).
func RunEnv(t testing.TB, job *jobs.Job, d *jobs.Defaults, set func(*jobs.Env), args ...string) Result {
	t.Helper()
	return run(context.Background(), job, d, time.Time{}, set, args)
}

// RunContextEnv is RunEnv with a context.
func RunContextEnv(ctx context.Context, t testing.TB, job *jobs.Job, d *jobs.Defaults, set func(*jobs.Env), args ...string) Result {
	t.Helper()
	return run(ctx, job, d, time.Time{}, set, args)
}

func run(ctx context.Context, job *jobs.Job, d *jobs.Defaults, now time.Time, set func(*jobs.Env), args []string) Result {
	var stdout, stderr bytes.Buffer
	console := jobs.NewConsole(&stderr, false)
	w := mozlog.NewWriter(console, false, "merino", slog.LevelInfo)
	clock := time.Now
	if !now.IsZero() {
		clock = func() time.Time { return now }
	}
	env := &jobs.Env{Stdout: &stdout, Console: console, Log: slog.New(mozlog.NewHandler(w)), Now: clock, Version: "test", RetryWait: time.Millisecond}
	if set != nil {
		set(env)
	}
	code := jobs.Registry{job}.Run(ctx, args, d, env, console)
	return Result{Code: code, Stdout: stdout.String(), Stderr: stderr.String()}
}

// Writes returns the mutating requests of a log as "METHOD <record id>[/attachment]" (or the
// path for others).
func Writes(log []kintotest.Request) []string {
	var out []string
	for _, r := range log {
		if !r.Mutating() {
			continue
		}
		p := r.Path
		if i := strings.Index(p, "/records/"); i >= 0 {
			p = p[i+len("/records/"):]
		}
		out = append(out, r.Method+" "+p)
	}
	return out
}

// PeakHeap starts sampling the heap every 10 ms; the returned function stops and returns how
// far the in-use heap grew above its size at the start (after a collection).
func PeakHeap() (stop func() int64) {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
		}
	}()
	return func() int64 {
		close(done)
		<-stopped
		return int64(peak.Load()) - int64(base.HeapInuse)
	}
}
