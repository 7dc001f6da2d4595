package jsonw

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func TestAppendStringASCII(t *testing.T) {
	f := func(s, want string) {
		t.Helper()
		if got := string(AppendStringASCII(nil, s)); got != want {
			t.Errorf("AppendStringASCII(%q) = %s; want %s", s, got, want)
		}
	}
	f("", `""`)
	f("plain / ascii", `"plain / ascii"`)
	f(`"\`, `"\"\\"`)
	f("a\nb\rc\td\be\ff\x00\x1f", `"a\nb\rc\td\be\ff\u0000\u001f"`)
	f("\x7f", `"\u007f"`)
	f("é😀", `"\u00e9\ud83d\ude00"`)
	f("Gößnitz", `"G\u00f6\u00dfnitz"`)
	f("\U0010FFFF", `"\udbff\udfff"`)
	f("a\xffb", `"a\ufffdb"`)
}

func TestStyleAppend(t *testing.T) {
	f := func(s Style, v any, want string) {
		t.Helper()
		if got := string(s.Marshal(v)); got != want {
			t.Errorf("Marshal(%#v) = %s; want %s", v, got, want)
		}
	}
	doc := Object{{"id", "geonames-US-0050"}, {"n", 1}, {"score", 0.25}, {"whole", 1.0}, {"tiny", 1e-05},
		{"list", []any{true, false, nil}}, {"empty", []string{}}, {"obj", Object{}}, {"names", []string{"é"}}}
	f(Python, doc, `{"id": "geonames-US-0050", "n": 1, "score": 0.25, "whole": 1.0, "tiny": 1e-05, "list": [true, false, null], "empty": [], "obj": {}, "names": ["\u00e9"]}`)
	f(Compact, doc, `{"id":"geonames-US-0050","n":1,"score":0.25,"whole":1.0,"tiny":1e-05,"list":[true,false,null],"empty":[],"obj":{},"names":["é"]}`)
	f(PythonIndent4, Object{{"a", []int64{1, 2}}, {"b", Object{{"c", "d"}}}, {"e", []any{}}},
		"{\n    \"a\": [\n        1,\n        2\n    ],\n    \"b\": {\n        \"c\": \"d\"\n    },\n    \"e\": []\n}")
	f(Python, map[string]any{"b": 1, "a": json.Number("2"), "c": json.Number("2.50")}, `{"a": 2, "b": 1, "c": 2.5}`)
	f(Python, [][]any{{int64(5128581), []any{"NY", Object{{"name", "New York"}, {"is_preferred", true}}}}},
		`[[5128581, ["NY", {"name": "New York", "is_preferred": true}]]]`)
}

func TestStyleAppendPanicsOnUnknownType(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "BUG") {
			t.Errorf("recovered %v; want a BUG panic", r)
		}
	}()
	Python.Marshal(struct{}{})
}

// pythonDumpsScript prints, for each JSON document on stdin, a JSON array of three strings:
// json.dumps(v), json.dumps(v, indent=4) and merino-py's compact response form.
const pythonDumpsScript = `
import json, sys
for line in sys.stdin.buffer:
    v = json.loads(line)
    out = [json.dumps(v), json.dumps(v, indent=4), json.dumps(v, ensure_ascii=False, separators=(",", ":"))]
    sys.stdout.write(json.dumps(out) + "\n")
`

// TestStylesMatchPython writes random nested documents in the three styles and requires the
// bytes Python's json.dumps writes for the same documents.
func TestStylesMatchPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found in PATH; skipping the byte-for-byte comparison with Python's json.dumps (CI runs it)")
	}
	rng := rand.New(rand.NewPCG(*pythonSeed, 2))
	var docs []any
	for range 600 {
		docs = append(docs, randomDoc(rng, 0))
	}
	var in []byte
	for _, d := range docs {
		in = appendNeutral(in, d)
		in = append(in, '\n')
	}
	lines := runPython(t, python, pythonDumpsScript, in, len(docs))
	failures := 0
	for i, d := range docs {
		var want [3]string
		if err := json.Unmarshal([]byte(lines[i]), &want); err != nil {
			t.Fatal(err)
		}
		for j, s := range []Style{Python, PythonIndent4, Compact} {
			if got := string(s.Marshal(d)); got != want[j] && failures < 10 {
				failures++
				t.Errorf("style %d of document %d:\n got %s\nwant %s", j, i, got, want[j])
			}
		}
	}
	t.Logf("compared %d documents in 3 styles with %s (seed %d)", len(docs), python, *pythonSeed)
}

// randomDoc returns a random document of Objects, lists, strings, ints, floats, bools and
// nulls, at most four levels deep.
func randomDoc(rng *rand.Rand, depth int) any {
	n := 8
	if depth >= 3 {
		n = 6 // scalars only
	}
	switch rng.IntN(n) {
	case 0:
		return randomString(rng)
	case 1:
		return rng.Int64() >> rng.IntN(64)
	case 2:
		if rng.IntN(2) == 0 {
			return randomDecimal(rng)
		}
		f := math.Float64frombits(rng.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return 0.5
		}
		return f
	case 3:
		return rng.IntN(2) == 0
	case 4:
		return nil
	case 5:
		return float64(rng.IntN(1000)) // integral floats: Python writes 3.0
	case 6:
		list := make([]any, rng.IntN(4))
		for i := range list {
			list[i] = randomDoc(rng, depth+1)
		}
		return list
	default:
		var o Object
		seen := map[string]bool{}
		for range rng.IntN(4) {
			// Python keeps the last of duplicate keys at the first one's place; the documents
			// merino-go writes never repeat a key.
			k := randomString(rng)
			if seen[string([]rune(k))] {
				continue
			}
			seen[string([]rune(k))] = true
			o = append(o, Member{k, randomDoc(rng, depth+1)})
		}
		return o
	}
}

// appendNeutral writes a document for Python to read without the encoder under test: ASCII
// strings (appendASCIIJSON) and floats that Python parses as floats.
func appendNeutral(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		return strconv.AppendBool(dst, x)
	case string:
		return appendASCIIJSON(dst, string([]rune(x)))
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return append(dst, s...)
	case []any:
		dst = append(dst, '[')
		for i, item := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendNeutral(dst, item)
		}
		return append(dst, ']')
	case Object:
		dst = append(dst, '{')
		for i, m := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendASCIIJSON(dst, string([]rune(m.Key)))
			dst = append(dst, ':')
			dst = appendNeutral(dst, m.Value)
		}
		return append(dst, '}')
	}
	panic(fmt.Sprintf("unexpected %T", v))
}

func FuzzAppendStringASCII(f *testing.F) {
	for _, s := range []string{"", "plain", `q"\/`, "\x00\x1f\x7f\n\t", "café 日本 😀", "\u2028", "\xff\xe2\x82", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendStringASCII(nil, s)
		for _, b := range out {
			if b < 0x20 || b >= 0x7f {
				t.Fatalf("AppendStringASCII(%q) = %q holds byte %#x outside printable ASCII", s, out, b)
			}
		}
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("cannot decode AppendStringASCII(%q) = %q: %v", s, out, err)
		}
		if want := string([]rune(s)); back != want {
			t.Fatalf("AppendStringASCII(%q) = %q decodes to %q; want %q", s, out, back, want)
		}
	})
}
