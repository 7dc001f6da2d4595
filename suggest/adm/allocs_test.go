//go:build !race

package adm_test

import (
	"context"
	"testing"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/adm"
)

func TestAllocs(t *testing.T) {
	p := newProvider(t, true, map[adm.Segment]string{usDesktop: "us_desktop.json", dePhone: "de_phone.json"})
	dst := make([]suggest.Suggestion, 0, 4)
	f := func(name string, r req, want float64) {
		t.Helper()
		sr := &suggest.Request{Query: r.q, ClientVariants: r.variants}
		sr.Location.Country = r.country
		sr.UserAgent.FormFactor = r.ff
		n := testing.AllocsPerRun(200, func() {
			out, _ := p.Query(context.Background(), sr, dst[:0])
			dst = out
		})
		if n > want {
			t.Errorf("%s: %v allocs/op, want at most %v", name, n, want)
		}
	}
	f("exact hit", req{q: "Firefox", country: "US", ff: "desktop"}, 0)
	f("exact hit, DE tablet", req{q: "mozilla", country: "DE", ff: "tablet"}, 0)
	f("miss", req{q: "nothing here", country: "US", ff: "desktop"}, 0)
	f("fuzzy rescue", req{q: "firefox accountz", variants: []string{adm.FuzzyVariant}}, 0)
	f("fuzzy rejected", req{q: "girefox accounts", variants: []string{adm.FuzzyVariant}}, 0)
}
