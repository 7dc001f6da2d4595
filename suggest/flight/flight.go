// Package flight makes concurrent identical calls share one: the single-flight that keeps a
// burst of cache misses for one key from becoming a burst of upstream calls. Group is the
// mechanism, keyed by any comparable key; Wrap is the decorator that puts any provider (or
// provider tree) behind it, keyed by the request fields the provider reads.
package flight

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/mozilla-services/merino-go/suggest"
)

// Group runs at most one call per key at a time. The zero value is ready to use; a Group is
// safe for concurrent use.
type Group[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*call[V]
}

type call[V any] struct {
	done    chan struct{}
	val     V
	err     error
	waiters int
}

// Do runs fn for key unless a call for key is in flight, in which case it waits for that
// call's result instead (shared is then true). fn runs on the first caller's goroutine, with
// whatever context fn itself closes over; a later caller whose ctx ends stops waiting (with
// ctx's error) while the call goes on for the others.
func (g *Group[K, V]) Do(ctx context.Context, key K, fn func() (V, error)) (v V, err error, shared bool) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = make(map[K]*call[V])
	}
	if c, ok := g.calls[key]; ok {
		c.waiters++
		g.mu.Unlock()
		select {
		case <-c.done:
			return c.val, c.err, true
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err(), true
		}
	}
	c := &call[V]{done: make(chan struct{})}
	g.calls[key] = c
	g.mu.Unlock()

	defer func() {
		g.mu.Lock()
		delete(g.calls, key)
		g.mu.Unlock()
		close(c.done)
	}()
	c.val, c.err = fn()
	return c.val, c.err, false
}

// Waiting returns how many callers wait on key's call in flight.
func (g *Group[K, V]) Waiting(key K) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c, ok := g.calls[key]; ok {
		return c.waiters
	}
	return 0
}

// Key is a request key as the decorator and the caches use it: a SHA-256 of the provider's
// suggest.AppendKey bytes, so that it costs no allocation to look up.
type Key [sha256.Size]byte

// KeyOf hashes prefix and p's key for req; buf is scratch space.
func KeyOf(buf []byte, prefix string, p suggest.Provider, req *suggest.Request) Key {
	buf = append(buf[:0], prefix...)
	return sha256.Sum256(suggest.AppendKey(buf, p, req))
}

// Wrap returns p behind a single flight: concurrent queries that p would answer alike (the
// same suggest.AppendKey) make one call of p, whose suggestions every caller gets. The call
// does not belong to any one request: it runs without their cancellation, for at most
// timeout, so that a caller giving up does not fail the others. A caller stops waiting when
// its own ctx ends. The wrapper is never inline: it may wait.
func Wrap(p suggest.Provider, timeout time.Duration) suggest.Provider {
	return &provider{Provider: p, timeout: timeout}
}

type provider struct {
	suggest.Provider
	timeout time.Duration
	group   Group[Key, []suggest.Suggestion]
}

func (p *provider) Inline() bool { return false }

func (p *provider) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	var buf [256]byte
	key := KeyOf(buf[:0], "", p.Provider, req)
	out, err, _ := p.group.Do(ctx, key, func() ([]suggest.Suggestion, error) {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.timeout)
		defer cancel()
		return p.Provider.Query(c, req, nil)
	})
	if err != nil {
		return dst, err
	}
	// The shared suggestions are read-only: every caller appends copies of the values.
	return append(dst, out...), nil
}

// AppendKey implements suggest.Keyer: the answer depends on what p's does.
func (p *provider) AppendKey(dst []byte, req *suggest.Request) []byte {
	return suggest.AppendKey(dst, p.Provider, req)
}
