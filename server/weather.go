package server

import (
	"context"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/acceptlang"
	"github.com/mozilla-services/merino-go/geoip"
)

// HourlyForecaster is what /api/v1/weather/hourly-forecasts needs of the weather provider:
// the small interface through which the endpoint reaches its data.
type HourlyForecaster interface {
	// Timeout bounds one call (the provider's query_timeout_sec).
	Timeout() time.Duration
	// HourlyForecasts appends the JSON list of the forecasts for loc in the first of
	// languages the provider supports, and returns it with its max-age in seconds ([] and 0
	// on any failure). Neither loc nor languages is retained.
	HourlyForecasts(ctx context.Context, loc *geoip.Location, languages []string, dst []byte) ([]byte, int)
}

// weatherProviderID is the id merino-py's endpoint looks its provider up by.
const weatherProviderID = "accuweather"

// hourlyForecaster is Options.Weather, else the provider named accuweather when it has
// hourly forecasts.
func hourlyForecaster(opts *Options) HourlyForecaster {
	if opts.Weather != nil {
		return opts.Weather
	}
	for _, p := range opts.Providers.All() {
		if h, ok := p.(HourlyForecaster); ok && p.ID() == weatherProviderID {
			return h
		}
	}
	return nil
}

// weatherHourly is GET /api/v1/weather/hourly-forecasts (merino-py §2.5): country (2
// characters), region and city (at most query_character_max), all three or none, and
// Accept-Language; the location otherwise comes from the client's address. It answers the
// list with max-age set to the data's remaining TTL, or [] with max-age=0 on any failure.
func (s *Server) weatherHourly(ctx *fasthttp.RequestCtx, x *exchange) {
	p := parseParams(ctx, x)
	rawAcceptLanguage := ctx.Request.Header.Peek(fasthttp.HeaderAcceptLanguage)
	acceptLanguage := x.text(rawAcceptLanguage)
	maxQ := s.opts.QueryCharacterMax
	s.validateLocation(&p, x, maxQ)
	s.validateAcceptLanguage(rawAcceptLanguage, x)
	if len(x.errs) > 0 {
		x.buf = appendValidationBody(x.buf[:0], x.errs)
		s.log.Warn("HTTP 400: request validation error for path: /api/v1/weather/hourly-forecasts")
		sendJSON(ctx, fasthttp.StatusBadRequest, x)
		return
	}
	if (p.country != "" || p.region != "" || p.city != "") && (p.country == "" || p.region == "" || p.city == "") {
		x.buf = appendDetail(x.buf[:0], errLocationTriple.Detail)
		sendJSON(ctx, fasthttp.StatusBadRequest, x)
		return
	}
	s.locate(ctx, x)
	loc := &x.req.Location
	if p.country != "" {
		loc.Country, loc.City = p.country, p.city
		loc.Regions = splitComma(loc.Regions[:0], p.region, -1)
	}
	x.req.Languages = acceptlang.Parse(acceptLanguage, x.req.Languages[:0])
	ttl := 0
	if w := s.weather; w != nil {
		c, cancel := context.WithTimeout(context.Background(), w.Timeout())
		x.buf, ttl = w.HourlyForecasts(c, loc, x.req.Languages, x.buf[:0])
		cancel()
	} else {
		x.buf = append(x.buf[:0], "[]"...)
	}
	x.scratch2 = appendCacheControl(x.scratch2[:0], ttl)
	ctx.Response.Header.SetCanonical(headerCacheControl, x.scratch2)
	sendJSON(ctx, fasthttp.StatusOK, x)
}
