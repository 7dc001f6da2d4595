package fulltext

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/vellum"
)

// The benchmarks run on the whole shared corpus (../shared/data beside the repository, or
// $MERINO_SHARED_DATA): the 66,722 Wikipedia articles, plus WordNet's 117,791 lemmas and the
// 38,041 popular titles as extra completion entries, to go past 200,000 keys. They skip when
// the corpus is absent.
func sharedData() string {
	if d := os.Getenv("MERINO_SHARED_DATA"); d != "" {
		return d
	}
	return "../../../shared/data"
}

var english = analyzers["en"]

type corpusDoc struct {
	Title    string `json:"title"`
	Abstract string `json:"abstract"`
}

var corpus struct {
	once    sync.Once
	docs    []corpusDoc
	entries []Entry
	queries []string // popular titles, lower case: realistic things to type
	err     error
}

func readGzipLines(path string, each func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if err := each(sc.Bytes()); err != nil {
			return err
		}
	}
	return sc.Err()
}

// weightOf gives each title a stable pseudo-random weight: the timings do not depend on the
// weights' distribution, only on their being distinct enough.
func weightOf(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32() % 10_000_000
}

func loadCorpus(b *testing.B) {
	corpus.once.Do(func() {
		wiki := filepath.Join(sharedData(), "wikipedia")
		corpus.err = readGzipLines(filepath.Join(wiki, "enwiki-abstracts.jsonl.gz"), func(l []byte) error {
			var d corpusDoc
			if err := json.Unmarshal(l, &d); err != nil {
				return err
			}
			corpus.docs = append(corpus.docs, d)
			return nil
		})
		if corpus.err != nil {
			return
		}
		add := func(title string) {
			corpus.entries = append(corpus.entries, Entry{Key: string(english.AppendKey(nil, TruncateInput(title))), Title: title, Weight: weightOf(title)})
		}
		for _, d := range corpus.docs {
			add(d.Title)
		}
		corpus.err = readGzipLines(filepath.Join(wiki, "enwiki-popular-titles.lower.txt.gz"), func(l []byte) error {
			add(string(l))
			corpus.queries = append(corpus.queries, string(l))
			return nil
		})
		if corpus.err != nil {
			return
		}
		corpus.err = readGzipLines(filepath.Join(sharedData(), "wordnet", "wordnet31-glosses.jsonl.gz"), func(l []byte) error {
			var w struct{ Words []string }
			if err := json.Unmarshal(l, &w); err != nil {
				return err
			}
			if len(w.Words) > 0 {
				add(strings.ReplaceAll(w.Words[0], "_", " "))
			}
			return nil
		})
	})
	if corpus.err != nil {
		b.Skipf("shared corpus not available (%v): run from the merino-go work tree beside ../shared/data", corpus.err)
	}
}

// rawPrefixes draws n query prefixes of length chars (in runes) from the popular titles, as
// typed.
func rawPrefixes(n, chars int) []string {
	r := rand.New(rand.NewPCG(7, uint64(chars)))
	var out []string
	for len(out) < n {
		q := []rune(corpus.queries[r.IntN(len(corpus.queries))])
		if len(q) < chars {
			continue
		}
		out = append(out, string(q[:chars]))
	}
	return out
}

// prefixes is rawPrefixes analysed.
func prefixes(n, chars int) [][]byte {
	var out [][]byte
	for _, q := range rawPrefixes(n, chars) {
		out = append(out, english.AppendKey(nil, q))
	}
	return out
}

// BenchmarkKeystroke is a keystroke's whole lookup on the corpus: the query as typed,
// analysed, then its heaviest completion.
func BenchmarkKeystroke(b *testing.B) {
	loadCorpus(b)
	c, err := NewCompletion(slices.Clone(corpus.entries))
	if err != nil {
		b.Fatal(err)
	}
	for _, chars := range []int{1, 2, 4, 8} {
		qs := rawPrefixes(4096, chars)
		b.Run(benchName(chars, 1), func(b *testing.B) {
			var kb [1024]byte
			dst := make([]int, 0, 1)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				dst = c.Top(dst[:0], english.AppendKey(kb[:0], qs[i%len(qs)]), 1)
			}
			b.StopTimer()
			sinkInts = dst
			reportPercentiles(b, 20000, func(i int) { dst = c.Top(dst[:0], english.AppendKey(kb[:0], qs[i%len(qs)]), 1) })
		})
	}
}

