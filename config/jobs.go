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
	AMOScore          float64
	AMORecordType     string // jobs.amo_rs_uploader.record_type
	GeonamesURLFormat string // jobs.geonames_uploader.geonames_url_format, with {country}
	// AlternatesURLFormat is jobs.geonames_uploader.alternates_url_format, with {country}.
	AlternatesURLFormat  string
	GeonamesRecordType   string // jobs.geonames_uploader.geonames_record_type
	AlternatesRecordType string // jobs.geonames_uploader.alternates_record_type

	// SupportedLanguages is suggest_supported_languages: the languages wikipedia-indexer
	// accepts.
	SupportedLanguages []string
	// WikipediaIndexer holds jobs.wikipedia_indexer.*.
	WikipediaIndexer WikipediaIndexerJob
	// NavSuggestions holds jobs.navigational_suggestions.*.
	NavSuggestions NavSuggestionsJob
}

// WikipediaIndexerJob is jobs.wikipedia_indexer. Its Elasticsearch keys (es_url, es_api_key,
// <lang>_es_alias) are accepted and ignored: merino-go builds Bleve indexes.
type WikipediaIndexerJob struct {
	IndexVersion string // index_version
	TotalDocs    int    // total_docs: the progress denominator of index
	// GCSPath is gcs_path, "bucket" or "bucket/prefix": where copy-export writes the dump
	// and index reads it.
	GCSPath    string
	GCPProject string // gcp_project
	// ExportBaseURL is export_base_url, Wikimedia's CirrusSearch dumps listing.
	ExportBaseURL string
	// BlocklistFileURL is blocklist_file_url, the category blocklist CSV.
	BlocklistFileURL string
}

// NavSuggestionsJob is jobs.navigational_suggestions.
type NavSuggestionsJob struct {
	SourceGCPProject       string // source_gcp_project: BigQuery's
	DestinationGCPProject  string // destination_gcp_project
	DestinationGCSBucket   string // destination_gcs_bucket
	DestinationCDNHostname string // destination_cdn_hostname
	ForceUpload            bool   // force_upload
	MinFaviconWidth        int    // min_favicon_width
	// CacheControl is cache_control, set on the favicons uploaded.
	CacheControl string
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
			AMORecordType:        tr.Str("amo_rs_uploader.record_type", "amo-suggestions"),
			GeonamesURLFormat:    tr.Str("geonames_uploader.geonames_url_format", "https://download.geonames.org/export/dump/{country}.zip"),
			AlternatesURLFormat:  tr.Str("geonames_uploader.alternates_url_format", "https://download.geonames.org/export/dump/alternatenames/{country}.zip"),
			GeonamesRecordType:   tr.Str("geonames_uploader.geonames_record_type", "geonames-2"),
			AlternatesRecordType: tr.Str("geonames_uploader.alternates_record_type", "geonames-alternates"),
			SupportedLanguages:   supportedLanguages(tr),
			WikipediaIndexer: WikipediaIndexerJob{
				IndexVersion:     tr.Str("wikipedia_indexer.index_version", "v1"),
				TotalDocs:        tr.Int("wikipedia_indexer.total_docs", 6_400_000, 1, 1<<40),
				GCSPath:          tr.Str("wikipedia_indexer.gcs_path", ""),
				GCPProject:       tr.Str("wikipedia_indexer.gcp_project", ""),
				ExportBaseURL:    tr.Str("wikipedia_indexer.export_base_url", "https://dumps.wikimedia.org/other/cirrus_search_index/"),
				BlocklistFileURL: tr.Str("wikipedia_indexer.blocklist_file_url", WikipediaBlocklistURL),
			},
			NavSuggestions: NavSuggestionsJob{
				SourceGCPProject:       tr.Str("navigational_suggestions.source_gcp_project", ""),
				DestinationGCPProject:  tr.Str("navigational_suggestions.destination_gcp_project", ""),
				DestinationGCSBucket:   tr.Str("navigational_suggestions.destination_gcs_bucket", ""),
				DestinationCDNHostname: tr.Str("navigational_suggestions.destination_cdn_hostname", ""),
				ForceUpload:            tr.Bool("navigational_suggestions.force_upload", false),
				MinFaviconWidth:        tr.Int("navigational_suggestions.min_favicon_width", 48, 0, 1<<16),
				CacheControl:           tr.Str("navigational_suggestions.cache_control", "public, max-age=43200"),
			},
		}
		// merino-py's Elasticsearch settings: accepted so that a task's environment still
		// loads, unused.
		for _, k := range []string{"es_url", "es_api_key", "en_es_alias", "fr_es_alias", "de_es_alias", "it_es_alias", "pl_es_alias"} {
			tr.Str("wikipedia_indexer."+k, "")
		}
		for _, kv := range [][2]string{{"wikipedia_indexer.export_base_url", j.WikipediaIndexer.ExportBaseURL}, {"wikipedia_indexer.blocklist_file_url", j.WikipediaIndexer.BlocklistFileURL}} {
			if !IsHTTPURL(kv[1]) && !tr.Failed() {
				tr.Fail(kv[0], "must be an absolute http(s) URL, got %q", kv[1])
			}
		}
		for _, kv := range [][2]string{{"geonames_uploader.geonames_url_format", j.GeonamesURLFormat}, {"geonames_uploader.alternates_url_format", j.AlternatesURLFormat}} {
			key, v := kv[0], kv[1]
			if (!IsHTTPURL(strings.ReplaceAll(v, "{country}", "US")) || !strings.Contains(v, "{country}")) && !tr.Failed() {
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

// WikipediaBlocklistURL is merino-py's default category blocklist: Mozilla's
// search-terms-sanitization list, pinned to a commit.
const WikipediaBlocklistURL = "https://raw.githubusercontent.com/mozilla/search-terms-sanitization/7ab819c7515c526e6a407b08ba8e78d3bdb7f4e9/non_sensitive/wikipedia-content-moderation/blocklist_cats.csv"

// supportedLanguages reads the top-level suggest_supported_languages.
func supportedLanguages(tr *tableReader) []string {
	const key = "suggest_supported_languages"
	if v, ok := tr.r.lookup(key); ok {
		return tr.r.asStrList(key, v)
	}
	return []string{"en", "fr", "de", "it", "pl"}
}

// Jobs returns the settings of `merino job`.
func (c *Config) Jobs() *Jobs {
	j, _ := c.Sections["jobs"].(*Jobs)
	return j
}
