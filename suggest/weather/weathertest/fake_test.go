package weathertest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// location is the part of a city search result merino reads.
type location struct {
	Key, LocalizedName string
	AdministrativeArea struct{ ID string }
	Country            struct{ ID, LocalizedName string }
}

func TestAnyCity(t *testing.T) {
	search := func(f *Fake, path, q string) []location {
		t.Helper()
		code, body := get(t, f.URL+path+"?apikey="+APIKey+"&q="+q+"&alias=always")
		var l []location
		if err := json.Unmarshal(body, &l); code != 200 || err != nil {
			t.Fatalf("%s?q=%s: %d %s", path, q, code, body)
		}
		return l
	}
	plain := NewFake(t)
	if l := search(plain, "/locations/v1/cities/US/WA/search.json", "Milton"); len(l) != 0 {
		t.Fatalf("without AnyCity an unknown city was found: %+v", l)
	}
	f := NewFake(t, AnyCity(), NoPaths())
	for _, tc := range []struct {
		path, q                                string
		key, name, admin, country, countryName string
	}{
		// A known city keeps its real key.
		{"/locations/v1/cities/US/CA/search.json", "San+Francisco", "39376", "San Francisco", "CA", "US", "United States"},
		{"/locations/v1/cities/US/WA/search.json", "Milton", SyntheticKey("US", "WA", "Milton"), "Milton", "WA", "US", "United States"},
		{"/locations/v1/cities/CA/QC/search.json", "Montr%C3%A9al", SyntheticKey("CA", "QC", "Montréal"), "Montréal", "QC", "CA", "Canada"},
		{"/locations/v1/cities/FR/search.json", "Paris", SyntheticKey("FR", "", "Paris"), "Paris", "FR", "FR", "FR"},
	} {
		l := search(f, tc.path, tc.q)
		// merino reads the first result; the fixture has a second.
		if len(l) == 0 || l[0].Key != tc.key || l[0].LocalizedName != tc.name || l[0].AdministrativeArea.ID != tc.admin ||
			l[0].Country.ID != tc.country || l[0].Country.LocalizedName != tc.countryName {
			t.Errorf("%s?q=%s: %+v, want key %s", tc.path, tc.q, l, tc.key)
		}
	}
	if a, b := SyntheticKey("US", "WA", "Milton"), SyntheticKey("US", "FL", "Milton"); a == b || len(a) != 10 || strings.Trim(a, "0123456789") != "" {
		t.Fatalf("keys %q, %q: want distinct ten-digit decimal keys", a, b)
	}
	// Weather for a synthetic key: the fixtures, with the key in their links.
	key := SyntheticKey("US", "WA", "Milton")
	for _, path := range []string{"/currentconditions/v1/" + key + ".json", "/forecasts/v1/daily/1day/" + key + ".json", "/forecasts/v1/hourly/12hour/" + key + ".json"} {
		code, body := get(t, f.URL+path+"?apikey="+APIKey+"&language=en-US")
		if code != 200 || !strings.Contains(string(body), "/"+key+"?") || strings.Contains(string(body), "/39376?") {
			t.Errorf("%s: %d %.200s", path, code, body)
		}
	}
	if f.Paths() != nil || f.Calls(Locations) != 4 || f.CallCounts()[CurrentConditions] != 1 {
		t.Fatalf("paths %q, calls %v", f.Paths(), f.CallCounts())
	}
}

func TestStartAndClose(t *testing.T) {
	f, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, f.URL+"/currentconditions/v1/39376.json?apikey="+APIKey); code != 200 {
		t.Fatalf("status %d", code)
	}
	f.Close()
	f.Close() // a second Close does nothing
	if _, err := http.Get(f.URL + "/currentconditions/v1/39376.json"); err == nil {
		t.Fatal("a closed fake answered")
	}
}
