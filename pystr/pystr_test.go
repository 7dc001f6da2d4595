package pystr

import "testing"

func TestStripAndLower(t *testing.T) {
	f := func(in, strip, lstrip, lower string) {
		t.Helper()
		if got := TrimSpace(in); got != strip {
			t.Errorf("strip %q: got %q, want %q", in, got, strip)
		}
		if got := TrimLeftSpace(in); got != lstrip {
			t.Errorf("lstrip %q: got %q, want %q", in, got, lstrip)
		}
		if got := Lower(in); got != lower {
			t.Errorf("lower %q: got %q, want %q", in, got, lower)
		}
	}
	f(" Example ", "Example", "Example ", " example ")
	f("\t\n\v\f\r\x1c\x1d\x1e\x1fEx\u00a0\u3000\u2028", "Ex", "Ex\u00a0\u3000\u2028", "\t\n\v\f\r\x1c\x1d\x1e\x1fex\u00a0\u3000\u2028")
	f("İstanbul", "İstanbul", "İstanbul", "i\u0307stanbul")
	f("ΟΔΥΣΣΕΥΣ", "ΟΔΥΣΣΕΥΣ", "ΟΔΥΣΣΕΥΣ", "οδυσσευς")
	f("ΣΑΣ Σ", "ΣΑΣ Σ", "ΣΑΣ Σ", "σας σ")
	f("", "", "", "")
}

// The rules above against Python itself, for a batch of awkward strings.
func TestAgainstPython(t *testing.T) {
	inputs := []string{"Σ", "AΣ", "AΣB", "AΣ'", "A'Σ", "Σ.Σ", "ÉCOLE Œuvre", "ǅungla", "ﬁ", "ẞ", "K", "Ω", "\u1e9eSS", "\x1fa\x1c", "a\u200bb", "ΑΣ\u0301"}
	var got [][3]string
	python(t, `import json, sys
json.dump([[s.strip(), s.lstrip(), s.lower()] for s in json.load(sys.stdin)], sys.stdout)`, inputs, &got)
	for i, in := range inputs {
		if want := got[i][0]; TrimSpace(in) != want {
			t.Errorf("strip %q: %q, Python %q", in, TrimSpace(in), want)
		}
		if want := got[i][1]; TrimLeftSpace(in) != want {
			t.Errorf("lstrip %q: %q, Python %q", in, TrimLeftSpace(in), want)
		}
		if want := got[i][2]; Lower(in) != want {
			t.Errorf("lower %q: %q, Python %q", in, Lower(in), want)
		}
	}
}

func TestAllocs(t *testing.T) {
	var buf [64]byte
	if n := testing.AllocsPerRun(100, func() { _ = AppendLower(buf[:0], TrimSpace("  ΟΔΥΣΣΕΥΣ Firefox ")) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
