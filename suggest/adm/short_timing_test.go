package adm_test

import (
	"testing"
	"unicode/utf8"
)

// BenchmarkQueryShort300k queries the first one, two and three characters of each keyword:
// the first keystrokes of a search, where a query is shorter than most runs under it.
func BenchmarkQueryShort300k(b *testing.B) {
	for _, n := range []int{1, 2, 3} {
		b.Run(string(rune('0'+n))+"char", func(b *testing.B) {
			benchQuery(b, func(s string) string {
				i := 0
				for c := 0; i < len(s) && c < n; c++ {
					_, w := utf8.DecodeRuneInString(s[i:])
					i += w
				}
				return s[:i]
			}, nil)
		})
	}
}
