// Package geolocation is the geolocation provider: one suggestion that tells Firefox where
// merino thinks the client is, as merino-py's geolocation provider answers it.
package geolocation

import (
	"context"

	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/suggest"
)

// Settings configure the provider ([providers.<id>] with type "geolocation").
type Settings struct {
	suggest.Base
	// URL (in pydantic HttpUrl form) and Title are merino-py's dummy_url and dummy_title:
	// the suggestion is not meant to be shown.
	URL   string
	Title string
}

// Provider answers every request with the request's location.
type Provider struct {
	Settings
	head []byte
}

// New returns the provider; its constant head is rendered once.
func New(s Settings) *Provider {
	return &Provider{Settings: s, head: suggest.AppendHead(nil, s.Title, s.URL, s.Name, false)}
}

// Inline implements suggest.Provider: it only formats what the request already holds.
func (p *Provider) Inline() bool { return true }

// Query implements suggest.Provider. The score is 0 (merino-py hard-codes it). The details
// follow merino-py's GeolocationDetails: country is the country's English name, country_code
// its ISO code, region_code and region the most specific subdivision, city, and location the
// coordinates, present (possibly empty) whenever the address was found; absent values are
// left out. The tail is rendered per request: one small allocation on a rarely used path.
func (p *Provider) Query(_ context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	return append(dst, suggest.Suggestion{
		Provider: p.Name,
		Score:    0,
		Head:     p.head,
		Tail:     AppendDetails(make([]byte, 0, 256), req),
	}), nil
}

// AppendDetails writes `,"custom_details":{"geolocation":{...}}}`, closing the suggestion.
func AppendDetails(dst []byte, req *suggest.Request) []byte {
	loc := &req.Location
	dst = append(dst, `,"custom_details":{"geolocation":{`...)
	n := 0
	put := func(key, value string) {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = jsonw.AppendString(dst, key)
		dst = append(dst, ':')
		dst = jsonw.AppendString(dst, value)
	}
	field := func(key, value string) { // "" stands for merino-py's None
		if value != "" {
			put(key, value)
		}
	}
	field("country", loc.CountryName)
	field("country_code", loc.Country)
	if len(loc.Regions) > 0 {
		// merino-py writes regions[0] whenever there is a region, even "" (region=,MA).
		put("region_code", loc.Regions[0])
	}
	if len(loc.RegionNames) > 0 {
		field("region", loc.RegionNames[0])
	}
	field("city", loc.City)
	if req.HasLocation {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `"location":{`...)
		if loc.HasCoordinates {
			dst = append(dst, `"latitude":`...)
			dst = jsonw.AppendFloat(dst, loc.Latitude)
			dst = append(dst, `,"longitude":`...)
			dst = jsonw.AppendFloat(dst, loc.Longitude)
			if loc.Radius != 0 {
				dst = append(dst, `,"radius":`...)
				dst = jsonw.AppendInt(dst, int64(loc.Radius))
			}
		} else if loc.Radius != 0 {
			dst = append(dst, `"radius":`...)
			dst = jsonw.AppendInt(dst, int64(loc.Radius))
		}
		dst = append(dst, '}')
	}
	return append(dst, "}}}"...)
}
