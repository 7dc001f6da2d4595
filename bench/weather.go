package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
	"github.com/valyala/fasthttp"
)

// Weather needs an AccuWeather and a geolocation database. When the bench starts merino-go
// itself for a scenario with weather, it starts weathertest's fake AccuWeather in-process in
// its "any city" mode (every city search finds a location whose key is a hash of the
// country, region and city, so the spread of cities that real client addresses resolve to
// becomes the same spread of cache keys), points the accuweather provider at it, and gives
// the server the real GeoLite2 City database when ../shared/data holds it, decompressed
// into a temp dir for the run's length and deleted with it (its EULA allows tests and
// benchmarks only, so it is never copied into the repository). Without it the server keeps
// the bundled test database, where nearly no US/CA address has a city: merino then answers
// 204 to almost every weather request.

// geoLite2Rel is where the real GeoLite2 City database sits under the shared data directory.
var geoLite2Rel = filepath.Join("geoip", "geolite2-city-official", "GeoLite2-City.mmdb.gz")

// weatherBackend is the fake AccuWeather, the optional Redis and the geolocation database a
// started merino-go uses for weather.
type weatherBackend struct {
	fake  *weathertest.Fake
	redis *weathertest.Redis
	dir   string // temp dir: the decompressed database, Redis's working directory
	cache string // memory, redis or none
	geoip string // what database the server geolocates with, for the report
	env   []string
}

// needsWeather says whether a scenario sends weather requests.
func (sc *scenario) needsWeather() bool {
	for _, s := range sc.sources {
		if s.kind == "weather" {
			return true
		}
	}
	return false
}

// errNoRedis says that --weather-cache redis cannot run here.
var errNoRedis = errors.New("--weather-cache redis needs redis-server on PATH (Debian: apt-get install redis-server)")

// startWeather starts the fake AccuWeather (and Redis for cache "redis") and returns the
// MERINO_* settings that make a started merino-go use them. geoip is "" (the real GeoLite2
// under shared when present, else the bundled test database), "test" (the bundled test
// database) or the path of an MMDB file, gzipped or not.
func startWeather(shared, cache, geoip string) (_ *weatherBackend, err error) {
	switch cache {
	case "memory", "redis", "none":
	default:
		return nil, fmt.Errorf("--weather-cache %q: want memory, redis or none", cache)
	}
	dir, err := os.MkdirTemp("", "merino-bench-weather-")
	if err != nil {
		return nil, fmt.Errorf("cannot create a temp dir: %w", err)
	}
	w := &weatherBackend{dir: dir, cache: cache}
	defer func() {
		if err != nil {
			w.close()
		}
	}()
	if cache == "redis" {
		r, err := weathertest.StartRedisServer(dir)
		if errors.Is(err, weathertest.ErrNoRedis) {
			return nil, errNoRedis
		}
		if err != nil {
			return nil, err
		}
		w.redis = r
		w.env = append(w.env, "MERINO_REDIS__SERVER="+r.URL)
	}
	f, err := weathertest.Start(weathertest.AnyCity(), weathertest.NoPaths())
	if err != nil {
		return nil, err
	}
	w.fake = f
	w.env = append(w.env,
		"MERINO_PROVIDERS__ACCUWEATHER__TYPE=accuweather",
		"MERINO_PROVIDERS__ACCUWEATHER__CACHE="+cache,
		"MERINO_ACCUWEATHER__URL_BASE="+f.URL,
		"MERINO_ACCUWEATHER__API_KEY="+weathertest.APIKey,
		// Loopback is the bench: trust its X-Forwarded-For, which carries the client address.
		`MERINO_LOCATION__FORWARDED_ALLOW_IPS=["127.0.0.1"]`,
	)
	src := geoip
	switch geoip {
	case "test":
		src = ""
	case "":
		if p := filepath.Join(shared, geoLite2Rel); fileExists(p) {
			src = p
		}
	}
	if src == "" {
		w.geoip = "data/GeoLite2-City-Test.mmdb (the bundled test database: most US/CA addresses have no city, so most weather answers are 204)"
		return w, nil
	}
	db, err := unpackMMDB(src, dir)
	if err != nil {
		return nil, err
	}
	w.geoip = src
	w.env = append(w.env, "MERINO_LOCATION__MAXMIND_DATABASE="+db)
	return w, nil
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// unpackMMDB returns a path of src's database: src itself, or its gunzipped copy in dir.
func unpackMMDB(src, dir string) (string, error) {
	if !strings.HasSuffix(src, ".gz") {
		if !fileExists(src) {
			return "", fmt.Errorf("--geoip %q: no such file", src)
		}
		return filepath.Abs(src)
	}
	in, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("cannot open %q: %w", src, err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(in, 1<<20))
	if err != nil {
		return "", fmt.Errorf("cannot read %q: %w", src, err)
	}
	dst := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".gz"))
	out, err := os.Create(dst)
	if err != nil {
		return "", fmt.Errorf("cannot create %q: %w", dst, err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		out.Close()
		return "", fmt.Errorf("cannot decompress %q: %w", src, err)
	}
	if err := out.Close(); err != nil {
		return "", fmt.Errorf("cannot write %q: %w", dst, err)
	}
	return dst, nil
}

