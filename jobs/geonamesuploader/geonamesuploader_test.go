package geonamesuploader_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jobs/geonamesuploader"
	"github.com/mozilla-services/merino-go/jobs/geonamesuploader/geonamestest"
	"github.com/mozilla-services/merino-go/jobs/jobstest"
	"github.com/mozilla-services/merino-go/kinto/kintotest"
)

const (
	bucket = "main-workspace"
	coll   = "quicksuggest-other"
)

// The places and alternate names of merino-py's tests/unit/jobs/geonames_uploader/
// geonames_utils.py (GeoNames' own values for these places).
var (
	waterlooAL = place(4096497, "Waterloo", "Waterloo", "34.91814", "-88.0642", "P", "PPL", "US", "AL", "077", "", "", 200)
	alabama    = place(4829764, "Alabama", "Alabama", "32.75041", "-86.75026", "A", "ADM1", "US", "AL", "", "", "", 4530315)
	waterlooIA = place(4880889, "Waterloo", "Waterloo", "42.49276", "-92.34296", "P", "PPLA2", "US", "IA", "013", "94597", "ABC", 68460)
	iowa       = place(4862182, "Iowa", "Iowa", "42.00027", "-93.50049", "A", "ADM1", "US", "IA", "", "", "", 2955010)
	nyc        = place(5128581, "New York City", "New York City", "40.71427", "-74.00597", "P", "PPL", "US", "NY", "", "", "", 8804190)
	nyState    = place(5128638, "New York", "New York", "43.00035", "-75.4999", "A", "ADM1", "US", "NY", "", "", "", 19274244)
	sacramento = place(5389489, "Sacramento", "Sacramento", "38.58157", "-121.4944", "P", "PPLA", "US", "CA", "067", "", "", 490712)
	waterlooON = place(6176823, "Waterloo", "Waterloo", "43.4668", "-80.51639", "P", "PPL", "CA", "08", "3530", "", "", 104986)
	halifax    = place(6324729, "Halifax", "Halifax", "44.64269", "-63.57688", "P", "PPLA", "CA", "07", "1209", "", "", 439819)
	vancouver  = place(6173331, "Vancouver", "Vancouver", "49.24966", "-123.11934", "P", "PPL", "CA", "02", "5915", "", "", 600000)
	goessnitz  = place(2918770, "Gößnitz", "Goessnitz", "50.88902", "12.43292", "P", "PPL", "DE", "15", "00", "16077", "16077012", 4104)
	berlin     = place(2950159, "Berlin", "Berlin", "52.52437", "13.41053", "P", "PPLC", "DE", "16", "00", "11000", "11000000", 3426354)

	usAlternates = []geonamestest.Alt{
		alt(alabama.ID, "abbr", "AL", false, false), alt(iowa.ID, "abbr", "IA", false, false),
		alt(nyc.ID, "abbr", "NY", false, false), alt(nyc.ID, "abbr", "NYC", false, false), alt(nyState.ID, "abbr", "NY", false, false),
		alt(waterlooAL.ID, "en", "Waterloo", false, false), alt(alabama.ID, "en", "State of Alabama", false, false),
		alt(waterlooIA.ID, "en", "Waterloo", false, false), alt(iowa.ID, "en", "State of Iowa", false, false),
		alt(nyc.ID, "en", "New York", true, true), alt(nyc.ID, "en", "New York City", false, false),
		alt(nyState.ID, "en", "State of New York", false, false), alt(sacramento.ID, "en", "Sac", false, false),
		alt(waterlooIA.ID, "es", "Waterloo", false, false), alt(nyc.ID, "es", "Nueva York", false, false), alt(nyState.ID, "es", "Nueva York", false, false),
		alt(nyState.ID, "fr", "État de New York", false, false),
		alt(nyc.ID, "iata", "LGA", false, false),
		alt(nyc.ID, "xx", "New York Xx", false, false),
	}
)

func place(id int64, name, ascii, lat, lon, class, code, country, a1, a2, a3, a4 string, pop int64) geonamestest.Place {
	return geonamestest.Place{ID: id, Name: name, ASCIIName: ascii, Latitude: lat, Longitude: lon, Class: class, Code: code, Country: country,
		Admin1: a1, Admin2: a2, Admin3: a3, Admin4: a4, Population: pop}
}

