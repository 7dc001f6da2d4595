package jsonw

import "sync"

// maxPooledSize is the largest capacity a Buffer may have and still go back
// to the pool. Responses are a few KiB; a buffer that grew past this rendered
// an unusual body, and pooling it would pin that memory for as long as the
// pool keeps it (sync.Pool entries survive at least one GC) while every later
// Get paid for capacity it does not need. Dropping it lets the GC reclaim it.
const maxPooledSize = 64 << 10

// Buffer is a reusable byte slice for rendering one JSON document. Append to
// B with the Append functions of this package, e.g.
// buf.B = jsonw.AppendString(buf.B, s).
//
// A Buffer is not safe for concurrent use. After PutBuffer neither the Buffer
// nor any slice of B may be used: the memory is handed to another request.
type Buffer struct {
	// B holds the document written so far.
	B []byte
}

// Reset empties the buffer, keeping its capacity.
func (b *Buffer) Reset() {
	b.B = b.B[:0]
}

var bufferPool sync.Pool

// GetBuffer returns an empty Buffer from the pool, or a new one. Return it
// with PutBuffer once its contents have been written out.
func GetBuffer() *Buffer {
	if v := bufferPool.Get(); v != nil {
		return v.(*Buffer)
	}
	return &Buffer{}
}

// PutBuffer resets b and returns it to the pool, unless it grew beyond
// 64 KiB, in which case it is left to the garbage collector. b and its
// contents must not be used afterwards.
func PutBuffer(b *Buffer) {
	if cap(b.B) > maxPooledSize {
		return
	}
	b.Reset()
	bufferPool.Put(b)
}
