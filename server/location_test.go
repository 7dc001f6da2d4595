package server_test

import (
	"strings"
	"testing"
)

// The request log says where the address is, not where the city, region and country
// parameters told the providers to look (merino-py's middleware logs the scope's location).
func TestRequestLogKeepsTheAddressLocation(t *testing.T) {
	ts, logs := startWho(t, whoOptions{trust: []string{"127.0.0.1"}}, newTopPicks(t, "top_picks", true))
	r := ts.get(t, "/api/v1/suggest?q=exam&city=Boston&region=MA&country=US", "X-Forwarded-For", "216.160.83.56")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	recs := requestRecords(logs.records(t))
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	fields := recs[0]["Fields"].(map[string]any)
	for k, want := range map[string]any{"country": "US", "region": "WA", "city": "Milton", "dma": 819.0} {
		if fields[k] != want {
			t.Errorf("%s = %#v, want %#v (the address's)", k, fields[k], want)
		}
	}
	// An address without a location logs nulls, whatever the parameters say.
	r = ts.get(t, "/api/v1/suggest?q=exam&city=Boston&region=MA&country=US")
	fields = requestRecords(logs.records(t))[0]["Fields"].(map[string]any)
	for _, k := range []string{"country", "region", "city", "dma"} {
		if fields[k] != nil {
			t.Errorf("%s = %#v, want null", k, fields[k])
		}
	}
}

// region=,MA gives an empty first region code, which merino-py writes ("" is not None).
func TestGeolocationEmptyRegionCode(t *testing.T) {
	ts, _ := startWho(t, whoOptions{trust: []string{"127.0.0.1"}}, newGeolocation("geolocation"))
	r := ts.get(t, "/api/v1/suggest?q=&providers=geolocation&city=Boston&region=,MA&country=US")
	if want := `"geolocation":{"country_code":"US","region_code":"","city":"Boston"}`; !strings.Contains(r.body, want) {
		t.Errorf("%d %s, want %s", r.status, r.body, want)
	}
}
