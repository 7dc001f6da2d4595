package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/deploy/local/fleet"
	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

// TestFleet is issue 18's fleet test (make test-fleet): the firefox mix at 1500 requests/s
// through HAProxy to three replicas sharing one Redis (deploy/local), while
//
//	(a) every replica is rolled in turn (SIGTERM, drain, start, wait until HAProxy sends it
//	    traffic): no request may fail;
//	(b) one replica is killed (SIGKILL): the requests that fail are counted and may be no
//	    more than those in flight as it died, and HAProxy takes it out of rotation within
//	    its health check's detection time (fleet.Check), after which no request fails;
//	(c) then, with the load stopped, one location's weather is asked of every replica and
//	    through the load balancer: the shared Redis makes it one AccuWeather call of each
//	    kind, and a query asked of every replica at once is computed once (redis_cache's
//	    lock).
//
// A failed request is a transport error, a 5xx or a body that is not a suggest response.
// It needs haproxy and redis-server (deploy/local/fleet.sh deps) and takes about a minute.
func TestFleet(t *testing.T) {
	if os.Getenv("MERINO_FLEET") == "" {
		t.Skip("the fleet test runs with MERINO_FLEET=1 (make test-fleet): it needs haproxy and redis-server, and a minute of the machine")
	}
	repo, shared, err := findData("")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "merino")
	build := exec.Command("go", "build", "-o", bin, "./cmd/merino")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("cannot build merino: %v\n%s", err, out)
	}
	f, err := fleet.Start(fleet.Options{
		Repo: repo, Binary: bin, Dir: dir, Replicas: 3, RecordWeatherPaths: true,
		Env: wikipediaIndexEnv(t, repo, bin), Log: testLog{t},
	})
	if err != nil {
		t.Fatal(err) // asked for with MERINO_FLEET: a missing haproxy or redis-server fails
	}
	t.Cleanup(f.Close)

	providers, err := listProviders(f.URL)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := findScenario("firefox")
	st, err := buildStream(sc, loadCorpus(dataPaths{repo: repo, shared: shared}), providers, 1<<17, 1)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := parseTarget(f.URL)
	if err != nil {
		t.Fatal(err)
	}
	var samples []sample // written by the collector's goroutine, read once generate returns
	start := time.Now()
	p := plan{rate: 1500, duration: 10 * time.Minute, connections: 64, timeout: 5 * time.Second,
		start: start, observe: func(s sample) { samples = append(samples, s) }}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		generate(ctx, tg, st.items, st.kinds, p)
	}()
	at := func() time.Duration { return time.Since(start) }

	time.Sleep(3 * time.Second) // warm connections and caches
	// (a) A rollout.
	var rolls []fleet.Roll
	for _, r := range f.Replicas {
		roll, err := f.Roll(r)
		if err != nil {
			stop()
			t.Fatal(err)
		}
		rolls = append(rolls, roll)
	}
	time.Sleep(2 * time.Second)

	// (b) A crash.
	victim := f.Replicas[1]
	before, err := f.Proxy.Server(victim.Name)
	if err != nil {
		t.Fatal(err)
	}
	kill := at()
	if err := victim.Kill(); err != nil {
		t.Fatal(err)
	}
	died := at()
	out, err := f.Proxy.WaitServer(victim.Name, false, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	outAt := died + out
	atOut, _ := f.Proxy.Server(victim.Name)
	time.Sleep(3 * time.Second) // the others carry the load alone
	later, _ := f.Proxy.Server(victim.Name)
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WaitReady(victim, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	stop()
	<-loadDone
	end := at()

	// Accounting, by when each request ended: before the kill is the rollout's.
	failed := func(s *sample) bool { return s.err != errNone || s.status >= 500 || s.badBody }
	var a, b phaseCount
	inFlight := 0
	for i := range samples {
		s := &samples[i]
		if s.sent <= died && s.done > kill {
			inFlight++
		}
		ph := &a
		if s.done >= kill {
			ph = &b
		}
		ph.add(s, failed(s))
		if failed(s) && s.sent > outAt {
			t.Errorf("a request sent %v after the kill, once HAProxy had taken the replica out, failed: %s", s.sent-kill, describe(s))
		}
	}
	t.Logf("load: %d requests in %v (%.0f/s)", len(samples), end.Round(time.Millisecond), float64(len(samples))/end.Seconds())
	t.Logf("(a) rollout of %d replicas: %s", len(rolls), a)
	for i, r := range rolls {
		t.Logf("    r%d out of rotation after %v, exited after %v, in rotation again after %v", i, r.Out.Round(time.Millisecond), r.Exited.Round(time.Millisecond), r.Ready.Round(time.Millisecond))
		if r.Out >= 5*time.Second {
			t.Errorf("r%d left the rotation %v after SIGTERM, not within its 5 s drain delay", i, r.Out)
		}
	}
	t.Logf("(b) SIGKILL of %s: %s; %d requests in flight (to any replica) as it died; out of rotation %v after its death (health-check detection %v); HAProxy had sent it %d requests since just before the kill (those it could not answer were retried on the others), %d after",
		victim.Name, b, inFlight, out.Round(time.Millisecond), fleet.Check.Detection(), atOut.Sessions-before.Sessions, later.Sessions-atOut.Sessions)
	if a.failed > 0 {
		t.Errorf("(a) %d requests failed during the rollout, want 0: %s", a.failed, a.examples)
	}
	if b.failed > inFlight {
		t.Errorf("(b) %d requests failed, more than the %d in flight when the replica died: %s", b.failed, inFlight, b.examples)
	}
	if out > fleet.Check.Detection() {
		t.Errorf("(b) HAProxy took %v to take the dead replica out, longer than its detection time %v", out, fleet.Check.Detection())
	}
	if later.Sessions != atOut.Sessions {
		t.Errorf("(b) HAProxy sent the dead replica %d requests after taking it out", later.Sessions-atOut.Sessions)
	}

	weatherFromEveryReplica(t, f)
	cacheSharedByEveryReplica(t, f)
}

// phaseCount counts a phase's requests.
type phaseCount struct {
	requests, failed int
	latencies        []time.Duration
	examples         []string
}

func (c *phaseCount) add(s *sample, failed bool) {
	c.requests++
	if failed {
		c.failed++
		if len(c.examples) < 5 {
			c.examples = append(c.examples, describe(s))
		}
		return
	}
	c.latencies = append(c.latencies, s.latency())
}

func (c phaseCount) String() string {
	slices.Sort(c.latencies)
	q := func(f float64) time.Duration {
		if len(c.latencies) == 0 {
			return 0
		}
		return c.latencies[min(len(c.latencies)-1, int(f*float64(len(c.latencies))))].Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("%d requests, %d failed; latency p50 %v, p99 %v, p99.9 %v, max %v", c.requests, c.failed, q(0.5), q(0.99), q(0.999), q(1))
}

func describe(s *sample) string {
	what := fmt.Sprintf("status %d", s.status)
	if s.err != errNone {
		what = errNames[s.err]
	} else if s.badBody {
		what += " with a bad body"
	}
	return fmt.Sprintf("%s (sent at %v, ended at %v)", what, s.sent.Round(time.Millisecond), s.done.Round(time.Millisecond))
}

// weatherFromEveryReplica is (c): one location asked of each replica in turn, then through
// the load balancer; AccuWeather is called once for each kind of data, and every replica
// but the first answers from the shared cache.
func weatherFromEveryReplica(t *testing.T, f *fleet.Fleet) {
	const country, region, city = "US", "CA", "Fleetville"
	path := "/api/v1/suggest?q=&providers=accuweather&" + url.Values{"country": {country}, "region": {region}, "city": {city}}.Encode()
	key := weathertest.SyntheticKey(country, region, city)
	var before []map[string]float64
	for _, r := range f.Replicas {
		before = append(before, scrape(t, r.AdminURL()))
	}
	ask := func(base string) {
		t.Helper()
		code, body, err := fasthttp.GetTimeout(nil, base+path, 5*time.Second)
		if err != nil || code != 200 || !strings.Contains(string(body), `"city_name":"`+city+`"`) {
			t.Fatalf("weather from %s: %d %v %.200s", base, code, err, body)
		}
	}
	for _, r := range f.Replicas {
		ask(r.URL())
	}
	const throughLB = 30
	for range throughLB {
		ask(f.URL)
	}
	calls := map[string]int{}
	for _, p := range f.AccuWeather.Paths() {
		switch {
		case strings.Contains(p, "q="+city):
			calls["locations"]++
		case strings.Contains(p, "/"+key):
			calls[strings.SplitN(strings.TrimPrefix(p, "/"), "/", 2)[0]]++
		}
	}
	t.Logf("(c) weather for %s/%s/%s from %d replicas and %d times through HAProxy: AccuWeather calls %v", country, region, city, len(f.Replicas), throughLB, calls)
	for _, kind := range []string{"locations", "currentconditions", "forecasts"} {
		if calls[kind] != 1 {
			t.Errorf("(c) %d AccuWeather %s calls for one location, want 1 (all: %v)", calls[kind], kind, calls)
		}
	}
	if len(calls) != 3 {
		t.Errorf("(c) AccuWeather calls %v, want locations, currentconditions and forecasts once each", calls)
	}
	for i, r := range f.Replicas {
		hits := delta(before[i], scrape(t, r.AdminURL()), `merino_accuweather_cache_total{data="currentconditions",result="hit"}`)
		if i > 0 && hits < 1 {
			t.Errorf("(c) replica %s served the location's current conditions without a cache hit", r.Name)
		}
	}
}

// cacheSharedByEveryReplica asks every replica for one new query at once: the redis_cache
// in front of top_picks computes it once, whichever replica gets the lock.
func cacheSharedByEveryReplica(t *testing.T, f *fleet.Fleet) {
	series := func(result string) string {
		return `merino_provider_cache_total{provider="top_picks",cache="redis",result="` + result + `"}`
	}
	var before []map[string]float64
	for _, r := range f.Replicas {
		before = append(before, scrape(t, r.AdminURL()))
	}
	q := fmt.Sprintf("/api/v1/suggest?q=fleet-%d&providers=top_picks", time.Now().UnixNano())
	var wg sync.WaitGroup
	for _, r := range f.Replicas {
		wg.Go(func() {
			if code, body, err := fasthttp.GetTimeout(nil, r.URL()+q, 5*time.Second); err != nil || code != 200 {
				t.Errorf("top_picks from %s: %d %v %.200s", r.Name, code, err, body)
			}
		})
	}
	wg.Wait()
	var misses, hits float64
	for i, r := range f.Replicas {
		after := scrape(t, r.AdminURL())
		misses += delta(before[i], after, series("miss"))
		hits += delta(before[i], after, series("hit"))
	}
	t.Logf("(c) one query asked of %d replicas at once: redis_cache computed it %.0f times, served it from Redis %.0f times", len(f.Replicas), misses, hits)
	if misses != 1 || hits != float64(len(f.Replicas)-1) {
		t.Errorf("(c) redis_cache: %.0f misses and %.0f hits across the replicas, want 1 and %d", misses, hits, len(f.Replicas)-1)
	}
}

func scrape(t *testing.T, admin string) map[string]float64 {
	t.Helper()
	m, err := scrapeMetrics(admin)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func delta(before, after map[string]float64, series string) float64 {
	return after[series] - before[series]
}

// wikipediaIndexEnv returns the setting that points the replicas at a Wikipedia index built
// from the bundled sample by the binary under test (about a second): an index make built
// earlier may be of an older format, which the replicas would refuse.
func wikipediaIndexEnv(t *testing.T, repo, bin string) []string {
	dir := filepath.Join(t.TempDir(), "wikipedia-index")
	cmd := exec.Command(bin, "index", "wikipedia", "--input", "data/wikipedia-en.sample.json.gz", "--out", filepath.Join(dir, "enwiki"), "--lang", "en")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cannot index the Wikipedia sample: %v\n%s", err, out)
	}
	return []string{"MERINO_PROVIDERS__WIKIPEDIA__INDEX_DIR=" + dir}
}

// testLog writes the fleet's progress lines into the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
