package wikipedia

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/index/fulltext"
	lw "github.com/mozilla-services/merino-go/loaders/wikipedia"
	"github.com/mozilla-services/merino-go/suggest"
)

// The loader swaps in a verified index, refuses a corrupt one while the last good one keeps
// serving, does not read a build it found corrupt again, and takes the next good build.
func TestLoaderKeepsLastGood(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "enwiki")
	build := func(title string) {
		t.Helper()
		in := strings.NewReader(`{"title":"` + title + `","popularity_score":0.001}` + "\n")
		if _, err := lw.Build(context.Background(), in, lw.Options{Out: dir, Lang: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	p := New(Settings{Base: suggest.Base{Name: "wikipedia"}, Languages: []string{"en"}})
	defer p.Close()
	apply := Loader(p, "en", dir)
	serving := func() string {
		c := p.Current("en").Completion
		return c.Title(0)
	}
	build("Alabama")
	if n, err := apply(nil); err != nil || n != 1 || serving() != "Alabama" {
		t.Fatalf("first load: %d, %v", n, err)
	}
	build("Alaska")
	os.WriteFile(filepath.Join(dir, fulltext.CompletionFile), []byte("junk"), 0o644)
	_, err := apply(nil)
	if !errors.Is(err, fulltext.ErrCorrupt) || serving() != "Alabama" {
		t.Fatalf("corrupt build: %v, serving %q", err, serving())
	}
	// The same build again: the same error, without reading the files (now gone).
	os.Remove(filepath.Join(dir, fulltext.CompletionFile))
	if _, err2 := apply(nil); err2 != err {
		t.Errorf("second try: %v, want %v", err2, err)
	}
	build("Anarchism")
	if n, err := apply(nil); err != nil || n != 1 || serving() != "Anarchism" {
		t.Fatalf("next good build: %d, %v, serving %q", n, err, serving())
	}
	// Another language's index is refused.
	in := strings.NewReader(`{"title":"Berlin","popularity_score":0.001}` + "\n")
	if _, err := lw.Build(context.Background(), in, lw.Options{Out: dir, Lang: "de"}); err != nil {
		t.Fatal(err)
	}
	if _, err := apply(nil); err == nil || !strings.Contains(err.Error(), `it was built for "de"`) {
		t.Errorf("a de index as en: %v", err)
	}
}
