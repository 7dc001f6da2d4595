package geoip

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// testDB is the MaxMind test database merino-py ships as
// dev/GeoLite2-City-Test.mmdb, bundled in this repository.
const testDB = "../data/GeoLite2-City-Test.mmdb"

// expectedJSON is merino-py's own expectation for the test database,
// extracted from tests/unit/middleware/test_geolocation.py.
const expectedJSON = "/work/shared/data/merino-py/extracted-fixtures/geolocation/GeoLite2-City-Test_expected.json"

func openTestDB(tb testing.TB) *Reader {
	tb.Helper()
	r, err := Open(testDB)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = r.Close() })
	return r
}

func TestLookup(t *testing.T) {
	r := openTestDB(t)
	if got := r.DatabaseType(); got != "GeoLite2-City" {
		t.Fatalf("DatabaseType() = %q", got)
	}

	f := func(ip string, wantFound bool, want Location) {
		t.Helper()
		var addr netip.Addr
		if ip != "" {
			addr = netip.MustParseAddr(ip)
		}
		// Start dirty to prove Lookup resets dst.
		got := Location{Country: "XX", City: "stale", DMA: 1, HasCoordinates: true,
			Regions: []string{"A", "B", "C"}, RegionNames: []string{"a", "b", "c"}}
		found, err := r.Lookup(addr, &got)
		if err != nil {
			t.Fatalf("Lookup(%q): %v", ip, err)
		}
		if found != wantFound {
			t.Fatalf("Lookup(%q) found = %v, want %v", ip, found, wantFound)
		}
		normalize(&got)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Lookup(%q)\n got %+v\nwant %+v", ip, got, want)
		}
	}

	f("216.160.83.56", true, Location{
		Country: "US", CountryName: "United States",
		Regions: []string{"WA"}, RegionNames: []string{"Washington"},
		City: "Milton", DMA: 819, PostalCode: "98354",
		Latitude: 47.2513, Longitude: -122.3149, Radius: 22, HasCoordinates: true,
		TimeZone: "America/Los_Angeles",
	})
	// Two subdivisions: the database stores England then West Berkshire;
	// merino-py reverses them, most specific first. No metro code → DMA 0.
	f("2.125.160.216", true, Location{
		Country: "GB", CountryName: "United Kingdom",
		Regions: []string{"WBK", "ENG"}, RegionNames: []string{"West Berkshire", "England"},
		City: "Boxford", PostalCode: "OX1",
		Latitude: 51.75, Longitude: -1.25, Radius: 100, HasCoordinates: true,
		TimeZone: "Europe/London",
	})
	// IPv4-mapped IPv6 is looked up as IPv4.
	f("::ffff:216.160.83.56", true, Location{
		Country: "US", CountryName: "United States",
		Regions: []string{"WA"}, RegionNames: []string{"Washington"},
		City: "Milton", DMA: 819, PostalCode: "98354",
		Latitude: 47.2513, Longitude: -122.3149, Radius: 22, HasCoordinates: true,
		TimeZone: "America/Los_Angeles",
	})
	// IPv6 network, country only.
	f("2001:218::1", true, Location{
		Country: "JP", CountryName: "Japan",
		Latitude: 35.68536, Longitude: 139.75309, Radius: 100, HasCoordinates: true,
		TimeZone: "Asia/Tokyo",
	})
	// A zone is ignored.
	f("2001:218::1%eth0", true, Location{
		Country: "JP", CountryName: "Japan",
		Latitude: 35.68536, Longitude: 139.75309, Radius: 100, HasCoordinates: true,
		TimeZone: "Asia/Tokyo",
	})
	// No time zone in the record.
	f("2001:250::1", true, Location{
		Country: "CN", CountryName: "People's Republic of China",
		Latitude: 35, Longitude: 105, Radius: 100, HasCoordinates: true,
	})
	// Found, but no country at all (only continent and location).
	f("2a02:d500::1", true, Location{
		Latitude: 48.69096, Longitude: 9.14062, Radius: 100, HasCoordinates: true,
		TimeZone: "Europe/Vaduz",
	})
	// Not found: silent, empty.
	f("127.0.0.1", false, Location{})
	f("10.0.0.1", false, Location{})
	f("255.255.255.255", false, Location{})
	f("::1", false, Location{})
	// The zero Addr (what clientip yields for an unparseable client) is
	// "invalid IP" in merino-py: empty location, no error.
	f("", false, Location{})
}

// normalize maps empty slices to nil so DeepEqual compares contents only.
func normalize(l *Location) {
	if len(l.Regions) == 0 {
		l.Regions = nil
	}
	if len(l.RegionNames) == 0 {
		l.RegionNames = nil
	}
}

