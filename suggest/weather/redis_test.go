package weather

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/weather/weathercache"
	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

func redisStore(t testing.TB, url string) *weathercache.Redis {
	t.Helper()
	s, err := weathercache.NewRedis(weathercache.RedisOptions{Server: url, Replica: url,
		MaxConnections: 16, ConnectTimeout: time.Second, SocketTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var ttlRE = regexp.MustCompile(`"weather_report_ttl":\d+`)

// Two replicas (two providers with their own Redis and AccuWeather clients) share one
// Redis: the second is served from what the first cached, with the remaining TTL.
func TestRedisSharedCache(t *testing.T) {
	r := weathertest.StartRedis(t)
	fake := weathertest.NewFake(t)
	first := newProvider(t, fake, redisStore(t, r.URL), nil)
	second := newProvider(t, fake, redisStore(t, r.URL), nil)

	a := one(t, first, request("", "", "urlbar", sfLocation()))
	loc := sfLocation()
	first.HourlyForecasts(context.Background(), &loc, nil, nil)
	want := map[string]int64{"locations": 1, "currentconditions": 1, "forecasts": 1, "hourlyforecasts": 1}
	sameCalls(t, calls(fake), want)

	b := one(t, second, request("", "", "urlbar", sfLocation()))
	if ttlRE.ReplaceAllString(a, "") != ttlRE.ReplaceAllString(b, "") {
		t.Errorf("second replica:\n got %s\nwant %s", b, a)
	}
	rep := mustOne(t, second, request("", "", "newtab", sfLocation()))
	if ttl, ok := rep.TTL, rep.HasTTL; !ok || ttl < 1795 || ttl > 1800 {
		t.Errorf("remaining TTL from Redis = %d, %v", rep.TTL, rep.HasTTL)
	}
	body, hourlyTTL := second.HourlyForecasts(context.Background(), &loc, nil, nil)
	if len(body) < 100 || hourlyTTL < 1795 || hourlyTTL > 1800 {
		t.Errorf("hourly from Redis: ttl %d, %s", hourlyTTL, body)
	}
	// By location key too.
	one(t, second, request("39376", "weather", "urlbar", sfLocation()))
	sameCalls(t, calls(fake), want)

	// The keys are merino-py's.
	v, _, found, err := second.Store().Get(context.Background(),
		"AccuweatherBackend:v8:/locations/v1/cities/US/CA/search.json:a2a37ca277211402ca948b4978c4bdd1a206ec8e66269966149a01cfc97ec79a")
	if err != nil || !found || string(v) != `{"key":"39376","localized_name":"San Francisco","administrative_area_id":"CA","country_name":"United States"}` {
		t.Errorf("location value = %s, %v, %v", v, found, err)
	}
}

func mustOne(t testing.TB, p *Provider, req *suggest.Request) suggest.Suggestion {
	t.Helper()
	out, err := query(t, p, req)
	if err != nil || len(out) != 1 {
		t.Fatalf("Query = %d, %v", len(out), err)
	}
	return out[0]
}

// staticProvider is an inline provider that always answers, standing in for top_picks.
type staticProvider struct{}

func (staticProvider) ID() string                         { return "static" }
func (staticProvider) Availability() suggest.Availability { return suggest.EnabledByDefault }
func (staticProvider) Timeout() time.Duration             { return 200 * time.Millisecond }
func (staticProvider) Inline() bool                       { return true }
func (staticProvider) Validate(*suggest.Request) error    { return nil }
func (staticProvider) Query(_ context.Context, _ *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	return append(dst, suggest.Suggestion{Provider: "static", Head: []byte(`{"score":`), Tail: []byte(`}`)}), nil
}

// Redis killed mid-run: weather answers nothing, calls AccuWeather never (no avalanche),
// opens its breaker; other providers answer as before.
func TestRedisKilled(t *testing.T) {
	r := weathertest.StartRedis(t)
	fake := weathertest.NewFake(t)
	p := newProvider(t, fake, redisStore(t, r.URL), nil)
	one(t, p, request("", "", "urlbar", sfLocation()))
	before := fake.TotalCalls()

	r.Stop()
	set, err := suggest.NewSet([]suggest.Provider{staticProvider{}, p}, 200*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	chosen := set.Resolve(nil, "static,accuweather", true)
	for i := 0; i < 6; i++ {
		out := set.Query(context.Background(), request("", "", "urlbar", sfLocation()), chosen, nil)
		if len(out) != 1 || out[0].Provider != "static" {
			t.Fatalf("request %d with Redis down: %d suggestions %v", i, len(out), out)
		}
		// A different city each time: every one misses the (dead) cache.
		loc := sfLocation()
		loc.City = "Elsewhere"
		if _, err := query(t, p, request("", "", "urlbar", loc)); err == nil && i < 1 {
			t.Errorf("request %d: no error with Redis down", i)
		}
	}
	if n := fake.TotalCalls(); n != before {
		t.Errorf("%d AccuWeather calls with Redis down, want none", n-before)
	}
	if !p.breaker.Open() {
		t.Error("breaker not open after the cache errors")
	}
	loc := sfLocation()
	if body, ttl := p.HourlyForecasts(context.Background(), &loc, nil, nil); string(body) != "[]" || ttl != 0 {
		t.Errorf("hourly with Redis down: %s, %d", body, ttl)
	}
	if n := fake.TotalCalls(); n != before {
		t.Errorf("%d AccuWeather calls with Redis down, want none", n-before)
	}
}

// A Redis that is down from the start: the provider is created and degrades.
func TestRedisDownAtStart(t *testing.T) {
	fake := weathertest.NewFake(t)
	p := newProvider(t, fake, redisStore(t, "redis://127.0.0.1:1"), nil)
	if out, err := query(t, p, request("", "", "urlbar", sfLocation())); len(out) != 0 || err == nil {
		t.Errorf("Query = %d, %v", len(out), err)
	}
	if fake.TotalCalls() != 0 {
		t.Errorf("%d AccuWeather calls", fake.TotalCalls())
	}
}
