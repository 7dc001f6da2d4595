package toppicks

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/index/domains"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/suggest"
)

var discard = slog.New(slog.DiscardHandler)

// indexOptions are merino-py's defaults for the top_picks provider.
var indexOptions = domains.Options{QueryCharLimit: 4, FirefoxCharLimit: 2}

const testScore = 0.25

func readFixture(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "top_picks.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseFixture(t *testing.T) {
	entries, err := Parse(readFixture(t), discard)
	if err != nil {
		t.Fatal(err)
	}
	// f builds the entry merino-py's fixture should give; categories nil means none.
	f := func(domain, title, url string, categories []int64, similars ...string) Entry {
		return Entry{
			Domain: domain, Similars: similars, Title: title, URL: url,
			Icon: "", HasIcon: true,
			Categories: categories, HasCategories: categories != nil,
			Servable: true,
		}
	}
	want := []Entry{
		// URLs are in pydantic HttpUrl form: an empty path becomes "/".
		f("example", "Example", "https://example.com/", []int64{0}, "exxample", "exampple", "eexample"),
		f("firefox", "Firefox", "https://firefox.com/", []int64{18}, "firefoxx", "foyerfox", "fiirefox", "firesfox", "firefoxes"),
		f("mozilla", "Mozilla", "https://mozilla.org/en-US/", []int64{18}, "mozzilla", "mozila"),
		f("abc", "Abc", "https://abc.test/", []int64{0}, "aa", "ab", "acb", "acbc", "aecbc"),
		f("baddomain", "BadDomain", "https://baddomain.test/", []int64{0}, "bad", "badd"),
		// pineapple has no serp_categories: the key is left out of its JSON.
		f("pineapple", "Pineapple", "https://pineapple.test/", nil, "pineappel", "pinnapple", "pineapple"),
	}
	if !reflect.DeepEqual(entries, want) {
		t.Fatalf("Parse(fixture) =\n%+v\nwant\n%+v", entries, want)
	}
}

// doc wraps records into a top picks document.
func doc(records ...string) []byte {
	return []byte(`{"domains":[` + strings.Join(records, ",") + `]}`)
}

