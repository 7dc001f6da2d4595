package csvuploader

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/jsonw"
)

// FuzzModels reads arbitrary bytes with each model: an error names the file, every
// suggestion is valid JSON with the model's keys.
func FuzzModels(f *testing.F) {
	f.Add([]byte("url,title,summary,keyword\nhttps://x.org,T,S,\"a, b\"\n"), uint8(0))
	f.Add([]byte("Collection Title,Collection Description,Collection URL,High-Confidence Keywords,Low-Confidence Keywords\nT,D,https://x.org,\"a,b\",\"c,B\"\n"), uint8(1))
	f.Add([]byte("subjects,business-subjects,pre-modifiers,post-modifiers,location-modifiers,location-signs,yelp-modifiers\nramen,,best,,near,in,\n"), uint8(2))
	names := []string{"mdn", "pocket", "yelp"}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		name := names[int(which)%len(names)]
		src := Source{Name: "in.csv", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		_, _, err := readSuggestions(src, models[name](), nil, func(s jsonw.Object) error {
			b := jsonw.Python.Marshal(s)
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil || len(m) != len(s) {
				t.Fatalf("%s: invalid suggestion %s", name, b)
			}
			return nil
		})
		if err != nil && !strings.HasPrefix(err.Error(), "in.csv") {
			t.Fatalf("error without the file: %v", err)
		}
	})
}
