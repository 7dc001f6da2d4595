package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := strings.Join(words(in), "|"); got != want {
			t.Errorf("words(%q) = %q, want %q", in, got, want)
		}
	}
	f("Alabama (state), U.S.", "Alabama|state|U.S")
	f("  \"A\"  b ", "A|b")
}

func TestMentionsAndOutput(t *testing.T) {
	arts := []*article{
		{ID: 2, Title: "Alabama", Abstract: "A state near Georgia."},
		{ID: 1, Title: "Georgia", Abstract: "Borders Alabama. Alabama again."},
		{ID: 3, Title: "Montgomery, Alabama", Abstract: "Capital of Alabama, near Georgia."},
	}
	countMentions(arts)
	if arts[0].mentions != 2 || arts[1].mentions != 2 || arts[2].mentions != 0 {
		t.Fatalf("mentions: %d %d %d", arts[0].mentions, arts[1].mentions, arts[2].mentions)
	}
	var out bytes.Buffer
	if err := write(&out, arts, 2); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || lines[0] != `{"index":{"_id":"1"}}` || lines[2] != `{"index":{"_id":"2"}}` {
		t.Fatalf("output:\n%s", out.String())
	}
	var d cirrusDoc
	if err := json.Unmarshal([]byte(lines[1]), &d); err != nil {
		t.Fatal(err)
	}
	// 2 mentions in a corpus of 3 stand for 2 × 6,500,000 / 3 links.
	if d.Title != "Georgia" || d.IncomingLinks != 4333333 || d.Namespace != 0 || d.OpeningText != "Borders Alabama. Alabama again." {
		t.Errorf("doc = %+v", d)
	}
}

// The committed sample is what the generator writes from the shared corpus.
func TestSampleIsReproducible(t *testing.T) {
	shared := "../../../../shared/data"
	if _, err := os.Stat(filepath.Join(shared, "wikipedia", "enwiki-abstracts.jsonl.gz")); err != nil {
		t.Skip("shared corpus not available")
	}
	if testing.Short() {
		t.Skip("reads the whole corpus")
	}
	out := filepath.Join(t.TempDir(), "s.json.gz")
	if err := run(shared, out, 4000); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	want, err := os.ReadFile("../../wikipedia-en.sample.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("data/wikipedia-en.sample.json.gz differs from the generator's output: regenerate it")
	}
	zr, _ := gzip.NewReader(bytes.NewReader(want))
	var n int
	dec := json.NewDecoder(zr)
	for dec.More() {
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 8000 {
		t.Errorf("%d lines, want 8000", n)
	}
}
