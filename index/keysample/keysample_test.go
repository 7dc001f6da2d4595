package keysample

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// LowerBound's stretch holds the first key >= q, and PrefixEnd is at or after the last key
// that starts with q, on tables made to defeat 8-byte samples: long shared prefixes, NUL and
// 0xff bytes, keys shorter than 8 bytes, queries longer than every key.
func TestBoundsHoldTheAnswer(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte{0, 'a', 'b', 0x1f, 0xc3, 0xff}
	word := func(max int) []byte {
		b := make([]byte, r.IntN(max+1))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return b
	}
	for _, n := range []int{0, 1, Every - 1, Every, Every + 1, 3000} {
		keys := make([][]byte, n)
		for i := range keys {
			keys[i] = word(11)
			if i%3 == 0 {
				keys[i] = append([]byte("abababab"), word(5)...)
			}
		}
		slices.SortFunc(keys, bytes.Compare)
		s := Build(n, func(i int) []byte { return keys[i] })
		for k := 0; k < 3000; k++ {
			q := word(10)
			if k%2 == 0 && n > 0 {
				key := keys[r.IntN(n)]
				q = key[:r.IntN(len(key)+1)]
			}
			want := sort.Search(n, func(i int) bool { return bytes.Compare(keys[i], q) >= 0 })
			end := want
			for end < n && bytes.HasPrefix(keys[end], q) {
				end++
			}
			lo, hi := s.LowerBound(q, n)
			// want is in [lo, hi], and every key in [lo, want) is below q.
			if want < lo || want > hi || hi > n {
				t.Fatalf("%d keys, q %q: LowerBound = [%d,%d), the first key >= q is %d", n, q, lo, hi, want)
			}
			if e := s.PrefixEnd(q, n); e < end || e > n {
				t.Fatalf("%d keys, q %q: PrefixEnd = %d, the run of keys starting with q ends at %d", n, q, e, end)
			}
		}
	}
}

func TestPrefix(t *testing.T) {
	for _, c := range []struct {
		b    string
		pad  byte
		want uint64
	}{
		{"", 0, 0},
		{"a", 0, 0x61 << 56},
		{"a", 0xff, 0x61ffffffffffffff},
		{"abcdefghij", 0, 0x6162636465666768},
	} {
		if got := Prefix([]byte(c.b), c.pad); got != c.want {
			t.Errorf("Prefix(%q, %#x) = %#x, want %#x", c.b, c.pad, got, c.want)
		}
	}
}
