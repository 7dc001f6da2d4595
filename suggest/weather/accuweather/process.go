package accuweather

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/mozilla-services/merino-go/httpurl"
)

// The processed values below are what merino-py caches, field for field (its
// process_*_response functions), so a cache filled by either implementation serves both.
// Numbers keep AccuWeather's text (json.Number): the cache holds what AccuWeather said and
// rounding happens when a response is rendered.

// Location is a processed city search result (merino-py's AccuweatherLocation).
type Location struct {
	Key                  string `json:"key"`
	LocalizedName        string `json:"localized_name"`
	AdministrativeAreaID string `json:"administrative_area_id"`
	CountryName          string `json:"country_name"`
}

// Temperature holds Celsius and Fahrenheit values; "" is Python's None.
type Temperature struct {
	C json.Number `json:"c,omitempty"`
	F json.Number `json:"f,omitempty"`
}

// CurrentConditions is a processed current conditions response.
type CurrentConditions struct {
	URL         string      `json:"url"`
	Summary     string      `json:"summary"`
	IconID      json.Number `json:"icon_id"`
	Temperature Temperature `json:"temperature"`
}

// Forecast is a processed one-day forecast response.
type Forecast struct {
	URL     string      `json:"url"`
	Summary string      `json:"summary"`
	High    Temperature `json:"high"`
	Low     Temperature `json:"low"`
}

// HourlyForecast is one processed hour of the 12-hour forecast.
type HourlyForecast struct {
	DateTime         string      `json:"date_time"`
	EpochDateTime    json.Number `json:"epoch_date_time"`
	TemperatureUnit  string      `json:"temperature_unit"`
	TemperatureValue json.Number `json:"temperature_value"`
	IconID           json.Number `json:"icon_id"`
	Summary          string      `json:"summary"`
	URL              string      `json:"url"`
}

// HourlyForecasts is the cached shape of the 12-hour forecast.
type HourlyForecasts struct {
	HourlyForecasts []HourlyForecast `json:"hourly_forecasts"`
}

// GeoDetails is the country or administrative area of a location completion.
type GeoDetails struct {
	ID            string `json:"id"`
	LocalizedName string `json:"localized_name"`
}

// Completion is one city of the autocomplete endpoint.
type Completion struct {
	Key                string      `json:"key"`
	Rank               json.Number `json:"rank"`
	Type               string      `json:"type"`
	LocalizedName      string      `json:"localized_name"`
	Country            GeoDetails  `json:"country"`
	AdministrativeArea GeoDetails  `json:"administrative_area"`
}

// ErrInvalidJSON means AccuWeather's body is not JSON (merino-py's response.json() raises,
// which counts against the circuit breaker). A body that is JSON of an unexpected shape is
// not an error: the processors then return nil, as merino-py's return None.
var ErrInvalidJSON = errors.New("AccuWeather response is not valid JSON")

// raw helpers: a missing key is an empty RawMessage, a JSON null is "null".

func object(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil, false
	}
	return m, true
}

func array(raw json.RawMessage) ([]json.RawMessage, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return nil, false
	}
	var a []json.RawMessage
	if json.Unmarshal(raw, &a) != nil {
		return nil, false
	}
	return a, true
}

func str(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// maxMagnitude bounds the numbers accepted from AccuWeather: a temperature or an icon id
// beyond it is garbage, and rejecting it keeps the int conversions exact.
const maxMagnitude = 1e15

// number reads a JSON number (or null, as ""). ok is false for any other value or a
// non-finite or absurd magnitude.
func number(raw json.RawMessage, nullable bool) (json.Number, bool) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return "", nullable
	}
	if len(raw) == 0 || !(raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return "", false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsInf(f, 0) || math.Abs(f) > maxMagnitude {
		return "", false
	}
	return json.Number(raw), true
}

// integer reads a number pydantic's int accepts: integral.
func integer(raw json.RawMessage) (json.Number, bool) {
	n, ok := number(raw, false)
	if !ok {
		return "", false
	}
	f, _ := strconv.ParseFloat(string(n), 64)
	if f != math.Trunc(f) {
		return "", false
	}
	return n, true
}

