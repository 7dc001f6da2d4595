// Package accuweather is the client of AccuWeather's HTTP API as merino-py uses it: the
// endpoints and query parameters of its AccuweatherBackend, the cache keys it stores the
// processed responses under (so that merino-go and merino-py can share one Redis), the
// processing of each response into the small JSON value that is cached, and the partner
// codes merino-py adds to the links.
//
// The client speaks HTTP with fasthttp's client, with a connect timeout and a request
// timeout. It knows nothing of caching policy, circuit breaking or suggestions: the weather
// provider owns those.
package accuweather

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

// Config is the [accuweather] section of merino-py plus the HTTP timeouts of the provider.
type Config struct {
	// URLBase is the scheme and host, e.g. https://apidev.accuweather.com.
	URLBase string
	// APIKey is sent as the ParamAPIKey query parameter; it is never part of a cache key.
	APIKey      string
	ParamAPIKey string
	// LocationKeyPlaceholder is the placeholder of the location key in the paths and cache
	// key templates, "{location_key}".
	LocationKeyPlaceholder string
	CurrentConditionsPath  string
	ForecastsPath          string
	HourlyForecastsPath    string
	LocationCompletionPath string
	CitiesAdminPath        string
	CitiesPath             string
	CitiesParamQuery       string
	// PartnerParam is the name of the partner code parameter added to AccuWeather's links;
	// PartnerNewtab is added when a response is processed (and cached), PartnerFFSuggest
	// replaces it for urlbar requests.
	PartnerParam     string
	PartnerNewtab    string
	PartnerFFSuggest string

	ConnectTimeout time.Duration
	RequestTimeout time.Duration
	// MaxConns bounds the connections to AccuWeather (merino-py's httpx limit is 1024).
	MaxConns int
}

// Validate reports a missing required value, as merino-py's backend constructor does.
func (c *Config) Validate() error {
	if c.APIKey == "" {
		return errors.New("AccuWeather API key not specified")
	}
	if c.ParamAPIKey == "" || c.CitiesAdminPath == "" || c.CitiesPath == "" || c.CitiesParamQuery == "" ||
		c.CurrentConditionsPath == "" || c.ForecastsPath == "" || c.HourlyForecastsPath == "" ||
		c.LocationKeyPlaceholder == "" {
		return errors.New("one or more AccuWeather API URL parameters are undefined")
	}
	u, err := url.Parse(c.URLBase)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("url_base must be an http(s) URL, got %q", c.URLBase)
	}
	return nil
}

// Client calls AccuWeather. It is safe for concurrent use.
type Client struct {
	cfg  Config
	base string // URLBase without a trailing slash
	hc   *fasthttp.Client
	keys keyer
}

// New creates a client; cfg must pass Validate.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 5 * time.Second
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 3 * time.Second
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 1024
	}
	connect := cfg.ConnectTimeout
	c := &Client{
		cfg:  cfg,
		base: strings.TrimRight(cfg.URLBase, "/"),
		hc: &fasthttp.Client{
			Name:            "merino-go",
			MaxConnsPerHost: cfg.MaxConns,
			ReadTimeout:     cfg.RequestTimeout,
			WriteTimeout:    cfg.RequestTimeout,
			// A bounded wait for a free connection, like httpx's pool timeout, instead of
			// failing at once when all MaxConns are busy.
			MaxConnWaitTimeout: time.Second,
			Dial: func(addr string) (net.Conn, error) {
				return fasthttp.DialTimeout(addr, connect)
			},
			NoDefaultUserAgentHeader: true,
			// AccuWeather's bodies are small; a hostile or broken upstream cannot make us
			// buffer more than this.
			MaxResponseBodySize: 4 << 20,
		},
		keys: keyer{apiKeyParam: cfg.ParamAPIKey},
	}
	return c, nil
}

// Config returns the client's configuration.
func (c *Client) Config() *Config { return &c.cfg }

// Param is one query parameter, in the order merino-py builds its dict.
type Param struct{ Key, Value string }

// Request is one AccuWeather call: the path as merino-py formats it (used in the cache
// key, placeholders replaced by raw values), the path as sent (values percent-escaped so
// that hostile input cannot change the endpoint) and the query parameters, API key
// included.
type Request struct {
	Path     string
	WirePath string
	Params   []Param
}

// CacheKey is merino-py's key for the processed response of r.
func (c *Client) CacheKey(r *Request) string { return c.keys.key(r.Path, r.Params) }

// Response is a successful (2xx) answer.
type Response struct {
	Body []byte
	// Expires is the Expires header; HasExpires is false when it is absent or unparsable.
	Expires    time.Time
	HasExpires bool
}

// StatusError is a non-2xx answer (httpx's raise_for_status).
type StatusError struct {
	Status int
	Path   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("unexpected status %d from AccuWeather %s", e.Status, e.Path)
}

