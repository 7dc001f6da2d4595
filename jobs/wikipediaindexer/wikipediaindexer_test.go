package wikipediaindexer

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/gcs/gcstest"
	"github.com/mozilla-services/merino-go/index/fulltext"
	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jobs/jobstest"
	"github.com/mozilla-services/merino-go/jobs/wikimedia/wikimediatest"
	"github.com/mozilla-services/merino-go/loaders/wikipedia"
)

// The dump fixture of loaders/wikipedia: fixture-en.json as two concatenated bzip2 streams.
const fixtureDir = "../../loaders/wikipedia/testdata"

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// streams splits a multi-stream bzip2 file at its streams' headers ("BZh9" and the block
// magic 1AY&SY), as Wikimedia's shards are.
func streams(t *testing.T, data []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for {
		i := bytes.Index(data[1:], []byte("BZh91AY&SY"))
		if i < 0 {
			return append(out, data)
		}
		out = append(out, data[:i+1])
		data = data[i+1:]
	}
}

func defaults(t *testing.T) *jobs.Defaults {
	d := jobstest.Defaults(t, "http://127.0.0.1:1/v1")
	d.WikipediaIndexer.GCSPath = "merino-jobs/wikipedia-exports"
	return d
}

// fakeShard is a shard copy-export takes as is: the bzip2 magic, then n bytes.
func fakeShard(seed byte, n int) []byte {
	b := append([]byte("BZh9"), make([]byte, n)...)
	for i := 4; i < len(b); i++ {
		b[i] = byte(i*31) ^ seed
	}
	return b
}

func TestCopyExport(t *testing.T) {
	wm := wikimediatest.New(t)
	var shards [][]byte
	for i := range 12 {
		shards = append(shards, fakeShard(byte(i), 100+i))
	}
	wm.AddExport("20240108", "en", shards, true)
	wm.AddExport("20240108", "fr", shards[:1], true)
	wm.AddExport("20240115", "en", shards[:2], false) // newest, still being published
	wm.AddExport("20240122", "en", shards[:3], true)  // its listing fails
	wm.BreakListing("20240122/index_name=enwiki_content/", http.StatusServiceUnavailable)
	wm.AddExport("20231225", "en", shards[:1], true) // older than the copy in the bucket
	fake := gcstest.New(t, "merino-jobs")
	fake.Put("merino-jobs", "wikipedia-exports/enwiki-20240101-cirrussearch-content.json.bz2", []byte("BZh9old"), "application/octet-stream")
	fake.Put("merino-jobs", "wikipedia-exports/enwiki-2024-cirrussearch-content.json.bz2", []byte("BZh9?"), "")
	fake.Put("merino-jobs", "wikipedia-exports/dewiki-20250101-cirrussearch-content.json.bz2", []byte("BZh9de"), "")
	args := []string{"wikipedia-indexer", "copy-export", "--export-base-url", wm.DumpsBase, "--gcs-endpoint", fake.URL}

	r := jobstest.Run(t, CopyExport, defaults(t), time.Time{}, args...)
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	want := bytes.Join(shards, nil) // shard 10 after shard 9, though listed before shard 2
	got := fake.Object("merino-jobs", "wikipedia-exports/enwiki-20240108-cirrussearch-content.json.bz2")
	if got == nil || !bytes.Equal(got.Data, want) {
		t.Fatalf("the copy: %v", got != nil)
	}
	if !strings.HasPrefix(r.Stdout, "enwiki: copied the export of 2024-01-08, 12 shards, 1.314 KB, to gs://merino-jobs/wikipedia-exports/enwiki-20240108-cirrussearch-content.json.bz2") {
		t.Errorf("summary %q", r.Stdout)
	}
	for _, want := range []string{"Skipping export without a success marker", "Failed to list shards under", "Writing to GCS: gs://merino-jobs/wikipedia-exports/enwiki-20240108"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("no log %q in\n%s", want, r.Stderr)
		}
	}
	for _, ua := range wm.UserAgents() {
		if !strings.HasPrefix(ua, "merino-go/") {
			t.Errorf("User-Agent %q", ua)
		}
	}

	// Run again: the copy is current, nothing is written.
	fake.Log()
	r = jobstest.Run(t, CopyExport, defaults(t), time.Time{}, args...)
	if r.Code != 0 || !strings.Contains(r.Stdout, "enwiki: up to date, gs://merino-jobs/wikipedia-exports/enwiki-20240108-cirrussearch-content.json.bz2") || !strings.Contains(r.Stderr, "Currently up to date") {
		t.Errorf("second run: %d %q", r.Code, r.Stdout)
	}
	for _, req := range fake.Log() {
		if req.Op != gcstest.OpList {
			t.Errorf("an up-to-date run sent %+v", req)
		}
	}

	// An empty prefix names the object without a leading slash.
	d := defaults(t)
	d.WikipediaIndexer.GCSPath = "merino-jobs"
	if r := jobstest.Run(t, CopyExport, d, time.Time{}, append(args, "--language", "fr")...); r.Code != 0 || fake.Object("merino-jobs", "frwiki-20240108-cirrussearch-content.json.bz2") == nil {
		t.Errorf("empty prefix: %d %s", r.Code, r.Stderr)
	}
}

