package amouploader_test

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/jobs/amouploader"
	"github.com/mozilla-services/merino-go/jobs/jobstest"
	"github.com/mozilla-services/merino-go/kinto/kintotest"
	"github.com/mozilla-services/merino-go/suggest/amo/amotest"
)

const (
	bucket = "main-workspace"
	coll   = "quicksuggest-other"
)

func run(t *testing.T, fake *kintotest.Server, api *amotest.Server, args ...string) jobstest.Result {
	t.Helper()
	d := jobstest.Defaults(t, fake.URL)
	d.AMOAPIURL = api.APIURL
	return jobstest.Run(t, amouploader.Job, d, time.Time{}, append([]string{"amo-rs-uploader", "upload", "--bucket", bucket, "--auth", "Bearer t"}, args...)...)
}

func TestUpload(t *testing.T) {
	golden, err := os.ReadFile("testdata/amo-suggestions-0-7.json")
	if err != nil {
		t.Fatal(err)
	}
	fake := kintotest.NewWritable(t, bucket+"/"+coll)
	fake.RequireAuth("Bearer t")
	fake.Seed(bucket, coll, map[string]any{"id": "amo-suggestions-0-8", "type": "amo-suggestions"}, []byte("[]"), nil)
	fake.Seed(bucket, coll, map[string]any{"id": "mdn-suggestions-0-1", "type": "mdn-suggestions"}, []byte("[]"), nil)
	fake.Log()
	api := amotest.New(t)

	res := run(t, fake, api)
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, "amo-rs-uploader upload: 1 uploaded, 0 unchanged, 1 deleted") {
		t.Fatalf("%+v", res)
	}
	if w := strings.Join(jobstest.Writes(fake.Log()), ", "); w != "DELETE amo-suggestions-0-8, PUT amo-suggestions-0-7, POST amo-suggestions-0-7/attachment" {
		t.Errorf("writes %s", w)
	}
	if got := fake.Attachment(bucket, coll, "amo-suggestions-0-7"); string(got) != string(golden) {
		t.Errorf("attachment:\n got %s\nwant %s", got, golden)
	}
	if !strings.Contains(res.Stderr, "Add-on ublock-origin has no keywords: skipped") {
		t.Errorf("no warning for uBlock Origin:\n%s", res.Stderr)
	}
	if n := api.Requests(); n != 16 {
		t.Errorf("%d AMO requests; want 8 add-ons, each redirected once", n)
	}

	// Unchanged: nothing written. --dry-run after AMO changed a rating: nothing written.
	if res := run(t, fake, api); res.Code != 0 || len(jobstest.Writes(fake.Log())) != 0 || !strings.Contains(res.Stdout, "0 uploaded, 1 unchanged") {
		t.Errorf("re-run: %+v", res)
	}
	api.SetAverage("darkreader", 4.25)
	if res := run(t, fake, api, "--dry-run"); res.Code != 0 || len(jobstest.Writes(fake.Log())) != 0 || !strings.Contains(res.Stdout, "1 uploaded") || !strings.Contains(res.Stdout, "dry run") {
		t.Errorf("--dry-run: %+v", res)
	}

	// An add-on AMO fails for is left out; with --keep-existing-records nothing is deleted.
	fake.Seed(bucket, coll, map[string]any{"id": "amo-suggestions-0-9", "type": "amo-suggestions"}, []byte("[]"), nil)
	api.Set("darkreader", amotest.Status(http.StatusServiceUnavailable, "down"))
	fake.Log()
	if res := run(t, fake, api, "--keep-existing-records"); res.Code != 0 || strings.Join(jobstest.Writes(fake.Log()), ", ") != "PUT amo-suggestions-0-6, POST amo-suggestions-0-6/attachment" {
		t.Errorf("--keep-existing-records with darkreader failing: %+v", res)
	}
}

func TestFailures(t *testing.T) {
	fake := kintotest.NewWritable(t, bucket+"/"+coll)
	fake.RequireAuth("Bearer t")
	api := amotest.New(t)
	for _, a := range []string{"video-downloadhelper", "languagetool", "private-relay", "search_by_image", "darkreader", "privacy-badger17", "ublock-origin", "read-aloud"} {
		api.Set(a, amotest.Status(http.StatusServiceUnavailable, "down"))
	}
	res := run(t, fake, api)
	if res.Code != 1 || !strings.Contains(res.LastLine(), "merino: job amo-rs-uploader upload: AMO: cannot fetch any add-on from") || !strings.HasSuffix(res.LastLine(), "HTTP 503; nothing was written") {
		t.Errorf("AMO down: %+v", res.LastLine())
	}
	if log := fake.Log(); len(log) != 0 {
		t.Errorf("AMO down: %d requests to Remote Settings", len(log))
	}

	api = amotest.New(t)
	res = run(t, fake, api, "--auth", "Bearer nope")
	if res.Code != 1 || !strings.HasSuffix(res.LastLine(), "HTTP 401: Please authenticate yourself to use this endpoint. (nothing was written)") {
		t.Errorf("auth: %s", res.LastLine())
	}
	fake.Inject(kintotest.Fault{Method: "POST", Status: 500, Message: "storage backend failed"})
	res = run(t, fake, api)
	if res.Code != 1 || !strings.HasSuffix(res.LastLine(), "/records/amo-suggestions-0-7/attachment: HTTP 500: storage backend failed; record amo-suggestions-0-7 was replaced but has no attachment (no other record was written)") {
		t.Errorf("attachment failure: %s", res.LastLine())
	}
}
