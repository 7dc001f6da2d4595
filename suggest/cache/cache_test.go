package cache

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/suggest"
)

// counting answers one suggestion per request, after its gate opens, and counts its calls.
type counting struct {
	suggest.Base
	calls atomic.Int64
	gate  chan struct{}
	ttl   int // > 0: the suggestion carries this TTL
	fail  atomic.Bool
}

func (c *counting) Inline() bool { return true }
func (c *counting) AppendKey(dst []byte, req *suggest.Request) []byte {
	return suggest.AppendKeyString(dst, req.Query)
}
func (c *counting) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	c.calls.Add(1)
	if c.gate != nil {
		select {
		case <-c.gate:
		case <-ctx.Done():
			return dst, ctx.Err()
		}
	}
	if c.fail.Load() {
		return dst, errors.New("boom")
	}
	s := suggest.Suggestion{Provider: "x", Score: 0.5, Head: []byte(`{"title":"` + req.Query + `","score":`), Tail: []byte("}")}
	if c.ttl > 0 {
		s.TTL, s.HasTTL = c.ttl, true
	}
	return append(dst, s), nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newMemory(inner suggest.Provider, clk *clock) *Memory {
	return NewMemory(MemorySettings{Base: suggest.Base{Name: "m"}, DefaultTTL: time.Minute, CleanupInterval: time.Hour,
		MaxRemovedEntries: 2, LockTimeout: time.Second}, inner, "providers.m", clk.now)
}

func query(t *testing.T, p suggest.Provider, q string) []suggest.Suggestion {
	t.Helper()
	out, err := p.Query(context.Background(), &suggest.Request{Query: q}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMemoryHitsMissesExpiry(t *testing.T) {
	clk := &clock{t: time.Unix(1e9, 0)}
	inner := &counting{}
	m := newMemory(inner, clk)
	for i := 0; i < 3; i++ {
		if out := query(t, m, "a"); len(out) != 1 || string(out[0].Head) != `{"title":"a","score":` {
			t.Fatalf("%v", out)
		}
	}
	query(t, m, "b")
	if inner.calls.Load() != 2 {
		t.Errorf("%d inner calls for 2 keys", inner.calls.Load())
	}
	clk.advance(time.Minute)
	query(t, m, "a")
	if inner.calls.Load() != 3 {
		t.Errorf("an expired entry was served: %d calls", inner.calls.Load())
	}
	// Errors are not cached.
	inner.fail.Store(true)
	for i := 0; i < 2; i++ {
		if _, err := m.Query(context.Background(), &suggest.Request{Query: "c"}, nil); err == nil {
			t.Error("the inner error was lost")
		}
	}
	if inner.calls.Load() != 5 {
		t.Errorf("an error was cached: %d calls", inner.calls.Load())
	}
	// Cleanup removes expired entries, at most max_removed_entries a run.
	clk.advance(2 * time.Minute)
	if n := m.removeExpired(clk.now()); n != 2 || m.Len() != 0 {
		t.Errorf("removed %d, %d left", n, m.Len())
	}
}

// A TTL carried by the answer (a weather report's) bounds the entry and counts down.
func TestMemoryTTL(t *testing.T) {
	clk := &clock{t: time.Unix(1e9, 0)}
	inner := &counting{ttl: 30}
	m := newMemory(inner, clk)
	if out := query(t, m, "w"); out[0].TTL != 30 {
		t.Errorf("fresh: TTL %d", out[0].TTL)
	}
	clk.advance(10*time.Second + time.Millisecond)
	if out := query(t, m, "w"); out[0].TTL != 20 || inner.calls.Load() != 1 {
		t.Errorf("cached: TTL %d, %d calls", out[0].TTL, inner.calls.Load())
	}
	clk.advance(20 * time.Second)
	query(t, m, "w")
	if inner.calls.Load() != 2 {
		t.Errorf("kept past its TTL: %d calls", inner.calls.Load())
	}
}

// Concurrent misses of one key make one inner call; every caller gets the answer.
func TestMemoryConcurrentMisses(t *testing.T) {
	clk := &clock{t: time.Unix(1e9, 0)}
	inner := &counting{gate: make(chan struct{})}
	m := newMemory(inner, clk)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out := query(t, m, "q"); len(out) != 1 {
				t.Errorf("%v", out)
			}
		}()
	}
	for inner.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(inner.gate)
	wg.Wait()
	if n := inner.calls.Load(); n != 1 {
		t.Errorf("%d inner calls", n)
	}
}

func TestEncodeDecode(t *testing.T) {
	sugs := []suggest.Suggestion{
		{Provider: "p", Score: 0.23, Head: []byte(`{"title":"a","score":`), Tail: []byte("}")},
		{Provider: "w", Score: 0.3, Head: []byte(`{"title":"b","score":`), Details: []byte(`,"custom_details":{}`), Tail: []byte("}"),
			HasKeyword: true, Keyword: "kw", Rest: []byte(`,"x":1}`), TTL: -7, HasTTL: true, NoContent: true},
	}
	got, ok := decode(encode(sugs))
	if !ok || !reflect.DeepEqual(got, sugs) {
		t.Errorf("round trip:\n%+v\n%+v", got, sugs)
	}
	if got, ok := decode(encode(nil)); !ok || len(got) != 0 {
		t.Errorf("empty: %v %v", got, ok)
	}
	b := encode(sugs)
	for i := 0; i < len(b); i++ {
		if _, ok := decode(b[:i]); ok {
			t.Fatalf("a value cut at %d decodes", i)
		}
	}
	if _, ok := decode(append(encode(sugs), 0)); ok {
		t.Error("trailing bytes decode")
	}
}

// Values read from a shared Redis are hostile: decode never panics and never claims more
// than it holds.
func FuzzDecode(f *testing.F) {
	f.Add(encode([]suggest.Suggestion{{Provider: "p", Head: []byte("{"), Tail: []byte("}")}}))
	f.Add([]byte(version + "\xff\xff\xff\xff\x0f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sugs, ok := decode(b)
		if ok {
			if again, ok2 := decode(encode(sugs)); !ok2 || len(again) != len(sugs) {
				t.Fatalf("a decoded value does not round-trip")
			}
		}
	})
}
