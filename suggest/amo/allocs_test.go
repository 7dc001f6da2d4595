//go:build !race

package amo

import (
	"context"
	"testing"

	"github.com/mozilla-services/merino-go/suggest"
)

func TestAllocsQuery(t *testing.T) {
	p := newStatic(t, "amo", 0.25, 4)
	dst := make([]suggest.Suggestion, 0, 4)
	for _, q := range []string{"dark mode", "  DARK MODE ", "d", "nothing here", "İnstall"} {
		req := &suggest.Request{Query: q}
		if n := testing.AllocsPerRun(100, func() { dst, _ = p.Query(context.Background(), req, dst[:0]) }); n != 0 {
			t.Errorf("q=%q: %v allocs", q, n)
		}
	}
}
