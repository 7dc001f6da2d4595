package weather

import (
	"fmt"

	"github.com/VictoriaMetrics/metrics"
)

// Metrics translate merino-py's statsd names: accuweather.upstream.request.<type>.get
// becomes merino_accuweather_upstream_requests_total{type="<type>"}, accuweather.cache.hit.*
// and accuweather.cache.fetch.miss.* become merino_accuweather_cache_total{data,result},
// and so on. The label sets are fixed, so each counter is resolved once here.

// The request types of merino-py's RequestType enum.
const (
	kindLocations         = "locations"
	kindCurrentConditions = "currentconditions"
	kindForecasts         = "forecasts"
	kindHourlyForecasts   = "hourlyforecasts"
	kindAutocomplete      = "autocomplete"
)

type kindCounters struct {
	upstream, upstreamErrors, processorErrors, hits, misses *metrics.Counter
}

var kinds = map[string]*kindCounters{}

func init() {
	for _, k := range []string{kindLocations, kindCurrentConditions, kindForecasts, kindHourlyForecasts, kindAutocomplete} {
		kinds[k] = &kindCounters{
			upstream:        metrics.NewCounter(fmt.Sprintf(`merino_accuweather_upstream_requests_total{type=%q}`, k)),
			upstreamErrors:  metrics.NewCounter(fmt.Sprintf(`merino_accuweather_upstream_errors_total{type=%q}`, k)),
			processorErrors: metrics.NewCounter(fmt.Sprintf(`merino_accuweather_processor_errors_total{type=%q}`, k)),
			hits:            metrics.NewCounter(fmt.Sprintf(`merino_accuweather_cache_total{data=%q,result="hit"}`, k)),
			misses:          metrics.NewCounter(fmt.Sprintf(`merino_accuweather_cache_total{data=%q,result="miss"}`, k)),
		}
	}
}

var (
	cacheReadErrors  = metrics.NewCounter(`merino_accuweather_cache_errors_total{op="read"}`)
	cacheWriteErrors = metrics.NewCounter(`merino_accuweather_cache_errors_total{op="write"}`)
	cacheDataErrors  = metrics.NewCounter(`merino_accuweather_cache_data_errors_total`)
	noLocationTotal  = metrics.NewCounter(`merino_accuweather_location_not_found_total`)
	breakerRejected  = metrics.NewCounter(`merino_weather_circuit_breaker_rejections_total{breaker="weather"}`)
	hourlyRejected   = metrics.NewCounter(`merino_weather_circuit_breaker_rejections_total{breaker="weather_hourly_forecasts"}`)
	sharedUpstream   = metrics.NewCounter(`merino_accuweather_upstream_shared_total`)
)
