package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// The scale bench (issue 18, `make bench-scale`) measures what production-size data does to
// merino-go: the same runs against two servers that differ only in their data. The full-size
// server runs with the environment data/gen/scale/scale.sh prints (five Wikipedias, adm on
// ten MARS segments); the sample server runs with that same environment but the repository's
// samples (the 4,000-article English index, data/amp.json for every segment). Both run at
// once, idle but for the run in progress. Each run is made --repeat times per server, in the
// order sample, full, full, sample, ... so that a slow moment of a shared machine falls on
// both, and each server's best is kept (the highest rate, the lowest p99: noise only ever
// adds latency); a ceiling step that is not sustained is tried once more before the search
// counts it as failed. Every figure is quoted as the ratio full-size / sample of the same
// session.

// Scale goals of issue 18.
const (
	scaleMinThroughputRatio = 0.8  // full-size throughput / sample throughput
	scaleMaxP99At8000       = 2.0  // ms, full-size, at 8,000 requests/s
	scaleGoalRate           = 8000 // the rate the p99 goal is at
)

// readScaleEnv reads KEY=VALUE lines (scale.sh env's output): blank lines and # comments
// are skipped, every key must be a MERINO_ variable, and the listen addresses are dropped
// (the bench gives each server free ports).
func readScaleEnv(r io.Reader) ([]string, error) {
	var env []string
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, _, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(key, "MERINO_") || strings.ContainsAny(key, " \t") {
			return nil, fmt.Errorf("line %d: want MERINO_KEY=value, got %q", n, line)
		}
		if key == "MERINO_HTTP__LISTEN" || key == "MERINO_HTTP__ADMIN_LISTEN" {
			continue
		}
		env = append(env, line)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(env) == 0 {
		return nil, errors.New("no MERINO_ settings")
	}
	return env, nil
}

// sampleEnv is full with the data sets swapped for the repository's samples: the Wikipedia
// index make builds from the bundled sample (English only, so only en is configured), and
// adm's file backend, which serves data/amp.json to every segment.
func sampleEnv(full []string, repo string) []string {
	var env []string
	for _, kv := range full {
		if strings.HasPrefix(kv, "MERINO_PROVIDERS__WIKIPEDIA__") || strings.HasPrefix(kv, "MERINO_PROVIDERS__ADM__") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"MERINO_PROVIDERS__WIKIPEDIA__INDEX_DIR="+filepath.Join(repo, "data", "wikipedia-index"),
		`MERINO_PROVIDERS__WIKIPEDIA__LANGUAGES=["en"]`,
		"MERINO_PROVIDERS__ADM__BACKEND=file",
		"MERINO_PROVIDERS__ADM__FILE_PATH="+filepath.Join(repo, "data", "amp.json"),
	)
}

// scaleSide is one server's figures of a row.
type scaleSide struct {
	RPS float64 `json:"rps"` // achieved rate, or the ceiling
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
	// CPU is the server's CPU time per request of a fixed-rate run, in microseconds
	// (process_cpu_seconds_total over the run, warm-up included): what the throughput of a
	// CPU-bound server is the inverse of, and, unlike the ceiling, hardly moved by what else
	// the machine runs.
	CPU float64 `json:"cpu_us_per_request,omitempty"`
}

// scaleRow is one run on both servers.
type scaleRow struct {
	Run             string    `json:"run"`
	Rate            float64   `json:"requested_rps,omitempty"` // 0 for the ceiling
	Sample          scaleSide `json:"sample"`
	Full            scaleSide `json:"full_size"`
	ThroughputRatio float64   `json:"throughput_ratio"` // full / sample
	P99Ratio        float64   `json:"p99_ratio"`        // full / sample
	// CPUThroughputRatio is the sample's CPU per request over the full-size server's: the
	// throughput ratio the two would have when CPU-bound (fixed-rate runs only).
	CPUThroughputRatio float64 `json:"cpu_throughput_ratio,omitempty"`
}

func newScaleRow(run string, rate float64, sample, full scaleSide) scaleRow {
	r := scaleRow{Run: run, Rate: rate, Sample: sample, Full: full}
	if sample.RPS > 0 {
		r.ThroughputRatio = full.RPS / sample.RPS
	}
	if sample.P99 > 0 {
		r.P99Ratio = full.P99 / sample.P99
	}
	if full.CPU > 0 {
		r.CPUThroughputRatio = sample.CPU / full.CPU
	}
	return r
}

func sideOf(r *report) scaleSide {
	return scaleSide{RPS: r.Achieved, P50: r.Latency.P50, P99: r.Latency.P99}
}

// cpuSeconds reads the server's process_cpu_seconds_total.
func cpuSeconds(admin string) (float64, error) {
	m, err := scrapeMetrics(admin)
	if err != nil {
		return 0, err
	}
	v, ok := m["process_cpu_seconds_total"]
	if !ok {
		return 0, fmt.Errorf("%s/metrics has no process_cpu_seconds_total", admin)
	}
	return v, nil
}

