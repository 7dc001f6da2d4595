package acceptlang

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/pystr"
)

func TestParse(t *testing.T) {
	f := func(header string, want ...string) {
		t.Helper()
		got := Parse(header, nil)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Parse(%q) = %q; want %q", header, got, want)
		}
	}

	// merino-py's own test cases (tests/unit/utils/query_processing/test_geo_params.py).
	f("*", "en-US")
	f("en-US", "en-US")
	f("en-US,en;q=0.5", "en-US", "en")
	f("en-US,en;q=0.9,zh-CN;q=0.7", "en-US", "en", "zh-CN")
	f("en-CA;q=invalid", "en-US")

	// Absent or empty header.
	f("", "en-US")

	// Only the exact string "*" is special.
	f(" *", "*")
	f("*,fr", "*", "fr")

	// Sorted by quality, descending, stable among equals.
	f("a;q=0.1,b;q=0.9,c;q=0.5", "b", "c", "a")
	f("a;q=0.5,b,c;q=0.5,d", "b", "d", "a", "c")
	f("fr;q=1,de,en;q=1.0", "fr", "de", "en")

	// q=0 and negative qualities are kept (merino-py filters nothing).
	f("en;q=0,fr;q=-1,de", "de", "en", "fr")

	// No whitespace handling inside a piece: a space before "q=" means no split.
	f("en-US; q=0.5", "en-US; q=0.5")
	f("fr, en-US; q=0.5", "fr", "en-US; q=0.5")
	f("en ;q=0.5,fr", "fr", "en ")
	f("en;Q=0.5", "en;Q=0.5")

	// Whitespace around pieces is stripped, including Python's extra
	// whitespace characters in latin-1.
	f("  en  ,\tfr\r\n", "en", "fr")
	f("\x1cen\x1f,\x85fr\xa0", "en", "fr")
	f("en;q=\x0b0.5\xa0,fr", "fr", "en")

	// Empty pieces are tags too.
	f(",", "", "")
	f("en,,fr", "en", "", "fr")
	f(" ", "")

	// Other parameters stay in the tag; only the first ";q=" counts.
	f("en;level=1;q=0.5,fr", "fr", "en;level=1")
	f("en;q=0.5;q=0.9,fr;q=0.7", "fr", "en")
	f("en;q=0.5;q=bogus,fr;q=0.7", "fr", "en")

	// Python float() syntax.
	f("a;q=1_0,b;q=2", "a", "b")
	f("a;q=.5,b;q=+.6", "b", "a")
	f("a;q=1e-3,b;q=1E3", "b", "a")
	f("a;q=inf,b;q=2", "a", "b")
	f("a;q=-Infinity,b;q=-1e308", "b", "a")
	f("a;q=1e999,b;q=inf", "a", "b")
	f("a;q= 0.5 ,b;q=0.7", "b", "a")
	f("a;q=5.,b;q=4", "a", "b")
	f("a;q=0000.5000,b;q=0.6", "b", "a")

	// Anything float() rejects falls back for the whole header.
	for _, bad := range []string{
		"en;q=", "en;q=1_", "en;q=_1", "en;q=1__0", "en;q=1_.5", "en;q=1._5",
		"en;q=0x10", "en;q=1e", "en;q=e5", "en;q=.", "en;q=+", "en;q=1.5.5",
		"en;q=1 0", "en;q=infinit", "en;q=nan(1)", "en;q=1\x00", "en;q=١",
		"fr,en;q=x", "en;q=0.5;", "en;q=1e1_",
	} {
		f(bad, "en-US")
	}
}

func TestParseAppends(t *testing.T) {
	dst := []string{"keep"}
	got := Parse("de;q=0.5,fr", dst)
	if want := []string{"keep", "fr", "de"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q; want %q", got, want)
	}
	// A fallback must not drop what the caller already had.
	got = Parse("de,fr;q=oops", dst[:1])
	if want := []string{"keep", "en-US"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q; want %q", got, want)
	}
}

func TestParseManyEntries(t *testing.T) {
	// More entries than inlineEntries and than pyMinRun takes the paths
	// with a heap quality slice and sort.Stable.
	h := "a;q=0.1,b;q=0.2,c,d;q=0.2" + strings.Repeat(",z;q=0.05", 70)
	got := Parse(h, nil)
	if len(got) != 74 {
		t.Fatalf("got %d tags; want 74", len(got))
	}
	if want := []string{"c", "b", "d", "a", "z"}; !reflect.DeepEqual(got[:5], want) {
		t.Fatalf("got %q; want %q", got[:5], want)
	}
}

func TestPyFloat(t *testing.T) {
	f := func(s string, want float64) {
		t.Helper()
		got, ok := pystr.ParseFloatLatin1(s)
		if !ok {
			t.Fatalf("float(%q) failed; want %v", s, want)
		}
		if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("float(%q) = %v; want %v", s, got, want)
		}
	}
	f("1", 1)
	f(" -2.5e1 ", -25)
	f("1_000.000_1", 1000.0001)
	f("+inf", math.Inf(1))
	f("-iNfInItY", math.Inf(-1))
	f("-nan", math.NaN())
	f("1e-400", 0)
	f("1e400", math.Inf(1))
	f("\xa01\x85", 1)
}

