package accuweather

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

func testConfig(base string) Config {
	return Config{
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
		ConnectTimeout: time.Second, RequestTimeout: 500 * time.Millisecond,
	}
}

func newClient(t *testing.T, base string) *Client {
	t.Helper()
	c, err := New(testConfig(base))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The cache keys are merino-py's, digests included (computed with Python's hashlib).
func TestCacheKeys(t *testing.T) {
	c := newClient(t, "https://example.com")
	tpl := c.Templates("en-US")
	const lang = ":d76e0ffe8af29ab73c3940aaf0a09e9fba3f3637c0b41cdf1bbd45a6606f7978"
	f := func(got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("key = %q, want %q", got, want)
		}
	}
	f(tpl.Current, "AccuweatherBackend:v8:/currentconditions/v1/{location_key}.json"+lang)
	f(tpl.Forecast, "AccuweatherBackend:v8:/forecasts/v1/daily/1day/{location_key}.json"+lang)
	f(tpl.Hourly, "AccuweatherBackend:v8:/forecasts/v1/hourly/12hour/{location_key}.json"+lang)
	r := c.CurrentConditionsRequest("39376", "en-US")
	f(c.CacheKey(&r), "AccuweatherBackend:v8:/currentconditions/v1/39376.json"+lang)
	const sf = ":a2a37ca277211402ca948b4978c4bdd1a206ec8e66269966149a01cfc97ec79a"
	f(c.LocationCacheKey("US", "CA", true, "San Francisco"), "AccuweatherBackend:v8:/locations/v1/cities/US/CA/search.json"+sf)
	f(c.LocationCacheKey("US", "", false, "San Francisco"), "AccuweatherBackend:v8:/locations/v1/cities/US/search.json"+sf)
	// merino-py reads "region is not None" but fetches "if region": an empty region reads
	// the admin path.
	f(c.LocationCacheKey("US", "", true, "San Francisco"), "AccuweatherBackend:v8:/locations/v1/cities/US//search.json"+sf)
	lr := c.LocationRequest("US", "CA", "San Francisco")
	f(c.CacheKey(&lr), "AccuweatherBackend:v8:/locations/v1/cities/US/CA/search.json"+sf)
	// Without parameters besides the API key there is no digest.
	f(c.keys.key("/x", []Param{{"apikey", "k"}}), "AccuweatherBackend:v8:/x")
	f(c.keys.key("/x", nil), "AccuweatherBackend:v8:/x")
}

func TestWirePathEscapesInput(t *testing.T) {
	c := newClient(t, "https://example.com")
	r := c.CurrentConditionsRequest("../../locations/v1/x?y", "en-US")
	if r.WirePath != "/currentconditions/v1/..%2F..%2Flocations%2Fv1%2Fx%3Fy.json" {
		t.Errorf("WirePath = %q", r.WirePath)
	}
	if r.Path != "/currentconditions/v1/../../locations/v1/x?y.json" {
		t.Errorf("Path = %q", r.Path)
	}
	cr := c.CompletionRequest("", "new", "fr")
	if cr.Path != "/locations/v1/cities/autocomplete.json" {
		t.Errorf("completion path without country = %q", cr.Path)
	}
}

func TestPartnerCodes(t *testing.T) {
	c := newClient(t, "https://example.com")
	f := func(in, added, set string) {
		t.Helper()
		if got := c.AddPartnerCode(in); got != added {
			t.Errorf("AddPartnerCode(%q) = %q, want %q", in, got, added)
		}
		if got := c.SetSuggestPartnerCode(added); got != set {
			t.Errorf("SetSuggestPartnerCode(%q) = %q, want %q", added, got, set)
		}
	}
	f("http://www.accuweather.com/en/us/x/current-weather/41512_pc?lang=en-us",
		"https://www.accuweather.com/en/us/x/current-weather/41512_pc?lang=en-us&partner=test_newtab",
		"https://www.accuweather.com/en/us/x/current-weather/41512_pc?lang=en-us&partner=test_urlbar")
	f("https://a.example/p", "https://a.example/p?partner=test_newtab", "https://a.example/p?partner=test_urlbar")
	// urlencode re-encodes the query; set keeps the first position and drops duplicates.
	f("https://a.example/p?q=a b&partner=x&z=1#frag",
		"https://a.example/p?q=a+b&partner=x&z=1&partner=test_newtab#frag",
		"https://a.example/p?q=a+b&partner=test_urlbar&z=1#frag")
}

