package keywords

import (
	"slices"
	"strings"
	"testing"
)

type rec struct {
	kws  []string
	full []FullKeyword
}

func build(t testing.TB, recs ...rec) *Index {
	t.Helper()
	b := NewBuilder()
	for _, r := range recs {
		b.Add(r.kws, r.full)
	}
	return b.Build(Options{})
}

func fk(pairs ...any) []FullKeyword {
	var out []FullKeyword
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, FullKeyword{pairs[i].(string), uint64(pairs[i+1].(int))})
	}
	return out
}

// losPollos and lasagna are moz-merino-ext's tests/amp/test_amp.py records.
var (
	losPollos = rec{
		[]string{"lo", "los", "los p", "los pollos", "los pollos h", "los pollos hermanos"},
		fk("los pollos", 4, "los pollos hermanos", 2),
	}
	lasagna = rec{
		[]string{"la", "las", "lasa", "lasagna", "lasagna come out tomorrow"},
		fk("lasagna", 3, "lasagna come out tomorrow", 2),
	}
	// usDesktop is merino-py's conftest us_desktop record.
	usDesktop = rec{
		[]string{"firefox", "firefox account", "firefox accounts", "mozilla", "mozilla firefox", "mozilla firefox account", "mozilla firefox accounts"},
		fk("firefox accounts", 3, "mozilla firefox accounts", 4),
	}
	deMobile = rec{
		[]string{"firefox", "firefox account", "firefox accounts", "firefox accounts de", "mozilla", "mozilla firefox", "mozilla firefox account", "mozilla firefox accountsmozilla firefox accounts de"},
		fk("firefox accounts de", 4, "mozilla firefox accounts de", 5),
	}
)

func TestLookup(t *testing.T) {
	ix := build(t, losPollos, lasagna)
	f := func(q string, wantOK bool, wantSugg uint32, wantFull string) {
		t.Helper()
		h, ok := ix.Lookup([]byte(q))
		if ok != wantOK || (ok && (h.Suggestion != wantSugg || h.FullKeyword != wantFull)) {
			t.Errorf("Lookup(%q) = %+v, %v; want %d %q %v", q, h, ok, wantSugg, wantFull, wantOK)
		}
	}
	// test_query_index: every keyword finds its record. Collapsed runs report the full keyword
	// of the run's last element: "lo" → "los" run (lo, los) ends in "los" whose full keyword is
	// "los pollos"; "los p" runs alone; "la".."lasa" run ends at "lasa" ("lasagna" is +3).
	f("lo", true, 0, "los pollos")
	f("los", true, 0, "los pollos")
	f("los p", true, 0, "los pollos")
	f("los pollos", true, 0, "los pollos")
	f("los pollos h", true, 0, "los pollos hermanos")
	f("los pollos hermanos", true, 0, "los pollos hermanos")
	f("la", true, 1, "lasagna")
	f("las", true, 1, "lasagna")
	f("lasa", true, 1, "lasagna")
	// The RLE gives "lasagna" (the 4th keyword) the full keyword "lasagna come out tomorrow".
	f("lasagna", true, 1, "lasagna come out tomorrow")
	f("lasagna come out tomorrow", true, 1, "lasagna come out tomorrow")
	f("a missing keyword", false, 0, "")
	f("l", false, 0, "") // shorter than every run's first keyword
	f("los pollos hermanos!", false, 0, "")
	// Not in the keyword list, but a prefix of a collapsed key within its run: the Rust scan
	// answers it only when the run covers that length, which it never does for a non-keyword.
	f("los po", false, 0, "")
}

// TestCollapseQuirk is the example: keywords typed as prefixes run on into the domain,
// so the whole run reports the domain as its full keyword even where MARS said "amazon".
func TestCollapseQuirk(t *testing.T) {
	ix := build(t, rec{
		[]string{"am", "ama", "amaz", "amazo", "amazon", "amazon.", "amazon.c", "amazon.co", "amazon.com"},
		fk("amazon", 5, "amazon.com", 4),
	})
	for _, q := range []string{"am", "amaz", "amazon", "amazon.c", "amazon.com"} {
		h, ok := ix.Lookup([]byte(q))
		if !ok || h.FullKeyword != "amazon.com" {
			t.Errorf("Lookup(%q) = %+v, %v; want amazon.com", q, h, ok)
		}
	}
	if _, ok := ix.Lookup([]byte("a")); ok {
		t.Error(`Lookup("a") matched below the run's first length`)
	}
	if ix.Len() != 1 {
		t.Errorf("Len = %d, want 1 collapsed key", ix.Len())
	}
}

func TestStatsMatchMerinoPy(t *testing.T) {
	// merino-py tests/unit/providers/suggest/adm/test_provider.py::test_initialize.
	f := func(r rec, keys, full, fuzzy, deletes int) {
		t.Helper()
		st := build(t, r).Stats()
		if st.KeywordIndexSize != keys || st.FullKeywords != full || st.FuzzyKeywords != fuzzy || (deletes >= 0 && st.DeleteIndexSize != deletes) || st.DeleteIndexSize == 0 {
			t.Errorf("stats = %+v; want keys %d full %d fuzzy %d deletes %d", st, keys, full, fuzzy, deletes)
		}
	}
	f(usDesktop, 5, 2, 2, 39)
	f(deMobile, 7, 2, 2, 45)
	// moz-merino-ext index.rs test_stats: the los pollos record alone.
	f(rec{[]string{"los", "los p", "los pollos", "los pollos h", "los pollos hermanos"}, fk("los pollos", 4, "los pollos hermanos", 2)}, 5, 2, 2, -1)
}

