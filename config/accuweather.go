package config

import "time"

// Accuweather configures an accuweather provider ([providers.<id>] with type
// "accuweather"), with merino-py's [default.providers.accuweather] keys and defaults,
// except cache, whose default here is "memory" (merino-py: "none"; production sets
// "redis").
type Accuweather struct {
	// Backend is "accuweather"; any other value is merino-py's fake backend, which never
	// has weather.
	Backend string
	// Cache is none, memory or redis (the [redis] section).
	Cache          string
	ConnectTimeout time.Duration
	// RequestTimeout bounds one AccuWeather call (merino-go's request_timeout_sec;
	// merino-py's HTTP client has a fixed 5 s).
	RequestTimeout time.Duration
	// CronInterval is merino-py's cron_interval_sec (its metrics cron); read for
	// compatibility.
	CronInterval     time.Duration
	BreakerThreshold int
	BreakerRecover   time.Duration
	// The cache_ttls.* keys.
	LocationKeyTTL      time.Duration
	CurrentConditionTTL time.Duration
	ForecastTTL         time.Duration
	HourlyForecastTTL   time.Duration
}

// AccuweatherAPI is the [accuweather] section: merino-py's [default.accuweather], every key
// under the same name with the same default.
type AccuweatherAPI struct {
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

// Redis is the [redis] section (merino-py's [default.redis]).
type Redis struct {
	Server         string
	Replica        string
	MaxConnections int
	ConnectTimeout time.Duration
	SocketTimeout  time.Duration
}

// AccuweatherLanguages is merino-py's accuweather.default_languages.
var AccuweatherLanguages = []string{
	"ar", "bg", "bn", "cs", "da", "de", "el", "en-CA", "en-GB", "en-US", "es", "es-AR", "es-CO",
	"es-CL", "es-EC", "es-ES", "es-MX", "et", "fi", "fr", "fr-CA", "hi-IN", "hr", "hu", "id", "is",
	"it", "ja", "lt", "lv", "kn", "mr", "ms", "nl", "pa-IN", "pl", "pt-BR", "ro", "ru", "sk", "sl",
	"sv-SE", "ta", "te", "th", "tl", "tr", "ur", "vi", "zh-CN", "zh-TW",
}

// Accuweather returns the settings of an accuweather provider (nil for another type).
func (p *Provider) Accuweather() *Accuweather {
	a, _ := p.Settings.(*Accuweather)
	return a
}

// AccuweatherAPI returns the [accuweather] section.
func (c *Config) AccuweatherAPI() *AccuweatherAPI {
	a, _ := c.Sections["accuweather"].(*AccuweatherAPI)
	return a
}

// Redis returns the [redis] section.
func (c *Config) Redis() *Redis {
	r, _ := c.Sections["redis"].(*Redis)
	return r
}

// floatSeconds reads a number of seconds within (0, max].
func floatSeconds(tr *tableReader, name string, def, max float64) time.Duration {
	return secondsToDuration(tr.Float(name, def, 0.001, max))
}

func init() {
	providerTypes["accuweather"] = func(pr *tableReader) (float64, any) {
		a := &Accuweather{
			Backend:             pr.Str("backend", "accuweather"),
			Cache:               pr.Str("cache", "memory"),
			ConnectTimeout:      floatSeconds(pr, "connect_timeout_sec", 3.0, 600),
			RequestTimeout:      floatSeconds(pr, "request_timeout_sec", 5.0, 600),
			CronInterval:        pr.Seconds("cron_interval_sec", 21600),
			BreakerThreshold:    pr.Int("circuit_breaker_failure_threshold", 10, 1, 1<<31-1),
			BreakerRecover:      floatSeconds(pr, "circuit_breaker_recover_timeout_sec", 30, 86400),
			LocationKeyTTL:      pr.Seconds("cache_ttls.location_key_ttl_sec", 2592000),
			CurrentConditionTTL: pr.Seconds("cache_ttls.current_condition_ttl_sec", 1800),
			ForecastTTL:         pr.Seconds("cache_ttls.forecast_ttl_sec", 3600),
			HourlyForecastTTL:   pr.Seconds("cache_ttls.hourly_forecast_ttl_sec", 1800),
		}
		switch a.Cache {
		case "none", "memory", "redis":
		default:
			if !pr.Failed() {
				pr.Fail("cache", "must be one of none, memory, redis, got %q", a.Cache)
			}
		}
		return 0.3, a
	}

	sections["accuweather"] = func(tr *tableReader) any {
		return &AccuweatherAPI{
			APIKey:                    tr.Str("api_key", ""),
			URLBase:                   tr.Str("url_base", "https://apidev.accuweather.com"),
			URLParamAPIKey:            tr.Str("url_param_api_key", "apikey"),
			URLLocationKeyPlaceholder: tr.Str("url_location_key_placeholder", "{location_key}"),
			URLCurrentConditionsPath:  tr.Str("url_current_conditions_path", "/currentconditions/v1/{location_key}.json"),
			URLForecastsPath:          tr.Str("url_forecasts_path", "/forecasts/v1/daily/1day/{location_key}.json"),
			URLHourlyForecastsPath:    tr.Str("url_hourly_forecasts_path", "/forecasts/v1/hourly/12hour/{location_key}.json"),
			URLParamPartnerCode:       tr.Str("url_param_partner_code", "partner"),
			PartnerCodeNewtabValue:    tr.Str("partner_code_newtab_value", "web_mozilla_adc"),
			PartnerCodeFFSuggestValue: tr.Str("partner_code_ffsuggest_value", "web_mozilla_ffsuggest_adc"),
			URLLocationCompletionPath: tr.Str("url_location_completion_path", "/locations/v1/cities/{country_code}/autocomplete.json"),
			URLCitiesAdminPath:        tr.Str("url_cities_admin_path", "/locations/v1/cities/{country_code}/{admin_code}/search.json"),
			URLCitiesPath:             tr.Str("url_cities_path", "/locations/v1/cities/{country_code}/search.json"),
			URLCitiesParamQuery:       tr.Str("url_cities_param_query", "q"),
			MetricsSamplingRate:       tr.Float("metrics_sampling_rate", 0.75, 0, 1),
			DefaultLanguages:          tr.Strings("default_languages", AccuweatherLanguages),
		}
	}

	sections["redis"] = func(tr *tableReader) any {
		server := tr.Str("server", "redis://localhost:6379")
		return &Redis{
			Server:         server,
			Replica:        tr.Str("replica", server),
			MaxConnections: tr.Int("max_connections", 500, 1, 1<<20),
			ConnectTimeout: floatSeconds(tr, "socket_connect_timeout_sec", 3, 600),
			SocketTimeout:  floatSeconds(tr, "socket_timeout_sec", 3, 600),
		}
	}
}

// DefaultQueryTimeout is merino-py's query_timeout_sec for accuweather (5.0): weather is an
// upstream call, not a memory lookup.
func (*Accuweather) DefaultQueryTimeout() time.Duration { return 5 * time.Second }
