//go:build !race

package curated_test

import (
	"testing"
)

// Firefox's default request for the sections feed, on a warm cache, allocates nothing: the
// corpus is arranged and rendered once per refresh, the builder's buffers are pooled, the
// response is appended to the caller's buffer.
func TestSectionsAllocs(t *testing.T) {
	p := benchProvider(t)
	ct := []byte("application/json")
	for _, body := range []string{
		`{"inferredInterests":null,"locale":"en-US","region":"US","topics":[],"sections":[],"enableInterestPicker":false,"feeds":["sections"]}`,
		`{"inferredInterests":null,"locale":"en-GB","region":"GB","topics":[],"sections":[],"enableInterestPicker":true,"feeds":["sections"]}`,
		`{"locale":"en-US","feeds":["sections"],"experimentName":"new-tab-contextual-ad-updates-v2-release","experimentBranch":"treatment","inferredInterests":{"model_id":"custom","sports":0.9,"arts":0.2}}`,
	} {
		b := []byte(body)
		out, status, err := p.Recommend(nil, ct, b)
		if err != nil || status != 200 {
			t.Fatalf("%d %v", status, err)
		}
		// The first requests size the pooled buffers.
		for i := 0; i < 3; i++ {
			out, _, _ = p.Recommend(out[:0], ct, b)
		}
		if n := testing.AllocsPerRun(20, func() { out, _, _ = p.Recommend(out[:0], ct, b) }); n > 0 {
			t.Errorf("%s: %v allocations per request", body, n)
		}
	}
}
