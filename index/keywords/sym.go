package keywords

import (
	"cmp"
	"slices"
	"sort"
	"unicode/utf8"
)

// symIndex is moz-merino-ext's SymSpell delete index (sym.rs) over the distinct full keywords:
// each keyword is filed under itself and under each of its one-character deletions, so that
// every keyword within Damerau distance 1 of a query shares a key with one of the query's own
// deletions (or the query itself).
//
// Keys are stored as 64-bit hashes rather than strings: a sorted array of (hash, keyword id)
// instead of a hash map of strings, about 12 bytes a key. A hash collision can only add a
// candidate, and every candidate is checked with a true distance test, so the results are the
// ones the string-keyed index gives.
type symIndex struct {
	words    []byte   // keywords back to back, in first-appearance order
	wordOffs []uint32 // word i is words[wordOffs[i]:wordOffs[i+1]]
	hashes   []uint64 // sorted
	ids      []uint32 // ids[i] is filed under hashes[i]
	minLen   int
	distinct int
}

// The hash of a rune sequence is a polynomial in an odd base modulo 2^64, so that the hash of
// every one-rune deletion follows from the whole string's hash in O(1) (the base is invertible
// modulo 2^64), then mixed with the length.
const (
	hashBase = 0x100000001b3 // the FNV-64 prime; odd
)

// hashBaseInv is the inverse of hashBase modulo 2^64 (Newton's iteration).
var hashBaseInv = func() uint64 {
	x := uint64(hashBase)
	for range 6 {
		x *= 2 - hashBase*x
	}
	return x
}()

func mix(h uint64, n int) uint64 {
	h ^= uint64(n) * 0x9e3779b97f4a7c15
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// deleteHashes calls fn with the hash of s itself and of each of its one-rune deletions.
// Deletions of equal neighbouring runes repeat a hash; callers de-duplicate.
func deleteHashes(rs []rune, fn func(uint64)) {
	n := len(rs)
	var whole uint64
	for _, r := range rs {
		whole = whole*hashBase + uint64(r)
	}
	fn(mix(whole, n))
	if n == 0 {
		return
	}
	// whole = P·B^(n-i) + r_i·B^(n-1-i) + S, and the deletion at i is P·B^(n-1-i) + S.
	pow := uint64(1) // B^(n-1-i), from i = n-1 down is easy; go up with the inverse instead
	for range n - 1 {
		pow *= hashBase
	}
	var prefix uint64
	for i := range n {
		r := uint64(rs[i])
		// prefix·B^(n-i) = prefix·pow·B
		v := whole - prefix*pow*hashBase - r*pow + prefix*pow
		fn(mix(v, n-1))
		prefix = prefix*hashBase + r
		pow *= hashBaseInv
	}
}

func buildSym(vocab []string, minLen int) symIndex {
	s := symIndex{minLen: minLen, wordOffs: []uint32{0}}
	type pair struct {
		h  uint64
		id uint32
	}
	// Size the pairs once: a word of n characters has at most n+1 deletion hashes (itself and
	// each one-character deletion). Growing by doubling cost twice the memory, all garbage
	// the collector then chases while requests are being served.
	total := 0
	for _, w := range vocab {
		if n := utf8.RuneCountInString(w); n >= minLen && n <= maxFuzzyWord {
			total += n + 1
		}
	}
	pairs := make([]pair, 0, total)
	var rs []rune
	for _, w := range vocab {
		n := utf8.RuneCountInString(w)
		// A keyword longer than maxFuzzyWord characters would cost O(n) keys for a match no
		// query of the API's length limit (500 characters) can reach.
		if n < minLen || n > maxFuzzyWord {
			continue
		}
		id := uint32(len(s.wordOffs) - 1)
		s.words = append(s.words, w...)
		s.wordOffs = append(s.wordOffs, uint32(len(s.words)))
		rs = rs[:0]
		for _, r := range w {
			rs = append(rs, r)
		}
		deleteHashes(rs, func(h uint64) { pairs = append(pairs, pair{h, id}) })
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := cmp.Compare(a.h, b.h); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	pairs = slices.Compact(pairs)
	s.hashes = make([]uint64, len(pairs))
	s.ids = make([]uint32, len(pairs))
	for i, p := range pairs {
		s.hashes[i], s.ids[i] = p.h, p.id
		if i == 0 || p.h != pairs[i-1].h {
			s.distinct++
		}
	}
	return s
}

// maxFuzzyWord bounds the full keywords the fuzzy index holds, in characters. merino-py's
// query length limit is 500 characters, so a longer keyword is never one edit away from a
// query; the bound keeps a hostile 10 MB keyword from costing gigabytes.
const maxFuzzyWord = 1024

// maxFuzzyQuery is the query length (characters) Fuzzy handles without allocating.
const maxFuzzyQuery = 512

func (s *symIndex) word(id uint32) []byte { return s.words[s.wordOffs[id]:s.wordOffs[id+1]] }

func (s *symIndex) bytes() int {
	return cap(s.words) + 4*cap(s.wordOffs) + 8*cap(s.hashes) + 4*cap(s.ids)
}

// candidates appends to dst the ids of the keywords at distance exactly 1 from q, sorted.
func (s *symIndex) candidates(q []byte, dst []uint32) []uint32 {
	if len(s.hashes) == 0 || s.minLen <= 0 {
		return dst
	}
	var qbuf [maxFuzzyQuery]rune
	qr := appendRunes(qbuf[:0], q)
	if len(qr) < s.minLen || len(qr) > maxFuzzyWord+1 {
		return dst
	}
	start := len(dst)
	deleteHashes(qr, func(h uint64) {
		i := sort.Search(len(s.hashes), func(i int) bool { return s.hashes[i] >= h })
		for ; i < len(s.hashes) && s.hashes[i] == h; i++ {
			dst = append(dst, s.ids[i])
		}
	})
	found := dst[start:]
	slices.Sort(found)
	found = slices.Compact(found)
	dst = dst[:start+len(found)]
	// Keep only true distance-1 neighbours: sharing a deletion also happens at distance 2
	// (world/words share "word"), and hashes may collide.
	var wbuf [maxFuzzyQuery + 2]rune
	kept := dst[:start]
	for _, id := range found {
		wr := appendRunes(wbuf[:0], s.word(id))
		if editDistanceOne(qr, wr) {
			kept = append(kept, id)
		}
	}
	return kept
}

func appendRunes(dst []rune, b []byte) []rune {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		dst = append(dst, r)
		b = b[n:]
	}
	return dst
}

// editDistanceOne is sym.rs's edit_distance_one: true when a and b are exactly one insertion,
// deletion, substitution or adjacent transposition apart (false for equal strings).
func editDistanceOne(a, b []rune) bool {
	la, lb := len(a), len(b)
	if la == lb {
		first, second, count := -1, -1, 0
		for i := range la {
			if a[i] != b[i] {
				switch count {
				case 0:
					first = i
				case 1:
					second = i
				}
				count++
				if count > 2 {
					return false
				}
			}
		}
		switch count {
		case 1:
			return true
		case 2:
			return second == first+1 && a[first] == b[second] && a[second] == b[first]
		}
		return false
	}
	short, long := a, b
	if la > lb {
		short, long = b, a
	}
	if len(long)-len(short) != 1 {
		return false
	}
	i, j, edits := 0, 0, 0
	for i < len(short) && j < len(long) {
		if short[i] == long[j] {
			i++
			j++
			continue
		}
		edits++
		if edits > 1 {
			return false
		}
		j++
	}
	return true
}
