package csvuploader_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/jobs/csvuploader"
	"github.com/mozilla-services/merino-go/jobs/jobstest"
	"github.com/mozilla-services/merino-go/kinto/kintotest"
)

// BenchmarkUpload10k uploads a 10,000-row MDN CSV (50 records of 200) to a fresh fake
// Remote Settings over loopback and reports suggestions/s.
func BenchmarkUpload10k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "mdn.csv")
	var csv strings.Builder
	csv.WriteString("url,title,summary,keyword\n")
	for i := range 10_000 {
		fmt.Fprintf(&csv, "https://developer.mozilla.org/en-US/docs/Web/API/Item_%d,Item %d,\"Summary of item %d, which does things\",\"item %d, item, api %d\"\n", i, i, i, i, i)
	}
	if err := os.WriteFile(path, []byte(csv.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var fake *kintotest.Server
	for b.Loop() {
		b.StopTimer()
		fake = kintotest.NewWritable(b, "main/quicksuggest-other")
		d := jobstest.Defaults(b, fake.URL)
		b.StartTimer()
		res := jobstest.Run(b, csvuploader.Job, d, time.Time{}, "csv-rs-uploader", "upload", "--csv-path", path, "--model-name", "mdn", "--no-progress")
		if res.Code != 0 || !strings.HasPrefix(res.Stdout, "csv-rs-uploader upload: 50 uploaded, 0 unchanged") {
			b.Fatalf("%s %s", res.Stdout, res.LastLine())
		}
	}
	b.ReportMetric(float64(10_000*b.N)/b.Elapsed().Seconds(), "suggestions/s")
}
