package weather

import (
	"math"
	"strconv"

	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/weather/accuweather"
)

// dummyURL is merino-py's dummy_url default, as pydantic's HttpUrl serialises it.
const dummyURL = "https://merino.services.mozilla.com/"

// report is a weather report ready to render (merino-py's WeatherReport).
type report struct {
	cityName, regionCode string
	current              *accuweather.CurrentConditions
	forecast             *accuweather.Forecast
	ttl                  int
}

// The no-location sentinel is merino-py's NO_LOCATION_KEY_SUGGESTION: the weather
// provider's answer when no location resolves, which the suggest handler turns into a 204
// when it is the only suggestion (Suggestion.NoContent). Elsewhere it is serialised like any
// suggestion, as merino-py does.
var (
	noLocationHead = []byte(`{"title":"N/A","url":"` + dummyURL + `","provider":"","is_sponsored":false,"score":`)
	noLocationTail = []byte(`,"city_name":"","region_code":"","current_conditions":{"url":"` + dummyURL +
		`","summary":"","icon_id":0,"temperature":{}},"forecast":{"url":"` + dummyURL +
		`","summary":"","high":{},"low":{}},"placeholder":true}`)
)

// NoLocation is the sentinel suggestion; its Provider is set to the answering provider's
// id (the JSON says "", as merino-py's does).
var NoLocation = suggest.Suggestion{Score: 0, Head: noLocationHead, Tail: noLocationTail, NoContent: true}

// normURL serialises u as pydantic's HttpUrl would; u was checked when it was processed,
// and a value that no longer parses (a cache written by someone else) is kept as is.
func normURL(u string) string {
	if n, err := httpurl.Normalize(u); err == nil {
		return n
	}
	return u
}

// renderReport builds the weather suggestion. Its JSON follows merino-py's Suggestion
// model: the base fields, custom_details (the TTL, in Details: the server leaves it out
// when the report sets the response's max-age), then city_name, region_code,
// current_conditions and forecast.
func (p *Provider) renderReport(r *report, urlbar bool) suggest.Suggestion {
	ccURL, fcURL := normURL(r.current.URL), normURL(r.forecast.URL)
	if urlbar {
		ccURL = normURL(p.client.SetSuggestPartnerCode(ccURL))
		fcURL = normURL(p.client.SetSuggestPartnerCode(fcURL))
	}
	buf := make([]byte, 0, 640+len(r.current.Summary)+len(r.forecast.Summary))
	buf = suggest.AppendHead(buf, "Weather for "+r.cityName, ccURL, p.Name, false)
	head := len(buf)
	buf = append(buf, `,"custom_details":{"weather":{"weather_report_ttl":`...)
	buf = strconv.AppendInt(buf, int64(r.ttl), 10)
	buf = append(buf, `}}`...)
	details := len(buf)
	buf = append(buf, `,"city_name":`...)
	buf = jsonw.AppendString(buf, r.cityName)
	buf = append(buf, `,"region_code":`...)
	buf = jsonw.AppendString(buf, r.regionCode)
	buf = append(buf, `,"current_conditions":{"url":`...)
	buf = jsonw.AppendString(buf, ccURL)
	buf = append(buf, `,"summary":`...)
	buf = jsonw.AppendString(buf, r.current.Summary)
	buf = append(buf, `,"icon_id":`...)
	buf = appendInteger(buf, string(r.current.IconID))
	buf = append(buf, `,"temperature":`...)
	buf = appendTemperature(buf, r.current.Temperature)
	buf = append(buf, `},"forecast":{"url":`...)
	buf = jsonw.AppendString(buf, fcURL)
	buf = append(buf, `,"summary":`...)
	buf = jsonw.AppendString(buf, r.forecast.Summary)
	buf = append(buf, `,"high":`...)
	buf = appendTemperature(buf, r.forecast.High)
	buf = append(buf, `,"low":`...)
	buf = appendTemperature(buf, r.forecast.Low)
	buf = append(buf, `}}`...)
	return suggest.Suggestion{
		Provider: p.Name, Score: p.Score,
		Head: buf[:head:head], Details: buf[head:details:details], Tail: buf[details:],
		TTL: r.ttl, HasTTL: true,
	}
}

