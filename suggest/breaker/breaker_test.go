package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/breaker"
)

// clock is a settable clock for the recovery time.
type clock struct{ t atomic.Int64 }

func (c *clock) now() time.Time                 { return time.Unix(0, c.t.Load()) }
func (c *clock) advance(d time.Duration)        { c.t.Add(int64(d)) }
func newClock() *clock                          { c := &clock{}; c.t.Store(1e18); return c }
func (c *clock) breaker(n int) *breaker.Breaker { return breaker.New(n, 30*time.Second, c.now) }

var errBoom = errors.New("boom")

// The library's rules step by step: fabfuel/circuitbreaker 2.1.3's __call_failed,
// __call_succeeded and state, as merino-py's weather and Wikipedia breakers use them.
func TestRules(t *testing.T) {
	c := newClock()
	b := c.breaker(3)
	ctx := context.Background()
	step := func(what string, allow bool) {
		t.Helper()
		if b.Allow() != allow || b.Open() == allow {
			t.Fatalf("%s: Allow() = %v, want %v (failures %d)", what, b.Allow(), allow, b.Failures())
		}
	}
	step("new", true)
	b.Record(ctx, errBoom)
	b.Record(ctx, errBoom)
	step("two failures", true)
	b.Record(ctx, nil)
	if b.Failures() != 0 {
		t.Fatalf("a success left %d failures", b.Failures())
	}
	b.Record(ctx, errBoom)
	b.Record(ctx, errBoom)
	step("two failures after a success", true)
	b.Record(ctx, errBoom)
	step("three in a row", false)
	c.advance(29 * time.Second)
	step("open for 29 s of 30", false)
	c.advance(time.Second)
	step("recovery time over: half-open", true)
	step("every call is a probe while half-open", true)
	b.Record(ctx, errBoom)
	step("a failed probe re-opens", false)
	c.advance(30 * time.Second)
	step("half-open again", true)
	b.Record(ctx, nil)
	step("a successful probe closes", true)
	b.Record(ctx, errBoom)
	step("one failure after closing", true)

	// A call the request's deadline cut short is no failure of the provider's.
	done, cancel := context.WithCancel(ctx)
	cancel()
	for i := 0; i < 5; i++ {
		b.Record(done, context.Canceled)
	}
	step("cancelled calls", true)
	if b.Failures() != 1 {
		t.Errorf("cancelled calls counted: %d failures", b.Failures())
	}
}

func TestThresholdAtLeastOne(t *testing.T) {
	c := newClock()
	b := c.breaker(0)
	b.Failure()
	if !b.Open() {
		t.Error("a threshold of 0 must act as 1")
	}
}

// counting is a provider that fails when told to and counts its calls.
type counting struct {
	suggest.Base
	calls atomic.Int64
	fail  atomic.Bool
}

func (p *counting) Inline() bool { return true }
func (p *counting) Query(_ context.Context, _ *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	p.calls.Add(1)
	if p.fail.Load() {
		return dst, errBoom
	}
	return append(dst, suggest.Suggestion{Score: 0.5}), nil
}

func TestWrap(t *testing.T) {
	c := newClock()
	inner := &counting{Base: suggest.Base{Name: "x"}}
	rejected := metrics.NewSet().NewCounter("rejected_total")
	p := breaker.Wrap(inner, c.breaker(2), rejected)
	if p.ID() != "x" || !p.Inline() {
		t.Fatalf("the wrapper is not the provider: %q %v", p.ID(), p.Inline())
	}
	q := func() ([]suggest.Suggestion, error) {
		return p.Query(context.Background(), &suggest.Request{Query: "q"}, nil)
	}
	inner.fail.Store(true)
	q()
	q()
	before := inner.calls.Load()
	for i := 0; i < 5; i++ {
		if out, err := q(); err != nil || len(out) != 0 {
			t.Fatalf("open: %v %v", out, err)
		}
	}
	if inner.calls.Load() != before || rejected.Get() != 5 {
		t.Errorf("open breaker: %d calls, %d rejections", inner.calls.Load()-before, rejected.Get())
	}
	c.advance(30 * time.Second)
	inner.fail.Store(false)
	if out, err := q(); err != nil || len(out) != 1 {
		t.Errorf("probe: %v %v", out, err)
	}
}

// Many goroutines failing and succeeding at once: no race, and the breaker ends closed
// after a final success.
func TestConcurrent(t *testing.T) {
	b := breaker.New(5, time.Millisecond, nil)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				if b.Allow() {
					if (i+g)%3 == 0 {
						b.Failure()
					} else {
						b.Success()
					}
				}
			}
		}(g)
	}
	wg.Wait()
	b.Success()
	if b.Open() || b.Failures() != 0 {
		t.Errorf("after a success: open %v, %d failures", b.Open(), b.Failures())
	}
}

func TestAllocs(t *testing.T) {
	b := breaker.New(10, time.Second, nil)
	ctx := context.Background()
	if n := testing.AllocsPerRun(100, func() {
		if b.Allow() {
			b.Record(ctx, nil)
		}
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func BenchmarkAllowRecord(b *testing.B) {
	br := breaker.New(10, time.Second, nil)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if br.Allow() {
				br.Record(ctx, nil)
			}
		}
	})
}

func ExampleWrap() {
	// Open after 2 failures in a row; probe again after 30 s.
	b := breaker.New(2, 30*time.Second, nil)
	p := breaker.Wrap(&counting{Base: suggest.Base{Name: "upstream"}}, b, nil)
	b.Failure()
	b.Failure()
	out, err := p.Query(context.Background(), &suggest.Request{Query: "q"}, nil)
	fmt.Println(b.Open(), len(out), err)
	// Output: true 0 <nil>
}