func TestNoFullKeywordsNoKeys(t *testing.T) {
	// serde's default for a missing full_keywords is [], and the zip keeps nothing.
	ix := build(t, rec{kws: []string{"hello", "world"}})
	if ix.Len() != 0 {
		t.Fatalf("Len = %d, want 0", ix.Len())
	}
	// A short RLE truncates the keywords.
	ix = build(t, rec{[]string{"a1", "b1", "c1"}, fk("a1", 1, "b1", 1)})
	if _, ok := ix.Lookup([]byte("c1")); ok {
		t.Error("c1 matched beyond the full keywords")
	}
	// A huge repeat count is not expanded past the keywords.
	ix = build(t, rec{[]string{"ab"}, fk("ab", 1<<62)})
	if _, ok := ix.Lookup([]byte("ab")); !ok {
		t.Error("ab not found")
	}
}

func TestLaterRecordOverwrites(t *testing.T) {
	ix := build(t, rec{[]string{"shoes"}, fk("shoes", 1)}, rec{[]string{"shoes"}, fk("shoes online", 1)})
	h, ok := ix.Lookup([]byte("shoes"))
	if !ok || h.Suggestion != 1 || h.FullKeyword != "shoes online" {
		t.Fatalf("got %+v %v", h, ok)
	}
}

func TestFuzzy(t *testing.T) {
	ix := build(t, losPollos, lasagna)
	f := func(q string, want ...string) {
		t.Helper()
		var got []string
		for _, h := range ix.Fuzzy([]byte(q), nil) {
			got = append(got, h.FullKeyword)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Fuzzy(%q) = %q, want %q", q, got, want)
		}
	}
	f("los pollos hermanas", "los pollos hermanos") // substitution
	f("los pollos hermanos")                        // exact is not a fuzzy candidate
	f("zzzzzzzz")
	// The candidate is the full keyword "lasagna", whose own lookup reports the keyword's
	// full keyword.
	f("lasgna", "lasagna come out tomorrow")   // a letter missing from the query
	f("lasaagna", "lasagna come out tomorrow") // a letter too many
	f("lasagan", "lasagna come out tomorrow")  // transposition
	f("lasa")                                  // shorter than FUZZY_MIN_LEN
	f("los polos", "los pollos")               // one missing letter
	f("los pollos hermanosxx")                 // distance 2
	f("los pollo hermanos", "los pollos hermanos")
}

func TestSymMatchesSymSpell(t *testing.T) {
	// sym.rs tests: build_and_query_all_edit_types and friends.
	ix := NewBuilder()
	ix.Add(nil, fk("fragrance", 0, "switch", 0, "camera", 0, "cat", 0, "cats", 0))
	s := ix.Build(Options{}).sym
	f := func(q string, want ...string) {
		t.Helper()
		var got []string
		for _, id := range s.candidates([]byte(q), nil) {
			got = append(got, string(s.word(id)))
		}
		if !slices.Equal(got, want) {
			t.Errorf("candidates(%q) = %q, want %q", q, got, want)
		}
	}
	f("fragrence", "fragrance")
	f("swithc", "switch")
	f("cameras", "camera")
	f("camera")
	f("frag")
	f("zzzzz")
	if n := len(s.wordOffs) - 1; n != 3 {
		t.Errorf("fuzzy keywords = %d, want 3 (cat and cats are too short)", n)
	}
}

func TestEditDistanceOne(t *testing.T) {
	f := func(a, b string, want bool) {
		t.Helper()
		if got := editDistanceOne([]rune(a), []rune(b)); got != want {
			t.Errorf("editDistanceOne(%q, %q) = %v", a, b, got)
		}
	}
	f("fragrance", "fragrence", true)
	f("swich", "switch", true)
	f("switchh", "switch", true)
	f("swithc", "switch", true)
	f("switch", "switch", false)
	f("switch", "swap", false)
	f("abcd", "abxy", false)
	f("abcd", "adcb", false)
	f("world", "words", false)
	f("café", "cafe", true)
	f("abc", "axyc", false)
}

func TestDeleteHashesMatchStrings(t *testing.T) {
	// The O(1) deletion hashes must equal the hash of the deleted string itself.
	for _, w := range []string{"a", "ab", "abc", "committee", "café", "los pollos hermanos", strings.Repeat("xy", 40)} {
		rs := []rune(w)
		var got []uint64
		deleteHashes(rs, func(h uint64) { got = append(got, h) })
		want := []uint64{hashOf(rs)}
		for i := range rs {
			v := append(append([]rune(nil), rs[:i]...), rs[i+1:]...)
			want = append(want, hashOf(v))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: deletion hashes differ", w)
		}
	}
}

func hashOf(rs []rune) uint64 {
	var h uint64
	for _, r := range rs {
		h = h*hashBase + uint64(r)
	}
	return mix(h, len(rs))
}

func TestHostileInput(t *testing.T) {
	huge := strings.Repeat("k", 10<<20)
	b := NewBuilder()
	b.Add([]string{huge, "", "\xff\xfe"}, fk(huge, 1, "", 1, "\xff\xfe", 1))
	ix := b.Build(Options{})
	if h, ok := ix.Lookup([]byte(huge)); !ok || len(h.FullKeyword) != len(huge) {
		t.Error("a 10 MB keyword is not found exactly")
	}
	if st := ix.Stats(); st.FuzzyKeywords != 0 {
		t.Errorf("a 10 MB keyword entered the fuzzy index: %+v", st)
	}
	if _, ok := ix.Lookup(nil); !ok {
		t.Error(`the empty keyword is a key, as in the Rust BTreeMap; "" must find it`)
	}
	_ = ix.Fuzzy([]byte(huge[:600]), nil)
}
