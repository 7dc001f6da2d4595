package loaders

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"
)

// fakeSource is a Source whose content the test sets. Like the real sources it reports a
// change by comparing the caller's version (only the ETag is used) with its own.
type fakeSource struct {
	mu      sync.Mutex
	data    []byte
	etag    string
	err     error
	fetches int
	prevs   []Version // the version each Fetch was given

	// polled, when set, receives one value per Fetch, so that a test can wait for polls
	// without sleeping.
	polled chan struct{}
}

func (f *fakeSource) String() string { return "fake://source" }

func (f *fakeSource) Fetch(ctx context.Context, prev Version) ([]byte, Version, bool, error) {
	f.mu.Lock()
	f.fetches++
	f.prevs = append(f.prevs, prev)
	data, etag, err := f.data, f.etag, f.err
	f.mu.Unlock()
	if f.polled != nil {
		select {
		case f.polled <- struct{}{}:
		case <-ctx.Done():
		}
	}
	if err != nil {
		return nil, prev, false, err
	}
	if etag == prev.ETag {
		return nil, prev, false, nil
	}
	return bytes.Clone(data), Version{ETag: etag}, true, nil
}

func (f *fakeSource) set(data, etag string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data, f.etag, f.err = []byte(data), etag, err
}

func (f *fakeSource) lastPrev() Version {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.prevs[len(f.prevs)-1]
}

var errCorrupt = errors.New("corrupt body")

// applier stands for a provider's loader: it "serves" the last body it accepted and refuses
// bodies that start with "corrupt".
type applier struct {
	mu     sync.Mutex
	calls  []string
	served string
}

func (a *applier) apply(data []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, string(data))
	if strings.HasPrefix(string(data), "corrupt") {
		return 0, errCorrupt
	}
	a.served = string(data)
	return len(strings.Fields(a.served)), nil
}

func (a *applier) state() (calls int, served string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.calls), a.served
}

var discard = slog.New(slog.DiscardHandler)

// syncerSeq numbers syncer names: the metrics registry is global and outlives a test, so a
// name reused by another test, or by the same test under -count, would see earlier counts.
var syncerSeq atomic.Int64

func uniqueName(t *testing.T) string {
	return fmt.Sprintf("test-%s-%d", t.Name(), syncerSeq.Add(1))
}

// newTestSyncer returns a syncer under a name of its own that polls hourly (tests call Sync).
func newTestSyncer(t *testing.T, src Source, a *applier) *Syncer {
	t.Helper()
	return NewSyncer(uniqueName(t), src, time.Hour, a.apply, discard)
}

func errorCount(s *Syncer) uint64 {
	return metrics.GetOrCreateCounter(fmt.Sprintf("merino_source_errors_total{source=%q}", s.Name())).Get()
}

func gauge(metric string, s *Syncer) float64 {
	return metrics.GetOrCreateGauge(fmt.Sprintf("%s{source=%q}", metric, s.Name()), nil).Get()
}

func TestSyncerLoadsThenSkipsUnchanged(t *testing.T) {
	src := &fakeSource{}
	src.set("a b c", `"v1"`, nil)
	a := &applier{}
	s := newTestSyncer(t, src, a)
	ctx := context.Background()

	if st := s.Status(); st.Loaded || !st.LastSuccess.IsZero() || st.LastError != "" {
		t.Fatalf("status before any sync = %+v, want empty", st)
	}

	swapped, err := s.Sync(ctx)
	if err != nil || !swapped {
		t.Fatalf("first Sync = %v, %v; want swapped", swapped, err)
	}
	if calls, served := a.state(); calls != 1 || served != "a b c" {
		t.Fatalf("after the first Sync: %d apply calls, serving %q", calls, served)
	}
	st := s.Status()
	if !st.Loaded || st.LastSuccess.IsZero() || st.LastError != "" || st.Name != s.Name() {
		t.Fatalf("status after the first Sync = %+v, want loaded", st)
	}
	if items, size := gauge("merino_source_items", s), gauge("merino_source_size_bytes", s); items != 3 || size != 5 {
		t.Fatalf("gauges after the first Sync: items %v, bytes %v; want 3, 5", items, size)
	}
	if ts := gauge("merino_source_last_success_timestamp_seconds", s); ts == 0 {
		t.Fatal("last success timestamp gauge not set")
	}

	// Unchanged content is not applied again, but counts as a successful check.
	mark := time.Now()
	swapped, err = s.Sync(ctx)
	if err != nil || swapped {
		t.Fatalf("unchanged Sync = %v, %v; want not swapped, no error", swapped, err)
	}
	if calls, _ := a.state(); calls != 1 {
		t.Fatalf("unchanged Sync called apply (%d calls in all)", calls)
	}
	if prev := src.lastPrev(); prev.ETag != `"v1"` {
		t.Fatalf("second fetch was given version %+v, want the applied one", prev)
	}
	st2 := s.Status()
	if !st2.Loaded || st2.LastSuccess.Before(mark) {
		t.Fatalf("status after an unchanged Sync = %+v, want loaded with a success at or after %v", st2, mark)
	}
	if n := errorCount(s); n != 0 {
		t.Fatalf("error counter = %d after two good syncs", n)
	}
}