// reportPercentiles times each lookup once more, outside the b.N loop, and reports p50 and
// p99 in nanoseconds: the keystroke budget is about the tail.
func reportPercentiles(b *testing.B, n int, op func(i int)) {
	d := make([]time.Duration, n)
	for i := range d {
		start := time.Now()
		op(i)
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[n/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(d[n*99/100].Nanoseconds()), "p99-ns")
}

var sinkInts []int

func BenchmarkCompletionTop(b *testing.B) {
	loadCorpus(b)
	c, err := NewCompletion(slices.Clone(corpus.entries))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d completion entries, %d bytes on disk", c.Len(), len(must(c.MarshalBinary())))
	for _, chars := range []int{1, 2, 4, 8} {
		for _, k := range []int{1, 5} {
			qs := prefixes(4096, chars)
			b.Run(benchName(chars, k), func(b *testing.B) {
				dst := make([]int, 0, k)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					dst = c.Top(dst[:0], qs[i%len(qs)], k)
				}
				b.StopTimer()
				sinkInts = dst
				reportPercentiles(b, 20000, func(i int) { dst = c.Top(dst[:0], qs[i%len(qs)], k) })
			})
		}
	}
}

func benchName(chars, k int) string {
	return "chars=" + string(rune('0'+chars)) + "/k=" + string(rune('0'+k))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// BenchmarkVellumPrefix is the alternative the design names: vellum (Bleve's FST) maps each
// distinct key to its best entry; a prefix is an iterator over [prefix, prefix+0xff) that
// must visit every key of the range to find the heaviest, since vellum keeps no per-node
// maximum. Compare with BenchmarkCompletionTop/k=1.
func BenchmarkVellumPrefix(b *testing.B) {
	loadCorpus(b)
	c, err := NewCompletion(slices.Clone(corpus.entries))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	vb, err := vellum.New(&buf, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < c.Len(); i++ {
		if i > 0 && c.Key(i) == c.Key(i-1) {
			continue // the first of equal keys is the heaviest
		}
		if err := vb.Insert([]byte(c.Key(i)), uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := vb.Close(); err != nil {
		b.Fatal(err)
	}
	fst, err := vellum.Load(buf.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("vellum FST: %d bytes", buf.Len())
	best := func(p []byte) int {
		end := append(slices.Clone(p), 0xff)
		it, err := fst.Iterator(p, end)
		found := -1
		for err == nil {
			_, v := it.Current()
			if found < 0 || c.Weight(int(v)) > c.Weight(found) {
				found = int(v)
			}
			err = it.Next()
		}
		return found
	}
	for _, chars := range []int{1, 2, 4, 8} {
		qs := prefixes(4096, chars)
		b.Run(benchName(chars, 1), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if got, want := best(qs[i%len(qs)]), c.Top(nil, qs[i%len(qs)], 1); len(want) > 0 && c.Weight(got) != c.Weight(want[0]) {
					b.Fatalf("vellum and the table disagree on %q", qs[i%len(qs)])
				}
			}
			b.StopTimer()
			reportPercentiles(b, 2000, func(i int) { best(qs[i%len(qs)]) })
		})
	}
}

// benchIndex is the Bleve index of the whole corpus, built once and kept in the system's
// temporary directory between runs (delete it to rebuild).
func benchIndex(b *testing.B) *Index {
	loadCorpus(b)
	dir := filepath.Join(os.TempDir(), "merino-go-bench-fulltext", "enwiki")
	if m, err := ReadMeta(dir); err != nil || m.Documents != len(corpus.docs) {
		os.RemoveAll(dir)
		start := time.Now()
		buildCorpus(b, dir)
		el := time.Since(start)
		b.Logf("built %d documents in %v (%.0f documents/s), %d bytes", len(corpus.docs), el, float64(len(corpus.docs))/el.Seconds(), dirBytes(dir))
	}
	ix, err := Open(dir, OpenOptions{Fulltext: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	return ix
}

func buildCorpus(b *testing.B, dir string) {
	bld, err := NewBuilder(dir, "en", BuildOptions{Fulltext: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range corpus.docs {
		if err := bld.Add(Doc{Title: d.Title, OpeningText: d.Abstract, Weight: weightOf(d.Title)}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := bld.Commit(context.Background(), "bench"); err != nil {
		b.Fatal(err)
	}
}

func dirBytes(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

// BenchmarkBuild measures indexing on the whole corpus: documents/s and index size.
func BenchmarkBuild(b *testing.B) {
	loadCorpus(b)
	for i := 0; i < b.N; i++ {
		dir := filepath.Join(b.TempDir(), "enwiki")
		buildCorpus(b, dir)
		b.ReportMetric(float64(dirBytes(dir)), "index-bytes")
	}
	b.ReportMetric(float64(len(corpus.docs)*b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkFallback is the cost of the full-text fallback (typo-tolerant title match or
// opening-text match) for queries the completion does not find: popular titles with one
// letter dropped.
func BenchmarkFallback(b *testing.B) {
	ix := benchIndex(b)
	r := rand.New(rand.NewPCG(3, 4))
	var qs []string
	for len(qs) < 512 {
		q := []rune(corpus.queries[r.IntN(len(corpus.queries))])
		if len(q) < 6 {
			continue
		}
		i := 1 + r.IntN(len(q)-2)
		qs = append(qs, string(append(q[:i:i], q[i+1:]...)))
	}
	sort.Strings(qs)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ix.Search(ctx, nil, qs[i%len(qs)], 1); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportPercentiles(b, 1000, func(i int) { ix.Search(ctx, nil, qs[i%len(qs)], 1) })
}

// BenchmarkUnmarshalCompletion is loading a completion table as Open does, from the bytes of
// completion.bin: time, bytes allocated on the way (B/op) and the bytes the table holds per
// entry (table-B/entry), on the corpus's table.
func BenchmarkUnmarshalCompletion(b *testing.B) {
	loadCorpus(b)
	c, err := NewCompletion(slices.Clone(corpus.entries))
	if err != nil {
		b.Fatal(err)
	}
	data := must(c.MarshalBinary())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		buf := bytes.Clone(data) // as read from the file
		b.StartTimer()
		if _, err := UnmarshalCompletion(buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	kept := must(UnmarshalCompletion(bytes.Clone(data)))
	b.ReportMetric(float64(tableBytes(kept))/float64(kept.Len()), "table-B/entry")
	b.ReportMetric(float64(len(data))/float64(kept.Len()), "file-B/entry")
}

func tableBytes(c *Completion) int { return c.Bytes() }

// BenchmarkBuildTable is the completion part of a build on the corpus: adding every entry,
// then writing completion.bin. heap-B/entry is the heap grown from the start to the end of
// the write, the builder's peak (Bleve aside).
func BenchmarkBuildTable(b *testing.B) {
	loadCorpus(b)
	b.ReportAllocs()
	var grown uint64
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		tb := newTableBuilder()
		var key []byte
		for _, e := range corpus.entries {
			key = english.AppendKey(key[:0], e.Title)
			if err := tb.add(key, e.Title, e.Weight); err != nil {
				b.Fatal(err)
			}
		}
		if err := tb.writeTo(io.Discard); err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		grown = after.HeapAlloc - before.HeapAlloc
		runtime.KeepAlive(tb)
	}
	b.ReportMetric(float64(grown)/float64(len(corpus.entries)), "heap-B/entry")
}
