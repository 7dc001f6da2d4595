package fulltext

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"unsafe"
)

// Completion is the completion table: entries sorted by key, each with a title and a weight,
// and a segment tree that finds the heaviest entry of any key range. It is immutable and safe
// for concurrent use; lookups do not allocate.
type Completion struct {
	// blob holds each entry's key then its title; entry i spans blob[off[i]:off[i+1]], the
	// first klen[i] bytes being the key.
	blob   []byte
	off    []uint32
	klen   []uint16
	weight []uint32
	// tree is an iterative segment tree of argmax over weight: leaves at tree[n+i], inner
	// node j covers its children 2j and 2j+1. Ties go to the smaller index, that is the
	// smaller key, so answers are deterministic.
	tree []uint32
}

// Entry is one completion input: the title as served, its analysed key and its weight.
type Entry struct {
	Key    string
	Title  string
	Weight uint32
}

// NewCompletion sorts the entries (by key, heaviest first within a key, then by title) and
// builds the table. Entries with an empty key cannot be found by any non-empty prefix but are
// kept, as Elasticsearch keeps them.
func NewCompletion(entries []Entry) (*Completion, error) {
	slices.SortFunc(entries, compareEntries)
	c := &Completion{
		off:    make([]uint32, 0, len(entries)+1),
		klen:   make([]uint16, 0, len(entries)),
		weight: make([]uint32, 0, len(entries)),
	}
	size := 0
	for i := range entries {
		size += len(entries[i].Key) + len(entries[i].Title)
	}
	if size > math.MaxUint32 || len(entries) > math.MaxInt32 {
		return nil, fmt.Errorf("cannot build a completion table of %d entries and %d bytes: too large", len(entries), size)
	}
	c.blob = make([]byte, 0, size)
	for i := range entries {
		e := &entries[i]
		if len(e.Key) > math.MaxUint16 {
			return nil, fmt.Errorf("cannot add %q: its key is %d bytes", e.Title, len(e.Key))
		}
		c.off = append(c.off, uint32(len(c.blob)))
		c.klen = append(c.klen, uint16(len(e.Key)))
		c.weight = append(c.weight, e.Weight)
		c.blob = append(c.blob, e.Key...)
		c.blob = append(c.blob, e.Title...)
	}
	c.off = append(c.off, uint32(len(c.blob)))
	c.buildTree()
	return c, nil
}

