package adm_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/adm"
)

var seeds = []string{"kinto/attachments/main-workspace/quicksuggest/data-1.json", "merino-rust/data-01.json", "merino-rust/data-02.json"}

// FuzzAttachment feeds hostile attachment bytes through the integrity check and the Remote
// Settings rules of the suggestion parser: nothing may panic.
func FuzzAttachment(f *testing.F) {
	for _, name := range seeds {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if adm.Verify(data, &adm.Attachment{Size: int64(len(data)), Hash: "00"}) == nil {
			t.Fatal("a wrong hash passed")
		}
		_, _ = adm.ParseItems(data, adm.ParseOptions{Attachment: true, Icon: func(string) string { return "-1" }}, nil)
	})
}

// FuzzBundle feeds hostile bundles (what the Source hands the Loader) to the Loader: nothing
// may panic, and a failed load stores nothing.
func FuzzBundle(f *testing.F) {
	for _, name := range seeds {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(`{"icons":{"1":"http://i/1"},"records":[{"id":"r","country":"DE","form_factor":"phone","suggestions":` + string(b) + `}]}`))
	}
	f.Add([]byte(`{"icons":{},"records":[{"id":"r","form_factor":"tablet","suggestions":[]}]}`))
	f.Fuzz(func(t *testing.T, bundle []byte) {
		p := adm.New(adm.Settings{Base: suggest.Base{Name: "adm"}})
		n, err := adm.RemoteSettingsLoader(p, adm.LoadOptions{ProviderID: "adm"}, discard)(bundle)
		if err != nil && p.Segment(adm.DefaultSegment) != nil {
			t.Fatal("a failed load stored an index: " + strconv.Itoa(n))
		}
	})
}