// validURL reports whether pydantic's HttpUrl accepts u.
func validURL(u string) bool {
	_, err := httpurl.Normalize(u)
	return err == nil
}

func decodeTop(body []byte) (json.RawMessage, error) {
	if !json.Valid(body) {
		return nil, ErrInvalidJSON
	}
	return json.RawMessage(body), nil
}

// ProcessLocation reads a city search: the first result's key, localized name, admin
// area id and country name; nil when there is no result or it lacks one of them.
func ProcessLocation(body []byte) (*Location, error) {
	top, err := decodeTop(body)
	if err != nil {
		return nil, err
	}
	list, ok := array(top)
	if !ok || len(list) == 0 {
		return nil, nil
	}
	first, ok := object(list[0])
	if !ok {
		return nil, nil
	}
	admin, ok1 := object(first["AdministrativeArea"])
	country, ok2 := object(first["Country"])
	if !ok1 || !ok2 {
		return nil, nil
	}
	var loc Location
	var ok3, ok4, ok5, ok6 bool
	loc.Key, ok3 = str(first["Key"])
	loc.LocalizedName, ok4 = str(first["LocalizedName"])
	loc.AdministrativeAreaID, ok5 = str(admin["ID"])
	loc.CountryName, ok6 = str(country["LocalizedName"])
	if !ok3 || !ok4 || !ok5 || !ok6 || loc.Key == "" {
		return nil, nil
	}
	return &loc, nil
}

// ProcessCurrentConditions reads a current conditions response (a list of exactly one
// observation) and adds the newtab partner code to its link.
func (c *Client) ProcessCurrentConditions(body []byte) (*CurrentConditions, error) {
	top, err := decodeTop(body)
	if err != nil {
		return nil, err
	}
	list, ok := array(top)
	if !ok || len(list) != 1 {
		return nil, nil
	}
	obs, ok := object(list[0])
	if !ok {
		return nil, nil
	}
	temp, ok := object(obs["Temperature"])
	if !ok {
		return nil, nil
	}
	metric, ok1 := object(temp["Metric"])
	imperial, ok2 := object(temp["Imperial"])
	if !ok1 || !ok2 {
		return nil, nil
	}
	var cc CurrentConditions
	link, ok3 := str(obs["Link"])
	var ok4, ok5, ok6, ok7 bool
	cc.Summary, ok4 = str(obs["WeatherText"])
	cc.IconID, ok5 = integer(obs["WeatherIcon"])
	cc.Temperature.C, ok6 = number(metric["Value"], true)
	cc.Temperature.F, ok7 = number(imperial["Value"], true)
	if !ok3 || !ok4 || !ok5 || !ok6 || !ok7 {
		return nil, nil
	}
	cc.URL = c.AddPartnerCode(link)
	if !validURL(cc.URL) {
		return nil, nil
	}
	return &cc, nil
}

// ProcessForecast reads a one-day forecast: the headline's text and link and the day's
// maximum and minimum, each in its own unit (C or F).
func (c *Client) ProcessForecast(body []byte) (*Forecast, error) {
	top, err := decodeTop(body)
	if err != nil {
		return nil, err
	}
	doc, ok := object(top)
	if !ok {
		return nil, nil
	}
	headline, ok1 := object(doc["Headline"])
	days, ok2 := array(doc["DailyForecasts"])
	if !ok1 || !ok2 || len(days) != 1 {
		return nil, nil
	}
	day, ok := object(days[0])
	if !ok {
		return nil, nil
	}
	temp, ok := object(day["Temperature"])
	if !ok {
		return nil, nil
	}
	var f Forecast
	summary, ok3 := str(headline["Text"])
	link, ok4 := str(headline["Link"])
	high, ok5 := unitValue(temp["Maximum"])
	low, ok6 := unitValue(temp["Minimum"])
	if !ok3 || !ok4 || !ok5 || !ok6 {
		return nil, nil
	}
	f.Summary, f.High, f.Low = summary, high, low
	f.URL = c.AddPartnerCode(link)
	if !validURL(f.URL) {
		return nil, nil
	}
	return &f, nil
}

