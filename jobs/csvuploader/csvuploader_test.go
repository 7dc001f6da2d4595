package csvuploader_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jobs/csvuploader"
	"github.com/mozilla-services/merino-go/jobs/jobstest"
	"github.com/mozilla-services/merino-go/kinto/kintotest"
)

const (
	bucket = "main-workspace"
	coll   = "quicksuggest-other"
	auth   = "Bearer token-1"
)

func setup(t *testing.T) (*kintotest.Server, *jobs.Defaults) {
	t.Helper()
	fake := kintotest.NewWritable(t, bucket+"/"+coll, "main/quicksuggest-other")
	fake.RequireAuth(auth)
	return fake, jobstest.Defaults(t, fake.URL)
}

func run(t *testing.T, d *jobs.Defaults, args ...string) jobstest.Result {
	t.Helper()
	return jobstest.Run(t, csvuploader.Job, d, time.Time{}, append([]string{"csv-rs-uploader", "upload", "--bucket", bucket, "--auth", auth}, args...)...)
}

// The attachments the models make of testdata/, as merino-py writes them (json.dumps).
const (
	mdnAttachment    = `[{"url": "https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API", "title": "Fetch API", "description": "The Fetch API provides an interface for fetching resources, including across the network.", "keywords": ["fetch", "fetch api", "request's body"], "score": 0.25}, {"url": "http://developer.mozilla.org/en-US/docs/Web/CSS/:has", "title": ":has()", "description": "Selects an element if any of the relative selectors match \u2014 \"parent selector\".", "keywords": [":has()", "css has"], "score": 0.25}, {"url": "https://developer.mozilla.org/en-US/docs/Web/HTML/Element/bdi", "title": "<bdi>: Bidirectional Isolate", "description": "Isolates text that might flow in a different direction: \u0639\u0631\u0628\u064a.", "keywords": ["bdi element"], "score": 0.25}]`
	pocketAttachment = `[{"url": "https://getpocket.com/collections/rice", "title": "How to Cook Rice", "description": "Everything about rice, from risotto to sushi.", "lowConfidenceKeywords": ["risotto", "sushi rice"], "highConfidenceKeywords": ["cooking rice", "rice"], "score": 0.25}, {"url": "https://getpocket.com/collections/sleep", "title": "Sleep Better", "description": "Science-backed tips.", "lowConfidenceKeywords": ["insomnia", "naps"], "highConfidenceKeywords": ["better sleep"], "score": 0.25}]`
	yelpAttachment   = `[{"subjects": ["ramen", "sushi"], "businessSubjects": ["The Ramen Shop"], "preModifiers": ["best", "cheap"], "postModifiers": ["delivery", "takeout"], "locationSigns": [{"keyword": "near", "needLocation": false}, {"keyword": "in", "needLocation": true}, {"keyword": "near me", "needLocation": true}, {"keyword": "close to", "needLocation": false}], "yelpModifiers": ["yelp"], "icon": "yelp-favicon", "score": 0.25}]`
)

func TestModels(t *testing.T) {
	for _, tc := range []struct{ model, id, attachment string }{
		{"mdn", "mdn-suggestions-0-3", mdnAttachment},
		{"pocket", "pocket-suggestions-0-2", pocketAttachment},
		{"yelp", "yelp-suggestions-0-1", yelpAttachment},
	} {
		fake, d := setup(t)
		res := run(t, d, "--csv-path", "testdata/"+tc.model+".csv", "--model-name", tc.model)
		if res.Code != 0 || res.Stdout != "csv-rs-uploader upload: 1 uploaded, 0 unchanged, 0 deleted, "+jobs.PrettySize(int64(len(tc.attachment)))+" of attachments\n" {
			t.Fatalf("%s: %+v", tc.model, res)
		}
		log := fake.Log()
		if w := strings.Join(jobstest.Writes(log), ", "); w != "PUT "+tc.id+", POST "+tc.id+"/attachment" {
			t.Errorf("%s: writes %s", tc.model, w)
		}
		for _, r := range log {
			if r.Method == "PUT" && string(r.Body) != fmt.Sprintf(`{"data": {"id": %q, "type": "%s-suggestions"}}`, tc.id, tc.model) {
				t.Errorf("%s: PUT body %s", tc.model, r.Body)
			}
		}
		if got := string(fake.Attachment(bucket, coll, tc.id)); got != tc.attachment {
			t.Errorf("%s attachment:\n got %s\nwant %s", tc.model, got, tc.attachment)
		}
		for _, want := range []string{`"Type":"merino.jobs.utils.rs_client"`, `"msg":"Updating record: ` + tc.id + `"`, `"msg":"Uploading attachment: ` + tc.id + ` (`} {
			if !strings.Contains(res.Stderr, want) {
				t.Errorf("%s: the log lacks %s:\n%s", tc.model, want, res.Stderr)
			}
		}
	}
}

