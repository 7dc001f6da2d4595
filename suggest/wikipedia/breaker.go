package wikipedia

import (
	"sync/atomic"
	"time"
)

// breaker is merino-py's WikipediaCircuitBreaker (the `circuitbreaker` library): it opens when
// failures reach the threshold, consecutive failures since the last success; while open, calls
// are not made and answer nothing; once recover has passed since the last failure it is
// half-open and lets calls through again: a success closes it, a failure opens it anew.
//
// The normal path is two atomic loads; a success writes only when there were failures, so a
// healthy provider does not bounce a cache line between cores.
type breaker struct {
	threshold int64 // <= 0: never opens
	recover   time.Duration
	now       func() time.Time
	failures  atomic.Int64
	openedAt  atomic.Int64 // unix nanoseconds of the failure that (re)opened it
}

// allow reports whether a call may be made: closed, or open for longer than recover.
func (b *breaker) allow() bool {
	if b.threshold <= 0 || b.failures.Load() < b.threshold {
		return true
	}
	return b.now().UnixNano()-b.openedAt.Load() >= int64(b.recover)
}

// record counts a call's outcome.
func (b *breaker) record(err error) {
	if err == nil {
		if b.failures.Load() != 0 {
			b.failures.Store(0)
		}
		return
	}
	if b.failures.Add(1) >= b.threshold && b.threshold > 0 {
		b.openedAt.Store(b.now().UnixNano())
	}
}

// open reports whether the breaker is open (not letting calls through), for tests and status.
func (b *breaker) open() bool { return !b.allow() }
