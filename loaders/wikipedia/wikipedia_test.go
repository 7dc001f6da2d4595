package wikipedia

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/index/fulltext"
)

// weights maps each title of fixture-en.json to merino-py's weight for it, computed by hand
// with a Python transcription of merino/jobs/wikipedia_indexer/suggestion.py's Scorer
// (N = 6,500,000): the expected values are Python's, not this package's.
var fixtureWeights = map[string]uint32{
	"Food":                             12657983,
	"Dog food":                         6680215,
	"Food for Thought":                 7298118, // merino-py's own test_suggestion.py document
	"Food Fortune":                     7150892,
	"No Food Forgiveness":              6899326,
	"Mozilla, Corporation":             7231912,
	"Returned by ES but missing value": 5277540,
	"Foodie":                           6648039,
	"Café au lait":                     6965477,
	"AC/DC":                            7298118,
	"Unsafe Content":                   7393402,
	"Ελλάς Σοφός":                      6899326,
}

func TestScorerMatchesMerinoPy(t *testing.T) {
	s := NewScorer(DefaultMaxDocs)
	f := func(a Article, want int64) {
		t.Helper()
		got, ok := s.Weight(&a)
		if !ok || got != want {
			t.Errorf("Weight(%+v) = %d, %v; want %d", a, got, ok, want)
		}
	}
	// Every term at its floor: (0.6 + 0.1) / 1.1 / 1.4.
	f(Article{}, 4545454)
	// merino-py's test_suggestion.py document: external_link (CirrusSearch's name) is not
	// counted, only external_links.
	f(Article{IncomingLinks: 10, TextBytes: 1000, PopularityScore: 0.0003, Headings: 1, Redirects: 1}, 7298118)
	// Every term above its norm, popularity capped at 1.
	f(Article{IncomingLinks: 1300000, TextBytes: 150000, PopularityScore: 0.001, Headings: 40, Redirects: 90, ExternalLinks: 60}, 12657983)
	f(Article{IncomingLinks: 700000, TextBytes: 60000, PopularityScore: 0.00001, Headings: 25, Redirects: 31}, 6680215)
	// A negative popularity makes Python's log fail: no weight.
	if _, ok := s.Weight(&Article{PopularityScore: -1}); ok {
		t.Error("a popularity of -1 got a weight")
	}
}

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestBuildFixture(t *testing.T) {
	bl, err := ReadCategoryBlocklist(open(t, "blocklist.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bl["Orgasm"] || !bl["Child abuse"] || len(bl) != 3 {
		t.Fatalf("blocklist = %v", bl)
	}
	out := filepath.Join(t.TempDir(), "enwiki")
	sum, err := Build(context.Background(), open(t, "fixture-en.json"), Options{Out: out, Lang: "en", Source: "fixture", CategoryBlocklist: bl, Fulltext: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 14 || sum.Kept != 12 || sum.Blocked != 1 || sum.OtherNamespace != 1 || sum.Corrupt != 0 || sum.IndexBytes == 0 {
		t.Fatalf("summary = %+v", sum)
	}
	ix, err := fulltext.Open(out, fulltext.OpenOptions{Fulltext: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	c := ix.Completion
	if c.Len() != len(fixtureWeights) {
		t.Fatalf("%d entries", c.Len())
	}
	for i := 0; i < c.Len(); i++ {
		if want, ok := fixtureWeights[c.Title(i)]; !ok || c.Weight(i) != want {
			t.Errorf("%q: weight %d, want %d", c.Title(i), c.Weight(i), want)
		}
	}
	// Prefix semantics and weight order: "Dog food" contains "foo" but does not start with it.
	var got []string
	for _, id := range c.Top(nil, ix.Analyzer.AppendKey(nil, "foO"), 10) {
		got = append(got, c.Title(id))
	}
	want := []string{"Food", "Food for Thought", "Food Fortune", "Foodie"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("foO: %q, want %q", got, want)
	}
	if d, ok, err := ix.Document(context.Background(), "0"); err != nil || !ok || d.Title != "Food" || d.PageID != "1" || d.Weight != 12657983 {
		t.Errorf("document 0 = %+v, %v, %v", d, ok, err)
	}
}

// merino-py's Elasticsearch seed documents are already suggestion documents: their weights
// are kept as they are, and the completion answers as Elasticsearch would.
func TestBuildESSeed(t *testing.T) {
	out := filepath.Join(t.TempDir(), "enwiki")
	sum, err := Build(context.Background(), open(t, "es-seed-en.ndjson"), Options{Out: out, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 6 || sum.Kept != 6 {
		t.Fatalf("summary = %+v", sum)
	}
	ix, err := fulltext.Open(out, fulltext.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	c := ix.Completion
	f := func(q string, want ...string) {
		t.Helper()
		var got []string
		for _, id := range c.Top(nil, ix.Analyzer.AppendKey(nil, q), 10) {
			got = append(got, c.Title(id))
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%q: %q, want %q", q, got, want)
		}
	}
	f("a", "Achilles", "A", "Albedo", "Academy Award for Best Production Design", "An American in Paris", "Actrius")
	f("ac", "Achilles", "Academy Award for Best Production Design", "Actrius")
	f("an american", "An American in Paris")
	f("an  american   in p", "An American in Paris")
	f("american")
	f("albedo ", "Albedo")
	f("albedos")
}

func TestReaderFormats(t *testing.T) {
	bulk := "{\"index\":{\"_id\":\"7\"}}\n{\"title\":\"Seven\",\"namespace\":0}\n" +
		"{\"delete\":{\"_id\":\"8\"}}\n" +
		"not json\n" +
		"{\"index\":{\"_id\":9}}\n{\"title\":\"Nine\",\"incoming_links\":\"many\"}\n" +
		"\n{\"title\":\"Ten\",\"page_id\":10,\"heading\":[\"a\",\"b\"],\"redirect\":null,\"category\":[\"X\"]}\n" +
		"{\"index\":{\"_id\":11}}\n{\"title\":\"Eleven\",\"suggest\":{\"input\":[\"Eleven\"],\"weight\":42}}"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(bulk))
	zw.Close()
	for name, in := range map[string][]byte{"plain": []byte(bulk), "gzip": gz.Bytes()} {
		r, err := NewReader(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for {
			a, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, a.ID+":"+a.Title)
			if a.Title == "Ten" && (a.Headings != 2 || a.Redirects != 0 || a.Categories[0] != "X") {
				t.Errorf("%s: Ten = %+v", name, a)
			}
			if a.Title == "Eleven" && (!a.HasWeight || a.Weight != 42) {
				t.Errorf("%s: Eleven = %+v", name, a)
			}
		}
		if want := "7:Seven|10:Ten|11:Eleven"; strings.Join(got, "|") != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
		if r.Corrupt != 2 {
			t.Errorf("%s: %d corrupt lines, want 2", name, r.Corrupt)
		}
	}
}

func TestReaderLongLine(t *testing.T) {
	long := "{\"title\":\"" + strings.Repeat("x", MaxLineBytes+10) + "\"}\n{\"title\":\"After\"}\n"
	r, _ := NewReader(strings.NewReader(long))
	a, err := r.Next()
	if err != nil || a.Title != "After" || r.Corrupt != 1 {
		t.Fatalf("got a title of %d bytes, %v, corrupt %d", len(a.Title), err, r.Corrupt)
	}
}

func TestReaderTruncatedGzip(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat("{\"title\":\"T\"}\n", 1000)))
	zw.Close()
	r, err := NewReader(bytes.NewReader(gz.Bytes()[:gz.Len()/2]))
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			t.Fatal("a truncated gzip stream read as complete")
		}
		if err != nil {
			return
		}
	}
}

// An interrupted build leaves nothing where the server looks, and a previous index there
// untouched; a complete build replaces it.
func TestBuildInterrupted(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "enwiki")
	if _, err := Build(context.Background(), open(t, "es-seed-en.ndjson"), Options{Out: out, Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	before, _ := fulltext.ReadMeta(out)
	// A dump long enough to be cancelled in the middle.
	var big bytes.Buffer
	for i := 0; i < 5000; i++ {
		big.WriteString("{\"title\":\"Title\"}\n")
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Build(ctx, &cancellingReader{r: &big, after: 20000, cancel: cancel}, Options{Out: out, Lang: "en", Fulltext: true})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	after, err := fulltext.ReadMeta(out)
	if err != nil || after.BuildID != before.BuildID {
		t.Fatalf("the previous index changed: %+v, %v", after, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
	// The same into a fresh directory leaves no directory at all.
	fresh := filepath.Join(dir, "frwiki")
	ctx, cancel = context.WithCancel(context.Background())
	big.Reset()
	for i := 0; i < 5000; i++ {
		big.WriteString("{\"title\":\"Titre\"}\n")
	}
	if _, err := Build(ctx, &cancellingReader{r: &big, after: 20000, cancel: cancel}, Options{Out: fresh, Lang: "fr", Fulltext: true}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s exists after an interrupted build: %v", fresh, err)
	}
	// A complete build replaces the previous index.
	if _, err := Build(context.Background(), open(t, "fixture-en.json"), Options{Out: out, Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	if m, _ := fulltext.ReadMeta(out); m.BuildID == before.BuildID || m.Documents != 13 {
		t.Fatalf("not replaced: %+v", m)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

// cancellingReader cancels its context once after bytes have been read: an operator's ^C in
// the middle of a dump.
type cancellingReader struct {
	r      io.Reader
	after  int
	n      int
	cancel func()
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	if len(p) > 4096 {
		p = p[:4096]
	}
	n, err := c.r.Read(p)
	c.n += n
	if c.n >= c.after {
		c.cancel()
	}
	return n, err
}

func TestBuildRefusesForeignDirectory(t *testing.T) {
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "precious.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Build(context.Background(), open(t, "es-seed-en.ndjson"), Options{Out: out, Lang: "en"})
	if err == nil || !strings.Contains(err.Error(), "not an index directory") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "precious.txt")); err != nil {
		t.Fatal(err)
	}
}

func TestBuildNothingKept(t *testing.T) {
	out := filepath.Join(t.TempDir(), "enwiki")
	_, err := Build(context.Background(), strings.NewReader("garbage\n{\"title\":\"\"}\n"), Options{Out: out, Lang: "en"})
	if err == nil {
		t.Fatal("an index without articles was built")
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
}

func FuzzReader(f *testing.F) {
	for _, name := range []string{"fixture-en.json", "es-seed-en.ndjson", "fixture-en.json.bz2"} {
		data, _ := os.ReadFile(filepath.Join("testdata", name))
		f.Add(data)
	}
	f.Add([]byte("{\"index\":{\"_id\":[1]}}\n{\"title\":1}\n{\"namespace\":1e300,\"title\":\"x\"}\n"))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0})
	f.Add([]byte("BZh9"))
	s := NewScorer(DefaultMaxDocs)
	en, _ := fulltext.AnalyzerFor("en")
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		for i := 0; i < 10000; i++ {
			a, err := r.Next()
			if err != nil {
				return
			}
			if w, ok := s.Weight(a); ok && (w < 0 || w >= 1<<31) {
				t.Fatalf("weight %d out of range for %+v", w, a)
			}
			en.AppendKey(nil, a.Title)
		}
	})
}

// TestReaderMutations feeds the reader 20,000 deterministic corruptions of real inputs, plain
// and gzipped, as a complement to FuzzReader: no panic, and every line is accounted for.
func TestReaderMutations(t *testing.T) {
	seed, _ := os.ReadFile(filepath.Join("testdata", "fixture-en.json"))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(seed)
	zw.Close()
	seeds := [][]byte{seed, gz.Bytes()}
	r := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 20000; i++ {
		d := bytes.Clone(seeds[i%2])
		for j := 0; j < 1+r.IntN(5); j++ {
			d[r.IntN(len(d))] = byte(r.IntN(256))
		}
		if i%3 == 0 {
			d = d[:r.IntN(len(d))]
		}
		rd, err := NewReader(bytes.NewReader(d))
		if err != nil {
			continue
		}
		docs := 0
		for {
			if _, err := rd.Next(); err != nil {
				break
			}
			docs++
		}
		if docs+rd.Corrupt+rd.Actions > rd.Line() {
			t.Fatalf("input %d: %d documents, %d corrupt, %d actions in %d lines", i, docs, rd.Corrupt, rd.Actions, rd.Line())
		}
	}
}

// A bzip2 dump of several concatenated streams (Wikimedia's shards) reads as the plain one,
// and a truncated one is an error, never a short dump taken as whole.
func TestReaderBzip2MultiStream(t *testing.T) {
	read := func(name string, in io.Reader) ([]string, error) {
		r, err := NewReader(in)
		if err != nil {
			return nil, err
		}
		var got []string
		for {
			a, err := r.Next()
			if errors.Is(err, io.EOF) {
				return got, nil
			}
			if err != nil {
				return got, err
			}
			got = append(got, fmt.Sprintf("%s:%s:%v", a.ID, a.Title, a.IncomingLinks))
		}
	}
	plain, err := read("plain", open(t, "fixture-en.json"))
	if err != nil || len(plain) != 14 {
		t.Fatalf("plain: %d articles, %v", len(plain), err)
	}
	bz, err := read("bz2", open(t, "fixture-en.json.bz2"))
	if err != nil || strings.Join(bz, "|") != strings.Join(plain, "|") {
		t.Errorf("bz2: %v\n%q\nwant %q", err, bz, plain)
	}
	data, _ := io.ReadAll(open(t, "fixture-en.json.bz2"))
	if _, err := read("truncated", bytes.NewReader(data[:len(data)-40])); err == nil {
		t.Error("a truncated bzip2 dump read without an error")
	}
}
