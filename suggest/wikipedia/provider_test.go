package wikipedia

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/index/fulltext"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/pystr"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/breaker"
)

// encode writes a suggestion the way the server does.
func encode(s suggest.Suggestion) string { return string(s.AppendJSON(nil)) }

func want(title, url, keyword string) string {
	return `{"title":` + string(jsonw.AppendString(nil, title)) + `,"url":"` + url +
		`","provider":"wikipedia","is_sponsored":false,"score":0.23,"icon":"` + Icon +
		`","categories":[6],"full_keyword":` + string(jsonw.AppendString(nil, keyword)) +
		`,"advertiser":"dynamic-wikipedia","block_id":0}`
}

func newTestProvider(s Settings) *Provider {
	if s.Name == "" {
		s.Name = "wikipedia"
	}
	if s.Score == 0 {
		s.Score = 0.23
	}
	if s.Languages == nil {
		s.Languages = DefaultLanguages
	}
	if s.FailureThreshold == 0 {
		s.FailureThreshold = 10
		s.RecoverTimeout = 30 * time.Second
	}
	return New(s)
}

// The cases of merino-py's tests/unit/providers/suggest/wikipedia/backends/test_elastic.py
// (and its Elasticsearch responses in ../shared/data/merino-py/extracted-fixtures/wikipedia),
// rendered whole: query, language and the title Elasticsearch returned → the suggestion.
func TestRenderMerinoPyCases(t *testing.T) {
	p := newTestProvider(Settings{})
	f := func(q, lang, title, wantJSON string) {
		t.Helper()
		var l *language
		for _, x := range p.langs {
			if x.code == lang {
				l = x
			}
		}
		if got := encode(p.render(l, q, title)); got != wantJSON {
			t.Errorf("render(%q, %s, %q)\n got %s\nwant %s", q, lang, title, got, wantJSON)
		}
	}
	// es_response_foO_en.json
	f("foO", "en", "Food", want("Wikipedia - Food", "https://en.wikipedia.org/wiki/Food", "food"))
	f("foO", "en", "Dog food", want("Wikipedia - Dog food", "https://en.wikipedia.org/wiki/Dog_food", "food"))
	f("foO", "en", "Food for Thought", want("Wikipedia - Food for Thought", "https://en.wikipedia.org/wiki/Food_for_Thought", "food"))
	f("foO", "en", "Returned by ES but missing value", want("Wikipedia - Returned by ES but missing value", "https://en.wikipedia.org/wiki/Returned_by_ES_but_missing_value", "returned by es but missing value"))
	// es_response_nou_fr.json
	f("nou", "fr", "Nourriture", want("Wikipédia - Nourriture", "https://fr.wikipedia.org/wiki/Nourriture", "nourriture"))
	f("nou", "fr", "Nourriture pour chien", want("Wikipédia - Nourriture pour chien", "https://fr.wikipedia.org/wiki/Nourriture_pour_chien", "nourriture"))
	f("nou", "fr", "Matière à réflexion", want("Wikipédia - Matière à réflexion", "https://fr.wikipedia.org/wiki/Mati%C3%A8re_%C3%A0_r%C3%A9flexion", "matière à réflexion"))
	// es_response_food_f_en.json
	f("food f", "en", "Food for Thought", want("Wikipedia - Food for Thought", "https://en.wikipedia.org/wiki/Food_for_Thought", "food for"))
	f("food f", "en", "Food Fortune", want("Wikipedia - Food Fortune", "https://en.wikipedia.org/wiki/Food_Fortune", "food fortune"))
	f("food f", "en", "No Food Forgiveness", want("Wikipedia - No Food Forgiveness", "https://en.wikipedia.org/wiki/No_Food_Forgiveness", "food forgiveness"))
	// es_response_berliner_f_de.json
	f("berliner f", "de", "Berliner Flughafen", want("Wikipedia - Berliner Flughafen", "https://de.wikipedia.org/wiki/Berliner_Flughafen", "berliner flughafen"))
	f("berliner f", "de", "Berliner Freiheit", want("Wikipedia - Berliner Freiheit", "https://de.wikipedia.org/wiki/Berliner_Freiheit", "berliner freiheit"))
	f("berliner f", "de", "Nicht Berliner Fernsehen", want("Wikipedia - Nicht Berliner Fernsehen", "https://de.wikipedia.org/wiki/Nicht_Berliner_Fernsehen", "berliner fernsehen"))
	// es_response_mozi_en.json: punctuation stripped from the keyword, ',' quoted in the URL.
	f("mozi", "en", "Mozilla, Corporation", want("Wikipedia - Mozilla, Corporation", "https://en.wikipedia.org/wiki/Mozilla%2C_Corporation", "mozilla"))
	// test_provider.py's non-ASCII title; '/' stays, as quote's default safe set says.
	f("foØ", "en", "foØ bÅr", want("Wikipedia - foØ bÅr", "https://en.wikipedia.org/wiki/fo%C3%98_b%C3%85r", "foø"))
	f("ac", "en", "AC/DC", want("Wikipedia - AC/DC", "https://en.wikipedia.org/wiki/AC/DC", "ac/dc"))
	// A title with quotes and a dot segment, which pydantic resolves.
	f("x", "en", `X "y"`, want(`Wikipedia - X "y"`, "https://en.wikipedia.org/wiki/X_%22y%22", "x"))
	f("..", "en", "..", want("Wikipedia - ..", "https://en.wikipedia.org/", ".."))
}

