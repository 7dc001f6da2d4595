package weather

import (
	"context"
	"sync"
)

// flight makes concurrent misses of one key share one upstream call: the first caller
// runs fn, the others wait for its result (or their own context). The call runs under the
// first caller's context; a follower whose context ends stops waiting, the call goes on.
type flight[T any] struct {
	mu    sync.Mutex
	calls map[string]*call[T]
}

type call[T any] struct {
	done    chan struct{}
	val     T
	err     error
	waiters int
}

// do runs fn once per key at a time. shared reports that the result came from another
// caller's call.
func (f *flight[T]) do(ctx context.Context, key string, fn func() (T, error)) (v T, err error, shared bool) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = make(map[string]*call[T])
	}
	if c, ok := f.calls[key]; ok {
		c.waiters++
		f.mu.Unlock()
		select {
		case <-c.done:
			return c.val, c.err, true
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err(), true
		}
	}
	c := &call[T]{done: make(chan struct{})}
	f.calls[key] = c
	f.mu.Unlock()

	defer func() {
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	c.val, c.err = fn()
	return c.val, c.err, false
}

// waiting returns how many callers wait on key's call in flight (for tests).
func (f *flight[T]) waiting(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.calls[key]; ok {
		return c.waiters
	}
	return 0
}
