package useragent

import (
	"bytes"
	"reflect"
	"regexp/syntax"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/ua-parser/uap-go/uaparser"
)

// testParser is shared by the tests: building one compiles every regex.
var testParser = sync.OnceValue(func() *Parser {
	p, err := NewParser(1000)
	if err != nil {
		panic(err)
	}
	return p
})

func TestParse(t *testing.T) {
	p := testParser()
	uncached, err := NewParser(0)
	if err != nil {
		t.Fatal(err)
	}
	f := func(ua, browser, osFamily, formFactor string) {
		t.Helper()
		want := Info{Browser: browser, OSFamily: osFamily, FormFactor: formFactor}
		// Twice through the cache (miss, then hit) and once without it.
		for i := 0; i < 2; i++ {
			if got := p.Parse([]byte(ua)); got != want {
				t.Fatalf("Parse(%q) #%d = %+v; want %+v", ua, i, got, want)
			}
		}
		if got := uncached.Parse([]byte(ua)); got != want {
			t.Fatalf("uncached Parse(%q) = %+v; want %+v", ua, got, want)
		}
	}

	// merino-py's tests/unit/utils/test_user_agent_parsing.py, every case.
	f("Mozilla/5.0 (Macintosh; Intel Mac OS X 11.2; rv:85.0) Gecko/20100101 Firefox/103.0",
		"Firefox(103.0)", "macos", "desktop")
	f("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:104.0) Gecko/20100101 Firefox/104.0.1",
		"Firefox(104.0.1)", "windows", "desktop")
	f("Mozilla/5.0 (X11; Fedora; Linux x86_64; rv:82.0.1) Gecko/20100101 Firefox/106.0a1",
		"Firefox(106.0.a1)", "linux", "desktop")
	f("Mozilla/5.0 (Android 11; Mobile; rv:68.0) Gecko/68.0 Firefox/105.0",
		"Firefox(105.0)", "android", "phone")
	f("Mozilla/5.0 (Android 11; Tablet; rv:68.0) Gecko/41.0 Firefox/105.0",
		"Firefox(105.0)", "android", "tablet")
	f("Mozilla/5.0 (iPhone; CPU iPhone OS 12_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/104.0 Mobile/15E148 Safari/605.1.15",
		"Firefox(104.0)", "ios", "phone")
	f("Mozilla/5.0 (iPad; CPU OS 12_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/104.0 Mobile/15E148 Safari/605.1.15",
		"Firefox(104.0)", "ios", "tablet")
	f("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1 Safari/605.1.15",
		"Safari", "macos", "desktop")
	f("Mozilla/5.0 (X11; CrOS x86_64 13816.64.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0.4430.100 Safari/537.36",
		"Chrome", "chromeos", "other")
	f("curl/7.84.0", "curl", "other", "other")
	f("", "Other", "other", "other")

	// Current Firefox desktop releases.
	f("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0",
		"Firefox(130.0)", "windows", "desktop")
	f("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0",
		"Firefox(140.0)", "windows", "desktop")
	f("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:139.0) Gecko/20100101 Firefox/139.0",
		"Firefox(139.0)", "macos", "desktop")
	f("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
		"Firefox(128.0)", "linux", "desktop")
	f("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:136.0) Gecko/20100101 Firefox/136.0",
		"Firefox(136.0)", "linux", "desktop")
	f("Mozilla/5.0 (X11; Linux x86_64; rv:141.0) Gecko/20100101 Firefox/141.0.3",
		"Firefox(141.0.3)", "linux", "desktop")
	// Nightly: "a1" is matched as the patch by a "Firefox Alpha" rule.
	f("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:143.0) Gecko/20100101 Firefox/143.0a1",
		"Firefox(143.0.a1)", "windows", "desktop")
	// Beta is family "Firefox Beta", which merino-py passes through verbatim.
	f("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:142.0) Gecko/20100101 Firefox/142.0b9",
		"Firefox Beta", "windows", "desktop")
	// Firefox ESR on Windows 7 and on 32-bit Windows.
	f("Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0",
		"Firefox(115.0)", "windows", "desktop")
	f("Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0",
		"Firefox(128.0)", "windows", "desktop")
	// FreeBSD is not in merino-py's Linux list.
	f("Mozilla/5.0 (X11; FreeBSD amd64; rv:128.0) Gecko/20100101 Firefox/128.0",
		"Firefox(128.0)", "other", "other")

	// Firefox for Android, phone and tablet.
	f("Mozilla/5.0 (Android 14; Mobile; rv:130.0) Gecko/130.0 Firefox/130.0",
		"Firefox(130.0)", "android", "phone")
	f("Mozilla/5.0 (Android 13; Tablet; rv:130.0) Gecko/130.0 Firefox/130.0",
		"Firefox(130.0)", "android", "tablet")
	// Firefox Focus / Klar on Android run on the system WebView, and
	// ua-parser names them after it.
	f("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Focus/130.0 Chrome/128.0.6613.127 Mobile Safari/537.36",
		"Chrome Mobile WebView", "android", "phone")

	// Firefox for iOS, iPhone and iPad; iPadOS 13+ asks for desktop pages
	// with a Mac User-Agent by default.
	f("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/130.0 Mobile/15E148 Safari/605.1.15",
		"Firefox(130.0)", "ios", "phone")
	f("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/130.0 Mobile/15E148 Safari/605.1.15",
		"Firefox(130.0)", "ios", "tablet")
	f("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/130.0 Safari/605.1.15",
		"Firefox(130.0)", "macos", "desktop")
	// An FxiOS User-Agent without the Safari token.
	f("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/130.0 Mobile/15E148 Version/15.0",
		"Firefox(130.0)", "ios", "phone")

	// Other browsers: the family only.
	f("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
		"Chrome", "windows", "desktop")
	f("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
		"Safari", "macos", "desktop")
	f("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
		"Mobile Safari", "ios", "phone")
	// Chrome's reduced Android User-Agent hides the model ("K"), and
	// ua-parser's device family for it is not one merino-py maps.
	f("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Mobile Safari/537.36",
		"Chrome Mobile", "android", "other")
	f("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36 Edg/128.0.0.0",
		"Edge", "windows", "desktop")
	f("curl/8.9.1", "curl", "other", "other")
	f("python-requests/2.32.3", "Python Requests", "other", "other")
	// Crawlers: device family "Spider".
	f("Googlebot/2.1 (+http://www.google.com/bot.html)", "Googlebot", "other", "other")
	f("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bingbot", "other", "other")

	// Garbage.
	f("-", "Other", "other", "other")
	f("Mozilla/5.0", "Other", "other", "other")
	f("Firefox", "Other", "other", "other")
	f("Firefox/", "Other", "other", "other")
	f(" ", "Other", "other", "other")
	f("Firefox/1.2", "Firefox(1.2)", "other", "other")
	f("Windows Firefox/99.0", "Firefox(99.0)", "windows", "desktop")
}

