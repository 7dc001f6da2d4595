package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestTargets(t *testing.T) {
	base := func() *report {
		return &report{Scenario: "firefox", Requests: 1000, Achieved: 1500, Latency: percentiles{P95: 1.5, P99: 3},
			Status: map[string]int{"200": 1000}, Transport: map[string]int{}}
	}
	tg := targets{rps: 1500, p95: 200 * time.Millisecond}
	f := func(name string, edit func(r *report), tg targets, want ...string) {
		t.Helper()
		r := base()
		edit(r)
		res := tg.check(r)
		if res.Pass != (len(want) == 0) || !reflect.DeepEqual(res.Failures, want) {
			t.Fatalf("%s: pass %v, failures %q; want %q", name, res.Pass, res.Failures, want)
		}
		line := res.line(r)
		if strings.Contains(line, "\n") || !strings.HasPrefix(line, map[bool]string{true: "PASS: ", false: "FAIL: "}[res.Pass]) {
			t.Fatalf("%s: line %q", name, line)
		}
	}
	f("at target", func(r *report) {}, tg)
	f("just within 99%", func(r *report) { r.Achieved = 1485 }, tg)
	f("below 99%", func(r *report) { r.Achieved = 1484.9 }, tg, "achieved 1484.9 req/s < 99% of target 1500 req/s")
	f("p95 at target", func(r *report) { r.Latency.P95 = 200 }, tg)
	f("p95 above", func(r *report) { r.Latency.P95 = 200.5 }, tg, "p95 200.5ms > target 200ms")
	f("5xx", func(r *report) { r.Status["503"] = 2; r.Status["500"] = 1 }, tg, "3 5xx responses")
	f("4xx is not a failure", func(r *report) { r.Status["400"] = 5 }, tg)
	f("transport", func(r *report) { r.Transport["timeout"] = 1 }, tg, "1 transport errors")
	f("bad body", func(r *report) { r.BadBodies = 4 }, tg, "4 responses with a wrong body (200 without a SuggestResponse body, or 204 to a request that is not weather-only)")
	f("nothing measured", func(r *report) { r.Requests = 0 }, tg, "no requests in the measured window")
	f("checks off", func(r *report) { r.Achieved, r.Latency.P95 = 1, 5000 }, targets{})
	f("all at once", func(r *report) { r.Achieved, r.Latency.P95, r.Status["502"] = 10, 300, 1 }, tg,
		"achieved 10.0 req/s < 99% of target 1500 req/s", "p95 300.0ms > target 200ms", "1 5xx responses")
}

// syntheticReport builds a report from made-up samples, without a network.
func syntheticReport() *report {
	p := plan{rate: 100, duration: 3 * time.Second, warmup: time.Second, connections: 4}
	col := newCollector(p, []string{"queries", "domains"})
	for i := 0; i < p.total(); i++ {
		due := p.due(i)
		s := sample{due: due, sent: due + 50*time.Microsecond, done: due + time.Duration(200+i%50)*time.Microsecond, status: 200, bytes: 120, kind: uint8(i % 2)}
		switch {
		case i == 250: // a stall in the third second
			s.done = due + 400*time.Millisecond
		case i == 300:
			s.status = 503
		case i == 310:
			s.err, s.status = errTimeout, 0
			s.done = due + 5*time.Second
		}
		col.add(s)
	}
	st := &stream{scenario: "firefox", kinds: col.kinds, items: []item{{kind: 0}, {kind: 1}}, notes: []string{"amp: skipped"}}
	r := newReport(col, st, "http://127.0.0.1:8000", time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC))
	res := targets{rps: 100, p95: 200 * time.Millisecond}.check(r)
	r.Targets = &res
	return r
}

func TestReportJSONRoundTrip(t *testing.T) {
	r := syntheticReport()
	if r.Requests != 300 || r.Status["200"] != 298 || r.Status["503"] != 1 || r.Transport["timeout"] != 1 || len(r.Seconds) != 3 {
		t.Fatalf("report %+v", r)
	}
	if r.Latency.Max < 5000 || r.Seconds[0].Max >= 1 || r.Seconds[1].Max < 400 || r.Targets.Pass {
		t.Fatalf("latency %+v, seconds %+v, targets %+v", r.Latency, r.Seconds, r.Targets)
	}
	var n int64
	for _, b := range r.Histogram {
		n += b.Count
	}
	if n != 300 { // every response, the 503 included, and the timeout (at its 5 s)
		t.Fatalf("histogram holds %d latencies, want 300", n)
	}
	path := filepath.Join(t.TempDir(), "report.json")
	if err := r.writeJSON(path); err != nil {
		t.Fatal(err)
	}
	back, err := readReport(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r, back) {
		t.Fatalf("round trip changed the report:\n%+v\n%+v", r, back)
	}
	var sum bytes.Buffer
	r.writeSummary(&sum)
	for _, want := range []string{"requested 100/s", "503: 1", "timeout: 1", "note", "amp: skipped"} {
		if !strings.Contains(sum.String(), want) {
			t.Fatalf("summary lacks %q:\n%s", want, sum.String())
		}
	}
}

func TestChartIsAPNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "latency.png")
	if err := writeChart(syntheticReport(), path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 800 {
		t.Fatalf("chart is %v", b)
	}
	// An empty run still draws.
	if err := writeChart(&report{Scenario: "x", Rate: 1}, filepath.Join(t.TempDir(), "empty.png")); err != nil {
		t.Fatal(err)
	}
}

func TestDispatchRejectsUnknownCommands(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch([]string{"nope"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Fatalf("code %d, stderr %q", code, errb.String())
	}
	if code := dispatch([]string{"run", "--rate", "0"}, &out, &errb); code != 2 {
		t.Fatalf("--rate 0: code %d", code)
	}
}
