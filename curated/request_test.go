package curated

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/curated/surface"
	"github.com/mozilla-services/merino-go/pydantic"
)

// FuzzDecode feeds the request parser arbitrary bodies: it never panics, and an invalid body
// always yields a 400 that is valid JSON.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"locale":"en-US"}`, `{"locale":"en-US","region":"US","topics":["arts",1],"feeds":["sections"],"count":"5"}`,
		`{"locale":"fr","sections":[{"sectionId":"nfl","isFollowed":"yes","isBlocked":0,"followedAt":"2025-03-17T12:00:00+02:00"}]}`,
		`{"locale":"en","inferredInterests":{"model_id":"m","values":["01",2],"x":null},"experimentName":5}`,
		`{bad`, ``, `[]`, `{"count":1e400}`, `{"utc_offset":23.9,"utcOffset":"x"}`, "\xef\xbb\xbf{}",
	} {
		f.Add([]byte(s), "application/json")
	}
	f.Add([]byte(`{"locale":"en-US"}`), "text/plain")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		var d decoder
		d.warn = func(string, string) {}
		if d.decode([]byte(contentType), body) {
			if !surface.IsLocale(d.req.Locale) {
				t.Fatalf("accepted locale %q", d.req.Locale)
			}
			return
		}
		if d.detail != "" {
			return
		}
		out := pydantic.AppendBody(nil, d.errs)
		if !json.Valid(out) {
			t.Fatalf("%q: invalid 400 body %q", body, out)
		}
	})
}

func TestDecodeReusesMemory(t *testing.T) {
	var d decoder
	d.warn = func(string, string) {}
	body := []byte(`{"inferredInterests":null,"locale":"en-US","region":"US","topics":[],"sections":[],"enableInterestPicker":false,"feeds":["sections"]}`)
	if !d.decode([]byte("application/json"), body) {
		t.Fatal(d.errs)
	}
	if n := testing.AllocsPerRun(100, func() { d.decode([]byte("application/json"), body) }); n != 0 {
		t.Errorf("%v allocations per decode", n)
	}
	if !d.req.WantsSections() || d.req.Region != "US" || strings.Join(d.req.Feeds, ",") != "sections" {
		t.Errorf("%+v", d.req)
	}
}
