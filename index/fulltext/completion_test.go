package fulltext

import (
	"bytes"
	"math/rand/v2"
	"sort"
	"testing"
)

// rangeByScan is Range by its definition: the keys that start with prefix, found by a plain
// search of the sorted keys.
func rangeByScan(c *Completion, prefix []byte) (int, int) {
	n := c.Len()
	lo := sort.Search(n, func(i int) bool { return bytes.Compare(c.keyBytes(i), prefix) >= 0 })
	hi := lo
	for hi < n && bytes.HasPrefix(c.keyBytes(hi), prefix) {
		hi++
	}
	return lo, hi
}

// The sampled search finds the same range as a plain one, on keys made to defeat the
// 8-byte samples: long shared prefixes, NUL and 0xff bytes, keys shorter than 8 bytes, and
// prefixes longer than every key.
func TestRangeMatchesScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{0, 'a', 'b', 'c', 0x1f, 0xc3, 0xff}
	word := func(max int) []byte {
		b := make([]byte, r.IntN(max+1))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return b
	}
	for _, size := range []int{0, 1, 15, 16, 17, 100, 5000} {
		var entries []Entry
		for i := 0; i < size; i++ {
			k := word(12)
			if i%3 == 0 { // runs of keys sharing their first 8 bytes and more
				k = append([]byte("abcabcab"), word(6)...)
			}
			entries = append(entries, Entry{Key: string(k), Title: "t", Weight: uint32(r.IntN(1000))})
		}
		c, err := NewCompletion(entries)
		if err != nil {
			t.Fatal(err)
		}
		for q := 0; q < 3000; q++ {
			var p []byte
			switch q % 3 {
			case 0:
				p = word(10)
			case 1:
				p = append([]byte("abcabc"), word(5)...)
			default:
				if size > 0 { // a prefix of a key that exists
					k := c.keyBytes(r.IntN(size))
					p = k[:r.IntN(len(k)+1)]
				}
			}
			lo, hi := c.Range(p)
			wlo, whi := rangeByScan(c, p)
			if lo != wlo || hi != whi {
				t.Fatalf("%d keys, prefix %q: Range = [%d,%d), want [%d,%d)", size, p, lo, hi, wlo, whi)
			}
		}
	}
}
