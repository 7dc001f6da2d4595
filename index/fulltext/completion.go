package fulltext

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"unsafe"

	"github.com/mozilla-services/merino-go/index/keysample"
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
	// tree is the inner nodes of an iterative segment tree of argmax over weight: node j
	// (1 <= j < n) covers its children 2j and 2j+1, and node n+i is leaf i itself, not
	// stored. Ties go to the smaller index, that is the smaller key, so answers are
	// deterministic.
	tree []uint32
	// sample narrows Range's searches before they touch off, klen and blob (on a 16M-title
	// table, ~70 scattered reads a keystroke otherwise). Built on load, not stored.
	sample keysample.Samples
	// file is the completion.bin buffer blob, off, klen and weight point into when the table
	// was decoded without copying (nil otherwise); it is kept for Bytes.
	file []byte
}

// Entry is one completion input: the title as served, its analysed key and its weight.
type Entry struct {
	Key    string
	Title  string
	Weight uint32
}

// NewCompletion sorts the entries (by key, heaviest first within a key, then by title) and
// builds the table. Entries with an empty key cannot be found by any prefix but are kept, as
// Elasticsearch keeps them.
func NewCompletion(entries []Entry) (*Completion, error) {
	t := newTableBuilder()
	for _, e := range entries {
		if err := t.add([]byte(e.Key), e.Title, e.Weight); err != nil {
			return nil, err
		}
	}
	return t.completion(), nil
}

// yieldEvery is how many entries loading a table checks between yields of the processor: a
// reload of a large table runs beside requests (two cores serve thousands a second), and
// seconds of uninterrupted work would stretch their tail latency.
const yieldEvery = 1 << 16

// buildTree builds the segment tree and the key samples of a loaded table.
func (c *Completion) buildTree() {
	n := len(c.weight)
	c.sample = keysample.Build(n, c.keyBytes)
	c.tree = make([]uint32, n)
	for j := n - 1; j > 0; j-- {
		if j%yieldEvery == 0 {
			runtime.Gosched()
		}
		c.tree[j] = c.better(c.node(2*j), c.node(2*j+1))
	}
}

