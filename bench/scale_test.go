package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestReadScaleEnv(t *testing.T) {
	env, err := readScaleEnv(strings.NewReader(`# from scale.sh env
MERINO_ENV=production
MERINO_HTTP__LISTEN=127.0.0.1:18300

MERINO_HTTP__ADMIN_LISTEN=127.0.0.1:18301
MERINO_PROVIDERS__WIKIPEDIA__LANGUAGES=["en","fr"]
MERINO_PROVIDERS__ADM__BACKEND=mars
MERINO_MARS__BASE_URL=http://127.0.0.1:18310/v1/suggest/
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"MERINO_ENV=production", `MERINO_PROVIDERS__WIKIPEDIA__LANGUAGES=["en","fr"]`, "MERINO_PROVIDERS__ADM__BACKEND=mars",
		"MERINO_MARS__BASE_URL=http://127.0.0.1:18310/v1/suggest/"}
	if !slices.Equal(env, want) {
		t.Errorf("got %q", env)
	}
	// The sample server: the same settings, the samples for data.
	got := sampleEnv(env, "/repo")
	want = []string{"MERINO_ENV=production", "MERINO_MARS__BASE_URL=http://127.0.0.1:18310/v1/suggest/",
		"MERINO_PROVIDERS__WIKIPEDIA__INDEX_DIR=/repo/data/wikipedia-index", `MERINO_PROVIDERS__WIKIPEDIA__LANGUAGES=["en"]`,
		"MERINO_PROVIDERS__ADM__BACKEND=file", "MERINO_PROVIDERS__ADM__FILE_PATH=/repo/data/amp.json"}
	if !slices.Equal(got, want) {
		t.Errorf("sample env %q", got)
	}
	for _, bad := range []string{"PATH=/bin", "MERINO_ENV", "MERINO ENV=x", "", "# only a comment"} {
		if _, err := readScaleEnv(strings.NewReader(bad)); err == nil {
			t.Errorf("%q read", bad)
		}
	}
}

func TestScaleRowsAndGoals(t *testing.T) {
	rows := []scaleRow{
		newScaleRow("1500 req/s", 1500, scaleSide{RPS: 1500, P99: 0.5, CPU: 40}, scaleSide{RPS: 1499, P99: 0.8, CPU: 60}),
		newScaleRow("8000 req/s", 8000, scaleSide{RPS: 8000, P99: 1}, scaleSide{RPS: 7900, P99: 2.5}),
		newScaleRow("ceiling", 0, scaleSide{RPS: 20000}, scaleSide{RPS: 15000}),
	}
	if r := rows[2]; r.ThroughputRatio != 0.75 || r.P99Ratio != 0 {
		t.Errorf("ceiling row %+v", r)
	}
	if r := rows[1]; r.P99Ratio != 2.5 || r.CPUThroughputRatio != 0 {
		t.Errorf("8000 row %+v", r)
	}
	if r := rows[0]; r.CPUThroughputRatio != 40.0/60 {
		t.Errorf("1500 row %+v", r)
	}
	goals := scaleGoals(rows)
	var missed []string
	for _, g := range goals {
		if !g.Met {
			missed = append(missed, g.Goal)
		}
	}
	want := []string{"CPU throughput ratio >= 0.8 (1500 req/s)", "full-size p99 <= 2 ms at 8000 req/s", "throughput ratio >= 0.8 (ceiling)"}
	if len(goals) != 5 || !slices.Equal(missed, want) {
		t.Errorf("goals %+v, missed %q", goals, missed)
	}
	var buf bytes.Buffer
	writeScaleTable(&buf, rows, goals)
	if !strings.Contains(buf.String(), "ceiling") || strings.Count(buf.String(), "MISSED") != 3 {
		t.Errorf("table:\n%s", buf.String())
	}
}

func TestCeilingSide(t *testing.T) {
	c := ceilingResult{Ceiling: 3000, Steps: []ceilingStep{
		{Rate: 2000, P50: 0.1, P99: 0.4, Sustained: true},
		{Rate: 4500, P50: 9, P99: 90},
		{Rate: 3000, P50: 0.2, P99: 0.9, Sustained: true},
	}}
	if got := ceilingSide(c); got != (scaleSide{RPS: 3000, P50: 0.2, P99: 0.9}) {
		t.Errorf("%+v", got)
	}
}

func TestBest(t *testing.T) {
	a := scaleSide{RPS: 7990, P50: 0.3, P99: 1.9}
	b := scaleSide{RPS: 8000, P50: 0.4, P99: 1.2}
	a.CPU, b.CPU = 50, 45
	if got := best(best(scaleSide{}, a), b); got != (scaleSide{RPS: 8000, P50: 0.3, P99: 1.2, CPU: 45}) {
		t.Errorf("%+v", got)
	}
}
