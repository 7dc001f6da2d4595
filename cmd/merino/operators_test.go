package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// uvicorn's FORWARDED_ALLOW_IPS, as merino-py's deployments set it, decides whose
// X-Forwarded-For counts when MERINO_LOCATION__FORWARDED_ALLOW_IPS is not set: "*" trusts
// every peer and takes the left-most entry.
func TestUvicornTrustOverHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	p := startProc(t, sharedBinary(t), 0, "FORWARDED_ALLOW_IPS=*",
		"MERINO_LOCATION__MAXMIND_DATABASE=data/GeoLite2-City-Test.mmdb",
		"MERINO_PROVIDERS__GEOLOCATION__TYPE=geolocation", "MERINO_LOGGING__LOG_SUGGEST_REQUEST=false")
	req, err := http.NewRequest("GET", p.base+"/api/v1/suggest?q=&providers=geolocation", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-For", "216.160.83.56, 2.125.160.216")
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"city":"Milton"`) {
		t.Errorf("FORWARDED_ALLOW_IPS=* did not take the left-most entry: %s", b)
	}
}