func TestProcess(t *testing.T) {
	c := newClient(t, "https://example.com")
	loc, err := ProcessLocation(weathertest.Fixture("locations_san_francisco.json"))
	if err != nil || loc == nil || *loc != (Location{"39376", "San Francisco", "CA", "United States"}) {
		t.Errorf("ProcessLocation = %+v, %v", loc, err)
	}
	cc, err := c.ProcessCurrentConditions(weathertest.Fixture("currentconditions_39376.json"))
	if err != nil || cc == nil || cc.Temperature.C != "15.5" || cc.Temperature.F != "60.0" || cc.IconID != "6" ||
		cc.URL != "https://www.accuweather.com/en/us/san-francisco-ca/94103/current-weather/39376?lang=en-us&partner=test_newtab" {
		t.Errorf("ProcessCurrentConditions = %+v, %v", cc, err)
	}
	fc, err := c.ProcessForecast(weathertest.Fixture("forecast_39376_celsius.json"))
	if err != nil || fc == nil || fc.High.C != "21.1" || fc.Low.C != "13.9" || fc.High.F != "" || fc.Summary != "Pleasant Saturday" {
		t.Errorf("ProcessForecast = %+v, %v", fc, err)
	}
	h, err := c.ProcessHourlyForecasts(weathertest.Fixture("hourly_39376.json"))
	if err != nil || h == nil || len(h.HourlyForecasts) != 12 || h.HourlyForecasts[0].TemperatureUnit != "f" {
		t.Errorf("ProcessHourlyForecasts = %+v, %v", h, err)
	}
	list, err := ProcessCompletions(weathertest.Fixture("autocomplete_new.json"))
	if err != nil || len(list) != 10 || list[0].Key != "349727" || list[0].AdministrativeArea.LocalizedName != "New York" {
		t.Errorf("ProcessCompletions = %+v, %v", list, err)
	}

	// Bodies of another shape are nil without an error; bodies that are not JSON are errors.
	type proc func([]byte) (bool, error)
	procs := map[string]proc{
		"location": func(b []byte) (bool, error) { v, err := ProcessLocation(b); return v != nil, err },
		"current":  func(b []byte) (bool, error) { v, err := c.ProcessCurrentConditions(b); return v != nil, err },
		"forecast": func(b []byte) (bool, error) { v, err := c.ProcessForecast(b); return v != nil, err },
	}
	for name, p := range procs {
		for _, body := range []string{`[]`, `{}`, `null`, `[{}]`, `[1,2]`, `"x"`, `[{"Key":1}]`} {
			if ok, err := p([]byte(body)); ok || err != nil {
				t.Errorf("%s(%s) = %v, %v; want nil, nil", name, body, ok, err)
			}
		}
		if _, err := p([]byte(`<html>`)); !errors.Is(err, ErrInvalidJSON) {
			t.Errorf("%s(garbage) err = %v", name, err)
		}
	}
	// Two observations, a unit other than C/F, an absurd temperature: no match.
	obs := strings.TrimSpace(string(weathertest.Fixture("currentconditions_39376.json")))
	two := obs[:len(obs)-1] + ",{}]"
	if v, err := c.ProcessCurrentConditions([]byte(two)); v != nil || err != nil {
		t.Errorf("ProcessCurrentConditions(two) = %+v, %v", v, err)
	}
	bad := strings.Replace(string(weathertest.Fixture("forecast_39376_celsius.json")), `"Unit": "C"`, `"Unit": "K"`, 1)
	if v, err := c.ProcessForecast([]byte(bad)); v != nil || err != nil {
		t.Errorf("ProcessForecast(K) = %+v, %v", v, err)
	}
	huge := strings.Replace(string(weathertest.Fixture("currentconditions_39376.json")), `15.5`, `1e300`, 1)
	if v, err := c.ProcessCurrentConditions([]byte(huge)); v != nil || err != nil {
		t.Errorf("ProcessCurrentConditions(1e300) = %+v, %v", v, err)
	}
	if _, err := c.ProcessHourlyForecasts([]byte(`[{"Link":"https://x.example/"}]`)); !errors.Is(err, ErrBadHourlyForecast) {
		t.Errorf("ProcessHourlyForecasts(missing keys) err = %v", err)
	}
	if _, err := ProcessCompletions([]byte(`[{"Key":"1"}]`)); !errors.Is(err, ErrBadCompletion) {
		t.Errorf("ProcessCompletions(missing keys) err = %v", err)
	}
}