// unitValue reads {"Value": v, "Unit": "C"|"F"} into the matching side of a Temperature.
func unitValue(raw json.RawMessage) (Temperature, bool) {
	m, ok := object(raw)
	if !ok {
		return Temperature{}, false
	}
	unit, ok1 := str(m["Unit"])
	v, ok2 := number(m["Value"], true)
	if !ok1 || !ok2 {
		return Temperature{}, false
	}
	switch unit {
	case "C":
		return Temperature{C: v}, true
	case "F":
		return Temperature{F: v}, true
	}
	return Temperature{}, false
}

// ErrBadHourlyForecast means an hour of the forecast lacks a field or has a wrong type
// (merino-py raises, which counts against the circuit breaker).
var ErrBadHourlyForecast = errors.New("cannot parse AccuWeather hourly forecast")

// ProcessHourlyForecasts reads the 12-hour forecast; nil when it is not a list. Every hour
// is checked before anything is cached, so bad data never enters the cache.
func (c *Client) ProcessHourlyForecasts(body []byte) (*HourlyForecasts, error) {
	top, err := decodeTop(body)
	if err != nil {
		return nil, err
	}
	list, ok := array(top)
	if !ok {
		return nil, nil
	}
	out := &HourlyForecasts{HourlyForecasts: make([]HourlyForecast, 0, len(list))}
	for _, item := range list {
		m, ok := object(item)
		if !ok {
			return nil, ErrBadHourlyForecast
		}
		temp, ok := object(m["Temperature"])
		if !ok {
			return nil, ErrBadHourlyForecast
		}
		var h HourlyForecast
		link, ok1 := str(m["Link"])
		unit, ok2 := str(temp["Unit"])
		var ok3, ok4, ok5, ok6, ok7 bool
		h.TemperatureValue, ok3 = number(temp["Value"], true)
		h.DateTime, ok4 = str(m["DateTime"])
		h.EpochDateTime, ok5 = integer(m["EpochDateTime"])
		h.IconID, ok6 = integer(m["WeatherIcon"])
		h.Summary, ok7 = str(m["IconPhrase"])
		if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || !ok7 {
			return nil, ErrBadHourlyForecast
		}
		h.TemperatureUnit = strings.ToLower(unit)
		h.URL = c.AddPartnerCode(link)
		if !validURL(h.URL) {
			return nil, ErrBadHourlyForecast
		}
		out.HourlyForecasts = append(out.HourlyForecasts, h)
	}
	return out, nil
}

// ErrBadCompletion means a location completion lacks a field or has a wrong type.
var ErrBadCompletion = errors.New("cannot parse AccuWeather location completion")

// ProcessCompletions reads the autocomplete endpoint; nil when it is not a list.
func ProcessCompletions(body []byte) ([]Completion, error) {
	top, err := decodeTop(body)
	if err != nil {
		return nil, err
	}
	list, ok := array(top)
	if !ok {
		return nil, nil
	}
	out := make([]Completion, 0, len(list))
	for _, item := range list {
		m, ok := object(item)
		if !ok {
			return nil, ErrBadCompletion
		}
		country, ok1 := object(m["Country"])
		admin, ok2 := object(m["AdministrativeArea"])
		if !ok1 || !ok2 {
			return nil, ErrBadCompletion
		}
		var c Completion
		oks := [8]bool{}
		c.Key, oks[0] = str(m["Key"])
		c.Rank, oks[1] = integer(m["Rank"])
		c.Type, oks[2] = str(m["Type"])
		c.LocalizedName, oks[3] = str(m["LocalizedName"])
		c.Country.ID, oks[4] = str(country["ID"])
		c.Country.LocalizedName, oks[5] = str(country["LocalizedName"])
		c.AdministrativeArea.ID, oks[6] = str(admin["ID"])
		c.AdministrativeArea.LocalizedName, oks[7] = str(admin["LocalizedName"])
		for _, ok := range oks {
			if !ok {
				return nil, ErrBadCompletion
			}
		}
		out = append(out, c)
	}
	return out, nil
}
