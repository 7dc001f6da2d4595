package adm_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/adm"
)

// FuzzQuery sends any query, country, form factor and variant through the exact and fuzzy
// paths: no panic, at most one suggestion, always valid JSON.
func FuzzQuery(f *testing.F) {
	p := newProvider(f, true, map[adm.Segment]string{usDesktop: "moz_merino_ext_test_amp_data.json", dePhone: "de_phone.json"})
	for _, q := range []string{"los pollos hermanas", "lasgna", "firefox", "ΟΔΟΣ", "İ", " \u001c x", "la"} {
		f.Add(q, "US", "desktop", true)
	}
	f.Add("firefox accounts dd", "DE", "tablet", true)
	f.Fuzz(func(t *testing.T, q, country, ff string, fuzzy bool) {
		if len(q) > 2000 {
			return
		}
		r := req{q: q, country: country, ff: ff}
		if fuzzy {
			r.variants = []string{adm.FuzzyVariant}
		}
		got := render(p, r)
		if got != "" && (!json.Valid([]byte(got)) || strings.Count(got, `"block_id"`) != 1) {
			t.Fatalf("%+v: %s", r, got)
		}
		_, _ = p.Query(context.Background(), &suggest.Request{Query: q}, nil)
		if rr := adm.RejectionReason([]byte(adm.NormalizeString(q)), q, 7); rr > adm.FirstCharDelete {
			t.Fatalf("bad reason %d", rr)
		}
	})
}