// The client against the fake AccuWeather over loopback: parameters, statuses, timeouts.
func TestClientDo(t *testing.T) {
	fake := weathertest.NewFake(t)
	c := newClient(t, fake.URL)
	ctx := context.Background()

	r := c.LocationRequest("US", "CA", "San Francisco")
	resp, err := c.Do(ctx, &r)
	if err != nil {
		t.Fatal(err)
	}
	if loc, _ := ProcessLocation(resp.Body); loc == nil || loc.Key != "39376" {
		t.Errorf("location = %+v", loc)
	}
	if got := fake.Paths(); len(got) != 1 || got[0] != "/locations/v1/cities/US/CA/search.json?alias=always&q=San+Francisco" {
		t.Errorf("paths = %q", got)
	}

	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	fake.SetExpires(exp)
	r = c.CurrentConditionsRequest("39376", "fr")
	if resp, err = c.Do(ctx, &r); err != nil || !resp.HasExpires || !resp.Expires.Equal(exp) {
		t.Errorf("Expires = %v %v, %v", resp.Expires, resp.HasExpires, err)
	}

	fake.SetMode(weathertest.CurrentConditions, weathertest.Fail)
	var se *StatusError
	if _, err = c.Do(ctx, &r); !errors.As(err, &se) || se.Status != 500 {
		t.Errorf("500: err = %v", err)
	}
	fake.SetMode(weathertest.CurrentConditions, weathertest.Hang)
	if _, err = c.Do(ctx, &r); err == nil {
		t.Error("hang: no error past the request timeout")
	}

	fake.SetMode(weathertest.CurrentConditions, weathertest.Normal)
	bad, err := New(func() Config { cfg := testConfig(fake.URL); cfg.APIKey = "wrong"; return cfg }())
	if err != nil {
		t.Fatal(err)
	}
	br := bad.CurrentConditionsRequest("39376", "fr")
	if _, err = bad.Do(ctx, &br); !errors.As(err, &se) || se.Status != 401 {
		t.Errorf("401: err = %v", err)
	}

	cfg := testConfig(fake.URL)
	cfg.APIKey = ""
	if _, err := New(cfg); err == nil {
		t.Error("New without an API key: no error")
	}
	cfg = testConfig("ftp://x")
	if _, err := New(cfg); err == nil {
		t.Error("New with an ftp url_base: no error")
	}
}

// Fuzz the processors of AccuWeather's bodies: hostile input never panics.
func FuzzProcess(f *testing.F) {
	for _, name := range []string{"locations_san_francisco.json", "currentconditions_39376.json",
		"forecast_39376_celsius.json", "hourly_39376.json", "autocomplete_new.json"} {
		f.Add(weathertest.Fixture(name))
	}
	f.Add([]byte(`[{"Key":"1","LocalizedName":"x","AdministrativeArea":{"ID":1},"Country":{}}]`))
	c, err := New(testConfig("https://example.com"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ProcessLocation(b)
		c.ProcessCurrentConditions(b)
		c.ProcessForecast(b)
		c.ProcessHourlyForecasts(b)
		ProcessCompletions(b)
	})
}

// Fuzz the query rewriting of AccuWeather's links.
func FuzzPartnerCode(f *testing.F) {
	f.Add("http://www.accuweather.com/en/us/x?lang=en-us")
	f.Add("https://a/?%zz=%&&=#x")
	c, err := New(testConfig("https://example.com"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, u string) {
		c.SetSuggestPartnerCode(c.AddPartnerCode(u))
	})
}