func alt(id int64, lang, name string, preferred, short bool) geonamestest.Alt {
	return geonamestest.Alt{GeonameID: id, Language: lang, Name: name, Preferred: preferred, Short: short}
}

func rows(places ...geonamestest.Place) [][]string {
	var r [][]string
	for _, p := range places {
		r = append(r, p.Row())
	}
	return r
}

// setup starts the fakes: GeoNames with merino-py's US, CA and DE fixtures, and Kinto.
func setup(t *testing.T) (*geonamestest.Server, *kintotest.Server, *jobs.Defaults) {
	t.Helper()
	geo := geonamestest.New(t)
	geo.SetGeonames("US", rows(waterlooAL, alabama, waterlooIA, iowa, nyc, nyState, sacramento))
	geo.SetAlternates("US", geonamestest.AltRows(usAlternates))
	geo.SetGeonames("CA", rows(waterlooON, halifax, vancouver))
	geo.SetAlternates("CA", nil)
	geo.SetGeonames("DE", rows(goessnitz, berlin))
	geo.SetAlternates("DE", geonamestest.AltRows([]geonamestest.Alt{
		alt(goessnitz.ID, "en", "Gößnitz", false, false), alt(goessnitz.ID, "en", "Goessnitz", false, false), alt(goessnitz.ID, "en", "Gössnitz", false, false),
		alt(berlin.ID, "de", "Berlin", false, false), alt(berlin.ID, "de", "Bärlin", false, false),
	}))
	fake := kintotest.NewWritable(t, bucket+"/"+coll)
	fake.RequireAuth("Bearer t")
	d := jobstest.Defaults(t, fake.URL)
	d.GeonamesURLFormat, d.AlternatesURLFormat = geo.GeonamesURLFormat(), geo.AlternatesURLFormat()
	return geo, fake, d
}

func countryConfig(t *testing.T, json string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "countries.json")
	if err := os.WriteFile(p, []byte(json), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, d *jobs.Defaults, args ...string) jobstest.Result {
	t.Helper()
	return jobstest.Run(t, geonamesuploader.Job, d, time.Time{}, append([]string{"geonames-uploader", "upload", "--rs-bucket", bucket, "--rs-auth", "Bearer t"}, args...)...)
}

// written returns the PUT bodies and attachment bytes of a log, by record id, and the order of
// the writes.
func written(log []kintotest.Request) (map[string]string, map[string]string, []string) {
	data, att := map[string]string{}, map[string]string{}
	for _, r := range log {
		id := r.Path[strings.LastIndex(r.Path, "/records/")+len("/records/"):]
		switch r.Method {
		case "PUT":
			data[id] = string(r.Body)
		case "POST":
			att[strings.TrimSuffix(id, "/attachment")] = string(r.Parts[0].Body)
		}
	}
	return data, att, jobstest.Writes(log)
}

