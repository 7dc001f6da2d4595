package relevancyuploader_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/jobs/domaincategories"
	"github.com/mozilla-services/merino-go/jobs/jobstest"
	"github.com/mozilla-services/merino-go/jobs/relevancyuploader"
	"github.com/mozilla-services/merino-go/kinto/kintotest"
)

const (
	bucket = "main-workspace"
	coll   = "content-relevance"
)

func setup(t *testing.T) *kintotest.Server {
	fake := kintotest.NewWritable(t, bucket+"/"+coll)
	fake.RequireAuth("Bearer t")
	return fake
}

func run(t *testing.T, fake *kintotest.Server, env string, args ...string) jobstest.Result {
	t.Helper()
	d := jobstest.Defaults(t, fake.URL)
	d.Env = env
	return jobstest.Run(t, relevancyuploader.Job, d, time.Time{}, append([]string{"relevancy-csv-rs-uploader", "upload", "--bucket", bucket, "--auth", "Bearer t"}, args...)...)
}

// TestTestingTable follows merino-py's test_relevancy_csv_uploader.py with its testing table:
// Sports (sports.com, sportsnnews.com), News (sportsnnews.com), Inconclusive
// (inconclusive.com, and example.org, which the table lacks).
func TestTestingTable(t *testing.T) {
	fake := setup(t)
	fake.Seed(bucket, coll, map[string]any{"id": "Travel-0-3", "type": "category_to_domains",
		"record_custom_details": map[string]any{"category_to_domains": map[string]any{"category": "travel", "category_code": 19, "version": 1}}}, []byte("[]"), nil)
	fake.Seed(bucket, coll, map[string]any{"id": "Travel-0-9", "type": "other",
		"record_custom_details": map[string]any{"category_to_domains": map[string]any{"version": 2}}}, []byte("[]"), nil)
	fake.Log()
	res := run(t, fake, "testing", "--csv-path", "testdata/relevancy.csv")
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, "relevancy-csv-rs-uploader upload: 3 uploaded, 0 unchanged, 1 deleted") {
		t.Fatalf("%+v", res)
	}
	want := "DELETE Travel-0-3, PUT Sports-0-2, POST Sports-0-2/attachment, PUT News-0-1, POST News-0-1/attachment, PUT Inconclusive-0-2, POST Inconclusive-0-2/attachment"
	log := fake.Log()
	if w := strings.Join(jobstest.Writes(log), ", "); w != want {
		t.Errorf("writes:\n got %s\nwant %s", w, want)
	}
	for _, r := range log {
		if r.Method == "PUT" && strings.HasSuffix(r.Path, "/Sports-0-2") &&
			string(r.Body) != `{"data": {"id": "Sports-0-2", "type": "category_to_domains", "record_custom_details": {"category_to_domains": {"category": "sports", "category_code": 17, "version": 1}}}}` {
			t.Errorf("Sports record %s", r.Body)
		}
	}
	for id, want := range map[string]string{
		"Sports-0-2":       `[{"domain": "mqzeM3Cm0XLuAd0kKwCttg=="}, {"domain": "g01iNP2/b7ehY5hQXQRP1g=="}]`,
		"News-0-1":         `[{"domain": "g01iNP2/b7ehY5hQXQRP1g=="}]`,
		"Inconclusive-0-2": fmt.Sprintf(`[{"domain": "uQX8/1Xq/Q9wZOXXGogCaQ=="}, {"domain": "%s"}]`, domaincategories.Key("example.org")),
	} {
		if got := string(fake.Attachment(bucket, coll, id)); got != want {
			t.Errorf("%s: %s; want %s", id, got, want)
		}
	}
	if res := run(t, fake, "testing", "--csv-path", "testdata/relevancy.csv"); res.Code != 0 || len(jobstest.Writes(fake.Log())) != 0 {
		t.Errorf("re-run: %+v", res)
	}
	// Version 2 stages beside version 1: the other-typed version 2 record goes, version 1 stays.
	if res := run(t, fake, "testing", "--csv-path", "testdata/relevancy.csv", "--version", "2", "--dry-run"); res.Code != 0 || len(jobstest.Writes(fake.Log())) != 0 ||
		!strings.Contains(res.Stdout, "3 uploaded, 0 unchanged, 1 deleted") {
		t.Errorf("version 2 dry run: %+v", res)
	}
	if res := run(t, fake, "testing", "--csv-path", "testdata/relevancy.csv", "--version", "2", "--keep-existing-records"); res.Code != 0 ||
		strings.Contains(strings.Join(jobstest.Writes(fake.Log()), " "), "DELETE") {
		t.Errorf("--keep-existing-records: %+v", res)
	}
}