// node is the best entry under segment-tree node x.
func (c *Completion) node(x int) uint32 {
	if n := len(c.weight); x >= n {
		return uint32(x - n)
	}
	return c.tree[x]
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

// Bytes is the memory the table holds, for logs and metrics.
func (c *Completion) Bytes() int {
	if c.file != nil {
		return cap(c.file) + 4*cap(c.tree) + 8*cap(c.sample)
	}
	return cap(c.blob) + 4*cap(c.off) + 2*cap(c.klen) + 4*cap(c.weight) + 4*cap(c.tree) + 8*cap(c.sample)
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
	lo, hi = c.sample.LowerBound(prefix, n)
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
	l, h := lo, c.sample.PrefixEnd(prefix, n)
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
			res = c.better(res, c.node(l))
			l++
		}
		if r&1 == 1 {
			r--
			res = c.better(res, c.node(r))
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

// The file format of completion.bin, little-endian, every array aligned on its element size
// so that a little-endian machine uses the file's bytes as they are:
//
//	magic "MGCMPL02", n uint32, blob length uint32,
//	weight [n]uint32, off [n+1]uint32, klen [n]uint16, blob,
//	CRC-32C of everything before it (uint32).
const completionMagic = "MGCMPL02"

const completionHeader = 16

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// MarshalBinary encodes the table for completion.bin.
func (c *Completion) MarshalBinary() ([]byte, error) {
	n := len(c.weight)
	var buf bytes.Buffer
	buf.Grow(completionHeader + n*10 + 4 + len(c.blob) + 4)
	err := writeCompletion(&buf, n, len(c.blob), func(i int) (uint32, uint16, []byte) {
		return c.weight[i], c.klen[i], c.blob[c.off[i]:c.off[i+1]]
	})
	return buf.Bytes(), err
}

// writeCompletion writes completion.bin for n entries, blobLen bytes of keys and titles in
// all, entry i (in table order) being at(i): its weight, its key's length and its key then
// title. It is the one encoder of the format, for a loaded table (MarshalBinary) and for a
// builder's arena (tableBuilder.writeTo).
func writeCompletion(w io.Writer, n, blobLen int, at func(i int) (weight uint32, klen uint16, entry []byte)) error {
	h := crc32.New(crcTable)
	bw := bufio.NewWriterSize(io.MultiWriter(w, h), 1<<20)
	var b [16]byte
	copy(b[:], completionMagic)
	binary.LittleEndian.PutUint32(b[8:], uint32(n))
	binary.LittleEndian.PutUint32(b[12:], uint32(blobLen))
	bw.Write(b[:])
	for i := 0; i < n; i++ {
		wt, _, _ := at(i)
		bw.Write(binary.LittleEndian.AppendUint32(b[:0], wt))
	}
	off := uint32(0)
	for i := 0; i < n; i++ {
		_, _, e := at(i)
		bw.Write(binary.LittleEndian.AppendUint32(b[:0], off))
		off += uint32(len(e))
	}
	bw.Write(binary.LittleEndian.AppendUint32(b[:0], off))
	for i := 0; i < n; i++ {
		_, kl, _ := at(i)
		bw.Write(binary.LittleEndian.AppendUint16(b[:0], kl))
	}
	for i := 0; i < n; i++ {
		_, _, e := at(i)
		bw.Write(e)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(binary.LittleEndian.AppendUint32(b[:0], h.Sum32()))
	return err
}

// checksum is the CRC-32C of data, computed a megabyte at a time with a yield between (see
// yieldEvery).
func checksum(data []byte) uint32 {
	var sum uint32
	for len(data) > 0 {
		n := min(len(data), 1<<20)
		sum = crc32.Update(sum, crcTable, data[:n])
		data = data[n:]
		runtime.Gosched()
	}
	return sum
}

// errCorrupt is wrapped by every decoding failure.
var errCorrupt = fmt.Errorf("%w: bad completion table", ErrCorrupt)

// littleEndian reports whether this machine stores integers as the file does.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// UnmarshalCompletion decodes completion.bin and checks it whole: checksum, offsets, key
// lengths and key order. A table that passes cannot make a lookup panic. On a little-endian
// machine the table is data itself, not a copy (only the segment tree is allocated): the
// caller must not modify data afterwards.
func UnmarshalCompletion(data []byte) (*Completion, error) {
	return unmarshalCompletion(data, false)
}

// unmarshalCompletion is UnmarshalCompletion; verified says that data's checksum as a whole
// was just checked against meta.json, which makes its own redundant.
func unmarshalCompletion(data []byte, verified bool) (*Completion, error) {
	if len(data) < completionHeader+4 || string(data[:8]) != completionMagic {
		return nil, fmt.Errorf("%w: bad header", errCorrupt)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if !verified && checksum(body) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	n := int(binary.LittleEndian.Uint32(body[8:]))
	blobLen := int(binary.LittleEndian.Uint32(body[12:]))
	p := body[completionHeader:]
	if uint64(len(p)) != uint64(n)*10+4+uint64(blobLen) {
		return nil, fmt.Errorf("%w: %d entries and %d bytes do not fit %d bytes", errCorrupt, n, blobLen, len(p))
	}
	weights, offs, klens, blob := p[:4*n], p[4*n:8*n+4], p[8*n+4:10*n+4], p[10*n+4:]
	c := &Completion{blob: blob[:blobLen:blobLen]}
	if littleEndian && uintptr(unsafe.Pointer(unsafe.SliceData(data)))%4 == 0 {
		c.file = data
		c.weight = unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(weights))), n)
		c.off = unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(offs))), n+1)
		c.klen = unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(klens))), n)
	} else {
		c.weight, c.off, c.klen = make([]uint32, n), make([]uint32, n+1), make([]uint16, n)
		for i := range c.weight {
			c.weight[i] = binary.LittleEndian.Uint32(weights[4*i:])
			c.klen[i] = binary.LittleEndian.Uint16(klens[2*i:])
		}
		for i := range c.off {
			c.off[i] = binary.LittleEndian.Uint32(offs[4*i:])
		}
	}
	if c.off[0] != 0 || int(c.off[n]) != blobLen {
		return nil, fmt.Errorf("%w: offsets do not cover the blob", errCorrupt)
	}
	for i := 0; i < n; i++ {
		if i%yieldEvery == yieldEvery-1 {
			runtime.Gosched()
		}
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