// TestSimple is merino-py's test_upload.py test_simple: one country, one partition, one locale.
func TestSimple(t *testing.T) {
	_, fake, d := setup(t)
	cfg := countryConfig(t, `{"US": {"partitions": [{"threshold": 500000}], "locales": ["en-US"]}}`)
	res := run(t, d, "--country-config", cfg)
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, "geonames-uploader upload: 4 uploaded, 0 unchanged, 0 deleted") {
		t.Fatalf("%+v", res)
	}
	data, att, order := written(fake.Log())
	if got := strings.Join(order, ", "); got != "PUT geonames-US-0500, POST geonames-US-0500/attachment, PUT geonames-US-0500-abbr, POST geonames-US-0500-abbr/attachment, PUT geonames-US-0500-en, POST geonames-US-0500-en/attachment, PUT geonames-US-0500-iata, POST geonames-US-0500-iata/attachment" {
		t.Errorf("writes %s", got)
	}
	want := map[string][2]string{
		"geonames-US-0500": {`{"data": {"id": "geonames-US-0500", "type": "geonames-2", "country": "US"}}`,
			`[{"id": 4829764, "name": "Alabama", "latitude": "32.75041", "longitude": "-86.75026", "feature_class": "A", "feature_code": "ADM1", "country": "US", "admin1": "AL", "population": 4530315}, ` +
				`{"id": 4862182, "name": "Iowa", "latitude": "42.00027", "longitude": "-93.50049", "feature_class": "A", "feature_code": "ADM1", "country": "US", "admin1": "IA", "population": 2955010}, ` +
				`{"id": 5128581, "name": "New York City", "latitude": "40.71427", "longitude": "-74.00597", "feature_class": "P", "feature_code": "PPL", "country": "US", "admin1": "NY", "population": 8804190}, ` +
				`{"id": 5128638, "name": "New York", "latitude": "43.00035", "longitude": "-75.4999", "feature_class": "A", "feature_code": "ADM1", "country": "US", "admin1": "NY", "population": 19274244}]`},
		"geonames-US-0500-abbr": {`{"data": {"id": "geonames-US-0500-abbr", "type": "geonames-alternates", "country": "US", "language": "abbr"}}`,
			`{"language": "abbr", "alternates_by_geoname_id": [[4829764, ["AL"]], [4862182, ["IA"]], [5128581, ["NY", "NYC"]], [5128638, ["NY"]]]}`},
		"geonames-US-0500-en": {`{"data": {"id": "geonames-US-0500-en", "type": "geonames-alternates", "country": "US", "language": "en", "filter_expression": "env.locale in ['en-US']"}}`,
			`{"language": "en", "alternates_by_geoname_id": [[4829764, ["State of Alabama"]], [4862182, ["State of Iowa"]], [5128581, [{"name": "New York", "is_preferred": true, "is_short": true}]], [5128638, ["State of New York"]]]}`},
		"geonames-US-0500-iata": {`{"data": {"id": "geonames-US-0500-iata", "type": "geonames-alternates", "country": "US", "language": "iata"}}`,
			`{"language": "iata", "alternates_by_geoname_id": [[5128581, ["LGA"]]]}`},
	}
	for id, w := range want {
		if data[id] != w[0] {
			t.Errorf("%s record:\n got %s\nwant %s", id, data[id], w[0])
		}
		if att[id] != w[1] {
			t.Errorf("%s attachment:\n got %s\nwant %s", id, att[id], w[1])
		}
	}
	for _, msg := range []string{"Uploading attachment: geonames-US-0500 (", "Geonames records: 1 uploaded, 0 skipped, 0 deleted", "Alternates records: 3 uploaded, 0 skipped, 0 deleted", "Total record count: 4"} {
		if !strings.Contains(res.Stderr, msg) {
			t.Errorf("the log lacks %q", msg)
		}
	}

	// A re-run writes nothing; --force-reupload writes everything again.
	if res := run(t, d, "--country-config", cfg); res.Code != 0 || len(jobstest.Writes(fake.Log())) != 0 || !strings.HasPrefix(res.Stdout, "geonames-uploader upload: 0 uploaded, 4 unchanged, 0 deleted") {
		t.Errorf("re-run: %+v", res)
	}
	if res := run(t, d, "--country-config", cfg, "--force-reupload"); res.Code != 0 || len(jobstest.Writes(fake.Log())) != 8 {
		t.Errorf("--force-reupload: %+v", res)
	}
}