// pythonReference restates merino-py's get_accepted_languages (the header
// arrives latin-1 decoded, as Starlette does) and prints each result as the
// latin-1 bytes of its tags in hex.
const pythonReference = `
import json, sys

def accepted(languages):
    if languages:
        try:
            if languages == "*":
                return ["en-US"]
            out = []
            for piece in languages.split(","):
                parts = piece.strip().split(";q=")
                out.append((parts[0], float(parts[1]) if len(parts) > 1 else 1.0))
            out.sort(key=lambda x: x[1], reverse=True)
            return [x[0] for x in out]
        except Exception:
            return ["en-US"]
    return ["en-US"]

headers = [bytes.fromhex(h).decode("latin-1") for h in json.load(sys.stdin)]
json.dump([[t.encode("latin-1").hex() for t in accepted(h)] for h in headers], sys.stdout)
`

// findPython returns a python3 interpreter and whether it is 3.13 or newer
// (whose list.sort orders NaN keys like merino-py's 3.14).
func findPython(t *testing.T) (string, bool) {
	t.Helper()
	candidates := []string{"python3.14", "python3.13", "python3"}
	if p := os.Getenv("PYTHON"); p != "" {
		candidates = []string{p}
	}
	for _, c := range candidates {
		path, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		out, err := exec.Command(path, "-c", "import sys; print(int(sys.version_info >= (3, 13)))").Output()
		if err != nil {
			continue
		}
		return path, strings.TrimSpace(string(out)) == "1"
	}
	t.Skip("skipping comparison with merino-py's algorithm: no python3 found (set PYTHON to an interpreter)")
	return "", false
}

func runPython(t *testing.T, python string, headers []string) [][]string {
	t.Helper()
	in := make([]string, len(headers))
	for i, h := range headers {
		in[i] = hex.EncodeToString([]byte(h))
	}
	stdin, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", pythonReference)
	cmd.Stdin = strings.NewReader(string(stdin))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python failed: %v", err)
	}
	var raw [][]string
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	res := make([][]string, len(raw))
	for i, tags := range raw {
		for _, h := range tags {
			b, err := hex.DecodeString(h)
			if err != nil {
				t.Fatal(err)
			}
			res[i] = append(res[i], string(b))
		}
	}
	return res
}

func TestParseMatchesPython(t *testing.T) {
	python, newSort := findPython(t)
	headers := []string{
		"", "*", " *", "en-US", "en-US,en;q=0.5", "en-US,en;q=0.9,zh-CN;q=0.7", "en-CA;q=invalid",
		"en-US; q=0.5", "en ;q=0.5,fr", "en;Q=0.5", ",", ",,,", " , ", "en,,fr",
		"\x1cen\x1f,\x85fr\xa0", "\u00e9n;q=0.5,fr", "en;q=\x0b0.5\xa0,fr",
		"en;level=1;q=0.5,fr", "en;q=0.5;q=0.9,fr;q=0.7", "en;q=0.5;q=bogus,fr;q=0.7",
		"a;q=1_0,b;q=2", "a;q=.5,b;q=+.6", "a;q=1e-3,b;q=1E3", "a;q=inf,b;q=2",
		"a;q=-Infinity,b;q=-1e308", "a;q=1e999,b;q=inf", "a;q= 0.5 ,b;q=0.7", "a;q=5.,b;q=4",
		"en;q=", "en;q=1_", "en;q=_1", "en;q=1__0", "en;q=1_.5", "en;q=1._5", "en;q=0x10",
		"en;q=1e", "en;q=e5", "en;q=.", "en;q=+", "en;q=1 0", "en;q=infinit", "en;q=nan(1)",
		"en;q=1\x00", "en;q=1e1_0", "en;q=-0,fr;q=0,de;q=-0.0",
		"a;q=0.5,b,c;q=0.5,d", "fr;q=1,de,en;q=1.0", "en;q=0,fr;q=-1,de",
		"de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "fr-CA,fr;q=0.8,en-US;q=0.5,en;q=0.3",
		strings.Repeat("x;q=0.3,y;q=0.7,", 40) + "z",
	}
	nanHeaders := []string{
		"a;q=nan,b;q=0.5,c;q=0.9",
		"a;q=0.5,b;q=nan,c;q=0.9,d;q=0.1",
		"a;q=0.1,b;q=0.2,c;q=nan,d;q=0.3,e;q=0.2,f",
		"a;q=1,b;q=1,c;q=nan,d;q=0,e;q=0,f;q=nan,g;q=2",
		"a;q=3,b;q=2,c;q=2,d;q=1,e;q=nan,f;q=1,g;q=1,h;q=0",
		"a;q=nan,b;q=nan,c,d;q=0.5,e;q=0.5,f;q=0.7",
		"a;q=0.2,b;q=0.2,c;q=0.1,d;q=nan,e;q=0.3,f;q=0.3,g;q=0.05,h;q=nan,i;q=0.4",
	}
	if newSort {
		headers = append(headers, nanHeaders...)
	} else {
		t.Logf("%s is older than 3.13: NaN ordering cases not compared", python)
	}
	want := runPython(t, python, headers)
	for i, h := range headers {
		got := Parse(h, nil)
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("Parse(%q) = %q; python gives %q", h, got, want[i])
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "*", "en-US,en;q=0.5", "a;q=nan,b;q=1_0", "en;q=0.5;q=1", " , ", "\xa0en\x85;q=+.5e-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		got := Parse(header, nil)
		if len(got) == 0 {
			t.Fatalf("Parse(%q) returned nothing", header)
		}
		for _, tag := range got {
			if tag != DefaultLanguage && !strings.Contains(header, tag) {
				t.Fatalf("Parse(%q) returned %q, not a substring of the header", header, tag)
			}
		}
	})
}