// abstractsCSV writes an MDN-shaped CSV of n real Wikipedia articles from the shared data.
func abstractsCSV(t *testing.T, n int) string {
	t.Helper()
	f, err := os.Open("../../../shared/data/wikipedia/enwiki-abstracts.jsonl.gz")
	if os.IsNotExist(err) {
		t.Skip("../shared/data/wikipedia is absent; skipping the run over real articles")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "articles.csv")
	out, _ := os.Create(path)
	w := bufio.NewWriter(out)
	w.WriteString("url,title,summary,keyword\n")
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	for i := 0; i < n && sc.Scan(); i++ {
		var a struct{ URL, Title, Abstract string }
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
		fmt.Fprintf(w, "%s,%s,%s,%s\n", a.URL, q(a.Title), q(a.Abstract), q(a.Title+", "+strings.ToUpper(a.Title)+" wiki"))
	}
	w.Flush()
	out.Close()
	return path
}

// TestRealArticles uploads 450 real articles as MDN suggestions into a collection that holds
// old records of the type and of another type: merino-py's ids and padding, the stale
// records deleted, the others kept; then a re-run writes nothing, and --keep-existing-records
// and --dry-run behave.
func TestRealArticles(t *testing.T) {
	path := abstractsCSV(t, 450)
	fake, d := setup(t)
	fake.Seed(bucket, coll, map[string]any{"id": "mdn-suggestions-0-500", "type": "mdn-suggestions"}, []byte("[]"), nil)
	fake.Seed(bucket, coll, map[string]any{"id": "pocket-suggestions-0-3", "type": "pocket-suggestions"}, []byte("[]"), nil)
	fake.Log()
	args := []string{"--csv-path", path, "--model-name", "mdn", "--collection", ""}

	res := run(t, d, args...)
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, "csv-rs-uploader upload: 3 uploaded, 0 unchanged, 1 deleted") {
		t.Fatalf("%+v", res)
	}
	want := "DELETE mdn-suggestions-0-500, PUT mdn-suggestions-000-200, POST mdn-suggestions-000-200/attachment, PUT mdn-suggestions-200-400, POST mdn-suggestions-200-400/attachment, PUT mdn-suggestions-400-450, POST mdn-suggestions-400-450/attachment"
	if w := strings.Join(jobstest.Writes(fake.Log()), ", "); w != want {
		t.Errorf("writes:\n got %s\nwant %s", w, want)
	}
	var ids []string
	n := 0
	for _, r := range fake.Records(bucket, coll) {
		ids = append(ids, r["id"].(string))
		var items []map[string]any
		if err := json.Unmarshal(fake.Attachment(bucket, coll, r["id"].(string)), &items); err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			n++
			kws, _ := it["keywords"].([]any)
			if it["score"] != 0.25 || len(kws) == 0 || strings.ContainsAny(it["title"].(string), "\n\t") || !strings.HasPrefix(it["url"].(string), "https://en.wikipedia.org/wiki/") {
				t.Errorf("suggestion %v", it)
			}
		}
	}
	if strings.Join(ids, " ") != "mdn-suggestions-000-200 mdn-suggestions-200-400 mdn-suggestions-400-450 pocket-suggestions-0-3" || n != 450+0 {
		t.Errorf("records %v, %d suggestions", ids, n)
	}

	if res := run(t, d, args...); res.Code != 0 || len(jobstest.Writes(fake.Log())) != 0 || !strings.Contains(res.Stdout, "0 uploaded, 3 unchanged, 0 deleted") {
		t.Errorf("re-run: %+v", res)
	}

	fake.Seed(bucket, coll, map[string]any{"id": "mdn-suggestions-9-10", "type": "mdn-suggestions"}, []byte("[]"), nil)
	fake.Log()
	if res := run(t, d, append(args, "--keep-existing-records")...); res.Code != 0 || len(jobstest.Writes(fake.Log())) != 0 {
		t.Errorf("--keep-existing-records: %+v", res)
	}
	if res := run(t, d, append(args, "--dry-run", "--chunk-size", "100")...); res.Code != 0 || !strings.Contains(res.Stdout, "4 uploaded, 1 unchanged, 3 deleted") || !strings.Contains(res.Stdout, "dry run") {
		t.Errorf("--dry-run: %+v", res)
	}
	if w := jobstest.Writes(fake.Log()); len(w) != 0 {
		t.Errorf("--dry-run sent %v", w)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const header = "url,title,summary,keyword\n"
	const good = "https://example.com/a,A,Summary,a\n"
	f := func(code int, want string, args ...string) {
		t.Helper()
		fake, d := setup(t)
		res := run(t, d, args...)
		if res.Code != code || !strings.Contains(res.LastLine(), want) || !strings.HasPrefix(res.LastLine(), "merino: job csv-rs-uploader upload: ") {
			t.Errorf("%q: exit %d, %q; want %d and %q", args, res.Code, res.LastLine(), code, want)
		}
		if log := fake.Log(); len(log) != 0 {
			t.Errorf("%q: %d requests sent; want none", args, len(log))
		}
	}
	mdn := func(content string) []string {
		return []string{"--model-name", "mdn", "--csv-path", file(fmt.Sprint(len(content), ".csv"), content)}
	}
	f(2, "--csv-path must be given", "--model-name", "mdn")
	f(2, "--model-name must be given", "--csv-path", "x.csv")
	f(2, `--model-name: suggestion model "amp" not found (known: mdn, pocket, yelp)`, "--model-name", "amp", "--csv-path", "x.csv")
	f(2, "--model-package: merino-go has the models of merino.jobs.csv_rs_uploader only", append(mdn(header+good), "--model-package", "tests.unit")...)
	f(2, "--auth: unsupported value", append(mdn(header+good), "--auth", "secret")...)
	f(2, "--chunk-size must be at least 1", append(mdn(header+good), "--chunk-size", "0")...)
	f(2, `--record-type: "a b" is not a Kinto id`, append(mdn(header+good), "--record-type", "a b")...)
	f(2, "unknown flag --nope", append(mdn(header+good), "--nope")...)
	f(1, "cannot read /nonexistent.csv: stat /nonexistent.csv: no such file or directory", "--model-name", "mdn", "--csv-path", "/nonexistent.csv")
	f(1, ".csv is empty: it has no header row", mdn("")...)
	f(1, "has no data rows: refusing to replace the published mdn-suggestions records with nothing (--allow-empty allows it)", mdn(header)...)
	f(1, "expected CSV field `keyword` is missing from the header", mdn("url,title,summary\nhttps://x.org,a,b\n")...)
	f(1, "row 2 (line 3): keywords: missing: the row has 3 fields", mdn(header+good+"https://x.org/,T,S\n")...)
	f(1, `row 1 (line 2): url: cannot parse URL "example.com": missing scheme`, mdn(header+"example.com,A,S,k\n")...)
	f(1, `row 1 (line 2): url: cannot parse URL "ftp://x.org": scheme is not http or https`, mdn(header+"ftp://x.org,A,S,k\n")...)
	f(1, "row 2 (line 3): title: must not be empty", mdn(header+good+"https://x.org/, \t ,S,k\n")...)
	f(1, "row 1 (line 2): keywords: must not be empty", mdn(header+"https://x.org/,T,S,\" , ,\"\n")...)
	f(1, "line 3 (record starting on line 2): quoted field not terminated at the end of the file", mdn(header+"https://x.org/,\"T,S,k\nhttps://y.org/,T,S,k\n")...)
	f(1, "line 3: not valid UTF-8", mdn(header+good+"https://x.org/,Caf\xe9,S,k\n")...)
	f(1, "row 1 (line 2): lowConfidenceKeywords: became empty after removing keywords that are also present in highConfidenceKeywords",
		"--model-name", "pocket", "--csv-path", file("p.csv", "Collection Title,Collection Description,Collection URL,High-Confidence Keywords,Low-Confidence Keywords\nT,D,https://x.org,\"a,b\",\"B, A\"\n"))
	f(1, "expected CSV field `yelp-modifiers` is missing", "--model-name", "yelp", "--csv-path", file("y.csv", "subjects,business-subjects,pre-modifiers,post-modifiers,location-modifiers,location-signs\n"))

	// A byte order mark and CRLF line ends are fine; --allow-empty lets a header-only file
	// delete the published records.
	fake, d := setup(t)
	fake.Seed(bucket, coll, map[string]any{"id": "mdn-suggestions-0-1", "type": "mdn-suggestions"}, []byte("[]"), nil)
	if res := run(t, d, append(mdn("\ufeffurl,title,summary,keyword\r\n"), "--allow-empty")...); res.Code != 0 || !strings.Contains(res.Stdout, "0 uploaded, 0 unchanged, 1 deleted") {
		t.Errorf("--allow-empty: %+v", res)
	}
}

