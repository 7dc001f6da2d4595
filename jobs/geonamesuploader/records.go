package geonamesuploader

import (
	"fmt"
	"math"
	"sort"

	"github.com/mozilla-services/merino-go/jobs/publisher"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/kinto"
)

// planned is a record the run will publish: its data and the bytes of its attachment.
type planned struct {
	id         string
	data       jsonw.Object
	attachment []byte
}

// geonamesRecord is a geonames record with the places of its attachment, which its
// alternates records need.
type geonamesRecord struct {
	planned
	clientCountries []string
	places          []*geoname
}

// prettyThreshold writes a threshold in thousands, zero-padded to four digits
// (merino-py's _pretty_threshold): 1 → "0000", 50,000 → "0050", 1,000,000 → "1000".
func prettyThreshold(v int64) string {
	return fmt.Sprintf("%04d", int64(math.Floor(float64(v)/1000)))
}

// buildGeonames puts the places (in file order) into the country's partitions, each place
// into the one with the largest threshold not above its population, and returns a record
// for each partition that has places: merino-py's upload_geonames.
func buildGeonames(co Country, recordType string, places []geoname) []*geonamesRecord {
	parts := co.Partitions // sorted by Validate
	members := make([][]*geoname, len(parts))
	for i := range places {
		g := &places[i]
		for j := len(parts) - 1; j >= 0; j-- {
			if parts[j].Threshold <= g.population {
				members[j] = append(members[j], g)
				break
			}
		}
	}
	var out []*geonamesRecord
	for i, part := range parts {
		if len(members[i]) == 0 {
			continue
		}
		id := "geonames-" + co.Code + "-" + prettyThreshold(part.Threshold)
		if i+1 < len(parts) {
			id += "-" + prettyThreshold(parts[i+1].Threshold)
		}
		data := jsonw.Object{{Key: "id", Value: id}, {Key: "type", Value: recordType}, {Key: "country", Value: co.Code}}
		var clients []string
		if len(part.ClientCountries) > 0 {
			clients = append(clients, part.ClientCountries...)
			sort.Strings(clients)
			data = append(data, jsonw.Member{Key: "client_countries", Value: clients},
				jsonw.Member{Key: "filter_expression", Value: kinto.FilterExpression(part.ClientCountries, nil)})
		}
		att := make([]any, len(members[i]))
		for k, g := range members[i] {
			att[k] = g
		}
		out = append(out, &geonamesRecord{
			planned:         planned{id: id, data: data, attachment: publisher.Attachment(att)},
			clientCountries: clients, places: members[i],
		})
	}
	return out
}

// buildAlternates makes the alternates records of a country's geonames records: for each
// record and each language (sorted) that has alternates for its places, a record
// "<geonames record id>-<language>" targeted at the locales of that language among the
// record's client countries (all configured countries when it has none); merino-py's
// upload_alternates.
func buildAlternates(cfg *Config, co Country, recordType string, records []*geonamesRecord, alts map[string]*languageAlternates) []planned {
	var out []planned
	for _, rec := range records {
		byID := make(map[int64]*geoname, len(rec.places))
		for _, g := range rec.places {
			byID[g.id] = g
		}
		localesByLang := map[string]map[string]bool{}
		for _, l := range pseudoLanguages {
			localesByLang[l] = map[string]bool{}
		}
		for _, c := range cfg.Countries {
			if len(rec.clientCountries) > 0 && !contains(rec.clientCountries, c.Code) {
				continue
			}
			for _, loc := range c.Locales {
				for _, lang := range cfg.LocaleLanguages[loc] {
					if localesByLang[lang] == nil {
						localesByLang[lang] = map[string]bool{}
					}
					localesByLang[lang][loc] = true
				}
			}
		}
		langs := make([]string, 0, len(localesByLang))
		for l := range localesByLang {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		for _, lang := range langs {
			la := alts[lang]
			if la == nil {
				continue
			}
			var entries []any
			for _, gid := range la.order {
				g := byID[gid]
				if g == nil {
					continue
				}
				var kept []any
				for _, a := range la.byID[gid] {
					// The client adds a place's name and ASCII name itself.
					if !a.preferred && !a.short && (a.name == g.name || a.name == g.asciiName) {
						continue
					}
					kept = append(kept, a)
				}
				if len(kept) > 0 {
					entries = append(entries, []any{g.id, kept})
				}
			}
			if len(entries) == 0 {
				continue
			}
			id := rec.id + "-" + lang
			data := jsonw.Object{{Key: "id", Value: id}, {Key: "type", Value: recordType}, {Key: "country", Value: co.Code}, {Key: "language", Value: lang}}
			if locs := keys(localesByLang[lang]); len(locs) > 0 {
				data = append(data, jsonw.Member{Key: "filter_expression", Value: kinto.FilterExpression(nil, locs)})
			}
			att := jsonw.Object{{Key: "language", Value: lang}, {Key: "alternates_by_geoname_id", Value: entries}}
			out = append(out, planned{id: id, data: data, attachment: publisher.Attachment(att)})
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ids returns the ids of the places of records.
func ids(records []*geonamesRecord) map[int64]bool {
	out := map[int64]bool{}
	for _, r := range records {
		for _, g := range r.places {
			out[g.id] = true
		}
	}
	return out
}
