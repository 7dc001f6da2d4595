package domains

import "testing"

// The fixture of merino-py's top_picks tests: rank order, similars as given.
func fixture() *Index {
	b := NewBuilder(Options{QueryCharLimit: 4, FirefoxCharLimit: 2})
	b.Add("example", []string{"exxample", "exampple", "eexample"})                          // 0
	b.Add("firefox", []string{"firefoxx", "foyerfox", "fiirefox", "firesfox", "firefoxes"}) // 1
	b.Add("mozilla", []string{"mozzilla", "mozila"})                                        // 2
	b.Add("abc", []string{"aa", "ab", "acb", "acbc", "aecbc"})                              // 3
	b.Add("pineapple", []string{"pineappel", "pinnapple", "pineapple"})                     // 4
	return b.Build()
}

func TestLookup(t *testing.T) {
	idx := fixture()
	f := func(q string, want int32) {
		t.Helper()
		id, ok := idx.Lookup([]byte(q))
		if want < 0 {
			if ok {
				t.Errorf("%q: got %d, want no match", q, id)
			}
			return
		}
		if !ok || id != want {
			t.Errorf("%q: got %d %v, want %d", q, id, ok, want)
		}
	}
	f("exam", 0)
	f("example", 0)
	f("exxa", 0)     // secondary: a similar's prefix
	f("exampple", 0) // a whole similar
	f("fire", 1)
	f("firefoxes", 1) // query_max grows with the longest similar
	f("mozi", 2)
	f("mozil", 2)
	// Short domains: every prefix from firefox_char_limit, and short similars.
	f("ab", 3)
	f("abc", 3)
	f("aa", 3)
	f("acb", 3)
	f("acbc", 3) // a long similar of a short domain: secondary
	f("aecb", 3)
	f("pine", 4)
	f("pinnapple", 4)
	// No match: shorter than firefox_char_limit, short prefix of a long domain, past query_max.
	f("a", -1)
	f("ex", -1)
	f("exa", -1)
	f("mo", -1)
	f("mozzarella", -1)
	f("supercalifragilisticexpialidocious", -1)
	f("", -1)
	if idx.Len() != 5 || idx.QueryMax() != 9 {
		t.Errorf("Len %d QueryMax %d", idx.Len(), idx.QueryMax())
	}
}

// The first domain added wins a shared key, as merino-py's lists answer with their first id.
func TestFirstWins(t *testing.T) {
	b := NewBuilder(Options{QueryCharLimit: 4, FirefoxCharLimit: 2})
	b.Add("amazon", nil)
	b.Add("amazonaws", []string{"amazn"})
	b.Add("amaz", nil)
	idx := b.Build()
	for q, want := range map[string]int32{"amaz": 0, "amazo": 0, "amazona": 1, "amazn": 1} {
		if id, ok := idx.Lookup([]byte(q)); !ok || id != want {
			t.Errorf("%q: got %d %v, want %d", q, id, ok, want)
		}
	}
}

// Lengths are code points, as Python's len().
func TestUnicodeLengths(t *testing.T) {
	b := NewBuilder(Options{QueryCharLimit: 4, FirefoxCharLimit: 2})
	b.Add("größe", nil)
	b.Add("日本", nil)
	idx := b.Build()
	for q, want := range map[string]int32{"größ": 0, "größe": 0, "日本": 1} {
		if id, ok := idx.Lookup([]byte(q)); !ok || id != want {
			t.Errorf("%q: got %d %v, want %d", q, id, ok, want)
		}
	}
	if _, ok := idx.Lookup([]byte("grö")); ok {
		t.Errorf("a 3-code-point prefix of a 5-code-point domain must not match")
	}
}

func TestLookupAllocs(t *testing.T) {
	idx := fixture()
	q := []byte("exam")
	if n := testing.AllocsPerRun(100, func() { idx.Lookup(q) }); n != 0 {
		t.Errorf("Lookup allocates %v times", n)
	}
}

func BenchmarkLookup(b *testing.B) {
	idx := fixture()
	qs := [][]byte{[]byte("exam"), []byte("ab"), []byte("exxa"), []byte("nothing")}
	b.ReportAllocs()
	var sink int32
	for i := 0; b.Loop(); i++ {
		id, _ := idx.Lookup(qs[i%len(qs)])
		sink += id
	}
	_ = sink
}