func TestServerFailures(t *testing.T) {
	fake, d := setup(t)
	args := []string{"--csv-path", "testdata/mdn.csv", "--model-name", "mdn", "--chunk-size", "1"}
	res := run(t, d, append(args, "--auth", "Bearer wrong")...)
	if res.Code != 1 || res.LastLine() != "merino: job csv-rs-uploader upload: GET /v1/buckets/main-workspace/collections/quicksuggest-other/records: HTTP 401: Please authenticate yourself to use this endpoint. (nothing was written)" {
		t.Errorf("auth: %+v", res)
	}
	fake.Inject(kintotest.Fault{Method: "POST", After: 1, Status: 503, Message: "Service unavailable"})
	fake.Log()
	res = run(t, d, args...)
	if res.Code != 1 || !strings.HasSuffix(res.LastLine(), "POST /v1/buckets/main-workspace/collections/quicksuggest-other/records/mdn-suggestions-1-2/attachment: HTTP 503: Service unavailable; record mdn-suggestions-1-2 was replaced but has no attachment (written before the failure: 1 uploaded, 0 deleted)") {
		t.Errorf("mid-upload failure: %+v", res.LastLine())
	}
	if w := jobstest.Writes(fake.Log()); len(w) != 2+3*2 {
		t.Errorf("writes %v: the failed pair is tried three times", w)
	}
}

