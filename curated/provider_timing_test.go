package curated_test

import (
	"bytes"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/curated"
	"github.com/mozilla-services/merino-go/curated/corpus"
	"github.com/mozilla-services/merino-go/curated/engagement"
	"github.com/mozilla-services/merino-go/curated/sampler"
)

// benchProvider reads the bundle through the file backend, with the real sampler.
func benchProvider(b testing.TB) *curated.Provider {
	b.Helper()
	s, _ := sampler.New("beta", 0)
	eng := &engagement.Holder{}
	data, err := os.ReadFile(bundle + "/engagement.json")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := eng.Apply(data); err != nil {
		b.Fatal(err)
	}
	pri := &engagement.PriorHolder{}
	if data, err = os.ReadFile(bundle + "/prior.json"); err != nil {
		b.Fatal(err)
	}
	if _, err := pri.Apply(data); err != nil {
		b.Fatal(err)
	}
	client := corpus.NewClient(corpus.Options{Transport: corpus.Files{Dir: bundle}, RetryCount: 1, Sampler: s})
	return curated.New(curated.Options{Client: client, TTLMin: time.Hour, TTLMax: time.Hour, Engagement: eng, Priors: pri, Sampler: s})
}

// BenchmarkCuratedRecommendations is the request path without HTTP, on a warm cache: the
// corpus is parsed and rendered once per refresh, so each iteration only validates the body,
// ranks the candidates and writes the response.
func BenchmarkCuratedRecommendations(b *testing.B) {
	p := benchProvider(b)
	ct := []byte("application/json")
	for _, c := range []struct{ name, body string }{
		{"en-US/flattened", `{"inferredInterests":null,"locale":"en-US","region":"US","topics":[],"sections":[],"enableInterestPicker":false}`},
		{"de-DE/flattened", `{"locale":"de-DE","region":"DE","topics":[],"sections":[],"enableInterestPicker":false}`},
		{"pl-PL/scheduled", `{"locale":"pl-PL","region":"PL","topics":["food","arts"],"sections":[],"enableInterestPicker":false}`},
		{"invalid", `{"locale":"en-XX","count":1.5}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			body := []byte(c.body)
			buf, status, err := p.Recommend(nil, ct, body)
			if err != nil || (status != 200 && c.name != "invalid") {
				b.Fatalf("%d %v %s", status, err, buf)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(buf)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var out []byte
				for pb.Next() {
					out, _, _ = p.Recommend(out[:0], ct, body)
				}
			})
		})
	}
}

func BenchmarkLegacy115(b *testing.B) {
	p := benchProvider(b)
	q := func(yield func(k, v []byte) bool) { yield([]byte("locale"), []byte("en-US")) }
	b.ReportAllocs()
	var out []byte
	for i := 0; i < b.N; i++ {
		out, _, _ = p.Legacy115(out[:0], q)
	}
}

// BenchmarkSections is Firefox's default en-US request for the sections feed on merino-py's
// recorded sections.json, with real Beta draws: it reports the mean and, since a New Tab opens
// on one request, the 99th percentile of single requests (p99-ns) — run with -cpu 1 to see
// one core's.
func BenchmarkSections(b *testing.B) {
	p := benchProvider(b)
	ct := []byte("application/json")
	for _, c := range []struct{ name, body string }{
		{"en-US", `{"inferredInterests":null,"locale":"en-US","region":"US","topics":[],"sections":[],"enableInterestPicker":false,"feeds":["sections"]}`},
		{"en-US,follows,picker,interests", `{"inferredInterests":{"model_id":"inferred-v3-model","values":["0100","0001","1000","0110","0000","0010","0001","0010"]},"locale":"en-US","region":"US","topics":[],"sections":[{"sectionId":"nfl","isFollowed":true,"isBlocked":false,"followedAt":"2026-03-17T18:07:31.991Z"},{"sectionId":"food","isFollowed":false,"isBlocked":true}],"enableInterestPicker":true,"feeds":["sections"]}`},
		{"en-GB", `{"inferredInterests":null,"locale":"en-GB","region":"GB","topics":[],"sections":[],"enableInterestPicker":false,"feeds":["sections"]}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			body := []byte(c.body)
			buf, status, err := p.Recommend(nil, ct, body)
			if err != nil || status != 200 || !bytes.Contains(buf, []byte(`"top_stories_section"`)) {
				b.Fatalf("%d %v %.300s", status, err, buf)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(buf)))
			lat := make([]time.Duration, 0, min(b.N, 1<<20))
			b.ResetTimer()
			var out []byte
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				out, _, _ = p.Recommend(out[:0], ct, body)
				if len(lat) < cap(lat) {
					lat = append(lat, time.Since(t0))
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*99/100]), "p99-ns")
		})
	}
}
