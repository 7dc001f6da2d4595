package corpus

import (
	"os/exec"
	"strings"
	"testing"
)

var utmCases = []struct{ url, source, want string }{
	// merino-py's test_update_url_utm_source.
	{"https://getpocket.com/explore/item/example-article", "firefox-newtab-en-us",
		"https://getpocket.com/explore/item/example-article?utm_source=firefox-newtab-en-us"},
	{"https://getpocket.com/explore/item/example-article?foo=bar", "firefox-newtab-en-gb",
		"https://getpocket.com/explore/item/example-article?foo=bar&utm_source=firefox-newtab-en-gb"},
	{"https://getpocket.com/explore/item/example-article?utm_source=old_source", "firefox-newtab-en-intl",
		"https://getpocket.com/explore/item/example-article?utm_source=firefox-newtab-en-intl"},
	{"https://getpocket.com/explore/item/example-article?utm_source=old_source&foo=bar", "firefox-newtab-de-de",
		"https://getpocket.com/explore/item/example-article?utm_source=firefox-newtab-de-de&foo=bar"},
	{"https://getpocket.com/explore/item/example-article?foo=bar", "",
		"https://getpocket.com/explore/item/example-article?foo=bar&utm_source="},
	// The quirks of §0.11.
	{"https://a.com/p?x=&y=1&z", "s", "https://a.com/p?y=1&utm_source=s"},
	{"https://a.com/p?q=a%20b&path=/x/y", "s", "https://a.com/p?q=a+b&path=%2Fx%2Fy&utm_source=s"},
	{"https://a.com/p?k=1&k=2&j=3", "s", "https://a.com/p?k=2&j=3&utm_source=s"},
	{"https://a.com/p?q=caf%C3%A9+x#frag", "s", "https://a.com/p?q=caf%C3%A9+x&utm_source=s#frag"},
	{"https://a.com/p;params?q=1", "s", "https://a.com/p;params?q=1&utm_source=s"},
	{"HTTPS://A.com/p#", "s", "https://A.com/p?utm_source=s"},
	{"https://a.com", "s", "https://a.com?utm_source=s"},
	{"https://a.com/p?q=%zz&r=%E2%82", "s", "https://a.com/p?q=%25zz&r=%EF%BF%BD&utm_source=s"},
}

func TestSetUTMSource(t *testing.T) {
	for _, c := range utmCases {
		if got := SetUTMSource(c.url, c.source); got != c.want {
			t.Errorf("SetUTMSource(%q, %q) = %q, want %q", c.url, c.source, got, c.want)
		}
	}
}

// TestSetUTMSourceMatchesPython runs merino-py's own function body (urlparse, parse_qsl,
// urlencode, geturl) in python3 on the same inputs.
func TestSetUTMSourceMatchesPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	var in strings.Builder
	for _, c := range utmCases {
		in.WriteString(c.url + "\t" + c.source + "\n")
	}
	script := `
import sys
from urllib.parse import urlparse, urlencode, parse_qsl
for line in sys.stdin.read().splitlines():
    url, src = line.split("\t")
    p = urlparse(url)
    q = dict(parse_qsl(p.query))
    q["utm_source"] = src
    print(p._replace(query=urlencode(q)).geturl())
`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if got := SetUTMSource(utmCases[i].url, utmCases[i].source); got != want {
			t.Errorf("%q: got %q, python %q", utmCases[i].url, got, want)
		}
	}
}
