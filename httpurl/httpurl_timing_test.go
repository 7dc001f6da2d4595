package httpurl

import "testing"

// benchmarkURLs resemble what merino loads: plain ASCII URLs, some with
// queries or non-ASCII paths, and the odd IDN host.
var benchmarkURLs = []string{
	"https://www.example.com",
	"https://www.mozilla.org/en-US/firefox/new/?utm_source=suggest&utm_medium=referral",
	"https://en.wikipedia.org/wiki/Pok%C3%A9mon",
	"https://en.wikipedia.org/wiki/Zürich",
	"https://bücher.de/suche?q=der zauberberg",
	"http://127.0.0.1:8080/a/./b/../c",
}

func BenchmarkNormalize(b *testing.B) {
	b.ReportAllocs()
	var n int
	for b.Loop() {
		for _, u := range benchmarkURLs {
			s, err := Normalize(u)
			if err != nil {
				b.Fatal(err)
			}
			n += len(s)
		}
	}
	sink = n
}

func BenchmarkQuote(b *testing.B) {
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n += len(Quote("C++ (programming language)", "/"))
	}
	sink = n
}

// sink keeps the compiler from discarding the benchmarked work.
var sink int