func compareEntries(a, b Entry) int {
	if c := compareStrings(a.Key, b.Key); c != 0 {
		return c
	}
	if a.Weight != b.Weight {
		if a.Weight > b.Weight {
			return -1
		}
		return 1
	}
	return compareStrings(a.Title, b.Title)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (c *Completion) buildTree() {
	n := len(c.weight)
	c.tree = make([]uint32, 2*n)
	for i := 0; i < n; i++ {
		c.tree[n+i] = uint32(i)
	}
	for j := n - 1; j > 0; j-- {
		c.tree[j] = c.better(c.tree[2*j], c.tree[2*j+1])
	}
}

// better returns the heavier of two entries, the smaller index on a tie.
func (c *Completion) better(a, b uint32) uint32 {
	wa, wb := c.weight[a], c.weight[b]
	if wa > wb || (wa == wb && a < b) {
		return a
	}
	return b
}

// Len is the number of entries.
func (c *Completion) Len() int { return len(c.weight) }

// Key returns entry i's analysed key. The string shares the table's memory, which is never
// modified; it stays valid as long as it is referenced.
func (c *Completion) Key(i int) string {
	return c.str(c.off[i], c.off[i]+uint32(c.klen[i]))
}

// Title returns entry i's title, sharing the table's memory like Key.
func (c *Completion) Title(i int) string {
	return c.str(c.off[i]+uint32(c.klen[i]), c.off[i+1])
}

// Weight returns entry i's weight.
func (c *Completion) Weight(i int) uint32 { return c.weight[i] }

func (c *Completion) str(from, to uint32) string {
	if from == to {
		return ""
	}
	return unsafe.String(&c.blob[from], int(to-from))
}

// Range returns the entries whose key starts with prefix: [lo, hi).
func (c *Completion) Range(prefix []byte) (lo, hi int) {
	n := len(c.weight)
	lo, hi = 0, n
	// lo: the first key >= prefix.
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(c.keyBytes(m), prefix) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	// hi: the first key from lo on that does not start with prefix.
	l, h := lo, n
	for l < h {
		m := int(uint(l+h) >> 1)
		if bytes.HasPrefix(c.keyBytes(m), prefix) {
			l = m + 1
		} else {
			h = m
		}
	}
	return lo, l
}

func (c *Completion) keyBytes(i int) []byte {
	o := c.off[i]
	return c.blob[o : o+uint32(c.klen[i])]
}

// best returns the heaviest entry in [lo, hi), which must not be empty.
func (c *Completion) best(lo, hi int) uint32 {
	n := len(c.weight)
	res := uint32(lo)
	for l, r := lo+n, hi+n; l < r; l, r = l>>1, r>>1 {
		if l&1 == 1 {
			res = c.better(res, c.tree[l])
			l++
		}
		if r&1 == 1 {
			r--
			res = c.better(res, c.tree[r])
		}
	}
	return res
}

// maxTop bounds k in Top: the candidate heap lives on the stack.
const maxTop = 32

// Top appends to dst the indexes of the k heaviest entries whose key starts with prefix,
// heaviest first (ties: smaller key first). An empty prefix matches nothing: it is what a
// query that analyses to no token ("", "-", "_-") becomes, and Elasticsearch's completion
// suggester finds nothing for those. k is capped at 32. It does not allocate when dst has
// room.
func (c *Completion) Top(dst []int, prefix []byte, k int) []int {
	if k <= 0 || len(c.weight) == 0 || len(prefix) == 0 {
		return dst
	}
	k = min(k, maxTop)
	lo, hi := c.Range(prefix)
	if lo >= hi {
		return dst
	}
	if k == 1 {
		return append(dst, int(c.best(lo, hi)))
	}
	// Best-first over ranges: take the heaviest candidate, then its two sides become
	// candidates. Each step adds at most one candidate net, so 2k+1 slots suffice.
	type cand struct{ best, lo, hi uint32 }
	var heap [2*maxTop + 1]cand
	h := heap[:0]
	push := func(lo, hi int) {
		if lo >= hi {
			return
		}
		h = append(h, cand{c.best(lo, hi), uint32(lo), uint32(hi)})
		// sift up
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if c.better(h[i].best, h[p].best) != h[i].best || h[i].best == h[p].best {
				break
			}
			h[i], h[p] = h[p], h[i]
			i = p
		}
	}
	push(lo, hi)
	for len(h) > 0 && k > 0 {
		top := h[0]
		last := len(h) - 1
		h[0] = h[last]
		h = h[:last]
		// sift down
		for i := 0; ; {
			l, r, m := 2*i+1, 2*i+2, i
			if l < len(h) && c.better(h[l].best, h[m].best) == h[l].best {
				m = l
			}
			if r < len(h) && c.better(h[r].best, h[m].best) == h[r].best {
				m = r
			}
			if m == i {
				break
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
		dst = append(dst, int(top.best))
		k--
		push(int(top.lo), int(top.best))
		push(int(top.best)+1, int(top.hi))
	}
	return dst
}

// The file format of completion.bin, little-endian:
//
//	magic "MGCMPL01", n uint32, blob length uint32,
//	weight [n]uint32, klen [n]uint16, off [n+1]uint32, blob,
//	CRC-32C of everything before it (uint32).
const completionMagic = "MGCMPL01"

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// MarshalBinary encodes the table for completion.bin.
func (c *Completion) MarshalBinary() ([]byte, error) {
	n := len(c.weight)
	out := make([]byte, 0, 16+n*10+4+len(c.blob)+4)
	out = append(out, completionMagic...)
	out = binary.LittleEndian.AppendUint32(out, uint32(n))
	out = binary.LittleEndian.AppendUint32(out, uint32(len(c.blob)))
	for _, w := range c.weight {
		out = binary.LittleEndian.AppendUint32(out, w)
	}
	for _, l := range c.klen {
		out = binary.LittleEndian.AppendUint16(out, l)
	}
	for _, o := range c.off {
		out = binary.LittleEndian.AppendUint32(out, o)
	}
	out = append(out, c.blob...)
	return binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, crcTable)), nil
}

// errCorrupt is wrapped by every decoding failure.
var errCorrupt = errors.New("corrupt completion table")

// UnmarshalCompletion decodes completion.bin and checks it whole: checksum, offsets, key
// lengths and key order. A table that passes cannot make a lookup panic.
func UnmarshalCompletion(data []byte) (*Completion, error) {
	if len(data) < 20 || string(data[:8]) != completionMagic {
		return nil, fmt.Errorf("%w: bad header", errCorrupt)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, crcTable) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	n := int(binary.LittleEndian.Uint32(body[8:]))
	blobLen := int(binary.LittleEndian.Uint32(body[12:]))
	p := body[16:]
	if uint64(len(p)) != uint64(n)*10+4+uint64(blobLen) {
		return nil, fmt.Errorf("%w: %d entries and %d bytes do not fit %d bytes", errCorrupt, n, blobLen, len(p))
	}
	c := &Completion{
		weight: make([]uint32, n),
		klen:   make([]uint16, n),
		off:    make([]uint32, n+1),
	}
	for i := range c.weight {
		c.weight[i] = binary.LittleEndian.Uint32(p[4*i:])
	}
	p = p[4*n:]
	for i := range c.klen {
		c.klen[i] = binary.LittleEndian.Uint16(p[2*i:])
	}
	p = p[2*n:]
	for i := range c.off {
		c.off[i] = binary.LittleEndian.Uint32(p[4*i:])
	}
	c.blob = append([]byte(nil), p[4*(n+1):]...)
	if c.off[0] != 0 || int(c.off[n]) != blobLen {
		return nil, fmt.Errorf("%w: offsets do not cover the blob", errCorrupt)
	}
	for i := 0; i < n; i++ {
		if c.off[i+1] < c.off[i] || uint32(c.klen[i]) > c.off[i+1]-c.off[i] {
			return nil, fmt.Errorf("%w: entry %d is out of bounds", errCorrupt, i)
		}
		if i > 0 && bytes.Compare(c.keyBytes(i-1), c.keyBytes(i)) > 0 {
			return nil, fmt.Errorf("%w: keys out of order at entry %d", errCorrupt, i)
		}
	}
	c.buildTree()
	return c, nil
}
