package navsuggestions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The cases below are merino-py's own (tests/unit/jobs/navigational_suggestions/), where
// its behaviour is asserted.

func TestSecondLevelDomain(t *testing.T) {
	f := func(domain, suffix, want string) {
		t.Helper()
		if got := secondLevelDomain(domain, suffix); got != want {
			t.Errorf("secondLevelDomain(%q, %q) = %q, want %q", domain, suffix, got, want)
		}
	}
	f("example.com", "com", "example")
	f("www.example.com", "com", "example")
	f("example.co.uk", "uk", "example.co")
	f("example.co.uk", "co.uk", "example")
	f("a.b.example.org", "org", "example")
	f("example.com", "org", "example.com")
	f("com", "com", "")
	f("", "com", "")
	f("example.com", "", "")
}

func TestSplitHost(t *testing.T) {
	f := func(host, sub, label, suffix string) {
		t.Helper()
		s, l, x := splitHost(host)
		if s != sub || l != label || x != suffix {
			t.Errorf("splitHost(%q) = %q %q %q, want %q %q %q", host, s, l, x, sub, label, suffix)
		}
	}
	f("www.example.co.uk", "www", "example", "co.uk")
	f("example.com", "", "example", "com")
	f("foo.blogspot.com", "foo", "blogspot", "com") // private suffixes are not suffixes (tldextract's default)
	f("zoom.us", "", "zoom", "us")
	f("com", "", "", "com")
}

func TestCustomDomains(t *testing.T) {
	f := func(in, domain, origin, suffix string) {
		t.Helper()
		d, err := parseCustomDomain(in, 7)
		if err != nil || d.Domain != domain || d.Host != domain || d.Origin != origin || d.Suffix != suffix || d.Rank != 7 ||
			d.Source != SourceCustom || strings.Join(d.Categories, ",") != "Inconclusive" {
			t.Errorf("%q: %+v %v", in, d, err)
		}
	}
	f("example.com", "example.com", "http://example.com", "com")
	f("www.example.com", "example.com", "http://example.com", "com")
	f("sub.example.com", "sub.example.com", "http://sub.example.com", "com")
	f("example.com/path", "example.com/path", "http://example.com/path", "com")
	f("https://example.com/path", "example.com/path", "http://example.com/path", "com")
	f("startsiden.no/sok", "startsiden.no/sok", "http://startsiden.no/sok", "no")
	f("bbc.co.uk", "bbc.co.uk", "http://bbc.co.uk", "co.uk")

	list := CustomDomains()
	if len(list) != 2102 || list[0] != "01net.com" || list[len(list)-1] != "zuckerjagdwurst.com" {
		t.Fatalf("%d custom domains: %q ... %q", len(list), list[0], list[len(list)-1])
	}
	for _, c := range list {
		if _, err := parseCustomDomain(c, 1); err != nil {
			t.Errorf("embedded custom domain: %v", err)
		}
	}
	// Appended after the list's largest rank, exact duplicates skipped.
	ds, dups, err := withCustomDomains([]Domain{{Rank: 4, Domain: "example.com", Source: SourceTopPicks}}, []string{"example.com", "www.example.com", "news.example.org", "news.example.org"})
	if err != nil || dups != 2 || len(ds) != 3 || ds[1].Domain != "example.com" || ds[1].Rank != 5 || ds[2].Domain != "news.example.org" || ds[2].Rank != 6 {
		t.Errorf("%+v %d %v", ds, dups, err)
	}
	if local := localSample([]string{"a.com", "b.co.uk"}, 5); len(local) != 2 || local[1].Suffix != "uk" || local[1].Origin != "https://b.co.uk" || local[1].Source != SourceLocal || local[1].Categories[0] != "Local_Testing" {
		t.Errorf("local sample %+v", local)
	}
}

