package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
	"github.com/valyala/fasthttp"
)

func TestParseMetrics(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       map[string]float64
	}{
		{"labels and plain", "# HELP x\n# TYPE x counter\nmerino_accuweather_cache_total{data=\"locations\",result=\"hit\"} 12\ngo_goroutines 7\n",
			map[string]float64{`merino_accuweather_cache_total{data="locations",result="hit"}`: 12, "go_goroutines": 7}},
		{"space in a label value, timestamp", "x{a=\"b c\"} 1.5 1700000000\n",
			map[string]float64{`x{a="b c"}`: 1.5}},
		{"malformed lines skipped", "novalue\nx{a=\"b\"}\ny NaNs\nz 3\n\n",
			map[string]float64{"z": 3}},
	} {
		if got := parseMetrics([]byte(tc.text)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWeatherDelta(t *testing.T) {
	hit := func(data string) string { return cacheSeries + data + `",result="hit"}` }
	miss := func(data string) string { return cacheSeries + data + `",result="miss"}` }
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	before := weatherSnapshot{at: t0,
		metrics: map[string]float64{hit("locations"): 10, miss("locations"): 5, hit("forecasts"): 1, miss("forecasts"): 0},
		fake:    map[string]int64{weathertest.Locations: 5, weathertest.Forecasts: 4}}
	after := weatherSnapshot{at: t0.Add(2 * time.Second),
		metrics: map[string]float64{hit("locations"): 40, miss("locations"): 15, hit("forecasts"): 31, miss("forecasts"): 0,
			hit("hourlyforecasts"): 0, miss("hourlyforecasts"): 0, upstreamSeries + `locations"}`: 99},
		fake: map[string]int64{weathertest.Locations: 15, weathertest.Forecasts: 4, weathertest.CurrentConditions: 2}}
	ws := weatherDelta(before, after, "memory", "test.mmdb")
	want := map[string]cacheStat{"locations": {30, 10, 0.75}, "forecasts": {30, 0, 1}}
	if !reflect.DeepEqual(ws.ByData, want) || ws.HitRatio != 60.0/70 {
		t.Fatalf("by data %v, ratio %v; want %v, %v", ws.ByData, ws.HitRatio, want, 60.0/70)
	}
	// The fake's counts win over the server's upstream counter: they are what AccuWeather saw.
	if !reflect.DeepEqual(ws.UpstreamCalls, map[string]int64{"locations": 10, "currentconditions": 2}) || ws.UpstreamPerSec != 6 {
		t.Fatalf("upstream %v, %v/s", ws.UpstreamCalls, ws.UpstreamPerSec)
	}
	// Without the fake, the server's counter; without metrics, n/a and why.
	before.fake, after.fake = nil, nil
	if ws := weatherDelta(before, after, "memory", ""); !reflect.DeepEqual(ws.UpstreamCalls, map[string]int64{"locations": 99}) {
		t.Fatalf("upstream from metrics %v", ws.UpstreamCalls)
	}
	before.metrics, before.err = nil, io.ErrUnexpectedEOF
	ws = weatherDelta(before, after, "redis", "")
	if ws.HitRatio != -1 || ws.ByData != nil || !strings.Contains(ws.Error, "unexpected EOF") {
		t.Fatalf("unscraped: %+v", ws)
	}
	if l := ws.lines(); !strings.Contains(l[0], "hit ratio n/a") {
		t.Fatalf("lines %q", l)
	}
}

// A 204 with no body is merino's "no location" answer: valid for weather-only requests,
// a wrong answer to anything else.
func TestNoContentIsValidForWeatherOnly(t *testing.T) {
	tg := serve(t, func(ctx *fasthttp.RequestCtx) { ctx.SetStatusCode(204) })
	c := testCorpus()
	for _, tc := range []struct {
		scenario string
		bad      int
	}{
		{"weather", 0},
		{"queries", 100},
	} {
		sc, _ := findScenario(tc.scenario)
		st, err := buildStream(sc, c, nil, 100, 1)
		if err != nil {
			t.Fatal(err)
		}
		col := generate(context.Background(), tg, st.items, st.kinds, plan{rate: 100, duration: time.Second, connections: 2, timeout: 5 * time.Second})
		if col.status[204] != 100 || col.badBody != tc.bad {
			t.Errorf("%s: %d 204s, %d bad; want 100 and %d", tc.scenario, col.status[204], col.badBody, tc.bad)
		}
	}
}

func TestWeatherRequestsHaveTheirOwnAddress(t *testing.T) {
	c := testCorpus()
	c.ipv4 = [2][]ipRange{{{lo: 0x0a000000, hi: 0x0affffff}}} // 16M addresses: repeats are rare
	sc, _ := findScenario("weather")
	st, err := buildStream(sc, c, nil, 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, it := range st.items {
		seen[it.browser.forwardedFor] = true
		if !it.noContentOK {
			t.Fatalf("%q: a weather request must accept a 204", it.uri)
		}
	}
	if len(seen) < 900 { // the 256 browsers of a typing mix would cap this at 256
		t.Fatalf("%d distinct client addresses in 1000 weather requests", len(seen))
	}
}

// The weather scenario against a started merino-go and the bench's fake AccuWeather: client
// addresses of two cities of the bundled test database (Milton, WA and London), so that
// every request resolves and the cache sees the same few keys again and again.
func TestWeatherScenarioAgainstMerino(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts merino-go")
	}
	for _, tc := range []struct {
		cache string
		hits  bool
	}{
		{"memory", true},
		{"redis", true},
		{"none", false},
	} {
		t.Run(tc.cache, func(t *testing.T) {
			c := common{fakeAccuWeather: true, weatherCache: tc.cache, geoip: "test", out: t.TempDir(), connections: 4, timeout: 5 * time.Second}
			sc, _ := findScenario("weather")
			s, err := c.setup(context.Background(), "run", sc, io.Discard)
			if errors.Is(err, errNoRedis) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.close()
			// 216.160.83.56/29 (Milton, WA) and 81.2.69.142/31 (London) in data/GeoLite2-City-Test.mmdb.
			s.corpus = &corpus{ipv4: [2][]ipRange{{{lo: 0xd8a05338, hi: 0xd8a0533f}, {lo: 0x5102458e, hi: 0x5102458f}}}, origin: map[string]string{}}
			p := plan{rate: 50, duration: time.Second, warmup: 250 * time.Millisecond, connections: c.connections, timeout: c.timeout}
			r, err := s.run(context.Background(), sc, p, 1, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			ws := r.Weather
			if ws == nil || ws.Error != "" {
				t.Fatalf("weather stats %+v", ws)
			}
			if r.Status["200"] != r.Requests || r.BadBodies != 0 || r.transportErrors() != 0 || ws.NoContent != 0 || ws.Requests != int64(r.Requests) {
				t.Fatalf("status %v, bad %d, transport %v: every request must resolve to a city and get weather", r.Status, r.BadBodies, r.Transport)
			}
			loc := ws.ByData["locations"]
			lookups := loc.Hits + loc.Misses
			if lookups == 0 || ws.ByData["currentconditions"].Hits+ws.ByData["currentconditions"].Misses == 0 {
				t.Fatalf("cache counters %+v: no lookups counted", ws.ByData)
			}
			searches := s.weather.fake.Calls(weathertest.Locations)
			if tc.hits {
				// Two cities: two city searches for the whole run, then hits.
				if ws.HitRatio <= 0 || loc.Hits == 0 || searches == 0 || searches > 2 {
					t.Fatalf("cache %s: hit ratio %v, %+v, %d city searches; want hits and at most 2 searches", tc.cache, ws.HitRatio, ws.ByData, searches)
				}
			} else if ws.HitRatio != 0 || searches <= 2 {
				// Concurrent misses share a call, so not every lookup makes its own.
				t.Fatalf("no cache: hit ratio %v, %d lookups, %d city searches; want no hits and more searches than cities", ws.HitRatio, lookups, searches)
			}
			var sum bytes.Buffer
			r.writeSummary(&sum)
			if !strings.Contains(sum.String(), "weather cache ("+tc.cache+")") || !strings.Contains(sum.String(), "weather upstream") {
				t.Fatalf("summary:\n%s", sum.String())
			}
			path := filepath.Join(c.out, "report.json")
			if err := r.writeJSON(path); err != nil {
				t.Fatal(err)
			}
			back, err := readReport(path)
			if err != nil || back.Weather == nil || !reflect.DeepEqual(back.Weather.ByData, ws.ByData) {
				t.Fatalf("report.json weather %+v, %v", back, err)
			}
		})
	}
}
