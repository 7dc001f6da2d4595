package weather

import (
	"sync"
	"time"
)

// breaker is merino-py's circuit breaker (the circuitbreaker library as its
// WeatherCircuitBreaker uses it): it opens when threshold consecutive calls have failed,
// lets no call through while open, and after recover lets calls through again
// (half-open): one success closes it, one more failure opens it for another period.
// While it is open the provider answers as merino-py's fallback does: with nothing.
type breaker struct {
	threshold int
	recover   time.Duration
	now       func() time.Time

	mu       sync.Mutex
	failures int
	openedAt time.Time
}

func newBreaker(threshold int, recover time.Duration, now func() time.Time) *breaker {
	if threshold < 1 {
		threshold = 1
	}
	return &breaker{threshold: threshold, recover: recover, now: now}
}

// allow reports whether a call may go through.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < b.threshold {
		return true
	}
	return b.now().Sub(b.openedAt) >= b.recover
}

// success closes the breaker.
func (b *breaker) success() {
	b.mu.Lock()
	b.failures = 0
	b.mu.Unlock()
}

// failure counts a failed call, opening (or re-opening) the breaker at the threshold.
func (b *breaker) failure() {
	b.mu.Lock()
	b.failures++
	if b.failures >= b.threshold {
		b.openedAt = b.now()
	}
	b.mu.Unlock()
}

// open reports whether the breaker is open now (for metrics and tests).
func (b *breaker) open() bool { return !b.allow() }
