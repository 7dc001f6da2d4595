package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/loaders/wikipedia"
	mars "github.com/mozilla-services/merino-go/suggest/adm"
)

const shared = "../../../../shared/data"

func sharedOrSkip(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("MERINO_SHARED_DATA"); d != "" {
		return d
	}
	if _, err := os.Stat(filepath.Join(shared, "wikipedia", "enwiki-abstracts.jsonl.gz")); err != nil {
		t.Skip("shared corpus not available (../shared/data, or set MERINO_SHARED_DATA)")
	}
	return shared
}

// sampleSources are a few titles and words of each kind, for a generation that needs no
// shared data.
func sampleSources() *sources {
	en := map[string]int{"River": 9, "Station": 7, "Film": 5, "History": 4, "Paris": 3, "band": 3, "season": 2}
	s := &sources{
		titles: []string{"Anarchism", "Springfield, Illinois", "List of rivers of Poland", "1987 in film",
			"The Beatles (album)", "AC/DC", "Bergen (Oberbayern) station", "No true Scotsman"},
		abstracts: []string{"Anarchism is a political philosophy.", "Springfield was founded in 1821.", "A list."},
		english:   newVocab(en),
		native: map[string]*vocab{
			"fr": newVocab(map[string]int{"Saint": 9, "Château": 5, "sur": 4, "Forêt": 3, "Église": 2, "Évry": 1}),
			"de": newVocab(map[string]int{"Bad": 9, "Straße": 5, "Größe": 4, "Köln": 3, "Über": 2, "Mühle": 1}),
			"it": newVocab(map[string]int{"San": 9, "Città": 5, "Monte": 4, "Castel": 3, "Perù": 1}),
			"pl": newVocab(map[string]int{"Łódź": 9, "Wola": 5, "Żywiec": 4, "Góra": 3, "Śląsk": 2}),
		},
	}
	return s
}

func TestGenerateSample(t *testing.T) {
	checkGeneration(t, sampleSources(), 0.0004)
}

// The same from the shared corpus (skipped under the race detector, which makes reading it
// take a minute).
func TestGenerateFromSharedCorpus(t *testing.T) {
	sh := sharedOrSkip(t)
	if testing.Short() || raceEnabled {
		t.Skip("reads the shared corpus: run without -short and -race")
	}
	src, err := loadSources(sh)
	if err != nil {
		t.Fatal(err)
	}
	if len(src.titles) < 60000 || src.english.len() < 10000 || src.native["pl"].len() < 1000 {
		t.Fatalf("sources: %d titles, %d English words, %d Polish words", len(src.titles), src.english.len(), src.native["pl"].len())
	}
	checkGeneration(t, src, 0.001)
}

// checkGeneration generates at scale three times: the same seed writes the same bytes, every
// dump is read by the indexer's reader with unique titles and weights, fr/de/pl titles carry
// their letters, and each MARS segment parses as MARS with every suggestion of the adm set.
func checkGeneration(t *testing.T, src *sources, scale float64) {
	t.Helper()
	gen := func(dir string, seed uint64) {
		t.Helper()
		var log bytes.Buffer
		err := run(src, Config{Out: dir, Seed: seed, Scale: scale, Langs: []string{"en", "fr", "de", "it", "pl"}, AMP: "../../amp.json"}, &log)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(log.String(), "\n"); n != 6 {
			t.Errorf("log:\n%s", log.String())
		}
	}
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	gen(a, 1)
	gen(b, 1)
	gen(c, 2)
	for _, name := range []string{"wikipedia-en.json.gz", "wikipedia-pl.json.gz", "mars/US-desktop.json", "mars/FR-phone.json"} {
		x, _ := os.ReadFile(filepath.Join(a, name))
		y, _ := os.ReadFile(filepath.Join(b, name))
		z, _ := os.ReadFile(filepath.Join(c, name))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s: two runs with one seed differ", name)
		}
		if bytes.Equal(x, z) {
			t.Errorf("%s: two seeds write the same", name)
		}
	}
	scorer := wikipedia.NewScorer(wikipedia.DefaultMaxDocs)
	for lang, size := range Sizes {
		f, err := os.Open(filepath.Join(a, "wikipedia-"+lang+".json.gz"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := wikipedia.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		nonASCII := 0
		for {
			art, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if seen[art.Title] || art.Title == "" || art.Namespace != 0 || art.OpeningText == "" {
				t.Fatalf("%s: %+v (duplicate or empty)", lang, art)
			}
			seen[art.Title] = true
			if !isASCII(art.Title) {
				nonASCII++
			}
			if _, ok := scorer.Weight(art); !ok {
				t.Fatalf("%s: no weight for %+v", lang, art)
			}
		}
		f.Close()
		if want := int(float64(size) * scale); len(seen) != want || r.Corrupt != 0 {
			t.Errorf("%s: %d titles, %d corrupt lines; want %d", lang, len(seen), r.Corrupt, want)
		}
		if share := float64(nonASCII) / float64(len(seen)); lang != "en" && lang != "it" && share < 0.15 {
			t.Errorf("%s: %.1f%% titles not ASCII", lang, 100*share)
		}
	}
	amp, _ := os.ReadFile("../../amp.json")
	want, err := mars.ParseResponse(amp, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, seg := range Segments {
		body, err := os.ReadFile(filepath.Join(a, "mars", seg+".json"))
		if err != nil {
			t.Fatal(err)
		}
		items, err := mars.ParseResponse(body, nil, slog.New(slog.DiscardHandler))
		if err != nil || len(items) != len(want) {
			t.Fatalf("%s: %d items, %v; want %d", seg, len(items), err, len(want))
		}
	}
}

func TestServeMARS(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "US-desktop.json"), []byte(`{"suggestions":[]}`), 0o644)
	srv := httptest.NewServer(marsHandler(dir))
	defer srv.Close()
	get := func(q, etag string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(context.Background(), "GET", srv.URL+"/v1/suggest/data?"+q, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("ETag"), string(b)
	}
	code, etag, body := get("country=US&form_factor=desktop", "")
	if code != 200 || etag == "" || body != `{"suggestions":[]}` {
		t.Fatalf("%d %q %q", code, etag, body)
	}
	if code, _, _ := get("country=US&form_factor=desktop", etag); code != 304 {
		t.Errorf("If-None-Match: %d", code)
	}
	for _, q := range []string{"country=US&form_factor=phone", "country=../x&form_factor=desktop", ""} {
		if code, _, _ := get(q, ""); code != 404 {
			t.Errorf("%q: %d", q, code)
		}
	}
}