// TestPartitions: several partitions with client countries over two countries; records
// already published unchanged are skipped, stale ones of the configured countries deleted,
// other countries' and other types' records left alone, a removed field noticed.
func TestPartitions(t *testing.T) {
	_, fake, d := setup(t)
	seed := func(id, typ, country string, att string, extra map[string]any) {
		fake.Seed(bucket, coll, map[string]any{"id": id, "type": typ, "country": country}, []byte(att), extra)
	}
	seed("geonames-US-0050-0250", "geonames-2", "US",
		`[{"id": 4880889, "name": "Waterloo", "latitude": "42.49276", "longitude": "-92.34296", "feature_class": "P", "feature_code": "PPLA2", "country": "US", "admin1": "IA", "admin2": "013", "admin3": "94597", "admin4": "ABC", "population": 68460}]`,
		map[string]any{"client_countries": []any{"US"}, "filter_expression": "env.country in ['US']"})
	seed("geonames-US-0100-0250", "geonames-2", "US", "[]", nil)
	seed("geonames-MX-0050", "geonames-2", "MX", "[]", nil)
	seed("geonames-US-1000-es", "geonames-alternates", "US", "{}", map[string]any{"language": "es"})
	seed("geonames-CA-0500", "geonames-2", "CA",
		`[{"id": 6173331, "name": "Vancouver", "latitude": "49.24966", "longitude": "-123.11934", "feature_class": "P", "feature_code": "PPL", "country": "CA", "admin1": "02", "admin2": "5915", "population": 600000}]`,
		map[string]any{"client_countries": []any{"CA"}})
	seed("other-US", "other", "US", "[]", nil)
	fake.Log()
	cfg := countryConfig(t, `{
		"US": {"partitions": [{"threshold": 1000000}, {"threshold": 50000, "client_countries": ["US"]}, {"threshold": 250000, "client_countries": ["US", "CA"]}], "locales": ["en-US"]},
		"CA": {"partitions": [{"threshold": 50000, "client_countries": ["CA"]}, {"threshold": 500000}], "locales": ["en-CA"]}}`)
	res := run(t, d, "--country-config", cfg)
	if res.Code != 0 {
		t.Fatalf("%+v", res)
	}
	data, att, order := written(fake.Log())
	want := "PUT geonames-US-0250-1000, POST geonames-US-0250-1000/attachment, PUT geonames-US-1000, POST geonames-US-1000/attachment, DELETE geonames-US-0100-0250, " +
		"PUT geonames-US-0250-1000-en, POST geonames-US-0250-1000-en/attachment, PUT geonames-US-1000-abbr, POST geonames-US-1000-abbr/attachment, PUT geonames-US-1000-en, POST geonames-US-1000-en/attachment, PUT geonames-US-1000-iata, POST geonames-US-1000-iata/attachment, DELETE geonames-US-1000-es, " +
		"PUT geonames-CA-0050-0500, POST geonames-CA-0050-0500/attachment, PUT geonames-CA-0500, POST geonames-CA-0500/attachment"
	if got := strings.Join(order, ", "); got != want {
		t.Errorf("writes:\n got %s\nwant %s", got, want)
	}
	if !strings.HasPrefix(res.Stdout, "geonames-uploader upload: 8 uploaded, 1 unchanged, 2 deleted") {
		t.Errorf("summary %q", res.Stdout)
	}
	for id, w := range map[string]string{
		"geonames-US-0250-1000":    `{"data": {"id": "geonames-US-0250-1000", "type": "geonames-2", "country": "US", "client_countries": ["CA", "US"], "filter_expression": "env.country in ['CA', 'US']"}}`,
		"geonames-US-0250-1000-en": `{"data": {"id": "geonames-US-0250-1000-en", "type": "geonames-alternates", "country": "US", "language": "en", "filter_expression": "env.locale in ['en-CA', 'en-US']"}}`,
		"geonames-CA-0500":         `{"data": {"id": "geonames-CA-0500", "type": "geonames-2", "country": "CA"}}`,
	} {
		if data[id] != w {
			t.Errorf("%s:\n got %s\nwant %s", id, data[id], w)
		}
	}
	if a := att["geonames-US-0250-1000-en"]; a != `{"language": "en", "alternates_by_geoname_id": [[5389489, ["Sac"]]]}` {
		t.Errorf("Sacramento's alternates %s", a)
	}
	ids := []string{}
	for _, r := range fake.Records(bucket, coll) {
		ids = append(ids, r["id"].(string))
	}
	sort.Strings(ids)
	if got := strings.Join(ids, " "); got != "geonames-CA-0050-0500 geonames-CA-0500 geonames-MX-0050 geonames-US-0050-0250 geonames-US-0250-1000 geonames-US-0250-1000-en geonames-US-1000 geonames-US-1000-abbr geonames-US-1000-en geonames-US-1000-iata other-US" {
		t.Errorf("records %s", got)
	}
	if res := run(t, d, "--country-config", cfg); res.Code != 0 || len(jobstest.Writes(fake.Log())) != 0 {
		t.Errorf("re-run: %+v", res)
	}
	// A dry run with other partitions logs what it would do and sends no write.
	cfg2 := countryConfig(t, `{"US": {"partitions": [{"threshold": 1}], "locales": ["en-US"]}}`)
	res = run(t, d, "--country-config", cfg2, "--rs-dry-run")
	if w := jobstest.Writes(fake.Log()); res.Code != 0 || len(w) != 0 || !strings.Contains(res.Stdout, "dry run") || !strings.Contains(res.Stderr, "Uploading attachment: geonames-US-0000 (") {
		t.Errorf("dry run: %v %+v", w, res.Stdout)
	}
}