func TestBlockedAndMatching(t *testing.T) {
	bl := map[string]bool{"rt": true, "urbandictionary": true, "example.net": true}
	for _, d := range []Domain{{Domain: "rt.com", Suffix: "com"}, {Domain: "urbandictionary.com", Suffix: "com"}, {Domain: "example.net", Suffix: "net"}, {Domain: "news.rt.com", Suffix: "com"}} {
		if !blocked(d, bl) {
			t.Errorf("%s not blocked", d.Domain)
		}
	}
	if blocked(Domain{Domain: "art.com", Suffix: "com"}, bl) {
		t.Error("art.com blocked")
	}
	m := func(domain, final string, want bool) {
		t.Helper()
		if matchingDomain(domain, final) != want {
			t.Errorf("matchingDomain(%q, %q) != %v", domain, final, want)
		}
	}
	m("example.com", "https://www.example.com/home", true)
	m("zoom.us", "https://zoom.com/", true)
	m("example.com", "https://other.org/", false)
	m("example.com", "https://example.org:8443/x", true)
}

func TestFixURL(t *testing.T) {
	f := func(raw, base, want string) {
		t.Helper()
		if got := fixURL(raw, base); got != want {
			t.Errorf("fixURL(%q, %q) = %q, want %q", raw, base, got, want)
		}
	}
	f("//cdn.example.com/icon.png", "", "https://cdn.example.com/icon.png")
	f("https://example.com/a/../b/./icon.png?v=1", "", "https://example.com/b/icon.png?v=1")
	f("/favicon.ico", "https://example.com", "https://example.com/favicon.ico")
	f("/favicon.ico", "", "")
	f("icon.png", "https://example.com/dir/", "https://example.com/dir/icon.png")
	f("example.com/favicon.ico", "", "https://example.com/favicon.ico")
	f("static.example.com/a/f.ico", "https://x.org", "https://static.example.com/a/f.ico")
	f("", "https://example.com", "")
	f("/", "https://example.com", "")
	f("https://example.com", "", "https://example.com")
}

func TestTitles(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := sanitizeTitle(in); got != want {
			t.Errorf("sanitizeTitle(%q) = %q, want %q", in, got, want)
		}
	}
	f("  Example \n\t Domain ", "Example Domain")
	f("Just a moment...", "")
	f("404 Not Found", "")
	f("An ERROR occurred", "")
	f("Mozilla\u00a0Firefox", "Mozilla Firefox") // Python's split() breaks at U+00A0
	f("\u0130stanbul access DENIED", "")
	f("", "")
	c := func(in, want string) {
		t.Helper()
		if got := capitalize(in); got != want {
			t.Errorf("capitalize(%q) = %q, want %q", in, got, want)
		}
	}
	c("youTube", "Youtube")
	c("example.co", "Example.co")
	c("élan", "Élan")
	c("", "")

	p := parsePage([]byte(`<html><head><title> Just a
	moment...</title><link rel="manifest" href="/m.json"></head><body><div class="main cf-browser-verification"></div>
	<link rel="icon" href="/late.png"><link rel="Icon" href="/case.png"><link rel=" shortcut   icon " href="/s.ico">
	<link rel="manifest" href="/body-manifest.json"><meta name="msapplication-TileImage" content="/tile.png"></body></html>`))
	if !p.botBlocked() || !p.challenge || p.title == "" || len(p.manifests) != 1 || len(p.links) != 2 || len(p.metas) != 1 {
		t.Errorf("page %+v", p)
	}
	if p := parsePage([]byte("<title>Outside head?</title><p>x")); p.title != "Outside head?" || p.botBlocked() {
		t.Errorf("a title the parser puts in head: %+v", p)
	}
	if p := parsePage([]byte("\x00\xff<<<>>")); p.hasTitle {
		t.Errorf("garbage: %+v", p)
	}
}

