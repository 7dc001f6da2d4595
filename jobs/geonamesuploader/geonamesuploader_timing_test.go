package geonamesuploader_test

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/jobs/geonamesuploader"
	"github.com/mozilla-services/merino-go/jobs/geonamesuploader/geonamestest"
	"github.com/mozilla-services/merino-go/jobs/jobstest"
	"github.com/mozilla-services/merino-go/kinto/kintotest"
)

// BenchmarkFullSet runs the job over every country of the shared cities1000 dump (135,233
// places, all of them kept: one partition from 1,000 people and one from 100,000) with
// synthetic alternate names in five languages, as a dry run (everything but the writes),
// and reports GeoNames rows/s, Remote Settings records/s and the peak heap growth.
func BenchmarkFullSet(b *testing.B) {
	byCountry, rows, err := geonamestest.Cities("../../../shared/data/geonames-cities/cities1000.txt.gz")
	if os.IsNotExist(err) {
		b.Skip("../shared/data/geonames-cities is absent: skipping the full-set benchmark")
	}
	if err != nil {
		b.Fatal(err)
	}
	geo := geonamestest.New(b)
	cfg := map[string]any{}
	var codes []string
	altRows := 0
	for cc, r := range byCountry {
		codes = append(codes, cc)
		alts := geonamestest.SyntheticAlternates(r)
		altRows += len(alts)
		geo.SetGeonames(cc, r)
		geo.SetAlternates(cc, alts)
		cfg[cc] = map[string]any{"partitions": []any{map[string]any{"threshold": 1000, "client_countries": []string{cc}}, map[string]any{"threshold": 100000}},
			"locales": []string{"en-US", "de", "fr", "it", "pl"}}
	}
	sort.Strings(codes)
	data, _ := json.Marshal(cfg)
	path := b.TempDir() + "/countries.json"
	os.WriteFile(path, data, 0o644)
	fake := kintotest.NewWritable(b, "main/quicksuggest-other")
	d := jobstest.Defaults(b, fake.URL)
	d.GeonamesURLFormat, d.AlternatesURLFormat = geo.GeonamesURLFormat(), geo.AlternatesURLFormat()

	stop := jobstest.PeakHeap()
	b.ResetTimer()
	records := 0
	for b.Loop() {
		res := jobstest.Run(b, geonamesuploader.Job, d, time.Time{}, "geonames-uploader", "upload", "--rs-dry-run", "--country-config", path, "--no-progress")
		if res.Code != 0 {
			b.Fatal(res.LastLine())
		}
		var n int
		if _, err := fmtSscanf(res.Stdout, &n); err != nil {
			b.Fatal(err)
		}
		records += n
	}
	grew := stop()
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(rows*b.N)/secs, "geonames-rows/s")
	b.ReportMetric(float64(altRows*b.N)/secs, "alternates-rows/s")
	b.ReportMetric(float64(records)/secs, "records/s")
	b.ReportMetric(float64(grew)/(1<<20), "peak-heap-MB")
	b.Logf("%d countries, %d geonames rows, %d alternates rows, %d records a run", len(codes), rows, altRows, records/b.N)
}

// fmtSscanf reads the uploaded count of a summary line.
func fmtSscanf(summary string, n *int) (int, error) {
	return fmt.Sscanf(summary, "geonames-uploader upload: %d uploaded", n)
}
