package pycsv

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll returns every record and the line each ended on.
func readAll(r *Reader) (recs [][]string, lines []int, err error) {
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return recs, lines, nil
		}
		if err != nil {
			return recs, lines, err
		}
		recs = append(recs, append([]string{}, rec...))
		lines = append(lines, r.Line())
	}
}

func TestRead(t *testing.T) {
	f := func(in string, want ...[]string) {
		t.Helper()
		// A one-byte reader checks that no state is lost between reads.
		for _, rd := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in))} {
			got, _, err := readAll(NewReader(rd))
			if err != nil {
				t.Errorf("%q: %v", in, err)
				continue
			}
			if len(got) == 0 && len(want) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%q: got %q; want %q", in, got, want)
			}
		}
	}
	f("")
	f("a,b\n", []string{"a", "b"})
	f("a,b", []string{"a", "b"})
	f("\ufeffurl,title\r\nx,y\r\n", []string{"url", "title"}, []string{"x", "y"})
	f("a,\n", []string{"a", ""})
	f(",\n", []string{"", ""})
	f("\n\na\n", []string{}, []string{}, []string{"a"})
	f("a\rb\r\nc", []string{"a"}, []string{"b"}, []string{"c"})
	f(`"a,b","c""d"`+"\n", []string{"a,b", `c"d`})
	f("\"multi\r\nline\",x\n", []string{"multi\r\nline", "x"})
	f(`12" pizza,x`, []string{`12" pizza`, "x"})
	f(`"ab"cd,e`, []string{"abcd", "e"})
	f(`""`, []string{""})
	f("é,日本\n", []string{"é", "日本"})
	f("a\x00b", []string{"a\x00b"})
	f("a\r", []string{"a"})
	f("\ufeff")
	f("x,\ufeffy", []string{"x", "\ufeffy"})
}

func TestTSV(t *testing.T) {
	rd := NewTSVReader(strings.NewReader("688022\tYur”yivka\tYur\"yivka\t\t48.7\n1\t\"q\"\n"))
	got, lines, err := readAll(rd)
	want := [][]string{{"688022", "Yur”yivka", `Yur"yivka`, "", "48.7"}, {"1", "q"}}
	if err != nil || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(lines, []int{1, 2}) {
		t.Errorf("got %q %v %v", got, lines, err)
	}
}

func TestErrors(t *testing.T) {
	f := func(in string, want error, line, start int) {
		t.Helper()
		_, _, err := readAll(NewReader(strings.NewReader(in)))
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, want) || pe.Line != line || pe.StartLine != start {
			t.Errorf("%.60q: got %v; want %v on line %d (start %d)", in, err, want, line, start)
		}
	}
	f("a\n\"open,b\nc\n", ErrUnterminated, 3, 2)
	f("a\nb\xff,c\n", ErrNotUTF8, 2, 2)
	f("a\n\"x\ny\xfe\",c\n", ErrNotUTF8, 3, 2)
	f("a,"+strings.Repeat("x", FieldLimit+1), ErrFieldTooLarge, 1, 1)
	f(strings.Repeat(",", MaxFields+1), ErrTooManyFields, 1, 1)
	f(strings.Repeat(strings.Repeat("y", FieldLimit)+",", MaxRecordBytes/FieldLimit+1), ErrRecordTooLarge, 1, 1)
	if _, _, err := readAll(NewReader(strings.NewReader(strings.Repeat("é", FieldLimit)))); err != nil {
		t.Errorf("a field of exactly the limit in characters: %v", err)
	}
}

func TestDictReader(t *testing.T) {
	d := NewDictReader(strings.NewReader("\ufeffurl,title,title\n\nu1,t1,t2,extra\nu2\n"))
	h, err := d.Header()
	if err != nil || !reflect.DeepEqual(h.Names(), []string{"url", "title", "title"}) {
		t.Fatalf("%v %v", h, err)
	}
	rec, err := d.Read()
	if v, ok := h.Get(rec, "title"); err != nil || !ok || v != "t2" || d.Row() != 1 || d.StartLine() != 3 {
		t.Errorf("row 1: %q %v %q %v (row %d, line %d)", rec, err, v, ok, d.Row(), d.StartLine())
	}
	rec, _ = d.Read()
	if _, ok := h.Get(rec, "title"); ok || d.Row() != 2 {
		t.Errorf("a short row lacks title: %q", rec)
	}
	if _, err := d.Read(); err != io.EOF {
		t.Errorf("want EOF, got %v", err)
	}
	empty := NewDictReader(strings.NewReader(""))
	if h, err := empty.Header(); h != nil || err != nil {
		t.Errorf("empty file: %v %v", h, err)
	}
	if _, err := empty.Read(); err != io.EOF {
		t.Errorf("empty file: want EOF, got %v", err)
	}
}

