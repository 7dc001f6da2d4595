package geoip

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// geoLite2Gz is MaxMind's real GeoLite2-City, gzipped (66 MB unpacked); see
// /work/shared/data/geoip/PROVENANCE.md. It is benchmark data only and is not
// bundled with the repository.
const geoLite2Gz = "/work/shared/data/geoip/geolite2-city-official/GeoLite2-City.mmdb.gz"

// loadTestRanges are the US/CA ranges merino-py's load test draws its
// X-Forwarded-For addresses from.
var loadTestRanges = []string{
	"/work/shared/data/merino-py/tests/load/data/ip2location_united_states_of_america_ip_address_ranges.gz",
	"/work/shared/data/merino-py/tests/load/data/ip2location_canada_ip_address_ranges.gz",
}

var (
	sinkLocation Location
	sinkFound    bool
)

var testDBIPs = []netip.Addr{
	netip.MustParseAddr("216.160.83.56"),
	netip.MustParseAddr("2.125.160.216"),
	netip.MustParseAddr("81.2.69.142"),
	netip.MustParseAddr("89.160.20.112"),
	netip.MustParseAddr("2001:218::1"),
	netip.MustParseAddr("127.0.0.1"),
}

func BenchmarkLookupTestDB(b *testing.B) {
	r := openTestDB(b)
	benchmarkLookup(b, r, testDBIPs)
}

func BenchmarkLookupGeoLite2(b *testing.B) {
	r := openGeoLite2(b)
	ips := loadTestIPs(b, 300)
	benchmarkLookup(b, r, ips)
}

// BenchmarkLookupGeoLite2Wide cycles through ~40,000 addresses (one per
// load-test range) so that strings keep missing the reader's string cache,
// which only admits a string after it has been seen twice: this is the
// cost of cold records, where every decoded string is a fresh allocation.
func BenchmarkLookupGeoLite2Wide(b *testing.B) {
	r := openGeoLite2(b)
	ips := loadTestIPs(b, 1<<20)
	b.Logf("%d addresses", len(ips))
	benchmarkLookup(b, r, ips)
}

// BenchmarkLookupGeoLite2Reflect decodes the same fields with the library's
// reflection decoder, for comparison with the hand-written cursor decoder.
func BenchmarkLookupGeoLite2Reflect(b *testing.B) {
	r := openGeoLite2(b)
	ips := loadTestIPs(b, 300)
	type names struct {
		En string `maxminddb:"en"`
	}
	type cityRecord struct {
		City struct {
			Names names `maxminddb:"names"`
		} `maxminddb:"city"`
		Country struct {
			ISOCode string `maxminddb:"iso_code"`
			Names   names  `maxminddb:"names"`
		} `maxminddb:"country"`
		Location struct {
			Latitude       float64 `maxminddb:"latitude"`
			Longitude      float64 `maxminddb:"longitude"`
			AccuracyRadius int     `maxminddb:"accuracy_radius"`
			MetroCode      int     `maxminddb:"metro_code"`
			TimeZone       string  `maxminddb:"time_zone"`
		} `maxminddb:"location"`
		Postal struct {
			Code string `maxminddb:"code"`
		} `maxminddb:"postal"`
		Subdivisions []struct {
			ISOCode string `maxminddb:"iso_code"`
			Names   names  `maxminddb:"names"`
		} `maxminddb:"subdivisions"`
	}
	b.ReportAllocs()
	b.ResetTimer()
	var rec cityRecord
	for i := 0; b.Loop(); i++ {
		rec = cityRecord{}
		if err := r.db.Lookup(ips[i%len(ips)]).Decode(&rec); err != nil {
			b.Fatal(err)
		}
	}
	sinkLocation.City = rec.City.Names.En
}

func benchmarkLookup(b *testing.B, r *Reader, ips []netip.Addr) {
	b.Helper()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		var loc Location
		var found bool
		for i := 0; b.Loop(); i++ {
			var err error
			found, err = r.Lookup(ips[i%len(ips)], &loc)
			if err != nil {
				b.Fatal(err)
			}
		}
		sinkLocation, sinkFound = loc, found
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var loc Location
			i := 0
			for pb.Next() {
				if _, err := r.Lookup(ips[i%len(ips)], &loc); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}

// openGeoLite2 unpacks the real GeoLite2-City once into a temporary directory
// and opens it, or skips the benchmark when the file is not on this machine.
func openGeoLite2(b *testing.B) *Reader {
	b.Helper()
	in, err := os.Open(geoLite2Gz)
	if errors.Is(err, os.ErrNotExist) {
		b.Skipf("GeoLite2-City is not available at %s; this benchmark needs the real database", geoLite2Gz)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(bufio.NewReader(in))
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "GeoLite2-City.mmdb")
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = r.Close() })
	return r
}

// loadTestIPs picks about n addresses deterministically from merino-py's
// load-test ranges: evenly spaced rows, the middle address of each range,
// split between the files in proportion 3:1 (US:CA).
func loadTestIPs(b *testing.B, n int) []netip.Addr {
	b.Helper()
	var ips []netip.Addr
	for i, path := range loadTestRanges {
		want := n * 3 / 4
		if i > 0 {
			want = n - len(ips)
		}
		ips = append(ips, pickFromRanges(b, path, want)...)
	}
	if len(ips) == 0 {
		b.Fatal("no load-test addresses")
	}
	return ips
}

func pickFromRanges(b *testing.B, path string, want int) []netip.Addr {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		b.Skipf("load-test ranges not available at %s", path)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	rows, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		b.Fatalf("%s: %v", path, err)
	}
	rows = rows[1:] // Begin IP Address,End IP Address,Total Count
	step := max(len(rows)/want, 1)
	var ips []netip.Addr
	for i := 0; i < len(rows) && len(ips) < want; i += step {
		begin, err1 := netip.ParseAddr(rows[i][0])
		end, err2 := netip.ParseAddr(rows[i][1])
		if err1 != nil || err2 != nil || !begin.Is4() || !end.Is4() {
			b.Fatalf("%s row %d: %q", path, i, rows[i])
		}
		lo, hi := u32(begin), u32(end)
		mid := lo + (hi-lo)/2
		ips = append(ips, netip.AddrFrom4([4]byte{byte(mid >> 24), byte(mid >> 16), byte(mid >> 8), byte(mid)}))
	}
	return ips
}

func u32(a netip.Addr) uint32 {
	x := a.As4()
	return uint32(x[0])<<24 | uint32(x[1])<<16 | uint32(x[2])<<8 | uint32(x[3])
}
