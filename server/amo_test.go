package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/amo"
)

func newAMO(t *testing.T, id string, enabled bool) *amo.Provider {
	t.Helper()
	p, err := amo.New(amo.Settings{Base: suggest.Base{Name: id, Score: 0.25, EnabledByDefault: enabled, QueryTimeout: 200 * time.Millisecond}, MinChars: 4}, amo.Addons)
	if err != nil {
		t.Fatal(err)
	}
	p.Merge(amo.StaticDetails(amo.Addons))
	return p
}

// darkReaderJSON is merino-py's AddonSuggestion for Dark Reader with the static backend.
func darkReaderJSON(provider string) string {
	return `{"title":"Dark Reader","url":"https://addons.mozilla.org/en-US/firefox/addon/darkreader/","provider":"` + provider + `","is_sponsored":false,"score":0.25,` +
		`"description":"Get night mode for the entire internet. Adjust colors and reduce eye strain.",` +
		`"icon":"https://addons.mozilla.org/user-media/addon_icons/855/855413-64.png",` +
		`"custom_details":{"amo":{"rating":"4.5586","number_of_ratings":4962,"guid":"addon@darkreader.org"}},"is_top_pick":true}`
}

// merino-py's tests/integration/api/v1/suggest/test_suggest_amo.py (the provider is
// disabled by default there, so a request that does not name it gets nothing) and the
// provider's unit cases, through the server.
func TestAMO(t *testing.T) {
	ts := start(t, defaultOptions(newAMO(t, "addons", false), newTopPicks(t, "top_picks", true)))
	f := func(path, want string) {
		t.Helper()
		r := ts.get(t, path)
		if r.status != 200 || r.body != want {
			t.Errorf("%s: got %d %s\nwant 200 %s", path, r.status, r.body, want)
		}
	}
	for _, q := range []string{"night+mo", "nigh", "NIghT"} {
		f("/api/v1/suggest?q="+q, body())
	}
	f("/api/v1/suggest?q=night+mo&providers=addons", body(darkReaderJSON("addons")))
	f("/api/v1/suggest?q=NIghT&providers=addons", body(darkReaderJSON("addons")))
	f("/api/v1/suggest?q=%20%20Dark%20Mode%20&providers=addons", body(darkReaderJSON("addons")))
	for _, q := range []string{"nigh", "dar", "tts", "amazing", "ublock+origin", "dark+mode+x"} {
		f("/api/v1/suggest?q="+q+"&providers=addons", body())
	}
	f("/api/v1/suggest?q=spam&providers=addons",
		body(`{"title":"Firefox Relay","url":"https://addons.mozilla.org/en-US/firefox/addon/private-relay/","provider":"addons","is_sponsored":false,"score":0.25,`+
			`"description":"Email masking to protect your inbox and identity from hackers and junk mail.",`+
			`"icon":"https://addons.mozilla.org/user-media/addon_icons/2633/2633704-64.png",`+
			`"custom_details":{"amo":{"rating":"4.117","number_of_ratings":1349,"guid":"private-relay@firefox.com"}},"is_top_pick":true}`))
	f("/api/v1/suggest?q=read+aloud&providers=addons",
		body(`{"title":"Read Aloud: A Text to Speech Reader","url":"https://addons.mozilla.org/firefox/addon/read-aloud/","provider":"addons","is_sponsored":false,"score":0.25,`+
			`"description":"Listen to web pages read aloud in 40+ languages with customizable reading speed. Supports PDF and EPUB.",`+
			`"icon":"https://addons.mozilla.org/user-media/addon_icons/952/952959-64.png",`+
			`"custom_details":{"amo":{"rating":"3.9603","number_of_ratings":757,"guid":"{ddc62400-f22d-4dd3-8b4a-05837de53c2e}"}},"is_top_pick":true}`))

	r := ts.get(t, "/api/v1/providers")
	if !strings.Contains(r.body, `{"id":"addons","availability":"disabled_by_default"}`) {
		t.Errorf("providers: %s", r.body)
	}
}

func TestAMOEnabledByDefault(t *testing.T) {
	ts := start(t, defaultOptions(newAMO(t, "amo", true)))
	r := ts.get(t, "/api/v1/suggest?q=dark+mode")
	if r.status != 200 || r.body != body(darkReaderJSON("amo")) {
		t.Errorf("got %d %s", r.status, r.body)
	}
	if cc := r.header.Get("Cache-Control"); cc != "private, max-age=300" {
		t.Errorf("Cache-Control %q", cc)
	}
}
