//go:build !race

package tree_test

import (
	"context"
	"testing"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit/kittest"
)

// A keyword_filter over an inline provider costs no allocation.
func TestKeywordFilterAllocs(t *testing.T) {
	b := kittest.Build(t, kittest.Load(t, "MERINO_ENV=testing",
		"MERINO_PROVIDERS__F__TYPE=keyword_filter", `MERINO_PROVIDERS__F__SUGGESTION_BLOCKLIST={b="banana"}`,
		"MERINO_PROVIDERS__F__INNER__TYPE=multiplexer",
		`MERINO_PROVIDERS__F__INNER__PROVIDERS=[{type="wiki_fruit"}, {type="fixed", value="a banana"}]`))
	p := b.Providers[0]
	req := &suggest.Request{Query: "cherry"}
	dst := make([]suggest.Suggestion, 0, 4)
	if n := testing.AllocsPerRun(100, func() {
		dst, _ = p.Query(context.Background(), req, dst[:0])
	}); n != 0 || len(dst) != 1 {
		t.Errorf("%v allocations, %d suggestions", n, len(dst))
	}
}
