package useragent

import (
	"fmt"
	"testing"
)

var benchUAs = []struct{ name, ua string }{
	{"firefox-windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0"},
	{"firefox-android", "Mozilla/5.0 (Android 14; Mobile; rv:130.0) Gecko/130.0 Firefox/130.0"},
	{"firefox-ios", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/130.0 Mobile/15E148 Safari/605.1.15"},
	{"chrome-android", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Mobile Safari/537.36"},
	{"bot", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"},
	{"garbage", "xq7 zz/ 9 ;; lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor"},
}

var sinkInfo Info

func BenchmarkParseCached(b *testing.B) {
	p, err := NewParser(1000)
	if err != nil {
		b.Fatal(err)
	}
	uas := make([][]byte, len(benchUAs))
	for i, bu := range benchUAs {
		uas[i] = []byte(bu.ua)
		p.Parse(uas[i])
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var info Info
		for i := 0; pb.Next(); i++ {
			info = p.Parse(uas[i%len(uas)])
		}
		if info.OSFamily == "" && info.Browser != "" {
			panic("unreachable")
		}
	})
}

func BenchmarkParseUncached(b *testing.B) {
	p, err := NewParser(0)
	if err != nil {
		b.Fatal(err)
	}
	for _, bu := range benchUAs {
		ua := []byte(bu.ua)
		b.Run(bu.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkInfo = p.Parse(ua)
			}
		})
	}
}

// BenchmarkParseMisses is the cache's worst case: every User-Agent is new,
// so each call parses, inserts and eventually rotates generations.
func BenchmarkParseMisses(b *testing.B) {
	p, err := NewParser(1000)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkInfo = p.Parse(fmt.Appendf(nil, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.%d", i))
		i++
	}
}
