// Package keysample narrows a binary search over a large sorted key table before it touches
// the table. A search over millions of keys stored back to back reads an offset, then the key,
// at about 20 scattered places each, nearly all cache misses; the first 8 bytes of every
// Every-th key, held as integers in a side array of 1/Every the table's entries, answer most
// of those steps from memory that stays cached, and leave a stretch of about Every keys to
// compare in full.
//
// The first 8 bytes of a key, big-endian and zero-padded, never decrease along keys sorted
// bytewise, for any bytes (a proper prefix pads with zeros, which no byte is below). So a
// sample below q's is a key below q, and a sample above q's a key above q.
package keysample

// Every is the spacing of the samples: one key in Every.
const Every = 16

// Samples are the first 8 bytes of keys 0, Every, 2*Every, ... of a sorted table.
type Samples []uint64

// Build samples the n sorted keys that key returns.
func Build(n int, key func(i int) []byte) Samples {
	s := make(Samples, (n+Every-1)/Every)
	for j := range s {
		s[j] = Prefix(key(j*Every), 0)
	}
	return s
}

// Prefix is the first 8 bytes of b, big-endian, padded with pad.
func Prefix(b []byte, pad byte) uint64 {
	var x uint64
	for i := 0; i < 8; i++ {
		c := pad
		if i < len(b) {
			c = b[i]
		}
		x = x<<8 | uint64(c)
	}
	return x
}

// LowerBound returns the stretch [lo, hi) of a table of n keys that holds the first key >= q
// (hi itself when none in the stretch is).
func (s Samples) LowerBound(q []byte, n int) (lo, hi int) {
	q8 := Prefix(q, 0)
	if a := s.search(q8, false); a > 0 {
		lo = (a-1)*Every + 1
	}
	return lo, min(n, s.search(q8, true)*Every)
}

// PrefixEnd returns an index at or after the end of the run of keys that start with prefix
// (a key that starts with it has a sample at most prefix padded with 0xff), for a table of n
// keys.
func (s Samples) PrefixEnd(prefix []byte, n int) int {
	return min(n, s.search(Prefix(prefix, 0xff), true)*Every)
}

// search returns the index of the first sample >= x (strictly: > x), or len(s).
func (s Samples) search(x uint64, strictly bool) int {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if v := s[m]; v < x || (strictly && v == x) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
