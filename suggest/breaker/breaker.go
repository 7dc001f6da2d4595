// Package breaker is merino-go's one circuit breaker, with the semantics of the Python
// `circuitbreaker` library as merino-py's weather and Wikipedia providers use it, and a
// decorator that puts any provider (or provider tree) behind one.
//
// The rules: the breaker opens when threshold calls in a row have failed; while open, no call
// is made and the provider answers nothing (merino-py's fallback); once recover has passed
// since the failure that opened it, it is half-open and lets calls through as probes: a
// success closes it, a failure opens it for another recover period. As in the library (and
// merino-py's single-threaded event loop), every call made while half-open is a probe.
//
// The closed path is two atomic loads and, after a success, no write unless there had been
// failures, so a healthy provider does not bounce a cache line between cores. No lock.
package breaker

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/mozilla-services/merino-go/suggest"
)

// Breaker is one circuit breaker. It is safe for concurrent use.
type Breaker struct {
	threshold int64
	recover   int64 // nanoseconds
	now       func() time.Time
	failures  atomic.Int64 // consecutive failures
	openedAt  atomic.Int64 // unix nanoseconds of the failure that (re)opened it
}

// New returns a closed breaker that opens after threshold consecutive failures (at least
// 1) and probes again after recover. now is its clock; nil means time.Now.
func New(threshold int, recover time.Duration, now func() time.Time) *Breaker {
	if threshold < 1 {
		threshold = 1
	}
	if now == nil {
		now = time.Now
	}
	return &Breaker{threshold: int64(threshold), recover: int64(recover), now: now}
}

// Allow reports whether a call may be made now: the breaker is closed, or open for at least
// the recovery time (half-open).
func (b *Breaker) Allow() bool {
	if b.failures.Load() < b.threshold {
		return true
	}
	return b.now().UnixNano()-b.openedAt.Load() >= b.recover
}

// Success records a call that worked: the breaker closes.
func (b *Breaker) Success() {
	if b.failures.Load() != 0 {
		b.failures.Store(0)
	}
}

// Failure records a call that failed, opening (or re-opening) the breaker at the threshold.
func (b *Breaker) Failure() {
	if b.failures.Add(1) >= b.threshold {
		b.openedAt.Store(b.now().UnixNano())
	}
}

// Record records a call's outcome: Success for a nil error, else Failure, except that an
// error while ctx is done is not counted: the request's deadline cut the call (merino-py
// cancels the task), which says nothing about the provider.
func (b *Breaker) Record(ctx context.Context, err error) {
	switch {
	case err == nil:
		b.Success()
	case ctx.Err() == nil:
		b.Failure()
	}
}

// Open reports whether the breaker refuses calls now.
func (b *Breaker) Open() bool { return !b.Allow() }

// Failures is the number of consecutive failures recorded.
func (b *Breaker) Failures() int { return int(b.failures.Load()) }

// Wrap returns p behind b: while b is open, Query answers nothing without asking p (and
// counts the refusal in rejected, when it is not nil); otherwise p's answer is recorded.
// Everything else is p's.
func Wrap(p suggest.Provider, b *Breaker, rejected *metrics.Counter) suggest.Provider {
	return &provider{Provider: p, b: b, rejected: rejected}
}

type provider struct {
	suggest.Provider
	b        *Breaker
	rejected *metrics.Counter
}

func (p *provider) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	if !p.b.Allow() {
		if p.rejected != nil {
			p.rejected.Inc()
		}
		return dst, nil
	}
	out, err := p.Provider.Query(ctx, req, dst)
	p.b.Record(ctx, err)
	return out, err
}

// AppendKey implements suggest.Keyer: the answer depends on what p's does.
func (p *provider) AppendKey(dst []byte, req *suggest.Request) []byte {
	return suggest.AppendKey(dst, p.Provider, req)
}
