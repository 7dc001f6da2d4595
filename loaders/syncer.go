package loaders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
)

// ErrEmpty is what an Apply function returns for data that parsed but holds nothing to serve:
// an empty index never replaces a good one.
var ErrEmpty = errors.New("the source holds no usable records")

// Syncer keeps one data set fresh: it fetches its Source on an interval and applies changed
// content. It is safe for concurrent use; Status may be read while Run runs.
type Syncer struct {
	name     string
	source   Source
	interval time.Duration
	apply    func(data []byte) (items int, err error)
	log      *slog.Logger

	mu      sync.Mutex // serialises Sync calls
	version Version

	loaded      atomic.Bool
	lastSuccess atomic.Int64 // unix nanoseconds of the last successful apply
	lastErr     atomic.Pointer[string]
	// lastTooLarge: the last failure was a *SizeError.
	lastTooLarge atomic.Bool

	errors      *metrics.Counter
	tooLarge    *metrics.Counter
	successTime *metrics.Gauge
	items       *metrics.Gauge
	bytes       *metrics.Gauge
}

// NewSyncer returns a syncer for source. apply parses the bytes, builds and validates a
// snapshot and swaps it in, returning the number of items now served; an error leaves the
// current snapshot in place. name labels logs and metrics (the provider id, "manifest", ...).
func NewSyncer(name string, source Source, interval time.Duration, apply func([]byte) (int, error), log *slog.Logger) *Syncer {
	label := fmt.Sprintf(`{source=%q}`, name)
	s := &Syncer{
		name:     name,
		source:   source,
		interval: interval,
		apply:    apply,
		log:      log.With("source", name, "location", source.String()),
		errors:   metrics.GetOrCreateCounter("merino_source_errors_total" + label),
		tooLarge: metrics.GetOrCreateCounter("merino_source_too_large_total" + label),
		items:    metrics.GetOrCreateGauge("merino_source_items"+label, nil),
		bytes:    metrics.GetOrCreateGauge("merino_source_size_bytes"+label, nil),
	}
	s.successTime = metrics.GetOrCreateGauge("merino_source_last_success_timestamp_seconds"+label, nil)
	return s
}

// Name is the syncer's label.
func (s *Syncer) Name() string { return s.name }

// Sync fetches once and applies the content if it changed. It reports whether a new snapshot
// was swapped in.
func (s *Syncer) Sync(ctx context.Context) (bool, error) {
	if err := acquireBuild(ctx); err != nil {
		return false, err
	}
	defer releaseBuild()
	return s.sync(ctx)
}

// sync is Sync without the process-wide build slot: SyncAll bounds its own concurrency.
func (s *Syncer) sync(ctx context.Context) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, v, changed, err := s.source.Fetch(ctx, s.version)
	if err != nil {
		return false, s.failed(err)
	}
	if !changed {
		s.succeeded()
		return false, nil
	}
	items, err := s.apply(data)
	if err != nil {
		return false, s.failed(fmt.Errorf("cannot load %s: %w", s.source, err))
	}
	s.version = v
	s.items.Set(float64(items))
	s.bytes.Set(float64(len(data)))
	s.loaded.Store(true)
	s.succeeded()
	s.log.Info("loaded a new snapshot", "items", items, "bytes", len(data))
	return true, nil
}

func (s *Syncer) succeeded() {
	now := time.Now()
	s.lastSuccess.Store(now.UnixNano())
	s.successTime.Set(float64(now.UnixNano()) / 1e9)
	s.lastErr.Store(nil)
	s.lastTooLarge.Store(false)
}

func (s *Syncer) failed(err error) error {
	s.errors.Inc()
	s.lastTooLarge.Store(IsTooLarge(err))
	if s.lastTooLarge.Load() {
		s.tooLarge.Inc()
	}
	msg := err.Error()
	s.lastErr.Store(&msg)
	if s.loaded.Load() {
		s.log.Warn("keeping the current snapshot", "error", msg)
	} else {
		s.log.Error("no data to serve yet", "error", msg)
	}
	return err
}

// RetryInterval bounds the wait after a failed sync: merino-py's loaders tick every minute
// and retry a failed fetch on the next tick, so a source that was down at startup does not
// leave a provider empty for a whole resync interval.
var RetryInterval = time.Minute

// Run syncs every interval until ctx is done (after a failure, within RetryInterval). The
// first sync is the caller's (at startup), so Run waits before polling.
func (s *Syncer) Run(ctx context.Context) {
	wait := s.interval
	if s.Status().LastError != "" && !s.lastTooLarge.Load() && RetryInterval < wait {
		wait = RetryInterval
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			wait = s.interval
			// A failure is retried soon (logged and counted by Sync) — unless the source was
			// too large: that will not change within a minute, and a source without a
			// version to ask about would be read up to its limit again.
			if _, err := s.Sync(ctx); err != nil && !IsTooLarge(err) && RetryInterval < wait {
				wait = RetryInterval
			}
			t.Reset(wait)
		}
	}
}

// Status is a syncer's state, for readiness checks.
type Status struct {
	Name        string
	Loaded      bool
	LastSuccess time.Time // zero before the first success
	LastError   string    // "" after a success
}

// Status returns the current state.
func (s *Syncer) Status() Status {
	st := Status{Name: s.name, Loaded: s.loaded.Load()}
	if ns := s.lastSuccess.Load(); ns != 0 {
		st.LastSuccess = time.Unix(0, ns)
	}
	if e := s.lastErr.Load(); e != nil {
		st.LastError = *e
	}
	return st
}
