package jsonw

import (
	"strings"
	"testing"
)

// sink keeps the compiler from discarding the benchmarked work.
var sink []byte

func BenchmarkAppendString(b *testing.B) {
	cases := []struct{ name, s string }{
		{"ascii-short", "Firefox Suggest"},
		{"url", "https://www.example.com/some/path?utm_source=firefox-suggest&q=weather"},
		{"ascii-long", strings.Repeat("The quick brown fox jumps over the lazy dog. ", 20)},
		{"escapes", "line one\nline \"two\"\tand\\three\x01"},
		{"non-ascii", "Café in 東京 — 😀 Ünïcödé"},
		{"invalid-utf8", "abc\xffdef\xe2\x82ghi"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			dst := make([]byte, 0, 2*len(c.s)+64)
			b.ReportAllocs()
			b.SetBytes(int64(len(c.s)))
			for b.Loop() {
				dst = AppendString(dst[:0], c.s)
			}
			sink = dst
		})
	}
}

func BenchmarkAppendFloat(b *testing.B) {
	cases := []struct {
		name string
		f    float64
	}{
		{"integral", 300},
		{"score", 0.31},
		{"coordinate", -73.98565},
		{"long", 0.30000000000000004},
		{"small-sci", 1.234e-7},
		{"large-sci", 123456789012345678},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			dst := make([]byte, 0, 64)
			b.ReportAllocs()
			for b.Loop() {
				dst = AppendFloat(dst[:0], c.f)
			}
			sink = dst
		})
	}
}

func BenchmarkBufferPool(b *testing.B) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			buf := GetBuffer()
			buf.B = AppendString(buf.B, "Firefox Suggest")
			buf.B = AppendFloat(buf.B, 0.31)
			PutBuffer(buf)
		}
	})
}
