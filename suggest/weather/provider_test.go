package weather

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

// A cold request fetches location, current conditions and forecast; a warm one is served
// from the cache with the remaining TTL.
func TestReportFromGeolocation(t *testing.T) {
	fake := weathertest.NewFake(t)
	clk := newClock()
	p := newProvider(t, fake, nil, clk)

	got := one(t, p, request("", "", "newtab", sfLocation()))
	golden(t, "report_sf_newtab.json", got)
	sameCalls(t, calls(fake), map[string]int64{"locations": 1, "currentconditions": 1, "forecasts": 1})
	if want := []string{
		"/locations/v1/cities/US/CA/search.json?alias=always&q=San+Francisco",
		"/currentconditions/v1/39376.json?language=en-US",
		"/forecasts/v1/daily/1day/39376.json?language=en-US",
	}; !sameSet(fake.Paths(), want) {
		t.Errorf("paths = %q, want %q", fake.Paths(), want)
	}

	clk.Advance(100 * time.Second)
	warm := one(t, p, request("", "weather", "newtab", sfLocation()))
	if want := strings.Replace(got, `"weather_report_ttl":1800`, `"weather_report_ttl":1700`, 1); warm != want {
		t.Errorf("warm:\n got %s\nwant %s", warm, want)
	}
	sameCalls(t, calls(fake), map[string]int64{"locations": 1, "currentconditions": 1, "forecasts": 1})

	// Past the current conditions' TTL only they are fetched again; the TTL is then the
	// configured one (merino-py uses the configured TTL for the part that was cached).
	clk.Advance(1800 * time.Second)
	again := one(t, p, request("", "", "newtab", sfLocation()))
	sameCalls(t, calls(fake), map[string]int64{"locations": 1, "currentconditions": 2, "forecasts": 1})
	if !strings.Contains(again, `"weather_report_ttl":1800`) {
		t.Errorf("refetched report: %s", again)
	}
}

