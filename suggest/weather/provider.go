// Package weather is the accuweather provider: weather reports and city completions from
// AccuWeather through a cache, with merino-py's exact contract (reference/merino-py.md
// §3.5): the location from geolocation or the city/region/country parameters, `q` as a
// location key, the no-location sentinel (a 204 when it is the only answer), the TTL that
// becomes Cache-Control, the circuit breaker, and the hourly forecasts endpoint (§2.5).
//
// Weather is not static: each answer is rendered per request from the cached values.
// Concurrent misses of one key share one AccuWeather call, a cache error is never answered
// by calling AccuWeather instead, and every failure stays inside this provider.
package weather

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/breaker"
	"github.com/mozilla-services/merino-go/suggest/flight"
	"github.com/mozilla-services/merino-go/suggest/weather/accuweather"
	"github.com/mozilla-services/merino-go/suggest/weather/weathercache"
)

// DefaultLanguages is merino-py's accuweather.default_languages.
var DefaultLanguages = []string{
	"ar", "bg", "bn", "cs", "da", "de", "el", "en-CA", "en-GB", "en-US", "es", "es-AR", "es-CO",
	"es-CL", "es-EC", "es-ES", "es-MX", "et", "fi", "fr", "fr-CA", "hi-IN", "hr", "hu", "id", "is",
	"it", "ja", "lt", "lv", "kn", "mr", "ms", "nl", "pa-IN", "pl", "pt-BR", "ro", "ru", "sk", "sl",
	"sv-SE", "ta", "te", "th", "tl", "tr", "ur", "vi", "zh-CN", "zh-TW",
}

// fallbackLanguage is used when no Accept-Language tag is a supported language.
const fallbackLanguage = "en-US"

// Settings configure a provider: [providers.<id>] with type "accuweather", merino-py's
// [default.providers.accuweather] keys and defaults (kit.go reads them), except cache,
// whose default here is "memory" (merino-py: "none"; production sets "redis"), and what the
// provider is built with.
type Settings struct {
	suggest.Base
	// Backend is "accuweather"; any other value is merino-py's fake backend, which never
	// has weather.
	Backend string
	// Cache is none, memory or redis (the [redis] section).
	Cache string
	// ConnectTimeout and RequestTimeout bound one AccuWeather call (request_timeout_sec is
	// merino-go's; merino-py's HTTP client has a fixed 5 s).
	ConnectTimeout, RequestTimeout time.Duration
	// CronInterval is merino-py's cron_interval_sec (its metrics cron); read for
	// compatibility.
	CronInterval time.Duration
	// Client calls AccuWeather; nil is merino-py's fake backend (any backend other than
	// "accuweather"), which never has weather.
	Client *accuweather.Client
	// Store caches processed responses; nil means weathercache.None.
	Store weathercache.Store
	// The cache TTLs (providers.<id>.cache_ttls.*).
	LocationTTL, CurrentConditionsTTL, ForecastTTL, HourlyForecastTTL time.Duration
	// Languages are accuweather.default_languages (nil: DefaultLanguages).
	Languages []string
	// The circuit breaker: open after BreakerThreshold consecutive failures, half-open
	// after BreakerRecover.
	BreakerThreshold int
	BreakerRecover   time.Duration
	Log              *slog.Logger
	// Now is the clock (nil: time.Now); tests move it to cross TTLs and recovery times.
	Now func() time.Time
	// GeoIP gives the client's city name in the request's language (merino-py's
	// Location.city_names); nil keeps AccuWeather's localized name.
	GeoIP *geoip.Reader
}

// Provider is the accuweather provider. It is safe for concurrent use.
type Provider struct {
	suggest.Base

	client *accuweather.Client
	geoip  *geoip.Reader
	store  weathercache.Store
	log    *slog.Logger
	now    func() time.Time

	locationTTL, currentTTL, forecastTTL, hourlyTTL time.Duration

	languages map[string]bool
	templates map[string]accuweather.Templates

	pf            *pathfinder
	breaker       *breaker.Breaker
	hourlyBreaker *breaker.Breaker

	locFlight        flight.Group[string, fetched[accuweather.Location]]
	currentFlight    flight.Group[string, fetched[accuweather.CurrentConditions]]
	forecastFlight   flight.Group[string, fetched[accuweather.Forecast]]
	hourlyFlight     flight.Group[string, fetched[accuweather.HourlyForecasts]]
	completionFlight flight.Group[string, fetched[[]accuweather.Completion]]
}

var _ suggest.Provider = (*Provider)(nil)

// SetGeoIP sets the database localized city names come from (Settings.GeoIP), for callers
// that open it after creating the provider. Call it before serving.
func (p *Provider) SetGeoIP(r *geoip.Reader) { p.geoip = r }

