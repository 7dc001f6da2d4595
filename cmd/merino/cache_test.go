package main

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

const sfQuery = "q=&city=San+Francisco&region=CA&country=US&providers="

// burst sends n concurrent requests for the San Francisco report to each instance while the
// fake AccuWeather holds every call, releases it once they have all been sent, and checks
// that each answer is the report.
func burst(t *testing.T, fake *weathertest.Fake, id string, n int, ins ...*instance) {
	t.Helper()
	release := fake.Hold()
	var wg sync.WaitGroup
	for _, in := range ins {
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a := in.suggest(t, sfQuery+id)
				if a.status != 200 || !strings.Contains(a.suggestions, `"title":"Weather for San Francisco"`) ||
					!strings.Contains(a.suggestions, `"provider":"`+id+`"`) {
					t.Errorf("%d %s", a.status, a.body)
				}
			}()
		}
	}
	time.Sleep(300 * time.Millisecond) // every request is in, waiting on the one upstream call
	release()
	wg.Wait()
}

func maxAge(t *testing.T, a answer) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimPrefix(a.cacheControl, "private, max-age="))
	if err != nil {
		t.Fatalf("Cache-Control %q", a.cacheControl)
	}
	return n
}

// memory_cache over the fake AccuWeather: a burst of concurrent misses makes one inner call
// (and one upstream call of each kind); later requests are served from memory, their max-age
// counting down.
func TestMemoryCache(t *testing.T) {
	fake := weathertest.NewFake(t)
	in := serveEnv(t, "MERINO_ACCUWEATHER__URL_BASE="+fake.URL, "MERINO_ACCUWEATHER__API_KEY="+weathertest.APIKey,
		"MERINO_PROVIDERS__MEM__TYPE=memory_cache", "MERINO_PROVIDERS__MEM__QUERY_TIMEOUT_SEC=1",
		"MERINO_PROVIDERS__MEM__INNER__TYPE=accuweather", "MERINO_PROVIDERS__MEM__INNER__CACHE=none")
	misses := metrics.GetOrCreateCounter(`merino_provider_cache_total{provider="mem",cache="memory",result="miss"}`)
	hits := metrics.GetOrCreateCounter(`merino_provider_cache_total{provider="mem",cache="memory",result="hit"}`)
	m0, h0 := misses.Get(), hits.Get()
	burst(t, fake, "mem", 10, in)
	want := map[string]int64{"locations": 1, "currentconditions": 1, "forecasts": 1, "hourlyforecasts": 0, "autocomplete": 0}
	if got := fake.CallCounts(); fmt.Sprint(got) != fmt.Sprint(want) || misses.Get()-m0 != 1 {
		t.Errorf("a burst of misses: upstream %v, %d inner calls", got, misses.Get()-m0)
	}
	first := in.suggest(t, sfQuery+"mem")
	time.Sleep(1100 * time.Millisecond)
	second := in.suggest(t, sfQuery+"mem")
	if fmt.Sprint(fake.CallCounts()) != fmt.Sprint(want) || hits.Get()-h0 != 2 {
		t.Errorf("hits: upstream %v, %d hits", fake.CallCounts(), hits.Get()-h0)
	}
	if a, b := maxAge(t, first), maxAge(t, second); a <= 0 || b >= a || strings.Contains(first.body, "custom_details") {
		t.Errorf("max-age %d then %d; %s", a, b, first.body)
	}
}

// redis_cache over the fake AccuWeather, a real redis-server and two merino-go instances
// sharing it: a burst of concurrent misses on both makes one upstream call of each kind.
func TestRedisCache(t *testing.T) {
	redis := weathertest.StartRedis(t)
	fake := weathertest.NewFake(t)
	env := []string{"MERINO_ACCUWEATHER__URL_BASE=" + fake.URL, "MERINO_ACCUWEATHER__API_KEY=" + weathertest.APIKey,
		"MERINO_REDIS__SERVER=" + redis.URL,
		"MERINO_PROVIDERS__RC__TYPE=redis_cache", "MERINO_PROVIDERS__RC__QUERY_TIMEOUT_SEC=1",
		"MERINO_PROVIDERS__RC__INNER__TYPE=accuweather", "MERINO_PROVIDERS__RC__INNER__CACHE=none"}
	a, b := serveEnv(t, env...), serveEnv(t, env...)
	burst(t, fake, "rc", 5, a, b)
	want := map[string]int64{"locations": 1, "currentconditions": 1, "forecasts": 1, "hourlyforecasts": 0, "autocomplete": 0}
	if got := fake.CallCounts(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("a burst of misses on two replicas: upstream %v", got)
	}
	// Both serve it from Redis now; the report keeps counting down.
	for _, in := range []*instance{a, b} {
		got := in.suggest(t, sfQuery+"rc")
		if got.titles(t) != "Weather for San Francisco" || maxAge(t, got) <= 0 || maxAge(t, got) > 1800 {
			t.Errorf("from redis: %q %s", got.cacheControl, got.body)
		}
	}
	if got := fake.CallCounts(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("hits: upstream %v", got)
	}
}
