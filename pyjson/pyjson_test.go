package pyjson

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// cases are bodies whose json.loads outcome (value or error) Python decides.
var cases = []string{
	`{}`, `[]`, `{"a":1}`, ` {"a" : [1, 2.5, -0, -0.0, 1e3, 1E-7, true, false, null]} `,
	`{"a":1,"a":2,"b":{"a":3,"b":4,"a":5}}`, `"\u00e9\ud83d\ude00\n\t\"\\\/"`, `"é€😀"`,
	`123456789012345678901234567890`, `1.5e400`, `-1.5e400`, `NaN`, `Infinity`, `-Infinity`,
	`0.1`, `100.5`, `1e16`, `1e-5`, `12.0`,
	// Errors.
	``, ` `, `{bad`, `{`, `[`, `[1,`, `[1`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,`, `{"a" 1}`,
	`{"a":1 "b":2}`, `[1 2]`, `{1:2}`, `{'a':1}`, `"abc`, `"a\qb"`, `"\u12"`, `"\u12x4"`, `"\u1234`,
	`"\ud800\u12x4"`, "\"a\x01b\"", "\"a\nb\"", `tru`, `nul`, `-`, `-a`, `01`, `1.`, `1.e5`, `1e`, `1e+`,
	`.5`, `+1`, `{"a":1}x`, `{"a":1} {}`, `[1,]`, `{"a":1,}`, `é`, `{"é":"x"} é`, `[-]`, `"\`,
	`{"locale":"en-US",}`, `[1, ]`,
}

// python runs json.loads on each case and prints, per line, either "ok <dumps>" or
// "err <msg>|<pos>". Python before 3.13 reports a trailing comma as a missing value or name;
// those lines are rewritten to 3.13's message, which merino-py's Python gives.
func python(t *testing.T, inputs []string) []string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: cannot compare with Python's json")
	}
	in, _ := json.Marshal(inputs)
	script := `
import json, sys
for s in json.loads(sys.stdin.read()):
    try:
        v = json.loads(s.encode("utf-8"))
        print("ok " + json.dumps(v, ensure_ascii=False, separators=(",", ":")).replace("\n", "\\n"))
    except json.JSONDecodeError as e:
        print("err %s|%d" % (e.msg, e.pos))
`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}

func TestMatchesPython(t *testing.T) {
	want := python(t, cases)
	var d Doc
	for i, c := range cases {
		got := describe(&d, c)
		w := want[i]
		// Python 3.13 names the trailing comma; older Pythons report what follows it.
		if strings.HasPrefix(w, "err ") && (strings.HasSuffix(c, ",]") || strings.HasSuffix(c, ", ]") || strings.HasSuffix(c, ",}")) {
			kind := "array"
			if strings.HasSuffix(c, "}") {
				kind = "object"
			}
			w = "err Illegal trailing comma before end of " + kind + "|" + itoa(strings.LastIndex(c, ","))
		}
		// Python writes NaN and infinities; merino-go writes null (merino-py cannot write them).
		w = strings.NewReplacer("-Infinity", "null", "Infinity", "null", "NaN", "null").Replace(w)
		if got != w {
			t.Errorf("%q: got %q, want %q", c, got, w)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func describe(d *Doc, s string) string {
	root, err := d.Parse([]byte(s))
	var se *SyntaxError
	switch {
	case errors.As(err, &se):
		return "err " + se.Msg + "|" + itoa(se.Pos)
	case err != nil:
		return "unparsable"
	}
	return "ok " + strings.ReplaceAll(d.Python(root), "\n", `\n`)
}

func TestLimits(t *testing.T) {
	var d Doc
	deep := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if _, err := d.Parse([]byte(deep)); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
	deeper := strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1)
	if _, err := d.Parse([]byte(deeper)); err != ErrUnparsable {
		t.Errorf("depth %d: %v, want ErrUnparsable", MaxDepth+1, err)
	}
	if _, err := d.Parse([]byte(strings.Repeat("9", 4301))); err != ErrUnparsable {
		t.Errorf("4301 digits: %v", err)
	}
	if _, err := d.Parse([]byte("\"\xff\"")); err != ErrUnparsable {
		t.Errorf("invalid UTF-8: %v", err)
	}
	root, err := d.Parse([]byte("\xef\xbb\xbf{\"a\":1}"))
	if err != nil || d.Python(root) != `{"a":1}` {
		t.Errorf("BOM: %v", err)
	}
}

func TestGetLastOccurrence(t *testing.T) {
	var d Doc
	root, err := d.Parse([]byte(`{"count":1,"x":[],"count":"7"}`))
	if err != nil {
		t.Fatal(err)
	}
	i, ok := d.Get(root, "count")
	if !ok || d.Node(i).Text != "7" || d.Node(i).Kind != String {
		t.Errorf("Get = %v %+v", ok, d.Node(i))
	}
	if _, ok := d.Get(root, "nope"); ok {
		t.Error("found a missing key")
	}
	if d.Len(root) != 3 {
		t.Errorf("Len = %d", d.Len(root))
	}
}

func TestParseAllocs(t *testing.T) {
	var d Doc
	body := []byte(`{"inferredInterests":null,"locale":"en-US","region":"US","topics":[],"sections":[{"sectionId":"nfl","isFollowed":true,"isBlocked":false,"followedAt":"2025-03-17T12:00:00.991Z"}],"enableInterestPicker":false,"feeds":["sections"]}`)
	if _, err := d.Parse(body); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = d.Parse(body) }); n != 0 {
		t.Errorf("%v allocations per parse", n)
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d Doc
		root, err := d.Parse(data)
		if err != nil {
			return
		}
		// What Python would write back is valid JSON that reads as the same document.
		out := d.AppendPython(nil, root)
		if !json.Valid(out) {
			t.Fatalf("%q wrote invalid JSON %q", data, out)
		}
		var d2 Doc
		root2, err := d2.Parse(out)
		if err != nil {
			t.Fatalf("%q: re-reading %q: %v", data, out, err)
		}
		if again := d2.AppendPython(nil, root2); string(again) != string(out) {
			t.Fatalf("%q: %q then %q", data, out, again)
		}
	})
}
