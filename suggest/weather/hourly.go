package weather

import (
	"context"
	"encoding/json"

	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/suggest/weather/accuweather"
)

// HourlyForecasts appends to dst the JSON list of the next five hourly forecasts for loc
// (GET /api/v1/weather/hourly-forecasts, reference/merino-py.md §2.5) and returns it with
// the TTL for `Cache-Control: private, max-age=<ttl>`. Every failure (no location, a cache
// or AccuWeather error, the circuit breaker open) answers `[]` with TTL 0, as merino-py
// does; errors count against this endpoint's own circuit breaker.
//
// loc is the request's location (city, region and country parameters already merged into
// it) and languages its Accept-Language tags. Neither is retained.
func (p *Provider) HourlyForecasts(ctx context.Context, loc *geoip.Location, languages []string, dst []byte) ([]byte, int) {
	if p.client == nil {
		return append(dst, "[]"...), 0
	}
	if !p.hourlyBreaker.Allow() {
		hourlyRejected.Inc()
		return append(dst, "[]"...), 0
	}
	list, ttl, err := p.hourly(ctx, loc, p.language(languages))
	p.hourlyBreaker.Record(ctx, err)
	if err != nil && ctx.Err() == nil {
		p.log.Warn("hourly forecasts failed", "provider", p.Name, "error", err.Error())
	}
	if err != nil || list == nil {
		return append(dst, "[]"...), 0
	}
	return appendHourly(dst, list.HourlyForecasts), ttl
}

// hourly finds the location key (from the cache, then from AccuWeather), then the
// forecasts (from the cache, then from AccuWeather). merino-py always asks AccuWeather
// for the location here; reading the cache first gives the same key without the call.
func (p *Provider) hourly(ctx context.Context, loc *geoip.Location, lang string) (*accuweather.HourlyForecasts, int, error) {
	var location *accuweather.Location
	if loc.Country != "" {
		found, skipped, err := p.pf.explore(ctx, loc, func(ctx context.Context, c candidate) (bool, error) {
			v, _, ok, err := p.store.Get(ctx, p.client.LocationCacheKey(loc.Country, c.region.code, c.region.ok, c.city))
			if err != nil || !ok {
				return false, err
			}
			var l accuweather.Location
			if json.Unmarshal(v, &l) != nil || l.Key == "" {
				cacheDataErrors.Inc()
				return false, nil
			}
			location = &l
			return true, nil
		})
		if err != nil {
			cacheReadErrors.Inc()
			return nil, 0, err
		}
		countCache(kindLocations, found)
		if skipped {
			return nil, 0, nil
		}
	}
	if location == nil {
		l, err := p.findLocation(ctx, loc)
		if err != nil {
			return nil, 0, err
		}
		if l == nil {
			return nil, 0, nil
		}
		location = l
	}

	key := p.templateKey(p.templates[lang].Hourly, location.Key)
	v, ttl, ok, err := p.store.Get(ctx, key)
	if err != nil {
		cacheReadErrors.Inc()
		return nil, 0, err
	}
	countCache(kindHourlyForecasts, ok)
	if ok {
		var h accuweather.HourlyForecasts
		if json.Unmarshal(v, &h) == nil {
			return &h, ttl, nil
		}
		// Not a forecast list: fetch it again, which overwrites it.
		cacheDataErrors.Inc()
	}
	h, ttl, err := fetch(ctx, p, &p.hourlyFlight, kindHourlyForecasts,
		p.client.HourlyForecastsRequest(location.Key, lang), p.client.ProcessHourlyForecasts, p.hourlyTTL, true)
	if err != nil || h == nil {
		return nil, 0, err
	}
	return h, ttl, nil
}