// TestTopSites classifies the shared Moz top 500 domains with the production table, and a
// mapping file given by --categories-mapping-path.
func TestTopSites(t *testing.T) {
	b, err := os.ReadFile("../../../shared/data/top-sites/top-sites.moz-top500.json")
	if os.IsNotExist(err) {
		t.Skip("../shared/data/top-sites is absent")
	}
	var sites []struct {
		Rank       int
		RootDomain string
	}
	if err := json.Unmarshal(b, &sites); err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("rank,domain,host,origin,suffix,categories\n")
	for _, s := range sites {
		d := strings.TrimPrefix(s.RootDomain, "www.")
		fmt.Fprintf(&csv, "%d,%s,%s,https://%s,,[]\n", s.Rank, d, s.RootDomain, s.RootDomain)
	}
	path := filepath.Join(t.TempDir(), "top500.csv")
	os.WriteFile(path, []byte(csv.String()), 0o644)
	fake := setup(t)
	res := run(t, fake, "production", "--csv-path", path)
	if res.Code != 0 {
		t.Fatalf("%+v", res)
	}
	got := map[string]map[string]bool{}
	n := 0
	for _, r := range fake.Records(bucket, coll) {
		var items []struct{ Domain string }
		json.Unmarshal(fake.Attachment(bucket, coll, r["id"].(string)), &items)
		cat := strings.SplitN(r["id"].(string), "-", 2)[0]
		for _, it := range items {
			if got[cat] == nil {
				got[cat] = map[string]bool{}
			}
			got[cat][it.Domain] = true
			n++
		}
	}
	// Every domain is in each of its categories, or in Inconclusive when the table lacks it.
	table, _ := domaincategories.Production()
	want := 0
	seen := map[string]bool{}
	for _, s := range sites {
		d := strings.TrimPrefix(s.RootDomain, "www.")
		if seen[d] {
			continue
		}
		seen[d] = true
		key := domaincategories.Key(d)
		cats := table[key]
		if len(cats) == 0 {
			cats = []domaincategories.Category{domaincategories.Inconclusive}
		}
		for _, c := range cats {
			want++
			if !got[c.String()][key] {
				t.Errorf("%s is not in %s", d, c)
			}
		}
	}
	mozilla := domaincategories.Key("mozilla.org")
	if n != want || !got["Business"][mozilla] || !got["Tech"][mozilla] || !got["Tech"][domaincategories.Key("github.com")] {
		t.Errorf("%d domains in %d categories; want %d", n, len(got), want)
	}

	mapping := filepath.Join(t.TempDir(), "mapping.json")
	os.WriteFile(mapping, []byte(fmt.Sprintf(`{%q: [9]}`, domaincategories.Key("google.com"))), 0o644)
	fake = setup(t)
	if res := run(t, fake, "production", "--csv-path", path, "--categories-mapping-path", mapping); res.Code != 0 || len(fake.Records(bucket, coll)) != 4 {
		t.Errorf("--categories-mapping-path: %+v, %d records", res, len(fake.Records(bucket, coll)))
	}
	if got := string(fake.Attachment(bucket, coll, "Food-0-1")); got != fmt.Sprintf(`[{"domain": %q}]`, domaincategories.Key("google.com")) {
		t.Errorf("Food: %s", got)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	file := func(content string) string {
		p := filepath.Join(dir, fmt.Sprint(len(content), ".csv"))
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	f := func(code int, want string, args ...string) {
		t.Helper()
		fake := setup(t)
		res := run(t, fake, "testing", args...)
		if res.Code != code || !strings.Contains(res.LastLine(), want) {
			t.Errorf("%q: exit %d %q; want %d %q", args, res.Code, res.LastLine(), code, want)
		}
		if len(fake.Log()) != 0 {
			t.Errorf("%q: requests were sent", args)
		}
	}
	f(2, "--csv-path must be given")
	f(1, `the header lacks column "domain"`, "--csv-path", file("rank,host,categories\n1,a.com,[]\n"))
	f(1, "row 2 (line 3): domain: must not be empty", "--csv-path", file("rank,domain,categories\n1,a.com,[]\n2,,[]\n"))
	f(1, "row 1 (line 2): domain: must not be empty (the row has 1 fields)", "--csv-path", file("rank,domain,categories\n1\n"))
	f(1, "has no data rows", "--csv-path", file("rank,domain,categories\n"))
	f(1, "--categories-mapping-path", "--csv-path", "testdata/relevancy.csv", "--categories-mapping-path", "/nonexistent.json")
	f(1, "unknown category code 11", "--csv-path", "testdata/relevancy.csv", "--categories-mapping-path", file(`{"x": [11]}`))
}