// renderCompletions builds merino-py's LocationCompletionSuggestion.
func (p *Provider) renderCompletions(list []accuweather.Completion) suggest.Suggestion {
	buf := make([]byte, 0, 128+160*len(list))
	buf = suggest.AppendHead(buf, "Location completions", dummyURL, p.Name, false)
	head := len(buf)
	buf = append(buf, `,"locations":[`...)
	for i := range list {
		c := &list[i]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"key":`...)
		buf = jsonw.AppendString(buf, c.Key)
		buf = append(buf, `,"rank":`...)
		buf = appendInteger(buf, string(c.Rank))
		buf = append(buf, `,"type":`...)
		buf = jsonw.AppendString(buf, c.Type)
		buf = append(buf, `,"localized_name":`...)
		buf = jsonw.AppendString(buf, c.LocalizedName)
		buf = append(buf, `,"country":{"id":`...)
		buf = jsonw.AppendString(buf, c.Country.ID)
		buf = append(buf, `,"localized_name":`...)
		buf = jsonw.AppendString(buf, c.Country.LocalizedName)
		buf = append(buf, `},"administrative_area":{"id":`...)
		buf = jsonw.AppendString(buf, c.AdministrativeArea.ID)
		buf = append(buf, `,"localized_name":`...)
		buf = jsonw.AppendString(buf, c.AdministrativeArea.LocalizedName)
		buf = append(buf, `}}`...)
	}
	buf = append(buf, `]}`...)
	return p.Suggestion(buf[:head:head], buf[head:])
}

// hourlyHours is merino-py's DEFAULT_FORECAST_HOURS: the endpoint serves the first five.
const hourlyHours = 5

// appendHourly writes the JSON list of merino-py's HourlyForecast models.
func appendHourly(dst []byte, list []accuweather.HourlyForecast) []byte {
	if len(list) > hourlyHours {
		list = list[:hourlyHours]
	}
	dst = append(dst, '[')
	for i := range list {
		h := &list[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"date_time":`...)
		dst = jsonw.AppendString(dst, h.DateTime)
		dst = append(dst, `,"epoch_date_time":`...)
		dst = appendInteger(dst, string(h.EpochDateTime))
		dst = append(dst, `,"temperature":`...)
		var t accuweather.Temperature
		if h.TemperatureUnit == "c" {
			t.C = h.TemperatureValue
		} else {
			t.F = h.TemperatureValue
		}
		dst = appendTemperature(dst, t)
		dst = append(dst, `,"icon_id":`...)
		dst = appendInteger(dst, string(h.IconID))
		dst = append(dst, `,"url":`...)
		dst = jsonw.AppendString(dst, normURL(h.URL))
		dst = append(dst, `,"summary":`...)
		dst = jsonw.AppendString(dst, h.Summary)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// appendTemperature writes merino-py's Temperature: each side rounded half to even
// (Python's round), a missing side derived from the other (f = c*9/5+32, c = (f-32)*5/9),
// absent sides omitted.
func appendTemperature(dst []byte, t accuweather.Temperature) []byte {
	c, hasC := parseNumber(string(t.C))
	f, hasF := parseNumber(string(t.F))
	var ci, fi int64
	if hasC {
		ci = roundHalfEven(c)
		if !hasF {
			fi = roundHalfEven(c*9/5 + 32)
		}
	}
	if hasF {
		fi = roundHalfEven(f)
		if !hasC {
			ci = roundHalfEven((f - 32) * 5 / 9)
		}
	}
	if !hasC && !hasF {
		return append(dst, "{}"...)
	}
	dst = append(dst, `{"c":`...)
	dst = strconv.AppendInt(dst, ci, 10)
	dst = append(dst, `,"f":`...)
	dst = strconv.AppendInt(dst, fi, 10)
	return append(dst, '}')
}

func parseNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e15 {
		return 0, false
	}
	return f, true
}

func roundHalfEven(f float64) int64 { return int64(math.RoundToEven(f)) }

// appendInteger writes an integral JSON number as pydantic's int serialises it ("2.0" is
// 2); anything else (a cache written by someone else) is written as 0.
func appendInteger(dst []byte, s string) []byte {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.AppendInt(dst, n, 10)
	}
	f, ok := parseNumber(s)
	if !ok || f != math.Trunc(f) {
		return append(dst, '0')
	}
	return strconv.AppendInt(dst, int64(f), 10)
}
