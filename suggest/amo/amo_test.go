package amo

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/suggest"
)

// golden is testdata/golden.json, written from merino-py's own add-on data (addons_data.py and
// the static backend's table, commit 690d625d) with pydantic 2.13.4: the expanded keyword index
// (key → slug) and each add-on's suggestion as /api/v1/suggest serialises it with the static
// backend, score 0.25, provider "amo".
type golden struct {
	Index       map[string]string `json:"index"`
	Suggestions map[string]string `json:"suggestions"`
}

func readGolden(t testing.TB) golden {
	t.Helper()
	data, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func newStatic(t testing.TB, id string, score float64, minChars int) *Provider {
	t.Helper()
	p, err := New(Settings{Base: suggest.Base{Name: id, Score: score, QueryTimeout: 200 * time.Millisecond}, MinChars: minChars}, Addons)
	if err != nil {
		t.Fatal(err)
	}
	p.Merge(StaticDetails(Addons))
	return p
}

func render(s suggest.Suggestion) string { return string(s.AppendJSON(nil)) }

func query(t testing.TB, p *Provider, q string) []suggest.Suggestion {
	t.Helper()
	out, err := p.Query(context.Background(), &suggest.Request{Query: q}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIndexMatchesMerinoPy(t *testing.T) {
	g := readGolden(t)
	got := map[string]string{}
	for k, i := range Index(Addons) {
		got[k] = Addons[i].Slug
	}
	if !maps.Equal(got, g.Index) {
		for k, v := range g.Index {
			if got[k] != v {
				t.Errorf("key %q: %q, merino-py %q", k, got[k], v)
			}
		}
		for k, v := range got {
			if _, ok := g.Index[k]; !ok {
				t.Errorf("key %q → %q is not in merino-py's index", k, v)
			}
		}
	}
	// The one key two add-ons share goes to the later one.
	if got["online"] != "read-aloud" || got["online "] != "read-aloud" || got["online m"] != "video-downloadhelper" {
		t.Errorf("online: %q, %q, %q", got["online"], got["online "], got["online m"])
	}
}

// merino-py's tests/unit/providers/suggest/amo/test_provider.py::test_reverse_and_expand_keywords.
func TestIndexExpansion(t *testing.T) {
	addons := []Addon{
		{Slug: "video-downloadhelper", Keywords: []string{"addon", "download helper"}},
		{Slug: "languagetool", Keywords: []string{"dictionary"}},
	}
	got := map[string]int{}
	maps.Copy(got, Index(addons))
	want := map[string]int{
		"addon": 0, "download": 0, "download ": 0, "download h": 0, "download he": 0, "download hel": 0,
		"download help": 0, "download helpe": 0, "download helper": 0, "dictionary": 1,
	}
	if !maps.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	// Prefixes are cut by code point and counted from the phrase's start, leading white space
	// included, as Python's phrase[:i] for i from len(first_word) does (checked in Python).
	got = Index([]Addon{{Keywords: []string{"  Ünï\tCode", "   "}}})
	keys := slices.Sorted(maps.Keys(got))
	if want := []string{"  ü", "  ün", "  ünï", "  ünï\t", "  ünï\tc", "  ünï\tco", "  ünï\tcod", "  ünï\tcode", "ünï"}; !slices.Equal(keys, want) {
		t.Errorf("got %q\nwant %q", keys, want)
	}
}

func TestRenderMatchesMerinoPy(t *testing.T) {
	g := readGolden(t)
	p := newStatic(t, "amo", 0.25, 4)
	if len(g.Suggestions) != len(Addons) {
		t.Fatalf("golden has %d add-ons, Addons %d", len(g.Suggestions), len(Addons))
	}
	s := p.snap.Load()
	for i, a := range Addons {
		got := render(suggest.Suggestion{Head: s.heads[i], Score: 0.25, Tail: s.tails[i]})
		if got != g.Suggestions[a.Slug] {
			t.Errorf("%s:\n got %s\nwant %s", a.Slug, got, g.Suggestions[a.Slug])
		}
	}
}

// The query cases of merino-py's amo tests (integration Case-I..III, unit min_chars and no
// match), plus normalisation and min_chars edges.
func TestQuery(t *testing.T) {
	g := readGolden(t)
	p := newStatic(t, "amo", 0.25, 4)
	f := func(q, slug string) {
		t.Helper()
		out := query(t, p, q)
		if slug == "" {
			if len(out) != 0 {
				t.Errorf("q=%q: got %s, want nothing", q, render(out[0]))
			}
			return
		}
		if len(out) != 1 || render(out[0]) != g.Suggestions[slug] || out[0].Provider != "amo" {
			t.Errorf("q=%q: got %d suggestions, want %s", q, len(out), slug)
			return
		}
	}
	f("night mo", "darkreader")
	f("nigh", "")
	f("NIghT", "darkreader")
	f("a", "")
	f("amazing", "")
	f("dark", "darkreader")
	f("  Dark Mode\t", "darkreader")
	f("dark mode ", "darkreader")
	f("dark mode x", "")
	f("dark  mode", "")
	f("DAR\u212a", "darkreader") // KELVIN SIGN lower-cases to k, in Python too
	f("dar", "")
	f("tts", "")  // a keyword, but shorter than min_chars
	f("clip", "") // not a prefix that reaches the first word
	f("clips", "video-downloadhelper")
	f("online", "read-aloud")
	f("online ", "read-aloud")
	f("online m", "video-downloadhelper")
	f("online r", "read-aloud")
	f("reverse image search", "search_by_image")
	f("spam", "private-relay")
	f("privacy badger", "privacy-badger17")
	f("text to speech", "read-aloud")
	f("language tool", "languagetool")
	f("ublock", "")
	f("ublock origin", "")
	f("", "")
	f("    ", "")

	short := newStatic(t, "addons", 0.3, 3)
	out := query(t, short, "TTS")
	if len(out) != 1 || out[0].Provider != "addons" || out[0].Score != 0.3 {
		t.Fatalf("min_chars 3, q=TTS: %v", out)
	}
	if got := render(out[0]); got[:60] != `{"title":"Read Aloud: A Text to Speech Reader","url":"https:` ||
		!contains(got, `"provider":"addons","is_sponsored":false,"score":0.3,`) {
		t.Errorf("id and score: %s", got)
	}
	if len(query(t, newStatic(t, "amo", 0.25, 5), "dark")) != 0 {
		t.Error("min_chars 5 answered a 4-letter query")
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// The dynamic backend's merge: an add-on without details answers nothing; a refresh that
// misses an add-on keeps its last details.
func TestMerge(t *testing.T) {
	p, err := New(Settings{Base: suggest.Base{Name: "amo", Score: 0.25}, MinChars: 4}, Addons)
	if err != nil {
		t.Fatal(err)
	}
	if len(query(t, p, "dark mode")) != 0 {
		t.Fatal("answered before any details")
	}
	d1 := Details{Icon: "https://this.is.image", Rating: "4.1", NumberOfRatings: 1234}
	if n := p.Merge(map[string]Details{"darkreader": d1, "no-such-addon": d1}); n != 1 {
		t.Errorf("Merge: %d add-ons, want 1", n)
	}
	out := query(t, p, "dark mode")
	want := `{"title":"Dark Reader","url":"https://addons.mozilla.org/en-US/firefox/addon/darkreader/","provider":"amo","is_sponsored":false,"score":0.25,` +
		`"description":"Get night mode for the entire internet. Adjust colors and reduce eye strain.","icon":"https://this.is.image",` +
		`"custom_details":{"amo":{"rating":"4.1","number_of_ratings":1234,"guid":"addon@darkreader.org"}},"is_top_pick":true}`
	if len(out) != 1 || render(out[0]) != want {
		t.Fatalf("got %v, want %s", out, want)
	}
	if len(query(t, p, "spam")) != 0 {
		t.Error("an add-on without details answered")
	}
	d2 := Details{Icon: "i2", Rating: "3.0", NumberOfRatings: 1}
	if n := p.Merge(map[string]Details{"private-relay": d2}); n != 2 {
		t.Errorf("Merge: %d add-ons, want 2", n)
	}
	if len(query(t, p, "spam")) != 1 || render(query(t, p, "dark mode")[0]) != want {
		t.Error("a second refresh lost the first one's details")
	}
	if got := p.Details(); len(got) != 2 || got["darkreader"] != d1 || got["private-relay"] != d2 {
		t.Errorf("Details: %v", got)
	}
}

func TestNewRejectsBadURL(t *testing.T) {
	if _, err := New(Settings{Base: suggest.Base{Name: "amo"}}, []Addon{{Slug: "x", URL: "not a url"}}); err == nil {
		t.Error("an invalid add-on URL was accepted")
	}
}

func TestProviderInterface(t *testing.T) {
	var _ suggest.Provider = (*Provider)(nil)
	p, _ := New(Settings{Base: suggest.Base{Name: "amo", QueryTimeout: time.Second, EnabledByDefault: true}}, Addons)
	if p.ID() != "amo" || p.Timeout() != time.Second || !p.Inline() || p.Availability() != suggest.EnabledByDefault || p.Validate(nil) != nil {
		t.Error("interface methods")
	}
	p, _ = New(Settings{Base: suggest.Base{Name: "amo"}}, Addons)
	if p.Availability() != suggest.DisabledByDefault {
		t.Error("availability")
	}
}

func FuzzQuery(f *testing.F) {
	p := newStatic(f, "amo", 0.25, 4)
	for _, q := range []string{"dark mode", "İİİİ", "online ", "\u212a", "\xff\xfe", ""} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out, err := p.Query(context.Background(), &suggest.Request{Query: q}, nil)
		if err != nil || len(out) > 1 {
			t.Fatalf("%q: %v %v", q, out, err)
		}
		if len(out) == 1 && !json.Valid([]byte(render(out[0]))) {
			t.Fatalf("%q: invalid JSON", q)
		}
	})
}

func BenchmarkQuery(b *testing.B) {
	p := newStatic(b, "amo", 0.25, 4)
	qs := []string{"d", "da", "dar", "dark", "dark ", "dark m", "dark mo", "Dark Mode", "nothing here"}
	reqs := make([]suggest.Request, len(qs))
	for i, q := range qs {
		reqs[i].Query = q
	}
	dst := make([]suggest.Suggestion, 0, 4)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		dst, _ = p.Query(context.Background(), &reqs[i%len(reqs)], dst[:0])
	}
	if len(dst) > 1 {
		b.Fatal(len(dst))
	}
}