// best keeps the better of two runs of one server: the higher rate, and the lower
// latencies (the zero side is no run yet).
func best(a, b scaleSide) scaleSide {
	if a == (scaleSide{}) {
		return b
	}
	return scaleSide{RPS: max(a.RPS, b.RPS), P50: min(a.P50, b.P50), P99: min(a.P99, b.P99), CPU: min(a.CPU, b.CPU)}
}

// ceilingSide is a ceiling's figures: the rate and the latencies of its highest sustained step.
func ceilingSide(c ceilingResult) scaleSide {
	s := scaleSide{RPS: c.Ceiling}
	for _, st := range c.Steps {
		if st.Sustained && st.Rate == c.Ceiling {
			s.P50, s.P99 = st.P50, st.P99
		}
	}
	return s
}

// scaleGoal is one goal of the issue, with its figure.
type scaleGoal struct {
	Goal     string  `json:"goal"`
	Measured float64 `json:"measured"`
	Met      bool    `json:"met"`
}

// scaleGoals evaluates the goals on the rows: the throughput ratio on every row
// (at a fixed rate both servers should keep up; the ceiling is where they differ), the
// full-size p99 at 8,000 requests/s.
func scaleGoals(rows []scaleRow) []scaleGoal {
	var goals []scaleGoal
	for _, r := range rows {
		goals = append(goals, scaleGoal{Goal: fmt.Sprintf("throughput ratio >= %.1f (%s)", scaleMinThroughputRatio, r.Run),
			Measured: r.ThroughputRatio, Met: r.ThroughputRatio >= scaleMinThroughputRatio})
		if r.CPUThroughputRatio > 0 {
			goals = append(goals, scaleGoal{Goal: fmt.Sprintf("CPU throughput ratio >= %.1f (%s)", scaleMinThroughputRatio, r.Run),
				Measured: r.CPUThroughputRatio, Met: r.CPUThroughputRatio >= scaleMinThroughputRatio})
		}
		if r.Rate == scaleGoalRate {
			goals = append(goals, scaleGoal{Goal: fmt.Sprintf("full-size p99 <= %.0f ms at %d req/s", scaleMaxP99At8000, scaleGoalRate),
				Measured: r.Full.P99, Met: r.Full.P99 <= scaleMaxP99At8000})
		}
	}
	return goals
}

func writeScaleTable(w io.Writer, rows []scaleRow, goals []scaleGoal) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "run\tsample req/s\tp50\tp99\tCPU/req\tfull req/s\tp50\tp99\tCPU/req\tthroughput full/sample\tby CPU\tp99 full/sample")
	cpu := func(us float64) string {
		if us == 0 {
			return "-"
		}
		return strconv.FormatFloat(us, 'f', 1, 64) + "µs"
	}
	for _, r := range rows {
		byCPU := "-"
		if r.CPUThroughputRatio > 0 {
			byCPU = strconv.FormatFloat(r.CPUThroughputRatio, 'f', 2, 64)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%.2f\t%s\t%.2f\n", r.Run,
			r.Sample.RPS, fmtMs(r.Sample.P50), fmtMs(r.Sample.P99), cpu(r.Sample.CPU),
			r.Full.RPS, fmtMs(r.Full.P50), fmtMs(r.Full.P99), cpu(r.Full.CPU), r.ThroughputRatio, byCPU, r.P99Ratio)
	}
	_ = tw.Flush()
	for _, g := range goals {
		verdict := "MET"
		if !g.Met {
			verdict = "MISSED"
		}
		fmt.Fprintf(w, "goal: %-45s measured %.3f: %s\n", g.Goal, g.Measured, verdict)
	}
}