// TestShortcutsAgree checks that the prefilter and the "^.{0,N}" rewrite
// (prefilter.go) change no result, against plain regex matching. Besides
// this, the package was checked against ua-parser 1.0 itself on uap-core's
// 30,871 test User-Agents and 6,000 mutations of them, with no difference.
func TestShortcutsAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("plain matching takes tens of milliseconds per User-Agent")
	}
	plain, err := compileRules(uaparser.DefinitionYaml, false)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := defaultRules()
	if err != nil {
		t.Fatal(err)
	}
	uas := []string{
		"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
		"Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
		"Mozilla/5.0 (Linux; Android 12; moto g(60)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Mobile Safari/537.36 GSA/15.1.2",
		"NING/1.0", "Java/17.0.2", "Mozilla/5.0 (X11; Linux x86_64) Gecko Firefox/1.0 Spider",
		strings.Repeat("x", 99) + "bot", strings.Repeat("x", 100) + "bot", strings.Repeat("x", 101) + "bot",
		strings.Repeat("\u00e9", 100) + "bot", "x\nbot", "HTC_Touch_Diamond2_T5353 Opera/9.50 (Windows NT 5.1; U; de)",
	}
	for _, bu := range benchUAs {
		uas = append(uas, bu.ua)
	}
	for _, ua := range uas {
		s := latin1(ua)
		if got, want := fast.parse(s), plain.parse(s); got != want {
			t.Errorf("parse(%q) = %+v with shortcuts, %+v without", ua, got, want)
		}
	}
}

func TestRequiredSets(t *testing.T) {
	f := func(expr string, want ...[]string) {
		t.Helper()
		tree, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		if got := requiredSets(tree); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("requiredSets(%q) = %q; want %q", expr, got, want)
		}
	}
	f(`(Firefox)/(\d+)`, []string{"firefox/"})
	f(`(?i)(Bot|Spider)`, []string{"bot", "spider"})
	f(`[Bb]ai[Dd]u`, []string{"baidu"})
	f(`Mozilla.{1,200}Android.{1,200}(GSA)/`, []string{"mozilla"}, []string{"android"}, []string{"gsa"}, []string{"/"})
	f(`(?:foo|)bar`, []string{"foobar", "bar"})
	f(`x?y*`)
	f(`.+`)
	f(`a{2,3}b`, []string{"a"}, []string{"b"})
	// Non-ASCII case folding is not modelled: no constraint.
	f(`(?i)\x{e9}t\x{e9}`)
}

func TestParseLong(t *testing.T) {
	p, err := NewParser(100)
	if err != nil {
		t.Fatal(err)
	}
	long := "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0 " + strings.Repeat("x", MaxCachedLen)
	want := Info{Browser: "Firefox(130.0)", OSFamily: "windows", FormFactor: "desktop"}
	for i := 0; i < 3; i++ {
		if got := p.Parse([]byte(long)); got != want {
			t.Fatalf("Parse(long) = %+v; want %+v", got, want)
		}
	}
	if n := p.cache.len(); n != 0 {
		t.Fatalf("a User-Agent longer than MaxCachedLen was cached: %d entries", n)
	}
}