func TestCopyExportFailures(t *testing.T) {
	big := [][]byte{fakeShard(1, 300<<10), fakeShard(2, 300<<10)}
	t.Run("a connection cut mid-stream leaves no object", func(t *testing.T) {
		wm := wikimediatest.New(t)
		wm.AddExport("20240108", "en", big, true)
		wm.CutShard("20240108", "en", 1, 1000)
		fake := gcstest.New(t, "merino-jobs")
		r := jobstest.RunEnv(t, CopyExport, defaults(t), func(e *jobs.Env) { e.GCSChunkSize = 256 << 10 },
			"wikipedia-indexer", "copy-export", "--export-base-url", wm.DumpsBase, "--gcs-endpoint", fake.URL)
		if r.Code != 1 || !strings.Contains(r.LastLine(), "failed to stream dump to GCS: cannot read shard 2 of 2") {
			t.Errorf("exit %d: %s", r.Code, r.LastLine())
		}
		var chunks, cancels int
		for _, req := range fake.Log() {
			switch req.Op {
			case gcstest.OpChunk:
				chunks++
			case gcstest.OpCancel:
				cancels++
			}
		}
		if len(fake.Objects("merino-jobs")) != 0 || fake.Sessions() != 0 || chunks == 0 || cancels != 1 {
			t.Errorf("left %d objects, %d sessions; %d chunks sent, %d cancels", len(fake.Objects("merino-jobs")), fake.Sessions(), chunks, cancels)
		}
	})
	t.Run("interrupted mid-stream: exit 130, the upload cancelled", func(t *testing.T) {
		wm := wikimediatest.New(t)
		wm.AddExport("20240108", "en", big, true)
		wm.StallShard("20240108", "en", 1, 1000)
		fake := gcstest.New(t, "merino-jobs")
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			// Interrupt once the first chunk is in the bucket's session.
			for fake.Sessions() == 0 || len(fake.Objects("merino-jobs")) != 0 {
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(50 * time.Millisecond)
			cancel()
		}()
		r := jobstest.RunContextEnv(ctx, t, CopyExport, defaults(t), func(e *jobs.Env) { e.GCSChunkSize = 256 << 10 },
			"wikipedia-indexer", "copy-export", "--export-base-url", wm.DumpsBase, "--gcs-endpoint", fake.URL)
		if r.Code != 130 || !strings.Contains(r.LastLine(), "interrupted") || fake.Sessions() != 0 || len(fake.Objects("merino-jobs")) != 0 {
			t.Errorf("exit %d: %s; %d sessions", r.Code, r.LastLine(), fake.Sessions())
		}
	})
	t.Run("a bucket that refuses writes", func(t *testing.T) {
		wm := wikimediatest.New(t)
		wm.AddExport("20240108", "en", big, true)
		fake := gcstest.New(t, "merino-jobs")
		fake.DenyWrites()
		r := jobstest.Run(t, CopyExport, defaults(t), time.Time{}, "wikipedia-indexer", "copy-export", "--export-base-url", wm.DumpsBase, "--gcs-endpoint", fake.URL)
		if r.Code != 1 || !strings.Contains(r.LastLine(), "HTTP 403: merino-jobs@example.iam.gserviceaccount.com does not have storage.objects.create access") {
			t.Errorf("exit %d: %s", r.Code, r.LastLine())
		}
	})
	t.Run("a shard that is not bzip2", func(t *testing.T) {
		wm := wikimediatest.New(t)
		wm.AddExport("20240108", "en", [][]byte{big[0], []byte("<html>rate limited</html>")}, true)
		fake := gcstest.New(t, "merino-jobs")
		r := jobstest.Run(t, CopyExport, defaults(t), time.Time{}, "wikipedia-indexer", "copy-export", "--export-base-url", wm.DumpsBase, "--gcs-endpoint", fake.URL)
		if r.Code != 1 || !strings.Contains(r.LastLine(), "shard 2 of 2") || !strings.Contains(r.LastLine(), "is not a bzip2 stream") || len(fake.Objects("merino-jobs")) != 0 {
			t.Errorf("exit %d: %s", r.Code, r.LastLine())
		}
	})
	t.Run("nothing anywhere", func(t *testing.T) {
		wm := wikimediatest.New(t)
		wm.AddExport("20240108", "en", big, false)
		fake := gcstest.New(t, "merino-jobs")
		r := jobstest.Run(t, CopyExport, defaults(t), time.Time{}, "wikipedia-indexer", "copy-export", "--export-base-url", wm.DumpsBase, "--gcs-endpoint", fake.URL)
		if r.Code != 1 || !strings.HasSuffix(r.LastLine(), "no complete en CirrusSearch export found under "+wm.DumpsBase) {
			t.Errorf("exit %d: %s", r.Code, r.LastLine())
		}
	})
	t.Run("usage", func(t *testing.T) {
		f := func(want string, args ...string) {
			t.Helper()
			r := jobstest.Run(t, CopyExport, defaults(t), time.Time{}, append([]string{"wikipedia-indexer", "copy-export", "--gcs-endpoint", "http://127.0.0.1:1"}, args...)...)
			if r.Code != 2 || !strings.Contains(r.LastLine(), want) || strings.Count(r.Stderr, "\n") != 1 {
				t.Errorf("%v: exit %d %q, want %q", args, r.Code, r.Stderr, want)
			}
		}
		f(`--language: unsupported language "xx". Must be one of: en, fr, de, it, pl`, "--language", "xx")
		f(`--gcs-path: want a bucket or bucket/prefix, got ""`, "--gcs-path", "")
		f(`--gcs-endpoint`, "--gcs-endpoint", "ftp://x")
	})
}

