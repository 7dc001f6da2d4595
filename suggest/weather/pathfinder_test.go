package weather

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/geoip"
)

// explore tries the candidates in merino-py's order.
func TestExploreOrder(t *testing.T) {
	f := func(loc geoip.Location, want ...string) {
		t.Helper()
		pf := newPathfinder()
		var got []string
		pf.explore(context.Background(), &loc, func(_ context.Context, c candidate) (bool, error) {
			r := "None"
			if c.region.ok {
				r = c.region.code
			}
			got = append(got, r+"|"+c.city)
			return false, nil
		})
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("%+v:\n got %s\nwant %s", loc, strings.Join(got, ", "), strings.Join(want, ", "))
		}
	}
	// Most specific region (US), corrected and folded names, suffix removal.
	f(geoip.Location{Country: "US", Regions: []string{"CA"}, City: "San Francisco"}, "CA|San Francisco")
	f(geoip.Location{Country: "US", Regions: []string{"NY"}, City: "New York City"}, "NY|New York City", "NY|New York")
	f(geoip.Location{Country: "BR", Regions: []string{"PA"}, City: "Belem"}, "PA|Belém", "PA|Belem")
	f(geoip.Location{Country: "MX", Regions: []string{"CMX"}, City: "Ciudad Ixtepec Municipality"},
		"CMX|Ciudad Ixtepec Municipality", "CMX|Ciudad Ixtepec")
	// Least specific region (IT), with the FIPS code mapped to ISO.
	f(geoip.Location{Country: "IT", Regions: []string{"RM", "62"}, City: "Roma"}, "62|Roma")
	f(geoip.Location{Country: "IT", Regions: []string{"RM", "07"}, City: "Roma"}, "62|Roma")
	f(geoip.Location{Country: "GB", Regions: []string{"WBK", "ENG"}, City: "Boxford"}, "WBK|Boxford", "ENG|Boxford", "None|Boxford")
	f(geoip.Location{Country: "GB", Regions: []string{"P4", "ENG"}, City: "Boxford"}, "WBK|Boxford", "None|Boxford")
	// Learned and seeded regions.
	f(geoip.Location{Country: "GB", Regions: []string{"ENG"}, City: "London"}, "LND|London")
	f(geoip.Location{Country: "IE", Regions: []string{"L"}, City: "Dublin"}, "None|Dublin")
	// No region, no country: one candidate without a region.
	f(geoip.Location{Country: "FR", City: "Paris"}, "None|Paris")
	f(geoip.Location{Country: "FR", Regions: []string{"IDF", "75", "X", "Y", "Z", "W"}, City: "Paris"},
		"IDF|Paris", "75|Paris", "X|Paris", "Y|Paris", "Z|Paris", "None|Paris")
	f(geoip.Location{Country: "FR"})
}

func TestLearning(t *testing.T) {
	pf := newPathfinder()
	loc := geoip.Location{Country: "FR", Regions: []string{"IDF", "75"}, City: "Paris"}
	pf.learnRegion("FR", "Paris", optRegion{"75", true})
	pf.learnRegion("US", "Paris", optRegion{"TX", true}) // US has a rule: not learned
	if got := pf.compass(&loc, nil); len(got) != 1 || got[0] != (optRegion{"75", true}) {
		t.Errorf("learned compass = %v", got)
	}
	pf.learnSkip("FR", optRegion{"75", true}, "Paris")
	_, skipped, _ := pf.explore(context.Background(), &loc, func(context.Context, candidate) (bool, error) {
		t.Error("probed a skipped city")
		return false, nil
	})
	if !skipped {
		t.Error("not skipped")
	}
	for i := 0; i < maxLearned+10; i++ {
		pf.learnSkip("FR", optRegion{}, fmt.Sprint(i))
	}
	if n := pf.skips.Size(); n > maxLearned+1 {
		t.Errorf("skips grew to %d", n)
	}
}

func TestCityNormalizers(t *testing.T) {
	f := func(fn func(string) string, in, want string) {
		t.Helper()
		if got := fn(in); got != want {
			t.Errorf("(%q) = %q, want %q", in, got, want)
		}
	}
	f(asciiFold, "Bhadrāchalam", "Bhadrachalam")
	f(asciiFold, "Zürich (Kreis 11)", "Zurich (Kreis 11)")
	f(asciiFold, "東京", "")
	f(asciiFold, "ﬁ", "fi")
	f(removeLocalitySuffix, "Quezon City", "Quezon")
	f(removeLocalitySuffix, "Quezon  CITY", "Quezon")
	f(removeLocalitySuffix, "Cape Town", "Cape")
	f(removeLocalitySuffix, "Makati Municipality", "Makati")
	f(removeLocalitySuffix, "Townsville", "Townsville")
	f(removeLocalitySuffix, "Velocity", "Velocity")
	f(removeLocalitySuffix, "City", "City")
	f(removeLocalitySuffix, "Foo city\n", "Foo\n")
	f(removeLocalitySuffix, "Foo\u00a0town", "Foo")
}

func FuzzPathfinder(f *testing.F) {
	f.Add("US", "CA,BC", "San Francisco City")
	f.Add("GB", "P4", "Zürich (Kreis 11)\n")
	f.Fuzz(func(t *testing.T, country, regions, city string) {
		pf := newPathfinder()
		loc := geoip.Location{Country: country, City: city}
		if regions != "" {
			loc.Regions = strings.Split(regions, ",")
		}
		n := 0
		pf.explore(context.Background(), &loc, func(context.Context, candidate) (bool, error) {
			n++
			return false, nil
		})
		if n > 3*(maxFallbackRegions+1) {
			t.Fatalf("%d candidates", n)
		}
	})
}
