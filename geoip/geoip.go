// Package geoip resolves a client IP address to a Location using a MaxMind
// GeoIP2/GeoLite2 City database (MMDB), the way merino-py's
// merino/middleware/geolocation.py does with geoip2.database.Reader.city.
//
// Only the fields Merino exposes are decoded, straight from the database into
// a caller-owned Location, so a lookup builds no maps and reuses the caller's
// slices. See Reader.Lookup for the allocation contract.
package geoip

import (
	"fmt"
	"net/netip"

	"github.com/oschwald/maxminddb-golang/v2"
)

// Location is the geolocation of one client IP address. It mirrors merino-py's
// Location model, with Go zero values standing in for Python's None:
// an empty string, a nil or empty slice, DMA 0 and HasCoordinates false.
//
// merino-py's city_names (every locale of the city name) is deliberately not
// decoded: it is a map and nothing on the suggest path reads it.
type Location struct {
	// Country is country.iso_code, e.g. "US".
	Country string
	// CountryName is country.names["en"], e.g. "United States".
	CountryName string
	// Regions holds subdivisions[*].iso_code, most specific first (merino-py
	// reverses the database order, which is least specific first), e.g.
	// ["WBK", "ENG"] for West Berkshire, England. Empty when there are none.
	Regions []string
	// RegionNames holds subdivisions[*].names["en"] in the same order as
	// Regions; a subdivision without an English name leaves "" at its index.
	RegionNames []string
	// City is city.names["en"].
	City string
	// DMA is location.metro_code (a Nielsen DMA code, US only). 0 means the
	// record has none: real DMA codes lie in 500..881, so 0 is free to mean
	// None and no separate flag or pointer is needed.
	DMA int
	// PostalCode is postal.code.
	PostalCode string
	// Latitude and Longitude are location.latitude and location.longitude;
	// they are meaningful only when HasCoordinates is true.
	Latitude, Longitude float64
	// Radius is location.accuracy_radius in kilometres; 0 when absent.
	Radius int
	// HasCoordinates reports that the record had both a latitude and a
	// longitude. merino-py builds a Coordinates object for every found record
	// (with None members when the data lacks them); a caller reproducing that
	// output should key it on the lookup's found result, not on this flag.
	HasCoordinates bool
	// TimeZone is location.time_zone, e.g. "America/Los_Angeles".
	TimeZone string
}

// Reset clears l for reuse, keeping the capacity of its slices.
func (l *Location) Reset() {
	regions, names := l.Regions[:0], l.RegionNames[:0]
	*l = Location{Regions: regions, RegionNames: names}
}

// Reader looks locations up in one open MMDB file. It is safe for concurrent
// use by multiple goroutines. Strings it returns are ordinary Go strings: they
// stay valid after Close.
type Reader struct {
	db   *maxminddb.Reader
	path string
}

// Open opens (memory-maps) the MMDB file at path. The database type is not
// checked: any MMDB whose records follow the GeoIP2 City layout works, and
// fields a database lacks (a Country database has no city) stay empty.
func Open(path string) (*Reader, error) {
	db, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open geoip database %q: %w", path, err)
	}
	return &Reader{db: db, path: path}, nil
}

// Path returns the file the Reader was opened from.
func (r *Reader) Path() string { return r.path }

// DatabaseType returns the database_type from the file's metadata, e.g.
// "GeoLite2-City", for logging at startup.
func (r *Reader) DatabaseType() string { return r.db.Metadata.DatabaseType }

// Close releases the memory map. Lookup must not be called after Close.
func (r *Reader) Close() error {
	if err := r.db.Close(); err != nil {
		return fmt.Errorf("cannot close geoip database %q: %w", r.path, err)
	}
	return nil
}

// Lookup resets dst and fills it with the location of ip.
//
// found is false, with a nil error, when the database has no record for ip and
// when ip is the zero (invalid) Addr: merino-py treats both as "no location"
// (the second with a warning the caller may log). An IPv4-mapped IPv6 address
// is looked up as IPv4 and any zone is ignored. A non-nil error means the
// database is broken (corrupt tree or data, or an unexpected schema); dst is
// then left reset.
//
// Lookup appends into dst's existing Regions and RegionNames backing arrays, so
// a reused Location makes the slice handling allocation-free. Strings come from
// the library's per-Reader string cache, which only copies a string the first
// few times its offset is seen; dst escapes to the heap (it is handed to the
// decoder as an interface), so keep it in a pooled or long-lived struct.
func (r *Reader) Lookup(ip netip.Addr, dst *Location) (found bool, err error) {
	dst.Reset()
	if !ip.IsValid() {
		return false, nil
	}
	res := r.db.Lookup(ip.Unmap())
	if err := res.Err(); err != nil {
		return false, fmt.Errorf("cannot look up %s in geoip database %q: %w", ip, r.path, err)
	}
	if !res.Found() {
		return false, nil
	}
	if err := res.Decode((*record)(dst)); err != nil {
		dst.Reset()
		return false, fmt.Errorf("cannot decode record for %s in geoip database %q: %w", ip, r.path, err)
	}
	return true, nil
}

// CityNames returns city.names of ip's record: the city's name in each of the database's
// locales (en, de, es, fr, ja, pt-BR, ru, zh-CN for MaxMind's). It is merino-py's
// Location.city_names, which only the weather provider reads, so it is a separate, allocating
// lookup rather than part of Lookup's per-request path. ok is false when ip has no record.
func (r *Reader) CityNames(ip netip.Addr) (names map[string]string, ok bool, err error) {
	if !ip.IsValid() {
		return nil, false, nil
	}
	res := r.db.Lookup(ip.Unmap())
	if err := res.Err(); err != nil {
		return nil, false, fmt.Errorf("cannot look up %s in geoip database %q: %w", ip, r.path, err)
	}
	if !res.Found() {
		return nil, false, nil
	}
	var rec struct {
		City struct {
			Names map[string]string `maxminddb:"names"`
		} `maxminddb:"city"`
	}
	if err := res.Decode(&rec); err != nil {
		return nil, false, fmt.Errorf("cannot decode record for %s in geoip database %q: %w", ip, r.path, err)
	}
	return rec.City.Names, true, nil
}