// close stops the fake and Redis and deletes the temp dir (with the database copy).
func (w *weatherBackend) close() {
	if w.fake != nil {
		w.fake.Close()
	}
	if w.redis != nil {
		w.redis.Stop()
	}
	os.RemoveAll(w.dir)
}

// weatherSnapshot is the weather counters at one moment: the server's, scraped from its
// admin /metrics, and the fake's.
type weatherSnapshot struct {
	at      time.Time
	metrics map[string]float64 // series (name with labels) -> value; nil when not scraped
	err     error              // why metrics is nil
	fake    map[string]int64   // calls by kind; nil without the fake
}

// snapshot reads the counters; admin is the admin listener's base URL ("" when unknown).
func snapshotWeather(admin string, fake *weathertest.Fake) weatherSnapshot {
	s := weatherSnapshot{at: time.Now()}
	if fake != nil {
		s.fake = fake.CallCounts()
	}
	if admin == "" {
		s.err = errors.New("no admin listener to scrape (--admin-url)")
		return s
	}
	s.metrics, s.err = scrapeMetrics(admin)
	return s
}

// scrapeMetrics reads the Prometheus text of admin's /metrics.
func scrapeMetrics(admin string) (map[string]float64, error) {
	code, body, err := fasthttp.GetTimeout(nil, strings.TrimRight(admin, "/")+"/metrics", 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("cannot scrape %s/metrics: %w", admin, err)
	}
	if code != 200 {
		return nil, fmt.Errorf("cannot scrape %s/metrics: status %d", admin, code)
	}
	return parseMetrics(body), nil
}

// parseMetrics reads the samples of Prometheus text exposition: "name{labels} value" lines,
// comments and malformed lines skipped. Series keep their labels as written, which
// VictoriaMetrics/metrics writes in registration order.
func parseMetrics(text []byte) map[string]float64 {
	out := map[string]float64{}
	for line := range bytes.SplitSeq(text, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		// The value follows the last space outside the labels (label values may hold spaces).
		end := bytes.LastIndexByte(line, '}')
		sp := bytes.IndexByte(line[max(end, 0):], ' ')
		if sp < 0 {
			continue
		}
		sp += max(end, 0)
		fields := strings.Fields(string(line[sp:]))
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			continue
		}
		out[string(line[:sp])] = v
	}
	return out
}

// weatherStats is what the weather part of a run did to the cache and to AccuWeather, over
// the measured window.
type weatherStats struct {
	Cache string `json:"cache"` // the provider's cache: memory, redis or none
	// HitRatio is hits/(hits+misses) over every data kind (-1: no lookups or not scraped).
	HitRatio float64 `json:"cache_hit_ratio"`
	// ByData is the cache counters per kind of data (locations, currentconditions, ...).
	ByData map[string]cacheStat `json:"cache_by_data,omitempty"`
	// UpstreamCalls are AccuWeather calls by kind: the fake's counts when the bench started
	// it, else the server's merino_accuweather_upstream_requests_total.
	UpstreamCalls  map[string]int64 `json:"upstream_calls,omitempty"`
	UpstreamPerSec float64          `json:"upstream_calls_per_sec"`
	UpstreamSource string           `json:"upstream_source,omitempty"`
	Requests       int64            `json:"requests"`   // weather requests in the window
	NoContent      int              `json:"no_content"` // 204s in the window: no location resolved
	GeoIP          string           `json:"geoip_database,omitempty"`
	Error          string           `json:"error,omitempty"` // why counters are missing
}

type cacheStat struct {
	Hits   int64   `json:"hits"`
	Misses int64   `json:"misses"`
	Ratio  float64 `json:"hit_ratio"` // -1 when there were no lookups
}

