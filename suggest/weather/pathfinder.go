package weather

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/puzpuzpuz/xsync/v3"
	"golang.org/x/text/unicode/norm"

	"github.com/mozilla-services/merino-go/geoip"
)

// The pathfinder reconciles MaxMind's names with AccuWeather's, as merino-py's
// pathfinder module does: it tries city name variants and candidate regions until a probe
// (a cache read or a city search) finds the location, learns which region worked for a
// city of a country without a known rule, and learns the (country, region, city) triples
// AccuWeather does not know so that they are never looked up again.

// optRegion is a region that may be absent (Python's None).
type optRegion struct {
	code string
	ok   bool
}

type countryCity struct{ country, city string }

type skipKey struct {
	country string
	region  optRegion
	city    string
}

// maxLearned bounds each learned table. merino-py's grow without bound; here the city
// comes from the request's parameters too, so a client could otherwise grow them at will.
// Past the bound nothing more is learned: lookups still work, only more slowly.
const maxLearned = 100_000

// pathfinder holds the learned tables of one provider.
type pathfinder struct {
	regions *xsync.MapOf[countryCity, optRegion]
	skips   *xsync.MapOf[skipKey, int64]
}

func newPathfinder() *pathfinder {
	pf := &pathfinder{
		regions: xsync.NewMapOf[countryCity, optRegion](),
		skips:   xsync.NewMapOf[skipKey, int64](),
	}
	for k, v := range seedRegions {
		pf.regions.Store(k, v)
	}
	for _, k := range seedSkips {
		pf.skips.Store(k, 0)
	}
	return pf
}

// candidate is one (region, city) pair to probe.
type candidate struct {
	region optRegion
	city   string
}

// probe looks a candidate up; found ends the search.
type probe func(ctx context.Context, c candidate) (found bool, err error)

// explore probes the candidates of loc in merino-py's order: for each city variant (the
// corrected name, then its ASCII form, then without a locality suffix; duplicates
// skipped), each region the compass yields. It stops at the first find, at the first
// error, or with skipped=true at a triple known to be missing.
func (pf *pathfinder) explore(ctx context.Context, loc *geoip.Location, p probe) (found, skipped bool, err error) {
	if loc.City == "" {
		return false, false, nil
	}
	city := loc.City
	if c, ok := cityCorrections[city]; ok {
		city = c
	}
	var variants [3]string
	variants[0], variants[1], variants[2] = city, asciiFold(city), removeLocalitySuffix(city)
	var regionsBuf [maxFallbackRegions + 1]optRegion
	for i, v := range variants {
		dup := false
		for _, prev := range variants[:i] {
			if prev == v {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		for _, region := range pf.compass(loc, regionsBuf[:0]) {
			if loc.Country != "" && v != "" {
				k := skipKey{loc.Country, region, v}
				if _, ok := pf.skips.Load(k); ok {
					pf.skips.Compute(k, func(n int64, _ bool) (int64, bool) { return n + 1, false })
					return false, true, nil
				}
			}
			found, err := p(ctx, candidate{region: region, city: v})
			if err != nil || found {
				return found, false, err
			}
		}
	}
	return false, false, nil
}

// compass appends the regions to try for loc, most likely first.
func (pf *pathfinder) compass(loc *geoip.Location, dst []optRegion) []optRegion {
	regions := loc.Regions
	var fips [1]string
	if m, ok := fipsToISO[loc.Country]; ok && len(regions) > 0 {
		for _, r := range regions {
			if iso, ok := m[r]; ok {
				fips[0] = iso
				regions = fips[:]
				break
			}
		}
	}
	if len(regions) == 0 || loc.Country == "" || loc.City == "" {
		return append(dst, optRegion{})
	}
	if r, ok := pf.regions.Load(countryCity{loc.Country, loc.City}); ok {
		return append(dst, r)
	}
	switch {
	case specificRegionCountries[loc.Country]:
		return append(dst, optRegion{regions[0], true})
	case leastSpecificRegionCountries[loc.Country]:
		return append(dst, optRegion{regions[len(regions)-1], true})
	}
	for i, r := range regions {
		if i == maxFallbackRegions {
			break
		}
		dst = append(dst, optRegion{r, true})
	}
	return append(dst, optRegion{})
}

// learnRegion records the region that found a city, for countries without a rule.
func (pf *pathfinder) learnRegion(country, city string, region optRegion) {
	if specificRegionCountries[country] || leastSpecificRegionCountries[country] {
		return
	}
	k := countryCity{country, city}
	if _, ok := pf.regions.Load(k); !ok && pf.regions.Size() >= maxLearned {
		return
	}
	pf.regions.Store(k, region)
}

// learnSkip records a triple AccuWeather has no location for.
func (pf *pathfinder) learnSkip(country string, region optRegion, city string) {
	k := skipKey{country, region, city}
	if _, ok := pf.skips.Load(k); !ok && pf.skips.Size() >= maxLearned {
		return
	}
	pf.skips.Compute(k, func(n int64, _ bool) (int64, bool) { return n + 1, false })
}

// asciiFold is merino-py's normalize_string: NFKD, then every non-ASCII byte dropped.
func asciiFold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	d := norm.NFKD.String(s)
	b := make([]byte, 0, len(d))
	for i := 0; i < len(d); i++ {
		if d[i] < utf8.RuneSelf {
			b = append(b, d[i])
		}
	}
	return string(b)
}

// removeLocalitySuffix is merino-py's re.sub(r"\s+(city|municipality|town)$", "", s,
// flags=re.IGNORECASE): a trailing " City", " Municipality" or " Town" after whitespace
// is dropped. Python's "$" also matches before a final newline, which is kept.
func removeLocalitySuffix(s string) string {
	body, tail := s, ""
	if strings.HasSuffix(s, "\n") {
		// Try the match at the very end first, as the regex engine does.
		if out, ok := cutSuffixWord(s); ok {
			return out
		}
		body, tail = s[:len(s)-1], "\n"
	}
	if out, ok := cutSuffixWord(body); ok {
		return out + tail
	}
	return s
}

func cutSuffixWord(s string) (string, bool) {
	for _, w := range [...]string{"city", "municipality", "town"} {
		if len(s) < len(w) || !strings.EqualFold(s[len(s)-len(w):], w) {
			continue
		}
		head := s[:len(s)-len(w)]
		trimmed := strings.TrimRightFunc(head, isPySpace)
		if len(trimmed) < len(head) {
			return trimmed, true
		}
	}
	return "", false
}

// isPySpace is Python's \s for str patterns: Unicode whitespace plus the ASCII
// information separators that str.isspace also counts.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f
}