func TestSyncerFetchErrorKeepsSnapshot(t *testing.T) {
	src := &fakeSource{}
	src.set("good", `"v1"`, nil)
	a := &applier{}
	s := newTestSyncer(t, src, a)
	ctx := context.Background()
	if _, err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	before := s.Status()

	errDown := errors.New("origin down")
	src.set("good", `"v1"`, errDown)
	swapped, err := s.Sync(ctx)
	if !errors.Is(err, errDown) || swapped {
		t.Fatalf("Sync with a failing source = %v, %v; want %v", swapped, err, errDown)
	}
	st := s.Status()
	if !st.Loaded || !strings.Contains(st.LastError, "origin down") || !st.LastSuccess.Equal(before.LastSuccess) {
		t.Fatalf("status after a fetch error = %+v, want still loaded, the error, the old success time", st)
	}
	if calls, served := a.state(); calls != 1 || served != "good" {
		t.Fatalf("after a fetch error: %d apply calls, serving %q", calls, served)
	}
	if n := errorCount(s); n != 1 {
		t.Fatalf("error counter = %d, want 1", n)
	}

	// Recovery clears the error.
	src.set("good", `"v1"`, nil)
	if _, err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.LastError != "" || !st.Loaded {
		t.Fatalf("status after recovery = %+v, want loaded and no error", st)
	}
	if n := errorCount(s); n != 1 {
		t.Fatalf("error counter = %d after recovery, want still 1", n)
	}
}

func TestSyncerApplyErrorRetries(t *testing.T) {
	src := &fakeSource{}
	src.set("good", `"v1"`, nil)
	a := &applier{}
	s := newTestSyncer(t, src, a)
	ctx := context.Background()
	if _, err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	src.set("corrupt!", `"v2"`, nil)
	swapped, err := s.Sync(ctx)
	if !errors.Is(err, errCorrupt) || swapped {
		t.Fatalf("Sync of a corrupt body = %v, %v; want %v", swapped, err, errCorrupt)
	}
	if !strings.Contains(err.Error(), "fake://source") {
		t.Fatalf("error %q does not name the source", err)
	}
	if calls, served := a.state(); calls != 2 || served != "good" {
		t.Fatalf("after a corrupt body: %d apply calls, serving %q; want 2, the old data", calls, served)
	}
	if st := s.Status(); !st.Loaded || !strings.Contains(st.LastError, "corrupt body") {
		t.Fatalf("status after a corrupt body = %+v", st)
	}
	if n := errorCount(s); n != 1 {
		t.Fatalf("error counter = %d, want 1", n)
	}

	// The version was not advanced, so the same content is fetched and applied again rather
	// than taken for unchanged: a fixed parser (or a transient apply failure) gets another go.
	if _, err := s.Sync(ctx); !errors.Is(err, errCorrupt) {
		t.Fatalf("second Sync of the corrupt body = %v, want %v", err, errCorrupt)
	}
	if prev := src.lastPrev(); prev.ETag != `"v1"` {
		t.Fatalf("fetch after a failed apply was given %+v, want the last applied version", prev)
	}
	if calls, _ := a.state(); calls != 3 {
		t.Fatalf("apply was called %d times, want 3: a failed apply must be retried", calls)
	}
	if n := errorCount(s); n != 2 {
		t.Fatalf("error counter = %d, want 2", n)
	}

	src.set("fixed data", `"v3"`, nil)
	if swapped, err := s.Sync(ctx); err != nil || !swapped {
		t.Fatalf("Sync of fixed data = %v, %v; want swapped", swapped, err)
	}
	if _, served := a.state(); served != "fixed data" {
		t.Fatalf("serving %q after the fix", served)
	}
	if st := s.Status(); st.LastError != "" {
		t.Fatalf("status after the fix = %+v, want no error", st)
	}
}

