package weather

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/weather/accuweather"
	"github.com/mozilla-services/merino-go/suggest/weather/weathercache"
	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func clientConfig(base string) accuweather.Config {
	return accuweather.Config{
		URLBase: base, APIKey: weathertest.APIKey, ParamAPIKey: "apikey",
		LocationKeyPlaceholder: "{location_key}",
		CurrentConditionsPath:  "/currentconditions/v1/{location_key}.json",
		ForecastsPath:          "/forecasts/v1/daily/1day/{location_key}.json",
		HourlyForecastsPath:    "/forecasts/v1/hourly/12hour/{location_key}.json",
		LocationCompletionPath: "/locations/v1/cities/{country_code}/autocomplete.json",
		CitiesAdminPath:        "/locations/v1/cities/{country_code}/{admin_code}/search.json",
		CitiesPath:             "/locations/v1/cities/{country_code}/search.json",
		CitiesParamQuery:       "q",
		PartnerParam:           "partner", PartnerNewtab: "test_newtab", PartnerFFSuggest: "test_urlbar",
		ConnectTimeout: time.Second, RequestTimeout: 300 * time.Millisecond,
	}
}

// newProvider makes a provider on the fake AccuWeather with merino-py's default TTLs, a
// breaker threshold of 3 and a recovery of 30 s. store nil is a memory store on clk.
func newProvider(t testing.TB, fake *weathertest.Fake, store weathercache.Store, clk *clock) *Provider {
	t.Helper()
	c, err := accuweather.New(clientConfig(fake.URL))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now
	if clk != nil {
		now = clk.Now
	}
	if store == nil {
		store = weathercache.NewMemory(now)
	}
	return New(Settings{Base: suggest.Base{Name: "accuweather", Score: 0.3, QueryTimeout: 5 * time.Second}, Client: c, Store: store, LocationTTL: 30 * 24 * time.Hour, CurrentConditionsTTL: 1800 * time.Second, ForecastTTL: 3600 * time.Second, HourlyForecastTTL: 1800 * time.Second, BreakerThreshold: 3, BreakerRecover: 30 * time.Second, Now: now})
}

// milton and sf are request locations as the geoip middleware fills them.
func sfLocation() geoip.Location {
	return geoip.Location{Country: "US", CountryName: "United States", Regions: []string{"CA"},
		RegionNames: []string{"California"}, City: "San Francisco"}
}

func request(q, requestType, source string, loc geoip.Location, langs ...string) *suggest.Request {
	if len(langs) == 0 {
		langs = []string{"en-US"}
	}
	return &suggest.Request{Query: q, RequestType: requestType, Source: source, Location: loc, Languages: langs}
}

// render writes a suggestion as the server does.
func render(s suggest.Suggestion) string { return string(s.AppendJSON(nil)) }

func query(t testing.TB, p *Provider, req *suggest.Request) ([]suggest.Suggestion, error) {
	t.Helper()
	return p.Query(context.Background(), req, nil)
}

// one queries and expects exactly one suggestion, returned as JSON.
func one(t testing.TB, p *Provider, req *suggest.Request) string {
	t.Helper()
	out, err := query(t, p, req)
	if err != nil || len(out) != 1 {
		t.Fatalf("Query = %d suggestions, %v; want 1", len(out), err)
	}
	return render(out[0])
}

// golden compares got with testdata/golden/name (rewritten with -update).
func golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got+"\n" != string(want) {
		t.Errorf("%s:\n got %s\nwant %s", name, got, want)
	}
}

// calls snapshots the fake's call counts by kind.
func calls(f *weathertest.Fake) map[string]int64 {
	m := map[string]int64{}
	for _, k := range []string{weathertest.Locations, weathertest.CurrentConditions, weathertest.Forecasts,
		weathertest.HourlyForecasts, weathertest.Autocomplete} {
		if n := f.Calls(k); n > 0 {
			m[k] = n
		}
	}
	return m
}

func sameCalls(t testing.TB, got, want map[string]int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("upstream calls = %v, want %v", got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("upstream calls = %v, want %v", got, want)
			return
		}
	}
}