// Do sends r and returns the body of a 2xx answer. The deadline is the request timeout or
// ctx's deadline, whichever comes first. Any non-2xx status is a *StatusError.
func (c *Client) Do(ctx context.Context, r *Request) (Response, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)

	uri := make([]byte, 0, len(c.base)+len(r.WirePath)+64)
	uri = append(uri, c.base...)
	uri = append(uri, r.WirePath...)
	for i, p := range r.Params {
		if i == 0 {
			uri = append(uri, '?')
		} else {
			uri = append(uri, '&')
		}
		uri = append(uri, url.QueryEscape(p.Key)...)
		uri = append(uri, '=')
		uri = append(uri, url.QueryEscape(p.Value)...)
	}
	req.SetRequestURIBytes(uri)
	req.Header.SetMethod(fasthttp.MethodGet)
	req.Header.Set("Accept", "application/json")

	deadline := time.Now().Add(c.cfg.RequestTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := c.hc.DoDeadline(req, resp, deadline); err != nil {
		return Response{}, fmt.Errorf("cannot get AccuWeather %s: %w", r.Path, err)
	}
	if sc := resp.StatusCode(); sc < 200 || sc > 299 {
		return Response{}, &StatusError{Status: sc, Path: r.Path}
	}
	out := Response{Body: append([]byte(nil), resp.Body()...)}
	if exp := resp.Header.Peek("Expires"); len(exp) > 0 {
		if t, err := http.ParseTime(string(exp)); err == nil {
			out.Expires, out.HasExpires = t, true
		}
	}
	return out, nil
}

// apiKey is the API key parameter every request carries.
func (c *Client) apiKey() Param { return Param{c.cfg.ParamAPIKey, c.cfg.APIKey} }

// fill replaces a placeholder in both forms of a path.
func fill(path, wire, placeholder, value string) (string, string) {
	return strings.ReplaceAll(path, placeholder, value),
		strings.ReplaceAll(wire, placeholder, url.PathEscape(value))
}

// LocationRequest is the city search merino-py makes for a location key: the admin
// (region) path when region is non-empty, the country path otherwise.
func (c *Client) LocationRequest(country, region, city string) Request {
	path := c.cfg.CitiesPath
	if region != "" {
		path = c.cfg.CitiesAdminPath
	}
	p, w := fill(path, path, "{country_code}", country)
	p, w = fill(p, w, "{admin_code}", region)
	return Request{Path: p, WirePath: w, Params: c.locationParams(city)}
}

// LocationCacheKey is the key merino-py reads a location under. It uses the admin path
// whenever a region is given, even an empty one (merino-py tests `is not None` here but
// truthiness when it fetches; the two agree for every non-empty region).
func (c *Client) LocationCacheKey(country, region string, hasRegion bool, city string) string {
	path := c.cfg.CitiesPath
	if hasRegion {
		path = c.cfg.CitiesAdminPath
	}
	path = strings.ReplaceAll(path, "{country_code}", country)
	path = strings.ReplaceAll(path, "{admin_code}", region)
	return c.keys.key(path, c.locationParams(city))
}

func (c *Client) locationParams(city string) []Param {
	return []Param{c.apiKey(), {c.cfg.CitiesParamQuery, city}, {"alias", "always"}}
}

// CurrentConditionsRequest is the current conditions of a location key.
func (c *Client) CurrentConditionsRequest(locationKey, language string) Request {
	return c.keyedRequest(c.cfg.CurrentConditionsPath, locationKey, language)
}

// ForecastRequest is the one-day forecast of a location key.
func (c *Client) ForecastRequest(locationKey, language string) Request {
	return c.keyedRequest(c.cfg.ForecastsPath, locationKey, language)
}

// HourlyForecastsRequest is the 12-hour forecast of a location key.
func (c *Client) HourlyForecastsRequest(locationKey, language string) Request {
	return c.keyedRequest(c.cfg.HourlyForecastsPath, locationKey, language)
}

func (c *Client) keyedRequest(path, locationKey, language string) Request {
	p, w := fill(path, path, c.cfg.LocationKeyPlaceholder, locationKey)
	return Request{Path: p, WirePath: w, Params: []Param{c.apiKey(), {"language", language}}}
}

// Templates are the cache keys of a language's current conditions, forecast and hourly
// forecasts with the location key left as the placeholder.
type Templates struct{ Current, Forecast, Hourly string }

// Templates builds the cache key templates of a language (merino-py's cache_key_template).
func (c *Client) Templates(language string) Templates {
	params := []Param{c.apiKey(), {"language", language}}
	return Templates{
		Current:  c.keys.key(c.cfg.CurrentConditionsPath, params),
		Forecast: c.keys.key(c.cfg.ForecastsPath, params),
		Hourly:   c.keys.key(c.cfg.HourlyForecastsPath, params),
	}
}

// Placeholder is the location key placeholder of the templates.
func (c *Client) Placeholder() string { return c.cfg.LocationKeyPlaceholder }

// CompletionRequest is the city autocomplete for a search term. Without a country the
// "/{country_code}" segment is dropped, as merino-py does.
func (c *Client) CompletionRequest(country, term, language string) Request {
	path := c.cfg.LocationCompletionPath
	var p, w string
	if country == "" {
		p = strings.ReplaceAll(path, "/{country_code}", "")
		w = p
	} else {
		p, w = fill(path, path, "{country_code}", country)
	}
	return Request{Path: p, WirePath: w, Params: []Param{
		{"q", term}, c.apiKey(), {"includealiases", "true"}, {"language", language},
	}}
}
