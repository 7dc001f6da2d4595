package manifest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mozilla-services/merino-go/loaders"
)

// The .golden files under testdata/valid are what merino-py answers for the .json beside them:
// pydantic 2.13.4 validating orjson's output with merino-py's ManifestData/Domain models, then
// json.dumps(model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")) as
// Starlette's JSONResponse writes it. Every line of testdata/invalid.txt is a document those
// models reject (checked the same way).
func TestParseGolden(t *testing.T) {
	docs, err := filepath.Glob("testdata/valid/*.json")
	if err != nil || len(docs) == 0 {
		t.Fatalf("no golden documents: %v", err)
	}
	for _, doc := range docs {
		t.Run(filepath.Base(doc), func(t *testing.T) {
			in, err := os.ReadFile(doc)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(strings.TrimSuffix(doc, ".json") + ".golden")
			if err != nil {
				t.Fatal(err)
			}
			s, err := Parse(in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !bytes.Equal(s.Body, want) {
				t.Errorf("body\n got %s\nwant %s", s.Body, want)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	data, err := os.ReadFile("testdata/invalid.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	if len(lines) < 50 {
		t.Fatalf("only %d invalid documents", len(lines))
	}
	for i, line := range lines {
		if s, err := Parse(line); err == nil {
			t.Errorf("line %d accepted: %.120s\n-> %.200s", i+1, line, s.Body)
		}
	}
}

func TestParseCounts(t *testing.T) {
	s, err := Parse(mustRead(t, "testdata/valid/lax.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Domains != 5 || s.Partners != 3 {
		t.Errorf("counts: %d domains, %d partners; want 5, 3", s.Domains, s.Partners)
	}
}

func TestETag(t *testing.T) {
	a1, _ := Parse(mustRead(t, "testdata/valid/mock_manifest.json"))
	// The same content laid out differently renders the same body, hence the same tag.
	a2, _ := Parse([]byte(`{"partners":[],"domains":[{"icon":"https://test.com/spotify-favicon.ico","title":"Spotify","url":"https://www.spotify.com/","serp_categories":["0"],"categories":["Entertainment"],"domain":"spotify","rank":1.0,"extra":1}]}`))
	b, _ := Parse(mustRead(t, "testdata/valid/lax.json"))
	if a1 == nil || a2 == nil || b == nil {
		t.Fatal("a document did not parse")
	}
	if !bytes.Equal(a1.ETag, a2.ETag) {
		t.Errorf("same content, different tags: %s %s", a1.ETag, a2.ETag)
	}
	if bytes.Equal(a1.ETag, b.ETag) {
		t.Errorf("different content, same tag %s", a1.ETag)
	}
	// A strong tag: quoted, no W/ prefix.
	if len(a1.ETag) != 34 || a1.ETag[0] != '"' || a1.ETag[33] != '"' {
		t.Errorf("ETag %s is not a quoted 32-digit hash", a1.ETag)
	}
}

func TestHolderApply(t *testing.T) {
	var h Holder
	if h.Load() != nil {
		t.Fatal("a new holder has a snapshot")
	}
	var nilHolder *Holder
	if nilHolder.Load() != nil {
		t.Fatal("a nil holder has a snapshot")
	}
	n, err := h.Apply(mustRead(t, "testdata/valid/mock_manifest.json"))
	if err != nil || n != 1 {
		t.Fatalf("Apply: %d, %v", n, err)
	}
	good := h.Load()
	if good == nil {
		t.Fatal("no snapshot after a good apply")
	}
	// An empty manifest and a broken one leave the good one serving.
	if _, err := h.Apply(mustRead(t, "testdata/valid/empty.json")); !errors.Is(err, loaders.ErrEmpty) {
		t.Errorf("empty manifest: %v, want ErrEmpty", err)
	}
	if _, err := h.Apply([]byte(`{"domains":[{"rank":1}],"partners":[]}`)); err == nil {
		t.Error("a broken manifest was applied")
	}
	if h.Load() != good {
		t.Error("a failed apply replaced the snapshot")
	}
	if n, err := h.Apply(mustRead(t, "testdata/valid/lax.json")); err != nil || n != 5 {
		t.Fatalf("Apply: %d, %v", n, err)
	}
	if h.Load() == good {
		t.Error("a good apply did not replace the snapshot")
	}
}

// Readers see one whole snapshot or the other while applies run.
func TestHolderConcurrent(t *testing.T) {
	docs := [][]byte{mustRead(t, "testdata/valid/mock_manifest.json"), mustRead(t, "testdata/valid/lax.json")}
	var h Holder
	if _, err := h.Apply(docs[0]); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, d := range docs {
		s, _ := Parse(d)
		want[string(s.ETag)] = string(s.Body)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			if _, err := h.Apply(docs[i%2]); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 500; j++ {
				s := h.Load()
				if want[string(s.ETag)] != string(s.Body) {
					t.Error("a snapshot's tag and body disagree")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestLaxInt(t *testing.T) {
	f := func(raw, want string) {
		t.Helper()
		got, err := laxInt([]byte(raw))
		if want == "" {
			if err == nil {
				t.Errorf("laxInt(%s) = %s, want an error", raw, got)
			}
			return
		}
		if err != nil || string(got) != want {
			t.Errorf("laxInt(%s) = %s, %v; want %s", raw, got, err, want)
		}
	}
	f(`0`, "0")
	f(`-0`, "0")
	f(`-0.0`, "0")
	f(`42`, "42")
	f(`1.0`, "1")
	f(`1E2`, "100")
	f(`true`, "1")
	f(`false`, "0")
	f(`9223372036854775807`, "9223372036854775807")
	f(`18446744073709551615`, "18446744073709551615")
	f(`"  -4  "`, "-4")
	f(`"\t5\n"`, "5")
	f(`"5\u00a0"`, "5")
	f(`"+3.000"`, "3")
	f(`"00012"`, "12")
	f(`"-000"`, "0")
	f(`"1_000_000"`, "1000000")
	f(`"99999999999999999999999999"`, "99999999999999999999999999")
	f(`18446744073709551616`, "") // orjson reads it as a float, too large for an int
	f(`1.5`, "")
	f(`9.3e18`, "")
	f(`-9.3e18`, "")
	f(`null`, "")
	f(`[]`, "")
	f(`{}`, "")
	f(`""`, "")
	f(`" "`, "")
	f(`"-"`, "")
	f(`"1_"`, "")
	f(`"1__0"`, "")
	f(`"3."`, "")
	f(`".0"`, "")
	f(`"3.01"`, "")
	f(`"1e3"`, "")
	f(`"0x1f"`, "")
	f(`"\u0663"`, "")
	f(`"`+strings.Repeat("9", 4301)+`"`, "")
	f(``, "")
}

func TestCheckSurrogates(t *testing.T) {
	f := func(doc string, ok bool) {
		t.Helper()
		if err := checkSurrogates([]byte(doc)); (err == nil) != ok {
			t.Errorf("checkSurrogates(%s) = %v, want ok=%v", doc, err, ok)
		}
	}
	f(`"\ud83d\ude00"`, true)
	f(`"\\ud800"`, true) // an escaped backslash, then plain text
	f(`"\u00e9\n\""`, true)
	f(`"\ud800"`, false)
	f(`"\ud800x"`, false)
	f(`"\ud800\u0041"`, false)
	f(`"\ude00"`, false)
	f(`"\ud83d\ude00\udc00"`, false)
	f(`"\u12"`, true) // malformed: left to the JSON parser
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// FuzzParse: hostile documents never panic, and whatever parses renders valid JSON whose
// re-parse gives the same body (rendering is a fixed point).
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/valid/mock_manifest.json", "testdata/valid/lax.json", "testdata/valid/empty.json"} {
		f.Add(mustRead(f, p))
	}
	f.Add([]byte(`{"domains":[{"rank":"1_0","domain":"d","categories":[],"serp_categories":[" 1.0 "],"url":"https://a.b","title":"\ud83d\ude00","icon":""}],"partners":[{"a":"b","a":"c"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			return
		}
		again, err := Parse(s.Body)
		if err != nil {
			t.Fatalf("the rendered body does not parse: %v\n%s", err, s.Body)
		}
		if !bytes.Equal(again.Body, s.Body) || !bytes.Equal(again.ETag, s.ETag) {
			t.Fatalf("rendering is not a fixed point:\n%s\n%s", s.Body, again.Body)
		}
	})
}
