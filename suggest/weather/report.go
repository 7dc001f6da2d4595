package weather

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/flight"
	"github.com/mozilla-services/merino-go/suggest/weather/accuweather"
	"github.com/mozilla-services/merino-go/suggest/weather/weathercache"
)

// fetched is a processed AccuWeather value (nil when the response had another shape) and
// the TTL merino-py reports for it once cached.
type fetched[T any] struct {
	v   *T
	ttl int
}

// fetch calls AccuWeather for r, processes the answer and, when cache is set, stores it
// under merino-py's key for max(Expires - now, ttl). Concurrent calls for one key share
// one upstream call. A failed write is counted and logged, and the answer served anyway
// (merino-py drops it: a deliberate difference).
func fetch[T any](ctx context.Context, p *Provider, fl *flight.Group[string, fetched[T]], kind string, r accuweather.Request,
	process func([]byte) (*T, error), ttl time.Duration, cache bool) (*T, int, error) {
	key := p.client.CacheKey(&r)
	counters := kinds[kind]
	res, err, shared := fl.Do(ctx, key, func() (fetched[T], error) {
		if cache {
			// A caller that missed just before another call filled the cache would
			// otherwise call AccuWeather a second time for the same key.
			if b, ttl, ok, err := p.store.Get(ctx, key); err == nil && ok {
				v := new(T)
				if json.Unmarshal(b, v) == nil {
					return fetched[T]{v: v, ttl: ttl}, nil
				}
			}
		}
		counters.upstream.Inc()
		resp, err := p.client.Do(ctx, &r)
		if err != nil {
			counters.upstreamErrors.Inc()
			return fetched[T]{}, err
		}
		v, err := process(resp.Body)
		if err != nil {
			counters.upstreamErrors.Inc()
			return fetched[T]{}, fmt.Errorf("cannot process AccuWeather %s: %w", r.Path, err)
		}
		if v == nil {
			counters.processorErrors.Inc()
			return fetched[T]{}, nil
		}
		if !cache {
			return fetched[T]{v: v}, nil
		}
		d := ttl
		if resp.HasExpires {
			if e := resp.Expires.Sub(p.now()); e > d {
				d = e
			}
		}
		// Redis keeps whole seconds; so does every store, for the same answers.
		d = d.Truncate(time.Second)
		value, err := json.Marshal(v)
		if err != nil {
			return fetched[T]{}, fmt.Errorf("BUG: cannot encode %s: %w", r.Path, err)
		}
		if err := p.store.Set(ctx, key, value, d); err != nil {
			// merino-py drops the answer here; a full Redis (writes refused) would then
			// empty weather for every location not cached yet, although AccuWeather
			// answered. The fresh answer is served, and the failed write counted.
			cacheWriteErrors.Inc()
			if now := time.Now().UnixNano(); now-lastWriteWarn.Load() > int64(10*time.Second) {
				lastWriteWarn.Store(now)
				p.log.Warn("cannot cache an AccuWeather answer; serving it uncached (logged every 10 s at most; merino_accuweather_cache_errors_total counts them all)",
					"provider", p.Name, "path", r.Path, "error", err.Error())
			}
		}
		return fetched[T]{v: v, ttl: timedeltaSeconds(d)}, nil
	})
	if shared {
		sharedUpstream.Inc()
	}
	return res.v, res.ttl, err
}

// lastWriteWarn is when a failed cache write was last logged (unix nanoseconds): a full
// Redis fails every write, and the counter says how many.
var lastWriteWarn atomic.Int64

// timedeltaSeconds is Python's timedelta.seconds, which merino-py returns as the TTL of a
// fresh value: the seconds part only, without whole days (a quirk kept on purpose: an
// Expires more than a day ahead yields a TTL below a day).
func timedeltaSeconds(d time.Duration) int {
	return int(d/time.Second) % 86400
}

// weatherData is what the cache gave (merino-py's WeatherData).
type weatherData struct {
	location *accuweather.Location
	current  *accuweather.CurrentConditions
	forecast *accuweather.Forecast
	ttl      int
	hasTTL   bool
}

