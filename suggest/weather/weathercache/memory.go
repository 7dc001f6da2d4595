package weathercache

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"github.com/puzpuzpuz/xsync/v3"
)

// Memory is an in-process store with per-key expiry. Reads take no lock; expired entries
// are dropped when read and swept every sweepEvery writes, so the map holds at most what
// was written within the longest TTL.
type Memory struct {
	m      *xsync.MapOf[string, *entry]
	now    func() time.Time
	writes atomic.Uint64
}

type entry struct {
	value   []byte
	expires int64 // unix nanoseconds; 0 = never
}

const sweepEvery = 4096

var _ Store = (*Memory)(nil)

// NewMemory returns an empty memory store. now is the clock (nil: time.Now); tests pass
// their own to move through TTLs without sleeping.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{m: xsync.NewMapOf[string, *entry](), now: now}
}

// Len returns the number of entries, expired ones included until they are swept.
func (s *Memory) Len() int { return s.m.Size() }

// lookup returns the live entry under key and its TTL in seconds, rounded as Redis's TTL
// command rounds (to the nearest second).
func (s *Memory) lookup(key string, now int64) (*entry, int, bool) {
	e, ok := s.m.Load(key)
	if !ok {
		return nil, 0, false
	}
	if e.expires == 0 {
		return e, -1, true
	}
	left := e.expires - now
	if left <= 0 {
		s.m.Compute(key, func(old *entry, loaded bool) (*entry, bool) {
			// Delete only the entry we saw expire, not a fresh one written meanwhile.
			return old, !loaded || old == e
		})
		return nil, 0, false
	}
	ms := left / int64(time.Millisecond)
	return e, int((ms + 500) / 1000), true
}

// ByLocation implements Store.
func (s *Memory) ByLocation(_ context.Context, locationKey, currentTemplate, forecastTemplate, placeholder string) (Bundle, error) {
	now := s.now().UnixNano()
	loc, _, ok := s.lookup(locationKey, now)
	if !ok {
		return Bundle{}, nil
	}
	b := Bundle{Location: loc.value}
	key, ok := locationKeyField(loc.value)
	if !ok {
		// A value that is not a location: the caller sees a location it cannot parse and
		// looks the city up again, which overwrites it.
		return b, nil
	}
	s.pair(&b, strings.ReplaceAll(currentTemplate, placeholder, key), strings.ReplaceAll(forecastTemplate, placeholder, key), now)
	return b, nil
}

// Pair implements Store.
func (s *Memory) Pair(_ context.Context, currentKey, forecastKey string) (Bundle, error) {
	var b Bundle
	s.pair(&b, currentKey, forecastKey, s.now().UnixNano())
	return b, nil
}

func (s *Memory) pair(b *Bundle, currentKey, forecastKey string, now int64) {
	cur, curTTL, ok1 := s.lookup(currentKey, now)
	fc, fcTTL, ok2 := s.lookup(forecastKey, now)
	if ok1 {
		b.Current = cur.value
	}
	if ok2 {
		b.Forecast = fc.value
	}
	if ok1 && ok2 {
		b.TTL, b.HasTTL = min(curTTL, fcTTL), true
	}
}

// Get implements Store.
func (s *Memory) Get(_ context.Context, key string) ([]byte, int, bool, error) {
	e, ttl, ok := s.lookup(key, s.now().UnixNano())
	if !ok {
		return nil, 0, false, nil
	}
	return e.value, ttl, true, nil
}

// Set implements Store. The value is copied.
func (s *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	now := s.now().UnixNano()
	e := &entry{value: append([]byte(nil), value...)}
	if ttl > 0 {
		e.expires = now + int64(ttl)
	}
	s.m.Store(key, e)
	if s.writes.Add(1)%sweepEvery == 0 {
		s.sweep(now)
	}
	return nil
}

// sweep drops every expired entry.
func (s *Memory) sweep(now int64) {
	s.m.Range(func(key string, e *entry) bool {
		if e.expires != 0 && e.expires <= now {
			s.m.Compute(key, func(old *entry, loaded bool) (*entry, bool) {
				return old, !loaded || old == e
			})
		}
		return true
	})
}

// Kind implements Store.
func (s *Memory) Kind() string { return "memory" }

// Close implements Store.
func (s *Memory) Close() error { return nil }
