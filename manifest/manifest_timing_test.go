package manifest

import (
	"os"
	"testing"
)

// BenchmarkParse loads the bundled 745-domain sample: what a manifest refresh costs.
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("../data/manifest.json")
	if err != nil {
		b.Skipf("no bundled sample: %v", err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
