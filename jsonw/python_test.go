package jsonw

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

var pythonSeed = flag.Uint64("python.seed", 1, "seed for the random inputs of TestMatchesPython")

// pythonScript reads one JSON array per line, ["s", string] or ["f", repr],
// and prints each value the way merino-py writes response bodies. stdin and
// stdout are used as bytes so the locale's encoding cannot interfere.
const pythonScript = `
import json, sys
out = []
for line in sys.stdin.buffer:
    kind, v = json.loads(line)
    if kind == "f":
        v = float(v)
    out.append(json.dumps(v, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")))
sys.stdout.buffer.write(("\n".join(out) + "\n").encode("utf-8"))
`

// TestMatchesPython renders many strings and floats with this package and
// with Python's json.dumps, in one batched python3 run, and requires
// byte-identical output.
func TestMatchesPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found in PATH; skipping the byte-for-byte comparison with Python's json.dumps (CI runs it)")
	}
	rng := rand.New(rand.NewPCG(*pythonSeed, 0))

	var strs []string
	strs = append(strs, "", "\"", "\\", "/", "\x7f", "\u2028", "\uFFFD", "\U0010FFFF",
		"merino suggest", "https://example.com/?q=a&b=c", "日本語", "😀👩‍👩‍👧")
	for b := range 0x80 {
		strs = append(strs, string(rune(b)), "x"+string(rune(b))+"y")
	}
	for range 3000 {
		strs = append(strs, randomString(rng))
	}

	var floats []float64
	floats = append(floats, 0, math.Copysign(0, -1), 1, -1, 0.25, 0.31, 300, 0.1, 1.0/3,
		math.MaxFloat64, math.SmallestNonzeroFloat64, 2.2250738585072014e-308,
		1<<53, 1<<53+2, 123456789012345678)
	for e := -30; e <= 30; e++ {
		p := math.Pow(10, float64(e))
		floats = append(floats, p, -p, 1.5*p, math.Nextafter(p, 0), math.Nextafter(p, math.Inf(1)))
	}
	for len(floats) < 3000 {
		// Random bit patterns cover every exponent and long digit strings.
		f := math.Float64frombits(rng.Uint64())
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			floats = append(floats, f)
		}
	}
	for range 3000 {
		// Random decimals like the scores and coordinates merino serves.
		floats = append(floats, randomDecimal(rng))
	}

	var in []byte
	for _, s := range strs {
		// Python's str cannot hold invalid UTF-8; it sees the string with
		// each invalid byte replaced, which is what AppendString writes.
		in = append(in, `["s",`...)
		in = appendASCIIJSON(in, string([]rune(s)))
		in = append(in, "]\n"...)
	}
	for _, f := range floats {
		// 'g' with precision -1 round-trips, and Python parses it exactly.
		in = fmt.Appendf(in, "[\"f\",%q]\n", strconv.FormatFloat(f, 'g', -1, 64))
	}

	lines := runPython(t, python, pythonScript, in, len(strs)+len(floats))

	failures := 0
	check := func(what string, got []byte, want string) {
		t.Helper()
		if string(got) != want && failures < 20 {
			failures++
			t.Errorf("%s: got %s; python writes %s", what, got, want)
		}
	}
	for i, s := range strs {
		check(fmt.Sprintf("AppendString(%q)", s), AppendString(nil, s), lines[i])
	}
	for i, f := range floats {
		check(fmt.Sprintf("AppendFloat(%v)", f), AppendFloat(nil, f), lines[len(strs)+i])
	}
	t.Logf("compared %d strings and %d floats with %s (seed %d)", len(strs), len(floats), python, *pythonSeed)
}

// runPython runs script with in on stdin and returns the lines it prints, which must number
// want.
func runPython(t *testing.T, python, script string, in []byte, want int) []string {
	t.Helper()
	cmd := exec.Command(python, "-I", "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cannot run python3: %v\n%s", err, stderr.Bytes())
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != want {
		t.Fatalf("python3 printed %d lines; want %d", len(lines), want)
	}
	return lines
}

// randomString returns up to 40 runes drawn from the classes that matter to
// the encoder, with an occasional invalid UTF-8 byte.
func randomString(rng *rand.Rand) string {
	var b []byte
	n := rng.IntN(41)
	for range n {
		switch rng.IntN(12) {
		case 0:
			b = append(b, byte(rng.IntN(0x20))) // control character
		case 1:
			b = append(b, `"\/`[rng.IntN(3)])
		case 2:
			b = append(b, 0x7f)
		case 3:
			b = utf8.AppendRune(b, rune(0x80+rng.IntN(0x780))) // Latin, Greek, Cyrillic, ...
		case 4:
			b = utf8.AppendRune(b, rune(0x4e00+rng.IntN(0x5200))) // CJK
		case 5:
			b = utf8.AppendRune(b, rune(0x1f300+rng.IntN(0x700))) // emoji
		case 6:
			b = utf8.AppendRune(b, []rune{0x2028, 0x2029, 0xfeff, 0xfffd, 0x200d, 0x10ffff}[rng.IntN(6)])
		case 7:
			r := rune(rng.IntN(0x110000))
			if utf8.ValidRune(r) {
				b = utf8.AppendRune(b, r)
			}
		case 8:
			b = append(b, byte(0x80+rng.IntN(0x80))) // usually invalid UTF-8
		default:
			b = append(b, byte(0x20+rng.IntN(0x5f))) // printable ASCII
		}
	}
	return string(b)
}

// randomDecimal returns a float parsed from 1 to 17 random significant
// digits with a decimal exponent in -30..30.
func randomDecimal(rng *rand.Rand) float64 {
	var b []byte
	if rng.IntN(4) == 0 {
		b = append(b, '-')
	}
	digits := 1 + rng.IntN(17)
	for range digits {
		b = append(b, byte('0'+rng.IntN(10)))
	}
	b = append(b, 'e')
	b = strconv.AppendInt(b, int64(rng.IntN(61)-30), 10)
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		panic("BUG: cannot parse generated decimal " + string(b) + ": " + err.Error())
	}
	return f
}

// appendASCIIJSON appends s as a JSON string that uses only ASCII, escaping
// everything else as \uXXXX (with surrogate pairs), so the test's input to
// Python does not depend on the encoder under test.
func appendASCIIJSON(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r >= 0x20 && r < 0x7f:
			dst = append(dst, byte(r))
		case r > 0xffff:
			r -= 0x10000
			dst = fmt.Appendf(dst, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			dst = fmt.Appendf(dst, `\u%04x`, r)
		}
	}
	return append(dst, '"')
}
