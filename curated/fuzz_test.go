package curated_test

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzSections sends arbitrary bodies through the whole request path on the bundle: every
// answer is a 200 with a JSON body (feeds set when a sections surface asked for them) or a 400
// with pydantic's errors, never a panic or a 500.
func FuzzSections(f *testing.F) {
	for _, s := range []string{
		`{"locale":"en-US","feeds":["sections"]}`,
		`{"locale":"en-GB","feeds":["sections"],"enableInterestPicker":true,"sections":[{"sectionId":"food","isFollowed":true,"isBlocked":true,"followedAt":"2025-03-17T12:00:00.5+02:00"}]}`,
		`{"locale":"en-US","feeds":["sections"],"inferredInterests":{"model_id":"inferred-v3-model","values":["0100","é","1111"]}}`,
		`{"locale":"en-CA","feeds":["sections"],"inferredInterests":{"model_id":"inferred-small-v1","values":"011"}}`,
		`{"locale":"en-US","feeds":["sections"],"inferredInterests":{"model_id":"x","a":NaN,"b":1e308,"b":-1e308}}`,
		`{"locale":"de-DE","feeds":["sections"],"experimentName":"daily-briefing-v1","experimentBranch":"briefing-without-popular"}`,
		`{"locale":"en-US","feeds":["sections"],"sections":[{"sectionId":"top_stories_section","isFollowed":true,"isBlocked":false,"followedAt":"0001-01-01T00:00:00+23:59"}]}`,
		`{"locale":"pl","feeds":["sections"],"count":-3}`,
	} {
		f.Add([]byte(s))
	}
	p := benchProvider(f)
	ct := []byte("application/json")
	f.Fuzz(func(t *testing.T, body []byte) {
		out, status, err := p.Recommend(nil, ct, body)
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		switch status {
		case 400:
			return
		case 200:
		default:
			t.Fatalf("%q: status %d", body, status)
		}
		var r struct {
			Feeds json.RawMessage `json:"feeds"`
		}
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("%q: invalid JSON %v: %.300s", body, err, out)
		}
		if bytes.Contains(out, []byte("NaN")) || bytes.Contains(out, []byte("Infinity")) {
			t.Fatalf("%q: non-finite number in %.300s", body, out)
		}
	})
}
