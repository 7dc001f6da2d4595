package acceptlang

import "testing"

var sink []string

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct{ name, header string }{
		{"single", "en-US"},
		{"typical", "en-US,en;q=0.9,fr;q=0.8,de;q=0.7"},
		{"reordered", "de;q=0.1,fr;q=0.5,en-US,it;q=0.9,pl;q=0.2"},
		{"invalid", "en-US,en;q=bogus"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			dst := make([]string, 0, 8)
			for b.Loop() {
				dst = Parse(bc.header, dst[:0])
			}
			sink = dst
		})
	}
}
