package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// report is the result of one run, as written to report.json. Latencies are milliseconds,
// measured from each request's due time (see generator.go).
type report struct {
	Scenario    string             `json:"scenario"`
	URL         string             `json:"url"`
	StartedAt   time.Time          `json:"started_at"`
	Rate        float64            `json:"requested_rps"`
	Achieved    float64            `json:"achieved_rps"`
	DurationSec float64            `json:"duration_sec"`
	WarmupSec   float64            `json:"warmup_sec"`
	Connections int                `json:"connections"`
	Requests    int                `json:"requests"` // due in the measured window
	Latency     percentiles        `json:"latency_ms"`
	SendLag     percentiles        `json:"send_lag_ms"` // due to write: timer lateness and waiting for a connection
	Service     percentiles        `json:"service_ms"`  // from write to response (no queueing)
	Status      map[string]int     `json:"status"`      // responses by HTTP status
	Transport   map[string]int     `json:"transport_errors"`
	BadBodies   int                `json:"bad_bodies"`
	Bytes       int64              `json:"body_bytes"`
	Mix         map[string]float64 `json:"mix"` // share of the stream's requests by source
	ByKind      map[string]kindLat `json:"latency_by_source_ms"`
	Notes       []string           `json:"notes,omitempty"`
	Seconds     []secondReport     `json:"seconds"`
	Histogram   []bucket           `json:"histogram"`
	Targets     *targetResult      `json:"targets,omitempty"`
	// Weather is the cache and AccuWeather counters of the measured window, for a scenario
	// with weather.
	Weather *weatherStats `json:"weather,omitempty"`
}

type percentiles struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

type kindLat struct {
	Requests int64   `json:"requests"`
	P50      float64 `json:"p50"`
	P95      float64 `json:"p95"`
	P99      float64 `json:"p99"`
}

// secondReport is one second of the run, by due time.
type secondReport struct {
	T        int     `json:"t"`
	Requests int64   `json:"requests"`
	Answered int     `json:"answered"`
	Errors   int     `json:"errors"`
	P50      float64 `json:"p50"`
	P90      float64 `json:"p90"`
	P99      float64 `json:"p99"`
	Max      float64 `json:"max"`
}

// bucket counts latencies in (previous UpTo, UpTo] milliseconds, on a log scale.
type bucket struct {
	UpTo  float64 `json:"up_to_ms"`
	Count int64   `json:"count"`
}

func ms(us int64) float64 { return float64(us) / 1000 }

func percentilesOf(h *hdr.Histogram) percentiles {
	if h.TotalCount() == 0 {
		return percentiles{}
	}
	return percentiles{
		P50: ms(h.ValueAtQuantile(50)), P90: ms(h.ValueAtQuantile(90)), P95: ms(h.ValueAtQuantile(95)),
		P99: ms(h.ValueAtQuantile(99)), P999: ms(h.ValueAtQuantile(99.9)), Max: ms(h.Max()),
		Mean: h.Mean() / 1000,
	}
}

// newReport turns a collector into a report.
func newReport(c *collector, st *stream, url string, started time.Time) *report {
	r := &report{
		Scenario: st.scenario, URL: url, StartedAt: started.UTC().Truncate(time.Second),
		Rate: c.p.rate, DurationSec: c.p.duration.Seconds(), WarmupSec: c.p.warmup.Seconds(),
		Connections: c.p.connections, Requests: c.measured,
		Achieved:  float64(c.answered) / c.p.duration.Seconds(),
		Latency:   percentilesOf(c.hist),
		SendLag:   percentilesOf(c.lag),
		Service:   percentilesOf(c.service),
		Status:    map[string]int{},
		Transport: map[string]int{},
		BadBodies: c.badBody,
		Bytes:     c.bytes,
		Mix:       st.mix(),
		ByKind:    map[string]kindLat{},
		Notes:     st.notes,
	}
	for code, n := range c.status {
		r.Status[strconv.Itoa(code)] = n
	}
	for k, n := range c.errs {
		if n > 0 {
			r.Transport[errNames[k]] = n
		}
	}
	for i, h := range c.byKind {
		if h.TotalCount() > 0 {
			p := percentilesOf(h)
			r.ByKind[c.kinds[i]] = kindLat{Requests: h.TotalCount(), P50: p.P50, P95: p.P95, P99: p.P99}
		}
	}
	for i, s := range c.seconds {
		p := percentilesOf(s.hist)
		r.Seconds = append(r.Seconds, secondReport{T: i, Requests: s.hist.TotalCount(), Answered: s.answered, Errors: s.errors,
			P50: p.P50, P90: p.P90, P99: p.P99, Max: p.Max})
	}
	r.Histogram = logBuckets(c.hist)
	return r
}

