package main

import (
	"fmt"
	"strings"
	"time"
)

// targets are the pass criteria of a run: merino-py's load-test promise (1500 requests/s,
// client p95 <= 200 ms, no 5xx), made stricter by also failing on transport errors and on
// 200 responses that are not a SuggestResponse.
type targets struct {
	rps float64       // 0: no rate check
	p95 time.Duration // 0: no latency check
}

// rateTolerance is the share of the target rate a run must achieve.
const rateTolerance = 0.99

type targetResult struct {
	TargetRPS   float64  `json:"target_rps"`
	TargetP95MS float64  `json:"target_p95_ms"`
	Pass        bool     `json:"pass"`
	Failures    []string `json:"failures,omitempty"`
}

// check returns what r fails of t, one phrase per failure.
func (t targets) check(r *report) targetResult {
	res := targetResult{TargetRPS: t.rps, TargetP95MS: float64(t.p95) / float64(time.Millisecond)}
	if t.rps > 0 && r.Achieved < rateTolerance*t.rps {
		res.Failures = append(res.Failures, fmt.Sprintf("achieved %.1f req/s < 99%% of target %.0f req/s", r.Achieved, t.rps))
	}
	if t.p95 > 0 && r.Latency.P95 > res.TargetP95MS {
		res.Failures = append(res.Failures, fmt.Sprintf("p95 %s > target %s", fmtMs(r.Latency.P95), t.p95))
	}
	if n := r.errors5xx(); n > 0 {
		res.Failures = append(res.Failures, fmt.Sprintf("%d 5xx responses", n))
	}
	if n := r.transportErrors(); n > 0 {
		res.Failures = append(res.Failures, fmt.Sprintf("%d transport errors", n))
	}
	if r.BadBodies > 0 {
		res.Failures = append(res.Failures, fmt.Sprintf("%d responses with a wrong body (200 without a SuggestResponse body, or 204 to a request that is not weather-only)", r.BadBodies))
	}
	if r.Requests == 0 {
		res.Failures = append(res.Failures, "no requests in the measured window")
	}
	res.Pass = len(res.Failures) == 0
	return res
}

// line is the one line a person or CI reads.
func (res targetResult) line(r *report) string {
	if res.Pass {
		line := fmt.Sprintf("PASS: %s %.1f req/s (target %.0f), p95 %s (target %s), p99 %s, no errors",
			r.Scenario, r.Achieved, res.TargetRPS, fmtMs(r.Latency.P95), fmtMs(res.TargetP95MS), fmtMs(r.Latency.P99))
		if ws := r.Weather; ws != nil && ws.HitRatio >= 0 {
			line += fmt.Sprintf(", weather cache hit ratio %.1f%%", 100*ws.HitRatio)
		}
		return line
	}
	return "FAIL: " + r.Scenario + ": " + strings.Join(res.Failures, "; ")
}