// TestLocaleLanguages: a country config's locale_languages, and an ASCII name that differs
// from the name (Gößnitz): its alternates equal to either are dropped.
func TestLocaleLanguages(t *testing.T) {
	_, fake, d := setup(t)
	cfg := countryConfig(t, `{"DE": {"partitions": [{"threshold": 1000}], "locales": ["de-DE", "en-GB"]}, "locale_languages": {"de-DE": ["de"], "en-GB": ["en"]}}`)
	if res := run(t, d, "--country-config", cfg); res.Code != 0 {
		t.Fatalf("%+v", res)
	}
	_, att, _ := written(fake.Log())
	if a := att["geonames-DE-0001"]; !strings.Contains(a, `"name": "G\u00f6\u00dfnitz", "ascii_name": "Goessnitz"`) {
		t.Errorf("DE: %s", a)
	}
	if a := att["geonames-DE-0001-en"]; a != `{"language": "en", "alternates_by_geoname_id": [[2918770, ["G\u00f6ssnitz"]]]}` {
		t.Errorf("en: %s", a)
	}
	if a := att["geonames-DE-0001-de"]; a != `{"language": "de", "alternates_by_geoname_id": [[2950159, ["B\u00e4rlin"]]]}` {
		t.Errorf("de: %s", a)
	}
}

func TestBadInput(t *testing.T) {
	geo, fake, d := setup(t)
	us := countryConfig(t, `{"US": {"partitions": [{"threshold": 500000}], "locales": ["en-US"]}}`)
	f := func(code int, want string, args ...string) {
		t.Helper()
		res := run(t, d, args...)
		if res.Code != code || !strings.Contains(res.LastLine(), want) || !strings.HasPrefix(res.LastLine(), "merino: job geonames-uploader upload: ") {
			t.Errorf("%q: exit %d %q; want %d %q", args, res.Code, res.LastLine(), code, want)
		}
		if w := jobstest.Writes(fake.Log()); len(w) != 0 {
			t.Errorf("%q: wrote %v", args, w)
		}
	}
	f(2, "client locale 'xx-YY' not mapped to any alternates languages", "--country-config", countryConfig(t, `{"US": {"partitions": [{"threshold": 1}], "locales": ["xx-YY"]}}`))
	f(2, `"usa" is not an upper-case ISO 3166 country code`, "--country-config", countryConfig(t, `{"usa": {"partitions": [{"threshold": 1}]}}`))
	f(2, "US has no partitions", "--country-config", countryConfig(t, `{"US": {"locales": []}}`))
	f(2, `unknown field "partition"`, "--country-config", countryConfig(t, `{"US": {"partition": []}}`))
	f(2, "--country-config", "--country-config", "/nonexistent.json")
	f(2, `--geonames-url-format: "http://x/US.zip" has no {country}`, "--country-config", us, "--geonames-url-format", "http://x/US.zip")
	f(2, "--rs-auth: unsupported value", "--country-config", us, "--rs-auth", "token")

	geo.SetFile("/export/dump/US.zip", geonamestest.Zip("CA.txt", nil))
	f(1, "US.zip has no member US.txt; nothing was written", "--country-config", us)
	geo.SetFile("/export/dump/US.zip", []byte("not a zip"))
	f(1, "US.zip is not a zip file", "--country-config", us)
	geo.Fail("/export/dump/US.zip", http.StatusNotFound)
	f(1, "cannot download US.zip: GET "+geo.URL+"/export/dump/US.zip: HTTP 404; nothing was written", "--country-config", us)
	geo.Fail("/export/dump/US.zip", 0)
	short := append(rows(alabama), []string{"1", "Short", "Short", "", "1", "2", "P", "PPL", "US"})
	geo.SetGeonames("US", short)
	f(1, "US.txt line 2: population: missing: the row has 9 fields, want at least 15", "--country-config", us)
	bad := rows(alabama, iowa)
	bad[1][14] = "many"
	geo.SetGeonames("US", bad)
	f(1, `US.txt line 2: population: "many" is not an integer`, "--country-config", us)
	geo.SetGeonames("US", rows(alabama))
	geo.SetAlternates("US", [][]string{{"1", "4829764", "en", "Bama"}})
	f(1, "alternatenames/US.zip US.txt line 1: isShortName: missing: the row has 4 fields", "--country-config", us)
	geo.SetFile("/export/dump/US.zip", geonamestest.Zip("US.txt", nil))
	f(1, "US.txt in US.zip has no rows: refusing to delete the published US records (--allow-empty allows it)", "--country-config", us)

	// With --allow-empty, an empty dump deletes the country's records (merino-py's behaviour).
	fake.Seed(bucket, coll, map[string]any{"id": "geonames-US-0500", "type": "geonames-2", "country": "US"}, []byte("[]"), nil)
	fake.Log()
	if res := run(t, d, "--country-config", us, "--allow-empty"); res.Code != 0 || strings.Join(jobstest.Writes(fake.Log()), ",") != "DELETE geonames-US-0500" {
		t.Errorf("--allow-empty: %+v", res)
	}
}