// Series names of suggest/weather/metrics.go.
const (
	cacheSeries    = `merino_accuweather_cache_total{data="`
	upstreamSeries = `merino_accuweather_upstream_requests_total{type="`
)

// weatherDelta computes the stats between two snapshots.
func weatherDelta(before, after weatherSnapshot, cache, geoip string) *weatherStats {
	ws := &weatherStats{Cache: cache, GeoIP: geoip, HitRatio: -1, UpstreamPerSec: -1}
	secs := after.at.Sub(before.at).Seconds()
	if before.metrics == nil || after.metrics == nil {
		ws.Error = errors.Join(before.err, after.err).Error()
	} else {
		ws.ByData = map[string]cacheStat{}
		var hits, misses int64
		for series, v := range after.metrics {
			rest, ok := strings.CutPrefix(series, cacheSeries)
			if !ok {
				continue
			}
			data, result, ok := strings.Cut(rest, `",result="`)
			if !ok {
				continue
			}
			n := int64(v - before.metrics[series])
			cs := ws.ByData[data]
			switch strings.TrimSuffix(result, `"}`) {
			case "hit":
				cs.Hits += n
				hits += n
			case "miss":
				cs.Misses += n
				misses += n
			default:
				continue
			}
			ws.ByData[data] = cs
		}
		for k, cs := range ws.ByData {
			if cs.Hits+cs.Misses == 0 {
				delete(ws.ByData, k) // a kind the scenario never looks up (hourly, autocomplete)
				continue
			}
			cs.Ratio = float64(cs.Hits) / float64(cs.Hits+cs.Misses)
			ws.ByData[k] = cs
		}
		if hits+misses > 0 {
			ws.HitRatio = float64(hits) / float64(hits+misses)
		}
	}
	var total int64
	switch {
	case before.fake != nil && after.fake != nil:
		ws.UpstreamSource = "fake AccuWeather"
		ws.UpstreamCalls = map[string]int64{}
		for k, v := range after.fake {
			if d := v - before.fake[k]; d > 0 {
				ws.UpstreamCalls[k] = d
				total += d
			}
		}
	case before.metrics != nil && after.metrics != nil:
		ws.UpstreamSource = "merino_accuweather_upstream_requests_total"
		ws.UpstreamCalls = map[string]int64{}
		for series, v := range after.metrics {
			if rest, ok := strings.CutPrefix(series, upstreamSeries); ok {
				if d := int64(v - before.metrics[series]); d > 0 {
					ws.UpstreamCalls[strings.TrimSuffix(rest, `"}`)] = d
					total += d
				}
			}
		}
	}
	if ws.UpstreamSource != "" && secs > 0 {
		ws.UpstreamPerSec = float64(total) / secs
	}
	return ws
}

// lines are the weather rows of the summary, also kept as the report's notes.
func (ws *weatherStats) lines() []string {
	ratio := func(r float64) string {
		if r < 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.1f%%", 100*r)
	}
	var out []string
	cache := fmt.Sprintf("weather cache (%s): hit ratio %s", ws.Cache, ratio(ws.HitRatio))
	if ws.Error != "" {
		cache += " (" + ws.Error + ")"
	}
	var by []string
	for _, k := range sortedKeys(ws.ByData) {
		cs := ws.ByData[k]
		by = append(by, fmt.Sprintf("%s %s (%d/%d)", k, ratio(cs.Ratio), cs.Hits, cs.Hits+cs.Misses))
	}
	if len(by) > 0 {
		cache += ": " + strings.Join(by, ", ")
	}
	out = append(out, cache)
	if ws.UpstreamSource != "" {
		var calls []string
		for _, k := range sortedKeys(ws.UpstreamCalls) {
			calls = append(calls, fmt.Sprintf("%s %d", k, ws.UpstreamCalls[k]))
		}
		if len(calls) == 0 {
			calls = []string{"none"}
		}
		out = append(out, fmt.Sprintf("weather upstream: %.1f calls/s (%s; from the %s)", ws.UpstreamPerSec, strings.Join(calls, ", "), ws.UpstreamSource))
	}
	out = append(out, fmt.Sprintf("weather 204 (no location): %d of %d weather requests (%.1f%%)", ws.NoContent, ws.Requests, 100*float64(ws.NoContent)/float64(max(ws.Requests, 1))))
	if ws.GeoIP != "" {
		out = append(out, "weather geolocation: "+ws.GeoIP)
	}
	return out
}