func TestBestKeyword(t *testing.T) {
	f := func(q, title, want string) {
		t.Helper()
		if got := bestKeyword(q, string(pystr.AppendLower(nil, title))); got != want {
			t.Errorf("bestKeyword(%q, %q) = %q, want %q", q, title, got, want)
		}
	}
	f("mozi", "Mozilla, Corporation", "mozilla")
	f("  MOZI  ", "Mozilla, Corporation", "mozilla")
	f("food f", "No Food Forgiveness", "food forgiveness")
	f("zzz", "Food", "food")
	f("", "Food for Thought", "food for thought")
	f("food", "Food!? ", "food")
	f("for", "Food for Thought", "for")
	f("thought", "Food for Thought", "thought")
	f("i̇s", "İstanbul", "i̇stanbul")
	f("σοφ", "ΣΟΦΟΣ", "σοφος")
}

func TestQuoteMatchesPython(t *testing.T) {
	for _, s := range []string{"Food", "Mozilla, Corporation", "Matière à réflexion", "AC/DC", "a+b=c?d#e&f%g", "~_.-", "日本語", "\x7f"} {
		want := httpurl.Quote(strings.ReplaceAll(s, " ", "_"), "/")
		if got := string(appendQuoted(nil, s)); got != want {
			t.Errorf("quote(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestPickLanguage(t *testing.T) {
	p := newTestProvider(Settings{})
	f := func(want string, tags ...string) {
		t.Helper()
		i := p.pick(tags)
		got := ""
		if i >= 0 {
			got = p.langs[i].code
		}
		if got != want {
			t.Errorf("pick(%q) = %q, want %q", tags, got, want)
		}
	}
	f("en", "en-US")
	f("fr", "fr-CA", "en")
	f("de", "es-ES", "DE-at")
	f("en", "es", "ja")
	f("en")
	f("en", "*")
	f("fr", "en_US", "fr") // merino-py splits on '-' only: "en_us" is no language, "fr" is
	f("pl", "PL")
	// A provider without "en" serves nothing for unsupported languages.
	q := newTestProvider(Settings{Languages: []string{"fr"}})
	if i := q.pick([]string{"es"}); i != -1 {
		t.Errorf("pick without en = %d", i)
	}
}

// buildIndex writes an index of titles (weights in order, heaviest first) and opens it.
func buildIndex(t testing.TB, dir, lang string, titles ...string) *fulltext.Index {
	t.Helper()
	b, err := fulltext.NewBuilder(dir, lang, fulltext.BuildOptions{Fulltext: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, title := range titles {
		if err := b.Add(fulltext.Doc{Title: title, OpeningText: "About " + title + ".", Weight: uint32(1000 - i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Commit(context.Background(), "test"); err != nil {
		t.Fatal(err)
	}
	ix, err := fulltext.Open(dir, fulltext.OpenOptions{Fulltext: true})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func query(t testing.TB, p suggest.Provider, q string, langs ...string) []string {
	t.Helper()
	if len(langs) == 0 {
		langs = []string{"en-US"}
	}
	out, err := p.Query(context.Background(), &suggest.Request{Query: q, Languages: langs}, nil)
	if err != nil {
		t.Fatalf("Query(%q): %v", q, err)
	}
	var got []string
	for _, s := range out {
		got = append(got, encode(s))
	}
	return got
}

func titlesOf(t testing.TB, p suggest.Provider, q string, langs ...string) string {
	t.Helper()
	var got []string
	for _, j := range query(t, p, q, langs...) {
		i := strings.Index(j, " - ")
		got = append(got, j[i+3:strings.Index(j, `","url"`)])
	}
	return strings.Join(got, "|")
}

func TestQueryCompletion(t *testing.T) {
	dir := t.TempDir()
	p := newTestProvider(Settings{MaxSuggestions: 3, TitleBlocklist: []string{"Unsafe_content", "BLOCKED"}})
	p.Swap("en", buildIndex(t, filepath.Join(dir, "enwiki"), "en", "Food", "Unsafe Content", "Food for Thought", "Food Fortune", "Dog food", "Blocked", "Foodie", "Mozilla, Corporation", "C++", "Ελλάς"))
	p.Swap("fr", buildIndex(t, filepath.Join(dir, "frwiki"), "fr", "Nourriture", "Nourriture pour chien", "Matière à réflexion"))
	defer p.Close()
	f := func(q, lang, want string) {
		t.Helper()
		if got := titlesOf(t, p, q, lang); got != want {
			t.Errorf("%q (%s): %q, want %q", q, lang, got, want)
		}
	}
	f("foO", "en", "Food|Food for Thought|Food Fortune")   // weight order, max_suggestions 3
	f("food f", "en", "Food for Thought|Food Fortune")     // multi-word prefix
	f("FOOD   FOR", "en", "Food for Thought|Food Fortune") // analysed like the title
	f("food for ", "en", "Food for Thought|Food Fortune")  // a trailing space is no token
	f("dog", "en", "Dog food")
	f("og food", "en", "") // contains but does not start with
	f("unsafe", "en", "")  // blocked (bare title, '_' as space, any case)
	f("block", "en", "")
	f("mozilla corp", "en", "Mozilla, Corporation") // ',' is a word break
	f("c++", "en", "C++")
	f("ελ", "en", "Ελλάς")
	f("ΕΛΛ", "en", "Ελλάς")
	f("nour", "fr-FR", "Nourriture|Nourriture pour chien")
	f("mati", "fr", "Matière à réflexion")
	f("food", "de", "")                                                // no de index: nothing, not en
	for _, q := range []string{"", " ", "-", "''", ",,", "_-", "- "} { // no token: nothing
		f(q, "en", "")
		f(q, "fr", "")
	}
	f(" foo", "en", "Food|Food for Thought|Food Fortune")
	f("food", "es", "Food|Food for Thought|Food Fortune")
	// Whole objects for one language each.
	if got := query(t, p, "nourriture p", "fr"); len(got) != 1 || got[0] != want("Wikipédia - Nourriture pour chien", "https://fr.wikipedia.org/wiki/Nourriture_pour_chien", "nourriture pour") {
		t.Errorf("nourriture p: %q", got)
	}
	// Hostile queries: Bleve syntax, long, invalid UTF-8, control characters.
	for _, q := range []string{`+foo -bar* ~1 "x" title:y`, strings.Repeat("ü", 500), "\xff\xfe", "a\x00b", strings.Repeat("a ", 300), "\u00a0\u3000"} {
		query(t, p, q, "en")
	}
}

func TestQueryAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an index")
	}
	p := newTestProvider(Settings{})
	p.Swap("en", buildIndex(t, filepath.Join(t.TempDir(), "enwiki"), "en", "Food", "Foodie"))
	defer p.Close()
	req := &suggest.Request{Query: "foo", Languages: []string{"en-US"}}
	dst := make([]suggest.Suggestion, 0, 4)
	allocs := testing.AllocsPerRun(100, func() {
		dst, _ = p.Query(context.Background(), req, dst[:0])
	})
	// One allocation: the rendered head and the lower-cased title of the one suggestion.
	if allocs > 1 {
		t.Errorf("%v allocations per query, want 1", allocs)
	}
}

// A missing language index serves nothing, and the provider does not fail.
func TestMissingIndex(t *testing.T) {
	p := newTestProvider(Settings{})
	if got := query(t, p, "food"); len(got) != 0 {
		t.Errorf("got %q", got)
	}
	if err := p.Swap("xx", nil); err != ErrUnknownLanguage {
		t.Errorf("Swap(xx) = %v", err)
	}
}

func TestFallback(t *testing.T) {
	p := newTestProvider(Settings{Fallback: true})
	p.Swap("en", buildIndex(t, filepath.Join(t.TempDir(), "enwiki"), "en", "Alabama", "Alaska", "Anarchism"))
	defer p.Close()
	if p.Inline() {
		t.Error("a provider with the fallback runs inline")
	}
	f := func(q, want string) {
		t.Helper()
		if got := titlesOf(t, p, q); got != want {
			t.Errorf("%q: %q, want %q", q, got, want)
		}
	}
	f("alabama", "Alabama") // the completion answers first
	f("albama", "Alabama")  // a typo: the fallback
	f("alxxka", "")         // two edits: nothing
	f("abou", "")           // "about" in every text, but "abou" is a prefix, not a word
	f("alb", "")            // under 4 characters: no fallback
	if got := query(t, p, "albama"); len(got) != 1 || got[0] != want("Wikipedia - Alabama", "https://en.wikipedia.org/wiki/Alabama", "alabama") {
		t.Errorf("albama: %q", got)
	}
	// Off by default: merino-py's behaviour.
	q := newTestProvider(Settings{})
	q.Swap("en", buildIndex(t, filepath.Join(t.TempDir(), "enwiki"), "en", "Alabama"))
	defer q.Close()
	if !q.Inline() || titlesOf(t, q, "albama") != "" {
		t.Error("the fallback answered while off")
	}
}

func TestCircuitBreaker(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2025, 4, 11, 0, 0, 0, 0, time.UTC).UnixNano())
	w := newTestProvider(Settings{Fallback: true})
	b := breaker.New(10, 30*time.Second, func() time.Time { return time.Unix(0, now.Load()) })
	p := breaker.Wrap(w, b, nil)
	dir := t.TempDir()
	broken := buildIndex(t, filepath.Join(dir, "a"), "en", "Alabama")
	broken.Close() // every fallback search on it now fails
	w.Swap("en", broken)
	req := &suggest.Request{Query: "enki", Languages: []string{"en"}}
	for i := 0; i < 10; i++ {
		if _, err := p.Query(context.Background(), req, nil); err == nil {
			t.Fatalf("query %d on a closed index did not fail", i)
		}
	}
	if !b.Open() {
		t.Fatal("the breaker did not open after 10 failures")
	}
	// Open: answers nothing, no error, the index is not touched.
	for i := 0; i < 10; i++ {
		if out, err := p.Query(context.Background(), req, nil); err != nil || len(out) != 0 {
			t.Fatalf("open breaker: %v, %v", out, err)
		}
	}
	// Half-open after the recover timeout; a success closes it.
	now.Add(int64(31 * time.Second))
	w.Swap("en", buildIndex(t, filepath.Join(dir, "b"), "en", "Enki"))
	defer w.Close()
	if got := titlesOf(t, p, "enki"); got != "Enki" {
		t.Fatalf("half-open: %q", got)
	}
	if b.Open() || b.Failures() != 0 {
		t.Fatal("the breaker did not close")
	}
}

// Queries running while indexes are swapped never fail and never mix two snapshots: with
// max_suggestions 2, both titles always come from the same index.
func TestHotSwapWhileQuerying(t *testing.T) {
	dir := t.TempDir()
	p := newTestProvider(Settings{MaxSuggestions: 2, Fallback: true})
	gens := 6
	indexes := make([]*fulltext.Index, gens)
	for g := range indexes {
		indexes[g] = buildIndex(t, filepath.Join(dir, fmt.Sprint(g)), "en", fmt.Sprintf("Gen%d one", g), fmt.Sprintf("Gen%d two", g))
	}
	p.Swap("en", indexes[0])
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var bad atomic.Value
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			q := "gen"
			if w%2 == 1 {
				q = "gene one" // no prefix match: the fallback searches Bleve
			}
			for {
				select {
				case <-stop:
					return
				default:
				}
				out, err := p.Query(context.Background(), &suggest.Request{Query: q, Languages: []string{"en"}}, nil)
				if err != nil {
					bad.Store(err.Error())
					return
				}
				// "Wikipedia - GenN ...": the generation is at the same offset in both.
				if len(out) == 2 && string(out[0].Head[22:26]) != string(out[1].Head[22:26]) {
					bad.Store(fmt.Sprintf("mixed snapshot: %s / %s", out[0].Head, out[1].Head))
					return
				}
			}
		}(w)
	}
	for g := 1; g < gens; g++ {
		time.Sleep(5 * time.Millisecond)
		p.Swap("en", indexes[g])
	}
	close(stop)
	wg.Wait()
	if b := bad.Load(); b != nil {
		t.Fatal(b)
	}
	if got := titlesOf(t, p, "gen"); got != fmt.Sprintf("Gen%d one|Gen%d two", gens-1, gens-1) {
		t.Errorf("after the swaps: %q", got)
	}
	// Every replaced index was closed once its queries finished.
	for g := 0; g < gens-1; g++ {
		if _, err := indexes[g].Search(context.Background(), nil, "gene one", 1); err == nil {
			t.Errorf("index %d is still open", g)
		}
	}
	p.Close()
	if _, err := indexes[gens-1].Search(context.Background(), nil, "gene one", 1); err == nil {
		t.Error("the last index is still open after Close")
	}
}
