// Command bench is merino-go's load generator and report maker.
//
//	go run ./bench run       open-loop load at a constant rate; report, chart, target check
//	go run ./bench ceiling   the highest rate against a no-work server, then merino-go's, and the ratio
//	go run ./bench scale     the same runs on full-size and on sample data, and their ratios (scale.go)
//	go run ./bench scenarios list the scenarios and where their data comes from
//	go run ./bench samples   regenerate bench/samples from ../shared/data
//
// Without --url, run and ceiling build ./cmd/merino and start it (MERINO_ENV=development) on a
// free loopback port, and stop it at the end; for a scenario with weather they also start a
// fake AccuWeather and give the server a geolocation database (weather.go). See generator.go
// for how latency is measured, scenarios.go for the traffic, ceiling.go for the ceiling's
// method.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: go run ./bench <command> [flags]

commands:
  run        drive a scenario at a constant arrival rate, report and check the targets
  ceiling    find the highest sustained rate of a no-work server and of merino-go
  scale      fixed-rate runs and ceilings on a full-size server beside a sample one
  scenarios  list the scenarios and their data
  samples    regenerate bench/samples from ../shared/data

"go run ./bench <command> -h" lists a command's flags.
`

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "run":
		return cmdRun(ctx, args[1:], stdout, stderr)
	case "ceiling":
		return cmdCeiling(ctx, args[1:], stdout, stderr)
	case "scale":
		return cmdScale(ctx, args[1:], stdout, stderr)
	case "scenarios":
		return cmdScenarios(args[1:], stdout, stderr)
	case "samples":
		return cmdSamples(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "bench: unknown command %q\n%s", args[0], usage)
	return 2
}

// common are the flags of run and ceiling.
type common struct {
	url         string
	scenario    string
	connections int
	timeout     time.Duration
	seed        uint64
	data        string
	out         string
	serverEnv   multiFlag

	fakeAccuWeather bool
	weatherCache    string
	geoip           string
	adminURL        string
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (c *common) register(fs *flag.FlagSet, connections int) {
	fs.StringVar(&c.url, "url", "", "base URL of a running server (http://host:port); empty: build and start merino-go")
	fs.StringVar(&c.scenario, "scenario", "firefox", "traffic scenario (go run ./bench scenarios)")
	fs.IntVar(&c.connections, "connections", connections, "concurrent connections (one worker each)")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Second, "per-request timeout; later answers count as transport errors")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the request stream (same seed, same requests)")
	fs.StringVar(&c.data, "data", "", "shared data directory (default: ../shared/data beside the repository)")
	fs.StringVar(&c.out, "out", "", "output directory (default: bench/out/<command>-<scenario>-<time>)")
	fs.Var(&c.serverEnv, "server-env", "MERINO_KEY=value for the started server (repeatable; wins over the bench's own settings)")
	fs.BoolVar(&c.fakeAccuWeather, "fake-accuweather", true, "for a scenario with weather, start a fake AccuWeather and point the started server's accuweather provider at it (ignored with --url)")
	fs.StringVar(&c.weatherCache, "weather-cache", "memory", "the accuweather provider's cache with --fake-accuweather: memory, redis (starts a redis-server from PATH) or none")
	fs.StringVar(&c.geoip, "geoip", "", "geolocation database with --fake-accuweather: empty = the real GeoLite2 under --data when present, else the bundled test database; \"test\" = the bundled test database; or an .mmdb(.gz) path")
	fs.StringVar(&c.adminURL, "admin-url", "", "with --url: the server's admin listener (http://host:port), scraped for the weather cache counters")
}

// setup holds what run and ceiling share: the repository, the server and the corpus.
type setup struct {
	repo      string
	url       string
	admin     string // the server's admin listener, "" when unknown
	providers map[string]bool
	corpus    *corpus
	merino    *merinoProc
	weather   *weatherBackend // nil unless the bench started a fake AccuWeather
	out       string
}

// open is setup for a command: a missing redis-server is a skip (exit 0), any other failure
// exit 1; s is nil when the command must stop with code.
func (c *common) open(ctx context.Context, command string, sc *scenario, stdout, stderr io.Writer) (s *setup, code int) {
	s, err := c.setup(ctx, command, sc, stderr)
	if errors.Is(err, errNoRedis) {
		fmt.Fprintln(stdout, "SKIP:", err)
		return nil, 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return nil, 1
	}
	return s, 0
}

func (c *common) setup(ctx context.Context, command string, sc *scenario, stderr io.Writer) (_ *setup, err error) {
	repo, data, err := findData(c.data)
	if err != nil {
		return nil, err
	}
	c.data = data
	s := &setup{repo: repo, url: c.url, admin: c.adminURL}
	s.corpus = loadCorpus(dataPaths{repo: repo, shared: c.data})
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if s.url == "" {
		var env []string
		if c.fakeAccuWeather && sc.needsWeather() {
			fmt.Fprintf(stderr, "bench: starting a fake AccuWeather (cache %s)...\n", c.weatherCache)
			w, err := startWeather(c.data, c.weatherCache, c.geoip)
			if err != nil {
				return nil, err
			}
			s.weather = w
			env = append(env, w.env...)
			fmt.Fprintf(stderr, "bench: fake AccuWeather at %s; geolocation: %s\n", w.fake.URL, w.geoip)
		}
		env = append(env, c.serverEnv...)
		fmt.Fprintln(stderr, "bench: building and starting merino-go (MERINO_ENV=development)...")
		m, err := startMerino(ctx, repo, env)
		if err != nil {
			return nil, err
		}
		s.merino, s.url, s.admin = m, m.url, m.admin
	}
	s.providers, err = listProviders(s.url)
	if err != nil {
		return nil, err
	}
	s.out = c.out
	if s.out == "" {
		s.out = filepath.Join(repo, "bench", "out", fmt.Sprintf("%s-%s-%s", command, c.scenario, time.Now().Format("20060102-150405")))
	}
	if err := os.MkdirAll(s.out, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create %q: %w", s.out, err)
	}
	return s, nil
}

// close stops the server, then what it used.
func (s *setup) close() {
	if s.merino != nil {
		s.merino.stop()
		s.merino = nil
	}
	if s.weather != nil {
		s.weather.close()
		s.weather = nil
	}
}

// run drives the stream of sc at p and returns the report; for a scenario with weather the
// report holds the cache and upstream counters of the measured window.
func (s *setup) run(ctx context.Context, sc *scenario, p plan, seed uint64, stderr io.Writer) (*report, error) {
	st, err := buildStream(sc, s.corpus, s.providers, streamLen(p.rate, p.warmup+p.duration), seed)
	if err != nil {
		return nil, err
	}
	for _, n := range st.notes {
		fmt.Fprintln(stderr, "bench: note:", n)
	}
	t, err := parseTarget(s.url)
	if err != nil {
		return nil, err
	}
	weather := sc.needsWeather() && slices.Contains(st.kinds, "weather")
	var fake *weathertest.Fake
	cache, geoip := "unknown (--url)", ""
	if s.weather != nil {
		fake, cache, geoip = s.weather.fake, s.weather.cache, s.weather.geoip
	}
	var before weatherSnapshot
	beforeDone := make(chan struct{})
	if weather {
		p.atWindow = func() {
			before = snapshotWeather(s.admin, fake)
			close(beforeDone)
		}
	}
	fmt.Fprintf(stderr, "bench: %s at %.0f req/s for %s (+%s warm-up) against %s\n", sc.name, p.rate, p.duration, p.warmup, s.url)
	started := time.Now()
	col := generate(ctx, t, st.items, st.kinds, p)
	r := newReport(col, st, s.url, started)
	if weather {
		select {
		case <-beforeDone:
			after := snapshotWeather(s.admin, fake)
			r.Weather = weatherDelta(before, after, cache, geoip)
			r.Weather.NoContent = col.status[204] // a 204 to anything but weather is a bad body
			r.Weather.Requests = r.ByKind["weather"].Requests
			r.Notes = append(r.Notes, r.Weather.lines()...)
		default: // interrupted before the window began
		}
	}
	return r, nil
}

// streamLen is how many distinct requests a run cycles through: enough that a 60 s run at
// the target rate never repeats, few enough to build in well under a second.
func streamLen(rate float64, d time.Duration) int {
	return max(1, min(int(rate*d.Seconds())+1, 1<<19))
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs, 64)
	rate := fs.Float64("rate", 1500, "requests per second (constant arrival rate)")
	duration := fs.Duration("duration", 60*time.Second, "measured duration")
	warmup := fs.Duration("warmup", 5*time.Second, "warm-up before the measured duration (sent, not recorded)")
	targetRPS := fs.Float64("target-rps", -1, "fail when the achieved rate is below 99 % of this (0: no check; default: --rate)")
	targetP95 := fs.Duration("target-p95", 200*time.Millisecond, "fail when p95 is above this (0: no check)")
	chart := fs.Bool("chart", true, "draw latency.png")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *targetRPS < 0 {
		*targetRPS = *rate
	}
	if *rate <= 0 || *duration < time.Second || *warmup < 0 || c.connections < 1 {
		fmt.Fprintln(stderr, "bench: --rate must be > 0, --duration >= 1s, --warmup >= 0, --connections >= 1")
		return 2
	}
	sc, err := findScenario(c.scenario)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	s, code := c.open(ctx, "run", sc, stdout, stderr)
	if s == nil {
		return code
	}
	defer s.close()
	p := plan{rate: *rate, duration: *duration, warmup: *warmup, connections: c.connections, timeout: c.timeout}
	r, err := s.run(ctx, sc, p, c.seed, stderr)
	if errors.Is(err, errSkip) {
		fmt.Fprintln(stdout, "SKIP:", strings.TrimPrefix(err.Error(), errSkip.Error()+": "))
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	res := targets{rps: *targetRPS, p95: *targetP95}.check(r)
	r.Targets = &res
	r.writeSummary(stdout)
	if err := r.writeJSON(filepath.Join(s.out, "report.json")); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	fmt.Fprintln(stdout, "report:", filepath.Join(s.out, "report.json"))
	if *chart {
		path := filepath.Join(s.out, "latency.png")
		if err := writeChart(r, path); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		fmt.Fprintln(stdout, "chart: ", path)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stdout, "FAIL: interrupted")
		return 1
	}
	fmt.Fprintln(stdout, res.line(r))
	if !res.Pass {
		return 1
	}
	return 0
}

func cmdCeiling(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ceiling", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs, 128)
	var o ceilingOpts
	o.register(fs, "step", 1000, 2*time.Second, 500*time.Millisecond)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	o.connections, o.timeout = c.connections, c.timeout
	sc, err := findScenario(c.scenario)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	s, code := c.open(ctx, "ceiling", sc, stdout, stderr)
	if s == nil {
		return code
	}
	defer s.close()
	st, err := buildStream(sc, s.corpus, s.providers, 1<<19, c.seed)
	if errors.Is(err, errSkip) {
		fmt.Fprintln(stdout, "SKIP:", strings.TrimPrefix(err.Error(), errSkip.Error()+": "))
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	addr, stopFixed, err := fixedServer()
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	fmt.Fprintf(stdout, "ceiling: no-work fasthttp server, %s requests, %d connections, steps of %s\n", sc.name, o.connections, o.step)
	fixed := findCeiling(ctx, "no-work", target{addr: addr, host: addr}, st, o, stdout)
	stopFixed()
	t, err := parseTarget(s.url)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	fmt.Fprintf(stdout, "ceiling: merino-go at %s\n", s.url)
	merino := findCeiling(ctx, "merino-go", t, st, o, stdout)
	ratio := 0.0
	if fixed.Ceiling > 0 {
		ratio = merino.Ceiling / fixed.Ceiling
	}
	out := struct {
		Scenario string          `json:"scenario"`
		Results  []ceilingResult `json:"results"`
		Ratio    float64         `json:"ratio"`
	}{sc.name, []ceilingResult{fixed, merino}, ratio}
	path := filepath.Join(s.out, "ceiling.json")
	if err := writeJSONFile(path, out); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	fmt.Fprintf(stdout, "CEILING: no-work server %.0f req/s; merino-go %s %.0f req/s = %.1f%% of the ceiling (%s)\n",
		fixed.Ceiling, sc.name, merino.Ceiling, 100*ratio, path)
	if ctx.Err() != nil {
		return 1
	}
	return 0
}

func cmdScenarios(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scenarios", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "shared data directory (default: ../shared/data beside the repository)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	repo, shared, err := findData(*data)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	*data = shared
	c := loadCorpus(dataPaths{repo: repo, shared: *data})
	for _, s := range scenarios {
		fmt.Fprintf(stdout, "%-10s %s\n", s.name, s.doc)
	}
	fmt.Fprintln(stdout, "\ndata:")
	for _, k := range sortedKeys(c.origin) {
		n := len(c.get(k))
		switch k {
		case "ip-united_states_of_america":
			n = len(c.ipv4[0])
		case "ip-canada":
			n = len(c.ipv4[1])
		}
		fmt.Fprintf(stdout, "  %-28s %7d  %s\n", k, n, c.origin[k])
	}
	return 0
}