// rec is a complete, servable record; extra keys (given as `"key":value` pairs) override
// the defaults, since the last duplicate key wins in encoding/json.
func rec(domain string, extra ...string) string {
	fields := []string{
		`"rank":1`, `"domain":` + quote(domain), `"title":` + quote(domain+" title"),
		`"url":` + quote("https://"+domain+".test"), `"icon":"https://icons.test/` + domain + `.png"`,
		`"serp_categories":[0]`, `"source":"top-picks"`, `"similars":[]`,
	}
	return "{" + strings.Join(append(fields, extra...), ",") + "}"
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestParseNormalisesDomain(t *testing.T) {
	entries, err := Parse(doc(rec("x", `"domain":"  ExAmple\t"`)), discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Domain != "example" {
		t.Fatalf("Parse gave %+v, want the domain stripped and lower-cased to \"example\"", entries)
	}
}

func TestParseSkipsOtherSources(t *testing.T) {
	entries, err := Parse(doc(
		rec("custom", `"source":"custom-domains"`),
		rec("kept"),
		rec("nosource", `"source":null`),
		// Records of other sources are skipped before they are checked: merino-py's dev
		// data has no "source" at all, and a missing key there is not an error.
		`{"domain":"partial","source":"custom-domains"}`,
		`{"domain":"nokey"}`,
		rec("number", `"source":1`),
	), discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Domain != "kept" {
		t.Fatalf("Parse gave %+v, want only the top-picks record", entries)
	}
}

func TestParseErrors(t *testing.T) {
	// f checks that data is refused as a whole with an error holding every one of want.
	f := func(data string, want ...string) {
		t.Helper()
		entries, err := Parse([]byte(data), discard)
		if err == nil {
			t.Fatalf("Parse(%q) = %+v, want an error", data, entries)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Fatalf("Parse(%q) error %q does not mention %q", data, err, w)
			}
		}
	}
	f("", "not a top picks document")       // a 0-byte body
	f("\n  \n", "not a top picks document") // an empty file
	f("not json", "not a top picks document")
	f(`[]`, "not a top picks document")
	f(`[{"domains":[]}]`, "not a top picks document")
	f(`"domains"`, "not a top picks document")
	f(`{}`, `no "domains" list`)
	f(`null`, `no "domains" list`)
	f(`{"domains":[{"domain":null,"title":"t","url":"https://t.test","icon":"","source":"top-picks"}]}`, `"domain" must be a string`)
	f(`{"domains":null}`, `no "domains" list`)
	f(`{"domains":{}}`, "not a top picks document")
	f(`{"domains":[1]}`, "not a top picks document")
	f(`{"domains":[]`, "not a top picks document")
	f(`{"domains":[]} x`, "trailing data")
	f(`{"domains":[]}{}`, "trailing data")
	f(`{"domains":[]}}`, "trailing data")
	f(`{"domains":[]}]`, "trailing data")
	f(`{"domains":[]},`, "trailing data")

	// A required key missing from a top-picks record fails the whole document, as the
	// KeyError does in merino-py; the error points at the record.
	for _, key := range []string{"domain", "title", "url", "icon"} {
		r := map[string]any{}
		if err := json.Unmarshal([]byte(rec("second")), &r); err != nil {
			t.Fatal(err)
		}
		delete(r, key)
		b, _ := json.Marshal(r)
		f(string(doc(rec("first"), string(b))), "domains[1]", `missing "`+key+`"`)
	}
	f(string(doc(rec("x", `"domain":5`))), "domains[0]", `"domain" must be a string`)
	f(string(doc(rec("x", `"domain":["x"]`))), "domains[0]", `"domain" must be a string`)
	f(string(doc(rec("x", `"similars":"xx"`))), "domains[0]", `"similars" must be a list`)
	f(string(doc(rec("x", `"similars":{"a":1}`))), "domains[0]", `"similars" must be a list`)
	f(string(doc(rec("x", `"similars":[1]`))), "domains[0]", `"similars" must be a list`)
}

// newProvider returns a provider loaded with data through Loader.
func newProvider(t *testing.T, data []byte, blocklist ...string) *Provider {
	t.Helper()
	p := New(Settings{Base: suggest.Base{Name: "top_picks", Score: testScore, EnabledByDefault: true, QueryTimeout: time.Second},
		Index: indexOptions, DomainBlocklist: blocklist})
	if _, err := Loader(p, discard)(data); err != nil {
		t.Fatal(err)
	}
	return p
}

// answer returns what p answers for q: "" for nothing, else the suggestion's JSON as the
// server writes it (head, score, tail).
func answer(t testing.TB, p *Provider, q string) string {
	t.Helper()
	out, err := p.Query(context.Background(), &suggest.Request{Query: q}, nil)
	if err != nil {
		t.Fatalf("Query(%q): %v", q, err)
	}
	switch len(out) {
	case 0:
		return ""
	case 1:
	default:
		t.Fatalf("Query(%q) gave %d suggestions, want at most one", q, len(out))
	}
	var b []byte
	b = append(b, out[0].Head...)
	b = jsonw.AppendFloat(b, out[0].Score)
	b = append(b, out[0].Tail...)
	if !json.Valid(b) {
		t.Fatalf("Query(%q) rendered invalid JSON: %s", q, b)
	}
	return string(b)
}

// title returns the title p answers for q, "" for nothing.
func title(t testing.TB, p *Provider, q string) string {
	t.Helper()
	js := answer(t, p, q)
	if js == "" {
		return ""
	}
	var s struct{ Title string }
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		t.Fatal(err)
	}
	return s.Title
}

func TestLoaderFixture(t *testing.T) {
	p := New(Settings{Base: suggest.Base{Name: "top_picks", Score: testScore}, Index: indexOptions})
	n, err := Loader(p, discard)(readFixture(t))
	if err != nil || n != 6 {
		t.Fatalf("Loader(fixture) = %d, %v; want 6 domains", n, err)
	}

	f := func(q, want string) {
		t.Helper()
		if got := answer(t, p, q); got != want {
			t.Fatalf("Query(%q) =\n%s\nwant\n%s", q, got, want)
		}
	}
	f("exam", `{"title":"Example","url":"https://example.com/","provider":"top_picks","is_sponsored":false,"score":0.25,"icon":"","categories":[0],"is_top_pick":true,"block_id":0}`)
	f("pineapple", `{"title":"Pineapple","url":"https://pineapple.test/","provider":"top_picks","is_sponsored":false,"score":0.25,"icon":"","is_top_pick":true,"block_id":0}`)

	g := func(q, want string) {
		t.Helper()
		if got := title(t, p, q); got != want {
			t.Fatalf("Query(%q) answers %q, want %q", q, got, want)
		}
	}
	g("  EXAM ", "Example")
	g("exxa", "Example") // a similar
	g("fire", "Firefox")
	g("firefoxes", "Firefox")
	g("mozi", "Mozilla")
	g("mozila", "Mozilla")
	g("moz", "") // short queries find only short domains
	g("ab", "Abc")
	g("aa", "Abc") // a short similar of a short domain
	g("abc", "Abc")
	g("pinn", "Pineapple")
	g("e", "")
	g("https://exam", "")
	g("nothing", "")
}

func TestLoaderUnservable(t *testing.T) {
	p := newProvider(t, doc(
		rec("notitle", `"title":null`),
		rec("ftpurl", `"url":"ftp://x"`),
		rec("health", `"serp_categories":[11]`),
		rec("badicon", `"icon":5`),
		rec("good"),
		// Shares "noti" with notitle, which comes first and takes it although it answers
		// nothing: merino-py indexes the record and fails only when serialising it.
		rec("notice"),
	))
	f := func(q, want string) {
		t.Helper()
		if got := title(t, p, q); got != want {
			t.Fatalf("Query(%q) answers %q, want %q", q, got, want)
		}
	}
	f("notitle", "")
	f("ftpurl", "")
	f("health", "")
	f("badicon", "")
	f("good", "good title")
	f("notice", "notice title")
	f("noti", "")
	if n := p.Snapshot().Len(); n != 6 {
		t.Fatalf("snapshot holds %d domains, want all 6 indexed", n)
	}

	entries, err := Parse(doc(rec("notitle", `"title":null`), rec("ftpurl", `"url":"ftp://x"`), rec("health", `"serp_categories":[11]`), rec("good")), discard)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{false, false, false, true} {
		if entries[i].Servable != want {
			t.Fatalf("%s: Servable = %v, want %v", entries[i].Domain, entries[i].Servable, want)
		}
	}
}

func TestLoaderBlocklist(t *testing.T) {
	f := func(blocklist []string, q, want string) {
		t.Helper()
		p := newProvider(t, readFixture(t), blocklist...)
		if got := title(t, p, q); got != want {
			t.Fatalf("blocklist %q: Query(%q) answers %q, want %q", blocklist, q, got, want)
		}
	}
	f([]string{"example"}, "exam", "")
	f([]string{"example"}, "example", "")
	f([]string{"example"}, "exxample", "") // its similars go with it
	f([]string{"example"}, "fire", "Firefox")
	f([]string{" EXAMPLE "}, "exam", "")   // compared normalised
	f([]string{"exam"}, "exam", "Example") // whole labels, not prefixes
	f(nil, "exam", "Example")

	p := newProvider(t, readFixture(t), "example", "firefox")
	if s := p.Snapshot(); s.Len() != 4 || s.Blocked != 2 {
		t.Fatalf("snapshot with two blocked domains: Len %d, Blocked %d; want 4, 2", s.Len(), s.Blocked)
	}
}

func TestLoaderKeepsSnapshot(t *testing.T) {
	p := newProvider(t, readFixture(t))
	good := p.Snapshot()
	p.DomainBlocklist = []string{"blocked"}
	apply := Loader(p, discard)

	// f checks that data is refused and that p still answers from the good snapshot.
	f := func(data []byte, empty bool) {
		t.Helper()
		n, err := apply(data)
		if err == nil {
			t.Fatalf("Loader(%q) = %d, want an error", data, n)
		}
		if got := errors.Is(err, loaders.ErrEmpty); got != empty {
			t.Fatalf("Loader(%q) error %q: errors.Is(ErrEmpty) = %v, want %v", data, err, got, empty)
		}
		if p.Snapshot() != good {
			t.Fatalf("Loader(%q) failed but replaced the snapshot", data)
		}
		if got := title(t, p, "exam"); got != "Example" {
			t.Fatalf("after Loader(%q) failed, Query(\"exam\") answers %q", data, got)
		}
	}
	f([]byte("not json"), false)
	f(nil, false)
	f(doc(rec("x"), `{"domain":"y","source":"top-picks"}`), false)
	// Data that parses but serves nothing is refused too: an empty index never replaces
	// a good one.
	f([]byte(`{"domains":[]}`), true)
	f(doc(rec("custom", `"source":"custom-domains"`), rec("other", `"source":"other"`)), true)
	f(doc(rec("blocked")), true)
}

// TestSyncerFileToProvider runs the real pieces together: a file source, a Syncer and this
// Loader, through a good load, an empty file and a rewrite.
func TestSyncerFileToProvider(t *testing.T) {
	path := filepath.Join(t.TempDir(), "top_picks.json")
	write := func(data []byte, mtime time.Time) {
		t.Helper()
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	write(nil, t0)

	src, err := loaders.NewSource(path, loaders.HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := New(Settings{Base: suggest.Base{Name: "top_picks", Score: testScore}, Index: indexOptions})
	s := loaders.NewSyncer("test-"+t.Name(), src, time.Hour, Loader(p, discard), discard)
	ctx := context.Background()

	if _, err := s.Sync(ctx); err == nil || s.Status().Loaded {
		t.Fatalf("Sync of an empty file = %v, loaded %v; want an error, not loaded", err, s.Status().Loaded)
	}
	write(readFixture(t), t0.Add(time.Minute))
	if ok, err := s.Sync(ctx); err != nil || !ok || !s.Status().Loaded {
		t.Fatalf("Sync of the fixture = %v, %v; want loaded", ok, err)
	}
	if got := title(t, p, "exam"); got != "Example" {
		t.Fatalf("Query(\"exam\") answers %q after loading the fixture", got)
	}
	write(doc(rec("example", `"title":"Example 2"`)), t0.Add(2*time.Minute))
	if ok, err := s.Sync(ctx); err != nil || !ok {
		t.Fatalf("Sync of the rewrite = %v, %v; want swapped", ok, err)
	}
	if got := title(t, p, "exam"); got != "Example 2" {
		t.Fatalf("Query(\"exam\") answers %q after the rewrite, want the new title", got)
	}
	if got := title(t, p, "fire"); got != "" {
		t.Fatalf("Query(\"fire\") answers %q after the rewrite dropped firefox", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(readFixture(f))
	f.Add([]byte(""))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"domains":[]}}`))
	f.Add(doc(rec("x", `"title":null`), rec("y", `"url":"ftp://x"`), rec("z", `"serp_categories":[11]`)))
	f.Add(doc(rec("ÉCOLE", `"similars":["écol\u0130","\u00e9","a\"b"]`, `"title":"a\u0000\"\\\u2028b"`)))
	f.Add(doc(rec("x", `"icon":null`, `"serp_categories":null`, `"similars":null`)))
	f.Add(doc(rec("x", `"url":"https://ex%41mple.com:443/a b?c#d"`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := Parse(data, discard)
		if err != nil {
			return
		}
		snap := NewSnapshot(entries, indexOptions, nil)
		if snap.Len() != len(entries) {
			t.Fatalf("snapshot holds %d domains, Parse gave %d", snap.Len(), len(entries))
		}
		p := New(Settings{Base: suggest.Base{Name: "top_picks", Score: testScore}})
		p.Store(snap)
		// Whatever each key answers must be valid JSON (answer checks); the answer may be
		// another entry's, since an earlier record takes a shared key.
		for _, e := range entries {
			answer(t, p, e.Domain)
			for _, s := range e.Similars {
				answer(t, p, s)
			}
		}
	})
}
