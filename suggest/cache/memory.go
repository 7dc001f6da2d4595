package cache

import (
	"context"
	"time"

	"github.com/puzpuzpuz/xsync/v3"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/flight"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

// MemorySettings configure a memory_cache: {default_ttl_sec = 900, cleanup_interval_sec =
// 300, max_removed_entries = 100000, default_lock_timeout_sec = 10, inner}.
type MemorySettings struct {
	suggest.Base
	DefaultTTL        time.Duration
	CleanupInterval   time.Duration
	MaxRemovedEntries int
	LockTimeout       time.Duration
	Inner             *kit.Node
}

// Memory caches its inner provider's answers in the process. A hit is a map read and the
// answer's suggestions appended (their bytes are shared, read-only).
type Memory struct {
	wrapper
	s       MemorySettings
	now     func() time.Time
	entries *xsync.MapOf[flight.Key, *entry]
	flight  flight.Group[flight.Key, *entry]
	count   counters
}

// entry is one cached answer.
type entry struct {
	expires time.Time
	sugs    []suggest.Suggestion
}

func init() {
	kit.Register(kit.Type[MemorySettings]{
		Name: "memory_cache",
		Tree: true,
		Read: func(t *kit.Table, s *MemorySettings) {
			s.DefaultTTL = t.Seconds("default_ttl_sec", 900)
			s.CleanupInterval = t.Seconds("cleanup_interval_sec", 300)
			s.MaxRemovedEntries = t.Int("max_removed_entries", 100000, 1, 1<<31-1)
			s.LockTimeout = t.Seconds("default_lock_timeout_sec", 10)
			s.Inner = t.Child("inner")
		},
		New: func(s *MemorySettings, env *kit.Env) (suggest.Provider, error) {
			inner, err := env.Build(s.Inner)
			if err != nil {
				return nil, err
			}
			m := NewMemory(*s, inner, env.Path(""), nil)
			env.Go(m.Clean)
			return m, nil
		},
	})
}

// NewMemory returns a memory cache of inner under the key path name; now is its clock (nil:
// time.Now).
func NewMemory(s MemorySettings, inner suggest.Provider, name string, now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{
		wrapper: wrapper{Base: s.Base, inner: inner, prefix: name + "\x00"},
		s:       s, now: now,
		entries: xsync.NewMapOf[flight.Key, *entry](),
		count:   newCounters("memory", s.Name),
	}
}

// Query implements suggest.Provider.
func (m *Memory) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	var buf [256]byte
	key := flight.KeyOf(buf[:0], m.prefix, m.inner, req)
	now := m.now()
	if e, ok := m.lookup(key, now); ok {
		m.count.hits.Inc()
		return serve(dst, e.sugs, e.expires.Sub(now)), nil
	}
	e, err, _ := m.flight.Do(ctx, key, func() (*entry, error) {
		// A request that missed just before another filled the entry finds it here.
		if e, ok := m.lookup(key, m.now()); ok {
			return e, nil
		}
		m.count.misses.Inc()
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.s.LockTimeout)
		defer cancel()
		out, err := m.inner.Query(c, req, nil)
		if err != nil {
			return nil, err
		}
		e := &entry{expires: m.now().Add(lifetime(out, m.s.DefaultTTL)), sugs: out}
		m.entries.Store(key, e)
		return e, nil
	})
	if err != nil {
		return dst, err
	}
	return serve(dst, e.sugs, e.expires.Sub(m.now())), nil
}

// lookup returns the fresh entry of key; an expired one is dropped.
func (m *Memory) lookup(key flight.Key, now time.Time) (*entry, bool) {
	e, ok := m.entries.Load(key)
	if !ok {
		return nil, false
	}
	if !now.Before(e.expires) {
		m.entries.Compute(key, func(old *entry, loaded bool) (*entry, bool) {
			return old, !loaded || old == e // delete it unless a fresh one replaced it
		})
		return nil, false
	}
	return e, true
}

// Clean removes expired entries every cleanup_interval_sec, at most max_removed_entries a
// run (the rest wait for the next, or for a lookup), until ctx ends.
func (m *Memory) Clean(ctx context.Context) {
	t := time.NewTicker(m.s.CleanupInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.removeExpired(m.now())
		}
	}
}

func (m *Memory) removeExpired(now time.Time) (removed int) {
	m.entries.Range(func(k flight.Key, e *entry) bool {
		if !now.Before(e.expires) {
			m.entries.Delete(k)
			removed++
		}
		return removed < m.s.MaxRemovedEntries
	})
	return removed
}

// Len is the number of entries held, expired ones not yet removed included.
func (m *Memory) Len() int { return m.entries.Size() }
