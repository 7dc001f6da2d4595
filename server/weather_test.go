package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/clientip"
	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/weather"
	"github.com/mozilla-services/merino-go/suggest/weather/accuweather"
	"github.com/mozilla-services/merino-go/suggest/weather/weathercache"
	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

func newWeather(t *testing.T, fake *weathertest.Fake) *weather.Provider {
	t.Helper()
	c, err := accuweather.New(accuweather.Config{
		URLBase: fake.URL, APIKey: weathertest.APIKey, ParamAPIKey: "apikey",
		LocationKeyPlaceholder: "{location_key}",
		CurrentConditionsPath:  "/currentconditions/v1/{location_key}.json",
		ForecastsPath:          "/forecasts/v1/daily/1day/{location_key}.json",
		HourlyForecastsPath:    "/forecasts/v1/hourly/12hour/{location_key}.json",
		LocationCompletionPath: "/locations/v1/cities/{country_code}/autocomplete.json",
		CitiesAdminPath:        "/locations/v1/cities/{country_code}/{admin_code}/search.json",
		CitiesPath:             "/locations/v1/cities/{country_code}/search.json",
		CitiesParamQuery:       "q",
		PartnerParam:           "partner", PartnerNewtab: "test_newtab", PartnerFFSuggest: "test_urlbar",
		ConnectTimeout: time.Second, RequestTimeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return weather.New(weather.Settings{Base: suggest.Base{Name: "accuweather", Score: 0.3, QueryTimeout: 5 * time.Second}, Client: c, Store: weathercache.NewMemory(time.Now), LocationTTL: 30 * 24 * time.Hour, CurrentConditionsTTL: 1800 * time.Second, ForecastTTL: 3600 * time.Second, HourlyForecastTTL: 1800 * time.Second, BreakerThreshold: 10, BreakerRecover: 30 * time.Second})
}

// merino-py's weather rules in the suggest handler (§2.1) and the hourly endpoint (§2.5).
func TestWeatherEndpoints(t *testing.T) {
	fake := weathertest.NewFake(t)
	w := newWeather(t, fake)
	opts := defaultOptions(w, newTopPicks(t, "top_picks", true))
	opts.Weather = w
	ts := start(t, opts)
	sf := "&city=San+Francisco&region=CA&country=US"

	// One weather report for the weather provider alone: max-age is the report's TTL and
	// custom_details is gone.
	r := ts.get(t, "/api/v1/suggest?q=&providers=accuweather"+sf)
	if r.status != 200 || !strings.Contains(r.body, `"provider":"accuweather"`) || strings.Contains(r.body, "custom_details") ||
		!strings.Contains(r.body, `"city_name":"San Francisco"`) {
		t.Errorf("report: %d %s", r.status, r.body)
	}
	if cc := r.header.Get("Cache-Control"); !strings.HasPrefix(cc, "private, max-age=") || cc == "private, max-age=300" || cc == "private, max-age=0" {
		t.Errorf("report Cache-Control %q", cc)
	}
	// With another provider chosen too, the default TTL — and merino-py keeps custom_details.
	r = ts.get(t, "/api/v1/suggest?q=&providers=accuweather,top_picks"+sf)
	if r.status != 200 || r.header.Get("Cache-Control") != "private, max-age=300" || !strings.Contains(r.body, `"custom_details":{"weather":{"weather_report_ttl":`) {
		t.Errorf("two providers: %d %q %s", r.status, r.header.Get("Cache-Control"), r.body)
	}
	// No location: the sentinel alone is a 204 with no body and no Cache-Control.
	r = ts.get(t, "/api/v1/suggest?q=&providers=accuweather")
	if r.status != 204 || r.body != "" || r.header.Get("Cache-Control") != "" || r.header.Get("Content-Type") != "" {
		t.Errorf("no location: %d %q %v", r.status, r.body, r.header)
	}
	// A non-empty q without request_type is the provider's 400.
	r = ts.get(t, "/api/v1/suggest?q=weather&providers=accuweather"+sf)
	if r.status != 400 || !strings.HasPrefix(r.body, `{"detail":`) {
		t.Errorf("q without request_type: %d %s", r.status, r.body)
	}

	// Hourly forecasts: a list with the data's TTL; nothing found → [] with max-age=0.
	r = ts.get(t, "/api/v1/weather/hourly-forecasts?"+sf[1:])
	if r.status != 200 || !strings.HasPrefix(r.body, `[{"date_time":`) || r.header.Get("Content-Type") != "application/json" ||
		!strings.HasPrefix(r.header.Get("Cache-Control"), "private, max-age=") || r.header.Get("Cache-Control") == "private, max-age=0" {
		t.Errorf("hourly: %d %q %.200s", r.status, r.header.Get("Cache-Control"), r.body)
	}
	r = ts.get(t, "/api/v1/weather/hourly-forecasts")
	if r.status != 200 || r.body != "[]" || r.header.Get("Cache-Control") != "private, max-age=0" {
		t.Errorf("hourly, no location: %d %q %s", r.status, r.header.Get("Cache-Control"), r.body)
	}
	r = ts.get(t, "/api/v1/weather/hourly-forecasts?city=Boston")
	if r.status != 400 || !strings.Contains(r.body, "are either all present or all omitted") {
		t.Errorf("hourly, partial location: %d %s", r.status, r.body)
	}
	r = ts.get(t, "/api/v1/weather/hourly-forecasts?country=USA")
	if r.status != 400 || !strings.Contains(r.body, `"loc":["query","country"]`) {
		t.Errorf("hourly, bad country: %d %s", r.status, r.body)
	}
	// Upstream failing (a fresh provider, so nothing is cached): [] with max-age=0, never a 5xx.
	fake2 := weathertest.NewFake(t)
	fake2.SetMode(weathertest.HourlyForecasts, weathertest.Fail)
	w2 := newWeather(t, fake2)
	// Options.Weather unset: the endpoint finds the provider named accuweather itself.
	opts2 := defaultOptions(w2)
	r = start(t, opts2).get(t, "/api/v1/weather/hourly-forecasts?"+sf[1:])
	if fake2.Calls(weathertest.HourlyForecasts) == 0 {
		t.Error("the failing upstream was not asked")
	}
	if r.status != 200 || r.body != "[]" || r.header.Get("Cache-Control") != "private, max-age=0" {
		t.Errorf("hourly, upstream down: %d %s", r.status, r.body)
	}
}

func TestWeatherHourlyWithoutProvider(t *testing.T) {
	ts := start(t, defaultOptions())
	r := ts.get(t, "/api/v1/weather/hourly-forecasts?city=Boston&region=MA&country=US")
	if r.status != 200 || r.body != "[]" || r.header.Get("Cache-Control") != "private, max-age=0" {
		t.Errorf("%d %q %s", r.status, r.header.Get("Cache-Control"), r.body)
	}
}

// merino-py's get_localized_city_name: when AccuWeather's name is MaxMind's English name for
// the client's address, the city is MaxMind's name in the request's language.
func TestWeatherLocalizedCityName(t *testing.T) {
	fake := weathertest.NewFake(t)
	fake.AddCity(weathertest.City{Country: "US", Admin: "WA", Name: "Milton", Key: "331417",
		LocalizedName: "Milton", AdminID: "WA", CountryName: "United States"})
	reader, err := geoip.Open("../data/GeoLite2-City-Test.mmdb")
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	w := newWeather(t, fake)
	w.SetGeoIP(reader)
	opts := defaultOptions(w)
	opts.Weather = w
	opts.GeoIP = reader
	if opts.Trust, err = clientip.NewTrust([]string{"127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	ts := start(t, opts)
	f := func(lang, want string) {
		t.Helper()
		r := ts.get(t, "/api/v1/suggest?q=&providers=accuweather", "X-Forwarded-For", "216.160.83.56", "Accept-Language", lang)
		if r.status != 200 || !strings.Contains(r.body, `"city_name":"`+want+`"`) {
			t.Errorf("%s: %d %s", lang, r.status, r.body)
		}
	}
	f("ru", "Мильтон")
	f("en-GB", "Milton")
	f("fr", "Milton") // MaxMind has no French name for Milton: AccuWeather's stays
}
