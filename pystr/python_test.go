package pystr

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// python runs a Python script with in as JSON on its standard input and decodes its JSON
// output into out. The test is skipped without python3.
func python(t *testing.T, script string, in, out any) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: cannot compare with CPython")
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(string(b))
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("python3 output: %v", err)
	}
}

// Every code point's isspace() and lower() against CPython's. Code points this Python's
// Unicode database does not assign (it may be older than Go's) are left out.
func TestEveryCodePointAgainstPython(t *testing.T) {
	var py struct {
		Space      []rune
		Lower      map[string]string
		Unassigned [][2]rune // ranges, inclusive
	}
	python(t, `import json, sys, unicodedata
space, lower, cn = [], {}, []
for c in range(0x110000):
    ch = chr(c)
    if ch.isspace(): space.append(c)
    if 0xD800 <= c <= 0xDFFF: continue
    if ch.lower() != ch: lower[str(c)] = ch.lower()
    if unicodedata.category(ch) == "Cn":
        if cn and cn[-1][1] == c - 1: cn[-1][1] = c
        else: cn.append([c, c])
json.dump({"Space": space, "Lower": lower, "Unassigned": cn}, sys.stdout)`, nil, &py)
	unassigned := func(r rune) bool {
		for _, rg := range py.Unassigned {
			if rg[0] <= r && r <= rg[1] {
				return true
			}
		}
		return false
	}
	spaces := map[rune]bool{}
	for _, r := range py.Space {
		spaces[r] = true
	}
	checked := 0
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		if IsSpace(r) != spaces[r] {
			t.Errorf("isspace(%U): %v, CPython %v", r, IsSpace(r), spaces[r])
		}
		want, changed := py.Lower[strconv.Itoa(int(r))]
		if !changed {
			if unicode.ToLower(r) == r && r != 0x130 && r != 0x3a3 {
				checked++ // neither side changes it (Lower only differs from ToLower there)
				continue
			}
			want = string(r)
		}
		if got := Lower(string(r)); got != want && !unassigned(r) {
			t.Errorf("lower(%U): %q, CPython %q", r, got, want)
		}
		checked++
	}
	if len(py.Space) < 25 || len(py.Lower) < 1000 || checked < 1_000_000 {
		t.Fatalf("too little compared: %d spaces, %d lower mappings, %d code points", len(py.Space), len(py.Lower), checked)
	}
}

// strip() over every Latin-1 byte, alone and around text, against CPython decoding the bytes
// as Latin-1.
func TestTrimSpaceLatin1AgainstPython(t *testing.T) {
	var in []string
	for b := 0; b < 256; b++ {
		in = append(in, string([]byte{byte(b)}), string([]byte{byte(b), 'a', byte(b), 'b', byte(b)}))
	}
	hexes := make([]string, len(in))
	for i, s := range in {
		hexes[i] = hexOf(s)
	}
	var want []string
	python(t, `import json, sys
json.dump([bytes.fromhex(h).decode("latin-1").strip().encode("latin-1").hex() for h in json.load(sys.stdin)], sys.stdout)`, hexes, &want)
	for i, s := range in {
		if got := hexOf(TrimSpaceLatin1(s)); got != want[i] {
			t.Errorf("strip(%q): %s, CPython %s", s, got, want[i])
		}
		if got := hexOf(string(TrimSpaceLatin1([]byte(s)))); got != want[i] {
			t.Errorf("strip([]byte %q): %s, CPython %s", s, got, want[i])
		}
	}
}

func hexOf(s string) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, digits[s[i]>>4], digits[s[i]&15])
	}
	return string(b)
}

