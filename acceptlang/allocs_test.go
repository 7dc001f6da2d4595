//go:build !race

package acceptlang

import "testing"

func TestAllocsParse(t *testing.T) {
	dst := make([]string, 0, 16)
	for _, h := range []string{"", "en-US", "en-US,en;q=0.9,fr;q=0.8,de;q=0.7", "de;q=0.1,fr;q=0.5,en-US,it;q=0.9", "en;q=bogus"} {
		n := testing.AllocsPerRun(100, func() {
			dst = Parse(h, dst[:0])
		})
		if n != 0 {
			t.Errorf("Parse(%q) allocated %v times per run; want 0", h, n)
		}
	}
}