func TestServerFailures(t *testing.T) {
	_, fake, d := setup(t)
	cfg := countryConfig(t, `{"US": {"partitions": [{"threshold": 500000}], "locales": ["en-US"]}}`)
	res := run(t, d, "--country-config", cfg, "--rs-auth", "Bearer wrong")
	if res.Code != 1 || !strings.HasSuffix(res.LastLine(), "HTTP 401: Please authenticate yourself to use this endpoint. (nothing was written)") {
		t.Errorf("auth: %s", res.LastLine())
	}
	fake.Inject(kintotest.Fault{Method: "PUT", After: 2, Status: 503, Message: "Service unavailable"})
	res = run(t, d, "--country-config", cfg)
	if res.Code != 1 || !strings.HasSuffix(res.LastLine(), "PUT /v1/buckets/main-workspace/collections/quicksuggest-other/records/geonames-US-0500-en: HTTP 503: Service unavailable (written before the failure: 2 uploaded, 0 deleted)") {
		t.Errorf("mid-upload: %s", res.LastLine())
	}
}

// TestSharedCities runs merino-py's seven-country table against a fake GeoNames built from
// the shared cities1000 dump (with synthetic alternate names), then runs it again: the second
// run writes nothing.
func TestSharedCities(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	byCountry, _, err := geonamestest.Cities("../../../shared/data/geonames-cities/cities1000.txt.gz")
	if os.IsNotExist(err) {
		t.Skip("../shared/data/geonames-cities is absent")
	}
	if err != nil {
		t.Fatal(err)
	}
	geo, fake, d := setup(t)
	for _, cc := range []string{"CA", "DE", "FR", "GB", "IT", "PL", "US"} {
		geo.SetGeonames(cc, byCountry[cc])
		geo.SetAlternates(cc, geonamestest.SyntheticAlternates(byCountry[cc]))
	}
	res := run(t, d)
	if res.Code != 0 {
		t.Fatalf("%s", res.LastLine())
	}
	// jobs.md §6: 602, 258, 52 and 39 US places in the four partitions of this snapshot.
	for id, want := range map[string]int{"geonames-US-0050-0100": 602, "geonames-US-0100-0250": 258, "geonames-US-0250-0500": 52, "geonames-US-0500": 39} {
		var places []json.RawMessage
		if err := json.Unmarshal(fake.Attachment(bucket, coll, id), &places); err != nil || len(places) != want {
			t.Errorf("%s: %d places, %v; want %d", id, len(places), err, want)
		}
	}
	n := len(fake.Records(bucket, coll))
	t.Logf("%s (%d records)", strings.TrimSpace(res.Stdout), n)
	fake.Log()
	res = run(t, d)
	if w := jobstest.Writes(fake.Log()); res.Code != 0 || len(w) != 0 || !strings.HasPrefix(res.Stdout, fmt.Sprintf("geonames-uploader upload: 0 uploaded, %d unchanged, 0 deleted", n)) {
		t.Errorf("re-run: %d writes, %q", len(w), res.Stdout)
	}
}