// completionOf returns what an index answers with: its completion table and metadata less
// the build's identity.
func completionOf(t *testing.T, dir string) string {
	t.Helper()
	meta, err := fulltext.ReadMeta(dir)
	if err != nil {
		t.Fatal(err)
	}
	table, err := os.ReadFile(filepath.Join(dir, fulltext.CompletionFile))
	if err != nil {
		t.Fatal(err)
	}
	return meta.Lang + "/" + string(rune('0'+meta.Format)) + "/" + strings.Repeat("d", meta.Documents) + "/" + string(table)
}

func TestIndexSameFromEveryFormat(t *testing.T) {
	plain := readFixture(t, "fixture-en.json")
	bz := readFixture(t, "fixture-en.json.bz2")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	blocklist := filepath.Join(fixtureDir, "blocklist.csv")
	bl, err := wikipedia.ReadCategoryBlocklist(bytes.NewReader(readFixture(t, "blocklist.csv")))
	if err != nil {
		t.Fatal(err)
	}
	// What `merino index wikipedia` builds from the plain and the gzip files...
	var want []string
	for name, in := range map[string][]byte{"plain": plain, "gzip": gz.Bytes()} {
		out := filepath.Join(t.TempDir(), "enwiki")
		if _, err := wikipedia.Build(context.Background(), bytes.NewReader(in), wikipedia.Options{Out: out, Lang: "en", Source: name, CategoryBlocklist: bl}); err != nil {
			t.Fatal(err)
		}
		want = append(want, completionOf(t, out))
	}
	if want[0] != want[1] {
		t.Fatal("plain and gzip builds differ")
	}

	// ...the job builds from the newest bzip2 copy in the bucket, with the blocklist from a
	// file or a URL.
	fake := gcstest.New(t, "merino-jobs")
	fake.Put("merino-jobs", "wikipedia-exports/enwiki-20240108-cirrussearch-content.json.bz2", bz, "application/octet-stream")
	fake.Put("merino-jobs", "wikipedia-exports/enwiki-20231225-cirrussearch-content.json.bz2", []byte("BZh9 not a dump"), "application/octet-stream")
	fake.Put("merino-jobs", "wikipedia-exports/frwiki-20250101-cirrussearch-content.json.bz2", []byte("BZh9 not a dump"), "application/octet-stream")
	csv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(readFixture(t, "blocklist.csv"))
	}))
	defer csv.Close()
	indexDir := t.TempDir()
	out := filepath.Join(indexDir, "enwiki")
	for _, bl := range [][]string{{"--category-blocklist", blocklist}, {"--blocklist-file-url", csv.URL + "/blocklist_cats.csv"}} {
		args := append([]string{"wikipedia-indexer", "index", "--language", "en", "--out", out, "--gcs-endpoint", fake.URL, "--total-docs", "14"}, bl...)
		r := jobstest.Run(t, Index, defaults(t), time.Time{}, args...)
		if r.Code != 0 {
			t.Fatalf("%v: exit %d: %s", bl, r.Code, r.Stderr)
		}
		if !strings.HasPrefix(r.Stdout, "wikipedia en: 14 documents in, 12 kept, 1 blocked, 1 other namespace, 0 rejected, 0 corrupt lines;") || !strings.HasSuffix(r.Stdout, "at "+out+"\n") {
			t.Errorf("summary %q", r.Stdout)
		}
		if got := completionOf(t, out); got != want[0] {
			t.Errorf("%v: the index from the bzip2 copy differs from the plain and gzip builds", bl)
		}
		meta, _ := fulltext.ReadMeta(out)
		if meta.Source != "gs://merino-jobs/wikipedia-exports/enwiki-20240108-cirrussearch-content.json.bz2" {
			t.Errorf("source %q", meta.Source)
		}
	}
	// Only the index directory is left: built beside it, renamed into place.
	entries, _ := os.ReadDir(indexDir)
	if len(entries) != 1 || entries[0].Name() != "enwiki" {
		t.Errorf("left in the index dir: %v", entries)
	}
}

