package wikipedia

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/index/fulltext"
	"github.com/mozilla-services/merino-go/suggest"
)

// BenchmarkQuery is one request through the provider on the bundled sample (4,000 articles):
// analysis, completion, blocklist check and rendering. The completion itself on the whole
// corpus is measured by index/fulltext's BenchmarkCompletionTop.
func BenchmarkQuery(b *testing.B) {
	f, err := os.Open("../../data/wikipedia-en.sample.json.gz")
	if err != nil {
		b.Skip("data/wikipedia-en.sample.json.gz not found")
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "enwiki")
	bld, err := fulltext.NewBuilder(out, "en", fulltext.BuildOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var titles []string
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var d struct {
			Title string `json:"title"`
		}
		if json.Unmarshal(sc.Bytes(), &d) == nil && d.Title != "" {
			titles = append(titles, d.Title)
			bld.Add(fulltext.Doc{Title: d.Title, Weight: uint32(len(titles))})
		}
	}
	if _, err := bld.Commit(context.Background(), "bench"); err != nil {
		b.Fatal(err)
	}
	ix, err := fulltext.Open(out, fulltext.OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for _, blocklist := range []bool{false, true} {
		name := "no-blocklist"
		s := Settings{}
		if blocklist {
			name = "blocklist"
			s.TitleBlocklist = []string{"Unsafe Content"}
		}
		p := newTestProvider(s)
		p.Swap("en", ix)
		var reqs []*suggest.Request
		for i := 0; i < 1024; i++ {
			t := []rune(strings.ToLower(titles[(i*7919)%len(titles)]))
			reqs = append(reqs, &suggest.Request{Query: string(t[:min(len(t), 1+i%8)]), Languages: []string{"en-US", "en"}})
		}
		b.Run(name, func(b *testing.B) {
			dst := make([]suggest.Suggestion, 0, 4)
			ctx := context.Background()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				dst, _ = p.Query(ctx, reqs[i%len(reqs)], dst[:0])
			}
		})
	}
}
