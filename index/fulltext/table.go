package fulltext

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
)

// tableBuilder gathers completion entries for a table: every key and title is appended to one
// arena, so that millions of titles cost their bytes plus 10 bytes each, not a string header
// and an allocation each (6.9 million English titles: about 360 MB instead of 600 MB).
type tableBuilder struct {
	arena  []byte   // entry i's key then title: arena[start[i]:start[i+1]], in insertion order
	start  []uint32 // n+1 offsets
	klen   []uint16
	weight []uint32
}

func newTableBuilder() *tableBuilder { return &tableBuilder{start: []uint32{0}} }

func (t *tableBuilder) len() int { return len(t.weight) }

// add appends one entry.
func (t *tableBuilder) add(key []byte, title string, weight uint32) error {
	if len(key) > math.MaxUint16 {
		return fmt.Errorf("cannot add %q: its key is %d bytes", title, len(key))
	}
	if uint64(len(t.arena))+uint64(len(key))+uint64(len(title)) > math.MaxUint32 || len(t.weight) == math.MaxInt32 {
		return fmt.Errorf("cannot add %q: the completion table is full (%d entries, %d bytes)", title, len(t.weight), len(t.arena))
	}
	t.arena = append(t.arena, key...)
	t.arena = append(t.arena, title...)
	t.start = append(t.start, uint32(len(t.arena)))
	t.klen = append(t.klen, uint16(len(key)))
	t.weight = append(t.weight, weight)
	return nil
}

func (t *tableBuilder) key(i uint32) []byte {
	return t.arena[t.start[i] : t.start[i]+uint32(t.klen[i])]
}

func (t *tableBuilder) title(i uint32) []byte {
	return t.arena[t.start[i]+uint32(t.klen[i]) : t.start[i+1]]
}

// order returns the entries' indexes in table order: by key, heaviest first within a key,
// then by title.
func (t *tableBuilder) order() []uint32 {
	ord := make([]uint32, len(t.weight))
	for i := range ord {
		ord[i] = uint32(i)
	}
	slices.SortFunc(ord, func(a, b uint32) int {
		if c := bytes.Compare(t.key(a), t.key(b)); c != 0 {
			return c
		}
		if wa, wb := t.weight[a], t.weight[b]; wa != wb {
			if wa > wb {
				return -1
			}
			return 1
		}
		return bytes.Compare(t.title(a), t.title(b))
	})
	return ord
}

// completion builds the table in memory.
func (t *tableBuilder) completion() *Completion {
	ord := t.order()
	n := len(ord)
	c := &Completion{
		blob:   make([]byte, 0, len(t.arena)),
		off:    make([]uint32, 0, n+1),
		klen:   make([]uint16, 0, n),
		weight: make([]uint32, 0, n),
	}
	for _, i := range ord {
		c.off = append(c.off, uint32(len(c.blob)))
		c.klen = append(c.klen, t.klen[i])
		c.weight = append(c.weight, t.weight[i])
		c.blob = append(c.blob, t.arena[t.start[i]:t.start[i+1]]...)
	}
	c.off = append(c.off, uint32(len(c.blob)))
	c.buildTree()
	return c
}

// writeTo writes completion.bin to w without building the table in memory: the entries are
// written in table order straight from the arena.
func (t *tableBuilder) writeTo(w io.Writer) error {
	ord := t.order()
	return writeCompletion(w, len(ord), len(t.arena), func(j int) (uint32, uint16, []byte) {
		i := ord[j]
		return t.weight[i], t.klen[i], t.arena[t.start[i]:t.start[i+1]]
	})
}
