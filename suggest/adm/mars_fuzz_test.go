package adm_test

import (
	"context"
	"os"
	"testing"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/adm"
)

// FuzzParseResponse feeds hostile MARS bodies through the parser and, when they parse, the
// index build and a few queries: nothing may panic.
func FuzzParseResponse(f *testing.F) {
	for _, name := range []string{"mars_response_US_desktop.json", "de_phone.json", "moz_merino_ext_test_amp_data.json", "top_pick_prefix.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "firefox")
	}
	f.Add([]byte(`{"suggestions":[{"id":1,"advertiser":"a","iab_category":"22 - Shopping","keywords":["ab","abc"],"full_keywords":[["abc",18446744073709551615]],"title":"t","url":"http://x","click_url":"http://x","impression_url":"http://x","icon":"i","serp_categories":[11]}]}`), "ab")
	f.Fuzz(func(t *testing.T, body []byte, q string) {
		p := adm.New(adm.Settings{Base: suggest.Base{Name: "adm"}, Fuzzy: true, MinSubstitutionLen: 7})
		apply := adm.MARSLoader(p, adm.Segment{Country: "US"}, adm.LoadOptions{ProviderID: "adm"}, discard)
		if _, err := apply(body); err != nil {
			return
		}
		req := &suggest.Request{Query: q, ClientVariants: []string{adm.FuzzyVariant}}
		_, _ = p.Query(context.Background(), req, nil)
	})
}
