package geonamesuploader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// Partition is a range of population: the geonames of a country from Threshold up to the
// next partition's threshold go into one record, targeted at ClientCountries (everyone when
// empty).
type Partition struct {
	Threshold       int64    `json:"threshold"`
	ClientCountries []string `json:"client_countries"`
}

// Country is the configuration of one country: its partitions and the Firefox locales its
// places are named for.
type Country struct {
	Code       string
	Partitions []Partition `json:"partitions"`
	Locales    []string    `json:"locales"`
}

// Config is the countries to upload, in order, and the GeoNames alternate-name languages of
// each Firefox locale.
type Config struct {
	Countries       []Country
	LocaleLanguages map[string][]string
}

// enLocales are merino-py's EN_CLIENT_LOCALES.
var enLocales = []string{"en-CA", "en-GB", "en-US", "en-ZA"}

func p(threshold int64, countries ...string) Partition {
	return Partition{Threshold: threshold, ClientCountries: countries}
}

// Builtin is merino-py's CONFIGS_BY_COUNTRY and ALTERNATES_LANGUAGES_BY_CLIENT_LOCALE.
func Builtin() *Config {
	return &Config{
		Countries: []Country{
			{"CA", []Partition{p(50_000, "CA"), p(250_000, "CA", "US"), p(500_000)}, enLocales},
			{"DE", []Partition{p(50_000, "DE"), p(500_000)}, []string{"de"}},
			{"FR", []Partition{p(50_000, "FR"), p(500_000)}, []string{"fr"}},
			{"GB", []Partition{p(50_000, "GB"), p(500_000)}, enLocales},
			{"IT", []Partition{p(50_000, "IT"), p(500_000)}, []string{"it"}},
			{"PL", []Partition{p(50_000, "PL"), p(500_000)}, []string{"pl"}},
			// Many US places are in [50k, 250k): two partitions keep the attachments small.
			{"US", []Partition{p(50_000, "US"), p(100_000, "US"), p(250_000, "CA", "US"), p(500_000)}, enLocales},
		},
		LocaleLanguages: map[string][]string{
			"en-CA": {"en", "en-CA"}, "en-GB": {"en", "en-GB"}, "en-US": {"en"}, "en-ZA": {"en"},
			"de": {"de"}, "fr": {"fr"}, "it": {"it"}, "pl": {"pl"},
		},
	}
}

// pseudoLanguages are the GeoNames pseudo-languages always uploaded: abbreviations and
// airport codes.
var pseudoLanguages = []string{"abbr", "iata"}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// ReadConfig reads a --country-config file: {"US": {"partitions": [{"threshold": 50000,
// "client_countries": ["US"]}, ...], "locales": ["en-US"]}, ...}, countries in file order,
// with an optional "locale_languages": {"en-US": ["en"], ...} replacing the built-in map.
func ReadConfig(r io.Reader) (*Config, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("want a JSON object of countries")
	}
	c := &Config{LocaleLanguages: Builtin().LocaleLanguages}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string)
		if key == "locale_languages" {
			c.LocaleLanguages = nil
			if err := dec.Decode(&c.LocaleLanguages); err != nil {
				return nil, fmt.Errorf("locale_languages: %w", err)
			}
			continue
		}
		country := Country{Code: key}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		strict := json.NewDecoder(bytes.NewReader(raw))
		strict.DisallowUnknownFields()
		if err := strict.Decode(&country); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		country.Code = key
		c.Countries = append(c.Countries, country)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks a configuration before any request: country codes, partitions, and that
// every locale maps to languages (merino-py finds an unmapped locale mid-run).
func (c *Config) Validate() error {
	if len(c.Countries) == 0 {
		return errors.New("no countries")
	}
	seen := map[string]bool{}
	for i := range c.Countries {
		co := &c.Countries[i]
		if !countryCode.MatchString(co.Code) {
			return fmt.Errorf("%q is not an upper-case ISO 3166 country code", co.Code)
		}
		if seen[co.Code] {
			return fmt.Errorf("%s is listed twice", co.Code)
		}
		seen[co.Code] = true
		if len(co.Partitions) == 0 {
			return fmt.Errorf("%s has no partitions", co.Code)
		}
		sort.SliceStable(co.Partitions, func(a, b int) bool { return co.Partitions[a].Threshold < co.Partitions[b].Threshold })
		for j, part := range co.Partitions {
			if part.Threshold < 0 || (j > 0 && part.Threshold == co.Partitions[j-1].Threshold) {
				return fmt.Errorf("%s: partition thresholds must be distinct and not negative", co.Code)
			}
			for _, cc := range part.ClientCountries {
				if !countryCode.MatchString(cc) {
					return fmt.Errorf("%s: client country %q is not an upper-case ISO 3166 code", co.Code, cc)
				}
			}
		}
		for _, l := range co.Locales {
			if len(c.LocaleLanguages[l]) == 0 {
				return fmt.Errorf("client locale '%s' not mapped to any alternates languages; add it to locale_languages", l)
			}
		}
	}
	return nil
}

// languages returns every alternates language to keep: the pseudo-languages and the
// languages of every configured locale.
func (c *Config) languages() map[string]bool {
	langs := map[string]bool{}
	for _, l := range pseudoLanguages {
		langs[l] = true
	}
	for _, co := range c.Countries {
		for _, loc := range co.Locales {
			for _, lang := range c.LocaleLanguages[loc] {
				langs[lang] = true
			}
		}
	}
	return langs
}

// String lists the countries, for logs.
func (c *Config) String() string {
	codes := make([]string, len(c.Countries))
	for i, co := range c.Countries {
		codes[i] = co.Code
	}
	return strings.Join(codes, ", ")
}