// parseBundle decodes cached values in merino-py's order; a value that does not decode
// ends the parse with what was decoded so far, and the rest is fetched again.
func parseBundle(b weathercache.Bundle) weatherData {
	var d weatherData
	if b.Location != nil {
		var l accuweather.Location
		if json.Unmarshal(b.Location, &l) != nil || l.Key == "" {
			cacheDataErrors.Inc()
			return d
		}
		d.location = &l
	}
	if b.Current != nil {
		var c accuweather.CurrentConditions
		if json.Unmarshal(b.Current, &c) != nil {
			cacheDataErrors.Inc()
			return d
		}
		d.current = &c
	}
	if b.Forecast != nil {
		var f accuweather.Forecast
		if json.Unmarshal(b.Forecast, &f) != nil {
			cacheDataErrors.Inc()
			return d
		}
		d.forecast = &f
	}
	d.ttl, d.hasTTL = b.TTL, b.HasTTL
	return d
}

func countCache(kind string, hit bool) {
	if hit {
		kinds[kind].hits.Inc()
	} else {
		kinds[kind].misses.Inc()
	}
}

// weatherReport is merino-py's get_weather_report: by location key when q is given, else
// by the request's location.
func (p *Provider) weatherReport(ctx context.Context, req *suggest.Request, lang string) (*report, error) {
	t := p.templates[lang]
	if req.Query != "" {
		key := req.Query
		b, err := p.store.Pair(ctx, p.templateKey(t.Current, key), p.templateKey(t.Forecast, key))
		if err != nil {
			cacheReadErrors.Inc()
			return nil, err
		}
		countCache(kindCurrentConditions, b.Current != nil)
		countCache(kindForecasts, b.Forecast != nil)
		d := parseBundle(b)
		// A location key request has no location record: merino-py makes one of "N/A"s.
		d.location = &accuweather.Location{Key: key, LocalizedName: "N/A", AdministrativeAreaID: "N/A", CountryName: "N/A"}
		return p.makeReport(ctx, req, lang, d)
	}

	loc := &req.Location
	if loc.Country == "" || loc.City == "" {
		return nil, errNoLocation
	}
	var b weathercache.Bundle
	_, skipped, err := p.pf.explore(ctx, loc, func(ctx context.Context, c candidate) (bool, error) {
		key := p.client.LocationCacheKey(loc.Country, c.region.code, c.region.ok, c.city)
		got, err := p.store.ByLocation(ctx, key, t.Current, t.Forecast, p.client.Placeholder())
		if err != nil || got.Location == nil {
			return false, err
		}
		b = got
		return true, nil
	})
	if err != nil {
		// Never fall back to AccuWeather on a cache error: with the cache down that would
		// send every request upstream (merino-py's "cache avalanche" rule).
		cacheReadErrors.Inc()
		return nil, err
	}
	if skipped {
		return nil, errNoLocation
	}
	countCache(kindLocations, b.Location != nil)
	countCache(kindCurrentConditions, b.Current != nil)
	countCache(kindForecasts, b.Forecast != nil)
	return p.makeReport(ctx, req, lang, parseBundle(b))
}

// makeReport is merino-py's make_weather_report: the cached data when it is complete,
// else the missing parts from AccuWeather.
func (p *Provider) makeReport(ctx context.Context, req *suggest.Request, lang string, d weatherData) (*report, error) {
	// A TTL of 0 is falsy in merino-py: the data is then refreshed like a partial hit.
	if d.location != nil && d.current != nil && d.forecast != nil && d.hasTTL && d.ttl != 0 {
		return p.buildReport(req, d.location, d.current, d.forecast, d.ttl), nil
	}
	if d.location == nil {
		loc, err := p.findLocation(ctx, &req.Location)
		if err != nil {
			// merino-py logs a failed city search and answers nothing, without counting
			// it against the circuit breaker.
			p.log.Warn("cannot look the location up", "provider", p.Name, "error", err.Error())
			return nil, nil
		}
		if loc == nil {
			return nil, errNoLocation
		}
		d.location = loc
	}

	currentTTL := int(p.currentTTL / time.Second)
	forecastTTL := int(p.forecastTTL / time.Second)
	var currentErr error
	var done chan struct{}
	if d.current == nil {
		done = make(chan struct{})
		go func() {
			defer close(done)
			d.current, currentTTL, currentErr = fetch(ctx, p, &p.currentFlight, kindCurrentConditions,
				p.client.CurrentConditionsRequest(d.location.Key, lang), p.client.ProcessCurrentConditions, p.currentTTL, true)
		}()
	}
	var forecastErr error
	if d.forecast == nil {
		d.forecast, forecastTTL, forecastErr = fetch(ctx, p, &p.forecastFlight, kindForecasts,
			p.client.ForecastRequest(d.location.Key, lang), p.client.ProcessForecast, p.forecastTTL, true)
	}
	if done != nil {
		<-done
	}
	if currentErr != nil || forecastErr != nil {
		return nil, fmt.Errorf("cannot fetch weather report: %w", joinErrs(currentErr, forecastErr))
	}
	if d.current == nil || d.forecast == nil {
		return nil, nil
	}
	return p.buildReport(req, d.location, d.current, d.forecast, min(currentTTL, forecastTTL)), nil
}

