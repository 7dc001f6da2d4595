package amo

import (
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/loaders"
)

// The source keeps its API base as given (one slash before the slug) and never shows
// credentials of the URL.
func TestNewSource(t *testing.T) {
	for _, bad := range []string{"", "addons.mozilla.org/api", "ftp://x/api/", "https:///api", "https://x/api/?a=1", "https://x/api/#f"} {
		if _, err := NewSource(bad, []string{"darkreader"}, loaders.HTTPOptions{}, nil); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := NewSource(DefaultAPIURL, nil, loaders.HTTPOptions{}, nil); err == nil {
		t.Error("no slugs accepted")
	}
	s, err := NewSource("https://user:secret@addons.example/api/v5/addons/addon//", []string{"darkreader"}, loaders.HTTPOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.String(), "secret") || s.base != "https://user:secret@addons.example/api/v5/addons/addon" {
		t.Errorf("String %q, base %q", s.String(), s.base)
	}
}
