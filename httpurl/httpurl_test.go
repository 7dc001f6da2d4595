package httpurl

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// normalizeCases are inputs with the serialisation pydantic's HttpUrl gives
// them (the Rust url crate, following https://url.spec.whatwg.org). They also
// seed FuzzNormalize.
var normalizeCases = []struct{ in, want string }{
	// A bare host gets the path "/"; an existing path is kept as it is.
	{"https://example.com", "https://example.com/"},
	{"https://example.com/", "https://example.com/"},
	{"https://example.com/path", "https://example.com/path"},
	{"https://example.com/path/", "https://example.com/path/"},
	{"https://example.com?q=1", "https://example.com/?q=1"},
	{"https://example.com#top", "https://example.com/#top"},

	// The scheme and host are lower-cased; the path is not.
	{"HTTPS://EXAMPLE.COM/Path", "https://example.com/Path"},
	{"HtTp://Example.Com", "http://example.com/"},

	// Leading and trailing C0 controls and spaces go, tabs and newlines go
	// everywhere, other spaces and controls are encoded.
	{"  https://a.com/ \n", "https://a.com/"},
	{"\x00\x1fhttps://a.com/x\x01 ", "https://a.com/x"},
	{"ht\ttp://a.c\nom/p\rath", "http://a.com/path"},
	{"https://a.com/a b", "https://a.com/a%20b"},
	{"https://a.com/a\x00b\x7f", "https://a.com/a%00b%7F"},

	// Ports: the scheme's default is dropped, leading zeros go, an empty
	// port is no port.
	{"https://a.com:443/x", "https://a.com/x"},
	{"http://a.com:80", "http://a.com/"},
	{"http://a.com:443/", "http://a.com:443/"},
	{"https://a.com:80/", "https://a.com:80/"},
	{"http://a.com:8080", "http://a.com:8080/"},
	{"http://a.com:/", "http://a.com/"},
	{"http://a.com:", "http://a.com/"},
	{"http://a.com:?q", "http://a.com/?q"},
	{"http://a.com:0080/", "http://a.com/"},
	{"http://a.com:08080/", "http://a.com:8080/"},
	{"http://a.com:0/", "http://a.com:0/"},
	{"http://a.com:65535/", "http://a.com:65535/"},
	{"http://a.com:8\t0/", "http://a.com/"},

	// International domain names become punycode (UTS #46,
	// non-transitional: ß stays ß).
	{"https://bücher.de", "https://xn--bcher-kva.de/"},
	{"https://BÜCHER.de", "https://xn--bcher-kva.de/"},
	{"https://xn--bcher-kva.de/", "https://xn--bcher-kva.de/"},
	{"https://XN--BCHER-KVA.DE/", "https://xn--bcher-kva.de/"},
	{"https://faß.de/", "https://xn--fa-hia.de/"},
	{"https://münchen.example.com/straße", "https://xn--mnchen-3ya.example.com/stra%C3%9Fe"},
	{"https://例え.テスト/", "https://xn--r8jz45g.xn--zckzah/"},
	{"https://ＥＸＡＭＰＬＥ.com/", "https://example.com/"},
	{"https://example。com/", "https://example.com/"},
	{"https://%62%C3%BCcher.de/", "https://xn--bcher-kva.de/"},
	{"https://a%2Eb.com/", "https://a.b.com/"},
	// Browsers accept these, so WHATWG does: no hyphen or length checks,
	// '_' allowed, empty labels and a trailing dot kept.
	{"https://-a-.com/", "https://-a-.com/"},
	{"https://r3---sn-abc.example.com/", "https://r3---sn-abc.example.com/"},
	{"https://a_b.example.com/", "https://a_b.example.com/"},
	{"https://a..b/", "https://a..b/"},
	{"https://a.com./", "https://a.com./"},
	{"https://" + strings.Repeat("a", 64) + ".com/", "https://" + strings.Repeat("a", 64) + ".com/"},
	{"https://" + strings.Repeat("a", 60) + "é.com/", "https://xn--" + strings.Repeat("a", 60) + "-zjf.com/"},

	// Paths: '\' is '/', dot segments (also as %2e) are resolved, empty
	// segments are kept, and existing escapes are left alone.
	{"https://a.com/a/./b/../c", "https://a.com/a/c"},
	{"https://a.com/a/%2e/b/%2E%2e/c", "https://a.com/a/c"},
	{"https://a.com/a/.%2E/b", "https://a.com/b"},
	{"https://a.com/a/%2e./b", "https://a.com/b"},
	{"https://a.com/..", "https://a.com/"},
	{"https://a.com/../../x", "https://a.com/x"},
	{"https://a.com/a/..", "https://a.com/"},
	{"https://a.com/a/b/..", "https://a.com/a/"},
	{"https://a.com/a/b/.", "https://a.com/a/b/"},
	{"https://a.com/a/b/./", "https://a.com/a/b/"},
	{"https://a.com/a/..?q", "https://a.com/?q"},
	{"https://a.com/a/.#f", "https://a.com/a/#f"},
	{"https://a.com/a/..b/.c", "https://a.com/a/..b/.c"},
	{"https://a.com/..%2f", "https://a.com/..%2f"},
	{"https://a.com//a//b", "https://a.com//a//b"},
	{"https:\\\\a.com\\b\\c", "https://a.com/b/c"},
	{"https://a.com\\x\\..\\y", "https://a.com/y"},
	{"https:a.com", "https://a.com/"},
	{"https:///a.com", "https://a.com/"},
	{"https:/\\/\\a.com/", "https://a.com/"},
	{"https://a.com/%7Efoo/%7e", "https://a.com/%7Efoo/%7e"},
	{"https://a.com/~foo", "https://a.com/~foo"},
	{"https://a.com/a%zzb%4", "https://a.com/a%zzb%4"},
	{"https://a.com/100%", "https://a.com/100%"},
	{"https://a.com/ü/路径", "https://a.com/%C3%BC/%E8%B7%AF%E5%BE%84"},
	{"https://a.com/a\"b<c>d`e{f}g", "https://a.com/a%22b%3Cc%3Ed%60e%7Bf%7Dg"},
	{"https://a.com/a^b|c[d]'e", "https://a.com/a^b|c[d]'e"},

	// Queries: the special-query set encodes '\'' as well as space, '"',
	// '<' and '>'; nothing else changes.
	{"https://a.com/?q=a b", "https://a.com/?q=a%20b"},
	{"https://a.com/?q='x'", "https://a.com/?q=%27x%27"},
	{"https://a.com/?q=\"<>\"", "https://a.com/?q=%22%3C%3E%22"},
	{"https://a.com/?q=ü", "https://a.com/?q=%C3%BC"},
	{"https://a.com/?q=`{}|^[]", "https://a.com/?q=`{}|^[]"},
	{"https://a.com/?q=%zz&r=%20&s=%", "https://a.com/?q=%zz&r=%20&s=%"},
	{"https://a.com/?", "https://a.com/?"},
	{"https://a.com/??a", "https://a.com/??a"},
	{"https://a.com/?a/../b\\c", "https://a.com/?a/../b\\c"},

	// Fragments: encoded with the fragment set, which keeps '#' and '\''.
	{"https://a.com/#a b", "https://a.com/#a%20b"},
	{"https://a.com/#\"<>`", "https://a.com/#%22%3C%3E%60"},
	{"https://a.com/#a#b", "https://a.com/#a#b"},
	{"https://a.com/#'{}", "https://a.com/#'{}"},
	{"https://a.com/#", "https://a.com/#"},
	{"https://a.com/?q#f?g", "https://a.com/?q#f?g"},
	{"https://a.com/#ü", "https://a.com/#%C3%BC"},
	{"https://a.com/?#", "https://a.com/?#"},
	{"https://a.com/#a\x00b", "https://a.com/#a%00b"},

	// Credentials: the last '@' ends them, the first ':' splits them, and
	// empty parts are left out.
	{"https://user:pass@a.com/", "https://user:pass@a.com/"},
	{"https://user@a.com/", "https://user@a.com/"},
	{"https://user:@a.com/", "https://user@a.com/"},
	{"https://:pass@a.com/", "https://:pass@a.com/"},
	{"https://@a.com/", "https://a.com/"},
	{"https://:@a.com/", "https://a.com/"},
	{"https://u s:p s@a.com/", "https://u%20s:p%20s@a.com/"},
	{"https://a@b@c.com/", "https://a%40b@c.com/"},
	{"https://a:b:c@d.com/", "https://a:b%3Ac@d.com/"},
	{"https://ü:ö@a.com/", "https://%C3%BC:%C3%B6@a.com/"},
	{"https://u;=[]^|@a.com", "https://u%3B%3D%5B%5D%5E%7C@a.com/"},
	{"https://u%40x@a.com", "https://u%40x@a.com/"},

	// IPv4: one to four parts, each decimal, octal or hex, the last part
	// filling the remaining bytes.
	{"http://127.0.0.1/", "http://127.0.0.1/"},
	{"http://0x7f.1/", "http://127.0.0.1/"},
	{"http://2130706433/", "http://127.0.0.1/"},
	{"http://017700000001/", "http://127.0.0.1/"},
	{"http://0177.0.0.1/", "http://127.0.0.1/"},
	{"http://0x7F.0X0.0.01/", "http://127.0.0.1/"},
	{"http://127.1/", "http://127.0.0.1/"},
	{"http://127.0.1/", "http://127.0.0.1/"},
	{"http://1.2.3.4./", "http://1.2.3.4/"},
	{"http://0x/", "http://0.0.0.0/"},
	{"http://0/", "http://0.0.0.0/"},
	{"http://4294967295/", "http://255.255.255.255/"},
	{"http://0x00000000000000000000000000000ff/", "http://0.0.0.255/"},
	{"http://１２７.0.0.1/", "http://127.0.0.1/"},
	{"http://%31%32%37.0.0.1/", "http://127.0.0.1/"},
	{"http://1.2.3.4:80/", "http://1.2.3.4/"},
	{"http://1.a/", "http://1.a/"},
	{"http://a.0xg/", "http://a.0xg/"},

	// IPv6: lower-case, no leading zeros, the first longest run of two or
	// more zero pieces compressed, an IPv4 tail rewritten as hex.
	{"http://[0:0:0:0:0:0:0:1]/", "http://[::1]/"},
	{"http://[::1]:8080/", "http://[::1]:8080/"},
	{"http://[::1]:80/", "http://[::1]/"},
	{"http://[::1]:/", "http://[::1]/"},
	{"http://[2001:DB8::1]/", "http://[2001:db8::1]/"},
	{"http://[2001:0db8:0000:0000:0000:ff00:0042:8329]/", "http://[2001:db8::ff00:42:8329]/"},
	{"http://[1:0:0:2:0:0:0:3]/", "http://[1:0:0:2::3]/"},
	{"http://[1:0:0:2:0:0:3:4]/", "http://[1::2:0:0:3:4]/"},
	{"http://[1:0:2:3:4:5:6:7]/", "http://[1:0:2:3:4:5:6:7]/"},
	{"http://[::]/", "http://[::]/"},
	{"http://[1::]/", "http://[1::]/"},
	{"http://[1:2:3:4:5:6:7::]/", "http://[1:2:3:4:5:6:7:0]/"},
	{"http://[::ffff:1.2.3.4]/", "http://[::ffff:102:304]/"},
	{"http://[::127.0.0.1]/", "http://[::7f00:1]/"},
	{"http://[1:2:3:4:5:6:1.2.3.4]/", "http://[1:2:3:4:5:6:102:304]/"},
	{"http://[0:0:0:0:0:ffff:7f00:1]", "http://[::ffff:7f00:1]/"},
	{"http://user@[::1]:81/x", "http://user@[::1]:81/x"},
}

