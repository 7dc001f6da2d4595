package geonamesuploader

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/jsonw"
)

func FuzzReadGeonames(f *testing.F) {
	f.Add([]byte("5128581\tNew York City\tNew York City\t\t40.71427\t-74.00597\tP\tPPL\tUS\t\tNY\t\t\t\t8804190\t10\t57\tAmerica/New_York\t2022-05-05\n"))
	f.Add([]byte("1\t\"quoted\tname\"\tx\t\t\t\tA\tADM1\tUS\t\t\t\t\t\t 12 \n\n2\tshort\n"))
	f.Add([]byte("\ufeff3\tG\u00f6\u00dfnitz\tGoessnitz\t\t1\t2\tP\tPPL\tDE\t\t15\t00\t16077\t16077012\tmany\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		places, rows, err := readGeonames(bytes.NewReader(data), "US.txt", 0)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "US.txt ") {
				t.Fatalf("error without the file: %v", err)
			}
			return
		}
		if len(places) > rows {
			t.Fatalf("%d places from %d rows", len(places), rows)
		}
		for i := range places {
			b := jsonw.Python.Marshal(&places[i])
			if !json.Valid(b) {
				t.Fatalf("invalid JSON %s", b)
			}
		}
	})
}

func FuzzReadAlternates(f *testing.F) {
	f.Add([]byte("1\t5128581\ten\tNew York\t1\t1\t\t\t\t\n2\t5128581\tabbr\tNYC\t\t\t\t\t\t\n"))
	f.Add([]byte("1\tx\ten\tA\t\t\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		alts, _, err := readAlternates(bytes.NewReader(data), "US.txt", map[int64]bool{5128581: true, 1: true}, map[string]bool{"en": true, "abbr": true})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "US.txt ") {
				t.Fatalf("error without the file: %v", err)
			}
			return
		}
		for _, la := range alts {
			if len(la.order) != len(la.byID) {
				t.Fatalf("order %v, %d places", la.order, len(la.byID))
			}
			for _, list := range la.byID {
				if b := jsonw.Python.Marshal(list); !json.Valid(b) {
					t.Fatalf("invalid JSON %s", b)
				}
			}
		}
	})
}