func TestParseDoesNotRetainInput(t *testing.T) {
	p, err := NewParser(100)
	if err != nil {
		t.Fatal(err)
	}
	buf := []byte("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
	want := p.Parse(buf)
	// A server reuses its request buffers: the cached key and the returned
	// strings must not see the change.
	for i := range buf {
		buf[i] = 'z'
	}
	again := []byte("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
	if got := p.Parse(again); got != want || want.Browser != "Firefox(128.0)" {
		t.Fatalf("after reusing the buffer got %+v, first %+v", got, want)
	}
	if got := p.Parse(buf); got.Browser != "Other" {
		t.Fatalf("Parse(zzz) = %+v; want Other", got)
	}
}

func TestParseLatin1(t *testing.T) {
	p := testParser()
	// A browser family copied out of the header is latin-1 decoded, as
	// Starlette does for merino-py, so it is valid UTF-8 here.
	got := p.Parse([]byte("Mozilla/5.0 (Windows NT 10.0) Gecko/20100101 Firefox/130.0 \xe9\xff"))
	if got.Browser != "Firefox(130.0)" || got.OSFamily != "windows" {
		t.Fatalf("got %+v", got)
	}
	got = p.Parse([]byte("caf\xe9/1.0"))
	if !utf8.ValidString(got.Browser) {
		t.Fatalf("Browser %q is not UTF-8", got.Browser)
	}
}

func TestCacheBounded(t *testing.T) {
	c := newCache(100)
	for i := 0; i < 10000; i++ {
		c.put(strings.Repeat("k", i%700)+string(rune('a'+i%26)), Info{Browser: "b"})
	}
	if n := c.len(); n > 100 {
		t.Fatalf("cache holds %d entries; want at most 100", n)
	}
	// An entry used in every generation survives rotations.
	c.put("hot", Info{Browser: "hot"})
	for i := 0; i < 10000; i++ {
		c.put("cold"+strings.Repeat("x", i), Info{})
		if info, ok := c.get("hot"); !ok || info.Browser != "hot" {
			t.Fatalf("hot entry evicted after %d inserts", i)
		}
	}
}

func TestParseConcurrent(t *testing.T) {
	// Small enough to rotate generations while readers hit it.
	p, err := NewParser(4)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]Info, len(benchUAs))
	for i, bu := range benchUAs {
		want[i] = testParser().Parse([]byte(bu.ua))
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 60; i++ {
				k := (i + g) % len(benchUAs)
				if got := p.Parse([]byte(benchUAs[k].ua)); got != want[k] {
					t.Errorf("Parse(%s) = %+v; want %+v", benchUAs[k].name, got, want[k])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestNewParserErrors(t *testing.T) {
	if _, err := NewParser(-1); err == nil {
		t.Fatal("NewParser(-1) succeeded")
	}
	for _, y := range []string{"", "user_agent_parsers: [", "user_agent_parsers:\n  - regex: '('\nos_parsers:\n  - regex: 'x'\ndevice_parsers:\n  - regex: 'x'\n"} {
		if _, err := NewParserFromYAML([]byte(y), 10); err == nil {
			t.Fatalf("NewParserFromYAML(%q) succeeded", y)
		}
	}
	p, err := NewParserFromYAML([]byte(`
user_agent_parsers:
  - regex: '(Foo)/(\d+)'
    family_replacement: 'Firefox'
os_parsers:
  - regex: 'Win'
    os_replacement: 'Windows'
device_parsers:
  - regex: '(Tab)'
    regex_flag: 'i'
    device_replacement: 'Generic Tablet'
`), 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Parse([]byte("Foo/12 Win TAB")), (Info{"Firefox(12)", "windows", "tablet"}); got != want {
		t.Fatalf("got %+v; want %+v", got, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/130.0 Mobile/15E148 Safari/605.1.15",
		"Mozilla/5.0 (Android 14; Tablet; rv:130.0) Gecko/130.0 Firefox/130.0",
		"curl/8.9.1",
		"Firefox/\xff\x00.1",
	} {
		f.Add([]byte(s))
	}
	p, err := NewParser(64)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, ua []byte) {
		orig := bytes.Clone(ua)
		got := p.Parse(ua)
		if !bytes.Equal(ua, orig) {
			t.Fatal("Parse modified its input")
		}
		switch got.OSFamily {
		case "windows", "macos", "linux", "ios", "android", "chromeos", "other":
		default:
			t.Fatalf("Parse(%q).OSFamily = %q", ua, got.OSFamily)
		}
		switch got.FormFactor {
		case "desktop", "phone", "tablet", "other":
		default:
			t.Fatalf("Parse(%q).FormFactor = %q", ua, got.FormFactor)
		}
		if !utf8.ValidString(got.Browser) {
			t.Fatalf("Parse(%q).Browser = %q: not UTF-8", ua, got.Browser)
		}
		if again := p.Parse(ua); again != got {
			t.Fatalf("Parse(%q) changed from %+v to %+v", ua, got, again)
		}
	})
}