func cmdScale(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scale", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs, 64)
	envFile := fs.String("scale-env", "", "the full-size server's MERINO_* settings, one KEY=value a line (data/gen/scale/scale.sh env)")
	ratesFlag := fs.String("rates", "1500,8000", "the fixed rates, comma-separated")
	duration := fs.Duration("duration", 30*time.Second, "measured duration of each fixed-rate run")
	warmup := fs.Duration("warmup", 5*time.Second, "warm-up of each fixed-rate run")
	ceiling := fs.Bool("ceiling", true, "also search each server's ceiling")
	repeat := fs.Int("repeat", 2, "runs of each kind per server; each server's best counts")
	var o ceilingOpts
	o.register(fs, "ceiling step", 2000, 3*time.Second, time.Second)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var rates []float64
	for _, f := range strings.Split(*ratesFlag, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || r <= 0 {
			fmt.Fprintf(stderr, "bench: --rates %q: want positive numbers\n", *ratesFlag)
			return 2
		}
		rates = append(rates, r)
	}
	if *envFile == "" || c.url != "" || *duration < time.Second || *repeat < 1 {
		fmt.Fprintln(stderr, "bench: scale needs --scale-env (and starts both servers itself: no --url), --duration >= 1s, --repeat >= 1")
		return 2
	}
	f, err := os.Open(*envFile)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	full, err := readScaleEnv(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "bench: %s: %v\n", *envFile, err)
		return 1
	}
	sc, err := findScenario(c.scenario)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	repo, err := findRepo()
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	out := c.out
	if out == "" {
		out = filepath.Join(repo, "bench", "out", "scale-"+c.scenario+"-"+time.Now().Format("20060102-150405"))
	}
	extra := c.serverEnv
	open := func(name string, env []string) (*setup, int) {
		c.serverEnv = append(append([]string(nil), env...), extra...)
		c.out = filepath.Join(out, name)
		fmt.Fprintf(stderr, "bench: the %s server\n", name)
		return c.open(ctx, "scale", sc, stdout, stderr)
	}
	sample, code := open("sample", sampleEnv(full, repo))
	if sample == nil {
		return code
	}
	defer sample.close()
	fullSrv, code := open("full-size", full)
	if fullSrv == nil {
		return code
	}
	defer fullSrv.close()

	servers := [2]*setup{sample, fullSrv}
	names := [2]string{"sample", "full-size"}
	// order is the server of each of n runs: 0 1 1 0 0 1 1 0 ...
	order := func(n int) []int {
		var o []int
		for i := 0; i < n; i++ {
			o = append(o, i%2, 1-i%2)
		}
		return o
	}
	var rows []scaleRow
	for _, rate := range rates {
		p := plan{rate: rate, duration: *duration, warmup: *warmup, connections: c.connections, timeout: c.timeout}
		var sides [2]scaleSide
		for k, i := range order(*repeat) {
			s := servers[i]
			cpu0, err := cpuSeconds(s.admin)
			if err != nil {
				fmt.Fprintln(stderr, "bench:", err)
				return 1
			}
			r, err := s.run(ctx, sc, p, c.seed, stderr)
			if err != nil {
				fmt.Fprintln(stderr, "bench:", err)
				return 1
			}
			cpu1, err := cpuSeconds(s.admin)
			if err != nil {
				fmt.Fprintln(stderr, "bench:", err)
				return 1
			}
			fmt.Fprintf(stdout, "== %s server, %.0f req/s, run %d\n", names[i], rate, k/2+1)
			r.writeSummary(stdout)
			if err := r.writeJSON(filepath.Join(s.out, fmt.Sprintf("report-%.0f-%d.json", rate, k/2+1))); err != nil {
				fmt.Fprintln(stderr, "bench:", err)
				return 1
			}
			if n := r.failed(); n > 0 {
				fmt.Fprintf(stdout, "note: %d failed requests at %.0f req/s (%s)\n", n, rate, names[i])
			}
			side := sideOf(r)
			side.CPU = (cpu1 - cpu0) / float64(p.total()) * 1e6
			fmt.Fprintf(stdout, "cpu\t%.1f µs a request (%.1f s for %d requests)\n", side.CPU, cpu1-cpu0, p.total())
			sides[i] = best(sides[i], side)
		}
		rows = append(rows, newScaleRow(fmt.Sprintf("%.0f req/s", rate), rate, sides[0], sides[1]))
	}
	var ceilings []ceilingResult
	if *ceiling {
		o.connections, o.timeout, o.retries = 128, c.timeout, 1
		st, err := buildStream(sc, sample.corpus, sample.providers, 1<<19, c.seed)
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		var sides [2]scaleSide
		for _, i := range order(*repeat) {
			t, err := parseTarget(servers[i].url)
			if err != nil {
				fmt.Fprintln(stderr, "bench:", err)
				return 1
			}
			fmt.Fprintf(stdout, "ceiling: %s at %s\n", names[i], servers[i].url)
			res := findCeiling(ctx, names[i], t, st, o, stdout)
			ceilings = append(ceilings, res)
			if cs := ceilingSide(res); cs.RPS > sides[i].RPS {
				sides[i] = cs // the highest ceiling, with the latencies of its step
			}
		}
		rows = append(rows, newScaleRow("ceiling", 0, sides[0], sides[1]))
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stdout, "FAIL: interrupted")
		return 1
	}
	goals := scaleGoals(rows)
	fmt.Fprintln(stdout)
	writeScaleTable(stdout, rows, goals)
	path := filepath.Join(out, "scale.json")
	if err := writeJSONFile(path, struct {
		Scenario string          `json:"scenario"`
		Rows     []scaleRow      `json:"rows"`
		Goals    []scaleGoal     `json:"goals"`
		Ceilings []ceilingResult `json:"ceilings,omitempty"`
		FullEnv  []string        `json:"full_size_env"`
	}{sc.name, rows, goals, ceilings, full}); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	fmt.Fprintln(stdout, "report:", path)
	return 0
}
