package adm_test

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/bytedance/sonic"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/adm"
)

// largeSet returns the generated benchmark set (about 5,000 suggestions and 300,000
// keywords): data/large/amp-300k.json, or generated into a temporary directory from the shared
// data when it is there.
func largeSet(b *testing.B) []byte {
	b.Helper()
	if data, err := os.ReadFile("../../data/large/amp-300k.json"); err == nil {
		return data
	}
	shared := "../../../shared/data"
	if _, err := os.Stat(filepath.Join(shared, "search-queries")); err != nil {
		b.Skip("no data/large/amp-300k.json and no shared data to generate it: run `go run ./data/gen/amp -large -out data/large/amp-300k.json`")
	}
	out := filepath.Join(b.TempDir(), "amp-300k.json")
	cmd := exec.Command("go", "run", "./data/gen/amp", "-large", "-shared", "../shared/data", "-out", out)
	cmd.Dir = "../.."
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Skipf("cannot generate the large set: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

type largeFixture struct {
	p        *adm.Provider
	keywords []string
}

var large *largeFixture

func loadLarge(b *testing.B) *largeFixture {
	if large != nil {
		return large
	}
	data := largeSet(b)
	p := adm.New(adm.Settings{Base: suggest.Base{Name: "adm", Score: 0.31}, Fuzzy: true, MinSubstitutionLen: 7})
	if _, err := adm.MARSLoader(p, usDesktop, adm.LoadOptions{ProviderID: "adm"}, slog.New(slog.DiscardHandler))(data); err != nil {
		b.Fatal(err)
	}
	var doc struct {
		Suggestions []struct {
			Keywords []string `json:"keywords"`
		} `json:"suggestions"`
	}
	if err := sonic.Unmarshal(data, &doc); err != nil {
		b.Fatal(err)
	}
	f := &largeFixture{p: p}
	for i, s := range doc.Suggestions {
		for j, k := range s.Keywords {
			if (i+j)%7 == 0 && len(k) >= 6 {
				f.keywords = append(f.keywords, k)
			}
		}
	}
	large = f
	return f
}

// BenchmarkBuild300k parses the MARS body and builds the segment's index.
func BenchmarkBuild300k(b *testing.B) {
	data := largeSet(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var snap *adm.Snapshot
	for b.Loop() {
		p := adm.New(adm.Settings{Base: suggest.Base{Name: "adm"}})
		if _, err := adm.MARSLoader(p, usDesktop, adm.LoadOptions{ProviderID: "adm"}, slog.New(slog.DiscardHandler))(data); err != nil {
			b.Fatal(err)
		}
		snap = p.Segment(usDesktop)
	}
	st := snap.Stats()
	b.ReportMetric(float64(st.Keywords), "keywords")
	b.ReportMetric(float64(st.KeywordIndexSize), "keys")
	b.ReportMetric(float64(st.Bytes)/float64(st.Keywords), "index-bytes/keyword")
	b.ReportMetric(float64(st.Bytes)/float64(st.KeywordIndexSize), "index-bytes/key")
}

func benchQuery(b *testing.B, mutate func(string) string, variants []string) {
	f := loadLarge(b)
	qs := make([]string, len(f.keywords))
	for i, k := range f.keywords {
		qs[i] = mutate(k)
	}
	reqs := make([]suggest.Request, len(qs))
	for i := range reqs {
		reqs[i] = suggest.Request{Query: qs[i], ClientVariants: variants}
		reqs[i].Location.Country = "US"
		reqs[i].UserAgent.FormFactor = "desktop"
	}
	dst := make([]suggest.Suggestion, 0, 4)
	hits := 0
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		out, _ := f.p.Query(context.Background(), &reqs[i%len(reqs)], dst[:0])
		hits += len(out)
		i++
	}
	b.ReportMetric(float64(hits)/float64(i), "hits/op")
}

func BenchmarkQueryExact300k(b *testing.B) {
	benchQuery(b, func(s string) string { return s }, nil)
}

func BenchmarkQueryMiss300k(b *testing.B) {
	benchQuery(b, func(s string) string { return s + "qq" }, nil)
}

// BenchmarkQueryFuzzy300k queries each keyword with its last two characters swapped, in the
// fuzzy experiment branch: an exact miss, then the SymSpell fallback.
func BenchmarkQueryFuzzy300k(b *testing.B) {
	benchQuery(b, func(s string) string {
		r := []rune(s)
		n := len(r)
		r[n-1], r[n-2] = r[n-2], r[n-1]
		return string(r)
	}, []string{adm.FuzzyVariant})
}