// generator is an MDN CSV of size bytes made on the fly.
type generator struct {
	size, read int64
	row        int
	buf        []byte
}

func (g *generator) Read(p []byte) (int, error) {
	if g.read >= g.size && len(g.buf) == 0 {
		return 0, io.EOF
	}
	if len(g.buf) == 0 {
		if g.row == 0 {
			g.buf = append(g.buf, "url,title,summary,keyword\n"...)
		}
		for len(g.buf) < 64<<10 {
			g.row++
			i := strconv.Itoa(g.row)
			g.buf = append(g.buf, "https://developer.mozilla.org/en-US/docs/Web/API/Item_"+i+",Item "+i+",\"Summary of item "+i+", which does things\",\"item "+i+", item, api "+i+"\"\n"...)
		}
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	g.read += int64(n)
	return n, nil
}

func (g *generator) Close() error { return nil }

// TestLargeInputBoundedMemory streams a generated CSV through both passes in a dry run and
// requires the heap to stay far below the input's size. MERINO_JOBS_LARGE=1 makes it 1 GB.
func TestLargeInputBoundedMemory(t *testing.T) {
	size, limit := int64(24<<20), int64(12<<20)
	switch {
	case os.Getenv("MERINO_JOBS_LARGE") != "":
		size = 1 << 30
	case testing.Short():
		t.Skip("-short")
	case raceEnabled:
		size, limit = 12<<20, 8<<20 // the race detector is ten times slower
	}
	fake, d := setup(t)
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	stop := jobstest.PeakHeap()
	var opened int
	src := csvuploader.Source{Name: "generated.csv", Size: size,
		Open:    func() (io.ReadCloser, error) { opened++; return &generator{size: size}, nil },
		Version: func() (string, error) { return "1", nil }}
	var stdout, stderr strings.Builder
	env := &jobs.Env{Stdout: &stdout, Console: jobs.NewConsole(&stderr, false), Log: discard(), Now: time.Now, Version: "t", NoProgress: true}
	err := csvuploader.Run(context.Background(), env, d, []string{"--csv-path", "generated.csv", "--model-name", "mdn", "--dry-run", "--auth", auth, "--bucket", bucket}, src)
	grew := stop()
	if err != nil || opened != 2 || !strings.Contains(stdout.String(), "dry run") {
		t.Fatalf("%v, opened %d times, %q", err, opened, stdout.String())
	}
	t.Logf("%d MB of CSV: the heap grew by at most %.1f MB; %s", size>>20, float64(grew)/(1<<20), strings.TrimSpace(stdout.String()))
	if grew > limit {
		t.Errorf("the heap grew by %d MB for a %d MB input: not streamed", grew>>20, size>>20)
	}
	if w := jobstest.Writes(fake.Log()); len(w) != 0 {
		t.Errorf("dry run wrote %v", w)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