// pythonCSVScript reads base64 inputs, one a line, and prints for each a JSON object with
// the records and line numbers Python's csv.reader gives, or the error it raises.
const pythonCSVScript = `
import base64, csv, io, json, sys
for line in sys.stdin:
    delim, data = line.split(" ")
    data = base64.b64decode(data)
    out = {"rows": [], "lines": []}
    try:
        f = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
        r = csv.reader(f, dialect="excel-tab" if delim == "t" else "excel")
        for row in r:
            out["rows"].append(row)
            out["lines"].append(r.line_num)
    except Exception as e:
        out["error"] = type(e).__name__
    print(json.dumps(out))
`

// TestMatchesPython reads random inputs made of the characters that matter to the parser
// with this package and with Python's csv module, and requires the same records and line
// numbers, or an error where the package documents one.
func TestMatchesPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found in PATH; skipping the comparison with Python's csv module (CI runs it)")
	}
	rng := rand.New(rand.NewPCG(1, 1))
	alphabet := []string{"a", "b", ",", ",", "\t", `"`, `"`, "\r", "\n", "\r\n", " ", "é", "日", "\x00", "\ufeff"}
	type input struct {
		tsv  bool
		data []byte
	}
	var inputs []input
	for i := range 3000 {
		var b []byte
		if rng.IntN(10) == 0 {
			b = append(b, "\ufeff"...)
		}
		for range rng.IntN(30) {
			b = append(b, alphabet[rng.IntN(len(alphabet))]...)
		}
		if rng.IntN(50) == 0 {
			b = append(b, 0xff)
		}
		inputs = append(inputs, input{tsv: i%3 == 0, data: b})
	}
	var stdin bytes.Buffer
	for _, in := range inputs {
		d := "c"
		if in.tsv {
			d = "t"
		}
		stdin.WriteString(d + " " + base64.StdEncoding.EncodeToString(in.data) + "\n")
	}
	cmd := exec.Command(python, "-I", "-c", pythonCSVScript)
	cmd.Stdin = &stdin
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cannot run python3: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(inputs) {
		t.Fatalf("python3 printed %d lines; want %d", len(lines), len(inputs))
	}
	failures := 0
	for i, in := range inputs {
		var want struct {
			Rows  [][]string `json:"rows"`
			Lines []int      `json:"lines"`
			Error string     `json:"error"`
		}
		if err := json.Unmarshal([]byte(lines[i]), &want); err != nil {
			t.Fatal(err)
		}
		rd := NewReader(bytes.NewReader(in.data))
		if in.tsv {
			rd = NewTSVReader(bytes.NewReader(in.data))
		}
		got, gotLines, err := readAll(rd)
		switch {
		case want.Error == "UnicodeDecodeError":
			// The bad byte may sit in a quoted field that is never closed, which is found first.
			if !errors.Is(err, ErrNotUTF8) && !errors.Is(err, ErrUnterminated) {
				t.Errorf("%q: Python cannot decode it; got %q, %v", in.data, got, err)
				failures++
			}
		case errors.Is(err, ErrUnterminated):
			// Python returns the open field as the last record; everything before must match.
			if want.Error != "" || len(want.Rows) != len(got)+1 || (len(got) > 0 && !reflect.DeepEqual(got, want.Rows[:len(got)])) {
				t.Errorf("%q: got %q then %v; Python %q", in.data, got, err, want.Rows)
				failures++
			}
		case err != nil || want.Error != "":
			t.Errorf("%q: got error %v; Python %s", in.data, err, want.Error)
			failures++
		case len(got)+len(want.Rows) > 0 && (!reflect.DeepEqual(got, want.Rows) || !reflect.DeepEqual(gotLines, want.Lines)):
			t.Errorf("%q: got %q (lines %v); Python %q (lines %v)", in.data, got, gotLines, want.Rows, want.Lines)
			failures++
		}
		if failures > 10 {
			t.Fatal("too many differences")
		}
	}
	t.Logf("compared %d inputs with %s", len(inputs), python)
}

func FuzzReader(f *testing.F) {
	for _, s := range []string{"a,b\n", "\"a\"\"b\",c\r\n", "\ufeffx\ty", "\"open", "a\rb", "\xff", `"ab"cd`} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, tsv bool) {
		mk := func(rd io.Reader) *Reader {
			if tsv {
				return NewTSVReader(rd)
			}
			return NewReader(rd)
		}
		recs, lines, err := readAll(mk(bytes.NewReader(data)))
		var pe *ParseError
		if err != nil && (!errors.As(err, &pe) || pe.Line < pe.StartLine || pe.StartLine < 1) {
			t.Fatalf("%q: error %v is not a ParseError with sane lines", data, err)
		}
		for i := 1; i < len(lines); i++ {
			if lines[i] <= lines[i-1] {
				t.Fatalf("%q: line numbers %v do not increase", data, lines)
			}
		}
		// Reading a byte at a time gives the same result.
		recs2, lines2, err2 := readAll(mk(iotest.OneByteReader(bytes.NewReader(data))))
		if !reflect.DeepEqual(recs, recs2) || !reflect.DeepEqual(lines, lines2) || (err == nil) != (err2 == nil) {
			t.Fatalf("%q: %q %v %v vs one byte at a time %q %v %v", data, recs, lines, err, recs2, lines2, err2)
		}
	})
}
