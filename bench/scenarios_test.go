package main

import (
	"encoding/json"
	"errors"
	"net/url"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestPrefixes(t *testing.T) {
	f := func(q string, want ...string) {
		t.Helper()
		if got := prefixes(q); !reflect.DeepEqual(got, want) {
			t.Fatalf("prefixes(%q) = %q, want %q", q, got, want)
		}
	}
	f("")
	f("f", "f")
	f("fire", "f", "fi", "fir", "fire")
	f("fi re", "f", "fi", "fi r", "fi re") // "fi " is not sent
	f("a  b", "a", "a  b")
	f("trailing ", "t", "tr", "tra", "trai", "trail", "traili", "trailin", "trailing")
	f("café", "c", "ca", "caf", "café") // cut at runes, never inside é
	f("日本", "日", "日本")
}

func testCorpus() *corpus {
	return &corpus{
		queries:   []string{"how to make bread", "weather"},
		domains:   []string{"example", "mozilla"},
		wikipedia: []string{"albedo"},
		ipv4:      [2][]ipRange{{{lo: 0x01020300, hi: 0x010203ff}}, {{lo: 0x05060700, hi: 0x05060700}}},
		origin:    map[string]string{"amp": "missing: data/amp.json"},
	}
}

func TestStreamIsTypedPrefixesWithHeaders(t *testing.T) {
	c := testCorpus()
	sc, _ := findScenario("firefox")
	st, err := buildStream(sc, c, map[string]bool{"top_picks": true}, 2000, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.items) != 2000 {
		t.Fatalf("%d items, want 2000", len(st.items))
	}
	all := append(append(append([]string{}, c.queries...), c.domains...), c.wikipedia...)
	seqs := map[string]int{} // sid -> next seq
	for _, it := range st.items {
		u, err := url.Parse(it.uri)
		if err != nil || u.Path != "/api/v1/suggest" {
			t.Fatalf("bad uri %q: %v", it.uri, err)
		}
		v := u.Query()
		q := v.Get("q")
		ok := false
		for _, s := range all {
			ok = ok || (q != "" && strings.HasPrefix(s, q))
		}
		if !ok || v.Has("providers") {
			t.Fatalf("%q: q must be a prefix of a corpus entry and no providers sent by default", it.uri)
		}
		sid := v.Get("sid")
		if v.Get("seq") != strconv.Itoa(seqs[sid]) {
			t.Fatalf("%q: seq %s, want %d: keystrokes of one session must be in order", it.uri, v.Get("seq"), seqs[sid])
		}
		seqs[sid]++
		b := it.browser
		ip, _ := ipv4(b.forwardedFor)
		inRange := (ip >= 0x01020300 && ip <= 0x010203ff) || ip == 0x05060700
		if !strings.Contains(b.userAgent, "Firefox/") || b.acceptLanguage == "" || !inRange {
			t.Fatalf("browser %+v: want a Firefox UA, a language and an address from the ranges", b)
		}
	}
	// amp has no data and the server lists no accuweather: both noted, not fatal.
	if len(st.notes) != 2 || !strings.Contains(st.notes[0], "amp: skipped, no data") || !strings.Contains(st.notes[1], `"accuweather"`) {
		t.Fatalf("notes %q", st.notes)
	}
	again, _ := buildStream(sc, c, map[string]bool{"top_picks": true}, 2000, 7)
	if !reflect.DeepEqual(st.items[:50], again.items[:50]) {
		t.Fatal("the same seed must give the same stream")
	}
}

func TestProviderScenarios(t *testing.T) {
	c := testCorpus()
	f := func(name string, providers map[string]bool, wantErr string, wantParam string) {
		t.Helper()
		sc, err := findScenario(name)
		if err != nil {
			t.Fatal(err)
		}
		st, err := buildStream(sc, c, providers, 100, 1)
		if wantErr != "" {
			if !errors.Is(err, errSkip) || !strings.Contains(err.Error(), wantErr) {
				t.Fatalf("%s: err %v, want a skip saying %q", name, err, wantErr)
			}
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, it := range st.items {
			if !strings.Contains(it.uri, wantParam) {
				t.Fatalf("%s: %q lacks %q", name, it.uri, wantParam)
			}
		}
	}
	all := map[string]bool{"top_picks": true, "adm": true, "wikipedia": true, "accuweather": true}
	f("top_picks", all, "", "providers=top_picks")
	f("top_picks", map[string]bool{"adm": true}, `does not list provider "top_picks"`, "")
	f("wikipedia", all, "", "providers=wikipedia")
	f("weather", all, "", "providers=accuweather")
	f("weather", map[string]bool{}, `does not list provider "accuweather"`, "")
	f("adm", all, "no data (missing: data/amp.json)", "")
	f("queries", nil, "", "q=")
	if _, err := findScenario("nope"); err == nil {
		t.Fatal("an unknown scenario was found")
	}
}

func TestWeatherRequestsHaveAnEmptyQuery(t *testing.T) {
	sc, _ := findScenario("weather")
	st, err := buildStream(sc, testCorpus(), nil, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range st.items {
		if !strings.Contains(it.uri, "providers=accuweather") || !strings.Contains(it.uri, "&q=&") {
			t.Fatalf("weather request %q", it.uri)
		}
	}
}

func TestParsers(t *testing.T) {
	ips := parseIPRanges([]byte("Begin IP Address,End IP Address,Total Count\n1.2.3.0,1.2.3.255,256\nbad,line\n9.9.9.9,1.1.1.1,0\n\"5.6.7.0\",\"5.6.7.1\",2\n"))
	if !reflect.DeepEqual(ips, []ipRange{{0x01020300, 0x010203ff}, {0x05060700, 0x05060701}}) {
		t.Fatalf("ranges %v", ips)
	}
	kws, err := parseAMPKeywords([]byte(`[{"keywords":["am","ama","amazon"],"title":"Amazon"},{"x":{"keywords":["fo","foo bar"]}},{"keywords":[1,"amazon"]}]`))
	if err != nil || !reflect.DeepEqual(kws, []string{"amazon", "foo bar"}) {
		t.Fatalf("amp keywords %q, %v", kws, err)
	}
	if _, err := parseAMPKeywords([]byte(`{`)); err == nil {
		t.Fatal("broken AMP JSON parsed")
	}
	doms, err := parseTopPicks([]byte(`{"domains":[{"domain":"google"},{"domain":" "},{"domain":"mozilla"}]}`))
	if err != nil || !reflect.DeepEqual(doms, []string{"google", "mozilla"}) {
		t.Fatalf("domains %q, %v", doms, err)
	}
	if got := everyKth([]string{"a", "b", "c", "d"}, 2); !reflect.DeepEqual(got, []string{"a", "c"}) {
		t.Fatalf("everyKth %q", got)
	}
}

// The committed samples must keep make bench-smoke working without ../shared/data.
func TestSamplesAreEnoughForTheFirefoxMix(t *testing.T) {
	repo, err := findRepo()
	if err != nil {
		t.Fatal(err)
	}
	c := loadCorpus(dataPaths{repo: repo, shared: filepath.Join(t.TempDir(), "absent")})
	if len(c.queries) < 1000 || len(c.wikipedia) < 1000 || len(c.domains) == 0 || len(c.ipv4[0]) < 100 || len(c.ipv4[1]) < 100 {
		t.Fatalf("samples: %d queries, %d titles, %d domains, %d+%d ranges (%v)", len(c.queries), len(c.wikipedia), len(c.domains), len(c.ipv4[0]), len(c.ipv4[1]), c.origin)
	}
	sc, _ := findScenario("firefox")
	if _, err := buildStream(sc, c, map[string]bool{"top_picks": true}, 1000, 1); err != nil {
		t.Fatal(err)
	}
}

func FuzzParseIPRanges(f *testing.F) {
	f.Add([]byte("Begin IP Address,End IP Address\n1.2.3.0,1.2.3.255,256\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, r := range parseIPRanges(data) {
			if r.lo > r.hi {
				t.Fatalf("range %v", r)
			}
		}
	})
}

func FuzzParseAMPKeywords(f *testing.F) {
	f.Add([]byte(`[{"keywords":["a","ab"]}]`))
	f.Add([]byte(`{"data":[{"keywords":["x"],"full_keywords":[["x",1]]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		kws, _ := parseAMPKeywords(data)
		for _, k := range kws {
			if k == "" || strings.TrimSpace(k) != k {
				t.Fatalf("keyword %q", k)
			}
			_ = prefixes(k)
		}
	})
}

func FuzzPrefixes(f *testing.F) {
	f.Add("fire fox")
	f.Fuzz(func(t *testing.T, q string) {
		for _, p := range prefixes(q) {
			if !strings.HasPrefix(q, p) || p == "" || strings.HasSuffix(p, " ") {
				t.Fatalf("prefix %q of %q", p, q)
			}
		}
	})
}

// The New Tab scenarios send Firefox's bodies: valid JSON, the sections feed where asked, the
// same stream for the same seed.
func TestNewTabStreams(t *testing.T) {
	for _, name := range []string{"newtab", "newtab-sections"} {
		sc, err := findScenario(name)
		if err != nil {
			t.Fatal(err)
		}
		st, err := buildStream(sc, &corpus{}, nil, 2000, 5)
		if err != nil || len(st.items) != 2000 {
			t.Fatalf("%s: %d items, %v", name, len(st.items), err)
		}
		again, _ := buildStream(sc, &corpus{}, nil, 2000, 5)
		sections, posts := 0, 0
		for i, it := range st.items {
			if string(it.body) != string(again.items[i].body) || it.uri != again.items[i].uri {
				t.Fatalf("%s: item %d differs for the same seed", name, i)
			}
			if it.body == nil {
				continue
			}
			posts++
			var body struct {
				Locale string   `json:"locale"`
				Feeds  []string `json:"feeds"`
			}
			if err := json.Unmarshal(it.body, &body); err != nil || body.Locale == "" {
				t.Fatalf("%s: %s: %v", name, it.body, err)
			}
			if len(body.Feeds) == 1 && body.Feeds[0] == "sections" {
				sections++
			}
		}
		if name == "newtab-sections" && sections != 2000 || name == "newtab" && (sections == 0 || sections == posts) {
			t.Errorf("%s: %d of %d POSTs ask for sections", name, sections, posts)
		}
	}
}