// numberInputs are hand-picked edge cases of int() and float(), then random strings over an
// alphabet of the characters that matter.
func numberInputs() []string {
	in := []string{
		"", " ", "0", "-0", "+0", "007", "1_000", "1__000", "_1", "1_", "+_1", "1_0_0", " \t42\n ",
		"\x1c7\x1f", "\u00a012\u3000", "\u2028-3\u2029", "١٢٣", "-٣", "1٣", "١_٢", "𝟏𝟐", "𝟘", "߀߁", "᠐", "１２",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"99999999999999999999999", strings.Repeat("1", 4300), strings.Repeat("1", 4301), "0" + strings.Repeat("0", 4300),
		"1.0", "1.", ".1", ".", "-.5e-3", "1e5", "1E+05", "1e", "e1", "1e1_0", "1_0.5_5", "1_.5", "1._5", "1.5_",
		"inf", "-Inf", "+INFINITY", "infinit", "nan", "-NaN", "+nan", "nan1", "in f", "0x10", "0b1", "1j", "1,5",
		"1e400", "-1e400", "1e-400", "4.9e-324", "2.2250738585072014e-308", "0.1", "1.7976931348623157e308",
		"١.٥", "٣e٢", " ٣.٠ ", "1 2", "1\u20002", "\u180e1", "1\u200b", "--1", "+-1", "¹", "²", "½", "Ⅻ",
	}
	alphabet := []rune("0123456789_+-.eE \t\x1cinfatyINF١٢٣𝟏\u00a0\u3000x")
	rng := rand.New(rand.NewPCG(11, 29))
	for i := 0; i < 3000; i++ {
		n := rng.IntN(8)
		var b strings.Builder
		for j := 0; j < n; j++ {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		in = append(in, b.String())
	}
	return in
}

// int() and float() of every input against CPython: the value, or that Python raises.
func TestNumbersAgainstPython(t *testing.T) {
	in := numberInputs()
	var py []struct {
		Int   *string
		Float *string
	}
	python(t, `import json, sys
def f(x):
    try: return float(x).hex()
    except ValueError: return None
def i(x):
    try: return str(int(x))
    except ValueError: return None
json.dump([{"Int": i(x), "Float": f(x)} for x in json.load(sys.stdin)], sys.stdout)`, in, &py)
	for k, s := range in {
		digits, ok := AppendInt(nil, s)
		switch want := py[k].Int; {
		case want == nil && ok:
			t.Errorf("int(%q) = %s, CPython raises", s, digits)
		case want != nil && (!ok || string(digits) != *want):
			t.Errorf("int(%q) = %s, %v; CPython %s", s, digits, ok, *want)
		}
		n, ok := ParseInt(s)
		if want := py[k].Int; want != nil {
			w, err := strconv.ParseInt(*want, 10, 64)
			if (err == nil) != ok || (ok && n != w) {
				t.Errorf("ParseInt(%q) = %d, %v; CPython %s", s, n, ok, *want)
			}
		} else if ok {
			t.Errorf("ParseInt(%q) = %d, CPython raises", s, n)
		}
		f, ok := ParseFloat(s)
		want := py[k].Float
		if want == nil {
			if ok {
				t.Errorf("float(%q) = %v, CPython raises", s, f)
			}
			continue
		}
		w := fromHex(t, *want)
		if !ok || (f != w && !(math.IsNaN(f) && math.IsNaN(w))) || math.Signbit(f) != math.Signbit(w) && !math.IsNaN(w) {
			t.Errorf("float(%q) = %v, %v; CPython %s", s, f, ok, *want)
		}
	}
}

// float() of Latin-1 text (a header value) against CPython decoding the bytes as Latin-1.
func TestParseFloatLatin1AgainstPython(t *testing.T) {
	in := []string{"0.5", " 0.5\x85", "\xa00.5\xa0", "\x1c0.5", "0.5\x1f", "\xd9\xa1", "1\x852", "\x85\x85", "in\xa0f", "+\xa01"}
	for b := 0; b < 256; b++ {
		in = append(in, string([]byte{byte(b), '1'}), string([]byte{'1', byte(b)}), string([]byte{'1', byte(b), '2'}))
	}
	hexes := make([]string, len(in))
	for i, s := range in {
		hexes[i] = hexOf(s)
	}
	var want []*string
	python(t, `import json, sys
def f(x):
    try: return float(x).hex()
    except ValueError: return None
json.dump([f(bytes.fromhex(h).decode("latin-1")) for h in json.load(sys.stdin)], sys.stdout)`, hexes, &want)
	for i, s := range in {
		got, ok := ParseFloatLatin1(s)
		switch {
		case want[i] == nil && ok:
			t.Errorf("float(%q) = %v, CPython raises", s, got)
		case want[i] != nil && !ok:
			t.Errorf("float(%q) fails, CPython %s", s, *want[i])
		case ok && got != fromHex(t, *want[i]):
			t.Errorf("float(%q) = %v, CPython %s", s, got, *want[i])
		}
	}
}

// fromHex reads CPython's float.hex().
func fromHex(t *testing.T, h string) float64 {
	t.Helper()
	switch h {
	case "inf":
		return math.Inf(1)
	case "-inf":
		return math.Inf(-1)
	case "nan":
		return math.NaN()
	}
	f, err := strconv.ParseFloat(h, 64)
	if err != nil {
		t.Fatalf("cannot read CPython's %q: %v", h, err)
	}
	return f
}

func TestParseAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() {
		_, _ = ParseFloat(" 0.75 ")
		_, _ = ParseInt(" -1234 ")
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func FuzzNumbers(f *testing.F) {
	for _, s := range numberInputs()[:80] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		digits, ok := AppendInt(nil, s)
		if ok {
			if _, err := strconv.ParseFloat(string(digits), 64); err != nil && !strings.Contains(err.Error(), "range") {
				t.Fatalf("int(%q) = %q is not a number", s, digits)
			}
			if f, fok := ParseFloat(s); !fok && !strings.Contains(s, "_") || (fok && math.IsNaN(f)) {
				// Every int() string is a float() string too.
				t.Fatalf("int(%q) ok but float() = %v, %v", s, f, fok)
			}
		}
		if n, ok := ParseInt(s); ok && strconv.FormatInt(n, 10) != string(digits) {
			t.Fatalf("ParseInt(%q) = %d, AppendInt %q", s, n, digits)
		}
	})
}