func sameSet(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	seen := map[string]int{}
	for _, s := range got {
		seen[s]++
	}
	for _, s := range want {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// The partner code follows the request's source; the region_code rule follows where the
// request comes from and where the city is; the language is the first supported tag.
func TestReportVariants(t *testing.T) {
	fake := weathertest.NewFake(t)
	p := newProvider(t, fake, nil, newClock())

	urlbar := one(t, p, request("", "", "urlbar", sfLocation()))
	golden(t, "report_sf_urlbar.json", urlbar)
	for _, src := range []string{"newtab", "unknown"} {
		if s := one(t, p, request("", "", src, sfLocation())); !strings.Contains(s, "partner=test_newtab") || strings.Contains(s, "test_urlbar") {
			t.Errorf("source %s: %s", src, s)
		}
	}

	f := func(countryName, country, wantRegion string) {
		t.Helper()
		loc := sfLocation()
		loc.CountryName, loc.Country = countryName, country
		fake.AddCity(weathertest.City{Country: country, Admin: "CA", Name: "San Francisco", Key: "39376",
			LocalizedName: "San Francisco", AdminID: "CA", CountryName: "United States"})
		s := one(t, p, request("", "", "newtab", loc))
		if !strings.Contains(s, `"region_code":"`+wantRegion+`"`) {
			t.Errorf("origin %q country %q: %s", countryName, country, s)
		}
	}
	f("United States", "US", "CA")
	f("Canada", "US", "CA")
	f("Germany", "US", "United States")
	f("United States", "MX", "United States")

	before := fake.Paths()
	one(t, p, request("", "", "newtab", sfLocation(), "de-DE", "fr", "en-US"))
	paths := fake.Paths()[len(before):]
	if len(paths) != 2 || !strings.HasSuffix(paths[0], "language=fr") {
		t.Errorf("language: paths %q, want language=fr", paths)
	}
}

// q as a location key: no city search, "N/A" names.
func TestReportByLocationKey(t *testing.T) {
	fake := weathertest.NewFake(t)
	p := newProvider(t, fake, nil, newClock())
	golden(t, "report_key_39376.json", one(t, p, request("39376", "weather", "urlbar", geoip.Location{})))
	sameCalls(t, calls(fake), map[string]int64{"currentconditions": 1, "forecasts": 1})
	one(t, p, request("39376", "weather", "urlbar", geoip.Location{}))
	sameCalls(t, calls(fake), map[string]int64{"currentconditions": 1, "forecasts": 1})

	// AccuWeather does not know the key: nothing, and no error.
	fake.SetMode(weathertest.CurrentConditions, weathertest.Empty)
	if out, err := query(t, p, request("000", "weather", "urlbar", geoip.Location{})); len(out) != 0 || err != nil {
		t.Errorf("unknown key: %d, %v", len(out), err)
	}
}

// No location resolves: the sentinel, which the server answers with a 204.
func TestNoLocation(t *testing.T) {
	fake := weathertest.NewFake(t)
	p := newProvider(t, fake, nil, newClock())
	f := func(name string, loc geoip.Location) {
		t.Helper()
		out, err := query(t, p, request("", "", "urlbar", loc))
		if err != nil || len(out) != 1 || !out[0].NoContent || out[0].Provider != "accuweather" {
			t.Fatalf("%s: %v, %v", name, out, err)
		}
		golden(t, "no_location.json", render(out[0]))
		if out[0].HasTTL {
			t.Errorf("%s: the sentinel has a TTL", name)
		}
	}
	f("no geolocation", geoip.Location{})
	f("no city", geoip.Location{Country: "US", CountryName: "United States"})
	sameCalls(t, calls(fake), map[string]int64{})

	unknown := geoip.Location{Country: "US", CountryName: "United States", Regions: []string{"WA"}, City: "Nowhere City"}
	f("unknown city", unknown)
	// Three name variants were tried: "Nowhere City", then without the locality suffix.
	sameCalls(t, calls(fake), map[string]int64{"locations": 2})
	// Learned: the triple is skipped from now on, without a call.
	f("skipped city", unknown)
	sameCalls(t, calls(fake), map[string]int64{"locations": 2})
	// A city merino-py ships as skipped.
	f("seed skip", geoip.Location{Country: "US", CountryName: "United States", Regions: []string{"TX"}, City: "Lavaca"})
	sameCalls(t, calls(fake), map[string]int64{"locations": 2})
}

func TestValidate(t *testing.T) {
	p := New(Settings{Base: suggest.Base{Name: "accuweather"}})
	f := func(q, rt string, wantErr bool) {
		t.Helper()
		err := p.Validate(&suggest.Request{Query: q, RequestType: rt})
		var se *suggest.Error
		if wantErr != (err != nil) || (err != nil && (!errors.As(err, &se) || se.Status != 400 ||
			se.Detail != "Invalid query parameters: `request_type` is missing")) {
			t.Errorf("Validate(%q, %q) = %v", q, rt, err)
		}
	}
	f("", "", false)
	f("weather", "", true)
	f(" ", "", true)
	f("weather", "weather", false)
	f("new", "location", false)
	f("", "location", false)
}

func TestLocationCompletions(t *testing.T) {
	fake := weathertest.NewFake(t)
	p := newProvider(t, fake, nil, newClock())
	out, err := query(t, p, request("new", "location", "urlbar", sfLocation(), "fr"))
	if err != nil || len(out) != 1 {
		t.Fatalf("%v %v", out, err)
	}
	golden(t, "completions_new.json", render(out[0]))
	if out[0].HasTTL || strings.Contains(render(out[0]), "weather_report_ttl") {
		t.Error("completions have a weather TTL")
	}
	if paths := fake.Paths(); len(paths) != 1 || paths[0] != "/locations/v1/cities/US/autocomplete.json?includealiases=true&language=fr&q=new" {
		t.Errorf("paths = %q", paths)
	}
	// Without a country the country segment is dropped.
	one(t, p, request("new", "location", "urlbar", geoip.Location{}))
	if paths := fake.Paths(); paths[1] != "/locations/v1/cities/autocomplete.json?includealiases=true&language=en-US&q=new" {
		t.Errorf("paths = %q", paths)
	}
	// Soft PII and an empty term answer nothing without a call; so does an empty list.
	for _, req := range []*suggest.Request{
		{Query: "new 1", RequestType: "location", IsSoftPII: true, Languages: []string{"en-US"}},
		{Query: "", RequestType: "location", Languages: []string{"en-US"}},
	} {
		if out, err := query(t, p, req); len(out) != 0 || err != nil {
			t.Errorf("%+v: %d, %v", req, len(out), err)
		}
	}
	sameCalls(t, calls(fake), map[string]int64{"autocomplete": 2})
	fake.SetMode(weathertest.Autocomplete, weathertest.Empty)
	if out, err := query(t, p, request("zzz", "location", "urlbar", sfLocation())); len(out) != 0 || err != nil {
		t.Errorf("empty list: %d, %v", len(out), err)
	}
}

// Bad upstream answers give no suggestion, never a panic; the ones merino-py counts
// against the circuit breaker are errors.
func TestUpstreamFailures(t *testing.T) {
	f := func(kind string, mode weathertest.Mode, wantErr bool) {
		t.Helper()
		fake := weathertest.NewFake(t)
		fake.SetMode(kind, mode)
		p := newProvider(t, fake, nil, newClock())
		out, err := query(t, p, request("", "", "urlbar", sfLocation()))
		if (err != nil) != wantErr {
			t.Errorf("%s mode %d: err = %v, want error %v", kind, mode, err, wantErr)
		}
		if len(out) == 1 && out[0].NoContent {
			if kind != weathertest.Locations {
				t.Errorf("%s mode %d: sentinel", kind, mode)
			}
		} else if len(out) != 0 {
			t.Errorf("%s mode %d: %d suggestions", kind, mode, len(out))
		}
	}
	for _, kind := range []string{weathertest.CurrentConditions, weathertest.Forecasts} {
		f(kind, weathertest.Fail, true)
		f(kind, weathertest.Garbage, true)
		f(kind, weathertest.Hang, true)
		f(kind, weathertest.Empty, false)
		f(kind, weathertest.Shape, false)
	}
	// A failed city search is logged and answers nothing, without counting (merino-py).
	f(weathertest.Locations, weathertest.Fail, false)
	f(weathertest.Locations, weathertest.Garbage, false)
	f(weathertest.Locations, weathertest.Hang, false)
	// A city search with no result: the sentinel.
	f(weathertest.Locations, weathertest.Empty, false)
}

// Open after the threshold, no calls while open, half-open after the recovery time,
// closed again by a success.
func TestCircuitBreaker(t *testing.T) {
	fake := weathertest.NewFake(t)
	clk := newClock()
	p := newProvider(t, fake, nil, clk)
	fake.SetMode(weathertest.CurrentConditions, weathertest.Fail)
	for i := 0; i < 3; i++ {
		if _, err := query(t, p, request("", "", "urlbar", sfLocation())); err == nil {
			t.Fatalf("query %d: no error", i)
		}
	}
	before := fake.TotalCalls()
	for i := 0; i < 5; i++ {
		if out, err := query(t, p, request("", "", "urlbar", sfLocation())); len(out) != 0 || err != nil {
			t.Fatalf("open breaker: %d, %v", len(out), err)
		}
	}
	if n := fake.TotalCalls(); n != before {
		t.Errorf("open breaker made %d calls", n-before)
	}
	// Half-open: one more failure opens it again at once.
	clk.Advance(31 * time.Second)
	if _, err := query(t, p, request("", "", "urlbar", sfLocation())); err == nil {
		t.Fatal("half-open query: no error")
	}
	if out, _ := query(t, p, request("", "", "urlbar", sfLocation())); len(out) != 0 || fake.TotalCalls() != before+1 {
		t.Errorf("re-opened breaker: %d suggestions, %d calls", len(out), fake.TotalCalls()-before)
	}
	// Half-open again, and a success closes it.
	clk.Advance(31 * time.Second)
	fake.SetMode(weathertest.CurrentConditions, weathertest.Normal)
	one(t, p, request("", "", "urlbar", sfLocation()))
	one(t, p, request("", "", "urlbar", sfLocation()))
	if p.breaker.Open() {
		t.Error("breaker still open after a success")
	}
	// The sentinel is a success too.
	if out, err := query(t, p, request("", "", "urlbar", geoip.Location{})); err != nil || len(out) != 1 {
		t.Errorf("sentinel: %d, %v", len(out), err)
	}
}

// Concurrent misses for one location make one call per kind.
func TestSingleFlight(t *testing.T) {
	fake := weathertest.NewFake(t)
	p := newProvider(t, fake, nil, newClock())
	release := fake.Hold()
	const n = 16
	var wg sync.WaitGroup
	results := make([]string, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := p.Query(context.Background(), request("", "", "urlbar", sfLocation()), nil)
			errs[i] = err
			if len(out) == 1 {
				results[i] = render(out[0])
			}
		}()
	}
	r := p.client.LocationRequest("US", "CA", "San Francisco")
	key := p.client.CacheKey(&r)
	// Wait until every caller but the first waits on the first one's call.
	for p.locFlight.Waiting(key) < n-1 {
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()
	for i := range results {
		if errs[i] != nil || results[i] != results[0] || results[0] == "" {
			t.Fatalf("caller %d: %v %q", i, errs[i], results[i])
		}
	}
	sameCalls(t, calls(fake), map[string]int64{"locations": 1, "currentconditions": 1, "forecasts": 1})
}

// The TTL of a fresh value is max(Expires - now, configured), as timedelta.seconds.
func TestExpiresTTL(t *testing.T) {
	f := func(ahead time.Duration, want string) {
		t.Helper()
		fake := weathertest.NewFake(t)
		clk := newClock()
		fake.SetExpires(clk.Now().Add(ahead))
		p := newProvider(t, fake, nil, clk)
		if s := one(t, p, request("", "", "urlbar", sfLocation())); !strings.Contains(s, `"weather_report_ttl":`+want+`}`) {
			t.Errorf("Expires now+%v: %s", ahead, s)
		}
	}
	f(-time.Hour, "1800")
	f(2*time.Hour, "7200")
	// A day and 100 s ahead: Python's timedelta.seconds drops the day.
	f(24*time.Hour+100*time.Second, "100")
}

func TestHourlyForecasts(t *testing.T) {
	fake := weathertest.NewFake(t)
	clk := newClock()
	p := newProvider(t, fake, nil, clk)
	loc := sfLocation()
	body, ttl := p.HourlyForecasts(context.Background(), &loc, []string{"en-US"}, nil)
	golden(t, "hourly_sf.json", string(body))
	if ttl != 1800 {
		t.Errorf("ttl = %d", ttl)
	}
	sameCalls(t, calls(fake), map[string]int64{"locations": 1, "hourlyforecasts": 1})
	clk.Advance(60 * time.Second)
	body2, ttl := p.HourlyForecasts(context.Background(), &loc, []string{"en-US"}, nil)
	if string(body2) != string(body) || ttl != 1740 {
		t.Errorf("cached: ttl %d, %s", ttl, body2)
	}
	sameCalls(t, calls(fake), map[string]int64{"locations": 1, "hourlyforecasts": 1})

	// The location cached by a weather report serves the hourly forecasts too.
	fake2 := weathertest.NewFake(t)
	p2 := newProvider(t, fake2, nil, newClock())
	one(t, p2, request("", "", "newtab", sfLocation()))
	p2.HourlyForecasts(context.Background(), &loc, nil, nil)
	sameCalls(t, calls(fake2), map[string]int64{"locations": 1, "currentconditions": 1, "forecasts": 1, "hourlyforecasts": 1})

	f := func(name string, loc geoip.Location, mode weathertest.Mode) {
		t.Helper()
		fake := weathertest.NewFake(t)
		fake.SetMode(weathertest.HourlyForecasts, mode)
		p := newProvider(t, fake, nil, newClock())
		body, ttl := p.HourlyForecasts(context.Background(), &loc, nil, []byte("x"))
		if string(body) != "x[]" || ttl != 0 {
			t.Errorf("%s: %s, %d", name, body, ttl)
		}
	}
	f("no location", geoip.Location{}, weathertest.Normal)
	f("unknown city", geoip.Location{Country: "US", City: "Nowhere", Regions: []string{"WA"}}, weathertest.Normal)
	f("500", sfLocation(), weathertest.Fail)
	f("garbage", sfLocation(), weathertest.Garbage)
	f("timeout", sfLocation(), weathertest.Hang)
	f("not a list", sfLocation(), weathertest.Shape)

	// Its own breaker: three failures open it, and then nothing is called.
	fake3 := weathertest.NewFake(t)
	fake3.SetMode(weathertest.HourlyForecasts, weathertest.Fail)
	p3 := newProvider(t, fake3, nil, newClock())
	for i := 0; i < 5; i++ {
		p3.HourlyForecasts(context.Background(), &loc, nil, nil)
	}
	if n := fake3.Calls(weathertest.HourlyForecasts); n != 3 {
		t.Errorf("hourly calls with the breaker open = %d, want 3", n)
	}
	// The suggest breaker is separate.
	one(t, p3, request("", "", "newtab", sfLocation()))
}

// What the server needs of a weather answer is in typed fields: a report's TTL and its
// custom_details apart (left out with the TTL as max-age), the sentinel's NoContent.
func TestTypedAnswer(t *testing.T) {
	fake := weathertest.NewFake(t)
	p := newProvider(t, fake, nil, newClock())
	out, err := query(t, p, request("", "", "newtab", sfLocation()))
	if err != nil || len(out) != 1 {
		t.Fatalf("%v %v", out, err)
	}
	r := out[0]
	if !r.HasTTL || r.TTL <= 0 || r.NoContent || string(r.Details) != `,"custom_details":{"weather":{"weather_report_ttl":`+strconv.Itoa(r.TTL)+`}}` ||
		!strings.HasPrefix(string(r.Tail), `,"city_name":"San Francisco"`) {
		t.Errorf("report: TTL %d %v, details %s, tail %.40s", r.TTL, r.HasTTL, r.Details, r.Tail)
	}
	stripped := r
	stripped.Details = nil
	if full, short := render(r), render(stripped); strings.Replace(full, string(r.Details), "", 1) != short || !strings.Contains(full, "custom_details") {
		t.Errorf("without details:\n%s\n%s", full, short)
	}
	out, err = query(t, p, request("san", "location", "newtab", sfLocation()))
	if err != nil || len(out) != 1 || out[0].HasTTL || out[0].NoContent || out[0].Details != nil {
		t.Errorf("completions: %+v %v", out, err)
	}
	if s := NoLocation; !s.NoContent || s.HasTTL {
		t.Error("the sentinel is not marked NoContent")
	}
}

// The fake backend (backend != "accuweather") answers nothing.
func TestFakeBackend(t *testing.T) {
	p := New(Settings{Base: suggest.Base{Name: "accuweather"}})
	if out, err := p.Query(context.Background(), request("", "", "", sfLocation()), nil); len(out) != 0 || err != nil {
		t.Errorf("Query = %d, %v", len(out), err)
	}
	loc := sfLocation()
	if b, ttl := p.HourlyForecasts(context.Background(), &loc, nil, nil); string(b) != "[]" || ttl != 0 {
		t.Errorf("HourlyForecasts = %s, %d", b, ttl)
	}
}