// logBuckets folds a histogram into 10 buckets a decade (1 µs .. max), dropping empty ends.
func logBuckets(h *hdr.Histogram) []bucket {
	if h.TotalCount() == 0 {
		return nil
	}
	var edges []int64                         // upper bounds in µs
	for e := 1.0; ; e *= 1.2589254117941673 { // 10^(1/10)
		edges = append(edges, int64(e+0.5))
		if int64(e) > h.Max() {
			break
		}
	}
	counts := make([]int64, len(edges))
	for _, b := range h.Distribution() {
		if b.Count == 0 {
			continue
		}
		v := b.To
		i := sort.Search(len(edges), func(i int) bool { return edges[i] >= v })
		if i == len(edges) {
			i--
		}
		counts[i] += b.Count
	}
	lo, hi := 0, len(counts)-1
	for lo < hi && counts[lo] == 0 {
		lo++
	}
	for hi > lo && counts[hi] == 0 {
		hi--
	}
	var out []bucket
	for i := lo; i <= hi; i++ {
		out = append(out, bucket{UpTo: ms(edges[i]), Count: counts[i]})
	}
	return out
}

// errors5xx counts 5xx responses.
func (r *report) errors5xx() int {
	n := 0
	for code, c := range r.Status {
		if len(code) == 3 && code[0] == '5' {
			n += c
		}
	}
	return n
}

func (r *report) transportErrors() int {
	n := 0
	for _, c := range r.Transport {
		n += c
	}
	return n
}

// failed counts the requests that failed: 5xx, transport errors and bad bodies.
func (r *report) failed() int { return r.errors5xx() + r.transportErrors() + r.BadBodies }

func fmtMs(v float64) string {
	switch {
	case v >= 1000:
		return strconv.FormatFloat(v/1000, 'f', 2, 64) + "s"
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64) + "ms"
	default:
		return strconv.FormatFloat(v, 'f', 3, 64) + "ms"
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeSummary prints the human table.
func (r *report) writeSummary(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "scenario\t%s\t%s\n", r.Scenario, r.URL)
	fmt.Fprintf(tw, "rate\trequested %.0f/s\tachieved %.1f/s (%.2f%%)\n", r.Rate, r.Achieved, 100*r.Achieved/max(r.Rate, 1e-9))
	fmt.Fprintf(tw, "requests\t%d in %.0fs (+%.0fs warm-up)\t%d connections\n", r.Requests, r.DurationSec, r.WarmupSec, r.Connections)
	l := r.Latency
	fmt.Fprintf(tw, "latency\tp50 %s\tp90 %s\tp95 %s\tp99 %s\tp99.9 %s\tmax %s\tmean %s\n",
		fmtMs(l.P50), fmtMs(l.P90), fmtMs(l.P95), fmtMs(l.P99), fmtMs(l.P999), fmtMs(l.Max), fmtMs(l.Mean))
	v := r.Service
	fmt.Fprintf(tw, "service\tp50 %s\tp90 %s\tp95 %s\tp99 %s\tp99.9 %s\tmax %s\t(from write to response)\n",
		fmtMs(v.P50), fmtMs(v.P90), fmtMs(v.P95), fmtMs(v.P99), fmtMs(v.P999), fmtMs(v.Max))
	fmt.Fprintf(tw, "send lag\tp50 %s\tp99 %s\tmax %s\t(due to write: timer lateness + waiting for a free connection)\n", fmtMs(r.SendLag.P50), fmtMs(r.SendLag.P99), fmtMs(r.SendLag.Max))
	var st []string
	for _, k := range sortedKeys(r.Status) {
		st = append(st, fmt.Sprintf("%s: %d", k, r.Status[k]))
	}
	fmt.Fprintf(tw, "status\t%s\n", strings.Join(st, "  "))
	var te []string
	for _, k := range sortedKeys(r.Transport) {
		te = append(te, fmt.Sprintf("%s: %d", k, r.Transport[k]))
	}
	if len(te) == 0 {
		te = []string{"none"}
	}
	fmt.Fprintf(tw, "transport errors\t%s\n", strings.Join(te, "  "))
	if r.BadBodies > 0 {
		fmt.Fprintf(tw, "bad bodies\t%d (200 without a SuggestResponse, or 204 to a request that is not weather-only)\n", r.BadBodies)
	}
	fmt.Fprintf(tw, "body bytes\t%d (%.1f KiB/s)\n", r.Bytes, float64(r.Bytes)/1024/max(r.DurationSec, 1e-9))
	for _, k := range sortedKeys(r.ByKind) {
		b := r.ByKind[k]
		fmt.Fprintf(tw, "  %s\t%.1f%% of requests\tp50 %s\tp95 %s\tp99 %s\n", k, 100*r.Mix[k], fmtMs(b.P50), fmtMs(b.P95), fmtMs(b.P99))
	}
	if ws := r.Weather; ws != nil {
		// The same lines are the report's notes; print them once, as rows.
		for _, l := range ws.lines() {
			label, value, _ := strings.Cut(l, ": ")
			fmt.Fprintf(tw, "%s\t%s\n", label, value)
		}
	}
	for _, n := range r.Notes {
		if r.Weather != nil && strings.HasPrefix(n, "weather ") {
			continue
		}
		fmt.Fprintf(tw, "note\t%s\n", n)
	}
	_ = tw.Flush()
}

func (r *report) writeJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("cannot encode report: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("cannot write report: %w", err)
	}
	return nil
}

func readReport(path string) (*report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read report: %w", err)
	}
	var r report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("cannot parse report %q: %w", path, err)
	}
	return &r, nil
}