func TestIndexErrors(t *testing.T) {
	fake := gcstest.New(t, "merino-jobs")
	fake.Put("merino-jobs", "wikipedia-exports/enwiki-20240108-cirrussearch-content.json.bz2", readFixture(t, "fixture-en.json.bz2")[:500], "")
	out := filepath.Join(t.TempDir(), "enwiki")
	run := func(args ...string) jobstest.Result {
		t.Helper()
		return jobstest.Run(t, Index, defaults(t), time.Time{}, append([]string{"wikipedia-indexer", "index", "--gcs-endpoint", fake.URL, "--category-blocklist", filepath.Join(fixtureDir, "blocklist.csv")}, args...)...)
	}
	if r := run("--out", out, "--elasticsearch-url", "http://es:9200"); r.Code != 2 || !strings.Contains(r.LastLine(), "--elasticsearch-url and --elasticsearch-api-key are not supported") || !strings.Contains(r.LastLine(), "give --out") {
		t.Errorf("elasticsearch: %d %s", r.Code, r.LastLine())
	}
	if r := run(); r.Code != 2 || !strings.Contains(r.LastLine(), "--out must be given") {
		t.Errorf("no --out: %d %s", r.Code, r.LastLine())
	}
	if r := run("--out", out, "--language", "pt"); r.Code != 2 || !strings.Contains(r.LastLine(), `unsupported language "pt"`) {
		t.Errorf("language: %d %s", r.Code, r.LastLine())
	}
	// A truncated copy fails the build, and nothing is placed at --out.
	if r := run("--out", out); r.Code != 1 || !strings.Contains(r.LastLine(), "cannot index gs://merino-jobs/wikipedia-exports/enwiki-20240108-cirrussearch-content.json.bz2") {
		t.Errorf("truncated: %d %s", r.Code, r.LastLine())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed build left %s: %v", out, err)
	}
	if r := run("--out", out, "--language", "de"); r.Code != 1 || !strings.Contains(r.LastLine(), "no exports available on GCS for de under gs://merino-jobs/wikipedia-exports") {
		t.Errorf("nothing to index: %d %s", r.Code, r.LastLine())
	}
	fake.RequireToken(func(string) bool { return false })
	if r := run("--out", out); r.Code != 1 || !strings.Contains(r.LastLine(), "HTTP 401: Invalid Credentials") {
		t.Errorf("refused: %d %s", r.Code, r.LastLine())
	}
}