func TestNormalize(t *testing.T) {
	for _, c := range normalizeCases {
		got, err := Normalize(c.in)
		if err != nil {
			t.Errorf("Normalize(%q): unexpected error: %s", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("Normalize(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestNormalizeLength(t *testing.T) {
	f := func(in string, ok bool) {
		t.Helper()
		_, err := Normalize(in)
		if ok && err != nil {
			t.Errorf("Normalize(%d bytes): unexpected error: %s", len(in), err)
		}
		if !ok && !errors.Is(err, errTooLong) {
			t.Errorf("Normalize(%d bytes): got error %v, want %v", len(in), err, errTooLong)
		}
	}
	prefix := "https://a.com/"
	f(prefix+strings.Repeat("a", MaxLength-len(prefix)), true)
	f(prefix+strings.Repeat("a", MaxLength-len(prefix)+1), false)
	// pydantic-core counts UTF-8 bytes: 1100 "é" are 1114 characters
	// but 2214 bytes.
	f(prefix+strings.Repeat("é", 1100), false)
	// The limit applies to the input, not the longer serialisation.
	got, err := Normalize(prefix + strings.Repeat("é", 1000))
	if err != nil || len(got) != len(prefix)+6000 {
		t.Errorf("Normalize(1000 é): got %d bytes, %v; want %d bytes", len(got), err, len(prefix)+6000)
	}
}

func TestNormalizeError(t *testing.T) {
	f := func(in string, want error) {
		t.Helper()
		got, err := Normalize(in)
		if err == nil {
			t.Errorf("Normalize(%q) = %q, want error %q", in, got, want)
			return
		}
		if !errors.Is(err, want) {
			t.Errorf("Normalize(%q): got error %q, want %q", in, err, want)
		}
		if !strings.HasPrefix(err.Error(), "cannot parse URL ") {
			t.Errorf("Normalize(%q): error %q lacks context", in, err)
		}
	}

	f("", errEmpty)
	f("http://a.com/\xff", errInvalidUTF8)

	// No scheme: pydantic has no base URL to resolve against.
	f("   ", errMissingScheme)
	f("a.com", errMissingScheme)
	f("//a.com/", errMissingScheme)
	f("/path", errMissingScheme)
	f("1http://a.com", errMissingScheme)
	f("http//a.com", errMissingScheme)
	f("ht tp://a.com", errMissingScheme)
	f(":", errMissingScheme)
	f("http", errMissingScheme)

	// Only http and https.
	f("ftp://a.com/", errUnsupportedScheme)
	f("javascript:alert(1)", errUnsupportedScheme)
	f("mailto:a@b.com", errUnsupportedScheme)
	f("file:///etc/passwd", errUnsupportedScheme)
	f("httpx://a.com", errUnsupportedScheme)
	f("ws://a.com", errUnsupportedScheme)

	// Special URLs need a host.
	f("http://", errMissingHost)
	f("http:///", errMissingHost)
	f("http:", errMissingHost)
	f("http://?q", errMissingHost)
	f("http://#f", errMissingHost)
	f("http://:80/", errMissingHost)
	f("https://user@/", errMissingHost)
	f("https://user@:80/", errMissingHost)
	f("https://@/", errMissingHost)
	f("https://\u00ad/", errMissingHost) // soft hyphen maps to nothing

	f("http://a.com:65536/", errInvalidPort)
	f("http://a.com:99999999999999999999/", errInvalidPort)
	f("http://a.com:8a/", errInvalidPort)
	f("http://a.com:-1/", errInvalidPort)
	f("http://a.com: 80/", errInvalidPort)
	f("http://a.com:80:90/", errInvalidPort)
	f("http://[::1]:x/", errInvalidPort)

	f("https://a%2.com/", errForbiddenHostCodePoint)
	f("https://a%00.com/", errForbiddenHostCodePoint)
	f("https://a%20b.com/", errForbiddenHostCodePoint)
	f("https://a b.com/", errForbiddenHostCodePoint)
	f("https://a<b.com/", errForbiddenHostCodePoint)
	f("https://a^b.com/", errForbiddenHostCodePoint)
	f("https://a|b.com/", errForbiddenHostCodePoint)
	f("https://a%25b.com/", errForbiddenHostCodePoint)
	f("https://a%2fb.com/", errForbiddenHostCodePoint)
	f("https://a]b.com/", errForbiddenHostCodePoint)
	f("https://a\x7fb.com/", errForbiddenHostCodePoint)
	f("https://a＃b.com/", errForbiddenHostCodePoint) // fullwidth '#' maps to '#'

	f("https://xn--/", errInvalidDomain)
	f("https://xn--.com/", errInvalidDomain)
	f("https://xn--a.com/", errInvalidDomain)
	f("https://xn--abc-.com/", errInvalidDomain) // punycode of pure ASCII
	f("https://xn--bcher-kva-ü.de/", errInvalidDomain)
	f("https://\u05d0a.com/", errInvalidDomain)  // Bidi rule
	f("https://a\u200db.com/", errInvalidDomain) // ContextJ rule
	f("https://a%ff.com/", errInvalidDomain)     // not UTF-8 once decoded
	f("https://a\ufffd.com/", errInvalidDomain)
	// Found by FuzzNormalize: x/net/idna encodes this label but cannot
	// decode the result, which would make Normalize not idempotent.
	f("https://"+strings.Repeat("d", 1100)+"辂/", errInvalidDomain)

	f("http://256.0.0.1/", errInvalidIPv4)
	f("http://1.2.3.256/", errInvalidIPv4)
	f("http://1.2.65536/", errInvalidIPv4)
	f("http://4294967296/", errInvalidIPv4)
	f("http://0x100000000/", errInvalidIPv4)
	f("http://999999999999999999999999/", errInvalidIPv4)
	f("http://1.2.3.4.5/", errInvalidIPv4)
	f("http://1.2.3.09/", errInvalidIPv4)
	f("http://a.1/", errInvalidIPv4)
	f("http://1..2/", errInvalidIPv4)
	f("http://a.0x1/", errInvalidIPv4)

	f("http://[::1.2.3.04]/", errInvalidIPv6)
	f("http://[::1.2.3]/", errInvalidIPv6)
	f("http://[::1.2.3.4.5]/", errInvalidIPv6)
	f("http://[::1.2.3.256]/", errInvalidIPv6)
	f("http://[::1a.2.3.4]/", errInvalidIPv6)
	f("http://[1:2:3:4:5:6::1.2.3.4]/", errInvalidIPv6)
	f("http://[1:2:3:4:5:6:7:8:9]/", errInvalidIPv6)
	f("http://[1:2:3:4:5:6:7]/", errInvalidIPv6)
	f("http://[1:2:3:4:5:6::7:8]/", errInvalidIPv6)
	f("http://[1::2::3]/", errInvalidIPv6)
	f("http://[::1/", errInvalidIPv6)
	f("http://[:1]/", errInvalidIPv6)
	f("http://[1:]/", errInvalidIPv6)
	f("http://[]/", errInvalidIPv6)
	f("http://[g::1]/", errInvalidIPv6)
	f("http://[12345::1]/", errInvalidIPv6)
	f("http://[::1]x/", errInvalidIPv6)
	f("http://[::%31]/", errInvalidIPv6) // no percent-decoding in brackets
}

func TestNormalizeErrorQuotesShortInput(t *testing.T) {
	_, err := Normalize("ftp://" + strings.Repeat("a", 200))
	if err == nil || len(err.Error()) > 200 {
		t.Errorf("got error %v, want one with the input clipped", err)
	}
}

func TestQuote(t *testing.T) {
	// want values are Python's urllib.parse.quote(in, safe).
	f := func(in, safe, want string) {
		t.Helper()
		if got := Quote(in, safe); got != want {
			t.Errorf("Quote(%q, %q) = %q, want %q", in, safe, got, want)
		}
	}
	f("", "/", "")
	f("abc", "/", "abc")
	f("AZaz09", "", "AZaz09")
	f("_.-~", "/", "_.-~")
	f("Hello World", "/", "Hello%20World")
	f("Albert Einstein", "/", "Albert%20Einstein")
	f("a/b c", "/", "a/b%20c")
	f("a/b", "", "a%2Fb")
	f("C++ (programming language)", "/", "C%2B%2B%20%28programming%20language%29")
	f("Pokémon: Let's Go", "/", "Pok%C3%A9mon%3A%20Let%27s%20Go")
	f("Zürich", "/", "Z%C3%BCrich")
	f("東京", "/", "%E6%9D%B1%E4%BA%AC")
	f("emoji 😀", "/", "emoji%20%F0%9F%98%80")
	f("100%", "/", "100%25")
	f("%41", "/", "%2541")
	f("!*'();:@&=+$,/?#[]", "/", "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C/%3F%23%5B%5D")
	f("!*'();:@&=+$,/?#[]", "", "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D")
	f("a<b>\"c`{|}^\\", "/", "a%3Cb%3E%22c%60%7B%7C%7D%5E%5C")
	f("a b", " ", "a b")
	f("a+b c", "+", "a+b%20c")
	f("x\x00y\x7f", "/", "x%00y%7F")
	f("é", "é", "%C3%A9") // Python drops non-ASCII safe characters
	f("\xff\xfe", "/", "%FF%FE")
}

// checkNormalizeOutput checks the properties every output of Normalize has:
// it is printable ASCII, Go's URL parser accepts its shape, and normalising
// it again changes nothing.
func checkNormalizeOutput(t *testing.T, in, out string) {
	t.Helper()
	for i := 0; i < len(out); i++ {
		if out[i] <= 0x20 || out[i] >= 0x7f {
			t.Fatalf("Normalize(%q) = %q has byte %#x at %d", in, out, out[i], i)
		}
	}
	if !strings.HasPrefix(out, "http://") && !strings.HasPrefix(out, "https://") {
		t.Fatalf("Normalize(%q) = %q lacks the scheme", in, out)
	}
	again, err := normalize(out, 1<<30)
	if err != nil {
		t.Fatalf("Normalize(%q) = %q, which does not normalise: %s", in, out, err)
	}
	if again != out {
		t.Fatalf("Normalize is not idempotent:\n   in %q\n  out %q\nagain %q", in, out, again)
	}
	// net/url is stricter about '%' escapes, so only compare the host of
	// outputs it can parse.
	if u, err := url.Parse(out); err == nil && u.Host == "" {
		t.Fatalf("Normalize(%q) = %q, in which net/url finds no host", in, out)
	}
}

func TestNormalizeOutputs(t *testing.T) {
	for _, c := range normalizeCases {
		checkNormalizeOutput(t, c.in, c.want)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, c := range normalizeCases {
		f.Add(c.in)
	}
	f.Add("http://[::1.2.3.04]/")
	f.Add("https://xn--bcher-kva-ü.de/")
	f.Add("https://a\u200db.com/")
	f.Fuzz(func(t *testing.T, in string) {
		out, err := Normalize(in)
		if err != nil {
			if out != "" {
				t.Fatalf("Normalize(%q) = %q with error %s", in, out, err)
			}
			return
		}
		checkNormalizeOutput(t, in, out)
	})
}

func FuzzQuote(f *testing.F) {
	f.Add("Hello World", "/")
	f.Add("Pokémon: Let's Go", "")
	f.Add("%41\x00\xff", "%/é")
	f.Fuzz(func(t *testing.T, in, safe string) {
		out := Quote(in, safe)
		// Decoding gives back the input unless '%' itself is safe, in
		// which case Python's quote is not reversible either.
		if !strings.Contains(safe, "%") {
			if back := string(percentDecode(out)); back != in {
				t.Fatalf("Quote(%q, %q) = %q decodes to %q", in, safe, out, back)
			}
		}
		for i := 0; i < len(out); i++ {
			c := out[i]
			if c >= 0x80 {
				t.Fatalf("Quote(%q, %q) = %q is not ASCII", in, safe, out)
			}
			if c == '%' && !strings.Contains(safe, "%") {
				if i+2 >= len(out) || !strings.Contains(upperHex, out[i+1:i+2]) || !strings.Contains(upperHex, out[i+2:i+3]) {
					t.Fatalf("Quote(%q, %q) = %q has a bad escape at %d", in, safe, out, i)
				}
			}
		}
	})
}