// New creates a provider.
func New(s Settings) *Provider {
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Store == nil {
		s.Store = weathercache.None{}
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Languages == nil {
		s.Languages = DefaultLanguages
	}
	p := &Provider{
		Base:   s.Base,
		client: s.Client, geoip: s.GeoIP, store: s.Store, log: s.Log, now: s.Now,
		locationTTL: s.LocationTTL, currentTTL: s.CurrentConditionsTTL,
		forecastTTL: s.ForecastTTL, hourlyTTL: s.HourlyForecastTTL,
		languages:     make(map[string]bool, len(s.Languages)),
		templates:     make(map[string]accuweather.Templates, len(s.Languages)+1),
		pf:            newPathfinder(),
		breaker:       breaker.New(s.BreakerThreshold, s.BreakerRecover, s.Now),
		hourlyBreaker: breaker.New(s.BreakerThreshold, s.BreakerRecover, s.Now),
	}
	for _, l := range s.Languages {
		p.languages[l] = true
	}
	if p.client != nil {
		for _, l := range append(s.Languages, fallbackLanguage) {
			p.templates[l] = p.client.Templates(l)
		}
	}
	return p
}

// Inline implements suggest.Provider: weather waits on a cache and on AccuWeather.
func (p *Provider) Inline() bool { return false }

// Store returns the provider's cache.
func (p *Provider) Store() weathercache.Store { return p.store }

var errRequestTypeMissing = &suggest.Error{Status: 400, Detail: "Invalid query parameters: `request_type` is missing"}

// Validate implements suggest.Provider: a non-empty q needs a request_type.
func (p *Provider) Validate(req *suggest.Request) error {
	if req.Query != "" && req.RequestType == "" {
		p.log.Warn("HTTP 400: invalid query parameters: `request_type` is missing")
		return errRequestTypeMissing
	}
	return nil
}

// errNoLocation is merino-py's MissingLocationKeyError: answered with the sentinel.
var errNoLocation = errors.New("no AccuWeather location key for the request's location")

// Query implements suggest.Provider. request_type=location answers city completions for
// q (nothing for a soft-PII q); otherwise a weather report for the location key q or, when
// q is empty, the request's location. While the circuit breaker is open it answers
// nothing without touching the cache or AccuWeather.
func (p *Provider) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	if p.client == nil {
		return dst, nil
	}
	if !p.breaker.Allow() {
		breakerRejected.Inc()
		return dst, nil
	}
	out, err := p.query(ctx, req, dst)
	p.breaker.Record(ctx, err)
	if err != nil && ctx.Err() == nil {
		p.log.Warn("weather query failed", "provider", p.Name, "error", err.Error())
	}
	return out, err
}

func (p *Provider) query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	lang := p.language(req.Languages)
	if req.RequestType == "location" {
		if req.IsSoftPII {
			// A completion term is not a location key, so it must not hold personal data.
			return dst, nil
		}
		list, err := p.completions(ctx, &req.Location, req.Query, lang)
		if err != nil || len(list) == 0 {
			return dst, err
		}
		return append(dst, p.renderCompletions(list)), nil
	}
	r, err := p.weatherReport(ctx, req, lang)
	if errors.Is(err, errNoLocation) {
		noLocationTotal.Inc()
		s := NoLocation
		s.Provider = p.Name
		return append(dst, s), nil
	}
	if err != nil || r == nil {
		return dst, err
	}
	return append(dst, p.renderReport(r, req.Source == "urlbar")), nil
}

// language is merino-py's get_language: the first Accept-Language tag that is one of the
// configured languages (exact, case-sensitive), else en-US.
func (p *Provider) language(tags []string) string {
	for _, t := range tags {
		if p.languages[t] {
			return t
		}
	}
	return fallbackLanguage
}

// completions asks AccuWeather's autocomplete for term (never cached, as in merino-py).
func (p *Provider) completions(ctx context.Context, loc *geoip.Location, term, lang string) ([]accuweather.Completion, error) {
	if term == "" {
		return nil, nil
	}
	r := p.client.CompletionRequest(loc.Country, term, lang)
	list, _, err := fetch(ctx, p, &p.completionFlight, kindAutocomplete, r, func(b []byte) (*[]accuweather.Completion, error) {
		l, err := accuweather.ProcessCompletions(b)
		if l == nil || err != nil {
			return nil, err
		}
		return &l, nil
	}, 0, false)
	if err != nil || list == nil {
		return nil, err
	}
	return *list, nil
}

// templateKey fills the location key into a cache key template.
func (p *Provider) templateKey(template, locationKey string) string {
	return strings.ReplaceAll(template, p.client.Placeholder(), locationKey)
}
