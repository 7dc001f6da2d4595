package jsonw

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"testing"
)

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"\/`, "\x00\x1f\x7f\n\t", "café 日本 😀", "\u2028", "\xff\xe2\x82", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendString(nil, s)
		if !json.Valid(out) {
			t.Fatalf("AppendString(%q) = %q is not valid JSON", s, out)
		}
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("cannot decode AppendString(%q) = %q: %v", s, out, err)
		}
		// Converting through []rune replaces each invalid byte with U+FFFD,
		// the rule AppendString documents.
		if want := string([]rune(s)); back != want {
			t.Fatalf("AppendString(%q) = %q decodes to %q; want %q", s, out, back, want)
		}
		for _, b := range out {
			if b < 0x20 {
				t.Fatalf("AppendString(%q) = %q holds raw control byte %#x", s, out, b)
			}
		}
		if got := AppendStringBytes(nil, []byte(s)); !bytes.Equal(got, out) {
			t.Fatalf("AppendStringBytes(%q) = %q; AppendString gives %q", s, got, out)
		}
	})
}

func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, 1, -1, 0.25, 0.31, 1e-5, 1e16, 1.5e16, 123456789012345678, 5e-324, math.MaxFloat64} {
		f.Add(math.Float64bits(v))
	}
	f.Fuzz(func(t *testing.T, bits uint64) {
		v := math.Float64frombits(bits)
		out := string(AppendFloat(nil, v))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if out != "null" {
				t.Fatalf("AppendFloat(%v) = %s; want null", v, out)
			}
			return
		}
		if !bytes.ContainsAny([]byte(out), ".e") {
			t.Fatalf("AppendFloat(%v) = %s has neither '.' nor 'e'; Python would", v, out)
		}
		back, err := strconv.ParseFloat(out, 64)
		if err != nil {
			t.Fatalf("cannot parse AppendFloat(%v) = %s: %v", v, out, err)
		}
		if math.Float64bits(back) != bits {
			t.Fatalf("AppendFloat(%v) = %s parses back to %v", v, out, back)
		}
		if !json.Valid([]byte(out)) {
			t.Fatalf("AppendFloat(%v) = %s is not valid JSON", v, out)
		}
	})
}
