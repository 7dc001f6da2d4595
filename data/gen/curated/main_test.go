package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The committed bundle is what the generator writes from the shared fixtures (same bytes).
func TestBundleIsUpToDate(t *testing.T) {
	src := filepath.Join("..", "..", "..", "..", "shared", "data", "merino-py", "tests", "data")
	if _, err := os.Stat(src); err != nil {
		src = filepath.Join("..", "..", "..", "..", "..", "shared", "data", "merino-py", "tests", "data")
		if _, err := os.Stat(src); err != nil {
			t.Skip("../shared/data is not beside the repository: cannot regenerate data/curated")
		}
	}
	out := t.TempDir()
	if err := run(src, out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"engagement.json", "prior.json", "scheduled_surface.json", "sections.json",
		"sections.NEW_TAB_EN_GB.json", "sections.NEW_TAB_EN_CA.json", "sections.NEW_TAB_EN_IE.json"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "curated", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("data/curated/%s differs from the generator's output: run make data-curated", name)
		}
	}
}
