package ranking

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// BenchmarkSortByScore sorts a sections request's worth of candidates (636), against the
// generic pdqsort with a comparison closure as the baseline.
func BenchmarkSortByScore(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	base := make([]Candidate, 636)
	for i := range base {
		base[i] = Candidate{ID: "id", Score: rng.Float64() / 50, Ref: int32(i)}
	}
	c := make([]Candidate, len(base))
	b.Run("sortKeys", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			copy(c, base)
			SortByScore(c)
		}
	})
	b.Run("slices.SortFunc", func(b *testing.B) {
		keys := make([]keyed, len(base))
		for i := 0; i < b.N; i++ {
			for j := range base {
				keys[j] = keyed{base[j].Score, int32(j)}
			}
			slices.SortFunc(keys, func(a, b keyed) int {
				if c := byScore(a, b); c != 0 {
					return c
				}
				return int(a.i - b.i)
			})
		}
	})
}
