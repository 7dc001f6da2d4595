//go:build !race

package geoip

import (
	"net/netip"
	"testing"
)

// TestAllocsLookup pins the allocation budget of Lookup into a reused
// Location: zero once the reader's string cache has seen the record's strings.
//
// What the reader forces: every string is copied out of the database (there is
// no API returning a view of the mapped file), so a string's first sightings
// cost one allocation each; the per-Reader string cache admits it after a
// repeat and serves it from then on. Measured over MaxMind's real GeoLite2-City
// with ~43,000 distinct US/CA load-test addresses: 0.42 allocs/lookup on the
// first pass (including the cache's one-off 72 KiB table), 0.17-0.19 on later
// passes (cache misses), 0 for a few hundred repeating addresses. Regions
// and RegionNames append into the caller's arrays, and names maps are walked
// for "en" without being built, so nothing else allocates.
func TestAllocsLookup(t *testing.T) {
	r := openTestDB(t)
	var loc Location
	for _, ip := range testDBIPs {
		// Warm the string cache: a string is admitted on its second miss.
		for range 3 {
			if _, err := r.Lookup(ip, &loc); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, ip := range append(testDBIPs, netip.Addr{}) {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := r.Lookup(ip, &loc); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Lookup(%v) allocs = %v, want 0", ip, allocs)
		}
	}
}
