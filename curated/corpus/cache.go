package corpus

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/puzpuzpuz/xsync/v3"
)

// Cache is merino-py's stale_while_revalidate with request coalescing, for any value built
// from a corpus response:
//   - a fresh value is returned as is (no upstream call);
//   - an expired one is returned at once while one background refresh runs;
//   - a key without a value (first use, or every fetch failed so far) waits for the one fetch
//     in flight, started by the first caller, and gets its value or its error;
//   - a failed refresh keeps the old value, gives it a new expiry and logs an error.
//
// Each successful fetch sets the expiry to now plus a uniform TTL in [TTLMin, TTLMax]. Reads
// take no lock; a fetch runs in its own goroutine so that no caller's cancellation aborts it.
type Cache[V any] struct {
	load           func(ctx context.Context, key string) (V, error)
	ttlMin, ttlMax time.Duration
	uniform        func(lo, hi float64) float64
	now            func() time.Time
	log            *slog.Logger
	entries        *xsync.MapOf[string, *entry[V]]
	hit, stale     *metrics.Counter
	miss           *metrics.Counter
}

type entry[V any] struct {
	val     atomic.Pointer[V]
	expires atomic.Int64 // unix nanoseconds
	mu      sync.Mutex
	call    *call[V] // the fetch in flight, guarded by mu
}

type call[V any] struct {
	done chan struct{}
	val  *V
	err  error
}

// NewCache returns a cache for one query whose values load fetches by key; label is the
// query's metric label. uniform draws the TTL (the sampler's Uniform); now is the clock (nil:
// time.Now).
func NewCache[V any](label string, load func(ctx context.Context, key string) (V, error), ttlMin, ttlMax time.Duration, uniform func(lo, hi float64) float64, now func() time.Time, log *slog.Logger) *Cache[V] {
	if now == nil {
		now = time.Now
	}
	l := func(result string) *metrics.Counter {
		return metrics.GetOrCreateCounter(`merino_corpus_api_cache_total{query="` + label + `",result="` + result + `"}`)
	}
	return &Cache[V]{load: load, ttlMin: ttlMin, ttlMax: ttlMax, uniform: uniform, now: now, log: log,
		entries: xsync.NewMapOf[string, *entry[V]](), hit: l("hit"), stale: l("stale"), miss: l("miss")}
}

// Get returns the value of key, fetching it as the rules above say. ctx bounds only the wait
// of a caller without a value.
func (c *Cache[V]) Get(ctx context.Context, key string) (V, error) {
	e, ok := c.entries.Load(key)
	if !ok {
		e, _ = c.entries.LoadOrCompute(key, func() *entry[V] { return &entry[V]{} })
	}
	if v := e.val.Load(); v != nil {
		if c.now().UnixNano() < e.expires.Load() {
			c.hit.Inc()
			return *v, nil
		}
		c.stale.Inc()
		c.start(e, key)
		return *v, nil
	}
	c.miss.Inc()
	cl := c.start(e, key)
	select {
	case <-cl.done:
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
	if cl.err != nil {
		var zero V
		return zero, cl.err
	}
	return *cl.val, nil
}

// start returns the fetch in flight for e, starting one if there is none.
func (c *Cache[V]) start(e *entry[V], key string) *call[V] {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.call != nil {
		return e.call
	}
	cl := &call[V]{done: make(chan struct{})}
	e.call = cl
	go c.run(e, cl, key)
	return cl
}

func (c *Cache[V]) run(e *entry[V], cl *call[V], key string) {
	v, err := c.load(context.Background(), key)
	e.mu.Lock()
	switch {
	case err == nil:
		cl.val = &v
		e.val.Store(&v)
		e.expires.Store(c.expiry())
	case e.val.Load() != nil:
		e.expires.Store(c.expiry())
		c.log.Error("Error updating cache for key " + key + ": " + err.Error() + ". Returning stale data.")
	default:
		cl.err = err
	}
	e.call = nil
	e.mu.Unlock()
	close(cl.done)
}

func (c *Cache[V]) expiry() int64 {
	ttl := time.Duration(c.uniform(float64(c.ttlMin), float64(c.ttlMax)))
	return c.now().Add(ttl).UnixNano()
}

// Peek returns the cached value of key, fresh or stale, without fetching.
func (c *Cache[V]) Peek(key string) (V, bool) {
	var zero V
	e, ok := c.entries.Load(key)
	if !ok {
		return zero, false
	}
	v := e.val.Load()
	if v == nil {
		return zero, false
	}
	return *v, true
}