func joinErrs(a, b error) error {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return fmt.Errorf("%w; %w", a, b)
}

// findLocation searches AccuWeather for the request's city over the pathfinder's
// candidates, learning what it finds and what it does not. A triple known to be missing
// ends the search with no location.
func (p *Provider) findLocation(ctx context.Context, loc *geoip.Location) (*accuweather.Location, error) {
	var found *accuweather.Location
	_, _, err := p.pf.explore(ctx, loc, func(ctx context.Context, c candidate) (bool, error) {
		l, err := p.locationUpstream(ctx, loc.Country, c)
		if l != nil {
			found = l
			return true, nil
		}
		return false, err
	})
	return found, err
}

// locationUpstream is merino-py's get_location_by_geolocation for one candidate.
func (p *Provider) locationUpstream(ctx context.Context, country string, c candidate) (*accuweather.Location, error) {
	if country == "" || c.city == "" {
		return nil, nil
	}
	r := p.client.LocationRequest(country, c.region.code, c.city)
	l, _, err := fetch(ctx, p, &p.locFlight, kindLocations, r, accuweather.ProcessLocation, p.locationTTL, true)
	if err != nil {
		return nil, err
	}
	if l != nil {
		p.pf.learnRegion(country, c.city, c.region)
	} else {
		p.pf.learnSkip(country, c.region, c.city)
	}
	return l, nil
}

// buildReport applies merino-py's naming rules. The city is AccuWeather's localized name,
// except when that equals MaxMind's English name for the client's address (the location was
// not overridden by the request's city): then MaxMind's name in the request's language
// ("en" for every English tag, "es" for every Spanish one), when MaxMind has one (merino-py
// would then send no name at all; keeping AccuWeather's is the deliberate difference).
// region_code is the admin area for requests from Canada or the United States about a
// Canadian or US location, else the country name.
func (p *Provider) buildReport(req *suggest.Request, l *accuweather.Location, cc *accuweather.CurrentConditions, fc *accuweather.Forecast, ttl int) *report {
	r := &report{cityName: p.cityName(req, l), current: cc, forecast: fc, ttl: ttl, regionCode: l.CountryName}
	origin, country := req.Location.CountryName, req.Location.Country
	if (origin == "Canada" || origin == "United States") && (country == "CA" || country == "US") {
		r.regionCode = l.AdministrativeAreaID
	}
	return r
}

// cityName is merino-py's get_localized_city_name.
func (p *Provider) cityName(req *suggest.Request, l *accuweather.Location) string {
	geo := p.geoip
	if geo == nil || !req.ClientIP.IsValid() {
		return l.LocalizedName
	}
	names, ok, err := geo.CityNames(req.ClientIP)
	if err != nil || !ok || names["en"] != l.LocalizedName {
		return l.LocalizedName
	}
	lang := p.language(req.Languages)
	switch {
	case strings.HasPrefix(lang, "en"):
		lang = "en"
	case strings.HasPrefix(lang, "es"):
		lang = "es"
	}
	if name, ok := names[lang]; ok && name != "" {
		return name
	}
	return l.LocalizedName
}