func TestLinkOrderAndNames(t *testing.T) {
	links := []attrs{
		{"rel": "icon", "href": "/a.png"},
		{"rel": "icon", "href": "/b.png", "sizes": "32x32"},
		{"rel": "apple-touch-icon", "href": "/t.png"},
		{"rel": "icon", "href": "/c.png", "sizes": "192x192"},
		{"rel": "icon", "href": "/v.SVG"},
		{"rel": "icon", "href": "/any.png", "sizes": "any"},
	}
	var order []string
	sorted := iconLinks(append(links, attrs{"rel": "mask-icon", "href": "/m.svg", "color": "#000"}))
	for _, l := range sorted {
		order = append(order, l["href"])
	}
	if got := strings.Join(order, " "); got != "/v.SVG /t.png /c.png /b.png /a.png /any.png" {
		t.Errorf("order %s", got)
	}
	n := func(ct, ext string) {
		t.Helper()
		name := faviconName([]byte("abc"), ct)
		if name != "favicons/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad_3"+ext {
			t.Errorf("%s: %s", ct, name)
		}
	}
	n("image/png", ".png")
	n("image/jpg", ".jpeg")
	n("image/svg+xml", ".svg")
	n("image/x-icon", ".ico")
	n("image/png; charset=binary", ".oct")
	n("", ".oct")
	if u := cdnURL("merino-images.services.mozilla.com", "favicons/x.png"); u != "https://merino-images.services.mozilla.com/favicons/x.png" {
		t.Error(u)
	}
	if u := cdnURL("https://cdn.example/", "favicons/x.png"); u != "https://cdn.example/favicons/x.png" {
		t.Error(u)
	}
}

func TestReadDomainsFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	ds, err := readDomainsFile(write("bq.json", `[{"rank":"1","domain":"google.com","host":"www.google.com","origin":"https://www.google.com","suffix":"com","categories":["Search Engines"]},
		{"rank":2,"domain":"bbc.co.uk","categories":null}]`))
	if err != nil || len(ds) != 2 || ds[0].Rank != 1 || ds[0].Host != "www.google.com" || ds[0].Categories[0] != "Search Engines" || ds[0].Source != SourceTopPicks ||
		ds[1].Suffix != "co.uk" || ds[1].Origin != "http://bbc.co.uk" || len(ds[1].Categories) != 0 {
		t.Errorf("%+v %v", ds, err)
	}
	ds, err = readDomainsFile(write("lines.jsonl", "{\"domain\":\"a.com\",\"rank\":3}\n\n{\"domain\":\"b.org\",\"source\":\"custom-domains\"}\n"))
	if err != nil || len(ds) != 2 || ds[0].Rank != 3 || ds[1].Rank != 2 || ds[1].Source != SourceCustom {
		t.Errorf("%+v %v", ds, err)
	}
	ds, err = readDomainsFile(write("plain.txt", "# top sites\nExample.COM\n\nwikipedia.org\n"))
	if err != nil || len(ds) != 2 || ds[0].Domain != "example.com" || ds[1].Rank != 2 {
		t.Errorf("%+v %v", ds, err)
	}
	bad := func(content, want string) {
		t.Helper()
		_, err := readDomainsFile(write("bad", content))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", content, err, want)
		}
	}
	bad("example.com\nnot a domain!\n", `line 2: domain: "not a domain!" is not a host name`)
	bad("example.com\n{\"domain\": 7}\n", "line 2: not a row object")
	bad(`[{"domain":"a.com"},{"rank":"x","domain":"b.com"}]`, `row 2: rank: "x" is not a whole number`)
	bad(`[{"rank":1}]`, "row 1: domain: missing")
	bad(`[{"domain":"a.com","source":"ads"}]`, `source: "ads" is not`)
	bad("localhost\n", `"localhost" is not a host name`)
	bad("a.com/x y\n", "has a path that is not a URL path")
	bad("\n# nothing\n", "holds no domain")
	bad("[1,", "not a JSON array")
}

func FuzzReadDomains(f *testing.F) {
	f.Add([]byte("example.com\n"))
	f.Add([]byte(`[{"rank":"1","domain":"a.com","categories":["x"]}]`))
	f.Add([]byte("{\"domain\":\"a.co.uk/x\"}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "d")
		os.WriteFile(p, data, 0o644)
		ds, err := readDomainsFile(p)
		if err != nil {
			return
		}
		for _, d := range ds {
			host, _, _ := strings.Cut(d.Domain, "/")
			if checkHost(host) != nil || d.Source == "" || d.Categories == nil {
				t.Errorf("an unchecked row came through: %+v", d)
			}
		}
	})
}
