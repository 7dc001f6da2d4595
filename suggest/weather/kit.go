package weather

import (
	"fmt"
	"time"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit"
	"github.com/mozilla-services/merino-go/suggest/weather/accuweather"
	"github.com/mozilla-services/merino-go/suggest/weather/weathercache"
)

// API is the [accuweather] section: merino-py's [default.accuweather], every key under the
// same name with the same default.
type API struct {
	APIKey                    string
	URLBase                   string
	URLParamAPIKey            string
	URLLocationKeyPlaceholder string
	URLCurrentConditionsPath  string
	URLForecastsPath          string
	URLHourlyForecastsPath    string
	URLParamPartnerCode       string
	PartnerCodeNewtabValue    string
	PartnerCodeFFSuggestValue string
	URLLocationCompletionPath string
	URLCitiesAdminPath        string
	URLCitiesPath             string
	URLCitiesParamQuery       string
	MetricsSamplingRate       float64
	DefaultLanguages          []string
}

// apiSection is [accuweather], read whether or not an accuweather provider uses it.
var apiSection = config.NewSection("accuweather", func(t *config.Table) *API {
	return &API{
		APIKey:                    t.Str("api_key", ""),
		URLBase:                   t.Str("url_base", "https://apidev.accuweather.com"),
		URLParamAPIKey:            t.Str("url_param_api_key", "apikey"),
		URLLocationKeyPlaceholder: t.Str("url_location_key_placeholder", "{location_key}"),
		URLCurrentConditionsPath:  t.Str("url_current_conditions_path", "/currentconditions/v1/{location_key}.json"),
		URLForecastsPath:          t.Str("url_forecasts_path", "/forecasts/v1/daily/1day/{location_key}.json"),
		URLHourlyForecastsPath:    t.Str("url_hourly_forecasts_path", "/forecasts/v1/hourly/12hour/{location_key}.json"),
		URLParamPartnerCode:       t.Str("url_param_partner_code", "partner"),
		PartnerCodeNewtabValue:    t.Str("partner_code_newtab_value", "web_mozilla_adc"),
		PartnerCodeFFSuggestValue: t.Str("partner_code_ffsuggest_value", "web_mozilla_ffsuggest_adc"),
		URLLocationCompletionPath: t.Str("url_location_completion_path", "/locations/v1/cities/{country_code}/autocomplete.json"),
		URLCitiesAdminPath:        t.Str("url_cities_admin_path", "/locations/v1/cities/{country_code}/{admin_code}/search.json"),
		URLCitiesPath:             t.Str("url_cities_path", "/locations/v1/cities/{country_code}/search.json"),
		URLCitiesParamQuery:       t.Str("url_cities_param_query", "q"),
		MetricsSamplingRate:       t.Float("metrics_sampling_rate", 0.75, 0, 1),
		DefaultLanguages:          t.Strings("default_languages", DefaultLanguages),
	}
})

// APISettings returns c's [accuweather] section.
func APISettings(c *config.Config) *API { return apiSection.Get(c) }

func init() {
	kit.Register(kit.Type[Settings]{
		Name:  "accuweather",
		Score: 0.3,
		// merino-py's query_timeout_sec for accuweather: weather is an upstream call, not a
		// memory lookup.
		QueryTimeout: 5 * time.Second,
		Read: func(t *kit.Table, s *Settings) {
			s.Backend = t.Str("backend", "accuweather")
			s.Cache = t.Str("cache", "memory")
			s.ConnectTimeout = t.FloatSeconds("connect_timeout_sec", 3.0, 0.001, 600)
			s.RequestTimeout = t.FloatSeconds("request_timeout_sec", 5.0, 0.001, 600)
			s.CronInterval = t.Seconds("cron_interval_sec", 21600)
			s.BreakerThreshold = t.Int("circuit_breaker_failure_threshold", 10, 1, 1<<31-1)
			s.BreakerRecover = t.FloatSeconds("circuit_breaker_recover_timeout_sec", 30, 0.001, 86400)
			s.LocationTTL = t.Seconds("cache_ttls.location_key_ttl_sec", 2592000)
			s.CurrentConditionsTTL = t.Seconds("cache_ttls.current_condition_ttl_sec", 1800)
			s.ForecastTTL = t.Seconds("cache_ttls.forecast_ttl_sec", 3600)
			s.HourlyForecastTTL = t.Seconds("cache_ttls.hourly_forecast_ttl_sec", 1800)
			switch s.Cache {
			case "none", "memory", "redis":
			default:
				if !t.Failed() {
					t.Fail("cache", "must be one of none, memory, redis, got %q", s.Cache)
				}
			}
		},
		New: newKitProvider,
	})
}

// newKitProvider makes an accuweather provider: its AccuWeather client from [accuweather] and
// its cache.
func newKitProvider(s *Settings, env *kit.Env) (suggest.Provider, error) {
	api := APISettings(env.Config)
	s.Languages = api.DefaultLanguages
	s.Log = env.Log()
	s.GeoIP = env.GeoIP
	if s.Backend != "accuweather" {
		// merino-py's fake backend: the provider answers nothing.
		s.Log.Warn("accuweather provider uses a fake backend: no weather", "backend", s.Backend)
		return New(*s), nil
	}
	client, err := accuweather.New(accuweather.Config{
		URLBase:                api.URLBase,
		APIKey:                 api.APIKey,
		ParamAPIKey:            api.URLParamAPIKey,
		LocationKeyPlaceholder: api.URLLocationKeyPlaceholder,
		CurrentConditionsPath:  api.URLCurrentConditionsPath,
		ForecastsPath:          api.URLForecastsPath,
		HourlyForecastsPath:    api.URLHourlyForecastsPath,
		LocationCompletionPath: api.URLLocationCompletionPath,
		CitiesAdminPath:        api.URLCitiesAdminPath,
		CitiesPath:             api.URLCitiesPath,
		CitiesParamQuery:       api.URLCitiesParamQuery,
		PartnerParam:           api.URLParamPartnerCode,
		PartnerNewtab:          api.PartnerCodeNewtabValue,
		PartnerFFSuggest:       api.PartnerCodeFFSuggestValue,
		ConnectTimeout:         s.ConnectTimeout,
		RequestTimeout:         s.RequestTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("accuweather (provider %s): %w", s.Name, err)
	}
	s.Client = client
	switch s.Cache {
	case "memory":
		s.Store = weathercache.NewMemory(nil)
	case "redis":
		r := env.Config.Redis()
		store, err := weathercache.NewRedis(weathercache.RedisOptions{
			Server:         r.Server,
			Replica:        r.Replica,
			MaxConnections: r.MaxConnections,
			ConnectTimeout: r.ConnectTimeout,
			SocketTimeout:  r.SocketTimeout,
		})
		if err != nil {
			return nil, fmt.Errorf("redis.server: %w", err)
		}
		s.Store = store
	default:
		s.Store = weathercache.None{}
	}
	s.Log.Info("accuweather provider ready", "cache", s.Store.Kind(), "url_base", api.URLBase)
	return New(*s), nil
}