// TestLookupMerinoFixture checks the Location against the expectations
// extracted from merino-py's own test, field by field in its JSON shape.
func TestLookupMerinoFixture(t *testing.T) {
	data, err := os.ReadFile(expectedJSON)
	if os.IsNotExist(err) {
		t.Skipf("merino-py fixture %s is not present", expectedJSON)
	}
	if err != nil {
		t.Fatal(err)
	}
	var fixture map[string]json.RawMessage
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatal(err)
	}
	type coords struct {
		Latitude  *float64 `json:"latitude"`
		Longitude *float64 `json:"longitude"`
		Radius    *int     `json:"radius"`
	}
	type pyLocation struct {
		Country     *string  `json:"country"`
		CountryName *string  `json:"country_name"`
		Regions     []string `json:"regions"`
		RegionNames []string `json:"region_names"`
		City        *string  `json:"city"`
		DMA         *int     `json:"dma"`
		PostalCode  *string  `json:"postal_code"`
		Coordinates *coords  `json:"coordinates"`
		Timezone    *string  `json:"timezone"`
	}
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	r := openTestDB(t)
	n := 0
	for ip, raw := range fixture {
		if strings.HasPrefix(ip, "_") {
			continue
		}
		n++
		var want pyLocation
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("%s: %v", ip, err)
		}
		var loc Location
		found, err := r.Lookup(netip.MustParseAddr(ip), &loc)
		if err != nil {
			t.Fatalf("%s: %v", ip, err)
		}
		// Convert to merino-py's shape: None for empty, coordinates only
		// for a found record.
		got := pyLocation{
			Country: str(loc.Country), CountryName: str(loc.CountryName),
			City: str(loc.City), PostalCode: str(loc.PostalCode), Timezone: str(loc.TimeZone),
		}
		if len(loc.Regions) > 0 {
			got.Regions, got.RegionNames = loc.Regions, loc.RegionNames
		}
		if loc.DMA != 0 {
			got.DMA = &loc.DMA
		}
		if found {
			got.Coordinates = &coords{Latitude: &loc.Latitude, Longitude: &loc.Longitude, Radius: &loc.Radius}
		}
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(want)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("%s:\n got %s\nwant %s", ip, gotJSON, wantJSON)
		}
	}
	if n < 4 {
		t.Fatalf("fixture has only %d addresses", n)
	}
}

func TestLookupReusesSlices(t *testing.T) {
	r := openTestDB(t)
	var loc Location
	if _, err := r.Lookup(netip.MustParseAddr("2.125.160.216"), &loc); err != nil {
		t.Fatal(err)
	}
	regions := &loc.Regions[:1][0]
	if _, err := r.Lookup(netip.MustParseAddr("216.160.83.56"), &loc); err != nil {
		t.Fatal(err)
	}
	if &loc.Regions[0] != regions {
		t.Fatal("Lookup did not reuse the Regions backing array")
	}
}

func TestReset(t *testing.T) {
	l := Location{Country: "US", Regions: make([]string, 2, 4), RegionNames: []string{"x"}, DMA: 3, HasCoordinates: true}
	l.Reset()
	if len(l.Regions) != 0 || cap(l.Regions) != 4 || len(l.RegionNames) != 0 || cap(l.RegionNames) != 1 {
		t.Fatalf("Reset slices: %v %v", l.Regions, l.RegionNames)
	}
	l.Regions, l.RegionNames = nil, nil
	if !reflect.DeepEqual(l, Location{}) {
		t.Fatalf("Reset left %+v", l)
	}
}

func TestOpenErrors(t *testing.T) {
	f := func(path, wantSubstr string) {
		t.Helper()
		r, err := Open(path)
		if err == nil {
			_ = r.Close()
			t.Fatalf("Open(%q) succeeded", path)
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), wantSubstr) {
			t.Fatalf("Open(%q) error %q does not name the file or %q", path, err, wantSubstr)
		}
	}
	dir := t.TempDir()
	f(filepath.Join(dir, "missing.mmdb"), "no such file")
	empty := filepath.Join(dir, "empty.mmdb")
	garbage := filepath.Join(dir, "garbage.mmdb")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a maxmind db\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	f(empty, "empty")
	f(garbage, "cannot open geoip database")
}

// TestLookupBrokenDatabase corrupts the search tree of a copy of the test
// database: Open still succeeds (it reads only the metadata), so the damage
// must surface as a Lookup error, not as "not found".
func TestLookupBrokenDatabase(t *testing.T) {
	data, err := os.ReadFile(testDB)
	if err != nil {
		t.Fatal(err)
	}
	r0 := openTestDB(t)
	meta := r0.db.Metadata
	treeSize := int(meta.NodeCount) * int(meta.RecordSize) / 4
	for i := range treeSize {
		data[i] = 0xff
	}
	path := filepath.Join(t.TempDir(), "broken.mmdb")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	loc := Location{Country: "XX"}
	found, err := r.Lookup(netip.MustParseAddr("216.160.83.56"), &loc)
	if err == nil || found {
		t.Fatalf("Lookup on a broken tree: found=%v err=%v", found, err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Fatalf("error %q does not name the file", err)
	}
	if loc.Country != "" {
		t.Fatalf("dst not reset: %+v", loc)
	}
}

func TestCityNames(t *testing.T) {
	r, err := Open(testDB)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	names, ok, err := r.CityNames(netip.MustParseAddr("216.160.83.56"))
	if err != nil || !ok || names["en"] != "Milton" {
		t.Fatalf("%v %v %v", names, ok, err)
	}
	if _, ok, err := r.CityNames(netip.MustParseAddr("127.0.0.1")); ok || err != nil {
		t.Errorf("loopback: %v %v", ok, err)
	}
	if _, ok, err := r.CityNames(netip.Addr{}); ok || err != nil {
		t.Errorf("zero: %v %v", ok, err)
	}
}