func TestSyncerNeverLoaded(t *testing.T) {
	ctx := context.Background()
	// f checks that a first Sync against src fails and leaves the syncer not loaded.
	f := func(name string, src *fakeSource) {
		t.Helper()
		a := &applier{}
		s := newTestSyncer(t, src, a)
		if _, err := s.Sync(ctx); err == nil {
			t.Fatalf("%s: first Sync succeeded", name)
		}
		st := s.Status()
		if st.Loaded || !st.LastSuccess.IsZero() || st.LastError == "" {
			t.Fatalf("%s: status = %+v, want not loaded, no success, an error", name, st)
		}
		if n := errorCount(s); n != 1 {
			t.Fatalf("%s: error counter = %d, want 1", name, n)
		}
	}
	f("unreachable", &fakeSource{err: errors.New("no route to host")})
	f("corrupt", &fakeSource{data: []byte("corrupt"), etag: `"v1"`})
}

func TestSyncerRun(t *testing.T) {
	src := &fakeSource{polled: make(chan struct{})}
	src.set("a", `"v1"`, nil)
	a := &applier{}
	s := NewSyncer(uniqueName(t), src, 10*time.Millisecond, a.apply, discard)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()

	// A guard, not a measurement: Run polls every 10 ms, so this only fires if it is stuck.
	guard := time.NewTimer(5 * time.Second)
	defer guard.Stop()
	for i := range 3 {
		select {
		case <-src.polled:
		case <-guard.C:
			cancel()
			t.Fatalf("Run polled %d times, want at least 3", i)
		}
		if i == 0 {
			// Change the content between polls: the next poll must apply it.
			src.set("a b", `"v2"`, nil)
		}
		_ = s.Status() // read while Run runs, for the race detector
	}
	cancel()
	select {
	case <-done:
	case <-guard.C:
		t.Fatal("Run did not return after its context was cancelled")
	}
	calls, served := a.state()
	if calls < 1 || served != "a b" {
		t.Fatalf("after Run: %d apply calls, serving %q; want the content changed between polls", calls, served)
	}
	if !s.Status().Loaded {
		t.Fatal("Run applied data but the syncer is not loaded")
	}
}

// After a failure the syncer retries within RetryInterval, not a whole resync interval.
func TestRunRetriesSooner(t *testing.T) {
	old := RetryInterval
	RetryInterval = 10 * time.Millisecond
	defer func() { RetryInterval = old }()
	var calls atomic.Int32
	src := sourceFunc(func(context.Context, Version) ([]byte, Version, bool, error) {
		if calls.Add(1) < 3 {
			return nil, Version{}, false, errors.New("down")
		}
		return []byte("data"), Version{ETag: "1"}, true, nil
	})
	s := NewSyncer("retry_sooner", src, time.Hour, func([]byte) (int, error) { return 1, nil }, slog.New(slog.DiscardHandler))
	if _, err := s.Sync(context.Background()); err == nil {
		t.Fatal("the first sync should fail")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	deadline := time.After(5 * time.Second)
	for !s.Status().Loaded {
		select {
		case <-deadline:
			t.Fatalf("not loaded after %d fetches with a one-hour interval", calls.Load())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	<-done
}

type sourceFunc func(context.Context, Version) ([]byte, Version, bool, error)

func (f sourceFunc) Fetch(ctx context.Context, v Version) ([]byte, Version, bool, error) {
	return f(ctx, v)
}
func (f sourceFunc) String() string { return "func" }

// SyncAll loads every source once, n at a time, and returns after the last.
func TestSyncAll(t *testing.T) {
	var running, most, applied atomic.Int32
	// The first two applies wait for each other, so that "two at once" is
	// observed however late the scheduler starts the second worker.
	met := make(chan struct{})
	var meet sync.Once
	var syncers []*Syncer
	for i := 0; i < 7; i++ {
		src := &fakeSource{}
		src.set(fmt.Sprint(i), fmt.Sprint("v", i), nil)
		if i == 3 {
			src.set("", "", errors.New("down"))
		}
		syncers = append(syncers, NewSyncer(fmt.Sprint("syncall-", i, "-", time.Now().UnixNano()), src, time.Hour, func([]byte) (int, error) {
			r := running.Add(1)
			for {
				m := most.Load()
				if r <= m || most.CompareAndSwap(m, r) {
					break
				}
			}
			if r == 2 {
				meet.Do(func() { close(met) })
			}
			select {
			case <-met:
			case <-time.After(5 * time.Second):
			}
			time.Sleep(5 * time.Millisecond)
			running.Add(-1)
			applied.Add(1)
			return 1, nil
		}, slog.New(slog.DiscardHandler)))
	}
	SyncAll(context.Background(), syncers, 2)
	if applied.Load() != 6 || most.Load() != 2 {
		t.Errorf("applied %d, at most %d at once; want 6 and 2", applied.Load(), most.Load())
	}
	for i, s := range syncers {
		if st := s.Status(); st.Loaded != (i != 3) {
			t.Errorf("syncer %d: %+v", i, st)
		}
	}
	SyncAll(context.Background(), nil, 4) // nothing to do
}
