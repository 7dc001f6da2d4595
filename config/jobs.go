package config

import (
	"regexp"
	"strings"
)

// Jobs holds the defaults of `merino job` that come from configuration, under merino-py's
// keys (jobs.md §1.3), so that the MERINO_* variables of an Airflow task keep their meaning.
// The Remote Settings server and bucket are the [remote_settings] section's (RemoteSettings);
// its collection is not used: the adm reader's collection must not redirect an upload, and
// every job defaults to merino-py's quicksuggest-other.
type Jobs struct {
	// RSAuth is remote_settings.auth, the Authorization of Remote Settings writes: a secret,
	// masked by check-config (Effective) and never logged.
	RSAuth      string
	RSChunkSize int     // remote_settings.chunk_size
	RSDryRun    bool    // remote_settings.dry_run
	RSScore     float64 // remote_settings.score
	// AMOScore is providers.amo.score, the amo uploader's default score.
	AMOScore float64
	// AMOAPIURL is amo.dynamic.api_url.
	AMOAPIURL         string
	AMORecordType     string // jobs.amo_rs_uploader.record_type
	GeonamesURLFormat string // jobs.geonames_uploader.geonames_url_format, with {country}
	// AlternatesURLFormat is jobs.geonames_uploader.alternates_url_format, with {country}.
	AlternatesURLFormat  string
	GeonamesRecordType   string // jobs.geonames_uploader.geonames_record_type
	AlternatesRecordType string // jobs.geonames_uploader.alternates_record_type
}

// kintoID is what a record type must be: it starts record ids.
var kintoID = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_-]*$`)

func init() {
	sections["jobs"] = func(tr *tableReader) any {
		rs := &tableReader{r: tr.r, base: "remote_settings"}
		amo := &tableReader{r: tr.r, base: "providers.amo"}
		j := &Jobs{
			RSAuth:               rs.Str("auth", ""),
			RSChunkSize:          rs.Int("chunk_size", 200, 1, 1_000_000),
			RSDryRun:             rs.Bool("dry_run", false),
			RSScore:              rs.Float("score", 0.25, 0, 1),
			AMOScore:             amo.Float("score", 0.25, 0, 1),
			AMOAPIURL:            (&tableReader{r: tr.r, base: "amo"}).Str("dynamic.api_url", AMOAPIURL),
			AMORecordType:        tr.Str("amo_rs_uploader.record_type", "amo-suggestions"),
			GeonamesURLFormat:    tr.Str("geonames_uploader.geonames_url_format", "https://download.geonames.org/export/dump/{country}.zip"),
			AlternatesURLFormat:  tr.Str("geonames_uploader.alternates_url_format", "https://download.geonames.org/export/dump/alternatenames/{country}.zip"),
			GeonamesRecordType:   tr.Str("geonames_uploader.geonames_record_type", "geonames-2"),
			AlternatesRecordType: tr.Str("geonames_uploader.alternates_record_type", "geonames-alternates"),
		}
		for _, kv := range [][2]string{{"geonames_uploader.geonames_url_format", j.GeonamesURLFormat}, {"geonames_uploader.alternates_url_format", j.AlternatesURLFormat}} {
			key, v := kv[0], kv[1]
			if (!isHTTPURL(strings.ReplaceAll(v, "{country}", "US")) || !strings.Contains(v, "{country}")) && !tr.Failed() {
				tr.Fail(key, "must be an absolute http(s) URL with a {country} placeholder, got %q", v)
			}
		}
		for _, kv := range [][2]string{{"amo_rs_uploader.record_type", j.AMORecordType}, {"geonames_uploader.geonames_record_type", j.GeonamesRecordType}, {"geonames_uploader.alternates_record_type", j.AlternatesRecordType}} {
			key, v := kv[0], kv[1]
			if !kintoID.MatchString(v) && !tr.Failed() {
				tr.Fail(key, "must be letters, digits, _ and - (it starts Remote Settings record ids), got %q", v)
			}
		}
		return j
	}
}

// Jobs returns the settings of `merino job`.
func (c *Config) Jobs() *Jobs {
	j, _ := c.Sections["jobs"].(*Jobs)
	return j
}
