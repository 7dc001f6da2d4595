//go:build !race

package jsonw

import "testing"

// TestAllocsAppend holds the writers to their budget: appending into a slice
// with enough capacity allocates nothing, escapes and invalid UTF-8 included.
func TestAllocsAppend(t *testing.T) {
	dst := make([]byte, 0, 4096)
	strs := []string{"plain ascii", "esc\"aped\\\n\x01", "日本語 😀", "bad \xff utf8"}
	strList := []string{"a", "b"}
	intList := []int64{1, 2, 3}
	raw := []byte("from the request \xe2\x82")
	f := func(name string, fn func()) {
		t.Helper()
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocs per run; want 0", name, n)
		}
	}
	f("AppendString", func() {
		for _, s := range strs {
			dst = AppendString(dst[:0], s)
		}
	})
	f("AppendStringBytes", func() { dst = AppendStringBytes(dst[:0], raw) })
	f("AppendKey", func() { dst = AppendKey(dst[:0], "title") })
	f("AppendFloat", func() {
		for _, v := range []float64{0, 0.31, 300, 1e-5, 1.5e16, 123456789012345678} {
			dst = AppendFloat(dst[:0], v)
		}
	})
	f("AppendInt", func() { dst = AppendInt(dst[:0], -1234567) })
	f("AppendBool", func() { dst = AppendBool(dst[:0], true) })
	f("AppendStringList", func() { dst = AppendStringList(dst[:0], strList) })
	f("AppendIntList", func() { dst = AppendIntList(dst[:0], intList) })
	// Warm the pool so the steady state is measured, not the first New.
	PutBuffer(GetBuffer())
	f("GetBuffer/PutBuffer", func() {
		b := GetBuffer()
		b.B = AppendString(b.B, "x")
		PutBuffer(b)
	})
}
