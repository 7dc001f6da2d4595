package config_test

import (
	"reflect"
	"strings"
	"testing"

	. "github.com/mozilla-services/merino-go/config"
)

func TestJobs(t *testing.T) {
	j := load(t, "MERINO_ENV=testing").Jobs()
	want := Jobs{RSChunkSize: 200, RSScore: 0.25, AMOScore: 0.25, AMORecordType: "amo-suggestions",
		GeonamesURLFormat:    "https://download.geonames.org/export/dump/{country}.zip",
		AlternatesURLFormat:  "https://download.geonames.org/export/dump/alternatenames/{country}.zip",
		GeonamesRecordType:   "geonames-2",
		AlternatesRecordType: "geonames-alternates",
		SupportedLanguages:   []string{"en", "fr", "de", "it", "pl"},
		WikipediaIndexer: WikipediaIndexerJob{IndexVersion: "v1", TotalDocs: 6_400_000,
			ExportBaseURL: "https://dumps.wikimedia.org/other/cirrus_search_index/", BlocklistFileURL: WikipediaBlocklistURL},
		NavSuggestions: NavSuggestionsJob{MinFaviconWidth: 48, CacheControl: "public, max-age=43200"},
	}
	if !reflect.DeepEqual(*j, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", *j, want)
	}

	c := load(t, "MERINO_ENV=testing", "MERINO_REMOTE_SETTINGS__AUTH=Bearer hunter2", "MERINO_REMOTE_SETTINGS__CHUNK_SIZE=50",
		"MERINO_REMOTE_SETTINGS__DRY_RUN=true", "MERINO_REMOTE_SETTINGS__SCORE=0.5", "MERINO_PROVIDERS__AMO__SCORE=0.3",
		"MERINO_RUNTIME__DISABLED_PROVIDERS=[\"amo\"]", "MERINO_PROVIDERS__AMO__TYPE=amo",
		"MERINO_JOBS__GEONAMES_UPLOADER__GEONAMES_URL_FORMAT=http://127.0.0.1:1/{country}.zip",
		"MERINO_REMOTE_SETTINGS__COLLECTION=quicksuggest")
	j = c.Jobs()
	if j.RSAuth != "Bearer hunter2" || j.RSChunkSize != 50 || !j.RSDryRun || j.RSScore != 0.5 || j.AMOScore != 0.3 ||
		j.GeonamesURLFormat != "http://127.0.0.1:1/{country}.zip" {
		t.Errorf("overrides: %+v", *j)
	}
	out := strings.Join(c.Effective(), "\n")
	if strings.Contains(out, "hunter2") || !strings.Contains(out, `remote_settings.auth = "********"  # MERINO_REMOTE_SETTINGS__AUTH`) {
		t.Errorf("check-config shows the Remote Settings credentials:\n%s", out)
	}
}

func TestJobsErrors(t *testing.T) {
	f := func(want string, vars ...string) {
		t.Helper()
		_, err := Load(env(append([]string{"MERINO_ENV=testing"}, vars...)...))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: err = %v, want %q", vars, err, want)
		}
	}
	f("remote_settings.chunk_size: must be between 1 and", "MERINO_REMOTE_SETTINGS__CHUNK_SIZE=0")
	f("remote_settings.score: must be between 0 and 1", "MERINO_REMOTE_SETTINGS__SCORE=2")
	f("remote_settings.dry_run: must be true or false", "MERINO_REMOTE_SETTINGS__DRY_RUN=yes")
	f("jobs.geonames_uploader.alternates_url_format: must be an absolute http(s) URL with a {country} placeholder", "MERINO_JOBS__GEONAMES_UPLOADER__ALTERNATES_URL_FORMAT=http://x/US.zip")
	f("jobs.amo_rs_uploader.record_type: must be letters", "MERINO_JOBS__AMO_RS_UPLOADER__RECORD_TYPE=a/b")
}

func TestJobsGCS(t *testing.T) {
	c := load(t, "MERINO_ENV=testing", "MERINO_GCS__ENDPOINT_URL=http://127.0.0.1:4443",
		"MERINO_JOBS__WIKIPEDIA_INDEXER__GCS_PATH=merino-jobs-dev/wikipedia-exports", "MERINO_JOBS__WIKIPEDIA_INDEXER__ES_URL=http://es:9200",
		"MERINO_JOBS__WIKIPEDIA_INDEXER__TOTAL_DOCS=6600000", "MERINO_SUGGEST_SUPPORTED_LANGUAGES=[\"en\", \"de\"]",
		"MERINO_JOBS__NAVIGATIONAL_SUGGESTIONS__DESTINATION_GCS_BUCKET=merino-images-prodpy",
		"MERINO_JOBS__NAVIGATIONAL_SUGGESTIONS__FORCE_UPLOAD=true", "MERINO_JOBS__NAVIGATIONAL_SUGGESTIONS__MIN_FAVICON_WIDTH=64")
	j := c.Jobs()
	if c.GCS().EndpointURL != "http://127.0.0.1:4443" || j.WikipediaIndexer.GCSPath != "merino-jobs-dev/wikipedia-exports" ||
		j.WikipediaIndexer.TotalDocs != 6_600_000 || strings.Join(j.SupportedLanguages, ",") != "en,de" ||
		j.NavSuggestions.DestinationGCSBucket != "merino-images-prodpy" || !j.NavSuggestions.ForceUpload || j.NavSuggestions.MinFaviconWidth != 64 {
		t.Errorf("%+v %+v", *c.GCS(), *j)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("merino-py's Elasticsearch keys are accepted: %v", c.Warnings)
	}
	f := func(want string, vars ...string) {
		t.Helper()
		_, err := Load(env(append([]string{"MERINO_ENV=testing"}, vars...)...))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: err = %v, want %q", vars, err, want)
		}
	}
	f("gcs.endpoint_url: must be an absolute http(s) URL", "MERINO_GCS__ENDPOINT_URL=localhost:4443")
	f("jobs.wikipedia_indexer.export_base_url: must be an absolute http(s) URL", "MERINO_JOBS__WIKIPEDIA_INDEXER__EXPORT_BASE_URL=dumps")
	f("jobs.navigational_suggestions.min_favicon_width", "MERINO_JOBS__NAVIGATIONAL_SUGGESTIONS__MIN_FAVICON_WIDTH=-1")
}
