package jsonw

import "testing"

func TestBufferPool(t *testing.T) {
	b := GetBuffer()
	if len(b.B) != 0 {
		t.Fatalf("new buffer has %d bytes; want 0", len(b.B))
	}
	b.B = AppendString(b.B, "hello")
	PutBuffer(b)
	if len(b.B) != 0 {
		t.Fatalf("PutBuffer left %d bytes; want a reset buffer", len(b.B))
	}

	// Whatever the pool hands back must be empty.
	for range 10 {
		b := GetBuffer()
		if len(b.B) != 0 {
			t.Fatalf("pooled buffer has %q; want empty", b.B)
		}
		b.B = append(b.B, "data"...)
		PutBuffer(b)
	}
}

func TestPutBufferDropsLarge(t *testing.T) {
	b := &Buffer{B: make([]byte, maxPooledSize+1)}
	PutBuffer(b)
	// A dropped buffer is not reset: it never reaches the pool, so nothing
	// can observe it again; its length shows PutBuffer took the drop branch.
	if len(b.B) != maxPooledSize+1 {
		t.Fatalf("oversized buffer was reset and pooled")
	}
	for range 100 {
		if got := GetBuffer(); cap(got.B) > maxPooledSize {
			t.Fatalf("pool returned a buffer of capacity %d", cap(got.B))
		}
	}
}

func TestBufferReset(t *testing.T) {
	b := &Buffer{B: make([]byte, 10, 20)}
	b.Reset()
	if len(b.B) != 0 || cap(b.B) != 20 {
		t.Fatalf("Reset gave len %d cap %d; want 0 and 20", len(b.B), cap(b.B))
	}
}
