package main

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// serve starts a fasthttp server with h on a loopback port.
func serve(t *testing.T, h fasthttp.RequestHandler) target {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return target{addr: ln.Addr().String(), host: ln.Addr().String()}
}

func suggestBody(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("application/json")
	ctx.SetBodyString(ceilingBody)
}

// testItems is a small stream of the firefox scenario over the committed samples.
func testItems(t *testing.T) *stream {
	t.Helper()
	c := &corpus{queries: []string{"firefox", "mozilla suggest"}, domains: []string{"example"}, origin: map[string]string{}}
	sc, err := findScenario("firefox")
	if err != nil {
		t.Fatal(err)
	}
	st, err := buildStream(sc, c, nil, 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestScheduleSendsTheRequestedCount(t *testing.T) {
	var got atomic.Int64
	tg := serve(t, func(ctx *fasthttp.RequestCtx) { got.Add(1); suggestBody(ctx) })
	st := testItems(t)
	p := plan{rate: 400, duration: time.Second, warmup: 250 * time.Millisecond, connections: 8, timeout: 5 * time.Second}
	col := generate(context.Background(), tg, st.items, st.kinds, p)
	if p.total() != 500 || got.Load() != 500 {
		t.Fatalf("schedule of %d requests, server saw %d, want 500", p.total(), got.Load())
	}
	if col.measured != 400 || col.status[200] != 400 || col.hist.TotalCount() != 400 {
		t.Fatalf("measured %d, 200s %d, latencies %d; want 400 each", col.measured, col.status[200], col.hist.TotalCount())
	}
	// Completions in the window: the requested count, give or take boundary effects (and a
	// generator slowed by -race on a busy machine).
	if col.answered < 300 || col.answered > 440 {
		t.Fatalf("answered %d in the window, want about 400", col.answered)
	}
	r := newReport(col, st, "", time.Now())
	if r.Achieved < 300 || r.Achieved > 440 {
		t.Fatalf("achieved %.1f req/s, want about 400", r.Achieved)
	}
}

func TestKnownDelayShowsInPercentiles(t *testing.T) {
	const delay = 20 * time.Millisecond
	tg := serve(t, func(ctx *fasthttp.RequestCtx) { time.Sleep(delay); suggestBody(ctx) })
	st := testItems(t)
	col := generate(context.Background(), tg, st.items, st.kinds, plan{rate: 200, duration: time.Second, connections: 16, timeout: 5 * time.Second})
	r := newReport(col, st, "", time.Now())
	lo, hi := float64(delay/time.Millisecond), float64(delay/time.Millisecond)+150
	if r.Latency.P50 < lo || r.Latency.P50 > hi || r.Latency.P99 < lo {
		t.Fatalf("p50 %.3f ms, p99 %.3f ms; want p50 in [%.0f, %.0f] and p99 >= %.0f", r.Latency.P50, r.Latency.P99, lo, hi, lo)
	}
}

// A server that stalls every request for a while must show the stall as latency of the
// requests that were due during it, not as fewer requests (coordinated omission).
func TestStallShowsAsLatencyNotFewerRequests(t *testing.T) {
	const stall = 300 * time.Millisecond
	var mu sync.Mutex
	var n atomic.Int64
	tg := serve(t, func(ctx *fasthttp.RequestCtx) {
		if n.Add(1) == 200 {
			mu.Lock()
			time.Sleep(stall)
			mu.Unlock()
		} else {
			mu.Lock()
			mu.Unlock() //nolint:staticcheck // waiting for the stall is the point
		}
		suggestBody(ctx)
	})
	st := testItems(t)
	col := generate(context.Background(), tg, st.items, st.kinds, plan{rate: 500, duration: 2 * time.Second, connections: 8, timeout: 5 * time.Second})
	r := newReport(col, st, "", time.Now())
	if r.Requests != 1000 || r.Status["200"] != 1000 {
		t.Fatalf("%d requests, %d answered 200; want 1000 each: a stall must not lower the count", r.Requests, r.Status["200"])
	}
	if r.Latency.Max < float64(stall/time.Millisecond) {
		t.Fatalf("max latency %.1f ms < the %s stall", r.Latency.Max, stall)
	}
	// About 150 requests were due during the stall and queued behind it: their latencies
	// spread from ~0 to the stall, so p95 sits near 2/3 of it.
	if r.Latency.P95 < 100 {
		t.Fatalf("p95 %.1f ms: the queue behind the stall is missing", r.Latency.P95)
	}
	var stalled bool
	for _, s := range r.Seconds {
		stalled = stalled || s.Max >= float64(stall/time.Millisecond)
	}
	if !stalled {
		t.Fatal("no second of the time series shows the stall")
	}
}

func TestTransportErrorsAreCounted(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens: every request is refused
	st := testItems(t)
	col := generate(context.Background(), target{addr: addr, host: addr}, st.items, st.kinds, plan{rate: 100, duration: time.Second, connections: 2, timeout: time.Second})
	r := newReport(col, st, "", time.Now())
	if r.transportErrors() != 100 || r.Achieved != 0 {
		t.Fatalf("transport errors %v, achieved %.1f; want 100 and 0", r.Transport, r.Achieved)
	}
	if res := (targets{rps: 100, p95: time.Second}).check(r); res.Pass {
		t.Fatal("a run with transport errors passed")
	}
}

func TestBadBodiesAreCounted(t *testing.T) {
	tg := serve(t, func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString("<html>oops</html>") })
	st := testItems(t)
	col := generate(context.Background(), tg, st.items, st.kinds, plan{rate: 100, duration: time.Second, connections: 2, timeout: 5 * time.Second})
	if col.badBody != 100 {
		t.Fatalf("bad bodies %d, want 100", col.badBody)
	}
}

// The search logic, against a server whose capacity is known exactly.
func TestSearchCeiling(t *testing.T) {
	f := func(capacity, start, max, want float64, wantSteps []float64) {
		t.Helper()
		var steps []float64
		got := searchCeiling(start, max, func(rate float64) bool {
			steps = append(steps, rate)
			return rate <= capacity
		})
		if got != want || fmt.Sprint(steps) != fmt.Sprint(wantSteps) {
			t.Errorf("capacity %v: ceiling %v after %v, want %v after %v", capacity, got, steps, want, wantSteps)
		}
	}
	// Up by half until a step fails, then four geometric bisections.
	f(1000, 200, 100000, 987, []float64{200, 300, 450, 675, 1012.5, 827, 915, 963, 987})
	// Everything sustained up to max: the last step below max.
	f(1e9, 200, 500, 450, []float64{200, 300, 450})
	// Even the first step fails: halve down, then bisect.
	f(120, 1000, 100000, 120, []float64{1000, 500, 250, 125, 62.5, 88, 105, 115, 120})
	// Nothing sustained at all.
	f(1, 100, 1000, 0, []float64{100, 50, 25, 12.5})
}

// findCeiling measures a real no-work server: every sustained step had no errors and the
// ceiling is one of them. The exact figure depends on the machine, so it is not asserted.
func TestCeilingRuns(t *testing.T) {
	addr, stop, err := fixedServer()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	st := testItems(t)
	o := ceilingOpts{start: 100, max: 150, step: 300 * time.Millisecond, warmup: 100 * time.Millisecond, p99: time.Second, connections: 8, timeout: 5 * time.Second}
	var log nopWriter
	res := findCeiling(context.Background(), "no-work", target{addr: addr, host: addr}, st, o, &log)
	if len(res.Steps) == 0 {
		t.Fatal("no step measured")
	}
	found := res.Ceiling == 0
	for _, s := range res.Steps {
		if s.Sustained && s.Errors != 0 {
			t.Errorf("a sustained step had errors: %+v", s)
		}
		if s.Sustained && s.Rate == res.Ceiling {
			found = true
		}
	}
	if !found {
		t.Errorf("ceiling %v is not a sustained step: %+v", res.Ceiling, res.Steps)
	}
}

type nopWriter struct{}

func (*nopWriter) Write(p []byte) (int, error) { return len(p), nil }
