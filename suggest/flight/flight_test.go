package flight_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/flight"
)

// Concurrent callers of one key make one call and share its result; another key runs on its
// own; a follower whose context ends stops waiting, and the call goes on for the rest.
func TestGroup(t *testing.T) {
	var g flight.Group[string, int]
	var calls atomic.Int64
	release := make(chan struct{})
	fn := func() (int, error) {
		calls.Add(1)
		<-release
		return 42, nil
	}
	const n = 10
	var wg sync.WaitGroup
	results := make(chan int, n)
	shared := make(chan bool, n)
	go func() {
		v, _, s := g.Do(context.Background(), "k", fn)
		results <- v
		shared <- s
	}()
	for g.Waiting("k") != 0 || calls.Load() == 0 {
		time.Sleep(time.Millisecond) // the leader is in fn
	}
	for i := 1; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err, s := g.Do(context.Background(), "k", fn)
			if err != nil {
				t.Error(err)
			}
			results <- v
			shared <- s
		}()
	}
	// A follower that gives up.
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() {
		_, err, _ := g.Do(ctx, "k", fn)
		gaveUp <- err
	}()
	for g.Waiting("k") < n {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Errorf("a follower whose context ended: %v", err)
	}
	// Another key is not held up.
	if v, _, s := g.Do(context.Background(), "other", func() (int, error) { return 7, nil }); v != 7 || s {
		t.Errorf("other key: %d %v", v, s)
	}
	close(release)
	wg.Wait()
	nShared := 0
	for i := 0; i < n; i++ {
		if v := <-results; v != 42 {
			t.Errorf("result %d", v)
		}
		if <-shared {
			nShared++
		}
	}
	if calls.Load() != 1 || nShared != n-1 {
		t.Errorf("%d calls, %d shared results; want 1 and %d", calls.Load(), nShared, n-1)
	}
	// Once done, the next call runs again.
	g.Do(context.Background(), "k", fn)
	if calls.Load() != 2 {
		t.Errorf("a later call was not made: %d calls", calls.Load())
	}
}

// slow answers after its gate opens and counts its calls.
type slow struct {
	suggest.Base
	gate  chan struct{}
	calls atomic.Int64
}

func (p *slow) Inline() bool { return false }
func (p *slow) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	p.calls.Add(1)
	select {
	case <-p.gate:
	case <-ctx.Done():
		return dst, ctx.Err()
	}
	return append(dst, suggest.Suggestion{Keyword: req.Query, HasKeyword: true}), nil
}

// AppendKey keys on the query alone.
func (p *slow) AppendKey(dst []byte, req *suggest.Request) []byte {
	return suggest.AppendKeyString(dst, req.Query)
}

func TestWrap(t *testing.T) {
	inner := &slow{Base: suggest.Base{Name: "slow"}, gate: make(chan struct{})}
	p := flight.Wrap(inner, time.Minute)
	if p.Inline() || p.ID() != "slow" {
		t.Fatal("the wrapper may wait, so it is not inline")
	}
	var wg sync.WaitGroup
	ask := func(q string, country string) {
		defer wg.Done()
		req := &suggest.Request{Query: q}
		req.Location.Country = country // not in slow's key
		out, err := p.Query(context.Background(), req, nil)
		if err != nil || len(out) != 1 || out[0].Keyword != q {
			t.Errorf("%q: %v %v", q, out, err)
		}
	}
	for i := 0; i < 8; i++ {
		wg.Add(2)
		go ask("a", fmt.Sprint(i))
		go ask("b", "")
	}
	for inner.calls.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the followers queue up
	// The first caller giving up does not cancel the call the others wait on.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Query(ctx, &suggest.Request{Query: "a"}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled caller: %v", err)
	}
	close(inner.gate)
	wg.Wait()
	if n := inner.calls.Load(); n != 2 {
		t.Errorf("%d inner calls for 2 keys", n)
	}
}

func ExampleGroup() {
	var g flight.Group[string, string]
	v, err, shared := g.Do(context.Background(), "key", func() (string, error) {
		return "fetched once", nil
	})
	fmt.Println(v, err, shared)
	// Output: fetched once <nil> false
}
