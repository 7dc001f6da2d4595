// Package cache holds the caching provider types of the provider tree (Rust Merino's,
// reference/rust-merino-and-suggest.md §4): memory_cache and redis_cache keep the answer of
// their inner provider per request key, the bytes of every request field the inner provider
// reads (suggest.Keyer) under the cache's own key path, for default_ttl_sec or the shortest
// TTL the answer carries. Concurrent misses of one key make one inner call: in a process
// through a single flight, across replicas sharing a Redis through a lock key, the way Rust
// Merino's redis cache takes it. Where Rust Merino answered a request that found the key
// locked with nothing, merino-go's waits for the answer being computed (up to the lock
// timeout, and never beyond the request's own deadline).
//
// The inner call belongs to no one request: it runs without their cancellation, for at most
// default_lock_timeout_sec, so that its answer is cached even when the request that started
// it has given up. Empty answers are cached too; errors are not.
package cache

import (
	"fmt"
	"math"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/mozilla-services/merino-go/suggest"
)

// lifetime is how long an answer stays cached: the shortest TTL its suggestions carry (a
// weather report's), else def.
func lifetime(sugs []suggest.Suggestion, def time.Duration) time.Duration {
	d := def
	for i := range sugs {
		if s := &sugs[i]; s.HasTTL {
			if t := time.Duration(s.TTL) * time.Second; t < d {
				d = t
			}
		}
	}
	return max(d, 0)
}

// serve appends a cached answer to dst; the TTL of each suggestion that has one becomes the
// answer's remaining lifetime (whole seconds, rounded up), as merino-py's weather reports
// count down in its own cache.
func serve(dst, sugs []suggest.Suggestion, remaining time.Duration) []suggest.Suggestion {
	secs := int(math.Ceil(remaining.Seconds()))
	for _, s := range sugs {
		if s.HasTTL {
			s.TTL = secs
		}
		dst = append(dst, s)
	}
	return dst
}

// counters are a cache's hits (answers served from the store) and misses (inner calls:
// concurrent misses of a key count once), resolved once.
type counters struct{ hits, misses *metrics.Counter }

func newCounters(kind, id string) counters {
	f := func(result string) *metrics.Counter {
		return metrics.GetOrCreateCounter(fmt.Sprintf(`merino_provider_cache_total{provider=%q,cache=%q,result=%q}`, id, kind, result))
	}
	return counters{hits: f("hit"), misses: f("miss")}
}

// wrapper is the part of a cache that stands for its inner provider: the cache's Base, the
// inner provider's validation and key. A cache waits, so it is never inline.
type wrapper struct {
	suggest.Base
	inner suggest.Provider
	// prefix is the cache's key path and a separator: the part of every key that tells one
	// cache (one tree node) from another sharing a store.
	prefix string
}

// Inline implements suggest.Provider.
func (w *wrapper) Inline() bool { return false }

// Validate implements suggest.Provider.
func (w *wrapper) Validate(req *suggest.Request) error { return w.inner.Validate(req) }

// AppendKey implements suggest.Keyer.
func (w *wrapper) AppendKey(dst []byte, req *suggest.Request) []byte {
	return suggest.AppendKey(dst, w.inner, req)
}
